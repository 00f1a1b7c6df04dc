"""compare_periods: simulated logs with known effects, cross-checked against plain computations;
and the sample hospital against the true effects stored with it."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import journey
from journey.compare import PeriodComparison
from journey.compare import compare_periods as _compare_periods

START = pd.Timestamp("2025-01-06")  # a Monday
CHANGE = START + pd.Timedelta(days=28)
IM, SU = "Internal Medicine", "Surgery"


def compare_periods(*args, **kwargs):
    """The department and touchpoint these fixtures study: compare_periods has no defaults."""
    return _compare_periods(*args, **{"department": IM, "activity": "Consultation", **kwargs})


SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def _log(seed=0, *, effect=-20.0, days=56, per_day=15, peak=0.0, trend=0.0):
    """Registration → Consultation visits, closed on Sundays.

    From CHANGE, Internal Medicine waits drop by ``effect`` and its arrivals spread over the
    day (as time slots do); ``peak`` raises its waits in the last week before the change;
    ``trend`` adds a per-day drift to Surgery's waits.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for dept in (IM, SU):
        for d in range(days):
            day = START + pd.Timedelta(days=d)
            if day.weekday() == 6:
                continue
            after = dept == IM and day >= CHANGE
            hours = rng.uniform(7, 16 if after else 9, per_day)
            wait = 25 + rng.gamma(2, 10, per_day) + (effect if after else 0) + (
                trend * d if dept == SU else 0)
            if dept == IM and 21 <= d < 28:
                wait = wait + peak
            wait = np.round(np.clip(wait, 1, None) * 60) / 60  # whole seconds
            for i in range(per_day):
                arrival = day + pd.Timedelta(hours=hours[i]).round("s")
                reg_end = arrival + pd.Timedelta(minutes=5)
                seen = reg_end + pd.Timedelta(minutes=wait[i])
                case = f"{dept[0]}{d:02d}{i:02d}"
                rows += [(case, dept, "Registration", arrival, reg_end),
                         (case, dept, "Consultation", seen, seen + pd.Timedelta(minutes=10))]
    return pd.DataFrame(rows, columns=["case_id", "department", "activity", "start", "end"])


def _plain_waits(df):
    """Per visit: department, arrival and the wait before Consultation (plain pandas)."""
    reg = df[df["activity"] == "Registration"].set_index("case_id")
    con = df[df["activity"] == "Consultation"].set_index("case_id")
    out = pd.DataFrame({"department": reg["department"], "arrival": reg["start"],
                        "wait": (con["start"] - reg["end"]).dt.total_seconds() / 60})
    out["day"] = out["arrival"].dt.normalize()
    return out


def _quiet(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compare_periods(**kwargs)


@pytest.fixture(scope="module")
def known():
    df = _log(5)
    log = journey.read_log(df)
    res = _quiet(log=log, intervention=CHANGE, metric="wait_mean", control=SU,
                 placebo=START + pd.Timedelta(days=14), n_boot=300)
    return df, log, res


def _row(res, start):
    rows = res.table[res.table["metric"].str.startswith(start)]
    assert len(rows) == 1, start
    return rows.iloc[0]


def _covers(row, value):
    return row["ci_low"] <= value <= row["ci_high"]


def test_table_shape_and_known_effect(known):
    _, _, res = known
    assert isinstance(res, PeriodComparison)
    assert list(res.table.columns) == ["metric", "before", "after", "change", "ci_low",
                                       "ci_high", "p_value", "method", "caveats"]
    assert res.table["metric"].is_unique and len(res.table) == 13
    for start in ("average effect after (ITS)", "level change (ITS)",
                  "average effect after vs Surgery", "difference-in-differences",
                  "median change (day-block bootstrap)"):
        row = _row(res, start)
        assert _covers(row, -20) and row["ci_high"] < 0, start
    assert _covers(_row(res, "placebo level change"), 0)
    assert _covers(_row(res, "pre-trend difference"), 0)
    assert _covers(_row(res, "slope change"), 0)
    assert _row(res, "probability a visit's wait is shorter")["change"] > 0.6
    assert res.measure == "daily mean wait before Consultation (minutes)"


def _open_daily(df, dept):
    w = _plain_waits(df)
    daily = w[w["department"] == dept].groupby("day")["wait"].mean()
    return daily  # Sundays are simply absent: no visits


def _plain_newey_west(x, resid, lags):
    """Newey–West covariance with Bartlett weights and the n/(n−k) correction, in numpy."""
    n, k = x.shape
    u = x * resid[:, None]
    s = u.T @ u
    for lag in range(1, lags + 1):
        g = u[lag:].T @ u[:-lag]
        s += (1 - lag / (lags + 1)) * (g + g.T)
    bread = np.linalg.inv(x.T @ x)
    return bread @ s @ bread * n / (n - k)


def test_its_rows_match_plain_segmented_regression_in_open_days(known):
    df, _, res = known
    daily = _open_daily(df, IM)
    y = daily.to_numpy()
    t = np.arange(len(y), dtype=float)
    post = (daily.index >= CHANGE).astype(float)
    t0 = t[post == 1][0]
    x = np.column_stack([np.ones_like(t), t, post, (t - t0) * post])
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    cov = _plain_newey_west(x, y - x @ beta, lags=int(np.floor(4 * (len(y) / 100) ** (2 / 9))))
    c = np.array([0, 0, 1, ((t - t0) * post)[post == 1].mean()])
    est, se = c @ beta, np.sqrt(c @ cov @ c)
    crit = stats.t.ppf(0.975, len(y) - 4)
    row = _row(res, "average effect after (ITS)")
    np.testing.assert_allclose([row["change"], row["ci_low"], row["ci_high"]],
                               [est, est - crit * se, est + crit * se], rtol=1e-8)
    np.testing.assert_allclose(_row(res, "level change (ITS)")["change"], beta[2], rtol=1e-8)
    np.testing.assert_allclose([row["before"], row["after"]],
                               [y[post == 0].mean(), y[post == 1].mean()])
    assert res.its_result.series["date"].tolist() == daily.index.tolist()  # real dates back
    closed = len(pd.date_range(daily.index[0], daily.index[-1])) - len(daily)  # Sundays
    assert closed == 7 and f"{closed} period(s) without visits left out" in row["caveats"]


def test_did_row_is_the_difference_of_four_means(known):
    df, _, res = known
    a, b = _open_daily(df, IM), _open_daily(df, SU)
    after = a.index >= CHANGE
    expected = (a[after].mean() - a[~after].mean()) - (b[after].mean() - b[~after].mean())
    row = _row(res, "difference-in-differences")
    assert row["change"] == pytest.approx(expected, rel=1e-10)
    assert row["after"] - row["before"] == pytest.approx(expected, rel=1e-10)


def test_quantile_rows_match_plain_per_visit_frames(known):
    df, _, res = known
    w = _plain_waits(df)
    w = w[w["department"] == IM]
    after = w["arrival"] >= CHANGE
    row = _row(res, "median change (day-block bootstrap)")
    assert row["before"] == pytest.approx(w.loc[~after, "wait"].median())
    assert row["after"] == pytest.approx(w.loc[after, "wait"].median())
    boot = journey.bootstrap_quantile_change(w, value="wait", date="arrival",
                                             intervention=CHANGE, n_boot=300)
    np.testing.assert_allclose(row[["change", "ci_low", "ci_high"]].astype(float),
                               boot.loc[0, ["estimate", "ci_low", "ci_high"]].astype(float))
    assert len(res.visits) == len(w)
    # arrivals spread over the day after the change: hour is flagged as a possible mediator
    adjusted = _row(res, "median change adjusted for case mix")
    assert "the mix of hour" in adjusted["caveats"]
    assert "plain before/after" in row["caveats"]


def test_spc_is_rebased_at_the_intervention(known):
    df, _, res = known
    daily = _open_daily(df, IM)
    chart = res.spc()
    assert len(chart.summary) == 2
    assert chart.summary["start"].tolist() == [daily.index[0], CHANGE]
    after = daily.index >= CHANGE
    np.testing.assert_allclose(chart.summary["mean"],
                               [daily[~after].mean(), daily[after].mean()])
    seen = chart.table[chart.table["point_type"] != "gap"]
    assert len(seen) == len(daily)  # closed days are gaps, not plotted as zeros
    assert chart.table.loc[chart.table["point_type"] == "gap", "value"].isna().all()
    assert chart.options["improvement"] == "decrease"


def test_figure_and_map_comparison(known):
    df, _, res = known
    fig = res.figure()
    assert fig.layout.yaxis.title.text == res.measure
    tr = res.map_comparison.transitions_change.set_index(["source", "target"])
    w = _plain_waits(df)
    w = w[w["department"] == IM]
    after = w["arrival"] >= CHANGE
    expected = w.loc[after, "wait"].median() - w.loc[~after, "wait"].median()
    assert tr.loc[("Registration", "Consultation"), "wait_median_change"] == pytest.approx(
        expected)


def test_regression_to_the_mean_and_few_points_are_flagged():
    log = journey.read_log(_log(1, peak=60.0, per_day=8))
    res = _quiet(log=log, intervention=CHANGE, metric="wait_mean", n_boot=100, case_mix=())
    assert "regression to the mean" in _row(res, "level change (ITS)")["caveats"]
    weekly = _quiet(log=log, intervention=CHANGE, metric="wait_mean", freq="W", n_boot=100,
                    case_mix=())
    assert "few points (4 before, 4 after" in _row(weekly, "level change (ITS)")["caveats"]


def test_diverging_pre_trends_are_flagged():
    log = journey.read_log(_log(2, effect=0.0, trend=1.0, per_day=8))
    res = _quiet(log=log, intervention=CHANGE, metric="wait_mean", control=SU, n_boot=100,
                 case_mix=())
    trend = _row(res, "pre-trend difference")
    assert trend["ci_high"] < 0  # control rises 1 min/day relative to treated
    assert "parallel-trends check failed" in _row(res, "difference-in-differences")["caveats"]


def test_proportions_get_a_p_chart_and_no_quantile_rows():
    log = journey.read_log(_log(3, per_day=6))
    res = _quiet(log=log, intervention=CHANGE, metric="within_target", target=30, n_boot=100)
    assert res.visits.empty
    assert not res.table["metric"].str.contains("bootstrap").any()
    assert res.spc().options["chart"] == "p"
    assert res.spc().options["improvement"] == "increase"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"department": "Cardiology"}, "has no visits with this measure"),
    ({"control": "Ward 3"}, "has no visits with this measure"),
    ({"placebo": "2025-03-01"}, "must fall before the intervention"),
])
def test_errors_say_how_to_fix(known, kwargs, message):
    _, log, _ = known
    with pytest.raises(journey.JourneyError, match=message):
        compare_periods(log, intervention=CHANGE, metric="wait_mean", n_boot=100, **kwargs)


# --------------------------------------------------------------------------- sample hospital
@pytest.fixture(scope="module")
def sample():
    if not (SAMPLE / "truth.json").exists():
        pytest.skip("data/sample not generated")
    truth = json.loads((SAMPLE / "truth.json").read_text())["intervention"]
    return journey.read_log(SAMPLE / "visits.csv"), truth


def test_sample_mean_wait_change_covers_the_truth(sample):
    log, truth = sample
    true = truth["true_effect_after"][IM]["mean_wait_before_consultation_min"]
    when = pd.Timestamp(truth["date"])
    res = _quiet(log=log, intervention=when, metric="wait_mean", control=truth["control"],
                 placebo=when - pd.Timedelta(weeks=4), n_boot=200, case_mix=())
    assert _covers(_row(res, "average effect after (ITS)"), true)
    assert _covers(_row(res, "difference-in-differences"), true)
    assert _covers(_row(res, "placebo level change"), 0)


def test_sample_median_wait_change_covers_the_truth(sample):
    log, truth = sample
    true = truth["true_effect_after"][IM]["median_wait_before_consultation_min"]
    when = pd.Timestamp(truth["date"])
    res = _quiet(log=log, intervention=when, metric="wait_median",
                 placebo=when - pd.Timedelta(weeks=4), n_boot=200, case_mix=())
    assert _covers(_row(res, "average effect after (ITS)"), true)
    assert _covers(_row(res, "placebo level change"), 0)


def test_sample_control_department_shows_no_effect(sample):
    log, truth = sample
    res = _quiet(log=log, intervention=truth["date"], metric="wait_mean",
                 department=truth["control"], n_boot=200, case_mix=())
    assert _covers(_row(res, "average effect after (ITS)"), 0)
    assert _covers(_row(res, "median change (day-block bootstrap)"), 0)


def test_an_intervention_outside_the_log_is_refused(known):
    _, log, _ = known
    with pytest.raises(journey.JourneyError, match="leaves 48 period"):
        compare_periods(log, intervention="2025-06-01", metric="wait_mean", n_boot=100)


def test_level_only_and_seasonal_models_match_plain_regressions(known):
    """slope_change=False: the ITS rows of a step model; seasonality="weekday": weekday
    dummies on the true day index (closed Sundays are gaps), both against plain OLS."""
    df, log, _ = known
    daily = _open_daily(df, IM)
    y = daily.to_numpy()
    post = (daily.index >= CHANGE).astype(float)
    res = _quiet(log=log, intervention=CHANGE, metric="wait_mean", control=SU, case_mix=[],
                 slope_change=False, placebo=START + pd.Timedelta(days=14), n_boot=200)
    assert not res.table["metric"].str.startswith("slope change").any()
    assert res.its_result.slope_change is None and res.options["slope_change"] is False
    t = np.arange(len(y), dtype=float)
    x = np.column_stack([np.ones_like(t), t, post])
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    level, average = _row(res, "level change (ITS)"), _row(res, "average effect after (ITS)")
    assert level["change"] == pytest.approx(beta[2]) == average["change"]
    assert "level-only model" in average["method"]
    assert _covers(level, -20) and _covers(_row(res, "placebo level change"), 0)
    seasonal = _quiet(log=log, intervention=CHANGE, metric="wait_mean", case_mix=[],
                      seasonality="weekday", n_boot=200)
    true_t = ((daily.index - daily.index[0]).days).to_numpy(dtype=float)
    t0 = true_t[post == 1][0]
    weekday = pd.get_dummies(daily.index.day_of_week, drop_first=True, dtype=float).to_numpy()
    x = np.column_stack([np.ones_like(true_t), true_t, post, (true_t - t0) * post, weekday])
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    assert _row(seasonal, "level change (ITS)")["change"] == pytest.approx(beta[2])
    assert seasonal.its_result.model.model.exog[:, 1] == pytest.approx(true_t)
    assert seasonal.options["seasonality"] == "weekday"
    note = seasonal.its_result.summary.loc["baseline_level", "note"]
    assert note == "level at the first period on the reference weekday (Monday)"
