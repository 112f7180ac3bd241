"""mx.random: seeding, and the samplers of mx.nd.random."""
from .base import check_call, lib
from .ndarray.random import normal, randint, uniform

__all__ = ["seed", "uniform", "normal", "randint"]


def seed(seed_state, ctx="all"):
    """Seed the global generator: the same seed reproduces the same random arrays."""
    check_call(lib.mxl_random_seed(int(seed_state) & 0xFFFFFFFFFFFFFFFF))
