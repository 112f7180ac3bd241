// float32 convolution on oneDNN: forward, data gradient, weight (and bias)
// gradient for the geometry in operator/conv_kernels.h.
//
// Layouts: the primitives are created with memory::format_tag::any, so oneDNN
// picks its blocked layouts (nChw16c, OIhw16i16o, ...), and user tensors are
// reordered in and out.  Measured on the benchmark shape (32x64x56x56, 64
// 3x3 filters, 2 threads) with plain nchw/oihw tags oneDNN falls back to its
// im2col+GEMM implementation, which was 1.6x slower forward and 3x slower
// for the weight gradient than the blocked direct kernels including the
// reorders (bench/bench_conv.py measures the whole op; single-thread CPU
// time: forward 104 ms plain vs 66 ms + 5 ms of reorders blocked).
#pragma once
#include "operator/conv_kernels.h"

namespace mxl {
namespace dnnl_util {

// Each returns false (computing nothing) when oneDNN has no implementation
// for the geometry; the caller then uses the im2col kernels.
//
// The forward reorders the data into oneDNN's blocked layout, and the weight
// gradient needs it in that layout again.  Given `src_copy` (a buffer of
// conv_src_copy_bytes(g) bytes), the forward reorders into it and sets
// *copied, and a later backward given the same buffer skips its own reorder
// of x (the Convolution op keeps the buffer as a hidden output).  0 bytes:
// no reorder happens for g, so there is nothing to keep.
size_t conv_src_copy_bytes(const ConvGeom& g);
//
// Given `own_layout`, y may be left in oneDNN's blocked layout: then
// *own_layout is set to the converter the array keeps (ToPlain), and
// stays empty otherwise.  conv_backward_f32's dx_layout does the same for dx.
bool conv_forward_f32(const ConvGeom& g, const float* x, const float* w, const float* b, float* y,
                      float* src_copy = nullptr, bool* copied = nullptr,
                      ToPlain* own_layout = nullptr);
bool conv_backward_data_f32(const ConvGeom& g, const float* dy, const float* w, float* dx);
// db may be null (no bias).
bool conv_backward_weights_f32(const ConvGeom& g, const float* x, const float* dy, float* dw,
                               float* db);

// Both gradients in one go (dx or dw may be null to skip one): dy is
// reordered once when both primitives want the same layout.  src_copy: a
// buffer a forward on this x filled (or null).
bool conv_backward_f32(const ConvGeom& g, const float* x, const float* w, const float* dy,
                       float* dx, float* dw, float* db, const float* src_copy = nullptr,
                       ToPlain* dx_layout = nullptr);

// Number of cached convolution primitives (tests check that reuse happens).
size_t conv_cache_size();

}  // namespace dnnl_util
}  // namespace mxl
