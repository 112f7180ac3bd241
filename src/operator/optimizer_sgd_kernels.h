// Element kernels of the SGD family, shared by the single-weight ops
// (optimizer_sgd.cc) and the multi-weight ops (optimizer_multi_sgd.cc).
//
// Formulas (g = clip(rescale_grad * grad, clip_gradient)):
//   sgd:      w = (1 - lr*wd) * w - lr * g
//   sgd_mom:  mom = momentum*mom - lr*wd*w - lr*g;  w = w + mom
//   nag_mom:  g += wd*w;  mom = momentum*mom - lr*g;  w = w + momentum*mom - lr*g
// (nag_mom keeps lr inside the state, as MXNet 1.9.1's kernel does; its
// Python docstring shows an older lr-free form.  The two agree for a
// constant lr, up to the state's scale -lr.)
// The mp_ forms run the same formula on the float32 master copy weight32
// (updated in place) and round the result into the low-precision weight.
// `out` may be the weight itself; every kernel touches index i only.
#pragma once
#include "operator/optimizer_common.h"

namespace mxl {
namespace optim {

struct SGDArgs {
  double lr = 0, wd = 0, momentum = 0, rescale = 1, clip = -1;
};

// Reads the scalar parameters an SGD-family op declares (momentum only when
// the op has it; lr and wd only when single-weight).
inline SGDArgs sgd_args(const Params& p, bool has_momentum, bool has_lr_wd = true) {
  SGDArgs a;
  if (has_lr_wd) {
    a.lr = p.get_float("lr");
    a.wd = p.get_float("wd");
  }
  if (has_momentum) a.momentum = p.get_float("momentum");
  a.rescale = p.get_float("rescale_grad");
  a.clip = p.get_float("clip_gradient");
  return a;
}

template <typename T>
void sgd_kernel(int64_t n, const T* w, const T* grad, T* out, const SGDArgs& a) {
  using A = typename AccType<T>::type;
  const A decay = static_cast<A>(1.0 - a.lr * a.wd), lr = static_cast<A>(a.lr);
  const A rs = static_cast<A>(a.rescale), c = static_cast<A>(a.clip);
  with_clip(a.clip, [&](auto clip) {
    update_loop(n, 1, [&](int64_t i) {
      const A g = clip_value<decltype(clip)::value>(rs * static_cast<A>(grad[i]), c);
      out[i] = static_cast<T>(decay * static_cast<A>(w[i]) - lr * g);
    });
  });
}

template <typename T>
void sgd_mom_kernel(int64_t n, const T* w, const T* grad, T* mom, T* out, const SGDArgs& a) {
  using A = typename AccType<T>::type;
  const A lr = static_cast<A>(a.lr), rate = static_cast<A>(a.lr * a.wd);
  const A mu = static_cast<A>(a.momentum), rs = static_cast<A>(a.rescale);
  const A c = static_cast<A>(a.clip);
  with_clip(a.clip, [&](auto clip) {
    update_loop(n, 1, [&](int64_t i) {
      const A g = clip_value<decltype(clip)::value>(rs * static_cast<A>(grad[i]), c);
      const A wi = static_cast<A>(w[i]);
      const A m = mu * static_cast<A>(mom[i]) - rate * wi - lr * g;
      mom[i] = static_cast<T>(m);
      out[i] = static_cast<T>(wi + m);
    });
  });
}

template <typename T>
void nag_mom_kernel(int64_t n, const T* w, const T* grad, T* mom, T* out, const SGDArgs& a) {
  using A = typename AccType<T>::type;
  const A lr = static_cast<A>(a.lr), wd = static_cast<A>(a.wd);
  const A mu = static_cast<A>(a.momentum), rs = static_cast<A>(a.rescale);
  const A c = static_cast<A>(a.clip);
  with_clip(a.clip, [&](auto clip) {
    update_loop(n, 1, [&](int64_t i) {
      const A wi = static_cast<A>(w[i]);
      const A g = clip_value<decltype(clip)::value>(rs * static_cast<A>(grad[i]), c) + wd * wi;
      const A m = mu * static_cast<A>(mom[i]) - lr * g;
      mom[i] = static_cast<T>(m);
      out[i] = static_cast<T>(wi + mu * m - lr * g);
    });
  });
}

// Multi-precision: the update runs in float32 on w32.
template <typename T>
void mp_sgd_kernel(int64_t n, const T* grad, float* w32, T* out, const SGDArgs& a) {
  const float decay = static_cast<float>(1.0 - a.lr * a.wd), lr = static_cast<float>(a.lr);
  const float rs = static_cast<float>(a.rescale), c = static_cast<float>(a.clip);
  with_clip(a.clip, [&](auto clip) {
    update_loop(n, 1, [&](int64_t i) {
      const float g = clip_value<decltype(clip)::value>(rs * static_cast<float>(grad[i]), c);
      const float wn = decay * w32[i] - lr * g;
      w32[i] = wn;
      out[i] = static_cast<T>(wn);
    });
  });
}

template <typename T>
void mp_sgd_mom_kernel(int64_t n, const T* grad, float* mom, float* w32, T* out,
                       const SGDArgs& a) {
  const float lr = static_cast<float>(a.lr), rate = static_cast<float>(a.lr * a.wd);
  const float mu = static_cast<float>(a.momentum), rs = static_cast<float>(a.rescale);
  const float c = static_cast<float>(a.clip);
  with_clip(a.clip, [&](auto clip) {
    update_loop(n, 1, [&](int64_t i) {
      const float g = clip_value<decltype(clip)::value>(rs * static_cast<float>(grad[i]), c);
      const float wi = w32[i];
      const float m = mu * mom[i] - rate * wi - lr * g;
      mom[i] = m;
      w32[i] = wi + m;
      out[i] = static_cast<T>(wi + m);
    });
  });
}

template <typename T>
void mp_nag_mom_kernel(int64_t n, const T* grad, float* mom, float* w32, T* out,
                       const SGDArgs& a) {
  const float lr = static_cast<float>(a.lr), wd = static_cast<float>(a.wd);
  const float mu = static_cast<float>(a.momentum), rs = static_cast<float>(a.rescale);
  const float c = static_cast<float>(a.clip);
  with_clip(a.clip, [&](auto clip) {
    update_loop(n, 1, [&](int64_t i) {
      const float wi = w32[i];
      const float g =
          clip_value<decltype(clip)::value>(rs * static_cast<float>(grad[i]), c) + wd * wi;
      const float m = mu * mom[i] - lr * g;
      mom[i] = m;
      const float wn = wi + mu * m - lr * g;
      w32[i] = wn;
      out[i] = static_cast<T>(wn);
    });
  });
}

}  // namespace optim
}  // namespace mxl
