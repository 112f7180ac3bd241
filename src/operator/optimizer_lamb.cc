// LAMB (You et al. 2019, arXiv:1904.00962) in MXNet's two phases, and their
// multi-precision forms.
//
// Phase 1 updates the moments and returns the direction g:
//   grad = clip(rescale_grad * grad, clip_gradient)
//   mean = beta1*mean + (1-beta1)*grad;  var = beta2*var + (1-beta2)*grad^2
//   g = mean_hat / (sqrt(var_hat) + epsilon) + wd * weight
// with mean_hat = mean / (1 - beta1^t), var_hat = var / (1 - beta2^t) when
// bias_correction, else the raw moments.  The caller then takes the norms
// r1 = ||weight||, r2 = ||g|| and phase 2 applies the trust ratio:
//   r1 = max(r1, lower_bound) if lower_bound >= 0; min(r1, upper_bound) if
//   upper_bound >= 0;  ratio = r1 / r2, or 1 when either is 0
//   weight = weight - lr * ratio * g
// The mp_ forms read the float32 master weight `weight32` (phase 1) and
// update it in place (phase 2), returning the weight in its own dtype.  (MXNet
// 1.9.1's mp_lamb_update_phase2 documents that update but leaves weight32
// unchanged, which stalls multi-precision LAMB; we follow the documentation.)
#include <algorithm>
#include <cmath>

#include "operator/optimizer_common.h"

namespace mxl {
namespace optim {
namespace {

// Phase 1 on n elements: grad in T, weight source / states / output in S.
template <typename T, typename S>
void lamb_phase1_kernel(const Params& p, int64_t n, const S* w, const T* grad, S* mean, S* var,
                        S* out) {
  using A = typename AccType<S>::type;
  const double b1 = p.get_float("beta1"), b2 = p.get_float("beta2");
  const int64_t t = p.get_int("t");
  const bool bias = p.get_bool("bias_correction");
  const A ab1 = static_cast<A>(b1), ab2 = static_cast<A>(b2);
  const A nb1 = static_cast<A>(1.0 - b1), nb2 = static_cast<A>(1.0 - b2);
  // Bias correction folded into two scales (1 when off).
  const A s1 = static_cast<A>(bias ? 1.0 / (1.0 - std::pow(b1, static_cast<double>(t))) : 1.0);
  const A s2 = static_cast<A>(bias ? 1.0 / (1.0 - std::pow(b2, static_cast<double>(t))) : 1.0);
  const A eps = static_cast<A>(p.get_float("epsilon")), wd = static_cast<A>(p.get_float("wd"));
  const A rs = static_cast<A>(p.get_float("rescale_grad"));
  const A c = static_cast<A>(p.get_float("clip_gradient"));
  with_clip(p.get_float("clip_gradient"), [&](auto clip) {
    update_loop(n, 4, [&](int64_t i) {
      const A g = clip_value<decltype(clip)::value>(rs * static_cast<A>(grad[i]), c);
      const A m = ab1 * static_cast<A>(mean[i]) + nb1 * g;
      const A v = ab2 * static_cast<A>(var[i]) + nb2 * g * g;
      mean[i] = static_cast<S>(m);
      var[i] = static_cast<S>(v);
      out[i] = static_cast<S>(m * s1 / (std::sqrt(v * s2) + eps) + wd * static_cast<A>(w[i]));
    });
  });
}

void check_t(const Params& p) {
  const OpDef* op = p.op();
  MXL_CHECK(!p.get_bool("bias_correction") || p.get_int("t") >= 1, MXL_ERR_VALUE,
            "Operator ", op->name, ": invalid value ", p.get_int("t"),
            " for parameter 't': expected the update count, >= 1, when bias_correction is True");
}

// Inference runs synchronously, so a bad t raises at the call.
void lamb_phase1_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  check_t(p);
  infer_update_shape(p, in, out);
}

void lamb_phase1_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, "lamb_update_phase1", {
    lamb_phase1_kernel<T, T>(p, in[0].numel(), in[0].ptr<const T>(), in[1].ptr<const T>(),
                             in[2].ptr<T>(), in[3].ptr<T>(), out[0].ptr<T>());
  })
}

// (weight, grad, mean, var, weight32) -> float32 g
void mp_lamb_phase1_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                            const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, "mp_lamb_update_phase1", {
    lamb_phase1_kernel<T, float>(p, in[0].numel(), in[4].ptr<const float>(),
                                 in[1].ptr<const T>(), in[2].ptr<float>(), in[3].ptr<float>(),
                                 out[0].ptr<float>());
  })
}

// The step lr * ratio from the norms r1 (weight) and r2 (g), both 1-element.
template <typename R>
double lamb_step(const Params& p, const TBlob& r1_blob, const TBlob& r2_blob) {
  double r1 = static_cast<double>(static_cast<typename AccType<R>::type>(*r1_blob.ptr<R>()));
  const double r2 = static_cast<double>(static_cast<typename AccType<R>::type>(*r2_blob.ptr<R>()));
  const double lo = p.get_float("lower_bound"), hi = p.get_float("upper_bound");
  if (lo >= 0) r1 = std::max(r1, lo);
  if (hi >= 0) r1 = std::min(r1, hi);
  const double ratio = (r1 == 0 || r2 == 0) ? 1.0 : r1 / r2;
  return p.get_float("lr") * ratio;
}

void lamb_phase2_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, "lamb_update_phase2", {
    using A = typename AccType<T>::type;
    const A step = static_cast<A>(lamb_step<T>(p, in[2], in[3]));
    const T* w = in[0].ptr<const T>();
    const T* g = in[1].ptr<const T>();
    T* o = out[0].ptr<T>();
    update_loop(in[0].numel(), 1, [&](int64_t i) {
      o[i] = static_cast<T>(static_cast<A>(w[i]) - step * static_cast<A>(g[i]));
    });
  })
}

// (weight, g, r1, r2, weight32): float32 g, r1, r2; weight32 updated in place.
void mp_lamb_phase2_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                            const std::vector<TBlob>& out) {
  const float step = static_cast<float>(lamb_step<float>(p, in[2], in[3]));
  MXL_FLOAT_SWITCH(in[0].dtype, T, "mp_lamb_update_phase2", {
    const float* g = in[1].ptr<const float>();
    float* w32 = in[4].ptr<float>();
    T* o = out[0].ptr<T>();
    update_loop(in[0].numel(), 1, [&](int64_t i) {
      const float wn = w32[i] - step * g[i];
      w32[i] = wn;
      o[i] = static_cast<T>(wn);
    });
  })
}

// Phase 2 shapes: weight, g (and weight32) alike; r1 and r2 one element each.
void lamb_phase2_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const OpDef* op = p.op();
  const Shape& w = (*in)[0];
  for (size_t i = 1; i < in->size(); ++i) {
    const Shape& s = (*in)[i];
    if (i == 2 || i == 3) {
      MXL_CHECK(s.numel() == 1, MXL_ERR_VALUE, op_error_prefix(op->name, op->input_names[i]),
                " has shape ", s.str(), "; expected a norm with one element, such as (1,)");
    } else {
      MXL_CHECK(s == w, MXL_ERR_VALUE, op_error_prefix(op->name, op->input_names[i]),
                " has shape ", s.str(), " but '", op->input_names[0], "' has shape ", w.str(),
                "; they must match");
    }
  }
  (*out)[0] = w;
}

constexpr InputDoc kWeight{"weight", "Weight"}, kGrad{"grad", "Gradient"},
    kMean{"mean", "Moving mean"}, kVar{"var", "Moving variance"},
    kWeight32{"weight32", "Weight32 (float32 master copy)"};

OpDef& add_phase1_params(OpDef& op) {
  op.add_param("beta1", "float", "0.9", "The decay rate for the 1st moment estimates.")
      .add_param("beta2", "float", "0.999", "The decay rate for the 2nd moment estimates.")
      .add_param("epsilon", "float", "1e-06", "A small constant for numerical stability.")
      .add_param("t", "int", "", "Index update count.")
      .add_param("bias_correction", "bool", "True", "Whether to use bias correction.");
  return add_rescale_clip(add_wd(op, ""));
}

OpDef& add_phase2_params(OpDef& op) {
  return add_lr(op)
      .add_param("lower_bound", "float", "-1",
                 "Lower limit of norm of weight. If lower_bound < 0, no lower limit is set")
      .add_param("upper_bound", "float", "-1",
                 "Upper limit of norm of weight. If upper_bound < 0, no upper limit is set");
}

void register_lamb_ops() {
  add_phase1_params(add_update_op(
      "lamb_update_phase1",
      "Phase I of the LAMB update: updates 'mean' and 'var' in place and returns the "
      "direction g = mean_hat / (sqrt(var_hat) + epsilon) + wd * weight, where the moments "
      "are bias-corrected with the step count t when bias_correction is True and grad = "
      "clip(rescale_grad * grad, clip_gradient).",
      {kWeight, kGrad, kMean, kVar}, {2, 3}, /*weight_out=*/false))
      .set_infer_shape(lamb_phase1_shape)
      .set_forward(lamb_phase1_forward);
  add_phase2_params(add_update_op(
      "lamb_update_phase2",
      "Phase II of the LAMB update: weight = weight - lr * (r1 / r2) * g, where r1 (the "
      "weight's norm) is first limited to [lower_bound, upper_bound] (each when >= 0) and "
      "the ratio is 1 when r1 or r2 is 0. Returns the new weight.",
      {kWeight, {"g", "Output of lamb_update_phase1"}, {"r1", "r1"}, {"r2", "r2"}}, {}))
      .set_infer_shape(lamb_phase2_shape)
      .set_forward(lamb_phase2_forward);
  add_phase1_params(add_update_op(
      "mp_lamb_update_phase1",
      "Multi-precision phase I of the LAMB update: as lamb_update_phase1 with float32 "
      "'mean' and 'var' and the weight decay term taken from the float32 master weight "
      "'weight32'; returns g in float32.",
      {kWeight, kGrad, kMean, kVar, kWeight32}, {2, 3}, /*weight_out=*/false))
      .set_infer_shape(lamb_phase1_shape)
      .set_infer_type(mp_update_type(2, /*out_float32=*/true))
      .set_forward(mp_lamb_phase1_forward);
  add_phase2_params(add_update_op(
      "mp_lamb_update_phase2",
      "Multi-precision phase II of the LAMB update: weight32 = weight32 - lr * (r1 / r2) * g "
      "on the float32 master weight (updated in place); returns the new weight in the "
      "weight's dtype.",
      {kWeight, {"g", "Output of mp_lamb_update_phase1"}, {"r1", "r1"}, {"r2", "r2"},
       kWeight32},
      {4}))
      .set_infer_shape(lamb_phase2_shape)
      .set_infer_type(mp_update_type(1))
      .set_forward(mp_lamb_phase2_forward);
}

MXL_REGISTER_BLOCK(register_lamb_ops);

}  // namespace
}  // namespace optim
}  // namespace mxl
