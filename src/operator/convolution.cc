// Convolution and its hidden gradient op _backward_Convolution (MXNet 1.9).
//
// Kernels: conv_kernels.h (oneDNN for float32 and float16, im2col + BLAS
// for float64).  Parameters and shapes: conv_params.h.
#include "operator/conv_kernels.h"
#include "operator/conv_params.h"

namespace mxl {
namespace {

// out: y, and the hidden blocked_data (conv_kernels.h: conv_blocked_data_size).
void infer_convolution_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  infer_conv_shape(p, in, out);
  if ((*in)[0].known())
    (*out)[1] = Shape{conv_blocked_data_size(conv_geometry(parse_conv_params(p), (*in)[0]))};
}

void infer_convolution_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  infer_conv_type(p, in, out);
  (*out)[1] = DType::kFloat32;  // blocked_data holds float32 whatever the data's dtype
}

// The float inputs share one dtype; the optional blocked_data is float32.
void infer_convolution_backward_type(const Params& p, std::vector<DType>* in,
                                     std::vector<DType>* out) {
  std::vector<DType> floats(in->begin(), in->begin() + 3);
  infer_conv_type(p, &floats, out);
  if (in->size() > 3) {
    MXL_CHECK((*in)[3] == DType::kFloat32, MXL_ERR_TYPE,
              op_error_prefix("_backward_Convolution", "blocked_data"), " has dtype ",
              dtype_name((*in)[3]), "; expected float32 (the Convolution's hidden blocked_data output)");
  }
}

// in: out_grad, data, weight[, blocked_data]: the common checks, and
// blocked_data's size against the data's geometry.
void infer_convolution_backward_shape(const Params& p, std::vector<Shape>* in,
                                      std::vector<Shape>* out) {
  infer_conv_backward_shape(p, in, out);
  if (in->size() < 4 || !(*in)[1].known() || !(*in)[3].known()) return;
  const int64_t size = conv_blocked_data_size(conv_geometry(parse_conv_params(p), (*in)[1]));
  MXL_CHECK((*in)[3] == Shape{size}, MXL_ERR_VALUE,
            op_error_prefix("_backward_Convolution", "blocked_data"), " has shape ",
            (*in)[3].str(), "; expected (", size, ",), the Convolution's hidden blocked_data "
            "output for data of shape ", (*in)[1].str());
}

void convolution_forward(const OpContext& ctx, const Params& p, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  const ConvParams cp = parse_conv_params(p);
  const ConvGeom g = conv_geometry(cp, in[0].shape);
  ToPlain layout;  // y may stay in oneDNN's layout until something reads it
  conv_forward(in[0].dtype, g, in[0].dptr, in[1].dptr, cp.no_bias ? nullptr : in[2].dptr,
               out[0].dptr, out[1].ptr<float>(), ctx.may_leave_own_layout(0) ? &layout : nullptr);
  if (layout) ctx.leave_own_layout(0, std::move(layout));
}

// in: out_grad, data, weight[, blocked_data].  out: data_grad, weight_grad[, bias_grad].
void convolution_backward(const OpContext& ctx, const Params& p, const std::vector<TBlob>& in,
                          const std::vector<TBlob>& out) {
  const ConvParams cp = parse_conv_params(p);
  const ConvGeom g = conv_geometry(cp, in[1].shape);
  const DType t = in[0].dtype;
  const bool want_bias = !cp.no_bias && out[2].numel() > 0;
  const bool want_weight = p.get_bool("grad_weight");
  const float* ws = in.size() > 3 ? in[3].ptr<float>() : nullptr;  // checked by shape inference
  const bool want_data = p.get_bool("grad_data");
  ToPlain dx_layout;  // dx may stay in oneDNN's layout until something reads it
  conv_backward(t, g, in[1].dptr, in[2].dptr, in[0].dptr, want_data ? out[0].dptr : nullptr,
                want_weight ? out[1].dptr : nullptr,
                want_weight && want_bias ? out[2].dptr : nullptr, ws,
                want_data && ctx.may_leave_own_layout(0) ? &dx_layout : nullptr);
  if (dx_layout) ctx.leave_own_layout(0, std::move(dx_layout));
  if (want_bias && !want_weight)
    channel_bias_grad(t, g.N, g.OC, g.out_size(), in[0].dptr, out[2].dptr);
}

void register_convolution() {
  OpDef& fwd = Registry::get().add("Convolution");
  fwd.describe(
         "Compute N-D convolution on (N+2)-D input: 1-D (batch, channel, width), 2-D (batch, "
         "channel, height, width) or 3-D (batch, channel, depth, height, width) data with a "
         "weight of shape (num_filter, channel/num_group, kernel...) and an optional bias of "
         "shape (num_filter,). out = (in + 2*pad - dilate*(kernel-1) - 1) / stride + 1 along "
         "each spatial axis. num_group splits the channels into groups convolved separately "
         "(num_group == channel gives a depthwise convolution).")
      .add_input("data", "Input data to the ConvolutionOp.")
      .add_input("weight", "Weight matrix.")
      .add_input("bias", "Bias parameter (absent when no_bias=True).");
  add_conv_params(fwd, /*deconv=*/false);
  fwd.num_inputs_fn = [](const Params& p) { return p.get_bool("no_bias") ? 2 : 3; };
  fwd.set_outputs({"output", "blocked_data"})
      .set_num_visible_outputs([](const Params&) { return 1; })
      .set_num_mxnet_outputs([](const Params&) { return 1; })
      .set_infer_shape(infer_convolution_shape)
      .set_infer_type(infer_convolution_type)
      .set_forward(convolution_forward)
      .set_gradient([](GradBuilder& b, const GradNode& n) {
        return conv_family_gradient("_backward_Convolution", b, n, /*blocked_data=*/true);
      });

  OpDef& bwd = Registry::get().add("_backward_Convolution");
  bwd.describe("Gradient of Convolution: inputs (out_grad, data, weight); outputs (data_grad, "
               "weight_grad[, bias_grad]).")
      .add_input("out_grad", "Gradient of the Convolution output.")
      .add_input("data", "The Convolution's data input.")
      .add_input("weight", "The Convolution's weight input.")
      .set_outputs({"data_grad", "weight_grad", "bias_grad"})
      .copy_params_from("Convolution");
  add_conv_backward_params(bwd);
  bwd.add_optional_input("blocked_data",
                         "The Convolution's hidden blocked_data output (only with "
                         "use_blocked_data=True).",
                         "use_blocked_data",
                         "Whether the blocked_data input is given: the data in the blocked "
                         "layout a float32 forward reordered it to, which spares the weight "
                         "gradient doing so again.");
  bwd.set_num_outputs(conv_backward_num_outputs)
      .set_infer_shape(infer_convolution_backward_shape)
      .set_infer_type(infer_convolution_backward_type)
      .set_forward(convolution_backward);
}

MXL_REGISTER_BLOCK(register_convolution);

}  // namespace
}  // namespace mxl
