"""Chinese plain-language texts: readings, notes and warnings of experience, effects, SPC, ITS
and the visit table. Chinese carries the same numbers as English, English is unchanged, and the
session language is the default."""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import journey
from journey.control_charts import spc
from journey.effects import bootstrap_quantile_change, probability_of_superiority, quantile_change
from journey.errors import JourneyError
from journey.experience import experience_vs_journey, friends_and_family, nps, satisfaction_scores
from journey.impact import controlled_its, did, its
from journey.loyalty import complaint_summary
from journey.visits import join_experience, visit_table

sys.path.insert(0, str(Path(__file__).parent))
from test_effects import CHANGE, _visits
from test_its import START, _did_frame, _gaussian
from test_visits import hand_log

# a number, signed only when the sign is not part of a word ("lag-1" is 1, " -0.58" is -0.58)
_NUMBER = re.compile(r"(?:(?<![\w)])[-+])?\d+(?:\.\d+)?(?:e[-+]\d+)?")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _numbers(text: str) -> list[str]:
    return sorted(_NUMBER.findall(text))


def _same(en: list[str], zh: list[str]) -> None:
    """Every Chinese text has Chinese in it and the numbers of its English text."""
    assert len(en) == len(zh)
    for a, b in zip(en, zh, strict=True):
        assert not _CJK.search(a), a
        if a:
            assert _CJK.search(b), b
        else:
            assert b == ""
        assert _numbers(a) == _numbers(b), (a, b)


def _warned(fn) -> tuple[object, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [str(w.message) for w in caught]


# --------------------------------------------------------------------------- experience
VISITS = pd.DataFrame({"case_id": list("abcdefghij"),
                       "total_wait_h": [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 1, 2],
                       "rework": [0, 1, 0, 0, 1, 0, 1, 0, 0, 1],
                       "age": [30, 40, 50, 60, 70, 35, 45, 55, 65, 75]})
SURVEYS = pd.DataFrame({"case_id": list("abcdefghij"), "overall": [5, 5, 4, 4, 4, 3, 3, 2, 5, 3]})
READINGS_EN = [
    "Each extra hour of total wait goes with a 0.82-point lower overall (95% CI -1.07 to -0.58),"
    " other predictors held fixed.",
    "Visits with rework score 0.17 points higher on overall than visits without (95% CI -0.60 to "
    "+0.94), other predictors held fixed. The interval includes 0: no clear association.",
    "Each 1-unit increase in age goes with a 0.01-point lower overall (95% CI -0.04 to +0.03), "
    "other predictors held fixed. The interval includes 0: no clear association.",
]


def _readings(**kw) -> list[str]:
    m = experience_vs_journey(SURVEYS, VISITS, predictors=["total_wait_h", "rework", "age"], **kw)
    return m.table["reading"].tolist()


def test_experience_readings(zh_session):
    en, zh = _readings(lang="en"), _readings(lang="zh")
    assert en == READINGS_EN
    _same(en, zh)
    assert zh == _readings()  # the session language
    assert zh[0] == ("总等候时间每增加一小时，总体评价低 0.82 分（95%置信区间 -1.07 至 -0.58），"
                     "其他因素保持不变。")
    assert zh[1].startswith("有重复环节的就诊，总体评价比没有的高 0.17 分")
    assert zh[1].endswith("置信区间包含 0：没有明确的关联。") and "没有明确" not in zh[0]
    # the coefficient and its HC3 interval by hand (normal quantile, as statsmodels' default)
    x = np.column_stack([np.ones(10), VISITS.total_wait_h, VISITS.rework, VISITS.age])
    y = SURVEYS.overall.to_numpy(float)
    bread = np.linalg.inv(x.T @ x)
    beta = bread @ x.T @ y
    h = np.einsum("ij,jk,ik->i", x, bread, x)
    e = y - x @ beta
    se = np.sqrt(np.diag(bread @ (x.T * (e / (1 - h)) ** 2) @ x @ bread))
    for text, b, s in zip(zh, beta[1:], se[1:], strict=True):
        assert f"{abs(b):.2f} 分" in text
        assert f"{b - 1.959964 * s:+.2f} 至 {b + 1.959964 * s:+.2f}" in text


def test_suppression_notes(zh_session):
    s = pd.DataFrame({"department": ["ED"] * 6 + ["Eye"] * 3,
                      "medical_quality": [5, 4, 5, 3, 5, None, 4, 4, 5],
                      "overall": [5, 4, 4, 3, 5, 2, 5, 4, 4]})
    en = satisfaction_scores(s, by="department", lang="en")
    zh = satisfaction_scores(s, by="department")
    # rows with fewer than 5 answers, counted by hand: Eye's two dimensions
    small = [int(s.loc[s.department == d, c].notna().sum()) < 5
             for d in ("ED", "Eye") for c in ("medical_quality", "overall")]
    assert en["note"].tolist() == ["suppressed: fewer than 5 respondents" if m else ""
                                   for m in small]
    assert zh["note"].tolist() == ["已隐藏：应答人数少于 5" if m else "" for m in small]
    _same(en["note"].tolist(), zh["note"].tolist())
    pd.testing.assert_frame_equal(en.drop(columns="note"), zh.drop(columns="note"))
    scores = pd.DataFrame({"g": list("aaaaab"), "recommend": [10, 9, 8, 0, 5, 7]})
    assert nps(scores, by="g", lang="en")["note"].tolist() == [
        "", "suppressed: fewer than 5 respondents"]
    assert nps(scores, by="g")["note"].tolist() == ["", "已隐藏：应答人数少于 5"]
    fft = friends_and_family(["Likely"] * 3, min_count=4)
    assert fft["note"].item() == "已隐藏：应答人数少于 4"
    # complaint tables share the note and follow the session language
    t0 = pd.Timestamp("2024-03-01")
    complaints = pd.DataFrame({"complaint_id": range(7), "received": t0,
                               "category": ["process"] * 5 + ["care"] * 2,
                               "activity": "Payment", "responded": None, "resolved": None})
    t = complaint_summary(complaints, pd.DataFrame({"case_id": range(500)}), by="category",
                          as_of=t0 + pd.Timedelta("3D"))
    assert t.set_index("category").loc["care", "note"] == "已隐藏：投诉数少于 5"
    with pytest.raises(JourneyError):
        nps(scores, lang="fr")


# --------------------------------------------------------------------------- effects
def test_effect_notes(zh_session):
    short = _visits(7, n_days=12)  # 6 days before, 6 after, 25 visits a day
    cut = pd.Timestamp("2024-03-07")
    args = {"value": "wait", "date": "when", "intervention": cut, "n_boot": 200}
    en, w_en = _warned(lambda: bootstrap_quantile_change(short, lang="en", **args))
    zh, w_zh = _warned(lambda: bootstrap_quantile_change(short, **args))
    days = short.when.dt.normalize()
    before, after = short.when < cut, short.when >= cut
    n0, n1 = int(before.sum()), int(after.sum())
    k0, k1 = days[before].nunique(), days[after].nunique()
    assert en["note"].tolist() == [f"after − before; before: {n0} values in {k0} days, after: "
                                   f"{n1} values in {k1} days"] * 2
    assert zh["note"].tolist() == [f"改变后 − 改变前；改变前：{n0} 个值，来自 {k0} 天；改变后："
                                   f"{n1} 个值，来自 {k1} 天"] * 2
    # the few-days warning stays English: compare_periods reads and translates it
    assert w_en == w_zh == ["fewer than 10 days in the before period: the cluster bootstrap CI "
                            "is unreliable with so few clusters."]
    pd.testing.assert_frame_equal(en.drop(columns="note"), zh.drop(columns="note"))
    long = _visits(1)
    for cluster in (None, "hour"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nine hour clusters: the few-clusters warning
            pair = [bootstrap_quantile_change(long, value="wait", date="when", n_boot=200,
                                              intervention=CHANGE, cluster=cluster,
                                              lang=lang)["note"].tolist()
                    for lang in ("en", "zh")]
        _same(*pair)
    sup = [probability_of_superiority(short, value="wait", date="when", intervention=cut,
                                      lang=lang)["note"].item() for lang in ("en", None)]
    assert sup[0] == (f"P(after < before) + ½P(tie) for wait; 0.5 = no shift; not a median "
                      f"test; {n0} before, {n1} after; assumes independent visits")
    _same(sup[:1], sup[1:])
    qc = [quantile_change(long, value="wait", date="when", intervention=CHANGE,
                          covariates=["hour"], lang=lang)["note"].tolist() for lang in ("en", "zh")]
    m0, m1 = int((long.when < CHANGE).sum()), int((long.when >= CHANGE).sum())
    assert qc[0][1] == (f"change in the P90 of wait after vs before at fixed case mix; "
                        f"{m0} before, {m1} after; visits are not independent (visits of a "
                        "day share its conditions): interval optimistic")
    assert "置信区间偏乐观" in qc[1][1]
    _same(*qc)
    assert "P90" in qc[1][1]


# --------------------------------------------------------------------------- SPC
def test_spc_trial_limit_warning(zh_session):
    data = pd.DataFrame({"day": pd.date_range("2024-01-01", periods=20),
                         "y": [1, 2, 3, 2, 1, 2] + [2] * 14})
    args = {"value": "y", "date": "day", "rebase": ["2024-01-07"]}
    en, w_en = _warned(lambda: spc(data, lang="en", **args))
    zh, w_zh = _warned(lambda: spc(data, **args))
    # group 1 has 6 points, group 2 has 14: only group 1 is under the 13-point threshold
    assert (data.day < "2024-01-07").sum() == 6
    assert w_en == ["rebase group(s) [1] have fewer than 13 points: their limits are trial "
                    "limits, to be revised as points are added."]
    assert w_zh == ["重设分组 [1] 的数据点少于 13 个：其控制限为试用控制限，"
                    "应随数据点增加重新计算。"]
    _same(w_en, w_zh)
    pd.testing.assert_frame_equal(en.table, zh.table)


# --------------------------------------------------------------------------- ITS, DiD
def test_its_notes_and_autocorrelation_warning(zh_session):
    df = _gaussian(2, rho=0.9)
    args = {"value": "y", "date": "day", "intervention": "2024-03-16"}
    en, w_en = _warned(lambda: its(df, lang="en", **args))
    zh, w_zh = _warned(lambda: its(df, **args))
    post = int((df.day >= "2024-03-16").sum())
    assert en.table["note"].iloc[4] == (f"fitted vs counterfactual at the last period, "
                                        f"{post - 1} periods after the start")
    assert zh.table["note"].iloc[4] == f"最后一期拟合值与反事实值之差，距干预开始 {post - 1} 期"
    _same(en.table["note"].tolist(), zh.table["note"].tolist())
    _same(en.diagnostics["note"].tolist(), zh.diagnostics["note"].tolist())
    pd.testing.assert_frame_equal(en.table.drop(columns="note"), zh.table.drop(columns="note"))
    d = en.diagnostics.set_index("test")
    lb, dw = d.loc["Ljung–Box", "p_value"], d.loc["Durbin–Watson", "statistic"]
    e = en.model.resid
    assert dw == pytest.approx(np.sum(np.diff(e) ** 2) / np.sum(e**2))
    assert w_en == [f"the residuals look autocorrelated (Ljung–Box p = {lb:.3g} at 10 lags, "
                    f"Durbin–Watson = {dw:.2f}): the HAC standard errors allow for it up to "
                    f"{en.options['hac_lags']} lags; if it persists at longer lags, raise "
                    "hac_lags. Seasonality not in the model (seasonality='weekday' or "
                    "harmonics) is a common cause."]
    assert w_zh[0].startswith(f"残差似乎存在自相关（Ljung–Box 检验 p = {lb:.3g}，滞后 10 期；")
    _same(w_en, w_zh)
    rng = np.random.default_rng(3)
    counts = pd.DataFrame({"day": pd.date_range(START, periods=60),
                           "n": rng.poisson(20 + 15 * np.sin(np.arange(60) / 3))})
    pair = [_warned(lambda lang=lang: its(counts, value="n", date="day", family="quasipoisson",
                                          intervention=START + pd.Timedelta(days=30),
                                          lang=lang))[1] for lang in ("en", "zh")]
    assert "quasi-Poisson CIs assume independent periods" in pair[0][0]
    assert "准泊松" in pair[1][0]
    _same(*pair)


def test_controlled_its_and_did_notes(zh_session):
    df, start = _did_frame(1)
    args = {"value": "v", "date": "day", "group": "g", "treated": "T", "control": "C",
            "intervention": start}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c_en, c_zh = (controlled_its(df, lang=lang, **args) for lang in ("en", None))
    assert c_en.table["note"].iloc[0] == "level at the first period (treated − control difference)"
    assert c_zh.table["note"].iloc[0] == "第一期的水平（干预组 − 对照组之差）"
    _same(c_en.table["note"].tolist(), c_zh.table["note"].tolist())
    d_en, d_zh = (did(df, lang=lang, **args) for lang in ("en", None))
    assert d_en.table["note"].tolist() == [
        "effect under parallel trends; not cluster-robust: only 2 groups (clusters)",
        "treated − control slope per period before the intervention; 0 under parallel trends"]
    _same(d_en.table["note"].tolist(), d_zh.table["note"].tolist())
    diverging, start = _did_frame(2, pre_slope_gap=0.3)
    args["intervention"] = start
    (res, w_en), (_, w_zh) = (_warned(lambda lang=lang: did(diverging, lang=lang, **args))
                              for lang in ("en", "zh"))
    pre = res.series[~res.series["post"]]
    slope = np.polyfit(np.arange(len(pre)), pre["difference"], 1)[0]
    lo, hi = res.parallel_trends[["ci_low", "ci_high"]]
    assert w_en == [f"the groups' trends differed before the intervention (treated − control "
                    f"slope {slope:.3g} per period, 95% CI {lo:.3g} to {hi:.3g}): the "
                    "parallel-trends assumption behind the DiD is doubtful. controlled_its() "
                    "models the differing trend."]
    assert w_zh[0].startswith(f"两组在干预前的趋势就不同（干预组 − 对照组斜率每期 {slope:.3g}，")
    _same(w_en, w_zh)


# --------------------------------------------------------------------------- visits
def test_visit_table_and_join_notes(zh_session):
    log = journey.read_log(hand_log())
    en, zh = (visit_table(log, lang=lang).attrs["notes"] for lang in ("en", None))
    # a's Lab starts before its Payment ends, c's Imaging before its Lab ends; b has no charges
    assert en == [
        "total_wait_h is the sum of waits before each touchpoint (start minus the end of the "
        "touchpoint before it)",
        "2 touchpoints started before the previous one ended (overlap); they add no wait",
        "1 visits without any charge value"]
    assert zh[1:] == ["2 个环节在前一环节结束前就已开始（重叠）；它们不计入等候",
                      "1 次就诊没有任何费用值"]
    _same(en, zh)
    flow = journey.read_log(hand_log().drop(columns="start"))
    en, zh = (visit_table(flow, flags={"admitted": "Nope"}, lang=lang).attrs["notes"]
              for lang in ("en", "zh"))
    assert "flow times" in en[0] and "流转时间" in zh[0]
    assert en[2] == ("no visit has 'Nope': admitted is False for every visit; pass the log's "
                     "name for it (admitted=...)")
    _same(en, zh)
    v = pd.DataFrame({"case_id": ["a", "b", "c"]})
    sides = {"surveys": pd.DataFrame({"case_id": ["a", "a", "z"]}),
             "complaints": pd.DataFrame({"case_id": ["c", "y", "x"]}),
             "followup_calls": pd.DataFrame({"case_id": ["q"]})}
    en, zh = (join_experience(v, **sides, lang=lang).attrs["notes"] for lang in ("en", None))
    assert en == ["1 surveys for a case_id not in visits left out",
                  "1 further surveys of a visit left out (the first survey of each visit is used)",
                  "2 complaints for a case_id not in visits left out",
                  "1 followup_calls for a case_id not in visits left out"]
    assert zh[2] == "已剔除 2 条 case_id 不在 visits 中的投诉记录"
    _same(en, zh)
