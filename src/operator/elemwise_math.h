// Scalar arithmetic shared by the element-wise kernels (unary, scalar and
// binary families): integer operations with NumPy's results and without C++'s
// undefined behaviour or x86 traps, and NumPy's remainder rules.
#pragma once
#include <cmath>
#include <limits>
#include <type_traits>

namespace mxl {
namespace elemwise {

// double -> integer: NaN and infinities have no integer value and become 0
// (as integer division by zero does); finite values beyond the type's range
// saturate; the rest truncate toward zero.
template <typename T>
T to_integer(double v) {
  if (!std::isfinite(v)) return T(0);
  constexpr T lowest = std::numeric_limits<T>::lowest(), highest = std::numeric_limits<T>::max();
  if (v <= static_cast<double>(lowest)) return lowest;
  if (v >= static_cast<double>(highest) + 1.0) return highest;
  return static_cast<T>(v);
}

// True if s is an integer that T represents exactly.
template <typename T>
bool holds_integer(double s) {
  return s == std::trunc(s) && s >= static_cast<double>(std::numeric_limits<T>::lowest()) &&
         s < static_cast<double>(std::numeric_limits<T>::max()) + 1.0;
}

// Signed overflow is undefined in C++; NumPy wraps.  Computing in the
// unsigned type of the same width wraps and still vectorizes.
template <typename T>
T wrapping_add(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
}
template <typename T>
T wrapping_sub(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
}
template <typename T>
T wrapping_mul(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
}
template <typename T>
T wrapping_neg(T x) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(U(0) - static_cast<U>(x));
}

// Truncating division; x / 0 is 0 and MIN / -1 wraps to MIN (both trap on
// x86 otherwise).
template <typename T>
T safe_div(T x, T d) {
  if (d == T(0)) return T(0);
  if constexpr (std::is_signed_v<T>) {
    if (d == T(-1)) return wrapping_sub(T(0), x);
  }
  return static_cast<T>(x / d);
}

// Python/NumPy remainder: the result takes the divisor's sign; x % 0 is 0.
template <typename T>
T python_mod_int(T x, T d) {
  if (d == T(0)) return T(0);
  if constexpr (std::is_signed_v<T>) {
    if (d == T(-1)) return T(0);  // MIN % -1 traps on x86
    T r = static_cast<T>(x % d);
    if (r != T(0) && ((r < T(0)) != (d < T(0)))) r = static_cast<T>(r + d);
    return r;
  } else {
    return static_cast<T>(x % d);
  }
}

// NumPy's float remainder: fmod moved to the divisor's sign; x % 0 is NaN.
template <typename A>
A python_mod_float(A x, A d) {
  A r = std::fmod(x, d);
  if (r != A(0)) {
    if ((r < A(0)) != (d < A(0))) r += d;
  } else {
    r = std::copysign(A(0), d);
  }
  return r;
}

// Exact power by squaring, wrapping on overflow.  A negative exponent
// truncates 1/base^-e toward zero: +-1 for base +-1, else 0 (base 0 follows
// the division-by-zero rule).
template <typename T>
T int_pow(T base, T exp) {
  if constexpr (std::is_signed_v<T>) {
    if (exp < T(0)) {
      if (base == T(1)) return T(1);
      if (base == T(-1)) return (exp & 1) ? T(-1) : T(1);
      return T(0);
    }
  }
  using U = std::make_unsigned_t<T>;
  U e = static_cast<U>(exp);
  T result = T(1);
  while (e) {
    if (e & 1u) result = wrapping_mul(result, base);
    base = wrapping_mul(base, base);
    e = static_cast<U>(e >> 1);
  }
  return result;
}

}  // namespace elemwise
}  // namespace mxl
