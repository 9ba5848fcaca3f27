#!/usr/bin/env bash
# Make a fresh venv with the cniinvoke package installed as a user would:
# the manylinux wheel (built by maturin, whose compliance check must pass)
# installed with pip, plus any extra packages named on the command line.
# Usage: bindings/python/make-venv.sh [extra pip packages...]
# The venv is <repo>/.venv-py unless VENV names another directory; PYTHON
# picks the interpreter (default python3). The wheel is left in
# bindings/python/target/wheels (WHEEL_DIR names another directory).
# PACKAGE=no leaves the package out (a venv for tools only, such as
# `make lint`'s ruff).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${VENV:-$repo/.venv-py}"
python="${PYTHON:-python3}"
wheels="${WHEEL_DIR:-$here/target/wheels}"

cd "$repo"
rm -rf "$venv"
"$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check)
if [ "${PACKAGE:-yes}" = no ]; then
  [ $# -eq 0 ] || "${pip[@]}" "$@"
  exit 0
fi
# The build backend pyproject.toml names, in the venv.
"${pip[@]}" "maturin>=1.5,<2"
rm -f "$wheels"/cniinvoke-*.whl
# --auditwheel check: fail when the extension needs more than the
# manylinux tag of pyproject.toml allows, instead of repairing it.
(cd "$here" && "$venv/bin/maturin" build --release --quiet --auditwheel check --out "$wheels")
wheel=("$wheels"/cniinvoke-*-manylinux_*.whl)
if [ ! -f "${wheel[0]}" ]; then
  echo "maturin left no manylinux wheel in $wheels" >&2
  exit 1
fi
"${pip[@]}" "${wheel[0]}" "$@"
