#!/usr/bin/env bash
# Installs what building, running and testing TierBook need, and only what is missing (idempotent;
# a few seconds when everything is present). Debian/Ubuntu; run as root or with sudo available.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- system packages: Tauri's WebKitGTK build deps, headless X, the WebDriver, CJK and emoji fonts, ImageMagick.
packages=(libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config
  xvfb webkit2gtk-driver fonts-noto-cjk fonts-noto-color-emoji imagemagick)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- Rust
if ! command -v cargo >/dev/null 2>&1; then
  say "installing Rust (rustup, stable)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi

# --- Node: Vite 8 and WebdriverIO 9 need Node >= 20.20 on the 20 line (Debian's own nodejs 18 is too old).
need_node() {
  command -v node >/dev/null 2>&1 || return 0
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit((a===20&&b>=20)||a>=22?1:0)'
}
if need_node; then
  say "Node.js >= 20.20 is required (found: $(node --version 2>/dev/null || echo none)); installing Node 22 from NodeSource"
  curl -fsSL https://deb.nodesource.com/setup_22.x | as_root bash -
  as_root apt-get install -y -qq nodejs
fi

# --- npm packages (UI, Tauri CLI, WebdriverIO, ESLint, Prettier): `npm ci` installs exactly what
# package-lock.json pins (it holds every platform's optional binaries, so the lock is never rewritten),
# and only when node_modules is missing or older than the lock.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# --- tauri-driver (WebDriver proxy for the end-to-end suite); 2.x, never the 3.0 alpha.
if ! command -v tauri-driver >/dev/null 2>&1; then
  say "cargo install tauri-driver"
  cargo install tauri-driver --version '^2' --locked
fi

# --- fuzzing (the "fuzz smoke" step of scripts/test.sh): the nightly toolchain and cargo-fuzz, pinned.
if ! rustup toolchain list | grep -q '^nightly'; then
  say "installing the nightly Rust toolchain (cargo-fuzz needs it)"
  rustup toolchain install nightly --profile minimal
fi
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz 0.13.2" ]; then
  say "cargo install cargo-fuzz 0.13.2"
  cargo install cargo-fuzz --version 0.13.2 --locked
fi

# --- Python with polars for the independent checks (tests/analysis/): the system python3 when it has
# them, else a venv under target/pyenv (Debian's python3 refuses a system-wide pip install).
pymods='import polars, numpy, openpyxl, xlsxwriter'
if ! python3 -c "$pymods" >/dev/null 2>&1 && ! target/pyenv/bin/python3 -c "$pymods" >/dev/null 2>&1; then
  say "python venv with polars (target/pyenv)"
  python3 -m venv target/pyenv >/dev/null 2>&1 || { as_root apt-get install -y -qq python3-venv; python3 -m venv target/pyenv; }
  target/pyenv/bin/pip install -q polars numpy openpyxl xlsxwriter
fi

say "ready"
