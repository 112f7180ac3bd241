#include "operator/dnnl/dnnl_conv.h"

#include "operator/dnnl/dnnl_common.h"

namespace mxl {
namespace dnnl_util {
namespace {

using dnnl::algorithm;
using dnnl::prop_kind;
using tag = memory::format_tag;
constexpr auto f32 = memory::data_type::f32;

// The geometry as oneDNN dims.
struct ConvDims {
  memory::dims src, wei, bias, dst, strides, dilates, pad_l, pad_r;
};

ConvDims dims_of(const ConvGeom& g) {
  ConvDims d;
  d.src = {g.N, g.C};
  d.dst = {g.N, g.OC};
  if (g.G == 1) d.wei = {g.OC, g.C};
  else d.wei = {g.G, g.OC / g.G, g.C / g.G};
  d.bias = {g.OC};
  for (int i = 3 - g.nsp; i < 3; ++i) {  // spatial dims are the last nsp slots
    d.src.push_back(g.in[i]);
    d.dst.push_back(g.out[i]);
    d.wei.push_back(g.k[i]);
    d.strides.push_back(g.s[i]);
    d.dilates.push_back(g.d[i] - 1);  // oneDNN counts the gaps: 0 = dense
    d.pad_l.push_back(g.p[i]);
    d.pad_r.push_back(g.pad_right(i));
  }
  return d;
}

std::string key_of(const char* kind, const ConvDims& d, bool bias) {
  return KeyBuilder(kind)
      .add(d.src).add(d.wei).add(d.dst).add(d.strides).add(d.dilates).add(d.pad_l).add(d.pad_r)
      .add(bias ? 1 : 0)
      .str();
}

memory::desc any_desc(const memory::dims& dims) { return memory::desc(dims, f32, tag::any); }

// The forward descriptor, also the hint the backward descriptors need.
dnnl::convolution_forward::primitive_desc forward_pd(const ConvDims& d, bool bias) {
  const memory::desc bias_md = bias ? plain_desc(d.bias, f32) : memory::desc();
  return dnnl::convolution_forward::primitive_desc(
      cpu_engine(), prop_kind::forward_training, algorithm::convolution_direct, any_desc(d.src),
      any_desc(d.wei), bias_md, any_desc(d.dst), d.strides, d.dilates, d.pad_l, d.pad_r,
      default_attr());
}

// Entries remember when oneDNN refused a descriptor (ok = false): the caller
// then uses the im2col kernels.  Refusals depend on the implementation; seen
// for right paddings of -2 with 3x3 stride-2 kernels (a Deconvolution with
// adj > pad gives negative right paddings).
struct FwdEntry {
  bool ok = false;
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
  LayoutBridge src, wei, dst;
  memory::desc bias;
};

struct BwdDataEntry {
  bool ok = false;
  dnnl::convolution_backward_data::primitive_desc pd;
  dnnl::convolution_backward_data prim;
  LayoutBridge diff_dst, wei, diff_src;
};

struct BwdWeightsEntry {
  bool ok = false;
  dnnl::convolution_backward_weights::primitive_desc pd;
  dnnl::convolution_backward_weights prim;
  LayoutBridge src, diff_dst, diff_wei, diff_bias;
};

// The blocked layout a training forward leaves its data in for the weight
// gradient (see conv_src_copy_bytes): the forward primitive's source layout.
struct SrcCopyEntry {
  bool ok = false;  // oneDNN serves g and reorders its data
  memory::desc desc;
};

// A forward's blocked data handed to the weight gradient (data null: none).
struct SrcCopy {
  const float* data = nullptr;
  memory::desc desc;
};

PrimitiveCache<SrcCopyEntry>& src_copy_cache() {
  static PrimitiveCache<SrcCopyEntry> c;
  return c;
}

std::shared_ptr<const SrcCopyEntry> src_copy_entry(const ConvDims& d) {
  return src_copy_cache().get(key_of("conv_src_copy", d, false), [&] {
    auto entry = std::make_shared<SrcCopyEntry>();
    try {
      entry->desc = forward_pd(d, false).src_desc();
      entry->ok = entry->desc != plain_desc(d.src, f32);
    } catch (const dnnl::error&) {
      entry->ok = false;
    }
    return entry;
  });
}

PrimitiveCache<FwdEntry>& fwd_cache() {
  static PrimitiveCache<FwdEntry> c;
  return c;
}
PrimitiveCache<BwdDataEntry>& bwd_data_cache() {
  static PrimitiveCache<BwdDataEntry> c;
  return c;
}
PrimitiveCache<BwdWeightsEntry>& bwd_weights_cache() {
  static PrimitiveCache<BwdWeightsEntry> c;
  return c;
}

std::shared_ptr<const BwdDataEntry> bwd_data_entry(const ConvDims& d) {
  return bwd_data_cache().get(key_of("conv_bwd_data", d, false), [&] {
    auto entry = std::make_shared<BwdDataEntry>();
    dnnl::convolution_backward_data::primitive_desc pd;
    try {
      pd = dnnl::convolution_backward_data::primitive_desc(
          cpu_engine(), algorithm::convolution_direct, any_desc(d.src), any_desc(d.wei),
          any_desc(d.dst), d.strides, d.dilates, d.pad_l, d.pad_r, forward_pd(d, false),
          default_attr());
    } catch (const dnnl::error&) {
      return entry;
    }
    entry->ok = true;
    entry->pd = pd;
    entry->prim = dnnl::convolution_backward_data(pd);
    entry->diff_dst = LayoutBridge::make(plain_desc(d.dst, f32), pd.diff_dst_desc(), true, false);
    entry->wei = LayoutBridge::make(plain_desc(d.wei, f32), pd.weights_desc(), true, false);
    entry->diff_src = LayoutBridge::make(plain_desc(d.src, f32), pd.diff_src_desc(), false, true);
    return entry;
  });
}

// leave: write dx in the primitive's layout (can_leave_inner(e.diff_src)).
void run_bwd_data(Execution& ex, const BwdDataEntry& e, const float* dy, const float* w,
                  float* dx, bool leave) {
  ex.run(e.prim, e.pd,
         {{DNNL_ARG_DIFF_DST, ex.input(e.diff_dst, dy)},
          {DNNL_ARG_WEIGHTS, ex.input(e.wei, w)},
          {DNNL_ARG_DIFF_SRC, leave ? memory(e.diff_src.inner, cpu_engine(), dx)
                                    : ex.output(e.diff_src, dx)}});
}

std::shared_ptr<const BwdWeightsEntry> bwd_weights_entry(const ConvDims& d, bool has_bias) {
  return bwd_weights_cache().get(key_of("conv_bwd_weights", d, has_bias), [&] {
    auto entry = std::make_shared<BwdWeightsEntry>();
    const memory::desc bias_md = has_bias ? any_desc(d.bias) : memory::desc();
    dnnl::convolution_backward_weights::primitive_desc pd;
    try {
      pd = dnnl::convolution_backward_weights::primitive_desc(
          cpu_engine(), algorithm::convolution_direct, any_desc(d.src), any_desc(d.wei), bias_md,
          any_desc(d.dst), d.strides, d.dilates, d.pad_l, d.pad_r, forward_pd(d, has_bias),
          default_attr());
    } catch (const dnnl::error&) {
      return entry;
    }
    entry->ok = true;
    entry->pd = pd;
    entry->prim = dnnl::convolution_backward_weights(pd);
    entry->src = LayoutBridge::make(plain_desc(d.src, f32), pd.src_desc(), true, false);
    entry->diff_dst = LayoutBridge::make(plain_desc(d.dst, f32), pd.diff_dst_desc(), true, false);
    entry->diff_wei =
        LayoutBridge::make(plain_desc(d.wei, f32), pd.diff_weights_desc(), false, true);
    if (has_bias)
      entry->diff_bias =
          LayoutBridge::make(plain_desc(d.bias, f32), pd.diff_bias_desc(), false, true);
    return entry;
  });
}

void run_bwd_weights(Execution& ex, const BwdWeightsEntry& e, const float* x, const float* dy,
                     float* dw, float* db, const SrcCopy& copy) {
  const bool reuse = copy.data && copy.desc == e.src.inner;
  const memory src = reuse ? memory(e.src.inner, cpu_engine(), const_cast<float*>(copy.data))
                           : ex.input(e.src, x);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src},
                                       {DNNL_ARG_DIFF_DST, ex.input(e.diff_dst, dy)},
                                       {DNNL_ARG_DIFF_WEIGHTS, ex.output(e.diff_wei, dw)}};
  if (db) args[DNNL_ARG_DIFF_BIAS] = ex.output(e.diff_bias, db);
  ex.run(e.prim, e.pd, std::move(args));
}

}  // namespace

size_t conv_src_copy_bytes(const ConvGeom& g) {
  auto c = src_copy_entry(dims_of(g));
  return c->ok ? c->desc.get_size() : 0;
}

bool conv_forward_f32(const ConvGeom& g, const float* x, const float* w, const float* b, float* y,
                      float* src_copy, bool* copied, ToPlain* own_layout) {
  if (copied) *copied = false;
  const ConvDims d = dims_of(g);
  const bool has_bias = b != nullptr;
  auto e = fwd_cache().get(key_of("conv_fwd", d, has_bias), [&] {
    auto entry = std::make_shared<FwdEntry>();
    dnnl::convolution_forward::primitive_desc pd;
    try {
      pd = forward_pd(d, has_bias);
    } catch (const dnnl::error&) {
      return entry;
    }
    entry->ok = true;
    entry->pd = pd;
    entry->prim = dnnl::convolution_forward(pd);
    entry->src = LayoutBridge::make(plain_desc(d.src, f32), pd.src_desc(), true, false);
    entry->wei = LayoutBridge::make(plain_desc(d.wei, f32), pd.weights_desc(), true, false);
    entry->dst = LayoutBridge::make(plain_desc(d.dst, f32), pd.dst_desc(), false, true);
    if (has_bias) entry->bias = pd.bias_desc();
    return entry;
  });
  if (!e->ok) return false;
  Execution ex;
  memory src;
  if (src_copy && e->src.needed && e->src.inner == src_copy_entry(d)->desc) {
    src = memory(e->src.inner, cpu_engine(), src_copy);  // the reorder's target is kept
    ex.run(e->src.to_inner, e->src.to_inner_pd,
           {{DNNL_ARG_FROM, memory(e->src.user, cpu_engine(), const_cast<float*>(x))},
            {DNNL_ARG_TO, src}});
    if (copied) *copied = true;
  } else {
    src = ex.input(e->src, x);
  }
  const bool leave = own_layout && can_leave_inner(e->dst);
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, src},
      {DNNL_ARG_WEIGHTS, ex.input(e->wei, w)},
      {DNNL_ARG_DST, leave ? memory(e->dst.inner, cpu_engine(), y) : ex.output(e->dst, y)}};
  if (has_bias) args[DNNL_ARG_BIAS] = memory(e->bias, cpu_engine(), const_cast<float*>(b));
  ex.run(e->prim, e->pd, std::move(args));
  ex.finish();
  if (leave) *own_layout = plain_converter(e, e->dst);
  return true;
}

bool conv_backward_data_f32(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  return conv_backward_f32(g, nullptr, w, dy, dx, nullptr, nullptr);
}

bool conv_backward_weights_f32(const ConvGeom& g, const float* x, const float* dy, float* dw,
                               float* db) {
  return conv_backward_f32(g, x, nullptr, dy, nullptr, dw, db);
}

bool conv_backward_f32(const ConvGeom& g, const float* x, const float* w, const float* dy,
                       float* dx, float* dw, float* db, const float* src_copy,
                       ToPlain* dx_layout) {
  const ConvDims d = dims_of(g);
  std::shared_ptr<const BwdDataEntry> ed;
  std::shared_ptr<const BwdWeightsEntry> ew;
  if (dx && !(ed = bwd_data_entry(d))->ok) return false;
  if (dw && !(ew = bwd_weights_entry(d, db != nullptr))->ok) return false;
  SrcCopy copy;
  if (src_copy && dw) {
    auto c = src_copy_entry(d);
    if (c->ok) copy = SrcCopy{src_copy, c->desc};
  }
  Execution ex;
  const bool leave = dx && dx_layout && can_leave_inner(ed->diff_src);
  if (dx) {
    run_bwd_data(ex, *ed, dy, w, dx, leave);
    ex.flush_outputs();  // dx's reorder reads the blocked result from cache
  }
  if (dw) run_bwd_weights(ex, *ew, x, dy, dw, db, copy);
  ex.finish();
  if (leave) *dx_layout = plain_converter(ed, ed->diff_src);
  return true;
}

size_t conv_cache_size() {
  return fwd_cache().size() + bwd_data_cache().size() + bwd_weights_cache().size();
}

}  // namespace dnnl_util
}  // namespace mxl
