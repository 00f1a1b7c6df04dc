"""Figures of the patient-experience, loyalty and what-if results (:mod:`journey.experience`,
:mod:`journey.loyalty`, :mod:`journey.simulate`): each function takes a result object and a
language and returns a plotly figure; the results' ``figure()`` methods call them.

The functions read the result's attributes only (``table``, ``centre``, ``lorenz``…), so this
module imports none of the analyses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.express as px
import plotly.graph_objects as go

from journey._labels import QUADRANTS, text, texts
from journey._plotting import _ipa_layout, _readable
from journey.i18n import display_name

__all__ = ["concentration", "importance_performance", "simulation", "what_if"]


def importance_performance(result: Any, *, labels: Mapping[str, str] | None = None,
                           title: str | None = None, lang: str = "en") -> go.Figure:
    """The IPA grid of an :class:`journey.experience.ImportancePerformance`: performance
    across, importance up, crosshairs at its centre, quadrant names in the corners.

    An attribute is named by ``labels``, else by its name in ``lang``
    (:func:`journey.i18n.display_name`), made readable (``medical_quality`` → ``Medical quality``).
    """
    L = texts("ipa", lang)
    t = result.table
    names = [(labels or {}).get(a, _readable(display_name(a, lang))) for a in t["attribute"]]
    fig = go.Figure(go.Scatter(
        x=t["performance"], y=t["importance"], mode="markers+text", text=names,
        textposition="top center", customdata=t["quadrant"].map(lambda q: L.get(q, q)),
        hovertemplate=f"%{{text}}<br>{L['performance']} %{{x:.2f}}<br>{L['importance']} "
                      "%{y:.3f}<br>%{customdata}<extra></extra>"))
    imp, perf = result.centre
    fig.add_vline(x=perf, line_dash="dash", line_color="grey")
    fig.add_hline(y=imp, line_dash="dash", line_color="grey")
    for (high_imp, high_perf), label in QUADRANTS.items():
        fig.add_annotation(
            x=1 if high_perf else 0, y=1 if high_imp else 0, xref="x domain",
            yref="y domain", text=L.get(label, label), showarrow=False, font_color="grey",
            xanchor="right" if high_perf else "left", yanchor="top" if high_imp else "bottom")
    how = L.get(result.importance, result.importance)
    fig.update_layout(xaxis_title=L["x"], yaxis_title=L["y"].format(how),
                      title=title or L["title"].format(result.n), showlegend=False)
    return _ipa_layout(fig, t["performance"], t["importance"], result.centre,
                       [(hi, hp, q) for (hi, hp), q in QUADRANTS.items()])


def concentration(result: Any, *, lang: str = "en") -> go.Figure:
    """The Lorenz curve of a :class:`journey.loyalty.Concentration` with the line of
    equality, its Gini coefficient and top share in the title."""
    L = texts("loyalty", lang)
    lz = result.lorenz
    fig = go.Figure([
        go.Scatter(x=lz["population_share"], y=lz["resource_share"], mode="lines",
                   name=L["lorenz"]),
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=L["equality"],
                   line={"dash": "dash", "color": "grey"})])
    return fig.update_layout(
        xaxis={"title": L["x"], "tickformat": ".0%"},
        yaxis={"title": L["y"], "tickformat": ".0%"},
        title=L["title"].format(gini=result.gini, top=result.top,
                                share=result.top_resource_share))


def simulation(result: Any) -> go.Figure:
    """Mean wait before each touchpoint by department of a
    :class:`journey.simulate.SimulationResult` (a bar chart, in English)."""
    t = result.table.dropna(subset=["mean_wait"])
    return px.bar(t, x="activity", y="mean_wait", color="department", barmode="group",
                  labels={"mean_wait": text("simulate.mean_wait", "en"), "activity": ""},
                  title=text("simulate.title", "en", name=result.scenario.name))


def what_if(result: Any, *, metric: str = "mean wait (min)", title: str | None = None,
            lang: str = "en") -> go.Figure:
    """The differences of a :class:`journey.simulate.WhatIfResult` with their 95% intervals:
    ``metric`` per touchpoint, then the metrics of all visits."""
    L = texts("what_if", lang)
    table = result.table
    t = table[(table.metric == metric) | (table.activity == "all visits")]
    t = t.dropna(subset=["difference"])
    metrics = t.metric.map(lambda m: L.get(m, m))
    activities = t.activity.map(lambda a: display_name(a, lang))
    label = np.where(t.activity == "all visits", metrics, metrics + ": " + activities)
    fig = go.Figure(go.Scatter(
        x=t.difference, y=label, mode="markers",
        error_x={"type": "data", "symmetric": False,
                 "array": t.ci_high - t.difference, "arrayminus": t.difference - t.ci_low}))
    fig.add_vline(x=0, line_dash="dash", line_color="grey")
    names = [L.get(n, n) for n in (result.scenario.name, result.baseline.name)]
    return fig.update_layout(title=title or L["title"].format(*names, int(t.replications.max())),
                             xaxis_title=L["x"], yaxis={"autorange": "reversed"})
