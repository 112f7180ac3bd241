#include "operator/dnnl/dnnl_pooling.h"

#include <algorithm>

#include "operator/dnnl/dnnl_common.h"

namespace mxl {
namespace dnnl_util {
namespace {

struct PoolEntry {
  bool ok = false;  // oneDNN refused the descriptor: use the loops
  dnnl::pooling_forward::primitive_desc pd;
  dnnl::pooling_forward prim;
  memory::desc src, dst;
};

PrimitiveCache<PoolEntry>& pool_cache() {
  static PrimitiveCache<PoolEntry> c;
  return c;
}

}  // namespace

bool pool_forward_f32(const PoolGeom& g, const float* x, float* y) {
  dnnl::algorithm alg;
  switch (g.type) {
    case PoolType::kMax: alg = dnnl::algorithm::pooling_max; break;
    case PoolType::kAvg:
      alg = g.count_include_pad ? dnnl::algorithm::pooling_avg_include_padding
                                : dnnl::algorithm::pooling_avg_exclude_padding;
      break;
    default: return false;
  }
  memory::dims src{g.N, g.C}, dst{g.N, g.C}, kernel, strides, dil, pl, pr;
  for (int i = 3 - g.nsp; i < 3; ++i) {
    // A window made only of padding has no MXNet-compatible oneDNN answer.
    const int64_t right = g.pad_right(i);
    if (g.p[i] >= g.k[i] || right >= g.k[i]) return false;
    if (g.type == PoolType::kAvg && g.count_include_pad && right > g.p[i]) return false;
    src.push_back(g.in[i]);
    dst.push_back(g.out[i]);
    kernel.push_back(g.k[i]);
    strides.push_back(g.s[i]);
    dil.push_back(0);
    pl.push_back(g.p[i]);
    // A negative right padding (input rows no window reaches) is expressed
    // as zero: oneDNN's output-size rule rounds down, giving the same size.
    pr.push_back(std::max<int64_t>(right, 0));
  }
  const std::string key = KeyBuilder("pool_fwd")
                              .add(static_cast<int64_t>(alg))
                              .add(src).add(dst).add(kernel).add(strides).add(pl).add(pr)
                              .str();
  auto e = pool_cache().get(key, [&] {
    auto entry = std::make_shared<PoolEntry>();
    entry->src = plain_desc(src, memory::data_type::f32);
    entry->dst = plain_desc(dst, memory::data_type::f32);
    try {
      entry->pd = dnnl::pooling_forward::primitive_desc(
          cpu_engine(), dnnl::prop_kind::forward_inference, alg, entry->src, entry->dst, strides,
          kernel, dil, pl, pr, default_attr());
      entry->prim = dnnl::pooling_forward(entry->pd);
      entry->ok = true;
    } catch (const dnnl::error&) {
      entry->ok = false;  // unsupported configuration: remembered, loops take it
    }
    return entry;
  });
  if (!e->ok) return false;
  Execution ex;
  ex.run(e->prim, e->pd,
         {{DNNL_ARG_SRC, memory(e->src, cpu_engine(), const_cast<float*>(x))},
          {DNNL_ARG_DST, memory(e->dst, cpu_engine(), y)}});
  ex.finish();
  return true;
}

}  // namespace dnnl_util
}  // namespace mxl
