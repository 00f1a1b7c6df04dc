"""Checks and summaries of the survey, complaint and visit tables, shared by the analyses.

The analyses of :mod:`journey.experience`, :mod:`journey.loyalty`, :mod:`journey.visits` and
:mod:`journey.waits` check their input tables (columns present, dates and yes/no values
readable, one row per visit), aggregate them, give shares with Wilson intervals and mask small
counts the same way because they take these helpers from here.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from journey._labels import texts
from journey.errors import JourneyError

__all__ = [
    "_add_share",
    "_aggregate",
    "_as_list",
    "_check_min_count",
    "_datetimes",
    "_flag",
    "_frame",
    "_require",
    "_rows",
    "_suppress",
    "_unique_visits",
    "_wilson",
]


# --------------------------------------------------------------------------- shared helpers
def _as_list(columns: str | Iterable[str] | None) -> list[str]:
    if columns is None:
        return []
    if isinstance(columns, str):
        return [columns]
    return list(columns)


def _require(frame: pd.DataFrame, columns: Iterable[str], table: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise JourneyError(
            f"the {table} table has no column {missing[0]!r}; rename the column or pass the "
            f"right name (its columns are {list(map(str, frame.columns))})",
            source=table, column=missing[0],
        )


def _rows(mask: pd.Series | np.ndarray) -> list[int]:
    """Spreadsheet row numbers (header = row 1) of the True entries of a positional mask."""
    return [int(i) + 2 for i in np.flatnonzero(np.asarray(mask))]


def _datetimes(frame: pd.DataFrame, column: str, table: str) -> pd.Series:
    """A datetime column (naive, nanoseconds); unparseable entries raise, empty ones stay NaT."""
    values = pd.to_datetime(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        raise JourneyError(
            f"cannot read {frame[column][bad].iloc[0]!r} as a date and time; "
            "use a format like 2024-03-01 08:30",
            source=table, column=column, rows=_rows(bad),
        )
    return values.astype("datetime64[ns]")


_YES_NO = {"true": True, "false": False, "yes": True, "no": False, "y": True, "n": False,
           "1": True, "0": False, "1.0": True, "0.0": False, "是": True, "否": False}


def _flag(frame: pd.DataFrame, column: str, table: str) -> pd.Series:
    """A yes/no column as booleans (True/False, 1/0, yes/no, 是/否); anything else raises."""
    values = frame[column].map(lambda v: _YES_NO.get(str(v).strip().casefold()))
    if values.isna().any():
        raise JourneyError(
            f"expected yes/no (True/False, 1/0, 是/否) in every row; found "
            f"{frame[column][values.isna()].iloc[0]!r}",
            source=table, column=column, rows=_rows(values.isna()),
        )
    return values.astype(bool)


def _wilson(k, n, confidence: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Share k/n with its Wilson score interval; NaN where n == 0."""
    from statsmodels.stats.proportion import proportion_confint  # reading needs no statistics

    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    some = n > 0
    safe = np.where(some, n, 1.0)
    lo, hi = proportion_confint(k, safe, alpha=1 - confidence, method="wilson")
    return (np.where(some, k / safe, np.nan), np.where(some, lo, np.nan),
            np.where(some, hi, np.nan))


def _add_share(table: pd.DataFrame, name: str, k: str, n: str, confidence: float) -> None:
    """Add columns ``name``, ``name_ci_low``, ``name_ci_high`` = Wilson share k/n in place."""
    share, lo, hi = _wilson(table[k], table[n], confidence)
    table[name], table[f"{name}_ci_low"], table[f"{name}_ci_high"] = share, lo, hi


def _aggregate(frame: pd.DataFrame, by: list[str], **aggs) -> pd.DataFrame:
    """Named aggregations per group of ``by`` (one row for the whole frame when ``by`` is empty);
    missing group labels form their own group."""
    if by:
        return frame.groupby(by, dropna=False, observed=True).agg(**aggs).reset_index()
    return frame.assign(_all=0).groupby("_all").agg(**aggs).reset_index(drop=True)


def _suppress(table: pd.DataFrame, count: str, min_count: int, unit: str,
              keys: list[str], *, lang: str | None = None) -> pd.DataFrame:
    """Mask every number of the rows where ``count`` < ``min_count`` and say so in ``note``
    (in ``lang``, default the session language)."""
    from journey._language import _resolve

    T = texts("experience", _resolve(lang))
    small = (table[count] < min_count).fillna(False).to_numpy(dtype=bool)
    table = table.copy()
    for col in table.columns:
        if col in keys or col == "note":
            continue
        if pd.api.types.is_integer_dtype(table[col]) or pd.api.types.is_bool_dtype(table[col]):
            table[col] = table[col].astype("Int64")
        if pd.api.types.is_numeric_dtype(table[col]):
            table[col] = table[col].mask(small)
    old = table["note"] if "note" in table else pd.Series("", index=table.index)
    new = np.where(small, T["suppressed"].format(n=min_count, unit=T.get(unit, unit)), "")
    table["note"] = [T["join"].join(p for p in (a, b) if p) for a, b in zip(old, new, strict=True)]
    return table


def _frame(data, column: str) -> pd.DataFrame:
    """A DataFrame as is, or a vector of answers as a one-column frame named ``column``."""
    if isinstance(data, pd.DataFrame):
        return data
    return pd.DataFrame({column: pd.Series(data).reset_index(drop=True)})


def _unique_visits(visits: pd.DataFrame) -> None:
    dup = visits["case_id"].duplicated(keep=False)
    if dup.any():
        raise JourneyError("visits must have one row per case_id; aggregate the log per visit "
                           "first", source="visits", column="case_id", rows=_rows(dup))


def _check_min_count(k: object) -> int | None:
    """``k`` if it is None or a whole number of at least 1; a :class:`JourneyError` otherwise."""
    if k is not None and (isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1):
        raise JourneyError(f"min_count={k!r} must be a whole number of at least 1 (the smallest "
                           "count of visits shown), or None to show every count")
    return None if k is None else int(k)
