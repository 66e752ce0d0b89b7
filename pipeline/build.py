"""Build the dataset: plan, shards built by workers (cached by content), cross-report checks, one atomic publish."""
from __future__ import annotations

import contextlib
import fcntl
import gc
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
from pipeline.across import ACROSS_INDICATORS, ACROSS_PART, AcrossTask, cross_report_part
from pipeline.plan import code_fingerprint, inputs_digest, plan, shards_of
from pipeline.shards import (
    PLANS, REPORTS, VALIDATE_BATCH, ShardTask, build_shards, dump_pickle, is_built, load_pickle, write_shard_plans,
)

TABLE_NAMES = write.TABLE_NAMES
CACHE = "cache"
HASH_MEMO = "hashes.pkl"
REPORT_IDS = "report_ids.pkl"  # path → report_id of the last plan: ids stay with their files
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
        previous = write.current_manifest(out_dir)
        if jobs > 1 and (previous or {}).get("fingerprint") != fingerprint:
            _start_fork_server()  # every file will be parsed: the server loads the parser while files are hashed
        planned = _plan_apart(raw_dir, out_dir, fingerprint)
        if previous and previous.get("digest") == planned.digest and write.duckdb_is_fresh(out_dir):
            c = previous["counts"]
            return BuildSummary(planned.files, c["parsed"], c["partial"], c["failed"], time.perf_counter() - start)
        counts, parsed_now = _rebuild(raw_dir, out_dir, planned, fingerprint, jobs, progress)
    return BuildSummary(planned.files, counts["parsed"], counts["partial"], counts["failed"],
                        time.perf_counter() - start, parsed_now)


@dataclass
class Planned:
    """What the build process keeps of the plan: the inputs' digest and the shards by key and size."""
    digest: str
    shards: list[tuple[str, int]]
    reuse: dict[str, dict[int, tuple[str, int]]]  # see reuse_plan

    @property
    def files(self) -> int:
        return sum(size for _, size in self.shards)


def _plan_apart(raw_dir: Path, out_dir: Path, fingerprint: str) -> Planned:
    """The plan, made in a forked child that writes each shard's members under the cache: listing, stat-ing
    and hashing every file has a memory high-water mark that grows with the corpus, and this process keeps
    only the shard keys."""
    import multiprocessing

    # A bare process and a pipe rather than a one-worker pool: a pool interrupted while it starts its worker
    # can wait for that worker forever at exit.
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_plan_into, args=(sender, raw_dir, out_dir, fingerprint))
    child.start()
    sender.close()
    try:
        planned, error = receiver.recv()
    except EOFError:  # the child died without a word
        child.join()
        raise RuntimeError(f"planning the build of {raw_dir} stopped (exit code {child.exitcode})") from None
    except BaseException:
        child.terminate()
        raise
    finally:
        child.join()
    if error is not None:
        raise error
    return planned


def _plan_into(sender, raw_dir: Path, out_dir: Path, fingerprint: str) -> None:
    try:
        sender.send((_plan(raw_dir, out_dir, fingerprint), None))
    except BaseException as exc:  # noqa: BLE001 - handed to the build process, which raises it
        sender.send((None, exc))


def _plan(raw_dir: Path, out_dir: Path, fingerprint: str) -> Planned:
    """The plan, its shards' member lists written; the hash memo (plan.hash_files) read and written back."""
    known = load_pickle(out_dir / CACHE / HASH_MEMO) or {}
    kept_ids = load_pickle(out_dir / CACHE / REPORT_IDS) or {}
    sources, memo = plan(raw_dir, fingerprint, known, kept_ids)
    if memo != known:
        dump_pickle(out_dir / CACHE / HASH_MEMO, memo)
    ids = {src.path: src.report_id for src in sources}
    if ids != kept_ids:
        dump_pickle(out_dir / CACHE / REPORT_IDS, ids)
    shards = shards_of(sources, fingerprint)
    write_shard_plans(out_dir / CACHE, shards)
    return Planned(inputs_digest(fingerprint, sources), [(key, len(members)) for key, members in shards],
                   reuse_plan(out_dir / CACHE, shards))


def reuse_plan(cache: Path, shards: list[tuple[str, list]]) -> dict[str, dict[int, tuple[str, int]]]:
    """For each shard to build: member position → (a built shard holding the same report, its position)."""
    shards_dir = cache / "shards"
    todo = [(key, members) for key, members in shards if not is_built(shards_dir, key)]
    if not todo:
        return {}
    held: dict[str, tuple[str, int]] = {}
    for folder in shards_dir.iterdir() if shards_dir.is_dir() else ():
        if not folder.name.startswith(".") and is_built(shards_dir, folder.name):
            for j, src in enumerate(load_pickle(cache / PLANS / f"{folder.name}.pkl") or []):
                held[src.key] = (folder.name, j)
    return {key: {i: held[src.key] for i, src in enumerate(members) if src.key in held} for key, members in todo}


@contextlib.contextmanager
def _exclusive(out_dir: Path):
    with open(out_dir / ".build.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"another `ogi build` is writing {out_dir}; wait for it to finish") from None
        yield


def _rebuild(raw_dir: Path, out_dir: Path, planned: Planned, fingerprint: str, jobs: int,
             progress: bool) -> tuple[dict, int]:
    cache = out_dir / CACHE
    (cache / "shards").mkdir(parents=True, exist_ok=True)
    for stray in (cache / "shards").glob(".tmp-*"):
        shutil.rmtree(stray, ignore_errors=True)  # left by a killed build
    todo = tasks_of([shard for shard in planned.shards if not is_built(cache / "shards", shard[0])],
                    jobs, ShardTask(str(raw_dir), str(cache), across=ACROSS_INDICATORS), planned.reuse)
    bar = Progress(planned.files, progress)
    bar.advance(planned.files - sum(t.files for t in todo))
    with _workers(jobs, len(todo)) as pool:
        parsed_now = sum(_run(pool, todo, bar))
    bar.close()
    # In a fresh worker when workers parsed (their memory is gone with them, and this process never loads
    # pandas), else here.
    across_task = AcrossTask(str(cache), planned.shards, planned.digest)
    with _workers(jobs, len(todo), size=1) as pool:
        across_part = Path(_call(pool, cross_report_part, across_task))

    keys = [key for key, _ in planned.shards]
    parts = {name: [cache / "shards" / key / f"{name}.parquet" for key in keys] for name in TABLE_NAMES}
    parts["validation_results"].append(across_part)
    counts = dict.fromkeys(("parsed", "partial", "failed"), 0)
    for key in keys:  # one shard's report rows at a time: memory stays flat however large the corpus
        for report in load_pickle(cache / "shards" / key / REPORTS):
            counts[report["status"]] += 1
    manifest = {"pipeline_version": pipeline.PIPELINE_VERSION, "fingerprint": fingerprint, "digest": planned.digest,
                "counts": counts, "files": planned.files, "shards": keys}
    write.publish_parts(out_dir, parts, manifest)
    across_part.unlink()  # the published build keeps its own link to it
    collect_garbage(out_dir)
    return counts, parsed_now


def tasks_of(shards: list[tuple[str, int]], jobs: int, template: ShardTask,
             reuse: dict[str, dict[int, tuple[str, int]]] | None = None) -> list[ShardTask]:
    """Consecutive shards in tasks of at most REPORTS_PER_TASK files to parse, at least TASKS_PER_JOB per job."""
    reuse = reuse or {}
    to_parse = {key: n - len(reuse.get(key, ())) for key, n in shards}
    size = max(1, min(REPORTS_PER_TASK, -(-sum(to_parse.values()) // (jobs * TASKS_PER_JOB))))
    tasks: list[ShardTask] = []
    load = 0
    for key, n in shards:
        if not tasks or load + to_parse[key] > size:
            tasks.append(replace(template, shards=[], reuse={}))
            load = 0
        tasks[-1].shards.append((key, n))
        if key in reuse:
            tasks[-1].reuse[key] = reuse[key]
        load += to_parse[key]
    return tasks


@contextlib.contextmanager
def _workers(jobs: int, n_tasks: int, size: int | None = None):
    """A pool of worker processes (`size` of them, else one per job and task), or None when this process
    will do the work itself."""
    if jobs <= 1 or n_tasks <= 1:
        yield None
        return
    # Workers start from a fork server, not from this process: they inherit nothing of this process.
    # A worker freezes what it starts with (the libraries the server loaded): no collection needs to scan it
    # (a full one takes ~20 ms). Only workers do: a serial build must not freeze its caller's objects.
    workers = size or min(jobs, n_tasks)
    with _cancelled_on_error(ProcessPoolExecutor(workers, mp_context=_start_fork_server(),
                                                 initializer=gc.freeze)) as pool:
        yield pool


@contextlib.contextmanager
def _cancelled_on_error(pool: ProcessPoolExecutor):
    """The pool, shut down as usual; on an error or Ctrl-C its queued tasks are dropped and its workers stopped,
    so the build stops at once, not once every task submitted has run. A stopped worker leaves at most a
    temporary shard folder, which the next build removes."""
    try:
        yield pool
    except BaseException:
        # Waiting for a pool interrupted mid-exchange can hang for good; Python 3.14 has terminate_workers() for
        # this, before it the workers are only reachable through the pool's private table.
        workers = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.terminate()
        raise
    pool.shutdown(wait=True)


def _start_fork_server():
    """The fork server's context, the server started if it is not running yet. The server imports the parser
    and the writer's libraries once; each worker forks with them loaded (a second of imports saved per worker)."""
    import multiprocessing
    from multiprocessing import forkserver

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipeline.shards", "pipeline.parse", "schemas.models", "pyarrow.parquet", "cn2an"])
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
    """Forget cached shards that no kept build refers to (and temp files of killed builds)."""
    keep = set()
    for build_dir in (out_dir / write.BUILDS).iterdir():
        try:
            keep.update(json.loads((build_dir / write.MANIFEST).read_text(encoding="utf-8")).get("shards", []))
        except (OSError, ValueError):
            continue
    cache = out_dir / CACHE
    for shard in (cache / "shards").iterdir():
        if shard.name not in keep:
            shutil.rmtree(shard, ignore_errors=True)
    for shard_plan in (cache / PLANS).glob("*"):
        if shard_plan.name.removesuffix(".pkl") not in keep:
            shard_plan.unlink()
    for stray in [*cache.glob(f"{ACROSS_PART}*"), *cache.glob(f".tmp-{ACROSS_PART}*")]:
        stray.unlink(missing_ok=True)
    shutil.rmtree(cache / "reports", ignore_errors=True)  # per-report entries of earlier versions
