#!/usr/bin/env bash
# Installs everything Leasehold needs on a fresh Debian machine: system
# packages (Tauri's libraries, Chromium for browser tests, Xvfb for the
# desktop tests), the Rust toolchain's clippy, the npm packages, and
# tauri-driver. Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # Tauri 2 on Linux
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libxdo-dev
  libssl-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev build-essential pkg-config file
  # the desktop window under Xvfb, its WebDriver, screenshots
  xvfb xauth dbus dbus-x11 webkit2gtk-driver at-spi2-core fonts-dejavu-core imagemagick xdotool librsvg2-bin
  # browser tests of the UI
  chromium chromium-driver
  # private network namespaces for mDNS tests; python3 runs a DNS-SD browser in them
  iproute2 util-linux python3
  # systemd-analyze verifies the generated service unit
  systemd
  # the C# binding and its example, compiled and run by the test suite
  mono-mcs mono-runtime
  # the SDK check installs the wheel in a fresh virtual environment
  python3-venv
  # Node.js for the UI build (when the machine has none)
  curl ca-certificates
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup: installing Node.js from Debian"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "setup: cargo is missing; install Rust with rustup first" >&2
  exit 1
fi
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

# npm packages as locked; only when the lock changed since the last install.
# (`npm install`, not `npm ci`: npm 11's ci refuses a lock that leaves out
# other platforms' optional packages, which is how npm writes it here.)
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.leasehold-lock; then
  echo "setup: npm install"
  npm install --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.leasehold-lock
fi

# python-zeroconf: an independent DNS-SD browser for the mDNS interop tests
# (crates/leasehold-client/tests/netns_interop.rs).
if ! python3 -c 'import zeroconf' >/dev/null 2>&1; then
  echo "setup: pip install zeroconf"
  if ! python3 -m pip install --quiet zeroconf; then
    # Debian's own python3 refuses pip (PEP 668, externally managed): use its package.
    echo "setup: pip refused; installing python3-zeroconf from Debian"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-zeroconf >/dev/null
  fi
  python3 -c 'import zeroconf'
fi

# cffi (the Python binding over the C ABI), pytest (its tests), setuptools
# and wheel (the SDK archive's wheel), schemathesis (the API contract run),
# aiosmtpd (the mail relay the alert tests send to, on loopback).
for mod in cffi pytest setuptools wheel schemathesis aiosmtpd; do
  if ! python3 -c "import $mod" >/dev/null 2>&1; then
    echo "setup: pip install $mod"
    if ! python3 -m pip install --quiet "$mod"; then
      echo "setup: pip refused; installing python3-$mod from Debian"
      SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "python3-$mod" >/dev/null
    fi
    python3 -c "import $mod"
  fi
done

# tauri-driver drives the real desktop window in the end-to-end test.
if ! command -v tauri-driver >/dev/null; then
  echo "setup: cargo install tauri-driver"
  cargo install tauri-driver --locked --quiet
fi
echo "setup: done"
