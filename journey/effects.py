"""Before/after comparison of skewed waits: quantiles and stochastic superiority, not just means.

Waits are skewed and patients seen on the same day share its conditions (staffing, arrivals),
so:

- :func:`bootstrap_quantile_change` compares the median and P90 with percentile CIs from a
  *cluster* bootstrap that resamples whole days within each period;
- :func:`quantile_change` estimates the change in a quantile adjusted for case mix (hour,
  weekday, segment) by quantile regression;
- :func:`probability_of_superiority` reports P(a visit after waits less than one before)
  + ½·P(equal waits), with the Brunner–Munzel CI.

Each returns a tidy frame in the common shape ``metric, estimate, ci_low, ci_high, p_value,
method, note`` (plus ``before`` and ``after`` where they mean something), so the results of
several comparisons stack with :func:`pandas.concat`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from statsmodels.stats.nonparametric import rank_compare_2indep

from journey._labels import text, texts
from journey._timeseries import COLUMNS, _frame, _post, _row
from journey.errors import JourneyError

__all__ = ["bootstrap_quantile_change", "probability_of_superiority", "quantile_change"]

_WORDS = [("before", "after"), ("pre", "post")]
_DERIVED = {"hour": lambda s: s.dt.hour, "weekday": lambda s: s.dt.day_of_week}


def _before_after(
    data: pd.DataFrame,
    *,
    value: str,
    period: str | None,
    date: str | None,
    intervention: Any,
    levels: Sequence[Any] | None,
    where: str,
    extra: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Frame with ``value``, ``post`` (bool), optional ``date`` and the ``extra`` columns."""
    if (period is None) == (intervention is None):
        raise JourneyError(
            f"{where}() needs either period='column' (two periods) or date='column' with "
            "intervention=<first date after the change>."
        )
    cols = {"value": value, **(extra or {})}
    if date is not None:
        cols["date"] = date
    if period is not None:
        cols["period"] = period
    elif date is None:
        raise JourneyError(f"{where}() needs date='column' to place visits around the date.")
    d = _frame(data, cols, where=where)
    if period is None:
        d["post"] = _post(d["date"], intervention)
        return d
    found = list(pd.unique(d["period"]))
    if levels is None:
        if len(found) > 2:
            raise JourneyError(
                f"the period column needs two values, found {found}; filter the others out "
                "or pass levels=(before, after).",
                column=period,
            )
        if set(found) <= {0, 1}:  # also True/False
            levels = (0, 1)
        else:
            text = {str(v).lower(): v for v in found}
            pair = next((p for p in _WORDS if set(text) <= set(p)), None)
            if pair is None:
                raise JourneyError(
                    f"cannot tell which of the periods {found} comes first; pass "
                    "levels=(before, after).",
                    column=period,
                )
            levels = tuple(text.get(w, w) for w in pair)
    before, after = levels
    unknown = [v for v in found if v not in (before, after)]
    if unknown:
        raise JourneyError(
            f"period values {unknown} are neither {before!r} nor {after!r}; recode or filter "
            "them first.",
            column=period,
        )
    d["post"] = (d["period"] == after).to_numpy()
    if d["post"].all() or not d["post"].any():
        raise JourneyError(f"only one period found ({found}); both are needed.", column=period)
    return d


def _label(q: float) -> str:
    return f"p{100 * q:g}"


def bootstrap_quantile_change(
    data: pd.DataFrame,
    *,
    value: str,
    period: str | None = None,
    date: str | None = None,
    intervention: Any = None,
    levels: Sequence[Any] | None = None,
    cluster: str | None = "day",
    q: Sequence[float] = (0.5, 0.9),
    n_boot: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
    lang: str | None = None,
) -> pd.DataFrame:
    """Change in quantiles of the wait (after − before) with cluster-bootstrap percentile CIs.

    Within each period, whole clusters (days by default) are resampled with replacement and
    the quantiles recomputed; the CI is the percentile interval of the replicate differences.
    Resampling days rather than visits respects the correlation of visits on the same day,
    which otherwise gives CIs that are too narrow. Percentile intervals suit waits recorded in
    whole minutes (many ties). Assumes days are independent of each other; with fewer than
    about 10 days per period the interval is unreliable and a warning says so.

    Parameters
    ----------
    data : DataFrame
        One row per visit.
    value : str
        Column with the wait (minutes).
    period : str, optional
        Column with the period of each visit: 0/1, False/True, "before"/"after", "pre"/"post",
        or any two values named by ``levels``.
    date : str, optional
        Column with the visit's date-time; needed for ``intervention`` and ``cluster="day"``.
    intervention : date, optional
        With ``date``: visits from this date on are "after".
    levels : (before, after), optional
        The two values of ``period``, the reference first.
    cluster : "day", column name or None
        Resampling unit: the calendar day of ``date``, a column (e.g. a clinic session) or
        None to resample single visits (the naive bootstrap).
    q : sequence of float
        Quantiles (0.5 = median, 0.9 = P90).
    n_boot : int
        Bootstrap replicates.
    seed : int
        Seed of the random generator; the same seed gives the same result.
    alpha : float
        1 − confidence level.
    lang : {"en", "zh"}, optional
        Language of the ``note`` column; default :func:`journey.i18n.get_language`. The
        few-clusters warning stays English (:func:`journey.compare_periods` translates it).

    Returns
    -------
    DataFrame
        One row per quantile: ``metric`` (``"p50_change"``…), ``estimate`` (after − before),
        ``ci_low``, ``ci_high``, ``p_value`` (not computed: NaN), ``method``, ``note``,
        ``before``, ``after``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> days = np.repeat(pd.date_range("2024-03-01", periods=40), 30)
    >>> wait = rng.gamma(2, 15, len(days)) + np.where(days >= pd.Timestamp("2024-03-21"), -10, 0)
    >>> df = pd.DataFrame({"day": days, "wait": wait.clip(0)})
    >>> res = bootstrap_quantile_change(df, value="wait", date="day",
    ...                                 intervention="2024-03-21", n_boot=500)
    >>> res[["metric", "before", "after", "estimate", "ci_low", "ci_high"]].round(1)
           metric  before  after  estimate  ci_low  ci_high
    0  p50_change    24.4   16.6      -7.8   -11.8     -4.8
    1  p90_change    55.8   51.4      -4.3    -9.4      1.7
    >>> res2 = bootstrap_quantile_change(df, value="wait", date="day", lang="zh",
    ...                                  intervention="2024-03-21", n_boot=500)
    >>> res2.loc[0, "note"]
    '改变后 − 改变前；改变前：600 个值，来自 20 天；改变后：600 个值，来自 20 天'
    """
    from journey._language import _resolve

    N = texts("effects", _resolve(lang))
    qs = np.asarray(q, dtype=float)
    if n_boot < 100:
        raise JourneyError(f"n_boot={n_boot} is too few for percentile CIs; use ≥ 1000.")
    extra = {} if cluster in (None, "day") else {"cluster": cluster}
    if cluster == "day" and date is None:
        raise JourneyError("cluster='day' needs date='column'; or pass cluster=None (naive).")
    d = _before_after(data, value=value, period=period, date=date, intervention=intervention,
                      levels=levels, where="bootstrap_quantile_change", extra=extra)
    if cluster == "day":
        d["cluster"] = d["date"].dt.normalize()
    elif cluster is None:
        d["cluster"] = np.arange(len(d))
    rng = np.random.default_rng(seed)
    est, reps, counts = {}, {}, {}
    for side in (False, True):
        part = d[d["post"] == side].sort_values("cluster", kind="stable")
        values = part["value"].to_numpy()
        codes, uniques = pd.factorize(part["cluster"])
        k = len(uniques)
        est[side] = np.quantile(values, qs)
        counts[side] = (k, len(values))
        reps[side] = np.array([
            np.quantile(np.repeat(values, np.bincount(rng.integers(0, k, k), minlength=k)[codes]),
                        qs)
            for _ in range(n_boot)
        ])
    unit = {"day": "days", None: "visits"}.get(cluster, f"{cluster} clusters")
    few = [side for side in (False, True) if counts[side][0] < 10]
    if few and cluster is not None:
        warnings.warn(
            f"fewer than 10 {unit} in the {'after' if few[0] else 'before'} period: the "
            "cluster bootstrap CI is unreliable with so few clusters.",
            UserWarning,
            stacklevel=2,
        )
    diff = reps[True] - reps[False]
    lo, hi = np.quantile(diff, [alpha / 2, 1 - alpha / 2], axis=0)
    what = "whole days" if cluster == "day" else ("single visits" if cluster is None else unit)
    method = (f"bootstrap resampling {what} within each period, percentile "
              f"{int(round(100 * (1 - alpha)))}% CI, {n_boot} replicates")
    where = N["days"] if cluster == "day" else (
        N["visits"] if cluster is None else N["clusters"].format(cluster=cluster))
    note = N["boot"].format(n0=counts[False][1], k0=counts[False][0], n1=counts[True][1],
                            k1=counts[True][0], unit=where)
    rows = [
        _row(f"{_label(qq)}_change", est[True][i] - est[False][i], (lo[i], hi[i]), np.nan,
             method, note) | {"before": est[False][i], "after": est[True][i]}
        for i, qq in enumerate(qs)
    ]
    return pd.DataFrame(rows, columns=[*COLUMNS, "before", "after"])


def probability_of_superiority(
    data: pd.DataFrame,
    *,
    value: str,
    period: str | None = None,
    date: str | None = None,
    intervention: Any = None,
    levels: Sequence[Any] | None = None,
    alpha: float = 0.05,
    lang: str | None = None,
) -> pd.DataFrame:
    """Probability that a visit after the change waits less than a visit before.

    The estimate is P(Y < X) + ½·P(Y = X) for a random visit X before and Y after: 0.5 means
    no tendency either way, above 0.5 means shorter waits after. This is the quantity behind
    the Mann–Whitney test, which is *not* a test of medians: medians can differ while this is
    0.5 and vice versa. The CI and the test of 0.5 are Brunner–Munzel
    (``statsmodels.stats.nonparametric.rank_compare_2indep``, t distribution), valid with
    unequal spreads and ties. Visits are assumed independent; visits of the same day are
    not, so read the CI as optimistic and prefer :func:`bootstrap_quantile_change` for the
    size of the change.

    Parameters
    ----------
    data, value, period, date, intervention, levels
        As in :func:`bootstrap_quantile_change`.
    alpha : float
        1 − confidence level.
    lang : {"en", "zh"}, optional
        Language of the ``note`` column; default :func:`journey.i18n.get_language`.

    Returns
    -------
    DataFrame
        One row, ``metric = "probability_of_superiority"``, in the common shape.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"period": ["before"] * 5 + ["after"] * 5,
    ...                    "wait": [30, 45, 50, 60, 90, 20, 30, 35, 40, 70]})
    >>> res = probability_of_superiority(df, value="wait", period="period")
    >>> float(res.loc[0, "estimate"])
    0.74
    """
    from journey._language import _resolve

    d = _before_after(data, value=value, period=period, date=date, intervention=intervention,
                      levels=levels, where="probability_of_superiority")
    before = d.loc[~d["post"], "value"].to_numpy()
    after = d.loc[d["post"], "value"].to_numpy()
    res = rank_compare_2indep(before, after)  # prob1 = P(before > after) + ½ P(tie)
    lo, hi = res.conf_int(alpha=alpha)
    row = _row(
        "probability_of_superiority", float(res.prob1), (max(0.0, lo), min(1.0, hi)),
        float(res.pvalue),
        f"Brunner–Munzel (rank_compare_2indep), t CI with {res.df:.0f} df; p tests 0.5",
        text("effects.superiority", _resolve(lang), value=value, n0=len(before),
             n1=len(after)),
    )
    return pd.DataFrame([row], columns=COLUMNS)


def quantile_change(
    data: pd.DataFrame,
    *,
    value: str,
    period: str | None = None,
    date: str | None = None,
    intervention: Any = None,
    levels: Sequence[Any] | None = None,
    covariates: Sequence[str] = (),
    q: Sequence[float] = (0.5, 0.9),
    alpha: float = 0.05,
    lang: str | None = None,
) -> pd.DataFrame:
    """Change in quantiles of the wait adjusted for case mix, by quantile regression.

    For each quantile τ fits ``Q_τ(wait) = β0 + β·after + Σ case-mix dummies`` (statsmodels
    QuantReg: robust sandwich SEs, Hall–Sheather bandwidth); β is the change in the τ-quantile
    at fixed case mix. Covariates enter as categories (one dummy per level); ``"hour"`` and
    ``"weekday"`` are taken from ``date`` when the data has no such column. Visits are
    assumed independent; with strong day-to-day variation the CI is optimistic.

    Parameters
    ----------
    data, value, period, date, intervention, levels
        As in :func:`bootstrap_quantile_change`.
    covariates : sequence of str
        Case-mix columns (segment, triage level…), plus ``"hour"`` / ``"weekday"``.
    q : sequence of float
        Quantiles.
    alpha : float
        1 − confidence level.
    lang : {"en", "zh"}, optional
        Language of the ``note`` column; default :func:`journey.i18n.get_language`.

    Returns
    -------
    DataFrame
        One row per quantile (``"p50_change_adjusted"``…) in the common shape, with the
        unadjusted ``before`` and ``after`` quantiles.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> n = 2000
    >>> df = pd.DataFrame({"post": rng.integers(0, 2, n), "segment": rng.choice(["A", "B"], n)})
    >>> df["wait"] = rng.exponential(20, n) + 15 * (df["segment"] == "B") - 5 * df["post"]
    >>> res = quantile_change(df, value="wait", period="post", covariates=["segment"])
    >>> res[["metric", "estimate", "ci_low", "ci_high"]].round(1)
                    metric  estimate  ci_low  ci_high
    0  p50_change_adjusted      -5.6    -7.3     -3.8
    1  p90_change_adjusted      -3.3    -8.1      1.4
    """
    from journey._language import _resolve

    N = texts("effects", _resolve(lang))
    derived = [c for c in covariates if c in _DERIVED and c not in data.columns]
    if derived and date is None:
        raise JourneyError(f"covariates {derived} are taken from date='column'; pass it.")
    extra = {f"cov{i}": c for i, c in enumerate(covariates) if c not in derived}
    d = _before_after(data, value=value, period=period, date=date, intervention=intervention,
                      levels=levels, where="quantile_change", extra=extra)
    for i, c in enumerate(covariates):
        if c in derived:
            d[f"cov{i}"] = _DERIVED[c](d["date"])
    d["after"] = d["post"].astype(float)
    formula = "value ~ after" + "".join(f" + C(cov{i})" for i in range(len(covariates)))
    adjusted = ", adjusted for " + ", ".join(covariates) if covariates else ", unadjusted"
    rows = []
    for qq in q:
        fit = smf.quantreg(formula, d).fit(q=qq)
        ci = fit.conf_int(alpha=alpha).loc["after"]
        rows.append(_row(
            f"{_label(qq)}_change_adjusted", float(fit.params["after"]), (ci[0], ci[1]),
            float(fit.pvalues["after"]),
            f"quantile regression (QuantReg, robust SE, Hall–Sheather){adjusted}",
            N["quantile"].format(q=_label(qq).upper(), value=value,
                                 n0=int((~d["post"]).sum()), n1=int(d["post"].sum())),
        ) | {"before": float(d.loc[~d["post"], "value"].quantile(qq)),
             "after": float(d.loc[d["post"], "value"].quantile(qq))})
    return pd.DataFrame(rows, columns=[*COLUMNS, "before", "after"])
