#include "operator/dnnl/dnnl_common.h"

#include "common/error.h"

namespace mxl {
namespace dnnl_util {

dnnl::engine& cpu_engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

dnnl::stream& thread_stream() {
  thread_local dnnl::stream s(cpu_engine());
  return s;
}

memory::data_type to_dnnl(DType t) {
  switch (t) {
    case DType::kFloat32: return memory::data_type::f32;
    case DType::kFloat16: return memory::data_type::f16;
    case DType::kInt32: return memory::data_type::s32;
    case DType::kInt8: return memory::data_type::s8;
    case DType::kUInt8: return memory::data_type::u8;
    default:
      throw_error(MXL_ERR_NOT_IMPLEMENTED, "oneDNN has no ", dtype_name(t), " data type");
  }
}

memory::dims to_dims(const Shape& s) { return memory::dims(s.begin(), s.end()); }

memory::desc plain_desc(const memory::dims& dims, memory::data_type dt) {
  // Row-major strides: oneDNN's plain "abcd..." layout for any rank.
  memory::dims strides(dims.size());
  memory::dim st = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    strides[i] = st;
    st *= dims[i] > 0 ? dims[i] : 1;
  }
  return memory::desc(dims, dt, strides);
}

dnnl::primitive_attr default_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

LayoutBridge LayoutBridge::make(const memory::desc& user, const memory::desc& inner, bool in,
                                bool out) {
  LayoutBridge b;
  b.user = user;
  b.inner = inner;
  b.needed = user != inner;
  if (!b.needed) return b;
  const dnnl::primitive_attr attr = default_attr();
  if (in) {
    b.to_inner_pd = dnnl::reorder::primitive_desc(cpu_engine(), user, cpu_engine(), inner, attr);
    b.to_inner = dnnl::reorder(b.to_inner_pd);
  }
  if (out) {
    b.to_user_pd = dnnl::reorder::primitive_desc(cpu_engine(), inner, cpu_engine(), user, attr);
    b.to_user = dnnl::reorder(b.to_user_pd);
  }
  return b;
}

ToPlain plain_converter(std::shared_ptr<const void> owner, const LayoutBridge& b) {
  const LayoutBridge* bridge = &b;
  return [owner, bridge](const void* src, void* dst) {
    Execution ex;
    ex.run(bridge->to_user, bridge->to_user_pd,
           {{DNNL_ARG_FROM, memory(bridge->inner, cpu_engine(), const_cast<void*>(src))},
            {DNNL_ARG_TO, memory(bridge->user, cpu_engine(), dst)}});
    ex.finish();
  };
}

memory Execution::temp(const memory::desc& d) {
  buffers_.push_back(std::make_unique<PoolBuffer>(d.get_size()));
  return memory(d, cpu_engine(), buffers_.back()->data());
}

memory Execution::input(const LayoutBridge& b, const void* ptr) {
  memory user(b.user, cpu_engine(), const_cast<void*>(ptr));
  if (!b.needed) return user;
  MXL_CHECK(b.to_inner, MXL_ERR_RUNTIME, "oneDNN layout bridge has no input reorder");
  for (const Reordered& r : reordered_)
    if (r.user == ptr && r.inner.get_desc() == b.inner) return r.inner;
  memory inner = temp(b.inner);
  run(b.to_inner, b.to_inner_pd, {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, inner}});
  reordered_.push_back({ptr, inner});
  return inner;
}

memory Execution::output(const LayoutBridge& b, void* ptr) {
  memory user(b.user, cpu_engine(), ptr);
  if (!b.needed) return user;
  MXL_CHECK(b.to_user, MXL_ERR_RUNTIME, "oneDNN layout bridge has no output reorder");
  memory inner = temp(b.inner);
  pending_.push_back({&b.to_user, &b.to_user_pd, inner, user});
  return inner;
}

void Execution::run(const dnnl::primitive& p, const dnnl::primitive_desc_base& pd,
                    std::unordered_map<int, memory> args) {
  const memory::desc sp = pd.scratchpad_desc();
  if (sp.get_size() > 0) args[DNNL_ARG_SCRATCHPAD] = temp(sp);
  p.execute(stream_, args);
}

void Execution::flush_outputs() {
  for (const PendingOut& p : pending_)
    run(*p.prim, *p.pd, {{DNNL_ARG_FROM, p.from}, {DNNL_ARG_TO, p.to}});
  pending_.clear();
}

void Execution::finish() {
  flush_outputs();
  stream_.wait();
}

}  // namespace dnnl_util
}  // namespace mxl
