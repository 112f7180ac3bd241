// Element-wise operators on two arrays: the same-shape family (elemwise_add,
// _mod, _equal, ...) and its broadcasting twin (broadcast_add, broadcast_mod,
// broadcast_equal, ...).  Both share one rule per operation and one kernel;
// they differ only in shape inference (equal shapes vs. NumPy broadcasting).
//
// The output keeps the input dtype (MXNet's legacy mx.nd semantics), and the
// two inputs must share it:
//   float32/float64 compute in their own type, float16 in float;
//   integer types compute exactly where the operation is closed over the
//     integers (wrapping like NumPy on overflow; division and remainder by
//     zero give 0 instead of trapping), otherwise (hypot) in double, cast
//     back;
//   comparisons and logical ops give 1/0 in the input dtype;
//   bool supports comparisons, logical ops, and add/mul/maximum/minimum as
//     NumPy defines them on bool (or/and/or/and); sub/div/mod/power/hypot
//     reject it with a TypeError.
#include <cmath>
#include <initializer_list>
#include <limits>
#include <type_traits>

#include "common/parallel.h"
#include "operator/broadcast_util.h"
#include "operator/registry.h"
#include "operator/elemwise_math.h"
#include "operator/grad_elemwise.h"

namespace mxl {
namespace {

using namespace elemwise;  // NOLINT: the shared element-wise helpers

// ---------------------------------------------------------------------------
// Operation rules.  Each defines fp(x, y) for A = float or double; integral
// (x, y) when kExactIntegers (else integers go through fp in double);
// boolean(x, y) when kAcceptsBool.  kCost scales the parallel threshold.
// ---------------------------------------------------------------------------

struct Add {
  static constexpr bool kExactIntegers = true, kAcceptsBool = true;
  static constexpr int64_t kCost = 1;
  template <typename A> static A fp(A x, A y) { return x + y; }
  template <typename T> static T integral(T x, T y) { return wrapping_add(x, y); }
  static bool boolean(bool x, bool y) { return x || y; }
};
struct Sub {
  static constexpr bool kExactIntegers = true, kAcceptsBool = false;
  static constexpr int64_t kCost = 1;
  template <typename A> static A fp(A x, A y) { return x - y; }
  template <typename T> static T integral(T x, T y) { return wrapping_sub(x, y); }
};
struct Mul {
  static constexpr bool kExactIntegers = true, kAcceptsBool = true;
  static constexpr int64_t kCost = 1;
  template <typename A> static A fp(A x, A y) { return x * y; }
  template <typename T> static T integral(T x, T y) { return wrapping_mul(x, y); }
  static bool boolean(bool x, bool y) { return x && y; }
};
struct Div {
  static constexpr bool kExactIntegers = true, kAcceptsBool = false;
  static constexpr int64_t kCost = 1;
  template <typename A> static A fp(A x, A y) { return x / y; }
  template <typename T> static T integral(T x, T y) { return safe_div(x, y); }
};
struct Mod {
  static constexpr bool kExactIntegers = true, kAcceptsBool = false;
  static constexpr int64_t kCost = 4;
  template <typename A> static A fp(A x, A y) { return python_mod_float(x, y); }
  template <typename T> static T integral(T x, T y) { return python_mod_int(x, y); }
};
struct Power {
  static constexpr bool kExactIntegers = true, kAcceptsBool = false;
  static constexpr int64_t kCost = 8;
  template <typename A> static A fp(A x, A y) { return std::pow(x, y); }
  template <typename T> static T integral(T x, T y) { return int_pow(x, y); }
};
// NaN on either side wins, as in NumPy; written so it still vectorizes.
struct Maximum {
  static constexpr bool kExactIntegers = true, kAcceptsBool = true;
  static constexpr int64_t kCost = 1;
  template <typename A> static A fp(A x, A y) { return (x > y || x != x) ? x : y; }
  template <typename T> static T integral(T x, T y) { return x > y ? x : y; }
  static bool boolean(bool x, bool y) { return x || y; }
};
struct Minimum {
  static constexpr bool kExactIntegers = true, kAcceptsBool = true;
  static constexpr int64_t kCost = 1;
  template <typename A> static A fp(A x, A y) { return (x < y || x != x) ? x : y; }
  template <typename T> static T integral(T x, T y) { return x < y ? x : y; }
  static bool boolean(bool x, bool y) { return x && y; }
};
struct Hypot {
  static constexpr bool kExactIntegers = false, kAcceptsBool = false;
  static constexpr int64_t kCost = 8;
  template <typename A> static A fp(A x, A y) { return std::hypot(x, y); }
};

// Comparisons and logical ops: one predicate serves every type.
#define MXL_BINARY_PREDICATE(Name, expr)                                             \
  struct Name {                                                                      \
    static constexpr bool kExactIntegers = true, kAcceptsBool = true;                \
    static constexpr int64_t kCost = 1;                                              \
    template <typename A> static A fp(A x, A y) { return (expr) ? A(1) : A(0); }     \
    template <typename T> static T integral(T x, T y) { return (expr) ? T(1) : T(0); } \
    static bool boolean(bool x, bool y) { return expr; }                             \
  };
MXL_BINARY_PREDICATE(Equal, x == y)
MXL_BINARY_PREDICATE(NotEqual, x != y)
MXL_BINARY_PREDICATE(Greater, x > y)
MXL_BINARY_PREDICATE(GreaterEqual, x >= y)
MXL_BINARY_PREDICATE(Lesser, x < y)
MXL_BINARY_PREDICATE(LesserEqual, x <= y)
MXL_BINARY_PREDICATE(LogicalAnd, (x != 0) && (y != 0))
MXL_BINARY_PREDICATE(LogicalOr, (x != 0) || (y != 0))
MXL_BINARY_PREDICATE(LogicalXor, (x != 0) != (y != 0))
#undef MXL_BINARY_PREDICATE

// The rule Op applied to one pair of T elements.
template <typename Op, typename T>
inline T apply(T x, T y) {
  if constexpr (std::is_same_v<T, half_t>) {
    return T(Op::fp(static_cast<float>(x), static_cast<float>(y)));
  } else if constexpr (std::is_floating_point_v<T>) {
    return Op::fp(x, y);
  } else if constexpr (std::is_same_v<T, bool>) {
    return Op::boolean(x, y);
  } else if constexpr (Op::kExactIntegers) {
    return Op::integral(x, y);
  } else {
    return to_integer<T>(Op::fp(static_cast<double>(x), static_cast<double>(y)));
  }
}

// ---------------------------------------------------------------------------
// Kernel
// ---------------------------------------------------------------------------

// One contiguous run.  Each input either varies along the run (stride 1) or
// repeats one element (stride 0); each case is its own plain loop so the
// compiler vectorizes it.  out may alias a (declared in-place pair): every
// element is read before the same position is written.
template <typename Op, typename T>
inline void binary_run(const T* a, int64_t a_stride, const T* b, int64_t b_stride, T* out,
                       int64_t n) {
  if (a_stride && b_stride) {
    for (int64_t i = 0; i < n; ++i) out[i] = apply<Op>(a[i], b[i]);
  } else if (a_stride) {
    const T bv = *b;
    for (int64_t i = 0; i < n; ++i) out[i] = apply<Op>(a[i], bv);
  } else if (b_stride) {
    const T av = *a;
    for (int64_t i = 0; i < n; ++i) out[i] = apply<Op>(av, b[i]);
  } else {
    const T v = apply<Op>(*a, *b);
    for (int64_t i = 0; i < n; ++i) out[i] = v;
  }
}

template <typename Op, typename T>
void binary_kernel(const TBlob& lhs, const TBlob& rhs, const TBlob& dst) {
  const int64_t n = dst.numel();
  if (n == 0) return;
  const T* a = lhs.ptr<T>();
  const T* b = rhs.ptr<T>();
  T* o = dst.ptr<T>();
  const int64_t na = lhs.numel(), nb = rhs.numel();
  // An operand with as many elements as the output is laid out exactly like
  // it (broadcasting only prepends 1s), and one with a single element is a
  // scalar: both cases, by far the most common, need no plan.
  if ((na == n || na == 1) && (nb == n || nb == 1)) {
    const int64_t sa = na == n ? 1 : 0, sb = nb == n ? 1 : 0;
    parallel_for(
        n,
        [=](int64_t begin, int64_t end) {
          binary_run<Op>(a + begin * sa, sa, b + begin * sb, sb, o + begin, end - begin);
        },
        Op::kCost);
    return;
  }
  const Shape* shapes[2] = {&lhs.shape, &rhs.shape};
  const BroadcastPlan<2> plan = make_broadcast_plan<2>(dst.shape, shapes);
  const int64_t sa = plan.strides[0][plan.ndim - 1], sb = plan.strides[1][plan.ndim - 1];
  parallel_for(
      n,
      [&](int64_t begin, int64_t end) {
        for_each_segment(plan, begin, end, [&](int64_t pos, const int64_t* off, int64_t len) {
          binary_run<Op>(a + off[0], sa, b + off[1], sb, o + pos, len);
        });
      },
      Op::kCost);
}

[[noreturn]] void reject_bool(const std::string& op) {
  throw_error(MXL_ERR_TYPE, "Operator ", op,
              ": inputs 'lhs' and 'rhs' have dtype bool, which this operator does not "
              "support; expected a numeric dtype (float16, float32, float64, uint8, int8, "
              "int32, int64)");
}

template <typename Op>
void binary_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                    const std::vector<TBlob>& out) {
  const TBlob &lhs = in[0], &rhs = in[1], &dst = out[0];
  // Inference already checked these; a direct caller that skipped it gets
  // an error rather than a wild read.
  MXL_CHECK(lhs.dtype == dst.dtype && rhs.dtype == dst.dtype, MXL_ERR_TYPE, "Operator ",
            p.op()->name, ": inputs 'lhs' (", dtype_name(lhs.dtype), ") and 'rhs' (",
            dtype_name(rhs.dtype), ") must both have the output dtype ", dtype_name(dst.dtype));
  MXL_TYPE_SWITCH(dst.dtype, T, {
    if constexpr (std::is_same_v<T, bool> && !Op::kAcceptsBool) reject_bool(p.op()->name);
    else binary_kernel<Op, T>(lhs, rhs, dst);
  })
}

// ---------------------------------------------------------------------------
// Inference
// ---------------------------------------------------------------------------

void infer_binary_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out,
                       bool accepts_bool) {
  const DType l = (*in)[0], r = (*in)[1];
  MXL_CHECK(l == r, MXL_ERR_TYPE, "Operator ", p.op()->name, ": inputs 'lhs' of dtype ",
            dtype_name(l), " and 'rhs' of dtype ", dtype_name(r), " must have the same dtype");
  if (!accepts_bool && l == DType::kBool) reject_bool(p.op()->name);
  (*out)[0] = l;
}

// Same-shape ops.  Symbolic inference may know only some of the three
// shapes: any known one determines the others.
void infer_same_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  Shape& lhs = (*in)[0];
  Shape& rhs = (*in)[1];
  if (lhs.known() && rhs.known()) {
    MXL_CHECK(lhs == rhs, MXL_ERR_VALUE, "Operator ", p.op()->name, ": inputs 'lhs' of shape ",
              lhs.str(), " and 'rhs' of shape ", rhs.str(),
              " must have the same shape (use the broadcast_* operator to broadcast)");
  }
  const Shape& known = lhs.known() ? lhs : rhs.known() ? rhs : (*out)[0];
  if (!known.known()) return;
  const Shape s = known;
  lhs = s;
  rhs = s;
  (*out)[0] = s;
}

void infer_broadcast_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape &lhs = (*in)[0], &rhs = (*in)[1];
  if (!lhs.known() || !rhs.known()) return;
  MXL_CHECK(broadcast_shapes(lhs, rhs, &(*out)[0]), MXL_ERR_VALUE, "Operator ", p.op()->name,
            ": inputs 'lhs' of shape ", lhs.str(), " and 'rhs' of shape ", rhs.str(),
            " cannot be broadcast together");
}

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------

// What one operation is called in each family and how it is described.
struct BinaryNames {
  const char* elemwise;
  std::initializer_list<const char*> elemwise_aliases;
  const char* broadcast;
  const char* broadcast_alias;  // or nullptr
  const char* what;             // "sum, lhs + rhs"
  const char* notes;            // dtype remarks, or ""
};

constexpr const char* kSameShapeDoc = " of two arrays of the same shape.";
constexpr const char* kBroadcastDoc =
    " of two arrays broadcast together under NumPy rules: shapes are aligned at the last "
    "dimension, missing leading dimensions count as 1, and an extent of 1 stretches to "
    "match the other input.";
constexpr const char* kDtypeDoc =
    " Both inputs must have the same dtype, which the output keeps.";

template <typename Op>
void add_binary_pair(const BinaryNames& n) {
  auto infer_type = [](const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
    infer_binary_type(p, in, out, Op::kAcceptsBool);
  };
  const std::string head = std::string("Returns the element-wise ") + n.what;
  const std::string tail = std::string(kDtypeDoc) + (*n.notes ? " " : "") + n.notes;

  OpDef& same = Registry::get()
                    .add(n.elemwise)
                    .describe(head + kSameShapeDoc + tail)
                    .add_input("lhs", "first input")
                    .add_input("rhs", "second input")
                    .set_infer_shape(infer_same_shape)
                    .set_infer_type(infer_type)
                    .set_forward(binary_forward<Op>)
                    .add_inplace(0, 0)
                    .add_inplace(1, 0);
  for (const char* alias : n.elemwise_aliases) same.add_alias(alias);
  if (GradientFn g = binary_op_gradient(n.elemwise, false)) same.set_gradient(std::move(g));

  // Only lhs may share the output: when it does the output has lhs's shape,
  // so each element is read at the position it is written.
  OpDef& bcast = Registry::get()
                     .add(n.broadcast)
                     .describe(head + kBroadcastDoc + tail)
                     .add_input("lhs", "first input")
                     .add_input("rhs", "second input")
                     .set_infer_shape(infer_broadcast_shape)
                     .set_infer_type(infer_type)
                     .set_forward(binary_forward<Op>)
                     .add_inplace(0, 0);
  if (n.broadcast_alias) bcast.add_alias(n.broadcast_alias);
  if (GradientFn g = binary_op_gradient(n.elemwise, true)) bcast.set_gradient(std::move(g));
}

constexpr const char* kPredicateNotes =
    "The result is 1 where the condition holds and 0 elsewhere, in the input dtype.";
constexpr const char* kLogicalNotes =
    "Non-zero elements count as true; the result is 1 or 0 in the input dtype.";

void register_binary_ops() {
  add_binary_pair<Add>({"elemwise_add", {"_add", "_plus", "_Plus"}, "broadcast_add",
                        "broadcast_plus", "sum, lhs + rhs,",
                        "Integers wrap around on overflow; on bool it is logical OR."});
  add_binary_pair<Sub>({"elemwise_sub", {"_sub", "_minus", "_Minus"}, "broadcast_sub",
                        "broadcast_minus", "difference, lhs - rhs,",
                        "Integers wrap around on overflow; bool is not supported."});
  add_binary_pair<Mul>({"elemwise_mul", {"_mul", "_Mul"}, "broadcast_mul", nullptr,
                        "product, lhs * rhs,",
                        "Integers wrap around on overflow; on bool it is logical AND."});
  add_binary_pair<Div>({"elemwise_div", {"_div", "_Div"}, "broadcast_div", nullptr,
                        "quotient, lhs / rhs,",
                        "Integers divide with truncation toward zero, and division by zero "
                        "gives 0; bool is not supported."});
  add_binary_pair<Mod>({"_mod", {"_Mod"}, "broadcast_mod", nullptr, "remainder, lhs % rhs,",
                        "The result has the sign of the divisor, as in Python and NumPy; "
                        "integer remainder by zero gives 0; bool is not supported."});
  add_binary_pair<Power>({"_power", {"_Power"}, "broadcast_power", nullptr,
                          "power, lhs ** rhs,",
                          "Integers are raised exactly (wrapping on overflow); a negative "
                          "integer exponent gives 0 unless the base is 1 or -1; bool is not "
                          "supported."});
  add_binary_pair<Maximum>({"_maximum", {"_Maximum"}, "broadcast_maximum", nullptr,
                            "maximum, max(lhs, rhs),", "NaN propagates from either input."});
  add_binary_pair<Minimum>({"_minimum", {"_Minimum"}, "broadcast_minimum", nullptr,
                            "minimum, min(lhs, rhs),", "NaN propagates from either input."});
  add_binary_pair<Hypot>({"_hypot", {}, "broadcast_hypot", nullptr,
                          "hypotenuse, sqrt(lhs^2 + rhs^2),",
                          "Integer inputs are computed in double and truncated back; bool is "
                          "not supported."});
  add_binary_pair<Equal>({"_equal", {}, "broadcast_equal", nullptr, "comparison lhs == rhs",
                          kPredicateNotes});
  add_binary_pair<NotEqual>({"_not_equal", {}, "broadcast_not_equal", nullptr,
                             "comparison lhs != rhs", kPredicateNotes});
  add_binary_pair<Greater>({"_greater", {}, "broadcast_greater", nullptr, "comparison lhs > rhs",
                            kPredicateNotes});
  add_binary_pair<GreaterEqual>({"_greater_equal", {}, "broadcast_greater_equal", nullptr,
                                 "comparison lhs >= rhs", kPredicateNotes});
  add_binary_pair<Lesser>({"_lesser", {}, "broadcast_lesser", nullptr, "comparison lhs < rhs",
                           kPredicateNotes});
  add_binary_pair<LesserEqual>({"_lesser_equal", {}, "broadcast_lesser_equal", nullptr,
                                "comparison lhs <= rhs", kPredicateNotes});
  add_binary_pair<LogicalAnd>({"_logical_and", {}, "broadcast_logical_and", nullptr,
                               "logical AND", kLogicalNotes});
  add_binary_pair<LogicalOr>({"_logical_or", {}, "broadcast_logical_or", nullptr,
                              "logical OR", kLogicalNotes});
  add_binary_pair<LogicalXor>({"_logical_xor", {}, "broadcast_logical_xor", nullptr,
                               "logical XOR", kLogicalNotes});
}

MXL_REGISTER_BLOCK(register_binary_ops);

}  // namespace
}  // namespace mxl
