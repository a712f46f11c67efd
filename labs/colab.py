"""What runs on Colab: install only the packages the runtime lacks.

The first cell of every notebook (written by ``python -m labs colab``, see
:mod:`labs.course.colab`) installs ``labs`` from the course repository *without* its
dependencies on Colab, then calls :func:`install_missing`, which installs only what Colab
lacks: TensorFlow, Keras and NumPy stay exactly as Colab ships them (reinstalling them is what
breaks course notebooks when Colab's image moves on).
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
    TensorFlow, Keras or NumPy (a warning names any of those that does not fit); returns them."""
    from importlib import metadata

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
    (run or _pip_install)(to_install)
    return to_install


def _pip_install(requirements: list[str]) -> None:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *requirements], check=True)
