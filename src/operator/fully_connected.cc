// FullyConnected (MXNet 1.9): y = x W^T + b.
//
// flatten=True sees data of shape (N, d1, d2, ...) as the matrix
// (N, d1*d2*...); flatten=False applies the layer to the last axis, so
// (..., in) becomes (..., num_hidden).  weight is (num_hidden, in) and bias
// (num_hidden,); inference fills them when unknown.
//
// The product and the bias go through nn::gemm (oneDNN matmul with the bias
// fused, for float32).  The gradient is one hidden kernel,
// _backward_FullyConnected, that computes dX = dY W, dW = dY^T X and
// db = sum(dY, 0) in one call (skipping the products nobody asked for: the
// first layer's dX is as costly as its forward).  That kernel is itself
// differentiable (its outputs are bilinear in its inputs, and the gradient is
// written with FullyConnected and dot), so higher-order gradients work.
#include <cstring>
#include <string>

#include "autograd/gradient.h"
#include "operator/nn_gemm.h"
#include "operator/nn_util.h"
#include "operator/registry.h"

namespace mxl {
namespace {

// The layer seen as matrices: `rows` samples of `in` features.
struct FCDims {
  int64_t rows = 0, in = 0, hidden = 0;
};

FCDims fc_dims(const Params& p, const Shape& data, const char* op) {
  MXL_CHECK(data.ndim() >= 1, MXL_ERR_VALUE, op_error_prefix(op, "data"),
            " is 0-d; expected an array with at least one dimension");
  FCDims d;
  d.hidden = p.get_int("num_hidden");
  if (p.get_bool("flatten")) {
    d.rows = data[0];
    d.in = data.prod(1, data.ndim());
  } else {
    d.in = data.back();
    d.rows = data.prod(0, data.ndim() - 1);
  }
  return d;
}

Shape fc_output_shape(const Params& p, const Shape& data) {
  Shape out;
  if (p.get_bool("flatten")) {
    out = Shape{data[0], p.get_int("num_hidden")};
  } else {
    out = data;
    out[out.ndim() - 1] = p.get_int("num_hidden");
  }
  return out;
}

// Fills an unknown shape or checks a known one against what the layer needs.
void assign_shape(std::vector<Shape>* in, size_t i, const Shape& expected, const char* op,
                  const char* arg, const Params& p) {
  Shape& s = (*in)[i];
  if (!s.known()) {
    s = expected;
    return;
  }
  MXL_CHECK(s == expected, MXL_ERR_VALUE, op_error_prefix(op, arg), " has shape ", s.str(),
            " but the layer needs ", expected.str(), " (num_hidden=", p.get_int("num_hidden"),
            ", flatten=", p.get_bool("flatten") ? "True" : "False", ", data shape ",
            (*in)[0].str(), ")");
}

void infer_fc_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& data = (*in)[0];
  if (!data.known()) return;
  const FCDims d = fc_dims(p, data, "FullyConnected");
  assign_shape(in, 1, Shape{d.hidden, d.in}, "FullyConnected", "weight", p);
  if (in->size() > 2) assign_shape(in, 2, Shape{d.hidden}, "FullyConnected", "bias", p);
  (*out)[0] = fc_output_shape(p, data);
}

void fc_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                const std::vector<TBlob>& out) {
  const FCDims d = fc_dims(p, in[0].shape, "FullyConnected");
  const void* bias = in.size() > 2 ? in[2].dptr : nullptr;
  // y (rows x hidden) = x (rows x in) . W^T, W stored (hidden x in).
  nn::gemm(in[0].dtype, false, true, d.rows, d.hidden, d.in, in[0].dptr, in[1].dptr,
           out[0].dptr, bias);
}

// ---------------------------------------------------------------------------
// _backward_FullyConnected: inputs (ograd, data, weight), outputs
// (data_grad, weight_grad[, bias_grad])
// ---------------------------------------------------------------------------

void infer_fc_backward_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& data = (*in)[1];
  MXL_CHECK(data.known(), MXL_ERR_VALUE,
            "Operator _backward_FullyConnected: the shape of 'data' is unknown");
  const FCDims d = fc_dims(p, data, "_backward_FullyConnected");
  const Shape y = fc_output_shape(p, data);
  MXL_CHECK((*in)[0] == y, MXL_ERR_VALUE, op_error_prefix("_backward_FullyConnected", "ograd"),
            " has shape ", (*in)[0].str(), " but the layer's output has shape ", y.str());
  MXL_CHECK((*in)[2] == (Shape{d.hidden, d.in}), MXL_ERR_VALUE,
            op_error_prefix("_backward_FullyConnected", "weight"), " has shape ",
            (*in)[2].str(), " but the layer needs ", Shape{d.hidden, d.in}.str());
  (*out)[0] = data;
  (*out)[1] = Shape{d.hidden, d.in};
  if (out->size() > 2) (*out)[2] = Shape{d.hidden};
}

void fc_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                 const std::vector<TBlob>& out) {
  const FCDims d = fc_dims(p, in[1].shape, "_backward_FullyConnected");
  const DType t = in[0].dtype;
  // dX (rows x in) = dY (rows x hidden) . W (hidden x in)
  if (p.get_bool("need_data_grad"))
    nn::gemm(t, false, false, d.rows, d.in, d.hidden, in[0].dptr, in[2].dptr, out[0].dptr, nullptr);
  else
    std::memset(out[0].dptr, 0, out[0].nbytes());
  // dW (hidden x in) = dY^T . X, dY stored (rows x hidden)
  if (p.get_bool("need_weight_grad"))
    nn::gemm(t, true, false, d.hidden, d.in, d.rows, in[0].dptr, in[1].dptr, out[1].dptr, nullptr);
  else
    std::memset(out[1].dptr, 0, out[1].nbytes());
  if (out.size() > 2) nn::column_sums(t, d.rows, d.hidden, in[0].dptr, out[2].dptr);
}

// ---------------------------------------------------------------------------
// Gradients
// ---------------------------------------------------------------------------

std::vector<GradValue> fc_gradient(GradBuilder& b, const GradNode& n) {
  Attrs attrs = n.params->attrs();
  attrs.emplace_back("need_data_grad", n.needs_input_grad[0] ? "True" : "False");
  attrs.emplace_back("need_weight_grad", n.needs_input_grad[1] ? "True" : "False");
  std::vector<GradValue> g =
      b.apply_input_grads("_backward_FullyConnected", {n.out_grads[0], n.inputs[0], n.inputs[1]},
                          attrs);
  std::vector<GradValue> r(n.inputs.size());
  for (size_t i = 0; i < n.inputs.size(); ++i)
    if (n.needs_input_grad[i]) r[i] = g[i];
  return r;
}

GradValue reshape_to(GradBuilder& b, GradValue v, const Shape& s) {
  if (b.shape(v) == s) return v;
  return b.op("Reshape", {v}, {{"shape", s.str()}});
}

// The backward kernel's outputs are bilinear in (dY, X, W):
//   dX = dY W, dW = dY^T X, db = 1^T dY;
// so with head gradients (gX, gW, gb) of those outputs:
//   d/d(dY) = gX W^T + gb + X gW^T  = FC(gX, W, gb) + FC(X, gW, no bias)
//   d/dX    = dY gW                 (only if dW was computed)
//   d/dW    = dY^T gX               (only if dX was computed)
std::vector<GradValue> fc_backward_gradient(GradBuilder& b, const GradNode& n) {
  const Params& p = *n.params;
  const GradValue dy = n.inputs[0], x = n.inputs[1], w = n.inputs[2];
  const GradValue gx = n.out_grads[0], gw = n.out_grads[1];
  const bool has_bias = !p.get_bool("no_bias");
  const bool made_dx = p.get_bool("need_data_grad"), made_dw = p.get_bool("need_weight_grad");
  const FCDims d = fc_dims(p, b.shape(x), "_backward_FullyConnected");
  const std::string hidden = std::to_string(d.hidden);
  const std::string flatten = p.get_bool("flatten") ? "True" : "False";
  std::vector<GradValue> r(3);
  if (n.needs_input_grad[0]) {
    // Each term is brought to dY's shape (flatten=False keeps leading axes).
    const Shape& ys = b.shape(dy);
    GradValue g;
    if (made_dx && has_bias)
      g = b.op("FullyConnected", {gx, w, n.out_grads[2]},
               {{"num_hidden", hidden}, {"flatten", flatten}});
    else if (made_dx)
      g = b.op("FullyConnected", {gx, w},
               {{"num_hidden", hidden}, {"flatten", flatten}, {"no_bias", "True"}});
    else if (has_bias)  // gb alone, broadcast over the rows of dY
      g = b.op("broadcast_like",
               {b.op("Reshape", {n.out_grads[2]}, {{"shape", Shape{1, d.hidden}.str()}}),
                b.op("Reshape", {dy}, {{"shape", Shape{d.rows, d.hidden}.str()}})});
    if (g.defined()) g = reshape_to(b, g, ys);
    if (made_dw)
      g = nn::grad_add(b, g, reshape_to(b, b.op("FullyConnected", {x, gw},
                                                  {{"num_hidden", hidden}, {"flatten", flatten},
                                                   {"no_bias", "True"}}),
                                        ys));
    r[0] = g;
  }
  const GradValue dy2 = reshape_to(b, dy, Shape{d.rows, d.hidden});
  if (n.needs_input_grad[1] && made_dw)
    r[1] = reshape_to(b, b.op("dot", {dy2, gw}), b.shape(x));
  if (n.needs_input_grad[2] && made_dx)
    r[2] = b.op("dot", {dy2, reshape_to(b, gx, Shape{d.rows, d.in})}, {{"transpose_a", "True"}});
  return r;
}

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------

void register_fully_connected() {
  OpDef& fc = Registry::get().add("FullyConnected");
  fc.describe(
        "Applies a linear transformation: Y = X W^T + b. With flatten=True (default) the "
        "input of shape (N, d1, ..., dk) is seen as (N, d1*...*dk); with flatten=False the "
        "transformation applies to the last axis, (x1, ..., xn, in) -> (x1, ..., xn, "
        "num_hidden). weight has shape (num_hidden, in) and bias (num_hidden,).")
      .add_input("data", "Input data.")
      .add_input("weight", "Weight matrix.")
      .add_input("bias", "Bias parameter (absent when no_bias=True).")
      .add_param("num_hidden", "int", "", "Number of hidden nodes of the output.")
      .set_range(1, 2147483647.0)
      .add_param("no_bias", "bool", "False", "Whether to disable bias parameter.")
      .add_param("flatten", "bool", "True",
                 "Whether to collapse all but the first axis of the input data tensor.")
      .set_infer_shape(infer_fc_shape)
      .set_infer_type(nn::infer_float_type)
      .set_forward(fc_forward)
      .set_gradient(fc_gradient);
  fc.num_inputs_fn = [](const Params& p) { return p.get_bool("no_bias") ? 2 : 3; };

  OpDef& bw = Registry::get().add("_backward_FullyConnected");
  bw.describe(
        "Gradient of FullyConnected: from (ograd, data, weight) computes the gradients of "
        "data, weight and (unless no_bias) bias.")
      .add_input("ograd", "Gradient of the layer's output.")
      .add_input("data", "The layer's input data.")
      .add_input("weight", "The layer's weight.")
      .copy_params_from("FullyConnected")
      .add_param("need_data_grad", "bool", "True",
                 "Compute the data gradient (False: that output is zeros).")
      .add_param("need_weight_grad", "bool", "True",
                 "Compute the weight gradient (False: that output is zeros).")
      .set_outputs({"data_grad", "weight_grad", "bias_grad"})
      .set_num_outputs([](const Params& p) { return p.get_bool("no_bias") ? 2 : 3; })
      .set_infer_shape(infer_fc_backward_shape)
      .set_infer_type(nn::infer_float_type)
      .set_forward(fc_backward)
      .set_gradient(fc_backward_gradient);
}

MXL_REGISTER_BLOCK(register_fully_connected);

}  // namespace
}  // namespace mxl
