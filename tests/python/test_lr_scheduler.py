"""mx.lr_scheduler against hand-computed schedules."""
import math

import pytest

import mxlite as mx


def test_factor_scheduler():
    s = mx.lr_scheduler.FactorScheduler(step=3, factor=0.5, base_lr=1.0)
    # The rate drops after every 3 updates: updates 1-3 -> 1, 4-6 -> 0.5, 7-9 -> 0.25.
    got = [s(n) for n in range(1, 10)]
    assert got == [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]


def test_factor_scheduler_jump_and_stop_lr():
    s = mx.lr_scheduler.FactorScheduler(step=2, factor=0.1, stop_factor_lr=1e-3, base_lr=1.0)
    assert s(7) == pytest.approx(1e-3)  # 1 -> 0.1 -> 0.01 -> 0.001 in one call
    assert s(100) == pytest.approx(1e-3)  # never below stop_factor_lr


def test_factor_scheduler_warmup():
    s = mx.lr_scheduler.FactorScheduler(step=5, factor=0.5, base_lr=1.0, warmup_steps=4,
                                        warmup_begin_lr=0.2)
    assert [s(n) for n in range(4)] == pytest.approx([0.2, 0.4, 0.6, 0.8])
    assert s(4) == 1.0 and s(5) == 1.0 and s(6) == 0.5
    c = mx.lr_scheduler.FactorScheduler(step=5, base_lr=1.0, warmup_steps=3, warmup_begin_lr=0.1,
                                        warmup_mode="constant")
    assert [c(n) for n in range(4)] == [0.1, 0.1, 0.1, 1.0]


def test_multifactor_scheduler():
    s = mx.lr_scheduler.MultiFactorScheduler(step=[2, 5, 6], factor=0.5, base_lr=1.0)
    got = [s(n) for n in range(1, 9)]
    assert got == [1, 1, 0.5, 0.5, 0.5, 0.25, 0.125, 0.125]
    assert s.count == 6 and s.cur_step_ind == 3


def test_multifactor_scheduler_warmup():
    s = mx.lr_scheduler.MultiFactorScheduler(step=[10], factor=0.1, base_lr=0.5, warmup_steps=5)
    assert [s(n) for n in range(5)] == pytest.approx([0, 0.1, 0.2, 0.3, 0.4])
    assert s(10) == 0.5 and s(11) == pytest.approx(0.05)


def test_poly_scheduler():
    s = mx.lr_scheduler.PolyScheduler(max_update=10, base_lr=1.0, pwr=2, final_lr=0.1)
    for n in (0, 3, 7, 10):
        assert s(n) == pytest.approx(0.1 + 0.9 * (1 - n / 10) ** 2)
    assert s(15) == pytest.approx(0.1)


def test_poly_scheduler_warmup():
    s = mx.lr_scheduler.PolyScheduler(max_update=12, base_lr=2.0, pwr=1, warmup_steps=2,
                                      warmup_begin_lr=1.0)
    assert s(0) == 1.0 and s(1) == 1.5
    # After warm-up: linear decay over max_update - warmup_steps = 10 updates.
    assert s(2) == 2.0 and s(7) == pytest.approx(1.0) and s(12) == pytest.approx(0.0)


def test_cosine_scheduler():
    s = mx.lr_scheduler.CosineScheduler(max_update=8, base_lr=1.0, final_lr=0.2)
    for n in (0, 2, 4, 8):
        assert s(n) == pytest.approx(0.2 + 0.8 * (1 + math.cos(math.pi * n / 8)) / 2)
    assert s(20) == pytest.approx(0.2)  # past max_update: the last (final) rate
    # The scheduler is stateful (as MXNet's): past max_update it repeats the last
    # rate it computed, so counts are expected to grow.
    assert s(4) == pytest.approx(0.6) and s(30) == pytest.approx(0.6)


def test_cosine_scheduler_warmup():
    s = mx.lr_scheduler.CosineScheduler(max_update=14, base_lr=1.0, warmup_steps=4,
                                        warmup_begin_lr=0.0)
    assert [s(n) for n in range(4)] == pytest.approx([0, 0.25, 0.5, 0.75])
    assert s(4) == pytest.approx(1.0) and s(9) == pytest.approx(0.5) and s(14) == pytest.approx(0)


@pytest.mark.parametrize("make", [
    lambda: mx.lr_scheduler.FactorScheduler(step=0),
    lambda: mx.lr_scheduler.FactorScheduler(step=2, factor=1.5),
    lambda: mx.lr_scheduler.MultiFactorScheduler(step=[3, 2]),
    lambda: mx.lr_scheduler.MultiFactorScheduler(step=[0, 2]),
    lambda: mx.lr_scheduler.PolyScheduler(max_update=0),
    lambda: mx.lr_scheduler.CosineScheduler(max_update=0),
    lambda: mx.lr_scheduler.CosineScheduler(max_update=5, base_lr=0.1, warmup_begin_lr=0.5),
    lambda: mx.lr_scheduler.CosineScheduler(max_update=5, warmup_steps=-1),
    lambda: mx.lr_scheduler.CosineScheduler(max_update=5, warmup_mode="cubic"),
])
def test_bad_arguments(make):
    with pytest.raises(ValueError):
        make()


def test_base_class_must_be_overridden():
    with pytest.raises(NotImplementedError):
        mx.lr_scheduler.LRScheduler()(1)
