"""Build the dataset: every file under the raw folder → parsed rows → validated, published tables."""
from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline import checks, write
from pipeline.parse import ParseResult, parse_bytes

TABLE_NAMES = ("reports", "statistics", "key_domain_counts", "application_outcomes", "validation_results")


@dataclass
class BuildSummary:
    files: int
    parsed: int
    partial: int
    failed: int
    seconds: float

    def line(self) -> str:
        return (f"{self.files} files: {self.parsed} parsed, {self.partial} partial, {self.failed} failed "
                f"in {self.seconds:.1f}s")


def raw_files(raw_dir: Path) -> list[Path]:
    """Every regular file under raw_dir, hidden files and folders skipped, in a stable order."""
    files = []
    for root, dirs, names in os.walk(raw_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files.extend(Path(root) / n for n in sorted(names) if not n.startswith("."))
    return files


def parse_file(path: Path, raw_dir: Path) -> ParseResult:
    rel = path.relative_to(raw_dir).as_posix()
    try:
        data = path.read_bytes()
    except OSError as exc:
        data = b""
        from pipeline.parse import failed_report
        from pipeline.read import report_id_for
        return failed_report(rel, report_id_for(rel), "0" * 64, f"{rel}: cannot be read ({exc.strerror})")
    return parse_bytes(data, rel)


def _parse_one(args: tuple[str, str]) -> ParseResult:
    path, raw_dir = args
    return parse_file(Path(path), Path(raw_dir))


def parse_all(raw_dir: Path, jobs: int = 1) -> list[ParseResult]:
    files = raw_files(raw_dir)
    if jobs <= 1 or len(files) < 2:
        return [parse_file(p, raw_dir) for p in files]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_parse_one, [(str(p), str(raw_dir)) for p in files], chunksize=16))


def collect(results: list[ParseResult]) -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = {name: [] for name in TABLE_NAMES}
    for res in results:
        tables["reports"].append(res.report)
        for name in TABLE_NAMES[1:]:
            tables[name].extend(getattr(res, name))
    tables["validation_results"].extend(checks.run_across(tables["reports"], tables["statistics"]))
    return tables


def build(raw_dir: Path, out_dir: Path, jobs: int | None = None) -> BuildSummary:
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder {raw_dir} does not exist")
    start = time.perf_counter()
    jobs = jobs or os.cpu_count() or 1
    results = parse_all(raw_dir, jobs)
    tables = collect(results)
    frames = {name: write.validate(name, write.to_frame(name, rows)) for name, rows in tables.items()}
    write.publish(frames, out_dir)
    statuses = [r["status"] for r in tables["reports"]]
    return BuildSummary(len(statuses), statuses.count("parsed"), statuses.count("partial"), statuses.count("failed"),
                        time.perf_counter() - start)
