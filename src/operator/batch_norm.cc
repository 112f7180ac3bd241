// BatchNorm (MXNet 1.9 semantics) and its hidden backward.
//
// Outputs: out, mean, var.  mean and var are hidden unless output_mean_var
// (as in MXNet they hold the mean and the *inverse standard deviation*
// 1/sqrt(var + eps) the output was normalized with: the batch's in training,
// the moving statistics' otherwise).  The gradient reads them.
//
// Training (autograd's train mode, use_global_stats=False) normalizes with the
// batch statistics (biased variance, divided by the element count, as MXNet)
// and updates the moving statistics in place, in the forward:
//   moving = moving * momentum + batch * (1 - momentum).
// (MXNet 1.9.1's CPU build defers that update to the backward pass; in a
// record/backward training loop the results are identical.)
//
// Parameter dtype: float32 for float16 data (as MXNet), the data's otherwise.
// The loops in batch_norm_kernels.h run every dtype; oneDNN's float32 kernel
// (dnnl_norm_batch.cc) is used only when forced with MXL_NORM_DNNL=1: for
// the plain layouts MXNet uses it measured several times slower.
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "autograd/gradient.h"
#include "operator/batch_norm_kernels.h"
#include "operator/dnnl_norm.h"
#include "operator/registry.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

using norm::Split3;

const char* const kInputNames[] = {"data", "gamma", "beta", "moving_mean", "moving_var"};

DType param_dtype(DType data) { return data == DType::kFloat16 ? DType::kFloat32 : data; }

int channel_axis(const Params& p, const Shape& data, const char* op) {
  return shape_ops::normalize_axis(p.get_int("axis"), data.ndim(), op, "axis");
}

void check_params(const Params& p) {
  const double eps = p.get_float("eps");
  MXL_CHECK(std::isfinite(eps) && eps > 0, MXL_ERR_VALUE, op_error_prefix("BatchNorm", "eps"),
            " must be a positive number, got ", eps);
  const double m = p.get_float("momentum");
  MXL_CHECK(std::isfinite(m), MXL_ERR_VALUE, op_error_prefix("BatchNorm", "momentum"),
            " must be finite, got ", m);
}

// in: data, gamma, beta, moving_mean, moving_var.  out: out, mean, var.
void bn_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  check_params(p);
  const Shape& x = (*in)[0];
  if (!x.known()) return;
  MXL_CHECK(x.ndim() >= 1, MXL_ERR_VALUE, op_error_prefix("BatchNorm", "data"),
            " must have at least one dimension");
  const int axis = channel_axis(p, x, "BatchNorm");
  const int64_t C = x[axis];
  for (int i = 1; i < 5; ++i)
    norm::assign_vector_shape("BatchNorm", kInputNames[i], &(*in)[i], C,
                              "one entry per channel (the size of data's axis)");
  (*out)[0] = x;
  (*out)[1] = Shape{C};
  (*out)[2] = Shape{C};
}

void bn_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  norm::check_float_data("BatchNorm", (*in)[0]);
  const DType pt = param_dtype((*in)[0]);
  for (int i = 1; i < 5; ++i)
    MXL_CHECK((*in)[i] == pt, MXL_ERR_TYPE, op_error_prefix("BatchNorm", kInputNames[i]),
              " has dtype ", dtype_name((*in)[i]), " but expected ", dtype_name(pt),
              " (parameters and moving statistics are float32 for float16 data, and the "
              "data's dtype otherwise)");
  (*out)[0] = (*in)[0];
  (*out)[1] = (*out)[2] = pt;
}

template <typename DT>
void bn_forward_typed(const OpContext& ctx, const Params& p, const std::vector<TBlob>& in,
                      const std::vector<TBlob>& out) {
  using P = norm::acc_t<DT>;
  const Split3 s = norm::split_at(in[0].shape, channel_axis(p, in[0].shape, "BatchNorm"));
  const int64_t C = s.mid;
  const bool fix_gamma = p.get_bool("fix_gamma");
  const bool batch = ctx.is_train && !p.get_bool("use_global_stats");
  const P eps = static_cast<P>(p.get_float("eps"));
  const DT* x = in[0].ptr<DT>();
  DT* y = out[0].ptr<DT>();
  const P* gamma = in[1].ptr<P>();
  const P* beta = in[2].ptr<P>();
  P* moving_mean = in[3].ptr<P>();
  P* moving_var = in[4].ptr<P>();
  P* mean = out[1].ptr<P>();
  P* invstd = out[2].ptr<P>();
  std::vector<P> var(C);
  bool done = false;
  if (!batch) {
    for (int64_t c = 0; c < C; ++c) {
      mean[c] = moving_mean[c];
      var[c] = moving_var[c];
    }
  }
  if constexpr (std::is_same<DT, float>::value) {
    if (dnnl_norm::policy() == dnnl_norm::Policy::kForce)
      done = dnnl_norm::batch_norm_forward(x, y, s, fix_gamma ? nullptr : gamma, beta,
                                           static_cast<float>(eps), batch, mean, var.data());
  }
  if (batch && !done) bn::batch_stats(x, s, mean, var.data());
  for (int64_t c = 0; c < C; ++c) invstd[c] = P(1) / std::sqrt(var[c] + eps);
  if (!done) {
    std::vector<P> scale(C), shift(C);
    for (int64_t c = 0; c < C; ++c) {
      scale[c] = (fix_gamma ? P(1) : gamma[c]) * invstd[c];
      shift[c] = beta[c] - mean[c] * scale[c];
    }
    bn::apply_affine(x, y, s, scale.data(), shift.data());
  }
  if (batch) {
    const P m = static_cast<P>(p.get_float("momentum"));
    for (int64_t c = 0; c < C; ++c) {
      moving_mean[c] = moving_mean[c] * m + mean[c] * (P(1) - m);
      moving_var[c] = moving_var[c] * m + var[c] * (P(1) - m);
    }
  }
}

void bn_forward(const OpContext& ctx, const Params& p, const std::vector<TBlob>& in,
                const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, DT, "BatchNorm", { bn_forward_typed<DT>(ctx, p, in, out); });
}

// _backward_BatchNorm.  in: out_grad, data, gamma, mean, invstd (the hidden
// outputs).  out: data_grad, gamma_grad, beta_grad.  use_global_stats=True
// means the statistics were constants (the gradient sets it for a forward
// recorded outside training mode).
void bn_backward_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& x = (*in)[1];
  if (!x.known()) return;
  const int64_t C = x[channel_axis(p, x, "_backward_BatchNorm")];
  MXL_CHECK((*in)[0] == x, MXL_ERR_VALUE, op_error_prefix("_backward_BatchNorm", "out_grad"),
            " has shape ", (*in)[0].str(), " but data has shape ", x.str());
  const char* names[] = {"gamma", "mean", "invstd"};
  for (int i = 2; i < 5; ++i)
    norm::assign_vector_shape("_backward_BatchNorm", names[i - 2], &(*in)[i], C, "one per channel");
  (*out)[0] = x;
  (*out)[1] = (*out)[2] = Shape{C};
}

void bn_backward_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  norm::check_float_data("_backward_BatchNorm", (*in)[1]);
  const DType pt = param_dtype((*in)[1]);
  MXL_CHECK((*in)[0] == (*in)[1], MXL_ERR_TYPE, "Operator _backward_BatchNorm: out_grad has dtype ",
            dtype_name((*in)[0]), " but data has dtype ", dtype_name((*in)[1]));
  for (int i = 2; i < 5; ++i)
    MXL_CHECK((*in)[i] == pt, MXL_ERR_TYPE, "Operator _backward_BatchNorm: input ", i,
              " has dtype ", dtype_name((*in)[i]), " but expected ", dtype_name(pt));
  (*out)[0] = (*in)[1];
  (*out)[1] = (*out)[2] = pt;
}

template <typename DT>
void bn_backward_typed(const Params& p, const std::vector<TBlob>& in,
                       const std::vector<TBlob>& out) {
  using P = norm::acc_t<DT>;
  const Split3 s = norm::split_at(in[1].shape, channel_axis(p, in[1].shape, "_backward_BatchNorm"));
  const bool fix_gamma = p.get_bool("fix_gamma");
  const bool global = p.get_bool("use_global_stats");
  const DT* dy = in[0].ptr<DT>();
  const DT* x = in[1].ptr<DT>();
  const P* gamma = in[2].ptr<P>();
  const P* mean = in[3].ptr<P>();
  const P* invstd = in[4].ptr<P>();
  P* dgamma = out[1].ptr<P>();
  P* dbeta = out[2].ptr<P>();
  if constexpr (std::is_same<DT, float>::value) {
    if (dnnl_norm::policy() == dnnl_norm::Policy::kForce) {
      const float eps = static_cast<float>(p.get_float("eps"));
      std::vector<float> var(s.mid);
      for (int64_t c = 0; c < s.mid; ++c) var[c] = 1.0f / (invstd[c] * invstd[c]) - eps;
      if (dnnl_norm::batch_norm_backward(dy, x, s, gamma, mean, var.data(), eps, global,
                                         out[0].ptr<float>(), fix_gamma ? nullptr : dgamma,
                                         dbeta)) {
        if (fix_gamma) std::fill(dgamma, dgamma + s.mid, 0.0f);
        return;
      }
    }
  }
  bn::backward(dy, x, s, mean, invstd, gamma, fix_gamma, !global, out[0].ptr<DT>(), dgamma,
               dbeta);
}

void bn_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                 const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[1].dtype, DT, "_backward_BatchNorm", { bn_backward_typed<DT>(p, in, out); });
}

std::vector<GradValue> bn_gradient(GradBuilder& b, const GradNode& n) {
  Attrs attrs = n.params->attrs();
  // Outside training mode the forward used the moving statistics: constants.
  if (!n.is_train) {
    for (auto it = attrs.begin(); it != attrs.end();)
      it = it->first == "use_global_stats" ? attrs.erase(it) : it + 1;
    attrs.emplace_back("use_global_stats", "True");
  }
  auto g = b.apply_input_grads(
      "_backward_BatchNorm",
      {n.out_grads[0], n.inputs[0], n.inputs[1], n.outputs[1], n.outputs[2]}, attrs);
  return {g[0], g[1], g[2], GradValue{}, GradValue{}};
}

MXL_REGISTER_OP(BatchNorm)
    .describe("Batch normalization: normalizes each channel (the size of data's 'axis') by the "
              "mean and variance over all other axes, then scales by gamma and shifts by beta. "
              "In training mode (autograd train_mode, use_global_stats=False) the batch "
              "statistics are used and moving_mean / moving_var are updated in place as "
              "moving = moving * momentum + batch * (1 - momentum) (biased batch variance); "
              "otherwise the moving statistics are used. fix_gamma=True treats gamma as 1 and "
              "gives it no gradient. With output_mean_var=True the mean and the inverse "
              "standard deviation used are returned too.")
    .add_input("data", "Input data to batch normalization")
    .add_input("gamma", "gamma array")
    .add_input("beta", "beta array")
    .add_input("moving_mean", "running mean of input")
    .add_input("moving_var", "running variance of input")
    .set_outputs({"output", "mean", "var"})
    .add_param("eps", "float", "0.001", "Epsilon to prevent div 0.")
    .add_param("momentum", "float", "0.9", "Momentum for moving average")
    .add_param("fix_gamma", "bool", "True", "Fix gamma while training")
    .add_param("use_global_stats", "bool", "False",
               "Whether use global moving statistics instead of local batch-norm. This will "
               "force change batch-norm into a scale shift operator.")
    .add_param("output_mean_var", "bool", "False", "Output the mean and inverse std")
    .add_param("axis", "int", "1", "Specify which shape axis the channel is specified")
    .add_param("cudnn_off", "bool", "False", "Do not select CUDNN operator, if available "
               "(accepted; there is no GPU backend)")
    .add_param("min_calib_range", "optional<float>", "None",
               "Calibration minimum for quantized batch norm (accepted, unused in float)")
    .add_param("max_calib_range", "optional<float>", "None",
               "Calibration maximum for quantized batch norm (accepted, unused in float)")
    .add_mutate_input(3)
    .add_mutate_input(4)
    .set_num_visible_outputs([](const Params& p) { return p.get_bool("output_mean_var") ? 3 : 1; })
    .set_infer_shape(bn_shape)
    .set_infer_type(bn_type)
    .set_forward(bn_forward)
    .set_gradient(bn_gradient);

MXL_REGISTER_OP(_backward_BatchNorm)
    .describe("Gradient of BatchNorm with respect to data, gamma and beta, from the output "
              "gradient and the forward's hidden mean and inverse std.")
    .add_input("out_grad", "gradient of BatchNorm's output")
    .add_input("data", "BatchNorm's input")
    .add_input("gamma", "gamma")
    .add_input("mean", "the mean the forward normalized with")
    .add_input("invstd", "the inverse standard deviation the forward normalized with")
    .set_outputs({"data_grad", "gamma_grad", "beta_grad"})
    .copy_params_from("BatchNorm")
    .set_infer_shape(bn_backward_shape)
    .set_infer_type(bn_backward_type)
    .set_forward(bn_backward);

}  // namespace
}  // namespace mxl
