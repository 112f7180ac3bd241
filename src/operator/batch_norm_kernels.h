// BatchNorm's own CPU loops (every float dtype; oneDNN covers float32 where
// it is faster, see dnnl_norm_batch.cc).
//
// The data is seen as (outer, C, inner) around the channel axis; statistics
// are per channel over the outer * inner elements.  Two layouts of work:
//   blocks   inner is long (NCHW images): each (o, c) block is a contiguous
//            run.  A block's mean and squared deviations are computed in two
//            passes while it sits in cache, and the blocks of a channel are
//            combined with the exact pairwise formula (Chan et al.), so the
//            data is read from memory once for the statistics.
//   columns  inner is short ((N, C) after a dense layer, channel-last): rows
//            of width C * inner are accumulated column-wise into per-thread
//            buffers, vectorized across columns.
// P is the parameter / statistics type: float for float16 data.
#pragma once
#include <omp.h>

#include <algorithm>
#include <vector>

#include "common/parallel.h"
#include "operator/norm_common.h"

namespace mxl {
namespace bn {

using norm::Split3;

// Inner extents below this use the column layout.
constexpr int64_t kMinBlock = 32;

// Per-channel sums over the column layout: acc[c] += f(row values) for every
// row, returned folded over inner.  f(x_row, w, buf) adds into buf[0, w).
template <typename A, typename F>
void column_reduce(int64_t rows, int64_t width, int64_t inner, A* per_channel, F&& f) {
  const int nt = std::max(1, omp_get_max_threads());
  std::vector<A> bufs(static_cast<size_t>(nt) * width, A(0));
  const int used = norm::parallel_chunks(rows, width, [&](int t, int64_t b, int64_t e) {
    A* buf = bufs.data() + static_cast<size_t>(t) * width;
    for (int64_t r = b; r < e; ++r) f(r, buf);
  });
  const int64_t C = width / inner;
  for (int64_t c = 0; c < C; ++c) {
    A s = 0;
    for (int t = 0; t < used; ++t)
      for (int64_t i = 0; i < inner; ++i) s += bufs[static_cast<size_t>(t) * width + c * inner + i];
    per_channel[c] = s;
  }
}

// Batch mean and biased variance per channel (MXNet divides by the element
// count, with no Bessel correction, for both the output and the moving
// variance).
template <typename DT, typename P>
void batch_stats(const DT* x, const Split3& s, P* mean, P* var) {
  using A = norm::acc_t<DT>;
  const int64_t C = s.mid, M = s.outer * s.inner;
  if (M == 0) {
    std::fill(mean, mean + C, P(0));
    std::fill(var, var + C, P(0));
    return;
  }
  if (s.inner >= kMinBlock) {
    const int64_t nb = s.outer * C;
    std::vector<A> bmean(nb), bm2(nb);
    parallel_for(
        nb,
        [&](int64_t b0, int64_t b1) {
          for (int64_t b = b0; b < b1; ++b) {
            const DT* run = x + b * s.inner;
            const A m = norm::run_sum(run, s.inner) / static_cast<A>(s.inner);
            bmean[b] = m;
            bm2[b] = norm::run_sqdev(run, s.inner, m);
          }
        },
        s.inner * 2);
    for (int64_t c = 0; c < C; ++c) {
      A m = 0;
      for (int64_t o = 0; o < s.outer; ++o) m += bmean[o * C + c];
      m /= static_cast<A>(s.outer);
      A m2 = 0, spread = 0;
      for (int64_t o = 0; o < s.outer; ++o) {
        const A d = bmean[o * C + c] - m;
        m2 += bm2[o * C + c];
        spread += d * d;
      }
      mean[c] = static_cast<P>(m);
      var[c] = static_cast<P>((m2 + spread * static_cast<A>(s.inner)) / static_cast<A>(M));
    }
    return;
  }
  const int64_t W = C * s.inner;
  std::vector<A> sums(C), col_mean(W);
  column_reduce<A>(s.outer, W, s.inner, sums.data(), [&](int64_t r, A* buf) {
    const DT* row = x + r * W;
#pragma omp simd
    for (int64_t j = 0; j < W; ++j) buf[j] += static_cast<A>(row[j]);
  });
  for (int64_t j = 0; j < W; ++j) col_mean[j] = sums[j / s.inner] / static_cast<A>(M);
  column_reduce<A>(s.outer, W, s.inner, sums.data(), [&](int64_t r, A* buf) {
    const DT* row = x + r * W;
    const A* cm = col_mean.data();
#pragma omp simd
    for (int64_t j = 0; j < W; ++j) {
      const A d = static_cast<A>(row[j]) - cm[j];
      buf[j] += d * d;
    }
  });
  for (int64_t c = 0; c < C; ++c) {
    mean[c] = static_cast<P>(col_mean[c * s.inner]);
    var[c] = static_cast<P>(sums[c] / static_cast<A>(M));
  }
}

// y = x * scale[c] + shift[c].
template <typename DT, typename P>
void apply_affine(const DT* x, DT* y, const Split3& s, const P* scale, const P* shift) {
  using A = norm::acc_t<DT>;
  const int64_t C = s.mid;
  if (s.inner >= kMinBlock) {
    parallel_for(s.outer * C, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        const int64_t c = b % C;
        norm::run_affine(x + b * s.inner, y + b * s.inner, s.inner, static_cast<A>(scale[c]),
                         static_cast<A>(shift[c]));
      }
    }, s.inner);
    return;
  }
  const int64_t W = C * s.inner;
  std::vector<A> a(W), b(W);
  for (int64_t j = 0; j < W; ++j) {
    a[j] = static_cast<A>(scale[j / s.inner]);
    b[j] = static_cast<A>(shift[j / s.inner]);
  }
  parallel_for(s.outer, [&](int64_t r0, int64_t r1) {
    const A* pa = a.data();
    const A* pb = b.data();
    for (int64_t r = r0; r < r1; ++r) {
      const DT* xr = x + r * W;
      DT* yr = y + r * W;
#pragma omp simd
      for (int64_t j = 0; j < W; ++j) yr[j] = static_cast<DT>(static_cast<A>(xr[j]) * pa[j] + pb[j]);
    }
  }, W);
}

// Per channel: sum of dy and of dy * (x - mean[c]).
template <typename DT, typename P>
void grad_sums(const DT* dy, const DT* x, const Split3& s, const P* mean,
               std::vector<norm::acc_t<DT>>* sdy, std::vector<norm::acc_t<DT>>* sdyx) {
  using A = norm::acc_t<DT>;
  const int64_t C = s.mid;
  sdy->assign(C, A(0));
  sdyx->assign(C, A(0));
  if (s.inner >= kMinBlock) {
    const int64_t nb = s.outer * C;
    std::vector<A> b1(nb), b2(nb);
    parallel_for(nb, [&](int64_t lo, int64_t hi) {
      for (int64_t b = lo; b < hi; ++b)
        norm::run_grad_sums(dy + b * s.inner, x + b * s.inner, s.inner,
                            static_cast<A>(mean[b % C]), &b1[b], &b2[b]);
    }, s.inner * 2);
    for (int64_t b = 0; b < nb; ++b) {
      (*sdy)[b % C] += b1[b];
      (*sdyx)[b % C] += b2[b];
    }
    return;
  }
  const int64_t W = C * s.inner;
  std::vector<A> col_mean(W);
  for (int64_t j = 0; j < W; ++j) col_mean[j] = static_cast<A>(mean[j / s.inner]);
  column_reduce<A>(s.outer, W, s.inner, sdy->data(), [&](int64_t r, A* buf) {
    const DT* g = dy + r * W;
#pragma omp simd
    for (int64_t j = 0; j < W; ++j) buf[j] += static_cast<A>(g[j]);
  });
  column_reduce<A>(s.outer, W, s.inner, sdyx->data(), [&](int64_t r, A* buf) {
    const DT* g = dy + r * W;
    const DT* xr = x + r * W;
    const A* cm = col_mean.data();
#pragma omp simd
    for (int64_t j = 0; j < W; ++j) buf[j] += static_cast<A>(g[j]) * (static_cast<A>(xr[j]) - cm[j]);
  });
}

// dx = dy * a[c] + x * b[c] + d[c].
template <typename DT, typename A>
void apply_affine2(const DT* dy, const DT* x, DT* dx, const Split3& s, const A* a, const A* b,
                   const A* d) {
  const int64_t C = s.mid;
  if (s.inner >= kMinBlock) {
    parallel_for(s.outer * C, [&](int64_t b0, int64_t b1) {
      for (int64_t blk = b0; blk < b1; ++blk) {
        const int64_t c = blk % C, off = blk * s.inner;
        norm::run_affine2(dy + off, x + off, dx + off, s.inner, a[c], b[c], d[c]);
      }
    }, s.inner * 2);
    return;
  }
  const int64_t W = C * s.inner;
  std::vector<A> ca(W), cb(W), cd(W);
  for (int64_t j = 0; j < W; ++j) {
    ca[j] = a[j / s.inner];
    cb[j] = b[j / s.inner];
    cd[j] = d[j / s.inner];
  }
  parallel_for(s.outer, [&](int64_t r0, int64_t r1) {
    const A *pa = ca.data(), *pb = cb.data(), *pd = cd.data();
    for (int64_t r = r0; r < r1; ++r) {
      const DT* g = dy + r * W;
      const DT* xr = x + r * W;
      DT* out = dx + r * W;
#pragma omp simd
      for (int64_t j = 0; j < W; ++j)
        out[j] = static_cast<DT>(static_cast<A>(g[j]) * pa[j] + static_cast<A>(xr[j]) * pb[j] + pd[j]);
    }
  }, W * 2);
}

// The whole backward: gradients of data, gamma and beta given the statistics
// the forward normalized with (mean, inverse std).  batch_stats: the mean and
// variance were the batch's own (so they depend on x); otherwise they were the
// moving statistics, constants.  fix_gamma: gamma was taken as 1 and gets no
// gradient.
template <typename DT, typename P>
void backward(const DT* dy, const DT* x, const Split3& s, const P* mean, const P* invstd,
              const P* gamma, bool fix_gamma, bool batch_stats_used, DT* dx, P* dgamma,
              P* dbeta) {
  using A = norm::acc_t<DT>;
  const int64_t C = s.mid;
  const A M = static_cast<A>(s.outer * s.inner);
  std::vector<A> sdy, sdyx;
  grad_sums(dy, x, s, mean, &sdy, &sdyx);
  std::vector<A> a(C), b(C), d(C);
  for (int64_t c = 0; c < C; ++c) {
    const A r = static_cast<A>(invstd[c]);
    const A g = fix_gamma ? A(1) : static_cast<A>(gamma[c]);
    a[c] = g * r;
    if (batch_stats_used && M > 0) {
      b[c] = -g * r * r * r * sdyx[c] / M;  // sdyx is taken around the mean, unscaled
      d[c] = -g * r * sdy[c] / M - b[c] * static_cast<A>(mean[c]);
    } else {
      b[c] = 0;
      d[c] = 0;
    }
    dgamma[c] = fix_gamma ? P(0) : static_cast<P>(sdyx[c] * r);
    dbeta[c] = static_cast<P>(sdy[c]);
  }
  apply_affine2(dy, x, dx, s, a.data(), b.data(), d.data());
}

}  // namespace bn
}  // namespace mxl
