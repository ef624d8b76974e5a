# Sourced by the desktop-*.sh scripts: tool checks and the builds they need.

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PATH:$HOME/.cargo/bin"

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "$(basename "$0"): '$1' is missing; $2" >&2; return 1; }
}

desktop_tools() {
  need xvfb-run "install it with: apt-get install xvfb xauth" &&
    need WebKitWebDriver "install it with: apt-get install webkit2gtk-driver" &&
    need tauri-driver "install it with: cargo install tauri-driver --locked" &&
    need node "install Node.js 20 or newer"
}

# The UI (only when its sources are newer than the build), then the debug
# build (the app and the CLI among it).
desktop_build() {
  if [ ! -f ui/dist/index.html ] || [ -n "$(find ui/src ui/index.html package.json -newer ui/dist/index.html -print -quit 2>/dev/null)" ]; then
    npm run build
  fi
  bash scripts/debug-build.sh
}

# Xvfb with a screen large enough for the window, and a private D-Bus
# session (the single-instance check needs one) when dbus-run-session exists.
under_xvfb() {
  if command -v dbus-run-session >/dev/null 2>&1; then
    xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$@"
  else
    xvfb-run -a -s "-screen 0 1280x800x24" "$@"
  fi
}
