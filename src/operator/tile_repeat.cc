// tile, repeat and reverse (flip): ops whose output is the input read with
// different strides, so each kernel is one strided_copy.
//
//   tile:    output axis k of extent reps[k] * n[k] is, in C order, the pair
//            (rep, i) of extents (reps[k], n[k]); rep has source stride 0.
//   repeat:  (outer, n, inner) becomes (outer, n, repeats, inner) with source
//            stride 0 on the repeats axis.
//   reverse: flipped axes start at their last element with a negative stride.
#include <algorithm>

#include "operator/registry.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

using namespace shape_ops;

// ---------------------------------------------------------------------------
// tile
// ---------------------------------------------------------------------------

// NumPy's rule: the shorter of shape and reps is padded with leading 1s.
struct TileLayout {
  int ndim;
  int64_t in[kMaxNdim], reps[kMaxNdim];
};

TileLayout tile_layout(const Shape& x, const std::vector<int64_t>& reps) {
  MXL_CHECK(reps.size() <= static_cast<size_t>(kMaxNdim), MXL_ERR_VALUE,
            "Operator tile: argument 'reps' ", tuple_str(reps), " has more than ", kMaxNdim,
            " entries, the most dimensions supported");
  for (int64_t r : reps)
    MXL_CHECK(r >= 0, MXL_ERR_VALUE, "Operator tile: argument 'reps' ", tuple_str(reps),
              " has a negative entry; expected non-negative repetition counts");
  TileLayout l;
  const int nreps = static_cast<int>(reps.size());
  l.ndim = std::max(x.ndim(), nreps);
  for (int k = 0; k < l.ndim; ++k) {
    const int kx = k - (l.ndim - x.ndim()), kr = k - (l.ndim - nreps);
    l.in[k] = kx >= 0 ? x[kx] : 1;
    l.reps[k] = kr >= 0 ? reps[kr] : 1;
  }
  return l;
}

void tile_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  if (!(*in)[0].known()) return;
  const TileLayout l = tile_layout((*in)[0], p.get_shape("reps"));
  Shape o;
  for (int k = 0; k < l.ndim; ++k) o.push_back(l.in[k] * l.reps[k]);
  (*out)[0] = o;
}

void tile_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                  const std::vector<TBlob>& out) {
  const TileLayout l = tile_layout(in[0].shape, p.get_shape("reps"));
  const int nd = l.ndim;
  int64_t in_strides[kMaxNdim];
  contiguous_strides(Shape(l.in, nd), in_strides);
  int64_t ext[2 * kMaxNdim], src[2 * kMaxNdim], dst[2 * kMaxNdim];
  for (int k = 0; k < nd; ++k) {
    ext[2 * k] = l.reps[k];
    ext[2 * k + 1] = l.in[k];
    src[2 * k] = 0;
    src[2 * k + 1] = in_strides[k];
  }
  int64_t s = 1;
  for (int k = 2 * nd - 1; k >= 0; --k) {
    dst[k] = s;
    s *= ext[k];
  }
  strided_copy(dtype_size(in[0].dtype), out[0].dptr, dst, in[0].dptr, src, ext, 2 * nd);
}

// ---------------------------------------------------------------------------
// repeat
// ---------------------------------------------------------------------------

struct RepeatLayout {
  int64_t outer, n, inner, repeats;
};

RepeatLayout repeat_layout(const Params& p, const Shape& x, int* axis_out) {
  const int64_t repeats = p.get_int("repeats");
  MXL_CHECK(repeats >= 0, MXL_ERR_VALUE, "Operator repeat: argument 'repeats' is ", repeats,
            "; expected a non-negative count");
  if (p.is_none("axis")) {  // the flattened input
    *axis_out = -1;
    return RepeatLayout{1, x.numel(), 1, repeats};
  }
  const int axis = normalize_axis(p.get_int("axis"), x.ndim(), "repeat", "axis");
  *axis_out = axis;
  return RepeatLayout{x.prod(0, axis), x[axis], x.prod(axis + 1, x.ndim()), repeats};
}

void repeat_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& x = (*in)[0];
  if (!x.known()) return;
  int axis;
  const RepeatLayout l = repeat_layout(p, x, &axis);
  if (axis < 0) {
    (*out)[0] = Shape{l.n * l.repeats};
  } else {
    Shape o = x;
    o[axis] *= l.repeats;
    (*out)[0] = o;
  }
}

void repeat_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                    const std::vector<TBlob>& out) {
  int axis;
  const RepeatLayout l = repeat_layout(p, in[0].shape, &axis);
  const int64_t ext[4] = {l.outer, l.n, l.repeats, l.inner};
  const int64_t src[4] = {l.n * l.inner, l.inner, 0, 1};
  const int64_t dst[4] = {l.n * l.repeats * l.inner, l.repeats * l.inner, l.inner, 1};
  strided_copy(dtype_size(in[0].dtype), out[0].dptr, dst, in[0].dptr, src, ext, 4);
}

// ---------------------------------------------------------------------------
// reverse / flip
// ---------------------------------------------------------------------------

void flipped_axes(const Params& p, int ndim, bool* flip) {
  const std::vector<int64_t>& axes = p.get_shape("axis");
  for (int k = 0; k < ndim; ++k) flip[k] = false;
  for (int64_t a : axes) {
    const int k = normalize_axis(a, ndim, "reverse", "axis");
    MXL_CHECK(!flip[k], MXL_ERR_VALUE, "Operator reverse: argument 'axis' ", tuple_str(axes),
              " names axis ", k, " more than once");
    flip[k] = true;
  }
}

void reverse_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  if (!(*in)[0].known()) return;
  bool flip[kMaxNdim];
  flipped_axes(p, (*in)[0].ndim(), flip);
  (*out)[0] = (*in)[0];
}

void reverse_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                     const std::vector<TBlob>& out) {
  const Shape& x = in[0].shape;
  const int nd = x.ndim();
  if (x.numel() == 0) return;
  bool flip[kMaxNdim];
  flipped_axes(p, nd, flip);
  int64_t strides[kMaxNdim], src[kMaxNdim];
  contiguous_strides(x, strides);
  int64_t offset = 0;
  for (int k = 0; k < nd; ++k) {
    src[k] = flip[k] ? -strides[k] : strides[k];
    if (flip[k]) offset += (x[k] - 1) * strides[k];
  }
  const int esize = dtype_size(in[0].dtype);
  strided_copy(esize, out[0].dptr, strides, static_cast<const char*>(in[0].dptr) + offset * esize,
               src, x.data(), nd);
}

// ---------------------------------------------------------------------------
// Gradients: every input element was copied to several outputs, so its
// gradient is the sum of theirs.  The output gradient is reshaped so that the
// copies lie along their own axes, then summed over those axes.
// ---------------------------------------------------------------------------

GradValue sum_axes(GradBuilder& b, GradValue g, const std::vector<int64_t>& axes) {
  return b.op("sum", {g}, {{"axis", tuple_str(axes)}});
}

// tile: output axis k of extent reps[k] * n[k] is (reps[k], n[k]) in C order.
// Extents of 1 are left out of the split shape and neighbouring kept extents
// are merged, so it has at most log2(output size) dimensions.
std::vector<GradValue> tile_gradient(GradBuilder& b, const GradNode& n) {
  const GradValue x = n.inputs[0], dy = n.out_grads[0];
  if (b.shape(dy).numel() == 0 || b.shape(x).numel() == 0) return {b.op("zeros_like", {x})};
  const TileLayout l = tile_layout(b.shape(x), n.params->get_shape("reps"));
  std::vector<int64_t> split, axes;  // axes: the entries of `split` that hold copies
  bool last_kept = false;
  auto keep = [&](int64_t d) {
    if (d == 1) return;
    if (last_kept) split.back() *= d;
    else split.push_back(d);
    last_kept = true;
  };
  for (int k = 0; k < l.ndim; ++k) {
    if (l.reps[k] != 1) {
      axes.push_back(static_cast<int64_t>(split.size()));
      split.push_back(l.reps[k]);
      last_kept = false;
    }
    keep(l.in[k]);
  }
  if (axes.empty()) return {reshape_like(b, dy, x)};
  MXL_CHECK(split.size() <= static_cast<size_t>(kMaxNdim), MXL_ERR_NOT_IMPLEMENTED,
            "Operator tile: the gradient of tiling shape ", b.shape(x).str(), " by reps ",
            tuple_str(n.params->get_shape("reps")), " needs more than ", kMaxNdim, " dimensions");
  return {reshape_like(b, sum_axes(b, reshape_to(b, dy, Shape(split)), axes), x)};
}

// repeat: (outer, n, repeats, inner), summed over the repeats axis.
std::vector<GradValue> repeat_gradient(GradBuilder& b, const GradNode& n) {
  const GradValue x = n.inputs[0], dy = n.out_grads[0];
  if (b.shape(dy).numel() == 0 || b.shape(x).numel() == 0) return {b.op("zeros_like", {x})};
  int axis;
  const RepeatLayout l = repeat_layout(*n.params, b.shape(x), &axis);
  if (l.repeats == 1) return {reshape_like(b, dy, x)};
  const GradValue g = reshape_to(b, dy, Shape{l.outer, l.n, l.repeats, l.inner});
  return {reshape_like(b, sum_axes(b, g, {2}), x)};
}

// reverse: the output gradient reversed along the same axes.
std::vector<GradValue> reverse_gradient(GradBuilder& b, const GradNode& n) {
  return {b.op("reverse", {n.out_grads[0]}, n.params->attrs())};
}

MXL_REGISTER_OP(tile)
    .describe("Repeats the whole array 'reps' times along each axis, as numpy.tile. If reps has "
              "fewer entries than the input has dimensions, it is padded with leading 1s; if it "
              "has more, the input shape is padded with leading 1s.")
    .add_input("data", "Input data array")
    .add_param("reps", "shape", "",
               "The number of times for repeating the tensor a. Each dim size of reps must be a "
               "positive integer. If reps has length d, the result will have dimension of "
               "max(d, a.ndim); If a.ndim < d, a is promoted to be d-dimensional by prepending "
               "new axes. If a.ndim > d, reps is promoted to a.ndim by pre-pending 1's to it.")
    .set_infer_shape(tile_shape)
    .set_forward(tile_forward)
    .set_gradient(tile_gradient);

MXL_REGISTER_OP(repeat)
    .describe("Repeats each element 'repeats' times along 'axis', as numpy.repeat. With "
              "axis=None the input is flattened first and the output is 1-D.")
    .add_input("data", "Input data array")
    .add_param("repeats", "int", "", "The number of repetitions for each element.")
    .add_param("axis", "optional<int>", "None",
               "The axis along which to repeat values. The negative numbers are interpreted "
               "counting from the backward. By default, use the flattened input array, and "
               "return a flat output array.")
    .set_infer_shape(repeat_shape)
    .set_forward(repeat_forward)
    .set_gradient(repeat_gradient);

MXL_REGISTER_OP(reverse)
    .describe("Reverses the order of elements along the given axes, preserving the shape, as "
              "numpy.flip.")
    .add_alias("flip")
    .add_input("data", "Input data array")
    .add_param("axis", "shape", "", "The axis which to reverse elements.")
    .set_infer_shape(reverse_shape)
    .set_forward(reverse_forward)
    .set_gradient(reverse_gradient);

}  // namespace
}  // namespace mxl
