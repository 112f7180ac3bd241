// Concat, stack and split (SliceChannel): joining arrays along an axis and
// cutting one apart.
//
// Seen as (outer, width) matrices, where outer is the product of the
// dimensions before the axis, every input of a concat is a band of columns of
// the output; so the kernel is one contiguous copy per (row, input) and stack
// is the same kernel with a new axis of extent 1 per input.  split runs the
// same copies in the other direction.
#include <algorithm>

#include "common/parallel.h"
#include "operator/registry.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

using namespace shape_ops;

// One contiguous run: typed stores for the very short runs that concat along
// the last axis produces, memcpy otherwise.
template <typename T>
inline void copy_run(T* dst, const T* src, int64_t n) {
  if (n <= 8) {
    for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
  } else {
    std::memcpy(dst, src, n * sizeof(T));
  }
}

// Moves data between one "joined" array and a list of parts along an axis.
// part_width[i] is part i's row length in elements; the joined row is their
// sum.  to_joined: concat (parts -> joined); otherwise split.
void join_or_split(int esize, int64_t outer, void* joined, void* const* parts,
                   const int64_t* part_width, size_t nparts, bool to_joined) {
  int64_t row = 0;
  for (size_t i = 0; i < nparts; ++i) row += part_width[i];
  if (outer == 0 || row == 0) return;
  if (outer == 1) {  // each part is one contiguous block: parallelize each copy
    int64_t offset = 0;
    for (size_t i = 0; i < nparts; ++i) {
      char* j = static_cast<char*>(joined) + offset * esize;
      if (to_joined) parallel_memcpy(j, parts[i], part_width[i] * esize);
      else parallel_memcpy(parts[i], j, part_width[i] * esize);
      offset += part_width[i];
    }
    return;
  }
  with_elem_type(esize, [&](auto tag) {
    using T = decltype(tag);
    parallel_for(
        outer,
        [&](int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; ++r) {
            T* jrow = static_cast<T*>(joined) + r * row;
            for (size_t i = 0; i < nparts; ++i) {
              const int64_t w = part_width[i];
              T* prow = static_cast<T*>(parts[i]) + r * w;
              if (to_joined) copy_run(jrow, prow, w);
              else copy_run(prow, jrow, w);
              jrow += w;
            }
          }
        },
        row);
  });
}

void check_num_args(const Params& p, size_t given) {
  const int64_t n = p.get_int("num_args");
  MXL_CHECK(static_cast<int64_t>(given) == n, MXL_ERR_VALUE, "Operator ", p.op()->name,
            ": argument 'num_args' is ", n, " but ", given, " input array",
            given == 1 ? " was" : "s were", " given");
}

// ---------------------------------------------------------------------------
// Concat
// ---------------------------------------------------------------------------

void concat_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  check_num_args(p, in->size());
  if (!all_known(*in)) return;
  const Shape& first = (*in)[0];
  const int axis = normalize_axis(p.get_int("dim"), first.ndim(), "Concat", "dim");
  Shape o = first;
  o[axis] = 0;
  for (size_t i = 0; i < in->size(); ++i) {
    const Shape& s = (*in)[i];
    bool ok = s.ndim() == first.ndim();
    for (int k = 0; ok && k < s.ndim(); ++k) ok = k == axis || s[k] == first[k];
    MXL_CHECK(ok, MXL_ERR_VALUE, "Operator Concat: input ", i, " ('data') has shape ", s.str(),
              " but input 0 has shape ", first.str(), "; all dimensions except dim=", axis,
              " must match");
    o[axis] += s[axis];
  }
  (*out)[0] = o;
}

void concat_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                    const std::vector<TBlob>& out) {
  const Shape& oshape = out[0].shape;
  const int axis = normalize_axis(p.get_int("dim"), oshape.ndim(), "Concat", "dim");
  const int64_t outer = oshape.prod(0, axis), inner = oshape.prod(axis + 1, oshape.ndim());
  SmallBuffer<void*> parts(in.size());
  SmallBuffer<int64_t> widths(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    parts[i] = in[i].dptr;
    widths[i] = in[i].shape[axis] * inner;
  }
  join_or_split(dtype_size(out[0].dtype), outer, out[0].dptr, parts.data(), widths.data(),
                in.size(), true);
}

// ---------------------------------------------------------------------------
// stack
// ---------------------------------------------------------------------------

void stack_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  check_num_args(p, in->size());
  if (!all_known(*in)) return;
  const Shape& first = (*in)[0];
  for (size_t i = 1; i < in->size(); ++i)
    MXL_CHECK((*in)[i] == first, MXL_ERR_VALUE, "Operator stack: input ", i,
              " ('data') has shape ", (*in)[i].str(), " but input 0 has shape ", first.str(),
              "; all inputs must have the same shape");
  MXL_CHECK(first.ndim() < kMaxNdim, MXL_ERR_VALUE, "Operator stack: the inputs already have ",
            kMaxNdim, " dimensions, the most supported");
  Shape o = first;
  o.insert(normalize_insert_axis(p.get_int("axis"), first.ndim(), "stack", "axis"),
           static_cast<int64_t>(in->size()));
  (*out)[0] = o;
}

void stack_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                   const std::vector<TBlob>& out) {
  const Shape& ishape = in[0].shape;
  const int axis = normalize_insert_axis(p.get_int("axis"), ishape.ndim(), "stack", "axis");
  const int64_t outer = ishape.prod(0, axis), inner = ishape.prod(axis, ishape.ndim());
  SmallBuffer<void*> parts(in.size());
  SmallBuffer<int64_t> widths(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    parts[i] = in[i].dptr;
    widths[i] = inner;
  }
  join_or_split(dtype_size(out[0].dtype), outer, out[0].dptr, parts.data(), widths.data(),
                in.size(), true);
}

// ---------------------------------------------------------------------------
// split / SliceChannel
// ---------------------------------------------------------------------------

void split_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& x = (*in)[0];
  if (!x.known()) return;
  const int64_t n = p.get_int("num_outputs");
  const int axis = normalize_axis(p.get_int("axis"), x.ndim(), "SliceChannel", "axis");
  MXL_CHECK(x[axis] % n == 0, MXL_ERR_VALUE, "Operator SliceChannel: argument 'num_outputs' is ",
            n, " but axis ", axis, " of the input of shape ", x.str(), " has size ", x[axis],
            ", which is not divisible by it");
  Shape o = x;
  o[axis] = x[axis] / n;
  if (p.get_bool("squeeze_axis")) {
    MXL_CHECK(x[axis] == n, MXL_ERR_VALUE,
              "Operator SliceChannel: squeeze_axis=True needs axis ", axis,
              " of the input of shape ", x.str(), " to have size num_outputs=", n);
    o.erase(axis);
  }
  for (auto& s : *out) s = o;
}

void split_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                   const std::vector<TBlob>& out) {
  const Shape& x = in[0].shape;
  const int axis = normalize_axis(p.get_int("axis"), x.ndim(), "SliceChannel", "axis");
  const int64_t outer = x.prod(0, axis);
  const int64_t width = x.prod(axis, x.ndim()) / static_cast<int64_t>(out.size());
  SmallBuffer<void*> parts(out.size());
  SmallBuffer<int64_t> widths(out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    parts[i] = out[i].dptr;
    widths[i] = width;
  }
  join_or_split(dtype_size(in[0].dtype), outer, in[0].dptr, parts.data(), widths.data(),
                out.size(), false);
}

// ---------------------------------------------------------------------------
// Gradients: joining and cutting are each other's gradients.
// ---------------------------------------------------------------------------

// Concat: each input gets its band of the output gradient.  Equal bands are
// one SliceChannel (a single pass over the gradient); otherwise one
// slice_axis per input that needs a gradient.
std::vector<GradValue> concat_gradient(GradBuilder& b, const GradNode& n) {
  const GradValue dy = n.out_grads[0];
  const int ndim = b.shape(dy).ndim();
  const int axis = normalize_axis(n.params->get_int("dim"), ndim, "Concat", "dim");
  const size_t count = n.inputs.size();
  bool equal = true;
  for (size_t i = 1; i < count; ++i)
    equal = equal && b.shape(n.inputs[i])[axis] == b.shape(n.inputs[0])[axis];
  if (equal && b.shape(n.inputs[0])[axis] > 0) {
    if (count == 1) return {dy};
    return b.apply("SliceChannel", {dy},
                   {{"num_outputs", std::to_string(count)}, {"axis", std::to_string(axis)}});
  }
  std::vector<GradValue> g(count);
  int64_t begin = 0;
  for (size_t i = 0; i < count; ++i) {
    const int64_t width = b.shape(n.inputs[i])[axis];
    if (n.needs_input_grad[i])
      g[i] = b.op("slice_axis", {dy}, {{"axis", std::to_string(axis)},
                                       {"begin", std::to_string(begin)},
                                       {"end", std::to_string(begin + width)}});
    begin += width;
  }
  return g;
}

// stack: the output gradient split along the new axis, which is removed.
std::vector<GradValue> stack_gradient(GradBuilder& b, const GradNode& n) {
  const int in_ndim = b.shape(n.inputs[0]).ndim();
  const int axis = normalize_insert_axis(n.params->get_int("axis"), in_ndim, "stack", "axis");
  return b.apply("SliceChannel", {n.out_grads[0]},
                 {{"num_outputs", std::to_string(n.inputs.size())},
                  {"axis", std::to_string(axis)},
                  {"squeeze_axis", "True"}});
}

// split: the output gradients joined back (stacked when the axis was
// squeezed away).
std::vector<GradValue> split_gradient(GradBuilder& b, const GradNode& n) {
  const int ndim = b.shape(n.inputs[0]).ndim();
  const int axis = normalize_axis(n.params->get_int("axis"), ndim, "SliceChannel", "axis");
  const std::string count = std::to_string(n.out_grads.size());
  if (n.params->get_bool("squeeze_axis"))
    return {b.op("stack", n.out_grads, {{"num_args", count}, {"axis", std::to_string(axis)}})};
  return {b.op("Concat", n.out_grads, {{"num_args", count}, {"dim", std::to_string(axis)}})};
}

MXL_REGISTER_OP(Concat)
    .describe("Joins input arrays along the axis 'dim'. All inputs must have the same number of "
              "dimensions and the same size in every dimension except 'dim'.")
    .add_alias("concat")
    .add_input("data", "List of arrays to concatenate")
    .set_variadic("num_args")
    .add_param("num_args", "int", "", "Number of inputs to be concated.")
    .set_range(1, 1e9)
    .add_param("dim", "int", "1", "the dimension to be concated.")
    .set_infer_shape(concat_shape)
    .set_forward(concat_forward)
    .set_gradient(concat_gradient);

MXL_REGISTER_OP(stack)
    .describe("Joins arrays of identical shape along a new axis: the output has one more "
              "dimension than the inputs, of size num_args, at position 'axis'.")
    .add_input("data", "List of arrays to stack")
    .set_variadic("num_args")
    .add_param("axis", "int", "0",
               "The axis in the result array along which the input arrays are stacked.")
    .add_param("num_args", "int", "", "Number of inputs to be stacked.")
    .set_range(1, 1e9)
    .set_infer_shape(stack_shape)
    .set_forward(stack_forward)
    .set_gradient(stack_gradient);

MXL_REGISTER_OP(SliceChannel)
    .describe("Splits an array along 'axis' into num_outputs equal parts. With "
              "squeeze_axis=True (allowed only when each part has size 1 along the axis) the "
              "axis is removed from the outputs.")
    .add_alias("split")
    .add_input("data", "The input")
    .add_param("num_outputs", "int", "", "Number of splits. Note that this should evenly divide "
               "the length of the `axis`.")
    .set_range(1, 1e9)
    .add_param("axis", "int", "1", "Axis along which to split.")
    .add_param("squeeze_axis", "bool", "False",
               "If true, Removes the axis with length 1 from the shapes of the output arrays.")
    .set_num_outputs_param("num_outputs")
    .set_infer_shape(split_shape)
    .set_forward(split_forward)
    .set_gradient(split_gradient);

}  // namespace
}  // namespace mxl
