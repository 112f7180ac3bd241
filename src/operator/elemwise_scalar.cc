// Element-wise operators between an array and a scalar (_plus_scalar,
// _mod_scalar, _greater_scalar, smooth_l1, ...): what `x + 1` and `2 ** x`
// turn into.
//
// The output keeps the input dtype (MXNet's legacy mx.nd semantics):
//   float32/float64 compute in their own type with the scalar cast to it;
//   float16 computes in float with the scalar rounded to float16 first;
//   integer types compute exactly in the integer type when the scalar is an
//     integer that the type can hold (wrapping like NumPy on overflow,
//     0 for division by zero), otherwise in double, cast back;
//   comparisons and logical ops give 1/0 in the input dtype, and are the
//     only ones that accept bool input.
#include <cmath>
#include <limits>
#include <type_traits>

#include "common/parallel.h"
#include "operator/registry.h"
#include "operator/elemwise_map.h"
#include "operator/elemwise_math.h"
#include "operator/grad_elemwise.h"

namespace mxl {
namespace {

using namespace elemwise;  // NOLINT: the shared element-wise helpers

// ---------------------------------------------------------------------------
// Shared machinery
// ---------------------------------------------------------------------------

template <typename T>
constexpr bool is_half = std::is_same_v<T, half_t>;

// The scalar as the element type sees it: float16 rounds it to half first,
// like NumPy's float16 arithmetic with a Python scalar.
template <typename T>
auto scalar_as(double s) {
  if constexpr (is_half<T>) return static_cast<float>(half_t(static_cast<float>(s)));
  else return static_cast<T>(s);
}

// Arithmetic kernel.  Op::fp(x, s) is the floating-point rule (A = float or
// double); Op::integral(x, s), present when Op::kExactIntegers, the exact
// integer rule.
template <typename Op>
void arith_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                   const std::vector<TBlob>& out) {
  const double s = p.get_float("scalar");
  MXL_TYPE_SWITCH(in[0].dtype, T, {
    if constexpr (std::is_same_v<T, bool>) {
      reject_bool(p);
    } else if constexpr (is_half<T>) {
      const float sv = scalar_as<T>(s);
      map_elements<T>(in[0], out[0], Op::kCost, [sv](T x) { return T(Op::fp(float(x), sv)); });
    } else if constexpr (std::is_floating_point_v<T>) {
      const T sv = scalar_as<T>(s);
      map_elements<T>(in[0], out[0], Op::kCost, [sv](T x) { return Op::fp(x, sv); });
    } else {
      bool exact = false;
      if constexpr (Op::kExactIntegers) {
        if (holds_integer<T>(s)) {
          exact = true;
          const T sv = static_cast<T>(s);
          map_elements<T>(in[0], out[0], Op::kCost, [sv](T x) { return Op::integral(x, sv); });
        }
      }
      if (!exact)
        map_elements<T>(in[0], out[0], Op::kCost, [s](T x) {
          return to_integer<T>(Op::fp(static_cast<double>(x), s));
        });
    }
  })
}

// Comparison / logical kernel: Op::test(x, s) in the element's type (exact
// for integers when the scalar is one the type holds, double otherwise).
template <typename Op>
void compare_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                     const std::vector<TBlob>& out) {
  const double s = p.get_float("scalar");
  MXL_TYPE_SWITCH(in[0].dtype, T, {
    if constexpr (std::is_same_v<T, bool>) {
      map_elements<T>(in[0], out[0], 1, [s](T x) { return Op::test(x ? 1.0 : 0.0, s); });
    } else if constexpr (is_half<T>) {
      const float sv = scalar_as<T>(s);
      map_elements<T>(in[0], out[0], 1,
                      [sv](T x) { return T(Op::test(float(x), sv) ? 1.0f : 0.0f); });
    } else if constexpr (std::is_floating_point_v<T>) {
      const T sv = scalar_as<T>(s);
      map_elements<T>(in[0], out[0], 1, [sv](T x) { return Op::test(x, sv) ? T(1) : T(0); });
    } else if (holds_integer<T>(s)) {
      const T sv = static_cast<T>(s);
      map_elements<T>(in[0], out[0], 1, [sv](T x) { return Op::test(x, sv) ? T(1) : T(0); });
    } else {
      map_elements<T>(in[0], out[0], 1, [s](T x) {
        return Op::test(static_cast<double>(x), s) ? T(1) : T(0);
      });
    }
  })
}

// ---------------------------------------------------------------------------
// Arithmetic rules
// ---------------------------------------------------------------------------

struct Plus {
  static constexpr bool kExactIntegers = true;
  static constexpr int64_t kCost = 1;
  template <typename A> static A fp(A x, A s) { return x + s; }
  template <typename T> static T integral(T x, T s) { return wrapping_add(x, s); }
};
struct Minus {
  static constexpr bool kExactIntegers = true;
  static constexpr int64_t kCost = 1;
  template <typename A> static A fp(A x, A s) { return x - s; }
  template <typename T> static T integral(T x, T s) { return wrapping_sub(x, s); }
};
struct RMinus {
  static constexpr bool kExactIntegers = true;
  static constexpr int64_t kCost = 1;
  template <typename A> static A fp(A x, A s) { return s - x; }
  template <typename T> static T integral(T x, T s) { return wrapping_sub(s, x); }
};
struct Mul {
  static constexpr bool kExactIntegers = true;
  static constexpr int64_t kCost = 1;
  template <typename A> static A fp(A x, A s) { return x * s; }
  template <typename T> static T integral(T x, T s) { return wrapping_mul(x, s); }
};
struct Div {
  static constexpr bool kExactIntegers = true;
  static constexpr int64_t kCost = 1;
  template <typename A> static A fp(A x, A s) { return x / s; }
  template <typename T> static T integral(T x, T s) { return safe_div(x, s); }
};
struct RDiv {
  static constexpr bool kExactIntegers = true;
  static constexpr int64_t kCost = 1;
  template <typename A> static A fp(A x, A s) { return s / x; }
  template <typename T> static T integral(T x, T s) { return safe_div(s, x); }
};
struct Mod {
  static constexpr bool kExactIntegers = true;
  static constexpr int64_t kCost = 4;
  template <typename A> static A fp(A x, A s) { return python_mod_float(x, s); }
  template <typename T> static T integral(T x, T s) { return python_mod_int(x, s); }
};
struct RMod {
  static constexpr bool kExactIntegers = true;
  static constexpr int64_t kCost = 4;
  template <typename A> static A fp(A x, A s) { return python_mod_float(s, x); }
  template <typename T> static T integral(T x, T s) { return python_mod_int(s, x); }
};
struct Power {
  static constexpr bool kExactIntegers = true;
  static constexpr int64_t kCost = 8;
  template <typename A> static A fp(A x, A s) { return std::pow(x, s); }
  template <typename T> static T integral(T x, T s) { return int_pow(x, s); }
};
// x ** 2 (common in losses) as a multiply: the same result as pow, and a
// loop that vectorizes.
struct PowerOfTwo {
  static constexpr bool kExactIntegers = true;
  static constexpr int64_t kCost = 1;
  template <typename A> static A fp(A x, A) { return x * x; }
  template <typename T> static T integral(T x, T) { return wrapping_mul(x, x); }
};
void power_forward(const OpContext& ctx, const Params& p, const std::vector<TBlob>& in,
                   const std::vector<TBlob>& out) {
  if (p.get_float("scalar") == 2.0) arith_forward<PowerOfTwo>(ctx, p, in, out);
  else arith_forward<Power>(ctx, p, in, out);
}
struct RPower {
  static constexpr bool kExactIntegers = true;
  static constexpr int64_t kCost = 8;
  template <typename A> static A fp(A x, A s) { return std::pow(s, x); }
  template <typename T> static T integral(T x, T s) { return int_pow(s, x); }
};
struct Maximum {
  static constexpr bool kExactIntegers = true;
  static constexpr int64_t kCost = 1;
  // NaN on either side wins, as in NumPy.
  template <typename A> static A fp(A x, A s) { return std::isnan(s) ? s : (x < s ? s : x); }
  template <typename T> static T integral(T x, T s) { return x < s ? s : x; }
};
struct Minimum {
  static constexpr bool kExactIntegers = true;
  static constexpr int64_t kCost = 1;
  template <typename A> static A fp(A x, A s) { return std::isnan(s) ? s : (s < x ? s : x); }
  template <typename T> static T integral(T x, T s) { return s < x ? s : x; }
};
struct Hypot {
  static constexpr bool kExactIntegers = false;
  static constexpr int64_t kCost = 8;
  template <typename A> static A fp(A x, A s) { return std::hypot(x, s); }
};
// Smooth L1 with sigma = s: 0.5 (sigma x)^2 where |x| < 1/sigma^2, else
// |x| - 0.5/sigma^2.
struct SmoothL1 {
  static constexpr bool kExactIntegers = false;
  static constexpr int64_t kCost = 2;
  template <typename A> static A fp(A x, A sigma) {
    const A sigma2 = sigma * sigma;
    const A ax = std::fabs(x);
    return ax < A(1) / sigma2 ? A(0.5) * x * x * sigma2 : ax - A(0.5) / sigma2;
  }
};

// ---------------------------------------------------------------------------
// Comparison and logical rules
// ---------------------------------------------------------------------------

#define MXL_SCALAR_TEST(Name, expr)                       \
  struct Name {                                           \
    template <typename A> static bool test(A x, A s) {    \
      return expr;                                        \
    }                                                     \
  };
MXL_SCALAR_TEST(Equal, x == s)
MXL_SCALAR_TEST(NotEqual, x != s)
MXL_SCALAR_TEST(Greater, x > s)
MXL_SCALAR_TEST(GreaterEqual, x >= s)
MXL_SCALAR_TEST(Lesser, x < s)
MXL_SCALAR_TEST(LesserEqual, x <= s)
MXL_SCALAR_TEST(LogicalAnd, (x != A(0)) && (s != A(0)))
MXL_SCALAR_TEST(LogicalOr, (x != A(0)) || (s != A(0)))
MXL_SCALAR_TEST(LogicalXor, (x != A(0)) != (s != A(0)))
#undef MXL_SCALAR_TEST

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------

void add_scalar_op(const char* name, const char* alias, const char* doc, ForwardFn forward,
                   InferTypeFn infer_type) {
  OpDef& op = Registry::get()
                  .add(name)
                  .describe(doc)
                  .add_input("data", "The input array.")
                  .add_param("scalar", "float", "1", "Scalar input value")
                  .add_param("is_int", "bool", "True",
                             "Indicate whether scalar input is int type (recorded; the "
                             "output keeps the input dtype either way)")
                  .set_infer_shape(infer_same_shape)
                  .set_infer_type(std::move(infer_type))
                  .set_forward(std::move(forward))
                  .add_inplace(0, 0);
  if (alias) op.add_alias(alias);
  if (GradientFn g = scalar_op_gradient(name)) op.set_gradient(std::move(g));
}

template <typename Op>
void add_arith(const char* name, const char* alias, const char* doc) {
  add_scalar_op(name, alias, doc, arith_forward<Op>, infer_numeric_type);
}

template <typename Op>
void add_compare(const char* name, const char* alias, const char* doc) {
  add_scalar_op(name, alias, doc, compare_forward<Op>, infer_any_type);
}

void register_scalar_ops() {
  add_arith<Plus>("_plus_scalar", "_PlusScalar", "Adds a scalar to every element: x + scalar.");
  add_arith<Minus>("_minus_scalar", "_MinusScalar",
                   "Subtracts a scalar from every element: x - scalar.");
  add_arith<RMinus>("_rminus_scalar", "_RMinusScalar",
                    "Subtracts every element from a scalar: scalar - x.");
  add_arith<Mul>("_mul_scalar", "_MulScalar", "Multiplies every element by a scalar: x * scalar.");
  add_arith<Div>("_div_scalar", "_DivScalar",
                 "Divides every element by a scalar: x / scalar. Integer inputs divide with "
                 "truncation toward zero; division by zero gives 0.");
  add_arith<RDiv>("_rdiv_scalar", "_RDivScalar",
                  "Divides a scalar by every element: scalar / x. Integer inputs divide with "
                  "truncation toward zero; division by zero gives 0.");
  add_arith<Mod>("_mod_scalar", "_ModScalar",
                 "Remainder of every element divided by a scalar, x % scalar, with the sign "
                 "of the divisor as in Python and NumPy. Integer division by zero gives 0.");
  add_arith<RMod>("_rmod_scalar", "_RModScalar",
                  "Remainder of a scalar divided by every element, scalar % x, with the sign "
                  "of the divisor as in Python and NumPy. Integer division by zero gives 0.");
  add_scalar_op("_power_scalar", "_PowerScalar", "Raises every element to a scalar power: "
                "x ** scalar.", power_forward, infer_numeric_type);
  add_arith<RPower>("_rpower_scalar", "_RPowerScalar",
                    "Raises a scalar to the power of every element: scalar ** x.");
  add_arith<Maximum>("_maximum_scalar", "_MaximumScalar",
                     "Element-wise maximum of the input and a scalar (NaN propagates).");
  add_arith<Minimum>("_minimum_scalar", "_MinimumScalar",
                     "Element-wise minimum of the input and a scalar (NaN propagates).");
  add_arith<Hypot>("_hypot_scalar", "_HypotScalar",
                   "Element-wise hypotenuse sqrt(x^2 + scalar^2) of the input and a scalar.");
  add_arith<SmoothL1>("smooth_l1", nullptr,
                      "Smooth L1 loss of every element with sigma = scalar: 0.5 * (sigma * x)^2 "
                      "if |x| < 1/sigma^2, else |x| - 0.5/sigma^2.");

  add_compare<Equal>("_equal_scalar", "_EqualScalar",
                     "1 where the element equals the scalar, else 0, in the input dtype.");
  add_compare<NotEqual>("_not_equal_scalar", "_NotEqualScalar",
                        "1 where the element differs from the scalar, else 0, in the input dtype.");
  add_compare<Greater>("_greater_scalar", "_GreaterScalar",
                       "1 where the element is greater than the scalar, else 0, in the input "
                       "dtype.");
  add_compare<GreaterEqual>("_greater_equal_scalar", "_GreaterEqualScalar",
                            "1 where the element is greater than or equal to the scalar, else 0, "
                            "in the input dtype.");
  add_compare<Lesser>("_lesser_scalar", "_LesserScalar",
                      "1 where the element is less than the scalar, else 0, in the input dtype.");
  add_compare<LesserEqual>("_lesser_equal_scalar", "_LesserEqualScalar",
                           "1 where the element is less than or equal to the scalar, else 0, in "
                           "the input dtype.");
  add_compare<LogicalAnd>("_logical_and_scalar", "_LogicalAndScalar",
                          "Element-wise logical AND of the input and a scalar (non-zero is "
                          "true): 1 or 0 in the input dtype.");
  add_compare<LogicalOr>("_logical_or_scalar", "_LogicalOrScalar",
                         "Element-wise logical OR of the input and a scalar (non-zero is true): "
                         "1 or 0 in the input dtype.");
  add_compare<LogicalXor>("_logical_xor_scalar", "_LogicalXorScalar",
                          "Element-wise logical XOR of the input and a scalar (non-zero is "
                          "true): 1 or 0 in the input dtype.");
}

MXL_REGISTER_BLOCK(register_scalar_ops);

}  // namespace
}  // namespace mxl
