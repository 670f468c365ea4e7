#!/usr/bin/env bash
# Windows build and Wine smoke test of the bridge DLL.
#
# 1. Cross-compiles metaapi_bridge.dll for x86_64-pc-windows-gnu (MT5) and i686-pc-windows-gnu (MT4) with
#    Debian's mingw-w64 (rustup fetches the Rust targets).
# 2. Checks with objdump that every mtb_* export is present and undecorated (no _name@N stdcall names).
# 3. Builds the ProcessPrng shim (Wine 8 lacks it; Rust's std imports it) and a small Windows test exe, and runs
#    the exe under wine64 against a Linux gateway stand-in on loopback: load the DLL, handshake, link, answer one
#    request (the ignored `wine::` test in bridge-dll/tests/it).
#
# Installs what it needs with apt-get and rustup when missing. When it cannot (no network, no root), it prints
# "SKIPPED: <reason>" and exits 77 (test.sh's "stage skipped itself" code), so CI says plainly that the stage did not
# run. Any real failure exits 1.
# PROFILE=release (default) or PROFILE=dev selects the DLL build profile.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
profile="${PROFILE:-release}"
profile_dir="$profile"; [ "$profile" = dev ] && profile_dir=debug
targets=(x86_64-pc-windows-gnu i686-pc-windows-gnu)
# Cargo's output folder: CARGO_TARGET_DIR when set (shared build caches), else the repository's target/.
target_dir="${CARGO_TARGET_DIR:-$root/target}"

skip() { echo "SKIPPED: $*"; exit 77; }
step() { echo "==> $*"; }

sudo_cmd=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo_cmd="sudo -n"; fi
fi
apt_install() {
    local missing=()
    for package in "$@"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ] && [ -z "$sudo_cmd" ]; then skip "packages ${missing[*]} are missing and apt-get needs root"; fi
    step "apt-get install ${missing[*]}"
    $sudo_cmd apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || skip "apt-get could not install ${missing[*]}"
}

command -v rustup >/dev/null || skip "rustup is not installed, so the Windows targets cannot be added"
installed_targets="$(rustup target list --installed)"
for target in "${targets[@]}"; do
    if ! grep -qx "$target" <<<"$installed_targets"; then
        step "rustup target add $target"
        rustup target add "$target" >/dev/null 2>&1 || skip "rustup could not fetch the $target target"
    fi
done
apt_install gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 binutils-mingw-w64-x86-64 binutils-mingw-w64-i686

export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export CARGO_TARGET_I686_PC_WINDOWS_GNU_LINKER=i686-w64-mingw32-gcc

exports=$(sed -n 's/^int32_t MTB_CALL \(mtb_[a-z_]*\)(.*/\1/p' bridge-dll/include/metaapi_bridge.h)
[ -n "$exports" ] || { echo "no exports found in bridge-dll/include/metaapi_bridge.h"; exit 1; }

for target in "${targets[@]}"; do
    step "cargo build -p metaapi-bridge --target $target --profile $profile"
    cargo build -q -p metaapi-bridge --lib --target "$target" --profile "$profile"
    dll="$target_dir/$target/$profile_dir/metaapi_bridge.dll"
    [ -f "$dll" ] || { echo "missing $dll"; exit 1; }
    case "$target" in x86_64*) objdump=x86_64-w64-mingw32-objdump ;; *) objdump=i686-w64-mingw32-objdump ;; esac
    table="$($objdump -p "$dll")"
    step "checking exports of $dll"
    for name in $exports; do
        grep -Eq "[[:space:]]$name\$" <<<"$table" || { echo "$dll: export $name missing or decorated"; exit 1; }
    done
    if grep -Eq '[[:space:]]_?mtb_[a-z_]+@[0-9]+$' <<<"$table"; then echo "$dll: decorated stdcall exports"; exit 1; fi
    echo "    $(wc -w <<<"$exports") exports, all undecorated"
done

apt_install wine64
wine="$(command -v wine64 || true)"
[ -n "$wine" ] || wine=/usr/lib/wine/wine64
[ -x "$wine" ] || skip "wine64 is not available after installing it"

work="$root/target/wine-smoke"
mkdir -p "$work"
step "building the ProcessPrng shim"
x86_64-w64-mingw32-gcc -shared -O2 -o "$work/bcryptprimitives.dll" bridge-dll/windows/shim/bcryptprimitives.c -ladvapi32
step "building the Windows smoke exe"
CARGO_TARGET_DIR="$root/target/wine-smoke/build" cargo build -q --manifest-path bridge-dll/windows/smoke-exe/Cargo.toml \
    --target x86_64-pc-windows-gnu
cp "$root"/target/wine-smoke/build/x86_64-pc-windows-gnu/debug/metaapi-bridge-smoke.exe "$work/smoke.exe"
cp "$target_dir/x86_64-pc-windows-gnu/$profile_dir/metaapi_bridge.dll" "$work/metaapi_bridge.dll"

export WINEPREFIX="$root/target/wine-smoke/prefix" WINEDEBUG=-all
step "running smoke.exe under wine64 against a Linux gateway stand-in"
SMOKE_WINE="$wine" SMOKE_EXE="$work/smoke.exe" SMOKE_DLL="$work/metaapi_bridge.dll" \
    cargo test -q -p metaapi-bridge --test it wine:: -- --ignored --nocapture
echo "smoke: PASSED (x64 DLL under Wine; i686 DLL built and export-checked only)"
