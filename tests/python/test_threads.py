"""Several Python threads driving the engine at once get correct results."""
import threading

import numpy as np

import mxlite as mx


def test_concurrent_python_threads(rng):
    base = rng.random((64, 64)).astype(np.float32)
    errors = []

    def work(seed):
        try:
            local = np.random.default_rng(seed)
            for _ in range(50):
                x = local.random((64, 64)).astype(np.float32)
                a = mx.nd.array(x)
                shared = mx.nd.array(base)
                y = mx.nd.sum((a + shared) * 2, axis=1, keepdims=True)
                prod = mx.nd.dot(a, shared)
                big = mx.nd.ones((300, 300)) * float(seed)  # > 64K elements: pushed to the workers
                np.testing.assert_allclose(y.asnumpy(), ((x + base) * 2).sum(axis=1, keepdims=True),
                                           rtol=1e-5)
                np.testing.assert_allclose(prod.asnumpy(), x @ base, rtol=1e-4)
                assert float(mx.nd.sum(big).asscalar()) == 90000.0 * seed
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert not errors, errors[0]


def test_concurrent_writes_to_one_array_are_serialized():
    acc = mx.nd.zeros((1000,))
    one = mx.nd.ones((1000,))

    def add_many():
        for _ in range(200):
            acc.__iadd__(one)

    threads = [threading.Thread(target=add_many) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    np.testing.assert_array_equal(acc.asnumpy(), np.full(1000, 800, np.float32))
