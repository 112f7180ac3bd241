// Gradients of the element-wise families, looked up by op name when the ops
// are registered (elemwise_unary.cc, elemwise_scalar.cc, elemwise_binary.cc).
// Keeping the formulas apart from the kernels keeps each file to one concept;
// the lookup is a function (not a static table) so registration order across
// files does not matter.
//
// Values follow MXNet 1.9: abs'(0) = 0, relu'(0) = 0; rounding, sign,
// comparisons and logical ops have gradient zero; maximum sends the gradient
// to lhs where lhs >= rhs (ties to lhs) and minimum where lhs <= rhs; mod's
// rhs gets -floor(lhs / rhs).  Every formula is written with registered,
// differentiable ops, so second-order gradients follow.
#pragma once
#include <string>

#include "operator/registry.h"

namespace mxl {

// An empty function means the name has no gradient here.
GradientFn unary_op_gradient(const std::string& name);
GradientFn scalar_op_gradient(const std::string& name);
// Serves both families: the elemwise_ name and its broadcast_ twin share a
// formula; `broadcast` picks the ops it is written with and whether the
// gradients are summed back to the input shapes.
GradientFn binary_op_gradient(const std::string& elemwise_name, bool broadcast);

}  // namespace mxl
