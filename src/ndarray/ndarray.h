// NDArray: a typed, shaped view onto a reference-counted storage chunk.
// The chunk owns the memory and the engine Var that orders every op touching
// it; views (reshape, first-axis slices) share the chunk and its Var.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "common/dtype.h"
#include "common/shape.h"
#include "engine/engine.h"
#include "storage/storage.h"

namespace mxl {

// A kernel may leave its output in a layout of its own (oneDNN's blocked
// convolution layout) instead of the row-major one every other reader
// expects: it stores a converter, and the first NDArray::data() call turns
// the chunk row-major again (into a fresh block, which replaces the old
// one).  A result nobody reads is never converted, as in MXNet.  Readers get
// their pointer through data() when they run, so none can hold the old one.
// False when MXL_OWN_LAYOUTS=0: every kernel then writes row-major at once
// (for comparisons and debugging).
bool own_layouts_enabled();

// to_plain(src, dst): writes the row-major equivalent of src (a kernel's
// own layout) to dst.
using ToPlain = std::function<void(const void* src, void* dst)>;

struct Chunk {
  void* data = nullptr;
  size_t bytes = 0;
  storage::Block block;                    // pooled memory, or empty
  std::function<void()> external_release;  // imported memory (DLPack), or empty
  engine::Var* var = nullptr;
  // Set when the memory left the library (DLPack export): its address must
  // stay, so no kernel may leave it in a layout of its own.
  std::atomic<bool> pinned{false};

  Chunk() = default;
  Chunk(const Chunk&) = delete;
  Chunk& operator=(const Chunk&) = delete;
  // Hands the memory back only after pending ops on var finished.
  ~Chunk();

  bool has_own_layout() const { return own_layout_.load(std::memory_order_acquire); }
  // Called by the kernel that just wrote the chunk in its own layout.
  void set_own_layout(ToPlain to_plain);
  // Converts to row-major if needed (thread-safe; data may move).
  void make_plain();
  // Forgets the layout without converting: for a kernel about to overwrite
  // the whole chunk.
  void discard_own_layout();

 private:
  std::atomic<bool> own_layout_{false};
  ToPlain to_plain_;
  std::mutex layout_mu_;
};

// What a kernel sees: a pointer, a shape and a dtype.  No ownership.
struct TBlob {
  void* dptr = nullptr;
  Shape shape;
  DType dtype = DType::kFloat32;

  template <typename T>
  T* ptr() const { return static_cast<T*>(dptr); }
  int64_t numel() const { return shape.numel(); }
  int64_t nbytes() const { return numel() * dtype_size(dtype); }
};

class NDArray {
 public:
  NDArray() = default;
  // Allocates C-order storage from the pool.
  NDArray(const Shape& shape, DType dtype);
  // Wraps external memory; release is called once the storage is unused.
  static NDArray from_external(void* data, const Shape& shape, DType dtype,
                               std::function<void()> release);

  bool is_none() const { return chunk_ == nullptr; }
  const Shape& shape() const { return shape_; }
  DType dtype() const { return dtype_; }
  int64_t numel() const { return shape_.numel(); }
  int64_t nbytes() const { return numel() * dtype_size(dtype_); }
  // The row-major data (converting a chunk a kernel left in its own layout).
  void* data() const {
    if (chunk_->has_own_layout()) chunk_->make_plain();
    return static_cast<char*>(chunk_->data) + offset_;
  }
  // Whether a kernel writing this array as an output may leave it in a
  // layout of its own: the array is its whole pooled chunk, not exported.
  bool may_hold_own_layout() const {
    return own_layouts_enabled() && covers_chunk() && chunk_->block.ptr && !chunk_->external_release &&
           !chunk_->pinned.load(std::memory_order_acquire);
  }
  // Whether this array is all of its chunk (no other view sees more).
  bool covers_chunk() const {
    return chunk_ && offset_ == 0 && static_cast<size_t>(nbytes()) == chunk_->bytes;
  }
  engine::Var* var() const { return chunk_->var; }
  const std::shared_ptr<Chunk>& chunk() const { return chunk_; }
  int64_t byte_offset() const { return offset_; }
  TBlob blob() const { return TBlob{data(), shape_, dtype_}; }

  // Views sharing storage.  Throw Error(VALUE/INDEX) on bad arguments.
  NDArray reshape(const Shape& shape) const;
  NDArray slice(int64_t begin, int64_t end) const;  // first axis
  NDArray at(int64_t index) const;                  // first axis, dropped

  // Sync points: block on pending work, rethrow an asynchronous error.
  void wait_to_read() const { engine::get()->wait_for_var(var(), false); }
  void wait_to_write() const { engine::get()->wait_for_var(var(), true); }

  // Synchronous host copies; nbytes must equal this->nbytes().
  void copy_from_host(const void* src, size_t nbytes) const;
  void copy_to_host(void* dst, size_t nbytes) const;

 private:
  std::shared_ptr<Chunk> chunk_;
  int64_t offset_ = 0;  // bytes from chunk data to this view's first element
  Shape shape_;
  DType dtype_ = DType::kFloat32;
};

}  // namespace mxl
