// _copy, zeros_like and ones_like: outputs of the input's shape and dtype.
// _copy passes its gradient through; zeros_like and ones_like do not depend
// on the input's values, so their gradient is zero (MXNet), which also lets
// second-order passes run through gradients that build zeros.
#include "common/parallel.h"
#include "operator/registry.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

using namespace shape_ops;

void fill_forward(const TBlob& dst, double value) {
  MXL_TYPE_SWITCH(dst.dtype, T, {
    const T v = cast_scalar<T>(value);
    T* o = dst.ptr<T>();
    parallel_for(dst.numel(), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) o[i] = v;
    });
  })
}

void zeros_like_forward(const OpContext&, const Params&, const std::vector<TBlob>&,
                        const std::vector<TBlob>& out) {
  fill_forward(out[0], 0.0);
}

void ones_like_forward(const OpContext&, const Params&, const std::vector<TBlob>&,
                       const std::vector<TBlob>& out) {
  fill_forward(out[0], 1.0);
}

MXL_REGISTER_OP(_copy)
    .describe("Returns a copy of the input.")
    .add_alias("identity")
    .add_input("data", "The input array.")
    .set_infer_shape(infer_same_shape)
    .set_forward(copy_forward)
    .set_gradient([](GradBuilder&, const GradNode& n) -> std::vector<GradValue> {
      return {n.out_grads[0]};
    });

// The output never reads the input's values, so it may overwrite it.
MXL_REGISTER_OP(zeros_like)
    .describe("Returns an array of zeros with the same shape and dtype as the input.")
    .add_input("data", "The input")
    .set_infer_shape(infer_same_shape)
    .add_inplace(0, 0)
    .set_forward(zeros_like_forward)
    .set_gradient(zero_gradient);

MXL_REGISTER_OP(ones_like)
    .describe("Returns an array of ones with the same shape and dtype as the input.")
    .add_input("data", "The input")
    .set_infer_shape(infer_same_shape)
    .add_inplace(0, 0)
    .set_forward(ones_like_forward)
    .set_gradient(zero_gradient);

}  // namespace
}  // namespace mxl
