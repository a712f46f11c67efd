"""Generative models: a GAN (plain or conditional) with its own training step, and models with a
Gaussian code trained on "data term + β · KL" — the β-VAE and the variational information
bottleneck (VIB), which differ only in what the decoder has to predict.

Both model classes are ``keras.Model`` subclasses that override ``train_step`` (TensorFlow
backend), so ``fit`` trains them and their metrics land in the ``History``. Rates and
distortions are in nats per image.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from labs.validation import check_array, check_choice, check_int, check_positive

GENERATOR_LOSSES = ("non_saturating", "saturating")
DATA_TERMS = ("bernoulli", "categorical")


# --- the GAN --------------------------------------------------------------------------------------


def build_generator(noise_dim: int = 64, hidden: int | Sequence[int] = 256, outputs: int = 784, *,
                    n_classes: int = 0) -> Any:
    """G: noise (plus a one-hot label when ``n_classes``) → hidden layers (batch norm, leaky ReLU)
    → pixels in [0, 1]. Batch norm keeps G from collapsing onto one image early in training."""
    import keras

    noise_dim = check_int("noise_dim", noise_dim, minimum=1)
    n_classes = check_int("n_classes", n_classes, minimum=0)
    widths = [hidden] if isinstance(hidden, int) else list(hidden)
    z = keras.Input(shape=(noise_dim,), name="noise")
    inputs = [z, keras.Input(shape=(n_classes,), name="label")] if n_classes else z
    h = keras.layers.Concatenate()(inputs) if n_classes else z
    for i, width in enumerate(widths, start=1):
        h = keras.layers.Dense(check_int("hidden", width, minimum=1), name=f"hidden{i}")(h)
        h = keras.layers.BatchNormalization(momentum=0.9, name=f"bn{i}")(h)
        h = keras.layers.LeakyReLU(0.2, name=f"act{i}")(h)
    image = keras.layers.Dense(outputs, activation="sigmoid", name="image")(h)
    return keras.Model(inputs, image, name="generator")


def build_discriminator(inputs: int = 784, hidden: int | Sequence[int] = 256, *, n_classes: int = 0,
                        dropout: float = 0.3) -> Any:
    """D: an image (plus a one-hot label) → hidden leaky-ReLU layers with dropout → the *logit* of D(x).

    D(x) itself, the probability that x is real, is ``sigmoid(logit)``; the losses work on
    the logit because log σ(a) is exact there even where σ(a) rounds to 0 or 1.
    """
    import keras

    n_classes = check_int("n_classes", n_classes, minimum=0)
    widths = [hidden] if isinstance(hidden, int) else list(hidden)
    x = keras.Input(shape=(inputs,), name="image")
    given = [x, keras.Input(shape=(n_classes,), name="label")] if n_classes else x
    h = keras.layers.Concatenate()(given) if n_classes else x
    for i, width in enumerate(widths, start=1):
        h = keras.layers.Dense(check_int("hidden", width, minimum=1), name=f"hidden{i}")(h)
        h = keras.layers.LeakyReLU(0.2, name=f"act{i}")(h)
        if dropout:
            h = keras.layers.Dropout(dropout, name=f"dropout{i}")(h)
    logit = keras.layers.Dense(1, name="logit")(h)
    if n_classes:  # a "projection" term <e_y, h>: the label also speaks where D decides
        embedded = keras.layers.Dense(widths[-1], use_bias=False, name="label_embedding")(given[1])
        logit = keras.layers.Add(name="conditional_logit")([logit, keras.layers.Dot(axes=1)([embedded, h])])
    return keras.Model(given, logit, name="discriminator")


def _gan_model_class() -> type:
    import keras
    import tensorflow as tf

    bce = keras.losses.BinaryCrossentropy(from_logits=True)

    class GAN(keras.Model):
        """A generator and a discriminator trained in turn, one step each per batch."""

        def __init__(self, generator: Any, discriminator: Any, *, generator_loss: str = "non_saturating",
                     seed: int = 0, **kwargs: Any):
            super().__init__(**kwargs)
            self.generator, self.discriminator = generator, discriminator
            self.noise_dim = int(generator.inputs[0].shape[-1])
            self.conditional = len(generator.inputs) == 2
            self.generator_loss = check_choice("generator_loss", generator_loss, GENERATOR_LOSSES)
            self.noise = keras.random.SeedGenerator(seed)
            self.trackers = {name: keras.metrics.Mean(name=name) for name in ("d_loss", "g_loss", "d_accuracy")}

        def compile(self, d_optimizer: Any, g_optimizer: Any, **kwargs: Any) -> None:
            super().compile(**kwargs)
            self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

        @property
        def metrics(self) -> list:
            return list(self.trackers.values())

        def sample(self, n: Any, labels: Any = None, training: bool = False) -> Any:
            """n images from G, for the one-hot ``labels`` when the GAN is conditional."""
            z = keras.random.normal((n, self.noise_dim), seed=self.noise)
            if not self.conditional:
                return self.generator(z, training=training)
            return self.generator([z, tf.convert_to_tensor(labels, dtype="float32")], training=training)

        def judge(self, images: Any, labels: Any = None, training: bool = False) -> Any:
            """D's logits for ``images`` (and their ``labels``)."""
            return self.discriminator([images, labels] if self.conditional else images, training=training)

        def train_step(self, data: Any) -> dict:
            data = data if isinstance(data, tuple) else (data,)
            real, labels = data[0], (data[1] if self.conditional else None)
            n = tf.shape(real)[0]
            # 1. the discriminator: maximise E log D(x) + E log(1 − D(G(z))), i.e. minimise the
            #    cross-entropy with target 1 for real images and 0 for generated ones
            fake = self.sample(n, labels, training=True)
            with tf.GradientTape() as tape:
                real_logit, fake_logit = self.judge(real, labels, True), self.judge(fake, labels, True)
                d_loss = bce(tf.ones_like(real_logit), real_logit) + bce(tf.zeros_like(fake_logit), fake_logit)
            grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
            # 2. the generator, with D held fixed
            with tf.GradientTape() as tape:
                logit = self.judge(self.sample(n, labels, training=True), labels, True)
                if self.generator_loss == "non_saturating":      # minimise −E log D(G(z))
                    g_loss = bce(tf.ones_like(logit), logit)
                else:                                            # minimise E log(1 − D(G(z)))
                    g_loss = -bce(tf.zeros_like(logit), logit)
            grads = tape.gradient(g_loss, self.generator.trainable_weights)
            self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
            right = tf.concat([tf.cast(real_logit > 0, "float32"), tf.cast(fake_logit < 0, "float32")], axis=0)
            for name, value in (("d_loss", d_loss), ("g_loss", g_loss), ("d_accuracy", tf.reduce_mean(right))):
                self.trackers[name].update_state(value)
            return {name: tracker.result() for name, tracker in self.trackers.items()}

    return GAN


def make_gan(generator: Any, discriminator: Any, *, generator_loss: str = "non_saturating",
             learning_rate: float = 2e-4, seed: int = 0) -> Any:
    """A compiled :class:`GAN` (Adam with β₁ = 0.5 for both players, as in DCGAN)."""
    import keras

    learning_rate = check_positive("learning_rate", learning_rate)
    gan = _gan_model_class()(generator, discriminator, generator_loss=generator_loss, seed=seed)
    gan.compile(keras.optimizers.Adam(learning_rate, beta_1=0.5), keras.optimizers.Adam(learning_rate, beta_1=0.5))
    return gan


def sample_grid_callback(noise: Any, labels: Any = None, *, every: int = 1) -> Any:
    """A callback that keeps G's images for the fixed ``noise`` (and ``labels``) every ``every`` epochs.

    After ``fit``, ``callback.snapshots`` is a list of ``(epoch, images)``.
    """
    import keras

    every = check_int("every", every, minimum=1)
    noise = np.asarray(noise, dtype="float32")

    class SampleGrid(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.snapshots: list[tuple[int, np.ndarray]] = []

        def _keep(self, epoch: int) -> None:
            given = [noise, labels] if labels is not None else noise
            self.snapshots.append((epoch, np.asarray(self.model.generator(given, training=False))))

        def on_train_begin(self, logs=None):
            self._keep(0)

        def on_epoch_end(self, epoch, logs=None):
            if (epoch + 1) % every == 0:
                self._keep(epoch + 1)

    return SampleGrid()


def train_gan(gan: Any, x: Any, y: Any = None, *, steps: int = 300, batch_size: int = 64,
              callbacks: Sequence[Any] = ()) -> Any:
    """Fit ``gan`` for about ``steps`` updates of each player on images ``x`` (and one-hot ``y``)."""
    x = check_array("x", x, ndim=2, dtype=np.float32)
    steps = check_int("steps", steps, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    per_epoch = int(np.ceil(len(x) / batch_size))
    epochs = max(1, int(round(steps / per_epoch)))
    y = None if y is None else check_array("y", y, shape=(len(x), None), dtype=np.float32)
    return gan.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0, callbacks=list(callbacks))


def generator_gradient_norm(generator: Any, discriminator: Any, loss: Any, n: int = 256, *, seed: int = 0) -> dict:
    """Norm of the gradient of ``loss(D(G(z)))`` w.r.t. G's weights, for ``n`` noise vectors.

    ``loss`` takes D's probabilities for the generated images and returns one number; the
    result also gives the mean D(G(z)), so that "D wins" can be read off (D(G(z)) near 0).
    """
    import tensorflow as tf

    n = check_int("n", n, minimum=1)
    z = np.random.default_rng(seed).normal(size=(n, int(generator.inputs[0].shape[-1]))).astype("float32")
    with tf.GradientTape() as tape:
        d_fake = tf.sigmoid(discriminator(generator(z)))
        value = loss(d_fake)
    grads = tape.gradient(value, generator.trainable_weights) if tf.is_tensor(value) else [None]
    if any(g is None for g in grads):
        raise ValueError("the loss does not depend on G's weights through TensorFlow operations "
                         "(use keras.ops or tf.math, not NumPy, inside the loss).")
    norm = float(tf.sqrt(sum(tf.reduce_sum(tf.square(g)) for g in grads)))
    return {"gradient_norm": norm, "loss": float(value), "mean_D_of_G": float(tf.reduce_mean(d_fake))}


# --- models with a Gaussian code: β-VAE and VIB ------------------------------------------------------


def gaussian_kl(mean: Any, log_var: Any) -> Any:
    """KL(N(mean, exp(log_var)) ‖ N(0, I)) per row, in nats (closed form; Keras ops)."""
    from keras import ops

    return 0.5 * ops.sum(ops.square(mean) + ops.exp(log_var) - log_var - 1.0, axis=-1)


def sample_code(mean: Any, log_var: Any, noise: Any) -> Any:
    """A code drawn from N(mean, exp(log_var)) as a differentiable function of mean and log_var."""
    from keras import ops

    return mean + ops.exp(0.5 * log_var) * noise


def build_encoder(layers: str | Sequence[int] = "784-256-16", activation: str = "relu", name: str = "encoder") -> Any:
    """q(h|x): Dense hidden layers, then the mean and the log-variance of each code unit, side by side."""
    import keras

    from labs.models import check_activation, parse_layers

    sizes = parse_layers(layers)
    check_activation("activation", activation)
    stack: list[Any] = [keras.Input(shape=(sizes[0],))]
    stack += [keras.layers.Dense(w, activation=activation, name=f"encode{i}") for i, w in enumerate(sizes[1:-1], 1)]
    stack.append(keras.layers.Dense(2 * sizes[-1], name="mean_and_log_var"))
    return keras.Sequential(stack, name=name)


def build_decoder(layers: str | Sequence[int] = "16-256-784", activation: str = "relu",
                  output_activation: str = "sigmoid", name: str = "decoder") -> Any:
    """The decoder from a code: Dense hidden layers, then the output (pixels, or class probabilities)."""
    from labs.models import build_mlp

    return build_mlp(layers, activation, output_activation, name=name)


def _variational_model_class() -> type:
    import keras
    import tensorflow as tf
    from keras import ops

    class VariationalModel(keras.Model):
        """Encoder q(h|x) → a sampled code h → decoder; loss = data term + β · KL(q(h|x) ‖ N(0, I))."""

        def __init__(self, encoder: Any, decoder: Any, *, beta: float = 1.0, data_term: str = "bernoulli",
                     seed: int = 0, **kwargs: Any):
            super().__init__(**kwargs)
            self.encoder, self.decoder = encoder, decoder
            self.beta = float(check_positive("beta", beta, allow_zero=True))
            self.data_term = check_choice("data_term", data_term, DATA_TERMS)
            self.noise = keras.random.SeedGenerator(seed)
            names = ["loss", "distortion", "rate"] + (["accuracy"] if data_term == "categorical" else [])
            self.trackers = {name: keras.metrics.Mean(name=name) for name in names}

        @property
        def metrics(self) -> list:
            return list(self.trackers.values())

        def encode(self, x: Any) -> tuple[Any, Any]:
            """The mean and log-variance of q(h|x)."""
            mean, log_var = ops.split(self.encoder(x), 2, axis=-1)
            return mean, log_var

        def call(self, x: Any, training: bool = False) -> Any:
            mean, log_var = self.encode(x)
            code = sample_code(mean, log_var, keras.random.normal(ops.shape(mean), seed=self.noise)) if training else mean
            return self.decoder(code)

        def terms(self, x: Any, target: Any) -> dict:
            """Per-image data term (nats), rate KL (nats) and the decoder's output for one sampled code."""
            mean, log_var = self.encode(x)
            out = self.decoder(sample_code(mean, log_var, keras.random.normal(ops.shape(mean), seed=self.noise)))
            if self.data_term == "bernoulli":      # −log p(x|h), summed over the pixels
                p = ops.clip(out, 1e-7, 1 - 1e-7)
                data = -ops.sum(target * ops.log(p) + (1 - target) * ops.log(1 - p), axis=-1)
            else:                                  # −log p(y|h)
                data = keras.losses.categorical_crossentropy(target, out)
            return {"distortion": data, "rate": gaussian_kl(mean, log_var), "output": out}

        def _update(self, terms: dict, loss: Any, target: Any) -> dict:
            self.trackers["loss"].update_state(loss)
            self.trackers["distortion"].update_state(ops.mean(terms["distortion"]))
            self.trackers["rate"].update_state(ops.mean(terms["rate"]))
            if "accuracy" in self.trackers:
                hit = ops.cast(ops.argmax(terms["output"], -1) == ops.argmax(target, -1), "float32")
                self.trackers["accuracy"].update_state(ops.mean(hit))
            return {name: tracker.result() for name, tracker in self.trackers.items()}

        def train_step(self, data: Any) -> dict:
            x, target = data[0], data[1]
            with tf.GradientTape() as tape:
                terms = self.terms(x, target)
                loss = ops.mean(terms["distortion"]) + self.beta * ops.mean(terms["rate"])
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
            return self._update(terms, loss, target)

        def test_step(self, data: Any) -> dict:
            x, target = data[0], data[1]
            terms = self.terms(x, target)
            return self._update(terms, ops.mean(terms["distortion"]) + self.beta * ops.mean(terms["rate"]), target)

    return VariationalModel


def make_beta_vae(beta: float = 1.0, layers: str = "784-256-16", *, seed: int = 0, learning_rate: float = 1e-3) -> Any:
    """A compiled β-VAE: Bernoulli decoder p(x|h) over the pixels, distortion −log p(x|h)."""
    import keras

    sizes = layers.split("-")
    model = _variational_model_class()(build_encoder(layers), build_decoder("-".join(sizes[::-1])), beta=beta,
                                       data_term="bernoulli", seed=seed, name="beta_vae")
    model.compile(keras.optimizers.Adam(learning_rate))
    return model


def make_vib(beta: float = 1e-2, layers: str = "784-256-8", classes: int = 10, *, seed: int = 0,
             learning_rate: float = 1e-3) -> Any:
    """A compiled VIB classifier: encoder 784 → code, decoder q(y|h) a softmax layer on the code."""
    import keras

    code = layers.split("-")[-1]
    model = _variational_model_class()(build_encoder(layers), build_decoder(f"{code}-{classes}"), beta=beta,
                                       data_term="categorical", seed=seed, name="vib")
    model.compile(keras.optimizers.Adam(learning_rate))
    return model


def fit_variational(model: Any, x: Any, target: Any, *, epochs: int = 10, batch_size: int = 100,
                    seed: int = 0) -> Any:
    """Fit a β-VAE (target = x) or a VIB (target = one-hot labels); returns the History."""
    import keras

    x = check_array("x", x, ndim=2, dtype=np.float32)
    target = check_array("target", target, ndim=2, dtype=np.float32)
    if len(target) != len(x):
        raise ValueError(f"target must have one row per row of x ({len(x)}); got {len(target)}.")
    keras.utils.set_random_seed(seed)
    steps = int(np.ceil(len(x) / check_int("batch_size", batch_size, minimum=1)))
    model.compile(model.optimizer, steps_per_execution=steps)
    return model.fit(x, target, batch_size=batch_size, epochs=check_int("epochs", epochs, minimum=1),
                     shuffle=True, verbose=0)


def rate_distortion(model: Any, x: Any, target: Any) -> dict:
    """Mean distortion (data term) and rate (KL) in nats per image, plus accuracy for a VIB.

    One sampled code per image, as in training; the accuracy is that of the mean code. Computed
    in one eager pass (no ``evaluate``), which spares a traced function per model.
    """
    x = check_array("x", x, ndim=2, dtype=np.float32)
    target = check_array("target", target, ndim=2, dtype=np.float32)
    if len(target) != len(x):
        raise ValueError(f"target must have one row per row of x ({len(x)}); got {len(target)}.")
    terms = model.terms(x, target)
    out = {"distortion": float(np.mean(terms["distortion"])), "rate": float(np.mean(terms["rate"]))}
    if model.data_term == "categorical":
        predicted = np.asarray(model(x)).argmax(axis=1)
        out["accuracy"] = float(np.mean(predicted == target.argmax(axis=1)))
    return out


def train_beta_vae(x: Any, beta: float, *, layers: str = "784-256-16", epochs: int = 10, batch_size: int = 100,
                   seed: int = 0) -> tuple[Any, dict]:
    """Build a β-VAE with ``seed``, train it on ``x`` and return it with its rate and distortion on ``x``."""
    import keras

    keras.utils.set_random_seed(seed)
    model = make_beta_vae(beta, layers, seed=seed)
    fit_variational(model, x, x, epochs=epochs, batch_size=batch_size, seed=seed)
    return model, rate_distortion(model, x, x)
