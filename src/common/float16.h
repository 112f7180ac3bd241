// IEEE 754 binary16 storage type.  Arithmetic happens in float: kernels load
// a half, compute in float and round back on store, as MXNet's CPU kernels do.
#pragma once
#include <cstdint>
#include <cstring>

namespace mxl {

struct half_t {
  uint16_t bits = 0;

  half_t() = default;
  half_t(float f) : bits(from_float(f)) {}  // NOLINT: implicit like a builtin
  operator float() const { return to_float(bits); }  // NOLINT

  static half_t from_bits(uint16_t b) {
    half_t h;
    h.bits = b;
    return h;
  }

  static float to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    uint32_t out;
    if (exp == 0) {
      if (mant == 0) {
        out = sign;
      } else {  // subnormal: renormalise into a float normal
        int e = -1;
        do {
          ++e;
          mant <<= 1;
        } while ((mant & 0x400) == 0);
        out = sign | ((uint32_t)(127 - 15 - e) << 23) | ((mant & 0x3ff) << 13);
      }
    } else if (exp == 0x1f) {
      out = sign | 0x7f800000u | (mant << 13);
    } else {
      out = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &out, 4);
    return f;
  }

  // Round to nearest even, with overflow to infinity and NaN preserved.
  static uint16_t from_float(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) return sign | (ax > 0x7f800000u ? 0x7e00 : 0x7c00);
    if (ax >= 0x477ff000u) return sign | 0x7c00;  // rounds past 65504
    if (ax < 0x38800000u) {                       // subnormal or zero in half
      if (ax < 0x33000000u) return sign;          // below half the smallest subnormal
      uint32_t e = ax >> 23;
      uint32_t mant = (ax & 0x7fffff) | 0x800000;
      uint32_t shift = 126 - e;  // 14 + (112 - e) + 1 ... aligned to 10-bit mantissa
      uint32_t half_mant = mant >> (shift);
      uint32_t rem = mant & ((1u << shift) - 1);
      uint32_t halfway = 1u << (shift - 1);
      if (rem > halfway || (rem == halfway && (half_mant & 1))) ++half_mant;
      return sign | (uint16_t)half_mant;
    }
    uint32_t r = ax - 0x38000000u;  // rebias exponent 127 -> 15
    uint32_t rem = r & 0x1fff;
    uint32_t h = r >> 13;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;
    return sign | (uint16_t)h;
  }
};

}  // namespace mxl
