"""Hostile submissions get no undeserved point and the right flag; honest ones keep their marks.

Each lab's submissions are graded in one run, as an instructor would grade a class, inside
the default sandbox (bubblewrap). Afterwards the course files, the other submissions and the
machine are checked for what the attacks tried to leave behind.
"""

from __future__ import annotations

import hashlib
import http.server
import shutil
import threading
from pathlib import Path

import psutil
import pytest

from labs.course import grading
from labs.course.runner import ROOT

from .hostile import Targets, cases, write_cases
from .submissions import solution

pytestmark = [
    pytest.mark.notebook,
    pytest.mark.skipif(shutil.which("bwrap") is None,
                       reason="bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap); "
                              "the grader's sandbox tests need it"),
]

# lab -> whether every attack category is tried there (the others take the main ones)
LABS = {"01_perceptron": True, "04_mnist_mlp": False, "08_optimizers": False}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"


class _Answer(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module", params=[pytest.param(stem, marks=pytest.mark.xdist_group(f"hostile-{stem}"))
                                        for stem in sorted(LABS)])
def graded(request, tmp_path_factory):
    """Grade lab ``param``'s hostile and honest submissions; returns (cases, results, targets, before)."""
    stem = request.param
    folder = tmp_path_factory.mktemp(f"hostile-{stem}")
    handler = type("Answer", (_Answer,), {"body": solution(stem, 1).encode()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    course_files = [ROOT / "labs" / "checks" / "lab01.py", ROOT / "labs" / "checks" / "__init__.py",
                    ROOT / "data" / "README.md"]
    targets = Targets(course_files, folder / "honest_master" / f"{stem}.ipynb",
                      f"http://127.0.0.1:{server.server_port}/answer.py", folder.parent / f"{stem}-still-running")
    found = cases(stem, targets, every_category=LABS[stem])
    write_cases(folder, stem, found)
    before = {p: _digest(p) for p in [*course_files, targets.other_submission]}
    try:
        results = grading.grade_submissions(folder, notebook=stem, jobs=2, cell_timeout=60, time_limit=600,
                                            executed_dir=folder.parent / f"{stem}-executed")
    finally:
        server.shutdown()
    return found, {r.student: r for r in results}, targets, before


def test_every_submission_gets_exactly_its_points_and_flag(graded):
    found, results, _, _ = graded
    table, wrong = [], []
    for case in found:
        result = results[case.student]
        table.append((case.student, result.points, case.points, result.flag))
        problems = []
        if result.points != case.points:
            problems.append(f"points {result.points:g}, expected {case.points:g}")
        if case.flag and case.flag not in result.flag:
            problems.append(f"flag lacks {case.flag!r}")
        if not case.flag and result.flag:
            problems.append("an honest or plain submission was flagged")
        for number, text in (case.message or {}).items():
            if text not in result.scores[number - 1].message:
                problems.append(f"exercise {number}'s message lacks {text!r}")
        if problems:
            wrong.append((case.student, problems, result.flag, [(s.status, s.message) for s in result.scores]))
    print("\n".join(f"{s:<22} points {p:g} (expected {e:g})  {f}" for s, p, e, f in table))
    assert not wrong, "\n".join(map(str, wrong))


def test_the_sandbox_is_marked_on_every_row(graded):
    _, results, _, _ = graded
    rows = grading.csv_rows(list(results.values()))
    assert {r["sandbox"] for r in rows} == {"bwrap"}


def test_nothing_outside_the_sandbox_changed(graded):
    _, _, targets, before = graded
    assert {p: _digest(p) for p in before} == before, "a submission changed a course file or another submission"
    assert not targets.mark.exists()
    left = [p.info["cmdline"] for p in psutil.process_iter(["cmdline"])
            if str(targets.mark) in " ".join(p.info["cmdline"] or [])]
    assert not left, f"processes started by a submission outlived its grading: {left}"


def test_output_is_cut_and_executed_notebooks_stay_small(graded):
    found, results, _, _ = graded
    for case in found:
        path = results[case.student].executed
        if path is not None:
            assert path.stat().st_size < 5 * grading.DEFAULT_OUTPUT_LIMIT, case.student
    if "giant_output" in results:
        text = results["giant_output"].executed.read_text(encoding="utf-8")
        assert "[output cut: more than" in text
