// What the normalization kernels take from the shared oneDNN helpers
// (operator/dnnl/dnnl_common.h): the one CPU engine, the per-thread stream,
// the primitive cache, plus two float32 shorthands.
#pragma once
#include <dnnl.hpp>

#include "operator/dnnl/dnnl_common.h"

namespace mxl {
namespace dnnl_norm {

using dnnl_util::cpu_engine;
using dnnl_util::PrimitiveCache;
using dnnl_util::thread_stream;

// Plain row-major float32 descriptor.
inline dnnl::memory::desc plain_f32(const dnnl::memory::dims& dims) {
  return dnnl_util::plain_desc(dims, dnnl::memory::data_type::f32);
}

// Wraps a raw pointer without copying.
inline dnnl::memory wrap(const dnnl::memory::desc& md, const void* p) {
  return dnnl::memory(md, cpu_engine(), const_cast<void*>(p));
}

}  // namespace dnnl_norm
}  // namespace mxl
