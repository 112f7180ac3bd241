// Small helpers for writing gradients with registered ops (see
// autograd/gradient.h): attribute text, scalar arithmetic on gradient
// values, and moving gradients between a broadcast (or reduced) shape and an
// input's shape.
//
// Everything here emits differentiable ops only (sum, Reshape, broadcast_to,
// the element-wise arithmetic), so gradients built from these helpers can
// themselves be differentiated.
#pragma once
#include <string>
#include <vector>

#include "autograd/gradient.h"
#include "common/shape.h"

namespace mxl {
namespace grad {

// Attribute text in the form the parameter parser reads back exactly.
std::string float_text(double v);      // shortest text that round-trips, "inf", "nan"
std::string shape_text(const Shape& s);  // "(2, 3)"
std::string axes_text(const std::vector<int64_t>& axes);

// Element-wise helpers on values of equal shape.
inline GradValue mul(GradBuilder& b, GradValue x, GradValue y) {
  return b.op("elemwise_mul", {x, y});
}
inline GradValue div(GradBuilder& b, GradValue x, GradValue y) {
  return b.op("elemwise_div", {x, y});
}
inline GradValue neg(GradBuilder& b, GradValue x) { return b.op("negative", {x}); }
inline GradValue unary(GradBuilder& b, const char* op, GradValue x) { return b.op(op, {x}); }
// x <op> s for the _*_scalar family ("_mul_scalar", "_plus_scalar", ...).
inline GradValue scalar(GradBuilder& b, const char* op, GradValue x, double s) {
  return b.op(op, {x}, {{"scalar", float_text(s)}});
}

// Shapes are taken by value: a builder's shape() reference may not outlive
// the next op it applies.

// A constant of zeros with v's shape and dtype.  Unlike zeros_like(v) it has
// no input, so under create_graph it is not recorded as depending on v.
GradValue zeros_of(GradBuilder& b, GradValue v);

// Reshape to `target` (same element count); returns v itself when its shape
// already is `target`.  A zero-size target becomes zeros (Reshape would read
// a 0 extent as "keep this dimension").
GradValue reshape_to(GradBuilder& b, GradValue v, Shape target);

// Sums a gradient of a broadcast result back to the shape of an input that
// was broadcast to it: over the leading axes the input lacked and over the
// axes where the input had extent 1.  Returns g itself when nothing changes.
GradValue sum_to(GradBuilder& b, GradValue g, Shape target);

// For reductions: `mask[d]` marks the reduced axes of an input of shape
// `in`.  keep_shape() is the output shape with keepdims=True;
// expand_to() reshapes g to it and broadcasts it to `in` (the gradient of a
// sum).
Shape keep_shape(const Shape& in, const bool* mask);
GradValue expand_to(GradBuilder& b, GradValue g, Shape in, const bool* mask);
// v (a reduction's output, with or without keepdims) in a shape that
// broadcasts against the input: as it is when that already works, else
// reshaped to keep_shape().
GradValue align_reduced(GradBuilder& b, GradValue v, Shape in, const bool* mask);
// The reduced axes as an explicit list, for re-running a reduction with
// keepdims=True (empty when nothing is reduced).
std::vector<int64_t> reduced_axes(const Shape& in, const bool* mask);

}  // namespace grad
}  // namespace mxl
