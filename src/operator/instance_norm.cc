// InstanceNorm (MXNet 1.9 semantics) and its hidden backward.
//
// Each (sample, channel) of an (N, C, spatial...) input is normalized over its
// spatial positions, then scaled by gamma[c] and shifted by beta[c]:
// GroupNorm's kernel with one group per channel.  Outputs: out, mean, std
// (sqrt(var + eps)); mean and std, of shape (N, C), are hidden (the gradient
// reads them).
#include <cmath>
#include <vector>

#include "autograd/gradient.h"
#include "operator/norm_rows.h"
#include "operator/registry.h"

namespace mxl {
namespace {

void in_check(const Params& p, const Shape& x, const char* op) {
  const double eps = p.get_float("eps");
  MXL_CHECK(std::isfinite(eps) && eps >= 0, MXL_ERR_VALUE, op_error_prefix(op, "eps"),
            " must be a non-negative number, got ", eps);
  MXL_CHECK(x.ndim() >= 3, MXL_ERR_VALUE, op_error_prefix(op, "data"), " has shape ", x.str(),
            "; InstanceNorm expects at least 3 dimensions (batch, channel, spatial...)");
}

void in_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& x = (*in)[0];
  if (!x.known()) return;
  in_check(p, x, "InstanceNorm");
  norm::assign_vector_shape("InstanceNorm", "gamma", &(*in)[1], x[1], "one entry per channel");
  norm::assign_vector_shape("InstanceNorm", "beta", &(*in)[2], x[1], "one entry per channel");
  (*out)[0] = x;
  (*out)[1] = (*out)[2] = Shape{x[0], x[1]};
}

void in_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                const std::vector<TBlob>& out) {
  const Shape& x = in[0].shape;
  const int64_t C = x[1], rows = x[0] * C, L = x.prod(2, x.ndim());
  MXL_FLOAT_SWITCH(in[0].dtype, DT, "InstanceNorm", {
    norm::rows_forward(in[0].ptr<DT>(), out[0].ptr<DT>(), rows, L, C, in[1].ptr<DT>(),
                       in[2].ptr<DT>(), p.get_float("eps"), out[1].ptr<DT>(), out[2].ptr<DT>());
  });
}

// _backward_InstanceNorm.  in: out_grad, data, gamma, mean, std.
// out: data_grad, gamma_grad, beta_grad.
void in_backward_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& x = (*in)[1];
  if (!x.known()) return;
  in_check(p, x, "_backward_InstanceNorm");
  const Shape stat{x[0], x[1]};
  MXL_CHECK((*in)[0] == x && (*in)[3] == stat && (*in)[4] == stat, MXL_ERR_VALUE,
            "Operator _backward_InstanceNorm: out_grad must have data's shape ", x.str(),
            " and mean, std the shape ", stat.str());
  norm::assign_vector_shape("_backward_InstanceNorm", "gamma", &(*in)[2], x[1], "one per channel");
  (*out)[0] = x;
  (*out)[1] = (*out)[2] = Shape{x[1]};
}

void in_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                 const std::vector<TBlob>& out) {
  const Shape& x = in[1].shape;
  const int64_t C = x[1], rows = x[0] * C, L = x.prod(2, x.ndim());
  MXL_FLOAT_SWITCH(in[1].dtype, DT, "_backward_InstanceNorm", {
    norm::rows_backward(in[0].ptr<DT>(), in[1].ptr<DT>(), rows, L, C, in[2].ptr<DT>(),
                        in[3].ptr<DT>(), in[4].ptr<DT>(), out[0].ptr<DT>(), out[1].ptr<DT>(),
                        out[2].ptr<DT>());
  });
}

std::vector<GradValue> in_gradient(GradBuilder& b, const GradNode& n) {
  auto g = b.apply("_backward_InstanceNorm",
                   {n.out_grads[0], n.inputs[0], n.inputs[1], n.outputs[1], n.outputs[2]},
                   n.params->attrs());
  return {g[0], g[1], g[2]};
}

MXL_REGISTER_OP(InstanceNorm)
    .describe("Instance normalization: each (sample, channel) of an (N, C, spatial...) input is "
              "normalized over its spatial positions, out = (x - mean) / sqrt(var + eps) * "
              "gamma[c] + beta[c].")
    .add_input("data", "An n-dimensional input array (n > 2) of the form [batch, channel, "
               "spatial_dim1, spatial_dim2, ...].")
    .add_input("gamma", "A vector of length 'channel', which multiplies the normalized input.")
    .add_input("beta", "A vector of length 'channel', which is added to the product of the "
               "normalized input and the weight.")
    .set_outputs({"output", "mean", "std"})
    .add_param("eps", "float", "0.001", "An `epsilon` parameter to prevent division by 0.")
    .set_num_visible_outputs([](const Params&) { return 1; })
    .set_infer_shape(in_shape)
    .set_infer_type(norm::infer_type_uniform_float)
    .set_forward(in_forward)
    .set_gradient(in_gradient);

MXL_REGISTER_OP(_backward_InstanceNorm)
    .describe("Gradient of InstanceNorm with respect to data, gamma and beta.")
    .add_input("out_grad", "gradient of InstanceNorm's output")
    .add_input("data", "InstanceNorm's input")
    .add_input("gamma", "gamma")
    .add_input("mean", "the forward's mean")
    .add_input("std", "the forward's std")
    .set_outputs({"data_grad", "gamma_grad", "beta_grad"})
    .copy_params_from("InstanceNorm")
    .set_infer_shape(in_backward_shape)
    .set_infer_type(norm::infer_type_uniform_float)
    .set_forward(in_backward);

}  // namespace
}  // namespace mxl
