"""Build the dataset: raw files → shards of parsed, validated rows (cached by content) → one atomic publish."""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import pickle
import shutil
import signal
import sys
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

import pipeline
from pipeline import write
from pipeline.read import report_id_for

TABLE_NAMES = write.TABLE_NAMES
CACHE = "cache"
REPORTS_PER_SHARD = 256
VALIDATE_BATCH = 512  # reports parsed and validated together: a pandera pass costs ~0.1 s however few its rows
REPORTS_PER_TASK = VALIDATE_BATCH  # a task's fresh reports fill one batch
TASKS_PER_JOB = 4  # enough tasks that no worker waits long for the last one
MIN_SHARDS = 16  # small corpora still spread over every worker
FILE_TIMEOUT_S = 120  # one pathological file must not hold the whole build
SHARD_FORMAT = "3"  # bump when the shard files change shape
ENTRY_FORMAT = "3"  # bump when a cached report entry changes shape
REPORTS = "reports.pkl"  # per shard: its report rows, in member order
ACROSS = "across.pkl"  # per shard: per member, the statistics rows cross-report checks read
HASH_MEMO = "hashes.pkl"
ACROSS_MEMO = "across-groups.pkl"  # cross-report rows per group of reports, keyed by the members' cache keys
ACROSS_PART = ".across-"  # prefix of the cross-report checks' part file, removed once published
ACROSS_BATCH = 8192  # reports whose cross-report rows are held in memory at once


@dataclass
class BuildSummary:
    files: int
    parsed: int
    partial: int
    failed: int
    seconds: float
    parsed_now: int = 0  # files parsed by this run; the rest came from the cache

    def line(self) -> str:
        return (f"{self.files} files: {self.parsed} parsed, {self.partial} partial, {self.failed} failed "
                f"in {self.seconds:.1f}s ({self.parsed_now} read anew, {self.files - self.parsed_now} from cache)")


@dataclass(frozen=True, slots=True)  # slots: a plan of 30,000 sources must stay small
class Source:
    """One raw file as planned: what it is called, what it holds, and the cache key of its rows."""
    path: str  # relative to the raw folder, '/'-separated
    sha256: str | None  # None when the file could not be read while planning
    report_id: str
    key: str


@dataclass
class ShardTask:
    """Shards one worker builds, validating all their uncached reports in one pass per table."""
    raw_dir: str
    cache_dir: str
    shards: list[tuple[str, list[Source]]] = field(default_factory=list)
    across: frozenset[str] | None = None  # statistics indicators the cross-report checks read

    @property
    def files(self) -> int:
        return sum(len(members) for _, members in self.shards)


class FileTimeout(BaseException):
    """Raised inside a parse that ran too long (BaseException so no stage swallows it)."""


# ---------------------------------------------------------------- planning (cheap: no parsing)

def raw_files(raw_dir: Path) -> list[str]:
    """Every regular file under raw_dir ('/'-separated, relative to it), hidden files and folders skipped,
    in a stable order. Plain strings: a plan of 30,000 files must not pay for Path objects."""
    files = []
    for root, dirs, names in os.walk(raw_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        prefix = os.path.relpath(root, raw_dir).replace(os.sep, "/") + "/"
        prefix = "" if prefix == "./" else prefix
        files.extend(prefix + n for n in sorted(names) if not n.startswith("."))
    return files


def code_fingerprint() -> str:
    """PIPELINE_VERSION plus a digest of the code and catalogs: an edited parser never serves stale rows."""
    h = hashlib.sha256(pipeline.PIPELINE_VERSION.encode())
    root = Path(pipeline.__file__).resolve().parent.parent
    for package in ("pipeline", "schemas"):
        for path in sorted((root / package).rglob("*")):
            if path.suffix in (".py", ".csv", ".sql", ".yaml", ".json") and "__pycache__" not in path.parts:
                h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def assign_ids(paths: list[str]) -> dict[str, str]:
    """report_id per path; when two paths share an id (a.txt and a.html), the later ones keep their suffix."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for path in paths:
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


def plan(raw_dir: Path, fingerprint: str, known: dict | None = None) -> tuple[list[Source], dict]:
    """The sources under raw_dir, and the updated hash memo (see `hash_files`)."""
    rels = raw_files(raw_dir)
    ids = assign_ids(rels)
    base = str(raw_dir)
    shas, memo = hash_files([os.path.join(base, rel) for rel in rels], known or {})
    return [Source(rel, sha, ids[rel], _key(ENTRY_FORMAT, fingerprint, sha, rel, ids[rel]))
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
    with ThreadPoolExecutor(4) as pool:  # hashing releases the GIL; reading overlaps
        hashed = list(pool.map(file_sha256, [files[i] for i in todo], chunksize=64))
    now = time.time_ns()
    for i, sha in zip(todo, hashed):
        if sha is not None and stats[i] is not None:
            memo[files[i]] = (*stats[i], sha, now)
    return [memo[p][3] if p in memo else None for p in files], memo


def _key(*parts: str | None) -> str:
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
    return [(_key(SHARD_FORMAT, fingerprint, *(s.key for s in members)), members) for members in groups if members]


def inputs_digest(fingerprint: str, sources: list[Source]) -> str:
    return _key(fingerprint, *(s.key for s in sources))


# ---------------------------------------------------------------- one shard (runs in a worker)

def build_shards(task: ShardTask) -> int:
    """Write each shard's Parquet parts from its members' cached validated rows; members not in the cache
    are parsed and validated together, so a shard with one changed report validates that report only.
    Returns how many files were parsed anew."""
    cache = Path(task.cache_dir)
    members = [src for _, shard in task.shards for src in shard]
    entries = [load_cached(cache, src.key) for src in members]
    fresh = [src for src, entry in zip(members, entries) if entry is None]
    made = []
    for start in range(0, len(fresh), VALIDATE_BATCH):  # rows held at once stay the same however large the task
        made += parse_batch(Path(task.raw_dir), cache, fresh[start:start + VALIDATE_BATCH], task.across)
    made_iter = iter(made)
    entries = [entry if entry is not None else next(made_iter) for entry in entries]
    start = 0
    for key, shard in task.shards:
        write_shard(cache / "shards", key, entries[start:start + len(shard)])
        start += len(shard)
    return len(fresh)


def parse_batch(raw_dir: Path, cache: Path, sources: list[Source], across: frozenset[str] | None) -> list[dict]:
    """Per source: its report row, the statistics rows cross-report checks read, and its validated tables
    (stored in the cache unless the file changed while being read).

    Each report's rows go into a columnar batch as soon as it is parsed, and the batch is validated together
    (one pandera pass per table, whatever the number of reports). A row breaking the schema is a pipeline
    bug: SchemaViolation propagates, the build stops and nothing is published.
    """
    batch, heads = write.RowBatch(), []
    for src in sources:
        result, cacheable = parse_source(raw_dir, src)
        batch.add({name: [result.report] if name == "reports" else getattr(result, name) for name in TABLE_NAMES})
        cells = None if across is None else [row for row in result.statistics if row["indicator"] in across]
        heads.append((result.report, cells, cacheable))
    tables = {name: batch.validated_parts(name) for name in TABLE_NAMES}
    entries = []
    for i, (src, (report, cells, cacheable)) in enumerate(zip(sources, heads)):
        entry = {"report": report, "across": cells, "tables": {name: tables[name][i] for name in TABLE_NAMES}}
        if cacheable:
            store_cached(cache, src.key, entry)
        entries.append(entry)
    return entries


def parse_source(raw_dir: Path, src: Source):
    """(ParseResult, cacheable): never raises for a bad file; a file that changed since planning is not cached."""
    from pipeline.parse import failed_report, parse_bytes

    try:
        data = (raw_dir / src.path).read_bytes()
    except OSError as exc:
        return failed_report(src.path, src.report_id, "0" * 64,
                             f"{src.path}: cannot be read ({exc.strerror}); check the file's permissions"), False
    try:
        with _time_limit(FILE_TIMEOUT_S):
            result = parse_bytes(data, src.path)
    except FileTimeout:
        result = failed_report(src.path, src.report_id, hashlib.sha256(data).hexdigest(),
                               f"{src.path}: parsing took longer than {FILE_TIMEOUT_S}s and was stopped; "
                               "the file may be far larger than a report; please report it with the file")
    return with_report_id(result, src.report_id), result.report["sha256"] == src.sha256


@contextlib.contextmanager
def _time_limit(seconds: int):
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise FileTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def with_report_id(result, report_id: str):
    if result.report["report_id"] == report_id:
        return result
    result.report["report_id"] = report_id
    for name in TABLE_NAMES[1:]:
        for row in getattr(result, name):
            row["report_id"] = report_id
    return result


def _cache_path(cache: Path, key: str) -> Path:
    return cache / "reports" / key[:2] / f"{key}.pkl"


def load_cached(cache: Path, key: str):
    return _load_pickle(_cache_path(cache, key))


def store_cached(cache: Path, key: str, result) -> None:
    _dump_pickle(_cache_path(cache, key), result)


def _load_pickle(path: Path):
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
        return None  # a missing or damaged entry is simply made again


def _dump_pickle(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def write_shard(shards_dir: Path, key: str, entries: list[dict]) -> None:
    final = shards_dir / key
    if final.is_dir():
        return
    tmp = shards_dir / f".tmp-{key[:16]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    tmp.mkdir(parents=True)
    for name in TABLE_NAMES:
        write.write_parts(name, [entry["tables"][name] for entry in entries], tmp / f"{name}.parquet")
    _dump_pickle(tmp / REPORTS, [entry["report"] for entry in entries])
    _dump_pickle(tmp / ACROSS, [entry["across"] for entry in entries])
    try:
        os.rename(tmp, final)  # atomic: a shard folder is either complete or absent
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another build made it meanwhile


# ---------------------------------------------------------------- the whole build

class Progress:
    """A one-line bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.done, self.enabled = total, 0, enabled and total > 0
        self.start = time.perf_counter()

    def advance(self, n: int) -> None:
        self.done += n
        if self.enabled:
            width = 30
            filled = int(width * self.done / self.total)
            elapsed = time.perf_counter() - self.start
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} files "
                             f"{elapsed:5.1f}s")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 70 + "\r")
            sys.stderr.flush()


def build(raw_dir: Path, out_dir: Path, jobs: int | None = None, progress: bool = False) -> BuildSummary:
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder {raw_dir} does not exist")
    start = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(out_dir):
        fingerprint = code_fingerprint()
        jobs = jobs or os.cpu_count() or 1
        if jobs > 1 and (write.current_manifest(out_dir) or {}).get("fingerprint") != fingerprint:
            _start_fork_server()  # every file will be parsed: the server loads the parser while files are hashed
        known = _load_pickle(out_dir / CACHE / HASH_MEMO) or {}
        sources, memo = plan(raw_dir, fingerprint, known)
        if memo != known:
            _dump_pickle(out_dir / CACHE / HASH_MEMO, memo)
        del known, memo  # a rebuild holds only what it needs: memory must not grow with the corpus
        digest = inputs_digest(fingerprint, sources)
        previous = write.current_manifest(out_dir)
        if previous and previous.get("digest") == digest and write.duckdb_is_fresh(out_dir):
            c = previous["counts"]
            return BuildSummary(len(sources), c["parsed"], c["partial"], c["failed"], time.perf_counter() - start)
        counts, parsed_now = _rebuild(raw_dir, out_dir, sources, fingerprint, digest, jobs, progress)
    return BuildSummary(len(sources), counts["parsed"], counts["partial"], counts["failed"],
                        time.perf_counter() - start, parsed_now)


@contextlib.contextmanager
def _exclusive(out_dir: Path):
    with open(out_dir / ".build.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"another `ogi build` is writing {out_dir}; wait for it to finish") from None
        yield


def _rebuild(raw_dir: Path, out_dir: Path, sources: list[Source], fingerprint: str, digest: str, jobs: int,
             progress: bool) -> tuple[dict, int]:
    from pipeline import checks

    cache = out_dir / CACHE
    (cache / "shards").mkdir(parents=True, exist_ok=True)
    for stray in (cache / "shards").glob(".tmp-*"):
        shutil.rmtree(stray, ignore_errors=True)  # left by a killed build
    shards = shards_of(sources, fingerprint)
    across = _across_indicators(checks)
    todo = tasks_of([(key, members) for key, members in shards if not (cache / "shards" / key).is_dir()],
                    jobs, ShardTask(str(raw_dir), str(cache), across=across))
    bar = Progress(len(sources), progress)
    bar.advance(len(sources) - sum(t.files for t in todo))
    across_task = AcrossTask(str(cache), shards, across, digest)
    with _workers(jobs, len(todo)) as pool:
        parsed_now = sum(_run(pool, todo, bar))
        bar.close()
        across_part = Path(_call(pool, cross_report_part, across_task))

    parts = {name: [cache / "shards" / key / f"{name}.parquet" for key, _ in shards] for name in TABLE_NAMES}
    parts["validation_results"].append(across_part)
    counts = dict.fromkeys(("parsed", "partial", "failed"), 0)
    for key, _ in shards:  # one shard's report rows at a time: memory stays flat however large the corpus
        for report in _load_pickle(cache / "shards" / key / REPORTS):
            counts[report["status"]] += 1
    manifest = {"pipeline_version": pipeline.PIPELINE_VERSION, "fingerprint": fingerprint, "digest": digest,
                "counts": counts, "files": len(sources), "shards": [key for key, _ in shards],
                "reports": [src.key for _, members in shards for src in members]}
    write.publish_parts(out_dir, parts, manifest)
    across_part.unlink()  # the published build keeps its own link to it
    collect_garbage(out_dir)
    return counts, parsed_now


def tasks_of(shards: list[tuple[str, list[Source]]], jobs: int, template: ShardTask) -> list[ShardTask]:
    """Consecutive shards in tasks of at most REPORTS_PER_TASK files, at least TASKS_PER_JOB per job."""
    total = sum(len(members) for _, members in shards)
    size = max(1, min(REPORTS_PER_TASK, -(-total // (jobs * TASKS_PER_JOB))))
    tasks: list[ShardTask] = []
    for shard in shards:
        if not tasks or tasks[-1].files + len(shard[1]) > size:
            tasks.append(replace(template, shards=[]))
        tasks[-1].shards.append(shard)
    return tasks


@contextlib.contextmanager
def _workers(jobs: int, n_tasks: int):
    """A pool of worker processes, or None when this process will do the work itself."""
    if jobs <= 1 or n_tasks <= 1:
        yield None
        return
    # Workers start from a fork server, not from this process: they inherit none of the plan's per-file
    # data, so their memory does not grow with the corpus.
    with ProcessPoolExecutor(min(jobs, n_tasks), mp_context=_start_fork_server()) as pool:
        yield pool


def _start_fork_server():
    """The fork server's context, the server started if it is not running yet. The server imports the parser
    and the writer's libraries once; each worker forks with them loaded (a second of imports saved per worker)."""
    import multiprocessing
    from multiprocessing import forkserver

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipeline.parse", "pipeline.write", "schemas.models", "pyarrow.parquet"])
    forkserver.ensure_running()  # returns at once; the server imports in its own process
    return context


def _run(pool: ProcessPoolExecutor | None, tasks: list[ShardTask], bar: Progress):
    """Yield how many files each task parsed anew, in completion order."""
    if pool is None:
        for task in tasks:
            parsed = build_shards(task)
            bar.advance(task.files)
            yield parsed
        return
    futures = {pool.submit(build_shards, task): task for task in tasks}
    for future in as_completed(futures):
        parsed = future.result()
        bar.advance(futures[future].files)
        yield parsed


def _call(pool: ProcessPoolExecutor | None, fn, arg):
    """fn(arg) in a worker when there is a pool (the main process then never loads pandas), else here."""
    return fn(arg) if pool is None else pool.submit(fn, arg).result()


# ---------------------------------------------------------------- cross-report checks (run in a worker)

@dataclass(frozen=True)
class AcrossTask:
    cache_dir: str
    shards: list[tuple[str, list[Source]]]
    across: frozenset[str] | None  # statistics indicators the cross-report checks read (None: all rows)
    digest: str  # of the build's inputs


def cross_report_part(task: AcrossTask) -> str:
    """Run the cross-report checks over every shard; their validated rows as one Parquet part file
    (a temporary file under the cache, for the publisher to link)."""
    from pipeline import checks

    cache = Path(task.cache_dir)
    reports = [row for key, _ in task.shards for row in _load_pickle(cache / "shards" / key / REPORTS)]
    keys = [src.key for _, members in task.shards for src in members]
    statistics = None if task.across else [cache / "shards" / key / "statistics.parquet" for key, _ in task.shards]
    rows = _cross_report_rows(checks, cache, task.shards, reports, keys, statistics)
    path = cache / f"{ACROSS_PART}{task.digest[:16]}-{os.getpid()}.parquet"
    tmp = path.with_name(f".tmp-{path.name}")
    write.write_parquet("validation_results", write.validate("validation_results", write.to_frame("validation_results", rows)),
                        tmp)
    os.replace(tmp, path)
    return str(path)


def _across_indicators(checks) -> frozenset[str] | None:
    """The indicators cross-report checks read, when the checks module declares them (ACROSS_CELLS):
    handing them only those rows keeps a rebuild fast and small however large the corpus."""
    cells = getattr(checks, "ACROSS_CELLS", None)
    return frozenset(indicator for _, indicator in cells) if cells else None


def _cross_report_rows(checks, cache: Path, shards: list, reports: list[dict], keys: list[str],
                       statistics_parts: list[Path] | None) -> list[dict]:
    """checks.run_across over every report; a crash there is reported, never fatal (the per-report tables
    are still worth publishing)."""
    try:
        if statistics_parts is not None:  # the checks declare no cells: stream every statistics row
            return checks.run_across(reports, write.PartRows(statistics_parts))
        return _across_by_group(checks, cache, shards, reports, keys)
    except Exception as exc:  # noqa: BLE001
        print(f"warning: cross-report checks failed ({type(exc).__name__}: {exc}); "
              "their rows are missing from validation_results", file=sys.stderr)
        return []


def _across_by_group(checks, cache: Path, shards: list, reports: list[dict], keys: list[str]) -> list[dict]:
    """checks.run_across group by group: a group whose reports are all unchanged keeps its rows from the
    last build, so one edited report re-checks only its own body's reports."""
    groups = across_groups(checks, reports)
    digests = {group: _key(*(keys[i] for i in members)) for group, members in groups.items()}
    memo = _load_pickle(cache / ACROSS_MEMO) or {}
    done = {group: memo[group][1] for group in groups if memo.get(group, (None,))[0] == digests[group]}
    todo = [group for group in groups if group not in done]
    for batch in _batches(todo, groups):
        cells = _across_cells(cache, shards, {i for group in batch for i in groups[group]})
        for group in batch:
            members = groups[group]
            done[group] = checks.run_across([reports[i] for i in members], [row for i in members for row in cells[i]])
    if todo or memo.keys() != groups.keys():
        _dump_pickle(cache / ACROSS_MEMO, {group: (digests[group], done[group]) for group in groups})
    return [row for group in groups for row in done[group]]


def across_groups(checks, reports: list[dict]) -> dict:
    """Report indices per issuing body, in report order: cross-report checks pair reports of one body only
    (checks.body_key); reports without a year or jurisdiction pair with none and form one group of their own."""
    body_key = getattr(checks, "body_key", None)
    groups: dict = {}
    for i, report in enumerate(reports):
        placed = body_key is not None and report.get("report_year") and report.get("jurisdiction")
        groups.setdefault(body_key(report) if placed else None, []).append(i)
    return groups


def _batches(todo: list, groups: dict):
    """Groups in runs of at most ACROSS_BATCH reports (a larger group alone), so memory stays flat."""
    batch, size = [], 0
    for group in todo:
        if batch and size + len(groups[group]) > ACROSS_BATCH:
            yield batch
            batch, size = [], 0
        batch.append(group)
        size += len(groups[group])
    if batch:
        yield batch


def _across_cells(cache: Path, shards: list, wanted: set[int]) -> dict[int, list[dict]]:
    """Report index → the statistics rows cross-report checks read, for the `wanted` reports only."""
    cells, offset = {}, 0
    for key, members in shards:
        span = range(offset, offset + len(members))
        if any(i in wanted for i in span):
            for i, rows in zip(span, _load_pickle(cache / "shards" / key / ACROSS)):
                if i in wanted:
                    cells[i] = rows
        offset += len(members)
    return cells


def collect_garbage(out_dir: Path) -> None:
    """Forget cached shards and reports that no kept build refers to (and temp files of killed builds)."""
    keep_shards, keep_reports = set(), set()
    for build_dir in (out_dir / write.BUILDS).iterdir():
        try:
            manifest = json.loads((build_dir / write.MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        keep_shards.update(manifest.get("shards", []))
        keep_reports.update(manifest.get("reports", []))
    cache = out_dir / CACHE
    for shard in (cache / "shards").iterdir():
        if shard.name not in keep_shards:
            shutil.rmtree(shard, ignore_errors=True)
    for stray in [*cache.glob(f"{ACROSS_PART}*"), *cache.glob(f".tmp-{ACROSS_PART}*")]:
        stray.unlink(missing_ok=True)
    for bucket in (cache / "reports").glob("*"):
        for entry in os.scandir(bucket):
            if not entry.name.endswith(".pkl") or entry.name[:-4] not in keep_reports:
                os.unlink(entry.path)

