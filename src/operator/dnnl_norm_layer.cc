// oneDNN v3 layer normalization (float32) over the last axis of a plain
// (rows, C) matrix, forward (training: it also returns mean and variance)
// and backward.  Primitives are cached by shape and eps.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "operator/dnnl_norm.h"
#include "operator/dnnl_norm_util.h"

namespace mxl {
namespace dnnl_norm {
namespace {

using dnnl::normalization_flags;
using dnnl::prop_kind;

struct LnFwd {
  dnnl::layer_normalization_forward::primitive_desc pd;
  dnnl::layer_normalization_forward prim;
};
struct LnBwd {
  dnnl::layer_normalization_backward::primitive_desc pd;
  dnnl::layer_normalization_backward prim;
};

const normalization_flags kFlags = normalization_flags::use_scale | normalization_flags::use_shift;

std::string key_of(const char* kind, int64_t rows, int64_t C, float eps) {
  return std::string(kind) + "|" + std::to_string(rows) + "|" + std::to_string(C) + "|" +
         std::to_string(eps);
}

dnnl::layer_normalization_forward::primitive_desc make_fwd_pd(int64_t rows, int64_t C,
                                                               float eps) {
  const auto md = plain_f32({rows, C});
  const auto sd = plain_f32({rows});
  return dnnl::layer_normalization_forward::primitive_desc(
      cpu_engine(), prop_kind::forward_training, md, md, sd, eps, kFlags);
}

std::shared_ptr<const LnFwd> forward_primitive(int64_t rows, int64_t C, float eps) {
  static PrimitiveCache<LnFwd> cache;
  return cache.get(key_of("fwd", rows, C, eps), [&] {
    auto pd = make_fwd_pd(rows, C, eps);
    return std::make_shared<LnFwd>(LnFwd{pd, dnnl::layer_normalization_forward(pd)});
  });
}

std::shared_ptr<const LnBwd> backward_primitive(int64_t rows, int64_t C, float eps) {
  static PrimitiveCache<LnBwd> cache;
  return cache.get(key_of("bwd", rows, C, eps), [&] {
    const auto md = plain_f32({rows, C});
    const auto sd = plain_f32({rows});
    auto hint = make_fwd_pd(rows, C, eps);
    dnnl::layer_normalization_backward::primitive_desc pd(cpu_engine(), prop_kind::backward, md,
                                                          md, md, sd, eps, kFlags, hint);
    return std::make_shared<LnBwd>(LnBwd{pd, dnnl::layer_normalization_backward(pd)});
  });
}

}  // namespace

bool layer_norm_forward(const float* x, float* y, int64_t rows, int64_t C, const float* gamma,
                        const float* beta, float eps, float* mean, float* var) {
  if (rows == 0 || C == 0) return false;
  try {
    auto p = forward_primitive(rows, C, eps);
    const auto md = plain_f32({rows, C});
    const auto sd = plain_f32({rows});
    const auto cd = plain_f32({C});
    p->prim.execute(thread_stream(), {{DNNL_ARG_SRC, wrap(md, x)},
                                      {DNNL_ARG_DST, wrap(md, y)},
                                      {DNNL_ARG_SCALE, wrap(cd, gamma)},
                                      {DNNL_ARG_SHIFT, wrap(cd, beta)},
                                      {DNNL_ARG_MEAN, wrap(sd, mean)},
                                      {DNNL_ARG_VARIANCE, wrap(sd, var)}});
    thread_stream().wait();
  } catch (const dnnl::error& e) {
    throw_error(MXL_ERR_RUNTIME, "Operator LayerNorm: oneDNN failed: ", e.what());
  }
  return true;
}

bool layer_norm_backward(const float* dy, const float* x, int64_t rows, int64_t C,
                         const float* gamma, const float* mean, const float* var, float eps,
                         float* dx, float* dgamma, float* dbeta) {
  if (rows == 0 || C == 0) return false;
  try {
    auto p = backward_primitive(rows, C, eps);
    const auto md = plain_f32({rows, C});
    const auto sd = plain_f32({rows});
    const auto cd = plain_f32({C});
    // The backward primitive takes the shift as an input although no
    // gradient depends on its value.
    std::vector<float> shift(C, 0.0f);
    p->prim.execute(thread_stream(), {{DNNL_ARG_SRC, wrap(md, x)},
                                      {DNNL_ARG_SHIFT, wrap(cd, shift.data())},
                                      {DNNL_ARG_DIFF_DST, wrap(md, dy)},
                                      {DNNL_ARG_DIFF_SRC, wrap(md, dx)},
                                      {DNNL_ARG_SCALE, wrap(cd, gamma)},
                                      {DNNL_ARG_DIFF_SCALE, wrap(cd, dgamma)},
                                      {DNNL_ARG_DIFF_SHIFT, wrap(cd, dbeta)},
                                      {DNNL_ARG_MEAN, wrap(sd, mean)},
                                      {DNNL_ARG_VARIANCE, wrap(sd, var)}});
    thread_stream().wait();
  } catch (const dnnl::error& e) {
    throw_error(MXL_ERR_RUNTIME, "Operator _backward_LayerNorm: oneDNN failed: ", e.what());
  }
  return true;
}

}  // namespace dnnl_norm
}  // namespace mxl
