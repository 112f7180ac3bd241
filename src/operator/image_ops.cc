// MXNet's image operators for gluon.data.vision.transforms (mx.nd.image.*):
// _image_to_tensor, _image_normalize, and the (random) flips.  They take
// images of rank 3 or 4 (one image or a batch) and pick their axes from the
// rank, which is what lets the transforms be HybridBlocks: a traced graph does
// not know the rank, the op does when it runs.
#include <cstring>
#include <sstream>

#include "autograd/gradient.h"
#include "common/dtype.h"
#include "common/parallel.h"
#include "operator/registry.h"

namespace mxl {
namespace {

void check_image_rank(const char* op, const Shape& s, const char* layout) {
  MXL_CHECK(s.ndim() == 3 || s.ndim() == 4, MXL_ERR_VALUE, op_error_prefix(op, "data"),
            " must be ", layout, " (rank 3) or a batch of them (rank 4), got shape ", s.str());
}

// ---------------------------------------------------------------- to_tensor

void to_tensor_shape(const Params&, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& s = (*in)[0];
  if (!s.known()) return;
  check_image_rank("_image_to_tensor", s, "(H, W, C)");
  const int b = s.ndim() - 3;  // 1 for a batch
  Shape o = s;
  o[b] = s[b + 2];
  o[b + 1] = s[b];
  o[b + 2] = s[b + 1];
  (*out)[0] = o;
}

void to_tensor_type(const Params&, std::vector<DType>* in, std::vector<DType>* out) {
  (*out)[0] = DType::kFloat32;
}

void to_tensor_forward(const OpContext&, const Params&, const std::vector<TBlob>& in,
                       const std::vector<TBlob>& out) {
  const Shape& s = in[0].shape;
  const int b = s.ndim() - 3;
  const int64_t n = b ? s[0] : 1, h = s[b], w = s[b + 1], c = s[b + 2], hw = h * w;
  float* o = out[0].ptr<float>();
  MXL_TYPE_SWITCH(in[0].dtype, DT, {
    const DT* x = in[0].ptr<DT>();
    // One output plane per (image, channel); reads stride by c.
    parallel_for(n * c, [&](int64_t begin, int64_t end) {
      for (int64_t plane = begin; plane < end; ++plane) {
        const int64_t img = plane / c, ch = plane % c;
        const DT* src = x + img * hw * c + ch;
        float* dst = o + plane * hw;
        for (int64_t i = 0; i < hw; ++i)
          dst[i] = static_cast<float>(src[i * c]) * (1.0f / 255.0f);
      }
    }, hw);
  });
}

// ---------------------------------------------------------------- normalize

// mean / std: a float or a tuple of floats, in MXNet's text form.
std::vector<float> float_tuple(const Params& p, const char* name) {
  std::string text = p.get_str(name);
  for (char& ch : text)
    if (ch == '(' || ch == ')' || ch == '[' || ch == ']' || ch == ',') ch = ' ';
  std::istringstream is(text);
  std::vector<float> v;
  std::string tok;
  while (is >> tok) {
    try {
      size_t used = 0;
      v.push_back(std::stof(tok, &used));
      MXL_CHECK(used == tok.size(), MXL_ERR_VALUE, "");
    } catch (const std::exception&) {
      throw_error(MXL_ERR_VALUE, op_error_prefix("_image_normalize", name),
                  " must be a float or a tuple of floats, got '", p.get_str(name), "'");
    }
  }
  MXL_CHECK(!v.empty(), MXL_ERR_VALUE, op_error_prefix("_image_normalize", name),
            " must hold at least one value, got '", p.get_str(name), "'");
  return v;
}

// Per-channel values for c channels: one value for all, or one per channel
// (extra values are ignored, so the 4-value defaults serve 1 to 4 channels).
std::vector<float> per_channel(const Params& p, const char* name, int64_t c) {
  std::vector<float> v = float_tuple(p, name);
  MXL_CHECK(v.size() == 1 || static_cast<int64_t>(v.size()) >= c, MXL_ERR_VALUE,
            op_error_prefix("_image_normalize", name), " has ", v.size(),
            " values but the input has ", c, " channels");
  v.resize(c, v[0]);  // one value: repeated; more: the first c
  return v;
}

void normalize_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const Shape& s = (*in)[0];
  if (!s.known()) return;
  check_image_rank("_image_normalize", s, "(C, H, W)");
  const int64_t c = s[s.ndim() - 3];
  per_channel(p, "mean", c);
  for (float sd : per_channel(p, "std", c))
    MXL_CHECK(sd != 0, MXL_ERR_VALUE, op_error_prefix("_image_normalize", "std"),
              " must be non-zero");
  (*out)[0] = s;
}

void normalize_type(const Params&, std::vector<DType>* in, std::vector<DType>* out) {
  MXL_CHECK(is_float((*in)[0]), MXL_ERR_TYPE, op_error_prefix("_image_normalize", "data"),
            " must be a floating-point tensor (use ToTensor first), got ",
            dtype_name((*in)[0]));
  (*out)[0] = (*in)[0];
}

// out[plane] = (x[plane] - shift[ch]) * scale[ch] over (image, channel) planes.
void per_channel_affine(const TBlob& x, const TBlob& y, const std::vector<float>& shift,
                        const std::vector<float>& scale) {
  const Shape& s = x.shape;
  const int64_t c = s[s.ndim() - 3], hw = s[s.ndim() - 2] * s[s.ndim() - 1];
  const int64_t planes = s.numel() / (hw ? hw : 1);
  if (hw == 0) return;
  MXL_FLOAT_SWITCH(x.dtype, DT, "_image_normalize", {
    const DT* in = x.ptr<DT>();
    DT* out = y.ptr<DT>();
    parallel_for(planes, [&](int64_t begin, int64_t end) {
      for (int64_t plane = begin; plane < end; ++plane) {
        const float m = shift[plane % c], k = scale[plane % c];
        const DT* src = in + plane * hw;
        DT* dst = out + plane * hw;
        for (int64_t i = 0; i < hw; ++i)
          dst[i] = static_cast<DT>((static_cast<float>(src[i]) - m) * k);
      }
    }, hw);
  });
}

std::vector<float> reciprocals(std::vector<float> v) {
  for (float& x : v) x = 1.0f / x;
  return v;
}

void normalize_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                       const std::vector<TBlob>& out) {
  const int64_t c = in[0].shape[in[0].shape.ndim() - 3];
  per_channel_affine(in[0], out[0], per_channel(p, "mean", c),
                     reciprocals(per_channel(p, "std", c)));
}

// d(data) = d(out) / std per channel.
void normalize_backward_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                                const std::vector<TBlob>& out) {
  const int64_t c = in[0].shape[in[0].shape.ndim() - 3];
  per_channel_affine(in[0], out[0], std::vector<float>(c, 0.0f),
                     reciprocals(per_channel(p, "std", c)));
}

std::vector<GradValue> normalize_gradient(GradBuilder& b, const GradNode& n) {
  return {b.op("_backward_image_normalize", {n.out_grads[0]}, n.params->attrs())};
}

// -------------------------------------------------------------------- flips

// Reverses axis `from_end` counted from the last (2 = width of an HWC image,
// 3 = height), for one image or a batch.
void flip_copy(const TBlob& x, const TBlob& y, int from_end) {
  const Shape& s = x.shape;
  const int axis = s.ndim() - from_end;
  const int64_t outer = s.prod(0, axis), len = s[axis];
  const int64_t inner = s.prod(axis + 1, s.ndim()) * dtype_size(x.dtype);
  const char* src = static_cast<const char*>(x.dptr);
  char* dst = static_cast<char*>(y.dptr);
  parallel_for(outer * len, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t o = r / len, i = r % len;
      std::memcpy(dst + r * inner, src + (o * len + len - 1 - i) * inner, inner);
    }
  }, inner);
}

void image_shape(const char* op, std::vector<Shape>* in, std::vector<Shape>* out) {
  if (!(*in)[0].known()) return;
  check_image_rank(op, (*in)[0], "(H, W, C)");
  (*out)[0] = (*in)[0];
}

template <int kFromEnd>
void flip_forward(const OpContext&, const Params&, const std::vector<TBlob>& in,
                  const std::vector<TBlob>& out) {
  flip_copy(in[0], out[0], kFromEnd);
}

template <int kFromEnd>
void random_flip_forward(const OpContext& ctx, const Params& p, const std::vector<TBlob>& in,
                         const std::vector<TBlob>& out) {
  MXL_CHECK(ctx.rng != nullptr, MXL_ERR_RUNTIME, "Operator ", p.op()->name,
            ": internal: called without a random generator");
  // One draw per call: the whole image (or batch) is flipped or not, as MXNet.
  const double u = static_cast<double>((*ctx.rng)() >> 11) * (1.0 / 9007199254740992.0);
  if (u < p.get_float("p")) {
    flip_copy(in[0], out[0], kFromEnd);
  } else if (in[0].nbytes()) {
    std::memcpy(out[0].dptr, in[0].dptr, in[0].nbytes());
  }
}

std::vector<GradValue> flip_lr_gradient(GradBuilder& b, const GradNode& n) {
  return {b.op("_image_flip_left_right", {n.out_grads[0]})};
}
std::vector<GradValue> flip_tb_gradient(GradBuilder& b, const GradNode& n) {
  return {b.op("_image_flip_top_bottom", {n.out_grads[0]})};
}

}  // namespace

MXL_REGISTER_OP(_image_to_tensor)
    .describe("Converts an image of shape (H x W x C), or a batch (N x H x W x C), with values "
              "in [0, 255] to a float32 tensor of shape (C x H x W) / (N x C x H x W) with "
              "values in [0, 1] (mx.nd.image.to_tensor).")
    .add_input("data", "Input image or batch of images")
    .set_infer_shape(to_tensor_shape)
    .set_infer_type(to_tensor_type)
    .set_forward(to_tensor_forward);

MXL_REGISTER_OP(_image_normalize)
    .describe("Normalizes a tensor of shape (C x H x W) or (N x C x H x W) per channel: "
              "out = (data - mean[c]) / std[c] (mx.nd.image.normalize).")
    .add_input("data", "Input tensor")
    .add_param("mean", "str", "(0.0, 0.0, 0.0, 0.0)",
               "Sequence of means for each channel (or one value for all).")
    .add_param("std", "str", "(1.0, 1.0, 1.0, 1.0)",
               "Sequence of standard deviations for each channel (or one value for all).")
    .set_infer_shape(normalize_shape)
    .set_infer_type(normalize_type)
    .set_forward(normalize_forward)
    .add_inplace(0, 0)
    .set_gradient(normalize_gradient);

MXL_REGISTER_OP(_backward_image_normalize)
    .describe("Gradient of _image_normalize: the output gradient divided by std per channel.")
    .add_input("out_grad", "Gradient of the output")
    .copy_params_from("_image_normalize")
    .set_infer_shape(normalize_shape)
    .set_infer_type(normalize_type)
    .set_forward(normalize_backward_forward);

MXL_REGISTER_OP(_image_flip_left_right)
    .describe("Flips an image (H x W x C) or a batch (N x H x W x C) horizontally.")
    .add_input("data", "Input image or batch of images")
    .set_infer_shape([](const Params&, std::vector<Shape>* in, std::vector<Shape>* out) {
      image_shape("_image_flip_left_right", in, out);
    })
    .set_forward(flip_forward<2>)
    .set_gradient(flip_lr_gradient);

MXL_REGISTER_OP(_image_flip_top_bottom)
    .describe("Flips an image (H x W x C) or a batch (N x H x W x C) vertically.")
    .add_input("data", "Input image or batch of images")
    .set_infer_shape([](const Params&, std::vector<Shape>* in, std::vector<Shape>* out) {
      image_shape("_image_flip_top_bottom", in, out);
    })
    .set_forward(flip_forward<3>)
    .set_gradient(flip_tb_gradient);

MXL_REGISTER_OP(_image_random_flip_left_right)
    .describe("Flips an image (H x W x C) or a batch (N x H x W x C) horizontally with "
              "probability p.")
    .add_input("data", "Input image or batch of images")
    .add_param("p", "float", "0.5", "The probability of flipping the image.")
    .set_range(0.0, 1.0)
    .set_infer_shape([](const Params&, std::vector<Shape>* in, std::vector<Shape>* out) {
      image_shape("_image_random_flip_left_right", in, out);
    })
    .set_forward(random_flip_forward<2>)
    .set_needs_rng();

MXL_REGISTER_OP(_image_random_flip_top_bottom)
    .describe("Flips an image (H x W x C) or a batch (N x H x W x C) vertically with "
              "probability p.")
    .add_input("data", "Input image or batch of images")
    .add_param("p", "float", "0.5", "The probability of flipping the image.")
    .set_range(0.0, 1.0)
    .set_infer_shape([](const Params&, std::vector<Shape>* in, std::vector<Shape>* out) {
      image_shape("_image_random_flip_top_bottom", in, out);
    })
    .set_forward(random_flip_forward<3>)
    .set_needs_rng();

}  // namespace mxl
