// Fused backward kernels of the common activations: _backward_relu,
// _backward_sigmoid and _backward_tanh (MXNet's names), each computing
// dx = dy * f'(y) from the forward output y in one pass.  Written as a chain
// of element-wise ops the same gradient costs two or three passes over
// memory and as many dispatches; activations sit in every training step.
//
// Each fused op declares its own gradient with registered ops, so
// higher-order gradients go through it:
//   relu:    dx = dy * [y > 0]       d/d(dy) = _backward_relu(g, y),    d/dy = 0
//   sigmoid: dx = dy * y (1 - y)     d/d(dy) = _backward_sigmoid(g, y), d/dy = g dy (1 - 2y)
//   tanh:    dx = dy * (1 - y^2)     d/d(dy) = _backward_tanh(g, y),    d/dy = -2 g dy y
#include <type_traits>

#include "autograd/gradient.h"
#include "common/parallel.h"
#include "operator/grad_util.h"
#include "operator/registry.h"

namespace mxl {
namespace {

using namespace grad;  // NOLINT: the gradient helpers

struct ReluGrad {
  template <typename A> static A apply(A dy, A y) { return y > A(0) ? dy : A(0); }
};
struct SigmoidGrad {
  template <typename A> static A apply(A dy, A y) { return dy * y * (A(1) - y); }
};
struct TanhGrad {
  template <typename A> static A apply(A dy, A y) { return dy * (A(1) - y * y); }
};

template <typename Op>
void fused_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                   const std::vector<TBlob>& out) {
  const int64_t n = out[0].numel();
  MXL_TYPE_SWITCH(in[0].dtype, T, {
    if constexpr (std::is_same_v<T, bool>) {
      throw_error(MXL_ERR_TYPE, "Operator ", p.op()->name,
                  ": arguments have dtype bool; expected a numeric dtype");
    } else {
      using A = typename AccType<T>::type;
      const T* dy = in[0].ptr<const T>();
      const T* y = in[1].ptr<const T>();
      T* o = out[0].ptr<T>();
      parallel_for(n, [=](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i)
          o[i] = static_cast<T>(Op::apply(static_cast<A>(dy[i]), static_cast<A>(y[i])));
      });
    }
  })
}

void infer_pair_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape &g = (*in)[0], &y = (*in)[1];
  if (!g.known() || !y.known()) return;
  MXL_CHECK(g == y, MXL_ERR_VALUE, "Operator ", p.op()->name, ": arguments 'ograd' of shape ",
            g.str(), " and 'data' of shape ", y.str(), " must have the same shape");
  (*out)[0] = y;
}

// d/d(dy) of a fused op is the op itself applied to the incoming gradient.
GradValue same_op(GradBuilder& b, const GradNode& n) {
  return b.op(n.op->name, {n.out_grads[0], n.inputs[1]});
}

std::vector<GradValue> relu_backward_gradient(GradBuilder& b, const GradNode& n) {
  std::vector<GradValue> grads(2);
  if (n.needs_input_grad[0]) grads[0] = same_op(b, n);
  if (n.needs_input_grad[1]) grads[1] = zeros_of(b, n.inputs[1]);
  return grads;
}

std::vector<GradValue> sigmoid_backward_gradient(GradBuilder& b, const GradNode& n) {
  std::vector<GradValue> grads(2);
  if (n.needs_input_grad[0]) grads[0] = same_op(b, n);
  if (n.needs_input_grad[1]) {
    const GradValue g = n.out_grads[0], dy = n.inputs[0], y = n.inputs[1];
    grads[1] = mul(b, mul(b, g, dy), scalar(b, "_rminus_scalar", scalar(b, "_mul_scalar", y, 2), 1));
  }
  return grads;
}

std::vector<GradValue> tanh_backward_gradient(GradBuilder& b, const GradNode& n) {
  std::vector<GradValue> grads(2);
  if (n.needs_input_grad[0]) grads[0] = same_op(b, n);
  if (n.needs_input_grad[1]) {
    const GradValue g = n.out_grads[0], dy = n.inputs[0], y = n.inputs[1];
    grads[1] = mul(b, mul(b, g, dy), scalar(b, "_mul_scalar", y, -2));
  }
  return grads;
}

OpDef& add_fused(const char* name, const char* doc, ForwardFn forward) {
  return Registry::get()
      .add(name)
      .describe(doc)
      .add_input("ograd", "The gradient of the forward op's output.")
      .add_input("data", "The forward op's output.")
      .set_infer_shape(infer_pair_shape)
      .set_forward(std::move(forward))
      .add_inplace(0, 0)
      .add_inplace(1, 0);
}

void register_fused_backward() {
  add_fused("_backward_relu", "Gradient of relu from its output: ograd where data > 0, else 0.",
            fused_forward<ReluGrad>)
      .set_gradient(relu_backward_gradient);
  add_fused("_backward_sigmoid",
            "Gradient of sigmoid from its output: ograd * data * (1 - data).",
            fused_forward<SigmoidGrad>)
      .set_gradient(sigmoid_backward_gradient);
  add_fused("_backward_tanh", "Gradient of tanh from its output: ograd * (1 - data^2).",
            fused_forward<TanhGrad>)
      .set_gradient(tanh_backward_gradient);
}

MXL_REGISTER_BLOCK(register_fused_backward);

}  // namespace
}  // namespace mxl
