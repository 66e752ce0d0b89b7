"""The build: parallel equals serial, the cache never changes an answer, outputs are published whole."""
from __future__ import annotations

import fcntl
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import pipeline
from pipeline import build as build_mod, plan
from pipeline.build import build
from pipeline.cli import main
from pipeline.write import TABLE_NAMES

from mutations import cases, write_corpus


def tables(out: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(out / f"{name}.parquet") for name in TABLE_NAMES}


def assert_same_tables(a: Path, b: Path) -> None:
    for name, frame in tables(a).items():
        pd.testing.assert_frame_equal(frame, tables(b)[name], obj=name)


@pytest.fixture(autouse=True)
def stable_code(monkeypatch):
    """The cache key follows PIPELINE_VERSION, not edits others make to the code while the tests run."""
    monkeypatch.setattr(build_mod, "code_fingerprint", lambda: "tests-" + pipeline.PIPELINE_VERSION)


@pytest.fixture
def corpus(tmp_path, raw_dir) -> Path:
    """The shipped reports plus a few broken ones, in two folders: enough to fill several shards."""
    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw / "shipped")
    write_corpus(raw / "broken", cases(24, seed=11))
    return raw


def test_parallel_build_writes_exactly_the_serial_tables(corpus, tmp_path):
    serial = build(corpus, tmp_path / "serial", jobs=1)
    parallel = build(corpus, tmp_path / "parallel", jobs=2)
    assert (serial.files, serial.parsed, serial.partial, serial.failed) == \
        (parallel.files, parallel.parsed, parallel.partial, parallel.failed) == (30, serial.parsed, serial.partial, serial.failed)
    assert_same_tables(tmp_path / "serial", tmp_path / "parallel")
    assert len(tables(tmp_path / "serial")["reports"]) == 30
    assert len(tables(tmp_path / "serial")["statistics"]) > 0


def test_unchanged_files_are_not_parsed_again_and_the_cache_changes_nothing(corpus, tmp_path):
    out = tmp_path / "out"
    assert build(corpus, out, jobs=2).parsed_now == 30
    assert build(corpus, out, jobs=2).parsed_now == 0

    edited = corpus / "shipped" / "zhucheng-2017.txt"
    edited.write_text(edited.read_text(encoding="utf-8").replace("诸城市", "诸城市 ", 1), encoding="utf-8")
    (corpus / "broken" / "empty.txt").unlink()
    shutil.copy(corpus / "shipped" / "pingtan-2023.txt", corpus / "shipped" / "pingtan-2023-copy.txt")
    again = build(corpus, out, jobs=2)
    assert again.parsed_now == 2 and again.files == 30

    # The incremental result is exactly what a clean build of the same files writes.
    build(corpus, tmp_path / "clean", jobs=2)
    assert_same_tables(out, tmp_path / "clean")
    reports = tables(out)["reports"]
    assert "broken/empty.txt" not in set(reports["source_path"])
    assert "shipped/pingtan-2023-copy.txt" in set(reports["source_path"])


def test_a_rebuild_validates_only_the_changed_report(corpus, tmp_path, monkeypatch):
    from pipeline import write

    out = tmp_path / "out"
    build(corpus, out, jobs=1)
    validated = []
    real = write.validate

    def spy(name, frame):
        validated.append((name, set(frame["report_id"])))
        return real(name, frame)

    monkeypatch.setattr(write, "validate", spy)
    edited = corpus / "shipped" / "zhucheng-2017.txt"
    edited.write_bytes(edited.read_bytes() + b"\n")
    assert build(corpus, out, jobs=1).parsed_now == 1
    report_id = tables(out)["reports"].set_index("source_path")["report_id"]["shipped/zhucheng-2017.txt"]
    assert [ids for name, ids in validated if name == "statistics"] == [{report_id}]
    assert len(tables(out)["reports"]) == 30  # the shard's other reports come validated from the cache


def test_a_file_that_changed_while_read_is_published_but_never_reused(corpus, tmp_path, monkeypatch):
    from pipeline import shards

    real = shards.parse_source

    def changed_meanwhile(raw_dir, src):  # as if pingtan-2017 was rewritten between hashing and reading
        result, cacheable = real(raw_dir, src)
        return result, cacheable and src.path != "shipped/pingtan-2017.txt"

    monkeypatch.setattr(shards, "parse_source", changed_meanwhile)
    out = tmp_path / "out"
    assert build(corpus, out, jobs=1).parsed_now == 30
    stale = [d for d in (out / "cache" / "shards").iterdir() if (d / shards.STALE).exists()]
    assert len(stale) == 1
    size = len(shards.load_pickle(stale[0] / shards.REPORTS))

    monkeypatch.setattr(shards, "parse_source", real)
    (corpus / "broken" / "empty.txt").unlink()  # any change, so that the next build rebuilds
    assert build(corpus, out, jobs=1).parsed_now == size  # the stale shard's reports, read again
    build(corpus, tmp_path / "clean", jobs=1)
    assert_same_tables(out, tmp_path / "clean")


def test_a_new_pipeline_version_parses_everything_again(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(corpus, out, jobs=1)
    monkeypatch.setattr(pipeline, "PIPELINE_VERSION", pipeline.PIPELINE_VERSION + "+next")
    assert build(corpus, out, jobs=1).parsed_now == 30


def test_cross_report_checks_see_every_report_and_rerun_only_for_a_changed_body(tmp_path, raw_dir, monkeypatch):
    from pipeline import checks

    raw = tmp_path / "raw"
    shutil.copytree(raw_dir, raw)
    # The next year's report of the same office: a pair the carry-over check compares (72 carried forward
    # in 2019 against 18 carried over in "2020").
    next_year = raw / "shanghai-office-2020.html"
    next_year.write_bytes((raw_dir / "shanghai-office-2019.html").read_bytes().replace(b"2019", b"2020"))
    seen = []
    real = checks.run_across

    def spy(reports, statistics):
        seen.append({r["report_id"] for r in reports})
        return real(reports, statistics)

    def across_rows(out):
        results = tables(out)["validation_results"]
        return results[results["check"] == "carried_forward_next_year"].reset_index(drop=True)

    monkeypatch.setattr(checks, "run_across", spy)
    out = tmp_path / "out"
    build(raw, out, jobs=1)
    assert set().union(*seen) == {p.stem for p in raw.iterdir()} and sum(map(len, seen)) == 7  # once each
    assert {"shanghai-office-2019", "shanghai-office-2020", "shanghai-office-2025"} in seen  # one body
    first = across_rows(out)
    assert first[["report_id", "expected", "actual", "status"]].values.tolist() == \
        [["shanghai-office-2020", 72.0, 18.0, "fail"]]

    seen.clear()
    (raw / "zhucheng-2017.txt").write_bytes((raw / "zhucheng-2017.txt").read_bytes() + b"\n")
    assert build(raw, out, jobs=1).parsed_now == 1
    assert seen == [{"zhucheng-2017"}]  # the other bodies keep their cross-report rows
    pd.testing.assert_frame_equal(across_rows(out), first)

    seen.clear()
    next_year.write_bytes(next_year.read_bytes().replace("结转".encode(), "结转 ".encode(), 1))
    assert build(raw, out, jobs=1).parsed_now == 1
    assert seen == [{"shanghai-office-2019", "shanghai-office-2020", "shanghai-office-2025"}]
    build(raw, tmp_path / "clean", jobs=1)
    assert_same_tables(out, tmp_path / "clean")


def test_paths_that_share_an_id_get_distinct_report_ids(tmp_path, raw_dir):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(raw_dir / "pingtan-2023.txt", raw / "report.txt")
    shutil.copy(raw_dir / "shanghai-office-2019.html", raw / "report.html")
    build(raw, tmp_path / "out", jobs=1)
    reports = tables(tmp_path / "out")["reports"].set_index("source_path")["report_id"].to_dict()
    assert reports == {"report.html": "report", "report.txt": "report-txt"}
    stats = tables(tmp_path / "out")["statistics"]
    assert set(stats["report_id"]) == {"report", "report-txt"}


def test_a_file_added_beside_another_never_renames_it(tmp_path, raw_dir):
    """contract: same file → same id on every run; report.html sorts first, yet report.txt built before keeps 'report'."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(raw_dir / "pingtan-2023.txt", raw / "report.txt")
    build(raw, tmp_path / "out", jobs=1)
    assert tables(tmp_path / "out")["reports"]["report_id"].tolist() == ["report"]
    shutil.copy(raw_dir / "shanghai-office-2019.html", raw / "report.html")
    build(raw, tmp_path / "out", jobs=1)
    reports = tables(tmp_path / "out")["reports"].set_index("source_path")["report_id"].to_dict()
    assert reports == {"report.html": "report-html", "report.txt": "report"}
    (raw / "report.txt").unlink()
    build(raw, tmp_path / "out", jobs=1)
    assert tables(tmp_path / "out")["reports"]["report_id"].tolist() == ["report-html"]


def test_build_prints_one_summary_line_and_no_progress_bar_off_a_terminal(tmp_path, raw_dir):
    result = CliRunner().invoke(main, ["build", "--raw", str(raw_dir), "--out", str(tmp_path / "out"), "-j", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 1 and "\r" not in result.output
    assert result.output.startswith("6 files: ") and "(6 read anew, 0 from cache)" in result.output


def test_a_second_build_of_the_same_folder_is_refused_with_a_reason(tmp_path, raw_dir):
    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".build.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = CliRunner().invoke(main, ["build", "--raw", str(raw_dir), "--out", str(out)])
    assert result.exit_code == 1
    assert f"another `ogi build` is writing {out}; wait for it to finish" in result.output


def test_a_stray_part_of_a_killed_build_is_cleaned_and_old_builds_pruned(tmp_path, raw_dir):
    out, raw = tmp_path / "out", tmp_path / "raw"
    shutil.copytree(raw_dir, raw)
    build(raw, out, jobs=1)
    for i in range(3):
        (out / "cache" / "shards" / f".tmp-killed-{i}").mkdir()
        (raw / "extra.txt").write_text(f"第{i}份\n", encoding="utf-8")
        build(raw, out, jobs=1)
    assert not list((out / "cache" / "shards").glob(".tmp-*"))
    assert len(list((out / "builds").iterdir())) == 2
    assert len(tables(out)["reports"]) == 7


def test_hash_memo_trusts_only_files_unchanged_since_long_before_hashing(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("一", encoding="utf-8")
    shas, memo = plan.hash_files([path], {})
    path.write_text("二", encoding="utf-8")  # same size, same second: must be read again
    again, _ = plan.hash_files([path], memo)
    assert again != shas


def test_a_report_printing_a_negative_count_is_published_partial_and_the_build_goes_on(tmp_path, raw_dir):
    raw = tmp_path / "raw"
    raw.mkdir()
    text = (raw_dir / "shuyang-county-2025.md").read_text(encoding="utf-8")
    assert "| 行政许可 | 517645 |" in text
    (raw / "negative.md").write_text(text.replace("| 行政许可 | 517645 |", "| 行政许可 | -517645 |"), encoding="utf-8")
    shutil.copy(raw_dir / "zhucheng-2017.txt", raw)
    result = CliRunner().invoke(main, ["build", "--raw", str(raw), "--out", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 0, result.output
    out = tables(tmp_path / "out")
    report = out["reports"].set_index("report_id").loc["negative"]
    assert report["status"] == "partial"
    assert "cell 「行政许可」/本年处理决定数量 at line 64 prints '-517645', a negative count; left empty" in report["error"]
    stats = out["statistics"]
    cell = stats[(stats["report_id"] == "negative") & (stats["indicator"] == "administrative_licensing")]
    assert cell[["value_raw", "source_line"]].values.tolist() == [["-517645", 64]] and cell["value"].isna().all()
    checks = out["validation_results"]
    failed = checks[(checks["check"] == "cells_whole_non_negative") & (checks["status"] == "fail")]
    assert failed[["report_id", "actual", "source_line"]].values.tolist() == [["negative", -517645.0, 64]]


def test_a_report_whose_rows_break_the_schema_fails_alone_and_the_build_goes_on(tmp_path, raw_dir, monkeypatch):
    """A pipeline bug one odd report hits (here: the guard against negative counts taken away) fails that
    report, naming the broken check; the other reports of its batch are published as usual."""
    from pipeline import parse

    monkeypatch.setattr(parse, "counts_not_negative", lambda rows, problems: rows)
    raw = tmp_path / "raw"
    raw.mkdir()
    text = (raw_dir / "shuyang-county-2025.md").read_text(encoding="utf-8")
    (raw / "negative.md").write_text(text.replace("| 行政许可 | 517645 |", "| 行政许可 | -517645 |"), encoding="utf-8")
    for name in ("shuyang-county-2025.md", "zhucheng-2017.txt"):
        shutil.copy(raw_dir / name, raw)
    result = CliRunner().invoke(main, ["build", "--raw", str(raw), "--out", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("3 files: 2 parsed, 0 partial, 1 failed")
    out = tables(tmp_path / "out")
    report = out["reports"].set_index("report_id").loc["negative"]
    assert report["status"] == "failed"
    assert report["error"] == (
        "negative.md: its rows break the `statistics` schema: negative value outside a signed column (本年增/减) "
        "(value = -517645.0) at line 64. This is a pipeline bug; nothing of the report is published: "
        "please report it with the file")
    assert set(out["statistics"]["report_id"]) == {"shuyang-county-2025", "zhucheng-2017"}


def test_an_interrupted_pool_runs_none_of_its_queued_tasks():
    """Ctrl-C during a build: queued tasks are dropped and the workers stopped, so the build stops at once."""
    import time
    from concurrent.futures import ProcessPoolExecutor

    futures = []
    with pytest.raises(KeyboardInterrupt):
        with build_mod._cancelled_on_error(ProcessPoolExecutor(1)) as pool:
            futures = [pool.submit(time.sleep, 0.2) for _ in range(20)]
            raise KeyboardInterrupt
    for _ in range(200):  # a cancelled future never wakes concurrent.futures.wait: poll
        if all(f.done() for f in futures):
            break
        time.sleep(0.05)
    ran = [f for f in futures if f.done() and not f.cancelled() and f.exception() is None]
    assert len(futures) == 20 and all(f.done() for f in futures) and len(ran) <= 1
