// Gradients of the array-scalar ops (_plus_scalar, ...) and of the two-array
// ops in both families (elemwise_add / broadcast_add, ...); see
// grad_elemwise.h for the conventions.
#include <cmath>
#include <string>
#include <unordered_map>

#include "operator/grad_elemwise.h"
#include "operator/grad_util.h"

namespace mxl {
namespace {

using namespace grad;  // NOLINT: the gradient helpers

// ---------------------------------------------------------------------------
// Array-scalar ops: (dy, x, y, s) -> dx
// ---------------------------------------------------------------------------

using ScalarFormula = GradValue (*)(GradBuilder& b, GradValue dy, GradValue x, GradValue y,
                                    double s);

const std::unordered_map<std::string, ScalarFormula>& scalar_formulas() {
  static const std::unordered_map<std::string, ScalarFormula> table = {
      {"_plus_scalar", [](GradBuilder&, GradValue dy, GradValue, GradValue, double) { return dy; }},
      {"_minus_scalar",
       [](GradBuilder&, GradValue dy, GradValue, GradValue, double) { return dy; }},
      {"_rminus_scalar",
       [](GradBuilder& b, GradValue dy, GradValue, GradValue, double) { return neg(b, dy); }},
      {"_mul_scalar", [](GradBuilder& b, GradValue dy, GradValue, GradValue,
                         double s) { return scalar(b, "_mul_scalar", dy, s); }},
      {"_div_scalar", [](GradBuilder& b, GradValue dy, GradValue, GradValue,
                         double s) { return scalar(b, "_div_scalar", dy, s); }},
      // d(s/x) = -s/x^2 = -y/x
      {"_rdiv_scalar", [](GradBuilder& b, GradValue dy, GradValue x, GradValue y,
                          double) { return neg(b, div(b, mul(b, dy, y), x)); }},
      {"_mod_scalar", [](GradBuilder&, GradValue dy, GradValue, GradValue, double) { return dy; }},
      // d(s mod x)/dx = -floor(s / x)
      {"_rmod_scalar",
       [](GradBuilder& b, GradValue dy, GradValue x, GradValue, double s) {
         return neg(b, mul(b, dy, unary(b, "floor", scalar(b, "_rdiv_scalar", x, s))));
       }},
      // d x^s = s x^(s-1), MXNet's form (NaN at x = 0 for s = 0 as there)
      {"_power_scalar",
       [](GradBuilder& b, GradValue dy, GradValue x, GradValue, double s) {
         GradValue d = scalar(b, "_mul_scalar", scalar(b, "_power_scalar", x, s - 1), s);
         return mul(b, dy, d);
       }},
      // d s^x = y ln(s)
      {"_rpower_scalar", [](GradBuilder& b, GradValue dy, GradValue, GradValue y,
                            double s) { return scalar(b, "_mul_scalar", mul(b, dy, y), std::log(s)); }},
      // Ties (x == s) send the gradient to x, as MXNet.
      {"_maximum_scalar", [](GradBuilder& b, GradValue dy, GradValue x, GradValue,
                             double s) { return mul(b, dy, scalar(b, "_greater_equal_scalar", x, s)); }},
      {"_minimum_scalar", [](GradBuilder& b, GradValue dy, GradValue x, GradValue,
                             double s) { return mul(b, dy, scalar(b, "_lesser_equal_scalar", x, s)); }},
      {"_hypot_scalar", [](GradBuilder& b, GradValue dy, GradValue x, GradValue y,
                           double) { return mul(b, dy, div(b, x, y)); }},
      // sigma^2 x inside |x| < 1/sigma^2, sign(x) outside (the two agree on
      // the boundary).
      {"smooth_l1",
       [](GradBuilder& b, GradValue dy, GradValue x, GradValue, double sigma) {
         const double s2 = sigma * sigma;
         GradValue inside = scalar(b, "_lesser_scalar", unary(b, "abs", x), 1.0 / s2);
         GradValue d = b.op("where", {inside, scalar(b, "_mul_scalar", x, s2), unary(b, "sign", x)});
         return mul(b, dy, d);
       }},
  };
  return table;
}

bool is_scalar_predicate(const std::string& name) {
  static const char* const kNames[] = {
      "_equal_scalar",  "_not_equal_scalar",     "_greater_scalar",     "_greater_equal_scalar",
      "_lesser_scalar", "_lesser_equal_scalar",  "_logical_and_scalar", "_logical_or_scalar",
      "_logical_xor_scalar"};
  for (const char* n : kNames)
    if (name == n) return true;
  return false;
}

// ---------------------------------------------------------------------------
// Two-array ops: (ops, dy, l, r, y) -> (dl, dr) at the output's shape; the
// caller sums each back to its input's shape.
// ---------------------------------------------------------------------------

// The arithmetic the formulas are written with: broadcast_* for the
// broadcasting family (l and r may be smaller than dy), elemwise_* / _* for
// the same-shape one.
struct BinOps {
  GradBuilder& b;
  bool bc;
  GradValue call(const char* bc_name, const char* same_name, GradValue x, GradValue y) {
    return b.op(bc ? bc_name : same_name, {x, y});
  }
  GradValue mul(GradValue x, GradValue y) { return call("broadcast_mul", "elemwise_mul", x, y); }
  GradValue div(GradValue x, GradValue y) { return call("broadcast_div", "elemwise_div", x, y); }
  GradValue power(GradValue x, GradValue y) { return call("broadcast_power", "_power", x, y); }
  GradValue ge(GradValue x, GradValue y) {
    return call("broadcast_greater_equal", "_greater_equal", x, y);
  }
  GradValue le(GradValue x, GradValue y) {
    return call("broadcast_lesser_equal", "_lesser_equal", x, y);
  }
  GradValue gt(GradValue x, GradValue y) { return call("broadcast_greater", "_greater", x, y); }
  GradValue lt(GradValue x, GradValue y) { return call("broadcast_lesser", "_lesser", x, y); }
};

struct Pair {
  GradValue l, r;
};
// want_l / want_r: whether each side was asked for (skip its work if not).
using BinaryFormula = Pair (*)(BinOps& o, GradValue dy, GradValue l, GradValue r, GradValue y,
                               bool want_l, bool want_r);

const std::unordered_map<std::string, BinaryFormula>& binary_formulas() {
  static const std::unordered_map<std::string, BinaryFormula> table = {
      {"elemwise_add",
       [](BinOps&, GradValue dy, GradValue, GradValue, GradValue, bool, bool) {
         return Pair{dy, dy};
       }},
      {"elemwise_sub",
       [](BinOps& o, GradValue dy, GradValue, GradValue, GradValue, bool, bool want_r) {
         return Pair{dy, want_r ? neg(o.b, dy) : GradValue{}};
       }},
      {"elemwise_mul",
       [](BinOps& o, GradValue dy, GradValue l, GradValue r, GradValue, bool want_l, bool want_r) {
         return Pair{want_l ? o.mul(dy, r) : GradValue{}, want_r ? o.mul(dy, l) : GradValue{}};
       }},
      // d(l/r)/dl = 1/r; d(l/r)/dr = -l/r^2 = -(dy/r) * y
      {"elemwise_div",
       [](BinOps& o, GradValue dy, GradValue, GradValue r, GradValue y, bool want_l, bool want_r) {
         GradValue t = o.div(dy, r);
         return Pair{want_l ? t : GradValue{}, want_r ? neg(o.b, mul(o.b, t, y)) : GradValue{}};
       }},
      // d(l mod r)/dl = 1; /dr = -floor(l / r)
      {"_mod",
       [](BinOps& o, GradValue dy, GradValue l, GradValue r, GradValue, bool, bool want_r) {
         GradValue dr;
         if (want_r) dr = neg(o.b, mul(o.b, dy, unary(o.b, "floor", o.div(l, r))));
         return Pair{dy, dr};
       }},
      // d l^r/dl = r l^(r-1); /dr = y ln(l)   (MXNet's forms)
      {"_power",
       [](BinOps& o, GradValue dy, GradValue l, GradValue r, GradValue y, bool want_l,
          bool want_r) {
         Pair p;
         if (want_l) p.l = mul(o.b, dy, o.mul(r, o.power(l, scalar(o.b, "_minus_scalar", r, 1))));
         if (want_r) p.r = mul(o.b, dy, o.mul(y, unary(o.b, "log", l)));
         return p;
       }},
      // Ties go to lhs (MXNet: lhs where l >= r, rhs where l < r).
      {"_maximum",
       [](BinOps& o, GradValue dy, GradValue l, GradValue r, GradValue, bool want_l, bool want_r) {
         Pair p;
         if (want_l) p.l = mul(o.b, dy, o.ge(l, r));
         if (want_r) p.r = mul(o.b, dy, o.lt(l, r));
         return p;
       }},
      {"_minimum",
       [](BinOps& o, GradValue dy, GradValue l, GradValue r, GradValue, bool want_l, bool want_r) {
         Pair p;
         if (want_l) p.l = mul(o.b, dy, o.le(l, r));
         if (want_r) p.r = mul(o.b, dy, o.gt(l, r));
         return p;
       }},
      // d hypot/dl = l / y
      {"_hypot",
       [](BinOps& o, GradValue dy, GradValue l, GradValue r, GradValue y, bool want_l,
          bool want_r) {
         GradValue t = div(o.b, dy, y);
         return Pair{want_l ? o.mul(t, l) : GradValue{}, want_r ? o.mul(t, r) : GradValue{}};
       }},
  };
  return table;
}

bool is_binary_predicate(const std::string& name) {
  static const char* const kNames[] = {"_equal",  "_not_equal",     "_greater",
                                       "_greater_equal", "_lesser", "_lesser_equal",
                                       "_logical_and",   "_logical_or", "_logical_xor"};
  for (const char* n : kNames)
    if (name == n) return true;
  return false;
}

}  // namespace

GradientFn scalar_op_gradient(const std::string& name) {
  if (is_scalar_predicate(name)) return zero_gradient;
  const auto& table = scalar_formulas();
  auto it = table.find(name);
  if (it == table.end()) return {};
  const ScalarFormula f = it->second;
  return [f](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
    if (!n.needs_input_grad[0]) return {GradValue{}};
    return {f(b, n.out_grads[0], n.inputs[0], n.outputs[0], n.params->get_float("scalar"))};
  };
}

GradientFn binary_op_gradient(const std::string& elemwise_name, bool broadcast) {
  if (is_binary_predicate(elemwise_name)) return zero_gradient;
  const auto& table = binary_formulas();
  auto it = table.find(elemwise_name);
  if (it == table.end()) return {};
  const BinaryFormula f = it->second;
  return [f, broadcast](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
    const bool want_l = n.needs_input_grad[0], want_r = n.needs_input_grad[1];
    if (!want_l && !want_r) return {GradValue{}, GradValue{}};
    BinOps o{b, broadcast};
    Pair p = f(o, n.out_grads[0], n.inputs[0], n.inputs[1], n.outputs[0], want_l, want_r);
    std::vector<GradValue> grads(2);
    if (want_l) grads[0] = sum_to(b, p.l, b.shape(n.inputs[0]));
    if (want_r) grads[1] = sum_to(b, p.r, b.shape(n.inputs[1]));
    return grads;
  };
}

}  // namespace mxl
