"""The ogi command line, driven through click's CliRunner: exit codes and exact messages."""
import json
import shutil

from click.testing import CliRunner

from pipeline.cli import main


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    for command in ("build", "parse", "query"):
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.output


def test_build_with_missing_raw_folder_names_it_and_says_what_to_do(tmp_path):
    result = CliRunner().invoke(main, ["build", "--raw", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"Error: raw folder '{tmp_path / 'nowhere'}' does not exist; pass --raw DIR with your reports" in result.output


def test_build_then_query(tmp_path, raw_dir, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(raw_dir / "zhucheng-2017.txt", raw)
    (raw / "empty.txt").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    built = runner.invoke(main, ["build", "--raw", "raw", "--out", "out", "--jobs", "1"])
    assert built.exit_code == 0, built.output
    assert built.output.startswith("2 files: ")
    assert "1 failed" in built.output
    queried = runner.invoke(main, ["query", "SELECT source_path, status, error FROM reports ORDER BY 1",
                                   "--db", "out/ogi.duckdb"])
    assert queried.exit_code == 0, queried.output
    assert "empty.txt" in queried.output and "failed" in queried.output
    assert "empty.txt: the file is empty" in queried.output


def test_query_without_a_database_says_to_build_first(tmp_path):
    result = CliRunner().invoke(main, ["query", "SELECT 1", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "run `make all` (or `ogi build`) first" in result.output


def test_query_with_bad_sql_fails_cleanly(tmp_path, raw_dir, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(raw_dir / "pingtan-2017.txt", raw)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--raw", "raw", "--out", "out", "--jobs", "1"]).exit_code == 0
    result = runner.invoke(main, ["query", "SELEC nonsense", "--db", "out/ogi.duckdb"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: query failed:")


def test_parse_json_reports_metadata(raw_dir):
    result = CliRunner().invoke(main, ["parse", str(raw_dir / "pingtan-2023.txt"), "--json"])
    assert result.exit_code == 0
    payload = json.loads(result.output)
    assert payload["report"]["template"] == "std2021"
    assert payload["report"]["report_year"] == 2023
    assert payload["report"]["jurisdiction"] == "平潭综合实验区"


def test_parse_missing_file(tmp_path):
    result = CliRunner().invoke(main, ["parse", str(tmp_path / "missing.txt")])
    assert result.exit_code == 1
    assert f"Error: no such file: '{tmp_path / 'missing.txt'}'" in result.output


def test_parse_binary_file_fails_with_reason(tmp_path):
    path = tmp_path / "attachment.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    result = CliRunner().invoke(main, ["parse", str(path)])
    assert result.exit_code == 1
    assert "failed" in result.output
    assert "binary data" in result.output
