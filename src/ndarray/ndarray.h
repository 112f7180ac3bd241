// NDArray: a typed, shaped view onto a reference-counted storage chunk.
// The chunk owns the memory and the engine Var that orders every op touching
// it; views (reshape, first-axis slices) share the chunk and its Var.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>

#include "common/dtype.h"
#include "common/shape.h"
#include "engine/engine.h"
#include "storage/storage.h"

namespace mxl {

struct Chunk {
  void* data = nullptr;
  size_t bytes = 0;
  storage::Block block;                    // pooled memory, or empty
  std::function<void()> external_release;  // imported memory (DLPack), or empty
  engine::Var* var = nullptr;

  Chunk() = default;
  Chunk(const Chunk&) = delete;
  Chunk& operator=(const Chunk&) = delete;
  // Hands the memory back only after pending ops on var finished.
  ~Chunk();
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
  void* data() const { return static_cast<char*>(chunk_->data) + offset_; }
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
