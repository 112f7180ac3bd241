// oneDNN v3 paths for BatchNorm and LayerNorm in float32.  Each returns
// false when it does not handle a case (the caller then runs its own loops);
// oneDNN errors become mxl::Error naming the op.
#pragma once
#include <cstdint>

#include "operator/norm_common.h"

namespace mxl {
namespace dnnl_norm {

// Which implementation runs, from MXL_NORM_DNNL (read on every call so a
// process can switch; benchmarks and tests compare the two):
//   unset / "auto"  the faster one as measured (bench/bench_norm.py): oneDNN
//                   for LayerNorm's forward over the last axis, our loops for
//                   its backward and for BatchNorm (oneDNN's kernel for the
//                   plain NCHW layout is a generic one, several times slower);
//   "0"             never oneDNN;  "1"  oneDNN wherever it applies.
enum class Policy { kAuto, kOff, kForce };
Policy policy();

// BatchNorm over (outer, C, inner).  training: normalize with the batch's
// statistics and write them to mean / var (biased variance); otherwise
// normalize with the given mean / var.  gamma == nullptr: scale 1.
bool batch_norm_forward(const float* x, float* y, const norm::Split3& s, const float* gamma,
                        const float* beta, float eps, bool training, float* mean, float* var);
// Gradients given the forward's mean and variance.  global_stats: they were
// constants (moving statistics).  dgamma == nullptr: gamma was fixed at 1.
bool batch_norm_backward(const float* dy, const float* x, const norm::Split3& s,
                         const float* gamma, const float* mean, const float* var, float eps,
                         bool global_stats, float* dx, float* dgamma, float* dbeta);

// LayerNorm over the last axis of (rows, C); mean and var have rows entries.
bool layer_norm_forward(const float* x, float* y, int64_t rows, int64_t C, const float* gamma,
                        const float* beta, float eps, float* mean, float* var);
bool layer_norm_backward(const float* dy, const float* x, int64_t rows, int64_t C,
                         const float* gamma, const float* mean, const float* var, float eps,
                         float* dx, float* dgamma, float* dbeta);

}  // namespace dnnl_norm
}  // namespace mxl
