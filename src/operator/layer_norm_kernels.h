// LayerNorm's own CPU loops (every float dtype; oneDNN covers float32 rows
// where it is faster, see dnnl_norm_layer.cc).
//
// The data is (outer, C, inner) around the normalized axis; statistics are
// per (outer, inner) position over the C entries, gamma and beta per C entry.
//   rows     inner == 1 (axis=-1, the usual case): each row of C is
//            normalized while it sits in cache.
//   strided  inner > 1: a tile of up to kTile positions is processed at a
//            time, with statistics vectorized across the positions.
// mean and std (sqrt(var + eps)) have one entry per (outer, inner) position.
#pragma once
#include <algorithm>
#include <vector>

#include "operator/norm_common.h"

namespace mxl {
namespace ln {

using norm::Split3;

constexpr int64_t kTile = 256;

template <typename DT>
void forward_rows(const DT* x, DT* y, int64_t rows, int64_t C, const DT* gamma, const DT* beta,
                  double eps, DT* mean, DT* std_out) {
  using A = norm::acc_t<DT>;
  std::vector<A> g(C), b(C);
  for (int64_t c = 0; c < C; ++c) g[c] = static_cast<A>(gamma[c]), b[c] = static_cast<A>(beta[c]);
  parallel_for(rows, [&](int64_t r0, int64_t r1) {
    const A* pg = g.data();
    const A* pb = b.data();
    for (int64_t r = r0; r < r1; ++r) {
      const DT* xr = x + r * C;
      DT* yr = y + r * C;
      const A m = C ? norm::run_sum(xr, C) / static_cast<A>(C) : A(0);
      const A v = C ? norm::run_sqdev(xr, C, m) / static_cast<A>(C) : A(0);
      const A sd = std::sqrt(v + static_cast<A>(eps)), inv = A(1) / sd;
      norm::run_normalize_cols(xr, yr, C, m, inv, pg, pb);
      mean[r] = static_cast<DT>(m);
      std_out[r] = static_cast<DT>(sd);
    }
  }, C * 3);
}

// dgamma / dbeta are column sums over rows: each chunk of rows accumulates
// its own, folded at the end.
template <typename DT>
void backward_rows(const DT* dy, const DT* x, int64_t rows, int64_t C, const DT* gamma,
                   const DT* mean, const DT* std_in, DT* dx, DT* dgamma, DT* dbeta) {
  using A = norm::acc_t<DT>;
  const int nt = std::max(1, omp_get_max_threads());
  std::vector<A> g(C), acc(static_cast<size_t>(nt) * 2 * C, A(0));
  for (int64_t c = 0; c < C; ++c) g[c] = static_cast<A>(gamma[c]);
  const int used = norm::parallel_chunks(rows, C * 4, [&](int t, int64_t r0, int64_t r1) {
    A* ag = acc.data() + static_cast<size_t>(t) * 2 * C;
    A* ab = ag + C;
    const A* pg = g.data();
    for (int64_t r = r0; r < r1; ++r) {
      const DT* xr = x + r * C;
      const DT* gr = dy + r * C;
      DT* out = dx + r * C;
      const A m = static_cast<A>(mean[r]), inv = A(1) / static_cast<A>(std_in[r]);
      norm::run_ln_row_backward(gr, xr, out, C, m, inv, pg, ag, ab);
    }
  });
  for (int64_t c = 0; c < C; ++c) {
    A sg = 0, sb = 0;
    for (int t = 0; t < used; ++t) {
      sg += acc[static_cast<size_t>(t) * 2 * C + c];
      sb += acc[static_cast<size_t>(t) * 2 * C + C + c];
    }
    dgamma[c] = static_cast<DT>(sg);
    dbeta[c] = static_cast<DT>(sb);
  }
}

// Tiles of the strided layout: (outer, tile start, tile length).
inline int64_t num_tiles(const Split3& s) { return s.outer * ((s.inner + kTile - 1) / kTile); }

template <typename DT>
void forward_strided(const DT* x, DT* y, const Split3& s, const DT* gamma, const DT* beta,
                     double eps, DT* mean, DT* std_out) {
  using A = norm::acc_t<DT>;
  const int64_t C = s.mid, per_outer = (s.inner + kTile - 1) / kTile;
  parallel_for(num_tiles(s), [&](int64_t t0, int64_t t1) {
    A m[kTile], r[kTile];
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t o = t / per_outer, i0 = (t % per_outer) * kTile;
      const int64_t n = std::min(kTile, s.inner - i0);
      const DT* base = x + o * C * s.inner + i0;
      std::fill(m, m + n, A(0));
      std::fill(r, r + n, A(0));
      for (int64_t c = 0; c < C; ++c) {
        const DT* xc = base + c * s.inner;
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) m[i] += static_cast<A>(xc[i]);
      }
      for (int64_t i = 0; i < n; ++i) m[i] = C ? m[i] / static_cast<A>(C) : A(0);
      for (int64_t c = 0; c < C; ++c) {
        const DT* xc = base + c * s.inner;
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) {
          const A d = static_cast<A>(xc[i]) - m[i];
          r[i] += d * d;
        }
      }
      for (int64_t i = 0; i < n; ++i) {
        const A sd = std::sqrt((C ? r[i] / static_cast<A>(C) : A(0)) + static_cast<A>(eps));
        mean[o * s.inner + i0 + i] = static_cast<DT>(m[i]);
        std_out[o * s.inner + i0 + i] = static_cast<DT>(sd);
        r[i] = A(1) / sd;
      }
      for (int64_t c = 0; c < C; ++c) {
        const DT* xc = base + c * s.inner;
        DT* yc = y + o * C * s.inner + i0 + c * s.inner;
        const A g = static_cast<A>(gamma[c]), b = static_cast<A>(beta[c]);
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) yc[i] = static_cast<DT>((static_cast<A>(xc[i]) - m[i]) * r[i] * g + b);
      }
    }
  }, C * kTile * 3);
}

template <typename DT>
void backward_strided(const DT* dy, const DT* x, const Split3& s, const DT* gamma,
                      const DT* mean, const DT* std_in, DT* dx, DT* dgamma, DT* dbeta) {
  using A = norm::acc_t<DT>;
  const int64_t C = s.mid, per_outer = (s.inner + kTile - 1) / kTile;
  const int nt = std::max(1, omp_get_max_threads());
  std::vector<A> acc(static_cast<size_t>(nt) * 2 * C, A(0));
  const int used = norm::parallel_chunks(num_tiles(s), C * kTile * 4, [&](int ch, int64_t t0, int64_t t1) {
    A* ag = acc.data() + static_cast<size_t>(ch) * 2 * C;
    A* ab = ag + C;
    A m[kTile], r[kTile], s1[kTile], s2[kTile];
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t o = t / per_outer, i0 = (t % per_outer) * kTile;
      const int64_t n = std::min(kTile, s.inner - i0), off = o * C * s.inner + i0;
      for (int64_t i = 0; i < n; ++i) {
        m[i] = static_cast<A>(mean[o * s.inner + i0 + i]);
        r[i] = A(1) / static_cast<A>(std_in[o * s.inner + i0 + i]);
        s1[i] = s2[i] = 0;
      }
      for (int64_t c = 0; c < C; ++c) {
        const DT* xc = x + off + c * s.inner;
        const DT* gc = dy + off + c * s.inner;
        const A g = static_cast<A>(gamma[c]);
        A sg = 0, sb = 0;
#pragma omp simd reduction(+ : sg, sb)
        for (int64_t i = 0; i < n; ++i) {
          const A xh = (static_cast<A>(xc[i]) - m[i]) * r[i], d = static_cast<A>(gc[i]);
          s1[i] += d * g;
          s2[i] += d * g * xh;
          sg += d * xh;
          sb += d;
        }
        ag[c] += sg;
        ab[c] += sb;
      }
      const A invC = C ? A(1) / static_cast<A>(C) : A(0);
      for (int64_t c = 0; c < C; ++c) {
        const DT* xc = x + off + c * s.inner;
        const DT* gc = dy + off + c * s.inner;
        DT* out = dx + off + c * s.inner;
        const A g = static_cast<A>(gamma[c]);
#pragma omp simd
        for (int64_t i = 0; i < n; ++i) {
          const A xh = (static_cast<A>(xc[i]) - m[i]) * r[i];
          out[i] = static_cast<DT>(r[i] * (static_cast<A>(gc[i]) * g - s1[i] * invC - xh * s2[i] * invC));
        }
      }
    }
  });
  for (int64_t c = 0; c < C; ++c) {
    A sg = 0, sb = 0;
    for (int t = 0; t < used; ++t) {
      sg += acc[static_cast<size_t>(t) * 2 * C + c];
      sb += acc[static_cast<size_t>(t) * 2 * C + C + c];
    }
    dgamma[c] = static_cast<DT>(sg);
    dbeta[c] = static_cast<DT>(sb);
  }
}

}  // namespace ln
}  // namespace mxl
