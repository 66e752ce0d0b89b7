"""Legacy (report years ≤ 2018) 统计表 → statistics rows."""
from __future__ import annotations


def parse_tables(doc):
    from pipeline.parse import TablesResult
    return TablesResult()
