// Helpers shared by the shape, slicing and indexing operators.
//
// Most of these ops only move elements around, so their kernels are written
// once per element *size* (1, 2, 4 or 8 bytes) rather than per dtype: a
// float32 and an int32 transpose are the same kernel.  The workhorse is
// strided_copy, which copies an N-d box between two strided layouts; slice,
// reverse, tile, repeat, transpose and slice assignment are all that one
// routine with different strides.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "autograd/gradient.h"
#include "common/dtype.h"
#include "common/error.h"
#include "common/shape.h"
#include "operator/params.h"
#include "operator/registry.h"

namespace mxl {
namespace shape_ops {

// Calls f(T{}) with an unsigned integer type of the given byte size, so a
// kernel can move elements of any dtype with plain loads and stores.
template <typename F>
void with_elem_type(int size, F&& f) {
  switch (size) {
    case 1: f(uint8_t{}); break;
    case 2: f(uint16_t{}); break;
    case 4: f(uint32_t{}); break;
    case 8: f(uint64_t{}); break;
    default: throw_error(MXL_ERR_NOT_IMPLEMENTED, "internal: element size ", size, " not supported");
  }
}

// Maps a possibly negative axis into [0, ndim); throws Error(INDEX) naming
// the op and the argument.
int normalize_axis(int64_t axis, int ndim, const char* op, const char* arg);

// The axis for inserting a new dimension (expand_dims, stack): [-ndim-1, ndim].
int normalize_insert_axis(int64_t axis, int ndim, const char* op, const char* arg);

// C-order strides (in elements) of a shape.
void contiguous_strides(const Shape& shape, int64_t* strides);

// Shape inference for ops whose output has the input's shape (both ways).
void infer_same_shape(const Params&, std::vector<Shape>* in, std::vector<Shape>* out);

// Kernel that copies input 0 to output 0 unchanged (reshape-like ops, _copy).
void copy_forward(const OpContext&, const Params&, const std::vector<TBlob>& in,
                  const std::vector<TBlob>& out);

inline bool all_known(const std::vector<Shape>& shapes) {
  for (const auto& s : shapes)
    if (!s.known()) return false;
  return true;
}

// An N-d box of elements addressed by a destination and a source stride per
// dimension (in elements; negative and zero strides are fine: reversal,
// broadcast).  ndim may be up to 2 * kMaxNdim (tile splits every axis in two).
struct StridedBox {
  static constexpr int kCap = 2 * kMaxNdim;
  int ndim = 0;
  bool empty = false;  // some extent is 0: nothing to copy
  int64_t ext[kCap], dst_stride[kCap], src_stride[kCap];
};

// The same box with extent-1 dimensions dropped and neighbours that are
// contiguous in both layouts fused, so copies see the longest runs.
StridedBox simplify_box(const int64_t* extents, const int64_t* dst_strides,
                        const int64_t* src_strides, int ndim);

// Copies a (simplified) box from src to dst: contiguous runs become memcpy,
// other runs tight loops.  Parallel above the usual threshold.
void strided_copy(int elem_size, void* dst, const void* src, const StridedBox& box);

inline void strided_copy(int elem_size, void* dst, const int64_t* dst_strides, const void* src,
                         const int64_t* src_strides, const int64_t* extents, int ndim) {
  strided_copy(elem_size, dst, src, simplify_box(extents, dst_strides, src_strides, ndim));
}

// "(0, 3)": a parameter tuple for error messages (params may hold more
// entries than a Shape can).
std::string tuple_str(const std::vector<int64_t>& v);

// memcpy, split across threads when large enough to pay for it.  A no-op
// when dst == src (an output written in place over its input).
void parallel_memcpy(void* dst, const void* src, int64_t bytes);

// Zeroes `bytes` bytes (all-zero bytes are 0 in every dtype), split across
// threads when large enough to pay for it.
void parallel_zero(void* dst, int64_t bytes);

// A Python-style slice along one axis, clamped as NumPy does.
struct AxisSlice {
  int64_t begin = 0, step = 1, length = 0;
};
// Python's slice(begin, end, step).indices(n): kNoneDim entries take the
// default for the step's direction.  step must be nonzero.
AxisSlice resolve_axis_slice(int64_t n, int64_t begin, int64_t end, int64_t step);

// Resolves the begin/end/step params of slice-like ops against `shape` (the
// params may cover fewer axes than the array has; the rest are taken whole).
// Throws Error(VALUE) naming the op for a zero step or too many axes.
void resolve_slice(const char* op, const Shape& shape, const std::vector<int64_t>& begin,
                   const std::vector<int64_t>& end, const std::vector<int64_t>& step,
                   AxisSlice* out);

// A run-time sized array that lives on the stack up to N elements, so the
// small index lists and input lists of tiny ops do not touch the heap.
template <typename T, int64_t N = 16>
class SmallBuffer {
 public:
  explicit SmallBuffer(int64_t n) {
    if (n > N) heap_.resize(n);
    data_ = n > N ? heap_.data() : inline_;
  }
  SmallBuffer(const SmallBuffer&) = delete;
  SmallBuffer& operator=(const SmallBuffer&) = delete;
  T* data() { return data_; }
  T& operator[](int64_t i) { return data_[i]; }

 private:
  T inline_[N];
  std::vector<T> heap_;
  T* data_;
};

// double -> element type the way a scalar parameter is stored into an array:
// NaN/inf become 0 for integers, finite values saturate, the rest truncate.
template <typename T>
T cast_scalar(double v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != 0.0;
  } else if constexpr (std::is_same_v<T, half_t>) {
    return half_t(static_cast<float>(v));
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v);
  } else {
    if (!std::isfinite(v)) return T(0);
    if (v <= static_cast<double>(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
    if (v >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  }
}

// An index array element as int64: float indices truncate toward zero (as in
// MXNet); NaN and huge values map to values far out of any range instead of
// undefined behaviour.
template <typename T>
inline int64_t index_value(T v) {
  if constexpr (std::is_same_v<T, half_t>) {
    return index_value(static_cast<float>(v));
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!(v == v)) return std::numeric_limits<int64_t>::min() / 2;
    if (v >= T(4.6e18)) return std::numeric_limits<int64_t>::max() / 2;
    if (v <= T(-4.6e18)) return std::numeric_limits<int64_t>::min() / 2;
    return static_cast<int64_t>(v);
  } else {
    return static_cast<int64_t>(v);
  }
}

// ---------------------------------------------------------------------------
// Gradient helpers.  Gradients of the ops here are written with other
// registered ops (autograd/gradient.h) so they can be differentiated again.
// ---------------------------------------------------------------------------

// "True"/"False": a bool attribute in MXNet's text form.
inline const char* bool_attr(bool v) { return v ? "True" : "False"; }

// `g` reshaped to the shape of `like` (same element count).  Returns g itself
// when the shapes already agree, and zeros_like(like) when like is empty,
// where a Reshape attribute could not say "0" (it means "copy").
GradValue reshape_like(GradBuilder& b, GradValue g, GradValue like);

// `g` reshaped to `shape` (same element count, no zero extents).
GradValue reshape_to(GradBuilder& b, GradValue g, const Shape& shape);

}  // namespace shape_ops
}  // namespace mxl
