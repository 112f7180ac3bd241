// Pad (alias pad; MXNet 1.9 semantics) and its hidden backward.
//
// As in MXNet, only 4-D and 5-D inputs are supported and only the spatial
// axes (2 and up) are padded: pad_width has 2 entries per axis and the first
// four must be zero.  Modes:
//   constant  fill with constant_value;
//   edge      repeat the border element;
//   reflect   mirror without repeating the border (NumPy's "reflect"); each
//             width must be smaller than the axis' size.
// Every spatial axis gets a map from output index to source index (-1: the
// constant), so the kernel is the same for all modes: per output row, a
// gather along the last axis whose interior is one memcpy.  The backward adds
// each output gradient into its source element.
#include <algorithm>
#include <cstring>
#include <vector>

#include "autograd/gradient.h"
#include "common/parallel.h"
#include "operator/norm_common.h"
#include "operator/registry.h"

namespace mxl {
namespace {

// Source index of every output index along one axis of size n padded by
// (before, after).
std::vector<int64_t> index_map(const std::string& mode, int64_t n, int64_t before, int64_t after) {
  std::vector<int64_t> m(n + before + after);
  for (int64_t o = 0; o < static_cast<int64_t>(m.size()); ++o) {
    int64_t i = o - before;
    if (i < 0 || i >= n) {
      if (mode == "constant") i = -1;
      else if (mode == "edge") i = i < 0 ? 0 : n - 1;
      else i = i < 0 ? -i : 2 * (n - 1) - i;  // reflect (widths < n, checked)
    }
    m[o] = i;
  }
  return m;
}

// Checks pad_width against the data shape.
void check_pad(const Params& p, const Shape& x, const char* op) {
  const auto& pw = p.get_shape("pad_width");
  const std::string& mode = p.get_enum("mode");
  MXL_CHECK(x.ndim() == 4 || x.ndim() == 5, MXL_ERR_VALUE, op_error_prefix(op, "data"),
            " has shape ", x.str(), "; Pad supports only 4-D and 5-D inputs (as MXNet)");
  MXL_CHECK(static_cast<int>(pw.size()) == 2 * x.ndim(), MXL_ERR_VALUE,
            op_error_prefix(op, "pad_width"), " has ", pw.size(), " entries but data has ",
            x.ndim(), " dimensions; expected 2 per dimension (", 2 * x.ndim(), ")");
  MXL_CHECK(pw[0] == 0 && pw[1] == 0 && pw[2] == 0 && pw[3] == 0, MXL_ERR_VALUE,
            op_error_prefix(op, "pad_width"),
            ": padding of the first two axes (batch, channel) must be zero");
  for (int a = 2; a < x.ndim(); ++a) {
    const int64_t b = pw[2 * a], e = pw[2 * a + 1];
    MXL_CHECK(b >= 0 && e >= 0, MXL_ERR_VALUE, op_error_prefix(op, "pad_width"),
              " has a negative width for axis ", a, " (", b, ", ", e, ")");
    if (mode == "reflect")
      MXL_CHECK(b < x[a] && e < x[a], MXL_ERR_VALUE, op_error_prefix(op, "pad_width"),
                ": mode='reflect' needs widths smaller than the axis' size, but axis ", a,
                " has size ", x[a], " and widths (", b, ", ", e, ")");
    if (mode == "edge")
      MXL_CHECK(x[a] > 0 || (b == 0 && e == 0), MXL_ERR_VALUE, op_error_prefix(op, "pad_width"),
                ": mode='edge' cannot pad axis ", a, ", which is empty");
  }
}

Shape padded_shape(const Params& p, const Shape& x) {
  const auto& pw = p.get_shape("pad_width");
  Shape o = x;
  for (int a = 0; a < x.ndim(); ++a) o[a] += pw[2 * a] + pw[2 * a + 1];
  return o;
}

void pad_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& x = (*in)[0];
  if (!x.known()) return;
  check_pad(p, x, "Pad");
  (*out)[0] = padded_shape(p, x);
}

// The geometry shared by forward and backward: planes of (D, H, W) (D = 1
// for 4-D) in and out, and the three index maps.
struct PadGeometry {
  int64_t planes = 0, D = 1, H = 0, W = 0, oD = 1, oH = 0, oW = 0;
  std::vector<int64_t> md, mh, mw;
};

PadGeometry geometry(const Params& p, const Shape& x) {
  const auto& pw = p.get_shape("pad_width");
  const std::string& mode = p.get_enum("mode");
  const int nd = x.ndim();
  PadGeometry g;
  g.planes = x[0] * x[1];
  g.D = nd == 5 ? x[2] : 1;
  g.H = x[nd - 2];
  g.W = x[nd - 1];
  g.md = nd == 5 ? index_map(mode, g.D, pw[4], pw[5]) : std::vector<int64_t>{0};
  g.mh = index_map(mode, g.H, pw[2 * (nd - 2)], pw[2 * (nd - 2) + 1]);
  g.mw = index_map(mode, g.W, pw[2 * (nd - 1)], pw[2 * (nd - 1) + 1]);
  g.oD = static_cast<int64_t>(g.md.size());
  g.oH = static_cast<int64_t>(g.mh.size());
  g.oW = static_cast<int64_t>(g.mw.size());
  return g;
}

template <typename DT>
void pad_forward_typed(const Params& p, const TBlob& in, const TBlob& out) {
  const PadGeometry g = geometry(p, in.shape);
  const DT cval = static_cast<DT>(p.get_float("constant_value"));
  const DT* x = in.ptr<DT>();
  DT* y = out.ptr<DT>();
  const auto& pw = p.get_shape("pad_width");
  const int64_t wb = pw[2 * (in.shape.ndim() - 1)];  // interior of a row: [wb, wb + W)
  const int64_t rows = g.planes * g.oD * g.oH;
  parallel_for(rows, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t oh = r % g.oH, od = (r / g.oH) % g.oD, plane = r / (g.oH * g.oD);
      DT* yr = y + r * g.oW;
      const int64_t sd = g.md[od], sh = g.mh[oh];
      if (sd < 0 || sh < 0) {
        std::fill(yr, yr + g.oW, cval);
        continue;
      }
      const DT* xr = x + ((plane * g.D + sd) * g.H + sh) * g.W;
      for (int64_t ow = 0; ow < wb; ++ow) yr[ow] = g.mw[ow] < 0 ? cval : xr[g.mw[ow]];
      if (g.W > 0) std::memcpy(yr + wb, xr, g.W * sizeof(DT));
      for (int64_t ow = wb + g.W; ow < g.oW; ++ow) yr[ow] = g.mw[ow] < 0 ? cval : xr[g.mw[ow]];
    }
  }, std::max<int64_t>(g.oW, 1));
}

void pad_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                 const std::vector<TBlob>& out) {
  MXL_TYPE_SWITCH(in[0].dtype, DT, { pad_forward_typed<DT>(p, in[0], out[0]); });
}

// _backward_Pad.  in: out_grad (the padded shape).  out: data_grad.
void pad_backward_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& gy = (*in)[0];
  if (!gy.known()) return;
  const auto& pw = p.get_shape("pad_width");
  MXL_CHECK(static_cast<int>(pw.size()) == 2 * gy.ndim(), MXL_ERR_VALUE,
            op_error_prefix("_backward_Pad", "pad_width"), " has ", pw.size(),
            " entries but out_grad has ", gy.ndim(), " dimensions");
  Shape x = gy;
  for (int a = 0; a < gy.ndim(); ++a) {
    x[a] -= pw[2 * a] + pw[2 * a + 1];
    MXL_CHECK(x[a] >= 0, MXL_ERR_VALUE, "Operator _backward_Pad: out_grad of shape ", gy.str(),
              " is smaller than pad_width");
  }
  check_pad(p, x, "_backward_Pad");
  (*out)[0] = x;
}

// One plane at a time: every output element adds into its source, in the
// accumulation type (float for float16), so planes never share a target.
template <typename DT>
void pad_backward_typed(const Params& p, const TBlob& gy, const TBlob& gx) {
  using A = norm::acc_t<DT>;
  const PadGeometry g = geometry(p, gx.shape);
  const DT* dy = gy.ptr<DT>();
  DT* dx = gx.ptr<DT>();
  const int64_t in_plane = g.D * g.H * g.W, out_plane = g.oD * g.oH * g.oW;
  parallel_for(g.planes, [&](int64_t p0, int64_t p1) {
    std::vector<A> acc(in_plane);
    for (int64_t pl = p0; pl < p1; ++pl) {
      std::fill(acc.begin(), acc.end(), A(0));
      const DT* src = dy + pl * out_plane;
      for (int64_t od = 0; od < g.oD; ++od) {
        if (g.md[od] < 0) continue;
        for (int64_t oh = 0; oh < g.oH; ++oh) {
          if (g.mh[oh] < 0) continue;
          A* row = acc.data() + (g.md[od] * g.H + g.mh[oh]) * g.W;
          const DT* srow = src + (od * g.oH + oh) * g.oW;
          for (int64_t ow = 0; ow < g.oW; ++ow)
            if (g.mw[ow] >= 0) row[g.mw[ow]] += static_cast<A>(srow[ow]);
        }
      }
      DT* d = dx + pl * in_plane;
      for (int64_t k = 0; k < in_plane; ++k) d[k] = static_cast<DT>(acc[k]);
    }
  }, std::max<int64_t>(out_plane, 1));
}

void pad_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                  const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, DT, "_backward_Pad", { pad_backward_typed<DT>(p, in[0], out[0]); });
}

std::vector<GradValue> pad_gradient(GradBuilder& b, const GradNode& n) {
  return {b.op("_backward_Pad", {n.out_grads[0]}, n.params->attrs())};
}

MXL_REGISTER_OP(Pad)
    .describe("Pads the spatial axes of a 4-D or 5-D array with a constant, the edge values, or "
              "their reflection. pad_width is (before_1, after_1, ..., before_N, after_N) with "
              "the first four entries zero (batch and channel are not padded).")
    .add_alias("pad")
    .add_input("data", "An n-dimensional input array.")
    .add_param("mode", "enum{constant,edge,reflect}", "",
               "Padding type to use. \"constant\" pads with `constant_value` \"edge\" pads using "
               "the edge values of the input array \"reflect\" pads by reflecting values with "
               "respect to the edges.")
    .add_param("pad_width", "shape", "",
               "Widths of the padding regions applied to the edges of each axis, "
               "(before_1, after_1, ... , before_N, after_N).")
    .add_param("constant_value", "float", "0", "The value used for padding when `mode` is "
               "\"constant\".")
    .set_infer_shape(pad_shape)
    .set_forward(pad_forward)
    .set_gradient(pad_gradient);

MXL_REGISTER_OP(_backward_Pad)
    .describe("Gradient of Pad: each output gradient is added into the input element it was "
              "copied from.")
    .add_input("out_grad", "gradient of Pad's output")
    .copy_params_from("Pad")
    .set_infer_shape(pad_backward_shape)
    .set_forward(pad_backward);

}  // namespace
}  // namespace mxl
