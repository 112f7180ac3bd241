// Forward and backward drivers of the fused RNN (layout: rnn_config.h, cell
// math: rnn_cells.h).
//
// Per layer and direction the forward does one GEMM for the input
// projections of all time steps, then walks the steps: one GEMM with the
// recurrent weights, then the fused element-wise cell update.  The backward
// walks the steps in reverse (BPTT) with one GEMM per step for the
// hidden-state gradient, keeping every step's gate gradients, and then forms
// the weight, bias and input gradients with one GEMM each over all steps.
//
// Threads: the GEMMs run on OpenBLAS's threads; the cell updates stay on the
// calling thread.  They are vectorized and cost O(N*H) against the step
// GEMM's O(N*H*H) (about 6% of an LSTM step at H = 256), while an OpenMP
// region between two BLAS calls fights OpenBLAS's still-spinning workers for
// the cores: on the 2-core test machine that made the benchmark LSTM 15x
// slower.
//
// Variable-length sequences (use_sequence_length): batch row b is active at
// time t when t < len[b]; the forward direction starts at t = 0, the reverse
// direction at t = len[b] - 1.  Outputs at inactive steps are zero, hy/cy are
// the states after the row's last active step, and inactive steps receive no
// gradient (cuDNN's unpacked-sequence semantics).
#pragma once
#include <cstdint>

#include "operator/rnn_config.h"

namespace mxl {
namespace rnn {

template <typename T>
struct ForwardArgs {
  const T* x = nullptr;       // (T, N, I)
  const T* w = nullptr;       // flat parameters
  const T* hx = nullptr;      // (L*D, N, H)
  const T* cx = nullptr;      // lstm only
  const int64_t* lens = nullptr;  // (N,) when use_sequence_length, values in [0, T]
  T* y = nullptr;             // (T, N, D*H)
  T* hy = nullptr;            // optional
  T* cy = nullptr;            // optional, lstm
  T* reserve = nullptr;       // Config::reserve_size()
  bool train = false;         // dropout active
  uint64_t dropout_key = 0;   // stream key for the dropout masks
};

template <typename T>
struct BackwardArgs {
  const T* x = nullptr;
  const T* w = nullptr;
  const T* hx = nullptr;
  const T* cx = nullptr;
  const int64_t* lens = nullptr;
  const T* y = nullptr;        // the forward's out
  const T* reserve = nullptr;  // the forward's reserve
  const T* dy = nullptr;       // gradient of out
  const T* dhy = nullptr;      // gradient of hy, or null (zero)
  const T* dcy = nullptr;      // gradient of cy, or null (zero)
  T* dx = nullptr;
  T* dw = nullptr;
  T* dhx = nullptr;
  T* dcx = nullptr;            // lstm
};

template <typename T>
void forward(const Config& c, const ForwardArgs<T>& a);
template <typename T>
void backward(const Config& c, const BackwardArgs<T>& a);

// Row-major C (M x N) = alpha op(A) op(B) + beta C through cblas; empty
// products only scale C.
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
          int64_t lda, const double* B, int64_t ldb, double beta, double* C, int64_t ldc);

// Whether batch row b is active at time t.
inline bool active(const int64_t* lens, int64_t T, int64_t t, int64_t b) {
  return t < (lens ? lens[b] : T);
}
// The time step processed s-th by direction d (d = 1 runs backwards in time).
inline int64_t step_time(int64_t T, int64_t d, int64_t s) { return d == 0 ? s : T - 1 - s; }
// Whether t is the first step of row b in direction d (its h_prev is hx).
inline bool first_step(const int64_t* lens, int64_t T, int64_t d, int64_t t, int64_t b) {
  return d == 0 ? t == 0 : t == (lens ? lens[b] : T) - 1;
}

}  // namespace rnn
}  // namespace mxl
