#!/usr/bin/env bash
# Same results, bit for bit (issue 10's bar): the per-customer output of every classification method
# on a generated order file, as a hash of the sorted per-tier CSV export.
#
#   scripts/same_results.sh                        # one line "METHOD SHA256" per method, release binary
#   scripts/same_results.sh OLD_BIN NEW_BIN        # both binaries on the same file; fails on any difference
#   ROWS=100000 SEED=1 BIN=target/release/tierbook scripts/same_results.sh > hashes.txt
#
# The input is generated once (`tierbook generate --layout wechat --orders $ROWS --seed $SEED`, by the
# first binary given) and kept in $DIR. Each method runs `tierbook classify --csv-dir`, every tier's
# CSV is sorted line by line (LC_ALL=C, headers included) and prefixed with its file name, and the
# whole is hashed. Nothing is built here: build the binaries first (`cargo build --release -p tierbook`).
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-100000}
SEED=${SEED:-1}
DIR=${SAME_DIR:-target/same_results}
METHODS=(abc abc-customers thresholds rfm rfm-cube rfm-segments composite)
mkdir -p "$DIR"

# hashes BIN TAG → prints "METHOD SHA256" for every method
hashes() {
  local bin=$1 tag=$2 src="$DIR/orders_${ROWS}_s${SEED}.xlsx"
  for m in "${METHODS[@]}"; do
    local out="$DIR/$tag/$m"
    rm -rf "$out" && mkdir -p "$out/csv"
    "$bin" classify "$src" --method "$m" --out "$out/report.xlsx" --csv-dir "$out/csv" >"$out/log" 2>&1 \
      || { echo "classify --method $m failed with $bin:" >&2; cat "$out/log" >&2; exit 1; }
    local sum
    sum=$(cd "$out/csv" && for f in $(LC_ALL=C ls); do echo "== $f"; LC_ALL=C sort "$f"; done | sha256sum | cut -d' ' -f1)
    echo "$m $sum"
  done
}

if [ $# -ge 2 ]; then OLD=$1 NEW=$2; else OLD=${BIN:-target/release/tierbook} NEW=""; fi
SRC="$DIR/orders_${ROWS}_s${SEED}.xlsx"
if [ ! -f "$SRC" ]; then
  "$OLD" generate --layout wechat --orders "$ROWS" --seed "$SEED" --out "$SRC" >&2
fi

if [ -z "$NEW" ]; then
  hashes "$OLD" one
  exit 0
fi
hashes "$OLD" old >"$DIR/old.txt"
hashes "$NEW" new >"$DIR/new.txt"
if diff "$DIR/old.txt" "$DIR/new.txt"; then
  echo "same results: all ${#METHODS[@]} methods identical on $ROWS orders (seed $SEED)"
  cat "$DIR/new.txt"
else
  echo "DIFFERENT results (left: $OLD, right: $NEW); the CSVs are in $DIR/old and $DIR/new" >&2
  exit 1
fi
