// SGD-family update ops on one weight: sgd_update, sgd_mom_update,
// nag_mom_update, their multi-precision forms (mp_*), signsgd_update and
// signum_update.  Kernels: optimizer_sgd_kernels.h.
#include "operator/optimizer_sgd_kernels.h"

namespace mxl {
namespace optim {
namespace {

void sgd_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                 const std::vector<TBlob>& out) {
  const SGDArgs a = sgd_args(p, false);
  MXL_FLOAT_SWITCH(in[0].dtype, T, "sgd_update", {
    sgd_kernel<T>(in[0].numel(), in[0].ptr<const T>(), in[1].ptr<const T>(), out[0].ptr<T>(), a);
  })
}

void sgd_mom_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                     const std::vector<TBlob>& out) {
  const SGDArgs a = sgd_args(p, true);
  MXL_FLOAT_SWITCH(in[0].dtype, T, "sgd_mom_update", {
    sgd_mom_kernel<T>(in[0].numel(), in[0].ptr<const T>(), in[1].ptr<const T>(), in[2].ptr<T>(),
                      out[0].ptr<T>(), a);
  })
}

void nag_mom_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                     const std::vector<TBlob>& out) {
  const SGDArgs a = sgd_args(p, true);
  MXL_FLOAT_SWITCH(in[0].dtype, T, "nag_mom_update", {
    nag_mom_kernel<T>(in[0].numel(), in[0].ptr<const T>(), in[1].ptr<const T>(), in[2].ptr<T>(),
                      out[0].ptr<T>(), a);
  })
}

// mp_sgd_update(weight, grad, weight32)
void mp_sgd_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                    const std::vector<TBlob>& out) {
  const SGDArgs a = sgd_args(p, false);
  MXL_FLOAT_SWITCH(in[0].dtype, T, "mp_sgd_update", {
    mp_sgd_kernel<T>(in[0].numel(), in[1].ptr<const T>(), in[2].ptr<float>(), out[0].ptr<T>(), a);
  })
}

// mp_sgd_mom_update / mp_nag_mom_update(weight, grad, mom, weight32)
void mp_sgd_mom_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                        const std::vector<TBlob>& out) {
  const SGDArgs a = sgd_args(p, true);
  MXL_FLOAT_SWITCH(in[0].dtype, T, "mp_sgd_mom_update", {
    mp_sgd_mom_kernel<T>(in[0].numel(), in[1].ptr<const T>(), in[2].ptr<float>(),
                         in[3].ptr<float>(), out[0].ptr<T>(), a);
  })
}

void mp_nag_mom_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                        const std::vector<TBlob>& out) {
  const SGDArgs a = sgd_args(p, true);
  MXL_FLOAT_SWITCH(in[0].dtype, T, "mp_nag_mom_update", {
    mp_nag_mom_kernel<T>(in[0].numel(), in[1].ptr<const T>(), in[2].ptr<float>(),
                         in[3].ptr<float>(), out[0].ptr<T>(), a);
  })
}

// signsgd: w = (1 - lr*wd) * w - lr * sign(grad).  As in MXNet 1.9.1,
// rescale_grad and clip_gradient are accepted but do not enter the formula
// (only the gradient's sign matters).
void signsgd_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                     const std::vector<TBlob>& out) {
  const SGDArgs a = sgd_args(p, false);
  MXL_FLOAT_SWITCH(in[0].dtype, T, "signsgd_update", {
    using A = typename AccType<T>::type;
    const T* w = in[0].ptr<const T>();
    const T* grad = in[1].ptr<const T>();
    T* o = out[0].ptr<T>();
    const A decay = static_cast<A>(1.0 - a.lr * a.wd), lr = static_cast<A>(a.lr);
    update_loop(in[0].numel(), 1, [&](int64_t i) {
      o[i] = static_cast<T>(decay * static_cast<A>(w[i]) - lr * sign_of(static_cast<A>(grad[i])));
    });
  })
}

// signum: mom = momentum*mom - (1-momentum)*(wd*w + g);
//         w = (1 - lr*wd_lh) * w + lr * sign(mom)
void signum_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                    const std::vector<TBlob>& out) {
  const SGDArgs a = sgd_args(p, true);
  const double wd_lh = p.get_float("wd_lh");
  MXL_FLOAT_SWITCH(in[0].dtype, T, "signum_update", {
    using A = typename AccType<T>::type;
    const T* w = in[0].ptr<const T>();
    const T* grad = in[1].ptr<const T>();
    T* mom = in[2].ptr<T>();
    T* o = out[0].ptr<T>();
    const A mu = static_cast<A>(a.momentum), rest = static_cast<A>(1.0 - a.momentum);
    const A wd = static_cast<A>(a.wd), lr = static_cast<A>(a.lr);
    const A decay = static_cast<A>(1.0 - a.lr * wd_lh);
    const A rs = static_cast<A>(a.rescale), c = static_cast<A>(a.clip);
    with_clip(a.clip, [&](auto clip) {
      update_loop(in[0].numel(), 1, [&](int64_t i) {
        const A wi = static_cast<A>(w[i]);
        const A g = clip_value<decltype(clip)::value>(rs * static_cast<A>(grad[i]), c);
        const A m = mu * static_cast<A>(mom[i]) - rest * wd * wi - rest * g;
        mom[i] = static_cast<T>(m);
        o[i] = static_cast<T>(decay * wi + lr * sign_of(m));
      });
    });
  })
}

constexpr InputDoc kWeight{"weight", "Weight"}, kGrad{"grad", "Gradient"},
    kMom{"mom", "Momentum"}, kWeight32{"weight32", "Weight32 (float32 master copy)"};

OpDef& add_momentum(OpDef& op) {
  return op.add_param("momentum", "float", "0",
                      "The decay rate of momentum estimates at each epoch.");
}

void register_sgd_ops() {
  {
    OpDef& op = add_update_op(
        "sgd_update",
        "Update function for Stochastic Gradient Descent (SGD): returns the new weight "
        "(1 - lr*wd) * weight - lr * clip(rescale_grad * grad, clip_gradient). "
        "Call with out=weight to update in place.",
        {kWeight, kGrad}, {});
    add_lazy_update(add_rescale_clip(add_wd(add_lr(op)))).set_forward(sgd_forward);
  }
  {
    OpDef& op = add_update_op(
        "sgd_mom_update",
        "Momentum update for SGD: mom = momentum * mom - lr * wd * weight - lr * g, "
        "weight = weight + mom, where g = clip(rescale_grad * grad, clip_gradient). "
        "'mom' is updated in place; returns the new weight.",
        {kWeight, kGrad, kMom}, {2});
    add_lazy_update(add_rescale_clip(add_wd(add_momentum(add_lr(op))))).set_forward(sgd_mom_forward);
  }
  {
    OpDef& op = add_update_op(
        "nag_mom_update",
        "Update for Nesterov Accelerated Gradient (NAG): g = clip(rescale_grad * grad, "
        "clip_gradient) + wd * weight; mom = momentum * mom - lr * g; weight = weight + "
        "momentum * mom - lr * g. 'mom' is updated in place; returns the new weight.",
        {kWeight, kGrad, kMom}, {2});
    add_rescale_clip(add_wd(add_momentum(add_lr(op)))).set_forward(nag_mom_forward);
  }
  {
    OpDef& op = add_update_op(
        "mp_sgd_update",
        "Multi-precision SGD update: the sgd_update formula applied to the float32 master "
        "weight 'weight32' (updated in place); returns the new weight in the weight's dtype.",
        {kWeight, kGrad, kWeight32}, {2});
    add_lazy_update(add_rescale_clip(add_wd(add_lr(op))))
        .set_infer_type(mp_update_type(2))
        .set_forward(mp_sgd_forward);
  }
  {
    OpDef& op = add_update_op(
        "mp_sgd_mom_update",
        "Multi-precision SGD momentum update: the sgd_mom_update formula on the float32 "
        "'mom' and master weight 'weight32' (both updated in place); returns the new weight "
        "in the weight's dtype.",
        {kWeight, kGrad, kMom, kWeight32}, {2, 3});
    add_lazy_update(add_rescale_clip(add_wd(add_momentum(add_lr(op)))))
        .set_infer_type(mp_update_type(2))
        .set_forward(mp_sgd_mom_forward);
  }
  {
    OpDef& op = add_update_op(
        "mp_nag_mom_update",
        "Multi-precision NAG update: the nag_mom_update formula on the float32 'mom' and "
        "master weight 'weight32' (both updated in place); returns the new weight in the "
        "weight's dtype.",
        {kWeight, kGrad, kMom, kWeight32}, {2, 3});
    add_rescale_clip(add_wd(add_momentum(add_lr(op))))
        .set_infer_type(mp_update_type(2))
        .set_forward(mp_nag_mom_forward);
  }
  {
    OpDef& op = add_update_op(
        "signsgd_update",
        "Update for SignSGD: weight = (1 - lr * wd) * weight - lr * sign(grad). Returns the "
        "new weight.",
        {kWeight, kGrad}, {});
    add_rescale_clip(add_wd(add_lr(op))).set_forward(signsgd_forward);
  }
  {
    OpDef& op = add_update_op(
        "signum_update",
        "Update for Signum (SignSGD with momentum): mom = momentum * mom - (1 - momentum) * "
        "(wd * weight + g), weight = (1 - lr * wd_lh) * weight + lr * sign(mom), where g = "
        "clip(rescale_grad * grad, clip_gradient). 'mom' is updated in place; returns the "
        "new weight.",
        {kWeight, kGrad, kMom}, {2});
    add_rescale_clip(add_wd(add_momentum(add_lr(op))))
        .add_param("wd_lh", "float", "0",
                   "The amount of weight decay that does not go into gradient/momentum "
                   "calculations; applied to the weight directly (decoupled weight decay).")
        .set_forward(signum_forward);
  }
}

MXL_REGISTER_BLOCK(register_sgd_ops);

}  // namespace
}  // namespace optim
}  // namespace mxl
