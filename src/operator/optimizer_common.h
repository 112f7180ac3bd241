// Shared pieces of the optimizer update ops (sgd_update, adam_update, ...).
//
// Every update op is one fused element-wise pass: it reads the weight, the
// gradient and its states, writes the states in place (declared with
// add_mutate_input so the engine orders them as writes) and produces the new
// weight as output 0, which callers usually alias to the weight itself
// (`sgd_update(w, g, lr=.1, out=w)`, declared with add_inplace(0, 0)).
#pragma once
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <vector>

#include "common/parallel.h"
#include "operator/registry.h"

namespace mxl {
namespace optim {

// ---------------------------------------------------------------------------
// Kernel helpers
// ---------------------------------------------------------------------------

// Rescales then clips a gradient to [-c, c].  MXNet's documentation says
// clip_gradient <= 0 turns clipping off, but its kernels clip whenever
// clip_gradient >= 0; we follow the kernels so results match MXNet's.
// NaN stays NaN (neither comparison holds).
template <bool kClip, typename A>
inline A clip_value(A g, A c) {
  if constexpr (kClip) {
    g = g > c ? c : g;
    g = g < -c ? -c : g;
  }
  return g;
}

inline bool clip_on(double threshold) { return threshold >= 0; }

// Calls f(std::true_type) or f(std::false_type) so that the clipping test is
// decided once per call instead of once per element (the loops vectorize).
template <typename F>
inline void with_clip(double threshold, F&& f) {
  if (clip_on(threshold)) f(std::true_type{});
  else f(std::false_type{});
}

template <typename A>
inline A sign_of(A v) {
  return static_cast<A>((v > A(0)) - (v < A(0)));
}

// Runs f(i) for every i in [0, n) on the OpenMP pool.  f may only touch
// index i of each array, which is what makes `omp simd` valid even when the
// output aliases the weight (the in-place case) -- the compiler cannot prove
// that by itself and would otherwise fall back to scalar code.
template <typename F>
inline void update_loop(int64_t n, int64_t cost, F&& f) {
  parallel_for(
      n,
      [&](int64_t b, int64_t e) {
#pragma omp simd
        for (int64_t i = b; i < e; ++i) f(i);
      },
      cost);
}

// ---------------------------------------------------------------------------
// Registration helpers (MXNet's parameter names, defaults and docs)
// ---------------------------------------------------------------------------

struct InputDoc {
  const char* name;
  const char* doc;
};
// Registers an update op: its inputs, the mutated ones (state indices), the
// new weight as output 0 sharing memory with input 0 (unless !weight_out:
// lamb_update_phase1 returns a direction, not a weight), and the same-shape /
// same-dtype inference (mp_ ops then replace the dtype inference).
OpDef& add_update_op(const char* name, const char* doc, std::initializer_list<InputDoc> inputs,
                     std::initializer_list<int> mutated, bool weight_out = true);

OpDef& add_lr(OpDef& op);
OpDef& add_wd(OpDef& op, const char* default_text = "0");
// rescale_grad and clip_gradient, in MXNet's order.
OpDef& add_rescale_clip(OpDef& op);
OpDef& add_lazy_update(OpDef& op);

// ---------------------------------------------------------------------------
// Inference
// ---------------------------------------------------------------------------

// Every input has the weight's (input 0's) shape; outputs get it too.
void infer_update_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out);

// Every input shares the weight's floating-point dtype; outputs get it.
void infer_update_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out);

// Multi-precision ops: inputs [0, num_low) (weight, grad) share one
// floating-point dtype, the others (states, weight32) are float32.  Output 0
// gets the weight's dtype, unless out_float32 (mp_lamb_update_phase1's g).
InferTypeFn mp_update_type(int num_low, bool out_float32 = false);

// Checks `t` is float16, float32 or float64, naming the argument.
void check_float(const std::string& op, const std::string& arg, DType t);

// MXNet's "tuple of <float>" parameters (lrs, wds) as text: "(0.1, 0.2)",
// "[0.1]", "0.1".  Throws Error(VALUE) naming the op and the parameter.
std::vector<double> parse_float_tuple(const std::string& op, const char* param,
                                      const std::string& text);

}  // namespace optim
}  // namespace mxl
