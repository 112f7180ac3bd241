#include "ndarray/ndarray.h"

#include <cstdlib>
#include <cstring>
#include <string>

namespace mxl {

Chunk::~Chunk() {
  if (!var) return;
  storage::Block b = block;
  auto ext = std::move(external_release);
  engine::get()->delete_var(var, [b, ext]() {
    if (b.ptr) storage::release(b);
    if (ext) ext();
  });
}

bool own_layouts_enabled() {
  static const bool enabled = [] {
    const char* v = std::getenv("MXL_OWN_LAYOUTS");
    return !(v && std::string(v) == "0");
  }();
  return enabled;
}

void Chunk::set_own_layout(ToPlain to_plain) {
  std::lock_guard<std::mutex> lock(layout_mu_);
  to_plain_ = std::move(to_plain);
  own_layout_.store(true, std::memory_order_release);
}

void Chunk::make_plain() {
  std::lock_guard<std::mutex> lock(layout_mu_);
  if (!own_layout_.load(std::memory_order_acquire)) return;  // another reader converted it
  storage::Block fresh = storage::alloc(bytes);
  to_plain_(block.ptr, fresh.ptr);
  storage::release(block);
  block = fresh;
  data = fresh.ptr;
  to_plain_ = nullptr;
  own_layout_.store(false, std::memory_order_release);
}

void Chunk::discard_own_layout() {
  std::lock_guard<std::mutex> lock(layout_mu_);
  to_plain_ = nullptr;
  own_layout_.store(false, std::memory_order_release);
}

NDArray::NDArray(const Shape& shape, DType dtype) : shape_(shape), dtype_(dtype) {
  for (int i = 0; i < shape.ndim(); ++i)
    MXL_CHECK(shape[i] >= 0, MXL_ERR_VALUE, "array shape ", shape.str(),
              ": extents must be non-negative");
  auto c = std::make_shared<Chunk>();
  c->bytes = static_cast<size_t>(shape.numel()) * dtype_size(dtype);
  c->block = storage::alloc(c->bytes);
  c->data = c->block.ptr;
  c->var = engine::get()->new_var();
  chunk_ = std::move(c);
}

NDArray NDArray::from_external(void* data, const Shape& shape, DType dtype,
                               std::function<void()> release) {
  NDArray a;
  auto c = std::make_shared<Chunk>();
  c->bytes = static_cast<size_t>(shape.numel()) * dtype_size(dtype);
  c->data = data;
  c->external_release = std::move(release);
  c->var = engine::get()->new_var();
  a.chunk_ = std::move(c);
  a.shape_ = shape;
  a.dtype_ = dtype;
  return a;
}

NDArray NDArray::reshape(const Shape& shape) const {
  MXL_CHECK(shape.numel() == numel(), MXL_ERR_VALUE, "reshape: cannot view an array of shape ",
            shape_.str(), " (", numel(), " elements) as ", shape.str());
  for (int i = 0; i < shape.ndim(); ++i)
    MXL_CHECK(shape[i] >= 0, MXL_ERR_VALUE, "reshape: negative extent in ", shape.str());
  NDArray v = *this;
  v.shape_ = shape;
  return v;
}

NDArray NDArray::slice(int64_t begin, int64_t end) const {
  MXL_CHECK(shape_.ndim() > 0, MXL_ERR_VALUE, "slice: cannot slice a 0-d array");
  MXL_CHECK(0 <= begin && begin <= end && end <= shape_[0], MXL_ERR_INDEX, "slice: range [",
            begin, ", ", end, ") is outside the first axis of length ", shape_[0]);
  NDArray v = *this;
  v.shape_[0] = end - begin;
  v.offset_ += begin * shape_.prod(1, shape_.ndim()) * dtype_size(dtype_);
  return v;
}

NDArray NDArray::at(int64_t index) const {
  MXL_CHECK(shape_.ndim() > 0, MXL_ERR_VALUE, "at: cannot index a 0-d array");
  MXL_CHECK(0 <= index && index < shape_[0], MXL_ERR_INDEX, "index ", index,
            " is out of bounds for axis 0 with size ", shape_[0]);
  NDArray v = slice(index, index + 1);
  v.shape_.erase(0);
  return v;
}

void NDArray::copy_from_host(const void* src, size_t n) const {
  MXL_CHECK(n == static_cast<size_t>(nbytes()), MXL_ERR_VALUE, "copy_from_host: array of shape ",
            shape_.str(), " and dtype ", dtype_name(dtype_), " holds ", nbytes(),
            " bytes, got ", n);
  // Pushed as a write so it clears an earlier asynchronous error on the array.
  // data() runs with the write: an earlier kernel may still be producing
  // this array in a layout of its own.
  engine::Var* v = var();
  NDArray self = *this;
  engine::get()->push([self, src, n]() { if (n) std::memcpy(self.data(), src, n); }, nullptr, 0,
                      &v, 1, "copy_from_host");
  wait_to_read();
}

void NDArray::copy_to_host(void* dst, size_t n) const {
  MXL_CHECK(n == static_cast<size_t>(nbytes()), MXL_ERR_VALUE, "copy_to_host: array of shape ",
            shape_.str(), " and dtype ", dtype_name(dtype_), " holds ", nbytes(),
            " bytes, got ", n);
  wait_to_read();
  if (n) std::memcpy(dst, data(), n);
}

}  // namespace mxl
