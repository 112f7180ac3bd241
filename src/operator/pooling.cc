// Pooling and its hidden gradient op _backward_Pooling (MXNet 1.9).
//
// Output size per spatial axis (pooling_convention):
//   valid: 1 + floor((in + 2*pad - kernel) / stride)
//   full:  1 + ceil((in + 2*pad - kernel) / stride)   (Caffe's convention)
//   same:  ceil((in + 2*pad) / stride); as in MXNet, 1-d only and pad must be 0
// global_pool pools each whole feature map (kernel = the spatial shape, no
// padding, output extent 1).  Kernels: pooling_kernels.h.
#include <string>
#include <vector>

#include "autograd/gradient.h"
#include "operator/pooling_kernels.h"
#include "operator/registry.h"

namespace mxl {
namespace {

struct PoolParams {
  std::string op;
  PoolType type = PoolType::kMax;
  bool global = false;
  std::string convention;
  std::vector<int64_t> kernel, stride, pad;
  bool count_include_pad = true;
  int p_value = 2;
};

PoolParams parse_pool_params(const Params& p) {
  PoolParams pp;
  pp.op = "Pooling";
  const std::string& t = p.get_enum("pool_type");
  pp.type = t == "max" ? PoolType::kMax : t == "avg" ? PoolType::kAvg
          : t == "sum" ? PoolType::kSum : PoolType::kLp;
  pp.global = p.get_bool("global_pool");
  pp.convention = p.get_enum("pooling_convention");
  pp.kernel = p.get_shape("kernel");
  pp.stride = p.get_shape("stride");
  pp.pad = p.get_shape("pad");
  pp.count_include_pad = p.is_none("count_include_pad") || p.get_bool("count_include_pad");
  if (pp.type == PoolType::kLp) {
    MXL_CHECK(!p.is_none("p_value"), MXL_ERR_VALUE,
              "Operator Pooling: pool_type 'lp' needs the parameter 'p_value' (1, 2 or 3)");
    const int64_t pv = p.get_int("p_value");
    MXL_CHECK(pv >= 1 && pv <= 3, MXL_ERR_NOT_IMPLEMENTED, "Operator Pooling: p_value=", pv,
              " is not supported; expected 1, 2 or 3");
    pp.p_value = static_cast<int>(pv);
  }
  if (!p.is_none("layout")) {
    const std::string& layout = p.get_enum("layout");
    MXL_CHECK(layout[1] == 'C', MXL_ERR_NOT_IMPLEMENTED, "Operator Pooling: layout '", layout,
              "' is not supported; only channel-first layouts (NCW, NCHW, NCDHW) are");
  }
  return pp;
}

// Validates the params against the data shape and builds the geometry.
PoolGeom pool_geometry(const Params& p, const Shape& data) {
  const PoolParams pp = parse_pool_params(p);
  const int nd = data.ndim();
  MXL_CHECK(nd >= 3 && nd <= 5, MXL_ERR_VALUE, op_error_prefix("Pooling", "data"), " has shape ",
            data.str(), "; expected a 3-d (batch, channel, width), 4-d (batch, channel, height, "
            "width) or 5-d (batch, channel, depth, height, width) array");
  const int nsp = nd - 2;
  if (!p.is_none("layout")) {
    static const char* kLayouts[] = {"NCW", "NCHW", "NCDHW"};
    MXL_CHECK(p.get_enum("layout") == kLayouts[nsp - 1], MXL_ERR_VALUE,
              "Operator Pooling: layout '", p.get_enum("layout"),
              "' does not match argument 'data' of shape ", data.str(), "; expected ",
              kLayouts[nsp - 1]);
  }
  PoolGeom g;
  g.nsp = nsp;
  g.N = data[0];
  g.C = data[1];
  g.type = pp.type;
  g.count_include_pad = pp.count_include_pad;
  g.p_value = pp.p_value;
  const int off = 3 - nsp;
  if (pp.global) {
    for (int i = 0; i < nsp; ++i) {
      g.in[off + i] = g.k[off + i] = data[2 + i];
      g.out[off + i] = 1;
    }
    return g;
  }
  auto check_len = [&](const std::vector<int64_t>& v, const char* name) {
    MXL_CHECK(v.empty() || static_cast<int>(v.size()) == nsp, MXL_ERR_VALUE,
              "Operator Pooling: parameter '", name, "' is ", Shape(v).str(), " but data ",
              data.str(), " has ", nsp, " spatial dimension(s); expected ", nsp, " entries");
  };
  MXL_CHECK(!pp.kernel.empty(), MXL_ERR_VALUE,
            "Operator Pooling: parameter 'kernel' is required unless global_pool=True");
  check_len(pp.kernel, "kernel");
  check_len(pp.stride, "stride");
  check_len(pp.pad, "pad");
  if (pp.convention == "same") {
    MXL_CHECK(nsp == 1, MXL_ERR_NOT_IMPLEMENTED, "Operator Pooling: pooling_convention 'same' "
              "supports 1-d data (batch, channel, width) only, as in MXNet; data has shape ",
              data.str());
  }
  for (int i = 0; i < nsp; ++i) {
    const int64_t k = pp.kernel[i];
    const int64_t s = pp.stride.empty() ? 1 : pp.stride[i];
    const int64_t pad = pp.pad.empty() ? 0 : pp.pad[i];
    MXL_CHECK(k > 0, MXL_ERR_VALUE, "Operator Pooling: parameter 'kernel' is ",
              Shape(pp.kernel).str(), "; expected every entry to be > 0");
    MXL_CHECK(s > 0, MXL_ERR_VALUE, "Operator Pooling: parameter 'stride' is ",
              Shape(pp.stride).str(), "; expected every entry to be > 0");
    MXL_CHECK(pad >= 0, MXL_ERR_VALUE, "Operator Pooling: parameter 'pad' is ",
              Shape(pp.pad).str(), "; expected every entry to be >= 0");
    const int64_t in = data[2 + i];
    MXL_CHECK(k <= in + 2 * pad, MXL_ERR_VALUE, "Operator Pooling: kernel ",
              Shape(pp.kernel).str(), " exceeds the input ", data.str(), " (padded to ",
              in + 2 * pad, " along spatial axis ", i, ")");
    int64_t out;
    if (pp.convention == "valid") {
      out = 1 + (in + 2 * pad - k) / s;
    } else if (pp.convention == "full") {
      out = 1 + (in + 2 * pad - k + s - 1) / s;
    } else {
      MXL_CHECK(pad == 0, MXL_ERR_VALUE,
                "Operator Pooling: pooling_convention 'same' does not allow 'pad'");
      out = (in + s - 1) / s;
    }
    g.in[off + i] = in;
    g.out[off + i] = out;
    g.k[off + i] = k;
    g.s[off + i] = s;
    g.p[off + i] = pad;
  }
  return g;
}

Shape pool_out_shape(const PoolGeom& g, const Shape& data) {
  Shape o{data[0], data[1]};
  for (int i = 3 - g.nsp; i < 3; ++i) o.push_back(g.out[i]);
  return o;
}

// out: the pooled output, and the hidden workspace (pooling_kernels.h).
void infer_pool_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  parse_pool_params(p);  // parameter errors surface even before shapes are known
  if (!(*in)[0].known()) return;
  const PoolGeom g = pool_geometry(p, (*in)[0]);
  (*out)[0] = pool_out_shape(g, (*in)[0]);
  (*out)[1] = Shape{pool_workspace_size(g)};
}

DType check_pool_dtype(const Params& p, std::vector<DType>* floats) {
  infer_type_same(p.op()->name, floats, floats);
  const DType t = (*floats)[0];
  MXL_CHECK(t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16, MXL_ERR_TYPE,
            op_error_prefix(p.op()->name, "data"), " has dtype ", dtype_name(t),
            "; expected float32, float64 or float16");
  return t;
}

void infer_pool_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  (*out)[0] = check_pool_dtype(p, in);
  (*out)[1] = DType::kUInt8;  // the workspace
}

// The float inputs share one dtype; the optional workspace is uint8.
void infer_pool_backward_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  std::vector<DType> floats(in->begin(), in->begin() + 3);
  (*out)[0] = check_pool_dtype(p, &floats);
  if (in->size() > 3) {
    MXL_CHECK((*in)[3] == DType::kUInt8, MXL_ERR_TYPE,
              op_error_prefix("_backward_Pooling", "workspace"), " has dtype ",
              dtype_name((*in)[3]), "; expected uint8 (the Pooling's hidden workspace output)");
  }
}

void pooling_forward(const OpContext& ctx, const Params& p, const std::vector<TBlob>& in,
                     const std::vector<TBlob>& out) {
  pool_forward(in[0].dtype, pool_geometry(p, in[0].shape), in[0].dptr, out[0].dptr,
               out[1].ptr<uint8_t>(), ctx.is_train);
}

// in: out_grad, data, output (of the forward)[, workspace].  out: data_grad.
void infer_pool_backward_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  if (!(*in)[1].known()) return;
  const Shape y = pool_out_shape(pool_geometry(p, (*in)[1]), (*in)[1]);
  for (int i : {0, 2}) {
    if (!(*in)[i].known()) (*in)[i] = y;
    MXL_CHECK((*in)[i] == y, MXL_ERR_VALUE,
              op_error_prefix("_backward_Pooling", i == 0 ? "out_grad" : "output"),
              " has shape ", (*in)[i].str(), "; expected the forward output's shape ", y.str());
  }
  (*out)[0] = (*in)[1];
  if (in->size() > 3 && (*in)[3].known()) {
    const int64_t size = pool_workspace_size(pool_geometry(p, (*in)[1]));
    MXL_CHECK((*in)[3] == Shape{size}, MXL_ERR_VALUE,
              op_error_prefix("_backward_Pooling", "workspace"), " has shape ", (*in)[3].str(),
              "; expected (", size, ",), the Pooling's hidden workspace output for data of shape ",
              (*in)[1].str());
  }
}

void pooling_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                      const std::vector<TBlob>& out) {
  const PoolGeom g = pool_geometry(p, in[1].shape);
  const uint8_t* ws = in.size() > 3 ? in[3].ptr<uint8_t>() : nullptr;  // checked by inference
  pool_backward(in[1].dtype, g, in[0].dptr, in[1].dptr, in[2].dptr, out[0].dptr, ws);
}

void register_pooling() {
  Registry::get()
      .add("Pooling")
      .describe(
          "Performs pooling on the input: 1-D (batch, channel, width), 2-D (batch, channel, "
          "height, width) or 3-D (batch, channel, depth, height, width). pool_type: max, avg "
          "(average), sum, or lp (Lp pooling, (sum x^p)^(1/p), p_value in {1, 2, 3}). Output "
          "size per axis: valid: floor((x+2*p-k)/s)+1; full (Caffe): ceil((x+2*p-k)/s)+1; "
          "same: ceil(x/s) (1-D only). global_pool pools each whole feature map.")
      .add_input("data", "Input data to the pooling operator.")
      .add_param("kernel", "shape", "()", "Pooling kernel size: (y, x) or (d, y, x)")
      .add_param("pool_type", "enum{avg,lp,max,sum}", "max", "Pooling type to be applied.")
      .add_param("global_pool", "bool", "False",
                 "Ignore kernel size, do global pooling based on current input feature map.")
      .add_param("cudnn_off", "bool", "False", "Turn off cudnn pooling; accepted and ignored.")
      .add_param("pooling_convention", "enum{full,same,valid}", "valid",
                 "Pooling convention to be applied.")
      .add_param("stride", "shape", "()",
                 "Stride: for pooling (y, x) or (d, y, x). Defaults to 1 for each dimension.")
      .add_param("pad", "shape", "()",
                 "Pad for pooling: (y, x) or (d, y, x). Defaults to no padding.")
      .add_param("p_value", "optional<int>", "None", "Value of p for Lp pooling (1, 2 or 3).")
      .add_param("count_include_pad", "optional<bool>", "None",
                 "Only used for AvgPool: whether padded positions count in the divisor. "
                 "None means True.")
      .add_param("layout", "optional<enum{NCDHW,NCHW,NCW,NDHWC,NHWC,NWC}>", "None",
                 "Data layout: None is channel-first for the data's rank. Only channel-first "
                 "layouts (NCW, NCHW, NCDHW) are supported.")
      .set_outputs({"output", "workspace"})
      .set_num_visible_outputs([](const Params&) { return 1; })
      // MXNet's oneDNN builds give max pooling the workspace output too.
      .set_num_mxnet_outputs(
          [](const Params& p) { return p.get_enum("pool_type") == "max" ? 2 : 1; })
      .set_infer_shape(infer_pool_shape)
      .set_infer_type(infer_pool_type)
      .set_forward(pooling_forward)
      .set_gradient([](GradBuilder& b, const GradNode& n) -> std::vector<GradValue> {
        if (!n.needs_input_grad[0]) return {GradValue()};
        Attrs attrs = n.params->attrs();
        attrs.emplace_back("use_workspace", "True");
        return {b.apply_input_grads("_backward_Pooling",
                                    {n.out_grads[0], n.inputs[0], n.outputs[0], n.outputs[1]},
                                    attrs)[0]};
      });

  Registry::get()
      .add("_backward_Pooling")
      .describe("Gradient of Pooling: inputs (out_grad, data, output[, workspace]); output "
                "data_grad.")
      .add_input("out_grad", "Gradient of the Pooling output.")
      .add_input("data", "The Pooling's input.")
      .add_input("output", "The Pooling's output (locates the maxima for max pooling).")
      .copy_params_from("Pooling")
      .add_optional_input("workspace",
                          "The Pooling's hidden workspace output (only with use_workspace=True).",
                          "use_workspace",
                          "Whether the workspace input is given: the argmax record a "
                          "training-mode max Pooling leaves, which spares finding the maxima "
                          "again.")
      .set_infer_shape(infer_pool_backward_shape)
      .set_infer_type(infer_pool_backward_type)
      .set_forward(pooling_backward);
}

MXL_REGISTER_BLOCK(register_pooling);

}  // namespace
}  // namespace mxl
