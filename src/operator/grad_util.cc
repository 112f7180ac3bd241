#include "operator/grad_util.h"

#include <charconv>
#include <cmath>

#include "common/dtype.h"

namespace mxl {
namespace grad {

std::string float_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  // Shortest representation that parses back to the same double, so a
  // scalar derived in a gradient (s - 1, log(s)) reaches the op unrounded.
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

std::string shape_text(const Shape& s) { return s.str(); }

std::string axes_text(const std::vector<int64_t>& axes) { return Shape(axes).str(); }

GradValue zeros_of(GradBuilder& b, GradValue v) {
  return b.op("_zeros", {},
              {{"shape", shape_text(b.shape(v))}, {"dtype", dtype_name(b.dtype(v))}});
}

GradValue reshape_to(GradBuilder& b, GradValue v, Shape target) {
  if (b.shape(v) == target) return v;
  if (target.numel() == 0)
    return b.op("_zeros", {}, {{"shape", shape_text(target)}, {"dtype", dtype_name(b.dtype(v))}});
  return b.op("Reshape", {v}, {{"shape", shape_text(target)}});
}

GradValue sum_to(GradBuilder& b, GradValue g, Shape target) {
  const Shape gs = b.shape(g);
  if (gs == target) return g;
  const int lead = gs.ndim() - target.ndim();
  if (lead < 0) return reshape_to(b, g, target);  // target only adds leading 1s
  // Axes where target has extent 1 are summed keeping them; the leading
  // axes target lacks are summed away.  Done this way the result has
  // target's shape without a Reshape (a copy) in the common cases.
  std::vector<int64_t> stretched, leading;
  for (int d = 0; d < gs.ndim(); ++d) {
    if (d < lead) leading.push_back(d);
    else if (target[d - lead] == 1 && gs[d] != 1) stretched.push_back(d);
  }
  GradValue r = g;
  if (!stretched.empty())
    r = b.op("sum", {r}, {{"axis", axes_text(stretched)}, {"keepdims", "True"}});
  if (!leading.empty()) r = b.op("sum", {r}, {{"axis", axes_text(leading)}});
  return reshape_to(b, r, target);  // only for what remains (zero-size inputs)
}

Shape keep_shape(const Shape& in, const bool* mask) {
  Shape s;
  for (int d = 0; d < in.ndim(); ++d) s.push_back(mask[d] ? 1 : in[d]);
  return s;
}

// True if the reduced axes are a prefix of the input's: the reduced result
// (without keepdims) then broadcasts against the input as it is.
static bool reduces_prefix(const Shape& in, const bool* mask) {
  int d = 0;
  while (d < in.ndim() && mask[d]) ++d;
  for (int e = d; e < in.ndim(); ++e)
    if (mask[e]) return false;
  return true;
}

GradValue align_reduced(GradBuilder& b, GradValue v, Shape in, const bool* mask) {
  const Shape keep = keep_shape(in, mask);
  const Shape vs = b.shape(v);
  if (vs == keep) return v;
  // Without keepdims a prefix reduction leaves in[k:] (or (1,) when all is
  // reduced), which NumPy broadcasting aligns at the trailing axes.
  int k = 0;
  while (k < in.ndim() && mask[k]) ++k;
  if (reduces_prefix(in, mask) && (vs == Shape(in.data() + k, in.ndim() - k) ||
                                   (k == in.ndim() && vs == Shape{1})))
    return v;
  return reshape_to(b, v, keep);
}

GradValue expand_to(GradBuilder& b, GradValue g, Shape in, const bool* mask) {
  if (in.numel() == 0) return reshape_to(b, g, in);  // zeros; broadcast_to reads 0 as "keep"
  GradValue k = align_reduced(b, g, in, mask);
  if (b.shape(k) == in) return k;
  return b.op("broadcast_to", {k}, {{"shape", shape_text(in)}});
}

std::vector<int64_t> reduced_axes(const Shape& in, const bool* mask) {
  std::vector<int64_t> axes;
  for (int d = 0; d < in.ndim(); ++d)
    if (mask[d]) axes.push_back(d);
  return axes;
}

}  // namespace grad
}  // namespace mxl
