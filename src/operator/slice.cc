// slice, slice_axis and the slice assignments behind `x[a:b, ::2] = v`.
//
// A slice is a box in the input with a start offset and a per-axis stride of
// step * input stride; reading it is a strided_copy into a contiguous output
// and assigning to it is the same copy with the roles reversed.  Positions
// follow Python: negative values count from the end, out-of-range values
// clamp, None takes the default for the step's direction, and an empty
// selection gives an empty array.
#include "operator/registry.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

using namespace shape_ops;

struct SliceBox {
  AxisSlice axes[kMaxNdim];
  int ndim = 0;

  Shape shape() const {
    Shape s;
    for (int k = 0; k < ndim; ++k) s.push_back(axes[k].length);
    return s;
  }
  // Offset of the first selected element, and the per-axis strides of the
  // selection, in an array of `full` shape.
  int64_t layout(const Shape& full, int64_t* strides) const {
    int64_t contiguous[kMaxNdim], offset = 0;
    contiguous_strides(full, contiguous);
    for (int k = 0; k < ndim; ++k) {
      strides[k] = axes[k].step * contiguous[k];
      if (axes[k].length > 0) offset += axes[k].begin * contiguous[k];
    }
    return offset;
  }
};

SliceBox slice_box(const Params& p, const Shape& shape) {
  SliceBox b;
  b.ndim = shape.ndim();
  resolve_slice(p.op()->name.c_str(), shape, p.get_shape("begin"), p.get_shape("end"),
                p.get_shape("step"), b.axes);
  return b;
}

SliceBox slice_axis_box(const Params& p, const Shape& shape) {
  SliceBox b;
  b.ndim = shape.ndim();
  const int axis = normalize_axis(p.get_int("axis"), shape.ndim(), "slice_axis", "axis");
  for (int k = 0; k < b.ndim; ++k) b.axes[k] = AxisSlice{0, 1, shape[k]};
  const int64_t end = p.is_none("end") ? kNoneDim : p.get_int("end");
  b.axes[axis] = resolve_axis_slice(shape[axis], p.get_int("begin"), end, 1);
  return b;
}

// Copies the selected region of `x` into the contiguous `out`.
void gather_box(const SliceBox& box, const TBlob& x, const TBlob& out) {
  int64_t src_strides[kMaxNdim], dst_strides[kMaxNdim];
  const int64_t offset = box.layout(x.shape, src_strides);
  contiguous_strides(out.shape, dst_strides);
  const int esize = dtype_size(x.dtype);
  strided_copy(esize, out.dptr, dst_strides, static_cast<const char*>(x.dptr) + offset * esize,
               src_strides, out.shape.data(), box.ndim);
}

// ---------------------------------------------------------------------------
// slice / slice_axis
// ---------------------------------------------------------------------------

void slice_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].known()) (*out)[0] = slice_box(p, (*in)[0]).shape();
}

void slice_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                   const std::vector<TBlob>& out) {
  gather_box(slice_box(p, in[0].shape), in[0], out[0]);
}

void slice_axis_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  if ((*in)[0].known()) (*out)[0] = slice_axis_box(p, (*in)[0]).shape();
}

void slice_axis_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                        const std::vector<TBlob>& out) {
  gather_box(slice_axis_box(p, in[0].shape), in[0], out[0]);
}

// ---------------------------------------------------------------------------
// _slice_assign / _slice_assign_scalar: out = lhs with the region replaced.
// Declared in place, so `x[...] = v` writes only the region of x.
// ---------------------------------------------------------------------------

void slice_assign_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& lhs = (*in)[0];
  if (!lhs.known()) return;
  const Shape region = slice_box(p, lhs).shape();
  const Shape& rhs = (*in)[1];
  if (!rhs.known()) (*in)[1] = region;
  MXL_CHECK((*in)[1] == region, MXL_ERR_VALUE, "Operator _slice_assign: argument 'rhs' has shape ",
            (*in)[1].str(), " but the region of 'lhs' ", lhs.str(), " selected by begin=",
            tuple_str(p.get_shape("begin")), ", end=", tuple_str(p.get_shape("end")), ", step=",
            tuple_str(p.get_shape("step")), " has shape ", region.str());
  (*out)[0] = lhs;
}

void lhs_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  if (!(*in)[0].known()) return;
  slice_box(p, (*in)[0]);  // validates the params
  (*out)[0] = (*in)[0];
}

void slice_assign_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                          const std::vector<TBlob>& out) {
  const TBlob &lhs = in[0], &rhs = in[1];
  const int esize = dtype_size(lhs.dtype);
  parallel_memcpy(out[0].dptr, lhs.dptr, lhs.nbytes());
  const SliceBox box = slice_box(p, lhs.shape);
  int64_t dst_strides[kMaxNdim], src_strides[kMaxNdim];
  const int64_t offset = box.layout(lhs.shape, dst_strides);
  contiguous_strides(rhs.shape, src_strides);
  strided_copy(esize, static_cast<char*>(out[0].dptr) + offset * esize, dst_strides, rhs.dptr,
               src_strides, rhs.shape.data(), box.ndim);
}

void slice_assign_scalar_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                                 const std::vector<TBlob>& out) {
  const TBlob& lhs = in[0];
  const int esize = dtype_size(lhs.dtype);
  parallel_memcpy(out[0].dptr, lhs.dptr, lhs.nbytes());
  const SliceBox box = slice_box(p, lhs.shape);
  const Shape region = box.shape();
  int64_t dst_strides[kMaxNdim], zero_strides[kMaxNdim] = {};
  const int64_t offset = box.layout(lhs.shape, dst_strides);
  // The scalar in the array's dtype, read through zero strides.
  uint64_t value = 0;
  MXL_TYPE_SWITCH(lhs.dtype, T, {
    const T v = cast_scalar<T>(p.get_float("scalar"));
    std::memcpy(&value, &v, sizeof(T));
  })
  strided_copy(esize, static_cast<char*>(out[0].dptr) + offset * esize, dst_strides, &value,
               zero_strides, region.data(), box.ndim);
}

// ---------------------------------------------------------------------------
// Gradients: the region's gradient is scattered into zeros (slice), cut out
// of the output gradient (the assigned value), or zeroed in it (the array
// assigned into, whose region was overwritten).  All of these are the slice
// ops themselves, so the gradients can be differentiated again.
// ---------------------------------------------------------------------------

// The forward's begin/end/step attributes (and any others but `drop`).
Attrs region_attrs(const GradNode& n, const char* drop = nullptr) {
  Attrs a;
  for (const auto& kv : n.params->attrs())
    if (!drop || kv.first != drop) a.push_back(kv);
  return a;
}

// _backward_slice: zeros of the input's shape with the region set to the
// output gradient, in one pass (zeroing, then the region's copy) rather than
// zeros_like followed by a copying _slice_assign.
GradValue scatter_into_zeros(GradBuilder& b, GradValue like, GradValue g, Attrs region) {
  region.emplace_back("shape", b.shape(like).str());
  return b.op("_backward_slice", {g}, region);
}

GradValue zero_region(GradBuilder& b, GradValue g, Attrs region) {
  region.emplace_back("scalar", "0");
  return b.op("_slice_assign_scalar", {g}, region);
}

void backward_slice_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const std::vector<int64_t>& dims = p.get_shape("shape");
  MXL_CHECK(dims.size() <= static_cast<size_t>(kMaxNdim), MXL_ERR_VALUE,
            "Operator _backward_slice: argument 'shape' has more than ", kMaxNdim, " dimensions");
  const Shape full(dims);
  const Shape region = slice_box(p, full).shape();
  if (!(*in)[0].known()) (*in)[0] = region;
  MXL_CHECK((*in)[0] == region, MXL_ERR_VALUE, "Operator _backward_slice: argument 'ograd' has shape ",
            (*in)[0].str(), " but the region of ", full.str(), " selected by begin=",
            tuple_str(p.get_shape("begin")), ", end=", tuple_str(p.get_shape("end")), ", step=",
            tuple_str(p.get_shape("step")), " has shape ", region.str());
  (*out)[0] = full;
}

void backward_slice_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                            const std::vector<TBlob>& out) {
  const TBlob &g = in[0], &full = out[0];
  const int esize = dtype_size(full.dtype);
  parallel_zero(full.dptr, full.nbytes());
  const SliceBox box = slice_box(p, full.shape);
  int64_t dst_strides[kMaxNdim], src_strides[kMaxNdim];
  const int64_t offset = box.layout(full.shape, dst_strides);
  contiguous_strides(g.shape, src_strides);
  strided_copy(esize, static_cast<char*>(full.dptr) + offset * esize, dst_strides, g.dptr,
               src_strides, g.shape.data(), box.ndim);
}

// Linear in ograd; its adjoint cuts the region back out.
std::vector<GradValue> backward_slice_gradient(GradBuilder& b, const GradNode& n) {
  return {b.op("slice", {n.out_grads[0]}, region_attrs(n, "shape"))};
}

std::vector<GradValue> slice_gradient(GradBuilder& b, const GradNode& n) {
  return {scatter_into_zeros(b, n.inputs[0], n.out_grads[0], region_attrs(n))};
}

// slice_axis(axis=k, begin, end) is slice with None on the axes before k.
std::vector<GradValue> slice_axis_gradient(GradBuilder& b, const GradNode& n) {
  const Params& p = *n.params;
  const int axis = normalize_axis(p.get_int("axis"), b.shape(n.inputs[0]).ndim(), "slice_axis", "axis");
  std::vector<int64_t> begin(axis + 1, kNoneDim), end(axis + 1, kNoneDim);
  begin[axis] = p.get_int("begin");
  end[axis] = p.is_none("end") ? kNoneDim : p.get_int("end");
  return {scatter_into_zeros(b, n.inputs[0], n.out_grads[0],
                             {{"begin", tuple_str(begin)}, {"end", tuple_str(end)}})};
}

std::vector<GradValue> slice_assign_gradient(GradBuilder& b, const GradNode& n) {
  const GradValue dy = n.out_grads[0];
  std::vector<GradValue> g(2);
  if (n.needs_input_grad[0]) g[0] = zero_region(b, dy, region_attrs(n));
  if (n.needs_input_grad[1]) g[1] = b.op("slice", {dy}, region_attrs(n));
  return g;
}

std::vector<GradValue> slice_assign_scalar_gradient(GradBuilder& b, const GradNode& n) {
  return {zero_region(b, n.out_grads[0], region_attrs(n, "scalar"))};
}

const char* kBeginDoc = "starting indices for the slice operation, supports negative indices.";
const char* kEndDoc = "ending indices for the slice operation, supports negative indices.";
const char* kStepDoc = "step for the slice operation, supports negative values.";

MXL_REGISTER_OP(slice)
    .describe("Slices a region of the array like Python's x[b0:e0:s0, b1:e1:s1, ...]. 'begin', "
              "'end' and 'step' may cover fewer axes than the input has (the rest are taken "
              "whole); entries may be None (the default for the step's direction) or negative "
              "(counted from the end); out-of-range positions are clamped.")
    .add_alias("crop")
    .add_input("data", "Source input")
    .add_param("begin", "shape_or_none", "", kBeginDoc)
    .add_param("end", "shape_or_none", "", kEndDoc)
    .add_param("step", "shape_or_none", "()", kStepDoc)
    .set_infer_shape(slice_shape)
    .set_forward(slice_forward)
    .set_gradient(slice_gradient);

MXL_REGISTER_OP(_backward_slice)
    .describe("The gradient of slice: an array of zeros of 'shape' whose region selected by "
              "begin/end/step (as in slice) holds 'ograd'.")
    .add_input("ograd", "Gradient of slice's output.")
    .copy_params_from("slice")
    .add_param("shape", "shape", "", "Shape of slice's input (the output's shape).")
    .set_infer_shape(backward_slice_shape)
    .set_forward(backward_slice_forward)
    .set_gradient(backward_slice_gradient);

MXL_REGISTER_OP(slice_axis)
    .describe("Slices along one axis: the elements [begin, end) of 'axis'. Negative positions "
              "count from the end; end=None means the end of the axis.")
    .add_input("data", "Source input")
    .add_param("axis", "int", "", "Axis along which to be sliced, supports negative indexes.")
    .add_param("begin", "int", "",
               "The beginning index along the axis to be sliced, supports negative indexes.")
    // Required in MXNet, but None (the end of the axis) is a valid value, and
    // generated bindings cannot tell an explicit None from an omitted one.
    .add_param("end", "optional<int>", "None",
               "The ending index along the axis to be sliced, supports negative indexes.")
    .set_infer_shape(slice_axis_shape)
    .set_forward(slice_axis_forward)
    .set_gradient(slice_axis_gradient);

MXL_REGISTER_OP(_slice_assign)
    .describe("Returns 'lhs' with the region selected by begin/end/step (as in slice) replaced "
              "by 'rhs', whose shape must equal the region's. Used for x[key] = array.")
    .add_alias("_crop_assign")
    .add_input("lhs", "Source input")
    .add_input("rhs", "value to assign")
    .add_param("begin", "shape_or_none", "", kBeginDoc)
    .add_param("end", "shape_or_none", "", kEndDoc)
    .add_param("step", "shape_or_none", "()", kStepDoc)
    .set_infer_shape(slice_assign_shape)
    .add_inplace(0, 0)
    .set_forward(slice_assign_forward)
    .set_gradient(slice_assign_gradient);

MXL_REGISTER_OP(_slice_assign_scalar)
    .describe("Returns 'data' with every element of the region selected by begin/end/step (as "
              "in slice) set to 'scalar'. Used for x[key] = number.")
    .add_alias("_crop_assign_scalar")
    .add_input("data", "Source input")
    .add_param("scalar", "float", "0", "The scalar value for assignment.")
    .add_param("begin", "shape_or_none", "", kBeginDoc)
    .add_param("end", "shape_or_none", "", kEndDoc)
    .add_param("step", "shape_or_none", "()", kStepDoc)
    .set_infer_shape(lhs_shape)
    .add_inplace(0, 0)
    .set_forward(slice_assign_scalar_forward)
    .set_gradient(slice_assign_scalar_gradient);

}  // namespace
}  // namespace mxl
