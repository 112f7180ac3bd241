// The contiguous-run kernels of the normalization ops (declared in
// norm_common.h), compiled for AVX-512, AVX2 and the baseline ISA with
// GCC's target_clones: the loader picks the best version for the CPU.
//
// Reductions keep kLanes independent partial sums: a single vector
// accumulator would make every add wait for the previous one (a latency
// chain).  Two sums per element do not vectorize well as lane arrays (GCC
// falls back to scalar code), so those use an OpenMP simd reduction over the
// two halves of the run at once (four accumulator chains).
#include "common/float16.h"
#include "operator/norm_common.h"

namespace mxl {
namespace norm {

#define MXL_NORM_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

constexpr int kLanes = 32;

template <typename DT>
MXL_NORM_CLONES acc_t<DT> run_sum(const DT* x, int64_t n) {
  using A = acc_t<DT>;
  A part[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) part[j] += static_cast<A>(x[i + j]);
  A s = 0;
  for (; i < n; ++i) s += static_cast<A>(x[i]);
  for (int j = 0; j < kLanes; ++j) s += part[j];
  return s;
}

template <typename DT>
MXL_NORM_CLONES acc_t<DT> run_sqdev(const DT* x, int64_t n, acc_t<DT> m) {
  using A = acc_t<DT>;
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

template <typename DT>
MXL_NORM_CLONES void run_grad_sums(const DT* dy, const DT* x, int64_t n, acc_t<DT> m,
                                   acc_t<DT>* sdy, acc_t<DT>* sdyx) {
  using A = acc_t<DT>;
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

template <typename DT>
MXL_NORM_CLONES void run_affine(const DT* x, DT* y, int64_t n, acc_t<DT> a, acc_t<DT> b) {
  using A = acc_t<DT>;
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<DT>(static_cast<A>(x[i]) * a + b);
}

template <typename DT>
MXL_NORM_CLONES void run_affine2(const DT* dy, const DT* x, DT* dx, int64_t n, acc_t<DT> a,
                                 acc_t<DT> b, acc_t<DT> c) {
  using A = acc_t<DT>;
#pragma omp simd
  for (int64_t i = 0; i < n; ++i)
    dx[i] = static_cast<DT>(static_cast<A>(dy[i]) * a + static_cast<A>(x[i]) * b + c);
}

template <typename DT>
MXL_NORM_CLONES void run_normalize_cols(const DT* x, DT* y, int64_t n, acc_t<DT> m,
                                        acc_t<DT> inv, const acc_t<DT>* g, const acc_t<DT>* b) {
  using A = acc_t<DT>;
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<DT>((static_cast<A>(x[i]) - m) * inv * g[i] + b[i]);
}

template <typename DT>
MXL_NORM_CLONES void run_ln_row_backward(const DT* dy, const DT* x, DT* dx, int64_t n,
                                         acc_t<DT> m, acc_t<DT> inv, const acc_t<DT>* g,
                                         acc_t<DT>* ag, acc_t<DT>* ab) {
  using A = acc_t<DT>;
  A s1 = 0, s2 = 0;
#pragma omp simd reduction(+ : s1, s2)
  for (int64_t i = 0; i < n; ++i) {
    const A xh = (static_cast<A>(x[i]) - m) * inv, d = static_cast<A>(dy[i]);
    const A dxh = d * g[i];
    s1 += dxh;
    s2 += dxh * xh;
    ag[i] += d * xh;
    ab[i] += d;
  }
  const A k1 = n ? s1 / static_cast<A>(n) : A(0), k2 = n ? s2 / static_cast<A>(n) : A(0);
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) {
    const A xh = (static_cast<A>(x[i]) - m) * inv;
    dx[i] = static_cast<DT>(inv * (static_cast<A>(dy[i]) * g[i] - k1 - xh * k2));
  }
}

#define MXL_NORM_INSTANTIATE(DT)                                                              \
  template acc_t<DT> run_sum<DT>(const DT*, int64_t);                                         \
  template acc_t<DT> run_sqdev<DT>(const DT*, int64_t, acc_t<DT>);                            \
  template void run_grad_sums<DT>(const DT*, const DT*, int64_t, acc_t<DT>, acc_t<DT>*,       \
                                  acc_t<DT>*);                                                \
  template void run_affine<DT>(const DT*, DT*, int64_t, acc_t<DT>, acc_t<DT>);                \
  template void run_affine2<DT>(const DT*, const DT*, DT*, int64_t, acc_t<DT>, acc_t<DT>,     \
                                acc_t<DT>);                                                   \
  template void run_normalize_cols<DT>(const DT*, DT*, int64_t, acc_t<DT>, acc_t<DT>,         \
                                       const acc_t<DT>*, const acc_t<DT>*);                   \
  template void run_ln_row_backward<DT>(const DT*, const DT*, DT*, int64_t, acc_t<DT>,        \
                                        acc_t<DT>, const acc_t<DT>*, acc_t<DT>*, acc_t<DT>*);

MXL_NORM_INSTANTIATE(float)
MXL_NORM_INSTANTIATE(double)
MXL_NORM_INSTANTIATE(half_t)

}  // namespace norm
}  // namespace mxl
