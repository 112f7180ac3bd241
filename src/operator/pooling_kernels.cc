#include "operator/pooling_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "common/error.h"
#include "common/parallel.h"
#include "operator/dnnl/dnnl_pooling.h"
#include "operator/float_buffer.h"

namespace mxl {
namespace {

// Window bounds along each of the 3 slots, tabulated once per call:
// [b, e) is the window clipped to the input; `padded` its extent clipped to
// [-pad, in + pad) (avg's divisor with count_include_pad).
struct AxisTable {
  std::vector<int64_t> b, e, padded;
};

struct Tables {
  AxisTable ax[3];
  explicit Tables(const PoolGeom& g) {
    for (int i = 0; i < 3; ++i) {
      AxisTable& t = ax[i];
      for (int64_t o = 0; o < g.out[i]; ++o) {
        const int64_t start = o * g.s[i] - g.p[i], end = start + g.k[i];
        t.b.push_back(std::max<int64_t>(start, 0));
        t.e.push_back(std::max(std::min(end, g.in[i]), t.b.back()));  // empty: e == b
        t.padded.push_back(std::max<int64_t>(std::min(end, g.in[i] + g.p[i]) - start, 0));
      }
    }
  }
};

template <typename T>
inline T pow_p(T v, int p) {
  return p == 1 ? v : p == 2 ? v * v : v * v * v;
}
template <typename T>
inline T root_p(T v, int p) {
  return p == 1 ? v : p == 2 ? std::sqrt(v) : std::cbrt(v);
}

// The window of output (od, oh, ow) of one plane.
struct Win {
  int64_t d0, d1, h0, h1, w0, w1;
  int64_t size;  // avg divisor
};

// Runs body(plane, output index, Win) over every output of every plane;
// planes run in parallel, each plane's outputs in order (a plane of input
// and its gradient stay in cache while its windows are visited).
template <typename Begin, typename Body>
void for_windows(const PoolGeom& g, const Tables& t, Begin&& begin_plane, Body&& body) {
  parallel_for(g.N * g.C, [&](int64_t p0, int64_t p1) {
    for (int64_t plane = p0; plane < p1; ++plane) {
      begin_plane(plane);
      int64_t idx = 0;
      Win w;
      for (int64_t od = 0; od < g.out[0]; ++od) {
        w.d0 = t.ax[0].b[od];
        w.d1 = t.ax[0].e[od];
        for (int64_t oh = 0; oh < g.out[1]; ++oh) {
          w.h0 = t.ax[1].b[oh];
          w.h1 = t.ax[1].e[oh];
          for (int64_t ow = 0; ow < g.out[2]; ++ow, ++idx) {
            w.w0 = t.ax[2].b[ow];
            w.w1 = t.ax[2].e[ow];
            w.size = g.count_include_pad
                         ? t.ax[0].padded[od] * t.ax[1].padded[oh] * t.ax[2].padded[ow]
                         : (w.d1 - w.d0) * (w.h1 - w.h0) * (w.w1 - w.w0);
            body(plane, idx, w);
          }
        }
      }
    }
  }, g.out_size() * g.k_size());
}

template <typename T>
void forward_loops(const PoolGeom& g, const T* x, T* y) {
  const Tables t(g);
  const int64_t isz = g.in_size(), osz = g.out_size(), H = g.in[1], W = g.in[2];
  const PoolType type = g.type;
  const int pv = g.p_value;
  for_windows(g, t, [](int64_t) {}, [&](int64_t plane, int64_t idx, const Win& w) {
    const T* xp = x + plane * isz;
    T r;
    if (type == PoolType::kMax) {
      r = std::numeric_limits<T>::lowest();
      for (int64_t d = w.d0; d < w.d1; ++d)
        for (int64_t h = w.h0; h < w.h1; ++h) {
          const T* row = xp + (d * H + h) * W;
          for (int64_t i = w.w0; i < w.w1; ++i) r = row[i] > r ? row[i] : r;
        }
    } else {
      T acc = 0;
      for (int64_t d = w.d0; d < w.d1; ++d)
        for (int64_t h = w.h0; h < w.h1; ++h) {
          const T* row = xp + (d * H + h) * W;
          if (type == PoolType::kLp) {
            for (int64_t i = w.w0; i < w.w1; ++i) acc += pow_p(row[i], pv);
          } else {
            for (int64_t i = w.w0; i < w.w1; ++i) acc += row[i];
          }
        }
      if (type == PoolType::kLp) r = root_p(acc, pv);
      else if (type == PoolType::kAvg) r = w.size > 0 ? acc / static_cast<T>(w.size) : T(0);
      else r = acc;
    }
    y[plane * osz + idx] = r;
  });
}

template <typename T>
void backward_loops(const PoolGeom& g, const T* dy, const T* x, const T* y, T* dx) {
  const Tables t(g);
  const int64_t isz = g.in_size(), osz = g.out_size(), H = g.in[1], W = g.in[2];
  const PoolType type = g.type;
  const int pv = g.p_value;
  // Each plane of dx is zeroed right before its windows scatter into it.
  auto begin_plane = [&](int64_t plane) { std::memset(dx + plane * isz, 0, sizeof(T) * isz); };
  for_windows(g, t, begin_plane, [&](int64_t plane, int64_t idx, const Win& w) {
    const T* xp = x + plane * isz;
    T* dxp = dx + plane * isz;
    const T gy = dy[plane * osz + idx], yv = y[plane * osz + idx];
    if (type == PoolType::kMax) {
      // The first position holding the maximum takes the whole gradient.
      for (int64_t d = w.d0; d < w.d1; ++d)
        for (int64_t h = w.h0; h < w.h1; ++h) {
          const int64_t row = (d * H + h) * W;
          for (int64_t i = w.w0; i < w.w1; ++i)
            if (xp[row + i] == yv) {
              dxp[row + i] += gy;
              return;
            }
        }
      return;
    }
    if (w.d1 <= w.d0 || w.h1 <= w.h0 || w.w1 <= w.w0) return;
    const T share = type == PoolType::kAvg ? gy / static_cast<T>(w.size) : gy;
    for (int64_t d = w.d0; d < w.d1; ++d)
      for (int64_t h = w.h0; h < w.h1; ++h) {
        const int64_t row = (d * H + h) * W;
        if (type == PoolType::kLp && pv > 1) {
          // d/dx (sum x^p)^(1/p) = (x / y)^(p-1)
          for (int64_t i = w.w0; i < w.w1; ++i)
            dxp[row + i] += gy * pow_p(xp[row + i] / yv, pv - 1);
        } else {
          for (int64_t i = w.w0; i < w.w1; ++i) dxp[row + i] += share;
        }
      }
  });
}

void forward_f32(const PoolGeom& g, const float* x, float* y) {
  if (dnnl_util::pool_forward_f32(g, x, y)) return;
  forward_loops<float>(g, x, y);
}

// The argmax record in ws when a training forward filled it for g.
const void* valid_record(const PoolGeom& g, const uint8_t* ws) {
  if (!ws) return nullptr;
  const int64_t size = pool_workspace_size(g);
  return size > 1 && ws[size - 1] == 1 ? ws : nullptr;
}

void backward_f32(const PoolGeom& g, const float* dy, const float* x, const float* y, float* dx,
                  const uint8_t* ws) {
  if (dnnl_util::pool_backward_f32(g, dy, x, valid_record(g, ws), dx)) return;
  backward_loops<float>(g, dy, x, y, dx);
}

}  // namespace

int64_t pool_workspace_size(const PoolGeom& g) {
  const bool empty = g.N * g.C * g.out_size() == 0;
  return (empty ? 0 : static_cast<int64_t>(dnnl_util::pool_workspace_bytes(g))) + 1;
}

void pool_forward(DType t, const PoolGeom& g, const void* x, void* y, uint8_t* ws,
                  bool training) {
  const int64_t nx = g.N * g.C * g.in_size(), ny = g.N * g.C * g.out_size();
  const int64_t ws_size = ws ? pool_workspace_size(g) : 0;
  if (ws) ws[ws_size - 1] = 0;  // valid only once a training forward fills it
  if (ny == 0) return;
  switch (t) {
    case DType::kFloat32:
      if (training && ws_size > 1 &&
          dnnl_util::pool_forward_train_f32(g, static_cast<const float*>(x),
                                            static_cast<float*>(y), ws)) {
        ws[ws_size - 1] = 1;
        break;
      }
      forward_f32(g, static_cast<const float*>(x), static_cast<float*>(y));
      break;
    case DType::kFloat64:
      forward_loops<double>(g, static_cast<const double*>(x), static_cast<double*>(y));
      break;
    case DType::kFloat16: {
      FloatBuffer fx(x, nx), fy(nullptr, ny);
      forward_f32(g, fx.get(), fy.get());
      fy.store(y);
      break;
    }
    default:
      throw_error(MXL_ERR_TYPE, "Operator Pooling: dtype ", dtype_name(t),
                  " is not supported; expected float32, float64 or float16");
  }
}

void pool_backward(DType t, const PoolGeom& g, const void* dy, const void* x, const void* y,
                   void* dx, const uint8_t* ws) {
  const int64_t nx = g.N * g.C * g.in_size(), ny = g.N * g.C * g.out_size();
  if (nx == 0) return;
  switch (t) {
    case DType::kFloat32:
      backward_f32(g, static_cast<const float*>(dy), static_cast<const float*>(x),
                   static_cast<const float*>(y), static_cast<float*>(dx), ws);
      break;
    case DType::kFloat64:
      backward_loops<double>(g, static_cast<const double*>(dy), static_cast<const double*>(x),
                             static_cast<const double*>(y), static_cast<double*>(dx));
      break;
    case DType::kFloat16: {
      FloatBuffer fdy(dy, ny), fx(x, nx), fy(y, ny), fdx(nullptr, nx);
      backward_f32(g, fdy.get(), fx.get(), fy.get(), fdx.get(), nullptr);
      fdx.store(dx);
      break;
    }
    default:
      throw_error(MXL_ERR_TYPE, "Operator _backward_Pooling: dtype ", dtype_name(t),
                  " is not supported; expected float32, float64 or float16");
  }
}

}  // namespace mxl
