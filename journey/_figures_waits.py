"""Figures of the waiting-time and bottleneck results (:mod:`journey.waits`,
:mod:`journey.bottlenecks`): each function takes a result object and a language and returns a
plotly figure; the results' ``figure()`` methods call them."""

from __future__ import annotations

__all__: list[str] = []
