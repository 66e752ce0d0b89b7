"""Number grammar: table cells, prose counts with qualifiers and units, percentages, label numbers."""
from decimal import Decimal

import cn2an
import pytest
from hypothesis import given, strategies as st

from pipeline.numbers import (
    find_percents, find_quantities, is_number_cell, may_count, parse_cell, read_number,
)

QUALIFIED = [  # (how it is written around the number, qualifier)
    ("{n}{u}", "exact"), ("{n}余{u}", "at_least"), ("{n}多{u}", "at_least"), ("{n}{u}以上", "at_least"),
    ("逾{n}{u}", "at_least"), ("约{n}{u}", "approx"), ("大约{n}{u}", "approx"), ("{n}{u}左右", "approx"),
    ("近{n}{u}", "at_most"), ("不足{n}{u}", "at_most"), ("{n}{u}以下", "at_most"),
    ("不少于{n}{u}", "at_least"), ("不低于{n}{u}", "at_least"), ("至少{n}{u}", "at_least"),
    ("不超过{n}{u}", "at_most"), ("不多于{n}{u}", "at_most"), ("不高于{n}{u}", "at_most"),
]
UNITS = ["条", "件", "项", "人次", "个", "份"]
FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")

def _written(value: Decimal) -> str:
    return format(value.normalize(), "f")


@given(st.integers(min_value=0, max_value=10**7), st.sampled_from(QUALIFIED), st.sampled_from(UNITS),
       st.booleans())
def test_integers_read_back_with_their_qualifier(n, form, unit, fullwidth):
    template, qualifier = form
    number = str(n).translate(FULLWIDTH) if fullwidth else str(n)
    found = find_quantities("2017年,全市共公开" + template.format(n=number, u=unit) + "。")
    assert [(q.value, q.qualifier, q.unit) for q in found] == [(float(n), qualifier, unit)]


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2), st.booleans(),
       st.sampled_from(QUALIFIED), st.sampled_from(UNITS))
def test_decimals_with_and_without_wan_read_back(d, wan, form, unit):
    template, qualifier = form
    text = _written(d) + ("万" if wan else "")
    expected = float(d * 10_000) if wan else float(d)
    found = find_quantities("共归集" + template.format(n=text, u=unit) + ",")
    assert len(found) == 1
    assert found[0].value == pytest.approx(expected) and found[0].qualifier == qualifier


@given(st.integers(min_value=2, max_value=99_999), st.sampled_from(["个", "项", "人", "件"]))
def test_chinese_numerals_read_back_as_counts(n, unit):
    numeral = cn2an.an2cn(n)
    found = find_quantities(f"共有{numeral}{unit}。")
    assert [(q.value, q.unit) for q in found] == [(float(n), unit)]


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(["", "余", "多"]),
       st.sampled_from(["", "约", "近", "逾"]))
def test_read_number_single_tokens(n, infix, prefix):
    value, qualifier = read_number(f"{prefix}{n}{infix}")
    assert value == n
    expected = {"约": "approx", "近": "at_most", "逾": "at_least"}.get(prefix, "exact")
    assert qualifier == ("at_least" if infix else expected)


@pytest.mark.parametrize("text, value, qualifier", [
    ("3.4万余", 34000, "at_least"), ("230万", 2_300_000, "exact"), ("26.8万", 268_000, "exact"),
    ("1万余", 10_000, "at_least"), ("二O一一", 2011, "exact"), ("二〇一一", 2011, "exact"),
    ("十三", 13, "exact"), ("两千", 2000, "exact"), ("１２", 12, "exact"), ("大约60", 60, "approx"),
])
def test_read_number_examples(text, value, qualifier):
    assert read_number(text) == (value, qualifier)


@pytest.mark.parametrize("sentence, expected", [
    ("诸城市公共信用平台已归集各类信用数据230万条,其中信用数据达120万条。", [(2_300_000, "exact"), (1_200_000, "exact")]),
    ("通过省政务服务平台办理各类公共服务事项3.4万余件。", [(34_000, "at_least")]),
    ("主动邀请人大代表、政协委员列席政府有关会议10次以上。", [(10, "at_least")]),
    ("全市93多个部门单位开通了官方政务微博", [(93, "at_least")]),
    ("我局主动公开信息734条,依申请公开信息12 条,不予公开信息27 条。", [(734, "exact"), (12, "exact"), (27, "exact")]),
    ("等八项制度,三人专职,七个县(市)区", [(8, "exact"), (3, "exact"), (7, "exact")]),
    ("全市累计发布政策解读短视频近 300 个", [(300, "at_most")]),
])
def test_real_sentences(sentence, expected):
    assert [(q.value, q.qualifier) for q in find_quantities(sentence)] == expected


def test_malformed_lower_bound_is_kept_and_flagged():
    (q,) = find_quantities("全市93多个部门单位")
    assert q.value == 93 and q.suspect
    (q,) = find_quantities("共公开扶贫信息600余条")
    assert not q.suspect


@pytest.mark.parametrize("text", [
    "危及“三安全一稳定”", "属于三类内部事务信息", "属于四类过程性信息", "国民经济和社会发展“十三五”规划纲要",
    "充分体现“五公开”要求", "第一解读人和责任人", "新媒体“二微一端”的格局", "第二十条第(五)项",
    "第二十条第（一）项", "(诸政办字〔2017〕45号)", "国办发﹝201724号", "统计期限为201711日至20171231日",
    "电 话:0591-23162606传 真:0591-23162143", "邮编:350400", "www.pingtan.gov.cn", "2017年", "二O一一年5月16日",
    "一单、两库、一细则", "“放管服”改革", "一个自然月内",
])
def test_label_numbers_are_never_counts(text):
    assert find_quantities(text) == []


@given(st.sampled_from(["三安全一稳定", "三类内部事务信息", "四类过程性信息", "“十三五”", "五公开", "第一解读人",
                        "二微一端", "第二十条第(五)项", "〔2017〕45号", "2017年"]),
       st.integers(min_value=1, max_value=9999))
def test_label_numbers_beside_a_real_count(label, n):
    found = find_quantities(f"{label}相关信息{n}条。")
    assert [q.value for q in found] == [n]


@pytest.mark.parametrize("text, values", [
    ("以网上提交表单形式申请45件,占51%", [51]), ("“属于已主动公开范围数”18件,占 20.2%", [20.2]),
    ("机构职能类信息16条,占总体的比例为2.8 %", [2.8]), ("“同意公开”的7件,占总数的70%", [70]),
    ("不予公开 20 件（1.68%）", [1.68]), ("占承办提案总数的23.91%", [23.91]),
])
def test_percentages(text, values):
    assert [p.value for p in find_percents(text)] == values


@pytest.mark.parametrize("raw, value", [("88", 88), (" 12 ", 12), ("5949.088667", 5949.088667), ("-3", -3),
                                        ("251000元", 251000), ("\u00a0", None), ("/", None), ("无", None)])
def test_cells_keep_their_behaviour(raw, value):
    assert parse_cell(raw) == value
    assert is_number_cell(raw) == (value is not None)


def test_unreadable_cell_raises():
    with pytest.raises(ValueError):
        parse_cell("见附件")


# may_count is a pre-filter: it may say yes wrongly, never no wrongly. It lists by hand what an identifier
# mask can leave before a unit, so a new identifier pattern must show up here if it breaks that.
_COUNTISH = st.lists(st.sampled_from(
    ["12", "3", "2019", "年", "月", "日", "第", "号", "〔", "〕", "[", "]", "(", ")", "（", "）", "余", "多", "万", " ",
     "条", "件", "次", "个", "项", "篇", "期", "场", "人次", "http://a.gov.cn/", "www.x.cn", "a@b.cn", "tel:", "0531-",
     "邮编", "-", ".", "、", "三", "十", "共", "公开", "申请", "。"]), max_size=25).map("".join)


def _units() -> str:
    from pipeline.narrative import _USED_UNIT_CHARS

    return _USED_UNIT_CHARS


@given(_COUNTISH)
def test_may_count_never_rules_out_a_count_find_quantities_reads(text):
    if any(q.unit in _units() for q in find_quantities(text)):
        assert may_count(text, _units())


def test_may_count_never_rules_out_a_count_in_the_shipped_reports(doc, raw_dir):
    for path in sorted(raw_dir.iterdir()):
        for line in doc(path.name).lines:
            if any(q.unit in _units() for q in find_quantities(line.text)):
                assert may_count(line.text, _units()), line
