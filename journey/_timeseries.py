"""Checks and result rows shared by the time-series statistics.

:mod:`journey.control_charts`, :mod:`journey.impact` and :mod:`journey.effects` check their
input series, split a series at the intervention date and write their result tables with the
same columns because they take these from here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from journey.errors import JourneyError

__all__ = ["COLUMNS", "_frame", "_post", "_row"]


def _frame(data: Any, columns: dict[str, str | None], *, where: str,
           gaps: Sequence[str] = ()) -> pd.DataFrame:
    """Check that ``data`` is a DataFrame holding ``columns`` (role → name) without missing
    values, except in the roles listed in ``gaps`` (periods without data).

    Returns a copy with the columns renamed to their roles; raises JourneyError otherwise.
    """
    if not isinstance(data, pd.DataFrame):
        raise JourneyError(
            f"{where}() needs a pandas DataFrame in long format, got {type(data).__name__}."
        )
    for role, name in columns.items():
        if name is None:
            raise JourneyError(f"{where}() needs the name of the {role} column: {role}='...'.")
        if name not in data.columns:
            raise JourneyError(
                f"column {name!r} not found; the data has {list(map(str, data.columns))}. "
                f"Pass the right name as {role}=...",
                source="<DataFrame>",
                column=name,
            )
        missing = np.flatnonzero(data[name].isna().to_numpy())
        if missing.size and role not in gaps:
            raise JourneyError(
                f"{missing.size} missing value(s); fill or drop these rows before calling "
                f"{where}(), so that every exclusion is your own decision.",
                source="<DataFrame>",
                column=name,
                rows=[int(i) + 2 for i in missing],
            )
    out = pd.DataFrame({role: data[name].to_numpy() for role, name in columns.items()})
    for role in ("date",):
        if role in out:
            try:
                out[role] = pd.to_datetime(out[role])
            except (ValueError, TypeError) as err:
                raise JourneyError(
                    f"cannot read the dates ({err}); give datetimes or ISO dates.",
                    column=columns[role],
                ) from err
    for role in ("value", "denominator"):
        if role in out:
            number = pd.to_numeric(out[role], errors="coerce")
            bad = np.flatnonzero((number.isna() & out[role].notna()).to_numpy()
                                 if role in gaps else number.isna().to_numpy())
            if bad.size:
                raise JourneyError(
                    "values are not numbers; clean them before the analysis.",
                    column=columns[role],
                    rows=[int(i) + 2 for i in bad],
                )
            out[role] = number.astype(float)
    return out


COLUMNS = ["metric", "estimate", "ci_low", "ci_high", "p_value", "method", "note"]


def _post(dates: pd.Series, intervention: Any, *, minimum: int = 3) -> np.ndarray:
    """True for dates on or after the intervention; at least ``minimum`` points on each side."""
    try:
        start = pd.Timestamp(intervention)
    except (ValueError, TypeError) as err:
        raise JourneyError(f"intervention must be a date, got {intervention!r}.") from err
    post = (dates >= start).to_numpy()
    n_post = int(post.sum())
    if min(n_post, len(post) - n_post) < minimum:
        raise JourneyError(
            f"the intervention date {start.date()} leaves {len(post) - n_post} point(s) before "
            f"and {n_post} after; each period needs at least {minimum}. Check the date or use "
            "a longer series."
        )
    return post


def _row(metric: str, est: float, ci: Sequence[float], p: float, method: str, note: str) -> dict:
    return dict(zip(COLUMNS, [metric, est, ci[0], ci[1], p, method, note], strict=True))
