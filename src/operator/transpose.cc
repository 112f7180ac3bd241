// transpose: permute the axes of an array (a copy, as in MXNet).
//
// After fusing axes that stay adjacent, a transpose either keeps the input's
// innermost axis innermost (then it is a gather of contiguous runs) or it
// swaps the roles of two axes: the output's innermost axis A is strided in
// the input, and the input's innermost axis B is strided in the output.  The
// latter is done in square tiles so that both the reads and the writes of a
// tile stay in L1 cache, instead of striding through memory on one side.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "common/parallel.h"
#include "operator/registry.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

using namespace shape_ops;

// The permutation to apply: `axes`, or reversed axes when it is empty.
void resolve_axes(const Params& p, int ndim, int* perm) {
  const std::vector<int64_t>& axes = p.get_shape("axes");
  if (axes.empty()) {
    for (int i = 0; i < ndim; ++i) perm[i] = ndim - 1 - i;
    return;
  }
  bool ok = static_cast<int>(axes.size()) == ndim;
  bool seen[kMaxNdim] = {};
  for (int i = 0; ok && i < ndim; ++i) {
    int64_t a = axes[i] < 0 ? axes[i] + ndim : axes[i];
    ok = a >= 0 && a < ndim && !seen[a];
    if (ok) {
      seen[a] = true;
      perm[i] = static_cast<int>(a);
    }
  }
  if (!ok)
    throw_error(MXL_ERR_INDEX, "Operator transpose: axes ", tuple_str(axes),
                " is invalid for an input of ", ndim, " dimension", ndim == 1 ? "" : "s",
                "; expected a permutation of the ", ndim, " axes (negative axes count from the end)");
}

void transpose_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& s = (*in)[0];
  if (!s.known()) return;
  int perm[kMaxNdim];
  resolve_axes(p, s.ndim(), perm);
  Shape o;
  for (int i = 0; i < s.ndim(); ++i) o.push_back(s[perm[i]]);
  (*out)[0] = o;
}

// Edge of the square tiles: a 32 x 32 tile of 4-byte elements is 4 KB, so
// the source tile, the staging buffer and the destination tile fit in L1.
constexpr int64_t kTile = 32;

// One tile: d[j * db + i] = s[i * sa + j] for i < na, j < nb.  A full tile
// is transposed into a local buffer with compile-time bounds (loops the
// compiler can unroll and vectorize) and written out as whole
// destination rows; every cache line is then touched in one go, which also
// avoids the conflict misses of power-of-two strides.
template <typename T>
inline void transpose_tile(T* d, int64_t db, const T* s, int64_t sa, int64_t na, int64_t nb) {
  if (na == kTile && nb == kTile) {
    alignas(64) T buf[kTile * kTile];
    for (int64_t i = 0; i < kTile; ++i)
      for (int64_t j = 0; j < kTile; ++j) buf[j * kTile + i] = s[i * sa + j];
    for (int64_t j = 0; j < kTile; ++j) std::memcpy(d + j * db, buf + j * kTile, kTile * sizeof(T));
    return;
  }
  for (int64_t j = 0; j < nb; ++j)
    for (int64_t i = 0; i < na; ++i) d[j * db + i] = s[i * sa + j];
}

// The type tiles are moved as.  GCC vectorizes the in-register transposition
// of float/double far better than that of same-size integers (about 1.5x on
// x86-64); on these targets float moves are plain bit copies, so every
// 4- and 8-byte dtype goes through them unchanged.
#if defined(__x86_64__) || defined(__aarch64__)
template <typename U>
using TileElement = std::conditional_t<sizeof(U) == 4, float,
                                       std::conditional_t<sizeof(U) == 8, double, U>>;
#else
template <typename U>
using TileElement = U;
#endif

template <typename T>
void tiled_transpose(T* dst, const T* src, const StridedBox& box, int a, int b) {
  const int64_t ea = box.ext[a], eb = box.ext[b];
  const int64_t sa = box.src_stride[a], db = box.dst_stride[b];
  int outer_dims[StridedBox::kCap];
  int nouter = 0;
  int64_t outer_count = 1;
  for (int k = 0; k < box.ndim; ++k)
    if (k != a && k != b) {
      outer_dims[nouter++] = k;
      outer_count *= box.ext[k];
    }
  const int64_t tiles_a = (ea + kTile - 1) / kTile;
  const int64_t tasks = outer_count * tiles_a;  // a task: one row of tiles

  parallel_for(
      tasks,
      [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) {
          const int64_t outer = t / tiles_a, ta = t % tiles_a;
          int64_t doff = 0, soff = 0, rem = outer;
          for (int i = nouter - 1; i >= 0; --i) {
            const int k = outer_dims[i];
            const int64_t idx = rem % box.ext[k];
            rem /= box.ext[k];
            doff += idx * box.dst_stride[k];
            soff += idx * box.src_stride[k];
          }
          const int64_t a0 = ta * kTile, na = std::min(ea - a0, kTile);
          for (int64_t b0 = 0; b0 < eb; b0 += kTile)
            transpose_tile(dst + doff + b0 * db + a0, db, src + soff + a0 * sa + b0, sa, na,
                           std::min(eb - b0, kTile));
        }
      },
      kTile * eb);
}

void transpose_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                       const std::vector<TBlob>& out) {
  const TBlob& x = in[0];
  const int ndim = x.shape.ndim();
  int perm[kMaxNdim];
  resolve_axes(p, ndim, perm);
  int64_t in_strides[kMaxNdim], src_strides[kMaxNdim], dst_strides[kMaxNdim];
  contiguous_strides(x.shape, in_strides);
  contiguous_strides(out[0].shape, dst_strides);
  for (int i = 0; i < ndim; ++i) src_strides[i] = in_strides[perm[i]];
  const StridedBox box = simplify_box(out[0].shape.data(), dst_strides, src_strides, ndim);
  if (box.empty) return;
  const int a = box.ndim - 1;
  int b = -1;
  for (int k = 0; k < box.ndim; ++k)
    if (box.src_stride[k] == 1) b = k;
  const int esize = dtype_size(x.dtype);
  if (box.ndim < 2 || b < 0 || b == a) {
    strided_copy(esize, out[0].dptr, x.dptr, box);
    return;
  }
  with_elem_type(esize, [&](auto tag) {
    using T = TileElement<decltype(tag)>;
    tiled_transpose(out[0].ptr<T>(), x.ptr<const T>(), box, a, b);
  });
}

// The gradient is the output gradient transposed by the inverse permutation
// (the default reversal is its own inverse).
std::vector<GradValue> transpose_gradient(GradBuilder& b, const GradNode& n) {
  const int ndim = b.shape(n.inputs[0]).ndim();
  if (n.params->get_shape("axes").empty()) return {b.op("transpose", {n.out_grads[0]})};
  int perm[kMaxNdim];
  resolve_axes(*n.params, ndim, perm);
  std::vector<int64_t> inverse(ndim);
  for (int i = 0; i < ndim; ++i) inverse[perm[i]] = i;
  return {b.op("transpose", {n.out_grads[0]}, {{"axes", tuple_str(inverse)}})};
}

MXL_REGISTER_OP(transpose)
    .describe("Permutes the dimensions of an array. With the default axes=() the axes are "
              "reversed (a matrix transpose for 2-D input); otherwise output axis i is input "
              "axis axes[i]. Negative axes count from the end. Returns a new array.")
    .add_input("data", "Source input")
    .add_param("axes", "shape", "()", "Target axis order. By default the axes will be inverted.")
    .set_infer_shape(transpose_shape)
    .set_forward(transpose_forward)
    .set_gradient(transpose_gradient);

}  // namespace
}  // namespace mxl
