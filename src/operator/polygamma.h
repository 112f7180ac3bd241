// digamma (psi, the derivative of log gamma) and trigamma (its derivative),
// needed by the gradients of gamma and gammaln.  Both use the recurrence
// psi(x) = psi(x + 1) - 1/x to move x to >= 10, where the asymptotic series
// (Bernoulli-number coefficients, truncated after the x^-14 term) is
// accurate to double precision, and the reflection formulas for x < 0.
// The poles (0, -1, -2, ...) give NaN.
#pragma once
#include <cmath>
#include <limits>

namespace mxl {
namespace special {

constexpr double kPi = 3.14159265358979323846;

inline double digamma(double x) {
  if (std::isnan(x) || x == -std::numeric_limits<double>::infinity())
    return std::numeric_limits<double>::quiet_NaN();
  if (x <= 0 && x == std::floor(x)) return std::numeric_limits<double>::quiet_NaN();
  if (x < 0) {
    // psi(x) = psi(1 - x) - pi / tan(pi x)
    return digamma(1.0 - x) - kPi / std::tan(kPi * x);
  }
  double acc = 0;
  while (x < 10) {
    acc -= 1.0 / x;
    x += 1.0;
  }
  const double r = 1.0 / (x * x);
  // ln x - 1/(2x) - sum B_2k / (2k x^2k)
  const double series =
      r * (1.0 / 12 -
           r * (1.0 / 120 -
                r * (1.0 / 252 - r * (1.0 / 240 - r * (1.0 / 132 - r * (691.0 / 32760 -
                                                                         r * (1.0 / 12)))))));
  return acc + std::log(x) - 0.5 / x - series;
}

inline double trigamma(double x) {
  if (std::isnan(x) || x == -std::numeric_limits<double>::infinity())
    return std::numeric_limits<double>::quiet_NaN();
  if (x <= 0 && x == std::floor(x)) return std::numeric_limits<double>::quiet_NaN();
  if (x < 0) {
    // psi1(x) + psi1(1 - x) = pi^2 / sin^2(pi x)
    const double s = std::sin(kPi * x);
    return kPi * kPi / (s * s) - trigamma(1.0 - x);
  }
  double acc = 0;
  while (x < 10) {
    acc += 1.0 / (x * x);
    x += 1.0;
  }
  const double r = 1.0 / (x * x);
  // 1/x + 1/(2x^2) + sum B_2k / x^(2k+1)
  const double series =
      (1.0 / 6 -
       r * (1.0 / 30 -
            r * (1.0 / 42 - r * (1.0 / 30 - r * (5.0 / 66 - r * (691.0 / 2730 - r * (7.0 / 6)))))));
  return acc + 1.0 / x + 0.5 * r + series * r / x;
}

}  // namespace special
}  // namespace mxl
