#!/usr/bin/env bash
# The DESIGN §9 / issue 10 benchmark: N order rows (default 1,000,000, 微信小店 layout, 18 columns, xlsx)
# through `tierbook classify` (import → classify → export), side by side in one run with
#   (a) calamine alone reading the same file (worksheet_range, and the streaming cells reader),
#   (b) a Python polars + fastexcel + xlsxwriter script doing the same job (scripts/bench_polars.py),
#   (c) optionally an older tierbook binary (BASELINE=path), for before/after on the same load.
# Wall, CPU (user + sys) and peak RSS come from /usr/bin/time -v; every figure is a median of alternating rounds. Prints Markdown tables, the
# ratios against issue 10's targets (of the medians), the per-stage wall and CPU of the tierbook pipeline, and the
# independent check of the exported workbook against the generator's truth (check_export.py).
#
# The command measured against the bars is the release build with profile-guided optimisation
# (scripts/pgo.sh, trained on generated exports of its own, not on this file); the plain release
# build (`cargo build --release`) runs beside it, and the bars are printed for both. PGO=0 measures
# the plain build alone.
#
#   buildslot scripts/bench.sh                    # 1M rows, three alternating rounds (run it alone: no builds beside it)
#   ROWS=200000 RUNS=1 scripts/bench.sh           # quicker look
#   SKIP_BUILD=1 BASELINE=/tmp/old/tierbook scripts/bench.sh
#
# Python: uses python3 when it has polars, fastexcel and xlsxwriter; otherwise makes a venv in
# target/bench-venv (with the system's packages visible) and pip-installs what is missing there.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
DIR=${BENCH_DIR:-target/bench}
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release
mkdir -p "$DIR"
SRC="$DIR/orders_${ROWS}.xlsx"
TRUTH="$DIR/truth_${ROWS}.csv"
CHECK=${CHECK_EXPORT:-}
for c in ../shared/tools/check_export.py /work/shared/tools/check_export.py; do
  if [ -z "$CHECK" ] && [ -f "$c" ]; then CHECK=$c; fi
done

[ -n "${SKIP_BUILD:-}" ] || cargo build --release -p tierbook --bin tierbook --example calamine_read --example pipeline_stages
PLAIN=$BIN/tierbook
TB=$PLAIN
if [ "${PGO:-1}" != 0 ]; then
  TB=$TARGET/pgo/use/release/tierbook   # where scripts/pgo.sh puts it
  [ -n "${SKIP_BUILD:-}" ] && [ -x "$TB" ] || TB=$(scripts/pgo.sh)
fi

PY=python3
if ! $PY -c 'import polars, fastexcel, xlsxwriter, openpyxl' 2>/dev/null; then
  VENV=target/bench-venv
  [ -x "$VENV/bin/python" ] || python3 -m venv --system-site-packages "$VENV"
  PY=$VENV/bin/python
  missing=()
  for p in polars fastexcel xlsxwriter numpy openpyxl xlwt; do
    $PY -c "import $p" 2>/dev/null || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] || $PY -m pip install --quiet "${missing[@]}" >&2
fi

if [ ! -f "$SRC" ] || [ ! -f "$TRUTH" ]; then
  echo "generating $SRC …" >&2
  "$BIN/tierbook" generate --layout wechat --orders "$ROWS" --seed 1 --out "$SRC" --truth "$TRUTH" >&2
fi

# Each contender runs once per round, the rounds one after another (RUNS of them, default 3), so a
# machine whose speed drifts within minutes (these do, by 10–40 %) drifts for all of them alike; each
# one's figures are the medians of its rounds (its peak RSS the highest of them). The ratios are of
# medians, and each round's own polars ÷ tierbook is printed too.
#
# run_once NAME CMD… → appends "wall cpu rss_mb" to $DIR/NAME.runs
run_once() {
  local name=$1; shift
  /usr/bin/time -v "$@" >"$DIR/$name.out" 2>"$DIR/$name.time" || { cat "$DIR/$name.time" >&2; exit 1; }
  awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); w=0; for(i=1;i<=n;i++) w=w*60+a[i]}
              /User time|System time/ {c+=$2}
              /Maximum resident set size/ {r=$2/1024}
              END {printf "%.2f %.2f %.0f\n", w, c, r}' "$DIR/$name.time" >>"$DIR/$name.runs"
}
# stats NAME → sets WALL, CPU (medians of its rounds) and RSS_MB (the highest)
stats() {
  read -r WALL CPU RSS_MB < <(python3 -c '
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
print("%.2f %.2f %.0f" % (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows), max(r[2] for r in rows)))
' "$DIR/$1.runs")
}
load() { cut -d' ' -f1-3 /proc/loadavg; }

LOAD_START=$(load)
rm -f "$DIR/tierbook_out.xlsx" "$DIR/plain_out.xlsx" "$DIR/baseline_out.xlsx" "$DIR/polars_out.xlsx"
NAMES=(calamine_range calamine_cells tierbook polars)
[ "$TB" = "$PLAIN" ] || NAMES+=(plain)
[ -z "${BASELINE:-}" ] || NAMES+=(baseline)
for n in "${NAMES[@]}"; do rm -f "$DIR/$n.runs"; done
for round in $(seq "$RUNS"); do
  echo "round $round of $RUNS …" >&2
  run_once calamine_range "$BIN/examples/calamine_read" "$SRC"
  run_once calamine_cells "$BIN/examples/calamine_read" "$SRC" --cells
  run_once tierbook "$TB" classify "$SRC" --out "$DIR/tierbook_out.xlsx"
  [ "$TB" = "$PLAIN" ] || run_once plain "$PLAIN" classify "$SRC" --out "$DIR/plain_out.xlsx"
  [ -z "${BASELINE:-}" ] || run_once baseline "$BASELINE" classify "$SRC" --out "$DIR/baseline_out.xlsx"
  run_once polars "$PY" scripts/bench_polars.py "$SRC" "$DIR/polars_out.xlsx"
done
stats calamine_range; CAL_WALL=$WALL CAL_CPU=$CPU CAL_RSS=$RSS_MB
stats calamine_cells; CELLS_WALL=$WALL CELLS_CPU=$CPU CELLS_RSS=$RSS_MB
stats tierbook; TB_WALL=$WALL TB_CPU=$CPU TB_RSS=$RSS_MB
[ "$TB" = "$PLAIN" ] || { stats plain; PN_WALL=$WALL PN_CPU=$CPU PN_RSS=$RSS_MB; }
[ -z "${BASELINE:-}" ] || { stats baseline; BL_WALL=$WALL BL_CPU=$CPU BL_RSS=$RSS_MB; }
stats polars; PL_WALL=$WALL PL_CPU=$CPU PL_RSS=$RSS_MB
LOAD_MID=$(load)
"$BIN/examples/pipeline_stages" "$SRC" "$DIR/stages_out.xlsx" >"$DIR/stages.out"
if [ -n "$CHECK" ]; then
  $PY "$CHECK" --export "$DIR/tierbook_out.xlsx" --truth "$TRUTH" >"$DIR/check_export.out" 2>&1 && CHECK_OK=PASS || CHECK_OK=FAIL
else
  CHECK_OK="not run (check_export.py not found; set CHECK_EXPORT=path)"
fi
LOAD_END=$(load)

ratio() { awk "BEGIN{printf \"%.2f\", $1 / $2}"; }
# verdict VALUE OP TARGET → met / missed
verdict() { awk "BEGIN{print ($1 $2 $3) ? \"met\" : \"**missed**\"}"; }
echo
echo "$ROWS rows, $(du -h "$SRC" | cut -f1) xlsx; $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo));" \
  "load average at start $LOAD_START, after the contenders $LOAD_MID, at the end $LOAD_END; $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "| run | wall s | CPU s (user+sys) | peak RSS MB | wall ÷ calamine cells | CPU ÷ calamine cells |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| calamine worksheet_range (read only) | $CAL_WALL | $CAL_CPU | $CAL_RSS | $(ratio "$CAL_WALL" "$CELLS_WALL") | $(ratio "$CAL_CPU" "$CELLS_CPU") |"
echo "| calamine cells reader (read only) | $CELLS_WALL | $CELLS_CPU | $CELLS_RSS | 1.00 | 1.00 |"
echo "| **tierbook classify** (import → classify → export; $([ "$TB" = "$PLAIN" ] && echo 'plain release build' || echo 'release build with PGO')) | $TB_WALL | $TB_CPU | $TB_RSS | $(ratio "$TB_WALL" "$CELLS_WALL") | $(ratio "$TB_CPU" "$CELLS_CPU") |"
[ "$TB" = "$PLAIN" ] || echo "| tierbook classify, plain release build (no PGO) | $PN_WALL | $PN_CPU | $PN_RSS | $(ratio "$PN_WALL" "$CELLS_WALL") | $(ratio "$PN_CPU" "$CELLS_CPU") |"
[ -z "${BASELINE:-}" ] || echo "| baseline tierbook ($BASELINE) | $BL_WALL | $BL_CPU | $BL_RSS | $(ratio "$BL_WALL" "$CELLS_WALL") | $(ratio "$BL_CPU" "$CELLS_CPU") |"
echo "| polars + fastexcel + xlsxwriter | $PL_WALL | $PL_CPU | $PL_RSS | $(ratio "$PL_WALL" "$CELLS_WALL") | $(ratio "$PL_CPU" "$CELLS_CPU") |"
echo
PW=$(ratio "$PL_WALL" "$TB_WALL") PC=$(ratio "$PL_CPU" "$TB_CPU") CW=$(ratio "$TB_WALL" "$CELLS_WALL") CC=$(ratio "$TB_CPU" "$CELLS_CPU")
echo "| issue 10 bar | target | wall | CPU |"
echo "|---|---|---|---|"
echo "| polars ÷ tierbook | ≥ 4× | ${PW}× $(verdict "$PW" ">=" 4) | ${PC}× $(verdict "$PC" ">=" 4) |"
echo "| tierbook ÷ calamine cells reader | ≤ 1.2× | ${CW}× $(verdict "$CW" "<=" 1.2) | ${CC}× $(verdict "$CC" "<=" 1.2) |"
echo "| tierbook peak RSS | ≤ 400 MB | ${TB_RSS} MB $(verdict "$TB_RSS" "<=" 400) | |"
echo "| check_export.py against the generator's truth | all pass | $CHECK_OK | |"
if [ "$TB" != "$PLAIN" ]; then
  PPW=$(ratio "$PL_WALL" "$PN_WALL") PCW=$(ratio "$PN_WALL" "$CELLS_WALL")
  echo "| (plain build) polars ÷ tierbook | ≥ 4× | ${PPW}× $(verdict "$PPW" ">=" 4) | |"
  echo "| (plain build) tierbook ÷ calamine cells reader | ≤ 1.2× | ${PCW}× $(verdict "$PCW" "<=" 1.2) | |"
fi
echo
echo "Each round's own polars ÷ tierbook (wall): $(paste -d' ' "$DIR/polars.runs" "$DIR/tierbook.runs" | awk '{printf "%s%.2f×", (NR > 1 ? ", " : ""), $1 / $4}');" \
  "the rounds' walls: tierbook $(cut -d' ' -f1 "$DIR/tierbook.runs" | paste -sd' '), polars $(cut -d' ' -f1 "$DIR/polars.runs" | paste -sd' ') s"
if [ -n "${BASELINE:-}" ]; then
  echo
  echo "baseline ÷ tierbook: wall $(ratio "$BL_WALL" "$TB_WALL")×, CPU $(ratio "$BL_CPU" "$TB_CPU")×, peak RSS $BL_RSS → $TB_RSS MB"
fi
echo
echo "Stages of the tierbook pipeline (examples/pipeline_stages; CPU above wall = both cores at work):"; echo
cat "$DIR/stages.out"; echo
echo "  $(cat "$DIR/polars.out")"
[ ! -f "$DIR/check_export.out" ] || { echo; echo "check_export.py:"; grep -E '^(PASS|FAIL)|passed' "$DIR/check_export.out" | sed 's/^/  /'; }
[ "$CHECK_OK" != FAIL ]
