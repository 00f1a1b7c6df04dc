"""Language switch, translation against the catalogue, and Chinese glyphs in matplotlib."""

from __future__ import annotations

import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from figure_text import english_words, figure_labels, has_chinese
from matplotlib import font_manager

from journey import i18n
from journey.errors import JourneyError
from journey.stages import CATALOGUE, STAGES

LABEL = "各环节等候中位数（分钟）：挂号、缴费、取药 −5"


@pytest.fixture(autouse=True)
def _restore_language():
    before = i18n.get_language()
    yield
    i18n.set_language(before)


def test_language_switch():
    assert i18n.get_language() == "en"
    i18n.set_language("zh")
    assert i18n.get_language() == "zh"
    assert i18n.translate("Payment") == "缴费"  # the session language is the default
    i18n.set_language("en")
    assert i18n.translate("缴费") == "Payment"
    with pytest.raises(JourneyError, match="'en'.*'zh'"):
        i18n.set_language("fr")
    assert i18n.get_language() == "en"


def test_translate_every_catalogue_name_both_ways():
    for row in CATALOGUE.itertuples():
        assert i18n.translate(row.name_en, "zh") == row.name_zh, row.touchpoint
        assert i18n.translate(row.name_zh, "en") == row.name_en, row.touchpoint
        assert i18n.translate(row.name_zh, "zh") == row.name_zh
        assert i18n.translate(row.touchpoint, "zh") == row.name_zh
    for key, names in STAGES.items():
        assert i18n.translate(key, "zh") == names["zh"]
        assert i18n.translate(names["zh"], "en") == names["en"]


def test_translate_aliases_and_unknown_names():
    assert i18n.translate("Blood test", "zh") == "检验"
    assert i18n.translate("抽血", "en") == "Lab"
    assert i18n.translate("Parking", "zh") == "Parking"
    assert i18n.translate("停车", "en") == "停车"
    with pytest.raises(JourneyError):
        i18n.translate("Lab", "de")


def test_translate_columns_round_trip():
    table = pd.DataFrame({"activity": ["Lab"], "cases": [3], "events": [4], "wait_median": [2.5],
                          "my_tag": ["x"]})
    zh = i18n.translate_columns(table, "zh")
    assert list(zh.columns) == ["环节", "就诊人次", "事件数", "等候中位数(分钟)", "my_tag"]
    assert list(table.columns) == ["activity", "cases", "events", "wait_median", "my_tag"]
    back = i18n.translate_columns(zh, "en")
    # "visits" and "cases" share a Chinese header; the way back gives the first, "cases"
    assert list(back.columns) == list(table.columns)
    pd.testing.assert_frame_equal(back, table)
    i18n.set_language("zh")
    assert i18n.translate_columns(table).columns[1] == "就诊人次"
    with pytest.raises(JourneyError, match="DataFrame"):
        i18n.translate_columns(table["cases"])


def test_column_names_are_unique_per_direction():
    zh = i18n.COLUMN_NAMES_ZH
    for name, header in zh.items():
        assert i18n._COLUMN_NAMES_EN[header] in zh
        assert zh[i18n._COLUMN_NAMES_EN[header]] == header, name


def _draw(path):
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.set_title(LABEL)
    ax.bar(["挂号", "缴费"], [-1, 2])
    fig.savefig(path, dpi=50)
    plt.close(fig)


def test_chinese_label_renders_without_missing_glyphs(tmp_path):
    with matplotlib.rc_context():
        try:
            family = i18n.use_cjk_font()
        except JourneyError as err:
            pytest.skip(f"no CJK font installed ({err})")
        assert matplotlib.rcParams["font.sans-serif"][0] == family
        used = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
        charmap = font_manager.get_font(used).get_charmap()
        assert all(ord(c) in charmap for c in LABEL if not c.isascii() and c != "−")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _draw(tmp_path / "zh.png")
    assert (tmp_path / "zh.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_cjk_font_glyphs_go_missing(tmp_path):
    """The check above can fail: DejaVu Sans alone has no Chinese glyphs."""
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(UserWarning, match="missing from font"):
                _draw(tmp_path / "boxes.png")
    plt.close("all")


def test_no_cjk_font_raises_with_install_hint(monkeypatch):
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    with matplotlib.rc_context():
        with pytest.raises(JourneyError, match="fonts-noto-cjk.*font-ttf-noto-cjk"):
            i18n.use_cjk_font()


# --------------------------------------------------------------------------- figure labels
@pytest.fixture(scope="module")
def spc_result():
    from journey.control_charts import spc

    y = [10.0, 12, 9, 13, 12, 11, 10, 9, 11, 13, 12, 9, 10, 11, 12, 30, 10, 11, 9, 12, 11, 10, 9, 6]
    days = pd.date_range("2025-01-01", periods=len(y))
    return spc(pd.DataFrame({"day": days, "wait_median": y}), value="wait_median", date="day",
               improvement="decrease", target=8)


def test_spc_figurefigure_labels(spc_result):
    types = set(spc_result.table.point_type)
    assert {"common_cause", "special_cause_improvement", "special_cause_concern"} <= types
    en = spc_result.figure(lang="en")
    assert [t.name for t in en.data[1:4]] == ["mean", "upl", "lpl"]
    assert en.layout.annotations[0].text == "target"
    assert en.layout.title.text == ("wait_median (variation: improvement_low, "
                                    "assurance: inconsistent)")
    assert "special cause concern" in [t.name for t in en.data]
    assert "<br>rule: %{customdata[0]}" in en.data[-1].hovertemplate
    assert {"none", "outside_limits"} <= {c[0] for t in en.data[4:] for c in t.customdata}
    i18n.set_language("zh")  # the session language is the default
    zh = spc_result.figure()
    texts = figure_labels(zh)
    assert has_chinese(texts) and not english_words(texts), english_words(texts)
    assert zh.layout.title.text == "等候中位数(分钟) (变异: 改善（降低）, 达标: 时而达标时而不达标)"
    assert {"均值", "控制上限", "控制下限", "特殊原因变异（恶化）"} <= {t.name for t in zh.data}
    assert {"无", "超出控制限"} <= {c[0] for t in zh.data[4:] for c in t.customdata}
    # the numbers drawn are the same in both languages
    for a, b in zip(en.data, zh.data, strict=True):
        assert list(a.y) == list(b.y)


def test_importance_performance_figurefigure_labels():
    from journey.experience import QUADRANTS, importance_performance

    rng = np.random.default_rng(5)
    x = rng.integers(1, 6, size=(120, 4))
    surveys = pd.DataFrame(x[:, :3], columns=["waiting", "staff", "signs"]).assign(
        overall=np.clip(x[:, 0] + x[:, 3] // 2, 1, 5))
    ipa = importance_performance(surveys, attributes=["waiting", "staff", "signs"])
    en = ipa.figure(lang="en")
    assert en.layout.xaxis.title.text == "Performance (mean score)"
    assert en.layout.yaxis.title.text == "Importance (correlation)"
    assert en.layout.title.text == f"Importance–performance (n = {ipa.n})"
    assert {a.text for a in en.layout.annotations} == set(QUADRANTS.values())
    names = {"waiting": "候诊", "staff": "医护人员", "signs": "指示牌"}
    zh = ipa.figure(names, lang="zh")
    texts = figure_labels(zh) + list(zh.data[0].text)
    assert has_chinese(texts) and not english_words(texts), english_words(texts)
    assert {a.text for a in zh.layout.annotations} == {"重点改进区", "继续保持区", "低优先区",
                                                       "供给过度区"}
    assert zh.layout.title.text == f"重要性–表现分析（n = {ipa.n}）"
    assert list(zh.data[0].x) == list(ipa.table.performance)


def _small_log() -> pd.DataFrame:
    """Two weeks of visits Triage → Lab with a queue at the Lab on weekday mornings."""
    rows, t0 = [], pd.Timestamp("2025-01-06")  # a Monday
    for day in range(14):
        for k in range(12):
            arrive = t0 + pd.Timedelta(days=day, hours=8, minutes=40 * k)
            lab = arrive + pd.Timedelta(minutes=10 + (30 if day % 7 < 5 and k < 4 else 3))
            rows += [(f"v{day}-{k}", "Triage", arrive, arrive + pd.Timedelta(minutes=10)),
                     (f"v{day}-{k}", "Lab", lab, lab + pd.Timedelta(minutes=5))]
    return pd.DataFrame(rows, columns=["case_id", "activity", "start", "end"])


def test_bottleneck_and_queue_figurefigure_labels():
    from journey import read_log
    from journey.queues import bottlenecks, queue_over_time

    log = read_log(_small_log())
    b = bottlenecks(log, hours=1, min_events=2)
    en = b.figure(lang="en")
    assert en.layout.title.text == "Where queues build up: mean wait by hour"
    assert en.layout.yaxis.title.text == "Mean wait (min)"
    assert {t.name for t in en.data} == {"Mon–Fri", "Sat", "Sun"}
    zh = b.figure(lang="zh")
    texts = figure_labels(zh)
    assert has_chinese(texts) and not english_words(texts), english_words(texts)
    assert {t.name for t in zh.data} == {"周一至周五", "周六", "周日"}
    assert {a.text for a in zh.layout.annotations} == {"环节=检验"}
    assert sorted(np.concatenate([t.y for t in zh.data])) == sorted(
        np.concatenate([t.y for t in en.data]))

    q = queue_over_time(log, freq="60min")
    en = q.heatmap("Lab", lang="en")
    assert en.layout.title.text == "Lab: mean number of patients waiting"
    assert list(en.data[0].y) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    zh = q.heatmap("Lab", value="in_service", lang="zh")
    texts = figure_labels(zh)
    assert has_chinese(texts) and not english_words(texts), english_words(texts)
    assert zh.layout.title.text == "检验：平均正在接受服务人数"
    assert list(zh.data[0].y) == ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    plain = q.profile[q.profile.activity == "Lab"].pivot_table(
        index="weekday", columns="hour", values="in_service", observed=False)
    np.testing.assert_allclose(np.asarray(zh.data[0].z, dtype=float), plain.to_numpy())


def test_what_if_figurefigure_labels():
    from dataclasses import replace

    from journey.simulate import Scenario, what_if

    base = replace(Scenario.baseline(), name="现状")
    more = base.with_staff("Lab", hours=[9, 10], change=2, name="检验加2人")
    res = what_if(more, baseline=base, replications=2, days=2, progress=False)
    en = res.figure(lang="en")
    assert en.layout.xaxis.title.text == "scenario − baseline"
    assert "mean wait (min): Lab" in list(en.data[0].y)
    assert en.layout.title.text == "检验加2人 vs 现状 (2 paired replications, 95% CI)"
    zh = res.figure(lang="zh")
    texts = figure_labels(zh)
    assert has_chinese(texts) and not english_words(texts), english_words(texts)
    assert "平均等候（分钟）: 检验" in list(zh.data[0].y)
    assert list(zh.data[0].x) == list(en.data[0].x)


def test_translate_columns_new_headers_and_stages():
    table = pd.DataFrame({"stage": pd.Series(["pre", "in", "post", "other"]),
                          "mean_ci_low": [1.0, 2, 3, 4], "build_up": 1.5, "r_ci_high": 0.3,
                          "baseline": 1, "scenario": 2, "difference": 1, "lpl": 0, "upl": 9})
    zh = i18n.translate_columns(table, "zh")
    assert list(zh.columns) == ["阶段", "均值95%置信区间下限", "拥堵倍数",
                                "相关系数95%置信区间上限", "基线", "情景", "差值(情景−基线)",
                                "控制下限", "控制上限"]
    assert list(zh["阶段"]) == ["院前", "院中", "院后", "other"]
    pd.testing.assert_frame_equal(i18n.translate_columns(zh, "en"), table)
    for header in ["mean_ci_high", "los_hours", "wait_hours", "service_hours", "wait_share",
                   "worst_block", "block_mean", "other_mean", "utilisation", "quadrant",
                   "importance", "performance", "r", "r_ci_low", "value", "mean", "n_points",
                   "before", "after", "change", "ci_low", "ci_high", "method", "caveats",
                   "estimate"]:
        assert has_chinese([i18n.COLUMN_NAMES_ZH[header]]), header


# --------------------------------------------------------------------------- table values
def test_translate_known_values_of_each_kind_and_back():
    cases = {
        "special_cause_improvement": "特殊原因变异（改善）",  # SPC point type
        "outside_limits": "超出控制限",  # SPC rule
        "improvement_low": "改善（降低）", "inconsistent": "时而达标时而不达标",  # SPC icons
        "Concentrate here": "重点改进区", "Possible overkill": "供给过度区",  # IPA quadrants
        "process_convenience": "服务流程便捷性", "overall": "总体评价",  # survey dimensions
        "Mon–Fri": "周一至周五", "Sun": "周日",  # day types and weekdays
        "Sat 12:00–14:00": "周六 12:00–14:00",  # the day of a worst block
        "mean wait (min)": "平均等候（分钟）", "all visits": "全部就诊",  # what-if
        "average effect after (ITS)": "改变后平均效应（中断时间序列）",  # before/after
        "difference-in-differences vs Surgery": "双重差分（对照：Surgery）",
        "Internal Medicine": "内科",  # a department of the sample hospital
    }
    for en, zh in cases.items():
        assert i18n.translate(en, "zh") == zh, en
        assert i18n.translate(zh, "en") == en, zh
        assert i18n.translate(zh, "zh") == zh  # already Chinese: unchanged
    # every entry goes there and back, so no two English values share a Chinese name
    for en in i18n.VALUE_NAMES_ZH:
        if "{}" not in en:
            assert i18n.translate(i18n.translate(en, "zh"), "en") == en, en


def test_unknown_values_are_kept():
    for name in ["Saturday", "Sat", "Satellite clinic", "level", "周八", "vs Surgery", ""]:
        assert i18n.translate(name, "en") == name
    assert i18n.translate("Mon–Fri09:00", "zh") == "Mon–Fri09:00"  # no space, no pattern
    assert i18n.translate("Parking lot", "zh") == "Parking lot"


def test_translate_columns_translates_values_in_known_columns_only():
    table = pd.DataFrame({
        "activity": ["Lab", "Parking", "all visits"],
        "worst_block": ["Mon–Fri 09:00–11:00", None, "Sun 20:00–22:00"],
        "quadrant": ["Low priority", "Keep up the good work", "elsewhere"],
        "day": pd.Categorical(["Mon–Fri", "Sat", "Sun"], ["Mon–Fri", "Sat", "Sun"], ordered=True),
        "my_tag": ["Sat", "Concentrate here", "Lab"],  # not a known column: kept
        "n": [1, 2, 3],
    })
    zh = i18n.translate_columns(table, "zh")
    assert list(zh.columns) == ["环节", "最拥堵时段", "象限", "星期类别", "my_tag", "样本量"]
    assert list(zh["环节"]) == ["检验", "Parking", "全部就诊"]
    assert zh["最拥堵时段"].iloc[0] == "周一至周五 09:00–11:00"
    assert zh["最拥堵时段"].isna().iloc[1] and zh["最拥堵时段"].iloc[2] == "周日 20:00–22:00"
    assert list(zh["象限"]) == ["低优先区", "继续保持区", "elsewhere"]
    assert list(zh["星期类别"].cat.categories) == ["周一至周五", "周六", "周日"]
    assert zh["星期类别"].cat.ordered
    assert list(zh["my_tag"]) == list(table["my_tag"])
    pd.testing.assert_frame_equal(i18n.translate_columns(zh, "en"), table)
    # the session language is the default
    i18n.set_language("zh")
    assert i18n.translate_columns(table)["象限"].iloc[0] == "低优先区"


def test_new_headers():
    table = pd.DataFrame(columns=["medical_quality", "process_convenience", "humanistic_care",
                                  "information_transparency", "overall", "n_improvement",
                                  "n_concern", "point_type", "rule"])
    assert list(i18n.translate_columns(table, "zh").columns) == [
        "医疗技术质量", "服务流程便捷性", "人文关怀", "信息透明度", "总体评价", "改善点数",
        "恶化点数", "变异类型", "判断规则"]


def test_spc_table_values_match_the_figure_legend(spc_result):
    """The translated point types and rules are the words of the Chinese chart."""
    zh = i18n.translate_columns(spc_result.table, "zh")
    fig = spc_result.figure(lang="zh")
    legend = {t.name for t in fig.data[4:]}
    assert set(zh["变异类型"]) == legend
    hover_rules = {c[0] for t in fig.data[4:] for c in t.customdata} - {"无"}
    assert set(zh["判断规则"].dropna()) == hover_rules
    icons = f"变异: {i18n.translate(spc_result.variation_icon, 'zh')}, " \
            f"达标: {i18n.translate(spc_result.assurance_icon, 'zh')}"
    assert icons in fig.layout.title.text
    # the numbers are untouched
    pd.testing.assert_series_equal(zh["数值"], spc_result.table["value"], check_names=False)


def test_worst_block_matches_the_chinese_sentence():
    from journey import read_log
    from journey.queues import bottlenecks

    b = bottlenecks(read_log(_small_log()), hours=1, min_events=2, lang="zh")
    row = i18n.translate_columns(b.table, "zh").iloc[0]
    assert row["最拥堵时段"].startswith("周一至周五 ")
    assert row["结论"].startswith(f"检验：{row['最拥堵时段']} 平均等候")
    # the hour-by-day profile: the same day names as the Chinese bottleneck figure
    days = i18n.translate_columns(b.blocks, "zh")["星期类别"]
    assert set(days) == {t.name for t in b.figure(lang="zh").data}


def test_ipa_and_survey_values_against_plain_means():
    from journey.experience import DIMENSIONS, importance_performance, satisfaction_scores

    rng = np.random.default_rng(3)
    x = rng.integers(1, 6, size=(150, 5))
    surveys = pd.DataFrame(x, columns=[*DIMENSIONS, "overall"])
    scores = i18n.translate_columns(satisfaction_scores(surveys), "zh").set_index("维度")
    for d in DIMENSIONS:
        assert scores.at[i18n.COLUMN_NAMES_ZH[d], "均值"] == pytest.approx(surveys[d].mean())
    ipa = i18n.translate_columns(importance_performance(surveys).table, "zh")
    assert list(ipa["项目"]) == ["医疗技术质量", "服务流程便捷性", "人文关怀", "信息透明度"]
    assert set(ipa["象限"]) <= {"重点改进区", "继续保持区", "低优先区", "供给过度区"}
    # the labels argument of the figure takes the same dictionary
    fig = importance_performance(surveys).figure(i18n.VALUE_NAMES_ZH, lang="zh")
    assert list(fig.data[0].text) == list(ipa["项目"])
