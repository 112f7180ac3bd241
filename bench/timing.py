"""The one timing rule of every benchmark: warm up, then the median of
`repeat` runs of `number` calls (machines are noisy; medians resist it)."""
import statistics
import time


def median_time(fn, number=1, repeat=7, warmup=1):
    """Seconds per call of fn: warmup calls (first-touch pages, primitive
    caches, pools), then the median over `repeat` timed runs of `number` calls."""
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - t0) / number)
    return statistics.median(runs)
