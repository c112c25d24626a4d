#!/usr/bin/env python3
"""Page weight of a story page: bytes a browser transfers for the HTML and its CSS/JS.

    .venv/bin/python bench/weight.py [--url /section/slug/]

Starts ``dateline serve`` on the demo newsroom (cached under bench/out/db/),
picks the story that shows the most blocks (lead image, credits, previous and
next, also read, tags; any story when the demo is missing), and fetches it
with ``Accept-Encoding: gzip`` like a browser, then every same-origin
stylesheet and script it links (and what those stylesheets @import, plus web
fonts), but not images. Prints bytes on the wire per resource (headers + body
as sent, i.e. compressed) and the total against the target (<= 60 KiB).

Then checks that no resource the page loads (href/src/srcset, images
included) comes from another origin; plain links (<a href>) to other sites are
listed for information only.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import zlib
from pathlib import Path
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _lib  # noqa: E402
from _lib import KeepAlive, Server, log, table  # noqa: E402

TARGET_BYTES = 60 * 1024
BROWSER_HEADERS = {
    "Accept-Encoding": "gzip",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) dateline-bench",
}
# <link rel=...> values that make a browser fetch something.
FETCHING_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload", "prefetch",
                 "manifest", "mask-icon"}
# ... and the ones that are only references.
REFERENCE_RELS = {"canonical", "alternate", "prev", "next", "author", "license", "search", "amphtml", "home",
                  "preconnect", "dns-prefetch", "me", "tag", "bookmark", "nofollow", "noopener", "noreferrer"}


def decode(headers, body: bytes) -> bytes:
    enc = (headers.get("Content-Encoding") or "").lower()
    if enc == "gzip":
        return gzip.decompress(body)
    if enc == "deflate":
        return zlib.decompress(body)
    return body


def header_bytes(status: int, reason: str, headers) -> int:
    """Size of the status line and headers as sent (HTTP/1.1)."""
    return len(f"HTTP/1.1 {status} {reason}\r\n") + sum(len(k) + len(v) + 4 for k, v in headers.items()) + 2


def classify(link: dict) -> str | None:
    """What a browser does with one href/src: 'css', 'js', 'image', 'font', 'other', 'link' or None."""
    tag, attr, rel = link["tag"], link["attr"], set(link["rel"])
    if tag == "link":
        if "stylesheet" in rel:
            return "css"
        if rel & {"preload", "modulepreload", "prefetch"}:
            kind = link.get("as") or ("script" if "modulepreload" in rel else "")
            return {"style": "css", "script": "js", "font": "font", "image": "image"}.get(kind, "other")
        if rel & {"icon", "shortcut", "apple-touch-icon", "mask-icon"}:
            return "image"
        if rel & FETCHING_RELS:
            return "other"
        return "link"  # canonical, alternate, prev/next...: references, not downloads
    if tag == "script" and attr == "src":
        return "js"
    if tag in ("img", "source", "picture") or attr in ("srcset", "poster") or (tag == "input" and attr == "src"):
        return "image"
    if tag in ("iframe", "embed", "object", "video", "audio", "track", "frame"):
        return "other"
    if tag in ("a", "area", "form", "base"):
        return "link"
    return "other" if attr in ("src", "data") else "link"


CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""", re.I)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""", re.I)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="story path to weigh (default: the demo story with the most blocks)")
    args = parser.parse_args(argv)
    _lib.stop_on_signals()

    env, info = _lib.prepare("sqlite", 0)
    if not info["demo"]:
        log("no demo newsroom: falling back to 300 synthetic stories")
        env, info = _lib.prepare("sqlite", 300)
    picked = {"url": args.url, "has": {}, "headline": "(given)"} if args.url else _lib.richest_story(env)
    if not picked:
        print("no published story to weigh", file=sys.stderr)
        return 2

    # Pages stored by an earlier run may come from older templates: start from an empty store.
    _lib.dateline(env, "pagestore", "clear", check=False, quiet=True)
    server = Server(env, workers=1, label="weight")
    try:
        server.start()
        origin = server.origin
        client = KeepAlive(server.port, headers=BROWSER_HEADERS)
        rows, total, notes = [], 0, []

        def fetch(path, kind):
            nonlocal total
            _, status, headers, body = client.get(path)
            resp_reason = "OK" if status == 200 else ""
            wire = header_bytes(status, resp_reason, headers) + len(body)
            plain = decode(headers, body)
            total += wire
            rows.append([path if len(path) <= 60 else path[:59] + "…", kind, status,
                         headers.get("Content-Encoding") or "-", f"{wire:,}", f"{len(body):,}", f"{len(plain):,}",
                         headers.get("Cache-Control") or "-"])
            if status != 200:
                notes.append(f"{path} answered {status}")
            return headers, plain

        _, html_bytes = fetch(picked["url"], "html")
        html = html_bytes.decode("utf-8", "replace")
        found = _lib.links(html)

        done, images, outbound, foreign = set(), [], [], []
        queue = []
        for link in found:
            kind = classify(link)
            url = urljoin(origin + picked["url"], link["url"])
            if urlsplit(url).scheme not in ("http", "https"):
                continue  # data:, mailto:, javascript:
            same = _lib.same_origin(url, origin)
            if kind == "link":
                if not same:
                    outbound.append((link["tag"], " ".join(link["rel"]) or "-", link["url"]))
                continue
            if not same:
                foreign.append((link["tag"], link["attr"], kind, link["url"]))
                continue
            if kind == "image":
                images.append(url)
            elif kind in ("css", "js", "font"):
                queue.append((url, kind))
        while queue:
            url, kind = queue.pop(0)
            path = urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
            if path in done:
                continue
            done.add(path)
            _, body = fetch(path, kind)
            if kind == "css":
                text = body.decode("utf-8", "replace")
                imported = {m.group(1) for m in CSS_IMPORT.finditer(text)}
                for ref in imported:
                    queue.append((urljoin(url, ref), "css"))
                for m in CSS_URL.finditer(text):
                    ref = urljoin(url, m.group(1).strip())
                    if m.group(1) in imported or ref.startswith("data:"):
                        continue
                    if not _lib.same_origin(ref, origin):
                        foreign.append(("css", "url()", "css-ref", ref))
                    elif re.search(r"\.(woff2?|ttf|otf|eot)(\?|$)", ref, re.I):
                        queue.append((ref, "font"))
                    else:
                        images.append(ref)

        # Images: not counted, listed for information.
        image_rows = []
        for url in dict.fromkeys(images):
            path = urlsplit(url).path
            _, status, headers, body = client.get(path)
            image_rows.append([path if len(path) <= 60 else path[:59] + "…", status, headers.get("Content-Type", "-"),
                               f"{len(body):,}", headers.get("Cache-Control") or "-"])
        client.close()
    finally:
        server.stop()

    has = ", ".join(k for k, v in picked["has"].items() if v) or "?"
    missing = ", ".join(k for k, v in picked["has"].items() if not v)
    print(f"\nStory: {picked['url']}\n  {picked['headline']}\n  blocks: {has}" + (f"; missing: {missing}" if missing else ""))
    print(f"  database: demo newsroom {'yes' if info['demo'] else 'no (' + info['demo_missing_why'] + ')'}, "
          f"{info['stories']:,} stories\n")
    print(table(["resource", "type", "status", "encoding", "transferred B", "body B", "uncompressed B", "cache-control"],
                rows + [["TOTAL (HTML + CSS/JS)", "", "", "", f"{total:,}", "", "", ""]], "llrlrrrl"))
    verdict = "ok" if total <= TARGET_BYTES else "MISSED"
    print(f"\nTotal transferred: {total:,} B = {total / 1024:.1f} KiB; target <= {TARGET_BYTES // 1024} KiB "
          f"({TARGET_BYTES:,} B): {verdict}")
    print("(transferred = status line + headers + body as sent; images are not counted)")
    if image_rows:
        print("\nImages and icons the page loads (not counted in the total):")
        print(table(["image", "status", "type", "bytes", "cache-control"], image_rows, "lrlrl"))
    print("\nOther origins:")
    if foreign:
        print("  FAIL: resources loaded from another origin:")
        for tag, attr, kind, url in foreign:
            print(f"    <{tag} {attr}> ({kind}) {url}")
    else:
        print(f"  ok: every resource the page loads ({len(done) + len(set(images))} besides the HTML) is same-origin")
    if outbound:
        print(f"  for information, {len(outbound)} link(s) to other sites (navigation, not loaded):")
        for tag, rel, url in outbound:
            print(f"    <{tag} rel={rel}> {url}")
    for note in notes:
        print(f"  NOTE: {note}")
    return 0 if total <= TARGET_BYTES and not foreign and not notes else 1


if __name__ == "__main__":
    sys.exit(main())
