// Parameters and shape rules shared by Convolution and Deconvolution
// (MXNet 1.9 semantics).
//
// Convolution:   out = (in + 2*pad - dilate*(kernel-1) - 1) / stride + 1
// Deconvolution: out = (in-1)*stride - 2*pad + dilate*(kernel-1) + 1 + adj,
//   or target_shape when given (any entry non-zero): then MXNet derives pad
//   and adj from it: total = (in-1)*stride + dilate*(kernel-1) + 1 - target,
//   adj = total % 2, pad = (total + 1) / 2.
// Both reduce to one ConvGeom (conv_kernels.h): a Deconvolution is the
// convolution whose *input* is the deconvolution's output.
#pragma once
#include <string>
#include <vector>

#include "operator/conv_kernels.h"
#include "autograd/gradient.h"
#include "operator/registry.h"

namespace mxl {

struct ConvParams {
  std::string op;  // "Convolution" or "Deconvolution" (for messages)
  bool deconv = false;
  int nsp = 0;     // spatial dims (kernel length)
  int64_t kernel[3] = {1, 1, 1}, stride[3] = {1, 1, 1}, dilate[3] = {1, 1, 1};
  int64_t pad[3] = {0, 0, 0}, adj[3] = {0, 0, 0}, target[3] = {0, 0, 0};
  bool has_target = false;
  int64_t num_filter = 0, num_group = 1;
  bool no_bias = false;
};

// Reads and validates the attributes (kernel, stride, ... lengths and ranges,
// layout).  Throws Error(VALUE) / Error(NOT_IMPLEMENTED) naming the op and
// the parameter.
ConvParams parse_conv_params(const Params& p);

// The geometry for a data shape; validates the data shape against the
// params.  N, C, in/out, OC, G, k, s, d and the effective pad are filled.
ConvGeom conv_geometry(const ConvParams& cp, const Shape& data);

// The expected weight and bias shapes for that geometry.
Shape conv_weight_shape(const ConvParams& cp, const ConvGeom& g);

// Shape inference for Convolution/Deconvolution (in: data, weight[, bias]):
// fills unknown weight/bias shapes, checks known ones, sets the output.
void infer_conv_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out);

// Registers the parameters common to both ops (MXNet's order and defaults).
void add_conv_params(OpDef& op, bool deconv);

}  // namespace mxl

namespace mxl {

// The hidden _backward_Convolution/_backward_Deconvolution ops take
// (out_grad, data, weight) and produce (data_grad, weight_grad[, bias_grad]).
// Their extra boolean params grad_data/grad_weight/grad_bias (default True)
// let the gradient skip work nobody asked for: a skipped output has shape
// (0,), so it costs neither memory nor time.
void add_conv_backward_params(OpDef& op);
void infer_conv_backward_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out);
int conv_backward_num_outputs(const Params& p);
// Float dtypes only; all inputs share one dtype.
void infer_conv_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out);
// The gradient of Convolution/Deconvolution: applies the backward op
// `backward_op` with the forward's attributes; with `blocked_data`, the
// forward's hidden blocked_data output goes along (Convolution).
std::vector<GradValue> conv_family_gradient(const char* backward_op, GradBuilder& b,
                                            const GradNode& n, bool blocked_data = false);

}  // namespace mxl
