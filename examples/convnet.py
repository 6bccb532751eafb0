"""Train a small convolutional network on synthetic images with jaxlike.

The images are noisy 16x16 pictures of four kinds of stripes (horizontal, vertical and the two
diagonals). The network is two 3x3 convolutions with ReLU and 2x2 max pooling, then a dense
layer; it is trained by SGD with momentum, one jitted step (value and gradient, then the update)
per batch. It prints the loss as it goes down and the final test accuracy.

    python examples/convnet.py                 # default size, well under a minute on a CPU
    python examples/convnet.py --size tiny     # a few seconds (used by the tests)
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import jaxlike  # noqa: E402
import jaxlike.numpy as jnp  # noqa: E402
from jaxlike import lax, nn, random  # noqa: E402

SIZES = {  # training images, test images, steps, batch size
    "tiny": (256, 128, 30, 32),
    "default": (4096, 1024, 300, 64),
}
IMAGE, CLASSES = 16, 4
LAYOUT = ("NHWC", "HWIO", "NHWC")


def make_images(rng, count):
    """Stripes of one of four orientations with a random phase and period, plus noise."""
    labels = rng.integers(0, CLASSES, count)
    rows, cols = np.meshgrid(np.arange(IMAGE), np.arange(IMAGE), indexing="ij")
    coordinate = np.stack([rows, cols, rows + cols, rows - cols])[labels]  # the axis the stripes run across
    period = rng.uniform(3, 6, (count, 1, 1))
    phase = rng.uniform(0, 2 * np.pi, (count, 1, 1))
    images = np.sin(2 * np.pi * coordinate / period + phase) + rng.standard_normal((count, IMAGE, IMAGE))
    return images[..., None].astype(np.float32), labels.astype(np.int32)


def init_params(key):
    k1, k2, k3 = random.split(key, 3)
    conv_init = nn.initializers.lecun_normal()
    flat = (IMAGE // 4) * (IMAGE // 4) * 16
    return {
        "conv1": {"w": conv_init(k1, (3, 3, 1, 8)), "b": jnp.zeros(8)},
        "conv2": {"w": conv_init(k2, (3, 3, 8, 16)), "b": jnp.zeros(16)},
        "dense": {"w": nn.initializers.normal(0.01)(k3, (flat, CLASSES)), "b": jnp.zeros(CLASSES)},
    }


def conv_block(layer, x):
    y = lax.conv_general_dilated(x, layer["w"], (1, 1), "SAME", dimension_numbers=LAYOUT) + layer["b"]
    y = nn.relu(y)
    return lax.reduce_window(y, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


def logits_of(params, images):
    x = conv_block(params["conv1"], images)
    x = conv_block(params["conv2"], x)
    x = jnp.reshape(x, (x.shape[0], -1))
    return x @ params["dense"]["w"] + params["dense"]["b"]


def loss_fn(params, images, labels):
    log_probs = nn.log_softmax(logits_of(params, images))
    return -jnp.mean(jnp.sum(log_probs * nn.one_hot(labels, CLASSES), axis=-1))


@jaxlike.jit
def train_step(params, velocity, images, labels, learning_rate=0.01, momentum=0.9):
    loss, grads = jaxlike.value_and_grad(loss_fn)(params, images, labels)
    velocity = jaxlike.tree_util.tree_map(lambda v, g: momentum * v + g, velocity, grads)
    params = jaxlike.tree_util.tree_map(lambda p, v: p - learning_rate * v, params, velocity)
    return params, velocity, loss


@jaxlike.jit
def accuracy(params, images, labels):
    return jnp.mean(jnp.argmax(logits_of(params, images), axis=-1) == labels)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="default")
    parser.add_argument("--steps", type=int, default=None, help="override the number of training steps")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    n_train, n_test, steps, batch = SIZES[args.size]
    steps = args.steps or steps

    rng = np.random.default_rng(args.seed)
    train_x, train_y = make_images(rng, n_train)
    test_x, test_y = make_images(rng, n_test)
    params = init_params(random.PRNGKey(args.seed))
    velocity = jaxlike.tree_util.tree_map(jnp.zeros_like, params)

    print(f"training on {n_train} images of {IMAGE}x{IMAGE}, {steps} steps of {batch}")
    start = time.perf_counter()
    report_every = max(1, steps // 10)
    for step in range(steps):
        chosen = rng.integers(0, n_train, batch)
        params, velocity, loss = train_step(params, velocity, train_x[chosen], train_y[chosen])
        if step % report_every == 0 or step == steps - 1:
            print(f"step {step:4d}  loss {float(loss):.4f}")
    elapsed = time.perf_counter() - start
    test_accuracy = float(accuracy(params, test_x, test_y))
    print(f"test accuracy {test_accuracy:.3f}  ({elapsed:.1f} s)")
    return test_accuracy


if __name__ == "__main__":
    main()
