"""Options and finishing touches shared by the figures of every family.

The figure functions check their ``lang``, ``time_kind`` and ``min_count`` options here; the
figures of every family (``_figures_maps``, ``_figures_waits``, ...) and the interactive
views (explore, animate) give them the same axes, labels and layout with these.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from journey._tables import _check_min_count
from journey.errors import JourneyError
from journey.privacy import get_min_count

__all__ = [
    "_choice",
    "_every_category",
    "_ipa_layout",
    "_limit",
    "_options",
    "_own_y_axes",
    "_readable",
]


def _choice(value: str, name: str, options: tuple[str, ...]) -> None:
    if value not in options:
        raise JourneyError(f"{name}={value!r} is not supported; use one of {list(options)}")


def _options(lang: str | None, time_kind: str = "wait") -> str:
    """Validate the options; ``lang=None`` means the language set by ``set_language``."""
    from journey._language import LANGUAGES, get_language

    lang = get_language() if lang is None else lang
    _choice(lang, "lang", LANGUAGES)
    _choice(time_kind, "time_kind", ("wait", "flow"))
    return lang


def _limit(min_count: int | None) -> int | None:
    """The smallest count shown: ``min_count``, or the session's (``set_min_count``)."""
    return _check_min_count(get_min_count() if min_count is None else min_count)


def _own_y_axes(fig: go.Figure, spacing: float = 0.07) -> go.Figure:
    """Facet panels each with their own y axis and tick labels, spaced so that they fit.

    A panel whose values reach 13 next to one that reaches 350 then shows its own shape.
    """
    fig.update_yaxes(matches=None, showticklabels=True, rangemode="tozero")
    axes = [a for a in fig.layout if a.startswith("xaxis")]
    old = sorted({tuple(round(v, 6) for v in fig.layout[a].domain) for a in axes})
    n = len(old)
    if n > 1:
        width = (1 - spacing * (n - 1)) / n
        new = [(c * (width + spacing), c * (width + spacing) + width) for c in range(n)]
        for a in axes:
            fig.layout[a].domain = new[old.index(tuple(round(v, 6)
                                                       for v in fig.layout[a].domain))]
        for note in fig.layout.annotations:  # facet titles follow their panel
            if note.xref == "paper" and note.yref == "paper" and note.x is not None:
                c = min(range(n), key=lambda c: abs((old[c][0] + old[c][1]) / 2 - note.x))
                if abs((old[c][0] + old[c][1]) / 2 - note.x) < 1e-6:
                    note.x = (new[c][0] + new[c][1]) / 2
    return fig


def _every_category(fig: go.Figure, n: int, *, row_px: int = 22, base: int = 200) -> go.Figure:
    """Show the label of every category on the y axes (plotly skips some when crowded) and
    make the figure tall enough for them."""
    fig.update_yaxes(tickmode="linear", dtick=1, automargin=True)
    return fig.update_layout(height=max(fig.layout.height or 450, base + row_px * n))


def _readable(name: str) -> str:
    """``medical_quality`` → ``Medical quality``; other names unchanged."""
    text = str(name)
    if "_" in text and " " not in text:
        text = text.replace("_", " ").strip()
        return text[:1].upper() + text[1:]
    return text


def _ipa_layout(fig: go.Figure, x: pd.Series, y: pd.Series, centre: tuple[float, float],
                quadrants: list[tuple[bool, bool, str]]) -> go.Figure:
    """Room around the points for their labels, labels placed away from the crosshairs, and
    the quadrant names outside the plotting area, where no point label can cover them."""
    imp, perf = centre
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    span_x = float(np.nanmax(xs) - np.nanmin(xs)) if len(xs) else 1.0
    span_y = float(np.nanmax(ys) - np.nanmin(ys)) if len(ys) else 1.0
    span_x, span_y = span_x or 1.0, span_y or 1.0
    lo_x, hi_x = min(np.nanmin(xs), perf), max(np.nanmax(xs), perf)
    lo_y, hi_y = min(np.nanmin(ys), imp), max(np.nanmax(ys), imp)
    fig.update_xaxes(range=[lo_x - 0.3 * span_x, hi_x + 0.3 * span_x])
    fig.update_yaxes(range=[lo_y - 0.15 * span_y, hi_y + 0.2 * span_y])
    positions = [("top" if yi >= imp else "bottom") + (" right" if xi >= perf else " left")
                 for xi, yi in zip(xs, ys, strict=True)]
    fig.update_traces(textposition=positions, cliponaxis=False, selector={"mode":
                                                                         "markers+text"})
    notes = [a for a in fig.layout.annotations if a.xref == "x domain"]
    for note, (high_imp, high_perf, _) in zip(notes, quadrants, strict=False):
        note.update(y=1 if high_imp else 0, yanchor="bottom" if high_imp else "top",
                    yshift=2 if high_imp else -58, x=1 if high_perf else 0)
    return fig.update_layout(margin={"t": 110, "b": 100})
