"""The `ogi` command line: a thin layer over build, parse, validate and query."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

DEFAULT_RAW = Path("data/raw")
DEFAULT_OUT = Path("data/processed")


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

    if not raw_dir.is_dir():
        raise click.ClickException(f"raw folder '{raw_dir}' does not exist; pass --raw DIR with your reports")
    if jobs is not None and jobs < 1:
        raise click.ClickException(f"--jobs must be 1 or more, not {jobs}")
    try:
        summary = run_build(raw_dir, out_dir, jobs, progress=sys.stderr.isatty())
    except RuntimeError as exc:  # another build holds the output folder
        raise click.ClickException(str(exc)) from None
    except SchemaViolation as exc:
        raise click.ClickException(f"{exc}\nThis is a pipeline bug: nothing was published; the previous dataset "
                                   "is unchanged.") from None
    click.echo(summary.line())


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
@click.option("--db", type=click.Path(path_type=Path), default=DEFAULT_OUT / "ogi.duckdb", show_default=True)
def query(sql: str, db: Path):
    """Run SQL against the built DuckDB file and print the result.

    Example:

        ogi query "SELECT template, count(*) FROM reports GROUP BY 1"
    """
    import duckdb
    import pandas as pd

    if not db.is_file():
        raise click.ClickException(f"no database at '{db}'; run `make all` (or `ogi build`) first")
    con = duckdb.connect(str(db), read_only=True)
    try:
        frame = con.execute(sql).df()
    except duckdb.Error as exc:
        raise click.ClickException(f"query failed: {exc}") from None
    finally:
        con.close()
    with pd.option_context("display.max_rows", 500, "display.max_columns", 50, "display.width", 200):
        click.echo(frame.to_string(index=False))


@main.command()
@click.option("--out", "out_file", type=click.Path(path_type=Path), default=Path("docs/data-dictionary.md"),
              show_default=True, help="Where to write the Markdown.")
def dictionary(out_file: Path):
    """Regenerate the data dictionary from schemas/descriptions.csv, schemas/glosses.csv and the catalogs.

    Example:

        ogi dictionary --out docs/data-dictionary.md
    """
    from pipeline.dictionary import write_dictionary

    click.echo(f"wrote {write_dictionary(out_file)}")


@main.command()
@click.option("--db", type=click.Path(path_type=Path), default=DEFAULT_OUT / "ogi.duckdb", show_default=True)
@click.option("--out", "out_file", type=click.Path(path_type=Path), default=DEFAULT_OUT / "report.html",
              show_default=True, help="Where to write the HTML page.")
def report(db: Path, out_file: Path):
    """Write one self-contained HTML page of what the last build found (open it in any browser).

    Example:

        ogi report --out build-report.html
    """
    from pipeline.report import write_report

    if not db.is_file():
        raise click.ClickException(f"no database at '{db}'; run `make all` (or `ogi build`) first")
    click.echo(f"wrote {write_report(db, out_file)}")


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="Output folder of a build (holds validation_results.parquet).")
@click.option("--strict", is_flag=True,
              help="Exit 1 on any error-severity failure whose responsibility is `extraction` (a suspect reading).")
def validate(out_dir: Path, strict: bool):
    """Print the failed consistency checks of the last build, grouped by check and report.

    A failure marked `source` is the report contradicting itself (kept as data); one marked
    `extraction` means the pipeline's reading is suspect.

    Example:

        ogi validate --strict
    """
    import pandas as pd

    from pipeline.checks import failure_lines, strict_failures

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
