// A minimal oneDNN helper for the normalization kernels: one CPU engine, a
// stream per thread, and a cache of primitives by a text key (building a
// primitive JIT-compiles code, far more than running it on a small tensor).
//
// Kept local to the normalization files on purpose: a general oneDNN helper
// (src/operator/dnnl/) is being written for convolution on another branch,
// and this one should fold into it when the two meet.
#pragma once
#include <dnnl.hpp>

#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace mxl {
namespace dnnl_norm {

inline dnnl::engine& cpu_engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

inline dnnl::stream& thread_stream() {
  thread_local dnnl::stream s(cpu_engine());
  return s;
}

// Plain row-major f32 memory descriptor.
inline dnnl::memory::desc plain_f32(const dnnl::memory::dims& dims) {
  dnnl::memory::format_tag tag = dnnl::memory::format_tag::a;
  switch (dims.size()) {
    case 1: tag = dnnl::memory::format_tag::a; break;
    case 2: tag = dnnl::memory::format_tag::ab; break;
    case 3: tag = dnnl::memory::format_tag::abc; break;
    case 4: tag = dnnl::memory::format_tag::abcd; break;
    default: tag = dnnl::memory::format_tag::abcde; break;
  }
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, tag);
}

// Wraps a raw pointer without copying.
inline dnnl::memory wrap(const dnnl::memory::desc& md, const void* p) {
  return dnnl::memory(md, cpu_engine(), const_cast<void*>(p));
}

// A bounded LRU cache of built objects (primitive descriptors and
// primitives), shared by all threads: oneDNN primitives may execute
// concurrently.
template <typename V>
class PrimitiveCache {
 public:
  explicit PrimitiveCache(size_t capacity = 64) : cap_(capacity) {}

  // Returns the cached value for key, building it with make() on a miss.
  template <typename Make>
  V get(const std::string& key, Make&& make) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      auto it = map_.find(key);
      if (it != map_.end()) {
        order_.splice(order_.begin(), order_, it->second);
        return it->second->second;
      }
    }
    V v = make();  // outside the lock: building can take milliseconds
    std::lock_guard<std::mutex> lk(mu_);
    if (map_.find(key) == map_.end()) {
      order_.emplace_front(key, v);
      map_[key] = order_.begin();
      if (map_.size() > cap_) {
        map_.erase(order_.back().first);
        order_.pop_back();
      }
    }
    return v;
  }

 private:
  size_t cap_;
  std::mutex mu_;
  std::list<std::pair<std::string, V>> order_;
  std::unordered_map<std::string, typename std::list<std::pair<std::string, V>>::iterator> map_;
};

}  // namespace dnnl_norm
}  // namespace mxl
