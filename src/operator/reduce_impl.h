// Machinery shared by the reduction operators (sum, mean, prod, max, min,
// nansum, nanprod, norm): resolving axis/keepdims/exclude into an output
// shape, planning how the kernel walks the input, and the generic kernel.
//
// A reduction is planned once per call.  Input dimensions of extent 1 are
// dropped and neighbours that are both reduced (or both kept) are merged, so
// any request becomes an alternation of reduced and kept blocks, usually just
// one or two.  Three kernels cover the cases, all reading memory in order:
//
//   segments (only the innermost block reduced, e.g. a full sum or axis=-1):
//     each output folds one contiguous segment with SIMD lanes; sums combine
//     2048-element leaves pairwise so long float32 sums stay accurate;
//   columns (innermost block kept, e.g. axis=0): a tile of contiguous
//     outputs accumulates whole input rows, SIMD across the columns;
//   segment rows (innermost reduced and more reduced blocks further out):
//     a tile of outputs accumulates, row after row, one segment each.
//
// Work is split over outputs when there are enough of them, and over the
// reduced elements (with per-thread partial results combined in a fixed
// order, so results are deterministic) when there are few, e.g. a full sum.
#pragma once
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "common/error.h"
#include "common/parallel.h"
#include "common/shape.h"
#include "operator/params.h"

namespace mxl {
namespace reduce {

// ---------------------------------------------------------------------------
// Axes and output shapes (MXNet 1.x legacy semantics)
// ---------------------------------------------------------------------------

// Fills mask[d] = true for every input axis folded by the reduction.  `axis`
// is the op's optional<shape> value: None or () reduce every axis (and then
// `exclude` has no effect, as in MXNet); otherwise negative axes count from
// the end, and with `exclude` the listed axes are the ones kept.  Returns
// true if the request means "reduce everything" (which shapes the output).
inline bool resolve_axes(const std::string& op, const Shape& in, const ParamValue& axis,
                         bool exclude, bool* mask) {
  const int nd = in.ndim();
  if (axis.is_none || axis.shape.empty()) {
    for (int d = 0; d < nd; ++d) mask[d] = true;
    return true;
  }
  bool listed[kMaxNdim] = {};
  for (int64_t a : axis.shape) {
    MXL_CHECK(a >= -nd && a < nd, MXL_ERR_INDEX, "Operator ", op, ": argument 'axis' contains ",
              a, ", which is out of range for an input of shape ", in.str(),
              "; expected values in [", -nd, ", ", nd, ")");
    const int d = static_cast<int>(a < 0 ? a + nd : a);
    MXL_CHECK(!listed[d], MXL_ERR_VALUE, "Operator ", op, ": argument 'axis' lists axis ", d,
              " more than once");
    listed[d] = true;
  }
  for (int d = 0; d < nd; ++d) mask[d] = listed[d] != exclude;
  return false;
}

// Output shape of a reduction: reduced axes become 1 with keepdims and are
// dropped otherwise; MXNet's legacy arrays never become 0-d, so a result
// with no axes left is (1,).
inline Shape reduced_shape(const Shape& in, const bool* mask, bool keepdims, bool reduce_all) {
  Shape out;
  if (reduce_all) {
    if (keepdims) out.resize(in.ndim(), 1);
    else out.push_back(1);
    return out;
  }
  for (int d = 0; d < in.ndim(); ++d) {
    if (!mask[d]) out.push_back(in[d]);
    else if (keepdims) out.push_back(1);
  }
  if (out.ndim() == 0) out.push_back(1);
  return out;
}

// Number of input elements each output folds.
inline int64_t reduced_count(const Shape& in, const bool* mask) {
  int64_t n = 1;
  for (int d = 0; d < in.ndim(); ++d)
    if (mask[d]) n *= in[d];
  return n;
}

// ---------------------------------------------------------------------------
// Plan
// ---------------------------------------------------------------------------

// A set of merged dimensions walked in C order, with their element strides.
struct Walk {
  int n = 0;
  int64_t ext[kMaxNdim];
  int64_t stride[kMaxNdim];
  int64_t count() const {
    int64_t c = 1;
    for (int i = 0; i < n; ++i) c *= ext[i];
    return c;
  }
};

// The input offset of successive positions of a Walk, decomposed once at
// seek() and then advanced with carries (no division per step).
class Cursor {
 public:
  explicit Cursor(const Walk& w) : w_(w) {}
  void seek(int64_t linear) {
    offset = 0;
    for (int i = w_.n - 1; i >= 0; --i) {
      idx_[i] = linear % w_.ext[i];
      linear /= w_.ext[i];
      offset += idx_[i] * w_.stride[i];
    }
  }
  void next() {
    for (int i = w_.n - 1; i >= 0; --i) {
      offset += w_.stride[i];
      if (++idx_[i] < w_.ext[i]) return;
      offset -= idx_[i] * w_.stride[i];
      idx_[i] = 0;
    }
  }
  int64_t offset = 0;

 private:
  const Walk& w_;
  int64_t idx_[kMaxNdim];
};

struct Plan {
  int64_t out_size = 1;
  int64_t count = 1;           // input elements folded into each output
  bool inner_reduced = true;   // innermost merged block is reduced
  int64_t inner = 1;           // its extent (contiguous in the input)
  Walk keep;                   // kept blocks, minus the innermost one if kept
  Walk red;                    // reduced blocks, minus the innermost one if reduced
};

inline Plan make_plan(const Shape& in, const bool* mask) {
  Plan plan;
  plan.count = reduced_count(in, mask);
  plan.out_size = in.numel() / std::max<int64_t>(plan.count, 1);
  if (plan.count == 0) {  // the reduced extent is empty: out_size from kept axes
    plan.out_size = 1;
    for (int d = 0; d < in.ndim(); ++d)
      if (!mask[d]) plan.out_size *= in[d];
  }
  if (plan.out_size == 0 || plan.count == 0) return plan;

  // Merge: drop extent-1 axes; fuse neighbours with the same role (the input
  // is contiguous, so fused blocks stay contiguous).
  int64_t ext[kMaxNdim];
  bool red[kMaxNdim];
  int m = 0;
  for (int d = 0; d < in.ndim(); ++d) {
    if (in[d] == 1) continue;
    if (m > 0 && red[m - 1] == mask[d]) {
      ext[m - 1] *= in[d];
    } else {
      ext[m] = in[d];
      red[m] = mask[d];
      ++m;
    }
  }
  if (m == 0) return plan;  // a single element
  int64_t stride[kMaxNdim];
  int64_t running = 1;
  for (int i = m - 1; i >= 0; --i) {
    stride[i] = running;
    running *= ext[i];
  }
  plan.inner_reduced = red[m - 1];
  plan.inner = ext[m - 1];
  for (int i = 0; i < m - 1; ++i) {
    Walk& w = red[i] ? plan.red : plan.keep;
    w.ext[w.n] = ext[i];
    w.stride[w.n] = stride[i];
    ++w.n;
  }
  return plan;
}

// ---------------------------------------------------------------------------
// Kernels
// ---------------------------------------------------------------------------
//
// An Op describes the reduction:
//   using In, Acc;                      element and accumulator types
//   static Acc identity();
//   static Acc map(In x);               per-element transform (|x|, x*x, NaN -> 0, ...)
//   static Acc combine(Acc a, Acc b);   associative; propagates NaN where it should
//   static constexpr bool kPairwise;    combine long segments pairwise (sums)
// and, to take the SIMD path (only when In == Acc):
//   static constexpr bool kSimd;
//   template <class V> static V vmap(V x), vcombine(V a, V b);
//   static constexpr bool kNaNWins;     any NaN makes the result NaN, which
//                                       vcombine itself need not propagate

constexpr int kLanes = 16;
constexpr int64_t kPairwiseBlock = 2048;  // elements per leaf
constexpr int64_t kBlockRows = 128;       // rows per first-level column sum

// Accumulators per column tile: 16 KB, so a tile and its block partials stay
// in L1 while input rows stream through.
template <typename Acc>
constexpr int64_t kTile = 16384 / sizeof(Acc);

// 16-byte SIMD vectors through the GCC/Clang vector extensions: explicit,
// because the auto-vectorizer gives up on the compare-and-select loops that
// max/min need, and portable (lowered to SSE2 on baseline x86-64).
template <typename T>
struct Simd {
  typedef T type __attribute__((vector_size(16)));
  static constexpr int kWidth = 16 / sizeof(T);
  static type load(const T* p) {
    type v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  }
  static void store(T* p, type v) { std::memcpy(p, &v, sizeof(v)); }
  static type splat(T x) {
    type v;
    for (int i = 0; i < kWidth; ++i) v[i] = x;
    return v;
  }
};

template <typename Op>
constexpr bool use_simd() {
  if constexpr (std::is_same_v<typename Op::In, typename Op::Acc> &&
                std::is_arithmetic_v<typename Op::Acc> &&
                !std::is_same_v<typename Op::Acc, bool>)
    return Op::kSimd;
  else
    return false;
}

// Folds up to a few thousand elements with independent accumulators.
template <typename Op>
inline typename Op::Acc reduce_leaf(const typename Op::In* x, int64_t n) {
  using Acc = typename Op::Acc;
  Acc total = Op::identity();
  int64_t i = 0;
  if constexpr (use_simd<Op>()) {
    using S = Simd<Acc>;
    using V = typename S::type;
    constexpr int W = S::kWidth, kVecs = 4;
    if (n >= W * kVecs) {
      V acc[kVecs];
      for (auto& a : acc) a = S::splat(Op::identity());
      decltype(V{} != V{}) nan_seen = {};  // lane masks; two cheap ops per vector
      for (; i + W * kVecs <= n; i += W * kVecs) {
        for (int k = 0; k < kVecs; ++k) {
          const V b = Op::vmap(S::load(x + i + k * W));
          if constexpr (Op::kNaNWins) nan_seen |= b != b;
          acc[k] = Op::vcombine(acc[k], b);
        }
      }
      if constexpr (Op::kNaNWins) {
        for (int l = 0; l < W; ++l)
          if (nan_seen[l]) return std::numeric_limits<Acc>::quiet_NaN();
      }
      acc[0] = Op::vcombine(Op::vcombine(acc[0], acc[1]), Op::vcombine(acc[2], acc[3]));
      total = acc[0][0];
      for (int l = 1; l < W; ++l) total = Op::combine(total, acc[0][l]);
    }
  } else {
    if (n >= kLanes) {
      Acc lane[kLanes];
      for (int j = 0; j < kLanes; ++j) lane[j] = Op::identity();
      for (; i + kLanes <= n; i += kLanes)
        for (int j = 0; j < kLanes; ++j) lane[j] = Op::combine(lane[j], Op::map(x[i + j]));
      for (int w = kLanes / 2; w > 0; w /= 2)
        for (int j = 0; j < w; ++j) lane[j] = Op::combine(lane[j], lane[j + w]);
      total = lane[0];
    }
  }
  for (; i < n; ++i) total = Op::combine(total, Op::map(x[i]));
  return total;
}

// Folds x[0, n) into one accumulator.  Sums combine their leaves pairwise,
// keeping a stack of partial sums like a binary counter (leaf k merges with
// as many stacked partials as k has trailing one bits), so the rounding error
// grows with log(n) rather than n, and memory is still read front to back.
template <typename Op>
typename Op::Acc reduce_segment(const typename Op::In* x, int64_t n) {
  using Acc = typename Op::Acc;
  if constexpr (!Op::kPairwise) {
    return reduce_leaf<Op>(x, n);
  } else {
    if (n <= kPairwiseBlock) return reduce_leaf<Op>(x, n);
    Acc stack[64];
    int depth = 0;
    uint64_t leaf = 0;
    for (int64_t i = 0; i < n; i += kPairwiseBlock, ++leaf) {
      Acc v = reduce_leaf<Op>(x + i, std::min(kPairwiseBlock, n - i));
      for (uint64_t k = leaf; k & 1; k >>= 1) v = Op::combine(stack[--depth], v);
      stack[depth++] = v;
    }
    Acc total = stack[--depth];
    while (depth > 0) total = Op::combine(stack[--depth], total);
    return total;
  }
}

// acc[j] = combine(acc[j], map(r[0][j]), ..., map(r[R-1][j])) for j in
// [0, n).  Taking several rows per pass cuts the loads and stores of acc,
// which otherwise cost as much as reading the input.
template <typename Op, int R>
inline void accumulate_rows(typename Op::Acc* __restrict acc,
                            const typename Op::In* const* rows, int64_t n) {
  using Acc = typename Op::Acc;
  int64_t j = 0;
  if constexpr (use_simd<Op>()) {
    using S = Simd<Acc>;
    using V = typename S::type;
    for (; j + S::kWidth <= n; j += S::kWidth) {
      V b[R];
      for (int k = 0; k < R; ++k) b[k] = Op::vmap(S::load(rows[k] + j));
      V folded = b[0];
      for (int k = 1; k < R; ++k) folded = Op::vcombine(folded, b[k]);
      V r = Op::vcombine(S::load(acc + j), folded);
      if constexpr (Op::kNaNWins) {  // per column: a NaN sticks
        decltype(V{} != V{}) nan = b[0] != b[0];
        for (int k = 1; k < R; ++k) nan |= b[k] != b[k];
        r = nan ? S::splat(std::numeric_limits<Acc>::quiet_NaN()) : r;
      }
      S::store(acc + j, r);
    }
  }
  for (; j < n; ++j) {
    Acc a = acc[j];
    for (int k = 0; k < R; ++k) a = Op::combine(a, Op::map(rows[k][j]));
    acc[j] = a;
  }
}

// Folds rows [lo, hi) of a Walk, columns [0, len) starting at `x`, into acc
// (which the caller initialised).  Short rows go one at a time, so rows
// that follow each other in memory are read as one sequential stream; long
// rows go eight at a time (measured: below ~6 KB per row, interleaving
// several short streams defeats the hardware prefetcher).
template <typename Op>
inline void accumulate_walk(typename Op::Acc* acc, const typename Op::In* x, const Walk& walk,
                            int64_t lo, int64_t hi, int64_t len) {
  constexpr int kUnroll = 8;
  Cursor row(walk);
  row.seek(lo);
  const typename Op::In* rows[kUnroll];
  int64_t r = lo;
  if (len * static_cast<int64_t>(sizeof(typename Op::In)) >= 6144) {
    for (; r + kUnroll <= hi; r += kUnroll) {
      for (int k = 0; k < kUnroll; ++k, row.next()) rows[k] = x + row.offset;
      accumulate_rows<Op, kUnroll>(acc, rows, len);
    }
  }
  for (; r < hi; ++r, row.next()) {
    rows[0] = x + row.offset;
    accumulate_rows<Op, 1>(acc, rows, len);
  }
}

// Splits `work` units of cost `unit_cost` into one task per thread when the
// total is worth parallelising; returns the number of tasks (1 = serial).
inline int split_tasks(int64_t work, int64_t unit_cost) {
  const int nthreads = omp_get_max_threads();
  if (nthreads <= 1 || omp_in_parallel() || work * unit_cost < kParallelGrain) return 1;
  return static_cast<int>(std::min<int64_t>(nthreads, work));
}

// Runs `task(t, begin, end)` for t in [0, ntasks) over [0, n) split evenly.
template <typename F>
void run_tasks(int ntasks, int64_t n, F&& task) {
  if (ntasks <= 1) {
    task(0, int64_t(0), n);
    return;
  }
  const int64_t chunk = (n + ntasks - 1) / ntasks;
  parallel_for(
      ntasks,
      [&](int64_t b, int64_t e) {
        for (int64_t t = b; t < e; ++t) {
          const int64_t lo = std::min(n, t * chunk), hi = std::min(n, lo + chunk);
          task(static_cast<int>(t), lo, hi);
        }
      },
      kParallelGrain);  // one task per thread, always parallel
}

// Innermost block reduced and nothing else: output o folds one contiguous
// segment of `inner` elements.
template <typename Op, typename Out, typename Fin>
void run_segments(const Plan& plan, const typename Op::In* x, Out* y, Fin fin) {
  using Acc = typename Op::Acc;
  const int64_t L = plan.inner;
  const int nthreads = omp_get_max_threads();
  if (plan.out_size >= 2 * nthreads || split_tasks(plan.out_size, L) == 1) {
    parallel_for(
        plan.out_size,
        [&](int64_t b, int64_t e) {
          Cursor out(plan.keep);
          out.seek(b);
          for (int64_t o = b; o < e; ++o, out.next())
            y[o] = fin(reduce_segment<Op>(x + out.offset, L));
        },
        L);
    return;
  }
  // Few long segments (a full reduction): split each between threads.
  const int ntasks = split_tasks(L, 1);
  std::vector<Acc> partial(ntasks);
  Cursor out(plan.keep);
  out.seek(0);
  for (int64_t o = 0; o < plan.out_size; ++o, out.next()) {
    const typename Op::In* seg = x + out.offset;
    run_tasks(ntasks, L, [&](int t, int64_t lo, int64_t hi) {
      partial[t] = reduce_segment<Op>(seg + lo, hi - lo);
    });
    Acc a = partial[0];
    for (int t = 1; t < ntasks; ++t) a = Op::combine(a, partial[t]);
    y[o] = fin(a);
  }
}

// A run of consecutive outputs [out0, out0 + len) whose accumulators live
// together; `base` is the input offset of the first one.
struct Tile {
  int64_t out0, len, base;
};

// Drives reductions whose outputs are folded a tile at a time while the
// reduced "rows" stream past in memory order.  tile_at(u) describes tile u;
// fold_rows(acc, tile, lo, hi) combines rows [lo, hi) of the tile into acc.
// Sums fold in blocks of kBlockRows rows first, so a float32 sum over R rows
// carries about 128 + R/128 roundings rather than R.  With few tiles and
// many rows the rows are split between threads and the partial tiles
// combined in order.
template <typename Op, typename Out, typename TileAt, typename FoldRows, typename Fin>
void run_tiled(int64_t ntiles, int64_t rows, int64_t tile_cost, TileAt tile_at,
               FoldRows fold_rows, Out* y, Fin fin) {
  using Acc = typename Op::Acc;
  constexpr int64_t kT = kTile<Acc>;
  auto fold = [&](Acc* acc, const Tile& t, int64_t lo, int64_t hi) {
    for (int64_t j = 0; j < t.len; ++j) acc[j] = Op::identity();
    if constexpr (Op::kPairwise) {
      if (hi - lo > kBlockRows) {
        Acc block[kT];
        for (int64_t r0 = lo; r0 < hi; r0 += kBlockRows) {
          for (int64_t j = 0; j < t.len; ++j) block[j] = Op::identity();
          fold_rows(block, t, r0, std::min(hi, r0 + kBlockRows));
          for (int64_t j = 0; j < t.len; ++j) acc[j] = Op::combine(acc[j], block[j]);
        }
        return;
      }
    }
    fold_rows(acc, t, lo, hi);
  };

  const int nthreads = omp_get_max_threads();
  if (ntiles >= 2 * nthreads || split_tasks(ntiles, tile_cost) == 1) {
    parallel_for(
        ntiles,
        [&](int64_t b, int64_t e) {
          Acc acc[kT];
          for (int64_t u = b; u < e; ++u) {
            const Tile t = tile_at(u);
            fold(acc, t, 0, rows);
            for (int64_t j = 0; j < t.len; ++j) y[t.out0 + j] = fin(acc[j]);
          }
        },
        tile_cost);
    return;
  }
  const int ntasks = split_tasks(tile_cost, 1);
  std::vector<Acc> partial(static_cast<size_t>(ntasks) * kT);
  for (int64_t u = 0; u < ntiles; ++u) {
    const Tile t = tile_at(u);
    run_tasks(ntasks, rows, [&](int k, int64_t lo, int64_t hi) {
      fold(partial.data() + k * kT, t, lo, hi);
    });
    for (int64_t j = 0; j < t.len; ++j) {
      Acc a = partial[j];
      for (int k = 1; k < ntasks; ++k) a = Op::combine(a, partial[k * kT + j]);
      y[t.out0 + j] = fin(a);
    }
  }
}

// Innermost block kept: each group of `inner` consecutive outputs combines
// `count` contiguous input rows, accumulated with SIMD across the columns.
template <typename Op, typename Out, typename Fin>
void run_columns(const Plan& plan, const typename Op::In* x, Out* y, Fin fin) {
  using Acc = typename Op::Acc;
  constexpr int64_t kT = kTile<Acc>;
  const int64_t L = plan.inner, per_group = (L + kT - 1) / kT;
  auto tile_at = [&](int64_t u) {
    Cursor group(plan.keep);
    group.seek(u / per_group);
    const int64_t j0 = (u % per_group) * kT;
    return Tile{(u / per_group) * L + j0, std::min(kT, L - j0), group.offset + j0};
  };
  auto fold_rows = [&](Acc* acc, const Tile& t, int64_t lo, int64_t hi) {
    accumulate_walk<Op>(acc, x + t.base, plan.red, lo, hi, t.len);
  };
  run_tiled<Op>(plan.keep.count() * per_group, plan.count, plan.count * std::min(kT, L), tile_at,
                fold_rows, y, fin);
}

// Innermost block reduced with reduced blocks further out as well (e.g. axes
// (0, 2) of a 3-d array): a "row" is one combination of the outer reduced
// blocks, and folding it adds one contiguous segment to every output of the
// tile, so memory is read in order instead of one output's scattered
// segments at a time.
template <typename Op, typename Out, typename Fin>
void run_segment_rows(const Plan& plan, const typename Op::In* x, Out* y, Fin fin) {
  using Acc = typename Op::Acc;
  constexpr int64_t kT = kTile<Acc>;
  const int64_t L = plan.inner;
  auto tile_at = [&](int64_t u) {
    Cursor out(plan.keep);
    out.seek(u * kT);
    return Tile{u * kT, std::min(kT, plan.out_size - u * kT), out.offset};
  };
  auto fold_rows = [&](Acc* acc, const Tile& t, int64_t lo, int64_t hi) {
    Cursor row(plan.red);
    row.seek(lo);
    for (int64_t r = lo; r < hi; ++r, row.next()) {
      Cursor out(plan.keep);
      out.seek(t.out0);
      const typename Op::In* base = x + row.offset;
      for (int64_t j = 0; j < t.len; ++j, out.next())
        acc[j] = Op::combine(acc[j], reduce_segment<Op>(base + out.offset, L));
    }
  };
  run_tiled<Op>((plan.out_size + kT - 1) / kT, plan.red.count(),
                plan.count * std::min(kT, plan.out_size), tile_at, fold_rows, y, fin);
}

// Reduces x (planned by make_plan) into y; fin(Acc) -> Out finishes each
// output (mean's division, norm's square root, the cast back to the dtype).
template <typename Op, typename Out, typename Fin>
void run(const Plan& plan, const typename Op::In* x, Out* y, Fin fin) {
  if (plan.out_size == 0) return;
  if (plan.count == 0) {  // folding nothing gives the identity (sum 0, prod 1)
    const Out v = fin(Op::identity());
    std::fill(y, y + plan.out_size, v);
    return;
  }
  if (!plan.inner_reduced) run_columns<Op>(plan, x, y, fin);
  else if (plan.red.n == 0) run_segments<Op>(plan, x, y, fin);
  else run_segment_rows<Op>(plan, x, y, fin);
}

}  // namespace reduce
}  // namespace mxl
