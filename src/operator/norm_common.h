// Building blocks shared by the normalization operators (BatchNorm,
// LayerNorm, InstanceNorm, GroupNorm, L2Normalization).
//
// Every one of them sees its input as (outer, mid, inner) around one axis and
// reduces over some of those; the helpers here are the contiguous-run
// kernels they are made of (defined in norm_runs.cc), a chunked parallel loop
// and shared shape / dtype checks.  Statistics are two-pass (mean first, then
// squared deviations around it) so data with a large offset keeps its
// precision.
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

// Contiguous-run kernels, defined in norm_runs.cc for float, double and
// half_t.  They are compiled for several ISAs (AVX-512, AVX2, baseline) and
// picked at load time: the builds are portable (no -march=native) but the
// hot loops still use the machine's vector width.

template <typename DT>
acc_t<DT> run_sum(const DT* x, int64_t n);
// Sum of (x - m)^2.
template <typename DT>
acc_t<DT> run_sqdev(const DT* x, int64_t n, acc_t<DT> m);
// Sum of dy and of dy * (x - m).
template <typename DT>
void run_grad_sums(const DT* dy, const DT* x, int64_t n, acc_t<DT> m, acc_t<DT>* sdy,
                   acc_t<DT>* sdyx);
// y = x * a + b (the affine step every normalization ends with).
template <typename DT>
void run_affine(const DT* x, DT* y, int64_t n, acc_t<DT> a, acc_t<DT> b);
// dx = dy * a + x * b + c (normalization backward, per channel).
template <typename DT>
void run_affine2(const DT* dy, const DT* x, DT* dx, int64_t n, acc_t<DT> a, acc_t<DT> b,
                 acc_t<DT> c);
// LayerNorm's row: y[i] = (x[i] - m) * inv * g[i] + b[i].
template <typename DT>
void run_normalize_cols(const DT* x, DT* y, int64_t n, acc_t<DT> m, acc_t<DT> inv,
                        const acc_t<DT>* g, const acc_t<DT>* b);
// LayerNorm's row backward: dx from dy, and ag[i] += dy * xhat, ab[i] += dy.
template <typename DT>
void run_ln_row_backward(const DT* dy, const DT* x, DT* dx, int64_t n, acc_t<DT> m,
                         acc_t<DT> inv, const acc_t<DT>* g, acc_t<DT>* ag, acc_t<DT>* ab);

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
