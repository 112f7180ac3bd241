// SwapAxis (alias swapaxes, MXNet 1.9): interchanges two axes.  The kernel
// is one strided copy (the input read with the two strides exchanged); the
// op is its own inverse, which makes the gradient SwapAxis again.
#include <algorithm>
#include <string>

#include "operator/registry.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

using namespace shape_ops;

void swap_dims(const Params& p, int ndim, int* d1, int* d2) {
  *d1 = normalize_axis(p.get_int("dim1"), ndim, "SwapAxis", "dim1");
  *d2 = normalize_axis(p.get_int("dim2"), ndim, "SwapAxis", "dim2");
}

void swap_axis_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& x = (*in)[0];
  if (!x.known()) return;
  int d1, d2;
  swap_dims(p, x.ndim(), &d1, &d2);
  Shape o = x;
  std::swap(o[d1], o[d2]);
  (*out)[0] = o;
}

void swap_axis_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                       const std::vector<TBlob>& out) {
  const TBlob& x = in[0];
  const int ndim = x.shape.ndim();
  int d1, d2;
  swap_dims(p, ndim, &d1, &d2);
  int64_t src_strides[kMaxNdim], dst_strides[kMaxNdim];
  contiguous_strides(x.shape, src_strides);
  contiguous_strides(out[0].shape, dst_strides);
  std::swap(src_strides[d1], src_strides[d2]);
  strided_copy(dtype_size(x.dtype), out[0].dptr, dst_strides, x.dptr, src_strides,
               out[0].shape.data(), ndim);
}

MXL_REGISTER_OP(SwapAxis)
    .describe("Interchanges two axes of an array: the output has the input's axes dim1 and "
              "dim2 exchanged (negative axes count from the end).")
    .add_alias("swapaxes")
    .add_input("data", "Input array.")
    .add_param("dim1", "int", "0", "the first axis to be swapped.")
    .add_param("dim2", "int", "0", "the second axis to be swapped.")
    .set_infer_shape(swap_axis_shape)
    .set_forward(swap_axis_forward)
    .set_gradient([](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
      return {b.op("SwapAxis", {n.out_grads[0]},
                   {{"dim1", std::to_string(n.params->get_int("dim1"))},
                    {"dim2", std::to_string(n.params->get_int("dim2"))}})};
    });

}  // namespace
}  // namespace mxl
