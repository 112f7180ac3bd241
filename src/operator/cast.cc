// Cast: converts an array to another dtype, element by element, with
// NumPy's astype results wherever NumPy's are defined:
//
//   float -> integer truncates toward zero.  NaN becomes 0 and infinities
//     saturate (NumPy leaves these undefined).  For int32/int64 targets,
//     finite out-of-range values saturate; 8-bit targets take the low bits
//     of the int32 value, as NumPy does on x86 (300.0 -> uint8 44, -1.0 ->
//     255);
//   integer -> narrower integer wraps; anything -> bool is "!= 0" (NaN is
//     true); bool -> number is 0 or 1;
//   float64 -> float16 rounds once, to nearest even (through a float32
//     rounded to odd, which cannot double-round).
//
// float32 <-> float16, the conversion mixed-precision training lives on,
// uses the F16C instructions when the CPU has them (chosen at run time; the
// build stays portable).
#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "autograd/gradient.h"
#include "common/parallel.h"
#include "operator/registry.h"

namespace mxl {
namespace {

template <typename T>
constexpr bool kIsFloat = std::is_floating_point_v<T> || std::is_same_v<T, half_t>;

// double -> float rounded toward zero, with the last mantissa bit set when
// inexact ("round to odd"): rounding that to float16 then gives the same
// result as rounding the double directly.
inline float to_float_round_odd(double d) {
  float f = static_cast<float>(d);
  if (!std::isfinite(f) || static_cast<double>(f) == d) return f;
  if (std::fabs(static_cast<double>(f)) > std::fabs(d)) f = std::nextafter(f, 0.0f);
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  bits |= 1;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Float value -> integer target, per the rules above.  Written as selects
// around one in-range conversion, so the loop vectorizes (cvttps2dq).
template <typename To, typename From>
inline To float_to_int(From v) {
  if constexpr (sizeof(To) >= 4) {
    // lo is exact (-2^31, -2^63); hi rounds up to 2^31 (2^63), the first
    // value past the range.
    constexpr From lo = static_cast<From>(std::numeric_limits<To>::lowest());
    constexpr From hi = static_cast<From>(std::numeric_limits<To>::max());
    From c = v > lo ? v : lo;     // also maps NaN to lo, fixed below
    c = c < hi ? c : From(0);     // out of range: patched below
    To r = static_cast<To>(c);
    r = v >= hi ? std::numeric_limits<To>::max() : r;
    return v == v ? r : To(0);
  } else {
    return static_cast<To>(float_to_int<int32_t>(v));  // the low bits
  }
}

template <typename To, typename From>
inline To convert(From x) {
  if constexpr (std::is_same_v<To, From>) {
    return x;
  } else if constexpr (std::is_same_v<To, bool>) {
    if constexpr (std::is_same_v<From, half_t>) return static_cast<float>(x) != 0.0f;
    else return x != From(0);
  } else if constexpr (std::is_same_v<From, bool>) {
    return To(x ? 1 : 0);
  } else if constexpr (std::is_same_v<From, half_t>) {
    return convert<To>(static_cast<float>(x));
  } else if constexpr (std::is_same_v<To, half_t>) {
    if constexpr (std::is_same_v<From, double>) return half_t(to_float_round_odd(x));
    else return half_t(static_cast<float>(x));
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    return float_to_int<To>(x);
  } else {
    return static_cast<To>(x);  // int <-> int wraps, int -> float rounds
  }
}

template <typename To, typename From>
void convert_loop(const From* in, To* out, int64_t n) {
  parallel_for(n, [=](int64_t b, int64_t e) {
    // Local restrict copies: a store through a 1-byte type may alias
    // anything, including the lambda's captures, which blocks vectorizing.
    const From* __restrict src = in;
    To* __restrict dst = out;
    for (int64_t i = b; i < e; ++i) dst[i] = convert<To>(src[i]);
  });
}

// ---- F16C fast paths (function multi-versioning by hand) ----

__attribute__((target("avx,f16c"))) void float_to_half_f16c(const float* in, half_t* out,
                                                              int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), h);
  }
  for (; i < n; ++i) out[i] = half_t(in[i]);
}

__attribute__((target("avx,f16c"))) void half_to_float_f16c(const half_t* in, float* out,
                                                              int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
    _mm256_storeu_ps(out + i, _mm256_cvtph_ps(h));
  }
  for (; i < n; ++i) out[i] = static_cast<float>(in[i]);
}

bool has_f16c() {
  static const bool yes = __builtin_cpu_supports("avx") && __builtin_cpu_supports("f16c");
  return yes;
}

template <typename To, typename From>
void cast_typed(const From* in, To* out, int64_t n) {
  if constexpr (std::is_same_v<From, float> && std::is_same_v<To, half_t>) {
    if (has_f16c()) {
      parallel_for(n, [=](int64_t b, int64_t e) { float_to_half_f16c(in + b, out + b, e - b); });
      return;
    }
  } else if constexpr (std::is_same_v<From, half_t> && std::is_same_v<To, float>) {
    if (has_f16c()) {
      parallel_for(n, [=](int64_t b, int64_t e) { half_to_float_f16c(in + b, out + b, e - b); });
      return;
    }
  } else if constexpr (std::is_same_v<From, To>) {
    if (in != out)
      parallel_for(n, [=](int64_t b, int64_t e) { std::memcpy(out + b, in + b, (e - b) * sizeof(To)); });
    return;
  }
  convert_loop<To>(in, out, n);
}

void cast_forward(const OpContext&, const Params&, const std::vector<TBlob>& in,
                  const std::vector<TBlob>& out) {
  const int64_t n = in[0].numel();
  MXL_TYPE_SWITCH(in[0].dtype, From, {
    MXL_TYPE_SWITCH(out[0].dtype, To, { cast_typed<To>(in[0].ptr<From>(), out[0].ptr<To>(), n); })
  })
}

void infer_cast_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  (*out)[0] = p.get_dtype("dtype");
}

void infer_cast_shape(const Params&, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].known()) (*out)[0] = (*in)[0];
  else (*in)[0] = (*out)[0];
}

MXL_REGISTER_OP(Cast)
    .describe(
        "Casts all elements of the input to a new dtype. Float to integer truncates toward "
        "zero (NaN becomes 0); integers wrap when narrowed; any value other than zero becomes "
        "True for bool; float16 results round to nearest even.")
    .add_alias("cast")
    .add_input("data", "The input.")
    .add_param("dtype", "dtype", "", "Output data type.")
    .set_infer_shape(infer_cast_shape)
    .set_infer_type(infer_cast_type)
    .set_forward(cast_forward)
    // The gradient is cast back to the input's dtype (MXNet), so a float16
    // layer under a float32 Cast receives float16 gradients.
    .set_gradient([](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
      return {b.op("Cast", {n.out_grads[0]}, {{"dtype", dtype_name(b.dtype(n.inputs[0]))}})};
    });

}  // namespace
}  // namespace mxl
