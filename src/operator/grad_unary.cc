// Gradients of the element-wise unary ops (see grad_elemwise.h).
//
// Each formula maps (dy, x, y) to dx, where y is the forward output; using y
// where MXNet does (exp, sqrt, tanh, sigmoid, ...) saves recomputing it, and
// since y is the recorded output of the forward node, differentiating the
// formula again still reaches x through it.
#include <cmath>
#include <string>
#include <unordered_map>

#include "operator/grad_elemwise.h"
#include "operator/grad_util.h"

namespace mxl {
namespace {

using namespace grad;  // NOLINT: the gradient helpers

using Formula = GradValue (*)(GradBuilder& b, GradValue dy, GradValue x, GradValue y);

constexpr double kPi = 3.14159265358979323846;

GradValue sq(GradBuilder& b, GradValue x) { return unary(b, "square", x); }

const std::unordered_map<std::string, Formula>& formulas() {
  static const std::unordered_map<std::string, Formula> table = {
      // |x|' = sign(x), 0 at 0.
      {"abs", [](GradBuilder& b, GradValue dy, GradValue x,
                 GradValue) { return mul(b, dy, unary(b, "sign", x)); }},
      {"negative", [](GradBuilder& b, GradValue dy, GradValue, GradValue) { return neg(b, dy); }},
      {"square", [](GradBuilder& b, GradValue dy, GradValue x,
                    GradValue) { return mul(b, dy, scalar(b, "_mul_scalar", x, 2)); }},
      // 1 where the output is positive, so relu'(0) = 0.  relu, sigmoid and
      // tanh use fused kernels (elemwise_unary_backward.cc).
      {"relu", [](GradBuilder& b, GradValue dy, GradValue,
                  GradValue y) { return b.op("_backward_relu", {dy, y}); }},
      // d(1/x) = -1/x^2 = -y^2
      {"reciprocal", [](GradBuilder& b, GradValue dy, GradValue,
                        GradValue y) { return neg(b, mul(b, dy, sq(b, y))); }},
      // d sqrt(x) = 1 / (2 y)
      {"sqrt", [](GradBuilder& b, GradValue dy, GradValue,
                  GradValue y) { return div(b, dy, scalar(b, "_mul_scalar", y, 2)); }},
      // d x^-1/2 = -y^3 / 2
      {"rsqrt",
       [](GradBuilder& b, GradValue dy, GradValue, GradValue y) {
         return mul(b, dy, scalar(b, "_mul_scalar", scalar(b, "_power_scalar", y, 3), -0.5));
       }},
      // d x^1/3 = 1 / (3 y^2)
      {"cbrt", [](GradBuilder& b, GradValue dy, GradValue,
                  GradValue y) { return div(b, dy, scalar(b, "_mul_scalar", sq(b, y), 3)); }},
      // d x^-1/3 = -y^4 / 3
      {"rcbrt",
       [](GradBuilder& b, GradValue dy, GradValue, GradValue y) {
         return mul(b, dy,
                    scalar(b, "_mul_scalar", scalar(b, "_power_scalar", y, 4), -1.0 / 3.0));
       }},
      {"exp", [](GradBuilder& b, GradValue dy, GradValue, GradValue y) { return mul(b, dy, y); }},
      {"log", [](GradBuilder& b, GradValue dy, GradValue x, GradValue) { return div(b, dy, x); }},
      {"log2", [](GradBuilder& b, GradValue dy, GradValue x,
                  GradValue) { return div(b, dy, scalar(b, "_mul_scalar", x, std::log(2.0))); }},
      {"log10", [](GradBuilder& b, GradValue dy, GradValue x,
                   GradValue) { return div(b, dy, scalar(b, "_mul_scalar", x, std::log(10.0))); }},
      {"log1p", [](GradBuilder& b, GradValue dy, GradValue x,
                   GradValue) { return div(b, dy, scalar(b, "_plus_scalar", x, 1)); }},
      // d(e^x - 1) = y + 1
      {"expm1", [](GradBuilder& b, GradValue dy, GradValue,
                   GradValue y) { return mul(b, dy, scalar(b, "_plus_scalar", y, 1)); }},
      {"sin", [](GradBuilder& b, GradValue dy, GradValue x,
                 GradValue) { return mul(b, dy, unary(b, "cos", x)); }},
      {"cos", [](GradBuilder& b, GradValue dy, GradValue x,
                 GradValue) { return neg(b, mul(b, dy, unary(b, "sin", x))); }},
      // d tan(x) = 1 + y^2
      {"tan", [](GradBuilder& b, GradValue dy, GradValue,
                 GradValue y) { return mul(b, dy, scalar(b, "_plus_scalar", sq(b, y), 1)); }},
      {"arcsin",
       [](GradBuilder& b, GradValue dy, GradValue x, GradValue) {
         return div(b, dy, unary(b, "sqrt", scalar(b, "_rminus_scalar", sq(b, x), 1)));
       }},
      {"arccos",
       [](GradBuilder& b, GradValue dy, GradValue x, GradValue) {
         return neg(b, div(b, dy, unary(b, "sqrt", scalar(b, "_rminus_scalar", sq(b, x), 1))));
       }},
      {"arctan", [](GradBuilder& b, GradValue dy, GradValue x,
                    GradValue) { return div(b, dy, scalar(b, "_plus_scalar", sq(b, x), 1)); }},
      {"sinh", [](GradBuilder& b, GradValue dy, GradValue x,
                  GradValue) { return mul(b, dy, unary(b, "cosh", x)); }},
      {"cosh", [](GradBuilder& b, GradValue dy, GradValue x,
                  GradValue) { return mul(b, dy, unary(b, "sinh", x)); }},
      // d tanh(x) = 1 - y^2
      {"tanh", [](GradBuilder& b, GradValue dy, GradValue,
                  GradValue y) { return b.op("_backward_tanh", {dy, y}); }},
      {"arcsinh",
       [](GradBuilder& b, GradValue dy, GradValue x, GradValue) {
         return div(b, dy, unary(b, "sqrt", scalar(b, "_plus_scalar", sq(b, x), 1)));
       }},
      {"arccosh",
       [](GradBuilder& b, GradValue dy, GradValue x, GradValue) {
         return div(b, dy, unary(b, "sqrt", scalar(b, "_minus_scalar", sq(b, x), 1)));
       }},
      {"arctanh", [](GradBuilder& b, GradValue dy, GradValue x,
                     GradValue) { return div(b, dy, scalar(b, "_rminus_scalar", sq(b, x), 1)); }},
      {"degrees", [](GradBuilder& b, GradValue dy, GradValue,
                     GradValue) { return scalar(b, "_mul_scalar", dy, 180.0 / kPi); }},
      {"radians", [](GradBuilder& b, GradValue dy, GradValue,
                     GradValue) { return scalar(b, "_mul_scalar", dy, kPi / 180.0); }},
      // d sigmoid(x) = y (1 - y)
      {"sigmoid", [](GradBuilder& b, GradValue dy, GradValue,
                     GradValue y) { return b.op("_backward_sigmoid", {dy, y}); }},
      // d x / (1 + |x|) = 1 / (1 + |x|)^2
      {"softsign",
       [](GradBuilder& b, GradValue dy, GradValue x, GradValue) {
         return div(b, dy, sq(b, scalar(b, "_plus_scalar", unary(b, "abs", x), 1)));
       }},
      // d erf(x) = 2/sqrt(pi) e^(-x^2)
      {"erf",
       [](GradBuilder& b, GradValue dy, GradValue x, GradValue) {
         GradValue e = unary(b, "exp", neg(b, sq(b, x)));
         return mul(b, dy, scalar(b, "_mul_scalar", e, 2.0 / std::sqrt(kPi)));
       }},
      // d erfinv(x) = sqrt(pi)/2 e^(y^2)
      {"erfinv",
       [](GradBuilder& b, GradValue dy, GradValue, GradValue y) {
         GradValue e = unary(b, "exp", sq(b, y));
         return mul(b, dy, scalar(b, "_mul_scalar", e, std::sqrt(kPi) / 2.0));
       }},
      // d gamma(x) = gamma(x) psi(x)
      {"gamma",
       [](GradBuilder& b, GradValue dy, GradValue x, GradValue y) {
         return mul(b, dy, mul(b, y, unary(b, "_digamma", x)));
       }},
      {"gammaln", [](GradBuilder& b, GradValue dy, GradValue x,
                     GradValue) { return mul(b, dy, unary(b, "_digamma", x)); }},
      {"_digamma", [](GradBuilder& b, GradValue dy, GradValue x,
                      GradValue) { return mul(b, dy, unary(b, "_trigamma", x)); }},
  };
  return table;
}

// Piecewise-constant ops: gradient zero (MXNet's choice), not "none", so
// asking for their input's gradient gives zeros rather than an error.
bool is_zero_gradient(const std::string& name) {
  static const char* const kNames[] = {"sign", "floor", "ceil",  "round",
                                       "rint", "fix",   "trunc", "logical_not"};
  for (const char* n : kNames)
    if (name == n) return true;
  return false;
}

}  // namespace

GradientFn unary_op_gradient(const std::string& name) {
  if (is_zero_gradient(name)) return zero_gradient;
  const auto& table = formulas();
  auto it = table.find(name);
  if (it == table.end()) return {};
  const Formula f = it->second;
  return [f](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
    if (!n.needs_input_grad[0]) return {GradValue{}};
    return {f(b, n.out_grads[0], n.inputs[0], n.outputs[0])};
  };
}

}  // namespace mxl
