#!/usr/bin/env bash
# The i686 bridge DLL (the one MetaTrader 4 loads) under 32-bit Wine: the bundle's Windows console and gateway run
# under Wine, a 32-bit Windows process loads the bundle's MQL4/Libraries/metaapi_bridge.dll, links as an MT4
# terminal, and a Linux client's get_account_info is answered through it (xtask's
# `wine::i686_dll_answers_a_request_under_32_bit_wine`).
#
# Runs after bridge/windows/smoke.sh and reuses its bundle. 32-bit Wine comes from Debian's i386 packages
# (`dpkg --add-architecture i386`, `wine32:i386`). When they cannot be installed it prints "SKIPPED: <reason>" and
# exits 77, so CI says loudly that the 32-bit DLL was not loaded; any real failure exits 1.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
source bridge/windows/common.sh

# `|| true`: with pipefail, a failed `ls` would end the script (set -e) before it could say why.
bundle="$(ls -d "$work"/dist/metaapi-*/ 2>/dev/null | head -n 1 || true)"
# Without it the windows stage did not get that far, and has said why (skipped or failed).
[ -n "$bundle" ] || skip "no bundle in $work/dist: the windows stage (bridge/windows/smoke.sh) builds it first"
bundle="${bundle%/}"

if ! dpkg --print-foreign-architectures | grep -qx i386; then
    step "dpkg --add-architecture i386"
    $sudo_cmd dpkg --add-architecture i386 || skip "dpkg could not add the i386 architecture"
fi
apt_install gcc-mingw-w64-i686 wine64 wine32:i386
wine64="$(command -v wine64 || echo /usr/lib/wine/wine64)"
wine32="$(command -v wine || echo /usr/lib/wine/wine)"
[ -x "$wine32" ] || wine32=/usr/lib/wine/wine
[ -x "$wine32" ] || skip "32-bit wine is not available after installing wine32:i386"
build_smoke_programs i686
build_smoke_programs x86_64

# A prefix of its own, created with 32-bit Wine present, so it has the 32-bit system folder.
export WINEPREFIX="$work/prefix32" WINEDEBUG=-all
init_prefix "$wine64"
step "the i686 DLL under 32-bit Wine, linked to the bundle's Windows gateway, answering a Linux client"
METAAPI_DIST_DIR="$bundle" METAAPI_WINE="$wine64" METAAPI_WINE32="$wine32" \
    METAAPI_SMOKE_I686="$work/i686/smoke.exe" METAAPI_SHIM_I686="$work/i686/bcryptprimitives.dll" \
    METAAPI_SHIM_X64="$work/x86_64/bcryptprimitives.dll" \
    cargo test -q -p xtask --test it wine::i686 -- --ignored --nocapture
echo "windows-i686: PASSED (the i686 DLL answered a request under 32-bit Wine)"
