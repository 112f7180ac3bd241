// Identity-forward ops whose point is their gradient (MXNet 1.9):
//
//   BlockGrad (alias stop_gradient)  gradient zero
//   make_loss                        gradient ones, ignoring the head gradient
//   MakeLoss                         gradient grad_scale / normalizer,
//                                    ignoring the head gradient; normalizer
//                                    1 (null), the batch size d0 (batch) or
//                                    the number of elements > valid_thresh
//                                    (valid, at least 1)
//
// (_copy / identity live with the shape ops.)
#include <algorithm>
#include <cstring>

#include "operator/nn_util.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

template <typename T>
void make_loss_grad_typed(const Params& p, const TBlob& x, const TBlob& out) {
  using A = nn::Acc<T>;
  const std::string& mode = p.get_enum("normalization");
  double norm = 1;
  if (mode == "batch") {
    norm = x.shape.ndim() ? static_cast<double>(std::max<int64_t>(x.shape[0], 1)) : 1.0;
  } else if (mode == "valid") {
    const T* v = x.ptr<T>();
    const A thresh = static_cast<A>(p.get_float("valid_thresh"));
    int64_t count = 0;
    for (int64_t i = 0; i < x.numel(); ++i) count += A(v[i]) > thresh;
    norm = static_cast<double>(std::max<int64_t>(count, 1));
  }
  const A g = static_cast<A>(p.get_float("grad_scale") / norm);
  nn::fill_elements(out.numel(), out.ptr<T>(), 1, [g](int64_t) { return g; });
}

void make_loss_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                        const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, "_backward_MakeLoss", { make_loss_grad_typed<T>(p, in[0], out[0]); })
}

void register_identity_ops() {
  Registry::get()
      .add("BlockGrad")
      .describe("Stops gradient computation: the output equals the input and no gradient "
                "flows back to it.")
      .add_alias("stop_gradient")
      .add_input("data", "The input array.")
      .set_infer_shape(shape_ops::infer_same_shape)
      .add_inplace(0, 0)
      .set_forward(shape_ops::copy_forward)
      .set_gradient(zero_gradient);

  Registry::get()
      .add("make_loss")
      .describe("Make your own loss function in network construction: the output equals the "
                "input and the gradient is ones (the head gradient is ignored).")
      .add_input("data", "The input array.")
      .set_infer_shape(shape_ops::infer_same_shape)
      .add_inplace(0, 0)
      .set_forward(shape_ops::copy_forward)
      .set_gradient([](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
        return {b.op("ones_like", {n.inputs[0]})};
      });

  Registry::get()
      .add("MakeLoss")
      .describe("Make your own loss function in network construction: the output equals the "
                "input; the gradient is grad_scale divided by the normalizer chosen by "
                "normalization (null: 1, batch: the first dimension, valid: the number of "
                "elements greater than valid_thresh), whatever the head gradient.")
      .add_input("data", "Input array.")
      .add_param("grad_scale", "float", "1", "Gradient scale as a supplement to unary and binary operators")
      .add_param("valid_thresh", "float", "0",
                 "clip each element in the array to 0 when it is less than ``valid_thresh``. "
                 "This is used when ``normalization`` is set to ``'valid'``.")
      .add_param("normalization", "enum{batch,null,valid}", "null",
                 "If this is set to null, the output gradient will not be normalized. If this is "
                 "set to batch, the output gradient will be divided by the batch size. If this "
                 "is set to valid, the output gradient will be divided by the number of valid "
                 "input elements.")
      .set_infer_shape(shape_ops::infer_same_shape)
      .set_infer_type(nn::infer_float_type)
      .add_inplace(0, 0)
      .set_forward(shape_ops::copy_forward)
      .set_gradient([](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
        return {b.op("_backward_MakeLoss", {n.inputs[0]}, n.params->attrs())};
      });

  Registry::get()
      .add("_backward_MakeLoss")
      .describe("Gradient of MakeLoss from its input (for the valid count).")
      .add_input("data", "The forward's input.")
      .copy_params_from("MakeLoss")
      .set_infer_shape(shape_ops::infer_same_shape)
      .set_infer_type(nn::infer_float_type)
      .set_forward(make_loss_backward);
}

MXL_REGISTER_BLOCK(register_identity_ops);

}  // namespace
}  // namespace mxl
