#!/usr/bin/env bash
# End-to-end suite of the real app window: builds the app with the UI embedded and the CLI, generates
# the fixture exports, starts Xvfb + tauri-driver, runs WebdriverIO, stops them.
# Screenshots: target/e2e-screenshots/. Expects scripts/setup.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

# TIERBOOK_APP / TIERBOOK_CLI: drive binaries built elsewhere (e.g. the release ones, for perf.e2e.ts)
# instead of building the debug ones.
if [ -n "${TIERBOOK_APP:-}" ]; then
  echo "[e2e] driving $TIERBOOK_APP (not rebuilt)"
else
  echo "[e2e] building the app (UI embedded)"
  npx tauri build --debug --no-bundle
fi
if [ -z "${TIERBOOK_CLI:-}" ]; then
  echo "[e2e] building the CLI"
  cargo build -p tierbook --quiet
fi

# Fixtures and expectations are written by the project's own generator and CLI, so the suite compares
# the window with the core, not with numbers copied into the test.
FIX="$ROOT/target/e2e-fixtures"
rm -rf "$FIX" && mkdir -p "$FIX"
export TIERBOOK_E2E_FIXTURES="$FIX"
export TIERBOOK_CLI="${TIERBOOK_CLI:-$ROOT/target/debug/tierbook}"
node tests/e2e/fixtures.mjs

# A private data folder per run: no settings, recent files or workspace from earlier runs.
export TIERBOOK_DATA_DIR="$FIX/data"
# Lets the UI expose its file-choosing hook (native dialogs cannot be driven through WebDriver).
export TIERBOOK_E2E=1
rm -rf "$TIERBOOK_DATA_DIR" "$ROOT/target/e2e-screenshots"

DISPLAY_NUM=${E2E_DISPLAY:-99}
export DISPLAY=":$DISPLAY_NUM"
Xvfb "$DISPLAY" -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 & XVFB_PID=$!
tauri-driver >"$FIX/tauri-driver.log" 2>&1 & DRIVER_PID=$!
# SIGTERM (plain kill): tauri-driver stops WebKitWebDriver only on TERM/INT/QUIT.
trap 'kill $DRIVER_PID $XVFB_PID 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/4444) 2>/dev/null && break; sleep 0.2; done

status=0
# Extra arguments reach WebdriverIO, e.g. `--spec tests/e2e/specs/campaigns.e2e.ts` to run one spec.
npx wdio run tests/e2e/wdio.conf.ts "$@" || status=$?
echo "[e2e] screenshots: $ROOT/target/e2e-screenshots/"
exit $status
