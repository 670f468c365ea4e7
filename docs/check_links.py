#!/usr/bin/env python3
"""Checks the links of a built HTML book, offline.

Usage: check_links.py BOOK_DIR

Every relative href/src in every .html file under BOOK_DIR must point to a file that exists inside BOOK_DIR, and every
#fragment must be an id (or a named anchor) of the target page. External links (http, https, mailto, ...) are listed
but never fetched: the check runs without network. Exits 1 when any link is broken, 2 on bad usage.
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Pages mdbook generates around the book itself: their links point at the site root and are not the book's content.
SKIPPED_PAGES = {"404.html"}


class PageParser(HTMLParser):
    """Collects a page's ids and the links it makes (tag attribute values of href and src)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name in ("href", "src"):
                self.links.append((self.getpos()[0], value))

    handle_startendtag = handle_starttag


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def check(book: Path) -> int:
    book = book.resolve()
    pages = sorted(path for path in book.rglob("*.html") if path.name not in SKIPPED_PAGES)
    if not pages:
        print(f"check_links: no HTML pages under {book}", file=sys.stderr)
        return 1
    parsed: dict[Path, PageParser] = {}

    def page(path: Path) -> PageParser:
        if path not in parsed:
            parsed[path] = parse(path)
        return parsed[path]

    broken: list[str] = []
    external: set[str] = set()
    checked = 0
    for source in pages:
        for line, link in page(source).links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                if parts.scheme in ("http", "https"):
                    external.add(link)
                continue
            checked += 1
            where = f"{source.relative_to(book)}:{line}: {link}"
            if parts.path.startswith("/"):
                target = (book / unquote(parts.path).lstrip("/")).resolve()
            elif parts.path:
                target = (source.parent / unquote(parts.path)).resolve()
            else:
                target = source
            if target.is_dir():
                target = target / "index.html"
            if not target.is_relative_to(book):
                broken.append(f"{where} (points outside the book)")
                continue
            if not target.is_file():
                broken.append(f"{where} (no such file)")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in page(target).ids:
                broken.append(f"{where} (no id '{fragment}' in {target.relative_to(book)})")

    for link in sorted(external):
        print(f"external (not fetched): {link}")
    print(f"check_links: {len(pages)} pages, {checked} internal links checked, {len(external)} external listed")
    if broken:
        for line in broken:
            print(f"BROKEN {line}", file=sys.stderr)
        print(f"check_links: {len(broken)} broken links", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not Path(argv[1]).is_dir():
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    return check(Path(argv[1]))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
