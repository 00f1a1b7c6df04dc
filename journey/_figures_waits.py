"""Figures of the waiting-time and bottleneck results (:mod:`journey.waits`,
:mod:`journey.queues`): each function takes a result object and a language and returns a
plotly figure; the results' ``figure()`` methods call them.

Every label comes from the catalogue (:mod:`journey._labels`, namespaces ``waits`` and
``bottlenecks``), and so does what a language does with a log's touchpoint names and headers
(``i18n.names``): English shows the log's own, Chinese the catalogue's (via
:mod:`journey.i18n`); days come from the ``day`` namespace. The plain-language readings of
:func:`journey.wait_drivers` live here too, since its figure shows them in the figure's
language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from journey._gaps import gap_name
from journey._labels import REASONS, text, texts
from journey._plotting import _every_category, _own_y_axes
from journey.errors import JourneyError
from journey.i18n import display_header, display_name

__all__ = [
    "attainment",
    "bottlenecks",
    "left_unseen",
    "queue_heatmap",
    "time_decomposition",
    "utilisation",
    "wait_distribution",
    "wait_drivers",
]


# --------------------------------------------------------------------------- names
def _values(frame: pd.DataFrame, keys: Sequence[str], lang: str) -> pd.DataFrame:
    """A copy with the touchpoint names and weekdays of the ``keys`` columns in ``lang``."""
    days = texts("day", lang)
    frame = frame.copy()
    for k in keys:
        if k in ("activity", "source", "target"):
            frame[k] = frame[k].map(lambda a: display_name(a, lang))
        elif k == "weekday" and isinstance(frame[k].dtype, pd.CategoricalDtype):
            frame[k] = frame[k].cat.rename_categories(lambda d: days.get(d, d))
    return frame


def _column(name: str, lang: str) -> str:
    """A grouping column's header in a figure of waits."""
    return texts("waits.column", lang).get(name) or display_header(name, lang)


def _term(term: str, lang: str, level: str | None = None) -> str:
    """A regression term of :func:`journey.wait_drivers` in ``lang`` ("queue" → "前面排队人数",
    "weekday=Tue" → "星期=周二"); with ``level``, that level of the term's factor instead."""
    names = texts("waits.term", lang)
    if "=" not in term:
        return names.get(term, term)
    factor, own = term.split("=", 1)
    level = own if level is None else level
    name = names.get(factor) or display_header(factor, lang)
    shown = (texts("waits.level", lang).get(level) or texts("day", lang).get(level)
             or (text("waits.hour_level", lang).format(level) if factor == "hour" else level))
    return f"{name}={shown}"


def _reading(r: Any, refs: Mapping[str, str], activity: str, lang: str = "en",
             kind: str = "wait") -> str:
    """The plain-language reading of one coefficient (a row of the drivers' table)."""
    R = texts("waits.reading", lang)
    flow = "" if kind == "wait" else "_flow"
    at = R["median"] if r.q == 0.5 else R["pct"].format(p=100 * r.q)
    ci = R["ci"].format(lo=r.ci_low, hi=r.ci_high)
    if r.term in ("Intercept", "queue"):
        return R[r.term + flow].format(at=at, coef=r.coef, ci=ci,
                                       activity=display_name(activity, lang))
    factor, level = r.term.split("=", 1)
    clear = "" if r.ci_low > 0 or r.ci_high < 0 else R["clear"]
    return R["factor" + flow].format(
        term=_term(r.term, lang), ref=_term(r.term, lang, refs[factor]), factor=factor,
        level=level, ref_level=refs[factor], at=at, coef=r.coef, ci=ci, clear=clear)


def _measure(measure: str, kind: str, lang: str) -> str:
    """A measure of :func:`journey.target_attainment` in ``lang`` ("Consultation ≤ 30 min" →
    "就诊前等候 ≤ 30 分钟"); department names are kept."""
    L = texts("waits", lang)
    if m := re.fullmatch(r"(.+) ≤ (\S+) min", measure):
        key = "limit" if kind == "wait" else "limit_flow"
        return L[key].format(name=display_name(m[1], lang), limit=m[2])
    if m := re.fullmatch(r"(.+): arrival to departure ≤ (\S+) h", measure):
        return L["ed"].format(name=m[1], limit=m[2])
    return measure


# --------------------------------------------------------------------------- waits
def wait_distribution(frame: pd.DataFrame, keys: Sequence[str], *, kind: str = "box",
                      interactive: bool = True, time_kind: str = "wait",
                      opening: bool = False, lang: str = "en") -> Any:
    """Box, violin or ECDF plot of the ``wait`` column of ``frame`` per ``keys``.

    ``opening`` says the waits count opening minutes only; ``interactive=False`` draws a
    static seaborn/matplotlib figure.
    """
    L = texts("waits", lang)
    names = {k: _column(k, lang) for k in keys}
    frame = _values(frame, keys, lang).rename(columns=names)
    keys = [names[k] for k in keys]
    group = " → ".join(keys) if keys else None
    if len(keys) > 1:
        frame[group] = frame[keys].astype(str).agg(" → ".join, axis=1)
    word = L["wait" if time_kind == "wait" else "flow time"]
    label = L["axis"].format(word=word, opening=L["opening"] if opening else "")
    if not interactive:
        return _static_distribution(frame, group, kind, label, L["proportion"])
    labels = {"wait": label}
    if kind == "ecdf":
        fig = px.ecdf(frame, x="wait", color=group, labels=labels,
                      title=L["ecdf"].format(word=word))
        # plotly names the cumulative axis "probability" whatever labels say
        fig.update_yaxes(title_text=L["cumulative"])
        fig.for_each_trace(lambda t: t.update(hovertemplate=t.hovertemplate.replace(
            "probability=", f"{L['cumulative']}=")))
        return fig
    draw = px.box if kind == "box" else px.violin
    return draw(frame, x="wait", y=group, orientation="h", points=False,
                labels=labels, title=L["by"].format(word=word, group=group or L["all"]))


def _static_distribution(frame: pd.DataFrame, group: str | None, kind: str, label: str,
                         proportion: str) -> Any:
    """The seaborn/matplotlib form of :func:`wait_distribution`."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    fig, ax = plt.subplots(figsize=(8, 0.5 * frame[group].nunique() + 2 if group else 3))
    if kind == "ecdf":
        sns.ecdfplot(frame, x="wait", hue=group, ax=ax)
        ax.set_ylabel(proportion)
    elif kind == "box":
        sns.boxplot(frame, x="wait", y=group, showfliers=False, ax=ax)
    else:
        sns.violinplot(frame, x="wait", y=group, cut=0, ax=ax)
    ax.set_xlabel(label)
    fig.tight_layout()
    plt.close(fig)
    return fig


def attainment(result: Any, *, by: str = "hour", lang: str = "en") -> go.Figure:
    """Attainment per hour (or weekday) of an :class:`journey.waits.Attainment`, with CIs."""
    L = texts("waits", lang)
    d = (result.by_hour if by == "hour" else result.by_weekday).copy()
    if d.empty:
        values = {"notes": " ".join(result.notes)}
        reason = ("no_target", values) if result.table.empty else None
        raise JourneyError(REASONS["en"]["no_target"].format(**values), reason=reason)
    d["plus"], d["minus"] = d.share_ci_high - d.share, d.share - d.share_ci_low
    d = _values(d, [by], lang).assign(
        measure=d.measure.map(lambda m: _measure(m, result.time_kind, lang)))
    labels = {"share": L["share"], by: _column(by, lang), "measure": L["measure"]}
    return px.line(d, x=by, y="share", color="measure", error_y="plus",
                   error_y_minus="minus", markers=True, range_y=(0, 1.05),
                   labels=labels, title=L["attainment"])


def left_unseen(result: Any, *, lang: str = "en") -> go.Figure:
    """Kaplan–Meier curve and cumulative incidences of a :class:`journey.waits.LeftUnseen`."""
    L = texts("waits", lang)
    s, c = result.survival, result.incidence
    fig = go.Figure()
    fig.add_scatter(x=s.time, y=s.ci_high, line={"width": 0, "shape": "hv"},
                    showlegend=False, hoverinfo="skip")
    fig.add_scatter(x=s.time, y=s.ci_low, fill="tonexty", line={"width": 0, "shape": "hv"},
                    fillcolor="rgba(31,119,180,0.2)", name=L["km_band"])
    fig.add_scatter(x=s.time, y=s.not_seen, line={"shape": "hv"}, name=L["not_seen"])
    fig.add_scatter(x=c.time, y=c.seen, line={"shape": "hv", "dash": "dot"}, name=L["seen"])
    fig.add_scatter(x=c.time, y=c.left, line={"shape": "hv", "dash": "dash"}, name=L["left"])
    fig.update_layout(title=L["seen_title"], yaxis_range=(0, 1),
                      xaxis_title=L["since"], yaxis_title=L["probability"])
    return fig


def wait_drivers(result: Any, *, lang: str = "en") -> go.Figure:
    """Coefficients with CIs of a :class:`journey.waits.WaitDrivers`, a panel per quantile."""
    L = texts("waits", lang)
    options = result.options
    flow = options.get("time_kind") == "flow"
    d = result.table[result.table.term != "Intercept"].copy()
    d["plus"], d["minus"] = d.ci_high - d.coef, d.coef - d.ci_low
    if options:
        d["reading"] = [_reading(r, options["refs"], options["activity"], lang,
                                 options.get("time_kind", "wait")) for r in d.itertuples()]
    d["term"] = d.term.map(lambda t: _term(t, lang))
    labels = {"coef": L["coef_flow" if flow else "coef"]} | {
        k: L[k] for k in ("q", "term", "reading")}
    fig = px.scatter(d, x="coef", y="term", facet_col="q", error_x="plus",
                     error_x_minus="minus", hover_data=["reading"], labels=labels,
                     title=L["drivers_flow" if flow else "drivers"])
    fig.add_vline(x=0, line_dash="dot")
    return _every_category(fig, d.term.nunique())


# --------------------------------------------------------------------------- bottlenecks
def time_decomposition(result: Any, *, lang: str = "en") -> go.Figure:
    """Patient-hours of waiting and service per touchpoint of a
    :class:`journey.queues.TimeDecomposition` (stacked bars)."""
    L = texts("bottlenecks", lang)
    flow = result.time_kind == "flow"
    parts = [gap_name("wait_hours", result.time_kind)] + ([] if flow else ["service_hours"])
    d = result.table.melt(id_vars="activity", value_vars=parts, var_name="part",
                          value_name="hours")
    d = d.assign(part=d.part.map(lambda p: display_header(p, lang)),
                 activity=d.activity.map(lambda a: display_name(a, lang)))
    labels = {"hours": L["hours"], "activity": "", "part": L["part"]}
    return px.bar(d, x="hours", y="activity", color="part", orientation="h",
                  title=L["decomposition_flow" if flow else "decomposition"], labels=labels)


def bottlenecks(result: Any, *, top: int | None = None, lang: str = "en") -> go.Figure:
    """Mean wait by hour of day of the touchpoints a :class:`journey.queues.Bottlenecks`
    ranks, one line per day (type), a panel per touchpoint."""
    L = texts("bottlenecks", lang)
    names = result.table.activity.head(top or len(result.table)).tolist()
    d = result.blocks[result.blocks.activity.isin(names)]
    if d.empty:
        raise JourneyError("no hour-of-day profile to draw: the log records dates only "
                           "(see the notes), or the ranked touchpoints have no "
                           f"{'waits' if result.time_kind == 'wait' else 'flow times'}.")
    word = L["wait" if result.time_kind == "wait" else "flow time"]
    y = gap_name("wait_mean", result.time_kind)
    d = d.assign(day=d.day.map(texts("day", lang)),
                 activity=d.activity.map(lambda a: display_name(a, lang)))
    names = [display_name(a, lang) for a in names]
    labels = {y: L["mean"].format(word), "hour": L["hour"], "day": L["day"],
              "activity": L["activity"]}
    return _own_y_axes(px.line(
        d, x="hour", y=y, color="day", facet_col="activity",
        facet_col_wrap=3, markers=True, category_orders={"activity": names},
        labels=labels, title=L["title"].format(word)))


def queue_heatmap(result: Any, activity: str | None = None, *, value: str = "queue",
                  lang: str = "en") -> go.Figure:
    """Hour × weekday heatmap of the mean queue (or patients in service) of one touchpoint of
    a :class:`journey.queues.QueueProfile`; by default the one with the largest mean."""
    L = texts("bottlenecks", lang)
    profile = result.profile
    if profile.empty:
        raise JourneyError("no hour × weekday profile: " + (" ".join(result.notes) if len(
            result.table) else "no queue or service was recorded."))
    if activity is None:
        activity = str(profile.groupby("activity")[value].mean().idxmax())
    d = profile[profile.activity == activity]
    if d.empty:
        raise JourneyError(f"no touchpoint {activity!r}; known: "
                           f"{sorted(profile.activity.unique())}.")
    grid = d.pivot_table(index="weekday", columns="hour", values=value, observed=False)
    what = L["queue" if value == "queue" else "in_service"]
    days = texts("day", lang)
    grid.index = [days.get(str(day), str(day)) for day in grid.index]
    return px.imshow(grid, aspect="auto", color_continuous_scale="Reds",
                     labels={"color": L["color"].format(what), "x": L["hour"],
                             "y": L["weekday"]},
                     title=L["heat_title"].format(display_name(activity, lang), what))


def utilisation(result: Any, *, lang: str = "en") -> go.Figure:
    """Utilisation per touchpoint of a :class:`journey.queues.Utilisation` (bars)."""
    d = result.table.assign(activity=result.table.activity.map(lambda a: display_name(a, lang)))
    return px.bar(d, x="utilisation", y="activity", orientation="h",
                  range_x=(0, max(1.0, float(result.table.utilisation.max()))),
                  title=texts("bottlenecks", lang)["utilisation"],
                  labels={"activity": "", "utilisation": display_header("utilisation", lang)})
