#!/usr/bin/env bash
# The whole test run: setup, lints (ESLint, Prettier, vue-tsc, rustfmt, clippy), Rust unit/integration
# tests (core, CLI, app commands on the mock runtime, bindings drift, module circles), the UI's Vitest
# suite, the real app end to end under Xvfb with screenshots, then a short run of every fuzz target.
# Fails on the first failing step. Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

step "setup"
scripts/setup.sh

step "UI lint: ESLint, Prettier (vue-tsc type-checks in the UI bundle step, its one place)"
npm run lint
npm run format:check

step "UI bundle: vue-tsc, then Vite (the app embeds ui/dist)"
npm run build:ui

# Clippy needs ui/dist (the app embeds it), so it runs after the bundle. Module circles are checked by a
# test (crates/core/tests/module_cycles.rs), with the Rust tests below.
step "Rust lint"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test --workspace"
cargo test --workspace

# Issue 12's bar: the 地区 and 同期群 sheets equal an independent polars computation (a venv under
# target/ when setup.sh made one, else the system python3).
step "independent check: regions, cohorts and products (polars)"
cargo build -p tierbook
py=target/pyenv/bin/python3; [ -x "$py" ] || py=python3
# The check draws its export from the independent generator in ../shared/tools (never from our own code);
# a checkout without that folder says so instead of failing on a missing file.
if [ -f ../shared/tools/gen_orders.py ] || [ -f /work/shared/tools/gen_orders.py ] || [ -n "${TIERBOOK_SHARED_TOOLS:-}" ]; then
  "$py" tests/analysis/check_regions_cohorts.py --tierbook target/debug/tierbook
  # Issue 12 item 1: the 商品 sheet's top products per tier, the same way.
  "$py" tests/analysis/check_products.py --tierbook target/debug/tierbook
else
  echo "SKIPPED: ../shared/tools/gen_orders.py is not here (set TIERBOOK_SHARED_TOOLS to run this check)"
fi

if grep -q '"test"' package.json; then
  step "vitest"
  npm test
fi

step "end-to-end: the real window under Xvfb"
tests/e2e/run.sh

# Every fuzz target for a minute from the seeds and the committed corpora (docs/fuzzing.md); a
# crash, a timeout over 10 s or RSS over 1 GB fails the run.
step "fuzz smoke"
scripts/fuzz.sh smoke 60

printf '\n\033[1;32mall tests passed\033[0m — screenshots: %s\n' "$PWD/target/e2e-screenshots/"
