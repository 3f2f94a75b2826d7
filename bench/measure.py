"""What bench/suite.py and bench/zoo.py time with."""
import statistics
import time


def timed(fn, min_s=1.0, min_runs=5):
    """the median time of fn() in ms, after 0.5 s of warm-up"""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 0.5:
        fn()
    times = []
    t0 = time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - t0 < min_s:
        a = time.perf_counter()
        fn()
        times.append((time.perf_counter() - a) * 1e3)
    return statistics.median(times)
