// LayerNorm (MXNet 1.9 semantics) and its hidden backward.
//
// Normalizes over one axis (default the last): each position of the other
// axes gets its own mean and variance over that axis, then
// out = (x - mean) / sqrt(var + eps) * gamma + beta with gamma, beta of the
// axis' size.  Outputs: out, mean, std; mean and std (sqrt(var + eps)) have
// the data's shape with the axis reduced to 1 and are hidden unless
// output_mean_var.  All inputs share one float dtype.
#include <cmath>
#include <type_traits>
#include <vector>

#include "autograd/gradient.h"
#include "operator/dnnl_norm.h"
#include "operator/layer_norm_kernels.h"
#include "operator/registry.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

using norm::Split3;

int ln_axis(const Params& p, const Shape& x, const char* op) {
  return shape_ops::normalize_axis(p.get_int("axis"), x.ndim(), op, "axis");
}

void ln_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const double eps = p.get_float("eps");
  MXL_CHECK(std::isfinite(eps) && eps >= 0, MXL_ERR_VALUE, op_error_prefix("LayerNorm", "eps"),
            " must be a non-negative number, got ", eps);
  const Shape& x = (*in)[0];
  if (!x.known()) return;
  MXL_CHECK(x.ndim() >= 1, MXL_ERR_VALUE, op_error_prefix("LayerNorm", "data"),
            " must have at least one dimension");
  const int axis = ln_axis(p, x, "LayerNorm");
  norm::assign_vector_shape("LayerNorm", "gamma", &(*in)[1], x[axis], "the size of data's axis");
  norm::assign_vector_shape("LayerNorm", "beta", &(*in)[2], x[axis], "the size of data's axis");
  Shape stat = x;
  stat[axis] = 1;
  (*out)[0] = x;
  (*out)[1] = (*out)[2] = stat;
}

// oneDNN normalizes rows of the last axis.  Measured (bench/bench_norm.py,
// one thread, float32): its forward is faster than our loops (0.6 vs 0.85 ms
// on 4096x768), its backward slower (1.7 vs 1.5 ms), so by default
// (MXL_NORM_DNNL unset) the forward uses it and the backward does not.
bool use_dnnl(const Split3& s, bool forward) {
  if (s.inner != 1 || s.outer == 0 || s.mid == 0) return false;
  const dnnl_norm::Policy p = dnnl_norm::policy();
  return p == dnnl_norm::Policy::kForce || (p == dnnl_norm::Policy::kAuto && forward);
}

template <typename DT>
void ln_forward_typed(const Params& p, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  const Split3 s = norm::split_at(in[0].shape, ln_axis(p, in[0].shape, "LayerNorm"));
  const double eps = p.get_float("eps");
  const DT* x = in[0].ptr<DT>();
  const DT* gamma = in[1].ptr<DT>();
  const DT* beta = in[2].ptr<DT>();
  DT* y = out[0].ptr<DT>();
  DT* mean = out[1].ptr<DT>();
  DT* sd = out[2].ptr<DT>();
  if constexpr (std::is_same<DT, float>::value) {
    if (use_dnnl(s, true) && dnnl_norm::layer_norm_forward(x, y, s.outer, s.mid, gamma, beta,
                                                     static_cast<float>(eps), mean, sd)) {
      // oneDNN returns the variance; the hidden output holds the std.
      for (int64_t r = 0; r < s.outer; ++r) sd[r] = std::sqrt(sd[r] + static_cast<float>(eps));
      return;
    }
  }
  if (s.inner == 1) ln::forward_rows(x, y, s.outer, s.mid, gamma, beta, eps, mean, sd);
  else ln::forward_strided(x, y, s, gamma, beta, eps, mean, sd);
}

void ln_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, DT, "LayerNorm", { ln_forward_typed<DT>(p, in, out); });
}

// _backward_LayerNorm.  in: out_grad, data, gamma, mean, std.
// out: data_grad, gamma_grad, beta_grad.
void ln_backward_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& x = (*in)[1];
  if (!x.known()) return;
  const int axis = ln_axis(p, x, "_backward_LayerNorm");
  Shape stat = x;
  stat[axis] = 1;
  MXL_CHECK((*in)[0] == x && (*in)[3] == stat && (*in)[4] == stat, MXL_ERR_VALUE,
            "Operator _backward_LayerNorm: out_grad must have data's shape ", x.str(),
            " and mean, std the shape ", stat.str());
  norm::assign_vector_shape("_backward_LayerNorm", "gamma", &(*in)[2], x[axis], "the axis' size");
  (*out)[0] = x;
  (*out)[1] = (*out)[2] = Shape{x[axis]};
}

template <typename DT>
void ln_backward_typed(const Params& p, const std::vector<TBlob>& in,
                       const std::vector<TBlob>& out) {
  const Split3 s = norm::split_at(in[1].shape, ln_axis(p, in[1].shape, "_backward_LayerNorm"));
  const DT* dy = in[0].ptr<DT>();
  const DT* x = in[1].ptr<DT>();
  const DT* gamma = in[2].ptr<DT>();
  const DT* mean = in[3].ptr<DT>();
  const DT* sd = in[4].ptr<DT>();
  DT* dx = out[0].ptr<DT>();
  DT* dgamma = out[1].ptr<DT>();
  DT* dbeta = out[2].ptr<DT>();
  if constexpr (std::is_same<DT, float>::value) {
    if (use_dnnl(s, false)) {
      const float eps = static_cast<float>(p.get_float("eps"));
      std::vector<float> var(s.outer);
      for (int64_t r = 0; r < s.outer; ++r) var[r] = sd[r] * sd[r] - eps;
      if (dnnl_norm::layer_norm_backward(dy, x, s.outer, s.mid, gamma, mean, var.data(), eps, dx,
                                         dgamma, dbeta))
        return;
    }
  }
  if (s.inner == 1) ln::backward_rows(dy, x, s.outer, s.mid, gamma, mean, sd, dx, dgamma, dbeta);
  else ln::backward_strided(dy, x, s, gamma, mean, sd, dx, dgamma, dbeta);
}

void ln_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                 const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[1].dtype, DT, "_backward_LayerNorm", { ln_backward_typed<DT>(p, in, out); });
}

std::vector<GradValue> ln_gradient(GradBuilder& b, const GradNode& n) {
  auto g = b.apply_input_grads(
      "_backward_LayerNorm",
      {n.out_grads[0], n.inputs[0], n.inputs[1], n.outputs[1], n.outputs[2]}, n.params->attrs());
  return {g[0], g[1], g[2]};
}

MXL_REGISTER_OP(LayerNorm)
    .describe("Layer normalization: normalizes data over 'axis' (each position of the other "
              "axes separately) to zero mean and unit variance, then scales by gamma and shifts "
              "by beta (both of the axis' size). With output_mean_var=True the mean and the "
              "standard deviation sqrt(var + eps) are returned too, with the axis reduced to 1.")
    .add_input("data", "Input data to layer normalization")
    .add_input("gamma", "gamma array")
    .add_input("beta", "beta array")
    .set_outputs({"output", "mean", "std"})
    .add_param("axis", "int", "-1", "The axis to perform layer normalization. Usually, this "
               "should be be axis of the channel dimension. Negative values means indexing from "
               "right to left.")
    .add_param("eps", "float", "1e-05", "An `epsilon` parameter to prevent division by 0.")
    .add_param("output_mean_var", "bool", "False",
               "Output the mean and std calculated along the given axis.")
    .set_num_visible_outputs([](const Params& p) { return p.get_bool("output_mean_var") ? 3 : 1; })
    .set_infer_shape(ln_shape)
    .set_infer_type(norm::infer_type_uniform_float)
    .set_forward(ln_forward)
    .set_gradient(ln_gradient);

MXL_REGISTER_OP(_backward_LayerNorm)
    .describe("Gradient of LayerNorm with respect to data, gamma and beta.")
    .add_input("out_grad", "gradient of LayerNorm's output")
    .add_input("data", "LayerNorm's input")
    .add_input("gamma", "gamma")
    .add_input("mean", "the forward's mean")
    .add_input("std", "the forward's std")
    .set_outputs({"data_grad", "gamma_grad", "beta_grad"})
    .copy_params_from("LayerNorm")
    .set_infer_shape(ln_backward_shape)
    .set_infer_type(norm::infer_type_uniform_float)
    .set_forward(ln_backward);

}  // namespace
}  // namespace mxl
