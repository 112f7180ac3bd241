// Integer-array indexing: take, gather_nd, _scatter_set_nd and one_hot.
//
// Index arrays may have any dtype; float indices truncate toward zero (as in
// MXNet).  The kernels first turn the index array into int64 row offsets
// (validating them), then move whole rows of `inner` elements, so the index
// dtype and the data dtype never multiply into a large set of copy loops.
// Out-of-range indices are reported as IndexError from the kernel, never
// read out of bounds.
#include <algorithm>
#include <atomic>

#include "common/parallel.h"
#include "operator/indexing_util.h"
#include "operator/registry.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

using namespace shape_ops;
using namespace index_ops;

// One row of `n` elements.
template <typename T>
inline void copy_row(T* dst, const T* src, int64_t n) {
  if (n == 1) *dst = *src;
  else std::memcpy(dst, src, n * sizeof(T));
}

// dst row r <- src row offsets[r], for `rows` rows of `inner` elements.
void gather_rows(int esize, void* dst, const void* src, const int64_t* offsets, int64_t rows,
                 int64_t inner) {
  with_elem_type(esize, [&](auto tag) {
    using T = decltype(tag);
    T* d = static_cast<T*>(dst);
    const T* s = static_cast<const T*>(src);
    parallel_for(
        rows,
        [&](int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; ++r) copy_row(d + r * inner, s + offsets[r] * inner, inner);
        },
        inner);
  });
}

// ---------------------------------------------------------------------------
// take
// ---------------------------------------------------------------------------

void take_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape &a = (*in)[0], &idx = (*in)[1];
  if (!a.known() || !idx.known()) return;
  (*out)[0] = take_result(a, idx, p.get_int("axis"));
}

// Output keeps the data's dtype; the indices may have any dtype.
void first_input_type(const Params&, std::vector<DType>* in, std::vector<DType>* out) {
  (*out)[0] = (*in)[0];
}

void take_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                  const std::vector<TBlob>& out) {
  const TBlob &a = in[0], &idx = in[1];
  const int axis = normalize_axis(p.get_int("axis"), a.shape.ndim(), "take", "axis");
  const int64_t outer = a.shape.prod(0, axis), n = a.shape[axis];
  const int64_t inner = a.shape.prod(axis + 1, a.shape.ndim());
  const int64_t k = idx.numel();
  if (outer == 0 || k == 0 || inner == 0) return;
  const TakeMode mode = static_cast<TakeMode>(p.get("mode").i);  // enum order: clip, wrap, raise
  OffsetBuffer positions(k);
  MXL_TYPE_SWITCH(idx.dtype, IT, {
    take_positions(idx.ptr<const IT>(), k, n, mode, axis, positions.data());
  })
  const int64_t* pos = positions.data();
  if (outer == 1) {
    gather_rows(dtype_size(a.dtype), out[0].dptr, a.dptr, pos, k, inner);
    return;
  }
  // Rows of the output are (o, j) pairs; the source row is o * n + pos[j].
  with_elem_type(dtype_size(a.dtype), [&](auto tag) {
    using T = decltype(tag);
    T* d = out[0].ptr<T>();
    const T* s = a.ptr<const T>();
    parallel_for(
        outer * k,
        [&](int64_t r0, int64_t r1) {
          int64_t o = r0 / k, j = r0 % k;
          for (int64_t r = r0; r < r1;) {
            // The rest of output block o, as one loop over the positions.
            const int64_t count = std::min(k - j, r1 - r);
            const T* block = s + o * n * inner;
            T* dst = d + r * inner;
            if (inner == 1) {
              for (int64_t q = 0; q < count; ++q) dst[q] = block[pos[j + q]];
            } else {
              for (int64_t q = 0; q < count; ++q)
                std::memcpy(dst + q * inner, block + pos[j + q] * inner, inner * sizeof(T));
            }
            r += count;
            j = 0;
            ++o;
          }
        },
        inner);
  });
}

// ---------------------------------------------------------------------------
// gather_nd / _scatter_set_nd
// ---------------------------------------------------------------------------

void gather_nd_shape(const Params&, std::vector<Shape>* in, std::vector<Shape>* out) {
  if (!all_known(*in)) return;
  (*out)[0] = gather_nd_result("gather_nd", (*in)[0], (*in)[1]);
}

void gather_nd_forward(const OpContext&, const Params&, const std::vector<TBlob>& in,
                       const std::vector<TBlob>& out) {
  const TBlob &data = in[0], &idx = in[1];
  const NdPlan plan = nd_plan(data.shape, idx.shape);
  if (plan.count == 0 || plan.inner == 0) return;
  OffsetBuffer offsets(plan.count);
  MXL_TYPE_SWITCH(idx.dtype, IT, {
    nd_offsets("gather_nd", data.shape, idx.ptr<const IT>(), plan.m, plan.count, offsets.data());
  })
  gather_rows(dtype_size(data.dtype), out[0].dptr, data.dptr, offsets.data(), plan.count,
              plan.inner);
}

void scatter_set_nd_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const std::vector<int64_t>& target = p.get_shape("shape");
  MXL_CHECK(target.size() <= static_cast<size_t>(kMaxNdim), MXL_ERR_VALUE,
            "Operator _scatter_set_nd: argument 'shape' has too many dimensions");
  const Shape shape(target);
  if ((*in)[0].known())
    MXL_CHECK((*in)[0] == shape, MXL_ERR_VALUE, "Operator _scatter_set_nd: argument 'lhs' has shape ",
              (*in)[0].str(), " but argument 'shape' is ", shape.str());
  (*out)[0] = shape;
  if (!(*in)[1].known() || !(*in)[2].known()) return;
  const Shape region = gather_nd_result("_scatter_set_nd", shape, (*in)[2]);
  MXL_CHECK((*in)[1] == region, MXL_ERR_VALUE, "Operator _scatter_set_nd: argument 'rhs' has shape ",
            (*in)[1].str(), " but 'indices' of shape ", (*in)[2].str(), " select a region of shape ",
            region.str());
}

void scatter_set_nd_type(const Params&, std::vector<DType>* in, std::vector<DType>* out) {
  MXL_CHECK((*in)[0] == (*in)[1], MXL_ERR_TYPE, "Operator _scatter_set_nd: argument 'rhs' has dtype ",
            dtype_name((*in)[1]), " but 'lhs' has dtype ", dtype_name((*in)[0]),
            "; they must match");
  (*out)[0] = (*in)[0];
}

void scatter_set_nd_forward(const OpContext&, const Params&, const std::vector<TBlob>& in,
                            const std::vector<TBlob>& out) {
  const TBlob &lhs = in[0], &rhs = in[1], &idx = in[2];
  const int esize = dtype_size(lhs.dtype);
  const NdPlan plan = nd_plan(lhs.shape, idx.shape);
  OffsetBuffer offsets(plan.count);
  MXL_TYPE_SWITCH(idx.dtype, IT, {
    nd_offsets("_scatter_set_nd", lhs.shape, idx.ptr<const IT>(), plan.m, plan.count,
               offsets.data());
  })
  parallel_memcpy(out[0].dptr, lhs.dptr, lhs.nbytes());
  // In order, so the last of repeated indices wins (as NumPy assignment).
  char* dst = static_cast<char*>(out[0].dptr);
  const char* src = static_cast<const char*>(rhs.dptr);
  const int64_t row_bytes = plan.inner * esize;
  for (int64_t y = 0; y < plan.count; ++y)
    std::memcpy(dst + offsets.data()[y] * row_bytes, src + y * row_bytes, row_bytes);
}

// ---------------------------------------------------------------------------
// one_hot
// ---------------------------------------------------------------------------

void one_hot_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& idx = (*in)[0];
  if (!idx.known()) return;
  const int64_t depth = p.get_int("depth");
  MXL_CHECK(depth >= 0, MXL_ERR_VALUE, "Operator one_hot: argument 'depth' is ", depth,
            "; expected a non-negative integer");
  MXL_CHECK(idx.ndim() < kMaxNdim, MXL_ERR_VALUE, "Operator one_hot: argument 'indices' already has ",
            kMaxNdim, " dimensions, the most supported");
  Shape o = idx;
  o.push_back(depth);
  (*out)[0] = o;
}

void one_hot_type(const Params& p, std::vector<DType>*, std::vector<DType>* out) {
  (*out)[0] = p.get_dtype("dtype");
}

void one_hot_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                     const std::vector<TBlob>& out) {
  const TBlob& idx = in[0];
  const int64_t depth = p.get_int("depth"), rows = idx.numel();
  if (depth == 0 || rows == 0) return;
  MXL_TYPE_SWITCH(out[0].dtype, T, {
    const T on = cast_scalar<T>(p.get_float("on_value"));
    const T off = cast_scalar<T>(p.get_float("off_value"));
    T* o = out[0].ptr<T>();
    MXL_TYPE_SWITCH(idx.dtype, IT, {
      const IT* ip = idx.ptr<const IT>();
      // Indices outside [0, depth) leave their row all off_value (MXNet).
      parallel_for(
          rows,
          [&](int64_t r0, int64_t r1) {
            for (int64_t r = r0; r < r1; ++r) {
              T* row = o + r * depth;
              for (int64_t j = 0; j < depth; ++j) row[j] = off;
              const int64_t j = index_value(ip[r]);
              if (j >= 0 && j < depth) row[j] = on;
            }
          },
          depth);
    })
  })
}

// ---------------------------------------------------------------------------
// Gradients (the scatter kernels are in grad_shape_indexing.cc).  Indices get
// no gradient.
// ---------------------------------------------------------------------------

std::vector<GradValue> take_gradient(GradBuilder& b, const GradNode& n) {
  Attrs attrs;
  for (const auto& kv : n.params->attrs()) attrs.push_back(kv);
  attrs.emplace_back("shape", b.shape(n.inputs[0]).str());
  return {b.op("_backward_take", {n.out_grads[0], n.inputs[1]}, attrs), GradValue{}};
}

std::vector<GradValue> gather_nd_gradient(GradBuilder& b, const GradNode& n) {
  return {b.op("_backward_gather_nd", {n.out_grads[0], n.inputs[1]},
               {{"shape", b.shape(n.inputs[0]).str()}}),
          GradValue{}};
}

// The assigned rows of lhs were overwritten (no gradient there); rhs gets the
// output gradient at the rows it won.
std::vector<GradValue> scatter_set_nd_gradient(GradBuilder& b, const GradNode& n) {
  const GradValue dy = n.out_grads[0], rhs = n.inputs[1], idx = n.inputs[2];
  std::vector<GradValue> g(3);
  if (n.needs_input_grad[0])
    g[0] = b.op("_scatter_set_nd", {dy, b.op("zeros_like", {rhs}), idx},
                {{"shape", b.shape(dy).str()}});
  if (n.needs_input_grad[1]) g[1] = b.op("_backward_scatter_set_nd", {dy, idx});
  return g;
}

MXL_REGISTER_OP(take)
    .describe("Takes elements from 'a' along 'axis' at the positions in 'indices'. The output "
              "shape is a.shape[:axis] + indices.shape + a.shape[axis+1:]. Out-of-range indices "
              "are clipped (mode='clip'), wrapped around (mode='wrap'), or raise an IndexError "
              "(mode='raise', which also accepts negative indices down to -size).")
    .add_input("a", "The input array.")
    .add_input("indices", "The indices of the values to be extracted.")
    .add_param("axis", "int", "0",
               "The axis of input array to be taken.For input tensor of rank r, it could be in "
               "the range of [-r, r-1]")
    .add_param("mode", "enum{clip,wrap,raise}", "clip",
               "Specify how out-of-bound indices bahave. Default is \"clip\". \"clip\" means clip "
               "to the range. So, if all indices mentioned are too large, they are replaced by "
               "the index that addresses the last element along an axis. \"wrap\" means to wrap "
               "around. \"raise\" means to raise an error.")
    .set_infer_shape(take_shape)
    .set_infer_type(first_input_type)
    .set_forward(take_forward)
    .set_gradient(take_gradient);

MXL_REGISTER_OP(gather_nd)
    .describe("Gathers elements or slices from 'data' at the index tuples in 'indices': with "
              "indices of shape (M, Y0, ..., YK) and data of shape (X0, ..., XN) (M <= N), "
              "output[y0, ..., yK, x...] = data[indices[0, y...], ..., indices[M-1, y...], x...]. "
              "Negative indices count from the end; out-of-range indices raise IndexError.")
    .add_input("data", "data")
    .add_input("indices", "indices")
    .set_infer_shape(gather_nd_shape)
    .set_infer_type(first_input_type)
    .set_forward(gather_nd_forward)
    .set_gradient(gather_nd_gradient);

MXL_REGISTER_OP(_scatter_set_nd)
    .describe("Returns 'lhs' with the elements or slices addressed by 'indices' (as in "
              "gather_nd) replaced by 'rhs'. With repeated indices the last value wins. Used "
              "for x[int_array] = value.")
    .add_input("lhs", "source input")
    .add_input("rhs", "value to assign")
    .add_input("indices", "indices")
    .add_param("shape", "shape", "", "Shape of output.")
    .set_infer_shape(scatter_set_nd_shape)
    .set_infer_type(scatter_set_nd_type)
    .add_inplace(0, 0)
    .set_forward(scatter_set_nd_forward)
    .set_gradient(scatter_set_nd_gradient);

MXL_REGISTER_OP(one_hot)
    .describe("Returns a one-hot array: output[i..., j] is on_value where j == indices[i...] "
              "and off_value elsewhere. The output has shape indices.shape + (depth,); rows "
              "whose index is outside [0, depth) are all off_value.")
    .add_input("indices", "array of locations where to set on_value")
    .add_param("depth", "int", "", "Depth of the one hot dimension.")
    .add_param("on_value", "float", "1", "The value assigned to the locations represented by indices.")
    .add_param("off_value", "float", "0", "The value assigned to the locations not represented by indices.")
    .add_param("dtype", "dtype", "float32", "DType of the output")
    .set_infer_shape(one_hot_shape)
    .set_infer_type(one_hot_type)
    .set_forward(one_hot_forward)
    .set_gradient(zero_gradient);

}  // namespace
}  // namespace mxl
