"""Interrupted time series, controlled ITS and difference-in-differences for before/after studies.

Segmented regression (Lopez Bernal, Cummins & Gasparrini, IJE 2017) of a daily or weekly
series with time counted in periods, ``t = 0, 1, …`` and ``T0`` the first period after the
intervention::

    Y_t = β0 + β1·t + β2·post_t + β3·(t − T0)·post_t

β2 is the level change at the intervention and β3 the slope change per period, both measured
against the *counterfactual*: the pre-intervention trend carried forward.

- ``family="gaussian"``: least squares with Newey–West (HAC) standard errors, which allow for
  autocorrelated and heteroscedastic errors up to ``hac_lags`` periods (default
  ⌊4(T/100)^{2/9}⌋), with the small-sample correction and t-based confidence intervals.
  In short, strongly autocorrelated series these intervals are somewhat narrow (in
  simulations with T = 150 and AR(1) errors with ρ = 0.4, about 88% coverage of the level
  change for a nominal 95%).
- ``family="poisson"``: Poisson GLM (scale fixed at 1) for counts, and
  ``family="quasipoisson"``: the same with the scale estimated from the Pearson χ² (for
  overdispersed counts, as R's ``quasipoisson``); both take ``log(offset)`` for rates (visits
  per 1,000 registered patients, per opening hour…) and report rate ratios.
- ``slope_change=False`` drops β3: a level-change-only (step) model, as in the tutorial's
  main analysis.
- ``seasonality=k`` adds k sine/cosine pairs of the annual cycle by *period index*: the
  angle of a period is 2π·k·(its position in the year, counted in periods) / (periods per
  year), with 12 periods a year for a monthly series, 365.25/7 for a weekly and 365.25 for a
  daily one. For a monthly series this equals R's ``tsModel::harmonic(month, k, 12)``.

The dates must lie on a regular grid (days, weeks or calendar months); periods missing from
the data, or with a missing value, are *gaps*: the model is fitted to the observed periods at
their true time index and the gaps are counted in ``.notes``.

Assumptions: the pre-intervention trend would have continued (no other change at the same
time) and the model captures seasonality. Residual autocorrelation is checked with Ljung–Box
and Durbin–Watson (over the observed periods, in order) and reported.

With a control department, :func:`controlled_its` models the treated − control difference,
and :func:`did` compares period means (difference-in-differences) with a pre-period trend check.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.diagnostic import acorr_ljungbox
from statsmodels.stats.stattools import durbin_watson

from journey._labels import texts
from journey._result import Result
from journey._timeseries import COLUMNS, _frame, _post, _row
from journey.errors import JourneyError

__all__ = ["DiDResult", "ITSResult", "controlled_its", "did", "its"]

_LEVEL = {"gaussian": "difference", "poisson": "rate ratio", "quasipoisson": "rate ratio"}

def _hac_lags(n: int) -> int:
    """Newey–West rule of thumb for the number of lags: ⌊4(T/100)^{2/9}⌋ (3 for T = 59)."""
    return int(np.floor(4 * (n / 100) ** (2 / 9)))


def _grid(dates: pd.Series, column: str | None) -> tuple[np.ndarray, float, np.ndarray]:
    """Time index of each date on its regular grid, periods per year and season position.

    The grid is calendar months when every date is the same day of a month and the dates are
    at least 28 days apart, else the smallest gap between dates (a day, a week…). Returns
    ``(t, periods_per_year, position)``: ``t`` counts periods from the first date (gaps skip
    numbers), ``position`` is each period's place in the year counted in periods.
    """
    if dates.duplicated().any():
        raise JourneyError(
            "several rows share a date; the series needs one value per period. Aggregate first.",
            column=column,
        )
    d = pd.DatetimeIndex(dates).as_unit("ns")
    if len(d) < 2:
        return np.zeros(len(d)), 365.25, np.zeros(len(d))
    steps = np.diff(d.asi8)
    monthly = ((d.day == d.day[0]).all() or d.is_month_end.all()) and (
        steps.min() >= 28 * 86_400 * 10**9) and (d.normalize() == d).all()
    if monthly:
        t = ((d.year - d.year[0]) * 12 + d.month - d.month[0]).to_numpy().astype(float)
        return t, 12.0, t + d.month[0] - 1
    step = int(steps.min())
    if step <= 0 or (steps % step).any():
        raise JourneyError(
            "the dates are not evenly spaced: the gaps between them are not whole multiples of "
            f"the smallest one ({pd.Timedelta(step)}). Give one date per day, week or calendar "
            "month (periods without data may simply be missing: they are gaps).",
            column=column,
        )
    t = ((d.asi8 - d.asi8[0]) // step).astype(float)
    per_year = pd.Timedelta(days=365.25) / pd.Timedelta(step)
    first = (d[0] - d[0].normalize().replace(month=1, day=1)) / pd.Timedelta(step)
    return t, float(per_year), t + first


def _design(dates: pd.Series, post: np.ndarray, seasonality: str | int | None, *,
            slope_change: bool = True, column: str | None = None) -> pd.DataFrame:
    """Design matrix: const, time (true period index), post[, time_after][, season terms]."""
    t, per_year, position = _grid(dates, column)
    t0 = t[post][0]
    x = pd.DataFrame({"const": 1.0, "time": t, "post": post.astype(float)})
    if slope_change:
        x["time_after"] = (t - t0) * post
    if seasonality == "weekday":
        weekday = pd.Categorical(dates.dt.day_of_week, categories=range(7))
        dummies = pd.get_dummies(weekday, prefix="weekday", drop_first=True, dtype=float)
        dummies = dummies.loc[:, dummies.std() > 0]
        if dummies.shape[1] == 0:
            raise JourneyError("seasonality='weekday' needs a daily series.")
        x = pd.concat([x, dummies.set_index(x.index)], axis=1)
    elif seasonality is not None:
        if isinstance(seasonality, bool) or not isinstance(seasonality, int) or seasonality < 1:
            raise JourneyError(
                "seasonality must be None, 'weekday' or a number of harmonic pairs (≥ 1) of "
                f"the annual cycle, not {seasonality!r}."
            )
        if 2 * seasonality >= per_year:
            raise JourneyError(
                f"seasonality={seasonality} needs more than {2 * seasonality} periods a year; "
                f"this series has {per_year:.3g}. Use fewer harmonic pairs."
            )
        angle = 2 * np.pi * position / per_year
        for k in range(1, seasonality + 1):
            x[f"sin{k}"] = np.sin(k * angle)
            x[f"cos{k}"] = np.cos(k * angle)
    return x


@dataclass(repr=False)
class ITSResult(Result):
    """A fitted interrupted time series.

    Attributes
    ----------
    table : pandas.DataFrame
        ``metric, estimate, ci_low, ci_high, p_value, method, note`` for ``baseline_level``,
        ``baseline_slope``, ``level_change``, ``slope_change``, ``effect_at_end`` (level + slope
        change accumulated to the last period) and ``relative_effect_at_end`` (effect as a
        fraction of the counterfactual). Rate ratios for the Poisson families. A
        level-change-only model has no ``slope_change`` row.
    series : pandas.DataFrame
        Per period: ``date``, ``observed``, ``fitted``, ``counterfactual`` with its band
        ``cf_low``/``cf_high``, and ``post``.
    diagnostics : pandas.DataFrame
        Ljung–Box and Durbin–Watson statistics of the residuals, and for the Poisson
        families the Pearson dispersion (χ²/df).
    model : statsmodels results
        The fitted model, for everything else.
    options : dict
        The options used.
    notes : list of str
        What was left out (gaps), with counts.
    """

    table: pd.DataFrame
    series: pd.DataFrame
    diagnostics: pd.DataFrame
    model: Any
    options: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    _tables = ("table", "series", "diagnostics")

    def _headline(self) -> str:
        return f"ITSResult: {self.options['family']}, T={len(self.series)}"

    def _shown(self) -> pd.DataFrame:
        return self.table.drop(columns=["method", "note"]).round(3)

    @property
    def summary(self) -> pd.DataFrame:
        """The table, indexed by metric."""
        return self.table.set_index("metric")

    @property
    def level_change(self) -> pd.Series:
        """Level change at the intervention (β2; a rate ratio for counts) with its CI."""
        return self.summary.loc["level_change"]

    @property
    def slope_change(self) -> pd.Series | None:
        """Change in slope per period (β3; a rate ratio per period for counts) with its CI;
        None for a level-change-only model."""
        s = self.summary
        return s.loc["slope_change"] if "slope_change" in s.index else None

    def figure(self, *, title: str | None = None, y_title: str | None = None,
               lang: str | None = None):
        """Observed points, fitted segments and the counterfactual with its band.

        Parameters
        ----------
        title, y_title : str, optional
            Default: from the value column's name.
        lang : {"en", "zh"}, optional
            Language of legend and default titles; default
            :func:`journey.i18n.get_language`.

        Returns
        -------
        Figure
            Drawn by :func:`journey._figures_series.its_chart`.

        Examples
        --------
        >>> days = pd.date_range("2024-01-01", periods=12)
        >>> df = pd.DataFrame({"day": days, "wait_mean": [11, 9, 9, 9, 10, 11, 6, 5, 6, 6, 7, 7]})
        >>> res = its(df, value="wait_mean", date="day", intervention="2024-01-07")
        >>> fig = res.figure(lang="zh")
        >>> fig.layout.title.text, fig.data[0].name
        ('中断时间序列：等候均值(分钟)', '观测值')
        """
        from journey import _figures_series
        from journey._language import _resolve

        return _figures_series.its_chart(self, title=title, y_title=y_title,
                                         lang=_resolve(lang))


def _fit_model(d: pd.DataFrame, x: pd.DataFrame, y: np.ndarray, family: str, lags: int,
               label: str) -> tuple[Any, str, np.ndarray, np.ndarray, int]:
    """The fitted OLS or Poisson GLM, its method, residuals, offset and HAC lags (0 for a GLM)."""
    n = len(y)
    if family == "gaussian":
        model = sm.OLS(y, x).fit(cov_type="HAC", use_t=True,
                                 cov_kwds={"maxlags": lags, "use_correction": True})
        method = f"segmented OLS{label}, Newey–West HAC SE ({lags} lags), t CI"
        resid = model.resid
        offset = np.zeros(n)
    else:
        if (y < 0).any() or (np.floor(y) != y).any():
            raise JourneyError("family='poisson' needs counts (whole numbers ≥ 0).")
        offset = np.log(d["offset"].to_numpy()) if "offset" in d else np.zeros(n)
        quasi = family == "quasipoisson"
        model = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset).fit(
            scale="X2" if quasi else 1.0)
        method = ("segmented quasi-Poisson GLM (Pearson χ² scale), rate ratio, Wald CI" if quasi
                  else "segmented Poisson GLM (scale 1), rate ratio, Wald CI")
        if "offset" in d:
            method += ", log offset"
        resid = model.resid_pearson
        lags = 0
    return model, method, resid, offset, lags


def _effect_notes(metrics: list[str], slope_change: bool, seasonality: str | int | None,
                  x: pd.DataFrame, lang: str) -> dict[str, str]:
    """Metric → the note that says how to read its estimate."""
    N = texts("its", lang)
    notes = {m: N[m] for m in metrics}
    if not slope_change:
        notes["effect_at_end"] = N["effect_at_end_level"]
    if seasonality == "weekday":
        day = next(d for d in range(7) if f"weekday_{d}" not in x)
        notes["baseline_level"] = N["baseline_level_weekday"].format(day=N[f"day_{day}"])
    elif seasonality is not None:
        notes["baseline_level"] = N["baseline_level_seasonal"]
    return notes


def _diagnostics(resid: np.ndarray, model: Any, poisson: bool, lang: str,
                 ) -> tuple[pd.DataFrame, float, int, float]:
    """Residual checks (Ljung–Box, Durbin–Watson, dispersion), the Ljung–Box p and lags, DW."""
    N = texts("its", lang)
    n = len(resid)
    lb_lags = max(1, min(10, n // 5))
    lb = acorr_ljungbox(resid, lags=[lb_lags])
    lb_p = float(lb["lb_pvalue"].iloc[0])
    dw = float(durbin_watson(resid))
    diagnostics = pd.DataFrame({
        "test": ["Ljung–Box", "Durbin–Watson"],
        "statistic": [float(lb["lb_stat"].iloc[0]), dw],
        "lags": [lb_lags, 1],
        "p_value": [lb_p, np.nan],
        "note": [N["ljung_box"], N["durbin_watson"]],
    })
    if poisson:
        dispersion = float(model.pearson_chi2 / model.df_resid)
        diagnostics.loc[len(diagnostics)] = ["dispersion", dispersion, np.nan, np.nan,
                                             N["dispersion"]]
    return diagnostics, lb_p, lb_lags, dw


def _fitted_series(d: pd.DataFrame, x: pd.DataFrame, y: np.ndarray, post: np.ndarray,
                   beta: np.ndarray, eta_cf: np.ndarray, margin: np.ndarray,
                   offset: np.ndarray, ref: np.ndarray, poisson: bool) -> pd.DataFrame:
    """Per period: observed, fitted, and the counterfactual with its interval (± ``margin``)."""
    if poisson:
        fitted = np.exp(x.to_numpy() @ beta + offset)
        cf, lo, hi = (np.exp(eta_cf + k * margin + offset) for k in (0, -1, 1))
    else:
        fitted = x.to_numpy() @ beta + ref
        cf, lo, hi = (eta_cf + k * margin + ref for k in (0, -1, 1))
    return pd.DataFrame({"date": d["date"].to_numpy(), "observed": y + ref, "fitted": fitted,
                         "counterfactual": cf, "cf_low": lo, "cf_high": hi, "post": post})


def _fit_segmented(
    d: pd.DataFrame,
    *,
    intervention: Any,
    family: str,
    seasonality: str | int | None,
    hac_lags: int | None,
    alpha: float,
    slope_change: bool = True,
    reference: np.ndarray | None = None,
    label: str = "",
    lang: str = "en",
    column: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Any, int]:
    """Fit the segmented model on ``d`` (date, value[, offset]) and build the outputs, with
    notes and warnings in ``lang``.

    ``reference`` is added to fitted and counterfactual values (the control series of a
    controlled ITS), so that figures and relative effects are on the treated series' scale.
    """
    if family not in _LEVEL:
        raise JourneyError(f"family must be one of {list(_LEVEL)}, not {family!r}.")
    if not 0 < alpha < 1:
        raise JourneyError(f"alpha must be between 0 and 1, not {alpha!r}.")
    post = _post(d["date"], intervention)
    x = _design(d["date"], post, seasonality, slope_change=slope_change, column=column)
    y = d["value"].to_numpy()
    n = len(y)
    lags = _hac_lags(n) if hac_lags is None else int(hac_lags)
    ref = np.zeros(n) if reference is None else np.asarray(reference, dtype=float)
    model, method, resid, offset, lags = _fit_model(d, x, y, family, lags, label)
    names = list(x.columns)

    def combo(weights: dict[str, float]) -> tuple[float, tuple[float, float], float, np.ndarray]:
        c = np.array([weights.get(k, 0.0) for k in names])
        test = model.t_test(c)
        ci = test.conf_int(alpha=alpha)[0]
        return float(test.effect[0]), (float(ci[0]), float(ci[1])), float(test.pvalue), c

    d_end = float(x["time"].iloc[-1] - x.loc[post, "time"].iloc[0])
    xcf = x.copy()
    xcf[[c for c in ("post", "time_after") if c in xcf]] = 0.0
    beta, cov = model.params.to_numpy(), model.cov_params().to_numpy()
    eta_cf = xcf.to_numpy() @ beta
    se_cf = np.sqrt(np.einsum("ij,jk,ik->i", xcf.to_numpy(), cov, xcf.to_numpy()))
    crit = (stats.t.ppf(1 - alpha / 2, model.df_resid) if model.use_t
            else stats.norm.ppf(1 - alpha / 2))
    N = texts("its", lang)
    rows = []
    specs = [
        ("baseline_level", {"const": 1.0}),
        ("baseline_slope", {"time": 1.0}),
        ("level_change", {"post": 1.0}),
        ("slope_change", {"time_after": 1.0}),
        ("effect_at_end", {"post": 1.0, "time_after": d_end}),
    ]
    if not slope_change:
        specs = [(m, {k: v for k, v in w.items() if k != "time_after"}) for m, w in specs
                 if m != "slope_change"]
    notes = _effect_notes([m for m, _ in specs], slope_change, seasonality, x, lang)
    poisson = family != "gaussian"
    for metric, weights in specs:
        est, ci, p, c = combo(weights)
        if poisson:
            est, ci = np.exp(est), (np.exp(ci[0]), np.exp(ci[1]))
        rows.append(_row(metric, est, ci, p, method, notes[metric].format(n=int(d_end))))
    est, ci, p, c = combo(specs[-1][1])
    if poisson:
        rel, rel_ci = np.exp(est) - 1, (np.exp(ci[0]) - 1, np.exp(ci[1]) - 1)
        rel_method = method
    else:
        base = eta_cf[-1] + ref[-1]
        grad = c / base - est * xcf.to_numpy()[-1] / base**2
        rel_se = float(np.sqrt(grad @ cov @ grad))
        rel = est / base
        rel_ci = (rel - crit * rel_se, rel + crit * rel_se)
        rel_method = method + ", delta method"
    rows.append(_row("relative_effect_at_end", rel, rel_ci, p, rel_method,
                     N["relative_effect_at_end"]))
    table = pd.DataFrame(rows, columns=COLUMNS)

    series = _fitted_series(d, x, y, post, beta, eta_cf, crit * se_cf, offset, ref, poisson)

    diagnostics, lb_p, lb_lags, dw = _diagnostics(resid, model, poisson, lang)
    if lb_p < 0.05 or not 1.5 <= dw <= 2.5:
        handled = {"gaussian": N["hac"].format(lags=lags), "poisson": N["poisson"],
                   "quasipoisson": N["quasi"]}[family]
        warnings.warn(
            N["autocorrelated"].format(p=lb_p, k=lb_lags, dw=dw, handled=handled),
            UserWarning,
            stacklevel=3,
        )
    return table, series, diagnostics, model, lags


def its(
    data: pd.DataFrame,
    *,
    value: str,
    date: str,
    intervention: Any,
    family: Literal["gaussian", "poisson", "quasipoisson"] = "gaussian",
    offset: str | None = None,
    seasonality: Literal["weekday"] | int | None = None,
    slope_change: bool = True,
    hac_lags: int | None = None,
    alpha: float = 0.05,
    lang: str | None = None,
) -> ITSResult:
    """Interrupted time series: level (and slope) change at an intervention.

    Parameters
    ----------
    data : DataFrame
        One row per period (day, week, calendar month) on a regular grid. Missing periods and
        missing values are gaps: the model uses the observed periods at their true time
        index, and ``.notes`` counts the gaps.
    value : str
        Column with the measure (mean wait, count of visits…).
    date : str
        Column with the period's date.
    intervention : date
        First date of the post-intervention period.
    family : {"gaussian", "poisson", "quasipoisson"}
        Gaussian with Newey–West (HAC) SEs for continuous measures; Poisson (scale 1) or
        quasi-Poisson (scale from the Pearson χ², for overdispersed counts) for counts,
        reporting rate ratios with Wald CIs.
    offset : str, optional
        Poisson families only: column with the exposure (population, opening hours); the
        model uses ``log(offset)`` so that effects are on rates.
    seasonality : None, "weekday" or int
        Weekday dummies (daily series) or this many sine/cosine pairs of the annual cycle by
        period index (12 periods a year for monthly series, 365.25/7 weekly, 365.25 daily).
        With harmonics, ``baseline_level`` is the deseasonalised level.
    slope_change : bool
        False fits a level-change-only (step) model: no ``slope_change`` row, and the effect
        at the end equals the level change.
    hac_lags : int, optional
        Lags of the Newey–West estimator; default ⌊4(T/100)^{2/9}⌋.
    alpha : float
        1 − confidence level.
    lang : {"en", "zh"}, optional
        Language of the ``note`` columns and the warnings; default
        :func:`journey.i18n.get_language`.

    Returns
    -------
    ITSResult
        ``.table``, ``.level_change``, ``.slope_change``, ``.series``, ``.diagnostics``,
        ``.notes``, ``.figure()``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> t = np.arange(120)
    >>> wait = 60 + 0.05 * t - 12 * (t >= 60) - 0.1 * (t - 60) * (t >= 60) + rng.normal(0, 3, 120)
    >>> df = pd.DataFrame({"day": pd.date_range("2024-01-01", periods=120), "wait": wait})
    >>> res = its(df, value="wait", date="day", intervention="2024-03-01")
    >>> res.level_change[["estimate", "ci_low", "ci_high"]].astype(float).round(1).tolist()
    [-11.9, -13.2, -10.6]
    >>> its(df, value="wait", date="day", intervention="2024-03-01", lang="zh").table.note[2]
    '干预时相对干预前趋势的跳变'

    Monthly counts with a population offset, two harmonic pairs and a step change only:

    >>> months = pd.date_range("2020-01-01", periods=48, freq="MS")
    >>> pop = np.full(48, 1e6)
    >>> rate = 1e-3 * np.exp(0.1 * np.sin(2 * np.pi * months.month / 12)) * np.where(
    ...     np.arange(48) >= 24, 0.85, 1.0)
    >>> counts = pd.DataFrame({"month": months, "cases": rng.poisson(rate * pop), "pop": pop})
    >>> res = its(counts, value="cases", date="month", intervention="2022-01-01",
    ...           family="quasipoisson", offset="pop", seasonality=2, slope_change=False)
    >>> round(float(res.level_change["estimate"]), 2)
    0.84
    """
    from journey._language import _resolve

    lang = _resolve(lang)
    if hac_lags is not None and family != "gaussian":
        raise JourneyError("hac_lags applies to family='gaussian'; drop it for counts.")
    if offset is not None and family == "gaussian":
        raise JourneyError("offset is for family='poisson' or 'quasipoisson' (rates); drop it "
                           "or switch family.")
    cols = {"value": value, "date": date}
    if offset is not None:
        cols["offset"] = offset
    d = _frame(data, cols, where="its", gaps=("value",))
    d = d.sort_values("date", kind="stable", ignore_index=True)
    gap = d["value"].isna().to_numpy()
    t_all, _, _ = _grid(d["date"], date)
    n_gaps = int(gap.sum()) + int(t_all[-1] + 1 - len(t_all)) if len(t_all) else 0
    d = d[~gap].reset_index(drop=True)
    if offset is not None and (d["offset"] <= 0).any():
        raise JourneyError("the offset must be positive in every period.", column=offset)
    table, series, diagnostics, model, lags = _fit_segmented(
        d, intervention=intervention, family=family, seasonality=seasonality,
        hac_lags=hac_lags, alpha=alpha, slope_change=slope_change, lang=lang, column=date,
    )
    notes = [texts("its", lang)["gaps"].format(n=n_gaps)] if n_gaps else []
    options = {"value": value, "date": date, "intervention": intervention, "family": family,
               "offset": offset, "seasonality": seasonality, "slope_change": slope_change,
               "hac_lags": lags, "alpha": alpha, "n_gaps": n_gaps}
    return ITSResult(table, series, diagnostics, model, options, notes)


def _paired(data: pd.DataFrame, *, value: str, date: str, group: str, treated: Any,
            control: Any, where: str) -> pd.DataFrame:
    """Wide frame ``date, treated, control`` with one value per group and date."""
    d = _frame(data, {"value": value, "date": date, "group": group}, where=where)
    for name, level in (("treated", treated), ("control", control)):
        if not (d["group"] == level).any():
            raise JourneyError(
                f"{name}={level!r} does not occur in the group column; it has "
                f"{sorted(map(str, d['group'].unique()))}.",
                column=group,
            )
    d = d[d["group"].isin([treated, control])]
    if d.duplicated(["group", "date"]).any():
        raise JourneyError(
            "several rows share a group and date; give one value per group and period "
            "(aggregate first, e.g. the daily mean wait).",
            column=date,
        )
    wide = d.pivot(index="date", columns="group", values="value")
    wide = wide.rename(columns={treated: "treated", control: "control"})
    gaps = wide.index[wide.isna().any(axis=1)]
    if len(gaps):
        raise JourneyError(
            f"{len(gaps)} date(s) have a value for only one group (first: {gaps[0].date()}); "
            "both series need the same periods.",
            column=date,
        )
    wide = wide.reset_index().sort_values("date", ignore_index=True)
    _grid(wide["date"], date)
    return wide[["date", "treated", "control"]]


def controlled_its(
    data: pd.DataFrame,
    *,
    value: str,
    date: str,
    group: str,
    treated: Any,
    control: Any,
    intervention: Any,
    seasonality: Literal["weekday"] | int | None = None,
    slope_change: bool = True,
    hac_lags: int | None = None,
    alpha: float = 0.05,
    lang: str | None = None,
) -> ITSResult:
    """Controlled interrupted time series: segmented regression of treated − control.

    The control department removes changes common to both (season, staffing, case mix
    trends); the difference series is modelled as in :func:`its` with Newey–West SEs.
    Assumption: without the intervention the difference would have kept its pre-trend.

    Parameters
    ----------
    data : DataFrame
        Long format: one row per group and period.
    value, date, group : str
        Columns with the measure, the period's date and the department/group.
    treated, control : scalar
        Labels of the treated and the control group in ``group``.
    intervention : date
        First date of the post-intervention period.
    seasonality, slope_change, hac_lags, alpha, lang
        As in :func:`its`.

    Returns
    -------
    ITSResult
        Effects on the difference; ``.series`` shows the treated series with fitted and
        counterfactual values (control + modelled difference) and the control series.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> days = pd.date_range("2024-01-01", periods=100)
    >>> common = 50 + 5 * np.sin(np.arange(100) / 7)
    >>> effect = -8 * (np.arange(100) >= 50)
    >>> df = pd.concat([
    ...     pd.DataFrame({"day": days, "dept": "A", "wait": common + effect
    ...                   + rng.normal(0, 2, 100)}),
    ...     pd.DataFrame({"day": days, "dept": "B", "wait": common + rng.normal(0, 2, 100)}),
    ... ])
    >>> res = controlled_its(df, value="wait", date="day", group="dept", treated="A",
    ...                      control="B", intervention="2024-02-20")
    >>> round(float(res.level_change["estimate"]), 1)
    -7.0
    """
    from journey._language import _resolve

    lang = _resolve(lang)
    wide = _paired(data, value=value, date=date, group=group, treated=treated, control=control,
                   where="controlled_its")
    d = pd.DataFrame({"date": wide["date"], "value": wide["treated"] - wide["control"]})
    table, series, diagnostics, model, lags = _fit_segmented(
        d, intervention=intervention, family="gaussian", seasonality=seasonality,
        hac_lags=hac_lags, alpha=alpha, slope_change=slope_change,
        reference=wide["control"].to_numpy(), label=" of treated − control", lang=lang,
        column=date,
    )
    table["note"] = table["note"] + texts("its", lang)["difference"]
    series["control"] = wide["control"].to_numpy()
    options = {"value": value, "date": date, "group": group, "treated": treated,
               "control": control, "intervention": intervention, "family": "gaussian",
               "seasonality": seasonality, "slope_change": slope_change, "hac_lags": lags,
               "alpha": alpha}
    return ITSResult(table, series, diagnostics, model, options)


@dataclass(repr=False)
class DiDResult(Result):
    """Difference-in-differences of period means, with a pre-period trend check.

    Attributes
    ----------
    table : pandas.DataFrame
        ``did`` (δ, the effect under parallel trends) and ``pre_trend_difference`` (treated −
        control slope per period before the intervention), in the common
        ``metric, estimate, ci_low, ci_high, p_value, method, note`` shape.
    means : pandas.DataFrame
        The four means (group × period) with the number of periods.
    parallel_trends : pandas.Series
        The ``pre_trend_difference`` row.
    series : pandas.DataFrame
        Per period: ``date``, ``treated``, ``control``, ``difference``, ``post``.
    options : dict
        The options used.
    notes : list of str
        Remarks on the estimate (none so far; a pre-trend warning is a warning).
    """

    table: pd.DataFrame
    means: pd.DataFrame
    series: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    _tables = ("table", "means", "series")

    def _headline(self) -> str:
        return f"DiDResult: T={len(self.series)}"

    def _shown(self) -> pd.DataFrame:
        return self.table.drop(columns=["method", "note"]).round(3)

    @property
    def parallel_trends(self) -> pd.Series:
        """Treated − control slope difference before the intervention, with its CI."""
        return self.table.set_index("metric").loc["pre_trend_difference"]

    def figure(self, *, title: str | None = None, y_title: str | None = None,
               lang: str | None = None):
        """Both series with their period means and the intervention marked.

        ``lang`` ({"en", "zh"}, default :func:`journey.i18n.get_language`) sets the language
        of legend and default titles; ``title`` and ``y_title`` win when given.
        """
        from journey import _figures_series
        from journey._language import _resolve

        return _figures_series.did_chart(self, title=title, y_title=y_title,
                                         lang=_resolve(lang))


def did(
    data: pd.DataFrame,
    *,
    value: str,
    date: str,
    group: str,
    treated: Any,
    control: Any,
    intervention: Any,
    hac_lags: int | None = None,
    alpha: float = 0.05,
    lang: str | None = None,
) -> DiDResult:
    """Difference-in-differences on period means, with a parallel-trends check.

    δ = (treated after − treated before) − (control after − control before), computed from
    the means of the per-period values. Its CI comes from regressing the per-period
    difference (treated − control) on the post indicator with Newey–West (HAC) SEs.
    Cluster-robust SEs are *not* used: with one treated and one control department there are
    only two clusters, far too few for a cluster-robust variance to be estimable.

    The effect is causal only under *parallel trends*: without the intervention both groups
    would have moved in parallel. The check reports the difference of the pre-period slopes
    with its CI and warns when it excludes 0; a CI including 0 does not prove parallel trends
    (short pre-periods have little power). When trends differ, use :func:`controlled_its`.

    Parameters
    ----------
    data : DataFrame
        Long format: one row per group and period.
    value, date, group : str
        Columns with the measure, the period's date and the department/group.
    treated, control : scalar
        Labels of the treated and the control group in ``group``.
    intervention : date
        First date of the post-intervention period.
    hac_lags : int, optional
        Newey–West lags; default ⌊4(T/100)^{2/9}⌋.
    alpha : float
        1 − confidence level.
    lang : {"en", "zh"}, optional
        Language of the ``note`` columns and the warnings; default
        :func:`journey.i18n.get_language`.

    Returns
    -------
    DiDResult
        ``.table``, ``.means``, ``.parallel_trends``, ``.series``, ``.figure()``.

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.date_range("2024-01-01", periods=8)
    >>> df = pd.DataFrame({"day": list(days) * 2, "dept": ["A"] * 8 + ["B"] * 8,
    ...                    "wait": [50, 52, 49, 51, 40, 42, 41, 39, 45, 47, 44, 46, 45, 44, 46,
    ...                             45]})
    >>> res = did(df, value="wait", date="day", group="dept", treated="A", control="B",
    ...           intervention="2024-01-05")
    >>> float(res.table.loc[0, "estimate"])
    -9.5
    """
    from journey._language import _resolve

    N = texts("its", _resolve(lang))
    wide = _paired(data, value=value, date=date, group=group, treated=treated, control=control,
                   where="did")
    post = _post(wide["date"], intervention)
    diff = (wide["treated"] - wide["control"]).to_numpy()
    n = len(diff)
    lags = _hac_lags(n) if hac_lags is None else int(hac_lags)
    hac = {"cov_type": "HAC", "use_t": True, "cov_kwds": {"maxlags": lags, "use_correction": True}}
    fit = sm.OLS(diff, sm.add_constant(post.astype(float))).fit(**hac)
    means = pd.DataFrame({
        "group": ["treated", "treated", "control", "control"],
        "label": [treated, treated, control, control],
        "period": ["before", "after"] * 2,
        "mean": [wide.loc[~post, "treated"].mean(), wide.loc[post, "treated"].mean(),
                 wide.loc[~post, "control"].mean(), wide.loc[post, "control"].mean()],
        "n_periods": [int((~post).sum()), int(post.sum())] * 2,
    })
    m = means["mean"].to_numpy()
    delta = (m[1] - m[0]) - (m[3] - m[2])
    ci = fit.conf_int(alpha=alpha)[1]
    method = (f"difference of four period means; Newey–West HAC CI ({lags} lags) on the "
              "per-period treated − control difference")
    rows = [_row("did", delta, ci, float(fit.pvalues[1]), method, N["did"])]
    t = np.arange(n, dtype=float)[~post]
    pre = sm.OLS(diff[~post], sm.add_constant(t)).fit(**hac)
    pre_ci = pre.conf_int(alpha=alpha)[1]
    rows.append(_row(
        "pre_trend_difference", float(pre.params[1]), pre_ci, float(pre.pvalues[1]),
        f"OLS slope of the pre-period difference, Newey–West HAC CI ({lags} lags)",
        N["pre_trend"],
    ))
    if pre_ci[0] > 0 or pre_ci[1] < 0:
        warnings.warn(
            N["trends"].format(slope=pre.params[1], level=int(100 * (1 - alpha)),
                               lo=pre_ci[0], hi=pre_ci[1]),
            UserWarning,
            stacklevel=2,
        )
    series = wide.assign(difference=diff, post=post)
    options = {"value": value, "date": date, "group": group, "treated": treated,
               "control": control, "intervention": intervention, "hac_lags": lags,
               "alpha": alpha}
    return DiDResult(pd.DataFrame(rows, columns=COLUMNS), means, series, options)
