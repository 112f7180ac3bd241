// Shared oneDNN (v3) plumbing for the ops that use it: convolution, pooling,
// and later the normalization ops.
//
// * one CPU engine for the process and one stream per thread (a stream is
//   cheap, and per-thread streams keep concurrent engine workers apart);
// * plain (row-major) memory descriptors for our TBlobs: mxlite arrays are
//   always C-order, so every user-side tensor is "abcd..." in oneDNN terms;
// * a thread-safe primitive cache keyed by a byte string of shapes and
//   parameters: building a primitive descriptor and JIT-compiling its kernel
//   costs far more than running a small primitive;
// * LayoutBridge: a reorder between the user's plain layout and the layout a
//   primitive chose (memory::format_tag::any), built once with the cached
//   primitive and skipped when the two agree;
// * Execution: runs primitives with temporaries taken from the storage pool
//   (reordered tensors, the user-mode scratchpad) and returns them after.
//
// Primitives are created with scratchpad_mode::user: oneDNN's default
// library-managed scratchpad is shared between primitives and would not be
// safe when two engine threads run oneDNN primitives at once.
#pragma once
#include <dnnl.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/dtype.h"
#include "common/shape.h"
#include "ndarray/ndarray.h"
#include "storage/storage.h"

namespace mxl {
namespace dnnl_util {

using dnnl::memory;

dnnl::engine& cpu_engine();
// The calling thread's stream on cpu_engine().
dnnl::stream& thread_stream();

// oneDNN's element type for t; throws NOT_IMPLEMENTED for dtypes it lacks.
memory::data_type to_dnnl(DType t);
memory::dims to_dims(const Shape& s);
// Row-major descriptor ("abcd..." / nchw, oihw, goihw...) for dims.
memory::desc plain_desc(const memory::dims& dims, memory::data_type dt);
inline memory::desc plain_desc(const TBlob& b) {
  return plain_desc(to_dims(b.shape), to_dnnl(b.dtype));
}
// Primitive attributes every mxlite primitive uses (user-managed scratchpad).
dnnl::primitive_attr default_attr();

// Builds cache keys: a byte string of integers, dims and tags.
class KeyBuilder {
 public:
  explicit KeyBuilder(const char* kind) : s_(kind) { s_.push_back('\0'); }
  KeyBuilder& add(int64_t v) {
    s_.append(reinterpret_cast<const char*>(&v), sizeof v);
    return *this;
  }
  KeyBuilder& add(const memory::dims& d) {
    add(static_cast<int64_t>(d.size()));
    for (auto v : d) add(static_cast<int64_t>(v));
    return *this;
  }
  std::string str() const { return s_; }

 private:
  std::string s_;
};

// A process-wide map from key to an immutable cached object (a primitive
// with its descriptors).  Creation runs outside the lock, so two threads
// may build the same entry once each; the first one stored wins.  Bounded:
// past `capacity` entries the map is cleared (shapes in a real workload are
// few; a sweep over many shapes should not grow memory without limit).
template <typename V>
class PrimitiveCache {
 public:
  explicit PrimitiveCache(size_t capacity = 1024) : capacity_(capacity) {}

  std::shared_ptr<const V> get(const std::string& key,
                               const std::function<std::shared_ptr<V>()>& make) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = map_.find(key);
      if (it != map_.end()) return it->second;
    }
    std::shared_ptr<const V> made = make();
    std::lock_guard<std::mutex> lock(mu_);
    if (map_.size() >= capacity_) map_.clear();
    auto ins = map_.emplace(key, made);
    return ins.first->second;
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return map_.size();
  }

 private:
  size_t capacity_;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const V>> map_;
};

// User layout <-> primitive layout.  `needed` is false when they agree.
struct LayoutBridge {
  memory::desc user, inner;
  bool needed = false;
  dnnl::reorder to_inner, to_user;  // built only when needed
  dnnl::reorder::primitive_desc to_inner_pd, to_user_pd;

  // to_inner is built when `in` (data flows user -> primitive), to_user when
  // `out` (primitive -> user).
  static LayoutBridge make(const memory::desc& user, const memory::desc& inner, bool in, bool out);
};

// The converter for bridge b's output direction; `owner` (the cache entry
// holding b) stays alive with it.
ToPlain plain_converter(std::shared_ptr<const void> owner, const LayoutBridge& b);

// Whether an output through b may be left in the primitive's layout: a
// reorder would be needed and both layouts take the same bytes.
inline bool can_leave_inner(const LayoutBridge& b) {
  return b.needed && b.inner.get_size() == b.user.get_size();
}

// A temporary from the storage pool, returned on destruction.
class PoolBuffer {
 public:
  explicit PoolBuffer(size_t bytes) : block_(storage::alloc(bytes ? bytes : 1)) {}
  ~PoolBuffer() { storage::release(block_); }
  PoolBuffer(const PoolBuffer&) = delete;
  PoolBuffer& operator=(const PoolBuffer&) = delete;
  void* data() const { return block_.ptr; }

 private:
  storage::Block block_;
};

// One run of one or more primitives on the calling thread's stream.
class Execution {
 public:
  Execution() : stream_(thread_stream()) {}
  // The primitive-side memory for a user input at `ptr`: the user buffer
  // itself, or a pooled temporary filled by the bridge's reorder.  A buffer
  // already reordered to the same layout in this execution is reused (the
  // data and weight gradients of a convolution both read dy).
  memory input(const LayoutBridge& b, const void* ptr);
  // The primitive-side memory for a user output at `ptr`; when it is a
  // temporary, finish() reorders it into the user buffer.
  memory output(const LayoutBridge& b, void* ptr);
  // A pooled temporary of the given descriptor (no reorder).
  memory temp(const memory::desc& d);
  // Runs p; adds the scratchpad argument when pd needs one.
  void run(const dnnl::primitive& p, const dnnl::primitive_desc_base& pd,
           std::unordered_map<int, memory> args);
  // Runs the pending output reorders now, while the primitive's output is
  // still in cache (finish() would run them after any later primitive).
  void flush_outputs();
  // Pending output reorders, then waits for the stream.
  void finish();

 private:
  dnnl::stream& stream_;
  std::vector<std::unique_ptr<PoolBuffer>> buffers_;
  struct PendingOut {
    const dnnl::reorder* prim;
    const dnnl::reorder::primitive_desc* pd;
    memory from, to;
  };
  std::vector<PendingOut> pending_;
  struct Reordered {
    const void* user;
    memory inner;
  };
  std::vector<Reordered> reordered_;
};

}  // namespace dnnl_util
}  // namespace mxl
