"""docs/data-dictionary.md is generated from schemas/descriptions.csv, schemas/glosses.csv and the catalogs, and kept current."""
import csv
from pathlib import Path

from pipeline import dictionary
from pipeline.catalog import load_csv

ROOT = Path(__file__).resolve().parent.parent
DICTIONARY = ROOT / "docs" / "data-dictionary.md"


def test_data_dictionary_is_up_to_date():
    expected = dictionary.render()
    current = DICTIONARY.read_text(encoding="utf-8") if DICTIONARY.exists() else ""
    assert current == expected, ("docs/data-dictionary.md is out of date with schemas/: run `make docs` "
                                 "(or `ogi dictionary`) and commit the result")


def test_every_view_and_column_is_described():
    assert dictionary.undocumented(dictionary.views()) == []


def test_descriptions_name_only_views_and_columns_that_exist():
    existing = {(v.name, "") for v in dictionary.views()} | {(v.name, c.name) for v in dictionary.views() for c in v.columns}
    assert sorted(set(dictionary.descriptions()) - existing) == []


def test_every_catalog_code_has_an_english_gloss():
    gloss = dictionary.glosses()
    codes = [("indicators_legacy", r["indicator"]) for r in load_csv("indicators_legacy.csv")]
    codes += [("indicators_std", r["indicator"]) for r in load_csv("indicators_std.csv")]
    codes += [("columns", f"{r['table']}.{r['column_code']}") for r in load_csv("columns.csv")]
    codes += [("domains", r["code"]) for r in dictionary.optional_csv("domains.csv")]
    codes += [(name, code) for name, values in dictionary.VOCABULARIES.items() for code in values]
    assert [key for key in codes if not gloss.get(key)] == []


def test_glosses_are_keyed_once():
    with open(ROOT / "schemas" / "glosses.csv", encoding="utf-8", newline="") as fh:
        keys = [(r["catalog"], r["code"]) for r in csv.DictReader(fh)]
    assert len(keys) == len(set(keys))


def test_dictionary_carries_the_usage_warnings_and_printed_labels():
    text = dictionary.render()
    assert "本行政区域 (the whole area) includes 市本级" in text
    assert "Blank is not 0" in text
    assert "an at_least count (余, 多, 以上) is a lower bound" in text
    assert "are not additive" in text
    assert "std2019 and std2021 表二 columns differ" in text
    # a catalog row: code, printed label, unit, gloss
    assert "| legacy_stats | legacy | `requests_received` | 三.(一) | 收到申请数 | 件 | requests received |  |" in text
