#!/usr/bin/env bash
# The DESIGN §9 benchmark: N order rows (default 1,000,000, 微信小店 layout, 18 columns, xlsx)
# through `tierbook classify` (import → classify → export) versus
#   (a) calamine alone reading the same file (worksheet_range, and the streaming cells reader),
#   (b) a Python polars + fastexcel + xlsxwriter script doing the same job (scripts/bench_polars.py).
# Peak RSS and times come from /usr/bin/time -v. Prints a Markdown table.
#
#   scripts/bench.sh                 # 1M rows, one run each
#   ROWS=100000 RUNS=3 scripts/bench.sh
#   SKIP_BUILD=1 scripts/bench.sh    # reuse the release binaries already built
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-1000000}
RUNS=${RUNS:-1}
DIR=${BENCH_DIR:-target/bench}
mkdir -p "$DIR"
SRC="$DIR/orders_${ROWS}.xlsx"
BIN=target/release

[ -n "${SKIP_BUILD:-}" ] || cargo build --release -p tierbook --bin tierbook --example calamine_read --example pipeline_stages

if [ ! -f "$SRC" ]; then
  echo "generating $SRC …" >&2
  "$BIN/tierbook" generate --layout wechat --orders "$ROWS" --seed 1 --out "$SRC" --truth "$DIR/truth_${ROWS}.csv" >&2
fi

# measure NAME CMD… → sets WALL, CPU, RSS_MB (best wall time of $RUNS runs; RSS of that run)
measure() {
  local name=$1; shift
  local best_wall="" best_cpu="" best_rss=""
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -v "$@" >"$DIR/$name.out" 2>"$DIR/$name.time" || { cat "$DIR/$name.time" >&2; exit 1; }
    local wall cpu rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$DIR/$name.time")
    cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.2f", s}' "$DIR/$name.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$DIR/$name.time")
    if [ -z "$best_wall" ] || awk "BEGIN{exit !($wall < $best_wall)}"; then
      best_wall=$wall best_cpu=$cpu best_rss=$rss
    fi
  done
  WALL=$best_wall CPU=$best_cpu RSS_MB=$best_rss
}

rm -f "$DIR/tierbook_out.xlsx" "$DIR/polars_out.xlsx"
measure calamine_range "$BIN/examples/calamine_read" "$SRC"
CAL_WALL=$WALL CAL_CPU=$CPU CAL_RSS=$RSS_MB
measure calamine_cells "$BIN/examples/calamine_read" "$SRC" --cells
CELLS_WALL=$WALL CELLS_CPU=$CPU CELLS_RSS=$RSS_MB
measure tierbook "$BIN/tierbook" classify "$SRC" --out "$DIR/tierbook_out.xlsx"
TB_WALL=$WALL TB_CPU=$CPU TB_RSS=$RSS_MB
measure polars python3 scripts/bench_polars.py "$SRC" "$DIR/polars_out.xlsx"
PL_WALL=$WALL PL_CPU=$CPU PL_RSS=$RSS_MB
"$BIN/examples/pipeline_stages" "$SRC" "$DIR/stages_out.xlsx" >"$DIR/stages.out"

ratio() { awk "BEGIN{printf \"%.2f\", $1 / $2}"; }
echo
echo "$ROWS rows, $(du -h "$SRC" | cut -f1) xlsx; $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| run | wall s | CPU s (user+sys) | peak RSS MB | wall ÷ calamine range | CPU ÷ calamine range |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| calamine worksheet_range (read only) | $CAL_WALL | $CAL_CPU | $CAL_RSS | 1.00 | 1.00 |"
echo "| calamine cells reader (read only) | $CELLS_WALL | $CELLS_CPU | $CELLS_RSS | $(ratio "$CELLS_WALL" "$CAL_WALL") | $(ratio "$CELLS_CPU" "$CAL_CPU") |"
echo "| **tierbook classify** (import → classify → export) | $TB_WALL | $TB_CPU | $TB_RSS | $(ratio "$TB_WALL" "$CAL_WALL") | $(ratio "$TB_CPU" "$CAL_CPU") |"
echo "| polars + fastexcel + xlsxwriter | $PL_WALL | $PL_CPU | $PL_RSS | $(ratio "$PL_WALL" "$CAL_WALL") | $(ratio "$PL_CPU" "$CAL_CPU") |"
echo
echo "polars ÷ tierbook: wall $(ratio "$PL_WALL" "$TB_WALL")×, CPU $(ratio "$PL_CPU" "$TB_CPU")×"
echo
echo "Stages of the tierbook pipeline (examples/pipeline_stages):"; echo
cat "$DIR/stages.out"; echo
echo "  $(cat "$DIR/polars.out")"
