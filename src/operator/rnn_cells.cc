// Floating-point exceptions are never trapped here, and assuming so lets GCC
// if-convert the selects in these loops (without it every `a < b ? x : y`
// stays a branch and nothing vectorizes).  Results are unchanged: this is
// not -ffast-math.
#pragma GCC optimize("no-trapping-math")

#include "operator/rnn_cells.h"

#include <cmath>
#include <cstring>
#include <type_traits>

namespace mxl {
namespace rnn {
namespace {

#define MXL_ALWAYS_INLINE inline __attribute__((always_inline))

// exp for float without libm and without branches, so loops calling it
// vectorize: n = round(x / ln 2), r = x - n ln 2 (ln 2 split in two parts
// for exactness), e^r by the Cephes minimax polynomial (about 1 ulp), and
// 2^n assembled in the exponent bits.  The input is clamped to the range
// where the result is a normal float.
MXL_ALWAYS_INLINE float fast_exp(float x) {
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  const float fx = x * 1.44269504088896341f;
  const int n = static_cast<int>(fx + (fx >= 0.0f ? 0.5f : -0.5f));
  const float fn = static_cast<float>(n);
  const float r = (x - fn * 0.693359375f) + fn * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.0f;
  const int bits = (n + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  return y * scale;
}

template <typename T>
MXL_ALWAYS_INLINE T exp_t(T x) {
  if constexpr (std::is_same_v<T, float>) return fast_exp(x);
  else return std::exp(x);
}

template <typename T>
MXL_ALWAYS_INLINE T sigmoid(T x) {
  return T(1) / (T(1) + exp_t<T>(-x));
}

// tanh(x) = sign(x) (1 - e^{-2|x|}) / (1 + e^{-2|x|}) loses relative accuracy
// near 0, where its Taylor series (to x^11; the x^13 term is below 1e-9
// relative for |x| < 0.3) takes over.  Both are computed and one selected.
MXL_ALWAYS_INLINE float fast_tanh(float x) {
  // Signs by selects: GCC 12 does not vectorize fabs/copysign for AVX-512.
  const float a = x < 0.0f ? -x : x;
  const float e = fast_exp(-2.0f * a);
  const float t = (1.0f - e) / (1.0f + e);
  const float big = x < 0.0f ? -t : t;
  const float x2 = x * x;
  float s = -1382.0f / 155925.0f;
  s = s * x2 + 62.0f / 2835.0f;
  s = s * x2 - 17.0f / 315.0f;
  s = s * x2 + 2.0f / 15.0f;
  s = s * x2 - 1.0f / 3.0f;
  const float small = x + x * x2 * s;
  return a < 0.3f ? small : big;
}

template <typename T>
MXL_ALWAYS_INLINE T tanh_t(T x) {
  if constexpr (std::is_same_v<T, float>) return fast_tanh(x);
  else return std::tanh(x);
}

// ---------------------------------------------------------------------------
// Bodies (inlined into the per-ISA clones below)
// ---------------------------------------------------------------------------

// The lstm bodies take clipping as a template argument: a runtime flag
// tested in the loop would keep it from vectorizing.
template <typename T, bool kClip>
MXL_ALWAYS_INLINE void lstm_forward_impl(int64_t H, T* __restrict g, const T* __restrict bias,
                                         const T* __restrict c_prev, bool clip_prev,
                                         T* __restrict c, T* __restrict h, const Clip& clip) {
  const T lo = static_cast<T>(clip.lo), hi = static_cast<T>(clip.hi);
  const bool nan_lo = clip.nan_to_lo;
  for (int64_t j = 0; j < H; ++j) {
    const T i = sigmoid<T>(g[j] + bias[j]);
    const T f = sigmoid<T>(g[H + j] + bias[H + j]);
    const T gg = tanh_t<T>(g[2 * H + j] + bias[2 * H + j]);
    const T o = sigmoid<T>(g[3 * H + j] + bias[3 * H + j]);
    T cp = c_prev[j];
    if constexpr (kClip) cp = clip_prev ? clip_value<T>(cp, lo, hi, nan_lo) : cp;
    const T cn = f * cp + i * gg;
    c[j] = cn;
    T cc = cn;
    if constexpr (kClip) cc = clip_value<T>(cn, lo, hi, nan_lo);
    h[j] = o * tanh_t<T>(cc);
    g[j] = i;
    g[H + j] = f;
    g[2 * H + j] = gg;
    g[3 * H + j] = o;
  }
}

template <typename T, bool kClip>
MXL_ALWAYS_INLINE void lstm_backward_impl(int64_t H, const T* __restrict g, const T* __restrict c,
                                          const T* __restrict c_prev, bool clip_prev,
                                          const T* __restrict dh, T* __restrict dc,
                                          T* __restrict dg, const Clip& clip) {
  const T lo = static_cast<T>(clip.lo), hi = static_cast<T>(clip.hi);
  const bool nan_lo = clip.nan_to_lo;
  for (int64_t j = 0; j < H; ++j) {
    const T i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j];
    const T craw = c[j];
    T cp = c_prev[j];
    T tc;
    T dcc;
    if constexpr (kClip) {
      tc = tanh_t<T>(clip_value<T>(craw, lo, hi, nan_lo));
      // Gradient reaching the clipped cell, then through the clip (identity
      // inside [lo, hi], zero where it clamped or replaced a NaN).
      dcc = dc[j] + dh[j] * o * (T(1) - tc * tc);
      dcc = (craw >= lo && craw <= hi) ? dcc : T(0);
      cp = clip_prev ? clip_value<T>(cp, lo, hi, nan_lo) : cp;
    } else {
      tc = tanh_t<T>(craw);
      dcc = dc[j] + dh[j] * o * (T(1) - tc * tc);
    }
    dg[j] = dcc * gg * i * (T(1) - i);
    dg[H + j] = dcc * cp * f * (T(1) - f);
    dg[2 * H + j] = dcc * i * (T(1) - gg * gg);
    dg[3 * H + j] = dh[j] * tc * o * (T(1) - o);
    dc[j] = dcc * f;
  }
}

template <typename T>
MXL_ALWAYS_INLINE void gru_forward_impl(int64_t H, T* __restrict g, const T* __restrict hh,
                                        const T* __restrict b_i, const T* __restrict b_h,
                                        const T* __restrict h_prev, T* __restrict h) {
  for (int64_t j = 0; j < H; ++j) {
    const T r = sigmoid<T>(g[j] + b_i[j] + hh[j] + b_h[j]);
    const T z = sigmoid<T>(g[H + j] + b_i[H + j] + hh[H + j] + b_h[H + j]);
    const T hn = hh[2 * H + j] + b_h[2 * H + j];
    const T n = tanh_t<T>(g[2 * H + j] + b_i[2 * H + j] + r * hn);
    h[j] = (T(1) - z) * n + z * h_prev[j];
    g[j] = r;
    g[H + j] = z;
    g[2 * H + j] = n;
    g[3 * H + j] = hn;
  }
}

template <typename T>
MXL_ALWAYS_INLINE void gru_backward_impl(int64_t H, const T* __restrict g,
                                         const T* __restrict h_prev, const T* __restrict dh,
                                         T* __restrict dgi, T* __restrict dgh,
                                         T* __restrict dh_direct) {
  for (int64_t j = 0; j < H; ++j) {
    const T r = g[j], z = g[H + j], n = g[2 * H + j], hn = g[3 * H + j];
    const T d = dh[j];
    const T dan = d * (T(1) - z) * (T(1) - n * n);  // through n = tanh(a_n)
    const T daz = d * (h_prev[j] - n) * z * (T(1) - z);
    const T dar = dan * hn * r * (T(1) - r);
    dgi[j] = dar;
    dgi[H + j] = daz;
    dgi[2 * H + j] = dan;
    dgh[j] = dar;
    dgh[H + j] = daz;
    dgh[2 * H + j] = dan * r;
    dh_direct[j] = d * z;
  }
}

template <typename T>
MXL_ALWAYS_INLINE void rnn_forward_impl(int64_t H, T* __restrict y, const T* __restrict bias,
                                        bool relu) {
  if (relu) {
    for (int64_t j = 0; j < H; ++j) {
      const T v = y[j] + bias[j];
      y[j] = v > T(0) ? v : T(0);
    }
  } else {
    for (int64_t j = 0; j < H; ++j) y[j] = tanh_t<T>(y[j] + bias[j]);
  }
}

template <typename T>
MXL_ALWAYS_INLINE void rnn_backward_impl(int64_t H, const T* __restrict h, const T* __restrict dh,
                                         T* __restrict dg, bool relu) {
  if (relu) {
    for (int64_t j = 0; j < H; ++j) dg[j] = h[j] > T(0) ? dh[j] : T(0);
  } else {
    for (int64_t j = 0; j < H; ++j) dg[j] = dh[j] * (T(1) - h[j] * h[j]);
  }
}

// ---------------------------------------------------------------------------
// Per-ISA clones: AVX-512, AVX2+FMA, and the portable baseline, chosen by
// the loader (no -march=native builds; DESIGN.md section 4).
// ---------------------------------------------------------------------------

#define MXL_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

#define MXL_RNN_CELL_CLONES(T, S)                                                               \
  MXL_CLONES void lstm_forward_##S(int64_t H, T* g, const T* bias, const T* c_prev,             \
                                   bool clip_prev, T* c, T* h, const Clip& clip) {              \
    if (clip.on) lstm_forward_impl<T, true>(H, g, bias, c_prev, clip_prev, c, h, clip);         \
    else lstm_forward_impl<T, false>(H, g, bias, c_prev, clip_prev, c, h, clip);               \
  }                                                                                             \
  MXL_CLONES void lstm_backward_##S(int64_t H, const T* g, const T* c, const T* c_prev,         \
                                    bool clip_prev, const T* dh, T* dc, T* dg,                  \
                                    const Clip& clip) {                                         \
    if (clip.on) lstm_backward_impl<T, true>(H, g, c, c_prev, clip_prev, dh, dc, dg, clip);     \
    else lstm_backward_impl<T, false>(H, g, c, c_prev, clip_prev, dh, dc, dg, clip);           \
  }                                                                                             \
  MXL_CLONES void gru_forward_##S(int64_t H, T* g, const T* hh, const T* b_i, const T* b_h,     \
                                  const T* h_prev, T* h) {                                      \
    gru_forward_impl<T>(H, g, hh, b_i, b_h, h_prev, h);                                         \
  }                                                                                             \
  MXL_CLONES void gru_backward_##S(int64_t H, const T* g, const T* h_prev, const T* dh, T* dgi, \
                                   T* dgh, T* dh_direct) {                                      \
    gru_backward_impl<T>(H, g, h_prev, dh, dgi, dgh, dh_direct);                                \
  }                                                                                             \
  MXL_CLONES void rnn_forward_##S(int64_t H, T* y, const T* bias, bool relu) {                  \
    rnn_forward_impl<T>(H, y, bias, relu);                                                      \
  }                                                                                             \
  MXL_CLONES void rnn_backward_##S(int64_t H, const T* h, const T* dh, T* dg, bool relu) {      \
    rnn_backward_impl<T>(H, h, dh, dg, relu);                                                   \
  }

MXL_RNN_CELL_CLONES(float, f32)
MXL_RNN_CELL_CLONES(double, f64)

}  // namespace

#define MXL_RNN_CELLS_DEFINE(T, S)                                                            \
  void lstm_forward(int64_t H, T* g, const T* bias, const T* c_prev, bool clip_prev, T* c,    \
                    T* h, const Clip& clip) {                                                 \
    lstm_forward_##S(H, g, bias, c_prev, clip_prev, c, h, clip);                              \
  }                                                                                           \
  void lstm_backward(int64_t H, const T* g, const T* c, const T* c_prev, bool clip_prev,      \
                     const T* dh, T* dc, T* dg, const Clip& clip) {                           \
    lstm_backward_##S(H, g, c, c_prev, clip_prev, dh, dc, dg, clip);                          \
  }                                                                                           \
  void gru_forward(int64_t H, T* g, const T* hh, const T* b_i, const T* b_h, const T* h_prev, \
                   T* h) {                                                                    \
    gru_forward_##S(H, g, hh, b_i, b_h, h_prev, h);                                           \
  }                                                                                           \
  void gru_backward(int64_t H, const T* g, const T* h_prev, const T* dh, T* dgi, T* dgh,      \
                    T* dh_direct) {                                                           \
    gru_backward_##S(H, g, h_prev, dh, dgi, dgh, dh_direct);                                  \
  }                                                                                           \
  void rnn_forward(int64_t H, T* y, const T* bias, bool relu) {                               \
    rnn_forward_##S(H, y, bias, relu);                                                        \
  }                                                                                           \
  void rnn_backward(int64_t H, const T* h, const T* dh, T* dg, bool relu) {                   \
    rnn_backward_##S(H, h, dh, dg, relu);                                                     \
  }

MXL_RNN_CELLS_DEFINE(float, f32)
MXL_RNN_CELLS_DEFINE(double, f64)

}  // namespace rnn
}  // namespace mxl
