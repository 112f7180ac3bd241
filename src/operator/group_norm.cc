// GroupNorm (MXNet 1.9 semantics) and its hidden backward.
//
// The channels (axis 1) of an (N, C, ...) input are split into num_groups
// groups; each (sample, group) is normalized over its channels and spatial
// positions, then scaled and shifted by gamma and beta.  As in MXNet 1.9,
// gamma and beta have one entry per *group*, shape (num_groups,).  Outputs:
// out, mean, std (sqrt(var + eps)), the last two of shape (N, num_groups) and
// hidden unless output_mean_var.
#include <cmath>
#include <vector>

#include "autograd/gradient.h"
#include "operator/norm_rows.h"
#include "operator/registry.h"

namespace mxl {
namespace {

void gn_check(const Params& p, const Shape& x, const char* op) {
  const int64_t G = p.get_int("num_groups");
  MXL_CHECK(G >= 1, MXL_ERR_VALUE, op_error_prefix(op, "num_groups"), " must be at least 1, got ", G);
  const double eps = p.get_float("eps");
  MXL_CHECK(std::isfinite(eps) && eps >= 0, MXL_ERR_VALUE, op_error_prefix(op, "eps"),
            " must be a non-negative number, got ", eps);
  MXL_CHECK(x.ndim() >= 3, MXL_ERR_VALUE, op_error_prefix(op, "data"), " has shape ", x.str(),
            "; expected at least 3 dimensions (batch, channel, spatial...)");
  MXL_CHECK(x[1] % G == 0, MXL_ERR_VALUE, op_error_prefix(op, "num_groups"), " is ", G,
            " but the ", x[1], " channels of data (shape ", x.str(), ") are not divisible by it");
}

void gn_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& x = (*in)[0];
  if (!x.known()) return;
  gn_check(p, x, "GroupNorm");
  const int64_t G = p.get_int("num_groups");
  norm::assign_vector_shape("GroupNorm", "gamma", &(*in)[1], G, "one entry per group");
  norm::assign_vector_shape("GroupNorm", "beta", &(*in)[2], G, "one entry per group");
  (*out)[0] = x;
  (*out)[1] = (*out)[2] = Shape{x[0], G};
}

void gn_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                const std::vector<TBlob>& out) {
  const Shape& x = in[0].shape;
  const int64_t G = p.get_int("num_groups"), rows = x[0] * G;
  const int64_t L = rows ? x.numel() / rows : 0;
  MXL_FLOAT_SWITCH(in[0].dtype, DT, "GroupNorm", {
    norm::rows_forward(in[0].ptr<DT>(), out[0].ptr<DT>(), rows, L, G, in[1].ptr<DT>(),
                       in[2].ptr<DT>(), p.get_float("eps"), out[1].ptr<DT>(), out[2].ptr<DT>());
  });
}

// _backward_GroupNorm.  in: out_grad, data, gamma, mean, std.
// out: data_grad, gamma_grad, beta_grad.
void gn_backward_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& x = (*in)[1];
  if (!x.known()) return;
  gn_check(p, x, "_backward_GroupNorm");
  const int64_t G = p.get_int("num_groups");
  const Shape stat{x[0], G};
  MXL_CHECK((*in)[0] == x && (*in)[3] == stat && (*in)[4] == stat, MXL_ERR_VALUE,
            "Operator _backward_GroupNorm: out_grad must have data's shape ", x.str(),
            " and mean, std the shape ", stat.str());
  norm::assign_vector_shape("_backward_GroupNorm", "gamma", &(*in)[2], G, "one entry per group");
  (*out)[0] = x;
  (*out)[1] = (*out)[2] = Shape{G};
}

void gn_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                 const std::vector<TBlob>& out) {
  const Shape& x = in[1].shape;
  const int64_t G = p.get_int("num_groups"), rows = x[0] * G;
  const int64_t L = rows ? x.numel() / rows : 0;
  MXL_FLOAT_SWITCH(in[1].dtype, DT, "_backward_GroupNorm", {
    norm::rows_backward(in[0].ptr<DT>(), in[1].ptr<DT>(), rows, L, G, in[2].ptr<DT>(),
                        in[3].ptr<DT>(), in[4].ptr<DT>(), out[0].ptr<DT>(), out[1].ptr<DT>(),
                        out[2].ptr<DT>());
  });
}

std::vector<GradValue> gn_gradient(GradBuilder& b, const GradNode& n) {
  auto g = b.apply("_backward_GroupNorm",
                   {n.out_grads[0], n.inputs[0], n.inputs[1], n.outputs[1], n.outputs[2]},
                   n.params->attrs());
  return {g[0], g[1], g[2]};
}

MXL_REGISTER_OP(GroupNorm)
    .describe("Group normalization: the channels (axis 1) are split into num_groups groups and "
              "each (sample, group) is normalized over its channels and spatial positions: "
              "out = (x - mean) / sqrt(var + eps) * gamma + beta, with gamma and beta of shape "
              "(num_groups,) as in MXNet 1.9. With output_mean_var=True the mean and std, of "
              "shape (N, num_groups), are returned too.")
    .add_input("data", "Input data")
    .add_input("gamma", "gamma array")
    .add_input("beta", "beta array")
    .set_outputs({"output", "mean", "std"})
    .add_param("num_groups", "int", "1", "Total number of groups.")
    .add_param("eps", "float", "1e-05", "An `epsilon` parameter to prevent division by 0.")
    .add_param("output_mean_var", "bool", "False",
               "Output the mean and std calculated along the given axis.")
    .set_num_visible_outputs([](const Params& p) { return p.get_bool("output_mean_var") ? 3 : 1; })
    .set_infer_shape(gn_shape)
    .set_infer_type(norm::infer_type_uniform_float)
    .set_forward(gn_forward)
    .set_gradient(gn_gradient);

MXL_REGISTER_OP(_backward_GroupNorm)
    .describe("Gradient of GroupNorm with respect to data, gamma and beta.")
    .add_input("out_grad", "gradient of GroupNorm's output")
    .add_input("data", "GroupNorm's input")
    .add_input("gamma", "gamma")
    .add_input("mean", "the forward's mean")
    .add_input("std", "the forward's std")
    .set_outputs({"data_grad", "gamma_grad", "beta_grad"})
    .copy_params_from("GroupNorm")
    .set_infer_shape(gn_backward_shape)
    .set_infer_type(norm::infer_type_uniform_float)
    .set_forward(gn_backward);

}  // namespace
}  // namespace mxl
