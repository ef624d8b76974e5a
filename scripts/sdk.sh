#!/usr/bin/env bash
# Builds the vendor SDK archive, target/sdk/leasehold-sdk-VERSION-PLATFORM.tar.gz
# (linux-x86_64 here; macos-ARCH and windows-x86_64 in the bundles workflow):
# the C ABI's libraries (libleasehold.so, libleasehold.a), the headers
# (leasehold.h, leasehold.hpp), the C# binding, the Python wheel (with the
# library and header inside), the examples and docs/PROTOCOL.md.
#   scripts/sdk.sh            release build
#   scripts/sdk.sh --debug    from the debug build (what the test suite checks)
# Windows and macOS archives are made by the bundles workflow
# (.github/workflows/bundles.yml, job sdk), as the installers are.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
if [ "${1:-}" = "--debug" ]; then profile=debug; fi
if [ "$profile" = release ]; then
  cargo build -q --release -p leasehold-ffi
else
  bash scripts/debug-build.sh
fi
lib="target/$profile"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
# The platform's library files and wheel tag.
case "$(uname -s)" in
  Linux) platform="linux-$(uname -m)"; shared=libleasehold.so; libs=(libleasehold.so libleasehold.a)
         wheel_tag="linux_$(uname -m)" ;;
  Darwin) platform="macos-$(uname -m)"; shared=libleasehold.dylib; libs=(libleasehold.dylib libleasehold.a)
          wheel_tag="macosx_11_0_$(uname -m)" ;;
  MINGW*|MSYS*|CYGWIN*) platform="windows-x86_64"; shared=leasehold.dll
          libs=(leasehold.dll leasehold.dll.lib leasehold.lib); wheel_tag="win_amd64" ;;
  *) echo "sdk.sh: unknown platform $(uname -s)" >&2; exit 1 ;;
esac
name="leasehold-sdk-$version-$platform"
out="target/sdk/$name"
rm -rf "$out" "target/sdk/$name.tar.gz"
mkdir -p "$out"/{lib,include,csharp,python,examples,docs}

for f in "${libs[@]}"; do cp "$lib/$f" "$out/lib/"; done
cp include/leasehold.h include/leasehold.hpp "$out/include/"
cp bindings/csharp/Leasehold.cs bindings/csharp/Example.cs "$out/csharp/"
cp -r examples/c examples/cpp "$out/examples/"
cp docs/PROTOCOL.md "$out/docs/"

# The wheel carries the library and the header beside the Python code; it
# is for this platform only (cffi loads the library, no compiler needed).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r bindings/python/pyproject.toml bindings/python/leasehold "$work/"
rm -rf "$work/leasehold/__pycache__"
cp "$lib/$shared" include/leasehold.h "$work/leasehold/"
"${PYTHON:-python3}" -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir "$work/dist" "$work" >/dev/null
"${PYTHON:-python3}" -m wheel tags --remove --platform-tag "$wheel_tag" "$work"/dist/*.whl >/dev/null
cp "$work"/dist/*.whl "$out/python/"

cat > "$out/README.txt" <<TEXT
Leasehold SDK $version for $platform

lib/        ${libs[*]}: the C ABI (include/leasehold.h)
include/    leasehold.h (C), leasehold.hpp (C++, header-only RAII)
csharp/     Leasehold.cs (P/Invoke; the native library is $shared), Example.cs
python/     the leasehold wheel (pip install it; the library is inside)
examples/   c/checkout.c, cpp/checkout.cpp: hold a seat of PRODUCT
docs/       PROTOCOL.md: the client protocol, with test vectors

  gcc examples/c/checkout.c -I include -L lib -lleasehold -o checkout
  LEASEHOLD_SERVER=host:7878 LEASEHOLD_VENDOR_KEY=LHPK-... LD_LIBRARY_PATH=lib ./checkout PRODUCT
TEXT

# The debug archive is only checked, then thrown away: compressed fast.
level=6
if [ "$profile" = debug ]; then level=1; fi
tar -cf - -C target/sdk "$name" | gzip "-$level" >"target/sdk/$name.tar.gz"
echo "target/sdk/$name.tar.gz"
