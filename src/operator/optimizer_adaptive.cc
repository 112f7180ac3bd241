// Adaptive-rate update ops: adam_update, rmsprop_update, rmspropalex_update
// and ftrl_update.  Each is one fused pass over weight, grad and states; the
// states are updated in place and the new weight is output 0.
#include "operator/optimizer_common.h"

namespace mxl {
namespace optim {
namespace {

// Common scalars, converted to the compute type A once per call.
template <typename A>
struct Scalars {
  A lr, wd, rs, c;
  explicit Scalars(const Params& p)
      : lr(static_cast<A>(p.get_float("lr"))),
        wd(static_cast<A>(p.get_float("wd"))),
        rs(static_cast<A>(p.get_float("rescale_grad"))),
        c(static_cast<A>(p.get_float("clip_gradient"))) {}
};

// adam: g = clip(rescale_grad*grad + wd*weight, clip_gradient)
//       mean = beta1*mean + (1-beta1)*g;  var = beta2*var + (1-beta2)*g^2
//       weight = weight - lr * mean / (sqrt(var) + epsilon)
// (No bias correction: MXNet's Adam folds it into lr.)
void adam_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                  const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, "adam_update", {
    using A = typename AccType<T>::type;
    const Scalars<A> s(p);
    const A b1 = static_cast<A>(p.get_float("beta1")), b2 = static_cast<A>(p.get_float("beta2"));
    const A nb1 = static_cast<A>(1.0 - p.get_float("beta1"));
    const A nb2 = static_cast<A>(1.0 - p.get_float("beta2"));
    const A eps = static_cast<A>(p.get_float("epsilon"));
    const T* w = in[0].ptr<const T>();
    const T* grad = in[1].ptr<const T>();
    T* mean = in[2].ptr<T>();
    T* var = in[3].ptr<T>();
    T* o = out[0].ptr<T>();
    with_clip(p.get_float("clip_gradient"), [&](auto clip) {
      update_loop(in[0].numel(), 4, [&](int64_t i) {
        const A wi = static_cast<A>(w[i]);
        const A g = clip_value<decltype(clip)::value>(s.rs * static_cast<A>(grad[i]) + s.wd * wi,
                                                      s.c);
        const A m = b1 * static_cast<A>(mean[i]) + nb1 * g;
        const A v = b2 * static_cast<A>(var[i]) + nb2 * g * g;
        mean[i] = static_cast<T>(m);
        var[i] = static_cast<T>(v);
        o[i] = static_cast<T>(wi - s.lr * m / (std::sqrt(v) + eps));
      });
    });
  })
}

// Clips the new weight to [-clip_weights, clip_weights] when clip_weights >= 0.
template <bool kClip, typename A>
inline A clip_weight(A w, A cw) {
  return clip_value<kClip>(w, cw);
}

// rmsprop: g = clip(rescale_grad*grad + wd*weight, clip_gradient)
//          n = (1-gamma1)*g^2 + gamma1*n
//          weight = clip(weight - lr * g / sqrt(n + epsilon), clip_weights)
void rmsprop_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                     const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, "rmsprop_update", {
    using A = typename AccType<T>::type;
    const Scalars<A> s(p);
    const A g1 = static_cast<A>(p.get_float("gamma1"));
    const A ng1 = static_cast<A>(1.0 - p.get_float("gamma1"));
    const A eps = static_cast<A>(p.get_float("epsilon"));
    const double cw_raw = p.get_float("clip_weights");
    const A cw = static_cast<A>(cw_raw);
    const T* w = in[0].ptr<const T>();
    const T* grad = in[1].ptr<const T>();
    T* n = in[2].ptr<T>();
    T* o = out[0].ptr<T>();
    with_clip(p.get_float("clip_gradient"), [&](auto clip) {
      with_clip(cw_raw, [&](auto wclip) {
        update_loop(in[0].numel(), 4, [&](int64_t i) {
          const A wi = static_cast<A>(w[i]);
          const A g = clip_value<decltype(clip)::value>(
              s.rs * static_cast<A>(grad[i]) + s.wd * wi, s.c);
          const A ni = ng1 * g * g + g1 * static_cast<A>(n[i]);
          n[i] = static_cast<T>(ni);
          o[i] = static_cast<T>(
              clip_weight<decltype(wclip)::value>(wi - s.lr * g / std::sqrt(ni + eps), cw));
        });
      });
    });
  })
}

// rmspropalex (centered RMSProp, Graves 2013):
//   g = clip(rescale_grad*grad + wd*weight, clip_gradient)
//   n = (1-gamma1)*g^2 + gamma1*n;  gm = (1-gamma1)*g + gamma1*gm
//   delta = gamma2*delta - lr * g / sqrt(n - gm^2 + epsilon)
//   weight = clip(weight + delta, clip_weights)
void rmspropalex_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, "rmspropalex_update", {
    using A = typename AccType<T>::type;
    const Scalars<A> s(p);
    const A g1 = static_cast<A>(p.get_float("gamma1"));
    const A ng1 = static_cast<A>(1.0 - p.get_float("gamma1"));
    const A g2 = static_cast<A>(p.get_float("gamma2"));
    const A eps = static_cast<A>(p.get_float("epsilon"));
    const double cw_raw = p.get_float("clip_weights");
    const A cw = static_cast<A>(cw_raw);
    const T* w = in[0].ptr<const T>();
    const T* grad = in[1].ptr<const T>();
    T* n = in[2].ptr<T>();
    T* gm = in[3].ptr<T>();
    T* delta = in[4].ptr<T>();
    T* o = out[0].ptr<T>();
    with_clip(p.get_float("clip_gradient"), [&](auto clip) {
      with_clip(cw_raw, [&](auto wclip) {
        update_loop(in[0].numel(), 4, [&](int64_t i) {
          const A wi = static_cast<A>(w[i]);
          const A g = clip_value<decltype(clip)::value>(
              s.rs * static_cast<A>(grad[i]) + s.wd * wi, s.c);
          const A ni = ng1 * g * g + g1 * static_cast<A>(n[i]);
          const A gi = ng1 * g + g1 * static_cast<A>(gm[i]);
          const A di = g2 * static_cast<A>(delta[i]) - s.lr * g / std::sqrt(ni - gi * gi + eps);
          n[i] = static_cast<T>(ni);
          gm[i] = static_cast<T>(gi);
          delta[i] = static_cast<T>(di);
          o[i] = static_cast<T>(clip_weight<decltype(wclip)::value>(wi + di, cw));
        });
      });
    });
  })
}

// ftrl (McMahan et al. 2013):
//   g = clip(rescale_grad*grad, clip_gradient)
//   z += g - (sqrt(n + g^2) - sqrt(n)) * weight / lr;  n += g^2
//   weight = (sign(z)*lamda1 - z) / ((beta + sqrt(n)) / lr + wd) * (|z| > lamda1)
void ftrl_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                  const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, "ftrl_update", {
    using A = typename AccType<T>::type;
    const Scalars<A> s(p);
    const A l1 = static_cast<A>(p.get_float("lamda1")), beta = static_cast<A>(p.get_float("beta"));
    const T* w = in[0].ptr<const T>();
    const T* grad = in[1].ptr<const T>();
    T* z = in[2].ptr<T>();
    T* n = in[3].ptr<T>();
    T* o = out[0].ptr<T>();
    with_clip(p.get_float("clip_gradient"), [&](auto clip) {
      update_loop(in[0].numel(), 8, [&](int64_t i) {
        const A wi = static_cast<A>(w[i]);
        const A g = clip_value<decltype(clip)::value>(s.rs * static_cast<A>(grad[i]), s.c);
        const A n0 = static_cast<A>(n[i]);
        const A n1 = n0 + g * g;
        const A zi = static_cast<A>(z[i]) + g - (std::sqrt(n1) - std::sqrt(n0)) * wi / s.lr;
        z[i] = static_cast<T>(zi);
        n[i] = static_cast<T>(n1);
        const A az = zi < A(0) ? -zi : zi;
        const A wn = (sign_of(zi) * l1 - zi) / ((beta + std::sqrt(n1)) / s.lr + s.wd);
        o[i] = static_cast<T>(az > l1 ? wn : A(0));
      });
    });
  })
}

constexpr InputDoc kWeight{"weight", "Weight"}, kGrad{"grad", "Gradient"};

OpDef& add_clip_weights(OpDef& op) {
  return op.add_param("clip_weights", "float", "-1",
                      "Clip weights to the range of [-clip_weights, clip_weights]. A negative "
                      "value turns clipping off. weights = max(min(weights, clip_weights), "
                      "-clip_weights).");
}

void register_adaptive_ops() {
  {
    OpDef& op = add_update_op(
        "adam_update",
        "Update for the Adam optimizer: g = clip(rescale_grad * grad + wd * weight, "
        "clip_gradient); mean = beta1 * mean + (1 - beta1) * g; var = beta2 * var + "
        "(1 - beta2) * g^2; weight = weight - lr * mean / (sqrt(var) + epsilon). 'mean' and "
        "'var' are updated in place; returns the new weight. Bias correction is left to the "
        "caller's learning rate, as in MXNet.",
        {kWeight, kGrad, {"mean", "Moving mean"}, {"var", "Moving variance"}}, {2, 3});
    add_lr(op)
        .add_param("beta1", "float", "0.9", "The decay rate for the 1st moment estimates.")
        .add_param("beta2", "float", "0.999", "The decay rate for the 2nd moment estimates.")
        .add_param("epsilon", "float", "1e-08", "A small constant for numerical stability.");
    add_lazy_update(add_rescale_clip(add_wd(op))).set_forward(adam_forward);
  }
  {
    OpDef& op = add_update_op(
        "rmsprop_update",
        "Update for RMSProp (Tieleman & Hinton 2012): g = clip(rescale_grad * grad + wd * "
        "weight, clip_gradient); n = (1 - gamma1) * g^2 + gamma1 * n; weight = weight - lr * "
        "g / sqrt(n + epsilon), then clipped to clip_weights if that is >= 0. 'n' is updated "
        "in place; returns the new weight.",
        {kWeight, kGrad, {"n", "n"}}, {2});
    add_lr(op)
        .add_param("gamma1", "float", "0.95", "The decay rate of momentum estimates.")
        .add_param("epsilon", "float", "1e-08", "A small constant for numerical stability.");
    add_clip_weights(add_rescale_clip(add_wd(op))).set_forward(rmsprop_forward);
  }
  {
    OpDef& op = add_update_op(
        "rmspropalex_update",
        "Update for centered RMSProp (Graves 2013, eq. 38-45): g = clip(rescale_grad * grad "
        "+ wd * weight, clip_gradient); n = (1 - gamma1) * g^2 + gamma1 * n; g_avg = "
        "(1 - gamma1) * g + gamma1 * g_avg; delta = gamma2 * delta - lr * g / sqrt(n - "
        "g_avg^2 + epsilon); weight = weight + delta, clipped to clip_weights if that is "
        ">= 0. 'n', 'g' and 'delta' are updated in place; returns the new weight.",
        {kWeight, kGrad, {"n", "n"}, {"g", "g"}, {"delta", "delta"}}, {2, 3, 4});
    add_lr(op)
        .add_param("gamma1", "float", "0.95", "Decay rate.")
        .add_param("gamma2", "float", "0.9", "Decay rate.")
        .add_param("epsilon", "float", "1e-08", "A small constant for numerical stability.");
    add_clip_weights(add_rescale_clip(add_wd(op))).set_forward(rmspropalex_forward);
  }
  {
    OpDef& op = add_update_op(
        "ftrl_update",
        "Update for the FTRL optimizer (McMahan et al., Ad Click Prediction, 2013): g = "
        "clip(rescale_grad * grad, clip_gradient); z += g - (sqrt(n + g^2) - sqrt(n)) * "
        "weight / lr; n += g^2; weight = (sign(z) * lamda1 - z) / ((beta + sqrt(n)) / lr + "
        "wd) where |z| > lamda1, else 0. 'z' and 'n' are updated in place; returns the new "
        "weight.",
        {kWeight, kGrad, {"z", "z"}, {"n", "Square of grad"}}, {2, 3});
    add_lr(op)
        .add_param("lamda1", "float", "0.01", "The L1 regularization coefficient.")
        .add_param("beta", "float", "1", "Per-Coordinate Learning Rate beta.");
    add_rescale_clip(add_wd(op)).set_forward(ftrl_forward);
  }
}

MXL_REGISTER_BLOCK(register_adaptive_ops);

}  // namespace
}  // namespace optim
}  // namespace mxl
