// Reshape, Flatten, expand_dims and squeeze: ops that change only the shape.
//
// Arrays are C-order and contiguous, so every kernel here is one memcpy; the
// work is all in shape inference, notably Reshape's special codes (MXNet):
//    0  copy this input dimension
//   -1  infer this dimension from the remaining size (at most once)
//   -2  copy all remaining input dimensions
//   -3  merge the next two input dimensions into one
//   -4  split the next input dimension into the two values that follow
//       (one of them may be -1)
// With reverse=True the codes are matched from the right.
#include <algorithm>

#include "operator/registry.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

using namespace shape_ops;

// Output dimensions under construction, with the rank check every push needs.
struct DimList {
  int64_t dims[kMaxNdim];
  int n = 0;
  void push(int64_t d) {
    MXL_CHECK(n < kMaxNdim, MXL_ERR_VALUE, "Operator Reshape: the output would have more than ",
              kMaxNdim, " dimensions");
    dims[n++] = d;
  }
};

// The result, once its size is checked against the input's.  param/spec
// name the argument the shape came from, for the message.
Shape checked_shape(const int64_t* dims, int n, const char* param, const std::vector<int64_t>& spec,
                    const Shape& input) {
  int64_t numel = 1;
  for (int i = 0; i < n; ++i) numel *= dims[i];
  const Shape out(dims, n);
  MXL_CHECK(numel == input.numel(), MXL_ERR_VALUE, "Operator Reshape: cannot reshape an input of shape ",
            input.str(), " (", input.numel(), " elements) into shape ", out.str(), " (", numel,
            " elements) given by '", param, "' ", tuple_str(spec));
  return out;
}

// Reshape's special codes.  With reverse, both the codes and the input
// dimensions are read from the right (MXNet reverses both, infers, and
// reverses the result).
Shape apply_reshape_codes(const std::vector<int64_t>& spec, const Shape& x, bool reverse) {
  const int64_t nspec = static_cast<int64_t>(spec.size());
  const int nsrc = x.ndim();
  auto code_at = [&](int64_t i) { return reverse ? spec[nspec - 1 - i] : spec[i]; };
  auto src_at = [&](int i) { return reverse ? x[nsrc - 1 - i] : x[i]; };
  auto bad = [&](const std::string& why) {
    throw_error(MXL_ERR_VALUE, "Operator Reshape: argument 'shape' ", tuple_str(spec),
                reverse ? " (with reverse=True)" : "", " is invalid for an input of shape ",
                x.str(), ": ", why);
  };
  DimList out;
  int infer_at = -1;
  int s = 0;  // next input dimension
  for (int64_t i = 0; i < nspec; ++i) {
    const int64_t code = code_at(i);
    if (code > 0) {
      out.push(code);
      ++s;
    } else if (code == 0) {
      if (s >= nsrc) bad("code 0 has no input dimension left to copy");
      out.push(src_at(s++));
    } else if (code == -1) {
      if (infer_at >= 0) bad("more than one -1; only one dimension can be inferred");
      infer_at = out.n;
      out.push(1);
      ++s;
    } else if (code == -2) {
      while (s < nsrc) out.push(src_at(s++));
    } else if (code == -3) {
      if (s + 1 >= nsrc) bad("code -3 needs two input dimensions to merge");
      out.push(src_at(s) * src_at(s + 1));
      s += 2;
    } else if (code == -4) {
      if (i + 2 >= nspec) bad("code -4 must be followed by the two split sizes");
      if (s >= nsrc) bad("code -4 has no input dimension left to split");
      const int64_t whole = src_at(s++);
      int64_t d1 = code_at(++i), d2 = code_at(++i);
      if (!((d1 > 0 || d1 == -1) && (d2 > 0 || d2 == -1) && !(d1 == -1 && d2 == -1)))
        bad("the sizes after -4 must be positive, with at most one -1");
      if (d1 == -1) d1 = whole / d2;
      if (d2 == -1) d2 = whole / d1;
      if (d1 * d2 != whole)
        bad("split sizes " + std::to_string(d1) + " and " + std::to_string(d2) +
            " do not multiply to the input dimension " + std::to_string(whole));
      out.push(d1);
      out.push(d2);
    } else {
      bad("invalid entry " + std::to_string(code) +
          "; expected a positive size or one of 0, -1, -2, -3, -4");
    }
  }
  if (infer_at >= 0) {
    int64_t known = 1;
    for (int i = 0; i < out.n; ++i)
      if (i != infer_at) known *= out.dims[i];
    if (known == 0 || x.numel() % known != 0)
      bad("cannot infer the -1 dimension for " + std::to_string(x.numel()) + " elements");
    out.dims[infer_at] = x.numel() / known;
  }
  if (reverse) std::reverse(out.dims, out.dims + out.n);
  return checked_shape(out.dims, out.n, "shape", spec, x);
}

// The deprecated target_shape: 0 marks the (single) inferred dimension;
// keep_highest keeps the input's first dimension.
std::vector<int64_t> apply_target_shape(const Params& p, const Shape& in) {
  std::vector<int64_t> out = p.get_shape("target_shape");
  const size_t first = p.get_bool("keep_highest") ? 1 : 0;
  if (first == 1) {
    MXL_CHECK(in.ndim() > 0, MXL_ERR_VALUE,
              "Operator Reshape: keep_highest needs an input with at least one dimension");
    out[0] = in[0];
  }
  int infer_at = -1;
  int64_t known = 1;
  for (size_t i = first; i < out.size(); ++i) {
    if (out[i] == 0) {
      MXL_CHECK(infer_at < 0, MXL_ERR_VALUE, "Operator Reshape: argument 'target_shape' ",
                tuple_str(out), " may contain at most one 0");
      infer_at = static_cast<int>(i);
    } else {
      known *= out[i];
    }
  }
  if (first == 1) known *= out[0];
  if (infer_at >= 0) {
    MXL_CHECK(known > 0 && in.numel() % known == 0, MXL_ERR_VALUE,
              "Operator Reshape: cannot infer the 0 dimension of 'target_shape' ", tuple_str(out),
              " for an input of ", in.numel(), " elements");
    out[infer_at] = in.numel() / known;
  }
  return out;
}

void reshape_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& x = (*in)[0];
  if (!x.known()) return;
  const std::vector<int64_t>& spec = p.get_shape("shape");
  if (spec.empty() && !p.get_shape("target_shape").empty()) {
    const std::vector<int64_t> dims = apply_target_shape(p, x);
    MXL_CHECK(dims.size() <= static_cast<size_t>(kMaxNdim), MXL_ERR_VALUE,
              "Operator Reshape: argument 'target_shape' has more than ", kMaxNdim, " dimensions");
    (*out)[0] = checked_shape(dims.data(), static_cast<int>(dims.size()), "target_shape",
                              p.get_shape("target_shape"), x);
    return;
  }
  (*out)[0] = apply_reshape_codes(spec, x, p.get_bool("reverse"));
}

void flatten_shape(const Params&, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& x = (*in)[0];
  if (!x.known()) return;
  MXL_CHECK(x.ndim() >= 1, MXL_ERR_VALUE,
            "Operator Flatten: argument 'data' is 0-dimensional; expected at least 1 dimension");
  (*out)[0] = Shape{x[0], x.prod(1, x.ndim())};
}

void expand_dims_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& x = (*in)[0];
  if (!x.known()) return;
  MXL_CHECK(x.ndim() < kMaxNdim, MXL_ERR_VALUE, "Operator expand_dims: the input already has ",
            kMaxNdim, " dimensions, the most supported");
  Shape o = x;
  o.insert(normalize_insert_axis(p.get_int("axis"), x.ndim(), "expand_dims", "axis"), 1);
  (*out)[0] = o;
}

void squeeze_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& x = (*in)[0];
  if (!x.known()) return;
  bool drop[kMaxNdim] = {};
  if (p.is_none("axis")) {
    for (int i = 0; i < x.ndim(); ++i) drop[i] = x[i] == 1;
  } else {
    for (int64_t a : p.get_shape("axis")) {
      const int k = normalize_axis(a, x.ndim(), "squeeze", "axis");
      MXL_CHECK(!drop[k], MXL_ERR_VALUE, "Operator squeeze: argument 'axis' ",
                tuple_str(p.get_shape("axis")), " names axis ", k, " more than once");
      MXL_CHECK(x[k] == 1, MXL_ERR_VALUE, "Operator squeeze: argument 'axis' selects axis ", a,
                " of the input of shape ", x.str(), ", which has size ", x[k],
                "; only axes of size 1 can be squeezed");
      drop[k] = true;
    }
  }
  Shape o;
  for (int i = 0; i < x.ndim(); ++i)
    if (!drop[i]) o.push_back(x[i]);
  // MXNet's legacy arrays have no 0-d form: squeezing every axis leaves (1,).
  if (o.ndim() == 0 && x.ndim() > 0) o.push_back(1);
  (*out)[0] = o;
}

// Every op here keeps the elements in order, so the gradient is the output
// gradient reshaped back to the input's shape.
std::vector<GradValue> reshape_back(GradBuilder& b, const GradNode& n) {
  return {reshape_like(b, n.out_grads[0], n.inputs[0])};
}

MXL_REGISTER_OP(Reshape)
    .describe("Reshapes the input array to 'shape' without changing its data (returns a copy). "
              "Special values in 'shape': 0 copies the input dimension at that position, -1 infers "
              "the dimension from the remaining size, -2 copies all remaining input dimensions, -3 "
              "merges two consecutive input dimensions, -4 splits one input dimension into the two "
              "values that follow it (one may be -1). With reverse=True the special values are "
              "matched from the right.")
    .add_alias("reshape")
    .add_input("data", "Input data to reshape.")
    .add_param("shape", "shape", "()", "The target shape")
    .add_param("reverse", "bool", "False",
               "If true then the special values are inferred from right to left")
    .add_param("target_shape", "shape", "()",
               "(Deprecated! Use ``shape`` instead.) Target new shape. One and only one dim can "
               "be 0, in which case it will be inferred from the rest of dims")
    .add_param("keep_highest", "bool", "False",
               "(Deprecated! Use ``shape`` instead.) Whether keep the highest dim unchanged. If "
               "set to true, then the first dim in target_shape is ignored, and always fixed as input")
    .set_infer_shape(reshape_shape)
    .set_forward(copy_forward)
    .set_gradient(reshape_back);

MXL_REGISTER_OP(Flatten)
    .describe("Flattens the input array into a 2-D array by collapsing the higher dimensions: "
              "an input of shape (d1, d2, ..., dk) becomes (d1, d2*...*dk).")
    .add_alias("flatten")
    .add_input("data", "Input array.")
    .set_infer_shape(flatten_shape)
    .set_forward(copy_forward)
    .set_gradient(reshape_back);

MXL_REGISTER_OP(expand_dims)
    .describe("Inserts a new axis of size 1 into the array shape at position 'axis'. A negative "
              "axis counts from the end of the output shape, so -1 appends a trailing axis.")
    .add_input("data", "Source input")
    .add_param("axis", "int", "",
               "Position where new axis is to be inserted. Suppose that the input `NDArray`'s "
               "dimension is `ndim`, the range of the inserted axis is `[-ndim, ndim]`")
    .set_infer_shape(expand_dims_shape)
    .set_forward(copy_forward)
    .set_gradient(reshape_back);

MXL_REGISTER_OP(squeeze)
    .describe("Removes axes of length one. With axis=None every size-1 axis is removed; "
              "otherwise only the selected axes, which must have size 1. As in MXNet's legacy "
              "arrays, removing every axis leaves shape (1,).")
    .add_input("data", "data to squeeze")
    .add_param("axis", "optional<shape>", "None",
               "Selects a subset of the single-dimensional entries in the shape. If an axis is "
               "selected with shape entry greater than one, an error is raised.")
    .set_infer_shape(squeeze_shape)
    .set_forward(copy_forward)
    .set_gradient(reshape_back);

}  // namespace
}  // namespace mxl
