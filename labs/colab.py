"""What runs on Colab: install only the packages the runtime lacks.

The first cell of every notebook (written by ``python -m labs colab``, see
:mod:`labs.course.colab`) installs ``labs`` from the course repository *without* its
dependencies on Colab, then calls :func:`install_missing`, which installs only what Colab
lacks: TensorFlow, Keras and NumPy stay exactly as Colab ships them (reinstalling them is what
breaks course notebooks when Colab's image moves on), not only as the labs' own requirements
but also as anyone else's: pip installs under a constraints file that pins them.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Callable, Iterable
from typing import Any

DISTRIBUTION = "dnn-labs"  # the package name of `labs` (pyproject.toml)
KEEP_AS_INSTALLED = ("tensorflow", "keras", "numpy")


def installed_version(name: str) -> str | None:
    """The installed version of distribution ``name``, or None when it is not installed."""
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def missing_requirements(
    requirements: Iterable[str], installed: Callable[[str], str | None] | None = None
) -> tuple[list[str], list[str]]:
    """Split the requirements that are not satisfied into ``(to_install, kept)``: ``kept`` are
    those never to touch (``KEEP_AS_INSTALLED``), as ``"numpy>=1.26 (installed: 1.24.4)"``.
    Requirements of extras, or for other platforms, are skipped."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    installed = installed or installed_version
    to_install, kept = [], []
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        version = installed(requirement.name)
        if version is not None and requirement.specifier.contains(version, prereleases=True):
            continue
        if canonicalize_name(requirement.name) in KEEP_AS_INSTALLED:
            kept.append(f"{requirement} (installed: {version or 'none'})")
        else:
            to_install.append(str(requirement))
    return to_install, kept


def install_missing(distribution: str = DISTRIBUTION, *, run: Callable[[list[str]], Any] | None = None) -> list[str]:
    """Install the requirements of the installed ``labs`` that are missing or too old, never
    TensorFlow, Keras or NumPy (a warning names any of those that does not fit); returns them.

    pip gets a constraints file pinning the installed TensorFlow, Keras and NumPy, so that a
    package whose newest release wants another NumPy is installed in an older release that
    fits, or pip stops with an error, instead of replacing the runtime's NumPy as a
    dependency. ``run`` receives the pip command (default: run it, failing loudly)."""
    import importlib
    import tempfile
    from importlib import metadata
    from pathlib import Path

    to_install, kept = missing_requirements(metadata.requires(distribution) or [])
    for requirement in kept:
        warnings.warn(
            f"The labs ask for {requirement}: left as it is, since reinstalling it breaks the "
            "runtime's other packages. Most labs still work; report it if one does not.",
            stacklevel=2,
        )
    if not to_install:
        print("labs: every package the labs need is already installed.")
        return []
    print(f"labs: installing what this machine lacks: {', '.join(to_install)}")
    with tempfile.TemporaryDirectory(prefix="labs-pip-") as folder:
        constraints = Path(folder) / "keep-as-installed.txt"
        constraints.write_text("".join(f"{line}\n" for line in kept_pins()), encoding="utf-8")
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--constraint", str(constraints), *to_install]
        (run or _run_pip)(command)
    importlib.invalidate_caches()  # let this kernel import what was just installed
    return to_install


def kept_pins(installed: Callable[[str], str | None] | None = None) -> list[str]:
    """``name==version`` for each of ``KEEP_AS_INSTALLED`` that is installed (pip constraints)."""
    installed = installed or installed_version
    return [f"{name}=={version}" for name in KEEP_AS_INSTALLED if (version := installed(name)) is not None]


def _run_pip(command: list[str]) -> None:
    subprocess.run(command, check=True)
