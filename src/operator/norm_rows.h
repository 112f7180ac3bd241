// Row normalization with a per-row affine: the kernel behind GroupNorm and
// InstanceNorm.
//
// The data is `rows` contiguous runs of length L.  Row r is normalized by its
// own mean and variance, then scaled and shifted by gamma[r % G], beta[r % G]:
//   GroupNorm     rows = N * num_groups, L = (C / num_groups) * spatial,
//                 G = num_groups (MXNet 1.9's gamma and beta are per group);
//   InstanceNorm  rows = N * C, L = spatial, G = C.
// mean and std (sqrt(var + eps)) get one entry per row.
#pragma once
#include <algorithm>
#include <vector>

#include "common/parallel.h"
#include "operator/norm_common.h"

namespace mxl {
namespace norm {

template <typename DT>
void rows_forward(const DT* x, DT* y, int64_t rows, int64_t L, int64_t G, const DT* gamma,
                  const DT* beta, double eps, DT* mean, DT* std_out) {
  using A = acc_t<DT>;
  parallel_for(rows, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const DT* xr = x + r * L;
      const A m = L ? run_sum(xr, L) / static_cast<A>(L) : A(0);
      const A v = L ? run_sqdev(xr, L, m) / static_cast<A>(L) : A(0);
      const A sd = std::sqrt(v + static_cast<A>(eps));
      const A scale = static_cast<A>(gamma[r % G]) / sd;
      run_affine(xr, y + r * L, L, scale, static_cast<A>(beta[r % G]) - m * scale);
      mean[r] = static_cast<DT>(m);
      std_out[r] = static_cast<DT>(sd);
    }
  }, L * 3);
}

template <typename DT>
void rows_backward(const DT* dy, const DT* x, int64_t rows, int64_t L, int64_t G,
                   const DT* gamma, const DT* mean, const DT* std_in, DT* dx, DT* dgamma,
                   DT* dbeta) {
  using A = acc_t<DT>;
  // Per-row sums land in their own slots, folded per group afterwards, so
  // threads never share an accumulator.
  std::vector<A> row_sdy(rows), row_sdyx(rows);
  parallel_for(rows, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const DT* xr = x + r * L;
      const DT* gr = dy + r * L;
      const A m = static_cast<A>(mean[r]), inv = A(1) / static_cast<A>(std_in[r]);
      A sdy = 0, sdyx = 0;
      run_grad_sums(gr, xr, L, m, &sdy, &sdyx);
      row_sdy[r] = sdy;
      row_sdyx[r] = sdyx * inv;  // sum of dy * xhat
      const A g = static_cast<A>(gamma[r % G]);
      const A invL = L ? A(1) / static_cast<A>(L) : A(0);
      const A a = g * inv;
      const A b = -g * inv * inv * inv * sdyx * invL;
      run_affine2(gr, xr, dx + r * L, L, a, b, -a * sdy * invL - b * m);
    }
  }, L * 4);
  std::vector<A> sg(G, A(0)), sb(G, A(0));
  for (int64_t r = 0; r < rows; ++r) {
    sg[r % G] += row_sdyx[r];
    sb[r % G] += row_sdy[r];
  }
  for (int64_t g = 0; g < G; ++g) {
    dgamma[g] = static_cast<DT>(sg[g]);
    dbeta[g] = static_cast<DT>(sb[g]);
  }
}

}  // namespace norm
}  // namespace mxl
