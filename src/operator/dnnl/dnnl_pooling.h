// float32 pooling forward on oneDNN, for the cases where oneDNN's semantics
// are MXNet's: max pooling, and average pooling when either padding is
// excluded from the divisor or no window reaches past the padding (oneDNN's
// include-padding divisor is always the full kernel volume, MXNet's stops at
// in + pad).  User tensors stay in their plain NC[D]HW layout: pooling is
// memory-bound, and oneDNN's jit kernels read plain layouts directly, so a
// reorder to a blocked layout would only add traffic.
#pragma once
#include "operator/pooling_kernels.h"

namespace mxl {
namespace dnnl_util {

// Both return false (and compute nothing) when oneDNN does not serve g.
bool pool_forward_f32(const PoolGeom& g, const float* x, float* y);
// dx from dy; max pooling reruns the forward (training mode) on x for the
// workspace oneDNN's backward needs, so the forward op has no hidden
// workspace output and inference pays nothing for training.
bool pool_backward_f32(const PoolGeom& g, const float* dy, const float* x, float* dx);

}  // namespace dnnl_util
}  // namespace mxl
