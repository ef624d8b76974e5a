#!/usr/bin/env bash
# Builds the release .deb (`tauri build --bundles deb`, ~10 min from clean,
# ~2 min after) and inspects it: files and their modes, control fields,
# maintainer scripts (the ones in packaging/deb), the packaged unit (the one
# in packaging/systemd), lintian when installed (informational), then unpacks
# it into a throwaway dpkg root and runs the installed `leasehold` from there.
# Not part of scripts/test.sh: it needs a release build.
#   bash scripts/deb-check.sh            build, then check
#   bash scripts/deb-check.sh --no-build check the .deb built last
#   bash scripts/deb-check.sh --keep-ui  build with the ui/dist already there
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:$HOME/.cargo/bin"

pass=0
fail=0
ok() { pass=$((pass + 1)); printf '  ok    %s\n' "$1"; }
bad() { fail=$((fail + 1)); printf '  FAIL  %s\n' "$1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/        /'; }
check() { # check NAME COMMAND...: passes when the command succeeds
  local name="$1"; shift
  local out
  if out="$("$@" 2>&1)"; then ok "$name"; else bad "$name" "$out"; fi
}

version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"

build=(npm run tauri build -- --bundles deb)
if [ "${1:-}" = "--keep-ui" ]; then
  [ -f ui/dist/index.html ] || { echo "no ui/dist/index.html: run npm run build"; exit 1; }
  build+=(--config '{"build":{"beforeBuildCommand":"node scripts/stage-cli.mjs"}}')
fi
if [ "${1:-}" != "--no-build" ]; then
  echo "==> ${build[*]} (release)"
  if ! "${build[@]}"; then
    echo "the build failed"; echo "0 passed, 1 failed"; exit 1
  fi
fi

deb="$(ls -t target/release/bundle/deb/*_"${version}"_*.deb 2>/dev/null | head -1)"
if [ -z "$deb" ]; then
  echo "no .deb for version $version under target/release/bundle/deb"; echo "0 passed, 1 failed"; exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "==> $deb ($(du -h "$deb" | cut -f1), $(stat -c %s "$deb") bytes)"

listing="$(dpkg-deb -c "$deb")"
info="$(dpkg-deb -I "$deb")"
field() { dpkg-deb -f "$deb" "$1"; }
has_file() { # has_file PATH MODE
  grep -qE "^$2 .* (\./)?${1#/}\$" <<<"$listing" || { echo "not in the package with mode $2: $1"; echo "$listing"; return 1; }
}

echo "--- files"
check "/usr/bin/leasehold-desktop (the app), 0755" has_file /usr/bin/leasehold-desktop -rwxr-xr-x
check "/usr/bin/leasehold (the command), 0755" has_file /usr/bin/leasehold -rwxr-xr-x
check "/usr/lib/systemd/system/leasehold.service, 0644" has_file /usr/lib/systemd/system/leasehold.service -rw-r--r--
check "a .desktop entry" grep -qE ' (\./)?usr/share/applications/.*\.desktop$' <<<"$listing"
check "icons" grep -qE ' (\./)?usr/share/icons/hicolor/.*\.png$' <<<"$listing"
check "no license data shipped (nothing under /var, /etc)" bash -c '! grep -qE " (\./)?(var|etc)/" <<<"$1"' _ "$listing"

echo "--- control"
check "Package: leasehold" test "$(field Package)" = leasehold
check "Version: $version (the workspace version)" test "$(field Version)" = "$version"
check "Depends has passwd (useradd, groupadd)" grep -qw passwd <<<"$(field Depends)"
check "Depends has the webview (libwebkit2gtk-4.1-0)" grep -q libwebkit2gtk-4.1-0 <<<"$(field Depends)"
check "Maintainer is set" test -n "$(field Maintainer)"
dpkg-deb -e "$deb" "$work/control"
for s in postinst prerm postrm; do
  check "maintainer script $s is packaging/deb/$s, executable" \
    bash -c 'cmp "$1" "$2" && test -x "$1"' _ "$work/control/$s" "packaging/deb/$s"
done
check "no preinst" test ! -e "$work/control/preinst"
check "postinst never enables the service" bash -c '! grep -vE "^\s*#" "$1" | grep -qE "systemctl\b.*\b(enable|start)\b"' _ "$work/control/postinst"
check "postrm never deletes /var/lib/leasehold" bash -c '! grep -vE "^\s*#" "$1" | grep -q /var/lib' _ "$work/control/postrm"

echo "--- contents"
dpkg-deb -x "$deb" "$work/x"
check "the packaged unit is packaging/systemd/leasehold.service" cmp "$work/x/usr/lib/systemd/system/leasehold.service" packaging/systemd/leasehold.service
check "the unit runs /usr/bin/leasehold serve" grep -q '^ExecStart=/usr/bin/leasehold serve' "$work/x/usr/lib/systemd/system/leasehold.service"
if command -v systemd-analyze >/dev/null 2>&1; then
  # The unit names /usr/bin/leasehold; verify it against the unpacked copy.
  check "systemd-analyze verify (binary from the package)" bash -c '
    sed "s#/usr/bin/leasehold#$1/usr/bin/leasehold#" "$1/usr/lib/systemd/system/leasehold.service" > "$2/leasehold.service" &&
    out="$(systemd-analyze verify "$2/leasehold.service" 2>&1)"; rc=$?;
    [ $rc -eq 0 ] || { echo "$out"; exit 1; }' _ "$work/x" "$work"
fi

if command -v lintian >/dev/null 2>&1; then
  echo "--- lintian (informational, not counted)"
  lintian --no-tag-display-limit "$deb" | sed 's/^/  /' || true
else
  echo "--- lintian is not installed; skipped"
fi

echo "--- installed into a throwaway dpkg root"
root="$work/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
# --unpack runs no maintainer script (there is no preinst), so nothing
# touches this machine's users or services.
if out="$(dpkg --root="$root" --force-not-root --force-depends --force-bad-path --unpack "$deb" 2>&1)"; then
  ok "dpkg --root --unpack"
  check "dpkg knows its files" grep -qx /usr/bin/leasehold <<<"$(dpkg --root="$root" -L leasehold 2>&1)"
  check "the installed leasehold --version says $version" \
    bash -c '[ "$("$1/usr/bin/leasehold" --version)" = "leasehold $2" ]' _ "$root" "$version"
  check "the installed leasehold service install --dry-run names the packaged paths" \
    bash -c '"$1/usr/bin/leasehold" service install --dry-run | grep -q "/var/lib/leasehold"' _ "$root"
else
  bad "dpkg --root --unpack" "$out"
fi

echo
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
