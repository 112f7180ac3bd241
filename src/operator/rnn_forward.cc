// The fused RNN's forward pass (see rnn_kernels.h for the scheme).
#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <type_traits>

#include "common/parallel.h"
#include "operator/random_generator.h"
#include "operator/rnn_cells.h"
#include "operator/rnn_kernels.h"

namespace mxl {
namespace rnn {

namespace {

template <typename T>
void gemm_impl(bool ta, bool tb, int64_t M, int64_t N, int64_t K, T alpha, const T* A,
               int64_t lda, const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {  // BLAS may reject K = 0; the product is empty
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) C[m * ldc + n] = beta == T(0) ? T(0) : beta * C[m * ldc + n];
    return;
  }
  const CBLAS_TRANSPOSE oa = ta ? CblasTrans : CblasNoTrans, ob = tb ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, float>) {
    cblas_sgemm(CblasRowMajor, oa, ob, static_cast<blasint>(M), static_cast<blasint>(N),
                static_cast<blasint>(K), alpha, A, static_cast<blasint>(lda), B,
                static_cast<blasint>(ldb), beta, C, static_cast<blasint>(ldc));
  } else {
    cblas_dgemm(CblasRowMajor, oa, ob, static_cast<blasint>(M), static_cast<blasint>(N),
                static_cast<blasint>(K), alpha, A, static_cast<blasint>(lda), B,
                static_cast<blasint>(ldb), beta, C, static_cast<blasint>(ldc));
  }
}

// Dropout masks between layers: 1/(1-p) with probability 1-p, else 0, drawn
// from the op's stream (draw index = position in the concatenated masks, so
// results do not depend on threading).  Outside training the mask is all
// ones, which keeps a backward pass of a predict-mode recording exact.
template <typename T>
void fill_mask(const Config& c, int64_t l, bool train, uint64_t key, T* mask) {
  const int64_t n = c.layer_out_size();
  const T scale = static_cast<T>(1.0 / (1.0 - c.p));
  const uint64_t base = static_cast<uint64_t>(l) * static_cast<uint64_t>(n);
  parallel_for(n, [&](int64_t lo, int64_t hi) {
    if (!train) {
      std::fill(mask + lo, mask + hi, T(1));
      return;
    }
    for (int64_t i = lo; i < hi; ++i) {
      const double u = random::unit_double(random::stream_draw(key, base + i));
      mask[i] = u >= c.p ? scale : T(0);
    }
  }, 8);
}

// The hidden state before each row's first step is hx; afterwards the
// previous step's output.  Without sequence lengths all rows agree, so the
// matrix is a strided view; otherwise it is gathered (rows not active at t
// get zeros, which the cell update ignores).
template <typename T>
const T* prev_hidden(const Config& c, const int64_t* lens, int64_t d, int64_t s, int64_t t,
                     const T* yl, const T* hx, T* gather, int64_t* ld) {
  const int64_t N = c.N, H = c.H, DH = c.D * c.H;
  const int64_t tprev = d == 0 ? t - 1 : t + 1;
  if (!lens) {
    if (s == 0) {
      *ld = H;
      return hx;
    }
    *ld = DH;
    return yl + tprev * N * DH + d * H;
  }
  for (int64_t b = 0; b < N; ++b) {
    T* row = gather + b * H;
    if (!active(lens, c.T, t, b)) std::fill(row, row + H, T(0));
    else if (first_step(lens, c.T, d, t, b)) std::copy(hx + b * H, hx + (b + 1) * H, row);
    else std::copy(yl + (tprev * N + b) * DH + d * H, yl + (tprev * N + b) * DH + (d + 1) * H, row);
  }
  *ld = H;
  return gather;
}

}  // namespace

void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  gemm_impl<float>(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
          int64_t lda, const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
  gemm_impl<double>(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

template <typename T>
void forward(const Config& c, const ForwardArgs<T>& a) {
  const int64_t TT = c.T, N = c.N, H = c.H, D = c.D, L = c.L, GH = c.gh(), DH = D * H;
  const int64_t gc = c.gate_cols();
  const int64_t* lens = a.lens;
  const bool relu = c.mode == Mode::kRnnRelu;
  const Clip clip{c.clip, c.clip_lo, c.clip_hi, c.clip_nan};

  std::unique_ptr<T[]> bias(new T[GH]);
  std::unique_ptr<T[]> gather(lens ? new T[N * H] : nullptr);
  std::unique_ptr<T[]> hh(c.gru() ? new T[N * GH] : nullptr);
  std::unique_ptr<T[]> dropped(L > 1 && c.p > 0 ? new T[c.layer_out_size()] : nullptr);

  const T* xin = a.x;
  int64_t in = c.I;
  for (int64_t l = 0; l < L; ++l) {
    T* yl = l == L - 1 ? a.y : a.reserve + c.y_offset(l);
    for (int64_t d = 0; d < D; ++d) {
      const T* Wi = a.w + c.w_i2h_offset(l, d);
      const T* Wh = a.w + c.w_h2h_offset(l, d);
      const T* bi = a.w + c.b_i2h_offset(l, d);
      const T* bh = a.w + c.b_h2h_offset(l, d);
      T* gates = a.reserve + c.gates_offset(l, d);
      T* cell = a.reserve + c.cell_offset(l, d);
      const T* hx = a.hx + (l * D + d) * N * H;
      const T* cx = c.lstm() ? a.cx + (l * D + d) * N * H : nullptr;
      for (int64_t k = 0; k < GH; ++k) bias[k] = bi[k] + bh[k];

      // Input projections of every step at once.
      if (gc == 0) gemm(false, true, TT * N, H, in, T(1), xin, in, Wi, in, T(0), yl + d * H, DH);
      else gemm(false, true, TT * N, GH, in, T(1), xin, in, Wi, in, T(0), gates, gc);

      for (int64_t s = 0; s < TT; ++s) {
        const int64_t t = step_time(TT, d, s), tprev = d == 0 ? t - 1 : t + 1;
        int64_t ldh = H;
        const T* hp = prev_hidden<T>(c, lens, d, s, t, yl, hx, gather.get(), &ldh);
        T* gates_t = gates + t * N * gc;
        T* y_t = yl + t * N * DH + d * H;
        if (c.lstm()) gemm(false, true, N, GH, H, T(1), hp, ldh, Wh, H, T(1), gates_t, gc);
        else if (c.gru()) gemm(false, true, N, GH, H, T(1), hp, ldh, Wh, H, T(0), hh.get(), GH);
        else gemm(false, true, N, H, H, T(1), hp, ldh, Wh, H, T(1), y_t, DH);

        for (int64_t b = 0; b < N; ++b) {
          T* yrow = y_t + b * DH;
          if (!active(lens, TT, t, b)) {
            std::fill(yrow, yrow + H, T(0));
            continue;
          }
          const bool first = first_step(lens, TT, d, t, b);
          if (c.lstm()) {
            const T* cp = first ? cx + b * H : cell + (tprev * N + b) * H;
            lstm_forward(H, gates_t + b * gc, bias.get(), cp, !first, cell + (t * N + b) * H,
                         yrow, clip);
          } else if (c.gru()) {
            gru_forward(H, gates_t + b * gc, hh.get() + b * GH, bi, bh, hp + b * ldh, yrow);
          } else {
            rnn_forward(H, yrow, bias.get(), relu);
          }
        }
      }

      // Final states: after each row's last active step (hx/cx if none).
      for (int64_t b = 0; b < N; ++b) {
        const int64_t len = lens ? lens[b] : TT;
        const int64_t tf = d == 0 ? len - 1 : 0;
        if (a.hy) {
          T* dst = a.hy + ((l * D + d) * N + b) * H;
          const T* src = len == 0 ? hx + b * H : yl + (tf * N + b) * DH + d * H;
          std::copy(src, src + H, dst);
        }
        if (a.cy) {
          T* dst = a.cy + ((l * D + d) * N + b) * H;
          if (len == 0) {
            std::copy(cx + b * H, cx + (b + 1) * H, dst);
          } else {
            const T* src = cell + (tf * N + b) * H;
            for (int64_t j = 0; j < H; ++j) dst[j] = clip_value<T>(src[j], clip);
          }
        }
      }
    }

    if (l < L - 1) {  // the next layer's input: this output, through dropout when p > 0
      if (c.p > 0) {
        T* mask = a.reserve + c.mask_offset(l);
        fill_mask<T>(c, l, a.train, a.dropout_key, mask);
        T* dst = dropped.get();
        parallel_for(c.layer_out_size(), [&](int64_t lo, int64_t hi) {
          for (int64_t i = lo; i < hi; ++i) dst[i] = yl[i] * mask[i];
        });
        xin = dst;
      } else {
        xin = yl;
      }
      in = DH;
    }
  }
}

template void forward<float>(const Config&, const ForwardArgs<float>&);
template void forward<double>(const Config&, const ForwardArgs<double>&);

}  // namespace rnn
}  // namespace mxl
