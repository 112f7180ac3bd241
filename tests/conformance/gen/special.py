"""Float64 reference implementations of special functions NumPy lacks
(no SciPy here): erfinv, digamma, trigamma.  Plain textbook methods
(Newton's iteration on math.erf, recurrence plus asymptotic series), far
more accurate than the float32 tolerance the cases use."""
import math

import numpy as np


def _erfinv1(y):
    if y <= -1.0:
        return -math.inf if y == -1.0 else math.nan
    if y >= 1.0:
        return math.inf if y == 1.0 else math.nan
    x = 0.0
    for _ in range(100):  # Newton: erf'(x) = 2/sqrt(pi) exp(-x^2)
        step = (math.erf(x) - y) / (2.0 / math.sqrt(math.pi) * math.exp(-x * x))
        x -= step
        if abs(step) < 1e-15 * max(1.0, abs(x)):
            break
    return x


def _digamma1(x):
    acc = 0.0
    while x < 6.0:  # psi(x) = psi(x + 1) - 1/x
        acc -= 1.0 / x
        x += 1.0
    f = 1.0 / (x * x)
    return acc + math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))))


def _trigamma1(x):
    acc = 0.0
    while x < 6.0:  # psi1(x) = psi1(x + 1) + 1/x^2
        acc += 1.0 / (x * x)
        x += 1.0
    f = 1.0 / (x * x)
    return acc + 1 / x + f / 2 + (1 / x) * f * (1 / 6 - f * (1 / 30 - f * (1 / 42 - f / 30)))


def _vec(fn):
    def apply(a):
        a = np.asarray(a, dtype=np.float64)
        return np.array([fn(v) for v in a.reshape(-1)], dtype=np.float64).reshape(a.shape)
    return apply


erfinv = _vec(_erfinv1)
digamma = _vec(_digamma1)
trigamma = _vec(_trigamma1)
gamma = _vec(math.gamma)
gammaln = _vec(lambda v: math.lgamma(v))
erf = _vec(math.erf)
