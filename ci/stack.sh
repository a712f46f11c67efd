#!/usr/bin/env bash
# Install one stack of the versions the course claims to support into a fresh venv, then run
# the unit tests (not the notebooks) and the fast course of two labs with the offline sample.
#
#   bash ci/stack.sh oldest|colab|newest      (PYTHON=python3.12 bash ci/stack.sh colab)
#
# The stack's pins are in ci/<stack>.txt (pip constraints). The venv goes to
# ${LABS_STACK_VENV:-.venv-<stack>}; the executed labs go to build/ as with any run.
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${1:?usage: ci/stack.sh oldest|colab|newest}"
constraints="ci/${stack}.txt"
[ -f "$constraints" ] || { echo "no such stack: $constraints" >&2; exit 2; }
python="${PYTHON:-python3}"
venv="${LABS_STACK_VENV:-.venv-${stack}}"
labs="${LABS_STACK_LABS:-02 04}"

start=$(date +%s)
rm -rf "$venv"
"$python" -m venv "$venv"
. "$venv/bin/activate"
python -m pip install --quiet --upgrade pip
python -m pip install --quiet -c "$constraints" -r requirements-dev.txt
echo "== stack $stack: Python $(python -c 'import platform; print(platform.python_version())'), installed in $(( $(date +%s) - start )) s"
python - <<'PY'
from importlib import metadata
for name in ("tensorflow", "keras", "numpy", "pandas", "scikit-learn", "matplotlib", "mlxtend", "filelock"):
    print(f"   {name} {metadata.version(name)}")
PY
python -m pip check
export LABS_DATA=sample LABS_PROFILE=fast
python -m pytest -q -m "not notebook" -p no:cacheprovider
# shellcheck disable=SC2086  # the lab numbers are separate words
python -m labs run --no-progress --jobs 1 $labs
echo "== stack $stack passed in $(( $(date +%s) - start )) s"
