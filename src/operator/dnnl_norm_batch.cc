// oneDNN v3 batch normalization (float32), forward and backward.
//
// The data is described as a plain (outer, C, inner) tensor, oneDNN's
// "ncw", which covers any channel axis without copying.  Primitives are
// cached by shape and flags.  No workspace is needed: ReLU is not fused.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "operator/dnnl_norm.h"
#include "operator/dnnl_norm_util.h"

namespace mxl {
namespace dnnl_norm {

Policy policy() {
  const char* v = std::getenv("MXL_NORM_DNNL");
  if (!v || !*v || std::strcmp(v, "auto") == 0) return Policy::kAuto;
  return std::strcmp(v, "0") == 0 ? Policy::kOff : Policy::kForce;
}

namespace {

using dnnl::normalization_flags;
using dnnl::prop_kind;
using tag = dnnl::memory::format_tag;

struct BnFwd {
  dnnl::batch_normalization_forward::primitive_desc pd;
  dnnl::batch_normalization_forward prim;
};
struct BnBwd {
  dnnl::batch_normalization_backward::primitive_desc pd;
  dnnl::batch_normalization_backward prim;
};

dnnl::memory::desc data_desc(const norm::Split3& s) {
  return plain_f32({s.outer, s.mid, s.inner});
}

normalization_flags flags_of(bool scale, bool global) {
  normalization_flags f = normalization_flags::use_shift;
  if (scale) f = f | normalization_flags::use_scale;
  if (global) f = f | normalization_flags::use_global_stats;
  return f;
}

std::string key_of(const char* kind, const norm::Split3& s, bool scale, bool global, float eps) {
  return std::string(kind) + "|" + std::to_string(s.outer) + "|" + std::to_string(s.mid) + "|" +
         std::to_string(s.inner) + "|" + (scale ? "s" : "-") + (global ? "g" : "-") + "|" +
         std::to_string(eps);
}

dnnl::batch_normalization_forward::primitive_desc make_fwd_pd(const norm::Split3& s, bool scale,
                                                               bool global, float eps) {
  const auto md = data_desc(s);
  return dnnl::batch_normalization_forward::primitive_desc(
      cpu_engine(), prop_kind::forward_training, md, md, eps, flags_of(scale, global));
}

std::shared_ptr<const BnFwd> forward_primitive(const norm::Split3& s, bool scale, bool global,
                                         float eps) {
  static PrimitiveCache<BnFwd> cache;
  return cache.get(key_of("fwd", s, scale, global, eps), [&] {
    auto pd = make_fwd_pd(s, scale, global, eps);
    return std::make_shared<BnFwd>(BnFwd{pd, dnnl::batch_normalization_forward(pd)});
  });
}

std::shared_ptr<const BnBwd> backward_primitive(const norm::Split3& s, bool scale, bool global,
                                          float eps) {
  static PrimitiveCache<BnBwd> cache;
  return cache.get(key_of("bwd", s, scale, global, eps), [&] {
    const auto md = data_desc(s);
    auto hint = make_fwd_pd(s, scale, global, eps);
    dnnl::batch_normalization_backward::primitive_desc pd(
        cpu_engine(), prop_kind::backward, md, md, md, eps, flags_of(scale, global), hint);
    return std::make_shared<BnBwd>(BnBwd{pd, dnnl::batch_normalization_backward(pd)});
  });
}

}  // namespace

bool batch_norm_forward(const float* x, float* y, const norm::Split3& s, const float* gamma,
                        const float* beta, float eps, bool training, float* mean, float* var) {
  if (s.outer * s.inner == 0 || s.mid == 0) return false;
  try {
    const bool global = !training;
    auto p = forward_primitive(s, gamma != nullptr, global, eps);
    const auto md = data_desc(s);
    const auto cd = plain_f32({s.mid});
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, wrap(md, x)},       {DNNL_ARG_DST, wrap(md, y)},
        {DNNL_ARG_SHIFT, wrap(cd, beta)},  {DNNL_ARG_MEAN, wrap(cd, mean)},
        {DNNL_ARG_VARIANCE, wrap(cd, var)}};
    if (gamma) args.insert({DNNL_ARG_SCALE, wrap(cd, gamma)});
    p->prim.execute(thread_stream(), args);
    thread_stream().wait();
  } catch (const dnnl::error& e) {
    throw_error(MXL_ERR_RUNTIME, "Operator BatchNorm: oneDNN failed: ", e.what());
  }
  return true;
}

bool batch_norm_backward(const float* dy, const float* x, const norm::Split3& s,
                         const float* gamma, const float* mean, const float* var, float eps,
                         bool global_stats, float* dx, float* dgamma, float* dbeta) {
  if (s.outer * s.inner == 0 || s.mid == 0) return false;
  try {
    const bool scale = dgamma != nullptr;
    auto p = backward_primitive(s, scale, global_stats, eps);
    const auto md = data_desc(s);
    const auto cd = plain_f32({s.mid});
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, wrap(md, x)},           {DNNL_ARG_DIFF_DST, wrap(md, dy)},
        {DNNL_ARG_DIFF_SRC, wrap(md, dx)},     {DNNL_ARG_MEAN, wrap(cd, mean)},
        {DNNL_ARG_VARIANCE, wrap(cd, var)},    {DNNL_ARG_DIFF_SHIFT, wrap(cd, dbeta)}};
    if (scale) {
      args.insert({DNNL_ARG_SCALE, wrap(cd, gamma)});
      args.insert({DNNL_ARG_DIFF_SCALE, wrap(cd, dgamma)});
    }
    p->prim.execute(thread_stream(), args);
    thread_stream().wait();
  } catch (const dnnl::error& e) {
    throw_error(MXL_ERR_RUNTIME, "Operator _backward_BatchNorm: oneDNN failed: ", e.what());
  }
  return true;
}

}  // namespace dnnl_norm
}  // namespace mxl
