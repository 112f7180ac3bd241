// Shape and stride helpers for NumPy-style broadcasting, shared by the
// broadcasting binary ops and the replicating ops (broadcast_to, ...).
//
// A kernel that reads N inputs broadcast to one C-order output builds a
// BroadcastPlan once per call and then walks the output in contiguous
// segments along its innermost dimension.  Each segment gives every input a
// starting offset and an inner stride of 1 (the input varies along the
// segment) or 0 (the input repeats one element), so kernels run a plain
// vectorizable loop per segment instead of decomposing every index.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>

#include "common/error.h"
#include "common/shape.h"

namespace mxl {

// NumPy broadcast of two shapes, aligned at the trailing dimension: extents
// must agree or one of them must be 1.  Returns false if they cannot be
// broadcast together.  A zero extent broadcasts only against 0 or 1.
inline bool broadcast_shapes(const Shape& a, const Shape& b, Shape* out) {
  const int nd = std::max(a.ndim(), b.ndim());
  Shape result;  // *out may be an unknown shape, which resize() cannot grow
  for (int d = 0; d < nd; ++d) {
    const int da = d - (nd - a.ndim()), db = d - (nd - b.ndim());
    const int64_t ea = da >= 0 ? a[da] : 1, eb = db >= 0 ? b[db] : 1;
    if (ea != eb && ea != 1 && eb != 1) return false;
    result.push_back(ea == 1 ? eb : ea);
  }
  *out = result;
  return true;
}

// True if `in` broadcasts to exactly `out` (NumPy's broadcast_to rule).
inline bool broadcasts_to(const Shape& in, const Shape& out) {
  if (in.ndim() > out.ndim()) return false;
  const int lead = out.ndim() - in.ndim();
  for (int d = 0; d < in.ndim(); ++d)
    if (in[d] != out[lead + d] && in[d] != 1) return false;
  return true;
}

// Maps a possibly negative axis into [0, ndim); throws an IndexError that
// names the op and the argument otherwise.
inline int normalize_axis(const std::string& op, const char* arg, int64_t axis, int ndim) {
  MXL_CHECK(axis >= -ndim && axis < ndim, MXL_ERR_INDEX, "Operator ", op, ": argument '", arg,
            "' = ", axis, " is out of range for an input with ", ndim, " dimension",
            ndim == 1 ? "" : "s", "; expected a value in [", -ndim, ", ", ndim, ")");
  return static_cast<int>(axis < 0 ? axis + ndim : axis);
}

// How N inputs map onto a C-order output.  Output dimensions of extent 1
// are dropped and neighbours that every input traverses contiguously (or
// every input repeats) are merged, so (N, C) + (C,) becomes a 2-d walk
// whatever the original rank, and same-shape operands a 1-d one.
template <int N>
struct BroadcastPlan {
  int ndim = 0;                     // >= 1 after make_broadcast_plan
  int64_t dims[kMaxNdim];           // merged output extents
  int64_t strides[N][kMaxNdim];     // element strides per input; 0 = repeated
};

// `ins` must each broadcast to `out` (checked by shape inference).
template <int N>
BroadcastPlan<N> make_broadcast_plan(const Shape& out, const Shape* const (&ins)[N]) {
  BroadcastPlan<N> plan;
  const int nd = out.ndim();
  // Contiguous strides of each input, right-aligned against the output.
  int64_t full_strides[N][kMaxNdim];
  for (int k = 0; k < N; ++k) {
    const Shape& in = *ins[k];
    const int lead = nd - in.ndim();
    int64_t running = 1;
    for (int d = nd - 1; d >= 0; --d) {
      const int64_t extent = d >= lead ? in[d - lead] : 1;
      full_strides[k][d] = extent == 1 ? 0 : running;
      running *= extent;
    }
  }
  int m = 0;
  for (int d = 0; d < nd; ++d) {
    if (out[d] == 1) continue;
    bool mergeable = m > 0;
    for (int k = 0; k < N && mergeable; ++k)
      mergeable = plan.strides[k][m - 1] == full_strides[k][d] * out[d];
    if (mergeable) {
      plan.dims[m - 1] *= out[d];
      for (int k = 0; k < N; ++k) plan.strides[k][m - 1] = full_strides[k][d];
    } else {
      plan.dims[m] = out[d];
      for (int k = 0; k < N; ++k) plan.strides[k][m] = full_strides[k][d];
      ++m;
    }
  }
  if (m == 0) {  // a single element (or a 0-d output)
    plan.dims[0] = 1;
    for (int k = 0; k < N; ++k) plan.strides[k][0] = 0;
    m = 1;
  }
  plan.ndim = m;
  return plan;
}

// Calls fn(out_offset, in_offsets, length) for the contiguous runs along the
// innermost merged dimension that cover output elements [begin, end).
// in_offsets[k] is where input k's run starts; it advances by
// plan.strides[k][plan.ndim - 1] (0 or 1) per element.  The range form lets
// parallel_for split work anywhere, even inside one long row.  end must not
// exceed the output's element count (so no extent is 0 when end > begin).
template <int N, typename SegmentFn>
void for_each_segment(const BroadcastPlan<N>& plan, int64_t begin, int64_t end, SegmentFn&& fn) {
  if (begin >= end) return;
  const int last = plan.ndim - 1;
  const int64_t inner = plan.dims[last];
  int64_t coord[kMaxNdim];
  int64_t offset[N] = {};
  if (begin == 0) {  // the single-threaded case: skip the divisions
    for (int d = 0; d <= last; ++d) coord[d] = 0;
  } else {
    int64_t rest = begin;
    for (int d = last; d >= 0; --d) {
      coord[d] = rest % plan.dims[d];
      rest /= plan.dims[d];
      for (int k = 0; k < N; ++k) offset[k] += coord[d] * plan.strides[k][d];
    }
  }
  int64_t pos = begin;
  while (true) {
    const int64_t len = std::min(inner - coord[last], end - pos);
    fn(pos, static_cast<const int64_t*>(offset), len);
    pos += len;
    if (pos >= end) return;
    // Only whole-row ends reach here: carry into the outer dimensions.
    for (int k = 0; k < N; ++k) offset[k] -= coord[last] * plan.strides[k][last];
    coord[last] = 0;
    for (int d = last - 1; d >= 0; --d) {
      for (int k = 0; k < N; ++k) offset[k] += plan.strides[k][d];
      if (++coord[d] < plan.dims[d]) break;
      for (int k = 0; k < N; ++k) offset[k] -= coord[d] * plan.strides[k][d];
      coord[d] = 0;
    }
  }
}

}  // namespace mxl
