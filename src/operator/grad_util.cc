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

GradValue reshape_to(GradBuilder& b, GradValue v, const Shape& target) {
  if (b.shape(v) == target) return v;
  if (target.numel() == 0)
    return b.op("_zeros", {}, {{"shape", shape_text(target)}, {"dtype", dtype_name(b.dtype(v))}});
  return b.op("Reshape", {v}, {{"shape", shape_text(target)}});
}

GradValue sum_to(GradBuilder& b, GradValue g, const Shape& target) {
  const Shape gs = b.shape(g);
  if (gs == target) return g;
  const int lead = gs.ndim() - target.ndim();
  std::vector<int64_t> axes;
  for (int d = 0; d < gs.ndim(); ++d) {
    const int t = d - lead;  // the matching axis of target, if any
    if (t < 0 || (target[t] == 1 && gs[d] != 1)) axes.push_back(d);
  }
  GradValue r = g;
  if (!axes.empty()) r = b.op("sum", {g}, {{"axis", axes_text(axes)}, {"keepdims", "True"}});
  return reshape_to(b, r, target);
}

Shape keep_shape(const Shape& in, const bool* mask) {
  Shape s;
  for (int d = 0; d < in.ndim(); ++d) s.push_back(mask[d] ? 1 : in[d]);
  return s;
}

GradValue expand_to(GradBuilder& b, GradValue g, const Shape& in, const bool* mask) {
  if (in.numel() == 0) return reshape_to(b, g, in);  // zeros; broadcast_to reads 0 as "keep"
  GradValue k = reshape_to(b, g, keep_shape(in, mask));
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
