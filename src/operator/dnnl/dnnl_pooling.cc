#include "operator/dnnl/dnnl_pooling.h"

#include <algorithm>

#include "operator/dnnl/dnnl_common.h"

namespace mxl {
namespace dnnl_util {
namespace {

using dnnl::algorithm;
using dnnl::prop_kind;
constexpr auto f32 = memory::data_type::f32;

// The pooling in oneDNN terms; false when oneDNN's semantics differ.
struct PoolDims {
  algorithm alg;
  memory::dims src, dst, kernel, strides, dil, pl, pr;
  std::string key(const char* kind) const {
    return KeyBuilder(kind)
        .add(static_cast<int64_t>(alg))
        .add(src).add(dst).add(kernel).add(strides).add(pl).add(pr)
        .str();
  }
};

bool pool_dims(const PoolGeom& g, PoolDims* d) {
  switch (g.type) {
    case PoolType::kMax: d->alg = algorithm::pooling_max; break;
    case PoolType::kAvg:
      d->alg = g.count_include_pad ? algorithm::pooling_avg_include_padding
                                   : algorithm::pooling_avg_exclude_padding;
      break;
    default: return false;
  }
  d->src = {g.N, g.C};
  d->dst = {g.N, g.C};
  for (int i = 3 - g.nsp; i < 3; ++i) {
    // A window made only of padding has no MXNet-compatible oneDNN answer.
    const int64_t right = g.pad_right(i);
    if (g.p[i] >= g.k[i] || right >= g.k[i]) return false;
    if (g.type == PoolType::kAvg && g.count_include_pad && right > g.p[i]) return false;
    d->src.push_back(g.in[i]);
    d->dst.push_back(g.out[i]);
    d->kernel.push_back(g.k[i]);
    d->strides.push_back(g.s[i]);
    d->dil.push_back(0);
    d->pl.push_back(g.p[i]);
    // A negative right padding (input rows no window reaches) is expressed
    // as zero: oneDNN's output-size rule rounds down, giving the same size.
    d->pr.push_back(std::max<int64_t>(right, 0));
  }
  return true;
}

dnnl::pooling_forward::primitive_desc forward_pd(const PoolDims& d, prop_kind kind) {
  return dnnl::pooling_forward::primitive_desc(cpu_engine(), kind, d.alg, plain_desc(d.src, f32),
                                               plain_desc(d.dst, f32), d.strides, d.kernel, d.dil,
                                               d.pl, d.pr, default_attr());
}

struct FwdEntry {
  bool ok = false;  // oneDNN refused the descriptor: the loops take it
  dnnl::pooling_forward::primitive_desc pd;
  dnnl::pooling_forward prim;
};

// The training forward of max pooling: its workspace (the argmax of each
// window) is what the backward reads.
struct TrainEntry {
  bool ok = false;
  dnnl::pooling_forward::primitive_desc pd;
  dnnl::pooling_forward prim;
};

struct BwdEntry {
  bool ok = false;
  std::shared_ptr<const TrainEntry> fwd;  // max pooling: the forward that fills the workspace
  dnnl::pooling_backward::primitive_desc pd;
  dnnl::pooling_backward prim;
};

PrimitiveCache<FwdEntry>& fwd_cache() {
  static PrimitiveCache<FwdEntry> c;
  return c;
}
PrimitiveCache<TrainEntry>& train_cache() {
  static PrimitiveCache<TrainEntry> c;
  return c;
}
PrimitiveCache<BwdEntry>& bwd_cache() {
  static PrimitiveCache<BwdEntry> c;
  return c;
}

// Null when oneDNN does not serve g (or g is not max pooling).
std::shared_ptr<const TrainEntry> train_entry(const PoolGeom& g) {
  PoolDims d;
  if (g.type != PoolType::kMax || !pool_dims(g, &d)) return nullptr;
  auto e = train_cache().get(d.key("pool_fwd_train"), [&] {
    auto entry = std::make_shared<TrainEntry>();
    try {
      entry->pd = forward_pd(d, prop_kind::forward_training);
      entry->prim = dnnl::pooling_forward(entry->pd);
      entry->ok = true;
    } catch (const dnnl::error&) {
      entry->ok = false;
    }
    return entry;
  });
  return e->ok ? e : nullptr;
}

void run_train(Execution& ex, const TrainEntry& e, const float* x, memory dst, memory ws) {
  ex.run(e.prim, e.pd,
         {{DNNL_ARG_SRC, memory(e.pd.src_desc(), cpu_engine(), const_cast<float*>(x))},
          {DNNL_ARG_DST, dst},
          {DNNL_ARG_WORKSPACE, ws}});
}

}  // namespace

bool pool_forward_f32(const PoolGeom& g, const float* x, float* y) {
  PoolDims d;
  if (!pool_dims(g, &d)) return false;
  auto e = fwd_cache().get(d.key("pool_fwd"), [&] {
    auto entry = std::make_shared<FwdEntry>();
    try {
      entry->pd = forward_pd(d, prop_kind::forward_inference);
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
         {{DNNL_ARG_SRC, memory(e->pd.src_desc(), cpu_engine(), const_cast<float*>(x))},
          {DNNL_ARG_DST, memory(e->pd.dst_desc(), cpu_engine(), y)}});
  ex.finish();
  return true;
}

size_t pool_workspace_bytes(const PoolGeom& g) {
  auto e = train_entry(g);
  return e ? e->pd.workspace_desc().get_size() : 0;
}

bool pool_forward_train_f32(const PoolGeom& g, const float* x, float* y, void* ws) {
  auto e = train_entry(g);
  if (!e) return false;
  Execution ex;
  run_train(ex, *e, x, memory(e->pd.dst_desc(), cpu_engine(), y),
            memory(e->pd.workspace_desc(), cpu_engine(), ws));
  ex.finish();
  return true;
}

bool pool_backward_f32(const PoolGeom& g, const float* dy, const float* x, const void* ws,
                       float* dx) {
  PoolDims d;
  if (!pool_dims(g, &d)) return false;
  const bool is_max = d.alg == algorithm::pooling_max;
  auto e = bwd_cache().get(d.key("pool_bwd"), [&] {
    auto entry = std::make_shared<BwdEntry>();
    try {
      dnnl::pooling_forward::primitive_desc hint;
      if (is_max) {
        entry->fwd = train_entry(g);
        if (!entry->fwd) return entry;
        hint = entry->fwd->pd;
      } else {
        hint = forward_pd(d, prop_kind::forward_training);
      }
      entry->pd = dnnl::pooling_backward::primitive_desc(
          cpu_engine(), d.alg, plain_desc(d.src, f32), plain_desc(d.dst, f32), d.strides,
          d.kernel, d.dil, d.pl, d.pr, hint, default_attr());
      entry->prim = dnnl::pooling_backward(entry->pd);
      entry->ok = true;
    } catch (const dnnl::error&) {
      entry->ok = false;
    }
    return entry;
  });
  if (!e->ok) return false;
  Execution ex;
  std::unordered_map<int, memory> args{
      {DNNL_ARG_DIFF_DST, memory(e->pd.diff_dst_desc(), cpu_engine(), const_cast<float*>(dy))},
      {DNNL_ARG_DIFF_SRC, memory(e->pd.diff_src_desc(), cpu_engine(), dx)}};
  if (is_max) {
    const memory::desc& ws_desc = e->fwd->pd.workspace_desc();
    memory wsm = ws ? memory(ws_desc, cpu_engine(), const_cast<void*>(ws)) : ex.temp(ws_desc);
    if (!ws) run_train(ex, *e->fwd, x, ex.temp(e->fwd->pd.dst_desc()), wsm);
    args[DNNL_ARG_WORKSPACE] = wsm;
  }
  ex.run(e->prim, e->pd, std::move(args));
  ex.finish();
  return true;
}

}  // namespace dnnl_util
}  // namespace mxl
