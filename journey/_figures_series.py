"""Figures of the time-series and before/after results (:mod:`journey.spc`, :mod:`journey.its`,
:mod:`journey.compare`, :mod:`journey.effects`): each function takes a result object and a
language and returns a plotly figure; the results' ``figure()`` methods call them."""

from __future__ import annotations

__all__: list[str] = []
