// Gradients of the reductions (sum, mean, prod, nansum, nanprod, max, min,
// norm), looked up by op name when they are registered (reduce.cc,
// reduce_norm.cc).
//
// Values follow MXNet 1.9 except where noted: max/min give the whole
// gradient to every position equal to the extreme value (no splitting
// between ties); nansum and nanprod give zero at NaN positions; prod is
// exact where inputs are zero (MXNet divides y / x and gets NaN there); the
// L2 norm's gradient at a zero norm is 0 rather than MXNet's 0/0 = NaN.
#pragma once
#include <string>

#include "operator/registry.h"

namespace mxl {

// An empty function means the name has no gradient here.
GradientFn reduce_op_gradient(const std::string& name);
GradientFn norm_gradient();

}  // namespace mxl
