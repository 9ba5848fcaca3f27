#!/usr/bin/env bash
# Make a fresh venv with the cniinvoke package installed as a user would
# (`pip install ./bindings/python`; pip fetches maturin as the build
# backend), plus any extra packages named on the command line.
# Usage: bindings/python/make-venv.sh [extra pip packages...]
# The venv is <repo>/.venv-py unless VENV names another directory; PYTHON
# picks the interpreter (default python3).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${VENV:-$repo/.venv-py}"
python="${PYTHON:-python3}"

cd "$repo"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check "./bindings/python" "$@"
