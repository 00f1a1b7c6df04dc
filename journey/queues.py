"""Bottlenecks: where the time of a visit goes, where queues build up, and why.

- :func:`time_decomposition` splits each visit's length of stay into waits, service and
  other time (overlaps of parallel touchpoints) and totals them per touchpoint/transition;
- :func:`bottlenecks` ranks touchpoints by *queue build-up*: how much longer patients wait
  in the worst recurring day × hour block than at the same touchpoint at other times. A
  capacity shortfall at some hours (too few staff for the demand) shows up this way, whereas
  long but even waits (waiting for a lab result, arriving early for a booked slot) do not;
  the share of all waiting is reported next to it (``rank_by="share"`` ranks by it);
- :func:`queue_over_time` reconstructs the queue and the patients in service per touchpoint
  by an event sweep; :func:`arrivals_vs_completions` compares demand and throughput;
- :func:`utilisation` gives busy time / staffed time per resource and touchpoint;
- :func:`littles_law` checks the timestamps: mean census ≈ arrival rate × mean stay.

Without start times only flow times exist (completion to completion, service included): the
tables still rank where the flow time grows at some hours, but they cannot separate queueing
from service, and utilisation and queues are unknown. Every result says so in its notes, and
the columns are named for what they hold: ``wait_*`` with start times, ``flow_*`` without
(``wait_share`` / ``flow_share``, ``wait_hours`` / ``flow_hours``...).

A log whose times are dates only (``EventLog.resolution == "day"``) has no hour of day: the
worst hour block is left out with a note and touchpoints are ranked by their share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from ibis import _

from journey._gaps import gap_columns
from journey._labels import DAY_NAMES, REASONS, texts
from journey._result import Result
from journey._timeline import (
    _events,
    _label_days,
    _need_events,
    _sweep,
    _time_note,
    _visits,
)
from journey.engine import minutes, wall_clock, wall_clock_values
from journey.errors import JourneyError
from journey.log import EventLog

__all__ = [
    "Bottlenecks",
    "QueueProfile",
    "TimeDecomposition",
    "Utilisation",
    "arrivals_vs_completions",
    "bottlenecks",
    "littles_law",
    "queue_over_time",
    "time_decomposition",
    "utilisation",
]

DAY_TYPES = {"type": ("Mon–Fri", "Mon–Fri", "Mon–Fri", "Mon–Fri", "Mon–Fri", "Sat", "Sun"),
             "weekday": DAY_NAMES}


def _need_start(log: EventLog, what: str) -> None:
    if not log.has_start:
        values = {"what": what}
        raise JourneyError(REASONS["en"]["needs_start"].format(**values), source=log.source,
                           reason=("needs_start", values))


# --------------------------------------------------------------------------- decomposition
@dataclass(frozen=True, repr=False)
class TimeDecomposition(Result):
    """Where the time of the visits goes; build one with :func:`time_decomposition`.

    Attributes
    ----------
    totals : DataFrame
        Per group (or overall): visits, los_hours, wait_hours, service_hours, other_hours and
        their shares of the length of stay (other = overlaps and gaps not counted as waits).
    table : DataFrame
        Per touchpoint: events, wait_hours, wait_share (of all waiting), wait_median,
        wait_p90, service_hours, service_median.
    transitions : DataFrame
        Per source → target: transitions, wait_hours, wait_share, wait_median, wait_p90.
    notes : list of str
    time_kind : {"wait", "flow"}
        ``"flow"`` for a log without start times: the ``wait_*`` columns are then named
        ``flow_*`` (``flow_hours``, ``flow_share``...), as they hold flow times.
    """

    totals: pd.DataFrame
    table: pd.DataFrame
    transitions: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    time_kind: str = "wait"

    _tables = ("totals", "table", "transitions")

    def figure(self, *, lang: str | None = None) -> Any:
        """Patient-hours of waiting and service per touchpoint (stacked bars).

        ``lang`` ({"en", "zh"}, default :func:`journey.i18n.get_language`) sets the language
        of title, axes, legend and touchpoint names.

        Examples
        --------
        >>> import pandas as pd, journey
        >>> df = pd.DataFrame({"case_id": ["a", "a"], "activity": ["Triage", "Lab"],
        ...     "start": ["2025-01-06 08:00", "2025-01-06 08:30"],
        ...     "end": ["2025-01-06 08:10", "2025-01-06 08:40"]})
        >>> fig = time_decomposition(journey.read_log(df)).figure(lang="zh")
        >>> fig.layout.title.text, fig.data[0].name
        ('各触点等候与服务的患者小时数', '等候总时长(小时)')
        """
        from journey import _figures_waits
        from journey._language import _resolve

        return _figures_waits.time_decomposition(self, lang=_resolve(lang))


def time_decomposition(log: EventLog, *, by: str | Sequence[str] | None = None,
                       ) -> TimeDecomposition:
    """Split each visit's length of stay into waits, service and other time.

    Per visit, length of stay (first start → last end) = Σ waits + Σ service + other, where
    *other* is what remains: negative when touchpoints overlap (parallel work), positive when
    time is neither a recorded wait nor a service. Totals are patient-hours; ``wait_share`` is
    each touchpoint's (or transition's) share of all waiting. Without start times the gaps are
    flow times and the columns say so: ``flow_hours``, ``flow_share``, ``flow_median``...

    Parameters
    ----------
    log : EventLog
    by : str or list of str, optional
        Visit-level grouping for ``totals`` and ``table`` (e.g. ``"department"``, of the
        visit's last event, or a segment attribute).

    Examples
    --------
    >>> import pandas as pd, journey
    >>> df = pd.DataFrame({"case_id": ["a", "a"], "activity": ["Triage", "Lab"],
    ...     "start": ["2025-01-06 08:00", "2025-01-06 08:30"],
    ...     "end": ["2025-01-06 08:10", "2025-01-06 08:40"]})
    >>> time_decomposition(journey.read_log(df)).totals[["los_hours", "wait_hours"]].round(3)
       los_hours  wait_hours
    0      0.667       0.333
    """
    keys = [by] if isinstance(by, str) else list(by or [])
    v = _visits(log)
    missing = [k for k in keys if k not in v.columns]
    if missing:
        raise JourneyError(f"cannot group by {missing}; visit columns are {v.columns}.",
                           source=log.source)
    # whole seconds as integers: exact sums, so "other" is exactly zero when nothing is left
    agg = {"visits": v.count()} | {
        f"{part}_s": (v[part] * 60).round().cast("int64").sum()
        for part in ("los", "wait", "service")}
    totals = (v.group_by(keys).aggregate(**agg) if keys else v.aggregate(**agg)).execute()
    seconds = totals[["los_s", "wait_s", "service_s"]].fillna(0).astype("int64")
    totals = totals.drop(columns=seconds.columns).assign(
        los_hours=seconds.los_s / 3600, wait_hours=seconds.wait_s / 3600,
        service_hours=seconds.service_s / 3600,
        other_hours=(seconds.los_s - seconds.wait_s - seconds.service_s) / 3600)
    for part in ("wait", "service", "other"):
        totals[f"{part}_share"] = totals[f"{part}_hours"] / totals.los_hours
    ev = _events(log)
    if keys:
        ev = ev.join(v.select("case_id", *[_[k].name(f"_{k}") for k in keys]), "case_id")
        ev = ev.mutate(**{k: ev[f"_{k}"] for k in keys if k not in ("activity",)})

    def per(group: list[str]) -> pd.DataFrame:
        e = ev.filter(ev.prev_activity.notnull()) if "source" in group else ev
        e = e.mutate(source=e.prev_activity) if "source" in group else e
        out = e.group_by(group).aggregate(
            events=e.count(), wait_hours=e.wait.sum() / 60, wait_median=e.wait.median(),
            wait_p90=e.wait.quantile(0.9), service_hours=e.service.sum() / 60,
            service_median=e.service.median()).execute()
        total = out.groupby(keys).wait_hours.transform("sum") if keys else out.wait_hours.sum()
        out.insert(len(group) + 2, "wait_share", out.wait_hours / total)
        rest = [g for g in group if g not in keys]  # ties in a fixed order: same rows each run
        return out.sort_values([*keys, "wait_hours", *rest],
                               ascending=[True] * len(keys) + [False] + [True] * len(rest),
                               ignore_index=True)

    table = per([*keys, "activity"])
    tr = per([*keys, "source", "activity"]).rename(columns={"activity": "target",
                                                           "events": "transitions"})
    tr = tr.drop(columns=["service_hours", "service_median"])
    notes = _time_note(log) + ["Length of stay = first start → last end of each visit; "
                               "'other' = the rest (negative where touchpoints overlap)."]
    if not log.has_start:
        notes.append("Without start times, service is unknown (0 here) and the flow_* columns "
                     "hold flow times: they include the service of each touchpoint.")
    kind = log.time_kind
    return TimeDecomposition(totals=gap_columns(totals, kind), table=gap_columns(table, kind),
                             transitions=gap_columns(tr, kind), notes=notes, time_kind=kind)


# --------------------------------------------------------------------------- bottlenecks
@dataclass(frozen=True, repr=False)
class Bottlenecks(Result):
    """Touchpoints ranked as bottlenecks; build one with :func:`bottlenecks`.

    Attributes
    ----------
    table : DataFrame
        rank, activity, events, wait_share (of all waiting), wait_median, wait_p90,
        worst_block, block_mean (mean wait in it), other_mean (at other times), build_up
        (their ratio), block_events, utilisation, sentence. Without start times the gap
        columns are ``flow_share``, ``flow_median``, ``flow_p90``.
    blocks : DataFrame
        activity, day, hour, events, wait_mean (``flow_mean``): the hour-by-day profile behind
        the ranking; empty when the log records dates only.
    time_kind : {"wait", "flow"}
    notes : list of str
    """

    table: pd.DataFrame
    blocks: pd.DataFrame
    time_kind: str
    notes: list[str] = field(default_factory=list)

    _tables = ("table", "blocks")

    def __repr__(self) -> str:  # printed as its sentences, one a line
        return "Bottlenecks\n" + "\n".join(self.table.sentence)

    def figure(self, *, top: int | None = None, lang: str | None = None) -> Any:
        """Mean wait by hour of day for the ranked touchpoints, one line per day type.

        ``lang`` ({"en", "zh"}, default :func:`journey.i18n.get_language`) sets the language
        of titles, axes, day and touchpoint names.

        Examples
        --------
        >>> import journey
        >>> log = journey.read_log("data/sample/visits.csv")  # doctest: +SKIP
        >>> journey.bottlenecks(log).figure(lang="zh").layout.title.text  # doctest: +SKIP
        '排队在哪里积压：各时段平均等候'
        """
        from journey import _figures_waits
        from journey._language import _resolve

        return _figures_waits.bottlenecks(self, top=top, lang=_resolve(lang))


def _worst_blocks(cells: pd.DataFrame, hours: int, min_events: int) -> pd.DataFrame:
    """Per touchpoint, its block of ``hours`` with the longest mean wait, and the rest's mean."""
    rows = []
    for a, g in cells.groupby("activity"):
        tot_n, tot_s = g.events.sum(), g.wait_sum.sum()
        best = None
        for d, gd in g.groupby("day"):
            per_hour = gd.set_index("hour")[["events", "wait_sum"]].reindex(range(24), fill_value=0)
            n = per_hour.events.rolling(hours).sum().shift(1 - hours)
            s = per_hour.wait_sum.rolling(hours).sum().shift(1 - hours)
            ok = n >= min_events
            if not ok.any():
                continue
            mean = (s / n).where(ok)
            h = int(mean.idxmax())
            if best is None or mean[h] > best[2]:
                best = (d, h, mean[h], n[h], s[h])
        if best is None:
            rows.append((a, None, np.nan, 0, np.nan))
            continue
        d, h, m, n, s = best
        other = (tot_s - s) / (tot_n - n) if tot_n > n else np.nan
        label = f"{d} {h:02d}:00–{(h + hours) % 24:02d}:00"
        rows.append((a, label, m, int(n), other))
    return pd.DataFrame(rows, columns=["activity", "worst_block", "block_mean", "block_events",
                                       "other_mean"])


def _notes(log: EventLog, day_only: bool, key: str, word: str, plural: str, hours: int,
           min_events: int, total: float) -> list[str]:
    """The notes under the ranking: what it ranks by, and what it cannot tell."""
    if day_only:
        notes = _time_note(log) + [
            "The log records dates only (resolution 'day'): there is no hour of day, so no "
            "worst hour block is sought; touchpoints are ranked by their share of all "
            f"{'waiting' if log.has_start else 'flow time'}; times are minutes (whole days)."]
    else:
        notes = _time_note(log) + [
            f"Ranked by {'queue build-up' if key == 'build_up' else 'share of all ' + word}; "
            f"blocks of {hours} h with at least {min_events} {plural}; times are minutes."]
    if not log.has_start:
        notes.append("Without start times this ranking can only show where flow times grow "
                     "at some hours; it cannot tell queueing from service, and utilisation "
                     "is unknown.")
    if not total > 0:
        notes.append(f"Every {word} is 0 min: there are no {plural} to share out or rank.")
    return notes


def bottlenecks(
    log: EventLog,
    *,
    top: int | None = 5,
    hours: int = 2,
    days: str = "type",
    min_events: int = 50,
    rank_by: str = "build_up",
    lang: str | None = None,
) -> Bottlenecks:
    """Rank touchpoints as bottlenecks, each with a sentence that explains why.

    For each touchpoint the waits are placed by the hour their touchpoint starts and the day
    (day types Mon–Fri / Sat / Sun, or each weekday with ``days="weekday"``). The worst
    block is the window of ``hours`` consecutive hours of one day (type) with the highest
    mean wait among windows holding at least ``min_events`` waits; ``build_up`` is its mean
    wait divided by the touchpoint's mean wait at all other times. A recurring build-up is
    the signature of capacity short of demand at those hours (waits grow sharply as
    utilisation nears 1). ``wait_share`` is the touchpoint's share of all waiting: a large
    share with little build-up points to waits that are long all day (results, booked
    slots, a constant shortage) rather than to a time-specific bottleneck.

    Parameters
    ----------
    log : EventLog
    top : int or None
        Rows to keep (None: all).
    hours : int
        Width of a block in hours.
    days : {"type", "weekday"}
        Pool Monday–Friday into one day type (robust: each cell holds five times more
        data), or look at each weekday separately.
    min_events : int
        Smallest number of waits in a block for it to count.
    rank_by : {"build_up", "share"}
    lang : {"en", "zh"}, optional
        Language of the ``sentence`` column (and so of the printed result); default
        :func:`journey.i18n.get_language`. The numbers are the same in both.

    Examples
    --------
    >>> import journey
    >>> log = journey.read_log("data/sample/visits.csv")  # doctest: +SKIP
    >>> journey.bottlenecks(log).table.sentence[0]  # doctest: +SKIP
    'Lab: mean wait 13.1 min Mon–Fri 09:00–11:00, 3.5× the 3.7 min at other times; ...'
    >>> journey.bottlenecks(log, lang="zh").table.sentence[0]  # doctest: +SKIP
    '检验：周一至周五 09:00–11:00 平均等候 13.1 分钟，是其他时段 3.7 分钟的 3.5 倍；...'
    """
    from journey._language import _resolve

    lang = _resolve(lang)
    if days not in DAY_TYPES:
        raise JourneyError(f"days= must be 'type' or 'weekday', got {days!r}.")
    if rank_by not in ("build_up", "share"):
        raise JourneyError(f"rank_by= must be 'build_up' or 'share', got {rank_by!r}.")
    ev = _events(log)
    ev = ev.filter(ev.wait.notnull())
    names = DAY_TYPES[days]
    cells = ev.group_by(["activity", "weekday", "hour"]).aggregate(
        events=ev.count(), wait_sum=ev.wait.sum()).execute()
    cells["day"] = cells.pop("weekday").map(dict(enumerate(names)))
    cells = cells.groupby(["activity", "day", "hour"], as_index=False)[
        ["events", "wait_sum"]].sum()
    overall = ev.group_by("activity").aggregate(
        events=ev.count(), wait_sum=ev.wait.sum(), wait_median=ev.wait.median(),
        wait_p90=ev.wait.quantile(0.9)).execute()
    if overall.empty:
        raise JourneyError("no waits in the log: it needs visits with two or more touchpoints.",
                           source=log.source)
    day_only = log.resolution == "day"
    if day_only:  # no hour of day: every time is midnight
        cells = cells.iloc[:0]
        rank_by = "share"
    worst = _worst_blocks(cells, hours, min_events)
    t = overall.merge(worst, on="activity", how="left")
    total = t.wait_sum.sum()
    t["wait_share"] = t.wait_sum / total if total > 0 else np.nan
    t["build_up"] = t.block_mean / t.other_mean.where(t.other_mean > 0)
    util = utilisation(log).table.set_index("activity").utilisation if (
        log.has_start and "resource" in log.table.columns) else pd.Series(dtype=float)
    t["utilisation"] = t.activity.map(util)
    key = "build_up" if rank_by == "build_up" else "wait_share"
    t = t.sort_values([key, "activity"], ascending=[False, True], na_position="last",
                      ignore_index=True)
    t.insert(0, "rank", range(1, len(t) + 1))
    word = "wait" if log.has_start else "flow time"
    t["sentence"] = [_sentence(r, word, lang, day_only) for r in t.itertuples()]
    cols = ["rank", "activity", "events", "wait_share", "wait_median", "wait_p90",
            "worst_block", "block_mean", "other_mean", "build_up", "block_events",
            "utilisation", "sentence"]
    blocks = cells.assign(wait_mean=cells.wait_sum / cells.events).drop(columns="wait_sum")
    blocks["day"] = pd.Categorical(blocks.day, categories=list(dict.fromkeys(names)),
                                   ordered=True)
    blocks = blocks.sort_values(["activity", "day", "hour"], ignore_index=True)
    plural = "waits" if log.has_start else "flow times"
    notes = _notes(log, day_only, key, word, plural, hours, min_events, total)
    kind = log.time_kind
    return Bottlenecks(table=gap_columns(t[cols].head(top) if top else t[cols], kind),
                       blocks=gap_columns(blocks, kind), time_kind=kind, notes=notes)


def _sentence(r: Any, word: str, lang: str = "en", day_only: bool = False) -> str:
    """The plain-language reading of one ranked touchpoint, in English or Chinese."""
    from journey.i18n import display_name

    L = texts("bottlenecks", lang)
    S = texts("bottlenecks.sentence", lang)
    a = display_name(r.activity, lang)
    what = L["waiting" if word == "wait" else word]
    word = L[word]
    if pd.isna(r.wait_share):
        share = S["no_share"].format(word=word)
    else:
        share = S["share"].format(pct=100 * r.wait_share, what=what)
    median = S["median"].format(median=r.wait_median, p90=r.wait_p90)
    if day_only:
        return S["day"].format(a=a, share=share, median=median)
    if not isinstance(r.worst_block, str):
        return S["none"].format(a=a, share=share, median=median, word=word)
    if pd.isna(r.build_up):  # nothing at other times, or nothing waited there
        return S["flat"].format(a=a, share=share, median=median, word=word)
    util = "" if pd.isna(r.utilisation) else S["util"].format(util=100 * r.utilisation)
    day, hours = r.worst_block.rsplit(" ", 1)
    block = f"{texts('day', lang).get(day, day)} {hours}"
    return S["block"].format(a=a, word=word, mean=r.block_mean, block=block, ratio=r.build_up,
                             other=r.other_mean, share=share, median=median, util=util)


# --------------------------------------------------------------------------- queues
def _occupancy(intervals: ir.Table, keys: Sequence[str], freq: str, lo: pd.Timestamp,
               hi: pd.Timestamp) -> ir.Table:
    """∫N(t)dt (minutes) per ``keys`` and bin of ``freq`` over [lo, hi), where N(t) counts the
    ``intervals`` (``t0``, ``t1``) open at t; by an event sweep with zero-marks at bin edges."""
    edges = pd.date_range(lo, hi, freq=freq, inclusive="left")
    key_values = intervals.select(*keys).distinct()
    marks = key_values.cross_join(ibis.memtable(pd.DataFrame({"time": edges.astype(
        "datetime64[us]")}))).mutate(delta=ibis.literal(0))
    ins = intervals.select(*keys, time=intervals.t0, delta=ibis.literal(1))
    outs = intervals.select(*keys, time=intervals.t1, delta=ibis.literal(-1))
    s = _sweep(ins.union(outs, marks.select(*keys, "delta", time=_.time.cast(intervals.t0.type())),
                           distinct=False), keys)
    step = pd.Timedelta(freq)
    s = s.filter((s.time >= lo) & (s.time < hi) & s.next.notnull())
    s = s.mutate(bin=s.time.bucket(seconds=int(step.total_seconds())),
                 area=s.level * minutes(s.time, ibis.least(s.next, ibis.literal(hi))))
    return s.group_by([*keys, "bin"]).aggregate(area=s.area.sum())


@dataclass(frozen=True, repr=False)
class QueueProfile(Result):
    """Queue and in-service counts per touchpoint; build one with :func:`queue_over_time`.

    Attributes
    ----------
    table : DataFrame
        activity, bin, queue, in_service: time-weighted mean numbers in each bin.
    profile : DataFrame
        activity, weekday, hour, queue, in_service: mean per such weekday in the range.
    notes : list of str
    """

    table: pd.DataFrame
    profile: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    _tables = ("table", "profile")

    def heatmap(self, activity: str | None = None, *, value: str = "queue",
                lang: str | None = None) -> Any:
        """Hour × weekday heatmap of the mean queue (or ``value="in_service"``).

        ``activity`` defaults to the touchpoint with the largest mean of ``value``.

        ``lang`` ({"en", "zh"}, default :func:`journey.i18n.get_language`) sets the language
        of title, axes, weekday (周一…周日) and touchpoint names.

        Examples
        --------
        >>> import pandas as pd, journey
        >>> df = pd.DataFrame({"case_id": ["a", "a"], "activity": ["Triage", "Lab"],
        ...     "start": ["2025-01-06 08:00", "2025-01-06 08:30"],
        ...     "end": ["2025-01-06 08:15", "2025-01-06 08:45"]})
        >>> q = queue_over_time(journey.read_log(df))
        >>> q.heatmap("Lab", lang="zh").layout.title.text
        '检验：平均排队等候人数'
        """
        from journey import _figures_waits
        from journey._language import _resolve

        return _figures_waits.queue_heatmap(self, activity, value=value,
                                            lang=_resolve(lang))

    def figure(self, activity: str | None = None, **kwargs: Any) -> Any:
        """The heatmap; see :meth:`heatmap`."""
        return self.heatmap(activity, **kwargs)


#: Largest grid (touchpoints × bins) that :func:`queue_over_time` builds before coarsening.
MAX_CELLS = 1_000_000
_COARSER = ("15min", "30min", "1h", "2h", "3h", "4h", "6h", "12h", "1D")


def _bounded_freq(freq: str, n_keys: int, lo: pd.Timestamp, hi: pd.Timestamp,
                  what: str) -> tuple[str, list[str]]:
    """``freq``, or the finest coarser step that keeps ``n_keys`` × bins ≤ :data:`MAX_CELLS`,
    with a note saying so; a :class:`JourneyError` with a suggestion when even days are too
    many."""
    step = pd.Timedelta(freq)
    cells = n_keys * int(np.ceil((hi - lo) / step))
    if cells <= MAX_CELLS:
        return freq, []
    for f in _COARSER:
        if pd.Timedelta(f) > step and n_keys * int(np.ceil((hi - lo) / pd.Timedelta(f))
                                                   ) <= MAX_CELLS:
            return f, [f"Bins of {freq} would make {cells:,} cells ({n_keys} touchpoints × "
                       f"{cells // max(n_keys, 1):,} bins, above {MAX_CELLS:,}): coarsened to "
                       f"{f}. For finer bins, {what}."]
    raise JourneyError(f"bins of {freq} over {lo.date()} – {hi.date()} would make {cells:,} "
                       f"cells ({n_keys} touchpoints), and even daily bins exceed "
                       f"{MAX_CELLS:,}: {what}.")


def queue_over_time(log: EventLog, *, freq: str = "15min") -> QueueProfile:
    """Patients waiting for and in service at each touchpoint, over time.

    The queue of a touchpoint is reconstructed by an event sweep: +1 when a patient joins it
    (the end of their previous touchpoint), −1 when service starts; in service: +1 at start,
    −1 at end. The step functions are averaged over each bin (time-weighted), then over the
    bins of each weekday × hour: the sum is divided by the number of such weekdays in the
    range, so empty days count as zero. A visit's first touchpoint has no known queue
    arrival and joins no queue.

    The work is bounded: when touchpoints × bins would pass :data:`MAX_CELLS` (a million),
    the bins are coarsened to the finest of 30 min, 1 h, 2 h, ..., 1 day that fits, and the
    notes say so; when even daily bins are too many the call stops with a suggestion (filter
    a period or fewer touchpoints first). A log that records dates only has no hour of day:
    bins are days and the hour × weekday profile is left out with a note.

    Examples
    --------
    >>> import pandas as pd, journey
    >>> df = pd.DataFrame({"case_id": ["a", "a"], "activity": ["Triage", "Lab"],
    ...     "start": ["2025-01-06 08:00", "2025-01-06 08:30"],
    ...     "end": ["2025-01-06 08:15", "2025-01-06 08:45"]})
    >>> q = queue_over_time(journey.read_log(df), freq="15min")
    >>> lab = q.table[(q.table.activity == "Lab") & (q.table.bin.dt.hour == 8)]
    >>> lab[["bin", "queue", "in_service"]].reset_index(drop=True)
                      bin  queue  in_service
    0 2025-01-06 08:00:00    0.0         0.0
    1 2025-01-06 08:15:00    1.0         0.0
    2 2025-01-06 08:30:00    0.0         1.0
    3 2025-01-06 08:45:00    0.0         0.0
    """
    _need_start(log, "queue_over_time")
    _need_events(log)
    ev = _events(log)
    lo, hi = log.period
    lo, hi = lo.floor("D"), hi.floor("D") + pd.Timedelta(days=1)
    notes: list[str] = []
    day_only = log.resolution == "day"
    if day_only and pd.Timedelta(freq) < pd.Timedelta("1D"):
        notes.append(f"The log records dates only (resolution 'day'): bins of 1 day instead of "
                     f"{freq}, and no hour × weekday profile.")
        freq = "1D"
    n_keys = int(ev.filter(ev.start.notnull()).activity.nunique().execute() or 0)
    freq, more = _bounded_freq(freq, max(n_keys, 1), lo, hi,
                               "filter a shorter period or fewer touchpoints first, e.g. "
                               "log.filter(period=(start, end)) or "
                               "log.filter(activities=[...])")
    notes += more
    q = ev.filter(ev.wait.notnull()).select("activity", t0=_.arrival, t1=_.start)
    s = ev.filter(ev.start.notnull()).select("activity", t0=_.start, t1=_.end)
    width = pd.Timedelta(freq).total_seconds() / 60
    a = _occupancy(q, ["activity"], freq, lo, hi).rename(queue="area")
    b = _occupancy(s, ["activity"], freq, lo, hi).rename(in_service="area")
    t = a.outer_join(b, ["activity", "bin"]).execute()
    t["activity"] = t.activity.fillna(t.pop("activity_right"))
    t["bin"] = t.bin.fillna(t.pop("bin_right"))
    t[["queue", "in_service"]] = t[["queue", "in_service"]].fillna(0.0) / width
    t = t.sort_values(["activity", "bin"], ignore_index=True)
    wall = wall_clock_values(t.bin, log.clock)  # the hospital's clock
    t["weekday"], t["hour"] = wall.dt.day_of_week, wall.dt.hour
    n_days = pd.Series(pd.date_range(lo, hi, freq="D", inclusive="left").day_of_week
                       ).value_counts()
    prof = t.groupby(["activity", "weekday", "hour"], as_index=False)[["queue", "in_service"]
                                                                    ].sum()
    per_hour = max(60 / width, 1.0)  # bins per labelled hour (one when bins are longer)
    scale = prof.weekday.map(n_days) * per_hour
    prof[["queue", "in_service"]] = prof[["queue", "in_service"]].div(scale, axis=0)
    if day_only or width >= 24 * 60:
        prof = prof.iloc[:0]
        if not day_only:
            notes.append("Bins of a day or more: no hour × weekday profile.")
    else:
        notes.append(f"Bins of {freq}; profile = mean per such weekday in {lo.date()} – "
                     f"{(hi - pd.Timedelta(days=1)).date()}.")
    return QueueProfile(table=t.drop(columns=["weekday", "hour"]),
                        profile=_label_days(prof), notes=notes)


def arrivals_vs_completions(log: EventLog, *, freq: str = "1h") -> pd.DataFrame:
    """Demand and throughput per touchpoint by weekday and time of day.

    Arrivals are patients joining the touchpoint's queue (the end of their previous
    touchpoint; the start of a visit's first touchpoint); ``starts`` and ``completions``
    count service starts and ends. Each is the mean number per such weekday in the range.
    Where arrivals exceed completions hour after hour, the queue grows: demand is above
    capacity.

    Returns
    -------
    DataFrame
        activity, weekday, time (bin start, ``HH:MM``), arrivals, starts, completions,
        backlog_change (arrivals − completions).

    Examples
    --------
    >>> import pandas as pd, journey
    >>> df = pd.DataFrame({"case_id": ["a", "a"], "activity": ["Triage", "Lab"],
    ...     "start": ["2025-01-06 08:00", "2025-01-06 08:30"],
    ...     "end": ["2025-01-06 08:15", "2025-01-06 09:10"]})
    >>> t = arrivals_vs_completions(journey.read_log(df))
    >>> t[t.activity == "Lab"][["time", "arrivals", "completions"]]
        time  arrivals  completions
    0  08:00       1.0          0.0
    1  09:00       0.0          1.0
    """
    _need_events(log)
    ev = _events(log)
    seconds = int(pd.Timedelta(freq).total_seconds())
    first = ibis.coalesce(ev.start, ev.end) if log.has_start else ev.end
    kinds = [("arrivals", ibis.coalesce(ev.arrival, first)), ("completions", ev.end)]
    if log.has_start:
        kinds.insert(1, ("starts", ev.start))
    parts = [ev.select("activity", kind=ibis.literal(k),  # bins of the hospital's clock
                       t=wall_clock(v, log.clock).bucket(seconds=seconds)) for k, v in kinds]
    allp = parts[0]
    for p in parts[1:]:
        allp = allp.union(p, distinct=False)
    allp = allp.filter(allp.t.notnull())
    allp = allp.mutate(weekday=allp.t.day_of_week.index(), time=allp.t.strftime("%H:%M"))
    c = allp.group_by(["activity", "kind", "weekday", "time"]).aggregate(n=allp.count()
                                                                        ).execute()
    lo, hi = log.period
    n_days = pd.Series(pd.date_range(lo.floor("D"), hi.floor("D"), freq="D").day_of_week
                       ).value_counts()
    c["n"] = c.n / c.weekday.map(n_days)
    out = c.pivot_table(index=["activity", "weekday", "time"], columns="kind", values="n",
                        fill_value=0.0).reset_index()
    out.columns.name = None
    for k, _v in kinds:
        if k not in out:
            out[k] = 0.0
    out["backlog_change"] = out.arrivals - out.completions
    cols = ["activity", "weekday", "time", *[k for k, _v in kinds], "backlog_change"]
    return _label_days(out[cols].sort_values(["activity", "weekday", "time"],
                                             ignore_index=True))


# --------------------------------------------------------------------------- utilisation
@dataclass(frozen=True, repr=False)
class Utilisation(Result):
    """Busy time over staffed time; build one with :func:`utilisation`.

    Attributes
    ----------
    table : DataFrame
        activity, resources, busy_hours, staffed_hours, utilisation.
    resources : DataFrame
        resource, activities, busy_hours, staffed_hours, utilisation.
    notes : list of str
    """

    table: pd.DataFrame
    resources: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    _tables = ("table", "resources")

    def figure(self, *, lang: str | None = None) -> Any:
        """Utilisation per touchpoint (bars).

        ``lang`` ({"en", "zh"}, default :func:`journey.i18n.get_language`) sets the language
        of title, axis and touchpoint names.

        Examples
        --------
        >>> import pandas as pd, journey
        >>> df = pd.DataFrame({"case_id": ["a", "b"], "activity": ["Lab", "Lab"],
        ...     "resource": ["L1", "L1"],
        ...     "start": ["2025-01-06 08:00", "2025-01-06 08:40"],
        ...     "end": ["2025-01-06 08:20", "2025-01-06 09:00"]})
        >>> fig = utilisation(journey.read_log(df)).figure(lang="zh")
        >>> fig.layout.title.text, fig.layout.xaxis.title.text, list(fig.data[0].y)
        ('人员忙碌时间 / 在岗时间', '人员忙碌比例', ['检验'])
        """
        from journey import _figures_waits
        from journey._language import _resolve

        return _figures_waits.utilisation(self, lang=_resolve(lang))


def utilisation(log: EventLog, *, roster: pd.DataFrame | None = None) -> Utilisation:
    """Busy time / staffed time per resource and per touchpoint.

    Busy time is the sum of service times (end − start) of the resource's events. Staffed
    time comes from ``roster`` (columns ``resource``, ``start``, ``end``: one row per shift)
    or, without one, is *inferred*: a resource counts as staffed from its first event's start
    to its last event's end on each day, which misses idle time before the first and after
    the last patient (utilisation is overstated) and fills breaks (understated). A resource
    serving several touchpoints lends its staffed time to each in proportion to its busy time
    there, so a touchpoint's utilisation is the busy-time-weighted mean of its resources'.

    Examples
    --------
    >>> import pandas as pd, journey
    >>> df = pd.DataFrame({"case_id": ["a", "b"], "activity": ["Lab", "Lab"],
    ...     "resource": ["L1", "L1"],
    ...     "start": ["2025-01-06 08:00", "2025-01-06 08:40"],
    ...     "end": ["2025-01-06 08:20", "2025-01-06 09:00"]})
    >>> utilisation(journey.read_log(df)).table[["activity", "busy_hours", "utilisation"]]
      activity  busy_hours  utilisation
    0      Lab    0.666667     0.666667
    """
    _need_start(log, "utilisation")
    t = log.table
    if "resource" not in t.columns:
        raise JourneyError("utilisation needs a resource column; name it when reading, e.g. "
                           "read_log(path, resource='staff').", source=log.source)
    t = t.filter(t.resource.notnull() & t.start.notnull())
    busy = t.group_by(["resource", "activity"]).aggregate(
        busy=minutes(t.start, t.end).sum()).execute()
    if roster is not None:
        need = {"resource", "start", "end"} - set(roster.columns)
        if need:
            raise JourneyError(f"the roster needs columns resource, start, end; missing "
                               f"{sorted(need)}.")
        r = roster.assign(start=pd.to_datetime(roster.start), end=pd.to_datetime(roster.end))
        staffed = ((r.end - r.start) / pd.Timedelta(minutes=1)).groupby(r.resource).sum()
        note = "Staffed time from the roster."
    else:
        day = wall_clock(t.start, log.clock).date()
        spans = t.group_by(["resource", day.name("day")]).aggregate(
            first=t.start.min(), last=t.end.max())
        staffed = spans.group_by("resource").aggregate(
            staffed=minutes(spans.first, spans.last).sum()).execute().set_index(
            "resource").staffed
        note = ("Staffed time inferred: each resource counts as staffed from its first to its "
                "last event of each day (no roster given).")
    busy["share"] = busy.busy / busy.groupby("resource").busy.transform("sum")
    busy["staffed"] = busy.resource.map(staffed) * busy.share
    res = busy.groupby("resource").agg(activities=("activity", lambda s: ", ".join(sorted(s))),
                                       busy_hours=("busy", "sum"))
    res["busy_hours"] /= 60
    res["staffed_hours"] = staffed.reindex(res.index) / 60
    res["utilisation"] = res.busy_hours / res.staffed_hours
    tab = busy.groupby("activity").agg(resources=("resource", "nunique"),
                                       busy_hours=("busy", "sum"), staffed_hours=("staffed",
                                                                                  "sum"))
    tab[["busy_hours", "staffed_hours"]] /= 60
    tab["utilisation"] = tab.busy_hours / tab.staffed_hours
    unstaffed = res.staffed_hours.isna().sum()
    notes = [note] + ([f"{unstaffed} resources have no staffed time in the roster."]
                      if unstaffed else [])
    return Utilisation(table=tab.reset_index(), resources=res.reset_index(), notes=notes)


# --------------------------------------------------------------------------- Little's law
def littles_law(log: EventLog, *, window: tuple[Any, Any] | None = None,
                lang: str | None = None) -> pd.DataFrame:
    """Little's law check: mean census vs arrival rate × mean length of stay.

    Over a window (default: the full days of the log, without its first and last day so
    that visits already open or still open at the edges matter little), the mean census L
    is the time-weighted number of open visits (first time → last end), from an event sweep;
    λ is the visits arriving in the window per hour and W their mean length of stay. L = λW
    holds for any stable system, so a large relative difference points to visits cut off at
    the window's edges, a trend, or timestamps that do not fit together.

    Returns
    -------
    DataFrame
        One row: window_start, window_end, visits, census (L), arrivals_per_hour (λ),
        mean_stay_hours (W), lambda_w, relative_difference ((λW − L)/L), reading (in
        ``lang``, default :func:`journey.i18n.get_language`).

    Examples
    --------
    >>> import pandas as pd, journey
    >>> df = pd.DataFrame({"case_id": ["a", "b"], "activity": ["Lab", "Lab"],
    ...     "start": ["2025-01-06 08:00", "2025-01-06 09:00"],
    ...     "end": ["2025-01-06 10:00", "2025-01-06 10:00"]})
    >>> r = littles_law(journey.read_log(df), window=("2025-01-06", "2025-01-07"))
    >>> r[["census", "lambda_w", "relative_difference"]].round(4)
       census  lambda_w  relative_difference
    0   0.125     0.125                  0.0
    >>> littles_law(journey.read_log(df), window=("2025-01-06", "2025-01-07"), lang="zh"
    ...             ).reading[0][:13]
    '平均有 0.1 名患者在院'
    """
    from journey._language import _resolve

    R = texts("bottlenecks.little", _resolve(lang))
    _need_events(log)
    v = _visits(log)
    if window is None:
        lo, hi = log.period
        lo, hi = lo.floor("D") + pd.Timedelta(days=1), hi.floor("D")
        if hi <= lo:
            lo, hi = log.period[0].floor("D"), log.period[1].floor("D") + pd.Timedelta(days=1)
    else:
        lo, hi = (pd.Timestamp(w) for w in window)
    span = (hi - lo) / pd.Timedelta(minutes=1)
    iv = v.filter(v.departure > v.arrival).select(key=ibis.literal("all"), t0=_.arrival,
                                                  t1=_.departure)
    area = _occupancy(iv, ["key"], "1D", lo, hi).area.sum().execute()
    inside = v.filter((v.arrival >= lo) & (v.arrival < hi))
    agg = inside.aggregate(n=inside.count(), w=inside.los.mean()).execute().iloc[0]
    census = float(area or 0) / span
    lam = int(agg.n) / (span / 60)
    stay = float(agg.w) / 60 if pd.notna(agg.w) else np.nan
    lw = lam * stay
    rel = (lw - census) / census if census else np.nan
    reading = (R["reading"].format(census=census, lam=lam, stay=stay, lw=lw, pct=100 * rel)
               + R["fit" if abs(rel) < 0.05 else "gap"])
    return pd.DataFrame({"window_start": [lo], "window_end": [hi], "visits": [int(agg.n)],
                         "census": [census], "arrivals_per_hour": [lam],
                         "mean_stay_hours": [stay], "lambda_w": [lw],
                         "relative_difference": [rel], "reading": [reading]})
