"""Patients moving through the journey map: an animated replay of a day or a period.

:func:`animate` draws the process map of the visits of one day (or period) and replays them
on it: frame by frame, dots move along the map's transitions while patients wait for the next
touchpoint, and every touchpoint shows how many patients wait for it and how many are in
service. The sweep over the events runs in the engine; only counts per frame come back.

What a frame shows, at its instant ``t`` (times as recorded)
------------------------------------------------------------
- *waiting for B*: an event of B whose visit finished the touchpoint before it at or before
  ``t`` and which starts after ``t`` (``prev_end <= t < start``); its dot lies on the
  transition into B, as far along as the share of that wait already spent, and is coloured by
  the minutes waited so far (``t - prev_end``);
- *in service at B*: ``start <= t < end``;
- *completed at B*: events of B that end in ``[t, t + step)``;
- a log without start times (completion times only) has no waits and no service: a dot is on
  its way to B between the previous completion and B's completion (``prev_end <= t < end``,
  a flow time), and the title says so;
- a log with dates only (``log.resolution == "day"``) is replayed day by day over a period:
  on day ``d`` a patient is in service at B when ``start <= d <= end`` and waits for B when
  ``prev_end < d < start``.

Patients are aggregated into tokens: one dot per transition, frame and stretch of the
transition (``bins`` stretches), sized by the number of patients it carries, so a day of
10,000 visits animates as a figure of a few megabytes.

Small counts: with ``min_count=k`` (or :func:`journey.privacy.set_min_count`), the dots of a
transition in a frame that carry fewer than ``k`` patients are merged into one dot at the
middle of the transition, which is left out when it still carries fewer than ``k``; node
counts of 1 to ``k - 1`` are shown as ``<k``; the subtitle says how many were hidden.
"""

from __future__ import annotations

from typing import Any

import ibis
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from journey._labels import texts
from journey.engine import minutes, wall_clock
from journey.errors import JourneyError
from journey.log import EventLog

__all__ = ["animate"]


#: Frame steps (minutes) to choose from; the smallest giving at most ``_MAX_FRAMES`` frames.
_STEPS = (1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720, 1440, 2880, 10080)
_MAX_FRAMES = 150
_DAY = pd.Timedelta(days=1)


def _busiest(log: EventLog, unit: str) -> pd.Timestamp:
    """Start of the day (``unit="D"``) or month (``"M"``) in which most visits begin."""
    t = log.table
    first = t.group_by("case_id").aggregate(first=ibis.coalesce(t.start, t.end).min())
    when = wall_clock(first["first"], log.clock).truncate(unit).name("when")
    counts = first.group_by(when).aggregate(n=first.count())
    row = counts.order_by([ibis.desc("n"), "when"]).limit(1).execute()
    if row.empty:
        raise JourneyError("the log has no events to animate", source=log.source)
    return pd.Timestamp(row["when"].iloc[0])


def _window(log: EventLog, day: Any, period: Any) -> tuple[pd.Timestamp, pd.Timestamp, bool]:
    """``(first, last)`` of the visits' start times to animate, and whether frames are days."""
    if day is not None and period is not None:
        raise JourneyError("pass day= or period=, not both")
    if log.resolution == "day":
        if day is not None:
            lo = pd.Timestamp(day).normalize() - pd.offsets.MonthBegin(normalize=True)
            raise JourneyError(
                "the log has dates only (no times of day), so a single day cannot be replayed "
                "hour by hour; pass period=(first_day, last_day) to animate day by day, e.g. "
                f"period=('{lo:%Y-%m-%d}', '{lo + pd.offsets.MonthBegin():%Y-%m-%d}')",
                source=log.source)
        if period is None:
            lo = _busiest(log, "M")
            return lo, lo + pd.offsets.MonthBegin(), True
    if period is not None:
        try:
            lo, hi = (pd.Timestamp(p) for p in period)
        except (TypeError, ValueError) as exc:
            raise JourneyError(f"period={period!r} must be two dates, (first, last) "
                               "with last excluded") from exc
        if not lo < hi:
            raise JourneyError(f"period={period!r} is empty: the first date must come "
                               "before the last")
        return lo, hi, log.resolution == "day"
    lo = _busiest(log, "D") if day is None else pd.Timestamp(day).normalize()
    return lo, lo + _DAY, False


def _step(span: pd.Timedelta, step: Any, daily: bool) -> pd.Timedelta:
    if step is not None:
        value = pd.Timedelta(step, unit="min") if isinstance(step, int | float) \
            else pd.Timedelta(step)
        if value <= pd.Timedelta(0) or (daily and value < _DAY):
            raise JourneyError(f"step={step!r} must be a positive duration"
                               + (" of at least one day (the log has dates only)"
                                  if daily else ""))
        return value
    need = span / pd.Timedelta(minutes=1) / _MAX_FRAMES
    choice = next((s for s in _STEPS if s >= need and (not daily or s >= 1440)), _STEPS[-1])
    return pd.Timedelta(minutes=choice)


def _point_on(curve: np.ndarray, share: float) -> tuple[float, float]:
    """The point ``share`` of the way along a polyline (by length)."""
    d = np.r_[0.0, np.cumsum(np.hypot(*np.diff(curve, axis=0).T))]
    at = share * d[-1]
    return float(np.interp(at, d, curve[:, 0])), float(np.interp(at, d, curve[:, 1]))


def _counts(events: Any, frames: pd.DataFrame, *, has_start: bool, daily: bool,
            step: pd.Timedelta, bins: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tokens (frame, source, target, stretch, patients, waited) and node counts (frame,
    activity, waiting, in_service, completed), computed in the engine."""
    shift = ibis.interval(days=1) if daily else ibis.interval(seconds=0)
    ev = events.select("activity", "prev_activity", "prev_end", "start", "end")
    f = ibis.memtable(frames[["frame", "t"]]).mutate(t=ibis._.t.cast(ev.end.type()))
    arrive = ev.start if has_start else ev.end
    moving = ev.filter(ev.prev_end.notnull()).mutate(lo=ev.prev_end + shift, hi=arrive)
    w = f.join(moving, [f.t >= moving.lo, f.t < moving.hi])
    share = minutes(w.lo, w.t) / minutes(w.lo, w.hi)
    w = w.mutate(stretch=(share * bins).floor().cast("int64").clip(0, bins - 1),
                 waited=minutes(w.prev_end, w.t) / (1440.0 if daily else 1.0))
    tokens = w.group_by(["frame", "prev_activity", "activity", "stretch"]).aggregate(
        patients=w.count(), waited=w.waited.mean()).order_by(
        ["frame", "prev_activity", "activity", "stretch"]).execute()
    tokens = tokens.rename(columns={"prev_activity": "source", "activity": "target"})
    waiting = tokens.groupby(["frame", "target"]).patients.sum().rename("waiting")
    parts = [waiting.rename_axis(["frame", "activity"])]
    if has_start:
        s = f.join(ev, [f.t >= ev.start, f.t < ev.end + shift])
        service = s.group_by(["frame", "activity"]).aggregate(in_service=s.count()).execute()
        parts.append(service.set_index(["frame", "activity"]).in_service)
    t0 = frames.t.iloc[0]
    bucket = (ev.end.delta(ibis.literal(t0.to_pydatetime()).cast(ev.end.type()), unit="second")
              // int(step.total_seconds())).name("frame")
    done = ev.group_by([bucket, ev.activity]).aggregate(completed=ev.count()).execute()
    done = done[done.frame.between(0, len(frames) - 1)]
    parts.append(done.set_index(["frame", "activity"]).completed)
    nodes = pd.concat(parts, axis=1).sort_index().fillna(0).astype("int64").reset_index()
    return tokens, nodes


def _names(activities: list[str], lang: str) -> dict[str, str]:
    """Display name of each activity in ``lang`` (:func:`journey.i18n.display_name`) when
    those names keep the activities apart, else the log's own."""
    from journey.i18n import display_name

    shown = {a: display_name(a, lang) for a in activities}
    return shown if len(set(shown.values())) == len(shown) else {a: a for a in activities}


def _frame_times(events: Any, step: Any, daily: bool,
                 ) -> tuple[pd.DatetimeIndex, pd.Timedelta]:
    """The instants of the frames, from the first to the last time of the events, and the step."""
    t = events
    span = t.aggregate(a=ibis.coalesce(t.start, t.end).min(), b=t.end.max()).execute().iloc[0]
    every = _step(pd.Timestamp(span.b) - pd.Timestamp(span.a) + (_DAY if daily else
                                                                 pd.Timedelta(0)), step, daily)
    t0 = pd.Timestamp(span.a).floor("D") + ((pd.Timestamp(span.a) - pd.Timestamp(span.a)
                                             .floor("D")) // every) * every
    end = pd.Timestamp(span.b) + (_DAY if daily else pd.Timedelta(0))
    times = pd.date_range(t0, end, freq=every)
    return times[times <= end], every


def _title(lo: pd.Timestamp, hi: pd.Timestamp, daily: bool, time_kind: str, lang: str) -> str:
    """The default title: the day or the period replayed (and a note for flow times)."""
    L = texts("animate", lang)
    when = (f"{lo:%Y-%m-%d}" if not daily and hi - lo == _DAY
            else f"{lo:%Y-%m-%d} – {hi - pd.Timedelta(seconds=1):%Y-%m-%d}")
    title = L["title_period" if daily or hi - lo != _DAY else "title_day"].format(when=when)
    if time_kind == "flow":
        title += "<br><sup>" + L["flow_note"] + "</sup>"
    return title


def _map_geometry(fig: go.Figure) -> tuple[dict, dict]:
    """Where each node of the drawn map is, and each drawn edge's curve."""
    where = {n: (x, y) for tr_ in fig.data if (tr_.meta or {}).get("role") == "node"
             for n, x, y in zip(tr_.meta["nodes"], tr_.x, tr_.y, strict=True)}
    curves = {}  # each drawn edge's curve: edges of one style share a trace, split by NaN
    for tr_ in fig.data:
        if (tr_.meta or {}).get("role") == "edge_lines":
            xy = np.column_stack([np.asarray(tr_.x, float), np.asarray(tr_.y, float)])
            parts = np.split(xy, np.flatnonzero(np.isnan(xy[:, 0])))
            for (u, v), part in zip(tr_.meta["edges"], parts, strict=False):
                curves[(u, v)] = part[~np.isnan(part[:, 0])]
    return where, curves


def _place_tokens(tokens: pd.DataFrame, where: dict, curves: dict, bins: int,
                  k: int | None) -> tuple[pd.DataFrame, int]:
    """The dots with their place on the map, small ones merged or left out; how many were."""

    def place(row: Any) -> tuple[float, float]:
        curve = curves.get((row.source, row.target))
        if curve is not None:
            return _point_on(curve, (row.stretch + 0.5) / bins)
        x, y = where.get(row.target, (np.nan, np.nan))  # hidden transition: beside the target
        return x - 0.22, y + 0.12 * (row.stretch - (bins - 1) / 2) / bins

    hidden = 0
    if k is not None and len(tokens):  # small dots: merged per transition, then left out
        group = ["frame", "source", "target"]
        small = tokens.groupby(group).patients.transform("min") < k
        merged = tokens[small].groupby(group, as_index=False).apply(
            lambda g: pd.Series({"stretch": (bins - 1) / 2, "patients": g.patients.sum(),
                                 "waited": np.average(g.waited, weights=g.patients)}),
            include_groups=False)
        tokens = pd.concat([tokens[~small], merged], ignore_index=True)
        keep = tokens.patients >= k
        hidden += int((~keep).sum())
        tokens = tokens[keep]
    if len(tokens):
        tokens[["x", "y"]] = [place(r) for r in tokens.itertuples(index=False)]
        tokens = tokens[tokens.x.notna()]
    else:  # no patient on a path in the window: frames of counts only
        tokens = tokens.assign(x=pd.Series(dtype=float), y=pd.Series(dtype=float))
    return tokens, hidden


def _node_counts(nodes: pd.DataFrame, names: list, n_frames: int, has_start: bool,
                 k: int | None) -> tuple[dict, dict, int]:
    """Per frame and node, the counts as words and values (small ones hidden); how many were."""
    nodes = nodes.set_index(["frame", "activity"])
    grid = pd.MultiIndex.from_product([range(n_frames), names])
    dense = {col: (nodes[col].reindex(grid, fill_value=0) if col in nodes
                   else pd.Series(0, index=grid)).to_numpy().reshape(n_frames, len(names))
             for col in ("waiting", "in_service", "completed")}
    if not has_start:
        dense["in_service"] = np.zeros_like(dense["waiting"])
    small = {col: (v >= 1) & (v < k) if k is not None else np.zeros(v.shape, bool)
             for col, v in dense.items()}
    hidden = int(sum(v.sum() for v in small.values()))
    words = {col: np.where(small[col], f"<{k}", np.char.mod("%d", dense[col]))
             for col in dense}
    values = {col: np.where(small[col], None, dense[col].astype(object)) for col in dense}
    if not has_start:
        values["in_service"][:] = None
    return words, values, hidden


def _frame_data(tk: pd.DataFrame, i: int, pattern: str, words: dict, values: dict,
                ) -> list[dict]:
    """What changes from frame to frame: the dots ``tk`` and the counts of frame ``i``."""
    dots = {"type": "scatter", "x": tk.x.round(4).to_numpy(), "y": tk.y.round(4).to_numpy(),
            "customdata": np.column_stack([tk.patients, tk.waited.round(1)]),
            "marker": {"size": (6 + 4 * np.sqrt(tk.patients.to_numpy(float))).round(1),
                       "color": tk.waited.round(1).to_numpy()}}
    text = np.array([pattern.format(q=q, s=s_, c=c) for q, s_, c in
                     zip(words["waiting"][i], words["in_service"][i],
                         words["completed"][i], strict=True)])
    rows = np.column_stack([values[c][i] for c in ("waiting", "in_service", "completed")])
    return [dots, {"type": "scatter", "text": text, "customdata": rows}]


def _trace_styles(tokens: pd.DataFrame, where: dict, names: list, has_start: bool,
                  daily: bool, lang: str) -> tuple[dict, dict]:
    """What stays the same in every frame of the dots' trace and of the counts' trace."""
    L = texts("animate", lang)
    top = float(tokens.waited.quantile(0.95)) if len(tokens) else 1.0
    unit = L["days" if daily else "min"]
    waited_label = L["waited" if has_start else "waited_flow"].format(unit=unit)
    waiting_label = L["waiting" if has_start else "waiting_flow"]
    xs = np.array([where[n][0] for n in names])
    ys = np.array([where[n][1] + 0.22 for n in names])
    colour = {"colorscale": "YlOrRd", "cmin": 0, "cmax": max(top, 1.0),
              "line": {"width": 0.5, "color": "#555"}, "showscale": True,
              "colorbar": {"title": {"text": waited_label}, "thickness": 14}}
    hover_counts = (f"{waiting_label}: %{{customdata[0]}}<br>"
                    + (f"{L['in_service']}: %{{customdata[1]}}<br>" if has_start else "")
                    + f"{L['completed']}: %{{customdata[2]}}<extra></extra>")
    dots = {"mode": "markers", "marker": colour,
            "hovertemplate": (f"{L['patients']}: %{{customdata[0]}}<br>{waited_label}: "
                              "%{customdata[1]}<extra></extra>"),
            "showlegend": False, "name": L["patients"], "meta": {"role": "tokens"}}
    counts = {"x": xs, "y": ys, "mode": "text",
              "textfont": {"size": 10, "color": "#7a1f00"}, "showlegend": False,
              "name": waiting_label, "meta": {"role": "counts", "nodes": names},
              "hovertemplate": hover_counts}
    return dots, counts


def _player(layout: dict, times: pd.DatetimeIndex, daily: bool, label: str, lang: str,
            ) -> dict:
    """The layout with the play and pause buttons and the time slider."""
    L = texts("animate", lang)
    play = {"frame": {"duration": 400, "redraw": True}, "transition": {"duration": 0},
            "fromcurrent": True, "mode": "immediate"}
    pause = {"frame": {"duration": 0, "redraw": True}, "mode": "immediate",
             "transition": {"duration": 0}}
    return layout | dict(
        updatemenus=[{"type": "buttons", "direction": "left", "x": 0.0, "y": -0.02,
                      "xanchor": "left", "yanchor": "top", "pad": {"t": 30},
                      "buttons": [{"label": L["play"], "method": "animate",
                                   "args": [None, play]},
                                  {"label": L["pause"], "method": "animate",
                                   "args": [[None], pause]}]}],
        sliders=[{"active": 0, "x": 0.16, "len": 0.84, "y": -0.02, "yanchor": "top",
                  "pad": {"t": 20}, "currentvalue": {"prefix": L["day" if daily else "time"]
                                                     + ": "},
                  "steps": [{"label": f"{ti:%m-%d}" if daily else f"{ti:%H:%M}",
                             "method": "animate",
                             "args": [[f"{ti:{label}}"], {"frame": {"duration": 0,
                                                                    "redraw": True},
                                                          "mode": "immediate"}]}
                            for ti in times]}])


def animate(log: EventLog, *, day: Any = None, period: tuple[Any, Any] | None = None,
            step: Any = None, activities: float = 1.0, paths: float = 1.0, bins: int = 6,
            min_count: int | None = None, lang: str | None = None,
            title: str | None = None) -> go.Figure:
    """Replay the visits of a day (or a period) as patients moving through the process map.

    The figure has a time slider and play/pause buttons; it is a plain plotly figure, so it
    plays offline in JupyterLab and in an HTML file written with ``include_plotlyjs=True``.

    Parameters
    ----------
    log : EventLog
        From :func:`journey.read_log`; filter it first to replay a department or a segment.
    day : date, optional
        The day whose visits (those starting on it) are replayed. Default: the busiest day,
        the one on which most visits start. Not for logs with dates only.
    period : (first, last), optional
        Replay the visits starting in ``[first, last)`` instead of one day. For a log with
        dates only (``log.resolution == "day"``) frames are days, and the default period is
        the calendar month in which most visits start.
    step : minutes or duration, optional
        Time between frames (``10``, ``"15min"``, ``"1D"``). Default: the smallest of 1, 2,
        5, 10, 15, 20, 30 minutes, 1, 2, 3, 4, 6, 12 hours, 1, 2, 7 days giving at most 150
        frames (at least a day for a log with dates only).
    activities, paths : float in (0, 1]
        Simplify the map as :func:`journey.journey_map` does. Patients waiting on a hidden
        transition are drawn next to the touchpoint they wait for.
    bins : int
        Stretches per transition: patients waiting on the same stretch of a transition in a
        frame share one dot.
    min_count : int, optional
        Smallest number of patients a dot or a count may show; default
        :func:`journey.privacy.get_min_count` (None: show all).
    lang : {"en", "zh"}, optional
        Language of titles and labels; default :func:`journey.i18n.get_language`.
    title : str, optional
        Figure title; a descriptive default otherwise.

    Returns
    -------
    plotly.graph_objects.Figure
        The process map and two animated traces: the dots (``meta={"role": "tokens"}``,
        ``customdata`` patients and mean time waited so far) and the touchpoint counts
        (``meta={"role": "counts", "nodes": [...]}``, ``customdata`` waiting, in service,
        completed per node; None where hidden). One frame per instant, named
        ``YYYY-MM-DD HH:MM`` (``YYYY-MM-DD`` for days), carrying what changes in those two
        traces: the dots' ``x``, ``y``, ``customdata`` and marker ``size`` and ``color``, the
        counts' ``text`` and ``customdata``. ``layout.meta`` holds ``window``,
        ``step_minutes``, ``visits``, ``hidden`` and ``time_kind``.

    Examples
    --------
    >>> import pandas as pd, journey
    >>> log = journey.read_log(pd.DataFrame({"case_id": ["a", "a", "b", "b"],
    ...     "activity": ["Registration", "Consultation"] * 2,
    ...     "start": ["2025-01-06 08:00", "2025-01-06 08:30", "2025-01-06 08:10",
    ...               "2025-01-06 08:50"],
    ...     "end": ["2025-01-06 08:10", "2025-01-06 08:45", "2025-01-06 08:20",
    ...             "2025-01-06 09:00"]}))
    >>> fig = journey.animate(log, step=10)
    >>> len(fig.frames), fig.frames[3].name
    (7, '2025-01-06 08:30')
    >>> fig.frames[3].data[1].customdata[0].tolist()  # Consultation: waiting, in service, done
    [1, 1, 0]
    """
    from journey._figures_maps import process_map_figure
    from journey._plotting import _limit, _options
    from journey.maps import journey_map

    lang = _options(lang)
    k = _limit(min_count)
    if not isinstance(bins, int) or bins < 1:
        raise JourneyError(f"bins={bins!r} must be a whole number of at least 1")
    L = texts("animate", lang)
    lo, hi, daily = _window(log, day, period)
    chosen = log.filter(period=(lo, hi))
    if int(chosen.table.count().execute()) == 0:
        first, last = log.period
        raise JourneyError(f"no visit starts in [{lo}, {hi}); the log runs from {first} to "
                           f"{last}: pass a day= or period= inside it", source=log.source)
    m = journey_map(chosen, activities=activities, paths=paths)
    # the frames: from the first to the last time of the chosen visits
    t = m.events
    times, every = _frame_times(t, step, daily)
    frames = pd.DataFrame({"frame": np.arange(len(times)), "t": times})
    tokens, nodes = _counts(t, frames, has_start=log.has_start, daily=daily, step=every,
                            bins=bins)
    # the map, drawn once (names in the chosen language), and its geometry
    tp, tr, st, en = m.touchpoints, m.transitions, m.starts, m.ends
    shown = _names(list(tp.activity), lang)
    rename = {c: (lambda s: s.map(shown)) for c in ("activity", "source", "target")}
    if title is None:
        title = _title(lo, hi, daily, log.time_kind, lang)
    fig = process_map_figure(*(df.assign(**{c: f(df[c]) for c, f in rename.items()
                                            if c in df.columns}) for df in (tp, tr, st, en)),
                             time_kind=log.time_kind, min_count=k, lang=lang, title=title)
    where, curves = _map_geometry(fig)
    for tr_ in fig.data:
        if (tr_.meta or {}).get("role") == "node":
            tr_.marker.showscale = False  # the dots' colour bar takes its place
    tokens["source"], tokens["target"] = tokens.source.map(shown), tokens.target.map(shown)
    nodes["activity"] = nodes.activity.map(shown)
    tokens, hidden = _place_tokens(tokens, where, curves, bins, k)
    names = [n for n in where]
    words, values, hidden_counts = _node_counts(nodes, names, len(times), log.has_start, k)
    hidden += hidden_counts
    pattern = L["node" if log.has_start else "node_flow"]
    dot_style, count_style = _trace_styles(tokens, where, names, log.has_start, daily, lang)
    by_frame = dict(iter(tokens.groupby("frame"))) if len(tokens) else {}
    empty = tokens.iloc[:0]

    def frame_traces(i: int) -> list[dict]:
        """What changes from frame to frame; the rest lives in the two traces below."""
        return _frame_data(by_frame.get(i, empty), i, pattern, words, values)

    def traces(i: int) -> list[dict]:
        """The two animated traces as frame ``i`` shows them."""
        dots, counts = frame_traces(i)
        return [dots | dot_style | {"marker": dots["marker"] | dot_style["marker"]},
                counts | count_style]

    first = len(fig.data)
    label = "%Y-%m-%d" if daily else "%Y-%m-%d %H:%M"
    frames_out = [{"data": frame_traces(i), "traces": [first, first + 1],
                   "name": f"{ti:{label}}"} for i, ti in enumerate(times)]
    layout = _player(fig.to_plotly_json()["layout"], times, daily, label, lang) | dict(
        height=(fig.layout.height or 420) + 90,
        meta={"window": [f"{lo:%Y-%m-%d %H:%M}", f"{hi:%Y-%m-%d %H:%M}"],
              "step_minutes": every / pd.Timedelta(minutes=1), "visits": m.n_cases,
              "hidden": hidden, "time_kind": log.time_kind})
    layout["margin"] = {**layout.get("margin", {}), "b": 110}
    data = [*fig.to_plotly_json()["data"], *traces(0)]
    fig = go.Figure({"data": data, "layout": layout, "frames": frames_out})
    if hidden:
        note, before = L["hidden"].format(n=hidden, k=k), fig.layout.title.subtitle.text
        fig.update_layout(title_subtitle_text=f"{before} · {note}" if before else note,
                          margin_t=(fig.layout.margin.t or 60) + (0 if before else 24))
    return fig
