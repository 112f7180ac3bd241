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

// Each returns false (and computes nothing) when oneDNN does not serve g.
bool pool_forward_f32(const PoolGeom& g, const float* x, float* y);

// Max pooling's backward needs the argmax of every window, which oneDNN's
// training forward records in a workspace.  The Pooling op keeps it as a
// hidden output when it runs in training mode; pool_workspace_bytes is its
// size (0 when oneDNN does not serve g or g is not max pooling).
size_t pool_workspace_bytes(const PoolGeom& g);
// y, and the workspace at ws (pool_workspace_bytes(g) bytes).
bool pool_forward_train_f32(const PoolGeom& g, const float* x, float* y, void* ws);

// dx from dy.  Max pooling reads ws, the workspace of a training forward on
// the same x; when ws is null it reruns that forward to recreate it.
bool pool_backward_f32(const PoolGeom& g, const float* dy, const float* x, const void* ws,
                       float* dx);

}  // namespace dnnl_util
}  // namespace mxl
