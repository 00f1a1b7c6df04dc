"""Figures of the time-series and before/after results (:mod:`journey.control_charts`,
:mod:`journey.impact`, :mod:`journey.compare`, :mod:`journey.series`): each function takes a
result object (or the table of :func:`journey.metric_series`) and a language and returns a
plotly figure; the results' ``figure()`` methods call them. Labels come from the catalogue
(:mod:`journey._labels`), names of columns and values from :mod:`journey.i18n`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from journey._labels import texts
from journey._metrics import _measure
from journey._plotting import _options
from journey.errors import JourneyError
from journey.i18n import translate_columns

__all__ = ["SPC_COLOURS", "series_figure"]

#: The NHS "Making Data Count" colours of an SPC chart.
SPC_COLOURS: dict[str, str] = {
    "common_cause": "#a6a6a6",
    "special_cause_improvement": "#00b0f0",
    "special_cause_concern": "#e46c0a",
    "special_cause_neutral": "#490092",
    "value_line": "#a6a6a6",
    "mean_line": "#000000",
    "limits": "#a6a6a6",
    "target": "#de1b1b",
}

# the Making Data Count icons: colour and letter of each variation and assurance icon
_ICONS: dict[str, tuple[str, str]] = {
    "common_cause": (SPC_COLOURS["common_cause"], ""),
    "improvement_high": (SPC_COLOURS["special_cause_improvement"], "H"),
    "improvement_low": (SPC_COLOURS["special_cause_improvement"], "L"),
    "concern_high": (SPC_COLOURS["special_cause_concern"], "H"),
    "concern_low": (SPC_COLOURS["special_cause_concern"], "L"),
    "neutral_high": (SPC_COLOURS["special_cause_neutral"], "H"),
    "neutral_low": (SPC_COLOURS["special_cause_neutral"], "L"),
    "consistent_pass": (SPC_COLOURS["special_cause_improvement"], "P"),
    "consistent_fail": (SPC_COLOURS["special_cause_concern"], "F"),
    "inconsistent": (SPC_COLOURS["common_cause"], "?"),
}


def _column_name(column: str, lang: str) -> str:
    """A column's name in ``lang`` (its header in :func:`journey.i18n.translate_columns`)."""
    return str(translate_columns(pd.DataFrame(columns=[column]), lang).columns[0])


# ------------------------------------------------------------------------------------ SPC


def spc_chart(result: Any, *, title: str | None = None, y_title: str | None = None,
              lang: str = "en") -> go.Figure:
    """An SPC chart (:class:`journey.SPCResult`) in the NHS colours, with the NHS icons.

    Parameters
    ----------
    result : SPCResult
        Its ``table``, ``summary``, ``options`` and icons are drawn.
    title, y_title : str, optional
        Default: the measure's name or the value column's name.
    lang : {"en", "zh"}
        Language of legend, icons and hover text.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    L = texts("spc", lang)
    t, o = result.table, result.options
    name = o.get("label") or o["value"]
    if not o.get("label") and o.get("denominator"):
        name = f"{o['value']} / {o['denominator']}"
    name = _column_name(name, lang)
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=t["date"], y=t["value"], mode="lines", name=L["value"], showlegend=False,
        line={"color": SPC_COLOURS["value_line"]}, hoverinfo="skip", connectgaps=False,
    ))
    _draw_lines(fig, result, L)
    if o["target"] is not None:
        fig.add_hline(y=o["target"], line={"color": SPC_COLOURS["target"], "width": 2,
                                            "dash": "dot"},
                      opacity=1, annotation_text=L["target"], name="target")
    for kind, g in t[t["point_type"] != "gap"].groupby("point_type", sort=False):
        colour = SPC_COLOURS.get(kind, SPC_COLOURS["special_cause_neutral"])
        rules = g["rule"].map(lambda r: L["none"] if pd.isna(r) else L.get(r, r))
        fig.add_trace(go.Scatter(
            x=g["date"], y=g["value"], mode="markers", name=L.get(kind, kind.replace("_", " ")),
            marker={"color": colour, "size": 8}, customdata=rules.to_frame(),
            hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y}}<br>{L['rule']}: %{{customdata[0]}}"
                          "<extra></extra>",
        ))
    _draw_gaps(fig, t, L["gap"])
    for when in result.summary["start"].iloc[1:]:
        fig.add_vline(x=when, line={"color": "#768692", "width": 1, "dash": "dot"},
                      opacity=1, name="rebase")
    variation, assurance = result.variation_icon, result.assurance_icon
    icons = f"{L['variation']}: {L.get(variation, variation)}"
    if assurance:
        icons += f", {L['assurance']}: {L.get(assurance, assurance)}"
    captions = [L.get(k, k.replace("_", " ")) for k in (variation, assurance or "")]
    _draw_icons(fig, variation, assurance, captions)
    fig.update_layout(
        title=f"{title or name} ({icons})", template="simple_white",
        yaxis_title=y_title or name, xaxis_title=None, margin={"t": 110, "r": 40},
    )
    return fig


def _draw_lines(fig: go.Figure, result: Any, L: dict[str, str]) -> None:
    """The centre line (mean, or median of a run chart) and process limits of each group."""
    t, run = result.table, result.options["chart"] == "run"
    centre = "median" if run else "mean"
    signal = run and bool(result.summary.get("runs_signal", pd.Series(False)).any())
    lines = [("mean", L[centre], {"color": SPC_COLOURS["mean_line"],
                                  **({"dash": "dash"} if signal else {})})]
    if not run:
        lines += [("upl", L["upl"], {"color": SPC_COLOURS["limits"], "dash": "dash"}),
                  ("lpl", L["lpl"], {"color": SPC_COLOURS["limits"], "dash": "dash"})]
    for column, label, style in lines:
        for i, (_, g) in enumerate(t.groupby("rebase_group")):
            fig.add_trace(go.Scatter(
                x=g["date"], y=g[column], mode="lines", line=style, name=label,
                legendgroup=column, showlegend=i == 0, connectgaps=False,
            ))


def _draw_icons(fig: go.Figure, variation: str, assurance: str | None,
                captions: list[str]) -> None:
    """Draw the variation (and assurance) icon top right: a ring with a letter (or, for
    common cause, a grey zig-zag), in pixel units so they stay round, with a caption."""
    size = 19  # radius in pixels
    for i, icon in enumerate([variation, assurance]):
        if icon is None:
            continue
        colour, letter = _ICONS[icon]
        x = 0.97 - 0.11 * (1 - i if assurance else 0)
        common = {"xref": "paper", "yref": "paper", "xanchor": x, "yanchor": 1.13,
                  "xsizemode": "pixel", "ysizemode": "pixel", "name": icon, "opacity": 1}
        fig.add_shape(type="circle", x0=-size, x1=size, y0=-size, y1=size,
                      line={"color": colour, "width": 3}, fillcolor="white", **common)
        if letter:
            fig.add_annotation(x=x, y=1.13, xref="paper", yref="paper", text=f"<b>{letter}</b>",
                               xanchor="center", yanchor="middle", showarrow=False,
                               font={"size": 18, "color": colour}, name="icon")
        else:  # common cause: a grey line through dots
            path = "M -12 3 L -6 -5 L 0 4 L 6 -4 L 12 2"
            fig.add_shape(type="path", path=path, line={"color": colour, "width": 2},
                          fillcolor="rgba(0,0,0,0)", **common)
        fig.add_annotation(x=x, y=1.13, yshift=-size - 9, xref="paper", yref="paper",
                           text=captions[i], showarrow=False, xanchor="center",
                           yanchor="middle", font={"size": 9, "color": "#425563"},
                           name="icon caption")


def _draw_gaps(fig: go.Figure, table: pd.DataFrame, label: str) -> None:
    """Grey bands over runs of periods without data, half a period wide on either side."""
    gap = (table["point_type"] == "gap").to_numpy()
    if not gap.any():
        return
    dates = pd.DatetimeIndex(table["date"])
    step = pd.Series(dates).diff().median()
    step = step if pd.notna(step) else pd.Timedelta(days=1)
    starts = np.flatnonzero(gap & ~np.r_[False, gap[:-1]])
    for i, st in enumerate(starts):
        end = st
        while end + 1 < len(gap) and gap[end + 1]:
            end += 1
        text = {"annotation_text": label, "annotation_position": "bottom left",
                "annotation_font_size": 9} if i == 0 else {}
        fig.add_vrect(x0=dates[st] - step / 2, x1=dates[end] + step / 2, fillcolor="#d9d9d9",
                      opacity=0.5, line={"width": 0}, layer="below", name="gap", **text)


# ------------------------------------------------------------------------- ITS and DiD


def its_chart(result: Any, *, title: str | None = None, y_title: str | None = None,
              lang: str = "en") -> go.Figure:
    """Observed points, fitted segments and the counterfactual with its band
    (:class:`journey.ITSResult`; the control series too for a controlled ITS).

    Parameters
    ----------
    result : ITSResult
        Its ``series`` and ``options`` are drawn.
    title, y_title : str, optional
        Default: from the value column's name.
    lang : {"en", "zh"}
        Language of legend and default titles.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    L = texts("its.figure", lang)
    value = _column_name(result.options["value"], lang)
    s = result.series
    after = s[s["post"]]
    level = int(round(100 * (1 - result.options["alpha"])))
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


def did_chart(result: Any, *, title: str | None = None, y_title: str | None = None,
              lang: str = "en") -> go.Figure:
    """Both series of a difference-in-differences (:class:`journey.DiDResult`) with their
    period means and the intervention marked.

    Parameters
    ----------
    result : DiDResult
        Its ``series`` and ``options`` are drawn.
    title, y_title : str, optional
        Default: from the value column's name.
    lang : {"en", "zh"}
        Language of legend and default titles.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    L = texts("its.figure", lang)
    value = _column_name(result.options["value"], lang)
    s = result.series
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


# ------------------------------------------------------------------------------ series


def series_figure(series: pd.DataFrame, *, intervention: object = None,
                  title: str | None = None, y_title: str | None = None,
                  lang: str | None = None) -> go.Figure:
    """The series of :func:`journey.metric_series`: one line per group, the change marked.

    Periods without visits (``empty``) break the lines instead of being drawn as zeros or
    joined over; the y axis and title name the measure (``series.attrs["measure"]``, in
    ``lang`` when the attributes of :func:`journey.metric_series` say what it is).

    Parameters
    ----------
    series : DataFrame
        From :func:`journey.metric_series` (columns ``date``, ``group``, ``value``, ``n``).
    intervention : date, optional
        Drawn as a dotted vertical line labelled "change".
    title, y_title : str, optional
        Default: the measure's name.
    lang : {"en", "zh"}, optional
        Language of the labels; default :func:`journey.i18n.get_language`.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> s = pd.DataFrame({"date": pd.date_range("2025-03-03", periods=4), "group": "A",
    ...                   "value": [30.0, None, 25.0, 20.0], "n": [5, 0, 4, 6]})
    >>> s.attrs["measure"] = "daily mean wait before X (minutes)"
    >>> fig = series_figure(s, intervention="2025-03-05")
    >>> fig.layout.yaxis.title.text, fig.layout.shapes[0].x0
    ('daily mean wait before X (minutes)', '2025-03-05')
    """
    lang = _options(lang)
    L = texts("series", lang)
    missing = {"date", "group", "value"} - set(series.columns)
    if missing:
        raise JourneyError(f"series_figure() needs the columns of metric_series(); missing "
                           f"{sorted(missing)}.")
    a = series.attrs
    measure = a.get("measure") or L["value"]
    if a.get("measure") and {"metric", "freq", "activity"} <= set(a):
        measure = _measure(a, lang)
    fig = go.Figure()
    empty = series["n"] == 0 if "n" in series else series["value"].isna()
    for group, g in series.groupby("group", sort=False):
        e = empty[g.index]
        fig.add_trace(go.Scatter(
            x=g["date"], y=g["value"].where(~e), mode="lines+markers", name=str(group),
            connectgaps=False, marker={"size": 5},
            customdata=g[["n"]] if "n" in g else None,
            hovertemplate="%{x|%Y-%m-%d}: %{y:.1f}" + (" (n = %{customdata[0]})"
                                                      if "n" in g else "") + "<extra></extra>",
        ))
    if intervention is not None:
        when = str(pd.Timestamp(intervention).date())
        fig.add_vline(x=when, line={"color": "#231f20", "width": 2, "dash": "dot"}, opacity=1,
                      annotation_text=L["change"], annotation_position="top left",
                      name="intervention")
    fig.update_layout(title=title or L["title"].format(measure=measure),
                      yaxis_title=y_title or measure, xaxis_title=None,
                      template="simple_white", legend_title_text=L["group"])
    return fig
