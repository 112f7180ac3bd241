// Deconvolution (transposed convolution) and _backward_Deconvolution
// (MXNet 1.9).
//
// A Deconvolution is the data gradient of the convolution whose input has
// the Deconvolution's output shape: with that convolution's geometry g
// (conv_params.h),
//   forward:          y  = conv_backward_data(x, w) (+ bias)
//   data gradient:    dx = conv_forward(dy, w)
//   weight gradient:  dw = conv_backward_weights(input = dy, out_grad = x)
// The weight layout (in_channels, num_filter/num_group, kernel...) is
// exactly that convolution's (OC, C/G, kernel...) layout, so no reordering
// is needed and every dtype path of conv_kernels.h serves both ops.
#include "operator/conv_kernels.h"
#include "operator/conv_params.h"

namespace mxl {
namespace {

void deconvolution_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                           const std::vector<TBlob>& out) {
  const ConvParams cp = parse_conv_params(p);
  const ConvGeom g = conv_geometry(cp, in[0].shape);
  const DType t = in[0].dtype;
  conv_backward_data(t, g, in[0].dptr, in[1].dptr, out[0].dptr);
  if (!cp.no_bias) add_channel_bias(t, g.N, g.C, g.in_size(), in[2].dptr, out[0].dptr);
}

// in: out_grad, data, weight.  out: data_grad, weight_grad[, bias_grad].
void deconvolution_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                            const std::vector<TBlob>& out) {
  const ConvParams cp = parse_conv_params(p);
  const ConvGeom g = conv_geometry(cp, in[1].shape);
  const DType t = in[0].dtype;
  if (p.get_bool("grad_data")) conv_forward(t, g, in[0].dptr, in[2].dptr, nullptr, out[0].dptr);
  if (p.get_bool("grad_weight"))
    conv_backward_weights(t, g, in[0].dptr, in[1].dptr, out[1].dptr, nullptr);
  if (!cp.no_bias && out[2].numel() > 0)
    channel_bias_grad(t, g.N, g.C, g.in_size(), in[0].dptr, out[2].dptr);
}

void register_deconvolution() {
  OpDef& fwd = Registry::get().add("Deconvolution");
  fwd.describe(
         "Computes 1-D, 2-D or 3-D transposed convolution (aka fractionally strided "
         "convolution) of the input tensor: the gradient of Convolution with respect to its "
         "data. The weight has shape (in_channels, num_filter/num_group, kernel...); out = "
         "(in-1)*stride - 2*pad + dilate*(kernel-1) + 1 + adj along each spatial axis, or "
         "target_shape when given.")
      .add_input("data", "Input tensor to the deconvolution operation.")
      .add_input("weight", "Weights representing the kernel.")
      .add_input("bias", "Bias added to the result after the deconvolution (absent when "
                         "no_bias=True, the default).");
  add_conv_params(fwd, /*deconv=*/true);
  fwd.num_inputs_fn = [](const Params& p) { return p.get_bool("no_bias") ? 2 : 3; };
  fwd.set_infer_shape(infer_conv_shape)
      .set_infer_type(infer_conv_type)
      .set_forward(deconvolution_forward)
      .set_gradient([](GradBuilder& b, const GradNode& n) {
        return conv_family_gradient("_backward_Deconvolution", b, n);
      });

  OpDef& bwd = Registry::get().add("_backward_Deconvolution");
  bwd.describe("Gradient of Deconvolution: inputs (out_grad, data, weight); outputs "
               "(data_grad, weight_grad[, bias_grad]).")
      .add_input("out_grad", "Gradient of the Deconvolution output.")
      .add_input("data", "The Deconvolution's data input.")
      .add_input("weight", "The Deconvolution's weight input.")
      .set_outputs({"data_grad", "weight_grad", "bias_grad"})
      .copy_params_from("Deconvolution");
  add_conv_backward_params(bwd);
  bwd.set_num_outputs(conv_backward_num_outputs)
      .set_infer_shape(infer_conv_backward_shape)
      .set_infer_type(infer_conv_type)
      .set_forward(deconvolution_backward);
}

MXL_REGISTER_BLOCK(register_deconvolution);

}  // namespace
}  // namespace mxl
