#include "engine/op_error.h"

#include <algorithm>
#include <new>
#include <string>

#include "common/error.h"

namespace mxl {
namespace engine {

std::exception_ptr wrap_op_error(std::exception_ptr raised, const char* op_name) {
  const std::string prefix =
      std::string("Error in operator ") + (op_name ? op_name : "<unnamed>") + ": ";
  try {
    std::rethrow_exception(raised);
  } catch (const Error& e) {
    return std::make_exception_ptr(Error(e.kind(), prefix + e.what()));
  } catch (const std::bad_alloc&) {
    return std::make_exception_ptr(Error(MXL_ERR_OUT_OF_MEMORY, prefix + "out of memory"));
  } catch (const std::exception& e) {
    return std::make_exception_ptr(Error(MXL_ERR_RUNTIME, prefix + e.what()));
  } catch (...) {
    return std::make_exception_ptr(Error(MXL_ERR_RUNTIME, prefix + "unknown exception"));
  }
}

void ErrorLog::add(std::exception_ptr error) {
  if (!error) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (unreported_.size() < kMaxKept) unreported_.push_back(std::move(error));
}

void ErrorLog::mark_reported(const std::exception_ptr& error) {
  std::lock_guard<std::mutex> lock(mu_);
  unreported_.erase(std::remove(unreported_.begin(), unreported_.end(), error),
                    unreported_.end());
}

std::exception_ptr ErrorLog::take_first() {
  std::lock_guard<std::mutex> lock(mu_);
  if (unreported_.empty()) return nullptr;
  std::exception_ptr first = std::move(unreported_.front());
  unreported_.clear();
  return first;
}

}  // namespace engine
}  // namespace mxl
