"""The `ogi` command line: a thin layer over build, parse, validate and query."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

DEFAULT_RAW = Path("data/raw")
DEFAULT_OUT = Path("data/processed")
DEFAULT_DB = DEFAULT_OUT / "ogi.duckdb"
DB_HELP = "The ogi.duckdb a build wrote (or the folder holding it)."
DUCKDB_MAGIC = b"DUCK"  # bytes 8-12 of every DuckDB database file


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Turn 政府信息公开工作年度报告 into validated tables (Parquet + DuckDB)."""


@main.command()
@click.option("--raw", "raw_dir", type=click.Path(path_type=Path), default=DEFAULT_RAW, show_default=True,
              help="Folder of raw reports (any depth).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="Output folder for the Parquet files and ogi.duckdb.")
@click.option("--jobs", "-j", type=int, default=None, help="Parallel parser processes (default: all cores).")
def build(raw_dir: Path, out_dir: Path, jobs: int | None):
    """Rebuild the dataset from every report under --raw.

    Example:

        ogi build --raw data/raw --out data/processed
    """
    from pipeline.build import build as run_build
    from pipeline.write import SchemaViolation

    check_raw_folder(raw_dir, out_dir)
    if jobs is not None and jobs < 1:
        raise click.ClickException(f"--jobs must be 1 or more, not {jobs}")
    make_out_folder(out_dir)
    try:
        summary = run_build(raw_dir, out_dir, jobs, progress=sys.stderr.isatty())
    except KeyboardInterrupt:
        # The dataset is swapped in whole or not at all: what --out holds is the last build that completed.
        click.echo(f"interrupted: '{out_dir}' holds the last dataset a build completed; run `ogi build` again to "
                   "finish (reports already parsed are not parsed again)", err=True)
        sys.exit(130)
    except RuntimeError as exc:  # another build holds the output folder
        raise click.ClickException(str(exc)) from None
    except SchemaViolation as exc:
        raise click.ClickException(f"{exc}\nThis is a pipeline bug: nothing was published; the previous dataset "
                                   "is unchanged.") from None
    except OSError as exc:
        raise click.ClickException(f"could not write the dataset: {exc.strerror or exc} ('{exc.filename or out_dir}');"
                                   f" check that --out '{out_dir}' is a folder you can write to, with space left") from None
    click.echo(f"{summary.line()}; dataset in {out_dir / 'ogi.duckdb'}"
               + ("; see why in reports.error" if summary.failed or summary.partial else ""))


def check_raw_folder(raw_dir: Path, out_dir: Path) -> None:
    """Refuse a --raw that would publish nothing: a mistyped folder must not wipe a finished dataset."""
    what_to_do = "pass --raw DIR with your reports"
    if not raw_dir.exists():
        raise click.ClickException(f"raw folder '{raw_dir}' does not exist; {what_to_do}")
    if not raw_dir.is_dir():
        raise click.ClickException(f"raw folder '{raw_dir}' is a file, not a folder; {what_to_do}")
    if not holds_a_file(raw_dir):
        raise click.ClickException(f"raw folder '{raw_dir}' holds no report files; nothing was built and "
                                   f"'{out_dir}' is unchanged; {what_to_do}")


def holds_a_file(folder: Path) -> bool:
    """True when the build would read something under folder."""
    from pipeline.plan import walk_raw_files

    return next(walk_raw_files(folder), None) is not None


def make_out_folder(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise click.ClickException(f"--out '{out_dir}' is a file; pass --out DIR naming a folder (new, or one an "
                                   "earlier build wrote)")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(f"cannot create the output folder '{out_dir}' ({exc.strerror}); pass --out DIR "
                                   "in a place you can write to") from None


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print every row as JSON instead of a summary.")
def parse(file: Path, as_json: bool):
    """Show what one report yields, without writing anything.

    Example:

        ogi parse data/raw/zhucheng-2017.txt --json
    """
    from pipeline.parse import parse_bytes

    if not file.is_file():
        raise click.ClickException(f"no such file: '{file}'")
    result = parse_bytes(file.read_bytes(), file.name)
    if as_json:
        payload = {name: getattr(result, name) for name in
                   ("report", "statistics", "application_outcomes", "key_domain_counts", "validation_results")}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=1, default=str))
        return
    rep = result.report
    click.echo(f"{file}: {rep['status']} · {rep['template']} · {rep['layout']} · {rep['report_year']} · "
               f"{rep['jurisdiction']}")
    if rep["error"]:
        click.echo(f"  why: {rep['error']}")
    click.echo(f"  statistics: {len(result.statistics)}, application_outcomes: {len(result.application_outcomes)}, "
               f"key_domain_counts: {len(result.key_domain_counts)}, checks failed: "
               f"{sum(r['status'] == 'fail' for r in result.validation_results)}")
    if rep["status"] == "failed":
        sys.exit(1)


@main.command()
@click.argument("sql")
@click.option("--db", type=click.Path(path_type=Path), default=DEFAULT_DB, show_default=True, help=DB_HELP)
def query(sql: str, db: Path):
    """Run SQL against the built DuckDB file and print the result.

    `table`, `column` and `check` are SQL keywords: quote them ("table", "column", "check").

    Example:

        ogi query "SELECT template, count(*) FROM reports GROUP BY 1"
    """
    import duckdb
    import pandas as pd

    db = database_file(db)
    con = connect(db)
    try:
        frame = con.execute(sql).df()
    except duckdb.Error as exc:
        raise click.ClickException(query_error(exc, db)) from None
    finally:
        con.close()
    with pd.option_context("display.max_rows", 500, "display.max_columns", 50, "display.width", 200):
        click.echo(frame.to_string(index=False))


def database_file(db: Path) -> Path:
    """The ogi.duckdb that --db names, or a one-line error saying how to get one."""
    db = db / "ogi.duckdb" if db.is_dir() else db
    if not db.is_file():
        raise click.ClickException(f"no database at '{db}'; run `make all` (or `ogi build`) first")
    with open(db, "rb") as fh:
        if fh.read(12)[8:] != DUCKDB_MAGIC:
            raise click.ClickException(f"'{db}' is not a DuckDB database; pass --db the ogi.duckdb a build wrote "
                                       f"(by default {DEFAULT_DB})")
    return db


def connect(db: Path):
    import duckdb

    try:
        return duckdb.connect(str(db), read_only=True)
    except duckdb.Error as exc:
        raise click.ClickException(f"cannot open '{db}': {exc}") from None


MISSING_PARQUET = re.compile(r'No files found that match the pattern "([^"]+)"')
UNQUOTED_KEYWORD = re.compile(r'syntax error at or near "(check|column|table)"', re.IGNORECASE)


def query_error(exc: Exception, db: Path) -> str:
    """What went wrong, and what to do: the views' relative Parquet paths and three SQL keywords trip users up."""
    message = str(exc)
    if missing := MISSING_PARQUET.search(message):
        return views_elsewhere(db, missing.group(1))
    if keyword := UNQUOTED_KEYWORD.search(message):
        word = keyword.group(1)
        return f'query failed: `{word}` is an SQL keyword: quote it as "{word}"\n{message}'
    return f"query failed: {message}"


def views_elsewhere(db: Path, missing: str) -> str:
    """The views read Parquet paths relative to the folder the build ran in: name that folder when it shows."""
    base = Path(missing).parent.parts
    folder = db.resolve().parent.parts
    root = Path(*folder[:-len(base)]) if base and folder[-len(base):] == base else None
    if root == Path.cwd().resolve():
        return f"'{missing}' is gone (the views in '{db}' read it); run `ogi build` again"
    where = f"cd {root}" if root else "cd to the folder `ogi build` ran in (usually the repository root)"
    return (f"the views in '{db}' read '{missing}' relative to the folder the build ran in, and it is not "
            f"found from here; {where} and run again")


@main.command()
@click.option("--out", "out_file", type=click.Path(path_type=Path), default=Path("docs/data-dictionary.md"),
              show_default=True, help="Where to write the Markdown.")
def dictionary(out_file: Path):
    """Regenerate the data dictionary from schemas/descriptions.csv, schemas/glosses.csv and the catalogs.

    Example:

        ogi dictionary --out docs/data-dictionary.md
    """
    from pipeline.dictionary import write_dictionary

    try:
        click.echo(f"wrote {write_dictionary(out_file)}")
    except OSError as exc:
        raise cannot_write(out_file, exc, "FILE.md") from None


def cannot_write(out_file: Path, exc: OSError, kind: str) -> click.ClickException:
    return click.ClickException(f"cannot write '{out_file}' ({exc.strerror}); pass --out {kind} in a folder you "
                                "can write to")


@main.command()
@click.option("--db", type=click.Path(path_type=Path), default=DEFAULT_DB, show_default=True, help=DB_HELP)
@click.option("--out", "out_file", type=click.Path(path_type=Path), default=DEFAULT_OUT / "report.html",
              show_default=True, help="Where to write the HTML page.")
def report(db: Path, out_file: Path):
    """Write one self-contained HTML page of what the last build found (open it in any browser).

    Example:

        ogi report --out build-report.html
    """
    import duckdb

    from pipeline.report import write_report

    db = database_file(db)
    connect(db).close()
    try:
        click.echo(f"wrote {write_report(db, out_file)}")
    except duckdb.Error as exc:
        raise click.ClickException(query_error(exc, db)) from None
    except OSError as exc:
        raise cannot_write(out_file, exc, "FILE.html") from None


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="Output folder of a build (holds validation_results.parquet).")
@click.option("--db", type=click.Path(path_type=Path), default=None,
              help="Or the ogi.duckdb a build wrote: its folder is read, as with --out.")
@click.option("--strict", is_flag=True,
              help="Exit 1 on any error-severity failure whose responsibility is `extraction` (a suspect reading).")
def validate(out_dir: Path, db: Path | None, strict: bool):
    """Print the failed consistency checks of the last build, grouped by check and report.

    A failure marked `source` is the report contradicting itself (kept as data); one marked
    `extraction` means the pipeline's reading is suspect.

    Example:

        ogi validate --strict
    """
    import pandas as pd

    from pipeline.checks import failure_lines, strict_failures

    if db is not None:
        out_dir = db if db.is_dir() else db.parent
    path = out_dir / "validation_results.parquet"
    if not path.exists():
        raise click.ClickException(f"no validation results at '{path}'; run `ogi build` first")
    rows = pd.read_parquet(path).astype(object).where(lambda f: f.notna(), None).to_dict("records")
    lines = failure_lines(rows)
    click.echo("\n".join(lines) if lines else "no failed checks")
    counts = {s: sum(r["status"] == s for r in rows) for s in ("pass", "fail", "not_assessable")}
    click.echo(f"{len(rows)} checks: {counts['pass']} pass, {counts['fail']} fail, "
               f"{counts['not_assessable']} not assessable")
    suspect = strict_failures(rows)
    if strict and suspect:
        click.echo(f"--strict: {len(suspect)} error(s) blame the extraction", err=True)
        sys.exit(1)
