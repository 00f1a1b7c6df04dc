"""Interrupted time series, controlled ITS and DiD: simulations with known effects and
independent plain computations."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.sandwich_covariance import cov_hac

from journey.errors import JourneyError
from journey.its import COLUMNS, _hac_lags, controlled_its, did, its

START = pd.Timestamp("2024-01-01")


def _ar1(rng, n, rho, sd):
    z = rng.normal(0, sd, n)
    e = np.zeros(n)
    for i in range(n):
        e[i] = (rho * e[i - 1] if i else 0.0) + z[i]
    return e


def _gaussian(seed, *, n=150, t0=75, rho=0.4, sd=2.0, beta=(50, 0.05, -8, -0.1)):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    post = t >= t0
    y = beta[0] + beta[1] * t + beta[2] * post + beta[3] * (t - t0) * post
    return pd.DataFrame({"day": pd.date_range(START, periods=n), "y": y + _ar1(rng, n, rho, sd)})


def _fit(df, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return its(df, value="y", date="day", intervention=START + pd.Timedelta(days=75), **kwargs)


def _plain_design(n=150, t0=75):
    t = np.arange(n, dtype=float)
    post = (t >= t0).astype(float)
    return np.column_stack([np.ones(n), t, post, (t - t0) * post])


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


def test_gaussian_ci_covers_known_changes():
    res = _fit(_gaussian(11))
    assert res.level_change["ci_low"] <= -8 <= res.level_change["ci_high"]
    assert res.slope_change["ci_low"] <= -0.1 <= res.slope_change["ci_high"]
    assert res.level_change["estimate"] == pytest.approx(-8, abs=2)
    assert list(res.table.columns) == COLUMNS
    assert res.table["metric"].tolist() == [
        "baseline_level", "baseline_slope", "level_change", "slope_change", "effect_at_end",
        "relative_effect_at_end"]
    assert res.options["hac_lags"] == 4 == _hac_lags(150)


def test_coverage_over_seeds():
    # nominal 95%; Newey–West CIs under-cover somewhat in short autocorrelated series
    hits = np.array([
        [r.level_change["ci_low"] <= -8 <= r.level_change["ci_high"],
         r.slope_change["ci_low"] <= -0.1 <= r.slope_change["ci_high"]]
        for r in (_fit(_gaussian(seed, rho=0.3)) for seed in range(100))
    ])
    assert hits.mean(axis=0).min() >= 0.8


def test_point_estimates_equal_numpy_least_squares():
    df = _gaussian(5)
    beta, *_ = np.linalg.lstsq(_plain_design(), df["y"].to_numpy(), rcond=None)
    s = _fit(df).summary["estimate"]
    assert s[["baseline_level", "baseline_slope", "level_change", "slope_change"]].tolist() == (
        pytest.approx(beta.tolist(), rel=1e-9))
    assert s["effect_at_end"] == pytest.approx(beta[2] + beta[3] * 74)
    counterfactual_end = beta[0] + beta[1] * 149
    assert s["relative_effect_at_end"] == pytest.approx((beta[2] + beta[3] * 74)
                                                         / counterfactual_end)


def test_hac_standard_errors_equal_independent_computations():
    df = _gaussian(8)
    res = _fit(df)
    x = _plain_design()
    plain = sm.OLS(df["y"].to_numpy(), x).fit()
    se_statsmodels = np.sqrt(np.diag(cov_hac(plain, nlags=4, use_correction=True)))
    se_numpy = np.sqrt(np.diag(_plain_newey_west(x, plain.resid, 4)))
    assert se_statsmodels == pytest.approx(se_numpy, rel=1e-10)
    assert np.asarray(res.model.bse) == pytest.approx(se_numpy, rel=1e-10)
    # t-based CI with T − k degrees of freedom
    from scipy import stats

    crit = stats.t.ppf(0.975, 150 - 4)
    lc = res.level_change
    assert (lc["ci_low"], lc["ci_high"]) == pytest.approx(
        (plain.params[2] - crit * se_numpy[2], plain.params[2] + crit * se_numpy[2]))


def test_counterfactual_is_the_pre_trend_carried_forward():
    df = _gaussian(3)
    res = _fit(df)
    b = res.model.params.to_numpy()
    t = np.arange(150)
    assert res.series["counterfactual"].to_numpy() == pytest.approx(b[0] + b[1] * t)
    band = res.series[["cf_low", "cf_high"]].to_numpy()
    assert (band[:, 0] < res.series["counterfactual"]).all()
    assert (band[:, 1] > res.series["counterfactual"]).all()
    # the band widens the further the trend is carried forward
    width = band[75:, 1] - band[75:, 0]
    assert (np.diff(width) > 0).all()


def test_placebo_intervention_covers_zero():
    metrics = ["level_change", "slope_change", "effect_at_end"]
    covered = []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        df = pd.DataFrame({"day": pd.date_range(START, periods=150),
                           "y": 40 + 0.02 * np.arange(150) + _ar1(rng, 150, 0.3, 2)})
        s = _fit(df).summary.loc[metrics]
        covered.append(((s["ci_low"] <= 0) & (0 <= s["ci_high"])).to_numpy())
    assert np.mean(covered, axis=0).min() >= 0.8


def _irls_poisson(x, y, offset):
    """Poisson maximum likelihood by plain iteratively reweighted least squares."""
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(y.mean() / np.exp(offset).mean())
    for _ in range(50):
        mu = np.exp(x @ beta + offset)
        z = x @ beta + (y - mu) / mu
        beta = np.linalg.solve(x.T @ (x * mu[:, None]), x.T @ (mu * z))
    mu = np.exp(x @ beta + offset)
    scale = np.sum((y - mu) ** 2 / mu) / (len(y) - x.shape[1])
    return beta, np.sqrt(np.diag(np.linalg.inv(x.T @ (x * mu[:, None]))) * scale)


def test_poisson_rate_ratios_cover_truth_and_equal_plain_irls():
    rng = np.random.default_rng(4)
    n, t0 = 150, 75
    x = _plain_design(n, t0)
    population = rng.integers(2000, 4000, n)
    log_rate = np.log(0.01) + 0.002 * x[:, 1] + np.log(0.8) * x[:, 2] + np.log(0.995) * x[:, 3]
    counts = rng.poisson(np.exp(log_rate) * population)
    df = pd.DataFrame({"day": pd.date_range(START, periods=n), "y": counts, "pop": population})
    res = _fit(df, family="poisson", offset="pop")
    lc, sc = res.level_change, res.slope_change
    assert lc["ci_low"] <= 0.8 <= lc["ci_high"]
    assert sc["ci_low"] <= 0.995 <= sc["ci_high"]
    beta, se = _irls_poisson(x, counts.astype(float), np.log(population))
    assert lc["estimate"] == pytest.approx(np.exp(beta[2]), rel=1e-8)
    assert sc["estimate"] == pytest.approx(np.exp(beta[3]), rel=1e-8)
    assert lc["ci_low"] == pytest.approx(np.exp(beta[2] - 1.959964 * se[2]), rel=1e-5)
    assert res.summary.loc["relative_effect_at_end", "estimate"] == pytest.approx(
        np.exp(beta[2] + 74 * beta[3]) - 1, rel=1e-8)
    # the counterfactual is the pre-trend rate times the exposure
    cf = np.exp(beta[0] + beta[1] * x[:, 1]) * population
    assert res.series["counterfactual"].to_numpy() == pytest.approx(cf, rel=1e-6)


def test_weekday_seasonality_recovers_the_level_change():
    rng = np.random.default_rng(6)
    df = _gaussian(6, rho=0.0)
    weekly = np.array([6, 3, 0, 0, -2, -4, -3])[pd.DatetimeIndex(df["day"]).day_of_week]
    df["y"] = df["y"] + weekly + rng.normal(0, 0.1, len(df))
    plain = _fit(df)
    seasonal = _fit(df, seasonality="weekday")
    width = lambda r: r.level_change["ci_high"] - r.level_change["ci_low"]  # noqa: E731
    assert seasonal.level_change["ci_low"] <= -8 <= seasonal.level_change["ci_high"]
    assert width(seasonal) < width(plain)
    assert [c for c in seasonal.model.params.index if c.startswith("weekday")] == [
        f"weekday_{d}" for d in range(1, 7)]
    harmonic = _fit(df, seasonality=2)
    assert {"sin1", "cos1", "sin2", "cos2"} <= set(harmonic.model.params.index)


def test_autocorrelation_diagnostics_and_warning():
    strong = _gaussian(2, rho=0.9)
    with pytest.warns(UserWarning, match="autocorrelated"):
        res = its(strong, value="y", date="day", intervention="2024-03-16")
    e = res.model.resid
    assert res.diagnostics.set_index("test").loc["Durbin–Watson", "statistic"] == pytest.approx(
        np.sum(np.diff(e) ** 2) / np.sum(e**2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        its(_gaussian(2, rho=0.0), value="y", date="day", intervention="2024-03-16")


def test_controlled_its_models_the_difference():
    rng = np.random.default_rng(9)
    days = pd.date_range(START, periods=120)
    common = 45 + 6 * np.sin(np.arange(120) / 9) + _ar1(rng, 120, 0.5, 2)
    treated = common - 6 * (np.arange(120) >= 60) + rng.normal(0, 1, 120)
    control = common + rng.normal(0, 1, 120)
    df = pd.concat([pd.DataFrame({"day": days, "dept": "ED", "wait": treated}),
                    pd.DataFrame({"day": days, "dept": "OPD", "wait": control})])
    res = controlled_its(df, value="wait", date="day", group="dept", treated="ED",
                         control="OPD", intervention=days[60])
    assert res.level_change["ci_low"] <= -6 <= res.level_change["ci_high"]
    diff = pd.DataFrame({"day": days, "y": treated - control})
    direct = its(diff, value="y", date="day", intervention=days[60])
    assert res.table["estimate"].iloc[:5].tolist() == pytest.approx(
        direct.table["estimate"].iloc[:5].tolist())
    assert res.series["observed"].to_numpy() == pytest.approx(treated)
    assert res.series["counterfactual"].to_numpy() == pytest.approx(
        control + direct.series["counterfactual"].to_numpy())
    assert "treated − control" in res.table["note"].iloc[0]


def _did_frame(seed, *, n=80, t0=40, delta=-5.0, pre_slope_gap=0.0):
    rng = np.random.default_rng(seed)
    days = pd.date_range(START, periods=n)
    t = np.arange(n)
    shared = 30 + _ar1(rng, n, 0.5, 1.5)
    treated = shared + 4 + delta * (t >= t0) + pre_slope_gap * t + rng.normal(0, 1, n)
    control = shared + rng.normal(0, 1, n)
    return pd.concat([pd.DataFrame({"day": days, "g": "T", "v": treated}),
                      pd.DataFrame({"day": days, "g": "C", "v": control})]), days[t0]


def test_did_equals_four_means_and_hac_on_the_difference():
    df, start = _did_frame(1)
    res = did(df, value="v", date="day", group="g", treated="T", control="C",
              intervention=start)
    post = df["day"] >= start
    mean = lambda g, p: df.loc[(df["g"] == g) & (post == p), "v"].mean()  # noqa: E731
    delta = (mean("T", True) - mean("T", False)) - (mean("C", True) - mean("C", False))
    row = res.table.iloc[0]
    assert row["metric"] == "did"
    assert row["estimate"] == pytest.approx(delta, rel=1e-12)
    assert row["ci_low"] <= -5 <= row["ci_high"]
    assert res.means["mean"].tolist() == pytest.approx(
        [mean("T", False), mean("T", True), mean("C", False), mean("C", True)])
    wide = df.pivot(index="day", columns="g", values="v")
    x = sm.add_constant((wide.index >= start).astype(float))
    plain = sm.OLS((wide["T"] - wide["C"]).to_numpy(), x).fit()
    se = np.sqrt(cov_hac(plain, nlags=_hac_lags(80), use_correction=True)[1, 1])
    from scipy import stats

    half = stats.t.ppf(0.975, 80 - 2) * se
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((delta - half, delta + half))
    assert "2 groups" in row["note"]


def test_parallel_trends_check():
    df, start = _did_frame(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = did(df, value="v", date="day", group="g", treated="T", control="C",
                  intervention=start)
    pt = res.parallel_trends
    assert pt["ci_low"] <= 0 <= pt["ci_high"]
    diverging, start = _did_frame(2, pre_slope_gap=0.3)
    with pytest.warns(UserWarning, match="parallel-trends"):
        res = did(diverging, value="v", date="day", group="g", treated="T", control="C",
                  intervention=start)
    pre = res.series[~res.series["post"]]
    slope = np.polyfit(np.arange(len(pre)), pre["difference"], 1)[0]
    assert res.parallel_trends["estimate"] == pytest.approx(slope)
    assert res.parallel_trends["ci_low"] > 0


def test_bad_input_raises_clear_errors():
    df = _gaussian(0)
    with pytest.raises(JourneyError, match="not evenly spaced"):
        its(df.drop(index=[10]), value="y", date="day", intervention="2024-03-16")
    with pytest.raises(JourneyError, match="at least 3"):
        its(df, value="y", date="day", intervention="2024-05-28")
    with pytest.raises(JourneyError, match="counts"):
        its(df, value="y", date="day", intervention="2024-03-16", family="poisson")
    with pytest.raises(JourneyError, match="offset"):
        its(df, value="y", date="day", intervention="2024-03-16", offset="y")
    with pytest.raises(JourneyError, match="seasonality"):
        its(df, value="y", date="day", intervention="2024-03-16", seasonality="month")
    dfd, start = _did_frame(0)
    with pytest.raises(JourneyError, match="only one group"):
        did(dfd.iloc[:-1], value="v", date="day", group="g", treated="T", control="C",
            intervention=start)
    with pytest.raises(JourneyError, match="does not occur"):
        did(dfd, value="v", date="day", group="g", treated="X", control="C",
            intervention=start)


def test_figures_draw():
    res = _fit(_gaussian(1))
    names = [tr.name for tr in res.figure().data]
    assert {"observed", "fitted", "counterfactual", "counterfactual 95% CI"} <= set(names)
    df, start = _did_frame(3)
    fig = did(df, value="v", date="day", group="g", treated="T", control="C",
              intervention=start).figure()
    assert {"treated", "control", "treated mean"} <= {tr.name for tr in fig.data}
