// Shared by the C entry points: handle layouts, the thread-local last error,
// and the guard that turns every C++ exception into a status code.
#pragma once
#include <atomic>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>

#include "autograd/tape.h"
#include "c_api.h"
#include "common/error.h"
#include "ndarray/ndarray.h"
#include "operator/registry.h"

// Handle layouts.  The magic word catches NULL-adjacent garbage and handles
// already freed (best effort: freed memory may be reused).
constexpr uint32_t kArrayMagic = 0x4d584c41;  // "MXLA"
constexpr uint32_t kOpMagic = 0x4d584c4f;     // "MXLO"
constexpr uint32_t kDeadMagic = 0xdeaddead;

struct mxl_array {
  uint32_t magic = kArrayMagic;
  mxl::NDArray arr;
  mxl::autograd::Entry entry;  // history while autograd records; empty otherwise
};

struct mxl_op {
  uint32_t magic = kOpMagic;
  const mxl::OpDef* op = nullptr;
};

namespace mxl {
namespace capi {

std::atomic<int64_t>& live_handles();
void set_last_error(int kind, const char* msg);

// Copies a string into a caller buffer, with the size query convention of
// mxl_last_error.  Throws VALUE if cap is non-zero but too small.
void copy_out_string(const std::string& s, char* buf, uint64_t cap, uint64_t* needed);

inline mxl_array_t* new_array_handle(NDArray a) {
  auto* h = new mxl_array;
  h->arr = std::move(a);
  live_handles().fetch_add(1, std::memory_order_relaxed);
  return h;
}

inline mxl_array_t* array_handle(mxl_array_t* h, const char* what) {
  if (!h) throw_error(MXL_ERR_INVALID_HANDLE, what, ": array handle is NULL");
  if (h->magic != kArrayMagic)
    throw_error(MXL_ERR_INVALID_HANDLE, what, ": array handle is invalid or was already freed");
  return h;
}

inline const NDArray& array_of(const mxl_array_t* h, const char* what) {
  if (!h) throw_error(MXL_ERR_INVALID_HANDLE, what, ": array handle is NULL");
  if (h->magic != kArrayMagic)
    throw_error(MXL_ERR_INVALID_HANDLE, what, ": array handle is invalid or was already freed");
  return h->arr;
}

template <typename T>
inline void check_out(T* p, const char* fn, const char* name) {
  if (!p) throw_error(MXL_ERR_VALUE, fn, ": out-parameter '", name, "' is NULL");
}

}  // namespace capi
}  // namespace mxl

#define MXL_API_BEGIN try {
#define MXL_API_END                                                          \
  }                                                                          \
  catch (const ::mxl::Error& e) {                                            \
    ::mxl::capi::set_last_error(e.kind(), e.what());                         \
    return e.kind();                                                         \
  }                                                                          \
  catch (const std::bad_alloc&) {                                            \
    ::mxl::capi::set_last_error(MXL_ERR_OUT_OF_MEMORY, "out of memory");     \
    return MXL_ERR_OUT_OF_MEMORY;                                            \
  }                                                                          \
  catch (const std::exception& e) {                                          \
    ::mxl::capi::set_last_error(MXL_ERR_RUNTIME, e.what());                  \
    return MXL_ERR_RUNTIME;                                                  \
  }                                                                          \
  catch (...) {                                                              \
    ::mxl::capi::set_last_error(MXL_ERR_RUNTIME, "unknown C++ exception");   \
    return MXL_ERR_RUNTIME;                                                  \
  }                                                                          \
  return MXL_OK;
