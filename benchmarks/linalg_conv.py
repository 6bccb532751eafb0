"""Convolution (and, later, linear-algebra) benchmark: jaxlike vs jax in one run.

The convolution case is a ResNet basic block in NHWC layout,
    y = relu(conv3x3(x, w1) + b1);  out = relu(conv3x3(y, w2) + b2 + x),
timed forward alone and forward + backward (jit(value_and_grad) of sum(out**2) with respect to
x, w1 and w2). Both libraries compile the same computation with XLA, so the ratio measures the
StableHLO we emit (layouts, transposes of the backward convolutions), not the kernels. The floor
is the FLOP count over the machine's best figure, which we do not measure: the table prints the
achieved GFLOP/s instead.

    python benchmarks/linalg_conv.py                      # batch 8, 56x56x64 (ResNet-18 stage 1)
    python benchmarks/linalg_conv.py --batch 2 --size 16 --channels 8 --repeat 2

Linear algebra (solve, cholesky, svd) plugs in through `LINALG_CASES` below.
"""
import argparse
import sys

import numpy as np

try:
    from benchmarks import harness
except ImportError:  # run as a script from benchmarks/
    import harness

# ---- hook for the linear-algebra cases ----------------------------------------------------------
# Each entry is (name, setup) where setup(n, rng) returns (jaxlike_fn, jax_fn, args, flops): two
# zero-overhead callables on the same host arguments (NumPy arrays) and the FLOP count of one call.
# The linalg owner fills in solve, cholesky and svd; run() times every entry beside the conv cases.
LINALG_CASES = []


def register_linalg_case(name, setup):
    """Adds a linear-algebra case (see LINALG_CASES) to the benchmark."""
    LINALG_CASES.append((name, setup))


# ---- the ResNet block -----------------------------------------------------------------------------
def resnet_block(lib):
    """The block's forward function and its loss, written against `lib` (jax or jaxlike)."""
    lax, relu = lib.lax, lib.nn.relu
    layout = ("NHWC", "HWIO", "NHWC")

    def conv(x, w):
        return lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=layout)

    def block(x, w1, b1, w2, b2):
        y = relu(conv(x, w1) + b1)
        return relu(conv(y, w2) + b2 + x)

    def loss(x, w1, b1, w2, b2):
        return lib.numpy.sum(block(x, w1, b1, w2, b2) ** 2)
    return block, loss


def _conv_flops(batch, size, channels):
    """Multiply-adds of one 3x3 SAME conv, counted as 2 FLOPs."""
    return 2 * batch * size * size * channels * channels * 9


def run(batch=8, size=56, channels=64, repeat=5, warmup=1, linalg_n=256, out=None):
    """Prints the table; returns {case: median seconds}."""
    import jax
    import jaxlike

    out = out or sys.stdout
    print(f"conv benchmark: ResNet basic block, NHWC {batch}x{size}x{size}x{channels}, 3x3 convs, float32; "
          f"median of {repeat} (interleaved, {warmup} warmup)", file=out)
    print(f"machine: {harness.machine_description()}", file=out)
    print(f"jaxlike device: {jaxlike.devices()[0]}   jax device: {jax.devices()[0]}", file=out)

    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, size, size, channels)).astype(np.float32)
    scale = np.float32(1 / np.sqrt(9 * channels))
    params = [(rng.standard_normal((3, 3, channels, channels)) * scale).astype(np.float32),
              np.zeros(channels, np.float32),
              (rng.standard_normal((3, 3, channels, channels)) * scale).astype(np.float32),
              np.zeros(channels, np.float32)]

    cases, flops = {}, {}
    for lib_name, lib, put in (("jaxlike", jaxlike, jaxlike.device_put), ("jax", jax, jax.device_put)):
        block, loss = resnet_block(lib)
        args = [harness.block(put(a)) for a in [x] + params]
        forward = lib.jit(block)
        backward = lib.jit(lib.value_and_grad(loss, argnums=(0, 1, 3)))
        cases[f"forward {lib_name}"] = lambda f=forward, a=args: f(*a)
        cases[f"forward+backward {lib_name}"] = lambda f=backward, a=args: f(*a)
    one_conv = _conv_flops(batch, size, channels)
    flops.update({"forward": 2 * one_conv, "forward+backward": 6 * one_conv})  # backward: 2 convs per conv

    _check_agreement(cases, out)
    for name, setup in LINALG_CASES:
        ours, theirs, args, case_flops = setup(linalg_n, rng)
        ours_args = [harness.block(jaxlike.device_put(a)) for a in args]
        jax_args = [harness.block(jax.device_put(a)) for a in args]
        cases[f"{name} jaxlike"] = lambda f=ours, a=ours_args: f(*a)
        cases[f"{name} jax"] = lambda f=theirs, a=jax_args: f(*a)
        flops[name] = case_flops

    times = harness.time_interleaved(cases, repeat=repeat, warmup=warmup)
    medians = {name: harness.median(t) for name, t in times.items()}
    rows = []
    for kind in flops:
        ours, theirs = medians[f"{kind} jaxlike"], medians[f"{kind} jax"]
        rows.append([kind, harness.fmt_time(ours), harness.fmt_time(theirs), harness.fmt_ratio(ours / theirs),
                     f"{flops[kind] / ours / 1e9:.1f}", f"{flops[kind] / theirs / 1e9:.1f}"])
    harness.print_table(["case", "jaxlike.jit", "jax.jit", "jaxlike / jax", "jaxlike GFLOP/s", "jax GFLOP/s"],
                        rows, out)
    return medians


def _check_agreement(cases, out):
    """Warns (never fails) when the two libraries' results differ beyond float32 noise."""
    for kind in ("forward", "forward+backward"):
        ours = cases[f"{kind} jaxlike"]()
        theirs = cases[f"{kind} jax"]()
        ours_leaves = ours if isinstance(ours, (tuple, list)) else [ours]
        their_leaves = theirs if isinstance(theirs, (tuple, list)) else [theirs]
        flat_ours = _flatten(ours_leaves)
        flat_theirs = _flatten(their_leaves)
        for a, b in zip(flat_ours, flat_theirs):
            a, b = np.asarray(a), np.asarray(b)
            err = float(np.max(np.abs(a - b))) if a.size else 0.0
            if not err <= 1e-3 * max(1.0, float(np.max(np.abs(b)))):
                print(f"WARNING: {kind}: jaxlike differs from jax by {err:g}", file=out)


def _flatten(leaves):
    flat = []
    for leaf in leaves:
        if isinstance(leaf, (tuple, list)):
            flat.extend(_flatten(leaf))
        else:
            flat.append(leaf)
    return flat


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", type=int, default=56, help="image height and width")
    parser.add_argument("--channels", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--linalg-n", type=int, default=256, help="matrix size of the linear-algebra cases")
    args = parser.parse_args(argv)
    run(args.batch, args.size, args.channels, args.repeat, args.warmup, args.linalg_n)


if __name__ == "__main__":
    main()
