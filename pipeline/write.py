"""The only writer of the output folder: validate with the pandera models, then publish atomically."""
from __future__ import annotations

import os
import shutil
import time
import uuid
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd
import pandera.errors

from schemas.models import TABLES, column_names


class SchemaViolation(Exception):
    """A written table broke its pandera model: a pipeline bug, reported with the failure cases."""


def to_frame(name: str, rows: list[dict]) -> pd.DataFrame:
    cols = column_names(TABLES[name])
    frame = pd.DataFrame(rows, columns=cols) if rows else pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    return frame


def validate(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    try:
        return TABLES[name].validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        shown = cases[["column", "check", "failure_case", "index"]].head(20).to_string(index=False)
        raise SchemaViolation(f"table `{name}` breaks its schema ({len(cases)} failure cases):\n{shown}") from None


BUILDS = "builds"
CURRENT = "current"


def publish(frames: dict[str, pd.DataFrame], out_dir: Path, keep: int = 2) -> Path:
    """Write Parquet into a fresh build folder, flip `current` to it atomically, refresh the DuckDB file.

    Until the final rename the previous dataset stays whole and readable; a killed build leaves
    only an unreferenced folder under builds/, removed by the next build.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    build_id = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    staging = out_dir / BUILDS / build_id
    staging.mkdir(parents=True)
    for name, frame in frames.items():
        frame.to_parquet(staging / f"{name}.parquet", index=False)
    for name in frames:
        link = out_dir / f"{name}.parquet"
        if not link.is_symlink():
            if link.exists():
                link.unlink()
            link.symlink_to(Path(CURRENT) / f"{name}.parquet")
    tmp_link = out_dir / f".{CURRENT}-{build_id}"
    tmp_link.symlink_to(Path(BUILDS) / build_id)
    os.replace(tmp_link, out_dir / CURRENT)
    # The views read through `current`, so the DuckDB file never names a particular build.
    _write_duckdb(out_dir, staging)
    _remove_old_builds(out_dir, build_id, keep)
    return staging


def _write_duckdb(out_dir: Path, staging: Path) -> None:
    db_path = out_dir / "ogi.duckdb"
    tmp = out_dir / f".ogi-{staging.name}.duckdb"
    con = duckdb.connect(str(tmp))
    try:
        # Views resolve the Parquet path against the working directory: inline it as seen from here.
        base = os.path.relpath(out_dir, Path.cwd()) if _inside_cwd(out_dir) else str(out_dir.resolve())
        for sql in view_sql(base.replace(os.sep, "/")):
            con.execute(sql)
        __import__("pipeline.dictionary").dictionary.apply_comments(con)  # schemas/descriptions.csv → COMMENT ON
    finally:
        con.close()
    os.replace(tmp, db_path)


def _inside_cwd(path: Path) -> bool:
    try:
        path.resolve().relative_to(Path.cwd().resolve())
        return True
    except ValueError:
        return False


def view_sql(base: str) -> list[str]:
    """The view definitions under pipeline/sql/, in file-name order, with the Parquet folder inlined."""
    files = sorted((f for f in resources.files("pipeline.sql").iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [f.read_text(encoding="utf-8").replace("{processed}", base) for f in files]


def _remove_old_builds(out_dir: Path, current: str, keep: int) -> None:
    builds = sorted(p for p in (out_dir / BUILDS).iterdir() if p.is_dir())
    live = (out_dir / CURRENT).resolve().name
    for old in builds[:-keep]:
        if old.name not in (current, live):
            shutil.rmtree(old, ignore_errors=True)
    for stray in out_dir.glob(".current-*"):
        stray.unlink(missing_ok=True)
    for stray in out_dir.glob(".ogi-*.duckdb"):
        stray.unlink(missing_ok=True)
