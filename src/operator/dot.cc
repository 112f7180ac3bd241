// dot and batch_dot: matrix products.
//
// dot follows MXNet 1.x: an N-d lhs is seen as a matrix (all axes but the
// last, last axis) and an N-d rhs as (first axis, all the others); the
// product contracts the lhs's last axis with the rhs's first.  transpose_a
// instead sees lhs as (first axis, the others) and transposes it;
// transpose_b sees rhs as (all but the last, last axis) and transposes it.
// 1-d . 1-d is the inner product, shaped (1,).
//
// float32/float64 call OpenBLAS directly on the operands' buffers (gemm,
// gemv for matrix-vector shapes, dot for vectors), so large products run at
// BLAS speed.  float16 is widened to float32, multiplied by sgemm (so it
// accumulates in float) and rounded back.  Integer dtypes use a plain loop
// accumulating in 64-bit modular arithmetic, wrapping like NumPy's.
#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "common/parallel.h"
#include "operator/registry.h"
#include "operator/shape_helpers.h"

namespace mxl {
namespace {

// C (M x N, row-major) = op(A) * op(B); A is stored (M x K), or (K x M) when
// ta; B is stored (K x N), or (N x K) when tb.
struct GemmShape {
  int64_t M = 0, N = 0, K = 0;
  bool ta = false, tb = false;
};

// ---------------------------------------------------------------------------
// Kernels
// ---------------------------------------------------------------------------

template <typename T>
void blas_gemm(const GemmShape& g, const T* A, const T* B, T* C) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
  const blasint M = static_cast<blasint>(g.M), N = static_cast<blasint>(g.N),
                K = static_cast<blasint>(g.K);
  const blasint lda = g.ta ? M : K, ldb = g.tb ? K : N;
  const CBLAS_TRANSPOSE opa = g.ta ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE opb = g.tb ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, float>) {
    if (M == 1 && N == 1) {
      C[0] = cblas_sdot(K, A, 1, B, 1);
    } else if (M == 1) {  // row vector times matrix: y = op(B)^T a
      cblas_sgemv(CblasRowMajor, g.tb ? CblasNoTrans : CblasTrans, g.tb ? N : K, g.tb ? K : N,
                  1.0f, B, ldb, A, 1, 0.0f, C, 1);
    } else if (N == 1) {  // matrix times column vector: y = op(A) b
      cblas_sgemv(CblasRowMajor, opa, g.ta ? K : M, g.ta ? M : K, 1.0f, A, lda, B, 1, 0.0f, C, 1);
    } else {
      cblas_sgemm(CblasRowMajor, opa, opb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, N);
    }
  } else {
    if (M == 1 && N == 1) {
      C[0] = cblas_ddot(K, A, 1, B, 1);
    } else if (M == 1) {
      cblas_dgemv(CblasRowMajor, g.tb ? CblasNoTrans : CblasTrans, g.tb ? N : K, g.tb ? K : N,
                  1.0, B, ldb, A, 1, 0.0, C, 1);
    } else if (N == 1) {
      cblas_dgemv(CblasRowMajor, opa, g.ta ? K : M, g.ta ? M : K, 1.0, A, lda, B, 1, 0.0, C, 1);
    } else {
      cblas_dgemm(CblasRowMajor, opa, opb, M, N, K, 1.0, A, lda, B, ldb, 0.0, C, N);
    }
  }
}

// The plain product for small matrices and non-BLAS dtypes, rows
// [m0, m1) of C: for each output row, accumulate K scaled rows of op(B)
// (i-k-j order; the inner loop is contiguous unless tb).  Acc is float for
// float16 and uint64 for integers (modular arithmetic, no signed overflow).
template <typename T>
using LoopAcc = std::conditional_t<std::is_integral_v<T>, uint64_t, typename AccType<T>::type>;

template <typename T>
void loop_gemm(const GemmShape& g, const T* A, const T* B, T* C, int64_t m0, int64_t m1) {
  using Acc = LoopAcc<T>;
  const int64_t M = g.M, N = g.N, K = g.K;
  auto widen = [](T v) -> Acc {
    if constexpr (std::is_integral_v<Acc>) return static_cast<Acc>(static_cast<int64_t>(v));
    else return static_cast<Acc>(v);
  };
  constexpr int64_t kStackRow = 256;  // tiny products must not touch the heap
  Acc stack_row[kStackRow];
  std::vector<Acc> heap_row(N > kStackRow ? N : 0);
  Acc* acc = N > kStackRow ? heap_row.data() : stack_row;
  for (int64_t m = m0; m < m1; ++m) {
    std::fill(acc, acc + N, Acc(0));
    for (int64_t k = 0; k < K; ++k) {
      const Acc a = widen(g.ta ? A[k * M + m] : A[m * K + k]);
      if (g.tb) {
        for (int64_t n = 0; n < N; ++n) acc[n] += a * widen(B[n * K + k]);
      } else {
        const T* b = B + k * N;
        for (int64_t n = 0; n < N; ++n) acc[n] += a * widen(b[n]);
      }
    }
    T* c = C + m * N;
    for (int64_t n = 0; n < N; ++n) {
      if constexpr (std::is_same_v<T, half_t>) c[n] = half_t(static_cast<float>(acc[n]));
      else c[n] = static_cast<T>(acc[n]);
    }
  }
}

// Products of at most this many multiply-adds skip BLAS: its call overhead
// dominates, and the loop kernel can run many of them in parallel.
constexpr int64_t kTinyGemm = 8 * 8 * 8;

// Whether BLAS can take the product: its integer type is 32-bit here, so
// larger extents go to the loop kernel instead.
bool blas_can_take(const GemmShape& g) {
  constexpr int64_t kMax = std::numeric_limits<blasint>::max();
  return g.M * g.N * g.K > kTinyGemm && g.M <= kMax && g.N <= kMax && g.K <= kMax;
}

// `batch` products C[i] = op(A[i]) op(B[i]) of equally shaped matrices
// stored back to back (dot is batch = 1).
//
// BLAS is only ever called from this thread, one product after another,
// letting it thread each product internally: OpenBLAS serializes concurrent
// callers on an internal lock, which made batch_dot of 256 32x32 matrices
// 50x slower when the batch was split over OpenMP threads.
template <typename T>
void batched_gemm(const GemmShape& g, int64_t batch, const T* A, const T* B, T* C) {
  const int64_t a_size = g.M * g.K, b_size = g.K * g.N, c_size = g.M * g.N;
  if (batch == 0 || c_size == 0) return;
  if (g.K == 0) {  // empty contraction: all zeros
    std::fill(C, C + batch * c_size, T(0));
    return;
  }
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    if (blas_can_take(g)) {
      for (int64_t i = 0; i < batch; ++i) blas_gemm(g, A + i * a_size, B + i * b_size, C + i * c_size);
      return;
    }
  } else if constexpr (std::is_same_v<T, half_t>) {
    if (blas_can_take(g)) {  // widen everything once, multiply in float, round back
      std::vector<float> a(batch * a_size), b(batch * b_size), c(batch * c_size);
      auto widen = [](const half_t* src, float* dst, int64_t n) {
        parallel_for(n, [&](int64_t lo, int64_t hi) {
          for (int64_t i = lo; i < hi; ++i) dst[i] = static_cast<float>(src[i]);
        }, 4);
      };
      widen(A, a.data(), batch * a_size);
      widen(B, b.data(), batch * b_size);
      batched_gemm<float>(g, batch, a.data(), b.data(), c.data());
      parallel_for(batch * c_size, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) C[i] = half_t(c[i]);
      }, 4);
      return;
    }
  }
  // Loop kernel, parallel over every output row of every product.
  parallel_for(
      batch * g.M,
      [&](int64_t lo, int64_t hi) {
        while (lo < hi) {
          const int64_t i = lo / g.M, m0 = lo % g.M, m1 = std::min(g.M, m0 + (hi - lo));
          loop_gemm<T>(g, A + i * a_size, B + i * b_size, C + i * c_size, m0, m1);
          lo += m1 - m0;
        }
      },
      g.N * g.K);
}

// ---------------------------------------------------------------------------
// dot
// ---------------------------------------------------------------------------

struct DotPlan {
  GemmShape g;
  Shape out;
};

DotPlan plan_dot(const Shape& l, const Shape& r, bool ta, bool tb) {
  MXL_CHECK(l.ndim() >= 1, MXL_ERR_VALUE,
            "Operator dot: argument 'lhs' is 0-d; expected an array with at least one dimension");
  MXL_CHECK(r.ndim() >= 1, MXL_ERR_VALUE,
            "Operator dot: argument 'rhs' is 0-d; expected an array with at least one dimension");
  DotPlan p;
  p.g.ta = ta;
  p.g.tb = tb;
  if (l.ndim() == 1 && r.ndim() == 1) {
    MXL_CHECK(!ta && !tb, MXL_ERR_VALUE,
              "Operator dot: transpose_a/transpose_b cannot be used when both 'lhs' and 'rhs' "
              "are 1-d vectors");
    MXL_CHECK(l[0] == r[0], MXL_ERR_VALUE, "Operator dot: inputs 'lhs' of shape ", l.str(),
              " and 'rhs' of shape ", r.str(), " have different lengths; expected equal lengths");
    p.g.M = p.g.N = 1;
    p.g.K = l[0];
    p.out = Shape{1};
    return p;
  }
  // lhs as (kept, contracted) and rhs as (contracted, kept).
  int64_t l_contract, r_contract;
  if (ta) {
    l_contract = l[0];
    p.g.M = l.prod(1, l.ndim());
    for (int d = 1; d < l.ndim(); ++d) p.out.push_back(l[d]);
  } else {
    l_contract = l.back();
    p.g.M = l.prod(0, l.ndim() - 1);
    for (int d = 0; d < l.ndim() - 1; ++d) p.out.push_back(l[d]);
  }
  if (tb) {
    r_contract = r.back();
    p.g.N = r.prod(0, r.ndim() - 1);
    for (int d = 0; d < r.ndim() - 1; ++d) p.out.push_back(r[d]);
  } else {
    r_contract = r[0];
    p.g.N = r.prod(1, r.ndim());
    for (int d = 1; d < r.ndim(); ++d) p.out.push_back(r[d]);
  }
  MXL_CHECK(l_contract == r_contract, MXL_ERR_VALUE, "Operator dot: inputs 'lhs' of shape ",
            l.str(), " and 'rhs' of shape ", r.str(), " are not aligned (transpose_a=",
            ta ? "True" : "False", ", transpose_b=", tb ? "True" : "False", "): lhs contracts ",
            l_contract, " elements along its ", ta ? "first" : "last", " axis but rhs ",
            r_contract, " along its ", tb ? "last" : "first", " axis");
  p.g.K = l_contract;
  return p;
}

void infer_dot_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  if (!(*in)[0].known() || !(*in)[1].known()) return;
  (*out)[0] = plan_dot((*in)[0], (*in)[1], p.get_bool("transpose_a"), p.get_bool("transpose_b")).out;
}

void infer_product_type(const Params& p, std::vector<DType>* in, std::vector<DType>* out) {
  infer_type_same(p.op()->name, in, out);
  MXL_CHECK((*in)[0] != DType::kBool, MXL_ERR_TYPE, "Operator ", p.op()->name,
            ": inputs 'lhs' and 'rhs' have dtype bool, which this operator does not support; "
            "expected a numeric dtype");
}

void dot_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                 const std::vector<TBlob>& out) {
  const DotPlan plan =
      plan_dot(in[0].shape, in[1].shape, p.get_bool("transpose_a"), p.get_bool("transpose_b"));
  MXL_TYPE_SWITCH(in[0].dtype, T, {
    if constexpr (std::is_same_v<T, bool>) {
      throw_error(MXL_ERR_TYPE, "Operator dot: bool inputs are not supported");
    } else {
      batched_gemm<T>(plan.g, 1, in[0].ptr<T>(), in[1].ptr<T>(), out[0].ptr<T>());
    }
  })
}

// ---------------------------------------------------------------------------
// batch_dot
// ---------------------------------------------------------------------------

struct BatchPlan {
  GemmShape g;
  int64_t batch = 1;
  Shape out;
};

BatchPlan plan_batch_dot(const Shape& l, const Shape& r, bool ta, bool tb) {
  const int nd = l.ndim();
  MXL_CHECK(nd >= 3 && r.ndim() == nd, MXL_ERR_VALUE,
            "Operator batch_dot: inputs 'lhs' of shape ", l.str(), " and 'rhs' of shape ",
            r.str(), " are not supported; expected two arrays with the same number (>= 3) "
            "of dimensions");
  BatchPlan p;
  for (int d = 0; d < nd - 2; ++d) {
    MXL_CHECK(l[d] == r[d], MXL_ERR_VALUE, "Operator batch_dot: inputs 'lhs' of shape ", l.str(),
              " and 'rhs' of shape ", r.str(),
              " have different batch dimensions; expected equal leading dimensions");
    p.out.push_back(l[d]);
    p.batch *= l[d];
  }
  const int64_t lk = ta ? l[nd - 2] : l[nd - 1], rk = tb ? r[nd - 1] : r[nd - 2];
  p.g.M = ta ? l[nd - 1] : l[nd - 2];
  p.g.N = tb ? r[nd - 2] : r[nd - 1];
  p.g.K = lk;
  p.g.ta = ta;
  p.g.tb = tb;
  MXL_CHECK(lk == rk, MXL_ERR_VALUE, "Operator batch_dot: inputs 'lhs' of shape ", l.str(),
            " and 'rhs' of shape ", r.str(), " are not aligned (transpose_a=",
            ta ? "True" : "False", ", transpose_b=", tb ? "True" : "False",
            "): lhs contracts ", lk, " elements but rhs ", rk);
  p.out.push_back(p.g.M);
  p.out.push_back(p.g.N);
  return p;
}

void infer_batch_dot_shape(const Params& p, std::vector<Shape>* in, std::vector<Shape>* out) {
  if (!(*in)[0].known() || !(*in)[1].known()) return;
  (*out)[0] =
      plan_batch_dot((*in)[0], (*in)[1], p.get_bool("transpose_a"), p.get_bool("transpose_b")).out;
}

void batch_dot_forward(const OpContext&, const Params& p, const std::vector<TBlob>& in,
                       const std::vector<TBlob>& out) {
  const BatchPlan plan = plan_batch_dot(in[0].shape, in[1].shape, p.get_bool("transpose_a"),
                                        p.get_bool("transpose_b"));
  MXL_TYPE_SWITCH(in[0].dtype, T, {
    if constexpr (std::is_same_v<T, bool>) {
      throw_error(MXL_ERR_TYPE, "Operator batch_dot: bool inputs are not supported");
    } else {
      batched_gemm<T>(plan.g, plan.batch, in[0].ptr<T>(), in[1].ptr<T>(), out[0].ptr<T>());
    }
  })
}

// ---------------------------------------------------------------------------
// Gradients
// ---------------------------------------------------------------------------
//
// For C = op_a(A) op_b(B) (A, B, C as matrices; op_x transposes when t_x):
//   dA = dC op_b(B)^T           (A stored M x K)
//      = op_b(B) dC^T           (A stored K x M, ta)
//   dB = op_a(A)^T dC           (B stored K x N)
//      = dC^T op_a(A)           (B stored N x K, tb)
// Each is one product of the same op with transpose flags, so no transposed
// copy is ever made, and the gradient is itself differentiable.

using shape_ops::bool_attr;

struct ProductGrads {
  GradValue a, b;
};

ProductGrads product_grads(GradBuilder& b, const char* op, GradValue A, GradValue B, GradValue dC,
                           bool ta, bool tb, bool need_a, bool need_b) {
  auto product = [&](GradValue x, GradValue y, bool tx, bool ty) {
    return b.op(op, {x, y}, {{"transpose_a", bool_attr(tx)}, {"transpose_b", bool_attr(ty)}});
  };
  ProductGrads g;
  if (need_a) g.a = ta ? product(B, dC, tb, true) : product(dC, B, false, !tb);
  if (need_b) g.b = tb ? product(dC, A, true, ta) : product(A, dC, !ta, false);
  return g;
}

// dot sees N-d operands as matrices; the gradient multiplies those matrices
// (Reshape is skipped where an operand already has its matrix shape) and
// reshapes the results back.
std::vector<GradValue> dot_gradient(GradBuilder& b, const GradNode& n) {
  const bool ta = n.params->get_bool("transpose_a"), tb = n.params->get_bool("transpose_b");
  const GradValue A = n.inputs[0], B = n.inputs[1];
  const DotPlan plan = plan_dot(b.shape(A), b.shape(B), ta, tb);
  const GemmShape& g = plan.g;
  if (g.M * g.N * g.K == 0) {  // an empty operand: both gradients are zeros
    std::vector<GradValue> out(2);
    for (int i = 0; i < 2; ++i)
      if (n.needs_input_grad[i]) out[i] = b.op("zeros_like", {n.inputs[i]});
    return out;
  }
  const Shape a_mat = ta ? Shape{g.K, g.M} : Shape{g.M, g.K};
  const Shape b_mat = tb ? Shape{g.N, g.K} : Shape{g.K, g.N};
  const GradValue Am = shape_ops::reshape_to(b, A, a_mat);
  const GradValue Bm = shape_ops::reshape_to(b, B, b_mat);
  const GradValue dC = shape_ops::reshape_to(b, n.out_grads[0], Shape{g.M, g.N});
  const ProductGrads pg =
      product_grads(b, "dot", Am, Bm, dC, ta, tb, n.needs_input_grad[0], n.needs_input_grad[1]);
  return {pg.a.defined() ? shape_ops::reshape_like(b, pg.a, A) : pg.a,
          pg.b.defined() ? shape_ops::reshape_like(b, pg.b, B) : pg.b};
}

// batch_dot multiplies the last two axes of each operand, batched over the
// others, which is exactly the form the products above need.
std::vector<GradValue> batch_dot_gradient(GradBuilder& b, const GradNode& n) {
  const ProductGrads pg = product_grads(
      b, "batch_dot", n.inputs[0], n.inputs[1], n.out_grads[0],
      n.params->get_bool("transpose_a"), n.params->get_bool("transpose_b"),
      n.needs_input_grad[0], n.needs_input_grad[1]);
  return {pg.a, pg.b};
}

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------

OpDef& add_product_params(OpDef& op) {
  return op.add_input("lhs", "The first input.")
      .add_input("rhs", "The second input.")
      .add_param("transpose_a", "bool", "False",
                 "If True, the first input is transposed before the product.")
      .add_param("transpose_b", "bool", "False",
                 "If True, the second input is transposed before the product.")
      .add_param("forward_stype", "optional<str>", "None",
                 "The desired storage type of the forward output (accepted for compatibility; "
                 "mxlite arrays are always dense).")
      .set_infer_type(infer_product_type);
}

void register_product_ops() {
  add_product_params(
      Registry::get().add("dot").describe(
          "Dot product of two arrays. 1-d . 1-d is the inner product (shape (1,)); 2-d . 2-d "
          "is the matrix product; for N-d inputs the last axis of lhs is contracted with the "
          "first axis of rhs, so dot(x, y)[i, j, k] = sum(x[i, j, :] * y[:, k]). transpose_a "
          "transposes lhs seen as (first axis, other axes); transpose_b transposes rhs seen as "
          "(all but the last axis, last axis)."))
      .set_infer_shape(infer_dot_shape)
      .set_forward(dot_forward)
      .set_gradient(dot_gradient);
  add_product_params(
      Registry::get().add("batch_dot").describe(
          "Batchwise matrix product: for lhs of shape (..., M, K) and rhs of shape (..., K, N) "
          "the result has shape (..., M, N), one product per leading index. transpose_a and "
          "transpose_b transpose the last two axes of the corresponding input first."))
      .set_infer_shape(infer_batch_dot_shape)
      .set_forward(batch_dot_forward)
      .set_gradient(batch_dot_gradient);
}

MXL_REGISTER_BLOCK(register_product_ops);

}  // namespace
}  // namespace mxl
