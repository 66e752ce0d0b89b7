"""Worker side of a build: parse uncached reports in validated batches, cache each, write shard Parquet parts."""
from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
import signal
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import write
from pipeline.plan import Source

TABLE_NAMES = write.TABLE_NAMES
VALIDATE_BATCH = 512  # reports parsed and validated together: a pandera pass costs ~0.1 s however few its rows
FILE_TIMEOUT_S = 120  # one pathological file must not hold the whole build
REPORTS = "reports.pkl"  # per shard: its report rows, in member order
ACROSS = "across.pkl"  # per shard: per member, the statistics rows cross-report checks read


@dataclass
class ShardTask:
    """Shards one worker builds, validating all their uncached reports in one pass per table."""
    raw_dir: str
    cache_dir: str
    shards: list[tuple[str, int]] = field(default_factory=list)  # (shard key, number of members)
    across: frozenset[str] | None = None  # statistics indicators the cross-report checks read

    @property
    def files(self) -> int:
        return sum(size for _, size in self.shards)


class FileTimeout(BaseException):
    """Raised inside a parse that ran too long (BaseException so no stage swallows it)."""


def build_shards(task: ShardTask) -> int:
    """Write each shard's Parquet parts from its members' cached validated rows; members not in the cache
    are parsed and validated together, so a shard with one changed report validates that report only.
    Returns how many files were parsed anew."""
    cache = Path(task.cache_dir)
    shards = [(key, shard_members(cache, key)) for key, _ in task.shards]
    members = [src for _, shard in shards for src in shard]
    entries = [load_cached(cache, src.key) for src in members]
    fresh = [src for src, entry in zip(members, entries) if entry is None]
    made = []
    for start in range(0, len(fresh), VALIDATE_BATCH):  # rows held at once stay the same however large the task
        made += parse_batch(Path(task.raw_dir), cache, fresh[start:start + VALIDATE_BATCH], task.across)
    made_iter = iter(made)
    entries = [entry if entry is not None else next(made_iter) for entry in entries]
    start = 0
    for key, shard in shards:
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
    return load_pickle(_cache_path(cache, key))


def store_cached(cache: Path, key: str, result) -> None:
    dump_pickle(_cache_path(cache, key), result)


# The plan lives on disk, one file of members per shard (named by the shard key, which is a digest of its
# members' keys): the build process then holds shard keys only, however large the corpus.
PLANS = "plans"


def write_shard_plans(cache: Path, shards: list[tuple[str, list[Source]]]) -> None:
    for key, members in shards:
        if not (cache / PLANS / f"{key}.pkl").exists():
            dump_pickle(cache / PLANS / f"{key}.pkl", members)


def shard_members(cache: Path, key: str) -> list[Source]:
    members = load_pickle(cache / PLANS / f"{key}.pkl")
    if members is None:
        raise FileNotFoundError(f"{cache / PLANS / key}.pkl is missing or damaged; run the build again")
    return members


def load_pickle(path: Path):
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
        return None  # a missing or damaged entry is simply made again


def dump_pickle(path: Path, obj) -> None:
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
    dump_pickle(tmp / REPORTS, [entry["report"] for entry in entries])
    dump_pickle(tmp / ACROSS, [entry["across"] for entry in entries])
    try:
        os.rename(tmp, final)  # atomic: a shard folder is either complete or absent
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another build made it meanwhile
