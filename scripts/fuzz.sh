#!/usr/bin/env bash
# The fuzz targets of fuzz/ (cargo-fuzz, nightly; see docs/fuzzing.md).
#
#   scripts/fuzz.sh build                 build every target (one configuration, fuzz/target only)
#   scripts/fuzz.sh smoke [SECONDS]       seeds, build, then each target for SECONDS (default 60)
#   scripts/fuzz.sh run TARGET SECONDS    one run, nice'd, corpus grown in fuzz/corpus/TARGET
#   scripts/fuzz.sh cmin TARGET           minimise fuzz/corpus/TARGET (seeds stay out of it)
#   scripts/fuzz.sh tmin TARGET INPUT     minimise a crashing input
#   scripts/fuzz.sh targets               list the targets
#
# Every run uses the issue's limits: -rss_limit_mb=1024 -timeout=10. A crash, timeout or OOM fails
# the command and leaves the input in fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# No sanitizer: the code under test is safe Rust (zlib-rs, calamine, quick-xml …); what is hunted is
# panics, overflow (debug assertions on), hangs and memory, which need no ASan, and ASan's shadow
# memory would distort the 1 GB RSS limit. Debug assertions turn on overflow checks.
flags=(--sanitizer none --debug-assertions)
targets=(open_any open_xlsx open_ods open_xls open_text open_html cell_parsers import_file xlsx_readers_agree)
# A fuzz build never shares the main target/ and never keeps incremental caches.
export CARGO_INCREMENTAL=0

dict_of() {
  case "$1" in
    open_xlsx | xlsx_readers_agree) echo xlsx ;;
    open_ods) echo ods ;;
    open_text) echo text ;;
    open_html) echo html ;;
    cell_parsers) echo cell ;;
    import_file | open_any) echo import ;;
    *) echo "" ;;
  esac
}

need_cargo_fuzz() {
  if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: run scripts/setup.sh" >&2
    exit 1
  fi
}

build() {
  need_cargo_fuzz
  # A build from another nightly is stale: cargo would keep it beside the new one forever.
  local rustc
  rustc=$(rustc +nightly -V)
  if [ -d fuzz/target ] && [ "$(cat fuzz/target/.built-with 2>/dev/null)" != "$rustc" ]; then
    echo "fuzz build from another toolchain: removing fuzz/target"
    rm -rf fuzz/target
  fi
  cargo +nightly fuzz build "${flags[@]}"
  echo "$rustc" >fuzz/target/.built-with
}

# run TARGET SECONDS [extra libFuzzer options]
run() {
  local target=$1 seconds=$2
  shift 2
  local dict opts=(-rss_limit_mb=1024 -timeout=10 -max_total_time="$seconds" -print_final_stats=1)
  dict=$(dict_of "$target")
  [ -n "$dict" ] && opts+=(-dict="$root/fuzz/dicts/$dict.dict")
  # New inputs go to the first folder: the committed corpus, or a scratch one for the smoke run.
  local out=${corpus_out:-$root/fuzz/corpus/$target}
  mkdir -p "$out" "fuzz/corpus/$target" "fuzz/seeds/$target" "fuzz/artifacts/$target"
  cargo +nightly fuzz run "${flags[@]}" "$target" "$out" "$root/fuzz/corpus/$target" "$root/fuzz/seeds/$target" -- \
    "${opts[@]}" "$@"
}

case "${1:-}" in
  build) build ;;
  smoke)
    seconds=${2:-60}
    scripts/fuzz_seeds.sh
    build
    # The smoke run leaves the committed corpora as they are: what it finds goes to a scratch folder.
    for t in "${targets[@]}"; do
      printf '\n--- fuzz %s for %ss\n' "$t" "$seconds"
      rm -rf "fuzz/target/smoke-corpus/$t"
      # A fixed seed: the same inputs in the same order on every run, so CI repeats itself.
      corpus_out=$root/fuzz/target/smoke-corpus/$t run "$t" "$seconds" -seed=1
    done
    rm -rf fuzz/target/smoke-corpus
    ;;
  run)
    need_cargo_fuzz
    [ -d fuzz/seeds ] || scripts/fuzz_seeds.sh
    nice -n 19 "$0" _run "$2" "$3"
    ;;
  _run) run "$2" "$3" ;;
  cmin)
    need_cargo_fuzz
    cargo +nightly fuzz cmin "${flags[@]}" "$2" "$root/fuzz/corpus/$2" -- -rss_limit_mb=1024 -timeout=10
    ;;
  tmin)
    need_cargo_fuzz
    cargo +nightly fuzz tmin "${flags[@]}" "$2" "$3" -- -rss_limit_mb=1024 -timeout=10
    ;;
  targets) printf '%s\n' "${targets[@]}" ;;
  *)
    sed -n '2,12p' "$0"
    exit 2
    ;;
esac
