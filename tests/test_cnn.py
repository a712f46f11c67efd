import matplotlib

matplotlib.use("agg")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from labs import cnn  # noqa: E402


@pytest.mark.parametrize("size, kernel, stride, padding", [
    (28, 5, 1, "valid"), (28, 5, 1, "same"), (27, 3, 2, "valid"), (27, 3, 2, "same"), (8, 2, 2, "same"),
    (227, 11, 4, "valid"), (55, 3, 2, "valid"), (13, 3, 2, "valid"), (10, 4, 3, "same"), (9, 1, 1, "valid"),
])
def test_output_size_matches_keras(size, kernel, stride, padding):
    conv = keras.layers.Conv2D(1, kernel, strides=stride, padding=padding)
    pool = keras.layers.MaxPooling2D(kernel, strides=stride, padding=padding)
    for layer in (conv, pool):
        shape = layer.compute_output_shape((None, size, size, 1))
        assert shape[1] == cnn.conv_output_size(size, kernel, stride, padding)


def test_output_size_with_explicit_padding_and_errors():
    assert cnn.conv_output_size(28, 5, 1, 2) == 28  # LeNet-5: 28 pixels + 2 on each side
    assert cnn.conv_output_size(32, 5) == 28
    with pytest.raises(ValueError, match="does not fit"):
        cnn.conv_output_size(3, 5)
    with pytest.raises(ValueError, match="padding must be one of"):
        cnn.conv_output_size(10, 3, padding="full")
    with pytest.raises(TypeError, match="stride must be an integer"):
        cnn.conv_output_size(10, 3, stride=1.5)


@pytest.mark.parametrize("size, kernel, stride", [(9, 3, 1), (9, 3, 2), (8, 3, 2), (8, 2, 2), (7, 4, 1), (5, 1, 3)])
def test_same_padding_reproduces_keras(size, kernel, stride):
    before, after = cnn.same_padding(size, kernel, stride)
    assert after - before in (0, 1)
    x = np.random.default_rng(0).normal(size=(1, size, size, 1)).astype("float32")
    k = np.random.default_rng(1).normal(size=(kernel, kernel, 1, 1)).astype("float32")
    layer = keras.layers.Conv2D(1, kernel, strides=stride, padding="same", use_bias=False)
    layer.build((None, size, size, 1))
    layer.set_weights([k])
    padded = keras.layers.Conv2D(1, kernel, strides=stride, padding="valid", use_bias=False)
    padded.build((None, size + before + after, size + before + after, 1))
    padded.set_weights([k])
    x_padded = np.pad(x, ((0, 0), (before, after), (before, after), (0, 0)))
    np.testing.assert_allclose(np.asarray(layer(x)), np.asarray(padded(x_padded)), atol=1e-5)


def test_parameter_formulas_match_keras():
    conv = keras.layers.Conv2D(16, (3, 5))
    conv.build((None, 20, 20, 6))
    assert conv.count_params() == cnn.conv_parameters((3, 5), 6, 16) == (3 * 5 * 6 + 1) * 16
    assert cnn.conv_parameters(3, 6, 16, use_bias=False) == 3 * 3 * 6 * 16
    assert cnn.dense_parameters(784, 500) == 392_500
    with pytest.raises(ValueError, match="pair"):
        cnn.conv_parameters((3, 3, 3), 1, 1)


def test_shift_images_moves_and_fills_with_zeros():
    images = np.arange(2 * 4 * 5, dtype=float).reshape(2, 4, 5) + 1
    right = cnn.shift_images(images, 2, 0)
    np.testing.assert_array_equal(right[:, :, 2:], images[:, :, :3])
    assert np.all(right[:, :, :2] == 0)
    up = cnn.shift_images(images, 0, -1)
    np.testing.assert_array_equal(up[:, :3], images[:, 1:])
    assert np.all(up[:, 3] == 0)
    np.testing.assert_array_equal(cnn.shift_images(images, 0, 0), images)
    assert not cnn.shift_images(images, 5, 0).any()
    assert cnn.shift_images(images[..., None], -1, 1).shape == (2, 4, 5, 1)
    with pytest.raises(ValueError, match="shape"):
        cnn.shift_images(np.ones((3, 784)), 1, 0)


def test_random_shifts_move_each_image_by_one_of_the_amounts():
    rng = np.random.default_rng(0)
    images = np.zeros((200, 12, 12))
    images[:, 5:7, 5:7] = rng.uniform(0.5, 1.0, size=(200, 2, 2))
    shifted = cnn.random_shifts(images, (2, 3), seed=1)
    moves = []
    for before, after in zip(images, shifted):
        (r0, c0), (r1, c1) = np.argwhere(before)[0], np.argwhere(after)[0]
        moves.append((int(c1 - c0), int(r1 - r0)))
        np.testing.assert_array_equal(before[5:7, 5:7], after[r1:r1 + 2, c1:c1 + 2])
    assert {abs(dx) + abs(dy) for dx, dy in moves} == {2, 3}
    assert all(dx == 0 or dy == 0 for dx, dy in moves)
    assert len(set(moves)) == 8  # four directions, two amounts
    np.testing.assert_array_equal(shifted, cnn.random_shifts(images, (2, 3), seed=1))
    with pytest.raises(ValueError, match="non-empty"):
        cnn.random_shifts(images, [])


def test_lenet_has_lenet5_sizes():
    model = cnn.build_lenet()
    table = cnn.layer_table(model)
    assert table["output shape"].tolist() == [(28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16), (1, 1, 120),
                                              (120,), (84,), (10,)]
    assert model.count_params() == 61_706 == table["parameters"].sum()
    with pytest.raises(ValueError, match="3 convolutional layers"):
        cnn.build_lenet(filters=(6, 16))


def test_alexnet_has_5_conv_and_3_dense_modules():
    model = cnn.build_alexnet((67, 67, 3), classes=10)  # small: the shapes only
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("Conv2D") == 5 and kinds.count("Dense") == 3
    assert model.get_layer("conv1").output.shape[1:] == (15, 15, 96)
    conv_weights = sum(model.get_layer(f"conv{i}").count_params() for i in range(1, 6))
    assert conv_weights == 3_747_200  # the conv layers do not depend on the input size
    counting = cnn.build_alexnet((67, 67, 3), classes=10, kernel_initializer="zeros", dtype="float16")
    assert counting.count_params() == model.count_params()
    assert not counting.get_layer("fc6").get_weights()[0].any()
    assert counting.get_layer("fc6").kernel.dtype == "float16"


def test_receptive_field_of_stacked_3x3_layers():
    def stack(*kernels):
        layers = [keras.layers.Conv2D(2, k) for k in kernels]
        return keras.Sequential([keras.Input((15, 15, 1)), *layers])

    assert cnn.receptive_field(stack(3)) == (3, 3)
    assert cnn.receptive_field(stack(3, 3)) == cnn.receptive_field(stack(5)) == (5, 5)
    assert cnn.receptive_field(stack(3, 3, 3)) == (7, 7)
    with pytest.raises(ValueError, match="feature map"):
        cnn.receptive_field(keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten()]))


def test_mnist_for_cnn_shapes():
    (x, y), (xt, yt) = cnn.mnist_for_cnn(50, 20)
    assert x.shape == (50, 28, 28, 1) and xt.shape == (20, 28, 28, 1) and y.shape == (50, 10)
    assert x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1


def test_show_maps():
    fig = cnn.show_maps(np.random.default_rng(0).normal(size=(5, 4, 4)), titles=list("abcde"), ncols=3,
                        title="filters")
    assert len(fig.axes) == 6
    with pytest.raises(ValueError, match="shape"):
        cnn.show_maps(np.ones((4, 4)))
