#include <cstring>
#include <string>
#include <unordered_map>

#include "imperative/invoke.h"

namespace mxl {
namespace imperative {
namespace {

struct CacheEntry {
  std::vector<std::string> keys, vals;
  std::shared_ptr<const Params> params;
};

// A few recent attribute sets per op; a training loop cycles through few.
constexpr size_t kEntriesPerOp = 8;

bool same_strings(const std::vector<std::string>& a, int n, const char* const* b) {
  if (a.size() != static_cast<size_t>(n)) return false;
  for (int i = 0; i < n; ++i)
    if (std::strcmp(a[i].c_str(), b[i]) != 0) return false;
  return true;
}

}  // namespace

std::shared_ptr<const Params> cached_params(const OpDef* op, int n, const char* const* keys,
                                            const char* const* vals) {
  thread_local std::unordered_map<const OpDef*, std::vector<CacheEntry>> cache;
  thread_local std::unordered_map<const OpDef*, std::shared_ptr<const Params>> defaults;
  if (n == 0) {
    auto& d = defaults[op];
    if (!d) {
      auto p = std::make_shared<Params>(op);
      p->check_required();
      d = std::move(p);
    }
    return d;
  }
  auto& entries = cache[op];
  for (size_t i = 0; i < entries.size(); ++i) {
    if (same_strings(entries[i].keys, n, keys) && same_strings(entries[i].vals, n, vals)) {
      if (i) std::swap(entries[i], entries[0]);  // keep the hot set first
      return entries[0].params;
    }
  }
  auto p = std::make_shared<Params>(op);
  for (int i = 0; i < n; ++i) p->set(keys[i], vals[i]);
  p->check_required();
  CacheEntry e;
  e.keys.assign(keys, keys + n);
  e.vals.assign(vals, vals + n);
  e.params = std::move(p);
  if (entries.size() >= kEntriesPerOp) entries.pop_back();
  entries.insert(entries.begin(), std::move(e));
  return entries[0].params;
}

}  // namespace imperative
}  // namespace mxl
