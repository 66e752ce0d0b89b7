"""One report end to end: Document → contract rows (reports, statistics, outcomes, domain counts, checks)."""
from __future__ import annotations

import hashlib
import traceback
from operator import itemgetter
from dataclasses import dataclass, field

from pipeline import catalog, checks, metadata, narrative, outcomes
from pipeline.read import Document, UnreadableReport, read_document, report_id_for
from pipeline.templates import legacy, std
from schemas.vocabularies import CELL_KEY, UNMAPPED, UNMAPPED_CELL_KEY


@dataclass
class ParseResult:
    report: dict
    statistics: list[dict] = field(default_factory=list)
    application_outcomes: list[dict] = field(default_factory=list)
    key_domain_counts: list[dict] = field(default_factory=list)
    validation_results: list[dict] = field(default_factory=list)


@dataclass
class TablesResult:
    """What a template mapper returns: statistics rows, the layout seen, and what it could not read."""
    rows: list[dict] = field(default_factory=list)
    layout: str = "none"
    problems: list[str] = field(default_factory=list)


def _stage(name: str, problems: list[str], fn, *args, default=None):
    """Run one stage; a bug in it makes the report partial instead of stopping the build."""
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001 - recorded as data, never raised
        where = traceback.extract_tb(exc.__traceback__)[-1]
        problems.append(f"{name} failed ({type(exc).__name__}: {exc} at {where.filename.rsplit('/', 1)[-1]}:{where.lineno}); "
                        "please report this with the file")
        return default


def failed_report(source_path: str, report_id: str, sha256: str, reason: str) -> ParseResult:
    return ParseResult(report={
        "report_id": report_id, "source_path": source_path, "sha256": sha256, "template": "unknown",
        "layout": "none", "title": None, "jurisdiction": None, "report_year": None, "published_date": None,
        "status": "failed", "error": reason,
    })


_cell_key, _unmapped_cell_key = itemgetter(*CELL_KEY), itemgetter(*UNMAPPED_CELL_KEY)


def one_row_per_cell(rows: list[dict], problems: list[str]) -> list[dict]:
    """Keep the first reading of a cell a report prints twice (a duplicated line or table) and say so."""
    first: dict[tuple, dict] = {}
    kept = []
    for row in rows:
        key = _unmapped_cell_key(row) if row["indicator"] == UNMAPPED else _cell_key(row)
        seen = first.get(key)
        if seen is None:
            first[key] = row
            kept.append(row)
            continue
        cell = f"「{row['label']}」" + (f"/{row['column']}" if row["column"] else "")
        differs = "" if seen["value"] == row["value"] else f" with another value ({row['value_raw']!r})"
        problems.append(f"cell {cell} is printed again at line {row['source_line']}{differs}; the reading at line "
                        f"{seen['source_line']} ({seen['value_raw']!r}) is kept")
    return kept


def units_fit_catalog(rows: list[dict], problems: list[str]) -> list[dict]:
    """A unit read next to a cell that cannot be the row's unit (万元 beside a count) is a misreading of the
    layout, not the report's word: the catalog unit is used instead and the report says so."""
    for row in rows:
        allowed = catalog.allowed_units(row["table"], row["indicator"], row["column"])
        if allowed and row["unit"] not in allowed:
            unit = catalog.unit_of(row["table"], row["indicator"], row["column"])
            problems.append(f"「{row['label']}」 at line {row['source_line']} reads unit {row['unit']!r}, which "
                            f"cannot be its unit; the catalog's {unit!r} is used")
            row["unit"] = unit
    return rows


def counts_not_negative(rows: list[dict], problems: list[str]) -> list[dict]:
    """A negative number in a column that counts (all but 本年增/减) contradicts the template: the cell keeps
    its printed text and no value, so no total or share is built on it, and the report says so."""
    for row in rows:
        value = row["value"]
        if value is not None and value < 0 and not catalog.signed_cell(row["table"], row["column"]):
            cell = f"「{row['label']}」" + (f"/{row['column']}" if row["column"] else "")
            problems.append(f"cell {cell} at line {row['source_line']} prints {row['value_raw']!r}, a negative "
                            "count; left empty")
            row["value"] = None
    return rows


def parse_document(doc: Document) -> ParseResult:
    problems: list[str] = []
    meta = _stage("metadata", problems, metadata.extract, doc, default=None) or {
        "title": None, "jurisdiction": None, "report_year": None, "published_date": None, "template": "unknown"}
    template = meta["template"]
    tables = TablesResult()
    if template == "legacy":
        tables = _stage("legacy tables", problems, legacy.parse_tables, doc, default=tables)
    elif template in ("std2019", "std2021"):
        tables = _stage("standard tables", problems, std.parse_tables, doc, template, default=tables)
    problems.extend(tables.problems)
    rows = counts_not_negative(units_fit_catalog(one_row_per_cell(tables.rows, problems), problems), problems)
    stats = [{"report_id": doc.report_id, **row} for row in rows]

    scopes = sorted({row["scope"] for row in stats if row.get("scope")})
    outcome_rows = _stage("table outcomes", problems, outcomes.from_statistics, stats, template, default=[])
    prose = _stage("prose", problems, narrative.walk, doc, meta["report_year"], default=[])
    outcome_rows += _stage("narrative outcomes", problems, narrative.outcome_statements, doc, template, scopes, prose,
                           default=[])
    domain_rows = _stage("key-domain counts", problems, narrative.domain_counts, doc, prose, default=[])
    for row in outcome_rows + domain_rows:
        row.setdefault("report_id", doc.report_id)
    if not (meta["title"] or meta["report_year"] or stats or outcome_rows or domain_rows):
        return failed_report(doc.source_path, doc.report_id, doc.sha256, not_a_report(doc.source_path, template, problems))

    if template != "unknown" and not stats:
        problems.append(f"no statistical table found for the {template} template; the report's tables may be "
                        "missing or in a layout not yet supported")
    if template == "unknown":
        problems.append("template not recognised (no legacy 统计表 and no 第二十条 tables); check the file is an "
                        "annual report")

    report = {
        "report_id": doc.report_id, "source_path": doc.source_path, "sha256": doc.sha256,
        "template": template, "layout": tables.layout, **{k: meta[k] for k in ("title", "jurisdiction", "report_year", "published_date")},
    }
    result = ParseResult(report, stats, outcome_rows, domain_rows)
    result.validation_results = _stage("checks", problems, checks.run_report, result, doc, prose, default=[])
    for row in result.validation_results:
        row.setdefault("report_id", doc.report_id)
    # Status is settled last, so a problem any stage (the checks included) ran into is in `error`.
    report["status"] = "partial" if problems else "parsed"
    report["error"] = "; ".join(dict.fromkeys(problems)) or None
    return result


def not_a_report(source_path: str, template: str, problems: list[str]) -> str:
    """Why a readable file from which nothing of an annual report was read is `failed`, not `partial`."""
    seen = f" (words of the {template} template appear, but none of it could be read)" if template != "unknown" else ""
    return "; ".join([f"{source_path}: not an annual report: no 政府信息公开工作年度报告 title, no report year, and no "
                      f"statistics table or statement found{seen}; check the file", *problems])


def parse_bytes(data: bytes, source_path: str) -> ParseResult:
    """Never raises for bad input: an unreadable file becomes a `failed` report row."""
    try:
        doc = read_document(data, source_path)
    except UnreadableReport as exc:
        return failed_report(source_path, report_id_for(source_path), hashlib.sha256(data).hexdigest(),
                             f"{source_path}: {exc}")
    except Exception as exc:  # noqa: BLE001 - a reader bug on one odd file fails that file, not the build
        return failed_report(source_path, report_id_for(source_path), hashlib.sha256(data).hexdigest(),
                             f"{source_path}: could not be read ({type(exc).__name__}: {exc}); "
                             "please report this with the file")
    return parse_document(doc)
