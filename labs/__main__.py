"""Command line: ``python -m labs run [--profile fast|full] [NOTEBOOK ...]`` and
``python -m labs claims [--profile fast|full] [--seeds N ...]``."""

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
    claims = commands.add_parser("claims", help="measure the slides' four claims (labs 05-07) and print the table")
    claims.add_argument("--profile", choices=PROFILES, help="default: LABS_PROFILE, else full")
    claims.add_argument("--seeds", type=int, nargs="+", metavar="N", help="default: the profile's seeds")
    args = parser.parse_args(argv)

    if args.command == "run":
        from labs.runner import run_course

        try:
            runs = run_course(args.notebooks, profile=args.profile or profile_name(), timeout=args.timeout)
        except (ValueError, FileNotFoundError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        return 0 if all(r.status == "ok" for r in runs) else 1
    if args.command == "claims":
        from labs import claims as slide_claims
        from labs.environment import setup
        from labs.profiles import profile

        try:
            setup(verbose=False)  # seeds and deterministic ops, as in the notebooks
            measured = slide_claims.run(settings=profile(args.profile), seeds=args.seeds)
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(measured.report())
        return 0 if measured.holds else 1
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
