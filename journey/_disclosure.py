"""Disclosure control for shared tables: small counts, the cells that would give them away,
and statistics of small groups.

Primary suppression hides counts from 1 to ``threshold - 1``. That alone is not enough when
the parts of a table add up to a total the reader knows: a total row, a total column, or the
total of a column of parts (the number of visits, stated elsewhere in the same output, or
given away by the shares of the visible rows). With exactly one hidden cell among the parts
of such a total, the total minus the visible parts is the hidden count. Complementary
(secondary) suppression closes that gap, the classic rule: in every group of cells tied by a
total that holds exactly one hidden cell, also hide the next smallest cell of the group (a
positive one when there is one), and repeat until no group holds a single hidden cell, since
a cell hidden for one group may leave another with one.

Statistics are blanked with the same mark: shares and changes in every row with a hidden
count (they are computed from it), medians, means, quantiles and the like in every row whose
group has fewer than ``threshold`` members (a count giving the row's group size is below the
threshold). A row whose counts are all missing was masked before (the survey and complaint
tables mask small groups themselves): it counts as hidden in its groups. The numbers of the
cells that stay visible never change.

Only exact recovery by subtraction along one total at a time is prevented; bounds on a hidden
cell from several totals together (linear programming) are not checked.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from journey.errors import JourneyError

__all__ = [
    "TOTAL_LABELS",
    "complementary_suppression",
    "is_change",
    "is_statistic",
    "protect_table",
    "total_groups",
]

#: Row labels that mark a total row (compared in lower case).
TOTAL_LABELS = frozenset({"total", "totals", "all", "overall", "sum", "grand total",
                          "合计", "总计", "总数", "全部", "所有"})

_STAT_TOKENS = frozenset({"median", "mean", "average", "avg", "std", "sd", "stdev", "iqr",
                          "min", "max", "quantile", "percentile", "mode", "mad", "var",
                          "variance"})
_STAT_PATTERN = re.compile(r"^(p\d{1,2}|q[1-3]|pct\d{1,2}|percentile\d{1,2})$")
_CHANGE_TOKENS = frozenset({"change", "changes", "diff", "difference", "delta", "growth"})
#: at most this many count columns are searched for a column that is the sum of others
_MAX_SEARCH = 10
Cell = tuple[int, int]


def _tokens(name: object) -> list[str]:
    return [t for t in re.split(r"[^0-9a-z]+", str(name).lower()) if t]


def is_statistic(name: object) -> bool:
    """Whether a column name reads like a statistic of a group (median, mean, p90...).

    Examples
    --------
    >>> is_statistic("service_median"), is_statistic("wait_p90"), is_statistic("minutes")
    (True, True, False)
    """
    return any(t in _STAT_TOKENS or _STAT_PATTERN.match(t) for t in _tokens(name))


def is_change(name: object) -> bool:
    """Whether a column name reads like a change or a difference of counts.

    Examples
    --------
    >>> is_change("visits_change"), is_change("diff"), is_change("changed_by")
    (True, True, False)
    """
    return any(t in _CHANGE_TOKENS for t in _tokens(name))


def complementary_suppression(values: np.ndarray, hidden: np.ndarray,
                              groups: Sequence[Sequence[Cell]]) -> np.ndarray:
    """Hide more cells until no group of cells tied by a total holds exactly one hidden cell.

    Each group lists the cells (row, column) of one additive relation: the parts of a total,
    and the total itself when it is a cell of the table (a total known from elsewhere is not
    listed). In a group with exactly one hidden cell, the smallest visible positive cell is
    hidden too (the smallest visible cell, a zero, when no visible cell is positive); missing
    cells count only when hidden (a cell masked before, its value unknown). Groups are
    revisited until none changes.

    Parameters
    ----------
    values : numpy.ndarray
        2-D array of counts (float; NaN for missing cells).
    hidden : numpy.ndarray
        2-D boolean array of the same shape: the cells already hidden (primary suppression).
    groups : sequence of sequences of (int, int)
        The cells of each group.

    Returns
    -------
    numpy.ndarray
        The new boolean mask; ``hidden`` is not changed. A group whose only visible cells
        are missing keeps its single hidden cell.

    Examples
    --------
    >>> import numpy as np
    >>> values = np.array([[120.0], [3.0], [40.0], [0.0]])
    >>> hidden = values < 5
    >>> hidden[3] = False
    >>> complementary_suppression(values, hidden, [[(0, 0), (1, 0), (2, 0), (3, 0)]]).ravel()
    array([False,  True,  True, False])
    """
    values = np.asarray(values, dtype=float)
    mask = np.array(hidden, dtype=bool, copy=True)
    if values.shape != mask.shape or values.ndim != 2:
        raise JourneyError(f"values and hidden must be 2-D arrays of one shape, got "
                           f"{values.shape} and {mask.shape}")
    groups = [list(g) for g in groups if len(g) > 1]
    changed = True
    while changed:
        changed = False
        for group in groups:
            present = [c for c in group if mask[c] or not np.isnan(values[c])]
            if sum(bool(mask[c]) for c in present) != 1:
                continue
            visible = [c for c in present if not mask[c]]
            if not visible:
                continue
            positive = [c for c in visible if values[c] > 0]
            pick = min(positive or visible, key=lambda c: values[c])
            mask[pick] = True
            changed = True
    return mask


def total_groups(frame: pd.DataFrame, counts: Sequence[Hashable], *,
                 column_totals: bool = True) -> list[list[Cell]]:
    """The groups of cells tied by a total in a table, as (row, column position) cells.

    Found: a total row (labelled ``Total``, ``All``, ``合计``... in a text column or the
    index, and equal to the sum of the other rows in that column), a total column (a count
    column equal, row by row, to the sum of two or more other count columns), and, with
    ``column_totals``, the total of every count column, the total row left out (taken as
    known even when the total row's cell is hidden: it is often stated elsewhere, and the
    shares of the visible rows give it away). The total of a column of one row is that cell
    itself, shown or hidden with it: no group.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    counts : sequence of column labels
        Its count columns.
    column_totals : bool, default True
        Treat the total of every count column as known.

    Returns
    -------
    list of list of (int, int)
        Column positions are those of ``frame.columns``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"unit": ["A", "B", "Total"], "n": [7, 3, 10]})
    >>> total_groups(t, ["n"], column_totals=False)
    [[(0, 1), (1, 1), (2, 1)]]
    >>> total_groups(t, ["n"])
    [[(0, 1), (1, 1), (2, 1)], [(0, 1), (1, 1)]]
    """
    positions = {c: frame.columns.get_loc(c) for c in counts}
    data = {c: pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float) for c in counts}
    n = len(frame)
    total_row = _total_row(frame, counts, data)
    groups: list[list[Cell]] = []
    for c in counts:
        rows = range(n)
        if total_row is not None:
            others = [r for r in rows if r != total_row]
            if _adds_up(data[c][others], data[c][total_row]):
                groups.append([(r, positions[c]) for r in rows])
            rows = others  # the total, also stated elsewhere, need not be the total row's
        if column_totals:
            groups.append([(r, positions[c]) for r in rows])
    for total, parts in _total_columns(counts, data):
        for r in range(n):
            cells = [total, *parts]
            if not any(np.isnan(data[c][r]) for c in cells):
                groups.append([(r, positions[c]) for c in cells])
    return groups


def _total_row(frame: pd.DataFrame, counts: Sequence[Hashable],
               data: dict[Hashable, np.ndarray]) -> int | None:
    labels = [frame.index.to_series().astype(str)] + [
        frame[c].astype(str) for c in frame.columns
        if c not in counts and not pd.api.types.is_numeric_dtype(frame[c])]
    hits = sorted({i for series in labels
                   for i, v in enumerate(series.str.strip().str.lower()) if v in TOTAL_LABELS})
    if len(hits) != 1 or len(frame) < 3:
        return None
    row = hits[0]
    others = [r for r in range(len(frame)) if r != row]
    if any(_adds_up(data[c][others], data[c][row]) for c in counts):
        return row
    return None


def _adds_up(parts: np.ndarray, total: float) -> bool:
    """Whether parts add up to a total; with missing parts (masked before), whether the
    visible ones stay within it."""
    if np.isnan(total):
        return False
    if np.isnan(parts).any():
        return bool(np.nansum(parts) <= total + 1e-9)
    return bool(np.isclose(parts.sum(), total))


def _total_columns(counts: Sequence[Hashable], data: dict[Hashable, np.ndarray]
                   ) -> list[tuple[Hashable, tuple[Hashable, ...]]]:
    found: list[tuple[Hashable, tuple[Hashable, ...]]] = []
    counts = list(counts)[:_MAX_SEARCH]
    for total in counts:
        if not np.nansum(np.abs(data[total])) > 0:
            continue
        others = [c for c in counts if c != total]
        for size in range(len(others), 1, -1):
            for parts in itertools.combinations(others, size):
                stack = np.vstack([data[c] for c in (total, *parts)])
                rows = ~np.isnan(stack).any(axis=0)
                if rows.any() and np.allclose(stack[0, rows], stack[1:, rows].sum(axis=0)):
                    found.append((total, parts))
    return found


def protect_table(frame: pd.DataFrame, counts: Sequence[Hashable], *, threshold: int = 5,
                  shares: Sequence[Hashable] = (), sizes: Sequence[Hashable] | None = None,
                  mark: str = "*", column_totals: bool = True) -> pd.DataFrame:
    """A copy of a table fit for sharing: small counts, the cells that give them away, and
    the statistics of small groups hidden.

    Counts from 1 to ``threshold - 1`` are hidden (primary suppression); then, in every group
    of cells tied by a total (:func:`total_groups`) with exactly one hidden cell, the next
    smallest cell too (:func:`complementary_suppression`). Shares (``shares``) and changes
    (:func:`is_change`) are hidden in every row with a hidden count; statistics
    (:func:`is_statistic`) in every row whose group is smaller than the threshold (a count of
    the ``sizes`` columns from 1 to ``threshold - 1``). Hidden cells show
    ``mark``; their columns become ``object`` columns. The other cells keep their values. A
    row whose counts are all missing is taken as masked before (a small group whose numbers
    were removed): it stays as it is, and counts as hidden in its groups.

    ``attrs`` of the result: ``suppressed_cells`` (every hidden cell),
    ``secondary_cells`` (counts hidden only so that a small count cannot be worked back
    from a total) and ``blanked_statistics`` (statistics of small groups).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    counts : sequence of column labels
        Its count columns (numeric).
    threshold : int, default 5
        Smallest count shown.
    shares : sequence of column labels, optional
        Columns computed from the counts of their row (shares, rates).
    sizes : sequence of column labels, optional
        The count columns that give the size of a row's group, whose statistics are blanked
        when it is small. Default: every count column.
    mark : str, default "*"
        What a hidden cell shows.
    column_totals : bool, default True
        Treat the total of every count column as known (see :func:`total_groups`).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"unit": ["A", "B", "C"], "n": [120, 3, 40],
    ...                   "median_wait": [12.0, 30.0, 8.0]})
    >>> out = protect_table(t, ["n"])
    >>> out.n.tolist(), out.median_wait.tolist(), out.attrs["secondary_cells"]
    ([120, '*', '*'], [12.0, '*', 8.0], 1)
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise JourneyError(f"threshold must be a positive whole number, got {threshold!r}")
    missing = [c for c in [*counts, *shares, *(sizes or ())] if c not in frame.columns]
    if missing:
        raise JourneyError(f"columns {missing} are not in the table; it has "
                           f"{list(frame.columns)}")
    wanted, share_set = set(counts), set(shares)
    work = frame.set_axis(range(frame.shape[1]), axis=1)  # positions: labels may repeat
    counts = [i for i, c in enumerate(frame.columns) if c in wanted]
    values = np.full(frame.shape, np.nan)
    for i in counts:
        values[:, i] = pd.to_numeric(work[i], errors="coerce").to_numpy(dtype=float)
    primary = (values > 0) & (values < threshold)
    # a row with every count missing was masked before (a small group): hidden, value unknown
    upstream = np.zeros(frame.shape, dtype=bool)
    if counts:
        upstream[np.isnan(values[:, counts]).all(axis=1)[:, None] & np.isin(
            np.arange(frame.shape[1]), counts)[None, :]] = True
    hidden = complementary_suppression(values, primary | upstream,
                                       total_groups(work, counts, column_totals=column_totals))
    hidden &= ~upstream
    size_set = wanted if sizes is None else set(sizes)
    small_rows = primary[:, [i for i in counts if frame.columns[i] in size_set]].any(axis=1)
    hidden_rows = hidden.any(axis=1)
    numeric = [i for i, c in enumerate(frame.columns) if i not in counts
               and pd.api.types.is_numeric_dtype(work[i]) and work[i].dtype != bool]
    derived = [i for i in numeric if frame.columns[i] in share_set or is_change(frame.columns[i])]
    statistics = [i for i in numeric if i not in derived and is_statistic(frame.columns[i])]
    masks = {i: hidden[:, i] for i in counts}
    masks.update(dict.fromkeys(derived, hidden_rows))
    masks.update(dict.fromkeys(statistics, small_rows))
    for i, mask in masks.items():
        if mask.any():
            work[i] = work[i].astype(object).where(~mask, mark)
    out = work.set_axis(frame.columns, axis=1)
    out.attrs = dict(frame.attrs)
    out.attrs["suppressed_cells"] = int(sum(int(m.sum()) for m in masks.values()))
    out.attrs["secondary_cells"] = int((hidden & ~primary).sum())
    out.attrs["blanked_statistics"] = int(sum(int(masks[i].sum()) for i in statistics))
    return out
