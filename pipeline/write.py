"""The only writer of the output folder: validate with the pandera models, write Parquet parts, publish atomically."""
from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from importlib import resources
from pathlib import Path

# pandas, pandera and pyarrow are imported where used: a build with nothing to do never pays for them.
TABLE_NAMES = ("reports", "statistics", "key_domain_counts", "application_outcomes", "validation_results")

BUILDS = "builds"
CURRENT = "current"
MANIFEST = "manifest.json"
VIEWS_STAMP = ".ogi-views.sql"  # the view SQL the DuckDB file was made with; lets a no-change build skip it


class SchemaViolation(Exception):
    """A written table broke its pandera model: a pipeline bug, reported with the failure cases."""

    def __init__(self, message: str, failure_cases: pd.DataFrame | None = None, table: str = ""):
        super().__init__(message)
        self.failure_cases = failure_cases
        self.table = table


def to_frame(name: str, rows: list[dict]) -> pd.DataFrame:
    import pandas as pd
    from schemas.models import TABLES, column_names

    cols = column_names(TABLES[name])
    if rows:
        return pd.DataFrame(rows, columns=cols)
    return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})


def validate(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    import pandera.errors
    from schemas.models import TABLES

    try:
        return TABLES[name].validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases.copy()
        rows = cases["index"].dropna().astype(int)
        # Name the report and the line, so the file can be found and the row read as printed.
        for column, label in (("report_id", "report"), ("source_line", "line")):
            if column in frame.columns:
                cases.loc[rows.index, label] = frame[column].to_numpy()[rows.to_numpy()]
        shown = cases.drop(columns=["schema_context", "check_number"], errors="ignore").head(20)
        raise SchemaViolation(f"table `{name}` breaks its schema ({len(cases)} failure cases):\n"
                              f"{shown.to_string(index=False)}", cases, name) from None


def _arrow_type(dtype) -> pa.DataType:
    """The Arrow type of a pandera column dtype."""
    import pandas as pd
    import pandera.dtypes
    import pyarrow as pa

    if isinstance(dtype, pandera.dtypes.Date):  # pandas holds dates as objects: only pandera knows them
        return pa.date32()
    dtype = dtype.type
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return pa.timestamp("us")
    if pd.api.types.is_bool_dtype(dtype):
        return pa.bool_()
    if pd.api.types.is_integer_dtype(dtype):
        return pa.int64()
    if pd.api.types.is_float_dtype(dtype):
        return pa.float64()
    return pa.string()


_SCHEMAS: dict[str, pa.Schema] = {}


def arrow_schema(name: str) -> pa.Schema:
    """One fixed Arrow schema per table, so every part file of a table has the same column types."""
    if name not in _SCHEMAS:
        import pyarrow as pa
        from schemas.models import TABLES

        columns = TABLES[name].to_schema().columns  # the dtypes validation coerces to; no frame needed
        _SCHEMAS[name] = pa.schema([(col, _arrow_type(column.dtype)) for col, column in columns.items()])
    return _SCHEMAS[name]


def write_parquet(name: str, frame: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, schema=arrow_schema(name), preserve_index=False)
    pq.write_table(table, path)


class RowBatch:
    """Several reports' rows held per table as column lists, plus each report's row count per table: a
    batch of a thousand reports stays a few times smaller than as row dicts, and becomes a frame directly."""

    def __init__(self):
        from schemas.models import TABLES, column_names

        self.columns = {name: {column: [] for column in column_names(TABLES[name])} for name in TABLE_NAMES}
        self.counts: dict[str, list[int]] = {name: [] for name in TABLE_NAMES}

    def add(self, tables: dict[str, list[dict]]) -> None:
        """One report's rows, every table named (an absent column reads as null)."""
        for name in TABLE_NAMES:
            rows = tables[name]
            for column, values in self.columns[name].items():
                values.extend([row.get(column) for row in rows])
            self.counts[name].append(len(rows))

    def __len__(self) -> int:
        return len(self.counts["reports"])

    def frame(self, name: str) -> pd.DataFrame:
        """The batch's rows of one table, typed as validation coerces them. Built through Arrow, which types
        whole columns in C (three times faster than pandas inferring them); a value Arrow cannot take as its
        column's type goes the pandas way, so that pandera's coercion reports it."""
        import pandas as pd
        import pyarrow as pa

        schema = arrow_schema(name)
        try:
            columns = [pa.array(self.columns[name][field.name], type=field.type) for field in schema]
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return pd.DataFrame(self.columns[name])
        return pa.Table.from_arrays(columns, schema=schema).to_pandas()

    def validated_parts(self, name: str) -> list[pa.Table]:
        """Validate the batch's rows of one table in one pandera pass; each report's validated rows as a slice."""
        import pyarrow as pa

        frame = validate(name, self.frame(name))
        table = pa.Table.from_pandas(frame, schema=arrow_schema(name), preserve_index=False)
        if table.num_rows != sum(self.counts[name]):
            raise SchemaViolation(f"table `{name}`: validation changed the number of rows", table=name)
        parts, start = [], 0
        for count in self.counts[name]:
            parts.append(table.slice(start, count))
            start += count
        return parts


def split_by_report(table: pa.Table, report_ids: list[str]) -> list[pa.Table]:
    """A written part's rows per report, for reports in the order their rows were written."""
    from collections import Counter

    counts = Counter(table.column("report_id").to_pylist())
    parts, start = [], 0
    for report_id in report_ids:
        parts.append(table.slice(start, counts.get(report_id, 0)))
        start += counts.get(report_id, 0)
    return parts


def write_parts(name: str, parts: list[pa.Table], path: Path) -> None:
    """One Parquet file of validated parts (each report's rows), in the order given."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(name)
    # a part read back from an earlier shard's Parquet must have the types a fresh one has
    tables = [part.cast(schema) if part.schema != schema else part for part in parts]
    # one contiguous table: many small chunks make Parquet writing about twice as slow
    pq.write_table(pa.concat_tables(tables).combine_chunks() if tables else schema.empty_table(), path)


def publish_parts(out_dir: Path, parts: dict[str, list[Path]], manifest: dict, keep: int = 2) -> Path:
    """Link the part files into a fresh build folder, flip `current` to it atomically, refresh DuckDB.

    Until the final rename the previous dataset stays whole and readable; a killed build leaves
    only an unreferenced folder under builds/, removed by the next build.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    now = time.time_ns()  # ids sort in the order builds were made, even several in one second
    build_id = time.strftime("%Y%m%dT%H%M%S", time.localtime(now / 1e9)) + f".{now % 10**9:09d}-{uuid.uuid4().hex[:4]}"
    staging = out_dir / BUILDS / build_id
    staging.mkdir(parents=True)
    for name in TABLE_NAMES:
        table_dir = staging / f"{name}.parquet"
        table_dir.mkdir()
        table_parts = parts.get(name, [])
        for i, part in enumerate(table_parts):
            _link_or_copy(part, table_dir / f"part-{i:05d}.parquet")
        if not table_parts:  # readers need at least one file to know the columns
            write_parquet(name, validate(name, to_frame(name, [])), table_dir / "part-00000.parquet")
    _write_atomic(staging / MANIFEST, json.dumps(manifest, ensure_ascii=False))
    for name in TABLE_NAMES:
        _ensure_link(out_dir / f"{name}.parquet", Path(CURRENT) / f"{name}.parquet")
    tmp_link = out_dir / f".{CURRENT}-{build_id}"
    tmp_link.symlink_to(Path(BUILDS) / build_id)
    os.replace(tmp_link, out_dir / CURRENT)
    # The views read through `current`, so the DuckDB file never names a particular build.
    if not duckdb_is_fresh(out_dir):
        write_duckdb(out_dir)
    remove_old_builds(out_dir, build_id, keep)
    return staging


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def _ensure_link(link: Path, target: Path) -> None:
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return
    tmp = link.with_name(f".{link.name}.tmp-{uuid.uuid4().hex[:6]}")
    tmp.symlink_to(target)
    if link.is_dir() and not link.is_symlink():
        shutil.rmtree(link)
    os.replace(tmp, link)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def current_manifest(out_dir: Path) -> dict | None:
    try:
        return json.loads((out_dir / CURRENT / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def duckdb_is_fresh(out_dir: Path) -> bool:
    """True when ogi.duckdb exists and was made with today's view definitions from this folder."""
    try:
        stamp = (out_dir / VIEWS_STAMP).read_text(encoding="utf-8")
    except OSError:
        return False
    return (out_dir / "ogi.duckdb").is_file() and stamp == "\n".join(view_sql(_view_base(out_dir)))


def write_duckdb(out_dir: Path) -> None:
    import duckdb

    from pipeline.dictionary import apply_comments

    db_path = out_dir / "ogi.duckdb"
    tmp = out_dir / f".ogi-{uuid.uuid4().hex[:6]}.duckdb"
    statements = view_sql(_view_base(out_dir))
    con = duckdb.connect(str(tmp))
    try:
        for sql in statements:
            con.execute(sql)
        apply_comments(con)  # schemas/descriptions.csv → COMMENT ON every view and column
    finally:
        con.close()
    os.replace(tmp, db_path)
    _write_atomic(out_dir / VIEWS_STAMP, "\n".join(statements))


def _view_base(out_dir: Path) -> str:
    # Views resolve the Parquet path against the working directory: inline it as seen from here.
    base = os.path.relpath(out_dir, Path.cwd()) if _inside_cwd(out_dir) else str(out_dir.resolve())
    return base.replace(os.sep, "/")


def _inside_cwd(path: Path) -> bool:
    try:
        path.resolve().relative_to(Path.cwd().resolve())
        return True
    except ValueError:
        return False


def view_sql(base: str) -> list[str]:
    """The view definitions under pipeline/sql/, in file-name order, with the Parquet folder inlined.

    The SQL is static text shipped with the code: no report text ever reaches it.
    """
    files = sorted((f for f in resources.files("pipeline.sql").iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [f.read_text(encoding="utf-8").replace("{processed}", base) for f in files]


def remove_old_builds(out_dir: Path, current: str, keep: int) -> list[Path]:
    """Drop all but the newest `keep` builds (never the live one); returns the builds kept."""
    builds = sorted(p for p in (out_dir / BUILDS).iterdir() if p.is_dir())
    live = (out_dir / CURRENT).resolve().name
    for old in builds[:-keep]:
        if old.name not in (current, live):
            shutil.rmtree(old, ignore_errors=True)
    for stray in [*out_dir.glob(".current-*"), *out_dir.glob(".ogi-*.duckdb*"), *out_dir.glob(".*.tmp-*")]:
        stray.unlink(missing_ok=True)
    return [p for p in builds if p.exists()]
