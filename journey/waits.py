"""Waiting times: summaries with confidence intervals, targets, leaving unseen, and drivers.

Time semantics (see :mod:`journey.log`): the wait before touchpoint B is B.start minus the end
of the touchpoint before it in the same visit. Without start times only *flow times* exist
(completion to completion, including B's service): every output says which it holds.
Waits are placed in time by the start of the touchpoint they precede (its end when there is no
start); visit-level figures by the visit's arrival (its first recorded time).

Per-event work (waits, ranks, queue sweeps, calendars) runs in the engine as Ibis expressions;
only aggregated or per-visit frames come back to pandas for the statistics.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from scipy import stats

from journey._gaps import gap_columns
from journey._labels import DAY_NAMES, REASONS
from journey._result import Result
from journey._tables import _wilson
from journey._timeline import (
    _events,
    _label_days,
    _sweep,
    _time_note,
    _visits,
)
from journey.engine import wall_clock
from journey.errors import JourneyError
from journey.log import EventLog
from journey.stages import activities_of

__all__ = [
    "DAY_NAMES",
    "Attainment",
    "LeftUnseen",
    "WaitDrivers",
    "left_unseen",
    "target_attainment",
    "wait_drivers",
    "wait_figure",
    "wait_summary",
]

MISSING = "(missing)"


# --------------------------------------------------------------------------- engine helpers
def _queue_at_arrival(ev: ir.Table, keys: Sequence[str]) -> ir.Table:
    """``ev`` (events with a wait) with ``queue``: others already waiting for the same
    touchpoint (same ``keys``) when this patient joined the queue (service start, or the end
    in a log without start times, ends the wait).

    Brute-force definition: the others j that joined before i (earlier, or at the same
    instant and earlier in the order case_id, _seq) and had not left before i joined
    (``out_j ≥ arrival_i``): arrivals at an instant are counted before departures at it, so
    the count is never negative, also in date-only logs where many times coincide.
    """
    q = ev.filter(ev.wait.notnull())
    q = q.mutate(_out=ibis.coalesce(q.start, q.end))
    ids = ["case_id", "_seq"]
    ins = q.select(*keys, *ids, time=q.arrival, delta=ibis.literal(1))
    outs = q.select(*keys, *ids, time=q._out, delta=ibis.literal(-1))
    swept = _sweep(ins.union(outs, distinct=False), keys)
    at = swept.filter(swept.delta == 1).select(*ids, _level=swept.level)
    out = q.join(at, ids)
    return out.mutate(queue=out._level - 1).drop("_level", "_out")


def _string_keys(t: ir.Table, keys: Sequence[str]) -> ir.Table:
    return t.mutate(**{k: t[k].fill_null(MISSING) for k in keys if t[k].type().is_string()})


def _quantile_table(t: ir.Table, keys: list[str], value: str, qs: Sequence[float],
                    confidence: float) -> pd.DataFrame:
    """n, mean (t CI) and quantiles (exact order-statistic CI) of ``value`` per ``keys``.

    Two passes in the engine: the moments per group, then the values at the ranks that the
    quantiles (linear interpolation between two order statistics, as numpy and DuckDB's
    ``quantile_cont``) and their confidence intervals need, read from each group's sorted
    values (:func:`_order_statistics`)."""
    base = _string_keys(t.filter(t[value].notnull()), keys)
    aggs = {"n": base.count(), "mean": base[value].mean(), "sd": base[value].std()}
    out = (base.group_by(keys).aggregate(**aggs) if keys else base.aggregate(**aggs)).execute()
    half = (stats.t.ppf(1 - (1 - confidence) / 2, np.maximum(out.n - 1, 1)) * out.sd
            / np.sqrt(out.n))
    out["mean_ci_low"], out["mean_ci_high"] = out["mean"] - half, out["mean"] + half
    n = out.n.to_numpy()
    ranks = {}
    first = np.where(n > 0, 1, np.nan)  # no rank in an empty group (a log with no wait)
    for q in qs:
        h = (n - 1) * q  # 0-based position of the quantile
        ranks[f"{_name(q)}_lo"], ranks[f"{_name(q)}_hi"] = np.floor(h) + first, np.ceil(h) + first
        ci = np.array([_order_ranks(int(k), q, confidence) for k in n]).reshape(-1, 2)
        ranks[f"{_name(q)}_ci_low"], ranks[f"{_name(q)}_ci_high"] = ci[:, 0], ci[:, 1]
    wanted = pd.DataFrame({k: pd.array(v, dtype="Int64") for k, v in ranks.items()})
    got = _order_statistics(base, keys, value, pd.concat([out[keys], wanted], axis=1))
    got = out[keys].merge(got, on=keys, how="left") if keys else got
    for q in qs:
        lo, hi = got[f"{_name(q)}_lo"].astype(float), got[f"{_name(q)}_hi"].astype(float)
        out[_name(q)] = lo + (hi - lo) * ((n - 1) * q - np.floor((n - 1) * q))
        for side in ("low", "high"):
            out[f"{_name(q)}_ci_{side}"] = got[f"{_name(q)}_ci_{side}"].astype(float)
    cols = [*keys, "n", "mean", "mean_ci_low", "mean_ci_high"]
    cols += [c for q in qs for c in (_name(q), f"{_name(q)}_ci_low", f"{_name(q)}_ci_high")]
    return _label_days(out[cols].sort_values(keys or "n", ignore_index=True))


def _order_statistics(base: ir.Table, keys: list[str], value: str,
                      wanted: pd.DataFrame) -> pd.DataFrame:
    """The values of ``value`` at 1-based ranks per group: ``wanted`` holds the ``keys`` and
    one column of ranks per statistic (missing: none); the result has the same columns, each
    rank replaced by the value of that rank in the group's sorted values (one sort per group,
    inside the aggregation, rather than a window over all events)."""
    columns = [c for c in wanted.columns if c not in keys]
    if not keys:
        base, wanted, keys = base.mutate(_all=ibis.literal(1)), wanted.assign(_all=1), ["_all"]
    lists = base.group_by(keys).aggregate(_v=base[value].collect(order_by=base[value]))
    joined = lists.join(ibis.memtable(wanted), keys)
    got = joined.select(*keys, **{c: joined._v[joined[c] - 1] for c in columns}).execute()
    return got.drop(columns="_all", errors="ignore")


def _name(q: float) -> str:
    return "median" if q == 0.5 else f"p{100 * q:g}"


def _order_ranks(n: int, q: float, confidence: float) -> tuple[float, float]:
    """1-based ranks (l, u) with P(X_(l) ≤ ξ_q ≤ X_(u)) ≥ confidence (binomial; NaN if none)."""
    if n == 0:
        return np.nan, np.nan
    alpha = 1 - confidence
    lo = stats.binom.ppf(alpha / 2, n, q)
    hi = stats.binom.ppf(1 - alpha / 2, n, q) + 1
    return (lo if lo >= 1 else np.nan), (hi if hi <= n else np.nan)


def _rates(frame: pd.DataFrame, k: str, n: str, name: str, confidence: float) -> pd.DataFrame:
    frame[name] = frame[k] / frame[n]
    _, frame[f"{name}_ci_low"], frame[f"{name}_ci_high"] = _wilson(frame[k], frame[n],
                                                                   confidence)
    return frame


def _some(names: Sequence[str], n: int = 8) -> str:
    """The first ``n`` names, quoted, and how many more."""
    names = list(names)
    more = f" and {len(names) - n} more" if len(names) > n else ""
    return ", ".join(map(repr, names[:n])) + more


# --------------------------------------------------------------------------- wait_summary
LEVELS = ("touchpoint", "transition", "visit")


def _level_table(log: EventLog, level: str, by: Sequence[str] | None,
                 calendar: Mapping[str, str | None] | None) -> tuple[ir.Table, list[str]]:
    if level not in LEVELS:
        raise JourneyError(f"level= must be one of {LEVELS}, got {level!r}.")
    if level == "visit":
        t, keys = _visits(log, calendar), list(by or [])
        if "activity" in keys:
            raise JourneyError("level='visit' sums the waits of a whole visit: group it by "
                               "visit attributes (department, hour, weekday, a segment), "
                               "not by activity.")
    else:
        t = _events(log, calendar)
        keys = list(by or ["activity"])
        if level == "transition":
            t = t.filter(t.prev_activity.notnull()).rename(source="prev_activity")
            keys = ["source", *[k if k != "activity" else "target" for k in keys]]
            t = t.rename(target="activity")
            keys = list(dict.fromkeys(keys))
            if "target" not in keys:
                keys.insert(1, "target")
    missing = [k for k in keys if k not in t.columns]
    if missing:
        raise JourneyError(f"cannot group by {missing}: available are {t.columns}.",
                           source=log.source)
    return t, keys


def wait_summary(
    log: EventLog,
    *,
    by: Sequence[str] | str | None = None,
    level: str = "touchpoint",
    q: Sequence[float] = (0.5, 0.9, 0.95),
    calendar: Mapping[str, str | None] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Waits per touchpoint, transition or visit: n, mean, median, P90, P95 with CIs.

    Method: quantile CIs are exact distribution-free order-statistic intervals (the ranks
    come from the binomial distribution, coverage ≥ ``confidence``; missing when the sample
    is too small); the mean's CI is the t interval. Both assume independent waits: waits of
    patients seen on the same day are correlated, so read the intervals as optimistic (for
    before/after comparisons use :func:`journey.bootstrap_quantile_change`, which resamples
    days). Quantiles interpolate linearly between order statistics (numpy's default).

    Parameters
    ----------
    log : EventLog
    by : str or list of str, optional
        Grouping columns: ``activity`` (the default at touchpoint and transition level; at
        transition level it names the target), ``department``, ``resource``, any attribute,
        or ``hour``, ``weekday``, ``date`` (of the touchpoint's start; of the arrival for
        visits). Visits have no activity: group them by visit attributes.
    level : {"touchpoint", "transition", "visit"}
        Wait before each touchpoint; per transition ``source → target``; or the total wait
        of each visit (the sum of its known waits: a visit with a single touchpoint, or whose
        touchpoints all overlap, has none and is not counted).
    q : list of float
        Quantiles to report (columns ``median``, ``p90``, ``p95``...).
    calendar : dict, optional
        Opening hours, e.g. ``{"weekdays": "08:00-17:00", "saturday": "08:00-12:00"}``
        (also ``"daily"`` or day names; days not named are closed): waits count opening
        minutes only, so a wait across a closed night does not count the night.
    confidence : float

    Returns
    -------
    DataFrame
        by columns, n, mean, mean_ci_low, mean_ci_high, then each quantile with its CI, and
        ``time`` (``"wait"`` or ``"flow time"``).

    Examples
    --------
    >>> import pandas as pd, journey
    >>> df = pd.DataFrame({"case_id": ["a", "a", "b", "b"], "activity": ["Triage", "Lab"] * 2,
    ...     "start": ["2025-01-06 08:00", "2025-01-06 08:30", "2025-01-06 09:00",
    ...               "2025-01-06 09:20"],
    ...     "end": ["2025-01-06 08:10", "2025-01-06 08:40", "2025-01-06 09:10",
    ...             "2025-01-06 09:30"]})
    >>> wait_summary(journey.read_log(df))[["activity", "n", "median"]]
      activity  n  median
    0      Lab  2    15.0
    """
    by = [by] if isinstance(by, str) else by
    t, keys = _level_table(log, level, by, calendar)
    value = "wait"
    out = _quantile_table(t, keys, value, q, confidence)
    out["time"] = "wait" if log.has_start else "flow time"
    out.attrs["method"] = ("quantile CIs: exact order-statistic (binomial) intervals; mean CI: "
                           "t interval; waits assumed independent")
    out.attrs["notes"] = _time_note(log)
    return out


def _grid(log: EventLog, by: str, level: str, calendar: Mapping[str, str | None] | None,
          points: int = 200) -> pd.DataFrame:
    """``points`` evenly spaced quantiles of the wait per group (a stand-in sample)."""
    t, keys = _level_table(log, level, [by] if by else None, calendar)
    t = _string_keys(t.filter(t.wait.notnull()), keys)
    ps = [(i + 0.5) / points for i in range(points)]
    g = t.group_by(keys).aggregate(_q=t.wait.quantile(ps)).order_by(keys) if keys else (
        t.aggregate(_q=t.wait.quantile(ps)))
    frame = g.execute().explode("_q").rename(columns={"_q": "wait"})
    frame["wait"] = frame["wait"].astype(float)
    return _label_days(frame.reset_index(drop=True)), keys


def wait_figure(
    log: EventLog,
    *,
    by: str = "activity",
    kind: str = "box",
    level: str = "touchpoint",
    interactive: bool = True,
    calendar: Mapping[str, str | None] | None = None,
    lang: str | None = None,
) -> Any:
    """Distribution of waits per group as a box, violin or ECDF plot.

    The engine returns 200 evenly spaced quantiles of each group's waits (the 0.25th to
    the 99.75th percentile), which stand in for the waits: boxes, violins and ECDFs drawn
    from them match the full data's to within half a percentile, however large the log.

    Parameters
    ----------
    log : EventLog
    by : str
        Grouping column (see :func:`wait_summary`); ``""`` for one group.
    kind : {"box", "violin", "ecdf"}
    level : {"touchpoint", "transition", "visit"}
    interactive : bool
        An interactive figure (True) or a static one (False).
    calendar : dict, optional
        Opening hours (see :func:`wait_summary`).
    lang : {"en", "zh"}, optional
        Language of titles, axes, group headers, touchpoint and day names; default
        :func:`journey.i18n.get_language`.

    Examples
    --------
    >>> import pandas as pd, journey
    >>> df = pd.DataFrame({"case_id": ["a", "a"], "activity": ["Triage", "Lab"],
    ...     "start": ["2025-01-06 08:00", "2025-01-06 08:30"],
    ...     "end": ["2025-01-06 08:10", "2025-01-06 08:40"]})
    >>> fig = wait_figure(journey.read_log(df), kind="ecdf")
    >>> wait_figure(journey.read_log(df), lang="zh").layout.title.text
    '等候：按环节'
    """
    from journey import _figures_waits
    from journey._language import _resolve

    lang = _resolve(lang)
    if kind not in ("box", "violin", "ecdf"):
        raise JourneyError(f"kind= must be 'box', 'violin' or 'ecdf', got {kind!r}.")
    frame, keys = _grid(log, by, level, calendar)
    return _figures_waits.wait_distribution(frame, keys, kind=kind, interactive=interactive,
                                            time_kind=log.time_kind, opening=bool(calendar),
                                            lang=lang)


# --------------------------------------------------------------------------- targets
@dataclass(frozen=True, repr=False)
class Attainment(Result):
    """Share of patients within a time limit; build one with :func:`target_attainment`.

    Attributes
    ----------
    table : DataFrame
        measure, limit_min, n, within, share, share_ci_low, share_ci_high (Wilson CIs).
    by_hour, by_weekday : DataFrame
        The same per hour of day and per weekday (of the touchpoint's start; of arrival for
        the ED standard); ``by_hour`` is empty when the log records dates only.
    notes : list of str
        Without targets, the first note says which to pass.
    time_kind : {"wait", "flow"}
        ``"flow"`` for a log without start times: the limits then apply to flow times.
    """

    table: pd.DataFrame
    by_hour: pd.DataFrame
    by_weekday: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    time_kind: str = "wait"

    _tables = ("table", "by_hour", "by_weekday")

    def figure(self, *, by: str = "hour", lang: str | None = None) -> Any:
        """Attainment per hour (or ``by="weekday"``) with Wilson CIs, one line per measure.

        ``lang`` ({"en", "zh"}, default :func:`journey.i18n.get_language`) sets the language
        of title, axes, measures, touchpoint and day names.

        Examples
        --------
        >>> import pandas as pd, journey
        >>> df = pd.DataFrame({"case_id": ["a", "a"], "activity": ["Triage", "Consultation"],
        ...     "start": ["2025-01-06 08:00", "2025-01-06 08:20"],
        ...     "end": ["2025-01-06 08:10", "2025-01-06 08:30"]})
        >>> res = target_attainment(journey.read_log(df), limits={"Consultation": 30})
        >>> res.figure(lang="zh").data[0].name
        '就诊前等候 ≤ 30 分钟'
        """
        from journey import _figures_waits
        from journey._language import _resolve

        return _figures_waits.attainment(self, by=by, lang=_resolve(lang))


def target_attainment(
    log: EventLog,
    *,
    limits: Mapping[str, float] | None = None,
    ed_standard: tuple[str, float] | None = None,
    calendar: Mapping[str, str | None] | None = None,
    confidence: float = 0.95,
) -> Attainment:
    """Share of patients seen within a limit per touchpoint, and the ED 4-hour standard.

    A touchpoint's limit applies to the wait before it (``wait ≤ limit``); the ED standard to
    the visit's arrival → departure time (first recorded time → last end, so the arrival is
    the first event the log records) for visits whose last event is in the ED department.
    Patients who left unseen count in the ED standard with their time of leaving. Shares carry
    Wilson score CIs (they assume independent patients).

    Parameters
    ----------
    log : EventLog
    limits : dict, optional
        ``{touchpoint: minutes}``, e.g. ``{"Triage": 15}``; default 30 minutes before each of
        the log's activities that the touchpoint catalogue maps to consultation. Without start
        times the limit applies to the flow time (previous end → end of the touchpoint).
    ed_standard : (department, minutes) or None
        The ED department's name and the limit (NHS: 95% within 240 min).

    With neither, there is no target to measure: the result is empty and its note (and its
    printed form) says which targets to pass, naming the log's touchpoints and departments.
    calendar : dict, optional
        Opening hours for touchpoint waits (see :func:`wait_summary`).
    confidence : float

    Examples
    --------
    >>> import pandas as pd, journey
    >>> df = pd.DataFrame({"case_id": ["a", "a", "b", "b"],
    ...     "activity": ["Triage", "Consultation"] * 2,
    ...     "start": ["2025-01-06 08:00", "2025-01-06 08:20", "2025-01-06 09:00",
    ...               "2025-01-06 09:50"],
    ...     "end": ["2025-01-06 08:10", "2025-01-06 08:30", "2025-01-06 09:10",
    ...             "2025-01-06 10:00"]})
    >>> log = journey.read_log(df)
    >>> target_attainment(log, limits={"Consultation": 30}).table[["measure", "share"]]
                     measure  share
    0  Consultation ≤ 30 min    0.5
    >>> print(target_attainment(log, limits={}).notes[0])  # doctest: +ELLIPSIS
    No target given: pass limits={touchpoint: minutes} ... touchpoints: 'Consultation', 'Triage'.
    """
    limits = ({a: 30 for a in activities_of(log.activities, "consultation")}
              if limits is None else dict(limits))
    if not limits and ed_standard is None:
        return _no_targets(log)
    parts: list[ir.Table] = []
    if limits:
        ev = _events(log, calendar)
        lim = ibis.memtable(pd.DataFrame(
            {"activity": list(limits), "limit_min": [float(x) for x in limits.values()],
             "measure": [f"{k} ≤ {x:g} min" for k, x in limits.items()]}))
        ev = ev.filter(ev.wait.notnull()).join(lim, "activity")
        parts.append(ev.select("measure", "limit_min", ok=ev.wait <= ev.limit_min,
                               hour=ev.hour, weekday=ev.weekday))
    notes = _time_note(log)
    if ed_standard is not None:
        dept, minutes_ = ed_standard
        v = _visits(log)
        if "department" not in v.columns:
            raise JourneyError("ed_standard needs a department column; pass ed_standard=None "
                               "or name the column when reading.", source=log.source)
        v = v.filter(v.department == dept)
        parts.append(v.select(
            measure=ibis.literal(f"{dept}: arrival to departure ≤ {minutes_ / 60:g} h"),
            limit_min=ibis.literal(float(minutes_)), ok=v.los <= minutes_, hour=v.hour,
            weekday=v.weekday))
        notes.append(f"{dept}: arrival is the visit's first recorded time, departure its last "
                     "end; patients who left unseen count with their time of leaving.")
    if not parts:
        raise JourneyError("give limits={touchpoint: minutes} or ed_standard=(dept, minutes).")
    allp = parts[0]
    for p in parts[1:]:
        allp = allp.union(p, distinct=False)

    def agg(keys: list[str]) -> pd.DataFrame:
        out = allp.group_by(["measure", "limit_min", *keys]).aggregate(
            n=allp.count(), within=allp.ok.cast("int64").sum()).execute()
        out = _rates(out, "within", "n", "share", confidence)
        return _label_days(out.sort_values(["measure", *keys], ignore_index=True))

    table = agg([])
    found = set(table.measure)
    word = "waits" if log.has_start else "flow times"
    for name in limits:
        if not any(m.startswith(f"{name} ≤") for m in found):
            notes.append(f"No {word} found before {name!r}: check the touchpoint's name "
                         f"(touchpoints of the log: {_some(log.activities)}).")
    if log.resolution == "day":
        by_hour = table.iloc[:0].assign(hour=pd.Series(dtype="int64"))
        notes.append("The log records dates only (resolution 'day'): no attainment by hour.")
    else:
        by_hour = agg(["hour"])
    return Attainment(table=table, by_hour=by_hour, by_weekday=agg(["weekday"]), notes=notes,
                      time_kind=log.time_kind)


def _no_targets(log: EventLog) -> Attainment:
    """An empty :class:`Attainment` whose note says which targets to pass."""
    cols = ["measure", "limit_min", "n", "within", "share", "share_ci_low", "share_ci_high"]
    empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in cols}).astype(
        {"measure": "object"})
    depts = []
    if "department" in log.table.columns:
        depts = sorted(log.table.department.cast("string").fill_null(MISSING).name("d")
                       .as_table().distinct().execute().d)
    note = ("No target given: pass limits={touchpoint: minutes} for the "
            f"{'wait' if log.has_start else 'flow time'} before a touchpoint, and/or "
            "ed_standard=(department, minutes) for arrival to departure (NHS: 240). "
            f"The log's touchpoints: {_some(log.activities)}.")
    if depts:
        note = note[:-1] + f"; departments: {_some(depts)}."
    return Attainment(table=empty, by_hour=empty.assign(hour=pd.Series(dtype="int64")),
                      by_weekday=empty.assign(weekday=pd.Series(dtype="int64")), notes=[note],
                      time_kind=log.time_kind)


# --------------------------------------------------------------------------- left unseen
@dataclass(frozen=True, repr=False)
class LeftUnseen(Result):
    """Patients who left before being seen; build one with :func:`left_unseen`.

    Attributes
    ----------
    table : DataFrame
        group (``"all"`` then each department), visits, left, rate, rate_ci_low,
        rate_ci_high (Wilson).
    median : DataFrame
        Kaplan–Meier median time from arrival to being seen (leavers censored), with CI.
    survival : DataFrame
        time, not_seen (KM probability of not yet being seen), ci_low, ci_high: a 95%
        pointwise band, Greenwood's variance on the plain scale (estimate ± z·SE, clipped to
        [0, 1]); ``.attrs["method"]`` names it, and so does the figure's legend.
    incidence : DataFrame
        time, seen, left: competing-risks cumulative incidence (Aalen–Johansen).
    visits : DataFrame
        Per visit: case_id, department, time (minutes to seen or left), outcome.
    notes : list of str
    """

    table: pd.DataFrame
    median: pd.DataFrame
    survival: pd.DataFrame
    incidence: pd.DataFrame
    visits: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    _tables = ("table", "median", "survival", "incidence", "visits")

    def figure(self, *, lang: str | None = None) -> Any:
        """Kaplan–Meier curve of not yet seen (with CI) and the cumulative incidences.

        ``lang`` ({"en", "zh"}, default :func:`journey.i18n.get_language`) sets the language
        of title, axes and legend.

        Examples
        --------
        >>> import pandas as pd, journey
        >>> df = pd.DataFrame({"case_id": ["a", "a", "b", "b"],
        ...     "activity": ["Triage", "Consultation", "Triage", "Left unseen"],
        ...     "start": ["2025-01-06 08:00", "2025-01-06 08:30", "2025-01-06 08:00",
        ...               "2025-01-06 09:00"],
        ...     "end": ["2025-01-06 08:10", "2025-01-06 08:40", "2025-01-06 08:10",
        ...             "2025-01-06 09:00"]})
        >>> left_unseen(journey.read_log(df)).figure(lang="zh").layout.title.text
        '从到院到就诊的时间'
        """
        from journey import _figures_waits
        from journey._language import _resolve

        return _figures_waits.left_unseen(self, lang=_resolve(lang))


def left_unseen(
    log: EventLog,
    *,
    seen: str | Iterable[str] | None = None,
    left: str | Iterable[str] | None = None,
    confidence: float = 0.95,
) -> LeftUnseen:
    """Rate of leaving unseen, and the time to being seen with leavers censored.

    A visit is *seen* at the first start of a ``seen`` touchpoint, and *left* at the time of
    its ``left`` event if that comes first. The rate is leavers / all visits (Wilson CI).
    The time to service (minutes from the visit's first recorded time) is estimated by
    Kaplan–Meier with leavers censored (statsmodels ``SurvfuncRight``; median CI by the
    cloglog transform). Censoring leavers assumes they would have waited like those who
    stayed, i.e. a world where nobody leaves; the competing-risks cumulative incidence
    (``CumIncidenceRight``, Aalen–Johansen) reports instead the real chances of having been
    seen, or of having left, by each time. Visits with neither event are counted and left out
    of the time analysis.

    ``seen`` and ``left`` default to the log's activities that the touchpoint catalogue
    (:func:`journey.stages.activities_of`) maps to consultation or treatment, and to leaving
    unseen; a log without such names must name them.

    Examples
    --------
    >>> import pandas as pd, journey
    >>> df = pd.DataFrame({"case_id": ["a", "a", "b", "b"],
    ...     "activity": ["Triage", "Consultation", "Triage", "Left unseen"],
    ...     "start": ["2025-01-06 08:00", "2025-01-06 08:30", "2025-01-06 08:00",
    ...               "2025-01-06 09:00"],
    ...     "end": ["2025-01-06 08:10", "2025-01-06 08:40", "2025-01-06 08:10",
    ...             "2025-01-06 09:00"]})
    >>> r = left_unseen(journey.read_log(df), seen="Consultation")
    >>> r.table[["group", "visits", "left", "rate"]]
      group  visits  left  rate
    0   all       2     1   0.5
    """
    from statsmodels.duration.survfunc import CumIncidenceRight, SurvfuncRight

    seen = (activities_of(log.activities, "consultation", "treatment") if seen is None
            else [seen] if isinstance(seen, str) else list(seen))
    left = (activities_of(log.activities, "left_unseen") if left is None
            else [left] if isinstance(left, str) else list(left))
    if not seen:
        raise JourneyError(REASONS["en"]["no_seen"], source=log.source, reason=("no_seen", {}))
    if not left:
        raise JourneyError(REASONS["en"]["no_left"], source=log.source, reason=("no_left", {}))
    t = log.table
    when = ibis.coalesce(t.start, t.end) if log.has_start else t.end
    dept = {"department": t.department.argmax(t._seq)} if "department" in t.columns else {}
    v = t.group_by("case_id").aggregate(
        arrival=when.min(), seen_at=when.min(where=t.activity.isin(seen)),
        left_at=when.min(where=t.activity.isin(left)), **dept).execute()
    is_left = v.left_at.notna() & (v.seen_at.isna() | (v.left_at < v.seen_at))
    is_seen = v.seen_at.notna() & ~is_left
    v["outcome"] = np.select([is_seen, is_left], ["seen", "left"], "neither")
    v["time"] = (np.where(is_seen, v.seen_at, v.left_at) - v.arrival) / pd.Timedelta(minutes=1)
    groups = [("all", v)]
    if "department" in v:
        groups += [(str(d), g) for d, g in v.groupby(v.department.fillna(MISSING), sort=True)]
    else:
        v["department"] = MISSING
    table = pd.DataFrame([(name, len(g), int((g.outcome == "left").sum())) for name, g in groups],
                         columns=["group", "visits", "left"])
    table = _rates(table, "left", "visits", "rate", confidence)
    notes = [f"{(v.outcome == 'neither').sum()} of {len(v)} visits reached neither "
             f"{', '.join(seen)} nor {', '.join(left)}; they count in the rate's denominator "
             "and are left out of the times."]
    if (v.seen_at.notna() & v.left_at.notna() & ~is_left).any():
        notes.append(f"{int((v.seen_at.notna() & v.left_at.notna() & ~is_left).sum())} visits "
                     f"have {', '.join(left)} after being seen; they count as seen.")
    d = v[v.outcome != "neither"].sort_values("case_id", ignore_index=True)
    if (d.outcome == "seen").sum() == 0:
        raise JourneyError(f"no visit reached {seen}: name the touchpoints that count as "
                           "being seen with seen=[...].", source=log.source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sf = SurvfuncRight(d.time.to_numpy(float), (d.outcome == "seen").to_numpy(int))
        lo_hi = sf.quantile_ci(0.5, alpha=1 - confidence)
        se = np.nan_to_num(sf.surv_prob_se)
        z = stats.norm.ppf(1 - (1 - confidence) / 2)
        ci = CumIncidenceRight(d.time.to_numpy(float),
                               d.outcome.map({"seen": 1, "left": 2}).to_numpy(int))
    median = pd.DataFrame({"estimate": [float(sf.quantile(0.5))], "ci_low": [lo_hi[0]],
                           "ci_high": [lo_hi[1]], "n": [len(d)],
                           "censored": [int((d.outcome == "left").sum())],
                           "method": ["Kaplan–Meier, leavers censored; CI by cloglog "
                                      "transform (Brookmeyer–Crowley)"]})
    survival = pd.DataFrame({"time": sf.surv_times, "not_seen": sf.surv_prob,
                             "ci_low": np.clip(sf.surv_prob - z * se, 0, 1),
                             "ci_high": np.clip(sf.surv_prob + z * se, 0, 1)})
    survival.attrs["method"] = (f"{confidence:.0%} pointwise confidence band: Greenwood "
                                "variance, plain (linear) scale, clipped to [0, 1]")
    incidence = pd.DataFrame({"time": ci.times, "seen": ci.cinc[0], "left": ci.cinc[1]})
    return LeftUnseen(table=table, median=median, survival=survival, incidence=incidence,
                      visits=v[["case_id", "department", "outcome", "time"]], notes=notes)


# --------------------------------------------------------------------------- drivers
@dataclass(frozen=True, repr=False)
class WaitDrivers(Result):
    """Quantile-regression drivers of a wait; build one with :func:`wait_drivers`.

    Attributes
    ----------
    table : DataFrame
        q, term, coef, ci_low, ci_high, p_value, reading (in the language asked for).
    data : DataFrame
        The per-event frame the models were fitted on.
    notes : list of str
    options : dict
        ``activity`` and the reference level of each factor (``refs``).
    """

    table: pd.DataFrame
    data: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)

    _tables = ("table", "data")

    def _shown(self) -> pd.DataFrame:
        return self.table.drop(columns="reading").round(2)

    def figure(self, *, lang: str | None = None) -> Any:
        """Coefficients with CIs, one panel per quantile.

        ``lang`` ({"en", "zh"}, default :func:`journey.i18n.get_language`) sets the language
        of title, axes, terms and the hover readings.
        """
        from journey import _figures_waits
        from journey._language import _resolve

        return _figures_waits.wait_drivers(self, lang=_resolve(lang))


def _factor(s: pd.Series, min_count: int) -> pd.Series:
    """Levels as text; rare levels pooled into "other"."""
    s = s.astype("string").fillna(MISSING)
    counts = s.value_counts()
    return s.where(s.map(counts) >= min_count, "other")


def _design(data: pd.DataFrame, factors: list[str], min_count: int,
            ) -> tuple[pd.DataFrame, dict[str, Any], list[str]]:
    """The design matrix (intercept, queue, dummies), the reference levels, the terms left out."""
    flat = [f for f in ["queue", *factors] if data[f].nunique(dropna=False) <= 1]
    factors = [f for f in factors if f not in flat]
    parts = [pd.Series(1.0, index=data.index, name="Intercept")]
    if "queue" not in flat:
        parts.append(data["queue"].astype(float))
    refs = {}
    for f in factors:
        s = _factor(data[f], min_count)
        if s.nunique() <= 1:  # every level rarer than min_count: pooled into one
            flat.append(f"{f} (all levels rarer than min_count={min_count})")
            continue
        refs[f] = s.value_counts().idxmax()
        dummies = pd.get_dummies(s, prefix=f, prefix_sep="=", dtype=float)
        parts.append(dummies.drop(columns=f"{f}={refs[f]}"))
    x = pd.concat(parts, axis=1)
    flat += [c for c in x.columns if c != "Intercept" and x[c].std() == 0]
    x = x.loc[:, (x.std() > 0) | (x.columns == "Intercept")]
    return x, refs, flat


def _quantile_fits(data: pd.DataFrame, x: pd.DataFrame, q: Sequence[float],
                   confidence: float) -> pd.DataFrame:
    """One row per quantile and term: coefficient, confidence interval and p-value."""
    import statsmodels.api as sm

    rows = []
    for qq in q:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.QuantReg(data.wait.astype(float), x).fit(q=qq)
        ci = fit.conf_int(alpha=1 - confidence)
        for term in x.columns:
            rows.append((qq, term, fit.params[term], ci.loc[term, 0], ci.loc[term, 1],
                         fit.pvalues[term]))
    return pd.DataFrame(rows, columns=["q", "term", "coef", "ci_low", "ci_high", "p_value"])


def wait_drivers(
    log: EventLog,
    *,
    activity: str | None = None,
    q: Sequence[float] = (0.5, 0.9),
    attributes: Sequence[str] | None = None,
    calendar: Mapping[str, str | None] | None = None,
    min_count: int = 20,
    confidence: float = 0.95,
    lang: str | None = None,
) -> WaitDrivers:
    """Quantile regression of the wait before a touchpoint on what the patient met there.

    Model (statsmodels ``QuantReg``, robust sandwich SEs, Hall–Sheather bandwidth):
    ``wait_q = b0 + hour of arrival + weekday + queue + attributes``, where *queue* is the
    number of patients already waiting for the same touchpoint (in the same department)
    when the patient joined the queue, from an event sweep over the arrivals (previous
    end) and service starts. Hours and weekdays are compared with the most frequent one;
    levels seen fewer than ``min_count`` times are pooled into "other". Coefficients are
    associations at the chosen quantile of the wait, not causal effects: the queue mediates
    hour and weekday, so their coefficients are what remains beyond the queue.

    Terms without variation are left out and named in the notes rather than reported with a
    zero-width interval and p = 0: a factor with one level (or whose levels are all rarer
    than ``min_count``), a queue that is always the same, and any term whose interval has no
    width at a quantile (the waits do not vary around it, e.g. whole days). A log that
    records dates only has no hour term. Without start times the model is of flow times:
    readings and figure say so, and ``data`` names the column ``flow``.

    Parameters
    ----------
    log : EventLog
    activity : str, optional
        The touchpoint whose wait is modelled; default the one with the most patient-hours
        of waiting before it.
    q : list of float
        Quantiles (0.5 = median, 0.9 = the long waits).
    attributes : list of str, optional
        Segment columns; default: the log's attributes with 2–12 levels that are known for at
        least 80% of these waits.
    calendar : dict, optional
        Opening hours (see :func:`wait_summary`).
    min_count : int
    confidence : float
    lang : {"en", "zh"}, optional
        Language of the ``reading`` column; default :func:`journey.i18n.get_language`.

    Examples
    --------
    >>> import journey
    >>> log = journey.read_log("data/sample/visits.csv")  # doctest: +SKIP
    >>> wait_drivers(log, activity="Lab").table  # doctest: +SKIP
    """
    from journey._figures_waits import _reading
    from journey._language import _resolve

    lang = _resolve(lang)
    ev = _events(log, calendar)
    if activity is None:
        totals = ev.group_by("activity").aggregate(total=ev.wait.sum()).execute()
        totals = totals.dropna().sort_values(["total", "activity"], ascending=[False, True])
        if totals.empty:
            raise JourneyError("no waits in the log; pass activity=", source=log.source)
        activity = str(totals.activity.iloc[0])
    ev = ev.filter((ev.activity == activity) & ev.wait.notnull())
    keys = ["activity", "department"] if "department" in ev.columns else ["activity"]
    ev = _string_keys(ev, keys)
    if attributes is None:
        counts = ev.aggregate(_n=ev.count(), **{f"{a}__u": ev[a].nunique()
                                                 for a in log.attributes},
                              **{f"{a}__k": ev[a].count() for a in log.attributes}).execute()
        n0 = max(int(counts._n.iloc[0]), 1)
        attributes = [a for a in log.attributes
                      if 2 <= counts[f"{a}__u"].iloc[0] <= 12 and counts[f"{a}__k"].iloc[0]
                      >= 0.8 * n0]
    queued = _queue_at_arrival(ev, keys)
    wall = wall_clock(queued.arrival, log.clock)
    data = queued.select("wait", "queue", *keys[1:], *attributes, hour=wall.hour(),
                         weekday=wall.day_of_week.index()).execute()
    # rows come back in no fixed order: sort them so the fit repeats to the last digit
    data = data.sort_values(list(data.columns), ignore_index=True, na_position="last")
    if len(data) < 30:
        key = "too_few" if log.has_start else "too_few_flow"
        values = {"n": len(data), "activity": activity, "touchpoints": _some(log.activities)}
        raise JourneyError(REASONS["en"][key].format(**values), source=log.source,
                           reason=(key, values))
    data = _label_days(data)
    kind = log.time_kind
    word = "wait" if kind == "wait" else "flow time"
    notes = _time_note(log)
    factors = ["hour", "weekday", *keys[1:], *attributes]
    if log.resolution == "day":
        factors.remove("hour")
        notes.append("The log records dates only (resolution 'day'): no hour-of-day term.")
    x, refs, flat = _design(data, factors, min_count)
    if flat:
        notes.append(f"Left out, without variation in these {len(data)} {word}s: "
                     + ", ".join(flat) + ".")
    table = _quantile_fits(data, x, q, confidence)
    # a term whose interval has no width carries no information about its uncertainty: the
    # data do not vary around that quantile within its level (ties, a handful of events)
    degenerate = ~((table.ci_high - table.ci_low) > 1e-9 * (1 + table.coef.abs()))
    if degenerate.any():
        gone = table[degenerate]
        notes.append("Left out, without variation around the quantile (an interval of zero "
                     "width and p = 0 would mean nothing): " + ", ".join(
                         f"{t} at q={qq:g}" for qq, t in zip(gone.q, gone.term, strict=True))
                     + ".")
        table = table[~degenerate].reset_index(drop=True)
    table["reading"] = [_reading(r, refs, activity, lang, kind) for r in table.itertuples()]
    notes.append(f"{len(data)} {word}s before {activity!r}; reference levels: "
                 + (", ".join(f"{k}={v}" for k, v in refs.items()) or "none") + ".")
    return WaitDrivers(table=table, data=gap_columns(data, kind), notes=notes,
                       options={"activity": activity, "refs": refs, "time_kind": kind})
