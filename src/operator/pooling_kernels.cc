#include "operator/pooling_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/error.h"
#include "common/parallel.h"
#include "operator/dnnl/dnnl_pooling.h"
#include "storage/storage.h"

namespace mxl {
namespace {

// The clipped window of one output position and its divisor for avg.
struct Window {
  int64_t b[3], e[3];  // [b, e) per slot, inside the input
  int64_t size;        // avg divisor
};

inline Window window(const PoolGeom& g, const int64_t o[3]) {
  Window w;
  int64_t padded = 1, inside = 1;
  for (int i = 0; i < 3; ++i) {
    const int64_t start = o[i] * g.s[i] - g.p[i];
    const int64_t end = start + g.k[i];
    padded *= std::max<int64_t>(std::min(end, g.in[i] + g.p[i]) - start, 0);
    w.b[i] = std::max<int64_t>(start, 0);
    w.e[i] = std::min(end, g.in[i]);
    inside *= std::max<int64_t>(w.e[i] - w.b[i], 0);
  }
  w.size = g.count_include_pad ? padded : inside;
  return w;
}

inline bool empty(const Window& w) {
  return w.e[0] <= w.b[0] || w.e[1] <= w.b[1] || w.e[2] <= w.b[2];
}

// Calls fn(index into the plane) for every input position of the window,
// in row-major order; stops early when fn returns true.
template <typename F>
inline void for_window(const PoolGeom& g, const Window& w, F&& fn) {
  for (int64_t d = w.b[0]; d < w.e[0]; ++d)
    for (int64_t h = w.b[1]; h < w.e[1]; ++h) {
      const int64_t row = (d * g.in[1] + h) * g.in[2];
      for (int64_t x = w.b[2]; x < w.e[2]; ++x)
        if (fn(row + x)) return;
    }
}

template <typename T>
inline T pow_p(T v, int p) {
  return p == 1 ? v : p == 2 ? v * v : v * v * v;
}
template <typename T>
inline T root_p(T v, int p) {
  return p == 1 ? v : p == 2 ? std::sqrt(v) : std::cbrt(v);
}

// Runs fn(plane index, output position o[3], flat output index) over every
// output of every plane, planes in parallel.
template <typename F>
void for_outputs(const PoolGeom& g, F&& fn) {
  const int64_t osz = g.out_size();
  parallel_for(g.N * g.C, [&](int64_t p0, int64_t p1) {
    for (int64_t plane = p0; plane < p1; ++plane) {
      int64_t o[3], idx = 0;
      for (o[0] = 0; o[0] < g.out[0]; ++o[0])
        for (o[1] = 0; o[1] < g.out[1]; ++o[1])
          for (o[2] = 0; o[2] < g.out[2]; ++o[2], ++idx) fn(plane, o, idx);
    }
  }, osz * g.k_size());
}

template <typename T>
void forward_loops(const PoolGeom& g, const T* x, T* y) {
  const int64_t isz = g.in_size(), osz = g.out_size();
  for_outputs(g, [&](int64_t plane, const int64_t* o, int64_t idx) {
    const T* xp = x + plane * isz;
    const Window w = window(g, o);
    T r;
    if (g.type == PoolType::kMax) {
      r = std::numeric_limits<T>::lowest();
      for_window(g, w, [&](int64_t i) {
        r = xp[i] > r ? xp[i] : r;
        return false;
      });
    } else {
      T acc = 0;
      if (g.type == PoolType::kLp) {
        for_window(g, w, [&](int64_t i) {
          acc += pow_p(xp[i], g.p_value);
          return false;
        });
        r = root_p(acc, g.p_value);
      } else {
        for_window(g, w, [&](int64_t i) {
          acc += xp[i];
          return false;
        });
        r = g.type == PoolType::kAvg ? (w.size > 0 ? acc / static_cast<T>(w.size) : T(0)) : acc;
      }
    }
    y[plane * osz + idx] = r;
  });
}

template <typename T>
void backward_loops(const PoolGeom& g, const T* dy, const T* x, const T* y, T* dx) {
  const int64_t isz = g.in_size(), osz = g.out_size();
  std::memset(dx, 0, sizeof(T) * g.N * g.C * isz);
  for_outputs(g, [&](int64_t plane, const int64_t* o, int64_t idx) {
    const T* xp = x + plane * isz;
    T* dxp = dx + plane * isz;
    const T gy = dy[plane * osz + idx], yv = y[plane * osz + idx];
    const Window w = window(g, o);
    if (empty(w)) return;
    switch (g.type) {
      case PoolType::kMax:
        for_window(g, w, [&](int64_t i) {
          if (xp[i] != yv) return false;
          dxp[i] += gy;
          return true;
        });
        break;
      case PoolType::kAvg: {
        const T share = gy / static_cast<T>(w.size);
        for_window(g, w, [&](int64_t i) {
          dxp[i] += share;
          return false;
        });
        break;
      }
      case PoolType::kSum:
        for_window(g, w, [&](int64_t i) {
          dxp[i] += gy;
          return false;
        });
        break;
      case PoolType::kLp:
        // d/dx (sum x^p)^(1/p) = (x / y)^(p-1)
        for_window(g, w, [&](int64_t i) {
          dxp[i] += g.p_value == 1 ? gy : gy * pow_p(xp[i] / yv, g.p_value - 1);
          return false;
        });
        break;
    }
  });
}

// A float32 copy of a float16 buffer (or uninitialized), from the pool.
class Widened {
 public:
  Widened(const void* src, int64_t n) : n_(n), b_(storage::alloc(std::max<int64_t>(n, 1) * 4)) {
    if (!src) return;
    const half_t* h = static_cast<const half_t*>(src);
    float* f = get();
    parallel_for(n, [&](int64_t a, int64_t z) {
      for (int64_t i = a; i < z; ++i) f[i] = static_cast<float>(h[i]);
    }, 4);
  }
  ~Widened() { storage::release(b_); }
  Widened(const Widened&) = delete;
  Widened& operator=(const Widened&) = delete;
  float* get() const { return static_cast<float*>(b_.ptr); }
  void store(void* dst) const {
    half_t* h = static_cast<half_t*>(dst);
    const float* f = get();
    parallel_for(n_, [&](int64_t a, int64_t z) {
      for (int64_t i = a; i < z; ++i) h[i] = half_t(f[i]);
    }, 4);
  }

 private:
  int64_t n_;
  storage::Block b_;
};

void forward_f32(const PoolGeom& g, const float* x, float* y) {
  if (dnnl_util::pool_forward_f32(g, x, y)) return;
  forward_loops<float>(g, x, y);
}

}  // namespace

void pool_forward(DType t, const PoolGeom& g, const void* x, void* y) {
  const int64_t nx = g.N * g.C * g.in_size(), ny = g.N * g.C * g.out_size();
  if (ny == 0) return;
  switch (t) {
    case DType::kFloat32:
      forward_f32(g, static_cast<const float*>(x), static_cast<float*>(y));
      break;
    case DType::kFloat64:
      forward_loops<double>(g, static_cast<const double*>(x), static_cast<double*>(y));
      break;
    case DType::kFloat16: {
      Widened fx(x, nx), fy(nullptr, ny);
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
                   void* dx) {
  const int64_t nx = g.N * g.C * g.in_size(), ny = g.N * g.C * g.out_size();
  if (nx == 0) return;
  switch (t) {
    case DType::kFloat32:
      backward_loops<float>(g, static_cast<const float*>(dy), static_cast<const float*>(x),
                            static_cast<const float*>(y), static_cast<float*>(dx));
      break;
    case DType::kFloat64:
      backward_loops<double>(g, static_cast<const double*>(dy), static_cast<const double*>(x),
                             static_cast<const double*>(y), static_cast<double*>(dx));
      break;
    case DType::kFloat16: {
      Widened fdy(dy, ny), fx(x, nx), fy(y, ny), fdx(nullptr, nx);
      backward_loops<float>(g, fdy.get(), fx.get(), fy.get(), fdx.get());
      fdx.store(dx);
      break;
    }
    default:
      throw_error(MXL_ERR_TYPE, "Operator _backward_Pooling: dtype ", dtype_name(t),
                  " is not supported; expected float32, float64 or float16");
  }
}

}  // namespace mxl
