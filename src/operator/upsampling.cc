// UpSampling (MXNet 1.9 semantics) and its hidden backward.
//
// nearest   Any number of NCHW inputs (num_args).  The output is
//           (N, ., H0 * scale, W0 * scale) from the first input's size; every
//           input is repeated by the integer factor that brings it to that
//           size (the same along both axes), and the results are concatenated
//           along channels (multi_input_mode='concat') or added ('sum').
// bilinear  Two inputs, data (N, C, H, W) and weight (C, 1, k, k) with
//           k = 2 * scale - scale % 2 and num_filter = C: a per-channel
//           transposed convolution with stride scale and padding
//           ceil((scale - 1) / 2), as MXNet implements it (the weight is
//           usually filled with the bilinear kernel and kept fixed).
// The gradient flows to every input (to the weight too for bilinear).
#include <algorithm>
#include <string>
#include <vector>

#include "autograd/gradient.h"
#include "common/parallel.h"
#include "operator/norm_common.h"
#include "operator/registry.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

bool is_bilinear(const Params& p) { return p.get_enum("sample_type") == "bilinear"; }
bool is_sum(const Params& p) { return p.get_enum("multi_input_mode") == "sum"; }

int64_t kernel_size(int64_t s) { return 2 * s - s % 2; }
int64_t kernel_pad(int64_t s) { return s / 2; }  // ceil((s - 1) / 2)

// The data inputs' shapes are checked and the output's returned; `data`
// holds the forward's inputs (data..., or data and weight).
Shape upsample_shape(const Params& p, const std::vector<Shape>& data, const char* op) {
  const int64_t scale = p.get_int("scale"), nargs = p.get_int("num_args");
  MXL_CHECK(static_cast<int64_t>(data.size()) == nargs, MXL_ERR_VALUE, op_error_prefix(op, "num_args"),
            " is ", nargs, " but ", data.size(), " input arrays were given");
  const Shape& x = data[0];
  MXL_CHECK(x.ndim() == 4, MXL_ERR_VALUE, op_error_prefix(op, "data"), " has shape ", x.str(),
            "; UpSampling expects 4-D input (batch, channel, height, width)");
  Shape o{x[0], x[1], x[2] * scale, x[3] * scale};
  if (is_bilinear(p)) {
    MXL_CHECK(nargs == 2, MXL_ERR_VALUE, op_error_prefix(op, "num_args"),
              " must be 2 (data and weight) for sample_type='bilinear', got ", nargs);
    const int64_t nf = p.get_int("num_filter"), k = kernel_size(scale);
    MXL_CHECK(nf == x[1], MXL_ERR_VALUE, op_error_prefix(op, "num_filter"), " is ", nf,
              " but data has ", x[1], " channels; bilinear upsampling needs them equal");
    const Shape w{x[1], 1, k, k};
    MXL_CHECK(data[1] == w, MXL_ERR_VALUE, op_error_prefix(op, "weight"), " has shape ",
              data[1].str(), " but expected ", w.str(), " for scale ", scale);
    return o;
  }
  int64_t channels = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    const Shape& s = data[i];
    MXL_CHECK(s.ndim() == 4 && s[0] == x[0], MXL_ERR_VALUE, "Operator ", op, ": input ", i,
              " has shape ", s.str(), "; every input must be 4-D with the first input's batch size ",
              x[0]);
    const bool fits = i == 0 || (s[2] > 0 && s[3] > 0 && o[2] % s[2] == 0 && o[3] % s[3] == 0 &&
                      o[2] / s[2] == o[3] / s[3]);
    MXL_CHECK(fits || (o[2] == 0 && o[3] == 0), MXL_ERR_VALUE, "Operator ", op, ": input ", i,
              " has spatial size ", s[2], "x", s[3], ", which no single integer factor brings to "
              "the output size ", o[2], "x", o[3]);
    if (is_sum(p))
      MXL_CHECK(s[1] == x[1], MXL_ERR_VALUE, "Operator ", op, ": input ", i, " has ", s[1],
                " channels but input 0 has ", x[1], "; multi_input_mode='sum' needs them equal");
    channels += s[1];
  }
  if (!is_sum(p)) o[1] = channels;
  return o;
}

void check_params(const Params& p, const char* op) {
  const int64_t scale = p.get_int("scale");
  MXL_CHECK(scale >= 1, MXL_ERR_VALUE, op_error_prefix(op, "scale"), " must be at least 1, got ", scale);
}

void up_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  check_params(p, "UpSampling");
  if (!shape_ops::all_known(*in)) return;
  (*out)[0] = upsample_shape(p, *in, "UpSampling");
}

// Nearest: output plane (n, oc) takes input i's plane (n, c); `add` adds.
template <typename DT>
void nearest_plane(const DT* x, int64_t h, int64_t w, DT* y, int64_t oh, int64_t ow, bool add) {
  const int64_t f = oh / h;
  for (int64_t r = 0; r < oh; ++r) {
    const DT* xr = x + (r / f) * w;
    DT* yr = y + r * ow;
    if (add) {
      for (int64_t c = 0; c < ow; ++c) yr[c] = static_cast<DT>(static_cast<norm::acc_t<DT>>(yr[c]) + xr[c / f]);
    } else if (f == 2) {  // the common case: pairs
      for (int64_t c = 0; c < w; ++c) yr[2 * c] = yr[2 * c + 1] = xr[c];
    } else {
      for (int64_t c = 0; c < ow; ++c) yr[c] = xr[c / f];
    }
  }
}

template <typename DT>
void nearest_forward(const Params& p, const std::vector<TBlob>& in, const TBlob& out) {
  const Shape& o = out.shape;
  const int64_t N = o[0], OC = o[1], oh = o[2], ow = o[3];
  if (out.numel() == 0) return;
  const bool sum = is_sum(p);
  parallel_for(N * OC, [&](int64_t b, int64_t e) {
    for (int64_t pl = b; pl < e; ++pl) {
      const int64_t n = pl / OC, oc = pl % OC;
      DT* y = out.ptr<DT>() + pl * oh * ow;
      int64_t c0 = 0;
      for (size_t i = 0; i < in.size(); ++i) {
        const Shape& s = in[i].shape;
        if (sum) {
          nearest_plane(in[i].ptr<DT>() + (n * s[1] + oc) * s[2] * s[3], s[2], s[3], y, oh, ow, i > 0);
        } else if (oc >= c0 && oc < c0 + s[1]) {
          nearest_plane(in[i].ptr<DT>() + (n * s[1] + oc - c0) * s[2] * s[3], s[2], s[3], y, oh, ow, false);
          break;
        }
        c0 += s[1];
      }
    }
  }, oh * ow);
}

// Bilinear: per (n, c) plane, out[iy*s - p + ky][ix*s - p + kx] += x[iy][ix] * w[c][ky][kx].
template <typename DT>
void bilinear_forward(const Params& p, const TBlob& xb, const TBlob& wb, const TBlob& out) {
  using A = norm::acc_t<DT>;
  const int64_t s = p.get_int("scale"), k = kernel_size(s), pad = kernel_pad(s);
  const int64_t C = xb.shape[1], H = xb.shape[2], W = xb.shape[3], OH = out.shape[2], OW = out.shape[3];
  parallel_for(xb.shape[0] * C, [&](int64_t b, int64_t e) {
    std::vector<A> acc(OH * OW);
    for (int64_t pl = b; pl < e; ++pl) {
      const DT* x = xb.ptr<DT>() + pl * H * W;
      const DT* w = wb.ptr<DT>() + (pl % C) * k * k;
      std::fill(acc.begin(), acc.end(), A(0));
      for (int64_t iy = 0; iy < H; ++iy)
        for (int64_t ky = 0; ky < k; ++ky) {
          const int64_t oy = iy * s - pad + ky;
          if (oy < 0 || oy >= OH) continue;
          for (int64_t ix = 0; ix < W; ++ix) {
            const A v = static_cast<A>(x[iy * W + ix]);
            for (int64_t kx = 0; kx < k; ++kx) {
              const int64_t ox = ix * s - pad + kx;
              if (ox >= 0 && ox < OW) acc[oy * OW + ox] += v * static_cast<A>(w[ky * k + kx]);
            }
          }
        }
      DT* y = out.ptr<DT>() + pl * OH * OW;
      for (int64_t i = 0; i < OH * OW; ++i) y[i] = static_cast<DT>(acc[i]);
    }
  }, OH * OW * k);
}

void up_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, DT, "UpSampling", {
    if (is_bilinear(p)) bilinear_forward<DT>(p, in[0], in[1], out[0]);
    else nearest_forward<DT>(p, in, out[0]);
  });
}

// _backward_UpSampling.  in: out_grad, then the forward's inputs (read for
// their shapes, and for bilinear the values).  out: one gradient per forward
// input.
void up_backward_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  check_params(p, "_backward_UpSampling");
  if (!shape_ops::all_known(*in)) return;
  std::vector<Shape> data(in->begin() + 1, in->end());
  const Shape o = upsample_shape(p, data, "_backward_UpSampling");
  MXL_CHECK((*in)[0] == o, MXL_ERR_VALUE, "Operator _backward_UpSampling: out_grad has shape ",
            (*in)[0].str(), " but the forward's output has shape ", o.str());
  for (size_t i = 0; i < data.size(); ++i) (*out)[i] = data[i];
}

template <typename DT>
void nearest_backward(const Params& p, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  using A = norm::acc_t<DT>;
  const Shape& o = in[0].shape;
  const int64_t OC = o[1], oh = o[2], ow = o[3];
  const bool sum = is_sum(p);
  int64_t c0 = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const Shape& s = out[i].shape;
    const int64_t h = s[2], w = s[3], f = h ? oh / h : 1;
    const int64_t off = sum ? 0 : c0;
    parallel_for(s[0] * s[1], [&](int64_t b, int64_t e) {
      std::vector<A> acc(w);
      for (int64_t pl = b; pl < e; ++pl) {
        const int64_t n = pl / s[1], c = pl % s[1];
        const DT* g = in[0].ptr<DT>() + (n * OC + off + c) * oh * ow;
        DT* d = out[i].ptr<DT>() + pl * h * w;
        for (int64_t r = 0; r < h; ++r) {
          std::fill(acc.begin(), acc.end(), A(0));
          for (int64_t rr = r * f; rr < (r + 1) * f; ++rr)
            for (int64_t col = 0; col < ow; ++col) acc[col / f] += static_cast<A>(g[rr * ow + col]);
          for (int64_t col = 0; col < w; ++col) d[r * w + col] = static_cast<DT>(acc[col]);
        }
      }
    }, h * w * f * f);
    c0 += s[1];
  }
}

template <typename DT>
void bilinear_backward(const Params& p, const std::vector<TBlob>& in, const std::vector<TBlob>& out) {
  using A = norm::acc_t<DT>;
  const TBlob &gy = in[0], &xb = in[1], &wb = in[2];
  const int64_t s = p.get_int("scale"), k = kernel_size(s), pad = kernel_pad(s);
  const int64_t N = xb.shape[0], C = xb.shape[1], H = xb.shape[2], W = xb.shape[3];
  const int64_t OH = gy.shape[2], OW = gy.shape[3];
  // Weight gradients per plane, folded over the batch afterwards.
  std::vector<A> dw_plane(N * C * k * k, A(0));
  parallel_for(N * C, [&](int64_t b, int64_t e) {
    for (int64_t pl = b; pl < e; ++pl) {
      const DT* x = xb.ptr<DT>() + pl * H * W;
      const DT* w = wb.ptr<DT>() + (pl % C) * k * k;
      const DT* g = gy.ptr<DT>() + pl * OH * OW;
      DT* dx = out[0].ptr<DT>() + pl * H * W;
      A* dw = dw_plane.data() + pl * k * k;
      for (int64_t iy = 0; iy < H; ++iy)
        for (int64_t ix = 0; ix < W; ++ix) {
          const A xv = static_cast<A>(x[iy * W + ix]);
          A acc = 0;
          for (int64_t ky = 0; ky < k; ++ky) {
            const int64_t oy = iy * s - pad + ky;
            if (oy < 0 || oy >= OH) continue;
            for (int64_t kx = 0; kx < k; ++kx) {
              const int64_t ox = ix * s - pad + kx;
              if (ox < 0 || ox >= OW) continue;
              const A gv = static_cast<A>(g[oy * OW + ox]);
              acc += gv * static_cast<A>(w[ky * k + kx]);
              dw[ky * k + kx] += gv * xv;
            }
          }
          dx[iy * W + ix] = static_cast<DT>(acc);
        }
    }
  }, OH * OW * k);
  DT* dwt = out[1].ptr<DT>();
  for (int64_t c = 0; c < C; ++c)
    for (int64_t j = 0; j < k * k; ++j) {
      A t = 0;
      for (int64_t n = 0; n < N; ++n) t += dw_plane[(n * C + c) * k * k + j];
      dwt[c * k * k + j] = static_cast<DT>(t);
    }
}

void up_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                 const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, DT, "_backward_UpSampling", {
    if (is_bilinear(p)) bilinear_backward<DT>(p, in, out);
    else nearest_backward<DT>(p, in, out);
  });
}

std::vector<GradValue> up_gradient(GradBuilder& b, const GradNode& n) {
  std::vector<GradValue> ins{n.out_grads[0]};
  ins.insert(ins.end(), n.inputs.begin(), n.inputs.end());
  return b.apply("_backward_UpSampling", ins, n.params->attrs());
}

// Every input shares one float dtype.
void up_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  const std::string& op = p.op()->name;
  norm::check_float_data(op, (*in)[0]);
  for (size_t i = 1; i < in->size(); ++i)
    MXL_CHECK((*in)[i] == (*in)[0], MXL_ERR_TYPE, "Operator ", op, ": input ", i, " has dtype ",
              dtype_name((*in)[i]), " but input 0 has dtype ", dtype_name((*in)[0]),
              "; all inputs must share one dtype");
  for (auto& o : *out) o = (*in)[0];
}

MXL_REGISTER_OP(UpSampling)
    .describe("Upsamples NCHW data by an integer scale: nearest-neighbour (any number of inputs, "
              "concatenated along channels or summed) or bilinear (data and a (C, 1, k, k) "
              "weight, k = 2 * scale - scale % 2, applied as a per-channel transposed "
              "convolution).")
    .add_input("data", "Array of tensors to upsample. For bilinear upsampling, there should be "
               "2 inputs - 1 data and 1 weight.")
    .set_variadic("num_args")
    .add_param("scale", "int", "", "Up sampling scale")
    .add_param("num_filter", "int", "0", "Input filter. Only used by bilinear sample_type. Since "
               "bilinear upsampling uses deconvolution, num_filters is set to the number of "
               "channels.")
    .add_param("sample_type", "enum{bilinear,nearest}", "", "upsampling method")
    .add_param("multi_input_mode", "enum{concat,sum}", "concat",
               "How to handle multiple input. concat means concatenate upsampled images along "
               "the channel dimension. sum means add all images together, only available for "
               "nearest neighbor upsampling.")
    .add_param("num_args", "int", "", "Number of inputs to be upsampled. For nearest neighbor "
               "upsampling, this can be 1-N; the size of output will be (scale*h_0,scale*w_0) "
               "and all other inputs will be upsampled to the same size. For bilinear "
               "upsampling this must be 2; 1 input and 1 weight.")
    .set_range(1, 1e9)
    .add_param("workspace", "int", "512", "Tmp workspace for deconvolution (MB); accepted, unused")
    .set_range(0, 1e18)
    .set_infer_shape(up_shape)
    .set_infer_type(up_type)
    .set_forward(up_forward)
    .set_gradient(up_gradient);

MXL_REGISTER_OP(_backward_UpSampling)
    .describe("Gradient of UpSampling: inputs are the output gradient followed by the forward's "
              "inputs; one gradient per forward input.")
    .add_input("data", "out_grad, then the forward's inputs")
    .set_variadic()
    .copy_params_from("UpSampling")
    .set_num_outputs([](const Params& p) { return static_cast<int>(p.get_int("num_args")); })
    .set_infer_shape(up_backward_shape)
    .set_infer_type(up_type)
    .set_forward(up_backward);

}  // namespace
}  // namespace mxl
