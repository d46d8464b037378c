#!/usr/bin/env bash
# Builds and opens TierBook: installs what is missing, builds the UI and a release app with the UI
# embedded, then starts it. Extra arguments are files to open, e.g. scripts/run.sh 订单导出.xlsx
#
# Release, not debug: the debug profile optimises dependencies only, and the core unoptimised is ~4×
# slower on a user's import. Optimising the core in the debug profile instead would have made every
# `cargo test --workspace` build 2.5× longer (docs/benchmarks.md, "The app a user starts"); the release
# build lives in target/release/ (or $CARGO_TARGET_DIR/release/) and leaves the test builds in target/debug/ alone.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
npx tauri build --no-bundle   # runs `npm run build:ui` first (beforeBuildCommand)
APP="${CARGO_TARGET_DIR:-$PWD/target}/release/tierbook-app"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  cat <<MSG
TierBook is built: $APP
There is no display here (DISPLAY is not set). To open it:
  - on a desktop session:        $APP
  - headless, to look at it:     Xvfb :99 -screen 0 1440x900x24 & DISPLAY=:99 $APP &
                                 sleep 5; DISPLAY=:99 import -window root tierbook.png
MSG
  exit 0
fi
exec "$APP" "$@"
