#!/usr/bin/env bash
# setup-spark.sh — the environment of scripts/bench_spark.py: Java >= 17 and the venv
# bench/.venv-spark with PySpark and the two peers of retold's Spark job.
#
# Usage:  bash scripts/setup-spark.sh [--help]
#
# * Java: `java -version` must report 17 or newer; when it does not, Debian's
#   openjdk-17-jre-headless is installed with apt-get (through sudo when not root).
# * bench/.venv-spark (git-ignored) is made with a Python >= 3.10 (python3, else python3.13 ..
#   python3.10 on PATH) and gets the pinned versions of bench/requirements-spark.txt:
#   pyspark 4.3.0, datatrove 0.10.1 with its `io` and `processing` extras (JSONL reader and
#   writer, xxhash) and spaCy (its default English word tokenizer, a blank model: nothing is
#   downloaded at run time), pyarrow 26.0.1 (as the retold package pins), and what they pulled.
# * text-dedup 0.4.0 from PyPI, installed with --no-deps: its Spark MinHash script
#   (text_dedup.minhash_spark) needs only pyspark, numpy, scipy and xxhash, which are pinned
#   above; 0.4.0 declares many more (unisim, Sphinx, urllib3<=2.0, ...) that the script never
#   imports. 0.4.1, the latest text-dedup, no longer ships a Spark script. The script imports
#   GraphFrames, whose jar is not on PyPI: bench/spark-shims/graphframes stands in for it.
# * Idempotent: when Java is there and every pin is installed at its version it only prints
#   "spark venv ok". Delete bench/.venv-spark to start over (SPARK_VENV=DIR: another place).
# About 1.5 GB (the pyspark package alone is ~450 MB).
set -euo pipefail

if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${SPARK_VENV:-bench/.venv-spark}"
REQS=bench/requirements-spark.txt
TEXT_DEDUP_PIN="text-dedup==0.4.0"

java_major() {  # prints the major version of `java`, or 0
    local v
    v="$(java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\)\(\.[0-9]*\)*.*".*/\1/p' | head -1)"
    echo "${v:-0}"
}

if ! command -v java >/dev/null 2>&1 || [[ "$(java_major)" -lt 17 ]]; then
    echo "Java >= 17 not found: installing openjdk-17-jre-headless" >&2
    SUDO=()
    [[ "$(id -u)" -ne 0 ]] && SUDO=(sudo)
    "${SUDO[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq openjdk-17-jre-headless
fi
if [[ "$(java_major)" -lt 17 ]]; then
    echo "error: java -version still reports $(java_major) (< 17); put a Java 17+ first on PATH" >&2
    exit 1
fi

py_ok() {  # $1: interpreter; true if it runs and is >= 3.10
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' >/dev/null 2>&1
}

if [[ ! -x "$VENV/bin/python" ]]; then
    BASE_PY=""
    for c in "${PYTHON:-python3}" python3 python3.13 python3.12 python3.11 python3.10; do
        if command -v "$c" >/dev/null 2>&1 && py_ok "$c"; then BASE_PY="$c"; break; fi
    done
    if [[ -z "$BASE_PY" ]]; then
        echo "error: no Python >= 3.10 found (pyspark 4.3 and datatrove 0.10 need it)" >&2
        exit 1
    fi
    echo "creating $VENV with $BASE_PY ($("$BASE_PY" --version 2>&1))" >&2
    "$BASE_PY" -m venv "$VENV"
fi
PY="$VENV/bin/python"

# Is every pin given installed at its version? (no network)
pins_ok() {
    "$PY" - "$@" <<'EOF'
import re, sys
from importlib import metadata
pins = []
for arg in sys.argv[1:]:
    if arg.endswith(".txt"):
        pins += [l.strip() for l in open(arg) if l.strip() and not l.startswith("#")]
    else:
        pins.append(arg)
for pin in pins:
    name, ver = pin.split("==")
    try:
        if metadata.version(re.sub(r"\[.*\]", "", name)) != ver:
            sys.exit(1)
    except metadata.PackageNotFoundError:
        sys.exit(1)
EOF
}

PIP=("$PY" -m pip install --quiet --disable-pip-version-check)
if ! pins_ok "$REQS"; then
    "${PIP[@]}" -r "$REQS"
fi
if ! pins_ok "$TEXT_DEDUP_PIN"; then
    "${PIP[@]}" --no-deps "$TEXT_DEDUP_PIN"
fi

PYTHONPATH="$ROOT/bench/spark-shims" "$PY" - "$(java -version 2>&1 | head -1)" <<'EOF'
import sys
from importlib import metadata
import pyspark, datatrove.pipeline.dedup.minhash, text_dedup.minhash_spark  # noqa: F401
from datatrove.utils.word_tokenizers import load_word_tokenizer
load_word_tokenizer("en").word_tokenize("a test")
print("spark venv ok: python %d.%d.%d, %s, pyspark %s, text-dedup %s, datatrove %s" % (
    sys.version_info[:3] + (sys.argv[1], pyspark.__version__, metadata.version("text-dedup"),
                            metadata.version("datatrove"))))
EOF
