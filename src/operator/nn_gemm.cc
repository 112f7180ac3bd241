#include "operator/nn_gemm.h"

#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <dnnl.hpp>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "common/parallel.h"

namespace mxl {
namespace nn {
namespace {

// ---------------------------------------------------------------------------
// oneDNN matmul, float32
// ---------------------------------------------------------------------------

struct MatmulKey {
  int64_t M, N, K;
  bool ta, tb, bias;
  bool operator==(const MatmulKey& o) const {
    return M == o.M && N == o.N && K == o.K && ta == o.ta && tb == o.tb && bias == o.bias;
  }
};

struct MatmulKeyHash {
  size_t operator()(const MatmulKey& k) const {
    size_t h = static_cast<size_t>(k.M) * 0x9E3779B97F4A7C15ull;
    h ^= static_cast<size_t>(k.N) + 0x7F4A7C15ull + (h << 6) + (h >> 2);
    h ^= static_cast<size_t>(k.K) + 0x9E3779B9ull + (h << 6) + (h >> 2);
    return h ^ (static_cast<size_t>(k.ta) | static_cast<size_t>(k.tb) << 1 |
                static_cast<size_t>(k.bias) << 2);
  }
};

struct MatmulEntry {
  dnnl::matmul prim;
  dnnl::memory::desc a, b, c, bias;
};

dnnl::engine& cpu_engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);  // thread-safe to share
  return eng;
}

// Primitives are cached per thread (kernels run on the caller's thread or an
// engine worker), so lookups need no lock.  A training loop sees a handful of
// shapes; the cap only guards against a stream of ever-new shapes.
constexpr size_t kMaxCachedPrimitives = 256;

const MatmulEntry& matmul_for(const MatmulKey& key) {
  thread_local std::unordered_map<MatmulKey, MatmulEntry, MatmulKeyHash> cache;
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  if (cache.size() >= kMaxCachedPrimitives) cache.clear();
  using tag = dnnl::memory::format_tag;
  using dt = dnnl::memory::data_type;
  MatmulEntry e;
  e.a = dnnl::memory::desc({key.M, key.K}, dt::f32, key.ta ? tag::ba : tag::ab);
  e.b = dnnl::memory::desc({key.K, key.N}, dt::f32, key.tb ? tag::ba : tag::ab);
  e.c = dnnl::memory::desc({key.M, key.N}, dt::f32, tag::ab);
  if (key.bias) e.bias = dnnl::memory::desc({1, key.N}, dt::f32, tag::ab);
  auto pd = key.bias ? dnnl::matmul::primitive_desc(cpu_engine(), e.a, e.b, e.bias, e.c)
                     : dnnl::matmul::primitive_desc(cpu_engine(), e.a, e.b, e.c);
  e.prim = dnnl::matmul(pd);
  return cache.emplace(key, std::move(e)).first->second;
}

void dnnl_sgemm_bias(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A,
                     const float* B, float* C, const float* bias) {
  try {
    const MatmulEntry& e = matmul_for({M, N, K, ta, tb, bias != nullptr});
    thread_local dnnl::stream stream(cpu_engine());
    dnnl::engine& eng = cpu_engine();
    std::unordered_map<int, dnnl::memory> args;
    args.emplace(DNNL_ARG_SRC, dnnl::memory(e.a, eng, const_cast<float*>(A)));
    args.emplace(DNNL_ARG_WEIGHTS, dnnl::memory(e.b, eng, const_cast<float*>(B)));
    args.emplace(DNNL_ARG_DST, dnnl::memory(e.c, eng, C));
    if (bias) args.emplace(DNNL_ARG_BIAS, dnnl::memory(e.bias, eng, const_cast<float*>(bias)));
    e.prim.execute(stream, args);
    stream.wait();
  } catch (const dnnl::error& err) {
    throw_error(MXL_ERR_RUNTIME, "oneDNN matmul (", M, "x", K, " by ", K, "x", N,
                ") failed: ", err.what());
  }
}

// ---------------------------------------------------------------------------
// Bias rows and the float64 path
// ---------------------------------------------------------------------------

// Every row of C (M x N) becomes bias (or zeros).
template <typename T>
void fill_rows(int64_t M, int64_t N, T* C, const T* bias) {
  parallel_for(M, [&](int64_t lo, int64_t hi) {
    for (int64_t m = lo; m < hi; ++m) {
      if (bias) std::copy(bias, bias + N, C + m * N);
      else std::fill(C + m * N, C + (m + 1) * N, T(0));
    }
  }, N);
}

// C = op(A) op(B) [+ bias] through OpenBLAS (sgemm or dgemm by T).
template <typename T>
void blas_gemm_bias(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, const T* B,
                    T* C, const T* bias) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
  // With a bias the rows are pre-filled and BLAS accumulates onto them
  // (beta = 1), so the bias costs no separate pass over C.
  if (bias) fill_rows(M, N, C, bias);
  const CBLAS_TRANSPOSE opa = ta ? CblasTrans : CblasNoTrans, opb = tb ? CblasTrans : CblasNoTrans;
  const blasint m = static_cast<blasint>(M), n = static_cast<blasint>(N),
                k = static_cast<blasint>(K), lda = static_cast<blasint>(ta ? M : K),
                ldb = static_cast<blasint>(tb ? K : N);
  const T beta = bias ? T(1) : T(0);
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, opa, opb, m, n, k, 1.0f, A, lda, B, ldb, beta, C, n);
  else
    cblas_dgemm(CblasRowMajor, opa, opb, m, n, k, 1.0, A, lda, B, ldb, beta, C, n);
}

// Below this many multiply-adds a oneDNN matmul call costs more in argument
// set-up (memory objects, argument map, stream) than the product itself,
// while OpenBLAS's sgemm starts in well under a microsecond: a batch-1
// 32x32 layer took 3-4 us through oneDNN and under 1 us through OpenBLAS.
constexpr int64_t kSmallGemm = 64 * 64 * 64;

std::vector<float> widen(const half_t* src, int64_t n) {
  std::vector<float> out(n);
  parallel_for(n, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) out[i] = static_cast<float>(src[i]);
  }, 2);
  return out;
}

}  // namespace

void gemm(DType dtype, bool ta, bool tb, int64_t M, int64_t N, int64_t K, const void* A,
          const void* B, void* C, const void* bias) {
  if (M == 0 || N == 0) return;
  switch (dtype) {
    case DType::kFloat32:
      if (K == 0) fill_rows(M, N, static_cast<float*>(C), static_cast<const float*>(bias));
      else if (M * N * K < kSmallGemm)
        blas_gemm_bias(ta, tb, M, N, K, static_cast<const float*>(A),
                       static_cast<const float*>(B), static_cast<float*>(C),
                       static_cast<const float*>(bias));
      else dnnl_sgemm_bias(ta, tb, M, N, K, static_cast<const float*>(A),
                           static_cast<const float*>(B), static_cast<float*>(C),
                           static_cast<const float*>(bias));
      return;
    case DType::kFloat64:
      if (K == 0) fill_rows(M, N, static_cast<double*>(C), static_cast<const double*>(bias));
      else blas_gemm_bias(ta, tb, M, N, K, static_cast<const double*>(A),
                           static_cast<const double*>(B), static_cast<double*>(C),
                           static_cast<const double*>(bias));
      return;
    case DType::kFloat16: {
      const auto* a = static_cast<const half_t*>(A);
      const auto* b = static_cast<const half_t*>(B);
      std::vector<float> wa = widen(a, M * K), wb = widen(b, K * N), wc(M * N), wbias;
      if (bias) wbias = widen(static_cast<const half_t*>(bias), N);
      gemm(DType::kFloat32, ta, tb, M, N, K, wa.data(), wb.data(), wc.data(),
           bias ? wbias.data() : nullptr);
      auto* c = static_cast<half_t*>(C);
      parallel_for(M * N, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) c[i] = half_t(wc[i]);
      }, 2);
      return;
    }
    default:
      throw_error(MXL_ERR_TYPE, "internal: nn::gemm called with dtype ", dtype_name(dtype));
  }
}

namespace {

// Column sums in blocks of columns, one block per task: within a block the
// rows are walked in order, so the inner loop runs over contiguous columns
// and vectorizes.
template <typename T, typename Acc>
void column_sums_impl(int64_t M, int64_t N, const T* X, T* out) {
  constexpr int64_t kBlock = 256;
  const int64_t blocks = (N + kBlock - 1) / kBlock;
  parallel_for(blocks, [&](int64_t lo, int64_t hi) {
    Acc acc[kBlock];
    for (int64_t blk = lo; blk < hi; ++blk) {
      const int64_t n0 = blk * kBlock, n1 = std::min(N, n0 + kBlock), w = n1 - n0;
      std::fill(acc, acc + w, Acc(0));
      for (int64_t m = 0; m < M; ++m) {
        const T* row = X + m * N + n0;
        for (int64_t j = 0; j < w; ++j) acc[j] += static_cast<Acc>(row[j]);
      }
      for (int64_t j = 0; j < w; ++j) out[n0 + j] = static_cast<T>(acc[j]);
    }
  }, M * kBlock);
}

}  // namespace

void column_sums(DType dtype, int64_t M, int64_t N, const void* X, void* out) {
  switch (dtype) {
    case DType::kFloat32:
      column_sums_impl<float, float>(M, N, static_cast<const float*>(X), static_cast<float*>(out));
      return;
    case DType::kFloat64:
      column_sums_impl<double, double>(M, N, static_cast<const double*>(X),
                                       static_cast<double*>(out));
      return;
    case DType::kFloat16:
      column_sums_impl<half_t, float>(M, N, static_cast<const half_t*>(X),
                                      static_cast<half_t*>(out));
      return;
    default:
      throw_error(MXL_ERR_TYPE, "internal: nn::column_sums called with dtype ", dtype_name(dtype));
  }
}

}  // namespace nn
}  // namespace mxl
