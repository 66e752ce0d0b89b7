"""Build the dataset: plan, shards built by workers (cached by content), cross-report checks, one atomic publish."""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

import pipeline
from pipeline import write
from pipeline.across import ACROSS_PART, AcrossTask, across_indicators, cross_report_part
from pipeline.plan import Source, code_fingerprint, inputs_digest, plan, shards_of
from pipeline.shards import REPORTS, VALIDATE_BATCH, ShardTask, build_shards, dump_pickle, load_pickle

TABLE_NAMES = write.TABLE_NAMES
CACHE = "cache"
HASH_MEMO = "hashes.pkl"
REPORTS_PER_TASK = VALIDATE_BATCH  # a task's fresh reports fill one batch
TASKS_PER_JOB = 4  # enough tasks that no worker waits long for the last one


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
        sources = _plan_apart(raw_dir, out_dir, fingerprint)
        digest = inputs_digest(fingerprint, sources)
        previous = write.current_manifest(out_dir)
        if previous and previous.get("digest") == digest and write.duckdb_is_fresh(out_dir):
            c = previous["counts"]
            return BuildSummary(len(sources), c["parsed"], c["partial"], c["failed"], time.perf_counter() - start)
        counts, parsed_now = _rebuild(raw_dir, out_dir, sources, fingerprint, digest, jobs, progress)
    return BuildSummary(len(sources), counts["parsed"], counts["partial"], counts["failed"],
                        time.perf_counter() - start, parsed_now)


def _plan_apart(raw_dir: Path, out_dir: Path, fingerprint: str) -> list[Source]:
    """The plan, made in a forked child: listing, stat-ing and hashing every file has a memory high-water
    mark that grows with the corpus, and this process keeps only the plan itself."""
    import multiprocessing

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as child:
        return child.submit(_plan, raw_dir, out_dir, fingerprint).result()


def _plan(raw_dir: Path, out_dir: Path, fingerprint: str) -> list[Source]:
    """The plan; the hash memo (see plan.hash_files) is read and, when it changed, written back."""
    known = load_pickle(out_dir / CACHE / HASH_MEMO) or {}
    sources, memo = plan(raw_dir, fingerprint, known)
    if memo != known:
        dump_pickle(out_dir / CACHE / HASH_MEMO, memo)
    return sources


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
    across = across_indicators(checks)
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
        for report in load_pickle(cache / "shards" / key / REPORTS):
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
    context.set_forkserver_preload(["pipeline.shards", "pipeline.parse", "schemas.models", "pyarrow.parquet"])
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
