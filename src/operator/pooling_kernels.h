// Pooling kernels on raw NC[D]HW buffers (MXNet 1.9 semantics).
//
// Window of output position o along one axis: [o*stride - pad, o*stride - pad + kernel),
// clipped to the input.  max ignores positions outside the input; avg divides
// by the window size clipped to [-pad, in + pad) when count_include_pad (so
// padding counts, but the part a 'full'-convention window hangs past the
// padding does not), else by the number of input positions; sum adds; lp is
// (sum x^p)^(1/p) for p in {1, 2, 3} (x^p without abs, as MXNet).  A window
// with no input position (possible with the 'full' convention or pad >=
// kernel, which MXNet accepts) gives the dtype's lowest value for max and 0
// otherwise, and passes no gradient.
//
// The data gradient of max goes to the first position (in row-major window
// order) holding the maximum, as MXNet's CPU kernel.  The loops here find
// the maximum again from (x, y); the oneDNN path reads the argmax workspace
// its training forward left (see pool_workspace_size), or reruns that
// forward when there is none.  Measured on 32x64x56x56, max 3x3 stride 2,
// one thread: loops 29 ms, oneDNN rerun + backward 7.5 ms (its jit kernels
// vectorize across channels; our portable loops cannot use AVX-512 without
// -march flags).
//
// float32 runs on oneDNN where its semantics match (dnnl/dnnl_pooling.h):
// max, and avg unless a window reaches past the padding; everything else
// (sum, lp, float64, degenerate windows) uses the loops here, and float16 is
// widened to float32.
#pragma once
#include <cstdint>

#include "common/dtype.h"

namespace mxl {

enum class PoolType { kMax, kAvg, kSum, kLp };

struct PoolGeom {
  // Spatial extents live in the last nsp of the 3 slots (like ConvGeom).
  int nsp = 2;
  int64_t N = 0, C = 0;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1};
  int64_t k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, p[3] = {0, 0, 0};
  PoolType type = PoolType::kMax;
  bool count_include_pad = true;
  int p_value = 2;  // lp only

  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t k_size() const { return k[0] * k[1] * k[2]; }
  // Right padding implied by the sizes (may be negative, or exceed p for
  // the 'full' convention).
  int64_t pad_right(int i) const { return (out[i] - 1) * s[i] + k[i] - in[i] - p[i]; }
};

// Max pooling's workspace, the Pooling op's hidden second output: oneDNN's
// argmax record of a training forward (pool_workspace_bytes in
// dnnl/dnnl_pooling.h), then one byte that is 1 when that record is valid.
// Other pools and dtypes leave the record empty (the byte stays 0) and the
// backward finds the maxima itself.
int64_t pool_workspace_size(const PoolGeom& g);

// y = pool(x).  ws (pool_workspace_size(g) bytes, or null) gets the argmax
// record when `training` and oneDNN serves float32 max pooling.
void pool_forward(DType t, const PoolGeom& g, const void* x, void* y, uint8_t* ws = nullptr,
                  bool training = false);
// dx (overwritten) from the output gradient dy, the input x and output y;
// ws (null, or pool_workspace_size(g) bytes from the forward) saves max
// pooling's backward from finding the maxima again.
void pool_backward(DType t, const PoolGeom& g, const void* dy, const void* x, const void* y,
                   void* dx, const uint8_t* ws = nullptr);

}  // namespace mxl
