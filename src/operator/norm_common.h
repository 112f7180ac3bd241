// Building blocks shared by the normalization operators (BatchNorm,
// LayerNorm, InstanceNorm, GroupNorm, L2Normalization).
//
// Every one of them sees its input as (outer, mid, inner) around one axis and
// reduces over some of those; the helpers here are the contiguous-run
// reductions they are made of.  Statistics are two-pass (mean first, then squared deviations
// around it) so data with a large offset keeps its precision.
#pragma once
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "common/dtype.h"
#include "common/error.h"
#include "common/parallel.h"
#include "common/shape.h"
#include "operator/registry.h"

namespace mxl {
namespace norm {

// Arithmetic type: float for float16, the type itself otherwise.
template <typename DT>
using acc_t = typename AccType<DT>::type;

// A shape seen as (outer, mid, inner) around `axis`.
struct Split3 {
  int64_t outer = 1, mid = 1, inner = 1;
};
inline Split3 split_at(const Shape& s, int axis) {
  return Split3{s.prod(0, axis), s[axis], s.prod(axis + 1, s.ndim())};
}

// Runs fn(chunk, begin, end) over [0, n) split into contiguous chunks, one per
// thread (serially as chunk 0 below the work threshold); returns the number
// of chunks, so callers can give each its own accumulator slot.  Slots never
// exceed omp_get_max_threads().
template <typename F>
int parallel_chunks(int64_t n, int64_t cost_per_item, F&& fn) {
  const int nt = omp_get_max_threads();
  const int chunks = (n * cost_per_item < kParallelGrain || nt <= 1 || omp_in_parallel())
                         ? 1 : static_cast<int>(std::min<int64_t>(nt, n));
  if (chunks == 1) {
    fn(0, int64_t(0), n);
    return 1;
  }
#pragma omp parallel num_threads(chunks)
  {
    // The runtime may grant fewer threads than asked: loop over the chunks.
    const int64_t per = (n + chunks - 1) / chunks;
    for (int t = omp_get_thread_num(); t < chunks; t += omp_get_num_threads()) {
      const int64_t b = std::min(n, t * per), e = std::min(n, b + per);
      fn(t, b, e);
    }
  }
  return chunks;
}

// The reductions keep kLanes independent partial sums: one vector
// accumulator would make every add wait for the previous one (a latency
// chain); several let the adds overlap.  GCC vectorizes the fixed-width
// inner loops for whatever ISA the function is compiled for.
constexpr int kLanes = 16;

template <typename DT, typename A = acc_t<DT>>
inline A run_sum(const DT* x, int64_t n) {
  A part[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) part[j] += static_cast<A>(x[i + j]);
  A s = 0;
  for (; i < n; ++i) s += static_cast<A>(x[i]);
  for (int j = 0; j < kLanes; ++j) s += part[j];
  return s;
}

// Sum of (x - m)^2.
template <typename DT, typename A = acc_t<DT>>
inline A run_sqdev(const DT* x, int64_t n, A m) {
  A part[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) {
      const A d = static_cast<A>(x[i + j]) - m;
      part[j] += d * d;
    }
  A s = 0;
  for (; i < n; ++i) {
    const A d = static_cast<A>(x[i]) - m;
    s += d * d;
  }
  for (int j = 0; j < kLanes; ++j) s += part[j];
  return s;
}

// Sum of dy and of dy * (x - m).  Two sums per element do not vectorize
// well as lane arrays (GCC falls back to scalar code); an OpenMP simd
// reduction over the two halves of the run at once gives four independent
// accumulator chains instead.
template <typename DT, typename A = acc_t<DT>>
inline void run_grad_sums(const DT* dy, const DT* x, int64_t n, A m, A* sdy, A* sdyx) {
  const int64_t h = n / 2;
  const DT *dy2 = dy + h, *x2 = x + h;
  A s1 = 0, s2 = 0, t1 = 0, t2 = 0;
#pragma omp simd reduction(+ : s1, s2, t1, t2)
  for (int64_t i = 0; i < h; ++i) {
    const A g = static_cast<A>(dy[i]), g2 = static_cast<A>(dy2[i]);
    s1 += g;
    s2 += g * (static_cast<A>(x[i]) - m);
    t1 += g2;
    t2 += g2 * (static_cast<A>(x2[i]) - m);
  }
  for (int64_t i = 2 * h; i < n; ++i) {
    const A g = static_cast<A>(dy[i]);
    s1 += g;
    s2 += g * (static_cast<A>(x[i]) - m);
  }
  *sdy = s1 + t1;
  *sdyx = s2 + t2;
}

// y = x * a + b over a run (the affine step every normalization ends with).
template <typename DT, typename A = acc_t<DT>>
inline void run_affine(const DT* x, DT* y, int64_t n, A a, A b) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<DT>(static_cast<A>(x[i]) * a + b);
}

// dx = dy * a + x * b + c over a run (normalization backward, per channel).
template <typename DT, typename A = acc_t<DT>>
inline void run_affine2(const DT* dy, const DT* x, DT* dx, int64_t n, A a, A b, A c) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i)
    dx[i] = static_cast<DT>(static_cast<A>(dy[i]) * a + static_cast<A>(x[i]) * b + c);
}

// Shape checks shared by the ops' inference functions.

// `s` must be (n,); unknown shapes are filled.
inline void assign_vector_shape(const std::string& op, const char* arg, Shape* s, int64_t n,
                                const char* what) {
  if (!s->known()) {
    *s = Shape{n};
    return;
  }
  MXL_CHECK(s->ndim() == 1 && (*s)[0] == n, MXL_ERR_VALUE, op_error_prefix(op, arg),
            " has shape ", s->str(), " but expected (", n, ",): ", what);
}

// The data dtype must be floating point.
inline void check_float_data(const std::string& op, DType t) {
  MXL_CHECK(is_float(t), MXL_ERR_TYPE, op_error_prefix(op, "data"),
            " has dtype ", dtype_name(t), "; expected float16, float32 or float64");
}

// Every input shares the data's dtype (LayerNorm, GroupNorm, ...).
inline void infer_type_uniform_float(const Params& p, std::vector<DType>* in,
                                     std::vector<DType>* out) {
  const std::string& op = p.op()->name;
  check_float_data(op, (*in)[0]);
  for (size_t i = 1; i < in->size(); ++i)
    MXL_CHECK((*in)[i] == (*in)[0], MXL_ERR_TYPE, op_error_prefix(op, p.op()->input_names[i]),
              " has dtype ", dtype_name((*in)[i]), " but 'data' has dtype ",
              dtype_name((*in)[0]), "; they must match");
  for (auto& o : *out) o = (*in)[0];
}

}  // namespace norm
}  // namespace mxl
