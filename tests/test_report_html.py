"""`ogi report` HTML opened in headless Chromium: the numbers render and the page is not blank."""
import os
import re
import shutil
import struct
import subprocess
import zlib
from html import unescape

import duckdb
import pytest
from click.testing import CliRunner

from fixture_outcomes import tables
from pipeline.build import build
from pipeline.cli import main
from pipeline.dictionary import open_views, write_tables

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run must install it (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium); the browser test needs it")
    return CHROMIUM


def run_chromium(browser, tmp_path, *args) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, timeout=120, check=True)


def dump_dom(browser, tmp_path, page) -> str:
    return run_chromium(browser, tmp_path, "--dump-dom", page.as_uri()).stdout.decode("utf-8")


def screenshot(browser, tmp_path, page):
    png = tmp_path / f"{page.stem}.png"
    run_chromium(browser, tmp_path, "--window-size=1200,1400", f"--screenshot={png}", page.as_uri())
    return png


def pixel_bytes(png) -> bytes:
    """The decompressed image data of a PNG (filter bytes included): enough to tell a blank page."""
    data, pos, idat = png.read_bytes(), 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return zlib.decompress(idat)


def text_of(dom: str, attribute: str, value: str) -> str:
    match = re.search(rf'{attribute}="{re.escape(value)}"[^>]*>(.*?)</', dom, re.S)
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else ""


def row_of(dom: str, report_id: str) -> str:
    match = re.search(rf'<tr data-report="{re.escape(report_id)}">(.*?)</tr>', dom, re.S)
    return match.group(1) if match else ""


@pytest.fixture(scope="module")
def fixture_page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    open_views(write_tables(folder / "parquet", tables()), folder / "ogi.duckdb").close()
    page = folder / "report.html"
    result = CliRunner().invoke(main, ["report", "--db", str(folder / "ogi.duckdb"), "--out", str(page)])
    assert result.exit_code == 0, result.output
    return page


def test_report_is_self_contained(fixture_page):
    html = fixture_page.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html and "https://" not in html


def test_numbers_render_in_the_browser(browser, fixture_page, tmp_path):
    dom = dump_dom(browser, tmp_path, fixture_page)
    assert [text_of(dom, "data-status", s) for s in ("parsed", "partial", "failed")] == ["2", "1", "1"]
    shanghai = row_of(dom, "shanghai-office-2019")
    assert [text_of(shanghai, "data-group", g) for g in ("granted", "denied", "unable", "not_processed", "other")] == [
        "33.79", "4.35", "41.86", "19.63", "—"]
    assert "the file is empty" in dom                           # the failed report says why
    assert "legacy_reading_points_same_concept" in dom          # failed checks by kind
    assert text_of(dom, "data-domain", "fiscal_budget") == "≥ 100 条"


def test_screenshot_is_not_blank(browser, fixture_page, tmp_path):
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    page_pixels = pixel_bytes(screenshot(browser, tmp_path, fixture_page))
    blank_pixels = pixel_bytes(screenshot(browser, tmp_path, blank))
    # A white page is a handful of distinct bytes; text, bars and badges give hundreds.
    assert len(set(blank_pixels)) < 10
    assert len(set(page_pixels)) > 100


def test_report_of_the_real_build(browser, tmp_path, raw_dir, monkeypatch):
    out = tmp_path / "processed"
    build(raw_dir, out, jobs=1)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["report", "--db", "processed/ogi.duckdb", "--out", "report.html"])
    assert result.exit_code == 0, result.output
    dom = dump_dom(browser, tmp_path, tmp_path / "report.html")
    con = duckdb.connect(str(out / "ogi.duckdb"), read_only=True)
    statuses = dict(con.execute("SELECT status, count(*) FROM reports GROUP BY 1").fetchall())
    received = con.execute("SELECT report_id, requests_received FROM report_summary "
                           "WHERE requests_received IS NOT NULL").fetchall()
    con.close()
    assert [text_of(dom, "data-status", s) for s in ("parsed", "partial", "failed")] == [
        str(statuses.get(s, 0)) for s in ("parsed", "partial", "failed")]
    assert sum(statuses.values()) == 6
    for report_id, count in received:
        assert f"{count:,.0f}" in dom, report_id
