"""The referee: verdicts made outside every kernel, and a static read of each answer.

:func:`judge_exercise` compares what a hidden test recorded in the student's kernel with what
the same hidden test recorded on the master's solution, in a clean kernel, with the same fresh
seed (see :mod:`labs.probes`). It reads both records as data only (``numpy.load`` with
``allow_pickle=False``, size-checked, no symbolic links); the judge and its tolerances come
from the master's record, never the student's. Messages say what differed, never the hidden
inputs or the expected values: "wrong on 3 of 18 hidden cases (conv2d: out.4 differs in 5 of
36 values)", where each item of a recorded list is a hidden case (the master's record says how
many a value holds), and any other recorded value one.

**Partial credit.** An exercise is all or nothing unless its check cell splits its points into
*parts*, on a line of the public part of the cell (students see how the points are split)::

    labs.checks.check_gan_losses(discriminator_loss, generator_loss_saturating, generator_loss_non_saturating)
    # parts: discriminator=1, saturating=1, non_saturating=1
    ### BEGIN HIDDEN TESTS
    labs.probes.record("gan_losses_discriminator", lambda: {...})
    ...

The exercise is then worth the sum of its parts (a ``# points:`` line, if any, must agree; the
nbgrader metadata carries the total). Each record the hidden test makes counts for the part it
is named after: the part's name itself, or any name ending in ``_`` and the part's name (the
longest such part wins, so ``gan_losses_non_saturating`` is ``non_saturating``, not
``saturating``). A part earns its points when every hidden case of its records passes; the
exercise scores the sum. Make the records independent: pass :func:`labs.probes.record` a
function that computes the values, so an answer that raises on one part records nothing for that
part alone. Use parts only where the pieces are separately right or wrong (three loss functions,
say); an exercise whose pieces depend on each other stays all or nothing. A twin scores 0 for the
whole exercise.

**nbgrader's semantics.** In nbgrader a graded cell that raises scores 0, one that runs scores
full points, and one whose *output is a number* scores that number (partial credit). Our check
cells never produce a number: every ``labs.checks.check_*`` returns None and the cell ends with
that call (``tests/test_checks.py`` and ``tests/test_feedback.py`` check both, over every check and
master), so nbgrader's own grading of
our notebooks and ours agree; our partial credit comes from the referee alone.

:func:`read_answer` parses an answer cell with :mod:`ast` (it never runs it) and reports two
things: uses of the exercise's *twins* (library or ``labs`` functions that would answer it,
listed on the hidden test's ``# twins:`` line), which score 0, and reaches into the grading
machinery (IPython hooks, ``sys.modules``, patched modules, ``exec``, files outside the
working folder …), which are flagged for the instructor and change no points by themselves.
"""

from __future__ import annotations

import ast
import contextvars
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from labs.i18n import LANGUAGES, N_, check_language, translations
from labs.i18n import _ as _speaking_now

MAX_RECORD_BYTES = 64 * 1024**2
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
_TWINS = re.compile(r"^\s*#\s*twins:\s*(.+)$", re.MULTILINE)


# --- the language of a verdict -----------------------------------------------------------------

_LANGUAGE = contextvars.ContextVar("labs_verdict_language", default=None)


@contextmanager
def verdicts_in(lang: str | None) -> Iterator[None]:
    """Write the grader's words (verdicts, scores' messages, feedback) in ``lang`` inside the block.

    Unlike :func:`labs.i18n.speaking`, this holds for the current thread (context) alone, so that
    submissions graded at once, from the English and the Chinese edition, each get their own
    language. ``None``: the instructor's language (:func:`labs.i18n.language`)."""
    token = _LANGUAGE.set(check_language(lang) if lang is not None else None)
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def _(message: str) -> str:
    """``message`` in the language of :func:`verdicts_in`, else the instructor's (:mod:`labs.i18n`)."""
    lang = _LANGUAGE.get()
    return translations(lang).gettext(message) if lang else _speaking_now(message)


def in_every_language(message: str) -> list[str]:
    """``message`` in each language of the course, English first (to read back what was written)."""
    return list(dict.fromkeys(translations(lang).gettext(message) for lang in LANGUAGES))


def prefixes(template: str) -> tuple[str, ...]:
    """The text before the first ``{field}`` of ``template``, in every language."""
    return tuple(dict.fromkeys(t.split("{", 1)[0] for t in in_every_language(template)))


# --- hidden tests in a master's check cell -----------------------------------------------------


def split_check(source: str) -> tuple[str, str]:
    """A master's check cell as (public part, hidden test): the hidden test is the text between
    the markers, the public part everything else."""
    if BEGIN_HIDDEN not in source:
        return source, ""
    before, rest = source.split(BEGIN_HIDDEN, 1)
    hidden, _, after = rest.partition(END_HIDDEN)
    return (before.rstrip() + ("\n" + after.strip() if after.strip() else "")).strip() + "\n", hidden.strip("\n")


def twins_of(hidden: str) -> list[str]:
    """The dotted names on a hidden test's ``# twins:`` lines."""
    return [name.strip() for line in _TWINS.findall(hidden) for name in line.split(",") if name.strip()]


# --- reading records ---------------------------------------------------------------------------


@dataclass
class Record:
    """One record of a hidden test: its values, and (from the master) how to judge them."""

    name: str
    values: dict[str, np.ndarray]
    judge: str = "close"
    options: dict[str, float] = field(default_factory=dict)
    cases: dict[str, int] = field(default_factory=dict)  # key -> hidden cases along its first axis (else 1)

    def count(self) -> int:
        """The hidden cases this record holds."""
        return sum(self.cases.get(key, 1) for key in self.values)


def _regular_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_RECORD_BYTES


def read_records(folder: Path, *, with_judges: bool) -> tuple[dict[str, Record], list[str]]:
    """The records in ``folder`` (one exercise's), and the problems met reading them."""
    records, problems = {}, []
    if not folder.is_dir() or folder.is_symlink():
        return records, problems
    for path in sorted(folder.glob("*.npz")):
        name = path.stem
        if not _regular_file(path):
            problems.append(_("record {name} is not a plain file of at most {megabytes} MB").format(
                name=name, megabytes=MAX_RECORD_BYTES >> 20))
            continue
        try:
            with np.load(path, allow_pickle=False) as data:
                values = {key: data[key] for key in data.files}
        except Exception as error:  # a file the student's code wrote: anything can be wrong with it
            problems.append(_("record {name} cannot be read ({error})").format(name=name, error=type(error).__name__))
            continue
        record = Record(name, values)
        if with_judges:
            meta = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
            record.judge, record.options = meta["judge"], meta["options"]
            record.cases = {k: int(v) for k, v in meta.get("cases", {}).items()}
        records[name] = record
    return records, problems


# --- judging -------------------------------------------------------------------------------------


def _as_numbers(a: np.ndarray) -> np.ndarray | None:
    if a.dtype.kind in "US":
        return None
    try:
        return np.asarray(a, dtype=np.complex128 if a.dtype.kind == "c" else np.float64)
    except (TypeError, ValueError):
        return None


def _compare(key: str, got: np.ndarray, want: np.ndarray, judge: str, options: dict[str, float]) -> str:
    """'' when ``got`` passes against ``want``, else what is wrong (no expected values)."""
    if judge in ("at_least", "at_most"):
        value = _as_numbers(got)
        if value is None or value.size != 1 or not np.all(np.isfinite(value)):
            return _("{key} must be one finite number").format(key=key)
        threshold = float(options.get("threshold", float(np.ravel(want)[0])))
        ok = float(value.real.ravel()[0]) >= threshold if judge == "at_least" else float(value.real.ravel()[0]) <= threshold
        if ok:
            return ""
        return (_("{key} is below the required level") if judge == "at_least"
                else _("{key} is above the required level")).format(key=key)
    if judge == "same_distribution":
        from scipy.stats import ks_2samp

        a, b = _as_numbers(got), _as_numbers(want)
        if a is None or a.shape != b.shape:
            return _("{key} has shape {shape}; the hidden case needs another shape").format(key=key, shape=got.shape)
        if not np.all(np.isfinite(a)):
            return _("{key} contains NaN or inf").format(key=key)
        p = ks_2samp(a.real.ravel(), b.real.ravel()).pvalue
        return "" if p >= options.get("alpha", 1e-3) else _("{key} does not follow the distribution asked for").format(
            key=key)
    if got.shape != want.shape:
        return _("{key} has shape {shape}; the hidden case needs another shape").format(key=key, shape=got.shape)
    if want.dtype.kind in "US" or got.dtype.kind in "US" or judge == "equal":
        same = got.dtype.kind in "US" if want.dtype.kind in "US" else got.dtype.kind not in "US"
        return "" if same and np.array_equal(got, want) else _("{key} differs in {wrong} of {size}").format(
            key=key, wrong=_count(got, want), size=want.size)
    a, b = _as_numbers(got), _as_numbers(want)
    if a is None:
        return _("{key} must be numbers").format(key=key)
    if not np.all(np.isfinite(a)) and np.all(np.isfinite(b)):
        return _("{key} contains NaN or inf").format(key=key)
    close = np.isclose(a, b, rtol=options.get("rtol", 1e-6), atol=options.get("atol", 1e-8), equal_nan=True)
    if close.all():
        return ""
    if np.any(b != 0) and np.isclose(a, -b, rtol=options.get("rtol", 1e-6), atol=options.get("atol", 1e-8)).all():
        return _("{key} has the right size but the opposite sign").format(key=key)
    return _("{key} differs in {wrong} of {size} values").format(key=key, wrong=int((~close).sum()), size=b.size)


def _wrong_cases(got: np.ndarray, want: np.ndarray, judge: str, options: dict[str, float], cases: int) -> int:
    """How many of the ``cases`` slices along the first axis are wrong (all, when that cannot be told)."""
    if cases <= 1 or got.shape != want.shape or want.shape[:1] != (cases,) or judge not in ("close", "equal"):
        return cases
    try:
        if judge == "equal" or want.dtype.kind in "US":
            same = (got == want).reshape(cases, -1).all(axis=1)
        else:
            a, b = _as_numbers(got), _as_numbers(want)
            same = np.isclose(a, b, rtol=options.get("rtol", 1e-6), atol=options.get("atol", 1e-8),
                              equal_nan=True).reshape(cases, -1).all(axis=1)
    except Exception:  # incomparable values
        return cases
    return max(1, int((~same).sum()))


def _count(got: np.ndarray, want: np.ndarray) -> str:
    try:
        return str(int(np.sum(got != want)))
    except Exception:  # incomparable types
        return _("all")


@dataclass
class Verdict:
    """The referee's word on one exercise: passed or not, in words, and the share of its points
    earned (1 or 0 unless the exercise is split into parts)."""

    passed: bool
    message: str
    share: float = -1.0

    def __post_init__(self):
        if self.share < 0:
            self.share = 1.0 if self.passed else 0.0


def _part_of(record: str, parts: dict[str, float]) -> str | None:
    """The part a record counts for: the longest part name it is, or ends with after an ``_``."""
    matching = [p for p in parts if record == p or record.endswith("_" + p)]
    return max(matching, key=len) if matching else None


def _cases(n: int) -> str:
    return (_("{n} hidden case") if n == 1 else _("{n} hidden cases")).format(n=n)


def _summary(wrong: list[str], bad: int, cases: int) -> str:
    if not wrong:
        return _("passed ({cases} checked)").format(cases=_cases(cases))
    shown = "; ".join(wrong[:3]) + (_("; and {more} more").format(more=len(wrong) - 3) if len(wrong) > 3 else "")
    return _("wrong on {wrong} of {cases} ({shown})").format(wrong=bad, cases=_cases(cases), shown=shown)


HIDDEN_TESTS = N_("hidden tests: {summary}")


def judge_exercise(reference: Path, student: Path, parts: dict[str, float] | None = None) -> Verdict:
    """Compare the student's records with the master's for one exercise.

    Each item of a recorded list is one *hidden case*, and any other recorded value one. With
    ``parts`` (the check cell's ``# parts:``), each record counts for the part it is named
    after, and each part earns its points when all its cases pass.
    """
    wanted, problems = read_records(reference, with_judges=True)
    if problems:
        raise RuntimeError(_("the master's hidden test records cannot be read: {problems}").format(
            problems="; ".join(problems)))
    if not wanted:
        raise RuntimeError(_("the master recorded nothing in {folder}: does its hidden test call "
                             "labs.probes.record?").format(folder=reference))
    got, problems = read_records(student, with_judges=False)
    wrong: dict[str, list[str]] = {}  # record -> what is wrong with it
    bad: dict[str, int] = {}  # record -> hidden cases wrong
    for name, want in wanted.items():
        record, texts, count = got.get(name), [], 0
        if record is None:
            texts.append(_("the hidden test {name} recorded nothing (your code raised, never returned, or "
                           "grading was tampered with)").format(name=name))
            count = want.count()
        else:
            for key, value in want.values.items():
                cases = want.cases.get(key, 1)
                text = (_compare(key, record.values[key], value, want.judge, want.options)
                        if key in record.values else _("no value for {key}").format(key=key))
                if text:
                    texts.append(f"{name}: {text}")
                    count += (_wrong_cases(record.values[key], value, want.judge, want.options, cases)
                              if key in record.values else cases)
            extra = set(record.values) - set(want.values)
            if extra:
                texts.append(_("{name}: unexpected values {keys}").format(name=name, keys=", ".join(sorted(extra))))
        wrong[name], bad[name] = texts, count
    if not parts:
        texts = problems + [t for name in wanted for t in wrong[name]]
        cases = sum(w.count() for w in wanted.values())
        return Verdict(not texts, _(HIDDEN_TESTS).format(summary=_summary(texts, sum(bad.values()), cases)))
    groups: dict[str, list[str]] = {part: [] for part in parts}
    for name in wanted:
        part = _part_of(name, parts)
        if part is None:
            raise RuntimeError(_("the master's record {name} counts for none of the parts {parts}: name "
                                 "each record after its part (e.g. exercise_part)").format(
                name=name, parts=", ".join(parts)))
        groups[part].append(name)
    empty = [part for part, names in groups.items() if not names]
    if empty:
        raise RuntimeError(_("the master recorded nothing for the parts {parts}").format(parts=", ".join(empty)))
    earned, words = 0.0, []
    for part, names in groups.items():
        texts = [t for name in names for t in wrong[name]]
        cases = sum(wanted[name].count() for name in names)
        if not texts and not problems:
            earned += parts[part]
        words.append(_("part {part} ({points:g} of {total:g} points): {summary}").format(
            part=part, points=parts[part], total=sum(parts.values()),
            summary=_summary(texts, sum(bad[name] for name in names), cases)))
    total = sum(parts.values())
    message = _(HIDDEN_TESTS).format(summary=_("{earned:g} of {total:g} points by parts ({details})").format(
        earned=earned, total=total, details="; ".join(problems + words)))
    return Verdict(earned == total and not problems, message, earned / total if total else 0.0)


# --- a static read of an answer ----------------------------------------------------------------

# name used in the answer -> why it is flagged
_FLAGGED_NAMES = {
    "get_ipython": N_("uses get_ipython (the kernel's hooks)"),
    "exec": N_("calls exec"), "eval": N_("calls eval"), "compile": N_("calls compile"), "__import__": N_("calls __import__"),
    "globals": N_("reads globals()"), "locals": N_("reads locals()"), "vars": N_("reads vars()"),
    "setattr": N_("calls setattr"), "delattr": N_("calls delattr"), "breakpoint": N_("calls breakpoint"),
}
_FLAGGED_ATTRIBUTES = {
    "__code__": N_("touches __code__"), "__globals__": N_("touches __globals__"), "__builtins__": N_("touches __builtins__"),
    "__dict__": N_("touches a __dict__"), "__class__": N_("touches __class__"), "__subclasses__": N_("touches __subclasses__"),
    "modules": N_("reads sys.modules"), "meta_path": N_("changes the import system"), "path_hooks": N_("changes the import system"),
    "input_transformers_cleanup": N_("adds an IPython input transformer"),
    "input_transformers_post": N_("adds an IPython input transformer"), "ast_transformers": N_("adds an IPython AST transformer"),
    "events": N_("registers IPython events"), "system": N_("runs a shell command (os.system)"), "popen": N_("runs a shell command"),
    "fork": N_("forks a process"), "kill": N_("sends signals"), "_exit": N_("ends the process"), "environ": N_("reads the environment"),
    "setrecursionlimit": N_("changes the recursion limit"), "settrace": N_("installs a tracer"), "setprofile": N_("installs a profiler"),
}
# Modules an exercise answer has no use for (``os``, ``sys`` and ``pathlib`` are read by their attributes).
_FLAGGED_MODULES = {
    "builtins", "importlib", "ctypes", "subprocess", "socket", "urllib", "http", "requests", "shutil", "pty",
    "multiprocessing", "signal", "inspect", "gc", "pickle", "marshal", "code", "codeop", "atexit",
    "IPython", "ipykernel", "jupyter_client", "nbformat", "nbclient", "nbgrader",
}
_WRITE_MODES = re.compile(r"[wax+]")


@dataclass
class AnswerReading:
    """What a static read of one answer cell found."""

    twins: list[str] = field(default_factory=list)  # twins the answer uses: 0 points
    flags: list[str] = field(default_factory=list)  # reaches into grading: for the instructor


def read_answer(source: str, twins: list[str] | None = None) -> AnswerReading:
    """Read ``source`` (an answer cell, IPython magics included) without running it."""
    reading = AnswerReading()
    code = _strip_magics(source, reading)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return reading  # the kernel will say so; nothing to read
    twins = list(twins or [])
    imported = _imports(tree)
    bound = _bound_names(tree)
    leaves = {t.rsplit(".", 1)[-1]: t for t in twins}

    def flag(text: str) -> None:
        if text not in reading.flags:
            reading.flags.append(text)

    def twin(name: str) -> None:
        if name not in reading.twins:
            reading.twins.append(name)

    def resolve(dotted: str) -> str:
        first, _, rest = dotted.partition(".")
        return f"{imported[first]}.{rest}".rstrip(".") if first in imported else dotted

    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            for alias in node.names:
                full = f"{module}.{alias.name}" if module else alias.name
                if full.split(".")[0] in _FLAGGED_MODULES:
                    flag(_("imports {module}").format(module=full))
                for name in twins:
                    if full == name or full.startswith(name + ".") or ("." not in name and alias.name == name):
                        twin(name)
        elif isinstance(node, ast.Name):
            if node.id in _FLAGGED_NAMES and isinstance(node.ctx, ast.Load):
                flag(_(_FLAGGED_NAMES[node.id]))
            if node.id in leaves and node.id not in bound and node.id not in imported and isinstance(node.ctx, ast.Load):
                twin(leaves[node.id])  # a name an earlier cell of the notebook brought in
        elif isinstance(node, ast.Attribute):
            if node.attr in _FLAGGED_ATTRIBUTES:
                flag(_(_FLAGGED_ATTRIBUTES[node.attr]))
            dotted = _dotted(node)
            full = resolve(dotted) if dotted else ""
            for name in twins:
                if full and (full == name or full.startswith(name + ".")):
                    twin(name)
                elif "." not in name and node.attr == name:
                    twin(name)
            if isinstance(node.ctx, (ast.Store, ast.Del)) and _is_module_attribute(node, imported):
                flag(_("assigns {name} (changes an imported module)").format(name=dotted or node.attr))
        elif isinstance(node, ast.Call):
            _read_call(node, flag)
            if _dotted(node.func) in ("getattr", "__import__", "importlib.import_module"):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Constant) and isinstance(inner.value, str) and inner.value in leaves:
                        twin(leaves[inner.value])
    return reading


def _imports(tree: ast.AST) -> dict[str, str]:
    """Names the answer imports, and the dotted name each stands for."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


def _bound_names(tree: ast.AST) -> set[str]:
    """Names the answer binds itself: functions, classes, parameters, assignment targets."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
    return bound


def _strip_magics(source: str, reading: AnswerReading) -> str:
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")) or re.match(r"^\w+\s*=\s*[!%]", stripped):
            reading.flags.append(_("runs an IPython magic or shell command ({command})").format(
                command=stripped.split()[0][:20]))
            lines.append("")
        else:
            lines.append(line)
    return "\n".join(lines)


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _is_module_attribute(node: ast.Attribute, imported: dict[str, str]) -> bool:
    """``labs.checks.x = …``, ``np.allclose = …``: an assignment into something imported."""
    base = node.value
    while isinstance(base, ast.Attribute):
        base = base.value
    return isinstance(base, ast.Name) and (base.id in imported or base.id in {"labs", "np", "numpy", "keras", "tf"})


def _constant_path(node: ast.AST | None) -> str | None:
    """The path a node names when it is a literal (``"x.txt"``, ``Path("x.txt")``), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and _dotted(node.func).split(".")[-1] in ("Path", "PurePath") and node.args:
        return _constant_path(node.args[0])
    return None


def _read_call(node: ast.Call, flag) -> None:
    func = _dotted(node.func)
    method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
    if func in ("open", "io.open", "os.open"):
        target = node.args[0] if node.args else None
        mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
        writes = isinstance(mode, ast.Constant) and isinstance(mode.value, str) and bool(_WRITE_MODES.search(mode.value))
    elif method in ("write_text", "write_bytes", "touch", "mkdir", "unlink", "rename", "replace", "rmdir",
                    "symlink_to", "chmod"):
        target, writes = node.func.value, True
    elif func in ("np.save", "np.savez", "np.savetxt", "numpy.save", "numpy.savez", "os.remove", "os.unlink",
                  "os.rename", "os.replace", "os.symlink", "os.makedirs", "os.mkdir", "os.chmod"):
        target, writes = (node.args[0] if node.args else None), True
    else:
        target = writes = None
    if writes is not None:
        path = _constant_path(target)
        if path is None:
            flag(_("writes a file whose name is computed") if writes else _("opens a file whose name is computed"))
        elif path.startswith(("/", "~")) or ".." in Path(path).parts:
            flag((_("writes a file outside the working folder ({path})") if writes
                  else _("opens a file outside the working folder ({path})")).format(path=path[:40]))
    if func.endswith(("os.system", "os.popen", "os.execv", "os.execl", "os.spawnl")):
        flag(_("runs a shell command"))
    if func == "getattr" and len(node.args) > 1 and not isinstance(node.args[1], ast.Constant):
        flag(_("calls getattr with a computed name"))
