// norm: the L1 (sum of |x|) or L2 (sqrt of the sum of squares) norm over
// the given axes, treating the reduced elements as one vector.
//
// The L2 norm must not overflow where the result itself is representable.
// float16 squares are summed in float, which covers their whole range.
// float32 and float64 first sum squares in their own type (SIMD, as fast as
// a sum) and, only when a result suggests overflow or underflow (inf, or
// tiny, which includes an all-zero input), recompute in double / long
// double, whose exponent ranges cover every square of the input type.
#include <cmath>
#include <type_traits>
#include <vector>

#include "operator/grad_reduce.h"
#include "operator/reduce_impl.h"
#include "operator/registry.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

// The accumulator of the fast pass: float for float16, double for integers.
template <typename T>
using FastAcc = std::conditional_t<std::is_same_v<T, half_t>, float,
                                   std::conditional_t<std::is_floating_point_v<T>, T, double>>;
// The accumulator of the careful second L2 pass (float32 and float64 only).
template <typename T>
using WideAcc = std::conditional_t<std::is_same_v<T, float>, double, long double>;
template <typename T>
constexpr bool kHasWidePass = std::is_same_v<T, float> || std::is_same_v<T, double>;
// L2 results below this may have lost squares to underflow in the fast pass
// (about 100 times the square root of the smallest normal number).
template <typename T>
constexpr double kTinyNorm = std::is_same_v<T, float> ? 1e-17 : 1e-152;

template <typename T, bool kL2, typename A = FastAcc<T>>
struct NormOp {
  using In = T;
  using Acc = A;
  static constexpr bool kPairwise = true;
  static Acc identity() { return Acc(0); }
  static Acc map(T x) {
    Acc v;
    if constexpr (std::is_same_v<T, half_t>) v = static_cast<float>(x);
    else v = static_cast<Acc>(x);
    if constexpr (kL2) return v * v;
    else return v < 0 ? -v : v;
  }
  static Acc combine(Acc a, Acc b) { return a + b; }
  static constexpr bool kSimd = true, kNaNWins = false;
  template <class V> static V vmap(V x) {
    if constexpr (kL2) return x * x;
    else return x < 0 ? -x : x;
  }
  template <class V> static V vcombine(V a, V b) { return a + b; }
};

struct Request {
  bool mask[kMaxNdim];
  bool all;
};

Request parse_request(const Params& p, const Shape& in) {
  Request r;
  r.all = reduce::resolve_axes("norm", in, p.get("axis"), false, r.mask);
  return r;
}

void check_ord(const Params& p) {
  const int64_t ord = p.get_int("ord");
  MXL_CHECK(ord == 1 || ord == 2, MXL_ERR_VALUE, "Operator norm: argument 'ord' is ", ord,
            "; expected 1 or 2");
}

void infer_norm_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  check_ord(p);
  const Shape& s = (*in)[0];
  if (!s.known()) return;
  Request r = parse_request(p, s);
  (*out)[0] = reduce::reduced_shape(s, r.mask, p.get_bool("keepdims"), r.all);
}

void infer_norm_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  MXL_CHECK((*in)[0] != DType::kBool, MXL_ERR_TYPE,
            "Operator norm: argument 'data' has dtype bool, which this operator does not "
            "support; expected a numeric dtype");
  (*out)[0] = p.is_none("out_dtype") ? (*in)[0] : p.get_dtype("out_dtype");
}

template <typename Out, typename Acc, bool kL2>
Out finish(Acc a) {
  if constexpr (kL2) a = std::sqrt(a);  // before narrowing: long double sums exceed double
  return shape_ops::cast_scalar<Out>(static_cast<double>(a));
}

// Computes the norm of x (dtype T) into y (dtype Out).
template <typename T, bool kL2, typename Out>
void norm_into(const reduce::Plan& plan, const T* x, Out* y) {
  using Op = NormOp<T, kL2>;
  using Acc = typename Op::Acc;
  reduce::run<Op>(plan, x, y, [](Acc a) { return finish<Out, Acc, kL2>(a); });
  if constexpr (kL2 && kHasWidePass<T>) {
    bool suspect = false;
    for (int64_t i = 0; i < plan.out_size && !suspect; ++i) {
      const double v = static_cast<double>(y[i]);
      suspect = std::isinf(v) || v < kTinyNorm<T>;
    }
    if (suspect) {
      using Wide = NormOp<T, true, WideAcc<T>>;
      reduce::run<Wide>(plan, x, y, [](WideAcc<T> a) { return finish<Out, WideAcc<T>, true>(a); });
    }
  }
}

template <typename T, bool kL2>
void norm_typed(const reduce::Plan& plan, const TBlob& in, const TBlob& out) {
  const T* x = in.ptr<T>();
  if (out.dtype == in.dtype) {
    norm_into<T, kL2>(plan, x, out.ptr<T>());
    return;
  }
  // A different out_dtype: finish in double, then convert.
  std::vector<double> tmp(plan.out_size);
  norm_into<T, kL2>(plan, x, tmp.data());
  MXL_TYPE_SWITCH(out.dtype, Out, {
    Out* y = out.ptr<Out>();
    for (int64_t i = 0; i < plan.out_size; ++i) y[i] = shape_ops::cast_scalar<Out>(tmp[i]);
  })
}

void norm_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                  const std::vector<TBlob>& out) {
  Request r = parse_request(p, in[0].shape);
  const reduce::Plan plan = reduce::make_plan(in[0].shape, r.mask);
  const bool l2 = p.get_int("ord") == 2;
  MXL_TYPE_SWITCH(in[0].dtype, T, {
    if constexpr (std::is_same_v<T, bool>) {
      throw_error(MXL_ERR_TYPE, "Operator norm: bool input is not supported");
    } else if (l2) {
      norm_typed<T, true>(plan, in[0], out[0]);
    } else {
      norm_typed<T, false>(plan, in[0], out[0]);
    }
  })
}

MXL_REGISTER_OP(norm)
    .describe(
        "Computes the norm of the input over the given axes: ord=1 is the sum of absolute "
        "values, ord=2 the square root of the sum of squares (the Frobenius norm when two "
        "axes are given). With axis=None the whole array is one vector.")
    .add_input("data", "The input.")
    .add_param("ord", "int", "2", "Order of the norm. ord=1 and ord=2 are supported.")
    .add_param("axis", "optional<shape>", "None",
               "The axis or axes over which to compute the norm. The default, None, uses all "
               "axes. Negative values count from the last axis.")
    .add_param("out_dtype", "optional<dtype>", "None",
               "The data type of the output. The default, None, keeps the input dtype.")
    .add_param("keepdims", "bool", "False",
               "If True, the reduced axes are left in the result as dimensions of size one.")
    .set_infer_shape(infer_norm_shape)
    .set_infer_type(infer_norm_type)
    .set_forward(norm_forward)
    .set_gradient(norm_gradient());

}  // namespace
}  // namespace mxl
