"""How fast the labs train: plain Keras ``fit`` against ``labs.training.train``.

Trains the slides' network (784-500-500-10, sigmoid hidden units, softmax output, SGD with
learning rate 0.1, batch 100) for the same epochs both ways, on the same data and seed, in
alternating rounds, then prints samples per second for each, their ratio, the final
accuracies, and the fraction of this machine's float32 matrix-multiply rate each reaches.
The rate is measured here with TensorFlow (``tf.matmul`` of large square matrices); one
training sample costs about 6 x parameters floating-point operations (2 forward, 4 backward).

    python benchmarks/train_speed.py                 # 5 epochs on 60,000 images, 3 rounds
    python benchmarks/train_speed.py --epochs 2 --rounds 1 --n-train 10000   # a quick look

It also times the matrix products of one training step alone at batch 100 (the ceiling that
matrices this small allow), and the share of it each path reaches.

Timings on a shared machine are noisy: the script reports the best and the median of the
rounds, the ratio within each round (the two runs of a round are next to each other in time,
so they share the machine's load), and the load average. It is a measurement, not a test:
it never fails on a slow machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

import labs  # noqa: E402
from labs.models import build_mlp, mlp_parameters  # noqa: E402
from labs.training import train  # noqa: E402

LAYERS = "784-500-500-10"
GOAL_RATIO = 1.6
GOAL_FRACTION = 0.65


@dataclass
class Contender:
    """One way of training, and what each round of it measured."""

    name: str
    fit: Callable[[object, np.ndarray, np.ndarray, int], object]
    seconds: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)


def plain_fit(model, x, y, epochs):
    """What a student writes: compile, then fit (quietly: printing a progress bar is not what we time)."""
    import keras

    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model.fit(x, y, batch_size=100, epochs=epochs, verbose=0)


def labs_train(model, x, y, epochs):
    """The labs' helper with the same settings (its defaults are the slides')."""
    return train(model, x, y, epochs=epochs, batch_size=100, learning_rate=0.1, verbose=False)


def matmul_gflops(size: int, repeats: int = 5) -> list[float]:
    """Measured float32 matrix-multiply rates (GFLOP/s) of ``tf.matmul`` on size x size matrices."""
    import tensorflow as tf

    a = tf.random.uniform((size, size), dtype=tf.float32)
    b = tf.random.uniform((size, size), dtype=tf.float32)
    float(tf.matmul(a, b)[0, 0])  # warm-up: first call pays for set-up
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        float(tf.matmul(a, b)[0, 0])  # reading one element waits for the product (also on a GPU)
        rates.append(2 * size**3 / (time.perf_counter() - start) / 1e9)
    return rates


def step_matmul_gflops(layers: str = LAYERS, batch: int = 100, steps: int = 200, repeats: int = 3) -> list[float]:
    """GFLOP/s of the matrix products one training step of ``layers`` makes at ``batch``.

    Per layer: forward X·W, backward Xᵀ·δ (the weights' gradient) and δ·Wᵀ (the gradient sent
    down), 6 x weights FLOPs per sample in all, run back to back for ``steps`` steps in one
    TensorFlow graph with nothing else. Matrices this small (100 rows) run below the
    large-square rate, so this is the ceiling training at this batch size can reach.
    """
    import tensorflow as tf

    sizes = labs.models.parse_layers(layers)
    shapes = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        shapes += [((batch, n_in), (n_in, n_out)), ((n_in, batch), (batch, n_out)), ((batch, n_out), (n_out, n_in))]
    pairs = [(tf.random.uniform(a), tf.random.uniform(b)) for a, b in shapes]
    flops = steps * sum(2 * a[0] * a[1] * b[1] for a, b in shapes)

    @tf.function(autograph=False)
    def run():
        def body(i, total):
            for a, b in pairs:  # `+ total * 0` chains the products so none is computed once and reused
                total += tf.matmul(a + total * 0.0, b)[0, 0]
            return i + 1, total

        return tf.while_loop(lambda i, _: i < steps, body, (tf.constant(0), tf.constant(0.0)))[1]

    float(run())  # warm-up: tracing and first-call set-up
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        float(run())
        rates.append(flops / (time.perf_counter() - start) / 1e9)
    return rates


def training_data(n_train: int) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray], str]:
    """MNIST for the MLP with ``n_train`` training images; the offline sample is repeated if need be."""
    (x, y), test = labs.mnist_for_mlp()
    note = f"{n_train:,} MNIST training images"
    if len(x) < n_train:
        copies = -(-n_train // len(x))
        note = (f"{n_train:,} images: the {len(x):,}-image offline sample repeated "
                f"(full MNIST not available; the speed is the same, the accuracy is not comparable)")
        x, y = np.tile(x, (copies, 1)), np.tile(y, (copies, 1))
    return (x[:n_train], y[:n_train]), test, note


def run_round(path: Contender, data, test, epochs: int, seed: int) -> None:
    """Train a fresh network from ``seed`` along ``path``; store its time and accuracies."""
    import keras

    (x, y), (x_test, y_test) = data, test
    keras.utils.set_random_seed(seed)
    model = build_mlp(LAYERS)
    start = time.perf_counter()
    history = path.fit(model, x, y, epochs)
    path.seconds.append(time.perf_counter() - start)
    path.accuracy.append(float(history.history["accuracy"][-1]))
    predicted = model.predict(x_test, batch_size=1000, verbose=0).argmax(axis=1)
    path.test_accuracy.append(float(np.mean(predicted == y_test.argmax(axis=1))))


def _load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except (AttributeError, OSError):  # not available on this system
        return "unknown"


def main(argv: list[str] | None = None) -> None:
    """Parse the options, run the rounds and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=5, help="epochs per training run (default 5)")
    parser.add_argument("--n-train", type=int, default=60_000, help="training images (default 60,000)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of both paths (default 3)")
    parser.add_argument("--matmul-size", type=int, default=None,
                        help="side of the square matrices (default 2048 on a CPU, 8192 on a GPU)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    labs.setup(args.seed)
    info = labs.setup_info()
    load_before = _load_average()
    size = args.matmul_size or (8192 if info.gpus else 2048)
    data, test, note = training_data(args.n_train)
    flop_per_sample = 6 * mlp_parameters(LAYERS)
    samples = args.n_train * args.epochs
    print(f"\nData: {note}; {args.epochs} epochs of batch 100 per run; {args.rounds} rounds")
    print(f"Network {LAYERS}: {mlp_parameters(LAYERS):,} parameters, 6 x parameters = "
          f"{flop_per_sample / 1e6:.2f} MFLOP per training sample")

    rates = matmul_gflops(size)
    step_rates = step_matmul_gflops()
    paths = [Contender("plain model.fit", plain_fit), Contender("labs.training.train", labs_train)]
    for round_ in range(1, args.rounds + 1):
        for path in paths:
            run_round(path, data, test, args.epochs, args.seed)
            print(f"round {round_}  {path.name:<20} {path.seconds[-1]:7.1f} s  "
                  f"{samples / path.seconds[-1]:8.0f} samples/s  train accuracy {path.accuracy[-1]:.4f}",
                  flush=True)
        rates += matmul_gflops(size)  # between rounds too: the machine's load changes
        step_rates += step_matmul_gflops()

    best_rate, median_rate = max(rates), statistics.median(rates)
    print(f"\nfloat32 tf.matmul {size}x{size}: best {best_rate:.1f} GFLOP/s, median {median_rate:.1f} "
          f"({len(rates)} measurements) = {best_rate * 1e9 / flop_per_sample:,.0f} samples/s at "
          f"{flop_per_sample / 1e6:.2f} MFLOP each")
    best_step = max(step_rates)
    print(f"the same network's matrix products at batch 100 alone: best {best_step:.1f} GFLOP/s "
          f"({best_step / best_rate:.0%} of the large-square rate) = "
          f"{best_step * 1e9 / flop_per_sample:,.0f} samples/s: the most training at batch 100 can reach")
    print(f"\n{'path':<22}{'best samples/s':>15}{'median':>9}{'of matmul (best)':>18}"
          f"{'of batch-100 products':>23}{'train acc':>11}{'test acc':>10}")
    speeds = {}
    for path in paths:
        best = samples / min(path.seconds)
        median = samples / statistics.median(path.seconds)
        speeds[path.name] = (best, median)
        fraction = best * flop_per_sample / (best_rate * 1e9)
        print(f"{path.name:<22}{best:>15,.0f}{median:>9,.0f}{fraction:>17.0%} "
              f"{best * flop_per_sample / (best_step * 1e9):>22.0%} "
              f"{statistics.mean(path.accuracy):>10.4f}{statistics.mean(path.test_accuracy):>10.4f}")
    (plain_best, plain_median), (labs_best, labs_median) = speeds.values()
    ratio = labs_best / plain_best
    fraction = labs_best * flop_per_sample / (best_rate * 1e9)
    paired = [p / q for p, q in zip(paths[0].seconds, paths[1].seconds)]
    print(f"\nratio labs / plain: best {ratio:.2f}x, median {labs_median / plain_median:.2f}x, "
          f"within each round {', '.join(f'{r:.2f}x' for r in paired)} (median {statistics.median(paired):.2f}x)")
    gap = abs(statistics.mean(paths[0].accuracy) - statistics.mean(paths[1].accuracy))
    print(f"final train accuracy differs by {gap:.4f}")
    print(f"load average (1 min) at the start {load_before}, at the end {_load_average()} "
          f"on {info.cpu_cores} cores (at the start, above the core count means other work shared the machine)")
    print(f"goal: ratio >= {GOAL_RATIO}x ({'met' if ratio >= GOAL_RATIO else 'not met'}), "
          f">= {GOAL_FRACTION:.0%} of the matmul rate ({'met' if fraction >= GOAL_FRACTION else 'not met'})")


if __name__ == "__main__":
    main()
