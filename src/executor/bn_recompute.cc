// BatchNorm's output recomputed from the statistics its forward saved, for
// checkpointing (mirror.h): y = (x - mean) * invstd * gamma + beta with the
// forward's own affine kernel, so the copy reproduces the forward's values
// without updating the moving statistics again.  The op is private to the
// executor (never registered: graphs that contain it are never serialized)
// and takes BatchNorm's parameters.
#include "executor/mirror.h"

#include "operator/batch_norm_kernels.h"

namespace mxl {
namespace exec {
namespace {

template <typename DT>
void recompute(const Params& p, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  using P = norm::acc_t<DT>;
  int axis = static_cast<int>(p.get_int("axis"));
  if (axis < 0) axis += in[0].shape.ndim();
  const norm::Split3 s = norm::split_at(in[0].shape, axis);
  const bool fix_gamma = p.get_bool("fix_gamma");
  const P* gamma = in[1].ptr<P>();
  const P* beta = in[2].ptr<P>();
  const P* mean = in[3].ptr<P>();
  const P* invstd = in[4].ptr<P>();
  std::vector<P> scale(s.mid), shift(s.mid);
  for (int64_t c = 0; c < s.mid; ++c) {
    scale[c] = (fix_gamma ? P(1) : gamma[c]) * invstd[c];
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  bn::apply_affine(in[0].ptr<DT>(), out[0].ptr<DT>(), s, scale.data(), shift.data());
}

OpDef make_op() {
  OpDef op;
  op.name = "_mirror_BatchNorm";
  op.input_names = {"data", "gamma", "beta", "mean", "invstd"};
  op.output_names = {"output"};
  op.infer_shape = [](const Params&, std::vector<Shape>* in, std::vector<Shape>* out) {
    (*out)[0] = (*in)[0];
  };
  op.infer_type = [](const Params&, std::vector<DType>* in, std::vector<DType>* out) {
    (*out)[0] = (*in)[0];
  };
  op.forward = [](const OpContext&, const Params& p, const std::vector<TBlob>& in,
                  const std::vector<TBlob>& out) {
    MXL_FLOAT_SWITCH(in[0].dtype, DT, "BatchNorm", { recompute<DT>(p, in, out); });
  };
  return op;
}

}  // namespace

const OpDef* bn_recompute_op() {
  static const OpDef op = make_op();
  return &op;
}

}  // namespace exec
}  // namespace mxl
