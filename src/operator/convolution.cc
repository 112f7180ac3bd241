// Convolution and its hidden gradient op _backward_Convolution (MXNet 1.9).
//
// Kernels: conv_kernels.h (oneDNN for float32 and float16, im2col + BLAS
// for float64).  Parameters and shapes: conv_params.h.
#include "operator/conv_kernels.h"
#include "operator/conv_params.h"

namespace mxl {
namespace {

void convolution_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  const ConvParams cp = parse_conv_params(p);
  const ConvGeom g = conv_geometry(cp, in[0].shape);
  conv_forward(in[0].dtype, g, in[0].dptr, in[1].dptr, cp.no_bias ? nullptr : in[2].dptr,
               out[0].dptr);
}

// in: out_grad, data, weight.  out: data_grad, weight_grad[, bias_grad].
void convolution_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                          const std::vector<TBlob>& out) {
  const ConvParams cp = parse_conv_params(p);
  const ConvGeom g = conv_geometry(cp, in[1].shape);
  const DType t = in[0].dtype;
  const bool want_bias = !cp.no_bias && out[2].numel() > 0;
  const bool want_weight = p.get_bool("grad_weight");
  conv_backward(t, g, in[1].dptr, in[2].dptr, in[0].dptr,
                p.get_bool("grad_data") ? out[0].dptr : nullptr,
                want_weight ? out[1].dptr : nullptr,
                want_weight && want_bias ? out[2].dptr : nullptr);
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
  fwd.set_infer_shape(infer_conv_shape)
      .set_infer_type(infer_conv_type)
      .set_forward(convolution_forward)
      .set_gradient([](GradBuilder& b, const GradNode& n) {
        return conv_family_gradient("_backward_Convolution", b, n);
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
  bwd.set_num_outputs(conv_backward_num_outputs)
      .set_infer_shape(infer_conv_backward_shape)
      .set_infer_type(infer_conv_type)
      .set_forward(convolution_backward);
}

MXL_REGISTER_BLOCK(register_convolution);

}  // namespace
}  // namespace mxl
