#!/usr/bin/env bash
# Builds the release `tierbook` command with profile-guided optimisation (PGO): an instrumented build
# runs a training set of generated store exports, and the release build is compiled again with what
# it recorded (which branches are taken, which calls are hot). At a million orders the command then
# takes ~10-13 % less wall time and ~14 % less CPU than the plain release build, measured side by side
# (docs/benchmarks.md, "Profile-guided optimisation"); its results are the same, bit for bit
# (scripts/same_results.sh compares them).
#
#   scripts/pgo.sh            # prints the path of the optimised binary: $TARGET/pgo/use/release/tierbook
#
# The training set is generated here with a seed and sizes of its own (not the benchmark's file):
# every platform layout the generator has (微信小店, 淘宝 as a GBK CSV with title and totals rows,
# 拼多多, 有赞, a customer list), several methods, and a shop's first and second import into a
# workspace, so that what is hot for other exports is compiled as hot too. The profile applies to this
# binary only: the app (another binary, built with other features) is built without it.
#
# Needs `llvm-profdata` of the toolchain's own LLVM (`rustup component add llvm-tools-preview`, done
# here when rustup is there); without it the plain release build is made, and said so.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=${CARGO_TARGET_DIR:-$PWD/target}
PGO=$TARGET/pgo
say() { echo "pgo: $*" >&2; }

if command -v rustup >/dev/null 2>&1; then
  rustup component add llvm-tools-preview >/dev/null 2>&1 || say "could not add llvm-tools-preview"
fi
PROFDATA=$(find "$(rustc --print sysroot)" -name llvm-profdata -type f 2>/dev/null | head -1)
if [ -z "$PROFDATA" ]; then
  say "llvm-profdata not found: building the plain release command instead"
  cargo build --release -p tierbook --bin tierbook >&2
  echo "$TARGET/release/tierbook"
  exit 0
fi

# Separate target folders: the flags differ from a plain release build's, which stays as it is.
RAW=$PGO/raw
say "instrumented build"
CARGO_TARGET_DIR=$PGO/gen RUSTFLAGS="-Cprofile-generate=$RAW" cargo build --release -p tierbook --bin tierbook >&2
# Build scripts were instrumented too and wrote profiles of their own: only the training's count.
rm -rf "$RAW" "$PGO/train"
mkdir -p "$RAW" "$PGO/train"
GEN=$PGO/gen/release/tierbook
T=$PGO/train

say "training"
"$GEN" generate --layout wechat --orders 150000 --seed 7 --out "$T/wechat.xlsx" >/dev/null
"$GEN" generate --layout taobao --orders 40000 --seed 8 --format csv-gbk --title-rows --totals-row --out "$T/taobao.csv" >/dev/null
"$GEN" generate --layout pdd --orders 40000 --seed 9 --out "$T/pdd.xlsx" >/dev/null
"$GEN" generate --layout youzan --orders 40000 --seed 10 --out "$T/youzan.xlsx" >/dev/null
"$GEN" generate --layout customers --orders 20000 --seed 11 --out "$T/customers.xlsx" >/dev/null
for file in wechat.xlsx taobao.csv pdd.xlsx youzan.xlsx customers.xlsx; do
  "$GEN" classify "$T/$file" --out "$T/$file.tiers.xlsx" >/dev/null
done
for method in rfm-segments composite thresholds; do
  "$GEN" classify "$T/youzan.xlsx" --method "$method" --out "$T/youzan-$method.xlsx" >/dev/null
done
"$GEN" classify "$T/wechat.xlsx" --out "$T/first.xlsx" --workspace "$T/shop.tierbook" >/dev/null
"$GEN" classify "$T/pdd.xlsx" --out "$T/second.xlsx" --workspace "$T/shop.tierbook" >/dev/null
"$PROFDATA" merge -o "$PGO/tierbook.profdata" "$RAW"

say "optimised build"
# Functions the training never ran have no profile: that is expected, not worth a warning each.
CARGO_TARGET_DIR=$PGO/use RUSTFLAGS="-Cprofile-use=$PGO/tierbook.profdata -Cllvm-args=-pgo-warn-missing-function=false" \
  cargo build --release -p tierbook --bin tierbook >&2
echo "$PGO/use/release/tierbook"
