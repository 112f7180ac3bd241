// Pooled host memory.  Freed blocks are cached by size class and handed out
// again, so steady-state training and repeated large ops never pay for fresh
// pages (page faults on a new 64 MB buffer cost more than the op itself).
// The counters are the ones the C ABI reports.
#pragma once
#include <cstddef>
#include <cstdint>

namespace mxl {
namespace storage {

struct Block {
  void* ptr = nullptr;
  size_t size = 0;  // the size class actually reserved
};

// Throws Error(MXL_ERR_OUT_OF_MEMORY) when the system refuses.
Block alloc(size_t bytes);
void release(Block b);  // back to the pool

int64_t bytes_in_use();
int64_t bytes_peak();
int64_t bytes_pooled();
void reset_peak();
void release_pooled();  // return every cached block to the system

constexpr size_t kAlignment = 64;

}  // namespace storage
}  // namespace mxl
