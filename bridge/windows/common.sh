# Helpers shared by the Windows stages (smoke.sh, wine32.sh); sourced from the repository root.

# Where the stages keep their builds, bundle and Wine prefixes (under the ignored target/).
work="$root/target/wine-smoke"
mkdir -p "$work"

skip() { echo "SKIPPED: $*"; exit 77; }
step() { echo "==> [${SECONDS}s] $*"; }

sudo_cmd=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo_cmd="sudo -n"; fi
fi

# Installs Debian packages (name or name:arch) that are missing; skips the stage, saying why, when it cannot.
apt_install() {
    local missing=()
    for package in "$@"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" != 0 ] && [ -z "$sudo_cmd" ]; then skip "packages ${missing[*]} are missing and apt-get needs root"; fi
    step "apt-get install ${missing[*]}"
    local update_log="$work/apt-update.log" log="$work/apt.log"
    $sudo_cmd apt-get update -qq >"$update_log" 2>&1 || true
    if ! DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        >"$log" 2>&1; then
        # A half-synced mirror shows only in the update's log; say both, so the reason is plain in CI's output.
        skip "apt-get could not install ${missing[*]}: $(grep -E '^E:' "$log" | tail -n 1)" \
            "$(grep -E '^E: Failed' "$update_log" | head -n 1)"
    fi
}

# Starts installing Wine for both Windows stages (wine64, and wine32:i386 for MT4's DLL) in the background, so the
# download and unpacking overlap the minutes of cross-building instead of following them. Only a head start: each
# stage still runs apt_install for what it needs (a no-op once this has installed it, or a loud skip saying why not),
# after wait_for_wine_prefetch. The script waits for it on exit too, so the next stage never meets a held dpkg lock.
prefetch_wine() {
    if [ "$(id -u)" != 0 ] && [ -z "$sudo_cmd" ]; then return 0; fi
    dpkg -s wine64 wine32:i386 >/dev/null 2>&1 && return 0
    step "installing wine64 and wine32:i386 in the background (log: $work/apt-wine.log)"
    (
        if ! dpkg --print-foreign-architectures | grep -qx i386; then $sudo_cmd dpkg --add-architecture i386 || true; fi
        $sudo_cmd apt-get update -qq || true  # a list that failed may not be one these packages need
        # Without the i386 packages the windows stage still needs wine64; windows-i686 then says why it skipped.
        DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends wine64 wine32:i386 ||
            DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends wine64
    ) >"$work/apt-wine.log" 2>&1 &
    wine_prefetch=$!
    trap wait_for_wine_prefetch EXIT
}

wait_for_wine_prefetch() {
    if [ -n "${wine_prefetch:-}" ]; then
        wait "$wine_prefetch" || true
        wine_prefetch=""
    fi
}

need_rust_targets() {
    command -v rustup >/dev/null || skip "rustup is not installed, so the Windows targets cannot be added"
    local installed
    installed="$(rustup target list --installed)"
    for target in "$@"; do
        if ! grep -qx "$target" <<<"$installed"; then
            step "rustup target add $target"
            rustup target add "$target" >/dev/null 2>&1 || skip "rustup could not fetch the $target target"
        fi
    done
}

# Builds, for one architecture (x86_64 or i686), the smoke program that drives the bridge DLL from a Windows process
# and the ProcessPrng stand-in that Wine before 8.13 lacks (Rust's std imports it); both land in $work/<arch>/.
build_smoke_programs() {
    local arch=$1
    local target="$arch-pc-windows-gnu" gcc="$arch-w64-mingw32-gcc"
    local linker_variable="CARGO_TARGET_$(tr 'a-z-' 'A-Z_' <<<"$target")_LINKER"
    mkdir -p "$work/$arch"
    step "building the $arch ProcessPrng shim and smoke program"
    # --kill-at: on i686 a WINAPI (stdcall) function is otherwise exported as `ProcessPrng@8`, while Rust's std
    # imports it undecorated, so 32-bit Wine would abort on the first random number ("unimplemented function").
    "$gcc" -shared -O2 -Wl,--kill-at -o "$work/$arch/bcryptprimitives.dll" bridge/windows/shim/bcryptprimitives.c \
        -ladvapi32
    local exports
    exports="$("$arch-w64-mingw32-objdump" -p "$work/$arch/bcryptprimitives.dll")"
    grep -Eq '^[[:space:]]*\[ *0\] ProcessPrng$' <<<"$exports" || {
        echo "the $arch shim does not export ProcessPrng undecorated"
        exit 1
    }
    env "$linker_variable=$gcc" CARGO_TARGET_DIR="$work/build" cargo build -q \
        --manifest-path bridge/windows/smoke-exe/Cargo.toml --target "$target"
    cp "$work/build/$target/debug/metaapi-bridge-smoke.exe" "$work/$arch/smoke.exe"
}

# Creates $WINEPREFIX with `wine` before any test starts a program in it: a first start builds the prefix, which takes
# tens of seconds on two busy cores, longer than a test waits for a program's first message.
init_prefix() {
    local wine=$1
    step "creating the Wine prefix $WINEPREFIX"
    # No Mono or Gecko: nothing here is .NET or a browser, and their installers would be fetched or asked for.
    if ! WINEDLLOVERRIDES="mscoree,mshtml=" "$wine" wineboot --init >"$work/wineboot.log" 2>&1; then
        cat "$work/wineboot.log"
        echo "wineboot could not create $WINEPREFIX"
        exit 1
    fi
    # wineboot returns before the prefix is written out; the server's exit means it is.
    local server
    server="$(command -v wineserver || echo "$(dirname "$wine")/wineserver")"
    "$server" -w
}
