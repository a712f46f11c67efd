"""Command line: ``python -m labs run | claims | colab | annotate | release | grade | feedback | gradebook |
check | similarity | translate`` (``--help`` on each)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from labs.i18n import _
from labs.profiles import PROFILES, profile_name

NOTEBOOK_HELP = "e.g. 01 or 02_xor (default: all)"
# The grader's defaults (labs.course.grading's DEFAULT_CELL_TIMEOUT and DEFAULT_TIME_LIMIT,
# tests/test_runner.py keeps them equal), written here so that building the parser imports
# no instructor-only package: `python -m labs claims --help` works with the students' install.
GRADE_CELL_TIMEOUT = 120
GRADE_TIME_LIMIT = 900
RUN_CELL_TIMEOUT = 1800  # labs.course.runner.DEFAULT_CELL_TIMEOUT, kept equal by the tests too
# labs.course.similarity's DEFAULT_THRESHOLD, DEFAULT_MIN_TOKENS and DEFAULT_COMMON (kept equal by the tests)
SIMILARITY_THRESHOLD, SIMILARITY_MIN_TOKENS, SIMILARITY_COMMON = 0.8, 40, 10


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m labs", description="Run, release and grade the labs.")
    parser.add_argument("--course-dir", type=Path, default=None, metavar="DIR",
                        help="the course folder holding notebooks/ (default: the checkout labs is installed from)")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="execute notebooks headless and write build/")
    run.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help=NOTEBOOK_HELP)
    run.add_argument("--profile", choices=PROFILES, help="default: LABS_PROFILE, else full")
    run.add_argument("--timeout", type=int, default=RUN_CELL_TIMEOUT,
                     help=f"seconds one cell may run before its notebook is stopped and marked failed "
                          f"(default: {RUN_CELL_TIMEOUT}; 0: no limit)")
    run.add_argument("--no-progress", action="store_true",
                     help="print only a row per notebook, not a line as each code cell starts")
    run.add_argument("--jobs", type=int, default=None,
                     help="notebooks executed at once (default: 2 without a GPU on 2 or more cores, else 1)")
    run.add_argument("--lang", default="en", metavar="LANG",
                     help="en: the English masters (notebooks/, into build/); zh: the Chinese edition "
                          "(notebooks/zh/, into build/zh/) (default: en)")

    claims = commands.add_parser("claims", help="measure the slides' four claims (labs 05-07) and print the table")
    claims.add_argument("--profile", choices=PROFILES, help="default: LABS_PROFILE, else full")
    claims.add_argument("--seeds", type=int, nargs="+", metavar="N", help="default: the profile's seeds")

    colab = commands.add_parser(
        "colab", help="write the Open-in-Colab badge, the GPU request and the first cell into notebooks"
    )
    colab.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help=NOTEBOOK_HELP)
    colab.add_argument("--check", action="store_true", help="change nothing; fail if a notebook is out of date")

    annotate = commands.add_parser("annotate", help="write nbgrader metadata derived from the exercise markers")
    annotate.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help=NOTEBOOK_HELP)

    release = commands.add_parser("release", help="write the students' notebooks (solutions stubbed), "
                                  "OUT/NN_name.ipynb and the Chinese edition's OUT/zh/NN_name.ipynb")
    release.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help=NOTEBOOK_HELP)
    release.add_argument("--out", type=Path, default=Path("release"), help="folder to write (default: release/)")

    expected = commands.add_parser("expected", help="store the self-checks' expected values, from the masters")
    expected.add_argument("--check", action="store_true", help="write nothing; fail if the stored values are stale")

    grade = commands.add_parser("grade", help="grade a folder of submitted notebooks into a CSV")
    grade.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR",
                       help="one folder per student (or one file per student) holding their notebooks")
    grade.add_argument("--notebook", help="the lab every submission is (default: told by each file)")
    grade.add_argument("--out", type=Path, default=Path("results.csv"), help="CSV to write (default: results.csv)")
    grade.add_argument("--cell-timeout", type=int, default=GRADE_CELL_TIMEOUT,
                       help=f"seconds per cell before it is interrupted (default: {GRADE_CELL_TIMEOUT})")
    grade.add_argument("--time-limit", type=float, default=GRADE_TIME_LIMIT,
                       help=f"seconds per submission in all (default: {GRADE_TIME_LIMIT})")
    grade.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default: 1)")
    grade.add_argument("--sandbox", choices=("bwrap", "docker", "podman", "none"), default="bwrap",
                       help="what each grading kernel runs in (default: bwrap, i.e. bubblewrap); none = unsandboxed, "
                            "marked on every CSV row")
    grade.add_argument("--memory", type=float, default=4.0,
                       help="GiB of memory each grading kernel may use, all its processes together (default: 4)")
    grade.add_argument("--seed", type=int, default=None,
                       help="seed of the hidden tests' inputs (default: drawn afresh for each grading run)")
    grade.add_argument("--executed", type=Path, default=None, metavar="DIR",
                       help="keep every executed notebook in DIR/<student>/ (default: not kept)")
    grade.add_argument("--similarity", action="store_true",
                       help="also compare the answers across students and write OUT's name + -similarity.html/.csv")
    grade.add_argument("--dask", metavar="ADDRESS", default=None,
                       help="grade on the workers of this Dask scheduler (e.g. tcp://10.0.0.5:8786) instead of "
                            "--jobs here; results are the same as local grading with the same --seed")
    grade.add_argument("--feedback", type=Path, default=None, metavar="DIR",
                       help="write a page per student and lab, DIR/<student>/<lab>.html and .json (default: none)")
    _feedback_commands(commands)

    similar = commands.add_parser("similarity", help="flag near-identical answer cells across students of a lab")
    similar.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR", help="laid out as for grade")
    similar.add_argument("--notebook", "--lab", dest="notebook", help="the lab every submission is "
                         "(default: told by each file)")
    similar.add_argument("--threshold", type=float, default=SIMILARITY_THRESHOLD,
                         help=f"similarity from which a pair is reported, 0-1 (default: {SIMILARITY_THRESHOLD})")
    similar.add_argument("--min-tokens", type=int, default=SIMILARITY_MIN_TOKENS,
                         help="answers with fewer tokens of their own are too short to judge "
                              f"(default: {SIMILARITY_MIN_TOKENS})")
    similar.add_argument("--common", type=int, default=SIMILARITY_COMMON,
                         help="code found in more than this many answers of an exercise is not counted "
                              f"(default: {SIMILARITY_COMMON})")
    similar.add_argument("--out", type=Path, default=Path("similarity.html"),
                         help="HTML report to write, its CSV twin next to it (default: similarity.html)")
    return parser


def _feedback_commands(commands) -> None:
    feedback = commands.add_parser("feedback", help="write students' feedback pages from grading CSVs")
    feedback.add_argument("csv", type=Path, nargs="+", metavar="CSV", help="CSVs written by python -m labs grade")
    feedback.add_argument("--out", type=Path, default=Path("feedback"), help="folder to write (default: feedback/)")
    gradebook = commands.add_parser("gradebook", help="one table, a Canvas and a Moodle import file from grading CSVs")
    gradebook.add_argument("csv", type=Path, nargs="+", metavar="CSV",
                           help="CSVs written by python -m labs grade; a later one wins for the same student and lab")
    gradebook.add_argument("--out", type=Path, default=Path("gradebook"), help="folder to write (default: gradebook/)")
    gradebook.add_argument("--roster", type=Path, default=None,
                           help="CSV: student (folder name), and name, canvas_id, sis_user_id, sis_login_id, section, "
                                "email, idnumber, username as the LMS knows them")
    gradebook.add_argument("--title", action="append", default=[], metavar="LAB=TITLE",
                           help='the LMS column of a lab, e.g. 01="Lab 1 (123456)" for an existing Canvas assignment')
    translate = commands.add_parser(
        "translate", help="update the Chinese edition: catalogues, notebooks/zh/ and the messages' catalogue")
    translate.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help=NOTEBOOK_HELP)
    translate.add_argument("--check", action="store_true",
                           help="change nothing; fail if a translation is missing or stale or a file is out of date")
    check = commands.add_parser("check", help="run your copy of a lab (fast profile) and say which exercises pass")
    check.add_argument("notebook", type=Path, metavar="NOTEBOOK.ipynb")
    check.add_argument("--timeout", type=int, default=600, help="seconds one cell may run (default: 600)")


def _similarity(args: argparse.Namespace, out: Path | None = None) -> int:
    from labs.course.similarity import find_similar, write_report

    try:
        report = find_similar(args.submissions, notebook=args.notebook,
                              threshold=getattr(args, "threshold", SIMILARITY_THRESHOLD),
                              min_tokens=getattr(args, "min_tokens", SIMILARITY_MIN_TOKENS),
                              common=getattr(args, "common", SIMILARITY_COMMON))
    except RuntimeError as error:  # copydetect not installed
        print(_("error: {error}").format(error=error), file=sys.stderr)
        return 2
    page, table = write_report(report, out or args.out)
    for pair in report.pairs:
        print(_("{notebook} exercise {exercise}: {first} and {second} similarity {similarity:.2f}").format(
            notebook=pair.notebook, exercise=pair.exercise, first=pair.a.student, second=pair.b.student,
            similarity=pair.similarity))
    print(_("{pairs} similar pair(s); wrote {page} and {table} (grades are not changed)").format(
        pairs=len(report.pairs), page=page, table=table))
    return 0


def _claims(args: argparse.Namespace) -> int:
    from labs import claims as slide_claims
    from labs.environment import setup
    from labs.profiles import profile

    setup(verbose=False)  # seeds and deterministic ops, as in the notebooks
    measured = slide_claims.run(settings=profile(args.profile), seeds=args.seeds, verbose=True)
    print(measured.report())
    return 0 if measured.holds else 1


def _annotate(names: list[str]) -> int:
    from labs.course.assignments import annotate_files
    from labs.course.runner import resolve_notebooks

    paths = resolve_notebooks(names)
    changed = annotate_files(paths)
    for path in paths:
        print((_("{name}: annotated") if path in changed else _("{name}: already up to date")).format(name=path.name))
    return 0


def _release(names: list[str], out: Path) -> int:
    from labs.course.assignments import release_files
    from labs.course.runner import resolve_notebooks

    for path in release_files(resolve_notebooks(names), out):
        print(_("wrote {path}").format(path=path))
    return 0


def _grade(args: argparse.Namespace) -> int:
    import secrets

    from labs.course.grading import grade_submissions, write_csv
    from labs.course.sandbox import SandboxUnavailable

    if args.memory <= 0:
        raise ValueError(_("--memory must be a positive number of GiB; got {memory:g}.").format(memory=args.memory))
    seed = args.seed if args.seed is not None else secrets.randbits(31)
    where = _("UNSANDBOXED (--sandbox none): submissions run as you") if args.sandbox == "none" else args.sandbox
    print(_("grading in {where}; hidden cases drawn with --seed {seed}").format(where=where, seed=seed))
    try:
        results = grade_submissions(args.submissions, notebook=args.notebook, cell_timeout=args.cell_timeout,
                                    time_limit=args.time_limit, jobs=args.jobs, sandbox=args.sandbox,
                                    memory=int(args.memory * 1024**3), seed=seed, executed_dir=args.executed,
                                    dask=args.dask)
    except (SandboxUnavailable, RuntimeError) as error:  # no sandbox, or a master that does not grade itself
        print(_("error: {error}").format(error=error), file=sys.stderr)
        return 2
    width = max([len(r.student) for r in results] + [7])
    labels = _("student"), _("notebook"), _("points"), _("seconds"), _("flag")
    from labs.course.runner import pad

    print(f"{pad(labels[0], width)}  {pad(labels[1], 16)} {pad(labels[2], 9, '>')} {pad(labels[3], 8, '>')}  {labels[4]}")
    for r in results:
        print(f"{r.student:<{width}}  {r.notebook or '?':<16} {r.points:>4g}/{r.max_points:<4g} "
              f"{r.seconds:8.1f}  {r.flag}")
    print(_("wrote {path}").format(path=write_csv(results, args.out)))
    if args.feedback is not None:
        from labs.course.feedback import write_feedback
        from labs.course.grading import csv_rows

        print(_("wrote {pages} feedback pages under {folder}").format(
            pages=len(write_feedback(csv_rows(results), args.feedback)), folder=args.feedback))
    if args.similarity:
        return _similarity(args, args.out.with_name(args.out.stem + "-similarity.html"))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.course_dir is not None:
        if not (args.course_dir / "notebooks").is_dir():
            print(_("error: --course-dir {folder} has no notebooks/ folder; name the folder that holds the "
                    "course's notebooks/ (a checkout of the course).").format(folder=args.course_dir), file=sys.stderr)
            return 2
        if "labs.course.runner" in sys.modules and sys.modules["labs.course.runner"].ROOT != args.course_dir.resolve():
            print(_("error: --course-dir must be given before the course tools are loaded (a fresh process)."),
                  file=sys.stderr)
            return 2
        import os

        os.environ["LABS_COURSE_DIR"] = str(args.course_dir.resolve())
    try:
        if args.command == "run":
            from labs.course.runner import run_course
            from labs.i18n import check_language, speaking

            edition = check_language(args.lang, "--lang")
            with speaking(None if edition == "en" else edition):  # the Chinese edition's run speaks Chinese
                runs = run_course(args.notebooks, profile=args.profile or profile_name(), timeout=args.timeout,
                                  jobs=args.jobs, progress=not args.no_progress, lang=edition)
            return 0 if all(r.status == "ok" for r in runs) else 1
        if args.command == "claims":
            return _claims(args)
        if args.command == "colab":
            from labs.course.colab import run_command

            return run_command(args.notebooks, check=args.check)
        if args.command == "annotate":
            return _annotate(args.notebooks)
        if args.command == "release":
            return _release(args.notebooks, args.out)
        if args.command == "expected":
            from labs.course.expected import run_command as expected_command

            return expected_command(check=args.check)
        if args.command == "feedback":
            from labs.course.feedback import run_command as feedback_command

            return feedback_command(args.csv, args.out)
        if args.command == "gradebook":
            from labs.course.gradebook import run_command as gradebook_command

            return gradebook_command(args.csv, args.out, args.roster, args.title)
        if args.command == "check":
            from labs.checks.readiness import run_notebook

            return run_notebook(args.notebook, timeout=args.timeout)
        if args.command == "similarity":
            return _similarity(args)
        if args.command == "translate":
            from labs.course.translation import run_command as translate_command

            return translate_command(args.notebooks, check=args.check)
        return _grade(args)
    except (ValueError, FileNotFoundError) as error:
        print(_("error: {error}").format(error=error), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
