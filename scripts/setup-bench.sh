#!/usr/bin/env bash
# setup-bench.sh — create the Python venv that scripts/bench.py uses to run the peer
# deduplicators (datasketch, rensa, text-dedup) side by side with retold.
#
# Usage:  bash scripts/setup-bench.sh [--help]
#
# * Creates .venv at the repository root if it is missing and installs pinned versions of
#   datasketch, rensa and numpy, plus text-dedup 0.4.1 and its pinned dependencies.
# * Idempotent: when every pin is installed at its version it only prints "bench venv ok".
# * text-dedup 0.4.1 requires Python >= 3.12 (0.4.0 and older, which accept 3.11, pull in
#   pyspark, onnxruntime and Sphinx). So the venv is made with a Python >= 3.12 when one is
#   found (python3.13/python3.12 on PATH, then pyenv's versions/3.1[2-9]*), else with
#   python3, and then text-dedup is left out: bench.py then prints a row saying so.
#   0.4.1 adds ~700 MB (datasets, pyarrow, polars, pandas, scipy). Skip it with
#   BENCH_TEXT_DEDUP=0.
# * An existing .venv is kept as it is (delete it to change its Python).
#
# Environment: PYTHON (interpreter for a new venv), VENV (default .venv), BENCH_TEXT_DEDUP.
set -euo pipefail

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-.venv}"

# The peers and numpy. numpy 2.4.6 is what pip resolved for datasketch 2.0.0 on Python 3.11
# and it satisfies text-dedup 0.4.1 on 3.12 as well.
PINS=(
    "datasketch==2.0.0"
    "rensa==0.5.0"
    "numpy==2.4.6"
)
# text-dedup and the heavy dependencies it resolved to when this script was written.
TEXT_DEDUP_PINS=(
    "text-dedup==0.4.1"
    "datasets==5.2.0"
    "pyarrow==26.0.1"
    "polars==1.44.2"
    "polars-grouper==0.6.1"
    "pandas==3.1.1"
    "scipy==1.18.1"
    "xxhash==4.1.0"
    "pydantic==2.14.3"
    "pydantic-settings==2.16.3"
)

py_ok_for_text_dedup() {  # $1: interpreter; true if it runs and is >= 3.12
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
    if [[ -n "${PYTHON:-}" ]]; then echo "$PYTHON"; return; fi
    local c
    for c in python3.13 python3.12; do
        if command -v "$c" >/dev/null 2>&1 && py_ok_for_text_dedup "$c"; then echo "$c"; return; fi
    done
    local root
    root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
    for c in "$root"/versions/3.1[2-9]*/bin/python3; do
        if [[ -x "$c" ]] && py_ok_for_text_dedup "$c"; then echo "$c"; return; fi
    done
    echo python3
}

if [[ ! -x "$VENV/bin/python" ]]; then
    BASE_PY="$(find_python)"
    echo "creating $VENV with $BASE_PY ($("$BASE_PY" --version 2>&1))" >&2
    "$BASE_PY" -m venv "$VENV"
fi
PY="$VENV/bin/python"

# Is every pin given installed at its version? (no network)
pins_ok() {
    "$PY" - "$@" <<'EOF'
import sys
from importlib import metadata
for pin in sys.argv[1:]:
    name, ver = pin.split("==")
    try:
        if metadata.version(name) != ver:
            sys.exit(1)
    except metadata.PackageNotFoundError:
        sys.exit(1)
EOF
}

PIP=("$PY" -m pip install --quiet --disable-pip-version-check)

if ! pins_ok "${PINS[@]}"; then
    "${PIP[@]}" "${PINS[@]}"
fi

if [[ "${BENCH_TEXT_DEDUP:-1}" == "0" ]]; then
    echo "text-dedup skipped (BENCH_TEXT_DEDUP=0)" >&2
elif ! py_ok_for_text_dedup "$PY"; then
    echo "text-dedup 0.4.1 needs Python >= 3.12 and $VENV has $("$PY" --version 2>&1): left out" >&2
elif ! pins_ok "${TEXT_DEDUP_PINS[@]}"; then
    if ! "${PIP[@]}" "${TEXT_DEDUP_PINS[@]}" "${PINS[@]}"; then
        echo "warning: text-dedup 0.4.1 failed to install; bench.py will skip it" >&2
    fi
fi

"$PY" - <<'EOF'
import sys
import datasketch, rensa, numpy  # noqa: F401
from importlib import metadata
msg = ["python %d.%d.%d" % sys.version_info[:3],
       "datasketch " + metadata.version("datasketch"), "rensa " + metadata.version("rensa"),
       "numpy " + numpy.__version__]
try:
    import text_dedup.minhash  # noqa: F401
    msg.append("text-dedup " + metadata.version("text-dedup"))
except Exception as e:  # optional
    msg.append("text-dedup unavailable (%s)" % type(e).__name__)
print("bench venv ok: " + ", ".join(msg))
EOF
