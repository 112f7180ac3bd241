#include "executor/memory_plan.h"

#include <cstdlib>
#include <cstring>
#include <map>

namespace mxl {
namespace exec {

namespace {

bool env_off(const char* name) {
  const char* v = std::getenv(name);
  return v && (std::strcmp(v, "0") == 0 || std::strcmp(v, "false") == 0 ||
               std::strcmp(v, "False") == 0);
}

// Blocks are sized in whole cache lines, as the pool hands them out.
int64_t round_bytes(int64_t b) { return (b + 63) / 64 * 64; }

}  // namespace

PlanOptions PlanOptions::from_env() {
  PlanOptions o;
  o.enable = !env_off("MXL_MEMORY_PLAN");
  o.inplace = !env_off("MXNET_EXEC_ENABLE_INPLACE");
  return o;
}

MemoryPlan plan_memory(const symbol::IndexedGraph& g, const std::vector<Shape>& shapes,
                       const std::vector<DType>& dtypes, const std::vector<char>& external,
                       const PlanOptions& opt) {
  const size_t ne = g.num_entries();
  MemoryPlan plan;
  plan.storage.assign(ne, -1);
  std::vector<int> refs(ne, 0);
  for (uint32_t nid = 0; nid < g.num_nodes(); ++nid)
    for (const auto& e : g[nid].inputs) ++refs[g.entry_id(e)];
  auto bytes_of = [&](uint32_t eid) {
    return round_bytes(shapes[eid].numel() * dtype_size(dtypes[eid]));
  };

  std::vector<int> live;  // per block: entries using it now
  // Free blocks by dtype, then size: a block is an array of one dtype and
  // entries are typed views of its first elements.
  std::map<DType, std::multimap<int64_t, int>> free_sets;
  auto new_block = [&](int64_t bytes, DType t) {
    plan.block_bytes.push_back(bytes);
    plan.block_dtypes.push_back(t);
    live.push_back(0);
    return static_cast<int>(plan.block_bytes.size()) - 1;
  };
  auto take_free = [&](int64_t bytes, DType t) -> int {
    auto& free_set = free_sets[t];
    if (free_set.empty()) return -1;
    auto it = free_set.lower_bound(bytes);
    if (it == free_set.end()) {
      // Nothing large enough: growing the largest free block costs fewer
      // bytes than a new one.
      it = std::prev(free_set.end());
      plan.block_bytes[it->second] = bytes;
    }
    int b = it->second;
    free_set.erase(it);
    return b;
  };
  auto release = [&](uint32_t eid) {
    const int b = plan.storage[eid];
    if (b < 0 || !opt.enable) return;
    if (--live[b] == 0) free_sets[plan.block_dtypes[b]].emplace(plan.block_bytes[b], b);
  };

  for (uint32_t nid = 0; nid < g.num_nodes(); ++nid) {
    const symbol::Node& n = g.node(nid);
    if (n.is_variable()) continue;
    const auto& ins = g[nid].inputs;
    const int nout = n.num_outputs();
    std::vector<char> donated(ins.size(), 0);
    for (int i = 0; i < nout; ++i) {
      const uint32_t eid = g.entry_id(nid, static_cast<uint32_t>(i));
      if (external[eid]) continue;
      const int64_t bytes = bytes_of(eid);
      plan.naive_bytes += bytes;
      if (!opt.enable) {
        plan.storage[eid] = new_block(bytes, dtypes[eid]);
        live.back() = 1;
        continue;
      }
      int block = -1;
      if (opt.inplace) {
        for (size_t k = 0; k < ins.size() && block < 0; ++k) {
          const uint32_t ie = g.entry_id(ins[k]);
          const int b = plan.storage[ie];
          if (b < 0 || donated[k] || refs[ie] != 1 || live[b] != 1) continue;
          if (shapes[ie] != shapes[eid] || dtypes[ie] != dtypes[eid]) continue;
          if (!n.op->is_inplace(*n.params, static_cast<int>(k), i)) continue;
          block = b;
          donated[k] = 1;
          ++plan.inplace_count;
        }
      }
      if (block < 0) block = take_free(bytes, dtypes[eid]);
      if (block < 0) block = new_block(bytes, dtypes[eid]);
      plan.storage[eid] = block;
      ++live[block];
    }
    for (const auto& e : ins) {
      const uint32_t ie = g.entry_id(e);
      if (--refs[ie] == 0) release(ie);
    }
    // Outputs nobody reads (unused hidden outputs) are dead at once.
    for (int i = 0; i < nout; ++i) {
      const uint32_t eid = g.entry_id(nid, static_cast<uint32_t>(i));
      if (refs[eid] == 0) release(eid);
    }
  }
  for (int64_t b : plan.block_bytes) plan.planned_bytes += b;
  return plan;
}

}  // namespace exec
}  // namespace mxl
