// Asynchronous op errors: how they are worded and which are still unreported.
#pragma once
#include <exception>
#include <mutex>
#include <vector>

namespace mxl {
namespace engine {

// The error an op raised, reworded as "Error in operator <name>: <message>".
// An mxl::Error keeps its kind (so an IndexError stays an IndexError in every
// binding); std::bad_alloc becomes MXL_ERR_OUT_OF_MEMORY and anything else
// MXL_ERR_RUNTIME.
std::exception_ptr wrap_op_error(std::exception_ptr raised, const char* op_name);

// Errors raised by ops and not yet thrown at a sync point.  wait_all throws the
// first of them; wait_for_var throwing one marks it reported.
class ErrorLog {
 public:
  void add(std::exception_ptr error);
  void mark_reported(const std::exception_ptr& error);
  // The oldest unreported error (null if none); clears the log.
  std::exception_ptr take_first();

 private:
  // A program that never syncs while ops keep failing must not grow without
  // bound; only the first error is ever thrown by wait_all anyway.
  static constexpr size_t kMaxKept = 1024;
  std::mutex mu_;
  std::vector<std::exception_ptr> unreported_;
};

// Throws `error` (if any) from a sync point, marking it reported.
inline void raise_at_sync_point(ErrorLog& log, const std::exception_ptr& error) {
  if (!error) return;
  log.mark_reported(error);
  std::rethrow_exception(error);
}

}  // namespace engine
}  // namespace mxl
