// Element types.  The ABI speaks DLPack-packed codes (MXL_FLOAT32, ...);
// inside the core a small enum indexes tables and drives kernel dispatch.
#pragma once
#include <cstdint>
#include <string>

#include "common/error.h"
#include "common/float16.h"

namespace mxl {

enum class DType : int8_t { kFloat32, kFloat64, kFloat16, kUInt8, kInt8, kInt32, kInt64, kBool };
constexpr int kNumDTypes = 8;

struct DTypeInfo {
  const char* name;  // NumPy / MXNet name
  int32_t abi_code;  // MXL_* packed DLPack code
  int size;          // bytes per element
  bool is_float;
  int mx_flag;       // MXNet's type flag in .params files and symbol JSON
};

inline const DTypeInfo& dtype_info(DType t) {
  static const DTypeInfo table[kNumDTypes] = {
      {"float32", MXL_FLOAT32, 4, true, 0}, {"float64", MXL_FLOAT64, 8, true, 1},
      {"float16", MXL_FLOAT16, 2, true, 2}, {"uint8", MXL_UINT8, 1, false, 3},
      {"int8", MXL_INT8, 1, false, 5},      {"int32", MXL_INT32, 4, false, 4},
      {"int64", MXL_INT64, 8, false, 6},    {"bool", MXL_BOOL, 1, false, 7},
  };
  return table[static_cast<int>(t)];
}
inline const char* dtype_name(DType t) { return dtype_info(t).name; }
inline int dtype_size(DType t) { return dtype_info(t).size; }
inline bool is_float(DType t) { return dtype_info(t).is_float; }

// Returns false if the code is not one mxlite supports.
inline bool dtype_from_abi(int32_t code, DType* out) {
  for (int i = 0; i < kNumDTypes; ++i)
    if (dtype_info(static_cast<DType>(i)).abi_code == code) {
      *out = static_cast<DType>(i);
      return true;
    }
  return false;
}
inline bool dtype_from_name(const std::string& name, DType* out) {
  for (int i = 0; i < kNumDTypes; ++i)
    if (name == dtype_info(static_cast<DType>(i)).name) {
      *out = static_cast<DType>(i);
      return true;
    }
  return false;
}

template <typename T> struct TypeToDType;
template <> struct TypeToDType<float> { static constexpr DType value = DType::kFloat32; };
template <> struct TypeToDType<double> { static constexpr DType value = DType::kFloat64; };
template <> struct TypeToDType<half_t> { static constexpr DType value = DType::kFloat16; };
template <> struct TypeToDType<uint8_t> { static constexpr DType value = DType::kUInt8; };
template <> struct TypeToDType<int8_t> { static constexpr DType value = DType::kInt8; };
template <> struct TypeToDType<int32_t> { static constexpr DType value = DType::kInt32; };
template <> struct TypeToDType<int64_t> { static constexpr DType value = DType::kInt64; };
template <> struct TypeToDType<bool> { static constexpr DType value = DType::kBool; };

// The type arithmetic is done in: float for half, the type itself otherwise.
template <typename T> struct AccType { using type = T; };
template <> struct AccType<half_t> { using type = float; };

// MXL_TYPE_SWITCH(dtype, DT, { body using DT })  -- every dtype.
#define MXL_TYPE_SWITCH(dtype, DT, ...)                                           \
  switch (dtype) {                                                                \
    case ::mxl::DType::kFloat32: { using DT = float; __VA_ARGS__ } break;         \
    case ::mxl::DType::kFloat64: { using DT = double; __VA_ARGS__ } break;        \
    case ::mxl::DType::kFloat16: { using DT = ::mxl::half_t; __VA_ARGS__ } break; \
    case ::mxl::DType::kUInt8: { using DT = uint8_t; __VA_ARGS__ } break;         \
    case ::mxl::DType::kInt8: { using DT = int8_t; __VA_ARGS__ } break;           \
    case ::mxl::DType::kInt32: { using DT = int32_t; __VA_ARGS__ } break;         \
    case ::mxl::DType::kInt64: { using DT = int64_t; __VA_ARGS__ } break;         \
    case ::mxl::DType::kBool: { using DT = bool; __VA_ARGS__ } break;             \
  }

// Floating types only; others raise TypeError naming the op.
#define MXL_FLOAT_SWITCH(dtype, DT, opname, ...)                                  \
  switch (dtype) {                                                                \
    case ::mxl::DType::kFloat32: { using DT = float; __VA_ARGS__ } break;         \
    case ::mxl::DType::kFloat64: { using DT = double; __VA_ARGS__ } break;        \
    case ::mxl::DType::kFloat16: { using DT = ::mxl::half_t; __VA_ARGS__ } break; \
    default:                                                                      \
      ::mxl::throw_error(MXL_ERR_TYPE, "Operator ", opname,                       \
                         ": expected a floating-point dtype, got ",               \
                         ::mxl::dtype_name(dtype));                               \
  }

}  // namespace mxl
