// dtype dispatch for the convolution kernels (see conv_kernels.h).
#include "operator/conv_kernels.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "common/error.h"
#include "common/parallel.h"
#include "operator/conv_im2col.h"
#include "operator/dnnl/dnnl_conv.h"
#include "operator/float_buffer.h"

namespace mxl {
namespace {

void zero(DType t, void* p, int64_t n) {
  if (p && n > 0) std::memset(p, 0, n * dtype_size(t));
}

[[noreturn]] void bad_dtype(const char* what, DType t) {
  throw_error(MXL_ERR_TYPE, "convolution ", what, ": dtype ", dtype_name(t),
              " is not supported; expected float32, float64 or float16");
}

// Whether nothing is computed because some extent is zero.
bool empty_problem(const ConvGeom& g) {
  return g.N == 0 || g.C == 0 || g.OC == 0 || g.in_size() == 0 || g.out_size() == 0;
}

// float32: oneDNN, or im2col where oneDNN has no implementation.  ws: the
// blocked_data buffer (conv_blocked_data_size floats) or null; returns
// whether the forward filled it.
bool f32_forward(const ConvGeom& g, const float* x, const float* w, const float* b, float* y,
                 float* ws = nullptr, ToPlain* own_layout = nullptr) {
  bool copied = false;
  if (!dnnl_util::conv_forward_f32(g, x, w, b, y, ws, &copied, own_layout))
    im2col_conv_forward<float>(g, x, w, b, y);
  return copied;
}

// The blocked copy of x in ws, when a forward filled it.
const float* valid_copy(const ConvGeom& g, const float* ws) {
  return ws && ws[conv_blocked_data_size(g) - 1] == 1 ? ws : nullptr;
}

void f32_backward(const ConvGeom& g, const float* x, const float* w, const float* dy, float* dx,
                  float* dw, float* db, const float* ws = nullptr, ToPlain* dx_layout = nullptr) {
  if (dnnl_util::conv_backward_f32(g, x, w, dy, dx, dw, db, valid_copy(g, ws), dx_layout)) return;
  if (dx) im2col_conv_backward_data<float>(g, dy, w, dx);
  if (dw) im2col_conv_backward_weights<float>(g, x, dy, dw, db);
}

}  // namespace

int64_t conv_blocked_data_size(const ConvGeom& g) {
  if (empty_problem(g)) return 1;
  return static_cast<int64_t>(dnnl_util::conv_src_copy_bytes(g) / sizeof(float)) + 1;
}

void conv_forward(DType t, const ConvGeom& g, const void* x, const void* w, const void* b,
                  void* y, float* ws, ToPlain* own_layout) {
  // The validity flag: set once a float32 forward fills the buffer.
  float* filled = ws ? ws + conv_blocked_data_size(g) - 1 : nullptr;
  if (filled) *filled = 0;
  if (g.y_numel() == 0) return;
  if (empty_problem(g)) {  // no input channels or positions: y is the bias (or zero)
    zero(t, y, g.y_numel());
    if (b) add_channel_bias(t, g.N, g.OC, g.out_size(), b, y);
    return;
  }
  switch (t) {
    case DType::kFloat32:
      if (f32_forward(g, static_cast<const float*>(x), static_cast<const float*>(w),
                      static_cast<const float*>(b), static_cast<float*>(y), ws, own_layout) &&
          filled)
        *filled = 1;
      break;
    case DType::kFloat64:
      im2col_conv_forward<double>(g, static_cast<const double*>(x), static_cast<const double*>(w),
                                  static_cast<const double*>(b), static_cast<double*>(y));
      break;
    case DType::kFloat16: {
      FloatBuffer fx(x, g.x_numel()), fw(w, g.w_numel()), fy(nullptr, g.y_numel());
      if (b) {
        FloatBuffer fb(b, g.OC);
        f32_forward(g, fx.get(), fw.get(), fb.get(), fy.get());
      } else {
        f32_forward(g, fx.get(), fw.get(), nullptr, fy.get());
      }
      fy.store(y);
      break;
    }
    default: bad_dtype("forward", t);
  }
}

void conv_backward_data(DType t, const ConvGeom& g, const void* dy, const void* w, void* dx) {
  if (g.x_numel() == 0) return;
  if (empty_problem(g)) {
    zero(t, dx, g.x_numel());
    return;
  }
  switch (t) {
    case DType::kFloat32:
      f32_backward(g, nullptr, static_cast<const float*>(w), static_cast<const float*>(dy),
                   static_cast<float*>(dx), nullptr, nullptr);
      break;
    case DType::kFloat64:
      im2col_conv_backward_data<double>(g, static_cast<const double*>(dy),
                                        static_cast<const double*>(w), static_cast<double*>(dx));
      break;
    case DType::kFloat16: {
      FloatBuffer fdy(dy, g.y_numel()), fw(w, g.w_numel()), fdx(nullptr, g.x_numel());
      f32_backward(g, nullptr, fw.get(), fdy.get(), fdx.get(), nullptr, nullptr);
      fdx.store(dx);
      break;
    }
    default: bad_dtype("data gradient", t);
  }
}

void conv_backward_weights(DType t, const ConvGeom& g, const void* x, const void* dy, void* dw,
                           void* db) {
  if (empty_problem(g)) {  // nothing contributes: zero gradients
    zero(t, dw, g.w_numel());
    zero(t, db, g.OC);
    if (db && g.y_numel() > 0) channel_bias_grad(t, g.N, g.OC, g.out_size(), dy, db);
    return;
  }
  switch (t) {
    case DType::kFloat32:
      f32_backward(g, static_cast<const float*>(x), nullptr, static_cast<const float*>(dy),
                   nullptr, static_cast<float*>(dw), static_cast<float*>(db));
      break;
    case DType::kFloat64:
      im2col_conv_backward_weights<double>(g, static_cast<const double*>(x),
                                           static_cast<const double*>(dy),
                                           static_cast<double*>(dw), static_cast<double*>(db));
      break;
    case DType::kFloat16: {
      FloatBuffer fx(x, g.x_numel()), fdy(dy, g.y_numel()), fdw(nullptr, g.w_numel());
      if (db) {
        FloatBuffer fdb(nullptr, g.OC);
        f32_backward(g, fx.get(), nullptr, fdy.get(), nullptr, fdw.get(), fdb.get());
        fdb.store(db);
      } else {
        f32_backward(g, fx.get(), nullptr, fdy.get(), nullptr, fdw.get(), nullptr);
      }
      fdw.store(dw);
      break;
    }
    default: bad_dtype("weight gradient", t);
  }
}

void conv_backward(DType t, const ConvGeom& g, const void* x, const void* w, const void* dy,
                   void* dx, void* dw, void* db, const float* ws, ToPlain* dx_layout) {
  if (t == DType::kFloat32 && dw && !empty_problem(g)) {
    f32_backward(g, static_cast<const float*>(x), static_cast<const float*>(w),
                 static_cast<const float*>(dy), static_cast<float*>(dx), static_cast<float*>(dw),
                 static_cast<float*>(db), ws, dx_layout);
    return;
  }
  if (dx) conv_backward_data(t, g, dy, w, dx);
  if (dw) conv_backward_weights(t, g, x, dy, dw, db);
}

void add_channel_bias(DType t, int64_t N, int64_t C, int64_t spatial, const void* b, void* y) {
  MXL_FLOAT_SWITCH(t, T, "Convolution", {
    using Acc = std::conditional_t<std::is_same_v<T, double>, double, float>;
    const T* bb = static_cast<const T*>(b);
    T* yy = static_cast<T*>(y);
    parallel_for(N * C, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        T* row = yy + r * spatial;
        const Acc a = static_cast<Acc>(bb[r % C]);
        for (int64_t i = 0; i < spatial; ++i) row[i] = static_cast<T>(static_cast<Acc>(row[i]) + a);
      }
    }, spatial);
  })
}

void channel_bias_grad(DType t, int64_t N, int64_t C, int64_t spatial, const void* dy, void* db) {
  MXL_FLOAT_SWITCH(t, T, "Convolution", {
    using Acc = std::conditional_t<std::is_same_v<T, double>, double, float>;
    const T* g = static_cast<const T*>(dy);
    T* out = static_cast<T*>(db);
    parallel_for(C, [&](int64_t c0, int64_t c1) {
      for (int64_t c = c0; c < c1; ++c) {
        Acc acc = 0;
        for (int64_t n = 0; n < N; ++n) {
          const T* row = g + (n * C + c) * spatial;
          for (int64_t i = 0; i < spatial; ++i) acc += static_cast<Acc>(row[i]);
        }
        out[c] = static_cast<T>(acc);
      }
    }, N * spatial);
  })
}

}  // namespace mxl
