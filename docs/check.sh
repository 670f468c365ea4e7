#!/usr/bin/env bash
# Builds the docs book into target/book and checks its links, offline.
# Usage: docs/check.sh            (./test.sh calls it)
# Installs the pinned mdbook into target/tools on first use (about a minute of compiling).
# Exit codes: 0 built and every link is fine, 1 the build failed or a link is broken,
# 77 SKIPPED because mdbook could not be installed or python3 is missing (the book was not checked).
set -uo pipefail

MDBOOK_VERSION=0.5.4
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/target/tools"
mdbook="$tools/bin/mdbook"
book_out="$root/target/book"

skip() {
    printf '\n!!!! SKIPPED docs check: %s !!!!\n\n' "$1"
    exit 77
}

command -v python3 >/dev/null || skip "python3 is not installed, so the links cannot be checked"

if ! [ -x "$mdbook" ] || [ "$("$mdbook" --version 2>/dev/null)" != "mdbook v$MDBOOK_VERSION" ]; then
    echo "installing mdbook $MDBOOK_VERSION into $tools (once; it compiles for a couple of minutes)"
    # Only the book builder and its search index: the `serve` and `watch` features pull in a web server and a file
    # watcher this check never uses, and they were most of the compile time.
    if ! cargo install --locked mdbook --version "$MDBOOK_VERSION" --no-default-features --features search \
        --root "$tools"; then
        skip "cargo could not install mdbook $MDBOOK_VERSION (no registry access?)"
    fi
fi

# Generated files (the reference pages among them) must match the protocol before the book is worth checking.
if ! (cd "$root" && cargo xtask check); then
    echo "docs: generated files are stale (see above); run \`cargo xtask codegen\` and commit" >&2
    exit 1
fi

rm -rf "$book_out"
if ! "$mdbook" build "$root/docs"; then
    echo "docs: mdbook build failed" >&2
    exit 1
fi

python3 "$root/docs/check_links.py" "$book_out" || exit 1
echo "docs: book built in target/book, all internal links resolve"
