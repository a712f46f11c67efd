"""Colab in one click: the badge, the GPU request and the first cell every notebook shares.

Instructor tooling: this module rewrites notebooks; what runs on Colab itself is
:mod:`labs.colab`.

``python -m labs colab`` writes all three into every notebook (or the ones named), built
from the one repository setting below, so a fork changes ``REPOSITORY`` (and ``BRANCH``),
runs the command, and every badge and install link follows; it also rewrites the Colab
links in the README. ``python -m labs colab --check`` changes nothing and fails if a
notebook is out of date.

On Colab the first cell installs ``labs`` from the repository *without* its dependencies,
then :func:`labs.colab.install_missing` installs only the packages Colab lacks: TensorFlow, Keras and
NumPy stay exactly as Colab ships them (reinstalling them is what breaks course notebooks
when Colab's image moves on). Elsewhere the cell only calls ``labs.setup()``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from labs.colab import DISTRIBUTION

REPOSITORY = "dnn-course/dnn-labs"  # the course on GitHub, as owner/name: a fork changes this line
BRANCH = "main"  # the branch that badges open and Colab installs from
# Where a graded course publishes the students' release (`python -m labs release`) and `labs`:
# a public repository without the masters. The released notebooks' badges and install line point
# here, never at REPOSITORY, whose notebooks hold the solutions.
STUDENT_REPOSITORY = "dnn-course/dnn-labs-student"
STUDENT_BRANCH = "main"

REPO_URL_VARIABLE = "LABS_REPO_URL"  # overrides the install source, e.g. a branch or a local copy
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE_ALT = "Open In Colab"
GPU_METADATA = {"accelerator": "GPU", "colab": {"gpuType": "T4", "provenance": []}}

_COLAB_LINK = re.compile(r"https://colab\.research\.google\.com/github/[^/\s)]+/[^/\s)]+/blob/[^/\s)]+/"
                         r"(?P<path>notebooks/[^\s)]+\.ipynb)")
_OLD_SETUP_CELL = "import labs\n\nlabs.setup()"
SETUP_TITLE = '# @title Set-up: installs the course helpers on Colab, then seeds and reports { display-mode: "form" }'
_FIRST_LINE = "import importlib.util"
# Collapse the set-up cell's code by default: Colab shows the form title, Jupyter a "..." bar.
COLLAPSED_METADATA = {"cellView": "form", "jupyter": {"source_hidden": True}}


def _where(student: bool) -> tuple[str, str]:
    return (STUDENT_REPOSITORY, STUDENT_BRANCH) if student else (REPOSITORY, BRANCH)


def install_url(*, student: bool = False) -> str:
    """Where Colab installs ``labs`` from: the repository at ``BRANCH`` (or the students'), as a pip URL."""
    repository, branch = _where(student)
    return f"git+https://github.com/{repository}@{branch}"


def _edition_folder(lang: str) -> str:
    """The folder of an edition under ``notebooks/``: the English masters at the top, others in ``<lang>/``."""
    from labs.i18n import check_language

    lang = check_language(lang)
    return "" if lang == "en" else f"{lang}/"


def colab_url(notebook: str | Path, *, student: bool = False, lang: str = "en") -> str:
    """The address that opens ``notebooks/<notebook>`` (``notebooks/zh/<notebook>`` for the Chinese
    edition) of the repository (or the students') in Colab."""
    repository, branch = _where(student)
    return (f"https://colab.research.google.com/github/{repository}/blob/{branch}/notebooks/"
            f"{_edition_folder(lang)}{Path(notebook).name}")


def badge(notebook: str | Path, *, student: bool = False, lang: str = "en") -> str:
    """The "Open in Colab" badge (Markdown) for one notebook."""
    return f"[![{BADGE_ALT}]({BADGE_IMAGE})]({colab_url(notebook, student=student, lang=lang)})"


def first_cell(requires: str | None = None, *, student: bool = False, lang: str = "en") -> str:
    """The source of every notebook's first code cell; it asks for labs ``requires`` or newer and,
    in an edition other than English, for messages in ``lang``."""
    from labs import __version__
    from labs.i18n import check_language

    language = "" if check_language(lang) == "en" else f', lang="{lang}"'

    return f'''{SETUP_TITLE}
import importlib.util
import os
import sys

if "google.colab" in sys.modules and importlib.util.find_spec("labs") is None:
    # On Colab: the course's helpers `labs`, then only the packages Colab lacks
    # (TensorFlow, Keras and NumPy stay exactly as Colab ships them).
    LABS_SOURCE = os.environ.get("{REPO_URL_VARIABLE}", "{install_url(student=student)}")
    %pip install --quiet --no-deps "{DISTRIBUTION} @ {{LABS_SOURCE}}"
    from labs.colab import install_missing

    install_missing()

import labs

labs.setup(requires="{requires or __version__}"{language})'''


def apply(nb: Any, name: str, *, student: bool = False, requires: str | None = None, lang: str = "en") -> Any:
    """Give notebook ``nb`` (saved as ``name``) the badge, the GPU metadata and the first cell;
    ``student`` points them at :data:`STUDENT_REPOSITORY` (the release), ``lang`` at an edition."""
    markdown = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    code = next((c for c in nb.cells if c.cell_type == "code"), None)
    if markdown is None or code is None:
        raise ValueError(f"{name} needs a markdown header cell and a code cell (the set-up cell).")
    if not _is_setup_cell(code.source):
        raise ValueError(
            f"The first code cell of {name} is not the set-up cell (`import labs` and `labs.setup()`); "
            "move other code to a cell of its own."
        )
    markdown.source = "\n".join([badge(name, student=student, lang=lang), "", strip_badge(markdown.source)])
    code.source = first_cell(requires, student=student, lang=lang)
    code.metadata.update(COLLAPSED_METADATA)
    nb.metadata["accelerator"] = GPU_METADATA["accelerator"]
    nb.metadata["colab"] = {**GPU_METADATA["colab"], **nb.metadata.get("colab", {}),
                            "gpuType": GPU_METADATA["colab"]["gpuType"]}
    return nb


def strip_badge(text: str) -> str:
    """A header cell's text without its "Open in Colab" badge line (and the blank line after it)."""
    lines = text.split("\n")
    if lines and lines[0].startswith(f"[![{BADGE_ALT}]"):
        lines = lines[2:] if len(lines) > 1 and not lines[1].strip() else lines[1:]
    return "\n".join(lines)


def _is_setup_cell(source: str) -> bool:
    text = source.strip()
    if text.startswith(SETUP_TITLE):
        text = text[len(SETUP_TITLE):].lstrip()
    return text == _OLD_SETUP_CELL or (text.startswith(_FIRST_LINE) and "labs.setup(" in text)


def update_notebook(path: str | Path, *, check: bool = False) -> bool:
    """Bring one notebook up to date (unless ``check``); True when it was, or would be, changed."""
    import copy

    import nbformat

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    updated = apply(copy.deepcopy(nb), path.name)
    if updated == nb:
        return False
    if not check:
        nbformat.validate(updated)
        nbformat.write(updated, path)
    return True


def update_readme(path: str | Path, *, check: bool = False) -> bool:
    """Point every Colab link in the README at ``REPOSITORY`` and ``BRANCH``; True when changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    def relink(match: re.Match) -> str:
        parts = Path(match.group("path")).parts  # notebooks/NAME or notebooks/<lang>/NAME
        return colab_url(parts[-1], lang=parts[1] if len(parts) == 3 else "en")

    new = _COLAB_LINK.sub(relink, text)
    if new == text:
        return False
    if not check:
        path.write_text(new, encoding="utf-8")
    return True


def colab_links(text: str) -> list[str]:
    """Every Colab address in ``text`` that opens a course notebook."""
    return [m.group(0) for m in _COLAB_LINK.finditer(text)]


def run_command(names: list[str] | None = None, *, check: bool = False) -> int:
    """``python -m labs colab``: update (or ``check``) notebooks and README; returns the exit status."""
    from labs.course.runner import ROOT, resolve_notebooks

    changed = [p.name for p in resolve_notebooks(names) if update_notebook(p, check=check)]
    for readme in (ROOT / "README.md", ROOT / "README.zh.md"):
        if not names and readme.exists() and update_readme(readme, check=check):
            changed.append(readme.name)
    verb = "out of date" if check else "updated"
    print(f"{verb}: {', '.join(changed)}" if changed else f"all up to date with {REPOSITORY}@{BRANCH}.")
    if check and changed:
        print("Run `python -m labs colab` to update them.")
        return 1
    return 0
