// binary16 conversions: exact values and round-to-nearest-even.
#include <gtest/gtest.h>

#include <cmath>

#include "common/float16.h"

namespace mxl {
namespace {

TEST(Float16, RoundTripsAndRounding) {
  EXPECT_EQ(half_t(1.0f).bits, 0x3c00);
  EXPECT_EQ(half_t(-2.5f).bits, 0xc100);
  EXPECT_EQ(half_t(65504.f).bits, 0x7bff);
  EXPECT_EQ(half_t(65520.f).bits, 0x7c00);  // rounds to infinity
  EXPECT_EQ(half_t(0.1f).bits, 0x2e66);
  EXPECT_EQ(half_t(6e-8f).bits, 0x0001);    // smallest subnormal
  EXPECT_EQ(half_t(1e-5f).bits, 0x00a8);
  EXPECT_FLOAT_EQ(static_cast<float>(half_t::from_bits(0x03fe)), 1022.0f / 16777216.0f);  // subnormal
  EXPECT_TRUE(static_cast<float>(half_t(NAN)) != static_cast<float>(half_t(NAN)));
}

}  // namespace
}  // namespace mxl
