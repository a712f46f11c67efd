"""Convolutional networks: size and parameter formulas, shifted digits, LeNet and AlexNet shapes.

Keras' layout throughout: images ``(n, height, width, channels)``, kernels
``(kernel_h, kernel_w, channels_in, filters)``. Padding is Keras' ``"valid"`` (the window stays
inside the image) or ``"same"`` (zeros around it, so that ``ceil(size / stride)`` windows fit).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from labs.validation import check_choice, check_int

PADDINGS = ("valid", "same")
DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1))  # right, left, down, up, as (dx, dy)


def _pair(name: str, value: int | Sequence[int]) -> tuple[int, int]:
    """An int or a pair of ints → a pair, each >= 1 (Keras accepts both for kernel and stride)."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (height, width); got {value!r}.")
        return check_int(f"{name}[0]", value[0], minimum=1), check_int(f"{name}[1]", value[1], minimum=1)
    size = check_int(name, value, minimum=1)
    return size, size


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: str | int = "valid") -> int:
    """Positions a window of ``kernel_size`` takes along one axis of ``size`` pixels.

    ``padding`` is ``"valid"`` (no padding: ``floor((size - kernel) / stride) + 1``), ``"same"``
    (Keras pads so that ``ceil(size / stride)`` positions fit) or a number ``p`` of zero pixels
    added on each side (``floor((size + 2p - kernel) / stride) + 1``). Pooling layers follow the
    same rule with their pool size as the kernel.
    """
    size = check_int("size", size, minimum=1)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    stride = check_int("stride", stride, minimum=1)
    if padding == "same":
        return math.ceil(size / stride)
    pad = 0 if padding == "valid" else padding
    if isinstance(pad, str):
        check_choice("padding", pad, PADDINGS)
    pad = check_int("padding", pad, minimum=0)
    if size + 2 * pad < kernel_size:
        raise ValueError(f"a kernel of {kernel_size} does not fit in {size} pixels with padding {padding!r}.")
    return (size + 2 * pad - kernel_size) // stride + 1


def same_padding(size: int, kernel_size: int, stride: int = 1) -> tuple[int, int]:
    """Zeros Keras adds (before, after) along one axis for ``padding="same"``; the odd one goes after."""
    size = check_int("size", size, minimum=1)
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    stride = check_int("stride", stride, minimum=1)
    total = max((math.ceil(size / stride) - 1) * stride + kernel_size - size, 0)
    return total // 2, total - total // 2


def conv_parameters(kernel_size: int | Sequence[int], channels_in: int, filters: int, *,
                    use_bias: bool = True) -> int:
    """Weights (and biases) of a convolutional layer: ``(kh·kw·channels_in + 1)·filters``.

    The count does not depend on the image size: every position shares the same kernel.
    """
    kh, kw = _pair("kernel_size", kernel_size)
    channels_in = check_int("channels_in", channels_in, minimum=1)
    filters = check_int("filters", filters, minimum=1)
    return (kh * kw * channels_in + int(bool(use_bias))) * filters


def dense_parameters(inputs: int, units: int, *, use_bias: bool = True) -> int:
    """Weights (and biases) of a fully connected layer: ``(inputs + 1)·units``."""
    inputs = check_int("inputs", inputs, minimum=1)
    units = check_int("units", units, minimum=1)
    return (inputs + int(bool(use_bias))) * units


def shift_images(images: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """Move every image ``dx`` pixels right and ``dy`` pixels down (negative: left, up).

    Pixels pushed over the edge are lost and the uncovered border is filled with zeros (unlike
    ``np.roll``, nothing wraps round to the other side). ``images`` is ``(n, height, width)`` or
    ``(n, height, width, channels)``.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"images must have shape (n, height, width[, channels]); got {images.shape}.")
    dx, dy = check_int("dx", dx), check_int("dy", dy)
    height, width = images.shape[1:3]
    shifted = np.zeros_like(images)
    if abs(dx) >= width or abs(dy) >= height:
        return shifted
    rows_from, rows_to = slice(max(0, -dy), height - max(0, dy)), slice(max(0, dy), height - max(0, -dy))
    cols_from, cols_to = slice(max(0, -dx), width - max(0, dx)), slice(max(0, dx), width - max(0, -dx))
    shifted[:, rows_to, cols_to] = images[:, rows_from, cols_from]
    return shifted


def random_shifts(images: np.ndarray, pixels: int | Sequence[int], *, seed: int = 0) -> np.ndarray:
    """Each image moved by ``pixels`` (or by one of them, drawn at random) to the left, right,
    top or bottom, the direction drawn at random per image; see :func:`shift_images`."""
    images = np.asarray(images)
    choices = [pixels] if isinstance(pixels, (int, np.integer)) else list(pixels)
    if not choices:
        raise ValueError("pixels must be a number of pixels or a non-empty list of them.")
    choices = [check_int("pixels", p, minimum=0) for p in choices]
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    amounts = rng.choice(choices, size=len(images))
    directions = rng.integers(len(DIRECTIONS), size=len(images))
    shifted = np.empty_like(images)
    for d in set(choices):
        for k, (ux, uy) in enumerate(DIRECTIONS):
            chosen = (amounts == d) & (directions == k)
            if chosen.any():
                shifted[chosen] = shift_images(images[chosen], ux * d, uy * d)
    return shifted


def mnist_for_cnn(n_train: int | None = None, n_test: int | None = None, *, allow_fewer: bool = False) -> Any:
    """MNIST as images for a convolutional net: ``(n, 28, 28, 1)`` ``float32`` in [0, 1], one-hot labels.

    The same images, in the same order, as :func:`labs.data.mnist_for_mlp` gives flattened.
    """
    from labs.data import mnist_for_mlp

    (x_train, y_train), (x_test, y_test) = mnist_for_mlp(n_train, n_test, allow_fewer=allow_fewer)
    return (x_train.reshape(-1, 28, 28, 1), y_train), (x_test.reshape(-1, 28, 28, 1), y_test)


def build_lenet(
    input_shape: tuple[int, int, int] = (28, 28, 1),
    *,
    filters: Sequence[int] = (6, 16, 120),
    kernel_size: int = 5,
    dense: int = 84,
    classes: int = 10,
    activation: str = "relu",
    name: str = "lenet",
) -> Any:
    """A LeNet-style network: input – conv – pool – conv – pool – conv – fully connected – output.

    The defaults are LeNet-5's sizes (LeCun et al. 1998). The first convolution pads (``"same"``)
    because LeNet-5 read 32×32 images, MNIST's 28×28 digits with a border of 2; the others do
    not. Pooling takes the maximum of 2×2 windows (LeNet-5 averaged them), and the hidden units
    are ReLU (LeNet-5: tanh-like), as in networks trained today.
    """
    import keras

    from labs.models import check_activation

    filters = [check_int("filters[i]", f, minimum=1) for f in filters]
    if len(filters) != 3:
        raise ValueError(f"filters gives the widths of LeNet's 3 convolutional layers; got {len(filters)}.")
    kernel_size = check_int("kernel_size", kernel_size, minimum=1)
    check_activation("activation", activation)
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=tuple(input_shape)),
        layers.Conv2D(filters[0], kernel_size, padding="same", activation=activation, name="conv1"),
        layers.MaxPooling2D(2, name="pool1"),
        layers.Conv2D(filters[1], kernel_size, activation=activation, name="conv2"),
        layers.MaxPooling2D(2, name="pool2"),
        layers.Conv2D(filters[2], kernel_size, activation=activation, name="conv3"),
        layers.Flatten(name="flatten"),
        layers.Dense(check_int("dense", dense, minimum=1), activation=activation, name="fc4"),
        layers.Dense(check_int("classes", classes, minimum=1), activation="softmax", name="output"),
    ], name=name)


def build_alexnet(input_shape: tuple[int, int, int] = (227, 227, 3), *, classes: int = 1000,
                  kernel_initializer: Any = "glorot_uniform", dtype: str | None = None,
                  name: str = "alexnet") -> Any:
    """AlexNet's shape (Krizhevsky et al. 2012): 5 convolutional and 3 fully connected modules.

    The one-GPU version: the paper split conv2, conv4 and conv5 over two GPUs, which halves
    their weights. Local response normalisation (which has no weights) is left out. At
    227×227×3 it has about 62 million parameters, 250 MB of float32: to only count them, pass
    ``kernel_initializer="zeros", dtype="float16"``, which builds it in a quarter of the memory.
    """
    import keras

    layers = keras.layers
    weights = dict(kernel_initializer=kernel_initializer, dtype=dtype)
    conv = dict(activation="relu", padding="same", **weights)
    return keras.Sequential([
        keras.Input(shape=tuple(input_shape)),
        layers.Conv2D(96, 11, strides=4, activation="relu", name="conv1", **weights),
        layers.MaxPooling2D(3, strides=2, name="pool1"),
        layers.Conv2D(256, 5, name="conv2", **conv),
        layers.MaxPooling2D(3, strides=2, name="pool2"),
        layers.Conv2D(384, 3, name="conv3", **conv),
        layers.Conv2D(384, 3, name="conv4", **conv),
        layers.Conv2D(256, 3, name="conv5", **conv),
        layers.MaxPooling2D(3, strides=2, name="pool5"),
        layers.Flatten(name="flatten"),
        layers.Dense(4096, activation="relu", name="fc6", **weights),
        layers.Dropout(0.5, name="dropout6"),
        layers.Dense(4096, activation="relu", name="fc7", **weights),
        layers.Dropout(0.5, name="dropout7"),
        layers.Dense(check_int("classes", classes, minimum=1), activation="softmax", name="fc8", **weights),
    ], name=name)


def layer_table(model: Any) -> Any:
    """One row per layer of a built Keras model: kind, output shape (without the batch) and parameters."""
    import pandas as pd

    rows = [{"layer": layer.name, "kind": type(layer).__name__,
             "output shape": tuple(int(d) for d in layer.output.shape[1:]),
             "parameters": int(layer.count_params())} for layer in model.layers]
    return pd.DataFrame(rows).set_index("layer")


def receptive_field(model: Any) -> tuple[int, int]:
    """Height and width of the input patch that the centre unit of ``model``'s output depends on.

    Measured, not computed: the gradient of that unit with respect to a random input is non-zero
    exactly on its receptive field. Use it on models without ReLU (a unit switched off would hide
    the inputs behind it).
    """
    import tensorflow as tf

    x = tf.constant(np.random.default_rng(0).normal(size=(1, *model.input_shape[1:])), dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = model(x)
        if len(y.shape) != 4:
            raise ValueError(f"receptive_field needs a model whose output is a feature map; got shape {y.shape}.")
        centre = tf.reduce_sum(y[0, y.shape[1] // 2, y.shape[2] // 2, :])
    touched = np.any(np.asarray(tape.gradient(centre, x))[0] != 0, axis=-1)
    rows, cols = np.nonzero(touched)
    return int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)


def show_maps(
    maps: np.ndarray,
    titles: Sequence[str] | None = None,
    *,
    ncols: int = 8,
    size: float = 1.3,
    cmap: str = "RdBu_r",
    title: str | None = None,
) -> Any:
    """A grid of 2-D maps ``(n, height, width)`` — filters or feature maps — on one colour scale
    each, symmetric around 0 (red positive, blue negative) so that a map's sign shows."""
    import matplotlib.pyplot as plt

    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim != 3 or len(maps) == 0:
        raise ValueError(f"maps must have shape (n, height, width) with n >= 1; got {maps.shape}.")
    ncols = min(check_int("ncols", ncols, minimum=1), len(maps))
    nrows = math.ceil(len(maps) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 1.15 + (0.3 if title else 0)),
                             squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i < len(maps):
            limit = float(np.abs(maps[i]).max()) or 1.0
            ax.imshow(maps[i], cmap=cmap, vmin=-limit, vmax=limit)
            if titles is not None:
                ax.set_title(str(titles[i]), fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
