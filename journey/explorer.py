"""An explorer for JupyterLab: the process map redrawn live as sliders and filters move.

:func:`explore` returns an ipywidgets app in the manner of Disco: a touchpoints slider and a
paths slider (the ``activities=`` and ``paths=`` of :func:`journey.journey_map`), a period
filter, department and segment filters (only those the log has), a metric selector (visits,
median time, P90 time), the process map, and below it one transition of the map ("path")
with its visits and the distribution of its times. Every redraw filters the log and builds
the map in the engine; only the map's tables and a histogram come back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from journey._gaps import wait_columns
from journey._labels import texts
from journey.engine import FIRST_PASS, NEIGHBOURS, SEQUENCE_COLUMNS, VISIT_KEY
from journey.errors import JourneyError
from journey.log import EventLog

__all__ = ["Explorer", "explore"]

_METRICS = {"visits": ("cases", "cases"), "median": ("wait", "wait"),
            "p90": ("wait_p90", "wait_p90")}
#: Attributes with at most this many values get a segment filter.
_MAX_SEGMENT_VALUES = 12
_BINS = 20
#: Selections whose maps are kept (the least recently used beyond them are forgotten).
_KEEP = 8
#: The columns journey_map reads; a filtered selection is stored with these only.
_MAP_COLUMNS = (*SEQUENCE_COLUMNS, *NEIGHBOURS, VISIT_KEY, FIRST_PASS)


def _segments(log: EventLog) -> dict[str, list]:
    """Attribute columns with 2 to ``_MAX_SEGMENT_VALUES`` values, and their values."""
    t = log.table
    skip = {"patient_id", "resource", "department"}
    names = [c for c in t.columns if c not in skip and not c.startswith("_")
             and c not in ("case_id", "activity", "start", "end")
             and (t[c].type().is_string() or t[c].type().is_boolean()
                  or t[c].type().is_integer())]
    if not names:
        return {}
    n = t.aggregate(**{c: t[c].nunique() for c in names}).execute().iloc[0]
    few = [c for c in names if 2 <= n[c] <= _MAX_SEGMENT_VALUES]
    out = {}
    for c in few:
        values = t.select(c).distinct().execute()[c].dropna()
        out[c] = sorted(values.tolist(), key=str)
    return out


@contextmanager
def _all_cores(log: EventLog) -> Iterator[None]:
    """Let the engine use every core while the explorer queries, then restore its setting.

    Small logs are read onto one thread so that a study's sums repeat bit for bit; an
    explorer's redraw shows counts and quantiles, which do not depend on the threads, and
    must be quick.
    """
    con = getattr(log._con, "con", None)
    if con is None or not hasattr(con, "execute"):  # not DuckDB (Spark): nothing to set
        yield
        return
    threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    con.execute(f"SET threads = {max(int(os.cpu_count() or 1), int(threads))}")
    try:
        yield
    finally:
        con.execute(f"SET threads = {int(threads)}")


def _histogram(events: Any, path: pd.Series) -> tuple[pd.DataFrame, pd.Series]:
    """Times of one transition in ``_BINS`` bins up to its maximum, computed in the engine in
    one query, and its summary: visits, transitions, median and P90 from ``path`` (its row of
    the map's transitions, waits named ``wait_*``) and the maximum."""
    import ibis

    moves = events.filter((events.prev_activity == path.source)
                          & (events.activity == path.target))
    known = moves.filter(moves.wait.notnull())
    known = known.mutate(top=known.wait.max().over(ibis.window()))
    b = (known.wait / ibis.greatest(known.top / _BINS, 1 / 60)).floor().cast("int64").clip(
        0, _BINS - 1).name("bin")
    bins = known.group_by(b).aggregate(transitions=known.count(), top=known.top.max())
    bins = bins.execute()
    top = float(bins.top.max()) if len(bins) else 0.0  # nulls are left out
    width = max(top / _BINS, 1 / 60)
    row = pd.Series({"visits": path.cases, "moves": path.transitions,
                     "wait_median": path.wait_median, "wait_p90": path.wait_p90, "top": top})
    bins = bins.drop(columns="top").set_index("bin").reindex(range(_BINS), fill_value=0)
    bins = bins.reset_index()
    bins.insert(1, "lower", bins.bin * width)
    bins.insert(2, "upper", (bins.bin + 1) * width)
    return bins.drop(columns="bin"), row


class Explorer:
    """The explorer app; build one with :func:`explore` and show ``explorer.app``.

    Attributes
    ----------
    app : ipywidgets.VBox
        The widgets, shown when the explorer is the last value of a cell.
    activities, paths : ipywidgets.FloatSlider
        Shares of events and transitions kept (as :func:`journey.journey_map`).
    period : ipywidgets.SelectionRangeSlider
        First and last day (or month) of the visits' start.
    department : ipywidgets.Dropdown or None
        Present when the log has departments.
    segments : dict of ipywidgets.Dropdown
        One per attribute with 2 to 12 values (age band, visit type…).
    metric : ipywidgets.ToggleButtons
        ``"visits"``, ``"median"`` or ``"p90"``: colour (and width) of the map.
    path : ipywidgets.Dropdown
        A transition of the current map, shown below it.
    journey_map : JourneyMap
        The map of the current selection; ``figure`` its drawing, ``path_bins`` and
        ``path_summary`` the chosen transition's histogram and numbers. Maps and histograms
        are kept per selection, so going back to a selection needs no query, and moving
        the paths slider only trims the transitions of the map already computed.
    """

    def __init__(self, log: EventLog, *, lang: str | None = None,
                 min_count: int | None = None) -> None:
        import ipywidgets as w

        from journey._plotting import _limit, _options

        if not isinstance(log, EventLog):
            raise JourneyError(f"explore needs an EventLog from journey.read_log, got "
                               f"{type(log).__name__}")
        self.log, self.lang, self.min_count = log, _options(lang), _limit(min_count)
        L = self.labels = texts("explorer", self.lang)
        style = {"description_width": "initial"}
        slider = {"min": 0.05, "max": 1.0, "step": 0.05, "value": 1.0,
                  "continuous_update": False, "readout_format": ".0%", "style": style}
        self.activities = w.FloatSlider(description=L["activities"], **slider)
        self.paths = w.FloatSlider(description=L["paths"], **slider)
        first, last = log.period
        if pd.isna(first):
            raise JourneyError("the log has no events to explore; check its filters "
                               f"({'; '.join(log.filters) or 'none'}).", source=log.source)
        daily = last - first <= pd.Timedelta(days=120)
        starts = pd.date_range(first.floor("D") if daily else first.to_period("M").start_time,
                               last, freq="D" if daily else "MS")
        ends = [*starts[1:], (starts[-1] + (pd.Timedelta(days=1) if daily
                                            else pd.offsets.MonthBegin()))]
        self._bounds = list(zip(starts, ends, strict=True))
        labels = [f"{s:%Y-%m-%d}" if daily else f"{s:%Y-%m}" for s in starts]
        self.period = w.SelectionRangeSlider(options=list(zip(labels, range(len(labels)),
                                                              strict=True)),
                                             index=(0, len(labels) - 1),
                                             description=L["period"], continuous_update=False,
                                             style=style, layout={"width": "500px"})
        self.department = None
        if "department" in log.table.columns:
            depts = log.table.select("department").distinct().execute().department.dropna()
            if len(depts) > 1:
                self.department = w.Dropdown(options=[(L["all"], None),
                                                      *[(str(d), d) for d in sorted(depts)]],
                                             description=L["department"], style=style)
        self.segments = {c: w.Dropdown(options=[(L["all"], None), *[(str(v), v) for v in vs]],
                                       description=c, style=style)
                         for c, vs in _segments(log).items()}
        self.metric = w.ToggleButtons(options=[(L["visits"], "visits"),
                                               (L["median"], "median"), (L["p90"], "p90")],
                                      description=L["metric"], style=style)
        self.path = w.Dropdown(description=L["path"], style=style, layout={"width": "500px"})
        self.map_out, self.path_out = w.Output(), w.Output()
        self.path_text = w.HTML()
        self._cache: dict[tuple, Any] = {}
        self._selections: dict[tuple, EventLog] = {}  # filters -> stored selection
        filters = [self.period, *([self.department] if self.department else []),
                   *self.segments.values()]
        for control in (self.activities, self.paths, self.metric, *filters):
            control.observe(lambda _: self.redraw(), names="value")
        self._quiet = False
        self.path.observe(lambda _: None if self._quiet else self.show_path(), names="value")
        self.notes = w.HTML()
        self.app = w.VBox([w.HBox([self.activities, self.paths]), self.period,
                           w.HBox(filters[1:]), self.metric, self.map_out, self.notes, self.path,
                           self.path_text, self.path_out])
        self.redraw()

    # ------------------------------------------------------------------ state
    def selection(self) -> EventLog:
        """The log filtered as the period, department and segment widgets say."""
        log = self.log
        lo, hi = self.period.index
        if (lo, hi) != (0, len(self._bounds) - 1):
            log = log.filter(period=(self._bounds[lo][0], self._bounds[hi][1]))
        if self.department is not None and self.department.value is not None:
            log = log.filter(department=self.department.value)
        where = {c: d.value for c, d in self.segments.items() if d.value is not None}
        log = log.filter(where=where) if where else log
        if log.filters != self.log.filters:  # the map's queries read the selection once
            keep = [c for c in log.table.columns if c in _MAP_COLUMNS]
            log = replace(log, table=log.table.select(keep).cache())
        return log

    def redraw(self) -> None:
        """Rebuild the map for the current widgets (kept for the session per selection)."""
        from journey._figures_maps import process_map_figure
        from journey.maps import journey_map

        key = (self.period.index, getattr(self.department, "value", None),
               tuple((c, d.value) for c, d in self.segments.items()), self.activities.value)
        if key not in self._cache:  # the paths slider only trims the transitions: no query
            with _all_cores(self.log):
                # the touchpoints slider keeps the stored selection of the same filters, and
                # simplifies its map of every touchpoint when that map is kept
                selection = self._selections.get(key[:3]) or self.selection()
                self._selections[key[:3]] = selection
                every = self._cache.get((*key[:3], 1.0)) or journey_map(selection)
                full = every.with_activities(self.activities.value)
                if full.n_cases:  # computed once, kept by the maps with_paths() derives
                    full.touchpoints, full._all_transitions, full.starts, full.ends  # noqa: B018
            self._cache[key] = full
            maps = [k for k in self._cache if len(k) == 4]
            for old in maps[:-_KEEP]:  # the oldest selections leave the engine's memory
                self._release(old)
        self._cache[key] = self._cache.pop(key)  # most recently used last
        self._key = key
        self.journey_map = m = self._cache[key].with_paths(self.paths.value)
        colour, width = _METRICS[self.metric.value]
        self.figure = None
        if m.n_cases:
            self.figure = process_map_figure(
                m.touchpoints, m.transitions, m.starts, m.ends, color_by=colour,
                width_by=width, time_kind=m.time_kind, min_count=self.min_count,
                lang=self.lang)
        self.notes.value = "<br>".join(f"<small>{n}</small>" for n in m.notes)
        self._show(self.map_out, self.figure if m.n_cases else self.labels["empty"])
        tr = m.transitions if m.n_cases else pd.DataFrame(columns=["source", "target",
                                                                   "cases"])
        k = self.min_count
        listed = tr[tr.cases >= k] if k is not None else tr
        options = [(f"{s} → {t}", (s, t)) for s, t in zip(listed.source, listed.target,
                                                          strict=True)]
        if len(listed) < len(tr):
            self.notes.value += "<br><small>" + self.labels["hidden"].format(
                n=len(tr) - len(listed), k=k) + "</small>"
        current, self._quiet = self.path.value, True
        try:
            self.path.options = options or [(self.labels["none"], None)]
            self.path.value = current if current in dict(options).values() else \
                (options[0][1] if options else None)
        finally:
            self._quiet = False
        self.show_path()

    def show_path(self) -> None:
        """Visits, numbers and time histogram of the chosen transition."""
        import plotly.graph_objects as go

        L = self.labels
        self.path_bins, self.path_summary = None, None
        if self.path.value is None:
            self.path_text.value = ""
            self._show(self.path_out, None)
            return
        s, t = self.path.value
        key = (self._key, s, t)
        if key not in self._cache:
            with _all_cores(self.log):
                tr = wait_columns(self.journey_map.transitions)
                path = tr[(tr.source == s) & (tr.target == t)].iloc[0]
                self._cache[key] = _histogram(self.journey_map.events, path)
        bins, row = self._cache[key]
        self.path_bins, self.path_summary = bins, row
        time = L[self.log.time_kind]
        name = f"{s} → {t}"

        def fmt(v: float) -> str:
            return "–" if pd.isna(v) else f"{v:,.1f}"

        self.path_text.value = "<b>" + L["summary"].format(
            path=name, visits=int(row.visits), moves=int(row.moves), time=time,
            median=fmt(row["wait_median"]), p90=fmt(row["wait_p90"])) + "</b>"
        k = self.min_count
        counts = bins.transitions.where(~bins.transitions.between(1, (k or 1) - 1), np.nan)
        fig = go.Figure(go.Bar(x=(bins.lower + bins.upper) / 2, y=counts,
                               width=(bins.upper - bins.lower) * 0.95,
                               marker_color="#1f77b4",
                               customdata=np.column_stack([bins.lower, bins.upper]),
                               hovertemplate="%{customdata[0]:.1f}–%{customdata[1]:.1f}: "
                                             "%{y}<extra></extra>"))
        fig.update_layout(title=L["hist_title"].format(path=name, time=time),
                          xaxis_title=L["hist_x"].format(time=time),
                          yaxis_title=L["hist_y"], template="plotly_white", height=300,
                          margin={"l": 50, "r": 20, "t": 50, "b": 40})
        self.path_figure = fig
        self._show(self.path_out, fig)

    def _release(self, key: tuple) -> None:
        """Forget a selection's map and histograms, and free its stored events."""
        del self._cache[key]
        for k in [k for k in self._cache if k[0] == key]:
            del self._cache[k]
        if any(len(k) == 4 and k[:3] == key[:3] for k in self._cache):
            return  # another touchpoints setting still maps these filters
        table = self._selections.pop(key[:3]).table
        if table is not self.log.table and hasattr(table, "release"):
            table.release()

    @staticmethod
    def _show(out: Any, item: Any) -> None:
        from IPython import get_ipython

        if get_ipython() is None:  # no notebook: nothing to draw into
            return
        out.clear_output(wait=True)
        if item is None:
            return
        from IPython.display import display

        with out:
            display(item)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        """The app in JupyterLab; a sentence where widgets cannot run (a static page)."""
        bundle = self.app._repr_mimebundle_(**kwargs) or {}
        return {**bundle, "text/plain": self.labels["static"]}


def explore(log: EventLog, *, lang: str | None = None,
            min_count: int | None = None) -> Explorer:
    """A Disco-like explorer of a log for JupyterLab: sliders, filters, the live process map.

    Parameters
    ----------
    log : EventLog
        From :func:`journey.read_log`.
    lang : {"en", "zh"}, optional
        Language of the widgets and figures; default :func:`journey.i18n.get_language`.
    min_count : int, optional
        Smallest number of visits shown on the map and in the list of paths; default
        :func:`journey.privacy.get_min_count` (None: show all).

    Returns
    -------
    Explorer
        Shown as the app when it is the last value of a cell; its widgets are attributes
        (``explorer.paths.value = 0.5`` redraws the map, then ``explorer.journey_map`` is the
        map of the selection).

    Examples
    --------
    >>> import pandas as pd, journey
    >>> log = journey.read_log(pd.DataFrame({"case_id": ["a", "a", "b", "b"],
    ...     "activity": ["Registration", "Consultation"] * 2,
    ...     "end": ["2025-01-06 08:10", "2025-01-06 08:45", "2025-01-06 08:20",
    ...             "2025-01-06 09:00"]}))
    >>> ex = journey.explore(log)
    >>> ex.path.value, int(ex.path_summary.visits)
    (('Registration', 'Consultation'), 2)
    """
    return Explorer(log, lang=lang, min_count=min_count)
