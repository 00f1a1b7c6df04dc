"""Journey maps: how patients move between touchpoints, and where the time goes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from journey._gaps import gap_columns, wait_columns
from journey._result import Result
from journey._simplify import check_amount, keep_paths, top_activities
from journey.engine import (
    FIRST_PASS,
    NEIGHBOURS,
    SEQUENCE_COLUMNS,
    VISIT_KEY,
    case_paths,
    sequenced,
    visit_key,
)
from journey.errors import JourneyError
from journey.log import EventLog
from journey.stages import stage_of

__all__ = ["JourneyMap", "MapComparison", "compare_maps", "journey_map"]

END = "End"


def _seconds(minutes: Any) -> Any:
    """Whole seconds as integers: their sums and means do not depend on the adding order."""
    return (minutes * 60).round().cast("int64")


_QUANTILES = (0.5, 0.9)


def _split_quantiles(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn each list column of ``_QUANTILES`` (one engine aggregate, half the memory of two)
    into ``<name>_median`` and ``<name>_p90`` columns in its place."""
    for name in [c for c in ("service", "wait") if c in frame.columns]:
        values = [(np.nan, np.nan) if v is None or not len(v) else tuple(v) for v in frame[name]]
        at = frame.columns.get_loc(name)
        frame = frame.drop(columns=name)
        parts = np.array(values, dtype="float64").reshape(-1, 2)
        frame.insert(at, f"{name}_p90", parts[:, 1])
        frame.insert(at, f"{name}_median", parts[:, 0])
    return frame


def _per_touchpoint(t: Any, **metrics: Any) -> pd.DataFrame:
    """Activity, visits and ``metrics`` per touchpoint, as one frame.

    The visits are the sum of the first-pass flags when read_log stored them
    (:data:`~journey.engine.FIRST_PASS`), in the same query as ``metrics``; else a distinct
    count, in a query of its own: the engine can spill it to disk, which it cannot do for the
    percentiles computed alongside it (a 100-million-event log).
    """
    grouped = t.group_by("activity")
    if FIRST_PASS in t.columns:
        return _split_quantiles(grouped.aggregate(
            cases=t[FIRST_PASS].cast("int64").sum(), **metrics).execute())
    cases = grouped.aggregate(cases=visit_key(t).nunique()).execute()
    return cases.merge(_split_quantiles(grouped.aggregate(**metrics).execute()), on="activity")


@dataclass(frozen=True, repr=False)
class JourneyMap(Result):
    """Tables and figures of a journey map; build one with :func:`journey_map`.

    Each table is computed in the engine the first time it is read, then kept. All times are
    minutes. ``time_kind`` is ``"wait"`` when the log has start times and ``"flow"``
    otherwise: the ``wait_*`` columns are then named ``flow_*`` (flow times between
    completions, the next touchpoint's service included).

    Attributes
    ----------
    touchpoints : DataFrame
        activity, stage, cases, events, service_median, service_p90, wait_median, wait_p90.
    transitions : DataFrame
        source, target, cases, transitions, share_of_source, wait_median, wait_mean, wait_p90,
        overlaps (the target started before the source ended; no wait counted).
    starts, ends : DataFrame
        activity, cases, share: first and last touchpoints of the visits.
    variants : DataFrame
        rank, path, length, cases, share, cumulative_share, throughput_median.
    rework : DataFrame
        activity, cases, repeats, extra_minutes (service and wait of the repeated passes).
    steps : DataFrame
        step, source, target, cases: step-indexed flows for the Sankey diagram.
    stages : DataFrame
        stage, touchpoints, events, cases.
    notes : list of str
        What was simplified or filtered, and how to read the times.
    """

    _tables = ("touchpoints", "transitions", "starts", "ends", "variants", "rework", "steps",
               "stages")

    log: EventLog
    events: Any
    n_cases: int
    paths: int | float | None = None
    stage_mapping: dict[str, str] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def time_kind(self) -> str:
        """``"wait"`` or ``"flow"`` (a log without start times)."""
        return self.log.time_kind

    def _headline(self) -> str:
        return (f"JourneyMap({self.n_cases:,} visits, {len(self.touchpoints)} touchpoints, "
                f"{len(self.transitions)} transitions, times are {self.time_kind} times)")

    @cached_property
    def touchpoints(self) -> pd.DataFrame:
        return self._touchpoints()

    def _touchpoints(self, known: pd.DataFrame | None = None) -> pd.DataFrame:
        """The touchpoints table, all computed in the engine; with ``known``, the touchpoints
        of the log these events keep whole touchpoints of, only the waits are.

        Removing touchpoints leaves the visits, events and service times of the others as
        they were; only the waits before them change (flows reconnect).
        """
        ev = self.events
        if known is None:
            tp = _per_touchpoint(ev, events=ev.count(), service=ev.service.quantile(_QUANTILES),
                                 wait=ev.wait.quantile(_QUANTILES))
        else:
            waits = ev.group_by("activity").aggregate(wait=ev.wait.quantile(_QUANTILES))
            tp = known[["activity", "cases", "events", "service_median", "service_p90"]].merge(
                _split_quantiles(waits.execute()), on="activity")
        tp.insert(1, "stage", [stage_of(a, self.stage_mapping) for a in tp.activity])
        return gap_columns(tp.sort_values(["cases", "activity"], ascending=[False, True],
                                          ignore_index=True), self.time_kind)

    @cached_property
    def _all_transitions(self) -> pd.DataFrame:
        """Every transition, before the ``paths`` simplification.

        A visit passes a transition twice only if it passes its source twice, so the visits
        of a transition from a touchpoint that no visit repeats are its count; the engine
        counts distinct visits (a query of its own, see :func:`_per_touchpoint`) only for the
        transitions from the touchpoints some visit repeats.
        """
        tp, ev = self.touchpoints, self.events
        moves = ev.filter(ev.prev_activity.notnull())
        keys = {"source": moves.prev_activity, "target": moves.activity}
        tr = _split_quantiles(moves.group_by(**keys).aggregate(
            transitions=moves.count(), wait=moves.wait.quantile(_QUANTILES),
            wait_mean=_seconds(moves.wait).mean() / 60,
            overlaps=(moves.gap < 0).cast("int64").sum()).execute())
        tr["cases"] = tr.transitions
        repeated = tp.activity[tp.events > tp.cases].tolist()
        if repeated and len(tr):
            rep = moves.filter(moves.prev_activity.isin(repeated))
            counted = rep.group_by(source=rep.prev_activity, target=rep.activity).aggregate(
                cases=visit_key(rep).nunique()).execute().set_index(["source", "target"]).cases
            found = counted.reindex(pd.MultiIndex.from_frame(tr[["source", "target"]]))
            tr["cases"] = np.where(found.notna(), found.to_numpy(dtype="float64"),
                                   tr.transitions).astype("int64")
        tr = tr[["source", "target", "cases", "transitions", "wait_median", "wait_mean",
                 "wait_p90", "overlaps"]]
        source_cases = self.touchpoints.set_index("activity").cases
        tr.insert(4, "share_of_source",
                  tr.cases / tr.source.map(source_cases).astype("float64"))
        return gap_columns(tr.sort_values(["transitions", "source", "target"],
                                          ascending=[False, True, True], ignore_index=True),
                           self.time_kind)

    @cached_property
    def transitions(self) -> pd.DataFrame:
        tr = self._all_transitions
        if self.paths is not None and len(tr):
            mask = keep_paths(tr, self.paths)[1]
            if not mask.all():
                self.notes.append(f"paths={self.paths}: {int((~mask).sum())} of {len(tr)} "
                                  "transitions hidden.")
            tr = tr[mask].reset_index(drop=True)
        return tr

    def with_paths(self, paths: int | float | None) -> JourneyMap:
        """The same map with another ``paths`` simplification (see :func:`journey_map`); the
        tables already computed are reused, so only the trimming of transitions is redone.

        Examples
        --------
        >>> import pandas as pd, journey
        >>> log = journey.read_log(pd.DataFrame({"case_id": list("aabbb"),
        ...     "activity": ["X", "Y", "X", "Z", "Y"],
        ...     "end": pd.date_range("2025-01-06 08:00", periods=5, freq="10min")}))
        >>> m = journey.journey_map(log)
        >>> len(m.transitions), len(m.with_paths(0.3).transitions)
        (3, 3)
        """
        new = replace(self, paths=check_amount("paths", paths),
                      notes=[n for n in self.notes if not n.startswith("paths=")])
        for name in ("touchpoints", "_all_transitions", "_endpoints", "starts", "ends",
                     "variants", "rework", "steps", "stages"):
            if name in self.__dict__:
                new.__dict__[name] = self.__dict__[name]
        return new

    def with_activities(self, activities: int | float | None) -> JourneyMap:
        """The map of the same log with its touchpoints simplified (``activities=`` of
        :func:`journey_map`, which builds its maps so: ``journey_map(log, activities=a)`` is
        ``journey_map(log).with_activities(a)``).

        The most frequent touchpoints are chosen from this map's touchpoints, which also give
        the visits, events and service times of those kept (removing other touchpoints does
        not change them); the waits, transitions and the rest are computed in the engine with
        the flows reconnected around the removed touchpoints.

        Examples
        --------
        >>> import pandas as pd, journey
        >>> log = journey.read_log(pd.DataFrame({"case_id": list("aaabb"),
        ...     "activity": ["X", "Y", "Z", "X", "Z"],
        ...     "end": pd.date_range("2025-01-06 08:00", periods=5, freq="10min")}))
        >>> m = journey.journey_map(log).with_activities(2)
        >>> m.transitions[["source", "target", "cases"]]
          source target  cases
        0      X      Z      2
        """
        activities = check_amount("activities", activities)
        if activities is None:
            return self
        tp = self.touchpoints
        keep = top_activities(tp.set_index("activity").events, activities)
        dropped = sorted(set(tp.activity) - set(keep), key=str)
        if not dropped:
            return self
        named = ", ".join(map(str, dropped[:10])) + (", …" if len(dropped) > 10 else "")
        note = (f"activities={activities}: {len(dropped)} of {len(tp)} touchpoint(s) removed "
                f"({named}); flows reconnect around them.")
        m = _mapped(self.log.filter(activities=keep), paths=self.paths,
                    stages=self.stage_mapping, notes=[note])
        m.__dict__["touchpoints"] = m._touchpoints(known=tp)
        return m

    def _endpoint(self, column: str) -> pd.DataFrame:
        """Visits per activity that start (``column="starts"``) or end (``"ends"``) there."""
        e = self._endpoints
        out = e.loc[e[column] > 0, ["activity", column]].rename(columns={column: "cases"})
        out["share"] = out.cases / self.n_cases
        return out.sort_values(["cases", "activity"], ascending=[False, True],
                               ignore_index=True)

    @cached_property
    def _endpoints(self) -> pd.DataFrame:
        return _endpoints(self.events)

    @cached_property
    def starts(self) -> pd.DataFrame:
        return self._endpoint("starts")

    @cached_property
    def ends(self) -> pd.DataFrame:
        return self._endpoint("ends")

    @cached_property
    def variants(self) -> pd.DataFrame:
        cp = case_paths(self.log.table)
        var = cp.group_by("path").aggregate(
            length=cp.length.max(), cases=cp.count(),
            throughput_median=cp.throughput.median(),
        ).execute()
        var = var.sort_values(["cases", "path"], ascending=[False, True], ignore_index=True)
        var.insert(0, "rank", range(1, len(var) + 1))
        var.insert(4, "share", var.cases / self.n_cases)
        var.insert(5, "cumulative_share", var.share.cumsum())
        return var

    @cached_property
    def rework(self) -> pd.DataFrame:
        ev = sequenced(self.log.table, has_start=self.log.has_start)
        rep = ev.filter(ev.occurrence > 1)
        return rep.group_by("activity").aggregate(
            cases=visit_key(rep).nunique(), repeats=rep.count(),
            extra_minutes=_seconds(rep.service.fill_null(0) + rep.wait.fill_null(0)).sum() / 60,
        ).execute().sort_values(["repeats", "activity"], ascending=[False, True],
                                ignore_index=True)

    @cached_property
    def steps(self) -> pd.DataFrame:
        ev = self.events
        steps = ev.group_by(step=ev.position, source=ev.activity,  # one event per visit and step
                            target=ev.next_activity.fill_null(END)).aggregate(
            cases=ev.count()).execute()
        return steps.sort_values(["step", "cases", "source", "target"],
                                 ascending=[True, False, True, True], ignore_index=True)

    @cached_property
    def stages(self) -> pd.DataFrame:
        tp = self.touchpoints
        st = tp.groupby("stage", sort=False).agg(touchpoints=("activity", "size"),
                                                events=("events", "sum"))
        ev = self.events
        stage = ev.activity.substitute(dict(zip(tp.activity, tp.stage, strict=True)))
        staged = ev.mutate(stage=stage)
        cases = staged.group_by("stage").aggregate(
            cases=visit_key(staged).nunique()).execute().set_index("stage").cases
        st["cases"] = cases.reindex(st.index).astype("int64")
        order = {"pre": 0, "in": 1, "post": 2}
        return st.reset_index().sort_values("stage", key=lambda s: s.map(order),
                                            ignore_index=True)

    def process_map(self, *, activities: int | float | None = 30,
                    paths: int | float | None = 60, color_by: str = "cases",
                    width_by: str = "cases", lang: str | None = None,
                    title: str | None = None) -> Any:
        """Interactive process map (plotly), left to right, coloured by volume or wait.

        A map of hundreds of touchpoints cannot be read, so by default it shows the 30 most
        frequent touchpoints (the flows reconnect around the others, as with Disco's
        activity slider) and the 60 paths that carry most visits, plus what keeps every
        touchpoint connected; the subtitle says what is hidden. Pass ``activities=None,
        paths=None`` to draw everything, or larger numbers to show more. The tables of the
        map are not changed.
        """
        from journey._figures_maps import process_map_figure

        shown = self.with_activities(activities)
        totals = (len(self.touchpoints),
                  len(self.transitions) + len(self.starts) + len(self.ends))
        return process_map_figure(shown.touchpoints, shown.transitions, shown.starts,
                                  shown.ends, paths=paths, totals=totals,
                                  color_by=color_by, width_by=width_by,
                                  time_kind=self.time_kind, lang=lang, title=title)

    def sankey(self, *, max_steps: int = 8, lang: str | None = None) -> Any:
        """Step-by-step flows as a plotly Sankey diagram."""
        from journey._figures_maps import sankey_figure

        return sankey_figure(self.steps, max_steps=max_steps, lang=lang)

    def stage_map(self, *, pain_points: int = 3, lang: str | None = None) -> Any:
        """Touchpoints in their stages with volume and wait; the longest waits highlighted."""
        from journey._figures_maps import stage_map_figure

        return stage_map_figure(self.touchpoints, pain_points=pain_points,
                                time_kind=self.time_kind, lang=lang)

    def variants_chart(self, *, top: int = 10, lang: str | None = None) -> Any:
        """The most frequent paths through the visit."""
        from journey._figures_maps import variants_figure

        return variants_figure(self.variants, top=top, lang=lang)

    def figure(self, **kwargs: Any) -> Any:
        """The process map; see :meth:`process_map`."""
        return self.process_map(**kwargs)


def journey_map(log: EventLog, *, activities: int | float | None = None,
                paths: int | float | None = None,
                stages: dict[str, str] | None = None) -> JourneyMap:
    """Build the journey map of a log: touchpoints, transitions, variants, rework, stages.

    Parameters
    ----------
    log : EventLog
        From :func:`journey.read_log` (filter it first with ``log.filter(...)`` to map a
        period, a department, a segment or some variants).
    activities : int or float, optional
        Simplify like Disco's activity slider: a whole number keeps that many of the most
        frequent touchpoints (by events, ties by name); a share in (0, 1] keeps the most
        frequent touchpoints that together account for at least that share of all events.
        The events of the others are removed before the map is built, so the flows
        reconnect around them. Default: keep all.
    paths : int or float, optional
        Simplify like Disco's path slider: a whole number keeps that many of the transitions
        that carry most visits; a share in (0, 1] keeps the most frequent transitions that
        together account for at least that share of all transitions. A touchpoint whose
        every incoming (outgoing) transition would be hidden keeps its busiest one, so that
        no touchpoint is cut off. Default: keep all.
    stages : dict, optional
        ``{activity: stage or touchpoint}`` overriding the default stage mapping (see
        :mod:`journey.stages`); defaults to the mapping given to ``read_log``.

    Returns
    -------
    JourneyMap

    Examples
    --------
    >>> import pandas as pd, journey
    >>> df = pd.DataFrame({"case_id": ["a", "a", "b", "b"],
    ...     "activity": ["Registration", "Consultation"] * 2,
    ...     "start": ["2025-01-06 08:00", "2025-01-06 08:30", "2025-01-06 09:00",
    ...               "2025-01-06 09:50"],
    ...     "end": ["2025-01-06 08:10", "2025-01-06 08:45", "2025-01-06 09:10",
    ...             "2025-01-06 10:00"]})
    >>> m = journey.journey_map(journey.read_log(df))
    >>> m.transitions[["source", "target", "cases", "wait_median"]]
             source        target  cases  wait_median
    0  Registration  Consultation      2         30.0
    """
    activities = check_amount("activities", activities)
    m = _mapped(log, paths=check_amount("paths", paths), stages=stages, notes=[])
    return m.with_activities(activities)


def _mapped(log: EventLog, *, paths: int | float | None, stages: dict[str, str] | None,
            notes: list[str]) -> JourneyMap:
    """The map of every touchpoint of ``log`` (see :func:`journey_map`), after ``notes``."""
    if log.time_kind == "flow":
        notes.append("The log has no start times: times between touchpoints are flow times "
                     "(they include the next touchpoint's service), not waits.")
    if log.filters:
        notes.append("Filters: " + "; ".join(log.filters))
    table, stored = log.table, set(NEIGHBOURS) <= set(log.table.columns)
    if not stored:  # neighbours recomputed after a filter: the engine sorts and stores only
        table = table.select(*SEQUENCE_COLUMNS,  # the columns the map reads, once
                             *[c for c in (VISIT_KEY, FIRST_PASS) if c in table.columns])
    events = sequenced(table, has_start=log.has_start).drop("occurrence")
    if not stored:
        events = events.cache()
    endpoints = _endpoints(events)  # one first event per visit: the visits are its sum
    m = JourneyMap(log=log, events=events, n_cases=int(endpoints.starts.sum()),
                   paths=paths, stage_mapping=dict(stages or log.stages or {}) or None,
                   notes=notes)
    m.__dict__["_endpoints"] = endpoints
    return m


def _endpoints(events: Any) -> pd.DataFrame:
    """Per activity, how many visits start and how many end there (one engine query; a visit
    has one first and one last event)."""
    return events.group_by("activity").aggregate(
        starts=(events.position == 1).cast("int64").sum(),
        ends=events.next_activity.isnull().cast("int64").sum()).execute()


@dataclass(frozen=True, repr=False)
class MapComparison(Result):
    """Change between two journey maps; build one with :func:`compare_maps`.

    Attributes
    ----------
    touchpoints_change : DataFrame
        activity, cases_a, cases_b, cases_change, wait_median_a, wait_median_b,
        wait_median_change.
    transitions_change : DataFrame
        source, target, cases_a, cases_b, cases_change, wait_median_a, wait_median_b,
        wait_median_change.
    labels : tuple of str
        Names of the two maps (e.g. ``("before", "after")``).
    time_kind : {"wait", "flow"}
        ``"flow"`` for maps of logs without start times.
    notes : list of str
    """

    _tables = ("touchpoints_change", "transitions_change")

    touchpoints_change: pd.DataFrame
    transitions_change: pd.DataFrame
    labels: tuple[str, str]
    time_kind: str
    notes: list[str] = field(default_factory=list)

    def _headline(self) -> str:
        return f"MapComparison({self.labels[0]} → {self.labels[1]})"

    def figure(self, *, metric: str = "wait", top: int = 15, lang: str | None = None) -> Any:
        """Diverging bars of the largest changes per touchpoint and per transition."""
        from journey._figures_maps import map_difference_figure

        return map_difference_figure(self.touchpoints_change, self.transitions_change,
                                     metric=metric, top=top, time_kind=self.time_kind,
                                     lang=lang)


def compare_maps(a: JourneyMap, b: JourneyMap, *, labels: tuple[str, str] = ("a", "b"),
                 ) -> MapComparison:
    """Per-touchpoint and per-transition change in volume and median wait from map a to b.

    Touchpoints or transitions present in only one map get zero cases and a missing wait in
    the other. Maps of logs without start times compare flow times (``flow_median_*``).

    Examples
    --------
    >>> import pandas as pd, journey
    >>> def log(wait):
    ...     return journey.read_log(pd.DataFrame({"case_id": ["a", "a"],
    ...         "activity": ["Registration", "Consultation"],
    ...         "start": ["2025-01-06 08:00", f"2025-01-06 08:{10 + wait}"],
    ...         "end": ["2025-01-06 08:10", "2025-01-06 08:59"]}))
    >>> c = journey.compare_maps(journey.journey_map(log(40)), journey.journey_map(log(5)))
    >>> c.transitions_change[["source", "target", "wait_median_change"]]
             source        target  wait_median_change
    0  Registration  Consultation               -35.0
    """
    if a.time_kind != b.time_kind:
        raise JourneyError("one map has waits and the other flow times; compare logs of the "
                           "same kind (both with or both without start times).")

    def change(x: pd.DataFrame, y: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        x, y = wait_columns(x), wait_columns(y)
        m = x[[*keys, "cases", "wait_median"]].merge(
            y[[*keys, "cases", "wait_median"]], on=keys, how="outer", suffixes=("_a", "_b"))
        m[["cases_a", "cases_b"]] = m[["cases_a", "cases_b"]].fillna(0).astype("int64")
        m["cases_change"] = m.cases_b - m.cases_a
        m["wait_median_change"] = m.wait_median_b - m.wait_median_a
        cols = [*keys, "cases_a", "cases_b", "cases_change", "wait_median_a", "wait_median_b",
                "wait_median_change"]
        return gap_columns(m[cols].sort_values(keys, ignore_index=True), a.time_kind)

    return MapComparison(
        touchpoints_change=change(a.touchpoints, b.touchpoints, ["activity"]),
        transitions_change=change(a.transitions, b.transitions, ["source", "target"]),
        labels=labels, time_kind=a.time_kind)
