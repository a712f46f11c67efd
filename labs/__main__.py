"""Command line: ``python -m labs run [--profile fast|full] [NOTEBOOK ...]`` and
``python -m labs colab [--check] [NOTEBOOK ...]``."""

from __future__ import annotations

import argparse
import sys

from labs.profiles import PROFILES, profile_name


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m labs", description="Run the deep-learning labs.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="execute notebooks headless and write build/")
    run.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="e.g. 01 or 02_xor (default: all)")
    run.add_argument("--profile", choices=PROFILES, help="default: LABS_PROFILE, else full")
    run.add_argument("--timeout", type=int, default=None, help="seconds allowed per cell (default: none)")
    colab = commands.add_parser(
        "colab", help="write the Open-in-Colab badge, the GPU request and the first cell into notebooks"
    )
    colab.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="e.g. 01 or 02_xor (default: all)")
    colab.add_argument("--check", action="store_true", help="change nothing; fail if a notebook is out of date")
    args = parser.parse_args(argv)

    if args.command == "run":
        from labs.runner import run_course

        try:
            runs = run_course(args.notebooks, profile=args.profile or profile_name(), timeout=args.timeout)
        except (ValueError, FileNotFoundError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        return 0 if all(r.status == "ok" for r in runs) else 1
    if args.command == "colab":
        from labs.colab import run_command

        try:
            return run_command(args.notebooks, check=args.check)
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
