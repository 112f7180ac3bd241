// Element-wise unary operators (abs, relu, sqrt, exp, sin, floor, erf, ...).
//
// Every op maps one array to one array of the same shape and dtype.  The
// kernels are grouped by how they treat the dtypes:
//
//   exact ops (abs, sign, negative, square, relu, the rounding family) are
//     defined on every numeric type directly; integer results wrap around
//     like NumPy's, and the rounding ops are the identity on integers;
//   math ops (sqrt, exp, sin, erf, gamma, ...) compute float32/float16 in
//     float and float64 in double; integer inputs are computed in double and
//     cast back to the input dtype (MXNet's legacy mx.nd semantics);
//   logical_not is defined on every dtype including bool.
//
// Bool inputs are rejected (TypeError) by everything except logical_not.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "common/parallel.h"
#include "operator/registry.h"
#include "operator/elemwise_map.h"
#include "operator/elemwise_math.h"
#include "operator/grad_elemwise.h"
#include "operator/polygamma.h"

namespace mxl {
namespace {

using namespace elemwise;  // NOLINT: the shared element-wise helpers

// ---------------------------------------------------------------------------
// Shared machinery
// ---------------------------------------------------------------------------

template <typename T>
constexpr bool is_half = std::is_same_v<T, half_t>;

// Kernel for ops with a per-type definition: Op::apply is called with the
// element type itself (float for half).
template <typename Op>
void exact_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                   const std::vector<TBlob>& out) {
  MXL_TYPE_SWITCH(in[0].dtype, T, {
    if constexpr (std::is_same_v<T, bool>) {
      reject_bool(p);
    } else if constexpr (is_half<T>) {
      map_elements<T>(in[0], out[0], Op::kCost, [](T x) { return T(Op::apply(float(x))); });
    } else {
      map_elements<T>(in[0], out[0], Op::kCost, [](T x) { return Op::apply(x); });
    }
  })
}

// Kernel for floating-point math: float for float32/float16, double for
// float64 and, cast back, for the integer types.
template <typename Op>
void math_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                  const std::vector<TBlob>& out) {
  MXL_TYPE_SWITCH(in[0].dtype, T, {
    if constexpr (std::is_same_v<T, bool>) {
      reject_bool(p);
    } else if constexpr (is_half<T>) {
      map_elements<T>(in[0], out[0], Op::kCost, [](T x) { return T(Op::apply(float(x))); });
    } else if constexpr (std::is_floating_point_v<T>) {
      map_elements<T>(in[0], out[0], Op::kCost, [](T x) { return Op::apply(x); });
    } else {
      map_elements<T>(in[0], out[0], Op::kCost,
                      [](T x) { return to_integer<T>(Op::apply(static_cast<double>(x))); });
    }
  })
}

void logical_not_forward(const OpContext&, const Params&, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  MXL_TYPE_SWITCH(in[0].dtype, T, {
    if constexpr (std::is_same_v<T, bool>) {
      map_elements<T>(in[0], out[0], 1, [](T x) { return !x; });
    } else if constexpr (is_half<T>) {
      map_elements<T>(in[0], out[0], 1, [](T x) { return T(float(x) == 0.0f ? 1.0f : 0.0f); });
    } else {
      map_elements<T>(in[0], out[0], 1, [](T x) { return x == T(0) ? T(1) : T(0); });
    }
  })
}

// ---------------------------------------------------------------------------
// Exact ops
// ---------------------------------------------------------------------------

struct Abs {
  static constexpr int64_t kCost = 1;
  template <typename T> static T apply(T x) {
    if constexpr (std::is_unsigned_v<T>) return x;
    else if constexpr (std::is_integral_v<T>) return x < 0 ? wrapping_neg(x) : x;
    else return std::fabs(x);
  }
};

struct Sign {
  static constexpr int64_t kCost = 1;
  template <typename T> static T apply(T x) {
    // Zero (and NaN, as in NumPy) map to themselves.
    if constexpr (std::is_unsigned_v<T>) return x > 0 ? T(1) : T(0);
    else return x > T(0) ? T(1) : (x < T(0) ? T(-1) : x);
  }
};

struct Negative {
  static constexpr int64_t kCost = 1;
  template <typename T> static T apply(T x) {
    if constexpr (std::is_integral_v<T>) return wrapping_neg(x);
    else return -x;
  }
};

struct Square {
  static constexpr int64_t kCost = 1;
  template <typename T> static T apply(T x) {
    if constexpr (std::is_integral_v<T>) return wrapping_mul(x, x);
    else return x * x;
  }
};

struct Relu {
  static constexpr int64_t kCost = 1;
  template <typename T> static T apply(T x) {
    // "x < 0 ? 0 : x" keeps NaN (NumPy's maximum(x, 0) does) and compiles
    // to a compare-and-mask the vectorizer handles.
    if constexpr (std::is_unsigned_v<T>) return x;
    else return x < T(0) ? T(0) : x;
  }
};

// float rounding without libm calls, so the loops vectorize on baseline
// x86-64 (floorf and friends are calls there).  Adding and subtracting 2^23
// rounds to the nearest even integer in the default rounding mode;
// magnitudes at or beyond 2^23 are integers already, and NaN/inf pass
// through.  Results match libm bit for bit, signed zeros included.

// c ? a : b on the bit patterns.  GCC (default -ftrapping-math) will not
// if-convert a conditional floating-point operation, which would leave the
// loop scalar; a bitwise blend keeps the arithmetic unconditional.
inline float pick(bool c, float a, float b) {
  uint32_t ba, bb;
  std::memcpy(&ba, &a, 4);
  std::memcpy(&bb, &b, 4);
  const uint32_t mask = uint32_t(0) - uint32_t(c);
  const uint32_t r = (ba & mask) | (bb & ~mask);
  float out;
  std::memcpy(&out, &r, 4);
  return out;
}
inline float rint_f(float x) {
  const float kBig = 8388608.0f;  // 2^23
  const float ax = std::fabs(x);
  return pick(ax < kBig, std::copysign((ax + kBig) - kBig, x), x);
}
inline float floor_f(float x) {
  const float r = rint_f(x);
  return r - pick(r > x, 1.0f, 0.0f);
}
inline float ceil_f(float x) { return -floor_f(-x); }
inline float trunc_f(float x) { return std::copysign(floor_f(std::fabs(x)), x); }
inline float round_f(float x) {  // halves away from zero
  const float ax = std::fabs(x);
  const float t = floor_f(ax);
  return std::copysign(t + pick(ax - t >= 0.5f, 1.0f, 0.0f), x);  // ax - t is exact
}

// The rounding ops are the identity on integers.
// Double keeps libm (the blend needs 64-bit lane compares SSE2 lacks).
#define MXL_ROUNDING_OP(Name, float_fn, libm_fn)               \
  struct Name {                                                \
    static constexpr int64_t kCost = 1;                        \
    template <typename T> static T apply(T x) {                \
      if constexpr (std::is_integral_v<T>) return x;           \
      else if constexpr (std::is_same_v<T, float>) return float_fn(x); \
      else return libm_fn(x);                                  \
    }                                                          \
  };
MXL_ROUNDING_OP(Floor, floor_f, std::floor)
MXL_ROUNDING_OP(Ceil, ceil_f, std::ceil)
MXL_ROUNDING_OP(Round, round_f, std::round)    // round(2.5) = 3, round(-2.5) = -3
MXL_ROUNDING_OP(Rint, rint_f, std::nearbyint)  // rint(2.5) = 2
MXL_ROUNDING_OP(Trunc, trunc_f, std::trunc)
#undef MXL_ROUNDING_OP

// ---------------------------------------------------------------------------
// Math ops: apply(A) for A = float or double
// ---------------------------------------------------------------------------

constexpr double kPi = 3.14159265358979323846;

// float exp that vectorizes (glibc's expf is a scalar call): e^x = 2^n e^r
// with n = round(x / ln 2) and |r| <= ln(2)/2, r computed in two parts (the
// high part of ln 2 has 16 significant bits, so n * ln2_hi is exact), e^r by
// its degree-7 Taylor polynomial, 2^n by building exponent bits.  2^n is
// applied as two factors so results that overflow or fall into the
// subnormal range round correctly.  Within 1.2 ulp of the exact result over
// all floats (checked exhaustively against double exp).
inline float pow2_int(int32_t n) {  // 2^n for n in [-126, 127]
  const uint32_t bits = static_cast<uint32_t>(n + 127) << 23;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}
inline float exp_f(float x) {
  // Clamp so n stays in [-150, 128]; beyond, the result is 0 or inf anyway.
  const float lo = pick(x < -104.0f, -104.0f, x);
  const float xc = pick(lo > 89.0f, 89.0f, lo);
  const float kLog2e = 1.44269504088896341f;
  const float kRound = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const float nf = (xc * kLog2e + kRound) - kRound;
  const float r = (xc - nf * 0.693145751953125f) - nf * 1.42860682030941723212e-6f;
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t n = static_cast<int32_t>(nf);
  const int32_t half = n >> 1;
  const float y = p * pow2_int(half) * pow2_int(n - half);
  return pick(x != x, x, y);  // NaN in, NaN out
}

// std::exp, except float takes the vectorizable version.
template <typename A>
A exp_any(A x) {
  if constexpr (std::is_same_v<A, float>) return exp_f(x);
  else return std::exp(x);
}

#define MXL_MATH_OP(Name, cost, expr)               \
  struct Name {                                     \
    static constexpr int64_t kCost = cost;          \
    template <typename A> static A apply(A x) {     \
      return expr;                                  \
    }                                               \
  };
MXL_MATH_OP(Reciprocal, 2, A(1) / x)
MXL_MATH_OP(Sqrt, 4, std::sqrt(x))
MXL_MATH_OP(Rsqrt, 4, A(1) / std::sqrt(x))
MXL_MATH_OP(Cbrt, 8, std::cbrt(x))
MXL_MATH_OP(Rcbrt, 8, A(1) / std::cbrt(x))
MXL_MATH_OP(Exp, 4, exp_any(x))
MXL_MATH_OP(Log, 8, std::log(x))
MXL_MATH_OP(Log2, 8, std::log2(x))
MXL_MATH_OP(Log10, 8, std::log10(x))
MXL_MATH_OP(Log1p, 8, std::log1p(x))
MXL_MATH_OP(Expm1, 8, std::expm1(x))
MXL_MATH_OP(Sin, 8, std::sin(x))
MXL_MATH_OP(Cos, 8, std::cos(x))
MXL_MATH_OP(Tan, 8, std::tan(x))
MXL_MATH_OP(Arcsin, 8, std::asin(x))
MXL_MATH_OP(Arccos, 8, std::acos(x))
MXL_MATH_OP(Arctan, 8, std::atan(x))
MXL_MATH_OP(Sinh, 8, std::sinh(x))
MXL_MATH_OP(Cosh, 8, std::cosh(x))
MXL_MATH_OP(Tanh, 8, std::tanh(x))
MXL_MATH_OP(Arcsinh, 8, std::asinh(x))
MXL_MATH_OP(Arccosh, 8, std::acosh(x))
MXL_MATH_OP(Arctanh, 8, std::atanh(x))
MXL_MATH_OP(Degrees, 1, x * A(180.0 / kPi))
MXL_MATH_OP(Radians, 1, x * A(kPi / 180.0))
MXL_MATH_OP(Sigmoid, 4, A(1) / (A(1) + exp_any(-x)))
MXL_MATH_OP(Softsign, 2, x / (A(1) + std::fabs(x)))
MXL_MATH_OP(Erf, 8, std::erf(x))
MXL_MATH_OP(Gamma, 16, std::tgamma(x))
#undef MXL_MATH_OP

struct Gammaln {
  static constexpr int64_t kCost = 16;
  template <typename A> static A apply(A x) {
#ifdef __GLIBC__
    // The reentrant form: std::lgamma writes the global signgam, a data race
    // once the loop runs on several threads.
    int sign;
    if constexpr (std::is_same_v<A, float>) return ::lgammaf_r(x, &sign);
    else return ::lgamma_r(x, &sign);
#else
    return std::lgamma(x);
#endif
  }
};

// Inverse error function.  A single-precision polynomial (M. Giles,
// "Approximating the erfinv function", GPU Computing Gems, 2011) gives a
// starting point that two Newton steps on erf(x) - y polish to double
// accuracy.
double erfinv_double(double y) {
  if (std::isnan(y) || y < -1.0 || y > 1.0) return std::numeric_limits<double>::quiet_NaN();
  if (y == 1.0) return std::numeric_limits<double>::infinity();
  if (y == -1.0) return -std::numeric_limits<double>::infinity();
  double w = -std::log((1.0 - y) * (1.0 + y));
  double p;
  if (w < 5.0) {
    w -= 2.5;
    p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w;
    p = -3.5233877e-06 + p * w;
    p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = std::sqrt(w) - 3.0;
    p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  double x = p * y;
  const double two_over_sqrt_pi = 1.1283791670955126;
  for (int step = 0; step < 2; ++step) {
    double slope = two_over_sqrt_pi * std::exp(-x * x);
    if (slope == 0.0) break;  // |y| so close to 1 that erf is flat in double
    x -= (std::erf(x) - y) / slope;
  }
  return x;
}

// digamma and trigamma, for the gradients of gamma and gammaln; computed in
// double for every dtype.
struct Digamma {
  static constexpr int64_t kCost = 32;
  template <typename A> static A apply(A x) { return static_cast<A>(special::digamma(x)); }
};
struct Trigamma {
  static constexpr int64_t kCost = 32;
  template <typename A> static A apply(A x) { return static_cast<A>(special::trigamma(x)); }
};

struct Erfinv {
  static constexpr int64_t kCost = 32;
  template <typename A> static A apply(A x) { return static_cast<A>(erfinv_double(x)); }
};

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------

// MXNet also registers most of these under "_sparse_<name>" (its sparse
// frontend calls them by that name); ops marked kDenseOnly have no alias.
enum AliasKind { kSparseAlias, kDenseOnly };

void add_unary(const char* name, const char* doc, ForwardFn forward, InferTypeFn infer_type,
               AliasKind alias) {
  OpDef& op = Registry::get()
                  .add(name)
                  .describe(doc)
                  .add_input("data", "The input array.")
                  .set_infer_shape(infer_same_shape)
                  .set_infer_type(std::move(infer_type))
                  .set_forward(std::move(forward))
                  .add_inplace(0, 0);
  if (alias == kSparseAlias) op.add_alias(std::string("_sparse_") + name);
  if (GradientFn g = unary_op_gradient(name)) op.set_gradient(std::move(g));
}

template <typename Op>
void add_exact(const char* name, const char* doc, AliasKind alias = kSparseAlias) {
  add_unary(name, doc, exact_forward<Op>, infer_numeric_type, alias);
}

template <typename Op>
void add_math(const char* name, const char* doc, AliasKind alias = kSparseAlias) {
  add_unary(name, doc, math_forward<Op>, infer_numeric_type, alias);
}

void register_unary_ops() {
  add_exact<Abs>("abs", "Returns the element-wise absolute value of the input. Integer minima "
                        "wrap around as in NumPy (abs(int8(-128)) is -128).");
  add_exact<Sign>("sign",
                  "Returns the element-wise sign of the input: -1, 0 or 1 (NaN stays NaN).");
  add_exact<Negative>("negative", "Numerical negative of the argument, element-wise. Unsigned "
                                  "integers wrap around as in NumPy.");
  add_exact<Square>("square", "Returns the element-wise square of the input, x * x.");
  add_exact<Relu>("relu", "Computes the rectified linear function max(x, 0) element-wise.");
  add_exact<Floor>("floor", "Returns the element-wise floor of the input: the largest integer "
                            "i with i <= x.");
  add_exact<Ceil>("ceil", "Returns the element-wise ceiling of the input: the smallest integer "
                          "i with i >= x.");
  add_exact<Round>("round", "Rounds each element to the nearest integer; halves round away "
                            "from zero (round(-1.5) = -2, round(2.5) = 3).");
  add_exact<Rint>("rint", "Rounds each element to the nearest integer; halves round to the "
                          "nearest even integer (rint(1.5) = 2, rint(2.5) = 2).");
  add_exact<Trunc>("fix", "Rounds each element to the nearest integer towards zero.");
  add_exact<Trunc>("trunc", "Returns the element-wise truncated value of the input: the "
                            "fractional part is discarded.");
  add_unary("logical_not",
            "Returns the element-wise logical NOT of the input: 1 where the input is zero, 0 "
            "elsewhere, in the input's dtype.",
            logical_not_forward, infer_any_type, kDenseOnly);

  add_math<Reciprocal>("reciprocal", "Returns the element-wise reciprocal 1/x of the input. "
                                     "Integer inputs give 0 for x = 0.", kDenseOnly);
  add_math<Sqrt>("sqrt", "Returns the element-wise square root of the input.");
  add_math<Rsqrt>("rsqrt", "Returns the element-wise inverse square root 1/sqrt(x).");
  add_math<Cbrt>("cbrt", "Returns the element-wise cube root of the input.");
  add_math<Rcbrt>("rcbrt", "Returns the element-wise inverse cube root 1/cbrt(x).", kDenseOnly);
  add_math<Exp>("exp", "Returns the element-wise exponential e^x of the input.");
  add_math<Log>("log", "Returns the element-wise natural logarithm of the input.");
  add_math<Log2>("log2", "Returns the element-wise base-2 logarithm of the input.");
  add_math<Log10>("log10", "Returns the element-wise base-10 logarithm of the input.");
  add_math<Log1p>("log1p", "Returns log(1 + x) element-wise, accurate for small x.");
  add_math<Expm1>("expm1", "Returns exp(x) - 1 element-wise, accurate for small x.");
  add_math<Sin>("sin", "Computes the element-wise sine of the input (radians).");
  add_math<Cos>("cos", "Computes the element-wise cosine of the input (radians).");
  add_math<Tan>("tan", "Computes the element-wise tangent of the input (radians).");
  add_math<Arcsin>("arcsin", "Returns the element-wise inverse sine, in [-pi/2, pi/2].");
  add_math<Arccos>("arccos", "Returns the element-wise inverse cosine, in [0, pi].");
  add_math<Arctan>("arctan", "Returns the element-wise inverse tangent, in [-pi/2, pi/2].");
  add_math<Sinh>("sinh", "Returns the element-wise hyperbolic sine of the input.");
  add_math<Cosh>("cosh", "Returns the element-wise hyperbolic cosine of the input.");
  add_math<Tanh>("tanh", "Returns the element-wise hyperbolic tangent of the input.");
  add_math<Arcsinh>("arcsinh", "Returns the element-wise inverse hyperbolic sine.");
  add_math<Arccosh>("arccosh", "Returns the element-wise inverse hyperbolic cosine.");
  add_math<Arctanh>("arctanh", "Returns the element-wise inverse hyperbolic tangent.");
  add_math<Degrees>("degrees", "Converts each element from radians to degrees.");
  add_math<Radians>("radians", "Converts each element from degrees to radians.");
  add_math<Sigmoid>("sigmoid", "Computes the logistic sigmoid 1 / (1 + exp(-x)) element-wise.");
  add_math<Softsign>("softsign", "Computes softsign x / (1 + |x|) element-wise.");
  add_math<Erf>("erf", "Returns the element-wise Gauss error function of the input.", kDenseOnly);
  add_math<Erfinv>("erfinv", "Returns the element-wise inverse Gauss error function; inputs "
                             "outside [-1, 1] give NaN.", kDenseOnly);
  add_math<Gamma>("gamma", "Returns the gamma function (extension of the factorial to the "
                           "reals) element-wise.");
  add_math<Gammaln>("gammaln", "Returns the element-wise log of the absolute value of the gamma "
                               "function.");
  // Hidden: the derivatives of gammaln, used by the gradients of gamma and
  // gammaln (MXNet has no public digamma in mx.nd).  _trigamma has no
  // gradient of its own, so gamma and gammaln differentiate twice.
  add_math<Digamma>("_digamma", "Returns the element-wise digamma function psi(x), the "
                                "derivative of gammaln; NaN at 0, -1, -2, ...", kDenseOnly);
  add_math<Trigamma>("_trigamma", "Returns the element-wise trigamma function, the derivative "
                                  "of digamma; NaN at 0, -1, -2, ...", kDenseOnly);
}

MXL_REGISTER_BLOCK(register_unary_ops);

}  // namespace
}  // namespace mxl
