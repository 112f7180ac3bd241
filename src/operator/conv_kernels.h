// Convolution kernels on raw buffers, shared by Convolution and
// Deconvolution (a deconvolution is a convolution with the roles of its
// input and output swapped: its forward is the convolution's data gradient).
//
// Everything is described as a plain grouped convolution in NC[D]HW layout:
//
//   y[n, g*OCg + o, out] = sum_{c < Cg, k} w[g*OCg + o, c, k] * x[n, g*Cg + c, out*s - p + k*d]
//
// with x of shape (N, C, in...), w (OC, C/G, k...), y (N, OC, out...), and
// positions outside x reading zero.  The right padding is implied by the
// sizes (it may be negative, or larger than p, e.g. for Deconvolution's adj).
//
// Dispatch by dtype: float32 runs on oneDNN (dnnl/dnnl_conv.h); float64 on
// im2col + cblas_dgemm (conv_im2col.h); float16 is widened to float32, run on
// oneDNN and rounded back.
#pragma once
#include <cstdint>

#include "common/dtype.h"
#include "ndarray/ndarray.h"  // ToPlain

namespace mxl {

struct ConvGeom {
  // Spatial extents live in the LAST nsp of the 3 slots (a 2-d problem is a
  // 3-d one with depth 1), so loops can always run over 3 dims.
  int nsp = 2;            // spatial dims: 1, 2 or 3
  int64_t N = 0, C = 0;   // batch, input channels
  int64_t OC = 0, G = 1;  // output channels, groups
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1};
  int64_t k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, d[3] = {1, 1, 1}, p[3] = {0, 0, 0};

  int64_t in_size() const { return in[0] * in[1] * in[2]; }    // per channel
  int64_t out_size() const { return out[0] * out[1] * out[2]; }  // per channel
  int64_t k_size() const { return k[0] * k[1] * k[2]; }
  int64_t x_numel() const { return N * C * in_size(); }
  int64_t y_numel() const { return N * OC * out_size(); }
  int64_t w_numel() const { return OC * (C / G) * k_size(); }
  // Right padding implied by the sizes along spatial dim i (may be negative).
  int64_t pad_right(int i) const { return (out[i] - 1) * s[i] + (k[i] - 1) * d[i] + 1 - in[i] - p[i]; }
};

// The Convolution op's hidden blocked_data output, in floats: the forward's x
// in oneDNN's blocked layout (dnnl/dnnl_conv.h, conv_src_copy_bytes), which
// spares the weight gradient reordering x again, then one float that is 1
// once a float32 forward filled it.  Just that flag (0) when oneDNN reads x
// as it is, or for other dtypes.
int64_t conv_blocked_data_size(const ConvGeom& g);

// y = conv(x, w) (+ b[oc] when b is not null); ws: the blocked_data buffer, or null.
// With own_layout, float32 may leave y in oneDNN's blocked layout and set
// *own_layout to its converter (ToPlain) for the array to keep.
void conv_forward(DType t, const ConvGeom& g, const void* x, const void* w, const void* b, void* y,
                  float* ws = nullptr, ToPlain* own_layout = nullptr);
// dx = the gradient of conv with respect to x, given dy (overwrites dx).
void conv_backward_data(DType t, const ConvGeom& g, const void* dy, const void* w, void* dx);
// dw (and db when not null) = gradients with respect to w and the bias
// (overwritten).
void conv_backward_weights(DType t, const ConvGeom& g, const void* x, const void* dy, void* dw,
                           void* db);

// Any of the three gradients at once (null pointers skip dx, dw, db; db
// needs dw): float32 shares the reordered dy between the two primitives and
// reads x from ws, the forward's blocked_data, when that was filled.
// dx_layout: as conv_forward's own_layout, for dx.
void conv_backward(DType t, const ConvGeom& g, const void* x, const void* w, const void* dy,
                   void* dx, void* dw, void* db, const float* ws = nullptr,
                   ToPlain* dx_layout = nullptr);

// Helpers also used by Deconvolution for its own bias:
// y[n, c, :] += b[c] over `spatial` positions per channel.
void add_channel_bias(DType t, int64_t N, int64_t C, int64_t spatial, const void* b, void* y);
// db[c] = sum over n and positions of dy[n, c, :].
void channel_bias_grad(DType t, int64_t N, int64_t C, int64_t spatial, const void* dy, void* db);

}  // namespace mxl
