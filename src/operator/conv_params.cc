#include "operator/conv_params.h"

namespace mxl {
namespace {

const char* kLayouts[] = {"NCW", "NCHW", "NCDHW"};

// A tuple parameter of length 0 (use `fill`) or nsp; each entry >= lo.
void read_tuple(const Params& p, const ConvParams& cp, const char* name, int64_t lo,
                int64_t fill, int64_t* dst) {
  const std::vector<int64_t>& v = p.get_shape(name);
  for (int i = 0; i < 3; ++i) dst[i] = fill;
  if (v.empty()) return;
  MXL_CHECK(static_cast<int>(v.size()) == cp.nsp, MXL_ERR_VALUE, "Operator ", cp.op,
            ": parameter '", name, "' has ", v.size(), " entries but kernel has ", cp.nsp,
            "; expected one entry per spatial dimension (or () for the default)");
  for (int i = 0; i < cp.nsp; ++i) {
    MXL_CHECK(v[i] >= lo, MXL_ERR_VALUE, "Operator ", cp.op, ": parameter '", name, "' is ",
              Shape(v).str(), "; expected every entry to be ", lo == 0 ? ">= 0" : "> 0");
    dst[i] = v[i];
  }
}

}  // namespace

ConvParams parse_conv_params(const Params& p) {
  ConvParams cp;
  cp.op = p.op()->name;
  cp.deconv = cp.op.find("Deconvolution") != std::string::npos;
  if (cp.op.rfind("_backward_", 0) == 0) cp.op = cp.op.substr(10);
  const std::vector<int64_t>& k = p.get_shape("kernel");
  MXL_CHECK(k.size() >= 1 && k.size() <= 3, MXL_ERR_VALUE, "Operator ", cp.op,
            ": parameter 'kernel' is ", Shape(k).str(),
            "; expected 1, 2 or 3 entries (1-d, 2-d or 3-d ", cp.deconv ? "deconvolution" : "convolution", ")");
  cp.nsp = static_cast<int>(k.size());
  for (int i = 0; i < cp.nsp; ++i) {
    MXL_CHECK(k[i] > 0, MXL_ERR_VALUE, "Operator ", cp.op, ": parameter 'kernel' is ",
              Shape(k).str(), "; expected every entry to be > 0");
    cp.kernel[i] = k[i];
  }
  read_tuple(p, cp, "stride", 1, 1, cp.stride);
  read_tuple(p, cp, "dilate", 1, 1, cp.dilate);
  read_tuple(p, cp, "pad", 0, 0, cp.pad);
  cp.num_filter = p.get_int("num_filter");
  cp.num_group = p.get_int("num_group");
  MXL_CHECK(cp.num_filter > 0, MXL_ERR_VALUE, "Operator ", cp.op,
            ": parameter 'num_filter' is ", cp.num_filter, "; expected a positive count");
  MXL_CHECK(cp.num_group > 0, MXL_ERR_VALUE, "Operator ", cp.op,
            ": parameter 'num_group' is ", cp.num_group, "; expected a positive count");
  MXL_CHECK(cp.num_filter % cp.num_group == 0, MXL_ERR_VALUE, "Operator ", cp.op,
            ": parameter 'num_filter' (", cp.num_filter, ") is not divisible by 'num_group' (",
            cp.num_group, ")");
  cp.no_bias = p.get_bool("no_bias");
  if (cp.deconv) {
    read_tuple(p, cp, "adj", 0, 0, cp.adj);
    read_tuple(p, cp, "target_shape", 0, 0, cp.target);
    for (int i = 0; i < cp.nsp; ++i) cp.has_target |= cp.target[i] != 0;
    if (!cp.has_target) {
      for (int i = 0; i < cp.nsp; ++i)
        MXL_CHECK(cp.adj[i] < cp.stride[i], MXL_ERR_VALUE, "Operator ", cp.op,
                  ": parameter 'adj' is ", Shape(cp.adj, cp.nsp).str(),
                  "; expected each entry to be smaller than the stride ",
                  Shape(cp.stride, cp.nsp).str());
    }
  }
  if (!p.is_none("layout")) {
    const std::string& layout = p.get_enum("layout");
    MXL_CHECK(layout.size() >= 3 && layout[1] == 'C', MXL_ERR_NOT_IMPLEMENTED, "Operator ",
              cp.op, ": layout '", layout,
              "' is not supported; only channel-first layouts (NCW, NCHW, NCDHW) are");
    MXL_CHECK(layout == kLayouts[cp.nsp - 1], MXL_ERR_VALUE, "Operator ", cp.op, ": layout '",
              layout, "' does not match the ", cp.nsp, "-d kernel ", Shape(k).str(),
              "; expected ", kLayouts[cp.nsp - 1]);
  }
  return cp;
}

ConvGeom conv_geometry(const ConvParams& cp, const Shape& data) {
  MXL_CHECK(data.ndim() == cp.nsp + 2, MXL_ERR_VALUE, op_error_prefix(cp.op, "data"),
            " has shape ", data.str(), "; a ", cp.nsp, "-d kernel expects a ", cp.nsp + 2,
            "-d array (batch, channel, ", cp.nsp == 1 ? "width" : cp.nsp == 2 ? "height, width"
                                                                              : "depth, height, width",
            ")");
  ConvGeom g;
  g.nsp = cp.nsp;
  g.N = data[0];
  g.G = cp.num_group;
  const int64_t channels = data[1];
  MXL_CHECK(channels % cp.num_group == 0, MXL_ERR_VALUE, op_error_prefix(cp.op, "data"),
            " has ", channels, " channels, which is not divisible by num_group=", cp.num_group);
  // Spatial dims live in the last nsp of the 3 slots, so 1-d and 2-d
  // problems are 3-d ones with extent 1 in front.
  const int off = 3 - cp.nsp;
  for (int i = 0; i < cp.nsp; ++i) {
    g.k[off + i] = cp.kernel[i];
    g.s[off + i] = cp.stride[i];
    g.d[off + i] = cp.dilate[i];
  }
  for (int i = 0; i < cp.nsp; ++i) {
    const int64_t in = data[2 + i], dk = cp.dilate[i] * (cp.kernel[i] - 1) + 1;
    if (!cp.deconv) {
      const int64_t span = in + 2 * cp.pad[i] - dk;
      MXL_CHECK(span >= 0, MXL_ERR_VALUE, op_error_prefix(cp.op, "data"), " has shape ",
                data.str(), ": the dilated kernel (", dk, ") exceeds the padded input (",
                in + 2 * cp.pad[i], ") along spatial axis ", i);
      g.in[off + i] = in;
      g.out[off + i] = span / cp.stride[i] + 1;
      g.p[off + i] = cp.pad[i];
    } else {
      int64_t pad = cp.pad[i], adj = cp.adj[i];
      if (cp.has_target) {
        const int64_t total = cp.stride[i] * (in - 1) + dk - cp.target[i];
        MXL_CHECK(total >= 0, MXL_ERR_VALUE, "Operator ", cp.op, ": target_shape ",
                  Shape(cp.target, cp.nsp).str(), " is too big for input ", data.str(),
                  " (at most ", cp.stride[i] * (in - 1) + dk, " along spatial axis ", i, ")");
        adj = total % 2;
        pad = (total + 1) / 2;
        MXL_CHECK(adj < cp.stride[i], MXL_ERR_VALUE, "Operator ", cp.op, ": target_shape ",
                  Shape(cp.target, cp.nsp).str(), " needs adj=", adj, " along spatial axis ", i,
                  ", which must be smaller than the stride ", cp.stride[i]);
      }
      const int64_t out = cp.stride[i] * (in - 1) + dk - 2 * pad + adj;
      MXL_CHECK(in >= 1 && out >= 1, MXL_ERR_VALUE, op_error_prefix(cp.op, "data"),
                " has shape ", data.str(), ": the output would have extent ", out,
                " along spatial axis ", i, " (pad too large?)");
      // The convolution this deconvolution transposes: its input is our output.
      g.in[off + i] = out;
      g.out[off + i] = in;
      g.p[off + i] = pad;
    }
  }
  if (!cp.deconv) {
    g.C = channels;
    g.OC = cp.num_filter;
  } else {
    g.C = cp.num_filter;
    g.OC = channels;
  }
  return g;
}

Shape conv_weight_shape(const ConvParams& cp, const ConvGeom& g) {
  Shape w{g.OC, g.C / g.G};
  for (int i = 3 - cp.nsp; i < 3; ++i) w.push_back(g.k[i]);
  return w;
}

void infer_conv_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const ConvParams cp = parse_conv_params(p);
  if (!(*in)[0].known()) return;
  const Shape& data = (*in)[0];
  const ConvGeom g = conv_geometry(cp, data);
  const Shape wshape = conv_weight_shape(cp, g);
  const char* wlayout = cp.deconv ? "(in_channels, num_filter/num_group, kernel...)"
                                  : "(num_filter, in_channels/num_group, kernel...)";
  if (!(*in)[1].known()) (*in)[1] = wshape;
  MXL_CHECK((*in)[1] == wshape, MXL_ERR_VALUE, op_error_prefix(cp.op, "weight"), " has shape ",
            (*in)[1].str(), "; expected ", wshape.str(), " ", wlayout, " for data of shape ",
            data.str(), ", num_filter=", cp.num_filter, ", num_group=", cp.num_group);
  if (!cp.no_bias && in->size() > 2) {
    const Shape bshape{cp.num_filter};
    if (!(*in)[2].known()) (*in)[2] = bshape;
    MXL_CHECK((*in)[2] == bshape, MXL_ERR_VALUE, op_error_prefix(cp.op, "bias"), " has shape ",
              (*in)[2].str(), "; expected ", bshape.str(), " (num_filter,)");
  }
  Shape o{data[0], cp.num_filter};
  const int off = 3 - cp.nsp;
  for (int i = 0; i < cp.nsp; ++i) o.push_back(cp.deconv ? g.in[off + i] : g.out[off + i]);
  (*out)[0] = o;
}

void add_conv_params(OpDef& op, bool deconv) {
  const char* what = deconv ? "deconvolution" : "convolution";
  op.add_param("kernel", "shape", "", std::string(what) + " kernel size: (w,), (h, w) or (d, h, w).")
      .add_param("stride", "shape", "()",
                 std::string(what) + " stride: (w,), (h, w) or (d, h, w). Defaults to 1 for each dimension.")
      .add_param("dilate", "shape", "()",
                 std::string(what) + " dilate: (w,), (h, w) or (d, h, w). Defaults to 1 for each dimension.")
      .add_param("pad", "shape", "()",
                 deconv ? "Padding that is removed from the output: (w,), (h, w) or (d, h, w). "
                          "Defaults to no padding."
                        : "Zero pad for convolution: (w,), (h, w) or (d, h, w). Defaults to no "
                          "padding.");
  if (deconv) {
    op.add_param("adj", "shape", "()",
                 "Adjustment for output shape: (w,), (h, w) or (d, h, w). Defaults to 0; "
                 "ignored when target_shape is set.")
        .add_param("target_shape", "shape", "()",
                   "Shape of the output: (w,), (h, w) or (d, h, w); pad and adj are then "
                   "inferred from it.");
  }
  op.add_param("num_filter", "int", "", std::string(what) + " filter (channel) number.")
      .set_range(1, 100000)
      .add_param("num_group", "int", "1", "Number of group partitions.")
      .add_param("workspace", "int", deconv ? "512" : "1024",
                 "Maximum temporary workspace allowed (MB); accepted for compatibility and "
                 "ignored.")
      .set_range(0, 8192)
      .add_param("no_bias", "bool", deconv ? "True" : "False",
                 "Whether to disable the bias parameter.")
      .add_param("cudnn_tune", "optional<enum{fastest,limited_workspace,off}>", "None",
                 "cuDNN algorithm selection; accepted for compatibility and ignored.")
      .add_param("cudnn_off", "bool", "False", "Turn off cudnn; accepted and ignored.")
      .add_param("layout", "optional<enum{NCDHW,NCHW,NCW,NDHWC,NHWC}>", "None",
                 "Data layout: None picks the channel-first layout for the kernel's rank. Only "
                 "channel-first layouts (NCW, NCHW, NCDHW) are supported.");
}

}  // namespace mxl

namespace mxl {

void add_conv_backward_params(OpDef& op) {
  op.add_param("grad_data", "bool", "True",
               "Compute the data gradient (False: that output has shape (0,)).")
      .add_param("grad_weight", "bool", "True",
                 "Compute the weight gradient (False: that output has shape (0,)).")
      .add_param("grad_bias", "bool", "True",
                 "Compute the bias gradient (False: that output has shape (0,)).");
}

int conv_backward_num_outputs(const Params& p) { return p.get_bool("no_bias") ? 2 : 3; }

void infer_conv_backward_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const ConvParams cp = parse_conv_params(p);
  const std::string bop = p.op()->name;
  if (!(*in)[1].known()) return;
  std::vector<Shape> fin{(*in)[1], (*in)[2]}, fout{Shape::unknown()};
  if (!cp.no_bias) fin.push_back(Shape{cp.num_filter});
  infer_conv_shape(p, &fin, &fout);
  (*in)[2] = fin[1];
  if (!(*in)[0].known()) (*in)[0] = fout[0];
  MXL_CHECK((*in)[0] == fout[0], MXL_ERR_VALUE, op_error_prefix(bop, "out_grad"), " has shape ",
            (*in)[0].str(), "; expected the forward output's shape ", fout[0].str());
  (*out)[0] = p.get_bool("grad_data") ? fin[0] : Shape{0};
  (*out)[1] = p.get_bool("grad_weight") ? fin[1] : Shape{0};
  if (!cp.no_bias) (*out)[2] = p.get_bool("grad_bias") ? Shape{cp.num_filter} : Shape{0};
}

void infer_conv_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  infer_type_same(p.op()->name, in, out);
  const DType t = (*in)[0];
  MXL_CHECK(t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16, MXL_ERR_TYPE,
            op_error_prefix(p.op()->name, "data"), " has dtype ", dtype_name(t),
            "; expected float32, float64 or float16");
  for (auto& o : *out) o = t;
}

std::vector<GradValue> conv_family_gradient(const char* backward_op, GradBuilder& b,
                                            const GradNode& n, bool blocked_data) {
  const bool no_bias = n.params->get_bool("no_bias");
  const bool need_data = n.needs_input_grad[0], need_weight = n.needs_input_grad[1];
  const bool need_bias = !no_bias && n.needs_input_grad.size() > 2 && n.needs_input_grad[2];
  std::vector<GradValue> grads(n.inputs.size());
  if (!need_data && !need_weight && !need_bias) return grads;
  Attrs attrs = n.params->attrs();
  if (!need_data) attrs.emplace_back("grad_data", "False");
  if (!need_weight) attrs.emplace_back("grad_weight", "False");
  if (!no_bias && !need_bias) attrs.emplace_back("grad_bias", "False");
  std::vector<GradValue> inputs{n.out_grads[0], n.inputs[0], n.inputs[1]};
  if (blocked_data && need_weight) {
    inputs.push_back(n.outputs[1]);
    attrs.emplace_back("use_blocked_data", "True");
  }
  std::vector<GradValue> outs = b.apply_input_grads(backward_op, inputs, attrs);
  if (need_data) grads[0] = outs[0];
  if (need_weight) grads[1] = outs[1];
  if (need_bias) grads[2] = outs[2];
  return grads;
}

}  // namespace mxl
