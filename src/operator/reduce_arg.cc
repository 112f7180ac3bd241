// argmax and argmin: the index of the extreme value along one axis (or of
// the flattened array when axis is None).
//
// As in MXNet 1.x the indices are returned in the input dtype (float32 input
// gives float32 indices).  Ties and NaN follow NumPy: the first occurrence
// wins, and a NaN counts as the extreme value of both.
#include <algorithm>
#include <cstring>
#include <limits>
#include <type_traits>

#include "autograd/gradient.h"
#include "common/parallel.h"
#include "operator/broadcast_util.h"
#include "operator/reduce_impl.h"
#include "operator/registry.h"

namespace mxl {
namespace {

template <typename T>
constexpr bool kIsFloat = std::is_floating_point_v<T> || std::is_same_v<T, half_t>;

// Whether v replaces the current best.  A held NaN is never replaced; a new
// NaN replaces any number.
template <bool kMax, typename A>
inline bool beats(A v, A best) {
  if constexpr (std::is_floating_point_v<A>) {
    return (kMax ? v > best : v < best) || (v != v && best == best);
  } else {
    return kMax ? v > best : v < best;
  }
}

// The array seen as (outer, extent, inner) around the searched axis.
struct Geometry {
  int64_t outer = 1, extent = 1, inner = 1;
};

Geometry geometry(const Params& p, const Shape& s) {
  Geometry g;
  if (p.is_none("axis")) {
    g.extent = s.numel();
    return g;
  }
  const int axis = normalize_axis(p.op()->name, "axis", p.get_int("axis"), s.ndim());
  g.outer = s.prod(0, axis);
  g.extent = s[axis];
  g.inner = s.prod(axis + 1, s.ndim());
  return g;
}

void infer_arg_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& s = (*in)[0];
  if (!s.known()) return;
  const bool keepdims = p.get_bool("keepdims");
  Shape o;
  if (p.is_none("axis")) {
    if (keepdims) o.resize(s.ndim(), 1);
    else o.push_back(1);
  } else {
    const int axis = normalize_axis(p.op()->name, "axis", p.get_int("axis"), s.ndim());
    o = s;
    if (keepdims) o[axis] = 1;
    else o.erase(axis);
    if (o.ndim() == 0) o.push_back(1);  // legacy arrays are never 0-d
  }
  MXL_CHECK(geometry(p, s).extent != 0, MXL_ERR_VALUE, "Operator ", p.op()->name,
            ": argument 'data' of shape ", s.str(),
            " is empty along the searched axis; expected at least one element to search");
  (*out)[0] = o;
}

void infer_arg_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  MXL_CHECK((*in)[0] != DType::kBool, MXL_ERR_TYPE, "Operator ", p.op()->name,
            ": argument 'data' has dtype bool, which this operator does not support; expected "
            "a numeric dtype (float16, float32, float64, uint8, int8, int32, int64)");
  (*out)[0] = (*in)[0];
}

template <typename T>
T index_as(int64_t i) {
  if constexpr (std::is_same_v<T, half_t>) return half_t(static_cast<float>(i));
  else return static_cast<T>(i);
}

// The extreme value of a block, for reduce::reduce_leaf (SIMD where the
// dtype allows); any NaN makes it NaN.
template <bool kMax, typename T>
struct Extreme {
  using In = T;
  using Acc = typename AccType<T>::type;
  static constexpr bool kPairwise = false;
  static constexpr bool kSimd = true, kNaNWins = kIsFloat<T>;
  static Acc identity() {
    if constexpr (kIsFloat<T>)
      return kMax ? -std::numeric_limits<Acc>::infinity() : std::numeric_limits<Acc>::infinity();
    else
      return kMax ? std::numeric_limits<Acc>::lowest() : std::numeric_limits<Acc>::max();
  }
  static Acc map(T x) { return static_cast<Acc>(x); }
  static Acc combine(Acc a, Acc b) { return beats<kMax>(b, a) ? b : a; }
  template <class V> static V vmap(V x) { return x; }
  template <class V> static V vcombine(V a, V b) {
    if constexpr (kMax) return b > a ? b : a;
    else return b < a ? b : a;
  }
};

// Index of the first element of x[0, n) equal to m (or NaN, if m is NaN);
// the caller guarantees there is one.
template <typename T, typename A>
int64_t first_match(const T* x, int64_t n, A m) {
  int64_t i = 0;
  if constexpr (std::is_same_v<T, A> && std::is_arithmetic_v<T>) {
    // Skip whole vectors that hold no match.
    using S = reduce::Simd<T>;
    using V = typename S::type;
    const V mv = S::splat(m);
    for (; i + S::kWidth <= n; i += S::kWidth) {
      const V v = S::load(x + i);
      const auto hit = m != m ? v != v : v == mv;
      uint64_t bits[2];
      std::memcpy(bits, &hit, sizeof(bits));
      if (bits[0] | bits[1]) break;
    }
  }
  if (m != m) {
    while (static_cast<A>(x[i]) == static_cast<A>(x[i])) ++i;
  } else {
    while (static_cast<A>(x[i]) != m) ++i;
  }
  return i;
}

// Best position in x[lo, hi) (contiguous, non-empty), as (value, index).
// Blocks are first reduced to their extreme value with SIMD; only a block
// whose extreme beats the best so far is scanned for its first occurrence,
// which keeps NumPy's first-occurrence rule at the speed of a max.
template <bool kMax, typename T>
std::pair<typename AccType<T>::type, int64_t> scan(const T* x, int64_t lo, int64_t hi) {
  using A = typename AccType<T>::type;
  constexpr int64_t kBlock = 1024;
  A best = static_cast<A>(x[lo]);
  int64_t at = lo;
  for (int64_t b = lo; b < hi; b += kBlock) {
    const int64_t n = std::min(kBlock, hi - b);
    const A m = reduce::reduce_leaf<Extreme<kMax, T>>(x + b, n);
    if (!beats<kMax>(m, best)) continue;
    best = m;
    at = first_match(x + b, n, m) + b;
  }
  return {best, at};
}

template <bool kMax, typename T>
void search(const Geometry& g, const T* x, T* y) {
  using A = typename AccType<T>::type;
  const int64_t R = g.extent, I = g.inner;
  if (I == 1) {
    const int nthreads = omp_get_max_threads();
    if (g.outer >= 2 * nthreads || R * g.outer < kParallelGrain) {
      parallel_for(
          g.outer,
          [&](int64_t b, int64_t e) {
            for (int64_t o = b; o < e; ++o) y[o] = index_as<T>(scan<kMax>(x + o * R, 0, R).second);
          },
          R);
      return;
    }
    // Few long rows: each thread scans a contiguous piece; pieces are merged
    // in order, so the first occurrence still wins.
    for (int64_t o = 0; o < g.outer; ++o) {
      const T* row = x + o * R;
      const int nt = static_cast<int>(std::min<int64_t>(nthreads, R));
      std::vector<std::pair<A, int64_t>> part(nt);
      const int64_t chunk = (R + nt - 1) / nt;
      parallel_for(
          nt,
          [&](int64_t b, int64_t e) {
            for (int64_t t = b; t < e; ++t) {
              const int64_t lo = std::min(R, t * chunk), hi = std::min(R, lo + chunk);
              part[t] = lo < hi ? scan<kMax>(row, lo, hi) : std::pair<A, int64_t>(A(0), -1);
            }
          },
          kParallelGrain);
      std::pair<A, int64_t> best = part[0];
      for (int t = 1; t < nt; ++t)
        if (part[t].second >= 0 && beats<kMax>(part[t].first, best.first)) best = part[t];
      y[o] = index_as<T>(best.second);
    }
    return;
  }
  // Inner axis kept: sweep rows of `inner` contiguous elements, keeping the
  // best value and index per column in a tile.
  constexpr int64_t kTile = 256;
  const int64_t ntiles = (I + kTile - 1) / kTile;
  parallel_for(
      g.outer * ntiles,
      [&](int64_t b, int64_t e) {
        A best[kTile];
        int64_t at[kTile];
        for (int64_t u = b; u < e; ++u) {
          const int64_t o = u / ntiles, j0 = (u % ntiles) * kTile, len = std::min(kTile, I - j0);
          const T* base = x + o * R * I + j0;
          for (int64_t j = 0; j < len; ++j) best[j] = static_cast<A>(base[j]), at[j] = 0;
          for (int64_t r = 1; r < R; ++r) {
            const T* row = base + r * I;
            for (int64_t j = 0; j < len; ++j) {
              const A v = static_cast<A>(row[j]);
              const bool take = beats<kMax>(v, best[j]);
              best[j] = take ? v : best[j];
              at[j] = take ? r : at[j];
            }
          }
          T* dst = y + o * I + j0;
          for (int64_t j = 0; j < len; ++j) dst[j] = index_as<T>(at[j]);
        }
      },
      R * std::min(kTile, I));
}

template <bool kMax>
void arg_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                 const std::vector<TBlob>& out) {
  const Geometry g = geometry(p, in[0].shape);
  if (out[0].numel() == 0) return;
  MXL_TYPE_SWITCH(in[0].dtype, T, {
    if constexpr (std::is_same_v<T, bool>) {
      throw_error(MXL_ERR_TYPE, "Operator ", p.op()->name, ": bool input is not supported");
    } else {
      search<kMax>(g, in[0].ptr<T>(), out[0].ptr<T>());
    }
  })
}

void add_arg_op(const char* name, const char* doc, ForwardFn forward) {
  Registry::get()
      .add(name)
      .describe(doc)
      .add_input("data", "The input.")
      .add_param("axis", "optional<int>", "None",
                 "The axis along which to search. The default, None, searches the flattened "
                 "input. Negative values count from the last axis.")
      .add_param("keepdims", "bool", "False",
                 "If True, the searched axis is left in the result as a dimension of size one.")
      .set_infer_shape(infer_arg_shape)
      .set_infer_type(infer_arg_type)
      .set_forward(std::move(forward))
      .set_gradient(zero_gradient);  // indices are piecewise constant (MXNet: zero)
}

void register_arg_ops() {
  add_arg_op("argmax",
             "Returns the indices of the maximum values along an axis, in the input dtype. "
             "The first occurrence wins ties; NaN counts as the maximum.",
             arg_forward<true>);
  add_arg_op("argmin",
             "Returns the indices of the minimum values along an axis, in the input dtype. "
             "The first occurrence wins ties; NaN counts as the minimum.",
             arg_forward<false>);
}

MXL_REGISTER_BLOCK(register_arg_ops);

}  // namespace
}  // namespace mxl
