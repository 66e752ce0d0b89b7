"""Metadata of the shipped reports: title, issuing body, year, date, template."""
import datetime as dt

import pytest

from pipeline import metadata

EXPECTED = [
    ("zhucheng-2017.txt", "诸城市人民政府", 2017, dt.date(2018, 3, 29), "legacy"),
    ("pingtan-2017.txt", "平潭综合实验区", 2017, dt.date(2018, 1, 23), "legacy"),
    ("pingtan-2023.txt", "平潭综合实验区", 2023, dt.date(2024, 3, 8), "std2021"),
    ("shanghai-office-2019.html", "上海市人民政府办公厅", 2019, dt.date(2020, 1, 31), "std2019"),
    ("shanghai-office-2025.md", "上海市人民政府办公厅", 2025, None, "std2021"),
    ("shuyang-county-2025.md", "沐阳县人民政府", 2025, dt.date(2026, 1, 23), "std2021"),
]


@pytest.mark.parametrize("name,body,year,published,template", EXPECTED)
def test_metadata_of_shipped_reports(doc, name, body, year, published, template):
    meta = metadata.extract(doc(name))
    assert (meta["jurisdiction"], meta["report_year"], meta["published_date"], meta["template"]) == (
        body, year, published, template)


def test_year_first_title_wrapped_over_two_lines(doc):
    assert metadata.extract(doc("shanghai-office-2025.md"))["title"] == "2025年上海市人民政府办公厅政府信息公开工作年度报告"


def _read(text: str):
    from pipeline.read import read_document

    return read_document(text.encode("utf-8"), "x.md")


def test_a_year_and_dates_in_chinese_numerals(raw_dir):
    # Formal copies print 二〇二五年 in the title and 二〇二六年一月二十三日 under it (○ and O stand for 〇 too).
    text = (raw_dir / "shuyang-county-2025.md").read_text(encoding="utf-8")
    text = text.replace("# 沐阳县人民政府 2025 年", "# 沐阳县人民政府二○二五年", 1)
    text = text.replace("2026年1月23日", "二〇二六年一月二十三日")
    meta = metadata.extract(_read(text))
    assert meta["title"] == "沐阳县人民政府二○二五年政府信息公开工作年度报告"
    assert (meta["jurisdiction"], meta["report_year"], meta["published_date"]) == (
        "沐阳县人民政府", 2025, dt.date(2026, 1, 23))


def test_a_title_that_states_its_year_in_brackets_after_it(raw_dir):
    text = (raw_dir / "shuyang-county-2025.md").read_text(encoding="utf-8")
    text = text.replace("# 沐阳县人民政府 2025 年 政府信息公开工作年度报告", "# 沐阳县人民政府政府信息公开工作年度报告（2025年度）", 1)
    meta = metadata.extract(_read(text))
    assert (meta["title"], meta["jurisdiction"], meta["report_year"]) == (
        "沐阳县人民政府政府信息公开工作年度报告(2025年度)", "沐阳县人民政府", 2025)


@pytest.mark.parametrize("misprint", ["1850", "2250"])
def test_a_title_year_no_report_can_be_of_gives_way_to_the_statistics_period(raw_dir, misprint):
    text = (raw_dir / "shuyang-county-2025.md").read_text(encoding="utf-8")
    text = text.replace("# 沐阳县人民政府 2025 年", f"# 沐阳县人民政府 {misprint} 年", 1)
    meta = metadata.extract(_read(text))
    assert (meta["title"], meta["report_year"]) == (f"沐阳县人民政府{misprint}年政府信息公开工作年度报告", 2025)


def test_no_year_no_report_can_be_of_is_given(raw_dir):
    text = (raw_dir / "shuyang-county-2025.md").read_text(encoding="utf-8")
    text = text.replace("2025", "1850").replace("2026年1月23日", "1851年1月23日")
    assert metadata.extract(_read(text))["report_year"] is None
