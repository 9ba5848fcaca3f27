#!/usr/bin/env bash
# Make a fresh venv with the cniinvoke package installed as a user would
# (`pip install ./bindings/python`; pip fetches maturin as the build
# backend), plus any extra packages named on the command line.
# Usage: bindings/python/make-venv.sh [extra pip packages...]
# The venv is <repo>/.venv-py unless VENV names another directory; PYTHON
# picks the interpreter (default python3). PACKAGE=no leaves the package out
# (a venv for tools only, such as `make lint`'s ruff).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${VENV:-$repo/.venv-py}"
python="${PYTHON:-python3}"

cd "$repo"
rm -rf "$venv"
"$python" -m venv "$venv"
package=("./bindings/python")
[ "${PACKAGE:-yes}" = no ] && package=()
"$venv/bin/python" -m pip install -q --disable-pip-version-check "${package[@]}" "$@"
