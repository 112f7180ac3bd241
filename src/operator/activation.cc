// Activation (MXNet 1.9): relu, sigmoid, tanh, softrelu, softsign chosen by
// act_type.
//
// The gradient is one fused kernel, _backward_Activation(ograd, data,
// output): one pass instead of the two or three element-wise ops a composed
// gradient would take, which matters in training loops (relu's backward is
// as hot as its forward).  relu, sigmoid, tanh and softrelu differentiate
// from the output as MXNet does (relu'(0) = 0), softsign from the input.
// _backward_Activation has its own gradient, written with registered ops, so
// second-order gradients work.
#include <cmath>

#include "operator/nn_util.h"

namespace mxl {
namespace {

using nn::Acc;
using nn::fill_elements;

enum Act { kRelu = 0, kSigmoid, kTanh, kSoftrelu, kSoftsign };
const char* const kActEnum = "enum{relu,sigmoid,tanh,softrelu,softsign}";

Act act_of(const Params& p) { return static_cast<Act>(p.get("act_type").i); }

// log(1 + e^x) without overflow: x + log1p(e^-x) for positive x.
template <typename A>
A softrelu(A x) {
  return x > A(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

template <typename T>
void activate(Act act, const T* x, T* y, int64_t n) {
  using A = Acc<T>;
  switch (act) {
    case kRelu:
      fill_elements(n, y, 1, [x](int64_t i) { A v = x[i]; return v < A(0) ? A(0) : v; });
      break;
    case kSigmoid:
      fill_elements(n, y, 8, [x](int64_t i) { return A(1) / (A(1) + std::exp(-A(x[i]))); });
      break;
    case kTanh:
      fill_elements(n, y, 8, [x](int64_t i) { return std::tanh(A(x[i])); });
      break;
    case kSoftrelu:
      fill_elements(n, y, 16, [x](int64_t i) { return softrelu(A(x[i])); });
      break;
    case kSoftsign:
      fill_elements(n, y, 2, [x](int64_t i) { A v = x[i]; return v / (A(1) + std::fabs(v)); });
      break;
  }
}

void activation_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                        const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, "Activation", {
    activate<T>(act_of(p), in[0].ptr<T>(), out[0].ptr<T>(), in[0].numel());
  })
}

// dx from dy and the forward's input x and output y.
template <typename T>
void activate_grad(Act act, const T* dy, const T* x, const T* y, T* dx, int64_t n) {
  using A = Acc<T>;
  switch (act) {
    case kRelu:
      // Both loads unconditional: a conditional load keeps GCC from
      // vectorizing (and random signs mispredict), 8x slower.
      fill_elements(n, dx, 1, [dy, y](int64_t i) {
        const A g = dy[i], v = y[i];
        return v > A(0) ? g : A(0);
      });
      break;
    case kSigmoid:
      fill_elements(n, dx, 1, [dy, y](int64_t i) {
        A s = y[i];
        return A(dy[i]) * s * (A(1) - s);
      });
      break;
    case kTanh:
      fill_elements(n, dx, 1, [dy, y](int64_t i) {
        A t = y[i];
        return A(dy[i]) * (A(1) - t * t);
      });
      break;
    case kSoftrelu:  // sigmoid(x) = 1 - e^-y
      fill_elements(n, dx, 8, [dy, y](int64_t i) { return A(dy[i]) * -std::expm1(-A(y[i])); });
      break;
    case kSoftsign:
      fill_elements(n, dx, 2, [dy, x](int64_t i) {
        A d = A(1) + std::fabs(A(x[i]));
        return A(dy[i]) / (d * d);
      });
      break;
  }
}

void activation_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, "_backward_Activation", {
    activate_grad<T>(act_of(p), in[0].ptr<T>(), in[1].ptr<T>(), in[2].ptr<T>(), out[0].ptr<T>(),
                     in[0].numel());
  })
}

std::vector<GradValue> activation_gradient(GradBuilder& b, const GradNode& n) {
  // Only softsign reads the input; the others get the output in its place,
  // so a planned graph need not keep the input alive for the backward pass
  // (relu's input is usually BatchNorm's output: one activation per layer).
  const GradValue x = act_of(*n.params) == kSoftsign ? n.inputs[0] : n.outputs[0];
  return {b.op("_backward_Activation", {n.out_grads[0], x, n.outputs[0]}, n.params->attrs())};
}

// _backward_Activation computes dx = dy * g(v), v the output (or, for
// softsign, the input).  Its gradient for a head gradient G:
//   d/d(dy) = G * g(v)          (the same kernel applied to G)
//   d/dv    = G * dy * g'(v)    with g' by act_type:
//     relu 0; sigmoid 1 - 2y; tanh -2y; softrelu e^-y;
//     softsign -2 sign(x) / (1 + |x|)^3.
std::vector<GradValue> activation_backward_gradient(GradBuilder& b, const GradNode& n) {
  const GradValue dy = n.inputs[0], x = n.inputs[1], y = n.inputs[2], G = n.out_grads[0];
  std::vector<GradValue> r(3);
  if (n.needs_input_grad[0])
    r[0] = b.op("_backward_Activation", {G, x, y}, n.params->attrs());
  GradValue dg;  // g'(v)
  switch (act_of(*n.params)) {
    case kRelu:
      break;
    case kSigmoid:
      dg = nn::grad_scalar(b, "_rminus_scalar", nn::grad_scalar(b, "_mul_scalar", y, 2), 1);
      break;
    case kTanh:
      dg = nn::grad_scalar(b, "_mul_scalar", y, -2);
      break;
    case kSoftrelu:
      dg = b.op("exp", {b.op("negative", {y})});
      break;
    case kSoftsign: {
      GradValue d3 = nn::grad_scalar(b, "_power_scalar",
                                     nn::grad_scalar(b, "_plus_scalar", b.op("abs", {x}), 1), 3);
      dg = nn::grad_scalar(b, "_mul_scalar", b.op("elemwise_div", {b.op("sign", {x}), d3}), -2);
      break;
    }
  }
  const int v = act_of(*n.params) == kSoftsign ? 1 : 2;
  if (dg.defined() && n.needs_input_grad[v])
    r[v] = nn::grad_mul(b, nn::grad_mul(b, G, dy), dg);
  return r;
}

void register_activation() {
  Registry::get()
      .add("Activation")
      .describe(
          "Applies an activation function element-wise: relu max(x, 0), sigmoid "
          "1 / (1 + exp(-x)), tanh, softrelu log(1 + exp(x)), softsign x / (1 + |x|).")
      .add_input("data", "The input array.")
      .add_param("act_type", kActEnum, "", "Activation function to be applied.")
      .set_infer_shape(nn::infer_all_same_shape)
      .set_infer_type(nn::infer_float_type)
      .add_inplace(0, 0)
      .set_forward(activation_forward)
      .set_gradient(activation_gradient);

  Registry::get()
      .add("_backward_Activation")
      .describe("Gradient of Activation from (ograd, data, output).")
      .add_input("ograd", "Gradient of the output.")
      .add_input("data", "The forward's input.")
      .add_input("output", "The forward's output.")
      .copy_params_from("Activation")
      .set_infer_shape(nn::infer_all_same_shape)
      .set_infer_type(nn::infer_float_type)
      .add_inplace(0, 0)
      .set_forward(activation_backward)
      .set_gradient(activation_backward_gradient);
}

MXL_REGISTER_BLOCK(register_activation);

}  // namespace
}  // namespace mxl
