"""Before/after comparison of a journey measure around an intervention, straight from the log.

:func:`compare_periods` gathers the evidence a before/after report needs into one table:

- **interrupted time series** (ITS) of the daily (or weekly) series of the treated department:
  level change, slope change and the average effect over the after period, each against the
  pre-intervention trend carried forward (Gaussian segmented regression, Newey–West SEs);
- with a **control** department: controlled ITS of the treated − control difference,
  difference-in-differences and its parallel-trends check;
- for waits and length of stay, per-visit comparisons: change in the median and P90 with a
  bootstrap that resamples whole days, the same adjusted for case mix by quantile
  regression, and the probability that a visit after waits less than one before;
- optionally a **placebo** date inside the before period, where no effect should show.

A plain difference of before and after means is not reported on its own: it mixes the
intervention with any trend already under way, and with regression to the mean when the
change was made after a bad spell. Caveats in the table flag short series, autocorrelated
residuals, diverging pre-trends and a before period ending on a special-cause run.

Time is counted in *open* periods: days (or weeks) without visits, e.g. the Sundays an
outpatient clinic is closed, are left out of the time series models and counted.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from journey._figures_series import _column_name
from journey._labels import text, texts
from journey._metrics import METRICS, _measure, _visit_values
from journey._result import Result
from journey.control_charts import SPCResult, spc
from journey.effects import bootstrap_quantile_change, probability_of_superiority, quantile_change
from journey.engine import wall_clock_values
from journey.errors import JourneyError
from journey.impact import DiDResult, ITSResult, controlled_its, did, its
from journey.log import EventLog
from journey.series import metric_series

__all__ = ["CASE_MIX", "PeriodComparison", "compare_periods"]

#: Segment attributes used for the case-mix adjustment when present in the log (with the
#: hour and weekday of arrival). Never adjust for what the intervention changes, e.g. the
#: booking channel of a time-slot scheme.
CASE_MIX = ("age_band", "sex", "chronic", "visit_type", "triage_priority", "segment")
TABLE_COLUMNS = ["metric", "before", "after", "change", "ci_low", "ci_high", "p_value",
                 "method", "caveats"]
MIN_POINTS = 12  # per period, for an ITS worth reading (Making Data Count uses 12–15)
RTM_POINTS = 7  # the last points before the intervention checked for a special-cause run

@dataclass(repr=False)
class PeriodComparison(Result):
    """The before/after evidence for one measure; build one with :func:`compare_periods`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per estimate: ``metric``, ``before``, ``after``, ``change`` (the estimate),
        ``ci_low``, ``ci_high``, ``p_value``, ``method``, ``caveats``. Print it as it is.
    series : pandas.DataFrame
        The series of the treated (and control) department, from :func:`metric_series`.
    visits : pandas.DataFrame
        Per-visit values of the treated department (waits, length of stay) behind the
        quantile rows: ``case_id``, ``arrival``, ``value`` and the case-mix columns; empty for
        proportions and counts.
    its_result : ITSResult
        The ITS of the treated series (``.figure()`` draws its counterfactual).
    controlled_result, did_result, placebo_result : ITSResult, DiDResult, ITSResult or None
        Controlled ITS and DiD (with a control) and the placebo ITS (with a placebo date).
    measure : str
        What the series measures, e.g. "daily median wait before Consultation (minutes)";
        "daily median flow time to Consultation (minutes)" for a log without start times.
    verdict : str
        One sentence from the table: with a control it rests on the controlled estimates
        (controlled ITS, difference-in-differences), without one on the ITS, and it says when
        the parallel-trends check or the placebo fails.
    options : dict
        The arguments used.
    notes : list of str
        Remarks on the comparison (the caveats are in the table).
    """

    table: pd.DataFrame
    series: pd.DataFrame
    visits: pd.DataFrame
    its_result: ITSResult
    controlled_result: ITSResult | None
    did_result: DiDResult | None
    placebo_result: ITSResult | None
    measure: str
    options: dict[str, Any] = field(default_factory=dict)
    _log: EventLog | None = None
    verdict: str = ""
    notes: list[str] = field(default_factory=list)

    _tables = ("table", "series", "visits")

    def _headline(self) -> str:
        o = self.options
        control = f" vs {o['control']!r}" if o["control"] else ""
        return (f"PeriodComparison: {self.measure}, {o['department']!r}{control}, intervention "
                f"{o['intervention']}\n{self.verdict}")

    def _shown(self) -> pd.DataFrame:
        return self.table.drop(columns=["method", "caveats"]).round(3)

    @property
    def summary(self) -> pd.DataFrame:
        """The table indexed by metric."""
        return self.table.set_index("metric")

    def spc(self, **kwargs: Any) -> SPCResult:
        """SPC chart of the treated series, re-baselined at the intervention.

        Periods without visits are gaps: left out of the limits and shown as such.
        Proportions get a p-chart. Keyword arguments go to :func:`journey.spc` (e.g.
        ``target=``, ``screen_outliers=False``, ``chart="p_prime"``).

        Examples
        --------
        With ``res`` from the example of :func:`compare_periods`:

        >>> res.spc().summary[["start", "n_points", "mean"]].round(1)  # doctest: +SKIP
               start  n_points  mean
        0 2025-01-06        21  45.7
        1 2025-01-27        21  24.5
        """
        o = self.options
        s = self.series[self.series["group"] == o["department"]]
        s = s.assign(value=s["value"].where(s["n"] > 0))
        s.attrs["measure"] = self.measure
        seen = s["n"] > 0
        first_after = s.loc[seen & (s["date"] >= pd.Timestamp(o["intervention"])), "date"].iloc[0]
        args: dict[str, Any] = {"improvement": METRICS[o["metric"]][3], "rebase": [first_after]}
        if "denominator" in s:
            args.update(value="numerator", chart="p", denominator="denominator")
        else:
            args.update(value="value")
        if o["target"] is not None and METRICS[o["metric"]][2] == "minutes":
            args["target"] = o["target"]
        return spc(s, date="date", **(args | kwargs))

    def figure(self, *, lang: str | None = None, **kwargs: Any):
        """The ITS counterfactual plot: observed, fitted, the pre-trend carried on.

        ``lang`` ({"en", "zh"}, default :func:`journey.i18n.get_language`) sets the language
        of legend, title and axis (department names are kept); ``title`` and ``y_title`` win.

        Examples
        --------
        With ``res`` from the example of :func:`compare_periods`:

        >>> res.figure(lang="zh").layout.yaxis.title.text  # doctest: +SKIP
        '每日就诊前等候均值（分钟）'
        """
        from journey._language import _resolve

        lang = _resolve(lang)
        measure = _measure(self.options, lang)
        kwargs.setdefault("y_title", measure)
        kwargs.setdefault("title", text("compare.title", lang, measure=measure,
                                        department=self.options["department"]))
        return self.its_result.figure(lang=lang, **kwargs)

    @cached_property
    def map_comparison(self):
        """Journey maps of the treated department's visits before vs after (compare_maps)."""
        from journey.maps import compare_maps, journey_map

        o = self.options
        log = self._log.filter(where={o["by"]: o["department"]}) if o["by"] else self._log
        when = pd.Timestamp(o["intervention"])
        return compare_maps(journey_map(log.filter(period=(None, when))),
                            journey_map(log.filter(period=(when, None))),
                            labels=("before", "after"))


def _open_periods(series: pd.DataFrame, groups: Sequence[str]) -> pd.DataFrame:
    """Wide frame of the periods in which every group has visits: date, then one column each."""
    wide = series[series["group"].isin(groups)].pivot(index="date", columns="group",
                                                      values=["value", "n"])
    keep = (wide["n"][list(groups)] > 0).all(axis=1)
    return wide["value"][list(groups)][keep].reset_index()


def _fit(fun: Any, wide: pd.DataFrame, intervention: Any, freq: str, **kwargs: Any) -> Any:
    """Run an ITS/DiD function with time counted in open periods, then restore the dates.

    Without seasonality the open periods are given consecutive surrogate dates (time counts
    open periods); with seasonality the models keep the real dates, so that weekdays and
    seasons stay in place and closed periods are gaps at their true time index. The results
    carry the real dates.
    """
    step = {"D": "D", "W": "7D"}[freq]
    real = wide["date"].reset_index(drop=True)
    fake = pd.Series(pd.date_range(real.iloc[0], periods=len(real), freq=step))
    if kwargs.get("seasonality") is not None:
        fake = real
    after = (real >= pd.Timestamp(intervention)).to_numpy()
    if min(after.sum(), (~after).sum()) < 3:
        raise JourneyError(
            f"the date {pd.Timestamp(intervention).date()} leaves {(~after).sum()} period(s) "
            f"with visits before and {after.sum()} after (from {real.iloc[0].date()} to "
            f"{real.iloc[-1].date()}); each side needs at least 3. Check the date or the log.")
    cut = fake[after].iloc[0]
    data = wide.assign(date=fake.to_numpy())
    if len(wide.columns) > 2:
        data = data.melt(id_vars="date", var_name="group", value_name="value")
        kwargs.update(group="group")
    else:
        data = data.set_axis(["date", "value"], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # turned into caveats by the caller
        res = fun(data, value="value", date="date", intervention=cut, **kwargs)
    res.series["date"] = real.to_numpy()
    res.options["intervention"] = str(pd.Timestamp(intervention).date())
    return res


def _effect_row(metric: str, before: float, after: float, row: pd.Series,
                caveats: list[str]) -> dict:
    return {"metric": metric, "before": before, "after": after, "change": row["estimate"],
            "ci_low": row["ci_low"], "ci_high": row["ci_high"], "p_value": row["p_value"],
            "method": row["method"], "caveats": caveats}


def _average_effect(res: ITSResult, alpha: float) -> pd.Series:
    """Mean over the after periods of fitted − counterfactual: β2 + β3·mean(t − T0)."""
    fit = res.model
    names = list(fit.model.exog_names)
    x = pd.DataFrame(fit.model.exog, columns=names)
    post = res.series["post"].to_numpy()
    weights = {"post": 1.0}
    if "time_after" in x:
        weights["time_after"] = float(x.loc[post, "time_after"].mean())
    test = fit.t_test(np.array([weights.get(k, 0.0) for k in names]))
    lo, hi = test.conf_int(alpha=alpha)[0]
    method = res.summary.loc["level_change", "method"] + (
        "; β2 + β3·mean(t − T0)" if "time_after" in x else "; level-only model: β2")
    return pd.Series({"estimate": float(test.effect[0]), "ci_low": float(lo),
                      "ci_high": float(hi), "p_value": float(test.pvalue), "method": method})


def _its_caveats(res: ITSResult, C: dict[str, str]) -> list[str]:
    """Short series and autocorrelated residuals, in the language of the caveats ``C``."""
    out = []
    post = res.series["post"]
    n_before, n_after = int((~post).sum()), int(post.sum())
    if min(n_before, n_after) < MIN_POINTS:
        out.append(C["few_points"].format(before=n_before, after=n_after, minimum=MIN_POINTS))
    d = res.diagnostics.set_index("test")
    lb, dw = d.loc["Ljung–Box", "p_value"], d.loc["Durbin–Watson", "statistic"]
    if lb < 0.05 or not 1.5 <= dw <= 2.5:
        out.append(C["autocorrelated"].format(lb=lb, dw=dw, lags=res.options["hac_lags"]))
    return out


def _rtm_caveat(chart: SPCResult, intervention: Any, C: dict[str, str]) -> list[str]:
    """Regression-to-the-mean warning when the before period ends on a special-cause run."""
    t = chart.table[chart.table["point_type"] != "gap"]
    tail = t[t["date"] < pd.Timestamp(intervention)].tail(RTM_POINTS)
    bad = "special_cause_concern" if chart.options["improvement"] != "neutral" else "special"
    hit = tail["point_type"].str.startswith(bad)
    if hit.any():
        return [C["rtm"].format(hits=int(hit.sum()), n=len(tail))]
    return []


def _department(log: EventLog, department: str | None, by: str | None) -> str:
    """The group whose process changed: ``"all"`` for the whole log, else it must be named."""
    if department is None:
        if by is not None:
            log._need(by)
            values = sorted(log.table.select(by).distinct().execute()[by].dropna().astype(str))
            raise JourneyError(
                f"department= names the group whose process changed; the log's {by} values "
                f"are {values[:12]}{' ...' if len(values) > 12 else ''}. Pass by=None to "
                "compare the whole log before and after.", source=log.source)
        department = "all"
    return department


def _controlled_rows(series: pd.DataFrame, treated: pd.DataFrame, when: pd.Timestamp,
                     department: str, control: str, freq: str, model: dict[str, Any],
                     period: str, alpha: float, caveats: list[str], lang: str,
                     ) -> tuple[list[dict], ITSResult, DiDResult]:
    """Rows vs the control (controlled ITS, DiD, parallel trends), each with ``caveats``."""
    C = texts("compare", lang)
    both = _open_periods(series, [department, control])
    diff = (both[department] - both[control]).to_numpy()
    cres = _fit(controlled_its, both, when, freq, treated=department, control=control,
                alpha=alpha, lang=lang, **model)
    dres = _fit(did, both, when, freq, treated=department, control=control, alpha=alpha,
                lang=lang)
    cpost = cres.series["post"].to_numpy()
    d_before, d_after = float(diff[~cpost].mean()), float(diff[cpost].mean())
    dropped = len(treated) - len(both)
    ccaveats = _its_caveats(cres, C) + caveats + (
        [C["dropped"].format(n=dropped, control=control)] if dropped else [])
    trend = dres.parallel_trends
    parallel_ok = trend["ci_low"] <= 0 <= trend["ci_high"]
    dcaveats = ccaveats + ([] if parallel_ok else [C["pre_trends"]])
    rows = [
        _effect_row(f"level change vs {control} (controlled ITS)", d_before, d_after,
                    cres.summary.loc["level_change"], ccaveats),
        _effect_row(f"average effect after vs {control} (controlled ITS)", d_before,
                    d_after, _average_effect(cres, alpha), ccaveats),
        _effect_row(f"difference-in-differences vs {control}", d_before, d_after,
                    dres.table.set_index("metric").loc["did"], dcaveats),
        _effect_row(f"pre-trend difference per {period} (parallel-trends check)", np.nan,
                    np.nan, trend, [] if parallel_ok else [C["trend_ci"]]),
    ]
    return rows, cres, dres


def _placebo_row(placebo: Any, when: pd.Timestamp, treated: pd.DataFrame, department: str,
                 freq: str, model: dict[str, Any], alpha: float, lang: str,
                 ) -> tuple[dict, ITSResult, bool]:
    """The ITS at a placebo date in the before period: its row, its fit, whether it passed."""
    C = texts("compare", lang)
    fake = pd.Timestamp(placebo)
    if fake >= when:
        raise JourneyError(f"placebo={placebo!r} must fall before the intervention "
                           f"({when.date()}): it tests the before period alone.")
    pre = treated[treated["date"] < when]
    pres = _fit(its, pre, fake, freq, alpha=alpha, lang=lang, **model)
    ppost = pres.series["post"].to_numpy()
    pv = pre[department].to_numpy()
    prow = pres.summary.loc["level_change"]
    placebo_ok = prow["ci_low"] <= 0 <= prow["ci_high"]
    pcaveats = _its_caveats(pres, C) + ([] if placebo_ok else [C["placebo"]])
    row = _effect_row(f"placebo level change at {fake.date()} (ITS, before period)",
                      float(pv[~ppost].mean()), float(pv[ppost].mean()), prow, pcaveats)
    return row, pres, placebo_ok


def compare_periods(
    log: EventLog,
    *,
    intervention: Any,
    metric: Literal["wait_median", "wait_p90", "wait_mean", "within_target", "los_median",
                    "visits", "left_unseen_rate", "return_rate"] = "wait_median",
    activity: str | None = None,
    department: str | None = None,
    control: str | None = None,
    freq: Literal["D", "W"] = "D",
    placebo: Any = None,
    by: str | None = "department",
    target: float | None = None,
    left: str | list[str] | None = None,
    window: str | pd.Timedelta = "30D",
    case_mix: Sequence[str] | None = None,
    seasonality: Literal["weekday"] | int | None = None,
    slope_change: bool = True,
    n_boot: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
    lang: str | None = None,
) -> PeriodComparison:
    """Did the change work? Before/after evidence for one measure of one department.

    Parameters
    ----------
    log : EventLog
        The visit log, covering time before and after the intervention.
    intervention : date
        First day of the changed process; visits arriving from then on are "after".
    metric, activity, freq, by, target, left, window
        The measure, as in :func:`journey.metric_series` (by default the daily median wait
        before ``activity``, which wait measures need). ``activity`` is ignored by measures
        that are not waits.
    department : str
        The treated group (a value of ``by``); required when ``by`` is given, since only you
        know which department changed (the error lists the log's values). With ``by=None``
        the whole log is the treated group.
    control : str, optional
        A comparable group without the change; adds controlled ITS, difference-in-differences
        and a parallel-trends check, which remove changes common to both (season, staffing).
    placebo : date, optional
        A date inside the before period: an ITS of the before period alone at that date should
        show no effect (its CI should include 0).
    case_mix : sequence of str, optional
        Covariates of the quantile regression: ``"hour"`` and ``"weekday"`` of arrival and
        attribute columns. Default: hour, weekday and the :data:`CASE_MIX` attributes in the
        log. Leave out anything the intervention itself changes (a shift in a covariate's
        mix is flagged in the caveats). An empty list leaves out the quantile regression rows.
    seasonality : None, "weekday" or int
        Seasonality of the ITS models (treated, controlled, placebo), as in
        :func:`journey.its`: weekday dummies or k harmonic pairs of the annual cycle.
    slope_change : bool
        False fits level-change-only ITS models (no slope-change row; the average effect after
        is the level change).
    n_boot, seed : int
        Replicates and seed of the day-block bootstrap.
    alpha : float
        1 − confidence level.
    lang : {"en", "zh"}, optional
        Language of the ``caveats`` column; default :func:`journey.i18n.get_language`.
        Metric names, methods and numbers are the same in both.

    Returns
    -------
    PeriodComparison
        ``.table`` (the effect table), ``.spc()``, ``.figure()``, ``.its_result``,
        ``.map_comparison``, ``.series``, ``.visits``.

    Notes
    -----
    Assumptions: nothing else changed at the intervention date (with a control: nothing that
    affected only the treated department), the pre-intervention trend would have continued,
    and days are independent given the model (the HAC errors and the day-block bootstrap
    relax this). Effects are after − before; for waits, negative is better.

    Examples
    --------
    Six weeks of visits whose wait before Consultation drops by 20 minutes from 27 January:

    >>> import numpy as np, pandas as pd, journey
    >>> rng = np.random.default_rng(0)
    >>> arrival = pd.Timestamp("2025-01-06 08:00") + pd.to_timedelta(
    ...     np.repeat(np.arange(42), 12), "D")
    >>> wait = 30 + rng.gamma(2, 8, arrival.size).round() - 20 * (arrival >= "2025-01-27")
    >>> seen = arrival + pd.Timedelta(minutes=5) + pd.to_timedelta(wait, "min")
    >>> df = pd.DataFrame({"case_id": np.tile(np.arange(arrival.size), 2),
    ...     "department": "Internal Medicine",
    ...     "activity": np.repeat(["Registration", "Consultation"], arrival.size),
    ...     "start": np.concatenate([arrival, seen]),
    ...     "end": np.concatenate([arrival, seen]) + pd.Timedelta(minutes=5)})
    >>> res = compare_periods(journey.read_log(df), intervention="2025-01-27",
    ...                       metric="wait_mean", activity="Consultation",
    ...                       department="Internal Medicine", n_boot=500)
    >>> res.table.loc[[0, 2, 3], ["metric", "before", "after", "change", "ci_low",
    ...                           "ci_high"]].round(1)
                                    metric  before  after  change  ci_low  ci_high
    0                   level change (ITS)    45.7   24.5   -22.0   -24.5    -19.5
    2           average effect after (ITS)    45.7   24.5   -23.4   -27.2    -19.6
    3  median change (day-block bootstrap)    43.0   22.0   -21.0   -23.0    -19.0
    """
    from journey._language import _resolve

    lang = _resolve(lang)
    C = texts("compare", lang)
    when = pd.Timestamp(intervention)
    department = _department(log, department, by)
    series = metric_series(log, metric=metric, activity=activity, freq=freq, by=by,
                           target=target, left=left, window=window)
    groups = [department] + ([control] if control is not None else [])
    known = sorted(series["group"].unique())
    for name, level in (("department", department), ("control", control)):
        if level is not None and level not in known:
            raise JourneyError(f"{name}={level!r} has no visits with this measure; the groups "
                               f"are {known}.", column=by)
    series = series[series["group"].isin(groups)].reset_index(drop=True)
    measure = _measure({"metric": metric, "activity": activity, "freq": freq, "target": target,
                        "time_kind": log.time_kind})
    treated = _open_periods(series, [department])
    closed = int((series.loc[series["group"] == department, "n"] == 0).sum())
    gap_note = [C["closed"].format(n=closed)] if closed else []
    model = {"seasonality": seasonality, "slope_change": slope_change}
    res = _fit(its, treated, when, freq, alpha=alpha, lang=lang, **model)
    post = res.series["post"].to_numpy()
    y = treated[department].to_numpy()
    before, after = float(y[~post].mean()), float(y[post].mean())
    options = {"intervention": str(when.date()), "metric": metric, "activity": activity,
               "department": department, "control": control, "freq": freq,
               "placebo": placebo, "by": by, "target": target, "n_boot": n_boot, "seed": seed,
               "alpha": alpha, "time_kind": log.time_kind, **model}
    result = PeriodComparison(pd.DataFrame(columns=TABLE_COLUMNS), series, pd.DataFrame(), res,
                              None, None, None, measure, options, log)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        rtm = _rtm_caveat(result.spc(), when, C)
    caveats = _its_caveats(res, C) + rtm + gap_note
    level = res.summary
    period = {"D": "day", "W": "week"}[freq]
    rows = [
        _effect_row("level change (ITS)", before, after, level.loc["level_change"], caveats),
        *([_effect_row(f"slope change per {period} (ITS)", np.nan, np.nan,
                       level.loc["slope_change"], caveats)] if slope_change else []),
        _effect_row("average effect after (ITS)", before, after, _average_effect(res, alpha),
                    caveats),
    ]
    if control is not None:
        controlled, result.controlled_result, result.did_result = _controlled_rows(
            series, treated, when, department, control, freq, model, period, alpha, rtm + gap_note,
            lang)
        rows += controlled
        for row in rows[:3]:
            row["caveats"] = [*row["caveats"], C["uncontrolled"].format(control=control)]
    if placebo is not None:
        prow, result.placebo_result, placebo_ok = _placebo_row(
            placebo, when, treated, department, freq, model, alpha, lang)
        if not placebo_ok:  # the uncontrolled rows are the ones the placebo tests
            fake = pd.Timestamp(placebo)
            for row in rows[:3]:
                row["caveats"] = [*row["caveats"], C["placebo_failed"].format(date=fake.date())]
        rows.append(prow)
    if METRICS[metric][2] == "minutes":
        result.visits = _per_visit(log, left=left, metric=metric, activity=activity, by=by,
                                   department=department, case_mix=case_mix)
        what = METRICS[metric][0]
        rows += _visit_rows(result.visits, when,
                            what="flow time" if what == "wait" and log.time_kind == "flow"
                            else what, n_boot=n_boot, seed=seed, alpha=alpha, extra=rtm, lang=lang)
    result.table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    result.verdict = _verdict(result.table, control, METRICS[metric][2], lang)
    result.table["caveats"] = result.table["caveats"].map(C["join"].join)
    return result


def _verdict(table: pd.DataFrame, control: str | None, unit: str, lang: str) -> str:
    """The sentence that sums up ``table``: the controlled rows when there is a control."""
    V = texts("compare.verdict", lang)
    t = table.set_index("metric")
    fmt = "{:+.1f}".format if unit == "minutes" else "{:+.3g}".format
    if control is not None:
        names = [f"average effect after vs {control} (controlled ITS)",
                 f"difference-in-differences vs {control}"]
    else:
        names = ["average effect after (ITS)"]
    parts = []
    for name in names:
        r = t.loc[name]
        clear = not r["ci_low"] <= 0 <= r["ci_high"]
        parts.append(V["row"].format(metric=name, est=fmt(r["change"]), lo=fmt(r["ci_low"]),
                                     hi=fmt(r["ci_high"]),
                                     reading=V["clear" if clear else "unclear"]))
    text = V["controlled" if control is not None else "its"].format(
        control=control, rows=V["sep"].join(parts))
    trend = [m for m in t.index if m.startswith("pre-trend difference")]
    if trend and not t.loc[trend[0], "ci_low"] <= 0 <= t.loc[trend[0], "ci_high"]:
        text += V["trends"]
    placebo = [m for m in t.index if m.startswith("placebo level change")]
    if placebo:
        r = t.loc[placebo[0]]
        if not r["ci_low"] <= 0 <= r["ci_high"]:
            text += V["placebo"].format(date=placebo[0].split(" at ")[1].split(" ")[0])
    elif control is None:
        text += V["no_placebo"]
    return text


def _per_visit(log: EventLog, *, left: str | list[str] | None, metric: str,
               activity: str | None, by: str | None, department: str,
               case_mix: Sequence[str] | None) -> pd.DataFrame:
    """Per-visit values of the treated department with the case-mix columns (small frame)."""
    _, values, _ = _visit_values(log, metric=metric, activity=activity, freq="D", by=by,
                                    target=None, left=left, window="30D")
    if case_mix is None:
        case_mix = ["hour", "weekday", *[c for c in CASE_MIX if c in log.attributes]]
    columns = [c for c in case_mix if c not in ("hour", "weekday")]
    for c in columns:
        log._need(c)
    frame = values.filter(values.group == department).select(
        "case_id", "arrival", "value", *columns).order_by(["arrival", "case_id"]).execute()
    wall = wall_clock_values(frame["arrival"], log.clock)  # the hospital's clock
    frame["hour"] = wall.dt.hour
    frame["weekday"] = wall.dt.day_name()
    for c in columns:
        frame[c] = frame[c].astype("string").fillna("(missing)")
    return frame[["case_id", "arrival", "value", *case_mix]]


def _visit_rows(visits: pd.DataFrame, when: pd.Timestamp, *, what: str, n_boot: int,
                seed: int, alpha: float, extra: list[str], lang: str) -> list[dict]:
    """Quantile changes (day bootstrap, quantile regression) and probability of superiority.

    These compare visits before and after directly, without a trend or a control, so they
    include any change not due to the intervention. A case-mix variable whose distribution
    shifted between the periods (total variation distance > 0.1) is flagged: when the
    intervention itself changed it (time slots change arrival hours), adjusting for it
    removes part of the effect.
    """
    C = texts("compare", lang)
    case_mix = [c for c in visits.columns[3:] if visits[c].nunique() > 1]
    post = visits["arrival"] >= when
    common = {"value": "value", "date": "arrival", "intervention": when}
    plain = [C["plain"], *extra]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        boot = bootstrap_quantile_change(visits, n_boot=n_boot, seed=seed, alpha=alpha, **common)
    # "fewer than 10 days in the after period" from the bootstrap, in the caveats' language
    few = [C["few_days"].format(message=f, period=C["after" if "after" in f else "before"])
           for f in (str(w.message).split(":")[0] for w in caught)]
    adjusted = (quantile_change(visits, covariates=case_mix, alpha=alpha, **common)
                if case_mix else boot.iloc[:0])  # without covariates it repeats the bootstrap
    shifted = []
    for c in case_mix:
        share = pd.crosstab(visits[c], post, normalize="columns")
        distance = 0.5 * float((share[True] - share[False]).abs().sum())
        if distance > 0.1:
            shifted.append(C["shift"].format(column=_column_name(c, lang), distance=distance))
    mediator = [C["mediator"].format(columns=C["sep"].join(shifted))] if shifted else []
    sup = probability_of_superiority(visits, alpha=alpha, **common).iloc[0]
    rows = []
    for label, table, cav in (("(day-block bootstrap)", boot, plain + few),
                              ("adjusted for case mix (quantile regression)", adjusted,
                               plain + mediator + [C["independent"]])):
        for name, (_, r) in zip(("median", "P90"), table.iterrows(), strict=False):
            rows.append(_effect_row(f"{name} change {label}", r["before"], r["after"], r, cav))
    rows.append(_effect_row(f"probability a visit's {what} is shorter after (0.5 = no change)",
                            np.nan, np.nan, sup,
                            [*plain, C["independent"]]))
    return rows
