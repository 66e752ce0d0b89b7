"""The ogi command line, driven through click's CliRunner: exit codes and exact messages."""
import json
import os
import shutil

import pytest
from click.testing import CliRunner

from pipeline.cli import main


@pytest.fixture(scope="module")
def site(tmp_path_factory, raw_dir):
    """A folder where `ogi build --raw raw --out out` ran over two shipped reports (the views read 'out/…')."""
    root = tmp_path_factory.mktemp("site")
    (root / "raw").mkdir()
    for name in ("zhucheng-2017.txt", "pingtan-2023.txt"):
        shutil.copy(raw_dir / name, root / "raw")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        built = CliRunner().invoke(main, ["build", "--raw", "raw", "--out", "out", "--jobs", "1"])
    assert built.exit_code == 0, built.output
    return root


def snapshot(folder):
    """Every file under folder with its size and modification time, and where `current` points."""
    files = {str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in folder.rglob("*")}
    return files, os.readlink(folder / "current")


def test_every_command_has_help_with_an_example_and_every_option_a_text():
    runner = CliRunner()
    for command in ("build", "parse", "query", "validate", "report", "dictionary"):
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.output
    assert "The ogi.duckdb a build wrote (or the folder holding it)." in runner.invoke(main, ["query", "--help"]).output
    assert "The ogi.duckdb a build wrote (or the folder holding it)." in runner.invoke(main, ["report", "--help"]).output


def test_build_with_missing_raw_folder_names_it_and_says_what_to_do(tmp_path):
    result = CliRunner().invoke(main, ["build", "--raw", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output == f"Error: raw folder '{tmp_path / 'nowhere'}' does not exist; pass --raw DIR with your reports\n"
    assert not (tmp_path / "out").exists()


def test_build_with_raw_that_is_a_file_says_to_pass_a_folder(tmp_path, raw_dir):
    raw = raw_dir / "zhucheng-2017.txt"
    result = CliRunner().invoke(main, ["build", "--raw", str(raw), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output == f"Error: raw folder '{raw}' is a file, not a folder; pass --raw DIR with your reports\n"


@pytest.mark.parametrize("content", [{}, {".DS_Store": b"\0", ".git/HEAD": b"ref"}], ids=["empty", "only-hidden"])
def test_build_with_an_empty_raw_folder_refuses_and_leaves_the_previous_dataset_untouched(site, tmp_path, content,
                                                                                          monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    for name, data in content.items():
        (empty / name).parent.mkdir(exist_ok=True)
        (empty / name).write_bytes(data)
    out = site / "out"
    before = snapshot(out)
    result = CliRunner().invoke(main, ["build", "--raw", str(empty), "--out", str(out)])
    assert result.exit_code == 1
    assert result.output == (f"Error: raw folder '{empty}' holds no report files; nothing was built and '{out}' is "
                             "unchanged; pass --raw DIR with your reports\n")
    assert snapshot(out) == before
    monkeypatch.chdir(site)
    counted = CliRunner().invoke(main, ["query", "SELECT count(*) AS n FROM reports", "--db", "out"])
    assert counted.output.split() == ["n", "2"]


def test_build_with_an_out_folder_that_cannot_be_created_says_where_to_write(tmp_path, raw_dir):
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" / "out"
    result = CliRunner().invoke(main, ["build", "--raw", str(raw_dir), "--out", str(out)])
    assert result.exit_code == 1
    assert result.output == (f"Error: cannot create the output folder '{out}' (Not a directory); pass --out DIR in a "
                             "place you can write to\n")


def test_build_with_an_out_that_is_a_file_says_to_name_a_folder(tmp_path, raw_dir):
    out = tmp_path / "afile"
    out.write_text("x")
    result = CliRunner().invoke(main, ["build", "--raw", str(raw_dir), "--out", str(out)])
    assert result.exit_code == 1
    assert result.output == (f"Error: --out '{out}' is a file; pass --out DIR naming a folder (new, or one an earlier "
                             "build wrote)\n")
    assert out.read_text() == "x"


def test_build_that_cannot_write_inside_its_out_folder_names_the_path(tmp_path, raw_dir):
    out = tmp_path / "out"
    out.mkdir()
    (out / "cache").write_text("not the build's cache folder")
    result = CliRunner().invoke(main, ["build", "--raw", str(raw_dir), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 1
    assert result.output == (f"Error: could not write the dataset: File exists ('{out / 'cache'}'); check that --out "
                             f"'{out}' is a folder you can write to, with space left\n")


def test_build_then_query(tmp_path, raw_dir, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(raw_dir / "zhucheng-2017.txt", raw)
    (raw / "empty.txt").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    built = runner.invoke(main, ["build", "--raw", "raw", "--out", "out", "--jobs", "1"])
    assert built.exit_code == 0, built.output
    assert built.output.startswith("2 files: 1 parsed, 0 partial, 1 failed in ")
    assert built.output.endswith("(2 read anew, 0 from cache); dataset in out/ogi.duckdb; see why in reports.error\n")
    queried = runner.invoke(main, ["query", "SELECT source_path, status, error FROM reports ORDER BY 1",
                                   "--db", "out/ogi.duckdb"])
    assert queried.exit_code == 0, queried.output
    assert "empty.txt" in queried.output and "failed" in queried.output
    assert "empty.txt: the file is empty" in queried.output


def test_query_without_a_database_says_to_build_first(tmp_path):
    result = CliRunner().invoke(main, ["query", "SELECT 1", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert result.output == f"Error: no database at '{tmp_path / 'none.duckdb'}'; run `make all` (or `ogi build`) first\n"


@pytest.mark.parametrize("command", [["query", "SELECT 1"], ["report"]])
def test_a_db_that_is_not_duckdb_is_named_and_the_default_suggested(tmp_path, command):
    db = tmp_path / "notes.txt"
    db.write_text("hello", encoding="utf-8")
    result = CliRunner().invoke(main, [*command, "--db", str(db)])
    assert result.exit_code == 1
    assert result.output == (f"Error: '{db}' is not a DuckDB database; pass --db the ogi.duckdb a build wrote "
                             "(by default data/processed/ogi.duckdb)\n")


def test_query_takes_the_build_folder_as_db(site, monkeypatch):
    monkeypatch.chdir(site)
    result = CliRunner().invoke(main, ["query", "SELECT report_id FROM reports ORDER BY 1", "--db", "out"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["report_id", "pingtan-2023", "zhucheng-2017"]


@pytest.mark.parametrize("command", [["query", "SELECT count(*) FROM reports"], ["report"]])
def test_views_opened_from_another_folder_name_the_folder_to_run_from(site, monkeypatch, command):
    (site / "sub").mkdir(exist_ok=True)
    monkeypatch.chdir(site / "sub")
    result = CliRunner().invoke(main, [*command, "--db", "../out/ogi.duckdb"])
    assert result.exit_code == 1
    assert result.output == ("Error: the views in '../out/ogi.duckdb' read 'out/reports.parquet' relative to the "
                             f"folder the build ran in, and it is not found from here; cd {site} and run again\n")


def test_an_unquoted_check_column_is_explained(site, monkeypatch):
    monkeypatch.chdir(site)
    result = CliRunner().invoke(main, ["query", "SELECT check, count(*) FROM validation_results GROUP BY 1",
                                       "--db", "out/ogi.duckdb"])
    assert result.exit_code == 1
    assert result.output.startswith('Error: query failed: `check` is an SQL keyword: quote it as "check"\n'
                                    'Parser Error: syntax error at or near "check"')
    quoted = CliRunner().invoke(main, ["query", 'SELECT count(DISTINCT "check") > 10 AS many FROM validation_results',
                                       "--db", "out/ogi.duckdb"])
    assert quoted.output.split() == ["many", "True"]


def test_query_with_bad_sql_fails_cleanly(site, monkeypatch):
    monkeypatch.chdir(site)
    result = CliRunner().invoke(main, ["query", "SELEC nonsense", "--db", "out/ogi.duckdb"])
    assert result.exit_code == 1
    assert result.output.startswith('Error: query failed: Parser Error: syntax error at or near "SELEC"')


def test_report_to_a_folder_says_to_name_a_file(site, monkeypatch):
    monkeypatch.chdir(site)
    result = CliRunner().invoke(main, ["report", "--db", "out/ogi.duckdb", "--out", "raw"])
    assert result.exit_code == 1
    assert result.output == ("Error: cannot write 'raw' (Is a directory); pass --out FILE.html in a folder you can "
                             "write to\n")
    written = CliRunner().invoke(main, ["report", "--db", "out/ogi.duckdb", "--out", "page.html"])
    assert written.output == "wrote page.html\n"
    assert "平潭综合实验区" in (site / "page.html").read_text(encoding="utf-8")


def test_dictionary_to_a_folder_says_to_name_a_file(tmp_path):
    result = CliRunner().invoke(main, ["dictionary", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (f"Error: cannot write '{tmp_path}' (Is a directory); pass --out FILE.md in a folder you "
                             "can write to\n")


def test_validate_reads_the_same_build_through_db_or_out(site):
    runner = CliRunner()
    by_out = runner.invoke(main, ["validate", "--out", str(site / "out")])
    by_db = runner.invoke(main, ["validate", "--db", str(site / "out" / "ogi.duckdb")])
    assert by_out.exit_code == by_db.exit_code == 0
    assert by_db.output == by_out.output
    assert by_db.output.splitlines()[-1].endswith("not assessable")


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
