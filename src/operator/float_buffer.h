// A float32 working copy of float16 data, from the storage pool: float16
// convolution and pooling run on the float32 kernels (oneDNN), as MXNet's CPU
// kernels compute half in float.
#pragma once
#include <algorithm>
#include <cstdint>

#include "common/float16.h"
#include "common/parallel.h"
#include "storage/storage.h"

namespace mxl {

class FloatBuffer {
 public:
  // n floats, widened from `src` (half) when not null, else uninitialized.
  FloatBuffer(const void* src, int64_t n)
      : n_(n), b_(storage::alloc(std::max<int64_t>(n, 1) * sizeof(float))) {
    if (!src) return;
    const half_t* h = static_cast<const half_t*>(src);
    float* f = get();
    parallel_for(n, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) f[i] = static_cast<float>(h[i]);
    }, 4);
  }
  ~FloatBuffer() { storage::release(b_); }
  FloatBuffer(const FloatBuffer&) = delete;
  FloatBuffer& operator=(const FloatBuffer&) = delete;

  float* get() const { return static_cast<float*>(b_.ptr); }
  // Rounds the floats to half into dst.
  void store(void* dst) const {
    half_t* h = static_cast<half_t*>(dst);
    const float* f = get();
    parallel_for(n_, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) h[i] = half_t(f[i]);
    }, 4);
  }

 private:
  int64_t n_;
  storage::Block b_;
};

}  // namespace mxl
