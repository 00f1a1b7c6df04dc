"""Distribution comparisons of waits: known shifts, plain re-computations, QuantReg cross-check."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.regression.quantile_regression import QuantReg

from journey.effects import (
    bootstrap_quantile_change,
    probability_of_superiority,
    quantile_change,
)
from journey.errors import JourneyError
from journey.impact import COLUMNS

CHANGE = pd.Timestamp("2024-03-21")


def _visits(seed, *, n_days=40, per_day=25, shift=-10.0, day_sd=0.0):
    """Waits = day effect + gamma noise (+ shift after CHANGE); one row per visit."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-03-01", periods=n_days)
    day_effect = rng.normal(0, day_sd, n_days) if day_sd else np.zeros(n_days)
    rows = np.repeat(np.arange(n_days), per_day)
    hour = rng.integers(8, 17, len(rows))
    when = days[rows] + pd.to_timedelta(hour, unit="h")
    wait = 40 + day_effect[rows] + rng.gamma(2.0, 10.0, len(rows))
    wait = wait + shift * (when >= CHANGE)
    return pd.DataFrame({"when": when, "wait": wait, "hour": hour})


def _boot(df, **kwargs):
    kwargs.setdefault("date", "when")
    kwargs.setdefault("intervention", CHANGE)
    kwargs.setdefault("n_boot", 400)
    return bootstrap_quantile_change(df, value="wait", **kwargs).set_index("metric")


def test_bootstrap_covers_a_known_shift():
    # a pure shift of −10 minutes moves every quantile by −10
    res = _boot(_visits(1, day_sd=3.0))
    for metric in ("p50_change", "p90_change"):
        assert res.loc[metric, "ci_low"] <= -10 <= res.loc[metric, "ci_high"], metric
    assert list(res.reset_index().columns) == [*COLUMNS, "before", "after"]


def test_bootstrap_estimates_equal_plain_quantiles():
    df = _visits(2)
    res = _boot(df)
    before = df.loc[df["when"] < CHANGE, "wait"]
    after = df.loc[df["when"] >= CHANGE, "wait"]
    for q in (0.5, 0.9):
        row = res.loc[f"p{100 * q:g}_change"]
        assert row["before"] == pytest.approx(np.quantile(before, q))
        assert row["after"] == pytest.approx(np.quantile(after, q))
        assert row["estimate"] == pytest.approx(np.quantile(after, q) - np.quantile(before, q))
    assert "500 values in 20 days" in res["note"].iloc[0]


def test_bootstrap_is_reproducible_with_a_seed():
    df = _visits(3)
    pd.testing.assert_frame_equal(_boot(df, seed=5), _boot(df, seed=5))
    assert not _boot(df, seed=5)["ci_low"].equals(_boot(df, seed=6)["ci_low"])


def test_day_resampling_is_wider_than_naive_when_days_are_correlated():
    df = _visits(4, day_sd=8.0)
    by_day = _boot(df, cluster="day")
    naive = _boot(df, cluster=None)
    width = lambda r: r["ci_high"] - r["ci_low"]  # noqa: E731
    assert (width(by_day) > width(naive)).all()
    assert width(by_day)["p50_change"] > 1.5 * width(naive)["p50_change"]
    assert "whole days" in by_day["method"].iloc[0]
    assert "single visits" in naive["method"].iloc[0]
    # without day effects the two agree roughly
    flat = _visits(4)
    ratio = width(_boot(flat, cluster="day")) / width(_boot(flat, cluster=None))
    assert ratio.between(0.7, 1.4).all()


def test_bootstrap_coverage_of_the_day_bootstrap():
    hits = []
    for seed in range(20):
        r = _boot(_visits(100 + seed, day_sd=6.0, per_day=15), n_boot=300)
        hits.append(r.loc["p50_change", "ci_low"] <= -10 <= r.loc["p50_change", "ci_high"])
    assert np.mean(hits) >= 0.8


def _plain_superiority(before, after):
    wins = ties = 0
    for x in before:
        for y in after:
            wins += y < x
            ties += y == x
    return (wins + 0.5 * ties) / (len(before) * len(after))


def test_probability_of_superiority_equals_pairwise_count():
    rng = np.random.default_rng(8)
    before = rng.integers(10, 60, 60)  # whole minutes: many ties
    after = rng.integers(5, 50, 45)
    df = pd.DataFrame({"period": ["before"] * 60 + ["after"] * 45,
                       "wait": np.concatenate([before, after])})
    row = probability_of_superiority(df, value="wait", period="period").iloc[0]
    assert row["estimate"] == pytest.approx(_plain_superiority(before, after), rel=1e-12)
    assert 0.5 < row["ci_low"] < row["estimate"] < row["ci_high"] < 1
    assert "not a median test" in row["note"]
    # the docstring case: 18.5 of 25 pairs
    small = pd.DataFrame({"period": ["before"] * 5 + ["after"] * 5,
                          "wait": [30, 45, 50, 60, 90, 20, 30, 35, 40, 70]})
    est = probability_of_superiority(small, value="wait", period="period")["estimate"].iloc[0]
    assert est == pytest.approx(18.5 / 25)


def test_quantile_change_equals_statsmodels_quantreg_fitted_independently():
    df = _visits(5, day_sd=2.0)
    df["segment"] = np.random.default_rng(5).choice(["new", "returning", "chronic"], len(df))
    res = quantile_change(df, value="wait", date="when", intervention=CHANGE,
                          covariates=["hour", "segment"]).set_index("metric")
    x = pd.get_dummies(df[["hour", "segment"]].astype(str), drop_first=True, dtype=float)
    x.insert(0, "after", (df["when"] >= CHANGE).astype(float))
    x = sm.add_constant(x)
    for q in (0.5, 0.9):
        fit = QuantReg(df["wait"].to_numpy(), x).fit(q=q)
        row = res.loc[f"p{100 * q:g}_change_adjusted"]
        assert row["estimate"] == pytest.approx(fit.params["after"], abs=1e-6)
        lo, hi = fit.conf_int().loc["after"]
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), abs=1e-6)
        assert row["ci_low"] <= -10 <= row["ci_high"]
    assert "adjusted for hour, segment" in res["method"].iloc[0]


def test_period_column_variants():
    df = _visits(6)
    post = df["when"] >= CHANGE
    expected = quantile_change(df, value="wait", date="when", intervention=CHANGE)
    for coding, levels in [(post, None), (post.astype(int), None),
                           (np.where(post, "POST", "pre"), None),
                           (np.where(post, "new desk", "old desk"), ("old desk", "new desk"))]:
        got = quantile_change(df.assign(p=coding), value="wait", period="p", levels=levels)
        assert got["estimate"].tolist() == pytest.approx(expected["estimate"].tolist())
    with pytest.raises(JourneyError, match="levels"):
        quantile_change(df.assign(p=np.where(post, "B", "A")), value="wait", period="p")
    three = df.assign(p=np.where(post, "after", "before"))
    three.loc[0, "p"] = "during"
    with pytest.raises(JourneyError, match="two values"):
        quantile_change(three, value="wait", period="p")
    with pytest.raises(JourneyError, match="neither"):
        quantile_change(three, value="wait", period="p", levels=("before", "after"))
    with pytest.raises(JourneyError, match="either"):
        quantile_change(df, value="wait")
    with pytest.raises(JourneyError, match="missing"):
        quantile_change(df.assign(wait=df["wait"].where(df.index != 3)), value="wait",
                        date="when", intervention=CHANGE)


def test_few_days_warn():
    df = _visits(7, n_days=12)
    with pytest.warns(UserWarning, match="fewer than 10 days"):
        _boot(df, intervention=pd.Timestamp("2024-03-07"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _boot(_visits(7))


def test_results_stack_into_one_frame():
    df = _visits(9)
    kw = {"value": "wait", "date": "when", "intervention": CHANGE}
    stacked = pd.concat([bootstrap_quantile_change(df, n_boot=200, **kw),
                         probability_of_superiority(df, **kw), quantile_change(df, **kw)],
                        ignore_index=True)
    assert list(stacked.columns[:7]) == COLUMNS
    assert stacked["metric"].tolist() == [
        "p50_change", "p90_change", "probability_of_superiority", "p50_change_adjusted",
        "p90_change_adjusted"]
    assert stacked[["estimate", "ci_low", "ci_high", "method"]].notna().all().all()
