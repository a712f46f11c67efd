"""Self-checks of lab 10 (autoencoders)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable

import numpy as np

from labs.checks._common import _call, _expected, _passed, check_close
from labs.i18n import _

PCA_KEPT = (1, 3, 12)
KL_RHOS = (0.05, 0.2)


def _pca_reconstruction_cases() -> list[tuple[np.ndarray, np.ndarray, int]]:
    """(X_fit, X, k): 60 rows to fit on, 7 other rows to reconstruct, 12 features, k = 1, 3 and all 12."""
    rng = np.random.default_rng(10)
    X_fit = rng.normal(size=(60, 12)) @ rng.normal(size=(12, 12)) + rng.uniform(1, 3, size=12)
    X = rng.normal(size=(7, 12)) @ rng.normal(size=(12, 12)) + rng.uniform(1, 3, size=12)
    return [(X_fit, X, k) for k in PCA_KEPT]


def check_pca_reconstruction(reconstruct: Callable) -> None:
    """Exercise: ``reconstruct(X_fit, X, k)`` returns PCA's g(f(x)) = x̄ + V Vᵀ (x − x̄) for each row of X."""
    for case, (X_fit, X, k) in enumerate(_pca_reconstruction_cases()):
        key = f"lab10.pca_reconstruction.case{case}"
        got = _call(reconstruct, "reconstruct", X_fit.copy(), X.copy(), k)
        want = _expected(key)
        if got is None:
            raise AssertionError(_("reconstruct returned None: did you forget a `return`?"))
        shape = np.shape(got)
        if shape == (len(X), k) and k != X.shape[1]:
            raise AssertionError(_("reconstruct returned shape {shape}: that is the code f(x) = Vᵀ(x − x̄). "
                                   "Decode it too: g(h) = x̄ + V h.").format(shape=shape))
        if shape != want.shape:
            raise AssertionError(_("reconstruct(X_fit, X, k={k}) has shape {shape}; expected {expected} "
                                   "(one reconstructed row per row of X).").format(
                                       k=k, shape=shape, expected=want.shape))
        got = np.asarray(got, dtype=np.float64)
        if np.allclose(got, want, atol=1e-6):
            continue
        hints = [
            (_expected(f"{key}.not_centred"), _("you did not centre: subtract the mean image x̄ of X_fit before the "
                                                "SVD and before projecting, then add it back.")),
            (want - X_fit.mean(axis=0), _("add the mean x̄ back after projecting: g(h) = x̄ + V h.")),
            (_expected(f"{key}.fit_on_X"), _("fit the mean and the directions on X_fit, not on X.")),
        ]
        for wrong, hint in hints:
            if np.allclose(got, wrong, atol=1e-6):
                raise AssertionError(_("With k={k}: {hint}").format(k=k, hint=hint))
        if k < X.shape[1]:
            for other in (k - 1, k + 1):
                if other >= 1 and np.allclose(got, _expected(f"{key}.k{other}"), atol=1e-6):
                    raise AssertionError(_("With k={k} you kept {other} directions: keep the first k rows of Vᵀ.").format(
                        k=k, other=other))
        check_close(f"reconstruct(X_fit, X, k={k})", got, want, atol=1e-6,
                    hint=_("Use the first k rows of Vᵀ from np.linalg.svd(X_fit − x̄, full_matrices=False)."))
    _passed(_("PCA reconstruction x̄ + V Vᵀ(x − x̄) is right for k = 1, 3 and 12 (k = all: exact)."))


def _kl_sparsity_cases() -> list[tuple[np.ndarray, float]]:
    """(H, ρ): sigmoid codes of 40 samples on 6 hidden units, mostly below 0.5, for ρ = 0.05 and 0.2."""
    rng = np.random.default_rng(11)
    H = 1 / (1 + np.exp(-rng.normal(-1.0, 1.5, size=(40, 6))))
    return [(H, rho) for rho in KL_RHOS]


def check_kl_sparsity(penalty: Callable) -> None:
    """Exercise: ``penalty(H, rho)`` is the sparse autoencoder's Σ_j KL(ρ ‖ ρ̂_j) for sigmoid codes ``H``."""
    for case, (H, rho) in enumerate(_kl_sparsity_cases()):
        key = f"lab10.kl_sparsity.case{case}"
        got = _call(penalty, "penalty", H.copy(), rho)
        want = float(_expected(key))
        if np.ndim(got) != 0:
            raise AssertionError(_("penalty must return one number (summed over units); got shape {shape}.").format(
                shape=np.shape(got)))
        got = float(got)
        rho_hat = H.mean(axis=0)
        hints = [
            (want / H.shape[1], _("you averaged over the hidden units: the penalty sums KL(ρ ‖ ρ̂_j) over units j.")),
            (float(np.sum(rho * np.log(rho / rho_hat))),
             _("the second term (1 − ρ) log((1 − ρ)/(1 − ρ̂_j)) is missing.")),
            (float(_expected(f"{key}.row_means")),
             _("ρ̂_j is the mean of unit j over the samples: average each column of H (axis=0), not each row.")),
            (float(_expected(f"{key}.reversed")),
             _("that is KL(ρ̂_j ‖ ρ); the penalty is KL(ρ ‖ ρ̂_j) = ρ log(ρ/ρ̂_j) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_j)).")),
        ]
        if np.isclose(got, want, rtol=1e-6):
            continue
        for wrong, hint in hints:
            if np.isclose(got, wrong, rtol=1e-6):
                raise AssertionError(_("With ρ = {rho}: {hint}").format(rho=rho, hint=hint))
        raise AssertionError(_("With ρ = {rho} the penalty is {got:.6g}; expected {expected:.6g}. "
                               "Compute ρ̂_j = mean of column j, then sum ρ log(ρ/ρ̂_j) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_j)).")
                             .format(rho=rho, got=got, expected=want))
    _check_works_on_tensors(penalty)
    _passed(_("the KL sparsity penalty matches Σ_j KL(ρ ‖ ρ̂_j) for ρ = 0.05 and 0.2, and works on Keras tensors "
              "inside training."))


def _check_works_on_tensors(penalty: Callable) -> None:
    """The penalty must also run on a symbolic Keras tensor and pass a gradient back, as it does when
    Keras trains a layer with it (``activity_regularizer``)."""
    import tensorflow as tf

    H, rho = _kl_sparsity_cases()[0]
    H = tf.constant(H, dtype=tf.float32)
    advice = _("write it with keras.ops (ops.mean, ops.log, ops.sum) instead of np.*: NumPy cannot work on the "
                "tensors Keras hands a penalty while it trains")
    try:
        @tf.function(autograph=False)
        def value_and_gradient(h):
            with tf.GradientTape() as tape:
                tape.watch(h)
                value = penalty(h, rho)
            return value, tape.gradient(value, h)

        value, gradient = value_and_gradient(H)
    except NotImplementedError as error:
        if "numpy" not in str(error).lower():
            raise AssertionError(_("penalty is not written yet: replace the `raise NotImplementedError`.")) from None
        raise AssertionError(_("your penalty gives the right numbers on NumPy arrays but fails inside training: "
                               "{advice}.").format(advice=advice)) from None
    except Exception as error:  # whatever the student's code raises on a symbolic tensor
        raise AssertionError(_("your penalty gives the right numbers on NumPy arrays but fails inside training "
                               "({error}): {advice}.").format(error=type(error).__name__, advice=advice)) from None
    if gradient is None:
        raise AssertionError(_("your penalty passes no gradient back to the codes: {advice}.").format(advice=advice))


# Exercise 3: a sparse code within a budget, measured on one fixed recipe
SPARSE_RECIPE = {"n_train": 1000, "n_test": 500, "code": 32, "epochs": 5, "batch_size": 20, "learning_rate": 3e-3}
SPARSE_MAX_ACTIVATION = 0.2   # mean activation of the code units over the test images
SPARSE_MAX_MSE = 0.065        # test MSE per pixel (the mean image scores about 0.069)


def _sparse_data() -> tuple[np.ndarray, np.ndarray]:
    from labs.data import mnist_for_mlp

    with contextlib.redirect_stdout(io.StringIO()):  # the data source was announced when the lab loaded it
        (x, _), (x_test, _) = mnist_for_mlp(SPARSE_RECIPE["n_train"], SPARSE_RECIPE["n_test"], one_hot=False,
                                            allow_fewer=True)
    return x, x_test


def measure_sparse_code(penalty: Callable, rho: float, beta: float, seed: int = 0) -> tuple[float, float]:
    """Train a 784-32-784 autoencoder with sigmoid code and output, its code penalised by
    ``beta * penalty(h, rho)``, with the exercise's recipe; return the code's mean activation and
    the reconstruction MSE per pixel, both on the test images."""
    import keras

    x, x_test = _sparse_data()
    keras.utils.set_random_seed(int(seed))
    code = keras.layers.Dense(SPARSE_RECIPE["code"], activation="sigmoid", name="code",
                              activity_regularizer=lambda h: beta * penalty(h, rho))
    encoder = keras.Sequential([keras.Input(shape=(784,)), code])
    decoder = keras.Sequential([keras.Input(shape=(SPARSE_RECIPE["code"],)), keras.layers.Dense(784, activation="sigmoid")])
    model = keras.Sequential([encoder, decoder])
    model.compile(optimizer=keras.optimizers.Adam(SPARSE_RECIPE["learning_rate"]), loss="binary_crossentropy")
    model.fit(x, x, batch_size=SPARSE_RECIPE["batch_size"], epochs=SPARSE_RECIPE["epochs"], verbose=0)
    h = np.asarray(encoder.predict(x_test, batch_size=500, verbose=0), dtype=np.float64)
    z = np.asarray(decoder.predict(h, batch_size=500, verbose=0), dtype=np.float64)
    return float(h.mean()), float(np.mean((x_test - z) ** 2))


def check_sparse_choice(penalty: Callable, rho: float, beta: float) -> None:
    """Exercise (a design choice): with ``rho`` and ``beta`` the KL-penalised autoencoder's code is
    sparse (mean activation at most SPARSE_MAX_ACTIVATION) and still reconstructs (test MSE at most
    SPARSE_MAX_MSE); the check trains it and measures both."""
    for name, value, low, high in (("rho", rho, 0.0, 1.0), ("beta", beta, 0.0, None)):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise AssertionError(_("{name} must be a number; got {kind}.").format(
                name=name, kind=type(value).__name__)) from None
        if not np.isfinite(value) or value <= low or (high is not None and value >= high):
            if high is not None:
                message = _("{name} must lie strictly between {low:g} and {high:g}; got {value:g}.")
            else:
                message = _("{name} must lie strictly above {low:g}; got {value:g}.")
            raise AssertionError(message.format(name=name, low=low, high=high, value=value))
    activation, mse = measure_sparse_code(penalty, float(rho), float(beta))
    if not np.isfinite(activation) or not np.isfinite(mse):
        raise AssertionError(_("with rho = {rho:g}, beta = {beta:g} training diverged (NaN): is your penalty from "
                               "Exercise 2 right, and beta moderate?").format(rho=rho, beta=beta))
    measured = _("with rho = {rho:g}, beta = {beta:g}: mean code activation {activation:.3f} "
                 "(at most {max_activation}), test MSE {mse:.4f} (at most {max_mse})").format(
                     rho=rho, beta=beta, activation=activation, max_activation=SPARSE_MAX_ACTIVATION, mse=mse,
                     max_mse=SPARSE_MAX_MSE)
    if activation > SPARSE_MAX_ACTIVATION and mse > SPARSE_MAX_MSE:
        raise AssertionError(_("{measured}. Neither holds: the units are busy and still reconstruct badly. Is the "
                               "penalty pulling towards a small target at all?").format(measured=measured))
    if activation > SPARSE_MAX_ACTIVATION:
        raise AssertionError(_("{measured}. The code is not sparse enough: the penalty pulls each unit's mean "
                               "towards rho, and beta says how hard. In five epochs the units do not get all the "
                               "way.").format(measured=measured))
    if mse > SPARSE_MAX_MSE:
        raise AssertionError(_("{measured}. Sparse, but too little of the image comes back: the penalty outweighs "
                               "the reconstruction. Which of the two settings decides that balance?").format(
                                   measured=measured))
    _passed(_("measured after training: {measured}.").format(measured=measured))

