// Dropout (MXNet 1.9).
//
// Active when autograd is in training mode (mode='training') or always
// (mode='always'): each element is kept with probability 1 - p and scaled by
// 1 / (1 - p), so the expectation is unchanged; otherwise the op is the
// identity.  `axes` shares one draw along the listed axes (variational
// dropout: e.g. axes=(0,) drops whole features for every time step).
//
// A hidden second output, the mask, holds each element's multiplier (0 or
// 1 / (1 - p); 1 when inactive), so the gradient is dy * mask, written with
// elemwise_mul and hence differentiable again.  The draws come from the
// counter-based stream of random_generator.h keyed once per call: element i
// uses draw r(i), where r(i) is i's flat index with the `axes` coordinates
// set to zero, which is what makes the mask constant along those axes.
//
// p = 1 drops everything (the output is zeros); MXNet 1.9 produces NaN there.
#include <algorithm>
#include <cstring>

#include "operator/nn_util.h"
#include "operator/random_generator.h"

namespace mxl {
namespace {

const char* const kOp = "Dropout";

bool dropout_active(const OpContext& ctx, const Params& p) {
  return p.get_float("p") > 0 && (ctx.is_train || p.get_enum("mode") == "always");
}

void infer_dropout_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& s = (*in)[0];
  if (!s.known()) return;
  for (int64_t a : p.get_shape("axes")) {
    MXL_CHECK(a >= -s.ndim() && a < s.ndim(), MXL_ERR_INDEX, op_error_prefix(kOp, "axes"),
              " contains axis ", a, ", out of range for data with ", s.ndim(), " dimensions");
  }
  (*out)[0] = s;
  (*out)[1] = s;
}

// Maps a flat index to the index of its draw (axes coordinates zeroed).
struct DrawIndex {
  int ndim = 0;
  int64_t extent[kMaxNdim], stride[kMaxNdim];  // stride 0 on shared axes
  bool identity = true;

  DrawIndex(const Shape& s, const std::vector<int64_t>& axes) {
    ndim = s.ndim();
    bool shared[kMaxNdim] = {};
    for (int64_t a : axes) {
      const int ax = static_cast<int>(a < 0 ? a + ndim : a);
      shared[ax] = true;
      identity = false;
    }
    int64_t st = 1;
    for (int d = ndim - 1; d >= 0; --d) {
      extent[d] = s[d];
      stride[d] = shared[d] ? 0 : st;
      st *= s[d];
    }
  }
  int64_t operator()(int64_t i) const {
    if (identity) return i;
    int64_t r = 0;
    for (int d = ndim - 1; d >= 0; --d) {
      r += (i % extent[d]) * stride[d];
      i /= extent[d];
    }
    return r;
  }
};

template <typename T>
void dropout_typed(uint64_t key, double p, const DrawIndex& draw, const TBlob& x, const TBlob& y,
                   const TBlob& mask) {
  using A = nn::Acc<T>;
  const T* src = x.ptr<T>();
  T* dst = y.ptr<T>();
  T* m = mask.ptr<T>();
  // Kept when the 53-bit uniform u < 1 - p, compared in integers: u < keep
  // exactly when bits >> 11 < keep * 2^53.
  const double keep = 1.0 - p;
  const uint64_t threshold = static_cast<uint64_t>(keep * 9007199254740992.0);
  const A scale = keep > 0 ? static_cast<A>(1.0 / keep) : A(0);
  parallel_for(
      x.numel(),
      [=, &draw](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) {
          const bool kept = (random::stream_draw(key, draw(i)) >> 11) < threshold;
          const A k = kept ? scale : A(0);
          m[i] = static_cast<T>(k);
          dst[i] = static_cast<T>(A(src[i]) * k);
        }
      },
      4);
}

void dropout_forward(const OpContext& ctx, const Params& p, const std::vector<TBlob>& in,
                     const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, kOp, {
    if (!dropout_active(ctx, p)) {
      if (out[0].dptr != in[0].dptr) std::memcpy(out[0].dptr, in[0].dptr, in[0].nbytes());
      T* m = out[1].ptr<T>();
      nn::fill_elements(in[0].numel(), m, 1, [](int64_t) { return nn::Acc<T>(1); });
      return;
    }
    MXL_CHECK(ctx.rng != nullptr, MXL_ERR_RUNTIME,
              "Operator Dropout: internal: called without a random generator");
    const uint64_t key = (*ctx.rng)();
    const DrawIndex draw(in[0].shape, p.get_shape("axes"));
    dropout_typed<T>(key, p.get_float("p"), draw, in[0], out[0], out[1]);
  })
}

std::vector<GradValue> dropout_gradient(GradBuilder& b, const GradNode& n) {
  return {nn::grad_mul(b, n.out_grads[0], n.outputs[1])};
}

void register_dropout() {
  Registry::get()
      .add("Dropout")
      .describe(
          "Applies dropout: during training each element is zeroed with probability p and "
          "the kept ones are scaled by 1/(1-p); at inference (mode='training') the input is "
          "returned unchanged. mode='always' applies dropout in inference too. axes lists "
          "axes along which one mask value is shared.")
      .add_input("data", "Input array to which dropout will be applied.")
      .add_param("p", "float", "0.5", "Fraction of the input that gets dropped out during training time.")
      .set_range(0.0, 1.0)
      .add_param("mode", "enum{always,training}", "training",
                 "Whether to only turn on dropout during training or to also turn on for "
                 "inference.")
      .add_param("axes", "shape", "()", "Axes for variational dropout kernel.")
      .add_param("cudnn_off", "optional<bool>", "False",
                 "Whether to turn off cudnn in dropout operator (accepted; there is no cuDNN "
                 "on CPU).")
      .set_outputs({"output", "mask"})
      .set_num_visible_outputs([](const Params&) { return 1; })
      .set_infer_shape(infer_dropout_shape)
      .set_infer_type(nn::infer_float_type)
      .set_needs_rng()
      .add_inplace(0, 0)
      .set_forward(dropout_forward)
      .set_gradient(dropout_gradient);
}

MXL_REGISTER_BLOCK(register_dropout);

}  // namespace
}  // namespace mxl
