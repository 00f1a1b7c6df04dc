"""Chinese labels for the bottleneck, wait, ITS, comparison and concentration figures, and
Chinese sentences, readings and caveats with the same numbers as the English ones."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from figure_text import english_words, figure_labels, has_chinese

import journey
from journey.compare import compare_periods
from journey.impact import controlled_its, did, its
from journey.loyalty import resource_concentration
from journey.queues import bottlenecks, littles_law, time_decomposition, utilisation
from journey.waits import left_unseen, target_attainment, wait_drivers, wait_figure

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
T0 = pd.Timestamp("2025-01-06")  # a Monday
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


def _is_chinese(fig) -> None:
    texts = figure_labels(fig)
    assert has_chinese(texts), texts
    assert not english_words(texts), english_words(texts)


def _numbers(text: str) -> list[float]:
    return sorted(float(x) for x in NUMBER.findall(text))


def _same_data(en, zh) -> None:
    """Both figures draw the same numbers (pooled over traces: group order may differ)."""
    assert len(en.data) == len(zh.data)
    for axis in ("x", "y"):
        pooled = []
        for fig in (en, zh):
            values = [getattr(t, axis) for t in fig.data]
            values = [np.asarray(v, float) for v in values
                      if v is not None and len(v) and not isinstance(v[0], str)]
            pooled.append(np.sort(np.concatenate(values)) if values else np.array([]))
        np.testing.assert_allclose(*pooled, rtol=1e-9)


def _small_log() -> pd.DataFrame:
    """Two weeks of Triage → Lab → Consultation visits, a few leaving unseen; a Lab queue
    on weekday mornings; departments 急诊 (every third visit) and 内科."""
    rng = np.random.default_rng(0)
    rows = []
    for day in range(14):
        for k in range(12):
            case = f"v{day:02d}-{k:02d}"
            dept = "急诊" if k % 3 == 0 else "内科"
            t = T0 + pd.Timedelta(days=day, hours=8, minutes=20 * k)
            lab = t + pd.Timedelta(minutes=10 + int(rng.integers(0, 6)) + (
                30 if day % 7 < 5 and k < 4 else 3 + k % 4))
            rows += [(case, dept, "Triage", t, t + pd.Timedelta(minutes=10), "N1"),
                     (case, dept, "Lab", lab, lab + pd.Timedelta(minutes=5), "L1")]
            last = lab + pd.Timedelta(minutes=5 + 7 * (k % 5) + day % 3)
            if k == 11 and day % 2:
                rows.append((case, dept, "Left unseen", last, last, None))
            else:
                rows.append((case, dept, "Consultation", last, last + pd.Timedelta(minutes=8),
                             "D1"))
    return pd.DataFrame(rows, columns=["case_id", "department", "activity", "start", "end",
                                       "resource"])


@pytest.fixture(scope="module")
def small():
    return journey.read_log(_small_log())


@pytest.fixture(scope="module")
def sample():
    if not (SAMPLE / "visits.csv").exists():
        pytest.skip("sample data not built")
    return journey.read_log(SAMPLE / "visits.csv")


# --------------------------------------------------------------------------- bottlenecks
def test_bottleneck_sentences_have_the_same_numbers(sample, zh_session):
    en = bottlenecks(sample, top=None, lang="en")
    zh = bottlenecks(sample, top=None)  # the session language
    lab_en = ("Lab: mean wait 13.1 min Mon–Fri 09:00–11:00, 3.5× the 3.7 min at other times; "
              "3% of all waiting, median 3 min, P90 14 min; staff busy 23% of time.")
    lab_zh = ("检验：周一至周五 09:00–11:00 平均等候 13.1 分钟，是其他时段 3.7 分钟的 3.5 倍；"
              "占全部等候的 3%，中位数 3 分钟，P90 14 分钟；人员忙碌 23% 的时间。")
    assert en.table.sentence[0] == lab_en
    assert zh.table.sentence[0] == lab_zh
    pd.testing.assert_frame_equal(en.table.drop(columns="sentence"),
                                  zh.table.drop(columns="sentence"))
    for a, b, r in zip(en.table.sentence, zh.table.sentence, en.table.itertuples(),
                       strict=True):
        assert _numbers(a) == _numbers(b), (a, b)
        if isinstance(r.worst_block, str):
            assert f"{r.block_mean:.1f} 分钟" in b and f"{r.build_up:.1f} 倍" in b
        assert f"占全部等候的 {100 * r.wait_share:.0f}%" in b
    assert repr(zh).splitlines()[1] == lab_zh
    little_en = littles_law(sample, lang="en").reading[0]
    little_zh = littles_law(sample).reading[0]
    assert little_en.startswith("On average 10.0 patients")
    assert little_zh.startswith("平均有 10.0 名患者在院")
    assert _numbers(little_en) == _numbers(little_zh)


def test_flow_time_and_too_few_waits_sentences(small):
    flow = journey.read_log(_small_log().drop(columns="start"))
    en = bottlenecks(flow, hours=1, min_events=10, lang="en").table.set_index("activity")
    zh = bottlenecks(flow, hours=1, min_events=10, lang="zh").table.set_index("activity")
    assert "of all flow time" in en.sentence["Lab"] and "占全部流转时间" in zh.sentence["Lab"]
    assert zh.sentence["Lab"].startswith("检验：周一至周五 ")
    few_en = bottlenecks(small, min_events=1000, lang="en").table.sentence
    few_zh = bottlenecks(small, min_events=1000, lang="zh").table.sentence
    assert few_en.str.endswith("too few waits to find a worst block.").all()
    assert few_zh.str.endswith("无法找出最拥堵时段。").all()
    for a, b in [*zip(en.sentence, zh.sentence, strict=True),
                 *zip(few_en, few_zh, strict=True)]:
        assert _numbers(a) == _numbers(b), (a, b)


def test_time_decomposition_and_utilisation_figures(small, zh_session):
    td = time_decomposition(small)
    en = td.figure(lang="en")
    assert en.layout.title.text == "Patient-hours of waiting and service per touchpoint"
    assert en.layout.xaxis.title.text == "Patient-hours"
    assert [t.name for t in en.data] == ["wait_hours", "service_hours"]
    zh = td.figure()
    _is_chinese(zh)
    assert [t.name for t in zh.data] == ["等候总时长(小时)", "服务总时长(小时)"]
    assert set(zh.data[0].y) == {"分诊", "检验", "就诊", "未就诊离开"}
    _same_data(en, zh)
    # the bars are the plain sums of the waits before each touchpoint
    d = _small_log().sort_values(["case_id", "start"])
    wait = (d.start - d.groupby("case_id").end.shift()).dt.total_seconds() / 3600
    lab = dict(zip(zh.data[0].y, zh.data[0].x, strict=True))["检验"]
    assert lab == pytest.approx(wait[d.activity == "Lab"].sum())

    u = utilisation(small)
    en = u.figure(lang="en")
    assert (en.layout.title.text, en.layout.xaxis.title.text) == ("Busy time / staffed time",
                                                                  "utilisation")
    zh = u.figure()
    _is_chinese(zh)
    assert zh.layout.xaxis.title.text == "人员忙碌比例"
    _same_data(en, zh)


# --------------------------------------------------------------------------- waits
@pytest.mark.parametrize("kind", ["box", "violin", "ecdf"])
def test_wait_figure_labels(small, kind):
    en = wait_figure(small, kind=kind, lang="en")
    assert en.layout.xaxis.title.text == "Wait (minutes)"
    assert en.layout.title.text == ("Wait distribution" if kind == "ecdf"
                                    else "Wait by activity")
    zh = wait_figure(small, kind=kind, lang="zh")
    _is_chinese(zh)
    assert zh.layout.xaxis.title.text == "等候（分钟）"
    assert zh.layout.title.text == ("等候分布" if kind == "ecdf" else "等候：按环节")
    if kind == "ecdf":
        assert {t.name for t in zh.data} == {"检验", "就诊", "未就诊离开"}
        assert zh.layout.yaxis.title.text == "累计比例"
    _same_data(en, zh)


def test_wait_figure_weekdays_transitions_calendar_and_static(small, zh_session):
    zh = wait_figure(small, by="weekday", level="visit", kind="box")  # session language
    _is_chinese(zh)
    assert set(zh.data[0].y) == {"周一", "周二", "周三", "周四", "周五", "周六", "周日"}
    assert zh.layout.yaxis.title.text == "星期"
    tr = wait_figure(small, level="transition", calendar={"daily": "00:00-23:59"})
    _is_chinese(tr)
    assert "分诊 → 检验" in set(tr.data[0].y)
    assert tr.layout.xaxis.title.text == "等候（开放时段分钟）"
    flow = wait_figure(journey.read_log(_small_log().drop(columns="start")), lang="zh")
    assert flow.layout.title.text == "流转时间：按环节"
    with warnings.catch_warnings():  # without a CJK font the glyphs are missing: not tested here
        warnings.simplefilter("ignore", UserWarning)
        fig = wait_figure(small, kind="ecdf", interactive=False)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("等候（分钟）", "累计比例")
    assert ax.get_legend().get_title().get_text() == "环节"
    en = wait_figure(small, kind="box", interactive=False, lang="en").axes[0]
    assert (en.get_xlabel(), en.get_ylabel()) == ("Wait (minutes)", "activity")


def test_target_attainment_figure(small, zh_session):
    res = target_attainment(small, limits={"Consultation": 30}, ed_standard=("急诊", 240))
    en = res.figure(lang="en")
    assert en.layout.title.text == "Target attainment with 95% Wilson CIs"
    assert {t.name for t in en.data} == {"Consultation ≤ 30 min",
                                         "急诊: arrival to departure ≤ 4 h"}
    for by in ("hour", "weekday"):
        zh = res.figure(by=by)
        _is_chinese(zh)
        assert {t.name for t in zh.data} == {"就诊前等候 ≤ 30 分钟", "急诊：到院至离院 ≤ 4 小时"}
        _same_data(res.figure(by=by, lang="en"), zh)
    assert list(zh.data[0].x) == ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    # the share drawn is the plain share of Consultation waits within 30 minutes
    d = _small_log().sort_values(["case_id", "start"])
    wait = (d.start - d.groupby("case_id").end.shift()).dt.total_seconds() / 60
    ok = wait[d.activity == "Consultation"] <= 30
    line = next(t for t in res.figure(by="weekday").data if t.name.startswith("就诊"))
    per_day = ok.groupby(d.start[d.activity == "Consultation"].dt.day_of_week).mean()
    np.testing.assert_allclose(np.asarray(line.y, float), per_day.to_numpy())


def test_left_unseen_figure(small, zh_session):
    res = left_unseen(small, seen="Consultation")
    en = res.figure(lang="en")
    assert en.layout.title.text == "Time from arrival to being seen"
    assert [t.name for t in en.data][1:] == [
        "95% pointwise CI (Greenwood, plain)", "Not yet seen (Kaplan–Meier, leavers censored)",
        "Seen (cumulative incidence)", "Left unseen (cumulative incidence)"]
    zh = res.figure()
    _is_chinese(zh)
    assert zh.layout.xaxis.title.text == "到院后分钟数"
    _same_data(en, zh)
    assert res.table.left[0] == 7  # k == 11 on the seven odd days


def test_wait_drivers_readings_and_figure(small, zh_session):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        en = wait_drivers(small, activity="Lab", lang="en", min_count=5)
        zh = wait_drivers(small, activity="Lab", min_count=5)
    pd.testing.assert_frame_equal(en.table.drop(columns="reading"),
                                  zh.table.drop(columns="reading"))
    for a, b in zip(en.table.reading, zh.table.reading, strict=True):
        assert any("\u4e00" <= c <= "\u9fff" for c in b) and not english_words([b]), b
        assert _numbers(a) == _numbers(b), (a, b)
    queue = zh.table[zh.table.term == "queue"].iloc[0]
    assert queue.reading.startswith("前面每多一名排队患者，检验前等候的中位数变化 "
                                    f"{queue.coef:+.1f} 分钟")
    fig_en = en.figure(lang="en")
    assert fig_en.layout.title.text == "What drives the wait (quantile regression, 95% CIs)"
    assert "queue" in set(fig_en.data[0].y)
    fig = en.figure()  # an English fit drawn in the session language
    _is_chinese(fig)
    assert "前面排队人数" in set(fig.data[0].y)
    assert {a.text for a in fig.layout.annotations} == {"分位数=0.5", "分位数=0.9"}
    _same_data(fig_en, fig)


# --------------------------------------------------------------------------- ITS and DiD
@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(4)
    t = np.arange(80)
    day = pd.date_range("2024-01-01", periods=80)
    a = 40 - 8 * (t >= 40) + rng.normal(0, 2, 80)
    b = 35 + rng.normal(0, 2, 80)
    return pd.concat([pd.DataFrame({"day": day, "g": "A", "wait_mean": a}),
                      pd.DataFrame({"day": day, "g": "B", "wait_mean": b})])


def test_its_figures(series, zh_session):
    one = series[series.g == "A"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = its(one, value="wait_mean", date="day", intervention="2024-02-10")
        cres = controlled_its(series, value="wait_mean", date="day", group="g", treated="A",
                              control="B", intervention="2024-02-10")
        dres = did(series, value="wait_mean", date="day", group="g", treated="A",
                   control="B", intervention="2024-02-10")
    en = res.figure(lang="en")
    assert [t.name for t in en.data][:3] == ["observed", "counterfactual 95% CI",
                                             "counterfactual"]
    assert en.layout.title.text == "Interrupted time series: wait_mean"
    zh = res.figure()
    _is_chinese(zh)
    assert zh.layout.title.text == "中断时间序列：等候均值(分钟)"
    assert zh.layout.yaxis.title.text == "等候均值(分钟)"
    assert [t.name for t in zh.data][:3] == ["观测值", "反事实 95%置信区间",
                                             "反事实（延续干预前趋势）"]
    _same_data(en, zh)
    # the counterfactual is the pre-period straight line carried on
    pre = one[one.day < "2024-02-10"]
    slope, intercept = np.polyfit(np.arange(40), pre.wait_mean, 1)
    np.testing.assert_allclose(np.asarray(zh.data[2].y, float),
                               intercept + slope * np.arange(40, 80), rtol=1e-9)
    custom = res.figure(title="自定义标题", y_title="分钟")
    assert (custom.layout.title.text, custom.layout.yaxis.title.text) == ("自定义标题", "分钟")
    ctrl = cres.figure()
    _is_chinese(ctrl)
    assert "对照组" in {t.name for t in ctrl.data}
    assert cres.figure(lang="en").data[0].name == "control"
    d = dres.figure()
    _is_chinese(d)
    assert [t.name for t in d.data if t.showlegend is not False] == [
        "干预组", "干预组均值", "对照组", "对照组均值"]
    assert dres.figure(lang="en").layout.title.text == "Difference-in-differences: wait_mean"
    _same_data(dres.figure(lang="en"), d)


# --------------------------------------------------------------------------- comparison
def _compare_log() -> pd.DataFrame:
    """Registration → Consultation in 内科 and 外科, eight weeks, closed on Sundays; 内科's
    wait drops by 20 minutes from the fifth week and peaks in the week before."""
    rng = np.random.default_rng(7)
    rows = []
    for dept in ("内科", "外科"):
        for d in range(56):
            day = T0 + pd.Timedelta(days=d)
            if day.weekday() == 6:
                continue
            after = dept == "内科" and d >= 28
            wait = 25 + rng.gamma(2, 10, 6) - (20 if after else 0) + (
                60 if dept == "内科" and 21 <= d < 28 else 0)
            for i in range(6):
                arrival = day + pd.Timedelta(hours=8 + i)
                seen = arrival + pd.Timedelta(minutes=5 + round(float(max(wait[i], 1))))
                case = f"{dept}{d:02d}{i}"
                rows += [(case, dept, "Registration", arrival, arrival + pd.Timedelta(minutes=5)),
                         (case, dept, "Consultation", seen, seen + pd.Timedelta(minutes=10))]
    return pd.DataFrame(rows, columns=["case_id", "department", "activity", "start", "end"])


def test_comparison_caveats_and_figure(zh_session):
    log = journey.read_log(_compare_log())
    args = {"intervention": T0 + pd.Timedelta(days=28), "metric": "wait_mean",
            "activity": "Consultation",
            "department": "内科", "control": "外科", "placebo": T0 + pd.Timedelta(days=14),
            "n_boot": 200}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        en = compare_periods(log, lang="en", **args)
        zh = compare_periods(log, **args)
    pd.testing.assert_frame_equal(en.table.drop(columns="caveats"),
                                  zh.table.drop(columns="caveats"))
    level = en.table.set_index("metric").caveats["level change (ITS)"]
    assert "regression to the mean" in level
    assert "向均值回归" in zh.table.set_index("metric").caveats["level change (ITS)"]
    assert en.table.caveats.str.len().gt(0).sum() >= 5
    for a, b in zip(en.table.caveats, zh.table.caveats, strict=True):
        assert len(a.split("; ")) == len(b.split("；")), (a, b)  # one caveat each
        assert _numbers(a) == _numbers(b), (a, b)
        assert not re.search(r"\b(the|before|after|visits)\b", b), b
    fig_en = en.figure(lang="en")
    assert fig_en.layout.title.text == "内科: daily mean wait before Consultation (minutes)"
    fig = zh.figure()
    _is_chinese(fig)
    assert fig.layout.title.text == "内科：每日就诊前等候均值（分钟）"
    assert zh.figure(title="标题").layout.title.text == "标题"
    _same_data(fig_en, fig)


# --------------------------------------------------------------------------- concentration
def test_concentration_figure(zh_session):
    values = [1, 1, 1, 1, 1, 1, 1, 1, 4, 8]
    rc = resource_concentration(values)
    en = rc.figure(lang="en")
    assert en.layout.title.text == "Gini 0.42; the top 20% use 60%"
    assert [t.name for t in en.data] == ["Lorenz curve", "Equality"]
    zh = rc.figure()
    _is_chinese(zh)
    assert zh.layout.title.text == "基尼系数 0.42；用量最多的前 20% 使用了 60% 的资源"
    _same_data(en, zh)
    # Gini from the mean absolute difference, by plain python
    x = np.array(values, float)
    gini = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert f"{gini:.2f}" in zh.layout.title.text


def test_case_mix_and_short_period_caveats():
    from journey.compare import _visit_rows

    rng = np.random.default_rng(3)
    days = pd.date_range(T0, periods=26)
    arrival = [d + pd.Timedelta(hours=(8 if d < days[20] else 14) + i) for d in days
               for i in range(5)]
    visits = pd.DataFrame({"case_id": range(len(arrival)), "arrival": arrival,
                           "value": rng.gamma(2, 10, len(arrival))})
    visits["hour"] = visits.arrival.dt.hour  # every hour shifts: total variation 1.00
    args = {"what": "wait", "n_boot": 200, "seed": 0, "alpha": 0.05, "extra": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        en = _visit_rows(visits, days[20], lang="en", **args)
        zh = _visit_rows(visits, days[20], lang="zh", **args)
    assert en[0]["caveats"][1] == "fewer than 10 days in the after period"
    assert zh[0]["caveats"][1] == "改变后不足 10 天：按天重抽样的自助法置信区间不可靠"
    assert en[2]["caveats"][1] == (
        "the mix of hour (total variation 1.00) changed between the periods: if the "
        "intervention changed it, adjusting for it removes part of the effect")
    assert zh[2]["caveats"][1].startswith(
        "以下构成在两个时期之间发生了变化：时段(时)（总变差距离 1.00）")
    for a, b in zip(en, zh, strict=True):
        assert a["change"] == b["change"] and len(a["caveats"]) == len(b["caveats"])
        assert _numbers(" ".join(a["caveats"])) == _numbers(" ".join(b["caveats"]))


def test_importance_performance_names_dimensions_in_chinese_and_takes_a_title():
    surveys = pd.DataFrame({"medical_quality": [1, 2, 3, 4, 5], "humanistic_care": [2, 2, 3, 5, 4],
                            "overall": [1, 2, 4, 4, 5]})
    ipa = journey.importance_performance(surveys, attributes=["medical_quality",
                                                              "humanistic_care"])
    zh = ipa.figure(lang="zh", title="内科")
    assert list(zh.data[0].text) == ["医疗技术质量", "人文关怀"] and zh.layout.title.text == "内科"
    assert list(ipa.figure(lang="en").data[0].text) == ["Medical quality", "Humanistic care"]
    assert list(ipa.figure({"medical_quality": "MQ"}, lang="zh").data[0].text)[0] == "MQ"


def test_what_if_figure_names_the_baseline_in_chinese_and_takes_a_title():
    from journey.simulate import Scenario, what_if

    res = what_if(Scenario.baseline().with_staff("Lab", hours=[9, 10], change=+2),
                  replications=2, days=2, progress=False)
    assert "与 基线 对比" in res.figure(lang="zh").layout.title.text
    assert "vs baseline" in res.figure(lang="en").layout.title.text
    assert res.figure(title="检验加 2 人").layout.title.text == "检验加 2 人"
