"""NumPy (float64) reference implementations of every optimizer's update rule.

Each reference is a class with `step(w, g, t, lr, wd)` returning the new weight
and keeping its own state; formulas are written from the optimizers' papers
and MXNet 1.9's documented update rules, independently of mxlite's code.
"""
import math

import numpy as np


def clip(x, c):
    return np.clip(x, -c, c) if c else x


class Ref:
    def __init__(self, shape, rescale_grad=1.0, clip_gradient=None, **hp):
        self.shape = shape
        self.rs = rescale_grad
        self.clip = clip_gradient
        self.hp = hp
        self.s = {}

    def zeros(self, *names):
        for n in names:
            self.s.setdefault(n, np.zeros(self.shape))
        return [self.s[n] for n in names]


class SGD(Ref):
    def step(self, w, g, t, lr, wd):
        g = clip(self.rs * g, self.clip)
        mu = self.hp.get("momentum", 0.0)
        if not mu:
            return w - lr * (g + wd * w)
        (m,) = self.zeros("m")
        m[:] = mu * m - lr * (g + wd * w)
        return w + m


class NAG(Ref):
    def step(self, w, g, t, lr, wd):
        mu = self.hp.get("momentum", 0.0)
        g = clip(self.rs * g, self.clip) + wd * w
        if not mu:
            return w - lr * g
        (m,) = self.zeros("m")
        m[:] = mu * m - lr * g
        return w + mu * m - lr * g


class Signum(Ref):
    def step(self, w, g, t, lr, wd):
        mu = self.hp.get("momentum", 0.9)
        g = clip(self.rs * g, self.clip)
        if not mu:
            return (1 - lr * wd) * w - lr * np.sign(g)
        (m,) = self.zeros("m")
        m[:] = mu * m - (1 - mu) * (g + wd * w)
        return (1 - lr * self.hp.get("wd_lh", 0.0)) * w + lr * np.sign(m)


class Adam(Ref):
    def step(self, w, g, t, lr, wd):
        b1, b2 = self.hp.get("beta1", 0.9), self.hp.get("beta2", 0.999)
        eps = self.hp.get("epsilon", 1e-8)
        g = clip(self.rs * g + wd * w, self.clip)
        m, v = self.zeros("m", "v")
        m[:] = b1 * m + (1 - b1) * g
        v[:] = b2 * v + (1 - b2) * g * g
        # MXNet's form: the bias correction goes into the step size, epsilon
        # is added to sqrt(v) uncorrected.
        lr_t = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        return w - lr_t * m / (np.sqrt(v) + eps)


class AdamW(Ref):
    def step(self, w, g, t, lr, wd):
        b1, b2 = self.hp.get("beta1", 0.9), self.hp.get("beta2", 0.999)
        eps = self.hp.get("epsilon", 1e-6)
        g = clip(self.rs * g, self.clip)
        m, v = self.zeros("m", "v")
        m[:] = b1 * m + (1 - b1) * g
        v[:] = b2 * v + (1 - b2) * g * g
        if self.hp.get("correct_bias", True):
            lr = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        return w - lr * (m / (np.sqrt(v) + eps) + wd * w)


class RMSProp(Ref):
    def step(self, w, g, t, lr, wd):
        g1, g2 = self.hp.get("gamma1", 0.9), self.hp.get("gamma2", 0.9)
        eps = self.hp.get("epsilon", 1e-8)
        g = clip(self.rs * g + wd * w, self.clip)
        n, ga, d = self.zeros("n", "g", "d")
        n[:] = (1 - g1) * g * g + g1 * n
        if self.hp.get("centered", False):
            ga[:] = (1 - g1) * g + g1 * ga
            d[:] = g2 * d - lr * g / np.sqrt(n - ga * ga + eps)
            w = w + d
        else:
            w = w - lr * g / np.sqrt(n + eps)
        cw = self.hp.get("clip_weights")
        return np.clip(w, -cw, cw) if cw else w


class AdaGrad(Ref):
    def step(self, w, g, t, lr, wd):
        eps = self.hp.get("eps", 1e-7)
        g = clip(self.rs * g, self.clip)
        (h,) = self.zeros("h")
        h += g * g
        return w - lr * (g / np.sqrt(h + eps) + wd * w)


class AdaDelta(Ref):
    def step(self, w, g, t, lr, wd):
        rho, eps = self.hp.get("rho", 0.9), self.hp.get("epsilon", 1e-5)
        g = clip(self.rs * g, self.clip)
        ag, ad = self.zeros("ag", "ad")
        ag[:] = rho * ag + (1 - rho) * g * g
        delta = np.sqrt(ad + eps) / np.sqrt(ag + eps) * g
        ad[:] = rho * ad + (1 - rho) * delta * delta
        return w - (delta + wd * w)


class Adamax(Ref):
    def step(self, w, g, t, lr, wd):
        b1, b2 = self.hp.get("beta1", 0.9), self.hp.get("beta2", 0.999)
        g = clip(self.rs * g + wd * w, self.clip)
        m, u = self.zeros("m", "u")
        m[:] = b1 * m + (1 - b1) * g
        u[:] = np.maximum(b2 * u, np.abs(g))
        return w - lr / (1 - b1 ** t) * m / u


class Nadam(Ref):
    def step(self, w, g, t, lr, wd):
        b1, b2 = self.hp.get("beta1", 0.9), self.hp.get("beta2", 0.999)
        eps, sd = self.hp.get("epsilon", 1e-8), self.hp.get("schedule_decay", 0.004)
        g = clip(self.rs * g + wd * w, self.clip)
        m, v = self.zeros("m", "v")
        mu = [b1 * (1 - 0.5 * 0.96 ** (k * sd)) for k in range(1, t + 2)]
        prod_t = np.prod(mu[:t])            # mu_1 ... mu_t
        prod_next = prod_t * mu[t]          # ... mu_{t+1}
        m[:] = b1 * m + (1 - b1) * g
        v[:] = b2 * v + (1 - b2) * g * g
        m_bar = (1 - mu[t - 1]) * g / (1 - prod_t) + mu[t] * m / (1 - prod_next)
        return w - lr * m_bar / (np.sqrt(v / (1 - b2 ** t)) + eps)


class FTML(Ref):
    def step(self, w, g, t, lr, wd):
        b1, b2 = self.hp.get("beta1", 0.6), self.hp.get("beta2", 0.999)
        eps = self.hp.get("epsilon", 1e-8)
        g = clip(self.rs * g + wd * w, self.clip)
        d, v, z = self.zeros("d", "v", "z")
        v[:] = b2 * v + (1 - b2) * g * g
        d_t = (1 - b1 ** t) / lr * (np.sqrt(v / (1 - b2 ** t)) + eps)
        z[:] = b1 * z + (1 - b1) * g - (d_t - b1 * d) * w
        d[:] = d_t
        return -z / d_t


class Ftrl(Ref):
    def step(self, w, g, t, lr, wd):
        l1, beta = self.hp.get("lamda1", 0.01), self.hp.get("beta", 1.0)
        g = clip(self.rs * g, self.clip)
        z, n = self.zeros("z", "n")
        z += g - (np.sqrt(n + g * g) - np.sqrt(n)) * w / lr
        n += g * g
        return np.where(np.abs(z) > l1, (np.sign(z) * l1 - z) / ((beta + np.sqrt(n)) / lr + wd),
                        0.0)


class LAMB(Ref):
    def step(self, w, g, t, lr, wd):
        b1, b2 = self.hp.get("beta1", 0.9), self.hp.get("beta2", 0.999)
        eps = self.hp.get("epsilon", 1e-6)
        g = clip(self.rs * g, self.clip)
        m, v = self.zeros("m", "v")
        m[:] = b1 * m + (1 - b1) * g
        v[:] = b2 * v + (1 - b2) * g * g
        mh, vh = m, v
        if self.hp.get("bias_correction", True):
            mh, vh = m / (1 - b1 ** t), v / (1 - b2 ** t)
        d = mh / (np.sqrt(vh) + eps) + wd * w
        r1, r2 = np.linalg.norm(w), np.linalg.norm(d)
        lo, hi = self.hp.get("lower_bound"), self.hp.get("upper_bound")
        if lo:
            r1 = max(r1, lo)
        if hi:
            r1 = min(r1, hi)
        ratio = r1 / r2 if r1 > 0 and r2 > 0 else 1.0
        return w - lr * ratio * d


class DCASGD(Ref):
    def step(self, w, g, t, lr, wd):
        mu, lam = self.hp.get("momentum", 0.0), self.hp.get("lamda", 0.04)
        g = clip(self.rs * g, self.clip)
        prev = self.s.setdefault("prev", w.copy())
        (m,) = self.zeros("m")
        step = -lr * (g + wd * w + lam * g * g * (w - prev))
        if mu:
            m[:] = mu * m + step
            step = m
        self.s["prev"] = w.copy()
        return w + step


class LARS(Ref):
    def step(self, w, g, t, lr, wd):
        mu, eta = self.hp.get("momentum", 0.0), self.hp.get("eta", 0.001)
        eps = self.hp.get("eps", 0)
        w_norm, g_norm = np.linalg.norm(w), np.linalg.norm(self.rs * g)
        if w_norm > 0 and g_norm > 0:
            lr = lr * eta * w_norm / (g_norm + wd * w_norm + eps)
        g = clip(self.rs * g, self.clip)
        if not mu:
            return w - lr * (g + wd * w)
        (m,) = self.zeros("m")
        m[:] = mu * m - lr * (g + wd * w)
        return w + m


class GroupAdaGrad(Ref):
    def step(self, w, g, t, lr, wd):
        eps = self.hp.get("eps", 1e-5)
        g = clip(self.rs * g, self.clip)
        h = self.s.setdefault("h", np.zeros((w.shape[0], 1)))
        h += (g * g).mean(axis=1, keepdims=True)
        return w - lr * g / np.sqrt(h + eps)
