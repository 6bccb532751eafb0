"""Shared timing helpers for the benchmarks: warmup, block_until_ready, medians, bandwidth, tables.

Benchmarks print; they never assert. Every timing is a median over repeats, and ratios are
taken between figures measured in the same run so a noisy machine still compares fairly.
"""
import os
import platform
import random
import statistics
import sys
import time

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _ROOT not in sys.path:  # `python benchmarks/x.py` works from a checkout without installing
    sys.path.insert(0, _ROOT)

import numpy as np  # noqa: E402


def block(x):
    """Waits for a jax/jaxlike result (or a tuple/list of them); NumPy results are already done."""
    if isinstance(x, (tuple, list)):
        for leaf in x:
            block(leaf)
        return x
    ready = getattr(x, "block_until_ready", None)
    if ready is not None:
        ready()
    return x


def time_calls(fn, *, repeat=5, warmup=1, number=1):
    """Seconds per call of `fn()` (result blocked on), one figure per repeat of `number` calls."""
    for _ in range(warmup):
        block(fn())
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            out = fn()
        block(out)
        times.append((time.perf_counter() - start) / number)
    return times


def time_each_blocked(fn, *, repeat=5, warmup=1, number=1):
    """Like time_calls, but waits for every call's result before the next (round-trip latency)."""
    for _ in range(warmup):
        block(fn())
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            block(fn())
        times.append((time.perf_counter() - start) / number)
    return times


def median(times):
    return statistics.median(times)


def default_platform():
    """'cpu' or 'gpu': the platform jaxlike computes on by default."""
    import jaxlike
    return jaxlike.default_backend()


def machine_description():
    """One line naming the machine: CPU model and core count, or the GPU."""
    import jaxlike
    dev = jaxlike.devices()[0]
    cpu = _cpu_model()
    line = f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"
    if jaxlike.default_backend() != "cpu":
        line = f"{getattr(dev, 'device_kind', dev)} ({dev.platform}); host {line}"
    return line


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for row in f:
                if row.startswith("model name"):
                    return row.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def host_bandwidth(nbytes=512 * 2**20, repeat=7):
    """Host memory bandwidth in bytes/s from a large NumPy copy: (bytes read + written) / time.

    The best of `repeat` copies: bandwidth is what the machine can do, and on a shared machine
    the fastest copy is the least disturbed one.
    """
    src = np.ones(nbytes // 4, np.float32)
    dst = np.empty_like(src)
    times = time_calls(lambda: np.copyto(dst, src), repeat=repeat, warmup=1)
    return 2 * src.nbytes / min(times)


def device_bandwidth(nbytes=1024 * 2**20, repeat=10):
    """GPU memory bandwidth in bytes/s from a device-to-device copy through jax's runtime.

    The copy is one streaming kernel that reads and writes every element once (`a * 2` under
    jax.jit; a plain identity could be forwarded without moving any bytes).
    """
    import jax
    src = jax.device_put(np.ones(nbytes // 4, np.float32))
    copy = jax.jit(lambda a: a * 2)
    times = time_calls(lambda: copy(src), repeat=repeat, warmup=2)
    return 2 * src.nbytes / min(times)


def memory_bandwidth(platform_name, nbytes=None):
    """(bytes/s, how it was measured) on the default platform."""
    if platform_name == "cpu":
        nbytes = nbytes or 512 * 2**20
        return host_bandwidth(nbytes), f"NumPy copy of {nbytes / 2**20:.0f} MiB"
    nbytes = nbytes or 1024 * 2**20
    return device_bandwidth(nbytes), f"device-to-device streaming copy of {nbytes / 2**20:.0f} MiB"


def fmt_time(seconds):
    """A duration with a unit that keeps 3 significant figures readable."""
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} us"


def fmt_ratio(x):
    return "-" if x is None else f"{x:.2f}x"


def print_table(headers, rows, out=None):
    """Prints rows (lists of strings) as an aligned Markdown table."""
    out = out or sys.stdout
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(headers), file=out)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|", file=out)
    for r in rows:
        print(line(r), file=out)
    out.flush()


def time_interleaved(cases, *, repeat=5, warmup=1, number=1, block_each=False):
    """Seconds per call for each named zero-argument callable, measured in interleaved rounds.

    Each round times `number` calls of every case in turn, so slow drifts of a noisy machine
    (frequency, other load) touch all cases alike; the order is shuffled (seeded) each round so
    no case always follows the same neighbour, whose memory traffic can warm or evict caches.
    Returns {name: [seconds per call, ...]}.
    """
    for fn in cases.values():
        for _ in range(warmup):
            block(fn())
    names = list(cases)
    shuffle = random.Random(0).shuffle
    times = {name: [] for name in cases}
    for _ in range(repeat):
        shuffle(names)
        for name in names:
            fn = cases[name]
            start = time.perf_counter()
            if block_each:
                for _ in range(number):
                    block(fn())
            else:
                for _ in range(number):
                    out = fn()
                block(out)
            times[name].append((time.perf_counter() - start) / number)
            out = None
    return times
