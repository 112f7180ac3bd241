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

// Returns false (and computes nothing) when oneDNN does not serve g.
bool pool_forward_f32(const PoolGeom& g, const float* x, float* y);

}  // namespace dnnl_util
}  // namespace mxl
