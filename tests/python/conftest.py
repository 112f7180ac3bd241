import numpy as np
import pytest

import mxlite as mx


@pytest.fixture(autouse=True)
def _sync_after_each_test():
    """A test must not leave asynchronous errors behind for the next one."""
    yield
    try:
        mx.nd.waitall()
    except mx.MXNetError:
        pass


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
