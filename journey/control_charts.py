"""Statistical process control (SPC) charts in the NHS "Making Data Count" style.

The rules follow NHSRplotthedots, the reference R implementation used by NHS analysts:

- **XmR limits**: mean ± 2.66·mR̄ (three sigma), "near" limits at mean ± 1.773·mR̄ (two
  sigma), where mR̄ is the mean moving range; with ``screen_outliers`` the moving ranges
  ≥ 3.267·mR̄ are left out and mR̄ recomputed (the Making Data Count Excel tool does not screen).
- **p-chart** for proportions with varying denominators: p̄ ± 3·√(p̄(1−p̄)/nᵢ), clipped to [0, 1].
- **Special-cause rules**, in priority order; each point takes the first rule it matches:
  1. outside the process limits;
  2. trend: ``trend_n`` consecutive points strictly rising (or falling); a tie breaks the run;
  3. two in three: of three consecutive points at least two lie beyond a near limit (but inside
     the process limits) and all three are on the same side of the mean; the close points are
     flagged;
  4. shift: ``shift_n`` consecutive points on one side of the mean; a point exactly on the
     mean breaks the run.
- **Icons**: the variation icon is the type of the last point; the assurance icon compares the
  target with the last point's limits (pass / fail / inconsistent).

A group with fewer than 13 points (or fewer than ``fix_after_n_points``) has *trial* limits,
which move as points are added; a warning says so.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from scipy.stats import binom

from journey._figures_series import SPC_COLOURS
from journey._labels import text
from journey._result import Result
from journey._timeseries import _frame
from journey.errors import JourneyError

__all__ = ["CHARTS", "SPC_COLOURS", "SPCResult", "spc"]

#: The chart types of :func:`spc`.
CHARTS = ("xmr", "p", "u", "c", "p_prime", "u_prime", "c_prime", "run")
_DENOMINATOR = ("p", "u", "p_prime", "u_prime")

LIMIT = 2.66  # 3 / d2 with d2 = 1.128 for moving ranges of two points
NEAR_LIMIT = 2 * LIMIT / 3  # 1.773, two sigma
D2 = 1.128  # mean moving range of two points / sigma
SCREEN_LIMIT = 3.267  # D4 for n = 2: moving ranges at or above 3.267·mR̄ are screened out
TRIAL_POINTS = 13  # groups with fewer points have trial limits
_DIRECTION = {"increase": 1, "decrease": -1, "neutral": 0}


def _run_ends(relative: Sequence[float], n: int) -> np.ndarray:
    """1 where a point ends a run of ``n`` points on the same (non-zero) side, else 0."""
    v = np.asarray(relative, dtype=float)
    out = np.zeros(len(v))
    if len(v) >= n:
        w = sliding_window_view(v, n)
        out[n - 1 :] = (w == w[:, -1:]).all(axis=1) & (w[:, -1] != 0)
    return out


def _trend_ends(y: Sequence[float], n: int) -> np.ndarray:
    """+1 / −1 where a point ends ``n`` strictly rising / falling points, else 0."""
    y = np.asarray(y, dtype=float)
    out = np.zeros(len(y))
    if len(y) >= n:
        d = np.sign(sliding_window_view(np.diff(y), n - 1))
        out[n - 1 :] = np.where((d == 1).all(axis=1), 1, np.where((d == -1).all(axis=1), -1, 0))
    return out


def _extend_back(ends: Sequence[float], n: int) -> np.ndarray:
    """Mark every point of a run that ends at a non-zero entry of ``ends`` with that entry.

    A point belonging to two runs takes the sign of the later one (the reference's rule for
    a point between a rising and a falling trend).
    """
    ends = np.asarray(ends, dtype=float)
    out = np.zeros(len(ends))
    for i in np.flatnonzero(ends):
        out[max(0, i - n + 1) : i + 1] = ends[i]
    return out


def _two_in_three(close: Sequence[float], relative: Sequence[float]) -> np.ndarray:
    """1 for every point inside a window of three with ≥ 2 close points all on one side."""
    c = np.asarray(close, dtype=float)
    r = np.asarray(relative, dtype=float)
    out = np.zeros(len(c))
    if len(c) >= 3:
        hit = (sliding_window_view(c, 3).sum(axis=1) >= 2) & (
            np.abs(sliding_window_view(r, 3).sum(axis=1)) == 3
        )
        for start in np.flatnonzero(hit):
            out[start : start + 3] = 1
    return out


def _special_cause(
    y: np.ndarray,
    mean: np.ndarray,
    lpl: np.ndarray,
    upl: np.ndarray,
    near_lpl: np.ndarray,
    near_upl: np.ndarray,
    *,
    shift_n: int,
    trend_n: int,
    two_in_three_includes_outside: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The rule each point matches first (or None) and its direction (+1 high, −1 low, 0)."""
    relative = np.sign(y - mean)
    outside = (y > upl) | (y < lpl)
    beyond_near = (y > near_upl) | (y < near_lpl)
    close = beyond_near if two_in_three_includes_outside else beyond_near & ~outside
    trend = _extend_back(_trend_ends(y, trend_n), trend_n)
    two = (_two_in_three(close, relative) == 1) & close
    shift = _extend_back(_run_ends(relative, shift_n), shift_n) != 0
    conditions = [outside, trend != 0, two, shift]
    rule = np.select(conditions, ["outside_limits", "trend", "two_in_three", "shift"], "")
    direction = np.select(conditions, [relative, trend, relative, relative], 0.0)
    return np.where(rule == "", None, rule), direction


def _point_type(direction: np.ndarray, improvement: str) -> np.ndarray:
    sign = _DIRECTION[improvement]
    if sign == 0:
        high, low = "special_cause_neutral_high", "special_cause_neutral_low"
    else:
        high, low = "special_cause_improvement", "special_cause_concern"
    oriented = direction * (sign or 1)
    return np.select([oriented > 0, oriented < 0], [high, low], "common_cause")


def _xmr_limits(y: np.ndarray, screen: bool) -> dict[str, float]:
    mean = float(np.mean(y))
    mr = np.abs(np.diff(y))
    amr = float(mr.mean()) if mr.size else np.nan
    n_screened = 0
    if screen and mr.size and amr > 0:  # a constant series has nothing to screen
        keep = mr < SCREEN_LIMIT * amr
        n_screened = int((~keep).sum())
        amr = float(mr[keep].mean())
    return {"mean": mean, "mean_moving_range": amr, "sigma": amr * LIMIT / 3,
            "n_screened": n_screened}


@dataclass(repr=False)
class SPCResult(Result):
    """An SPC chart: points with limits and special-cause flags, per-group summary, icons.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per point: ``date``, ``value`` (the proportion on a p-chart), ``denominator``
        (p-chart), ``mean``, ``lpl``, ``upl``, ``near_lpl``, ``near_upl``, ``rebase_group``,
        ``target``, ``point_type`` and ``rule`` (the special-cause rule the point matched first:
        ``"outside_limits"``, ``"trend"``, ``"two_in_three"``, ``"shift"``; missing for
        common-cause points).
    summary : pandas.DataFrame
        One row per rebase group: dates, number of points, points used for the limits, mean,
        limits, mean moving range and moving ranges screened out (XmR), trial-limit flag and
        counts of special-cause points.
    options : dict
        The options the chart was computed with.
    notes : list of str
        Remarks on the chart (none so far; the trial-limits warning is a warning).
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    options: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    _tables = ("table", "summary")

    def _headline(self) -> str:
        return (f"SPCResult: {self.options.get('chart')} chart, {len(self.table)} points, "
                f"variation {self.variation_icon}, assurance {self.assurance_icon}")

    @property
    def variation_icon(self) -> str:
        """The Making Data Count variation icon: the type of the last observed point.

        One of ``"common_cause"``, ``"improvement_high"``, ``"improvement_low"``,
        ``"concern_high"``, ``"concern_low"``, ``"neutral_high"``, ``"neutral_low"``.
        """
        types = self.table["point_type"]
        last = types[types != "gap"].iloc[-1]
        increase = self.options["improvement"] == "increase"
        return {
            "common_cause": "common_cause",
            "special_cause_improvement": "improvement_high" if increase else "improvement_low",
            "special_cause_concern": "concern_low" if increase else "concern_high",
            "special_cause_neutral_high": "neutral_high",
            "special_cause_neutral_low": "neutral_low",
        }[last]

    @property
    def assurance_icon(self) -> str | None:
        """Whether the process will meet the target: compares it with the last point's limits.

        ``"consistent_pass"``, ``"consistent_fail"`` or ``"inconsistent"`` (the target lies
        between the limits, so it will sometimes be met and sometimes not); None without a
        target or when the improvement direction is neutral.
        """
        last = self.table[self.table["point_type"] != "gap"].iloc[-1]
        if self.options["chart"] == "run":
            return None
        return _assurance(
            last["lpl"],
            last["upl"],
            self.options["target"],
            self.options["improvement"],
        )

    def figure(self, *, title: str | None = None, y_title: str | None = None,
               lang: str | None = None):
        """Draw the chart in the NHS colours, with the NHS icons.

        Points are coloured by type, the centre line is solid, the process limits dashed, the
        target a dotted red line; each rebase group has its own lines and a dotted vertical
        line marks where a new group starts; periods without data (gaps) are grey bands that
        break the lines. The Making Data Count variation and assurance icons are drawn top
        right (circles with H / L, P / F / ?, as NHS analysts know them), captioned in words.

        Parameters
        ----------
        title, y_title : str, optional
            Default: the measure's name (from :func:`journey.metric_series`) or the value
            column's name.
        lang : {"en", "zh"}, optional
            Language of legend, icons and hover text; default
            :func:`journey.i18n.get_language`.

        Returns
        -------
        Figure
            Drawn by :func:`journey._figures_series.spc_chart`.

        Examples
        --------
        >>> days = pd.date_range("2025-01-01", periods=20)
        >>> res = spc(pd.DataFrame({"day": days, "wait": range(20)}), value="wait", date="day")
        >>> fig = res.figure(lang="zh")
        >>> fig.data[1].name, [a.text for a in fig.layout.annotations if a.name == "icon"]
        ('均值', ['<b>H</b>'])
        """
        from journey import _figures_series
        from journey._language import _resolve

        return _figures_series.spc_chart(self, title=title, y_title=y_title,
                                         lang=_resolve(lang))


def _assurance(lpl: float, upl: float, target: float | None, improvement: str) -> str | None:
    """Making Data Count assurance for one point's limits (None without target / neutral)."""
    if target is None or improvement == "neutral":
        return None
    increase = improvement == "increase"
    if target > upl:
        return "consistent_fail" if increase else "consistent_pass"
    if target < lpl:
        return "consistent_pass" if increase else "consistent_fail"
    return "inconsistent"


def _anhoej(y: np.ndarray, centre: float) -> tuple[dict[str, Any], np.ndarray]:
    """Anhøj's run-chart rules (as qicharts2): longest run and number of crossings.

    Points on the centre line are not useful and are skipped. A run longer than
    round(log2(n)) + 3 or fewer crossings than the 5th percentile of Binomial(n − 1, ½)
    signals a shift (n = useful points). Returns the statistics and, per point, +1 / −1 for
    points in a run longer than the limit (0 otherwise).
    """
    side = np.sign(y - centre)
    useful = np.flatnonzero(side != 0)
    n = len(useful)
    flags = np.zeros(len(y))
    stats_ = {"n_useful": n, "longest_run": 0, "longest_run_max": np.nan, "n_crossings": 0,
              "n_crossings_min": np.nan, "runs_signal": False}
    if n == 0:
        return stats_, flags
    s = side[useful]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    lengths = np.diff(np.r_[starts, n])
    longest_max = int(np.round(np.log2(n))) + 3
    crossings_min = int(binom.ppf(0.05, max(n - 1, 0), 0.5))
    for st, ln in zip(starts, lengths, strict=True):
        if ln > longest_max:
            flags[useful[st : st + ln]] = s[st]
    stats_.update(longest_run=int(lengths.max()), longest_run_max=longest_max,
                  n_crossings=len(lengths) - 1, n_crossings_min=crossings_min,
                  runs_signal=bool(lengths.max() > longest_max
                                   or len(lengths) - 1 < crossings_min))
    return stats_, flags


def _centre(chart: str, x: np.ndarray, n: np.ndarray | None) -> float:
    """Centre line of a chart from the points used for its limits."""
    if chart == "run":
        return float(np.median(x / n if n is not None else x))
    if chart in _DENOMINATOR:
        return float(x.sum() / n.sum())
    return float(np.mean(x))


def _limits(chart: str, x: np.ndarray, n: np.ndarray | None, n_fix: int,
            screen: bool) -> tuple[dict[str, float], np.ndarray, float, float]:
    """Centre, per-point sigma and the clipping bounds of one rebase group's chart.

    ``x`` are the group's observed values (counts for attribute charts), ``n`` their
    denominators; the limits use the first ``n_fix`` points.
    """
    centre = _centre(chart, x[:n_fix], None if n is None else n[:n_fix])
    lim = {"mean": centre, "mean_moving_range": np.nan, "n_screened": 0}
    if chart == "xmr":
        lim = _xmr_limits(x[:n_fix], screen)
        return lim, np.full(len(x), lim["sigma"]), -np.inf, np.inf
    if chart == "run":
        return lim | {"sigma": np.nan}, np.full(len(x), np.nan), -np.inf, np.inf
    high = 1.0 if chart in ("p", "p_prime") else np.inf
    if chart in ("p", "p_prime"):
        base = np.sqrt(centre * (1 - centre) / n)
    elif chart in ("u", "u_prime"):
        base = np.sqrt(centre / n)
    else:  # c, c_prime
        base = np.full(len(x), np.sqrt(centre))
    if chart.endswith("_prime"):
        # Laney: the spread of the standardised values z = (value − centre) / base, from their
        # mean moving range (unscreened, as qicharts2), scales the binomial/Poisson sigma
        value = x / n if n is not None else x
        z = (value[:n_fix] - centre) / base[:n_fix]
        mr = np.abs(np.diff(z))
        sigma_z = float(mr.mean() / D2) if mr.size else np.nan
        lim["sigma_z"] = sigma_z
        lim["mean_moving_range"] = float(mr.mean()) if mr.size else np.nan
        base = base * sigma_z
    lim["sigma"] = float(np.mean(base[:n_fix]))
    return lim, base, 0.0, high


def _auto_periods(y: np.ndarray, n: np.ndarray | None, chart: str, *, min_points: int,
                  run_length: int) -> list[int]:
    """Starts of the periods found by the stable-shift rule (see :func:`spc`, rebase="auto").

    ``y`` are the observed values (ratios for charts with denominators ``n``).
    """
    m = len(y)
    starts = [0]
    if m < 2 * min_points:
        return starts

    def centre(i: int) -> float:
        w = slice(i, i + min_points)
        return _centre(chart, y[w] if n is None else y[w] * n[w], None if n is None else n[w])

    def sigma(i: int) -> float:  # spread of a calculation period, mR̄ / 1.128
        return float(np.mean(np.abs(np.diff(y[i : i + min_points]))) / D2)

    def runs(c: float) -> tuple[np.ndarray, np.ndarray]:
        """Length of the same-side run from each point onwards, and the side (0 on the line)."""
        side = np.sign(y - c)
        ahead = np.zeros(m, dtype=int)
        for i in range(m - 1, -1, -1):
            same = i + 1 < m and side[i] != 0 and side[i + 1] == side[i]
            ahead[i] = 0 if side[i] == 0 else (ahead[i + 1] + 1 if same else 1)
        return ahead, side

    start = 0
    prevailing = centre(0)
    counter = min_points
    while m - counter >= min_points:
        ahead, side = runs(prevailing)
        hits = [i for i in range(counter, m) if ahead[i] >= run_length]
        if not hits or m - hits[0] < min_points:
            break
        s = hits[0]
        candidate = centre(s)
        c_ahead, c_side = runs(candidate)
        opposing = -side[s]
        # an opposing run of the candidate period, or its last run that could still become one
        reverts = any(c_side[i] == opposing and (c_ahead[i] >= run_length or i + c_ahead[i] == m)
                      for i in range(s, s + min_points))
        spread = sigma(start)
        window = y[s : s + min_points]
        slope = np.polyfit(np.arange(min_points), window, 1)[0]
        drifts = abs(slope) * (min_points - 1) >= spread
        small = abs(candidate - prevailing) < spread
        if reverts or drifts or small:  # try the next rule-breaking run
            counter = s + 1
            continue
        starts.append(s)
        start, prevailing = s, candidate
        counter = s + min_points
    return starts


def _check_arguments(improvement: str, chart: str, denominator: str | None, shift_n: int,
                     trend_n: int, fix_after_n_points: int | None,
                     rebase: Sequence[Any] | str | None, min_period: int) -> None:
    """Raise on an option of :func:`spc` out of range, before the data is read."""
    if improvement not in _DIRECTION:
        raise JourneyError(f"improvement must be one of {list(_DIRECTION)}, not {improvement!r}.")
    if chart not in CHARTS:
        raise JourneyError(f"chart must be one of {list(CHARTS)}, not {chart!r}.")
    if chart in _DENOMINATOR and denominator is None:
        raise JourneyError(f"a {chart} chart needs the denominators: denominator='column name'.")
    if chart in ("xmr", "c", "c_prime") and denominator is not None:
        raise JourneyError(f"denominator is not used by a {chart} chart; pass chart='p', 'u', "
                           "'p_prime', 'u_prime' or 'run', or drop it.")
    for name, n in (("shift_n", shift_n), ("trend_n", trend_n)):
        if int(n) != n or n < 2:
            raise JourneyError(f"{name} must be a whole number ≥ 2, not {n!r}.")
    if fix_after_n_points is not None and (
        int(fix_after_n_points) != fix_after_n_points or fix_after_n_points < 12
    ):
        raise JourneyError(
            "fix_after_n_points must be a whole number ≥ 12: fewer points give unreliable "
            f"limits (got {fix_after_n_points!r})."
        )
    if isinstance(rebase, str) and rebase != "auto":
        raise JourneyError(f"rebase must be a list of dates, 'auto' or None, not {rebase!r}.")
    if rebase == "auto" and (int(min_period) != min_period or min_period < 12):
        raise JourneyError(f"min_period must be a whole number ≥ 12, not {min_period!r}.")


def _periods(data: pd.DataFrame | pd.Series | None, value: str | None, date: str | None,
             denominator: str | None) -> tuple[pd.DataFrame, str | None, str | None, Any]:
    """The periods sorted by date (one row each), the value and date names and the label."""
    label = None
    if isinstance(data, pd.DataFrame):
        label = data.attrs.get("measure")
    if isinstance(data, pd.Series):
        value = value or (str(data.name) if data.name is not None else "value")
        date = date or (str(data.index.name) if data.index.name is not None else "date")
        data = pd.DataFrame({date: data.index, value: data.to_numpy()})
    cols = {"value": value, "date": date}
    if denominator is not None:
        cols["denominator"] = denominator
    d = _frame(data, cols, where="spc", gaps=("value", "denominator"))
    d = d.sort_values("date", kind="stable").reset_index(drop=True)
    dup = d["date"].duplicated(keep=False).to_numpy()
    if dup.any():
        raise JourneyError(
            f"{int(dup.sum())} rows share a date; an SPC chart needs one value per date. "
            "Aggregate first (e.g. the daily mean or count).",
            column=date,
        )
    return d, value, date, label


def _gaps(d: pd.DataFrame, chart: str, denominator: str | None, value: str | None,
          ) -> np.ndarray:
    """Which periods are gaps; raise on values or denominators the chart cannot take."""
    gap = d["value"].isna().to_numpy().copy()
    if denominator is not None:
        gap |= (d["denominator"].isna()
                | ((d["denominator"] == 0) & (d["value"] == 0))).to_numpy()
        bad = ~gap & ((d["denominator"] <= 0) | (d["value"] < 0)).to_numpy()
        if chart in ("p", "p_prime"):
            bad |= ~gap & (d["value"] > d["denominator"]).to_numpy()
        if bad.any():
            raise JourneyError(
                f"a {chart} chart needs value ≥ 0 and denominator > 0"
                f"{' and value ≤ denominator' if chart in ('p', 'p_prime') else ''} in every "
                "row (0 / 0 is a period without data).",
                column=value,
                rows=[int(i) + 2 for i in np.flatnonzero(bad)],
            )
    elif chart in ("c", "c_prime"):
        bad = ~gap & (d["value"] < 0).to_numpy()
        if bad.any():
            raise JourneyError(f"a {chart} chart counts events: values must be ≥ 0.",
                               column=value, rows=[int(i) + 2 for i in np.flatnonzero(bad)])
    return gap


def _group_starts(d: pd.DataFrame, obs: np.ndarray, x_all: np.ndarray,
                  n_all: np.ndarray | None, chart: str, rebase: Sequence[Any] | str | None,
                  min_period: int, shift_n: int, fix: int | None, date: str | None,
                  ) -> tuple[np.ndarray, int | None]:
    """Where each rebase group starts, and the number of points its limits are fixed on."""
    start = np.zeros(len(d), dtype=bool)
    start[obs[0]] = True
    if rebase == "auto":
        y_obs = x_all[obs] / n_all[obs] if n_all is not None else x_all[obs]
        found = _auto_periods(y_obs, None if n_all is None else n_all[obs], chart,
                              min_points=int(min_period), run_length=int(shift_n))
        start[obs[found]] = True
        fix = fix or int(min_period)
    elif rebase is not None:
        rebase_dates = pd.to_datetime(pd.Series(list(rebase)))
        unknown = sorted(set(rebase_dates) - set(d["date"]))
        if unknown:
            raise JourneyError(
                f"rebase date(s) {[str(u.date()) for u in unknown]} are not dates of the "
                "series; give dates that occur in the date column.",
                column=date,
            )
        start |= d["date"].isin(rebase_dates).to_numpy()
    return start, fix


def _chart_group(group: Any, g: pd.DataFrame, gap: np.ndarray, x_all: np.ndarray,
                 n_all: np.ndarray | None, chart: str, fix: int | None, date: str | None,
                 improvement: str, screen_outliers: bool, shift_n: int, trend_n: int,
                 two_in_three_includes_outside: bool) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One rebase group's rows with limits and signals, and its row of the summary."""
    g = g.copy()
    seen = ~gap[g.index.to_numpy()]
    o = g[seen]
    if o.empty:
        raise JourneyError(f"rebase group {group} has no observed points; move the rebase "
                           "date to a period with data.", column=date)
    x = x_all[o.index.to_numpy()]
    n = None if n_all is None else n_all[o.index.to_numpy()]
    n_fix = min(len(o), fix or len(o))
    lim, sigma, low, high = _limits(chart, x, n, n_fix, screen_outliers)
    centre = lim["mean"]
    yv = o["value"].to_numpy()
    o = o.assign(mean=centre,
                 lpl=np.clip(centre - 3 * sigma, low, high),
                 upl=np.clip(centre + 3 * sigma, low, high),
                 near_lpl=np.clip(centre - 2 * sigma, low, high),
                 near_upl=np.clip(centre + 2 * sigma, low, high))
    runs: dict[str, Any] = {}
    if chart == "run":
        runs, flags = _anhoej(yv, centre)
        rule = np.where(flags != 0, "long_run", None)
        direction = flags
    else:
        rule, direction = _special_cause(
            yv, o["mean"].to_numpy(), o["lpl"].to_numpy(), o["upl"].to_numpy(),
            o["near_lpl"].to_numpy(), o["near_upl"].to_numpy(),
            shift_n=int(shift_n), trend_n=int(trend_n),
            two_in_three_includes_outside=two_in_three_includes_outside,
        )
    o["point_type"] = _point_type(direction, improvement)
    o["rule"] = rule
    g = pd.concat([o, g[~seen].assign(point_type="gap", rule=None)]).sort_index()
    return g, {
        "rebase_group": group,
        "start": o["date"].iloc[0],
        "end": o["date"].iloc[-1],
        "n_points": len(o),
        "n_gaps": int((~seen).sum()),
        "n_limit_points": n_fix,
        "mean": centre,
        "lpl": max(centre - 3 * lim["sigma"], low),
        "upl": min(centre + 3 * lim["sigma"], high),
        "mean_moving_range": lim["mean_moving_range"],
        "n_screened_moving_ranges": lim["n_screened"],
        "sigma_z": lim.get("sigma_z", np.nan),
        **{k: runs.get(k, np.nan) for k in ("longest_run", "longest_run_max",
                                            "n_crossings", "n_crossings_min",
                                            "runs_signal")},
        "trial_limits": len(o) < max(TRIAL_POINTS, fix or 0),
        "n_improvement": int((o["point_type"] == "special_cause_improvement").sum()),
        "n_concern": int((o["point_type"] == "special_cause_concern").sum()),
        "n_neutral": int(o["point_type"].str.startswith("special_cause_neutral").sum()),
    }


def _summary_columns(summary: pd.DataFrame, chart: str, gap: np.ndarray) -> pd.DataFrame:
    """The summary without the columns the chart does not use."""
    drop = []
    if chart != "xmr":
        drop += ["n_screened_moving_ranges"]
    if chart not in ("xmr", "p_prime", "u_prime", "c_prime"):
        drop += ["mean_moving_range"]
    if not chart.endswith("_prime"):
        drop += ["sigma_z"]
    if chart != "run":
        drop += ["longest_run", "longest_run_max", "n_crossings", "n_crossings_min",
                 "runs_signal"]
    else:
        drop += ["lpl", "upl"]
        summary = summary.rename(columns={"mean": "median"})
    if not gap.any():
        drop += ["n_gaps"]
    return summary.drop(columns=drop)


def spc(
    data: pd.DataFrame | pd.Series | None = None,
    *,
    value: str | None = None,
    date: str | None = None,
    improvement: Literal["increase", "decrease", "neutral"] = "increase",
    rebase: Sequence[Any] | Literal["auto"] | None = None,
    fix_after_n_points: int | None = None,
    target: float | None = None,
    screen_outliers: bool = True,
    shift_n: int = 7,
    trend_n: int = 7,
    two_in_three_includes_outside: bool = False,
    chart: Literal["xmr", "p", "u", "c", "p_prime", "u_prime", "c_prime", "run"] = "xmr",
    denominator: str | None = None,
    min_period: int = 21,
    lang: str | None = None,
) -> SPCResult:
    """SPC chart with the NHS "Making Data Count" rules and icons.

    Parameters
    ----------
    data : DataFrame or Series
        One row per period (day, week…). A Series is read as values indexed by date. Rows
        with a missing value (or a denominator of 0) are *gaps*: periods without data, kept
        in the table and shown on the figure, left out of limits and rules (moving ranges
        join the observed points on either side).
    value : str
        Column with the measure (XmR, run chart), the count of events (c, u) or the
        numerator count (p, e.g. patients seen within 4 hours).
    date : str
        Column with the period's date; one row per date.
    improvement : {"increase", "decrease", "neutral"}
        Which direction is better; turns signals into improvement or concern.
    rebase : list of dates, "auto" or None
        Each date starts a new group with its own centre line and limits. Rebase only when a
        sustained signal matches a known, intended change. ``"auto"`` finds the periods with
        the stable-shift rule of the autospc package (Notes).
    fix_after_n_points : int, optional
        Compute each group's limits from its first n points (n ≥ 12) and lock them.
    target : float, optional
        Target value for the assurance icon and the target line.
    screen_outliers : bool
        XmR only: leave out moving ranges ≥ 3.267·mR̄ before the limits (as the reference R
        package). False reproduces the Making Data Count Excel tool.
    shift_n, trend_n : int
        Lengths of the shift and trend runs (7 and 7 as in NHSRplotthedots; some tools use 6
        for shifts or 5 for trends).
    two_in_three_includes_outside : bool
        Count points beyond the process limits as "close" in the two-in-three rule, as the
        newer Making Data Count tool does. The reference R package does not.
    chart : str
        ``"xmr"``: individual values, mean ± 2.66·mR̄. ``"p"``: proportions
        ``value / denominator``, p̄ ± 3·√(p̄(1−p̄)/nᵢ). ``"u"``: rates ``value / denominator``,
        ū ± 3·√(ū/nᵢ). ``"c"``: counts, c̄ ± 3·√c̄. ``"p_prime"``, ``"u_prime"``: Laney's p′
        and u′ for large denominators, where p- and u-chart limits are far too narrow: the
        sigma is multiplied by σ_z = mR̄(z)/1.128 of the standardised values
        zᵢ = (valueᵢ − centre)/sigmaᵢ. ``"c_prime"``: the same for counts, which equals an XmR
        chart of the counts centred on c̄ (limits c̄ ± 3·mR̄/1.128, floored at 0). ``"run"``:
        the median line with Anhøj's rules (as qicharts2): a run longer than
        round(log2 n) + 3 useful points, or fewer crossings of the median than the 5th
        percentile of Binomial(n − 1, ½), signals a shift; the points of a too-long run are
        flagged (rule ``"long_run"``) and the summary gives both statistics. Lower limits of
        attribute charts are floored at 0 (and p-chart upper limits capped at 1).
    denominator : str, optional
        Column with the denominators nᵢ (p, u, p′, u′; optional for a run chart of
        ratios).
    min_period : int
        ``rebase="auto"`` only: the minimum number of points of a period; each period's
        limits come from its first ``min_period`` points (default 21, as autospc).
    lang : {"en", "zh"}, optional
        Language of the trial-limits warning; default :func:`journey.i18n.get_language`.

    Returns
    -------
    SPCResult
        ``.table``, ``.summary``, ``.variation_icon``, ``.assurance_icon``, ``.figure()``.

    Notes
    -----
    ``rebase="auto"`` follows the stable-shift algorithm of the autospc R package: the first
    period's limits come from its first ``min_period`` points; after that calculation period
    the first run of ``shift_n`` or more points on one side of the prevailing centre line
    triggers a *candidate* period starting at the run's first point, with its centre from its
    own first ``min_period`` points. The candidate is accepted unless fewer than
    ``min_period`` points remain, or its calculation period holds a run of ``shift_n``
    points back across the candidate centre line (a reversion) or ends on such a run that
    could still grow. Two further checks, not in autospc, keep noise and trends from starting
    periods: the candidate centre must differ from the prevailing one by at least one sigma
    (σ = mR̄/1.128 of the prevailing calculation period), and the least-squares line through
    the candidate calculation period must change by less than 1σ over it (a stable new
    level, not a trend). A rejected candidate moves the search on to the next rule-breaking
    run (the same run one point later counts, as in autospc). Other differences from
    autospc: the run length is ``shift_n`` (7 by default, autospc uses 8); the search works
    on every chart type; points on the centre line break runs. Like any rule it can miss a
    small shift or split a slow trend: look at the chart, and rebase on dates for known,
    intended changes.

    Examples
    --------
    >>> import pandas as pd
    >>> waits = [30, 32, 29, 31, 30, 33, 28, 31, 30, 29, 32, 30, 31, 29, 30, 45]
    >>> df = pd.DataFrame({"day": pd.date_range("2024-01-01", periods=16), "wait": waits})
    >>> res = spc(df, value="wait", date="day", improvement="decrease", target=40)
    >>> res.summary[["mean", "lpl", "upl"]].round(2)
        mean    lpl    upl
    0  31.25  25.55  36.95
    >>> res.table["point_type"].iloc[-1], res.variation_icon, res.assurance_icon
    ('special_cause_concern', 'concern_high', 'consistent_pass')

    A Laney p′-chart of a proportion with large denominators (a p-chart's limits would be
    0.737 to 0.763, too narrow for the week-to-week variation):

    >>> seen = pd.DataFrame({"week": pd.date_range("2024-01-01", periods=20, freq="7D"),
    ...                      "within_4h": [7400 + 50 * (i % 5) for i in range(20)],
    ...                      "attendances": [10000] * 20})
    >>> res = spc(seen, value="within_4h", date="week", chart="p_prime",
    ...           denominator="attendances")
    >>> res.summary[["mean", "lpl", "upl"]].round(4)
       mean     lpl     upl
    0  0.75  0.7304  0.7696
    """
    from journey._language import _resolve

    lang = _resolve(lang)
    _check_arguments(improvement, chart, denominator, shift_n, trend_n, fix_after_n_points,
                     rebase, min_period)
    d, value, date, label = _periods(data, value, date, denominator)
    gap = _gaps(d, chart, denominator, value)
    obs = np.flatnonzero(~gap)
    if obs.size == 0:
        raise JourneyError("every period is a gap (no value): nothing to chart.", column=value)
    x_all = d["value"].to_numpy(dtype=float)
    n_all = d["denominator"].to_numpy(dtype=float) if denominator is not None else None
    start, fix = _group_starts(d, obs, x_all, n_all, chart, rebase, min_period, shift_n,
                               fix_after_n_points, date)
    d["rebase_group"] = np.maximum(np.cumsum(start), 1)
    if n_all is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            d["value"] = np.where(gap, np.nan, x_all / n_all)

    pieces, summary = [], []
    for group, g in d.groupby("rebase_group", sort=True):
        piece, row = _chart_group(group, g, gap, x_all, n_all, chart, fix, date, improvement,
                                  screen_outliers, shift_n, trend_n,
                                  two_in_three_includes_outside)
        pieces.append(piece)
        summary.append(row)
    table = pd.concat(pieces, ignore_index=True)
    if n_all is not None:
        table["denominator"] = n_all
    table["target"] = np.nan if target is None else float(target)
    order = ["date", "value", "denominator", "mean", "lpl", "upl", "near_lpl", "near_upl",
             "rebase_group", "target", "point_type", "rule"]
    table = table[[c for c in order if c in table.columns]]
    summary = _summary_columns(pd.DataFrame(summary), chart, gap)
    short = summary.loc[summary["trial_limits"], "rebase_group"].tolist()
    if short and chart != "run":
        warnings.warn(
            text("spc.trial", lang, groups=short, n=TRIAL_POINTS),
            UserWarning,
            stacklevel=2,
        )
    options = {
        "value": value, "date": date, "improvement": improvement,
        "rebase": rebase if rebase is None or rebase == "auto" else list(rebase),
        "fix_after_n_points": fix_after_n_points, "target": target,
        "screen_outliers": screen_outliers, "shift_n": shift_n, "trend_n": trend_n,
        "two_in_three_includes_outside": two_in_three_includes_outside, "chart": chart,
        "denominator": denominator, "min_period": min_period, "label": label,
        "n_gaps": int(gap.sum()),
    }
    return SPCResult(table=table, summary=summary, options=options)
