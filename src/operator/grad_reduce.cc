// Gradients of the reductions (see grad_reduce.h).
//
// Each works at two shapes: the input's, and the reduced one, in which dy
// and y arrive and which align_reduced() makes broadcastable against the
// input (a Reshape to the keepdims shape only when the reduced axes are not
// leading ones).  Per-element factors are combined with broadcast_* ops from
// the reduced shape, so reduced values are never materialized at full size
// unless the gradient itself is that (sum, mean).
#include <string>
#include <vector>

#include "operator/grad_reduce.h"
#include "operator/grad_util.h"
#include "operator/reduce_impl.h"

namespace mxl {
namespace {

using namespace grad;  // NOLINT: the gradient helpers

struct Reduced {
  Shape in, keep;
  bool mask[kMaxNdim];
  int64_t count = 1;  // input elements per output element
};

Reduced reduced(GradBuilder& b, const GradNode& n, bool has_exclude) {
  Reduced r;
  r.in = b.shape(n.inputs[0]);
  const bool exclude = has_exclude && n.params->get_bool("exclude");
  reduce::resolve_axes(n.op->name, r.in, n.params->get("axis"), exclude, r.mask);
  r.keep = keep_shape(r.in, r.mask);
  r.count = reduce::reduced_count(r.in, r.mask);
  return r;
}

// The gradient of prod(x) over the reduced axes, exact with zeros:
//   dx_i = dy * prod_{j != i} x_j
// computed as P' / x'_i masked to the cases where it is the true product,
// with x' = x with zeros replaced by 1, P' = prod(x'), and nz the number of
// zeros in x_i's group: no zero -> P / x_i; one zero -> P' at the zero and 0
// elsewhere; two or more -> 0 everywhere.  All three are
//   (P' / x'_i) * [nz - [x_i == 0] == 0].
// Second derivatives are exact away from zeros.
GradValue prod_gradient(GradBuilder& b, GradValue dy, GradValue x, const Reduced& r) {
  const std::vector<int64_t> axes = reduced_axes(r.in, r.mask);
  if (axes.empty()) return reshape_to(b, dy, r.in);  // nothing reduced: the identity
  const Attrs keep_attrs = {{"axis", axes_text(axes)}, {"keepdims", "True"}};
  GradValue zero = scalar(b, "_equal_scalar", x, 0);
  GradValue xs = b.op("elemwise_add", {x, zero});  // x where nonzero, 1 where zero
  GradValue pk = b.op("prod", {xs}, keep_attrs);
  GradValue nzk = b.op("sum", {zero}, keep_attrs);
  GradValue only = scalar(b, "_equal_scalar", b.op("broadcast_sub", {nzk, zero}), 0);
  GradValue scaled = b.op("broadcast_mul", {align_reduced(b, dy, r.in, r.mask), pk});
  return mul(b, b.op("broadcast_div", {scaled, xs}), only);
}

GradientFn reduce_gradient(const std::string& name) {
  if (name == "sum") {
    return [](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
      if (!n.needs_input_grad[0]) return {GradValue{}};
      Reduced r = reduced(b, n, true);
      return {expand_to(b, n.out_grads[0], r.in, r.mask)};
    };
  }
  if (name == "mean") {
    return [](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
      if (!n.needs_input_grad[0]) return {GradValue{}};
      Reduced r = reduced(b, n, true);
      // Scale at the reduced size, then broadcast.
      GradValue d = scalar(b, "_div_scalar", n.out_grads[0], static_cast<double>(r.count));
      return {expand_to(b, d, r.in, r.mask)};
    };
  }
  if (name == "nansum") {
    return [](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
      if (!n.needs_input_grad[0]) return {GradValue{}};
      Reduced r = reduced(b, n, true);
      GradValue x = n.inputs[0];
      GradValue not_nan = b.op("_equal", {x, x});
      return {b.op("broadcast_mul", {align_reduced(b, n.out_grads[0], r.in, r.mask), not_nan})};
    };
  }
  if (name == "prod") {
    return [](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
      if (!n.needs_input_grad[0]) return {GradValue{}};
      Reduced r = reduced(b, n, true);
      return {prod_gradient(b, n.out_grads[0], n.inputs[0], r)};
    };
  }
  if (name == "nanprod") {
    // NaN counts as 1 in the product and gets gradient 0.
    return [](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
      if (!n.needs_input_grad[0]) return {GradValue{}};
      Reduced r = reduced(b, n, true);
      GradValue x = n.inputs[0];
      GradValue not_nan = b.op("_equal", {x, x});
      GradValue is_nan = scalar(b, "_rminus_scalar", not_nan, 1);
      GradValue clean = b.op("where", {not_nan, x, is_nan});  // NaN -> 1
      return {mul(b, prod_gradient(b, n.out_grads[0], clean, r), not_nan)};
    };
  }
  if (name == "max" || name == "min") {
    // Every position equal to the extreme value gets the whole gradient.
    return [](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
      if (!n.needs_input_grad[0]) return {GradValue{}};
      Reduced r = reduced(b, n, true);
      GradValue yk = align_reduced(b, n.outputs[0], r.in, r.mask);
      GradValue hit = b.op("broadcast_equal", {n.inputs[0], yk});
      return {b.op("broadcast_mul", {align_reduced(b, n.out_grads[0], r.in, r.mask), hit})};
    };
  }
  return {};
}

}  // namespace

GradientFn reduce_op_gradient(const std::string& name) { return reduce_gradient(name); }

GradientFn norm_gradient() {
  return [](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
    if (!n.needs_input_grad[0]) return {GradValue{}};
    Reduced r = reduced(b, n, false);
    GradValue x = n.inputs[0], dy = n.out_grads[0], y = n.outputs[0];
    // out_dtype may differ from the input's: work in the input's dtype.
    const DType dt = b.dtype(x);
    if (b.dtype(dy) != dt) dy = b.op("Cast", {dy}, {{"dtype", dtype_name(dt)}});
    if (b.dtype(y) != dt) y = b.op("Cast", {y}, {{"dtype", dtype_name(dt)}});
    GradValue dyk = align_reduced(b, dy, r.in, r.mask);
    if (n.params->get_int("ord") == 1) return {b.op("broadcast_mul", {dyk, unary(b, "sign", x)})};
    // x / ||x||, with 0 where the norm is 0 (x is all zeros there, so
    // dividing by 1 instead gives 0).
    GradValue yk = align_reduced(b, y, r.in, r.mask);
    GradValue safe = b.op("elemwise_add", {yk, scalar(b, "_equal_scalar", yk, 0)});
    return {b.op("broadcast_mul", {x, div(b, dyk, safe)})};
  };
}

}  // namespace mxl
