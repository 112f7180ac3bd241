// Convolution by im2col + GEMM (OpenBLAS), for float and double: the
// float64 path of Convolution/Deconvolution (oneDNN has no f64) and a
// reference the oneDNN path is tested against.
//
// Per image n: col = im2col(x[n]) of shape (C*K, OS) (K kernel taps, OS
// output positions), then per group g
//   forward:          y[n, g]  = w[g] (OCg x Cg*K) . col[g]          (+ bias)
//   data gradient:    col[g]   = w[g]^T . dy[n, g];  dx[n] = col2im(col)
//   weight gradient:  dw[g]   += dy[n, g] . col[g]^T
// Images run one after another and BLAS threads each product; im2col and
// col2im are parallel over rows / channels.
#pragma once
#include "operator/conv_kernels.h"

namespace mxl {

template <typename T>
void im2col_conv_forward(const ConvGeom& g, const T* x, const T* w, const T* b, T* y);
template <typename T>
void im2col_conv_backward_data(const ConvGeom& g, const T* dy, const T* w, T* dx);
template <typename T>
void im2col_conv_backward_weights(const ConvGeom& g, const T* x, const T* dy, T* dw, T* db);

}  // namespace mxl
