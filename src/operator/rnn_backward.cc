// The fused RNN's backward pass, BPTT over the intermediates the forward
// kept in the reserve (see rnn_kernels.h and rnn_config.h).
#include <algorithm>
#include <memory>
#include <utility>

#include "common/parallel.h"
#include "operator/rnn_cells.h"
#include "operator/rnn_kernels.h"

namespace mxl {
namespace rnn {

namespace {

// Buffers of one backward call.
template <typename T>
struct Scratch {
  std::unique_ptr<T[]> dgi, dgh;      // per-step pre-activation gradients (T*N, G*H)
  std::unique_ptr<T[]> dh_cur, dh_next, dc;  // carried state gradients (N, H)
  std::unique_ptr<T[]> dx_a, dx_b;    // gradients of the layers' inputs (T*N, D*H)
  std::unique_ptr<T[]> xin;           // a layer's dropped-out input (T*N, D*H)
  std::unique_ptr<T[]> ones;          // (T*N) for the bias gradients
};

}  // namespace

template <typename T>
void backward(const Config& c, const BackwardArgs<T>& a) {
  const int64_t TT = c.T, N = c.N, H = c.H, D = c.D, L = c.L, GH = c.gh(), DH = D * H;
  const int64_t TN = TT * N, gc = c.gate_cols();
  const int64_t* lens = a.lens;
  const bool relu = c.mode == Mode::kRnnRelu;
  const Clip clip{c.clip, c.clip_lo, c.clip_hi, c.clip_nan};

  Scratch<T> sc;
  sc.dgi.reset(new T[TN * GH]);
  if (c.gru()) sc.dgh.reset(new T[TN * GH]);
  sc.dh_cur.reset(new T[N * H]);
  sc.dh_next.reset(new T[N * H]);
  if (c.lstm()) sc.dc.reset(new T[N * H]);
  if (L > 1) {
    sc.dx_a.reset(new T[c.layer_out_size()]);
    if (L > 2) sc.dx_b.reset(new T[c.layer_out_size()]);
    if (c.p > 0) sc.xin.reset(new T[c.layer_out_size()]);
  }
  sc.ones.reset(new T[std::max<int64_t>(TN, 1)]);
  std::fill(sc.ones.get(), sc.ones.get() + std::max<int64_t>(TN, 1), T(1));
  T* dgi = sc.dgi.get();
  T* dgh = c.gru() ? sc.dgh.get() : dgi;  // lstm/rnn: one pre-activation feeds both GEMMs

  if (TT == 0 || N == 0) {  // empty sequence or batch: the states pass straight through
    std::fill(a.dw, a.dw + c.param_size(), T(0));
    const int64_t ns = L * D * N * H;
    if (a.dhy) std::copy(a.dhy, a.dhy + ns, a.dhx);
    else std::fill(a.dhx, a.dhx + ns, T(0));
    if (a.dcx) {
      if (a.dcy) std::copy(a.dcy, a.dcy + ns, a.dcx);
      else std::fill(a.dcx, a.dcx + ns, T(0));
    }
    return;
  }

  const T* dyl = a.dy;  // gradient of the current layer's output
  for (int64_t l = L - 1; l >= 0; --l) {
    const int64_t in = c.layer_input(l);
    const T* yl = l == L - 1 ? a.y : a.reserve + c.y_offset(l);
    // This layer's input as the forward saw it.
    const T* xin = a.x;
    if (l > 0) {
      const T* yprev = a.reserve + c.y_offset(l - 1);
      if (c.p > 0) {
        const T* mask = a.reserve + c.mask_offset(l - 1);
        T* dst = sc.xin.get();
        parallel_for(c.layer_out_size(), [&](int64_t lo, int64_t hi) {
          for (int64_t i = lo; i < hi; ++i) dst[i] = yprev[i] * mask[i];
        });
        xin = dst;
      } else {
        xin = yprev;
      }
    }
    // Where the gradient of this layer's input goes.
    T* dxl = a.dx;
    if (l > 0) dxl = dyl == sc.dx_a.get() ? sc.dx_b.get() : sc.dx_a.get();

    for (int64_t d = 0; d < D; ++d) {
      const int64_t ld_idx = l * D + d;
      const T* Wi = a.w + c.w_i2h_offset(l, d);
      const T* Wh = a.w + c.w_h2h_offset(l, d);
      const T* gates = a.reserve + c.gates_offset(l, d);
      const T* cell = a.reserve + c.cell_offset(l, d);
      const T* hx = a.hx + ld_idx * N * H;
      const T* cx = c.lstm() ? a.cx + ld_idx * N * H : nullptr;
      T* dWi = a.dw + c.w_i2h_offset(l, d);
      T* dWh = a.dw + c.w_h2h_offset(l, d);
      T* dbi = a.dw + c.b_i2h_offset(l, d);
      T* dbh = a.dw + c.b_h2h_offset(l, d);

      T* dh_cur = sc.dh_cur.get();
      T* dh_next = sc.dh_next.get();
      T* dc = sc.dc.get();
      if (a.dhy) std::copy(a.dhy + ld_idx * N * H, a.dhy + (ld_idx + 1) * N * H, dh_cur);
      else std::fill(dh_cur, dh_cur + N * H, T(0));
      if (c.lstm()) {
        if (a.dcy) std::copy(a.dcy + ld_idx * N * H, a.dcy + (ld_idx + 1) * N * H, dc);
        else std::fill(dc, dc + N * H, T(0));
      }

      for (int64_t s = TT - 1; s >= 0; --s) {
        const int64_t t = step_time(TT, d, s), tprev = d == 0 ? t - 1 : t + 1;
        for (int64_t b = 0; b < N; ++b) {
          T* dh = dh_cur + b * H;
          T* dhn = dh_next + b * H;
          T* dgi_row = dgi + (t * N + b) * GH;
          T* dgh_row = dgh + (t * N + b) * GH;
          if (!active(lens, TT, t, b)) {  // no gradient; carry the state gradient through
            std::fill(dgi_row, dgi_row + GH, T(0));
            if (c.gru()) std::fill(dgh_row, dgh_row + GH, T(0));
            std::copy(dh, dh + H, dhn);
            continue;
          }
          const T* dyrow = dyl + (t * N + b) * DH + d * H;
          for (int64_t j = 0; j < H; ++j) dh[j] += dyrow[j];
          const bool first = first_step(lens, TT, d, t, b);
          if (c.lstm()) {
            const T* cp = first ? cx + b * H : cell + (tprev * N + b) * H;
            lstm_backward(H, gates + (t * N + b) * gc, cell + (t * N + b) * H, cp, !first, dh,
                          dc + b * H, dgi_row, clip);
            std::fill(dhn, dhn + H, T(0));
          } else if (c.gru()) {
            const T* hp = first ? hx + b * H : yl + (tprev * N + b) * DH + d * H;
            gru_backward(H, gates + (t * N + b) * gc, hp, dh, dgi_row, dgh_row, dhn);
          } else {
            rnn_backward(H, yl + (t * N + b) * DH + d * H, dh, dgi_row, relu);
            std::fill(dhn, dhn + H, T(0));
          }
        }
        // dh_prev += dG_t W_h2h (rows not active at t have dG_t = 0).
        gemm(false, false, N, H, GH, T(1), dgh + t * N * GH, GH, Wh, H, T(1), dh_next, H);
        std::swap(dh_cur, dh_next);
      }
      // Gradients of the initial states: what reached each row's first step.
      std::copy(dh_cur, dh_cur + N * H, a.dhx + ld_idx * N * H);
      if (c.lstm() && a.dcx) std::copy(dc, dc + N * H, a.dcx + ld_idx * N * H);

      // Weight gradients, summed over all steps.
      gemm(true, false, GH, in, TN, T(1), dgi, GH, xin, in, T(0), dWi, in);
      // W_h2h pairs step t's gradient with h_{t-1}: the output one step back
      // in the direction's order, or hx at the first step.
      if (d == 0) {
        gemm(true, false, GH, H, (TT - 1) * N, T(1), dgh + N * GH, GH, yl + d * H, DH, T(0), dWh, H);
        gemm(true, false, GH, H, N, T(1), dgh, GH, hx, H, T(1), dWh, H);
      } else {
        gemm(true, false, GH, H, (TT - 1) * N, T(1), dgh, GH, yl + N * DH + d * H, DH, T(0), dWh, H);
        gemm(true, false, GH, H, N, T(1), dgh + (TT - 1) * N * GH, GH, hx, H, T(1), dWh, H);
        // A shorter row starts at t = len-1, where the bulk product paired
        // it with the (zero) padded output at len instead of hx.
        for (int64_t b = 0; lens && b < N; ++b) {
          const int64_t len = lens[b];
          if (len > 0 && len < TT)
            gemm(true, false, GH, H, 1, T(1), dgh + ((len - 1) * N + b) * GH, GH, hx + b * H, H,
                 T(1), dWh, H);
        }
      }
      gemm(true, false, GH, 1, TN, T(1), dgi, GH, sc.ones.get(), 1, T(0), dbi, 1);
      if (c.gru()) gemm(true, false, GH, 1, TN, T(1), dgh, GH, sc.ones.get(), 1, T(0), dbh, 1);
      else std::copy(dbi, dbi + GH, dbh);
      // Input gradient (directions add up).
      gemm(false, false, TN, in, GH, T(1), dgi, GH, Wi, in, d == 0 ? T(0) : T(1), dxl, in);
    }

    if (l > 0) {  // the lower layer's output gradient, back through dropout
      if (c.p > 0) {
        const T* mask = a.reserve + c.mask_offset(l - 1);
        parallel_for(c.layer_out_size(), [&](int64_t lo, int64_t hi) {
          for (int64_t i = lo; i < hi; ++i) dxl[i] *= mask[i];
        });
      }
      dyl = dxl;
    }
  }
}

template void backward<float>(const Config&, const BackwardArgs<float>&);
template void backward<double>(const Config&, const BackwardArgs<double>&);

}  // namespace rnn
}  // namespace mxl
