#!/usr/bin/env bash
# Builds the `retold` Python wheel (pyo3 + maturin, one abi3 wheel for Python >= 3.9) and
# installs it with its test tools (pytest; pyspark and pandas < 3, which pyspark 4.3 supports, for
# the Spark job) into .venv-py (pinned versions; idempotent: the venv and the
# tools are made once, the wheel is rebuilt by cargo incrementally and reinstalled).
#   bash scripts/setup-python.sh [--release]
# Default profile: dev (the test suite's; optimised, see Cargo.toml). --release for benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/retold/target}"
PROFILE=dev
[ "${1:-}" = "--release" ] && PROFILE=release
VENV="${RETOLD_PY_VENV:-.venv-py}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  maturin==1.16.0 pyarrow==26.0.1 pytest==9.2.0 pyspark==4.3.0 pandas==2.3.3
WHEELS="$CARGO_TARGET_DIR/wheels-$PROFILE"
rm -rf "$WHEELS"
"$VENV/bin/maturin" build --quiet --profile "$PROFILE" --out "$WHEELS" >/dev/null
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall \
  --no-deps "$WHEELS"/retold-*.whl
"$VENV/bin/python" -c 'import retold; print("setup-python: retold", retold.__version__, "installed in '"$VENV"'")'
