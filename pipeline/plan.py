"""Plan a build without parsing: raw files, report ids, content hashes (memoised by file stat), cache keys, shards."""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pipeline
from pipeline.read import report_id_for

REPORTS_PER_SHARD = 256
MIN_SHARDS = 16  # small corpora still spread over every worker
SHARD_FORMAT = "3"  # bump when the shard files change shape
ENTRY_FORMAT = "3"  # bump when what a shard stores per report changes shape


@dataclass(frozen=True, slots=True)  # slots: a plan of 30,000 sources must stay small
class Source:
    """One raw file as planned: what it is called, what it holds, and the cache key of its rows."""
    path: str  # relative to the raw folder, '/'-separated
    sha256: str | None  # None when the file could not be read while planning
    report_id: str
    key: str


def raw_files(raw_dir: Path) -> list[str]:
    """Every regular file under raw_dir ('/'-separated, relative to it), hidden files and folders skipped,
    in a stable order. Plain strings: a plan of 30,000 files must not pay for Path objects."""
    return list(walk_raw_files(raw_dir))


def walk_raw_files(raw_dir: Path) -> Iterator[str]:
    """raw_files one at a time: whether a folder holds any report is told by the first."""
    for root, dirs, names in os.walk(raw_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        prefix = os.path.relpath(root, raw_dir).replace(os.sep, "/") + "/"
        prefix = "" if prefix == "./" else prefix
        yield from (prefix + n for n in sorted(names) if not n.startswith("."))


def code_fingerprint() -> str:
    """PIPELINE_VERSION plus a digest of the code and catalogs: an edited parser never serves stale rows."""
    h = hashlib.sha256(pipeline.PIPELINE_VERSION.encode())
    root = Path(pipeline.__file__).resolve().parent.parent
    for package in ("pipeline", "schemas"):
        for path in sorted((root / package).rglob("*")):
            if path.suffix in (".py", ".csv", ".sql", ".yaml", ".json") and "__pycache__" not in path.parts:
                h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def assign_ids(paths: list[str], kept: dict[str, str] | None = None) -> dict[str, str]:
    """report_id per path; when two paths share an id (a.txt and a.html), the later ones keep their suffix.

    A path keeps the id `kept` (the previous build's) gave it, so a file added beside another (a.md next to
    a.txt) never renames it: same file, same id, on every run.
    """
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for path in paths:
        rid = (kept or {}).get(path)
        if rid is not None and rid not in taken:
            ids[path] = rid
            taken.add(rid)
    for path in paths:
        if path in ids:
            continue
        rid = report_id_for(path)
        if rid in taken:
            rid = report_id_for(path.replace(".", "-"))
        if rid in taken:
            rid = f"{rid}-{hashlib.sha1(path.encode()).hexdigest()[:8]}"
        ids[path] = rid
        taken.add(rid)
    return ids


def file_sha256(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


HASH_RUN = 128  # files per thread task


def _sha256_each(paths: list[str]) -> list[str | None]:
    return [file_sha256(path) for path in paths]


def plan(raw_dir: Path, fingerprint: str, known: dict | None = None,
         kept_ids: dict[str, str] | None = None) -> tuple[list[Source], dict]:
    """The sources under raw_dir, and the updated hash memo (see `hash_files`); kept_ids: see `assign_ids`."""
    rels = raw_files(raw_dir)
    ids = assign_ids(rels, kept_ids)
    base = str(raw_dir)
    shas, memo = hash_files([os.path.join(base, rel) for rel in rels], known or {})
    return [Source(rel, sha, ids[rel], digest_of(ENTRY_FORMAT, fingerprint, sha, rel, ids[rel]))
            for rel, sha in zip(rels, shas)], memo


# A memo entry is trusted only when the file was last modified this long before it was hashed, so a
# write landing in the same clock tick as the hashing is never missed (git's "racy clean" rule).
RACY_NS = 2_000_000_000


def hash_files(files: list[str | Path], known: dict) -> tuple[list[str | None], dict]:
    """sha256 of every file; files whose size, mtime and inode match the memo are not read again."""
    files = [str(path) for path in files]
    stats = []
    for path in files:
        try:
            st = os.stat(path)
            stats.append((st.st_size, st.st_mtime_ns, st.st_ino))
        except OSError:
            stats.append(None)
    memo, todo = {}, []
    for i, (path, st) in enumerate(zip(files, stats)):
        entry = known.get(path)
        if st is not None and entry is not None and entry[:3] == st and st[1] < entry[4] - RACY_NS:
            memo[path] = entry
        else:
            todo.append(i)
    paths = [files[i] for i in todo]
    # Two threads, each hashing runs of files: one thread's disk waits overlap the other's hashing (which
    # releases the GIL), while a future per file cost more than hashing a cached file.
    with ThreadPoolExecutor(2) as pool:
        runs = pool.map(_sha256_each, [paths[i:i + HASH_RUN] for i in range(0, len(paths), HASH_RUN)])
        hashed = [sha for run in runs for sha in run]
    now = time.time_ns()
    for i, sha in zip(todo, hashed):
        if sha is not None and stats[i] is not None:
            memo[files[i]] = (*stats[i], sha, now)
    return [memo[p][3] if p in memo else None for p in files], memo


def digest_of(*parts: str | None) -> str:
    return hashlib.sha256("\0".join(p or "-" for p in parts).encode()).hexdigest()


def shard_count(n_files: int) -> int:
    n = MIN_SHARDS
    while n * REPORTS_PER_SHARD < n_files:
        n *= 2
    return n


def shards_of(sources: list[Source], fingerprint: str) -> list[tuple[str, list[Source]]]:
    """Group sources into shards by a hash of their path, so one edited file dirties one shard only."""
    n = shard_count(len(sources))
    groups: list[list[Source]] = [[] for _ in range(n)]
    for src in sources:
        groups[int(hashlib.sha1(src.path.encode()).hexdigest()[:8], 16) % n].append(src)
    return [(digest_of(SHARD_FORMAT, fingerprint, *(s.key for s in members)), members) for members in groups if members]


def inputs_digest(fingerprint: str, sources: list[Source]) -> str:
    return digest_of(fingerprint, *(s.key for s in sources))
