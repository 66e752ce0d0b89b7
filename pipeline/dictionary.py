"""The data dictionary and the DuckDB comments, both generated from schemas/descriptions.csv and the catalogs."""
from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from schemas import CATALOG_DIR, vocabularies

from pipeline.catalog import load_csv

DICTIONARY_PATH = Path("docs/data-dictionary.md")
CONTRACT_TABLES = ("reports", "statistics", "key_domain_counts", "application_outcomes", "validation_results")

# Vocabulary name in glosses.csv → its codes, in the contract's order.
VOCABULARIES = {
    "template": vocabularies.TEMPLATES, "layout": vocabularies.LAYOUTS, "status": vocabularies.STATUSES,
    "table": vocabularies.STAT_TABLES, "stage": vocabularies.STAGES, "applicant": vocabularies.APPLICANTS,
    "outcome_group": vocabularies.OUTCOME_GROUPS, "qualifier": vocabularies.QUALIFIERS,
    "source": vocabularies.SOURCES, "check_status": vocabularies.CHECK_STATUSES,
    "severity": vocabularies.SEVERITIES, "responsibility": vocabularies.RESPONSIBILITIES,
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    warning: str


@dataclass(frozen=True)
class View:
    name: str
    description: str
    columns: tuple[Column, ...]


# ---------------------------------------------------------------- sources

def descriptions() -> dict[tuple[str, str], dict]:
    """(object, column) → row of descriptions.csv; column '' is the object itself."""
    return {(r["object"], r["column"]): r for r in load_csv("descriptions.csv")}


def glosses() -> dict[tuple[str, str], str]:
    """(catalog, code) → English gloss; measures gloss themselves in measures.csv."""
    found = {(r["catalog"], r["code"]): r["gloss_en"] for r in load_csv("glosses.csv")}
    found.update({("measures", r["measure"]): r["description"] for r in load_csv("measures.csv")})
    found.update({("domains", r["code"]): r["gloss_en"] for r in optional_csv("domains.csv") if r.get("gloss_en")})
    return found


def optional_csv(name: str) -> tuple[dict, ...]:
    return load_csv(name) if (CATALOG_DIR / name).exists() else ()


def view_names() -> list[str]:
    """Every view the DuckDB file holds, in creation order (the order of pipeline/sql/)."""
    files = sorted((f for f in resources.files("pipeline.sql").iterdir() if f.name.endswith(".sql")),
                   key=lambda f: f.name)
    names = []
    for f in files:
        names += re.findall(r"CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\s+(\w+)", f.read_text(encoding="utf-8"), re.I)
    return names


def write_tables(folder: Path, rows_by_table: dict[str, list[dict]]) -> Path:
    """Typed Parquet of the contract tables (missing ones empty), one folder of parts per table as the writer lays them."""
    from pipeline import write  # write hooks this module in: import it late

    for name in CONTRACT_TABLES:
        (folder / f"{name}.parquet").mkdir(parents=True, exist_ok=True)
        frame = write.validate(name, write.to_frame(name, rows_by_table.get(name, [])))
        write.write_parquet(name, frame, folder / f"{name}.parquet" / "part-00000.parquet")  # the build's column types
    return folder


def open_views(folder: Path, db_file: Path | None = None):
    """A DuckDB connection (in memory, or a file) with every view over the Parquet in `folder`, commented."""
    import duckdb

    from pipeline import write

    con = duckdb.connect(str(db_file) if db_file else ":memory:")
    for sql in write.view_sql(folder.resolve().as_posix()):
        con.execute(sql)
    apply_comments(con)
    return con


def view_types() -> dict[str, list[tuple[str, str]]]:
    """Column names and types of every view, read by creating the views over empty typed Parquet."""
    with tempfile.TemporaryDirectory() as tmp:
        con = open_views(write_tables(Path(tmp), {}))
        try:
            return {v: [(c, plain_type(t)) for c, t, *_ in con.execute(f"DESCRIBE {v}").fetchall()] for v in view_names()}
        finally:
            con.close()


def plain_type(duckdb_type: str) -> str:
    """A reader's name for a DuckDB type; the storage precision (TIMESTAMP_NS, INT32 …) is not their concern."""
    for prefix, plain in (("VARCHAR", "string"), ("TIMESTAMP", "timestamp"), ("DATE", "date"), ("BOOL", "boolean"),
                          ("DOUBLE", "double"), ("FLOAT", "double"), ("DECIMAL", "double")):
        if duckdb_type.startswith(prefix):
            return plain
    return "integer" if "INT" in duckdb_type else duckdb_type.lower()


def views() -> list[View]:
    docs = descriptions()
    out = []
    for name, cols in view_types().items():
        described = [Column(c, t, docs.get((name, c), {}).get("description", ""), docs.get((name, c), {}).get("warning", ""))
                     for c, t in cols]
        out.append(View(name, docs.get((name, ""), {}).get("description", ""), tuple(described)))
    return out


def undocumented(all_views: list[View]) -> list[str]:
    """view.column names that have no description: the dictionary is incomplete while this is not empty."""
    missing = [v.name for v in all_views if not v.description]
    return missing + [f"{v.name}.{c.name}" for v in all_views for c in v.columns if not c.description]


# ---------------------------------------------------------------- DuckDB comments

def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _comment_text(description: str, warning: str) -> str:
    return f"{description} Warning: {warning}" if warning else description


def comment_sql(con) -> list[str]:
    """COMMENT ON statements for every view and column that exists in `con` and has a description."""
    existing = {(t, c) for t, c in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal").fetchall()}
    objects = {t for t, _ in existing}
    statements = []
    for (obj, col), row in descriptions().items():
        text = _comment_text(row["description"], row["warning"])
        if not col and obj in objects:
            statements.append(f"COMMENT ON VIEW {obj} IS {_quote(text)}")
        elif col and (obj, col) in existing:
            statements.append(f'COMMENT ON COLUMN {obj}."{col}" IS {_quote(text)}')
    return statements


def apply_comments(con) -> None:
    for statement in comment_sql(con):
        con.execute(statement)


# ---------------------------------------------------------------- markdown

def _cell(text) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def _warnings_section(all_views: list[View]) -> list[str]:
    lines = ["## Before you add numbers up", ""]
    seen = set()
    for v in all_views:
        for c in v.columns:
            if c.warning and c.warning not in seen:
                seen.add(c.warning)
                lines.append(f"- **{v.name}.{c.name}**: {c.warning}")
    return lines + [""]


def _view_section(view: View) -> list[str]:
    kind = "table (a view over Parquet)" if view.name in CONTRACT_TABLES else "view"
    lines = [f"### `{view.name}` — {kind}", "", view.description, ""]
    rows = [[f"`{c.name}`", c.type, c.description + (f" **Warning:** {c.warning}" if c.warning else "")]
            for c in view.columns]
    return lines + _table(["column", "type", "meaning"], rows) + [""]


MISSING_GLOSS = "(no gloss yet: add it to schemas/glosses.csv)"


def _indicator_section(catalog: str, gloss: dict) -> list[str]:
    rows = [[r["table"], r["template"], f"`{r['indicator']}`", r["row_path"], r["label"], r["unit"],
             gloss.get((catalog, r["indicator"]), MISSING_GLOSS), r["note"]] for r in load_csv(f"{catalog}.csv")]
    header = ["table", "template", "indicator", "row", "printed label", "unit", "English", "note"]
    return [f"### Indicators: `schemas/{catalog}.csv`", ""] + _table(header, rows) + [""]


def _columns_section(gloss: dict) -> list[str]:
    rows = [[r["table"], r["template"], f"`{r['column_code']}`", r["column"], r["unit"],
             gloss.get(("columns", f"{r['table']}.{r['column_code']}"), MISSING_GLOSS), r["note"]]
            for r in load_csv("columns.csv")]
    header = ["table", "template", "code", "printed column", "unit", "English", "note"]
    intro = ["### Columns of multi-column tables: `schemas/columns.csv`", "",
             "`statistics.column` holds the printed column label; the code is the catalog's name for it.", ""]
    return intro + _table(header, rows) + [""]


def _measures_section() -> list[str]:
    rows = [[f"`{r['measure']}`", r["outcome_group"], r["stages"].replace("|", ", "), r["description"]]
            for r in load_csv("measures.csv")]
    intro = ["### Measures of `application_outcomes`: `schemas/measures.csv`", "",
             "L = legacy label, N = std2019/std2021 label.", ""]
    return intro + _table(["measure", "outcome_group", "stages", "English (printed label)"], rows) + [""]


def _domains_section(gloss: dict) -> list[str]:
    rows = [[f"`{r['code']}`", r["label"], r.get("kind", ""), gloss.get(("domains", r["code"]), MISSING_GLOSS),
             r.get("note", "")] for r in optional_csv("domains.csv")]
    if not rows:
        return []
    intro = ["### Domains of `key_domain_counts`: `schemas/domains.csv`", "",
             "`domain` and `parent_domain` hold these codes; `domain_label` keeps the wording of the sentence.", ""]
    return intro + _table(["code", "printed label", "kind", "English", "note"], rows) + [""]


def _vocabulary_section(gloss: dict) -> list[str]:
    lines = ["## Codes", ""]
    for name, codes in VOCABULARIES.items():
        lines += [f"### `{name}`", ""]
        lines += _table(["code", "meaning"], [[f"`{c}`", gloss.get((name, c), MISSING_GLOSS)] for c in codes]) + [""]
    return lines


HEADER = """# Data dictionary

Generated by `ogi dictionary` (or `make docs`) from `schemas/descriptions.csv` (tables, views, columns,
warnings), `schemas/glosses.csv` (English glosses) and the catalogs under `schemas/`. Do not edit by
hand: edit those files and regenerate. The same descriptions are attached to the DuckDB views as
comments (`SELECT * FROM duckdb_columns() WHERE table_name = 'report_summary'`).

Chinese labels are kept exactly as printed; the English is a gloss for orientation, not a translation
to quote. Every table is a view in `data/processed/ogi.duckdb` and a Parquet file in `data/processed/`;
the views after the contract tables (`report_scopes` onwards) are built from them in SQL
(`pipeline/sql/`).
"""


def render(all_views: list[View] | None = None) -> str:
    all_views = views() if all_views is None else all_views
    gloss = glosses()
    lines = [HEADER] + _warnings_section(all_views) + ["## Tables and views", ""]
    for view in all_views:
        lines += _view_section(view)
    lines += ["## Catalogs", ""]
    lines += _indicator_section("indicators_legacy", gloss) + _indicator_section("indicators_std", gloss)
    lines += _columns_section(gloss) + _measures_section() + _domains_section(gloss)
    lines += _vocabulary_section(gloss)
    return "\n".join(lines).rstrip() + "\n"


def write_dictionary(path: Path = DICTIONARY_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path
