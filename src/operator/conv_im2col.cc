#include "operator/conv_im2col.h"

#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "common/parallel.h"
#include "storage/storage.h"

namespace mxl {
namespace {

// Row-major C (M x N) = alpha * op(A) . op(B) + beta * C.
template <typename T>
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda,
          const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
  const auto opa = ta ? CblasTrans : CblasNoTrans, opb = tb ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, opa, opb, M, N, K, 1.0f, A, lda, B, ldb, beta, C, ldc);
  else
    cblas_dgemm(CblasRowMajor, opa, opb, M, N, K, 1.0, A, lda, B, ldb, beta, C, ldc);
}

// A pooled scratch buffer of n elements of T.
template <typename T>
class Scratch {
 public:
  explicit Scratch(int64_t n) : b_(storage::alloc(std::max<int64_t>(n, 1) * sizeof(T))) {}
  ~Scratch() { storage::release(b_); }
  T* get() const { return static_cast<T*>(b_.ptr); }

 private:
  storage::Block b_;
};

// Decoded row of the column matrix: channel and kernel offsets.
struct ColRow {
  int64_t c, kd, kh, kw;
};
inline ColRow decode_row(const ConvGeom& g, int64_t row) {
  ColRow r;
  r.kw = row % g.k[2];
  int64_t t = row / g.k[2];
  r.kh = t % g.k[1];
  t /= g.k[1];
  r.kd = t % g.k[0];
  r.c = t / g.k[0];
  return r;
}

// col (C*K x OS) from one image x (C x in...).
template <typename T>
void im2col(const ConvGeom& g, const T* x, T* col) {
  const int64_t rows = g.C * g.k_size(), OS = g.out_size();
  parallel_for(rows, [&](int64_t r0, int64_t r1) {
    for (int64_t row = r0; row < r1; ++row) {
      const ColRow r = decode_row(g, row);
      const T* xc = x + r.c * g.in_size();
      T* dst = col + row * OS;
      for (int64_t od = 0; od < g.out[0]; ++od) {
        const int64_t id = od * g.s[0] - g.p[0] + r.kd * g.d[0];
        for (int64_t oh = 0; oh < g.out[1]; ++oh) {
          const int64_t ih = oh * g.s[1] - g.p[1] + r.kh * g.d[1];
          T* out = dst + (od * g.out[1] + oh) * g.out[2];
          if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) {
            std::fill(out, out + g.out[2], T(0));
            continue;
          }
          const T* xrow = xc + (id * g.in[1] + ih) * g.in[2];
          for (int64_t ow = 0; ow < g.out[2]; ++ow) {
            const int64_t iw = ow * g.s[2] - g.p[2] + r.kw * g.d[2];
            out[ow] = (iw >= 0 && iw < g.in[2]) ? xrow[iw] : T(0);
          }
        }
      }
    }
  }, OS);
}

// dx (C x in...) = sum of col entries back at their input positions.
// Parallel over channels: the rows of one channel only touch that channel.
template <typename T>
void col2im(const ConvGeom& g, const T* col, T* dx) {
  const int64_t K = g.k_size(), OS = g.out_size();
  std::memset(dx, 0, sizeof(T) * g.C * g.in_size());
  parallel_for(g.C, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      T* xc = dx + c * g.in_size();
      for (int64_t kk = 0; kk < K; ++kk) {
        const ColRow r = decode_row(g, c * K + kk);
        const T* src = col + (c * K + kk) * OS;
        for (int64_t od = 0; od < g.out[0]; ++od) {
          const int64_t id = od * g.s[0] - g.p[0] + r.kd * g.d[0];
          if (id < 0 || id >= g.in[0]) continue;
          for (int64_t oh = 0; oh < g.out[1]; ++oh) {
            const int64_t ih = oh * g.s[1] - g.p[1] + r.kh * g.d[1];
            if (ih < 0 || ih >= g.in[1]) continue;
            const T* in = src + (od * g.out[1] + oh) * g.out[2];
            T* xrow = xc + (id * g.in[1] + ih) * g.in[2];
            for (int64_t ow = 0; ow < g.out[2]; ++ow) {
              const int64_t iw = ow * g.s[2] - g.p[2] + r.kw * g.d[2];
              if (iw >= 0 && iw < g.in[2]) xrow[iw] += in[ow];
            }
          }
        }
      }
    }
  }, K * OS);
}

}  // namespace

template <typename T>
void im2col_conv_forward(const ConvGeom& g, const T* x, const T* w, const T* b, T* y) {
  const int64_t OS = g.out_size(), Cg = g.C / g.G, OCg = g.OC / g.G, CK = Cg * g.k_size();
  Scratch<T> col(g.C * g.k_size() * OS);
  for (int64_t n = 0; n < g.N; ++n) {
    im2col(g, x + n * g.C * g.in_size(), col.get());
    T* yn = y + n * g.OC * OS;
    for (int64_t grp = 0; grp < g.G; ++grp)
      gemm<T>(false, false, OCg, OS, CK, w + grp * OCg * CK, CK, col.get() + grp * CK * OS, OS,
              T(0), yn + grp * OCg * OS, OS);
    if (b) {
      parallel_for(g.OC, [&](int64_t c0, int64_t c1) {
        for (int64_t c = c0; c < c1; ++c)
          for (int64_t i = 0; i < OS; ++i) yn[c * OS + i] += b[c];
      }, OS);
    }
  }
}

template <typename T>
void im2col_conv_backward_data(const ConvGeom& g, const T* dy, const T* w, T* dx) {
  const int64_t OS = g.out_size(), Cg = g.C / g.G, OCg = g.OC / g.G, CK = Cg * g.k_size();
  Scratch<T> col(g.C * g.k_size() * OS);
  for (int64_t n = 0; n < g.N; ++n) {
    const T* dyn = dy + n * g.OC * OS;
    for (int64_t grp = 0; grp < g.G; ++grp)
      gemm<T>(true, false, CK, OS, OCg, w + grp * OCg * CK, CK, dyn + grp * OCg * OS, OS, T(0),
              col.get() + grp * CK * OS, OS);
    col2im(g, col.get(), dx + n * g.C * g.in_size());
  }
}

template <typename T>
void im2col_conv_backward_weights(const ConvGeom& g, const T* x, const T* dy, T* dw, T* db) {
  const int64_t OS = g.out_size(), Cg = g.C / g.G, OCg = g.OC / g.G, CK = Cg * g.k_size();
  if (g.N == 0) std::fill(dw, dw + g.w_numel(), T(0));
  Scratch<T> col(g.C * g.k_size() * OS);
  for (int64_t n = 0; n < g.N; ++n) {
    im2col(g, x + n * g.C * g.in_size(), col.get());
    const T* dyn = dy + n * g.OC * OS;
    for (int64_t grp = 0; grp < g.G; ++grp)
      gemm<T>(false, true, OCg, CK, OS, dyn + grp * OCg * OS, OS, col.get() + grp * CK * OS, OS,
              n == 0 ? T(0) : T(1), dw + grp * OCg * CK, CK);
  }
  if (db) {
    parallel_for(g.OC, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) {
        T acc = 0;
        for (int64_t n = 0; n < g.N; ++n) {
          const T* p = dy + (n * g.OC + c) * OS;
          for (int64_t i = 0; i < OS; ++i) acc += p[i];
        }
        db[c] = acc;
      }
    }, g.N * OS);
  }
}

template void im2col_conv_forward<float>(const ConvGeom&, const float*, const float*,
                                         const float*, float*);
template void im2col_conv_forward<double>(const ConvGeom&, const double*, const double*,
                                          const double*, double*);
template void im2col_conv_backward_data<float>(const ConvGeom&, const float*, const float*,
                                               float*);
template void im2col_conv_backward_data<double>(const ConvGeom&, const double*, const double*,
                                                double*);
template void im2col_conv_backward_weights<float>(const ConvGeom&, const float*, const float*,
                                                  float*, float*);
template void im2col_conv_backward_weights<double>(const ConvGeom&, const double*,
                                                   const double*, double*, double*);

}  // namespace mxl
