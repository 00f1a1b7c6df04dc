"""Figures of the patient-experience, loyalty and what-if results (:mod:`journey.experience`,
:mod:`journey.loyalty`, :mod:`journey.simulate`): each function takes a result object and a
language and returns a plotly figure; the results' ``figure()`` methods call them."""

from __future__ import annotations

__all__: list[str] = []
