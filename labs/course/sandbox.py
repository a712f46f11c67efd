"""Grading kernels in a sandbox made by an existing tool: bubblewrap, Docker or Podman.

The grader talks to each kernel over Unix sockets (ZeroMQ's ``ipc`` transport) in a folder
of its own, so the kernel needs no network at all. With ``bwrap`` (the default on Linux) a
kernel sees:

- the system's programs and libraries and the Python environment, read-only (``/usr``, the
  interpreter's prefixes, the ``labs`` package itself — not the course checkout around it,
  so no master notebook, no other submission and none of the grader's files);
- a fresh, empty working folder that is also its ``HOME``, a private ``/tmp``, and nothing
  else it can write;
- no network (its own network namespace), its own process tree (every process it started
  dies with it), an allow-listed environment (no tokens, no proxies).

Limits: address space per process (:data:`DEFAULT_MEMORY`, ``prlimit --as``), file size,
open files, and a watchdog in the grader that kills the whole sandbox when the memory of all
its processes together passes the limit or it runs more than :data:`DEFAULT_PROCESSES`
processes. Stream output is cut per cell by the executor (see :mod:`labs.course.grading`).
With ``--sandbox docker`` or ``podman`` the same kernel runs in a container with
``--network none``, ``--read-only``, ``--memory`` and ``--pids-limit`` (cgroups enforce the
limits there). ``--sandbox none`` runs the kernel as the grader's own user, unsandboxed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from labs.i18n import N_, _

SANDBOXES = ("bwrap", "docker", "podman", "none")
DEFAULT_SANDBOX = "bwrap"
DEFAULT_MEMORY = 4 * 1024**3  # bytes, all the kernel's processes together
DEFAULT_PROCESSES = 128
DEFAULT_FILE_SIZE = 512 * 1024**2  # largest file a kernel may write, bytes
DEFAULT_IMAGE = "dnn-labs-grader"  # Docker/Podman image with Python, the requirements and `labs`
INSIDE_HOME = "/home/student"
INSTALL_HINT = {
    "bwrap": N_("install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`; Fedora: `sudo dnf install "
                "bubblewrap`), or choose --sandbox docker|podman, or --sandbox none to grade unsandboxed"),
    "docker": N_("install Docker and build the grading image (see the README), or choose another --sandbox"),
    "podman": N_("install Podman and build the grading image (see the README), or choose another --sandbox"),
}
# Variables a kernel may see, if the grader has them; everything else (tokens, proxies…) is dropped.
PASSED_VARIABLES = ("LANG", "LC_ALL", "TZ", "TF_CPP_MIN_LOG_LEVEL", "LABS_LANG")
READ_ONLY_SYSTEM = ("/usr", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
                    "/etc/fonts", "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf",
                    "/etc/hosts", "/etc/matplotlibrc")
MERGED_USR_LINKS = ("bin", "sbin", "lib", "lib64", "lib32")


class SandboxUnavailable(RuntimeError):
    """The chosen sandbox tool is not installed or cannot start here."""


@dataclass(frozen=True)
class Limits:
    """What one grading kernel may use."""

    memory: int = DEFAULT_MEMORY
    processes: int = DEFAULT_PROCESSES
    file_size: int = DEFAULT_FILE_SIZE


@dataclass
class Sandbox:
    """How grading kernels are started: the tool, its limits and the folders they may read."""

    kind: str = DEFAULT_SANDBOX
    limits: Limits = field(default_factory=Limits)
    image: str = DEFAULT_IMAGE

    def __post_init__(self) -> None:
        if self.kind not in SANDBOXES:
            raise ValueError(_("sandbox must be one of {choices}; got {kind!r}.").format(
                choices=", ".join(SANDBOXES), kind=self.kind))

    def check_available(self) -> None:
        """Raise :class:`SandboxUnavailable`, saying how to install it, when the tool is missing."""
        if self.kind == "none":
            return
        if shutil.which(self.kind) is None:
            raise SandboxUnavailable(_("--sandbox {kind}: `{kind}` is not installed; {hint}.").format(
                kind=self.kind, hint=_(INSTALL_HINT[self.kind])))
        if self.kind == "bwrap" and shutil.which("prlimit") is None:
            raise SandboxUnavailable(_("--sandbox bwrap needs `prlimit` (util-linux) for its limits; "
                                       "install util-linux."))

    # --- the kernel's command line -------------------------------------------------------------

    def command(self, kernel: list[str], *, runtime_dir: Path, workdir: Path, env: dict[str, str]) -> list[str]:
        """Wrap the kernel's command line ``kernel`` so that it runs inside this sandbox."""
        env = {**{k: os.environ[k] for k in PASSED_VARIABLES if k in os.environ}, **env}
        if self.kind == "none":
            return kernel
        if self.kind == "bwrap":
            return self._bwrap(kernel, runtime_dir, workdir, env)
        return self._container(kernel, runtime_dir, workdir, env)

    def _bwrap(self, kernel: list[str], runtime_dir: Path, workdir: Path, env: dict[str, str]) -> list[str]:
        cmd = ["prlimit", f"--as={self.limits.memory}", f"--fsize={self.limits.file_size}", "--nofile=1024",
               "--core=0", "--",
               "bwrap", "--die-with-parent", "--new-session", "--unshare-all", "--unshare-user",
               "--uid", "65534", "--gid", "65534", "--hostname", "grading",
               "--tmpfs", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
        for name in MERGED_USR_LINKS:
            target = os.readlink(f"/{name}") if os.path.islink(f"/{name}") else None
            if target:
                cmd += ["--symlink", target, f"/{name}"]
            elif os.path.isdir(f"/{name}"):
                cmd += ["--ro-bind", f"/{name}", f"/{name}"]
        for path in (*READ_ONLY_SYSTEM, *python_paths()):
            cmd += ["--ro-bind-try", path, path]
        cmd += ["--ro-bind", str(package_dir()), f"{LIBRARY}/labs"]
        data = package_dir().parent / "data"
        if data.is_dir():  # verified caches (MNIST, the sample's split), read-only
            cmd += ["--ro-bind", str(data), f"{LIBRARY}/data"]
        cmd += ["--bind", str(runtime_dir), str(runtime_dir), "--bind", str(workdir), INSIDE_HOME,
                "--chdir", INSIDE_HOME, "--clearenv"]
        inside = {**env, "HOME": INSIDE_HOME, "PATH": _inside_path(), "TMPDIR": "/tmp", "PYTHONPATH": LIBRARY,
                  "PYTHONNOUSERSITE": "1", "MPLCONFIGDIR": "/tmp/matplotlib"}
        for key, value in inside.items():
            cmd += ["--setenv", key, value]
        return cmd + kernel

    def _container(self, kernel: list[str], runtime_dir: Path, workdir: Path, env: dict[str, str]) -> list[str]:
        cmd = [self.kind, "run", "--rm", "-i", "--network", "none", "--read-only", "--tmpfs", "/tmp",
               "--user", f"{os.getuid()}:{os.getgid()}",  # may use the sockets in the grader's runtime folder
               "--memory", str(self.limits.memory), "--pids-limit", str(self.limits.processes),
               "--ulimit", f"fsize={self.limits.file_size}", "--cap-drop", "ALL",
               "--security-opt", "no-new-privileges", "-v", f"{runtime_dir}:{runtime_dir}",
               "-v", f"{workdir}:{INSIDE_HOME}", "-w", INSIDE_HOME, "-e", f"HOME={INSIDE_HOME}"]
        for key, value in env.items():
            cmd += ["-e", f"{key}={value}"]
        # the image has its own Python with `labs` installed: run the kernel with that one
        return [*cmd, self.image, "python", *kernel[1:]]


LIBRARY = "/opt/course-lib"  # inside the sandbox: the `labs` package, alone, on PYTHONPATH


def python_paths() -> list[str]:
    """The interpreter and its environment: what a kernel must read besides ``labs``."""
    checkout = package_dir().parent
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    paths |= {p for p in sys.path if ("site-packages" in p or "dist-packages" in p) and Path(p).is_dir()}
    # Never the checkout itself or a folder above it (its notebooks are the masters).
    return sorted(p for p in paths if not _contains(p, checkout))


def package_dir() -> Path:
    """The folder of the ``labs`` package the grader runs."""
    import labs

    return Path(labs.__file__).resolve().parent


def _contains(path: str, inner: Path) -> bool:
    """True when ``path`` is ``inner`` or a folder above it (binding it would show ``inner``)."""
    try:
        inner.relative_to(Path(path).resolve())
    except ValueError:
        return False
    return True


def _inside_path() -> str:
    return os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"])


# --- the kernel manager -----------------------------------------------------------------------


def kernel_manager_class(sandbox: Sandbox, workdir: Path, env: dict[str, str]):
    """A jupyter_client kernel manager whose kernels start inside ``sandbox`` with ``workdir``.

    The kernel listens on Unix sockets in a private runtime folder (no network needed), is
    interrupted by a message (a signal would stop the sandbox, not the kernel), and a watchdog
    enforces the memory and process limits on all its processes together.
    """
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    reasons: list[tuple[str, dict]] = []  # (message, its fields): put in words where it is read

    class SandboxedKernelManager(AsyncKernelManager):
        @staticmethod
        def last_watchdog_reason() -> str:
            """Why the watchdog stopped a kernel of this class, if it did (in the reader's language:
            the watchdog runs in a thread of its own)."""
            if not reasons:
                return ""
            from labs.course.referee import _ as in_words

            message, fields = reasons[-1]
            return in_words(message).format(**fields)

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.runtime_dir = Path(tempfile.mkdtemp(prefix="labs-kernel-"))
            self.transport = "ipc"
            self.connection_file = str(self.runtime_dir / "kernel.json")
            self.ip = str(self.runtime_dir / "k")
            self.watchdog: Watchdog | None = None

        @property
        def kernel_spec(self):
            return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                              display_name="grading", language="python", interrupt_mode="message")

        def format_kernel_cmd(self, extra_arguments=None):
            kernel = super().format_kernel_cmd(extra_arguments)
            return sandbox.command(kernel, runtime_dir=self.runtime_dir, workdir=workdir, env=env)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw["env"] = {**os.environ, **env} if sandbox.kind == "none" else {"PATH": os.environ.get("PATH", "")}
            # the kernel's own start-up lines and native logs; cell output reaches the grader by messages
            kw["stdout"] = kw["stderr"] = subprocess.DEVNULL
            await super()._async_launch_kernel(kernel_cmd, **kw)
            process = getattr(self.provisioner, "process", None)
            if process is not None and sandbox.kind != "none":
                self.watchdog = Watchdog(process.pid, sandbox.limits, reasons)
                self.watchdog.start()

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            if self.watchdog:
                self.watchdog.stop()
            await super()._async_cleanup_resources(restart=restart)
            shutil.rmtree(self.runtime_dir, ignore_errors=True)

        cleanup_resources = _async_cleanup_resources

    return SandboxedKernelManager


class Watchdog(threading.Thread):
    """Kills a sandbox when its processes together use more memory or processes than allowed."""

    def __init__(self, pid: int, limits: Limits, reasons: list[tuple[str, dict]], interval: float = 0.1):
        super().__init__(daemon=True, name=f"watchdog-{pid}")
        self.pid, self.limits, self.interval, self.reasons = pid, limits, interval, reasons
        self.reason = ""
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop_event.wait(self.interval):
            try:
                tree = [root, *root.children(recursive=True)]
                memory = sum(_rss(p) for p in tree)
            except psutil.Error:
                return
            found = None
            if memory > self.limits.memory:
                found = (N_("memory limit of {gib:g} GiB reached"), {"gib": self.limits.memory / 1024**3})
            elif len(tree) > self.limits.processes + 2:  # prlimit/bwrap and bwrap's init
                found = (N_("process limit of {processes} reached"), {"processes": self.limits.processes})
            if found:
                self.reason = found[0].format(**found[1])
                self.reasons.append(found)
                _kill_tree(tree)
                return


def _rss(process) -> int:
    try:
        return process.memory_info().rss
    except Exception:  # gone since the listing
        return 0


def _kill_tree(tree) -> None:
    for process in reversed(tree):
        try:
            process.send_signal(signal.SIGKILL)
        except Exception:  # already gone
            pass
