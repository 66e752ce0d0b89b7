"""Standard-template (std2019 / std2021) tables 二, 三, 四 → statistics rows."""
from __future__ import annotations


def parse_tables(doc, template):
    from pipeline.parse import TablesResult
    return TablesResult()
