// The pooled allocator: reuse, counters, release.
#include <gtest/gtest.h>

#include <cstdint>

#include "storage/storage.h"

namespace mxl {
namespace {

TEST(Storage, FreedBlocksAreReusedAndCounted) {
  storage::release_pooled();
  int64_t base = storage::bytes_in_use();
  storage::Block a = storage::alloc(1000);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a.ptr) % storage::kAlignment, 0u);
  EXPECT_GE(a.size, 1000u);
  EXPECT_EQ(storage::bytes_in_use(), base + static_cast<int64_t>(a.size));
  void* p = a.ptr;
  storage::release(a);
  EXPECT_EQ(storage::bytes_pooled(), static_cast<int64_t>(a.size));
  storage::Block b = storage::alloc(900);  // same size class
  EXPECT_EQ(b.ptr, p);
  EXPECT_EQ(storage::bytes_pooled(), 0);
  storage::release(b);
  storage::release_pooled();
  EXPECT_EQ(storage::bytes_pooled(), 0);
  EXPECT_EQ(storage::bytes_in_use(), base);
}

TEST(Storage, PeakTracksHighWaterMark) {
  storage::reset_peak();
  int64_t base = storage::bytes_in_use();
  storage::Block a = storage::alloc(5 << 20);
  storage::Block b = storage::alloc(3 << 20);
  storage::release(a);
  storage::release(b);
  EXPECT_GE(storage::bytes_peak(), base + (8 << 20));
  storage::reset_peak();
  EXPECT_EQ(storage::bytes_peak(), storage::bytes_in_use());
  storage::release_pooled();
}

TEST(Storage, ZeroBytesIsAValidBlock) {
  storage::Block z = storage::alloc(0);
  EXPECT_NE(z.ptr, nullptr);
  storage::release(z);
}

}  // namespace
}  // namespace mxl
