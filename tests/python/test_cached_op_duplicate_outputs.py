"""A hybridized block returning one graph entry twice (`y, [y]`, as MXNet's
recurrent cells do) must fill both returned arrays and sum both head
gradients (CachedOp once left the first array unwritten)."""
import numpy as np

import mxlite as mx
from mxlite.gluon import HybridBlock


class _Twice(HybridBlock):
    def hybrid_forward(self, F, x, s):
        y = F.tanh(F.elemwise_add(x, s[0]))
        return y, [y]


def test_duplicate_outputs_forward_and_backward():
    block = _Twice()
    block.hybridize()
    xn = np.random.uniform(-1, 1, (2, 3)).astype(np.float32)
    hn = np.random.uniform(-1, 1, (2, 3)).astype(np.float32)
    for _ in range(2):  # the second call reuses the cached graph state
        x = mx.nd.array(xn)
        x.attach_grad()
        with mx.autograd.record():
            y, (s,) = block(x, [mx.nd.array(hn)])
            loss = (y * 2 + s * 3).sum()
        loss.backward()
        ref = np.tanh(xn + hn)
        np.testing.assert_allclose(y.asnumpy(), ref, rtol=1e-6)
        np.testing.assert_allclose(s.asnumpy(), ref, rtol=1e-6)
        np.testing.assert_allclose(x.grad.asnumpy(), 5 * (1 - ref ** 2), rtol=1e-5)
