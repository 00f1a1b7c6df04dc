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

from journey._timeseries import COLUMNS, _frame, _post, _row
from journey.errors import JourneyError

__all__ = ["DiDResult", "ITSResult", "controlled_its", "did", "its"]

_LEVEL = {"gaussian": "difference", "poisson": "rate ratio", "quasipoisson": "rate ratio"}

# figure labels
_LABELS: dict[str, dict[str, str]] = {
    "en": {"control": "control", "observed": "observed", "counterfactual": "counterfactual",
           "band": "counterfactual {level}% CI", "fitted": "fitted", "treated": "treated",
           "mean": "{name} mean", "its": "Interrupted time series: {value}",
           "did": "Difference-in-differences: {value}"},
    "zh": {"control": "对照组", "observed": "观测值", "counterfactual": "反事实（延续干预前趋势）",
           "band": "反事实 {level}%置信区间", "fitted": "拟合值", "treated": "干预组",
           "mean": "{name}均值", "its": "中断时间序列：{value}", "did": "双重差分：{value}"},
}


# the ``note`` columns and the warnings, in English and Chinese (methods keep English names)
_NOTES: dict[str, dict[str, str]] = {
    "en": {"baseline_level": "level at the first period",
           "baseline_level_seasonal": "deseasonalised level at the first period (harmonic "
                                      "terms at their annual mean of 0)",
           "baseline_level_weekday": "level at the first period on the reference weekday "
                                     "({day})",
           "effect_at_end_level": "level change, the same at every period after the start "
                                  "({n} periods after the start at the last period)",
           "dispersion": "Pearson χ²/df; about 1 when the Poisson variance fits, > 1 "
                         "overdispersed (family='quasipoisson' allows for it)",
           "poisson": "the Poisson CIs assume independent periods and a variance equal to the "
                      "mean, and may be too narrow (family='quasipoisson' allows for "
                      "overdispersion)",
           "gaps": "{n} period(s) without a value (gaps) left out; the model uses the "
                   "observed periods at their true time index",
           "baseline_slope": "change per period before the intervention",
           "level_change": "jump at the intervention vs the pre-trend",
           "slope_change": "change in slope per period after",
           "effect_at_end": "fitted vs counterfactual at the last period, {n} periods after "
                            "the start",
           "relative_effect_at_end": "effect at the last period as a fraction of the "
                                     "counterfactual",
           "difference": " (treated − control difference)",
           "ljung_box": "H0: no residual autocorrelation up to these lags",
           "durbin_watson": "about 2 without lag-1 autocorrelation; < 1.5 positive, > 2.5 "
                            "negative",
           "autocorrelated": "the residuals look autocorrelated (Ljung–Box p = {p:.3g} at {k} "
                             "lags, Durbin–Watson = {dw:.2f}): {handled}. Seasonality not in "
                             "the model (seasonality='weekday' or harmonics) is a common cause.",
           "hac": "the HAC standard errors allow for it up to {lags} lags; if it persists at "
                  "longer lags, raise hac_lags",
           "quasi": "the quasi-Poisson CIs assume independent periods and may be too narrow",
           "did": "effect under parallel trends; not cluster-robust: only 2 groups (clusters)",
           "pre_trend": "treated − control slope per period before the intervention; 0 under "
                        "parallel trends",
           "trends": "the groups' trends differed before the intervention (treated − control "
                     "slope {slope:.3g} per period, {level}% CI {lo:.3g} to {hi:.3g}): the "
                     "parallel-trends assumption behind the DiD is doubtful. controlled_its() "
                     "models the differing trend."},
    "zh": {"baseline_level": "第一期的水平",
           "baseline_level_seasonal": "第一期去除季节性后的水平（谐波项取其全年均值 0）",
           "baseline_level_weekday": "第一期在参照星期（{day}）的水平",
           "effect_at_end_level": "水平变化，干预后每期相同（最后一期距干预开始 {n} 期）",
           "dispersion": "Pearson χ²/自由度；泊松方差合适时约为 1，> 1 为过度离散"
                         "（family='quasipoisson' 可处理）",
           "poisson": "泊松模型的置信区间假定各期相互独立且方差等于均值，可能偏窄"
                      "（family='quasipoisson' 可处理过度离散）",
           "gaps": "已剔除 {n} 个无数值的时期（缺口）；模型按真实时间序号使用有观测的时期",
           "baseline_slope": "干预前每期的变化",
           "level_change": "干预时相对干预前趋势的跳变",
           "slope_change": "干预后每期斜率的变化",
           "effect_at_end": "最后一期拟合值与反事实值之差，距干预开始 {n} 期",
           "relative_effect_at_end": "最后一期的效应占反事实值的比例",
           "difference": "（干预组 − 对照组之差）",
           "ljung_box": "H0：在这些滞后期内残差无自相关",
           "durbin_watson": "无 1 阶自相关时约为 2；< 1.5 为正自相关，> 2.5 为负自相关",
           "autocorrelated": "残差似乎存在自相关（Ljung–Box 检验 p = {p:.3g}，滞后 {k} 期；"
                             "Durbin–Watson = {dw:.2f}）：{handled}。模型未包含的季节性"
                             "（seasonality='weekday' 或谐波项）是常见原因。",
           "hac": "HAC 标准误已考虑至多 {lags} 期滞后；若更长滞后期仍有自相关，请增大 hac_lags",
           "quasi": "准泊松模型的置信区间假定各期相互独立，可能偏窄",
           "did": "平行趋势假设下的效应；不是聚类稳健的：只有 2 个组（聚类）",
           "pre_trend": "干预前干预组 − 对照组每期斜率之差；平行趋势下为 0",
           "trends": "两组在干预前的趋势就不同（干预组 − 对照组斜率每期 {slope:.3g}，"
                     "{level}%置信区间 {lo:.3g} 至 {hi:.3g}）：双重差分所依赖的平行趋势假设"
                     "存疑。controlled_its() 可对不同的趋势建模。"},
}


def _labels(lang: str | None, value: str) -> tuple[dict[str, str], str]:
    """The figure labels of ``lang`` and the value column's name in it."""
    from journey._language import _resolve
    from journey.i18n import COLUMN_NAMES_ZH

    lang = _resolve(lang)
    return _LABELS[lang], COLUMN_NAMES_ZH.get(value, value) if lang == "zh" else value


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
class ITSResult:
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

    def __repr__(self) -> str:
        lc, sc = self.level_change, self.slope_change
        slope = ("" if sc is None else f", slope change {sc['estimate']:.3g} "
                 f"[{sc['ci_low']:.3g}, {sc['ci_high']:.3g}]")
        return (
            f"ITSResult({self.options['family']}, T={len(self.series)}, level change "
            f"{lc['estimate']:.3g} [{lc['ci_low']:.3g}, {lc['ci_high']:.3g}]{slope})"
        )

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
        """Observed points, fitted segments and the counterfactual with its band (plotly).

        Parameters
        ----------
        title, y_title : str, optional
            Default: from the value column's name.
        lang : {"en", "zh"}, optional
            Language of legend and default titles; default
            :func:`journey.i18n.get_language`.

        Returns
        -------
        plotly.graph_objects.Figure

        Examples
        --------
        >>> days = pd.date_range("2024-01-01", periods=12)
        >>> df = pd.DataFrame({"day": days, "wait_mean": [11, 9, 9, 9, 10, 11, 6, 5, 6, 6, 7, 7]})
        >>> res = its(df, value="wait_mean", date="day", intervention="2024-01-07")
        >>> fig = res.figure(lang="zh")
        >>> fig.layout.title.text, fig.data[0].name
        ('中断时间序列：等候均值(分钟)', '观测值')
        """
        import plotly.graph_objects as go

        L, value = _labels(lang, self.options["value"])
        s = self.series
        after = s[s["post"]]
        level = int(round(100 * (1 - self.options["alpha"])))
        fig = go.Figure()
        if "control" in s:
            fig.add_trace(go.Scatter(x=s["date"], y=s["control"], mode="markers",
                                     name=L["control"], marker={"color": "#bbbbbb", "size": 5}))
        fig.add_trace(go.Scatter(x=s["date"], y=s["observed"], mode="markers",
                                 name=L["observed"], marker={"color": "#005eb8", "size": 6}))
        fig.add_trace(go.Scatter(
            x=pd.concat([after["date"], after["date"][::-1]]),
            y=pd.concat([after["cf_high"], after["cf_low"][::-1]]),
            fill="toself", fillcolor="rgba(228,108,10,0.15)", line={"width": 0},
            name=L["band"].format(level=level), hoverinfo="skip",
        ))
        fig.add_trace(go.Scatter(x=after["date"], y=after["counterfactual"], mode="lines",
                                 name=L["counterfactual"],
                                 line={"color": "#e46c0a", "dash": "dash"}))
        for i, (_, g) in enumerate(s.groupby("post")):
            fig.add_trace(go.Scatter(x=g["date"], y=g["fitted"], mode="lines",
                                     name=L["fitted"], legendgroup="fitted", showlegend=i == 0,
                                     line={"color": "#231f20"}))
        fig.add_vline(x=after["date"].iloc[0], line_dash="dot", line_color="#768692")
        fig.update_layout(title=title or L["its"].format(value=value),
                          yaxis_title=y_title or value, template="simple_white")
        return fig


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
    N = _NOTES[lang]
    notes = {m: N[m] for m in metrics}
    if not slope_change:
        notes["effect_at_end"] = N["effect_at_end_level"]
    if seasonality == "weekday":
        day = next(d for d in range(7) if f"weekday_{d}" not in x)
        names_day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=day)  # a Monday
        notes["baseline_level"] = N["baseline_level_weekday"].format(
            day=names_day.day_name() if lang == "en" else "星期" + "一二三四五六日"[day])
    elif seasonality is not None:
        notes["baseline_level"] = N["baseline_level_seasonal"]
    return notes


def _diagnostics(resid: np.ndarray, model: Any, poisson: bool, lang: str,
                 ) -> tuple[pd.DataFrame, float, int, float]:
    """Residual checks (Ljung–Box, Durbin–Watson, dispersion), the Ljung–Box p and lags, DW."""
    N = _NOTES[lang]
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
    N = _NOTES[lang]
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
    notes = [_NOTES[lang]["gaps"].format(n=n_gaps)] if n_gaps else []
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
    table["note"] = table["note"] + _NOTES[lang]["difference"]
    series["control"] = wide["control"].to_numpy()
    options = {"value": value, "date": date, "group": group, "treated": treated,
               "control": control, "intervention": intervention, "family": "gaussian",
               "seasonality": seasonality, "slope_change": slope_change, "hac_lags": lags,
               "alpha": alpha}
    return ITSResult(table, series, diagnostics, model, options)


@dataclass(repr=False)
class DiDResult:
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
    """

    table: pd.DataFrame
    means: pd.DataFrame
    series: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        r = self.table.iloc[0]
        return (f"DiDResult(delta {r['estimate']:.3g} [{r['ci_low']:.3g}, {r['ci_high']:.3g}], "
                f"T={len(self.series)})")

    @property
    def parallel_trends(self) -> pd.Series:
        """Treated − control slope difference before the intervention, with its CI."""
        return self.table.set_index("metric").loc["pre_trend_difference"]

    def figure(self, *, title: str | None = None, y_title: str | None = None,
               lang: str | None = None):
        """Both series with their period means and the intervention marked (plotly).

        ``lang`` ({"en", "zh"}, default :func:`journey.i18n.get_language`) sets the language
        of legend and default titles; ``title`` and ``y_title`` win when given.
        """
        import plotly.graph_objects as go

        L, value = _labels(lang, self.options["value"])
        s = self.series
        fig = go.Figure()
        for name, colour in (("treated", "#005eb8"), ("control", "#768692")):
            fig.add_trace(go.Scatter(x=s["date"], y=s[name], mode="lines+markers",
                                     name=L[name], line={"color": colour, "width": 1},
                                     marker={"size": 4}))
            for i, (_, g) in enumerate(s.groupby("post")):
                fig.add_trace(go.Scatter(
                    x=g["date"].iloc[[0, -1]], y=[g[name].mean()] * 2, mode="lines",
                    name=L["mean"].format(name=L[name]), legendgroup=f"{name} mean",
                    showlegend=i == 0,
                    line={"color": colour, "width": 3, "dash": "dash"},
                ))
        fig.add_vline(x=s.loc[s["post"], "date"].iloc[0], line_dash="dot", line_color="#231f20")
        fig.update_layout(title=title or L["did"].format(value=value),
                          yaxis_title=y_title or value, template="simple_white")
        return fig


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

    N = _NOTES[_resolve(lang)]
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
