// Exceptions thrown inside the core.  Each carries one of the C ABI's error
// kinds so src/c_api can hand the kind to bindings, which map it to their
// native exception types (ValueError, TypeError, ...).
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

#include "c_api.h"

namespace mxl {

class Error : public std::runtime_error {
 public:
  Error(int kind, const std::string& msg) : std::runtime_error(msg), kind_(kind) {}
  int kind() const { return kind_; }

 private:
  int kind_;
};

// Builds a message from stream pieces: throw_error(MXL_ERR_VALUE, "op ", name, ": ...").
template <typename... Args>
[[noreturn]] void throw_error(int kind, const Args&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  throw Error(kind, os.str());
}

#define MXL_CHECK(cond, kind, ...)                     \
  do {                                                 \
    if (!(cond)) ::mxl::throw_error(kind, __VA_ARGS__); \
  } while (0)

}  // namespace mxl
