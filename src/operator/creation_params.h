// Parameters shared by the ops that create arrays from nothing (zeros, arange,
// random samplers...): MXNet's `ctx` and `shape`.
#pragma once
#include "common/shape.h"
#include "operator/registry.h"

namespace mxl {

// Adds MXNet's `ctx` parameter (str, default "").
OpDef& add_ctx_param(OpDef& op);
// Accepts "", "cpu", "cpu(N)", "cpu_pinned(N)", "cpu_shared(N)"; a GPU is
// MXL_ERR_NOT_IMPLEMENTED, anything else MXL_ERR_VALUE, naming the op.
void check_cpu_context(const Params& p);
// The `shape` parameter as a Shape: non-negative extents whose element count
// fits in int64 (MXL_ERR_VALUE otherwise).
Shape shape_param(const Params& p);

}  // namespace mxl
