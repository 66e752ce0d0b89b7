"""Worker side of a build: parse new reports in validated batches, copy known ones, write shard Parquet parts."""
from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import shutil
import signal
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import plan, write
from pipeline.plan import Source

TABLE_NAMES = write.TABLE_NAMES
VALIDATE_BATCH = 512  # reports parsed and validated together: a pandera pass costs ~0.1 s however few its rows
FILE_TIMEOUT_S = 120  # one pathological file must not hold the whole build
REPORTS = "reports.pkl"  # per shard: its report rows, in member order
ACROSS = "across.pkl"  # per shard: per member, the statistics rows cross-report checks read
STALE = "stale"  # in a shard folder whose rows came from a file that changed while it was read


@dataclass
class ShardTask:
    """Shards one worker builds: their new reports parsed and validated in batches, the others copied."""
    raw_dir: str
    cache_dir: str
    shards: list[tuple[str, int]] = field(default_factory=list)  # (shard key, number of members)
    across: frozenset[str] = frozenset()  # statistics indicators the cross-report checks read
    # Per shard key: member position → (a built shard holding the same report, its position there).
    reuse: dict[str, dict[int, tuple[str, int]]] = field(default_factory=dict)

    @property
    def files(self) -> int:
        return sum(size for _, size in self.shards)


class FileTimeout(BaseException):
    """Raised inside a parse that ran too long (BaseException so no stage swallows it)."""


def build_shards(task: ShardTask) -> int:
    """Write each shard's Parquet parts. A member some built shard already holds (same cache key) is copied
    from there, validated rows and all; the others are parsed and validated together, so a shard with one
    changed report parses and validates that report only. Returns how many files were parsed anew."""
    cache = Path(task.cache_dir)
    plans = [(key, shard_members(cache, key), task.reuse.get(key, {})) for key, _ in task.shards]
    fresh = [(key, i, src) for key, members, reuse in plans for i, src in enumerate(members) if i not in reuse]
    made = {}
    for start in range(0, len(fresh), VALIDATE_BATCH):  # rows held at once stay the same however large the task
        batch = fresh[start:start + VALIDATE_BATCH]
        for (key, i, _), entry in zip(batch, parse_batch(Path(task.raw_dir), [src for *_, src in batch], task.across)):
            made[key, i] = entry
    for key, members, reuse in plans:
        entries = [made.get((key, i)) for i in range(len(members))]
        for old_key, moves in _by_source(reuse).items():
            built = read_built_shard(cache / "shards" / old_key)
            for i, j in moves:
                entries[i] = built[j]
        write_shard(cache / "shards", key, entries)
    return len(fresh)


def _by_source(reuse: dict[int, tuple[str, int]]) -> dict[str, list[tuple[int, int]]]:
    moves: dict[str, list[tuple[int, int]]] = {}
    for i, (old_key, j) in reuse.items():
        moves.setdefault(old_key, []).append((i, j))
    return moves


def read_built_shard(folder: Path) -> list[dict]:
    """A built shard's members as entries (report row, cross-report cells, validated rows per table)."""
    import pyarrow.parquet as pq

    reports, across = load_pickle(folder / REPORTS), load_pickle(folder / ACROSS)
    if reports is None or across is None:
        raise FileNotFoundError(f"{folder} is damaged; delete the cache folder and build again")
    ids = [report["report_id"] for report in reports]
    tables = {name: write.split_by_report(pq.read_table(folder / f"{name}.parquet"), ids) for name in TABLE_NAMES}
    return [{"report": report, "across": cells, "cacheable": True,
             "tables": {name: tables[name][i] for name in TABLE_NAMES}}
            for i, (report, cells) in enumerate(zip(reports, across))]


def parse_batch(raw_dir: Path, sources: list[Source], across: frozenset[str]) -> list[dict]:
    """Per source: its report row, the statistics rows cross-report checks read, and its validated tables.

    Each report's rows go into a columnar batch as soon as it is parsed, and the batch is validated together
    (one pandera pass per table, whatever the number of reports). A row breaking the schema is a pipeline bug
    that one odd report can hit: the batch is parsed again in halves down to that report, which is kept as a
    `failed` report naming the broken checks, so the build goes on (a few passes, not one per report).
    """
    try:
        return _parse_validated(raw_dir, sources, across, parse_source)
    except write.SchemaViolation as exc:
        if len(sources) > 1:
            half = len(sources) // 2
            return parse_batch(raw_dir, sources[:half], across) + parse_batch(raw_dir, sources[half:], across)
        return _parse_validated(raw_dir, sources, across, lambda raw, src: (_schema_failure(raw, src, exc), True))


def _schema_failure(raw_dir: Path, src: Source, exc: write.SchemaViolation):
    from pipeline.parse import failed_report

    cases = exc.failure_cases
    broken = "; ".join(dict.fromkeys(map(_failure_text, cases.head(20).to_dict("records")))) if cases is not None else exc
    return failed_report(src.path, src.report_id, src.sha256 or plan.file_sha256(raw_dir / src.path) or "0" * 64,
                         f"{src.path}: its rows break the `{exc.table}` schema: {broken}. This is a pipeline bug; "
                         "nothing of the report is published: please report it with the file")


def _failure_text(case: dict) -> str:
    """'check (column = value)' of a pandera failure case; a frame-wide check's case holds the values it blames."""
    value = case["failure_case"]
    found = value.items() if isinstance(value, dict) else [(case["column"], value)]
    line = case.get("line")
    at = f" at line {int(line)}" if line is not None and line == line else ""  # NaN: a case of no row
    return f"{case['check']} ({', '.join(f'{column} = {v!r}' for column, v in found)}){at}"


def _parse_validated(raw_dir: Path, sources: list[Source], across: frozenset[str], parse) -> list[dict]:
    batch, heads = write.RowBatch(), []
    with _cycles_collected_after():
        for src in sources:
            result, cacheable = parse(raw_dir, src)
            batch.add({name: [result.report] if name == "reports" else getattr(result, name) for name in TABLE_NAMES})
            cells = [row for row in result.statistics if row["indicator"] in across]
            heads.append((result.report, cells, cacheable))
        tables = {name: batch.validated_parts(name) for name in TABLE_NAMES}
    return [{"report": report, "across": cells, "cacheable": cacheable,
             "tables": {name: tables[name][i] for name in TABLE_NAMES}}
            for i, (report, cells, cacheable) in enumerate(heads)]


@contextlib.contextmanager
def _cycles_collected_after():
    """The cycle collector paused for a batch and run once after it. A parse leaves few reference cycles
    (about 40 objects a report), while collecting during a batch scans its live rows again and again: about
    7% of a worker's time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect()


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


def is_built(shards_dir: Path, key: str) -> bool:
    """A shard folder that can be used as it is (and copied from)."""
    return (shards_dir / key).is_dir() and not (shards_dir / key / STALE).exists()


def write_shard(shards_dir: Path, key: str, entries: list[dict]) -> None:
    final = shards_dir / key
    if is_built(shards_dir, key):
        return
    tmp = shards_dir / f".tmp-{key[:16]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    tmp.mkdir(parents=True)
    for name in TABLE_NAMES:
        write.write_parts(name, [entry["tables"][name] for entry in entries], tmp / f"{name}.parquet")
    dump_pickle(tmp / REPORTS, [entry["report"] for entry in entries])
    dump_pickle(tmp / ACROSS, [entry["across"] for entry in entries])
    if not all(entry["cacheable"] for entry in entries):
        (tmp / STALE).touch()  # a file changed while it was read: publish these rows, never reuse them
    shutil.rmtree(final, ignore_errors=True)  # a stale folder of the same key
    try:
        os.rename(tmp, final)  # atomic: a shard folder is either complete or absent
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another build made it meanwhile
