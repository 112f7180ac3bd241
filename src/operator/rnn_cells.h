// Element-wise cell math of the fused RNN: one batch row of one time step,
// forward and backward, per mode.  The recurrent GEMMs happen outside; these
// functions add biases, apply the gate nonlinearities, update the cell and
// write what the backward pass needs.
//
// float32 uses its own branch-free exp/tanh so the loops vectorize (libm's
// scalar calls would dominate the step: an LSTM row does five transcendental
// functions per hidden unit against one multiply-add per weight of the
// GEMM).  float64 uses libm.  The functions are compiled for several x86-64
// levels and picked at load time (rnn_cells.cc).
#pragma once
#include <cstdint>

namespace mxl {
namespace rnn {

// LSTM cell-state clipping (lstm_state_clip_min/max/nan).
struct Clip {
  bool on = false;
  double lo = 0, hi = 0;
  bool nan_to_lo = false;  // lstm_state_clip_nan: NaN becomes lo instead of propagating
};

// The clipped cell state (no-op when !on).  Written as selects so loops
// using it vectorize; a NaN passes through unless nan_to_lo.
template <typename T>
inline __attribute__((always_inline)) T clip_value(T v, T lo, T hi, bool nan_to_lo) {
  const T c = v < lo ? lo : (v > hi ? hi : v);
  return v != v ? (nan_to_lo ? lo : v) : c;
}
template <typename T>
inline T clip_value(T v, const Clip& clip) {
  return clip.on ? clip_value<T>(v, static_cast<T>(clip.lo), static_cast<T>(clip.hi),
                                 clip.nan_to_lo)
                 : v;
}

// The element-wise kernels, overloaded for float and double.  H is the state
// size; "row" arrays hold one batch row.  Gate blocks follow the parameter
// layout's gate order.
#define MXL_RNN_CELLS_DECLARE(T)                                                               \
  /* lstm.  g (4H): in, the pre-activations without bias; out, [i f g o]                      \
     activated.  bias (4H): b_i2h + b_h2h.  c_prev: cx (clip_prev false) or the               \
     previous step's raw cell (clip_prev true: clipped before use).  Writes the raw           \
     new cell to c and the hidden state to h. */                                              \
  void lstm_forward(int64_t H, T* g, const T* bias, const T* c_prev, bool clip_prev, T* c,    \
                    T* h, const Clip& clip);                                                  \
  /* g, c, c_prev, clip_prev: as saved by the forward.  dh: this step's total hidden          \
     gradient.  dc (in/out): the gradient reaching the (clipped) cell from the next           \
     step, replaced by the gradient for c_prev.  dg (4H): pre-activation gradients. */        \
  void lstm_backward(int64_t H, const T* g, const T* c, const T* c_prev, bool clip_prev,      \
                     const T* dh, T* dc, T* dg, const Clip& clip);                            \
  /* gru.  g (4H): in, cols [0, 3H) are W_i2h x without bias; out, [r z n hn] with            \
     hn = W_hn h_prev + b_hn.  hh (3H): W_h2h h_prev without bias. */                          \
  void gru_forward(int64_t H, T* g, const T* hh, const T* b_i, const T* b_h, const T* h_prev, \
                   T* h);                                                                     \
  /* dh: total hidden gradient.  Writes dgi (3H), the pre-activation gradient of the          \
     input projection [r z n]; dgh (3H), of the recurrent projection [r z hn]; and            \
     dh_direct = dh * z, the part of dh_prev not through W_h2h. */                             \
  void gru_backward(int64_t H, const T* g, const T* h_prev, const T* dh, T* dgi, T* dgh,      \
                    T* dh_direct);                                                            \
  /* rnn_relu / rnn_tanh.  y: in, the pre-activation without bias; out, h. */                 \
  void rnn_forward(int64_t H, T* y, const T* bias, bool relu);                                \
  /* h: the step's output; dg = dh * act'(h). */                                              \
  void rnn_backward(int64_t H, const T* h, const T* dh, T* dg, bool relu);

MXL_RNN_CELLS_DECLARE(float)
MXL_RNN_CELLS_DECLARE(double)
#undef MXL_RNN_CELLS_DECLARE

}  // namespace rnn
}  // namespace mxl
