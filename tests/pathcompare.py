"""What "the paths agree" means, for tests/test_paths_agree.py: two build outputs the same file for file
(bytes, file times, build record), and two services answering every path alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from feedsvc.static.build import BUILD_RECORD
from feedsvc.static.hostrules import HEADERS_FILE, NGINX_FILE

from .test_build import read_headers_file, served_path

# What a build's `_headers` states that a conditional request or a cache acts on.
VALIDATORS = ("ETag", "Last-Modified", "Cache-Control")

# Written by the build itself, dated when written (no Last-Modified of their own): their times differ.
UNDATED = (HEADERS_FILE, NGINX_FILE)


def output_files(out: Path) -> dict[str, tuple[bytes, int]]:
    """name → (bytes, mtime_ns) of every file in a build output."""
    return {
        str(path.relative_to(out)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }


def published_record(out: Path) -> dict[str, Any]:
    """The build record, less what is meant to differ between two builds of the same store: when the
    build wrote its own undated files; the moment its notes were taken (a build that changes nothing
    leaves the record as it was: static.tree.TreeWriter.finish); and each document's `until`, a hint
    of when to plan it again: a document of a scope no story moved in is kept with the hint it was
    planned with (static.unchanged.Standing), where a cold build plans it and may find an earlier
    moment that concerns other scopes (a story scheduled elsewhere) — which the record's context
    digest covers for every document (the scopes with feeds, their subjects)."""
    record = json.loads((out / BUILD_RECORD).read_text("utf-8"))
    record.pop("moment", None)
    for document in record["documents"].values():
        document.pop("until", None)
    for name in UNDATED:
        record["files"][name].pop("mtime_ns", None)
    return record


def outputs_differ(one: Path, other: Path) -> list[str]:
    """What differs between two build outputs of the same store at the same moment: [] if nothing."""
    a, b = output_files(one), output_files(other)
    found = [f"only in {one.name}: {n}" for n in sorted(a.keys() - b.keys())]
    found += [f"only in {other.name}: {n}" for n in sorted(b.keys() - a.keys())]
    for name in sorted(a.keys() & b.keys()):
        if name == BUILD_RECORD:
            continue
        if a[name][0] != b[name][0]:
            found.append(f"{name}: other bytes")
        elif a[name][1] != b[name][1] and name not in UNDATED:
            found.append(f"{name}: other file time ({a[name][1]} != {b[name][1]})")
    if not found:
        ra, rb = published_record(one), published_record(other)
        for part in sorted(ra.keys() | rb.keys()):
            if part in ("files", "documents"):
                for name in sorted(ra[part].keys() | rb[part].keys()):
                    if ra[part].get(name) != rb[part].get(name):
                        found.append(f"record {part}[{name}]: {ra[part].get(name)} != {rb[part].get(name)}")
            elif ra.get(part) != rb.get(part):
                found.append(f"record {part}: {ra.get(part)} != {rb.get(part)}")
    return found


def document_names(out: Path) -> list[str]:
    """The documents and photos of a build output (not its gzip copies, host rules or record)."""
    return [
        str(path.relative_to(out))
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.suffix != ".gz" and path.name not in (*UNDATED, BUILD_RECORD)
    ]


def answer(client: Any, path: str) -> tuple[int, bytes, str | None, str | None, str | None]:
    response = client.get(path)
    return (response.status_code, response.data, *(response.headers.get(name) for name in VALIDATORS))


def services_differ(living: Any, fresh: Any, cold: Path, asked: set[str]) -> list[str]:
    """What the service that lived through the edits answers otherwise than a fresh one (status, body,
    ETag, Last-Modified, Cache-Control), for every path of the cold build and every path `asked` before
    (a story gone must be gone from both); and any body unlike the cold build's file, or any of those
    headers unlike what the cold build's `_headers` states. Adds the paths to `asked`."""
    names = document_names(cold)
    asked.update(served_path(name) for name in names)
    stated = read_headers_file(cold)
    found = []
    for path in sorted(asked):
        mine, theirs = answer(living, path), answer(fresh, path)
        if mine != theirs:
            parts = ("status", "body", *VALIDATORS)
            what = [part for part, x, y in zip(parts, mine, theirs, strict=True) if x != y]
            found.append(f"{path}: other {', '.join(what)} ({mine[0]}, {mine[2:]} != {theirs[0]}, {theirs[2:]})")
        for name, sent in zip(VALIDATORS, mine[2:], strict=True):
            if name in stated.get(path, {}) and sent != stated[path][name]:
                found.append(f"{path}: {name} {sent!r}, where the cold build's _headers says {stated[path][name]!r}")
    for name in names:
        status, body, *_ = answer(living, served_path(name))
        if status != 200 or body != (cold / name).read_bytes():
            found.append(f"{name}: served {status}, not the cold build's bytes")
    return found
