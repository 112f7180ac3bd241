// Matrix products for the neural-network layers (FullyConnected and its
// gradient), picking the fastest backend per dtype.
//
// float32 goes to oneDNN's matmul primitive: on this class of machine
// (AVX-512) its brgemm kernels ran the MLP's layer shapes (batch 128, 784 and
// 512 features) 1.2-1.4x faster than OpenBLAS 0.3.21's sgemm.  Building a
// primitive costs far more than running one, so primitives are cached per
// thread by shape.  float64 uses OpenBLAS dgemm; float16 is widened to
// float32 (accumulating in float) and rounded back.
#pragma once
#include <cstdint>

#include "common/dtype.h"

namespace mxl {
namespace nn {

// C (M x N, row-major, leading dimension N) = op(A) op(B) [+ bias], where A
// is stored (M x K), or (K x M) when ta; B is stored (K x N), or (N x K) when
// tb; bias (length N, may be null) is added to every row.  All pointers have
// element type `dtype` (float32, float64 or float16).  K == 0 gives bias (or
// zeros).
void gemm(DType dtype, bool ta, bool tb, int64_t M, int64_t N, int64_t K, const void* A,
          const void* B, void* C, const void* bias);

// out[n] = sum over rows m of X[m, n] for an M x N row-major matrix (a bias
// gradient), accumulating in double for float64 and float otherwise.
void column_sums(DType dtype, int64_t M, int64_t N, const void* X, void* out);

}  // namespace nn
}  // namespace mxl
