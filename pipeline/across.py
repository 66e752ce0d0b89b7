"""Cross-report checks over every shard, run in a worker once the shards are built; unchanged groups keep their rows."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from pipeline import checks, write
from pipeline.plan import digest_of
from pipeline.shards import ACROSS, REPORTS, dump_pickle, load_pickle, shard_members

ACROSS_MEMO = "across-groups.pkl"  # cross-report rows per group of reports, keyed by the members' cache keys
ACROSS_PART = ".across-"  # prefix of the cross-report checks' part file, removed once published
ACROSS_BATCH = 4096  # reports whose cross-report cells are held in memory at once
# The statistics indicators the cross-report checks read: workers keep only those rows for them.
ACROSS_INDICATORS = frozenset(indicator for _, indicator in checks.ACROSS_CELLS)


@dataclass(frozen=True)
class AcrossTask:
    cache_dir: str
    shards: list[tuple[str, int]]  # (shard key, number of members)
    digest: str  # of the build's inputs


def cross_report_part(task: AcrossTask) -> str:
    """Run the cross-report checks over every shard; their validated rows as one Parquet part file
    (a temporary file under the cache, for the publisher to link)."""
    cache = Path(task.cache_dir)
    shards = [(key, shard_members(cache, key)) for key, _ in task.shards]
    # Only the fields the checks read: 30,000 report rows stay small.
    reports = [{field: row.get(field) for field in checks.ACROSS_REPORT_FIELDS}
               for key, _ in shards for row in load_pickle(cache / "shards" / key / REPORTS)]
    keys = [src.key for _, members in shards for src in members]
    try:
        rows = _across_by_group(cache, shards, reports, keys)
    except Exception as exc:  # noqa: BLE001 - the per-report tables are still worth publishing
        print(f"warning: cross-report checks failed ({type(exc).__name__}: {exc}); "
              "their rows are missing from validation_results", file=sys.stderr)
        rows = []
    path = cache / f"{ACROSS_PART}{task.digest[:16]}-{os.getpid()}.parquet"
    tmp = path.with_name(f".tmp-{path.name}")
    frame = write.validate("validation_results", write.to_frame("validation_results", rows))
    write.write_parquet("validation_results", frame, tmp)
    os.replace(tmp, path)
    return str(path)


def _across_by_group(cache: Path, shards: list, reports: list[dict], keys: list[str]) -> list[dict]:
    """checks.run_across group by group: a group whose reports are all unchanged keeps its rows from the
    last build, so one edited report re-checks only its own body's reports."""
    groups = across_groups(reports)
    digests = {group: digest_of(*(keys[i] for i in members)) for group, members in groups.items()}
    memo = load_pickle(cache / ACROSS_MEMO) or {}
    done = {group: memo[group][1] for group in groups if memo.get(group, (None,))[0] == digests[group]}
    todo = {group: _paired(reports, members) if group is not None else []
            for group, members in groups.items() if group not in done}
    for batch in _batches(todo):
        cells = _across_cells(cache, shards, {i for group in batch for i in todo[group]})
        for group in batch:
            done[group] = checks.run_across([reports[i] for i in groups[group]],
                                            [row for i in todo[group] for row in cells[i]])
    if todo or memo.keys() != groups.keys():
        dump_pickle(cache / ACROSS_MEMO, {group: (digests[group], done[group]) for group in groups})
    return [row for group in groups for row in done[group]]


def _paired(reports: list[dict], members: list[int]) -> list[int]:
    """The members some pair of consecutive years holds: the only reports whose cells the checks read."""
    pairs = checks.consecutive_pairs([reports[i] for i in members])
    ids = {report["report_id"] for pair in pairs for report in pair}
    return [i for i in members if reports[i]["report_id"] in ids]


def across_groups(reports: list[dict]) -> dict:
    """Report indices per issuing body, in report order: cross-report checks pair reports of one body only
    (checks.body_key); reports without a year or jurisdiction pair with none and form one group of their own."""
    groups: dict = {}
    for i, report in enumerate(reports):
        placed = report.get("report_year") and report.get("jurisdiction")
        groups.setdefault(checks.body_key(report) if placed else None, []).append(i)
    return groups


def _batches(todo: dict[object, list[int]]):
    """Groups in runs whose paired reports number at most ACROSS_BATCH (a larger group alone), so the cells
    held at once stay the same however large the corpus."""
    batch, size = [], 0
    for group, paired in todo.items():
        if batch and size + len(paired) > ACROSS_BATCH:
            yield batch
            batch, size = [], 0
        batch.append(group)
        size += len(paired)
    if batch:
        yield batch


def _across_cells(cache: Path, shards: list, wanted: set[int]) -> dict[int, list[dict]]:
    """Report index → the statistics rows cross-report checks read, for the `wanted` reports only."""
    cells, offset = {}, 0
    for key, members in shards:
        span = range(offset, offset + len(members))
        if any(i in wanted for i in span):
            for i, rows in zip(span, load_pickle(cache / "shards" / key / ACROSS)):
                if i in wanted:
                    cells[i] = rows
        offset += len(members)
    return cells
