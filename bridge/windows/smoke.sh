#!/usr/bin/env bash
# The Windows stage: the release bundle built for Windows and Linux, and its Windows programs run under Wine.
#
# 1. `cargo xtask dist` cross-builds metaapi-gateway.exe, metaapi-console.exe and metaapi_bridge.dll for
#    x86_64-pc-windows-gnu (MT5) and i686-pc-windows-gnu (MT4) with Debian's mingw-w64, in their own target folder
#    (target/windows-cross) so they never hold the shared one's lock, plus the Linux programs; it lays them out with
#    the MQL sources as the bundle and zips it. The layout test unpacks that archive.
# 2. Checks with objdump that every mtb_* export of both DLLs is present and undecorated (no _name@N stdcall names).
# 3. Under wine64: the x64 DLL links to a Linux gateway stand-in and answers one request (bridge's `wine::` test);
#    then the bundle's Windows console and gateway serve a Linux client through the x64 DLL, linked from a Windows
#    process, keep their state where Windows programs do, stop on Ctrl-C, and the gateway installs, runs and
#    uninstalls as a Windows service (xtask's `wine::` tests).
#    The i686 DLL under 32-bit Wine is the next stage, bridge/windows/wine32.sh, which reuses these builds.
#
# Installs what it needs with apt-get and rustup when missing; Wine (with the next stage's 32-bit packages) installs in
# the background while the programs build. When it cannot (no network, no root), it prints
# "SKIPPED: <reason>" and exits 77 (test.sh's "stage skipped itself" code), so CI says plainly that the stage did not
# run. Any real failure exits 1.
# PROFILE=release or PROFILE=dev (default, as CI runs it: the cross-builds stay within minutes) selects the profile.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
source bridge/windows/common.sh

profile="${PROFILE:-dev}"
need_rust_targets x86_64-pc-windows-gnu i686-pc-windows-gnu
apt_install gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 g++-mingw-w64-x86-64 binutils-mingw-w64-x86-64 \
    binutils-mingw-w64-i686
prefetch_wine

step "cargo xtask dist --profile $profile"
rm -rf "$work/dist"
cargo xtask dist --profile "$profile" --out "$work/dist"
archive="$work/dist/$(ls "$work/dist" | grep '\.zip$')"
bundle="${archive%.zip}"
step "layout test of $archive"
METAAPI_DIST_ARCHIVE="$archive" cargo test -q -p xtask --test it dist:: -- --include-ignored

exports=$(sed -n 's/^int32_t MTB_CALL \(mtb_[a-z_]*\)(.*/\1/p' bridge/include/metaapi_bridge.h)
[ -n "$exports" ] || { echo "no exports found in bridge/include/metaapi_bridge.h"; exit 1; }
for pair in MQL5:x86_64-w64-mingw32-objdump MQL4:i686-w64-mingw32-objdump; do
    dll="$bundle/${pair%%:*}/Libraries/metaapi_bridge.dll"
    table="$(${pair#*:} -p "$dll")"
    step "checking exports of $dll"
    for name in $exports; do
        grep -Eq "[[:space:]]$name\$" <<<"$table" || { echo "$dll: export $name missing or decorated"; exit 1; }
    done
    if grep -Eq '[[:space:]]_?mtb_[a-z_]+@[0-9]+$' <<<"$table"; then echo "$dll: decorated stdcall exports"; exit 1; fi
    # Everything is linked in: a trader's machine has no mingw runtime DLLs to find.
    if grep -Eiq 'DLL Name: (libgcc|libstdc|libwinpthread)' <<<"$table"; then echo "$dll needs mingw DLLs"; exit 1; fi
    echo "    $(wc -w <<<"$exports") exports, all undecorated, no mingw runtime DLLs"
done
for exe in "$bundle"/windows/*.exe; do
    if x86_64-w64-mingw32-objdump -p "$exe" | grep -Eiq 'DLL Name: (libgcc|libstdc|libwinpthread)'; then
        echo "$exe needs mingw DLLs"; exit 1
    fi
done

wait_for_wine_prefetch
apt_install wine64
wine="$(command -v wine64 || true)"
[ -n "$wine" ] || wine=/usr/lib/wine/wine64
[ -x "$wine" ] || skip "wine64 is not available after installing it"
build_smoke_programs x86_64

export WINEPREFIX="$work/prefix" WINEDEBUG=-all
init_prefix "$wine"
step "the x64 DLL under wine64 against a Linux gateway stand-in"
SMOKE_WINE="$wine" SMOKE_EXE="$work/x86_64/smoke.exe" SMOKE_DLL="$bundle/MQL5/Libraries/metaapi_bridge.dll" \
    cargo test -q -p metaapi-bridge --test it wine:: -- --ignored --nocapture
step "the bundle's Windows gateway and console under wine64: a Linux client through the x64 DLL, Ctrl-C, the service"
METAAPI_DIST_DIR="$bundle" METAAPI_WINE="$wine" METAAPI_SMOKE_X64="$work/x86_64/smoke.exe" \
    METAAPI_SHIM_X64="$work/x86_64/bcryptprimitives.dll" \
    cargo test -q -p xtask --test it wine:: -- --ignored --skip i686 --nocapture --test-threads 1
echo "windows: PASSED (bundle layout, both DLLs' exports, the x64 DLL and the Windows gateway under Wine)"
