"""After the visit: complaints, follow-up calls, return visits, resource concentration and
patient lifetime value.

The functions take the side tables (complaints, follow-up calls) and the per-visit frame
(``case_id``, ``patient_id``, ``department``, ``arrival``, ``departure``, segment columns,
optional ``charges`` and ``left_unseen``) and return tidy frames. Shares carry Wilson
intervals, counts per 1,000 visits exact Poisson intervals. Windows that run past the end of
the data are *right-censored*: those visits or complaints are excluded and counted, never
scored as failures. ``as_of`` (default: the latest time stamp in the data) is the end of the
data. ``min_count`` masks small cells as described in :mod:`journey.experience`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from journey._result import Result
from journey._tables import (
    _add_share,
    _aggregate,
    _as_list,
    _datetimes,
    _flag,
    _frame,
    _require,
    _rows,
    _suppress,
    _unique_visits,
)
from journey.errors import JourneyError

__all__ = [
    "Concentration",
    "complaint_summary",
    "followup_summary",
    "lifetime_value",
    "resource_concentration",
    "return_visits",
]


def _not_before(later: pd.Series, earlier: pd.Series, table: str, column: str, what: str):
    bad = later < earlier
    if bad.any():
        raise JourneyError(f"{column} is before {what}; correct the time stamps",
                           source=table, column=column, rows=_rows(bad))


def _as_of(as_of, *columns: pd.Series) -> pd.Timestamp:
    if as_of is not None:
        return pd.Timestamp(as_of)
    return max(c.max() for c in columns if c.notna().any())


# --------------------------------------------------------------------------- complaints
def complaint_summary(
    complaints: pd.DataFrame,
    visits: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = ("activity", "category"),
    respond_within: str | pd.Timedelta = "24h",
    resolve_within: str | pd.Timedelta = "48h",
    as_of=None,
    confidence: float = 0.95,
    min_count: int = 5,
) -> pd.DataFrame:
    """Complaint rates and handling times against the 24 h response / 48 h resolution targets.

    Definitions, per group of ``by``:

    - ``rate_per_1000`` = complaints / visits × 1,000 with an exact (Garwood) Poisson
      interval. The visits are those of the same group for ``by`` columns that ``visits``
      has (e.g. department) and all visits otherwise (e.g. category); give the visits of the
      period the complaints come from. ``share`` = the group's part of all complaints.
    - ``responded`` = share of complaints answered within ``respond_within`` of receipt,
      among complaints whose deadline has passed by ``as_of`` (``due_response``); younger
      complaints are excluded and counted in ``not_due_response``. Likewise ``resolved``
      within ``resolve_within``. Wilson intervals.
    - ``open`` = complaints received by ``as_of`` and not resolved by then.

    Complaints received after ``as_of`` are left out and counted in ``.attrs["notes"]``.

    Parameters
    ----------
    complaints : DataFrame
        ``complaint_id``, ``received``, ``responded``, ``resolved`` (empty while pending)
        and the ``by`` columns.
    visits : DataFrame
        One row per visit (``case_id``).
    by : str or list of str, default ("activity", "category")
    respond_within, resolve_within : str or Timedelta, default "24h", "48h"
    as_of : datetime-like, optional
        End of the data; default the latest time stamp in ``complaints``.
    confidence : float, default 0.95
    min_count : int, default 5
        Rows with fewer complaints are masked.

    Returns
    -------
    DataFrame
        ``by`` columns, ``complaints``, ``share``, ``visits``, ``rate_per_1000`` (with
        ``rate_ci_low``/``_high``), ``due_response``, ``not_due_response``,
        ``responded_n``, ``responded`` (+ CI), ``due_resolution``, ``not_due_resolution``,
        ``resolved_n``, ``resolved`` (+ CI), ``open``, ``note``.

    Examples
    --------
    >>> c = pd.DataFrame({"complaint_id": [1, 2], "category": ["process", "care"],
    ...                   "received": pd.to_datetime(["2024-03-01 09:00", "2024-03-02 10:00"]),
    ...                   "responded": pd.to_datetime(["2024-03-01 12:00", None]),
    ...                   "resolved": pd.to_datetime(["2024-03-04 09:00", None])})
    >>> v = pd.DataFrame({"case_id": range(1000)})
    >>> t = complaint_summary(c, v, by="category", as_of="2024-03-10", min_count=0)
    >>> print(t[["category", "rate_per_1000", "responded", "open"]].to_string(index=False))
    category  rate_per_1000  responded  open
        care            1.0        0.0     1
     process            1.0        1.0     0
    """
    by = _as_list(by)
    _require(complaints, ["received", "responded", "resolved", *by], "complaints")
    _require(visits, ["case_id"], "visits")
    received = _datetimes(complaints, "received", "complaints")
    if received.isna().any():
        raise JourneyError("every complaint needs the time it was received",
                           source="complaints", column="received", rows=_rows(received.isna()))
    responded = _datetimes(complaints, "responded", "complaints")
    resolved = _datetimes(complaints, "resolved", "complaints")
    _not_before(responded, received, "complaints", "responded", "received")
    _not_before(resolved, received, "complaints", "resolved", "received")
    as_of = _as_of(as_of, received, responded, resolved)
    late = received > as_of
    respond_within, resolve_within = pd.Timedelta(respond_within), pd.Timedelta(resolve_within)
    d = complaints.loc[~late, by].assign(
        one=1,
        due_r=received + respond_within <= as_of,
        ok_r=(responded - received <= respond_within) & (responded <= as_of),
        due_s=received + resolve_within <= as_of,
        ok_s=(resolved - received <= resolve_within) & (resolved <= as_of),
        open=resolved.isna() | (resolved > as_of))
    d["ok_r"] &= d["due_r"]
    d["ok_s"] &= d["due_s"]
    table = _aggregate(d, by, complaints=("one", "sum"), due_response=("due_r", "sum"),
                       responded_n=("ok_r", "sum"), due_resolution=("due_s", "sum"),
                       resolved_n=("ok_s", "sum"), open=("open", "sum"))
    table["share"] = table["complaints"] / table["complaints"].sum()
    vkeys = [c for c in by if c in visits.columns]
    counts = _aggregate(visits.assign(one=1), vkeys, visits=("one", "sum"))
    if vkeys:
        table = table.merge(counts, on=vkeys, how="outer" if vkeys == by else "left")
        sums = ["complaints", "due_response", "responded_n", "due_resolution", "resolved_n",
                "open"]
        table[sums] = table[sums].fillna(0).astype(int)
        table["share"] = table["share"].fillna(0.0)
    else:
        table["visits"] = counts["visits"].item()
    k, n, alpha = table["complaints"], table["visits"], 1 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        table["rate_per_1000"] = 1000 * k / n
        table["rate_ci_low"] = np.where(k > 0, stats.chi2.ppf(alpha / 2, 2 * k) / 2, 0) * 1000 / n
        table["rate_ci_high"] = stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2 * 1000 / n
    table["not_due_response"] = table["complaints"] - table["due_response"]
    table["not_due_resolution"] = table["complaints"] - table["due_resolution"]
    _add_share(table, "responded", "responded_n", "due_response", confidence)
    _add_share(table, "resolved", "resolved_n", "due_resolution", confidence)
    order = [*by, "complaints", "share", "visits", "rate_per_1000", "rate_ci_low",
             "rate_ci_high"]
    for kind, due in (("responded", "due_response"), ("resolved", "due_resolution")):
        order += [due, f"not_{due}", f"{kind}_n", kind, f"{kind}_ci_low", f"{kind}_ci_high"]
    table = _suppress(table[[*order, "open"]], "complaints", min_count, "complaints", by)
    table.attrs["notes"] = [f"{int(late.sum())} complaints received after {as_of} left out"]
    table.attrs["as_of"] = as_of
    return table


# --------------------------------------------------------------------------- follow-up
def followup_summary(
    followup_calls: pd.DataFrame,
    visits: pd.DataFrame,
    *,
    within: str | pd.Timedelta = "3D",
    by: str | Sequence[str] | None = None,
    as_of=None,
    confidence: float = 0.95,
    min_count: int = 5,
) -> pd.DataFrame:
    """Share of visits followed up by a call within ``within`` of the visit end.

    A visit counts as ``called`` when a call for its ``case_id`` was made between its
    ``departure`` and ``departure + within`` (both ends included), and as ``reached`` when
    such a call reached the patient (``reached`` column of the calls, when present). The
    denominator is the visits whose window has closed by ``as_of`` (``eligible``); visits
    still inside their window (``not_yet_due``) and visits without a departure time
    (``no_end``) are excluded and counted. Wilson intervals. Calls made before the visit ended
    or for a case_id not in ``visits`` are not follow-ups; they are counted in
    ``.attrs["notes"]``.

    Parameters
    ----------
    followup_calls : DataFrame
        ``case_id``, ``called`` (datetime), optional ``reached`` (bool).
    visits : DataFrame
        One row per visit: ``case_id``, ``departure`` and the ``by`` columns. Restrict it to
        the visits that should be followed up (e.g. discharges).
    within : str or Timedelta, default "3D"
    by : str or list of str, optional
        Grouping columns of ``visits`` (department, segment…).
    as_of : datetime-like, optional
        End of the data; default the latest call or departure.
    confidence : float, default 0.95
    min_count : int, default 5
        Rows with fewer eligible visits are masked.

    Returns
    -------
    DataFrame
        ``by`` columns, ``visits``, ``no_end``, ``not_yet_due``, ``eligible``, ``called_n``,
        ``called`` (+ CI) and, with a ``reached`` column, ``reached_n``, ``reached`` (+ CI),
        ``note``.

    Examples
    --------
    >>> v = pd.DataFrame({"case_id": list("abcd"), "departure": pd.to_datetime(
    ...     ["2024-03-01 10:00", "2024-03-01 11:00", "2024-03-02 09:00", "2024-03-20 09:00"])})
    >>> calls = pd.DataFrame({"case_id": ["a", "b"], "reached": [True, False],
    ...                       "called": pd.to_datetime(["2024-03-02 10:00", "2024-03-06 10:00"])})
    >>> t = followup_summary(calls, v, as_of="2024-03-21", min_count=0)
    >>> print(t[["eligible", "not_yet_due", "called_n", "reached_n"]].to_string(index=False))
     eligible  not_yet_due  called_n  reached_n
            3            1         1          1
    """
    by = _as_list(by)
    _require(visits, ["case_id", "departure", *by], "visits")
    _require(followup_calls, ["case_id", "called"], "followup_calls")
    _unique_visits(visits)
    within = pd.Timedelta(within)
    departure = _datetimes(visits, "departure", "visits")
    called = _datetimes(followup_calls, "called", "followup_calls")
    has_reached = "reached" in followup_calls.columns
    reached = (_flag(followup_calls, "reached", "followup_calls") if has_reached
               else pd.Series(False, index=followup_calls.index))
    as_of = _as_of(as_of, departure, called)
    ends = pd.Series(departure.to_numpy(), index=visits["case_id"].to_numpy())
    end = followup_calls["case_id"].map(ends)
    delay = called - end
    ok = (delay >= pd.Timedelta(0)) & (delay <= within) & (called <= as_of)
    calls = pd.DataFrame({"case_id": followup_calls["case_id"], "c": ok, "r": ok & reached})
    per_visit = calls.groupby("case_id")[["c", "r"]].any()
    d = visits[by].assign(
        one=1, no_end=departure.isna(), due=departure + within <= as_of,
        c=visits["case_id"].map(per_visit["c"]).fillna(False).astype(bool),
        r=visits["case_id"].map(per_visit["r"]).fillna(False).astype(bool))
    d["not_due"] = ~d["no_end"] & ~d["due"]
    d["c"] &= d["due"]
    d["r"] &= d["due"]
    table = _aggregate(d, by, visits=("one", "sum"), no_end=("no_end", "sum"),
                       not_yet_due=("not_due", "sum"), eligible=("due", "sum"),
                       called_n=("c", "sum"), reached_n=("r", "sum"))
    _add_share(table, "called", "called_n", "eligible", confidence)
    if has_reached:
        table["reached_n"] = table.pop("reached_n")
        _add_share(table, "reached", "reached_n", "eligible", confidence)
    else:
        table = table.drop(columns="reached_n")
    table = _suppress(table, "eligible", min_count, "visits", by)
    table.attrs["notes"] = [
        f"{int(end.isna().sum())} calls for a case_id not in visits ignored",
        f"{int((delay < pd.Timedelta(0)).sum())} calls made before the visit ended ignored"]
    table.attrs["as_of"] = as_of
    return table


# --------------------------------------------------------------------------- return visits
def return_visits(
    visits: pd.DataFrame,
    *,
    window: str | pd.Timedelta = "30D",
    by: str | Sequence[str] | None = None,
    expected: str | None = None,
    left_unseen: str | None = "left_unseen",
    patient: str = "patient_id",
    as_of=None,
    confidence: float = 0.95,
    min_count: int = 5,
) -> pd.DataFrame:
    """Return-visit rate (复诊率) and patients lost (流失), side by side per segment.

    Definitions:

    - A visit *returned* when the same patient has another visit arriving strictly after
      this visit's departure and at most ``window`` after it (a visit that overlaps this one
      is not a return).
    - Right-censoring: a visit whose window ends after ``as_of`` (departure + window > as_of;
      default the latest arrival or departure in the data) could still return unseen by the
      data; it is excluded and counted in ``censored``. Visits without ``patient_id``,
      ``arrival`` or ``departure`` cannot be linked and are counted in ``unlinked``.
      ``eligible`` = visits − unlinked − censored is the denominator of ``return_rate``.
    - ``expected`` (optional) names a yes/no column marking visits after which a return is
      expected (e.g. ``"chronic"``, or a booked review); ``lost`` = expected eligible visits
      without a return, ``loss_rate`` = lost / expected.
    - ``left_unseen`` (used when the column exists): visits where the patient left before
      being seen, ``left_unseen_rate`` = left_unseen / visits (all visits of the group; no
      censoring needed).

    All rates carry Wilson intervals.

    Parameters
    ----------
    visits : DataFrame
        One row per visit: ``patient_id``, ``arrival``, ``departure`` and the ``by`` columns.
    window : str or Timedelta, default "30D"
    by : str or list of str, optional
        Segment columns, taken from the index visit.
    expected : str, optional
    left_unseen : str or None, default "left_unseen"
    patient : str, default "patient_id"
    as_of : datetime-like, optional
    confidence : float, default 0.95
    min_count : int, default 5
        Rows with fewer eligible visits are masked.

    Returns
    -------
    DataFrame
        ``by`` columns, ``visits``, ``unlinked``, ``censored``, ``eligible``, ``returned``,
        ``return_rate`` (+ CI), then, when asked for, ``expected``, ``lost``, ``loss_rate``
        (+ CI), ``left_unseen``, ``left_unseen_rate`` (+ CI), ``note``.

    Examples
    --------
    >>> v = pd.DataFrame({"patient_id": ["p", "p", "q", "r"],
    ...                   "arrival": pd.to_datetime(["2024-01-01", "2024-01-20", "2024-01-02",
    ...                                              "2024-03-01"]),
    ...                   "departure": pd.to_datetime(["2024-01-01 03:00", "2024-01-20 02:00",
    ...                                                "2024-01-02 01:00", "2024-03-01 01:00"])})
    >>> t = return_visits(v, min_count=0)
    >>> print(t[["visits", "censored", "eligible", "returned"]].to_string(index=False))
     visits  censored  eligible  returned
          4         1         3         1
    """
    by = _as_list(by)
    window = pd.Timedelta(window)
    left_unseen = left_unseen if left_unseen in visits.columns else None
    _require(visits, [patient, "arrival", "departure", *by, *([expected] if expected else [])],
             "visits")
    arrival = _datetimes(visits, "arrival", "visits")
    departure = _datetimes(visits, "departure", "visits")
    _not_before(departure, arrival, "visits", "departure", "arrival")
    as_of = _as_of(as_of, arrival, departure)
    linked = (visits[patient].notna() & arrival.notna() & departure.notna()).to_numpy()
    left = pd.DataFrame({"pid": visits[patient].to_numpy(), "dep": departure.to_numpy(),
                         "row": np.arange(len(visits))})[linked].sort_values("dep")
    right = pd.DataFrame({"pid": visits[patient].to_numpy(), "next": arrival.to_numpy()})[
        linked].sort_values("next")
    nxt = pd.merge_asof(left, right, left_on="dep", right_on="next", by="pid",
                        direction="forward", allow_exact_matches=False)
    gap = pd.Series(pd.NaT, index=range(len(visits)), dtype="timedelta64[ns]")
    gap[nxt["row"].to_numpy()] = (nxt["next"] - nxt["dep"]).to_numpy()
    censored = linked & (departure + window > as_of).to_numpy()
    eligible = linked & ~censored
    d = visits[by].reset_index(drop=True).assign(
        one=1, unlinked=~linked, censored=censored, eligible=eligible,
        returned=eligible & (gap <= window).to_numpy())
    aggs = {"visits": ("one", "sum"), "unlinked": ("unlinked", "sum"),
            "censored": ("censored", "sum"), "eligible": ("eligible", "sum"),
            "returned": ("returned", "sum")}
    if expected:
        d["expected"] = eligible & _flag(visits, expected, "visits").to_numpy()
        d["lost"] = d["expected"] & ~d["returned"]
        aggs |= {"expected": ("expected", "sum"), "lost": ("lost", "sum")}
    if left_unseen:
        d["left_unseen"] = _flag(visits, left_unseen, "visits").to_numpy()
        aggs |= {"left_unseen": ("left_unseen", "sum")}
    table = _aggregate(d, by, **aggs)
    blocks = [("return_rate", "returned", "eligible"), ("loss_rate", "lost", "expected"),
              ("left_unseen_rate", "left_unseen", "visits")]
    ordered = [*by, "visits", "unlinked", "censored", "eligible"]
    for name, k, n in blocks:
        if k in table.columns:
            _add_share(table, name, k, n, confidence)
            ordered += [*([n] if n == "expected" else []), k, name, f"{name}_ci_low",
                        f"{name}_ci_high"]
    table = _suppress(table[ordered], "eligible", min_count, "visits", by)
    table.attrs["as_of"] = as_of
    return table


# --------------------------------------------------------------------------- 20/80
@dataclass(repr=False)
class Concentration(Result):
    """How concentrated resource use is; see :func:`resource_concentration`.

    Attributes
    ----------
    table : DataFrame
        Pareto table: ``top_share`` (of units, largest users first), ``units`` (how many
        that is), ``resource_share`` (their share of the total).
    lorenz : DataFrame
        Lorenz curve points ``population_share``, ``resource_share`` (units sorted from the
        smallest user), starting at (0, 0).
    gini : float
    top : float
        The fraction of units ``top_resource_share`` refers to (default 0.2).
    top_resource_share : float
        Share of the total used by the top ``top`` of units.
    units_for_80 : float
        Smallest fraction of units (largest users) that together use 80% of the total.
    n, excluded : int
        Units used; units excluded for a missing value.
    notes : list of str
    """

    _tables = ("table", "lorenz")

    table: pd.DataFrame
    lorenz: pd.DataFrame
    gini: float
    top: float
    top_resource_share: float
    units_for_80: float
    n: int
    excluded: int
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> pd.Series:
        """The headline numbers as one Series."""
        return pd.Series({"n": self.n, "excluded": self.excluded, "gini": self.gini,
                          f"top_{self.top:.0%}_share": self.top_resource_share,
                          "units_for_80%": self.units_for_80})

    def _headline(self) -> str:
        return f"Concentration: Gini {self.gini:.2f} over {self.n} units"

    def figure(self, *, lang: str | None = None):
        """The Lorenz curve (a figure) with the line of equality.

        ``lang`` ({"en", "zh"}, default :func:`journey.i18n.get_language`) sets the language
        of title, axes and legend.

        Examples
        --------
        >>> rc = resource_concentration([1, 1, 1, 1, 1, 1, 1, 1, 4, 8])
        >>> rc.figure(lang="zh").layout.title.text
        '基尼系数 0.42；用量最多的前 20% 使用了 60% 的资源'
        """
        from journey import _figures_experience
        from journey._language import _resolve

        return _figures_experience.concentration(self, lang=_resolve(lang))


def resource_concentration(
    values,
    *,
    value: str | None = None,
    unit: str | None = None,
    top: float = 0.2,
    shares: Sequence[float] = (0.01, 0.05, 0.1, 0.2, 0.5),
) -> Concentration:
    """Lorenz curve, Gini coefficient and Pareto table of resource use (the 20/80 rule).

    With the n values sorted ascending x_(1) ≤ … ≤ x_(n) and total T, the Lorenz curve joins
    (i/n, Σ_{j≤i} x_(j)/T) by straight lines, and
    Gini = Σ_i Σ_j |x_i − x_j| / (2 n² x̄) = 2 Σ_i i·x_(i) / (n T) − (n + 1)/n,
    the population convention: 0 for equal use, (n − 1)/n when one unit uses everything
    (e.g. [0, 0, 0, 1] → 0.75; multiply by n/(n − 1) for the sample convention reaching 1).
    The share used by the top fraction q of units is 1 − L(1 − q), read off the Lorenz curve
    by linear interpolation, so q·n need not be a whole number.

    Parameters
    ----------
    values : array-like or DataFrame
        One non-negative number per unit (patient), or a frame of rows (visits) holding
        ``value``; with ``unit`` the rows are summed per unit first (e.g. charges per
        ``patient_id``). Missing values are excluded and counted.
    value, unit : str, optional
    top : float, default 0.2
    shares : list of float
        Rows of the Pareto table.

    Returns
    -------
    Concentration
        ``.table``, ``.lorenz``, ``.gini``, ``.top_resource_share``, ``.units_for_80``,
        ``.summary``, ``.figure()``.

    Examples
    --------
    >>> rc = resource_concentration([1, 1, 1, 1, 1, 1, 1, 1, 4, 8])
    >>> round(rc.gini, 3), round(rc.top_resource_share, 3)
    (0.42, 0.6)
    """
    if isinstance(values, pd.DataFrame):
        if value is None:
            raise JourneyError("name the column to measure with value=..., e.g. 'charges'")
        _require(values, [value, *([unit] if unit else [])], "values")
        column = values[value]
        if unit:
            frame = values.assign(_v=pd.to_numeric(column, errors="coerce"))
            column = frame.groupby(unit, dropna=False)["_v"].sum(min_count=1)
    else:
        column = _frame(values, "value")["value"]
        value = "value"
    x = pd.to_numeric(column, errors="coerce")
    bad = (x.isna() & column.notna()) | (x < 0)
    if bad.any():
        raise JourneyError("resource use must be non-negative numbers", source="values",
                           column=value, rows=_rows(bad) if unit is None else None)
    x = np.sort(x.dropna().to_numpy(dtype=float))
    n, total = len(x), x.sum() if len(x) else 0.0
    if n == 0 or total <= 0:
        raise JourneyError("no positive resource use to measure", source="values", column=value)
    pop = np.arange(n + 1) / n
    cum = np.concatenate([[0.0], np.cumsum(x)]) / total
    gini = float(2 * np.sum(np.arange(1, n + 1) * x) / (n * total) - (n + 1) / n)
    shares = sorted({*shares, top})
    table = pd.DataFrame({"top_share": shares, "units": [s * n for s in shares],
                          "resource_share": [1 - np.interp(1 - s, pop, cum) for s in shares]})
    first = np.flatnonzero(cum == 0)[-1]  # skip the flat start (units using nothing)
    units_for_80 = float(1 - np.interp(0.2, cum[first:], pop[first:]))
    return Concentration(table, pd.DataFrame({"population_share": pop, "resource_share": cum}),
                         gini, top, float(1 - np.interp(1 - top, pop, cum)), units_for_80, n,
                         int(len(column) - n))


# --------------------------------------------------------------------------- value
def lifetime_value(
    visits: pd.DataFrame,
    *,
    charges: str = "charges",
    by: str | Sequence[str] | None = None,
    discount_rate: float = 0.05,
    horizon_years: float = 5,
    period: str | pd.Timedelta = "365D",
    patient: str = "patient_id",
    as_of=None,
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int | None = 0,
    min_count: int = 5,
) -> pd.DataFrame:
    """Retention-based patient lifetime value per segment.

    The last two periods before ``as_of`` define a cohort: the base period
    B = (as_of − 2P, as_of − P] and the follow period F = (as_of − P, as_of] (P = ``period``,
    by arrival). The cohort is the patients with a visit in B, each in the segment of their
    last visit in B. Per segment:

    - m = mean charges per cohort patient in B (``margin``; charges, or margins if that is
      what the column holds);
    - r = share of the cohort with a visit in F (``retention``, Wilson interval);
    - LTV = m · Σ_{t=0}^{T−1} r^t / (1 + d)^{t·P/1 year}, with d = ``discount_rate`` per
      year, T = round(``horizon_years`` / (P / 1 year)) periods and 1 year = 365 days: the
      expected discounted charges over the horizon, this period included, assuming constant
      retention and spend.

    The LTV interval is a percentile bootstrap over cohort patients (``n_boot`` resamples of
    (m, r) together). Visits with missing charges add nothing to m and are counted in
    ``missing_charges``.

    Parameters
    ----------
    visits : DataFrame
        One row per visit: ``patient_id``, ``arrival``, ``charges`` and the ``by`` columns.
    charges : str, default "charges"
    by : str or list of str, optional
    discount_rate : float, default 0.05
    horizon_years : float, default 5
    period : str or Timedelta, default "365D"
        Shorter periods (e.g. "90D") work with less than two years of data.
    patient : str, default "patient_id"
    as_of : datetime-like, optional
        End of the data; default the latest arrival.
    n_boot : int, default 2000
    confidence : float, default 0.95
    seed : int or None, default 0
    min_count : int, default 5
        Rows with fewer cohort patients are masked.

    Returns
    -------
    DataFrame
        ``by`` columns, ``patients``, ``retained``, ``retention`` (+ CI), ``margin``,
        ``periods``, ``ltv``, ``ltv_ci_low``, ``ltv_ci_high``, ``missing_charges``, ``note``.

    Examples
    --------
    >>> v = pd.DataFrame({"patient_id": ["x", "a", "b", "a", "c"],
    ...                   "charges": [70, 100, 300, 50, 80],
    ...                   "arrival": pd.to_datetime(["2023-01-01", "2023-02-01", "2023-03-01",
    ...                                              "2024-02-01", "2024-06-01"])})
    >>> t = lifetime_value(v, as_of="2024-12-31 12:00", horizon_years=2, discount_rate=0,
    ...                    min_count=0, n_boot=0)
    >>> print(t[["patients", "retention", "margin", "ltv"]].to_string(index=False))
     patients  retention  margin   ltv
            2        0.5   200.0 300.0
    """
    by = _as_list(by)
    _require(visits, [patient, "arrival", charges, *by], "visits")
    period = pd.Timedelta(period)
    arrival = _datetimes(visits, "arrival", "visits")
    amount = pd.to_numeric(visits[charges], errors="coerce")
    bad = amount.isna() & visits[charges].notna()
    if bad.any():
        raise JourneyError("charges must be numbers", source="visits", column=charges,
                           rows=_rows(bad))
    as_of = _as_of(as_of, arrival)
    start = as_of - 2 * period
    if arrival.min() > start:
        raise JourneyError(
            f"the visits start {arrival.min()}, after the base period starts ({start}); "
            "lifetime_value needs two full periods of data: pass a shorter period= or an "
            "earlier as_of=", source="visits", column="arrival")
    in_base = (arrival > start) & (arrival <= as_of - period) & visits[patient].notna()
    in_follow = (arrival > as_of - period) & (arrival <= as_of)
    base = visits.loc[in_base, [patient, *by]].assign(
        _t=arrival[in_base], _c=amount[in_base].fillna(0), _m=amount[in_base].isna())
    cohort = base.sort_values("_t").groupby(patient).agg(
        **{c: (c, "last") for c in by}, spend=("_c", "sum"), missing=("_m", "sum"))
    cohort["kept"] = cohort.index.isin(visits.loc[in_follow, patient])
    years = period / pd.Timedelta("365D")
    periods = max(1, round(horizon_years / years))
    t = np.arange(periods)

    def ltv(m, r):
        factor = np.asarray(r, dtype=float)[..., None] / (1 + discount_rate) ** years
        return m * (factor**t).sum(axis=-1)

    rng = np.random.default_rng(seed)
    tail = 100 * (1 - confidence) / 2
    rows = []
    groups = cohort.groupby(by, dropna=False) if by else [((), cohort)]
    for key, g in groups:
        spend, kept = g["spend"].to_numpy(), g["kept"].to_numpy()
        m, r = spend.mean(), kept.mean()
        lo = hi = np.nan
        if n_boot and len(g):
            idx = rng.integers(0, len(g), size=(n_boot, len(g)))
            lo, hi = np.percentile(ltv(spend[idx].mean(axis=1), kept[idx].mean(axis=1)),
                                   [tail, 100 - tail])
        rows.append({**dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True)),
                     "patients": len(g), "retained": int(kept.sum()), "margin": m,
                     "periods": periods, "ltv": float(ltv(m, r)), "ltv_ci_low": lo,
                     "ltv_ci_high": hi, "missing_charges": int(g["missing"].sum())})
    table = pd.DataFrame(rows, columns=[*by, "patients", "retained", "margin", "periods", "ltv",
                                        "ltv_ci_low", "ltv_ci_high", "missing_charges"])
    _add_share(table, "retention", "retained", "patients", confidence)
    table = table[[*by, "patients", "retained", "retention", "retention_ci_low",
                   "retention_ci_high", "margin", "periods", "ltv", "ltv_ci_low", "ltv_ci_high",
                   "missing_charges"]]
    table = _suppress(table, "patients", min_count, "patients", by)
    table.attrs["as_of"] = as_of
    return table
