// Embedding (MXNet 1.9): out[..., :] = weight[data[...], :].
//
// data holds indices in any numeric dtype; like MXNet they are truncated
// toward zero and clipped into [0, input_dim - 1].  The output has shape
// data.shape + (output_dim,) and the weight's dtype.  sparse_grad is
// accepted but the gradient is always dense (mxlite has no row-sparse
// arrays).
//
// The weight's gradient is the hidden kernel _backward_Embedding(ograd,
// data): rows of ograd scatter-added into a zero (input_dim, output_dim)
// matrix; indices get no gradient.  The scatter is parallel over column
// blocks, so threads never write the same element and repeated indices
// accumulate without atomics.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "operator/nn_util.h"

namespace mxl {
namespace {

const char* const kOp = "Embedding";

// An index value as a row, truncated and clipped like MXNet.
template <typename I>
int64_t row_of(I v, int64_t rows) {
  double d = static_cast<double>(v);
  if (!(d > 0)) return 0;  // negatives and NaN
  if (d >= static_cast<double>(rows - 1)) return rows - 1;
  return static_cast<int64_t>(d);
}

void infer_embedding_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  const int64_t rows = p.get_int("input_dim"), cols = p.get_int("output_dim");
  Shape& w = (*in)[1];
  const Shape expected{rows, cols};
  if (!w.known()) w = expected;
  MXL_CHECK(w == expected, MXL_ERR_VALUE, op_error_prefix(kOp, "weight"), " has shape ", w.str(),
            " but input_dim=", rows, " and output_dim=", cols, " need ", expected.str());
  const Shape& data = (*in)[0];
  if (!data.known()) return;
  MXL_CHECK(data.ndim() + 1 <= kMaxNdim, MXL_ERR_VALUE, op_error_prefix(kOp, "data"),
            " has too many dimensions");
  Shape o = data;
  o.push_back(cols);
  (*out)[0] = o;
}

void infer_embedding_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  const DType w = (*in)[1];
  MXL_CHECK(is_float(w), MXL_ERR_TYPE, op_error_prefix(kOp, "weight"), " has dtype ",
            dtype_name(w), "; expected float16, float32 or float64");
  MXL_CHECK((*in)[0] != DType::kBool, MXL_ERR_TYPE, op_error_prefix(kOp, "data"),
            " has dtype bool; expected numeric indices");
  (*out)[0] = w;
}

// Calls f(I{}) with data's index type.
template <typename F>
void with_index_type(DType t, const char* op, F&& f) {
  MXL_TYPE_SWITCH(t, I, {
    if constexpr (std::is_same_v<I, bool>) {
      throw_error(MXL_ERR_TYPE, "Operator ", op, ": boolean indices are not supported");
    } else {
      f(I{});
    }
  })
}

template <typename T, typename I>
void embedding_typed(const TBlob& data, const TBlob& weight, const TBlob& out) {
  const int64_t n = data.numel(), rows = weight.shape[0], cols = weight.shape[1];
  const I* idx = data.ptr<I>();
  const T* w = weight.ptr<T>();
  T* o = out.ptr<T>();
  parallel_for(n, [=](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      const T* src = w + row_of(idx[i], rows) * cols;
      std::copy(src, src + cols, o + i * cols);
    }
  }, cols);
}

void embedding_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                       const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[1].dtype, T, kOp, {
    with_index_type(in[0].dtype, kOp, [&](auto i) {
      embedding_typed<T, decltype(i)>(in[0], in[1], out[0]);
    });
  })
}

// ---------------------------------------------------------------------------
// _backward_Embedding(ograd, data) -> weight gradient
// ---------------------------------------------------------------------------

void infer_embedding_backward_shape(const Params& p, std::vector<Shape>* in,
                                    std::vector<Shape>* out) {
  const int64_t rows = p.get_int("input_dim"), cols = p.get_int("output_dim");
  Shape expected = (*in)[1];
  expected.push_back(cols);
  MXL_CHECK((*in)[0] == expected, MXL_ERR_VALUE, op_error_prefix("_backward_Embedding", "ograd"),
            " has shape ", (*in)[0].str(), "; expected ", expected.str());
  (*out)[0] = Shape{rows, cols};
}

void infer_embedding_backward_type(const Params& p, std::vector<DType>* in,
                                   std::vector<DType>* out) {
  MXL_CHECK(is_float((*in)[0]), MXL_ERR_TYPE, op_error_prefix("_backward_Embedding", "ograd"),
            " has dtype ", dtype_name((*in)[0]), "; expected a float dtype");
  (*out)[0] = (*in)[0];
}

template <typename T, typename I>
void embedding_backward_typed(const TBlob& grad, const TBlob& data, const TBlob& out) {
  using A = nn::Acc<T>;
  const int64_t n = data.numel(), rows = out.shape[0], cols = out.shape[1];
  const I* idx = data.ptr<I>();
  const T* g = grad.ptr<T>();
  T* dw = out.ptr<T>();
  std::memset(static_cast<void*>(dw), 0, out.nbytes());
  constexpr int64_t kBlock = 64;  // columns per task: a cache line or more
  const int64_t blocks = (cols + kBlock - 1) / kBlock;
  parallel_for(blocks, [=](int64_t b0, int64_t b1) {
    const int64_t c0 = b0 * kBlock, c1 = std::min(cols, b1 * kBlock);
    for (int64_t i = 0; i < n; ++i) {
      T* dst = dw + row_of(idx[i], rows) * cols;
      const T* src = g + i * cols;
      for (int64_t c = c0; c < c1; ++c) dst[c] = static_cast<T>(A(dst[c]) + A(src[c]));
    }
  }, n * kBlock);
}

void embedding_backward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                        const std::vector<TBlob>& out) {
  MXL_FLOAT_SWITCH(in[0].dtype, T, "_backward_Embedding", {
    with_index_type(in[1].dtype, "_backward_Embedding", [&](auto i) {
      embedding_backward_typed<T, decltype(i)>(in[0], in[1], out[0]);
    });
  })
}

std::vector<GradValue> embedding_gradient(GradBuilder& b, const GradNode& n) {
  std::vector<GradValue> r(2);
  if (n.needs_input_grad[1])
    r[1] = b.op("_backward_Embedding", {n.out_grads[0], n.inputs[0]}, n.params->attrs());
  return r;
}

void register_embedding() {
  Registry::get()
      .add("Embedding")
      .describe(
          "Maps integer indices to vector representations: the output has shape "
          "data.shape + (output_dim,) and row i of the last axis is weight[data[i]]. "
          "Indices are clipped into [0, input_dim - 1].")
      .add_input("data", "The input array to the embedding operator.")
      .add_input("weight", "The embedding weight matrix.")
      .add_param("input_dim", "int", "", "Vocabulary size of the input indices.")
      .set_range(1, 9.2e18)
      .add_param("output_dim", "int", "", "Dimension of the embedding vectors.")
      .set_range(1, 9.2e18)
      .add_param("dtype", "enum{bfloat16,float16,float32,float64,int32,int64,int8,uint8}", "float32",
                 "Data type of weight.")
      .add_param("sparse_grad", "bool", "False",
                 "Compute row_sparse gradient in the backward calculation (accepted; the "
                 "gradient is dense).")
      .set_infer_shape(infer_embedding_shape)
      .set_infer_type(infer_embedding_type)
      .set_forward(embedding_forward)
      .set_gradient(embedding_gradient);

  Registry::get()
      .add("_backward_Embedding")
      .describe("Gradient of Embedding's weight: rows of ograd scatter-added by index.")
      .add_input("ograd", "Gradient of the output.")
      .add_input("data", "The forward's indices.")
      .copy_params_from("Embedding")
      .set_infer_shape(infer_embedding_backward_shape)
      .set_infer_type(infer_embedding_backward_type)
      .set_forward(embedding_backward);
}

MXL_REGISTER_BLOCK(register_embedding);

}  // namespace
}  // namespace mxl
