"""Controlled vocabularies of the output contract (../shared/spec/contract.md)."""

TEMPLATES = ["legacy", "std2019", "std2021", "unknown"]
LAYOUTS = ["cells_per_line", "pipe", "markdown", "html", "tsv", "collapsed", "pdf_text", "none"]
STATUSES = ["parsed", "partial", "failed"]
STAT_TABLES = ["legacy_stats", "active_disclosure", "requests", "review_litigation"]
STAGES = ["request", "review", "litigation", "litigation_direct", "litigation_after_review"]
APPLICANTS = [
    "all", "natural_person", "commercial_enterprise", "research_institution",
    "public_interest_org", "legal_service_org", "other_org",
]
OUTCOME_GROUPS = ["intake", "granted", "partially_granted", "denied", "unable", "not_processed", "other", "total", "pending"]
QUALIFIERS = ["exact", "at_least", "approx", "at_most"]
SOURCES = ["table", "narrative"]
CHECK_STATUSES = ["pass", "fail", "not_assessable"]
SEVERITIES = ["error", "warning"]
RESPONSIBILITIES = ["source", "extraction"]
# Years a report may be of: an earlier or later year printed in a title is a misprint or an OCR error.
REPORT_YEARS = range(1990, 2101)
UNITS = ["条", "件", "次", "个", "人", "人次", "份", "期", "篇", "项", "万元", "元", "宗", "场", "家", "册", "%"]
# The indicator of a row whose printed label no catalog entry matches yet: kept as data, reported as a problem.
UNMAPPED = "unmapped"
# A statistics cell within a report: one row each. Rows no catalog entry names (UNMAPPED) are told apart by
# their printed label and line as well. The parser keeps the first of a repeated cell; the schema checks it.
CELL_KEY = ("table", "scope", "indicator", "column")
UNMAPPED_CELL_KEY = (*CELL_KEY, "label", "source_line")
