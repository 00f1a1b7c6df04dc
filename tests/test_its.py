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
from journey.impact import COLUMNS, _hac_lags, controlled_its, did, its

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
    res = _fit(df, family="quasipoisson", offset="pop")
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
        its(df.assign(day=df["day"] + pd.to_timedelta(np.arange(len(df)) % 2 * 6, "h")),
            value="y", date="day", intervention="2024-03-16")
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


# The Sicily data set of Lopez Bernal, Cummins & Gasparrini (2017), "Interrupted time series
# regression for the evaluation of public health interventions: a tutorial", Int J Epidemiol
# 46:348 (published with the paper's code): monthly acute coronary events (aces) from January
# 2002 to November 2006, a smoking ban (smokban) from January 2005, the population (pop, one
# value a year) and the age-standardised population (stdpop).
SICILY_ACES = [
    728, 659, 791, 734, 757, 726, 760, 740, 720, 814, 795, 858, 887, 766, 851, 769, 781, 756,
    766, 752, 765, 831, 879, 928, 914, 808, 937, 840, 916, 828, 845, 818, 860, 839, 887, 886,
    831, 796, 833, 820, 877, 758, 767, 738, 781, 843, 850, 908, 1021, 859, 976, 888, 962, 838,
    810, 876, 843, 936, 912]
SICILY_STDPOP = [
    379875.3, 376495.5, 377040.8, 377116.4, 377383.4, 374113.1, 379513.3, 376295.5, 374653.2,
    378485.6, 375955.5, 378349.7, 376762.4, 379032.3, 379360.4, 376162.0, 377972.4, 381830.7,
    379888.6, 380872.2, 380966.9, 381240.4, 382104.9, 381802.7, 381656.3, 383680.0, 383504.2,
    386462.9, 383783.1, 380836.8, 383483.0, 380906.2, 382926.8, 384052.4, 384449.6, 383428.4,
    388153.2, 388373.2, 386470.1, 386033.2, 383686.4, 385509.3, 385901.9, 386516.6, 388436.5,
    383255.2, 390148.7, 385874.9, 391613.6, 391750.4, 394005.6, 391364.9, 391664.6, 389022.3,
    391878.5, 388575.3, 392989.0, 390018.8, 390712.3]
SICILY_POP = [364277.4, 363350.8, 364700.4, 364420.8, 363832.6]


def _sicily() -> pd.DataFrame:
    n = len(SICILY_ACES)
    t = np.arange(1, n + 1)
    return pd.DataFrame({
        "year": 2002 + (t - 1) // 12, "month": (t - 1) % 12 + 1, "aces": SICILY_ACES,
        "time": t, "smokban": (t >= 37).astype(int),
        "pop": np.repeat(SICILY_POP, 12)[:n], "stdpop": SICILY_STDPOP,
    }).assign(date=lambda d: pd.to_datetime(d[["year", "month"]].assign(day=1)))


def _sicily_its(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return its(_sicily(), value="aces", date="date", intervention="2005-01-01",
                   offset="stdpop", **kwargs)


def _ratio(row) -> list[float]:
    return [round(float(row[k]), 4) for k in ("estimate", "ci_low", "ci_high")]


def test_tutorial_rate_ratios_reproduced_to_four_decimals():
    """The step-change models of the tutorial and their published rate ratios."""
    quasi = _sicily_its(family="quasipoisson", seasonality=2, slope_change=False)
    assert _ratio(quasi.level_change) == [0.8851, 0.8394, 0.9332]
    assert quasi.slope_change is None and "slope_change" not in set(quasi.table["metric"])
    poisson = _sicily_its(family="poisson", slope_change=False)
    assert _ratio(poisson.level_change) == [0.8944, 0.8647, 0.9251]
    # quasi-Poisson without seasonality: same estimate, wider interval (tutorial's model2)
    assert _ratio(_sicily_its(family="quasipoisson", slope_change=False).level_change) == [
        0.8944, 0.8392, 0.9532]
    # the level-only effect at the end is the level change
    s = quasi.summary
    assert s.loc["effect_at_end", "estimate"] == pytest.approx(s.loc["level_change",
                                                                     "estimate"])
    assert "deseasonalised" in s.loc["baseline_level", "note"]


def _tutorial_glm(formula: str, scale):
    """The tutorial's models written directly with statsmodels' formula GLM, harmonics of the
    calendar month as R's tsModel::harmonic(month, 2, 12)."""
    import statsmodels.formula.api as smf

    d = _sicily()
    for k in (1, 2):
        d[f"s{k}"] = np.sin(2 * np.pi * k * d["month"] / 12)
        d[f"c{k}"] = np.cos(2 * np.pi * k * d["month"] / 12)
    d["after"] = (d["time"] - 37) * d["smokban"]
    return smf.glm(formula, d, family=sm.families.Poisson(),
                   offset=np.log(d["stdpop"])).fit(scale=scale)


@pytest.mark.parametrize(("family", "seasonality", "slope", "formula", "scale"), [
    ("quasipoisson", 2, False, "aces ~ smokban + time + s1 + c1 + s2 + c2", "X2"),
    ("poisson", None, False, "aces ~ smokban + time", 1.0),
    ("poisson", 2, True, "aces ~ smokban + time + after + s1 + c1 + s2 + c2", 1.0),
    ("quasipoisson", 2, True, "aces ~ smokban + time + after + s1 + c1 + s2 + c2", "X2"),
])
def test_count_models_equal_statsmodels_glm(family, seasonality, slope, formula, scale):
    res = _sicily_its(family=family, seasonality=seasonality, slope_change=slope)
    ref = _tutorial_glm(formula, scale)
    ci = ref.conf_int()
    for metric, term in (("level_change", "smokban"), ("baseline_slope", "time"),
                         ("slope_change", "after")):
        if term not in ref.params:
            continue
        row = res.summary.loc[metric]
        assert row["estimate"] == pytest.approx(np.exp(ref.params[term]), rel=1e-7)
        assert row["ci_low"] == pytest.approx(np.exp(ci.loc[term, 0]), rel=1e-6)
        assert row["ci_high"] == pytest.approx(np.exp(ci.loc[term, 1]), rel=1e-6)
        assert row["p_value"] == pytest.approx(ref.pvalues[term], rel=1e-5, abs=1e-12)
    assert res.series["fitted"].to_numpy() == pytest.approx(ref.fittedvalues.to_numpy(),
                                                            rel=1e-7)
    dispersion = res.diagnostics.set_index("test").loc["dispersion", "statistic"]
    assert dispersion == pytest.approx(ref.pearson_chi2 / ref.df_resid)
    if seasonality:  # the deseasonalised level: intercept with the harmonic terms at 0
        base = res.summary.loc["baseline_level", "estimate"]
        assert base == pytest.approx(np.exp(ref.params["Intercept"] + ref.params["time"]),
                                     rel=1e-7)


def test_level_only_gaussian_equals_statsmodels_ols_hac():
    df = _gaussian(8)
    res = _fit(df, slope_change=False)
    x = _plain_design()[:, :3]
    ref = sm.OLS(df["y"].to_numpy(), x).fit(cov_type="HAC", use_t=True,
                                             cov_kwds={"maxlags": _hac_lags(150),
                                                       "use_correction": True})
    lc = res.level_change
    assert lc["estimate"] == pytest.approx(ref.params[2])
    assert [lc["ci_low"], lc["ci_high"]] == pytest.approx(list(ref.conf_int()[2]))
    assert res.slope_change is None
    assert "slope change" not in repr(res)


def test_weekly_harmonics_by_period_index():
    """Weekly series: angle 2πk·(week position in the year)/(365.25/7), a plain recomputation."""
    rng = np.random.default_rng(9)
    weeks = pd.date_range("2021-01-04", periods=156, freq="7D")
    position = np.arange(156) + 3 / 7  # 4 January is day 3 of the year (counted from 0)
    season = 5 * np.sin(2 * np.pi * position / (365.25 / 7))
    post = np.arange(156) >= 104
    df = pd.DataFrame({"week": weeks, "y": 40 + season - 6 * post + rng.normal(0, 1, 156)})
    res = its(df, value="y", date="week", intervention=weeks[104], seasonality=1,
              slope_change=False)
    x = np.column_stack([np.ones(156), np.arange(156), post,
                         np.sin(2 * np.pi * position / (365.25 / 7)),
                         np.cos(2 * np.pi * position / (365.25 / 7))])
    assert res.model.model.exog == pytest.approx(x)
    beta = np.linalg.lstsq(x, df["y"].to_numpy(), rcond=None)[0]
    assert res.level_change["estimate"] == pytest.approx(beta[2])
    assert res.level_change["ci_low"] <= -6 <= res.level_change["ci_high"]
    with pytest.raises(JourneyError, match="harmonic pairs"):
        its(df.iloc[::13], value="y", date="week", intervention=weeks[104], seasonality=3)


def test_gaps_use_the_true_time_index():
    """A sparse weekly series: empty weeks are gaps, the model keeps the observed weeks at
    their own week number (equal to OLS + HAC on those rows)."""
    rng = np.random.default_rng(10)
    n = 80
    t = np.arange(n)
    post = t >= 40
    y = 30 + 0.1 * t - 5 * post + rng.normal(0, 1, n)
    empty = np.zeros(n, dtype=bool)
    empty[[3, 4, 17, 41, 42, 43, 60, 77]] = True
    weeks = pd.date_range("2024-01-01", periods=n, freq="7D")
    df = pd.DataFrame({"week": weeks, "y": np.where(empty, np.nan, y)})
    df = df.drop(index=[17, 60])  # missing rows are gaps too
    res = its(df, value="y", date="week", intervention=weeks[40])
    assert res.options["n_gaps"] == 8 and "8 period(s)" in res.notes[0]
    keep = ~empty
    t0 = t[keep & post][0]
    x = np.column_stack([np.ones(n), t, post, (t - t0) * post])[keep]
    ref = sm.OLS(y[keep], x).fit(cov_type="HAC", use_t=True,
                                 cov_kwds={"maxlags": _hac_lags(int(keep.sum())),
                                           "use_correction": True})
    assert res.model.model.exog[:, 1] == pytest.approx(t[keep])
    assert res.level_change["estimate"] == pytest.approx(ref.params[2])
    assert res.level_change["ci_high"] == pytest.approx(ref.conf_int()[2][1])
    assert len(res.series) == keep.sum()


def test_poisson_scale_one_equals_plain_irls():
    rng = np.random.default_rng(4)
    n, t0 = 150, 75
    x = _plain_design(n, t0)
    population = rng.integers(2000, 4000, n)
    log_rate = np.log(0.01) + 0.002 * x[:, 1] + np.log(0.8) * x[:, 2]
    counts = rng.poisson(np.exp(log_rate) * population)
    df = pd.DataFrame({"day": pd.date_range(START, periods=n), "y": counts, "pop": population})
    poisson = _fit(df, family="poisson", offset="pop")
    quasi = _fit(df, family="quasipoisson", offset="pop")
    beta, se_quasi = _irls_poisson(x, counts.astype(float), np.log(population))
    mu = np.exp(x @ beta + np.log(population))
    se = np.sqrt(np.diag(np.linalg.inv(x.T @ (x * mu[:, None]))))
    lc = poisson.level_change
    assert lc["estimate"] == pytest.approx(quasi.level_change["estimate"])
    assert lc["ci_low"] == pytest.approx(np.exp(beta[2] - 1.959964 * se[2]), rel=1e-5)
    assert quasi.level_change["ci_low"] == pytest.approx(
        np.exp(beta[2] - 1.959964 * se_quasi[2]), rel=1e-5)
    assert "scale 1" in lc["method"] and "quasi" in quasi.level_change["method"]
