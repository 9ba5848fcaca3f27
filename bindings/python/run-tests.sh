#!/usr/bin/env bash
# Build the cniinvoke manylinux wheel (maturin's compliance check must
# pass), install it into a fresh venv as a user would (make-venv.sh), and run
# the pytest suite against it with the project's test plugin; test_wheel.py
# installs the same wheel into another venv outside the repository.
# Usage: bindings/python/run-tests.sh [pytest args...]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/.venv-py"
python="${PYTHON:-python3}"
cargo="${CARGO:-cargo}"

cd "$repo"
# The test plugin every suite uses (a no-op when it is up to date).
"$cargo" build -q -p cni-test-plugin
export CNI_TEST_PLUGIN="${CNI_TEST_PLUGIN:-$repo/target/debug/cni-test-plugin}"

VENV="$venv" PYTHON="$python" "$here/make-venv.sh" pytest pytest-timeout mypy

# The extension carries the Rust core without the C ABI: no cni_* symbol of
# libcniinvoke's may be defined or exported by it.
native="$("$venv/bin/python" -c 'import cniinvoke._native as m; print(m.__file__)')"
symbols="$(nm -D --defined-only "$native")"
if ! grep -q ' PyInit__native$' <<<"$symbols"; then
  echo "nm -D $native: no PyInit__native; cannot check its symbols" >&2
  exit 1
fi
if grep -E ' cni_[A-Za-z0-9_]*$' <<<"$symbols"; then
  echo "$native exports the C ABI symbols above (the core must be built without capi)" >&2
  exit 1
fi

# Run from outside the source tree so `import cniinvoke` is the installed
# wheel, never bindings/python/python/cniinvoke.
cd "$here/tests"
exec "$venv/bin/python" -m pytest -p no:cacheprovider -c "$here/pyproject.toml" \
    --rootdir "$here/tests" "$@" "$here/tests"
