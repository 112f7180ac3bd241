// Axis reductions: sum, mean, prod, max, min, nansum, nanprod.
//
// All share MXNet's ReduceAxesParam (axis, keepdims, exclude) and keep the
// input dtype.  Accumulators: float16 and float32 accumulate in float (sums
// pairwise, see reduce_impl.h), float64 in double; integer sums and products
// accumulate in uint64, which wraps exactly like the narrower type would, so
// the result equals NumPy's wide sum cast back to the dtype; integer mean is
// the exact sum divided with truncation.  max/min propagate NaN.  Bool
// inputs are rejected, as MXNet's legacy reductions do.
#include <cmath>
#include <limits>
#include <type_traits>

#include "operator/grad_reduce.h"
#include "operator/reduce_impl.h"
#include "operator/registry.h"

namespace mxl {
namespace {

template <typename T>
constexpr bool kIsFloat = std::is_floating_point_v<T> || std::is_same_v<T, half_t>;

// float for float16 (and float32), the type itself for float64, uint64 for
// integers (modular arithmetic without signed-overflow UB).
template <typename T>
using WideAcc = std::conditional_t<std::is_same_v<T, half_t>, float,
                                   std::conditional_t<kIsFloat<T>, T, uint64_t>>;
// Comparisons need no widening, only float for float16.
template <typename T>
using CompareAcc = typename AccType<T>::type;

template <typename T>
WideAcc<T> widen(T x) {
  if constexpr (kIsFloat<T>) return static_cast<WideAcc<T>>(x);
  else return static_cast<uint64_t>(static_cast<int64_t>(x));  // sign-extend, then wrap
}

template <typename T, typename Acc>
T narrow(Acc a) {
  if constexpr (std::is_same_v<T, half_t>) return half_t(static_cast<float>(a));
  else return static_cast<T>(a);  // modular for integers
}

// The Op interface is documented in reduce_impl.h.  The v* members are the
// SIMD forms, used when In == Acc (float32, float64 and, for max/min, the
// integers).
template <typename T>
struct Sum {
  using In = T;
  using Acc = WideAcc<T>;
  static constexpr bool kPairwise = kIsFloat<T>;
  static constexpr bool kSimd = true, kNaNWins = false;
  static Acc identity() { return Acc(0); }
  static Acc map(T x) { return widen(x); }
  static Acc combine(Acc a, Acc b) { return a + b; }
  template <class V> static V vmap(V x) { return x; }
  template <class V> static V vcombine(V a, V b) { return a + b; }
};

template <typename T>
struct NanSum : Sum<T> {
  using Acc = WideAcc<T>;
  static Acc map(T x) {
    const Acc v = widen(x);
    if constexpr (kIsFloat<T>) return v != v ? Acc(0) : v;
    else return v;
  }
  template <class V> static V vmap(V x) { return x == x ? x : V{}; }
};

template <typename T>
struct Prod {
  using In = T;
  using Acc = WideAcc<T>;
  static constexpr bool kPairwise = false;
  static constexpr bool kSimd = true, kNaNWins = false;
  static Acc identity() { return Acc(1); }
  static Acc map(T x) { return widen(x); }
  static Acc combine(Acc a, Acc b) { return a * b; }
  template <class V> static V vmap(V x) { return x; }
  template <class V> static V vcombine(V a, V b) { return a * b; }
};

template <typename T>
struct NanProd : Prod<T> {
  using Acc = WideAcc<T>;
  static Acc map(T x) {
    const Acc v = widen(x);
    if constexpr (kIsFloat<T>) return v != v ? Acc(1) : v;
    else return v;
  }
  template <class V> static V vmap(V x) { return x == x ? x : V{} + 1; }
};

// Scalar combine: "b wins if larger or NaN; a NaN already held stays"
// (NumPy's NaN propagation).  The SIMD form is a plain compare-and-select
// (maxps); the kernels track NaN separately (kNaNWins).
template <typename T>
struct Max {
  using In = T;
  using Acc = CompareAcc<T>;
  static constexpr bool kPairwise = false;
  static constexpr bool kSimd = true, kNaNWins = kIsFloat<T>;
  static Acc identity() {
    if constexpr (kIsFloat<T>) return -std::numeric_limits<Acc>::infinity();
    else return std::numeric_limits<Acc>::lowest();
  }
  static Acc map(T x) { return static_cast<Acc>(x); }
  static Acc combine(Acc a, Acc b) {
    if constexpr (kIsFloat<T>) return (b > a || b != b) ? b : a;
    else return b > a ? b : a;
  }
  template <class V> static V vmap(V x) { return x; }
  template <class V> static V vcombine(V a, V b) { return b > a ? b : a; }
};

template <typename T>
struct Min {
  using In = T;
  using Acc = CompareAcc<T>;
  static constexpr bool kPairwise = false;
  static constexpr bool kSimd = true, kNaNWins = kIsFloat<T>;
  static Acc identity() {
    if constexpr (kIsFloat<T>) return std::numeric_limits<Acc>::infinity();
    else return std::numeric_limits<Acc>::max();
  }
  static Acc map(T x) { return static_cast<Acc>(x); }
  static Acc combine(Acc a, Acc b) {
    if constexpr (kIsFloat<T>) return (b < a || b != b) ? b : a;
    else return b < a ? b : a;
  }
  template <class V> static V vmap(V x) { return x; }
  template <class V> static V vcombine(V a, V b) { return b < a ? b : a; }
};

struct Request {
  bool mask[kMaxNdim];
  bool all;
};

Request parse_request(const Params& p, const Shape& in) {
  Request r;
  r.all = reduce::resolve_axes(p.op()->name, in, p.get("axis"), p.get_bool("exclude"), r.mask);
  return r;
}

[[noreturn]] void reject_bool(const Params& p) {
  throw_error(MXL_ERR_TYPE, "Operator ", p.op()->name,
              ": argument 'data' has dtype bool, which this operator does not support; "
              "expected a numeric dtype (float16, float32, float64, uint8, int8, int32, int64)");
}

void infer_numeric_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  if ((*in)[0] == DType::kBool) reject_bool(p);
  (*out)[0] = (*in)[0];
}

void infer_reduce_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& s = (*in)[0];
  if (!s.known()) return;
  Request r = parse_request(p, s);
  (*out)[0] = reduce::reduced_shape(s, r.mask, p.get_bool("keepdims"), r.all);
}

// max and min have no identity: reducing over an empty extent is an error,
// as in NumPy (even when the output is empty too).
void infer_extremum_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  infer_reduce_shape(p, in, out);
  const Shape& s = (*in)[0];
  if (!s.known()) return;
  Request r = parse_request(p, s);
  MXL_CHECK(reduce::reduced_count(s, r.mask) != 0, MXL_ERR_VALUE,
            "Operator ", p.op()->name, ": argument 'data' of shape ", s.str(),
            " is empty along the reduced axes, and ", p.op()->name,
            " of an empty set is undefined; expected a non-empty reduction");
}

enum class Finish { kCast, kMean };

template <template <typename> class Op, Finish kFinish>
void reduce_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                    const std::vector<TBlob>& out) {
  Request r = parse_request(p, in[0].shape);
  const reduce::Plan plan = reduce::make_plan(in[0].shape, r.mask);
  MXL_TYPE_SWITCH(in[0].dtype, T, {
    if constexpr (std::is_same_v<T, bool>) {
      reject_bool(p);
    } else {
      using Acc = typename Op<T>::Acc;
      const T* x = in[0].ptr<T>();
      T* y = out[0].ptr<T>();
      if constexpr (kFinish == Finish::kMean) {
        const int64_t n = plan.count;
        if constexpr (kIsFloat<T>) {
          reduce::run<Op<T>>(plan, x, y, [n](Acc a) { return narrow<T>(a / Acc(n)); });
        } else {  // exact integer sum, truncating division; 0 for an empty mean
          reduce::run<Op<T>>(plan, x, y, [n](Acc a) {
            return n == 0 ? T(0) : static_cast<T>(static_cast<int64_t>(a) / n);
          });
        }
      } else {
        reduce::run<Op<T>>(plan, x, y, [](Acc a) { return narrow<T>(a); });
      }
    }
  })
}

void add_reduce(const char* name, const char* alias, const char* doc, ForwardFn forward,
                InferShapeFn infer_shape) {
  OpDef& op = Registry::get()
                  .add(name)
                  .describe(doc)
                  .add_input("data", "The input.")
                  .add_param("axis", "optional<shape>", "None",
                             "The axis or axes along which to perform the reduction. The "
                             "default, axis=() or None, reduces over all axes. Negative values "
                             "count from the last axis.")
                  .add_param("keepdims", "bool", "False",
                             "If True, the reduced axes are left in the result as dimensions "
                             "of size one.")
                  .add_param("exclude", "bool", "False",
                             "Whether to perform the reduction on the axes that are NOT in "
                             "axis instead.")
                  .set_infer_shape(std::move(infer_shape))
                  .set_infer_type(infer_numeric_type)
                  .set_forward(std::move(forward));
  if (alias) op.add_alias(alias);
  if (GradientFn g = reduce_op_gradient(name)) op.set_gradient(std::move(g));
}

void register_reduce_ops() {
  add_reduce("sum", "sum_axis",
             "Computes the sum of array elements over the given axes. Integer sums wrap "
             "around in the input dtype.",
             reduce_forward<Sum, Finish::kCast>, infer_reduce_shape);
  add_reduce("mean", nullptr,
             "Computes the mean of array elements over the given axes. The result keeps the "
             "input dtype: for integers it is the exact sum divided with truncation.",
             reduce_forward<Sum, Finish::kMean>, infer_reduce_shape);
  add_reduce("prod", nullptr, "Computes the product of array elements over the given axes.",
             reduce_forward<Prod, Finish::kCast>, infer_reduce_shape);
  add_reduce("nansum", nullptr,
             "Computes the sum of array elements over the given axes, treating Not a Numbers "
             "(NaN) as zero.",
             reduce_forward<NanSum, Finish::kCast>, infer_reduce_shape);
  add_reduce("nanprod", nullptr,
             "Computes the product of array elements over the given axes, treating Not a "
             "Numbers (NaN) as one.",
             reduce_forward<NanProd, Finish::kCast>, infer_reduce_shape);
  add_reduce("max", "max_axis",
             "Computes the maximum of array elements over the given axes. NaN propagates.",
             reduce_forward<Max, Finish::kCast>, infer_extremum_shape);
  add_reduce("min", "min_axis",
             "Computes the minimum of array elements over the given axes. NaN propagates.",
             reduce_forward<Min, Finish::kCast>, infer_extremum_shape);
}

MXL_REGISTER_BLOCK(register_reduce_ops);

}  // namespace
}  // namespace mxl
