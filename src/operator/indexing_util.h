// Index resolution shared by the indexing ops (indexing.cc) and their
// backward kernels (grad_shape_indexing.cc): index arrays of any dtype become
// validated int64 positions or row offsets once, and the kernels then move
// whole rows.
#pragma once
#include <atomic>

#include "common/parallel.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace index_ops {

using namespace shape_ops;

// Offsets of the selected rows; on the stack for the few indices of tiny ops.
using OffsetBuffer = SmallBuffer<int64_t, 64>;

[[noreturn]] inline void index_out_of_bounds(const char* op, int64_t index, int axis, int64_t size) {
  throw_error(MXL_ERR_INDEX, "Operator ", op, ": argument 'indices' contains index ", index,
              ", out of bounds for axis ", axis, " with size ", size);
}

// The shape of take(a, idx, axis): a.shape[:axis] + idx.shape + a.shape[axis+1:].
inline Shape take_result(const Shape& a, const Shape& idx, int64_t axis_param) {
  const int axis = normalize_axis(axis_param, a.ndim(), "take", "axis");
  MXL_CHECK(a.ndim() - 1 + idx.ndim() <= kMaxNdim, MXL_ERR_VALUE, "Operator take: the output would have ",
            a.ndim() - 1 + idx.ndim(), " dimensions; at most ", kMaxNdim, " are supported");
  MXL_CHECK(a[axis] > 0 || idx.numel() == 0, MXL_ERR_INDEX,
            "Operator take: cannot take non-empty 'indices' from axis ", axis,
            " of size 0 (argument 'a' has shape ", a.str(), ")");
  Shape o;
  for (int k = 0; k < axis; ++k) o.push_back(a[k]);
  for (int k = 0; k < idx.ndim(); ++k) o.push_back(idx[k]);
  for (int k = axis + 1; k < a.ndim(); ++k) o.push_back(a[k]);
  return o;
}

enum class TakeMode { kClip, kWrap, kRaise };

// Converts indices to positions in [0, n): clip clamps, wrap takes Python's
// modulo, raise accepts [-n, n) and reports anything else.
template <typename IT>
void take_positions(const IT* idx, int64_t k, int64_t n, TakeMode mode, int axis, int64_t* pos) {
  std::atomic<bool> bad{false};
  parallel_for(k, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      int64_t j = index_value(idx[i]);
      if (mode == TakeMode::kClip) {
        j = j < 0 ? 0 : (j >= n ? n - 1 : j);
      } else if (mode == TakeMode::kWrap) {
        j %= n;
        if (j < 0) j += n;
      } else {
        if (j < -n || j >= n) {
          bad.store(true, std::memory_order_relaxed);
          j = 0;
        } else if (j < 0) {
          j += n;
        }
      }
      pos[i] = j;
    }
  });
  if (!bad.load()) return;
  for (int64_t i = 0; i < k; ++i) {  // report the first offender
    const int64_t j = index_value(idx[i]);
    if (j < -n || j >= n) index_out_of_bounds("take", j, axis, n);
  }
}

// indices (M, Y...) over data (X0, ..., X{N-1}) select rows of the data
// viewed as (X0 * ... * X{M-1}, X{M} * ... ): the result has shape
// (Y..., X{M}, ...).
inline Shape gather_nd_result(const char* op, const Shape& data, const Shape& idx) {
  MXL_CHECK(idx.ndim() >= 1, MXL_ERR_VALUE, "Operator ", op,
            ": argument 'indices' must have at least 1 dimension (its first axis indexes the "
            "data's axes), got shape ", idx.str());
  const int64_t m = idx[0];
  MXL_CHECK(m <= data.ndim(), MXL_ERR_VALUE, "Operator ", op, ": argument 'indices' of shape ",
            idx.str(), " indexes ", m, " axes but the data of shape ", data.str(), " has only ",
            data.ndim());
  MXL_CHECK(idx.ndim() - 1 + data.ndim() - m <= kMaxNdim, MXL_ERR_VALUE, "Operator ", op,
            ": the result would have more than ", kMaxNdim, " dimensions");
  Shape o;
  for (int k = 1; k < idx.ndim(); ++k) o.push_back(idx[k]);
  for (int k = static_cast<int>(m); k < data.ndim(); ++k) o.push_back(data[k]);
  return o;
}

// Row numbers (in units of the trailing `inner` block) that the index
// tuples select; negative indices count from the end.
template <typename IT>
void nd_offsets(const char* op, const Shape& data, const IT* idx, int m, int64_t count,
                int64_t* offsets) {
  int64_t stride[kMaxNdim], s = 1;
  for (int a = m - 1; a >= 0; --a) {
    stride[a] = s;
    s *= data[a];
  }
  std::atomic<bool> bad{false};
  parallel_for(
      count,
      [&](int64_t b, int64_t e) {
        for (int64_t y = b; y < e; ++y) {
          int64_t off = 0;
          for (int a = 0; a < m; ++a) {
            int64_t j = index_value(idx[a * count + y]);
            if (j < 0) j += data[a];
            if (j < 0 || j >= data[a]) {
              bad.store(true, std::memory_order_relaxed);
              j = 0;
            }
            off += j * stride[a];
          }
          offsets[y] = off;
        }
      },
      m);
  if (!bad.load()) return;
  for (int64_t y = 0; y < count; ++y)
    for (int a = 0; a < m; ++a) {
      const int64_t j = index_value(idx[a * count + y]);
      if (j < -data[a] || j >= data[a]) index_out_of_bounds(op, j, a, data[a]);
    }
}

struct NdPlan {
  int m;
  int64_t count, inner;
};
inline NdPlan nd_plan(const Shape& data, const Shape& idx) {
  const int m = static_cast<int>(idx[0]);
  return NdPlan{m, idx.prod(1, idx.ndim()), data.prod(m, data.ndim())};
}

}  // namespace index_ops
}  // namespace mxl
