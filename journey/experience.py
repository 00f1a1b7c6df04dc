"""Patient-experience statistics: satisfaction scores, importance–performance, key drivers,
satisfaction against the lived journey, Net Promoter Score and the Friends and Family Test.

The functions take the survey side tables (long or wide pandas frames) and return tidy frames
or small result objects carrying frames (``.table``) that draw themselves (``.figure()``).

Conventions shared by every table here and in :mod:`journey.loyalty`:

- shares are proportions (0–1) with Wilson score intervals; means carry Student-t intervals;
  ``confidence`` sets the level (default 0.95);
- missing answers are excluded and counted in a ``missing`` column, never dropped silently;
- ``min_count`` (default 5) suppresses small cells for privacy: every number of a row with
  fewer than ``min_count`` respondents (visits, complaints, patients) is masked and the
  ``note`` column says so. ``min_count=0`` switches it off.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from journey._labels import DIMENSIONS, QUADRANTS, texts
from journey._result import Result
from journey._tables import (
    _add_share,
    _aggregate,
    _as_list,
    _datetimes,
    _frame,
    _require,
    _rows,
    _suppress,
)
from journey.errors import JourneyError

__all__ = [
    "DIMENSIONS",
    "FFT_POSITIVE",
    "QUADRANTS",
    "ExperienceModel",
    "ImportancePerformance",
    "experience_vs_journey",
    "friends_and_family",
    "importance_performance",
    "key_drivers",
    "nps",
    "satisfaction_scores",
]

#: Friends and Family Test answers counted as "would recommend" (old and current wording).
FFT_POSITIVE: tuple[str, ...] = ("extremely likely", "likely", "very good", "good")
_DONT_KNOW = ("don't know", "dont know", "do not know", "不知道")


def _scores(frame: pd.DataFrame, column: str, lo: float, hi: float, table: str) -> pd.Series:
    """A score column as floats, checked to lie in [lo, hi]; empty cells stay missing."""
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = (values.isna() & frame[column].notna()) | (values < lo) | (values > hi)
    if bad.any():
        raise JourneyError(
            f"scores must be numbers from {lo} to {hi} (leave unanswered items empty); "
            f"found {frame[column][bad].iloc[0]!r}",
            source=table, column=column, rows=_rows(bad),
        )
    return values.astype(float)


# --------------------------------------------------------------------------- scores
def satisfaction_scores(
    surveys: pd.DataFrame,
    *,
    dimensions: str | Sequence[str] | None = None,
    by: str | Sequence[str] | None = None,
    top_box: float = 5,
    scale: tuple[float, float] = (1, 5),
    confidence: float = 0.95,
    min_count: int = 5,
    lang: str | None = None,
) -> pd.DataFrame:
    """Mean score and top-box share per satisfaction dimension (or touchpoint) and group.

    Parameters
    ----------
    surveys : DataFrame
        Either the wide surveys table (one row per survey, one column per dimension) or the
        long ``survey_touchpoints`` table (columns ``activity`` and ``score``): when
        ``dimensions`` is not given and the frame has ``activity`` and ``score`` but none of
        the dimension columns, scores are reported per touchpoint (``activity``).
    dimensions : str or list of str, optional
        Score columns. Default: those of :data:`DIMENSIONS` and ``"overall"`` present.
    by : str or list of str, optional
        Grouping columns (department, age band…).
    top_box : float, default 5
        Answers at or above this value count as top box (HCAHPS-style "most positive answer").
    scale : (low, high), default (1, 5)
        Valid answer range; answers outside it raise :class:`JourneyError`.
    confidence : float, default 0.95
    min_count : int, default 5
        Rows with fewer respondents are masked (see the module notes).
    lang : {"en", "zh"}, optional
        Language of the ``note`` column; default :func:`journey.i18n.get_language`.

    Returns
    -------
    DataFrame
        ``by`` columns, ``dimension`` (or ``activity``), ``n`` (answers), ``missing`` (empty
        answers, excluded), ``mean`` with its t interval (``mean_ci_low``, ``mean_ci_high``),
        ``sd``, ``top_box_n`` and ``top_box`` share with its Wilson interval, ``note``.

    Examples
    --------
    >>> s = pd.DataFrame({"overall": [5, 4, 5, 3, 5, 4], "humanistic_care": [5, 5, 4, 4, 5, 3]})
    >>> t = satisfaction_scores(s)
    >>> print(t[["dimension", "n", "mean", "top_box"]].round(2).to_string(index=False))
          dimension  n  mean  top_box
    humanistic_care  6  4.33      0.5
            overall  6  4.33      0.5
    """
    by = _as_list(by)
    touchpoints = (dimensions is None and {"activity", "score"} <= set(surveys.columns)
                   and not any(d in surveys.columns for d in (*DIMENSIONS, "overall")))
    if touchpoints:
        item, columns = "activity", ["score"]
    else:
        item = "dimension"
        columns = _as_list(dimensions) or [
            d for d in (*DIMENSIONS, "overall") if d in surveys.columns]
        if not columns:
            raise JourneyError(
                "no satisfaction score columns found; pass dimensions=[...] naming them "
                f"(expected some of {[*DIMENSIONS, 'overall']})", source="surveys")
    _require(surveys, [*by, *columns, *(["activity"] if touchpoints else [])], "surveys")
    scores = pd.DataFrame({c: _scores(surveys, c, *scale, "surveys") for c in columns})
    if touchpoints:
        long = surveys[[*by, "activity"]].assign(score=scores["score"])
    else:
        long = pd.concat([surveys[by], scores], axis=1).melt(
            id_vars=by, value_vars=columns, var_name=item, value_name="score")
        long[item] = pd.Categorical(long[item], categories=columns)
    long["top"] = long["score"] >= top_box
    keys = [*by, item]
    table = _aggregate(long, keys, n=("score", "count"), answers=("score", "size"),
                       mean=("score", "mean"), sd=("score", "std"), top_box_n=("top", "sum"))
    table[item] = table[item].astype(str)
    table.insert(len(keys) + 1, "missing", table.pop("answers") - table["n"])
    half = stats.t.ppf((1 + confidence) / 2, table["n"] - 1) * table["sd"] / np.sqrt(table["n"])
    table.insert(len(keys) + 3, "mean_ci_low", table["mean"] - half)
    table.insert(len(keys) + 4, "mean_ci_high", table["mean"] + half)
    _add_share(table, "top_box", "top_box_n", "n", confidence)
    return _suppress(table, "n", min_count, "respondents", keys, lang=lang)


# --------------------------------------------------------------------------- drivers
def _importances(data: np.ndarray) -> np.ndarray:
    """Rows r, standardised beta and Johnson's relative weight of each predictor column of
    ``data`` (last column = outcome).

    Relative weights (Johnson 2000, Multivariate Behav Res 35:1): with the predictor
    correlation matrix R = V diag(λ) Vᵀ, Λ = V diag(√λ) Vᵀ relates the predictors to their
    closest orthogonal counterparts Z; β_Z = Λ⁻¹ r_xy and ε_j = Σ_k Λ_jk² β_Zk². The weights
    sum to the model R² (pseudo-inverses keep exactly collinear items finite).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.corrcoef(data, rowvar=False)
    if not np.isfinite(corr).all():
        return np.full((3, data.shape[1] - 1), np.nan)
    rxx, rxy = corr[:-1, :-1], corr[:-1, -1]
    beta = np.linalg.pinv(rxx) @ rxy
    lam_values, vectors = np.linalg.eigh(rxx)
    lam = vectors @ np.diag(np.sqrt(np.clip(lam_values, 0, None))) @ vectors.T
    weights = (lam**2) @ (np.linalg.pinv(lam) @ rxy) ** 2
    return np.vstack([rxy, beta, weights])


def _complete_cases(surveys: pd.DataFrame, attributes: list[str], overall: str,
                    scale: tuple[float, float]) -> tuple[pd.DataFrame, int]:
    """Attribute and overall scores of the surveys answering all of them, and how many were
    excluded for a missing answer."""
    columns = [*attributes, overall]
    _require(surveys, columns, "surveys")
    data = pd.DataFrame({c: _scores(surveys, c, *scale, "surveys") for c in columns}).dropna()
    if len(data) < len(columns) + 2:
        raise JourneyError(
            f"only {len(data)} surveys answer all of {columns}; driver analysis needs at least "
            f"{len(columns) + 2} (better 100+)", source="surveys")
    flat = [c for c in columns if data[c].nunique() < 2]
    if flat:
        raise JourneyError(
            "every answer is the same, so its importance cannot be derived; drop it from "
            "attributes", source="surveys", column=flat[0])
    return data, len(surveys) - len(data)


def key_drivers(
    surveys: pd.DataFrame,
    *,
    attributes: Sequence[str] | None = None,
    overall: str = "overall",
    scale: tuple[float, float] = (1, 5),
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Key-driver analysis: how strongly each attribute goes with the overall score.

    Three derived importances are reported side by side, each with a percentile bootstrap
    interval (surveys resampled with replacement, ``n_boot`` times):

    - ``r``: Pearson correlation of the attribute with ``overall``;
    - ``beta``: standardised coefficient of the multiple regression of ``overall`` on all
      attributes (unstable when attributes are collinear, as survey items usually are);
    - ``relative_weight``: Johnson's relative weight, the share of the model R² carried by
      the attribute; weights are non-negative, sum to R² and stay stable under collinearity.
      ``rw_share`` = weight / R² (sums to 1). Rank 1 = largest relative weight.

    ``performance`` is the attribute's mean score. Only surveys answering every attribute and
    ``overall`` are used; the rest are excluded and counted (``excluded``). Derived importance
    is association, not cause.

    Parameters
    ----------
    surveys : DataFrame
        One row per survey.
    attributes : list of str, optional
        Attribute score columns. Default: the :data:`DIMENSIONS` present.
    overall : str, default "overall"
    scale : (low, high), default (1, 5)
    n_boot : int, default 2000
        Bootstrap resamples (0 for no intervals).
    confidence : float, default 0.95
    seed : int or None, default 0
        Seed of the bootstrap, so a report gives the same numbers when re-run.

    Returns
    -------
    DataFrame
        One row per attribute: ``attribute``, ``n``, ``excluded``, ``performance``, ``r``,
        ``beta``, ``relative_weight`` (each with ``*_ci_low``/``*_ci_high``), ``rw_share``,
        ``rank``. ``.attrs["r2"]`` holds the model R².

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = rng.integers(1, 6, size=(200, 2))
    >>> s = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "overall": np.clip(x[:, 0] + 1, 1, 5)})
    >>> kd = key_drivers(s, attributes=["a", "b"], n_boot=200)
    >>> print(kd[["attribute", "rank"]].to_string(index=False))
    attribute  rank
            a     1
            b     2
    """
    attributes = _as_list(attributes) or [d for d in DIMENSIONS if d in surveys.columns]
    data, excluded = _complete_cases(surveys, attributes, overall, scale)
    values = data.to_numpy()
    point = _importances(values)
    table = pd.DataFrame({"attribute": attributes, "n": len(data), "excluded": excluded,
                          "performance": values[:, :-1].mean(axis=0)})
    rng = np.random.default_rng(seed)
    boots = np.array([_importances(values[rng.integers(0, len(values), len(values))])
                      for _ in range(n_boot)]) if n_boot else np.full((1, *point.shape), np.nan)
    tail = 100 * (1 - confidence) / 2
    with np.errstate(all="ignore"):
        lo, hi = (np.nanpercentile(boots, q, axis=0) if n_boot else boots[0]
                  for q in (tail, 100 - tail))
    for i, name in enumerate(("r", "beta", "relative_weight")):
        table[name], table[f"{name}_ci_low"], table[f"{name}_ci_high"] = point[i], lo[i], hi[i]
    r2 = float(point[2].sum())
    table["rw_share"] = point[2] / r2
    table["rank"] = table["relative_weight"].rank(ascending=False, method="min").astype(int)
    table.attrs["r2"] = r2
    return table


@dataclass(repr=False)
class ImportancePerformance(Result):
    """Importance–performance analysis (IPA) result; see :func:`importance_performance`.

    Attributes
    ----------
    table : DataFrame
        ``attribute``, ``importance``, ``performance``, ``quadrant``.
    centre : (float, float)
        Crosshairs: (importance, performance).
    importance : str
        How importance was derived.
    n, excluded : int
        Surveys used; surveys excluded for a missing answer.
    notes : list of str
    """

    table: pd.DataFrame
    centre: tuple[float, float]
    importance: str
    n: int
    excluded: int
    notes: list[str] = field(default_factory=list)

    def figure(self, labels: Mapping[str, str] | None = None, *, lang: str | None = None,
               title: str | None = None):
        """The IPA grid (a figure): performance across, importance up, crosshairs at the centre.

        Parameters
        ----------
        labels : dict, optional
            Display names for the attributes; by default the survey dimensions are named in
            the figure's language (``medical_quality`` → 医疗技术质量 in Chinese).
        lang : {"en", "zh"}, optional
            Language of titles, axes, hover text, quadrant and dimension names; default
            :func:`journey.i18n.get_language`.
        title : str, optional
            Replaces the default title.

        Examples
        --------
        >>> s = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 4],
        ...                   "overall": [1, 2, 4, 4, 5]})
        >>> fig = importance_performance(s, attributes=["a", "b"]).figure(lang="zh")
        >>> fig.layout.xaxis.title.text
        '表现（平均分）'
        """
        from journey import _figures_experience
        from journey._language import _resolve

        return _figures_experience.importance_performance(self, labels=labels, title=title,
                                                          lang=_resolve(lang))


def importance_performance(
    surveys: pd.DataFrame,
    *,
    attributes: Sequence[str] | None = None,
    overall: str = "overall",
    importance: str = "correlation",
    centre: str = "mean",
    scale: tuple[float, float] = (1, 5),
) -> ImportancePerformance:
    """Importance–performance analysis (Martilla & James, J Marketing 1977;41(1):77).

    Performance is each attribute's mean score; importance is derived from the data, either
    the Pearson correlation with ``overall`` (``"correlation"``) or Johnson's relative weight
    (``"relative_weights"``, robust to collinear items; see :func:`key_drivers`). Attributes
    are placed in four quadrants by crosshairs:

    - ``centre="mean"``: importance and performance crosshairs at the means over attributes;
    - ``centre="midpoint"``: the performance crosshair at the scale midpoint
      ((low + high) / 2); derived importance has no scale, so its crosshair stays at the mean.

    An attribute on a crosshair counts as high. Quadrants: high importance and low performance
    "Concentrate here", high/high "Keep up the good work", low/low "Low priority", low
    importance and high performance "Possible overkill". Only surveys answering every
    attribute and ``overall`` are used (the rest are counted in ``excluded``).

    Parameters
    ----------
    surveys : DataFrame
    attributes : list of str, optional
        Default: the :data:`DIMENSIONS` present.
    overall : str, default "overall"
    importance : {"correlation", "relative_weights"}
    centre : {"mean", "midpoint"}
    scale : (low, high), default (1, 5)

    Returns
    -------
    ImportancePerformance
        ``.table`` and ``.figure()``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> x = rng.integers(1, 6, size=(200, 2))
    >>> s = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "overall": np.clip(x[:, 0] + 1, 1, 5)})
    >>> ipa = importance_performance(s, attributes=["a", "b"])
    >>> print(ipa.table[["attribute", "quadrant"]].to_string(index=False))
    attribute              quadrant
            a Keep up the good work
            b          Low priority
    """
    kinds = {"correlation": 0, "relative_weights": 2}
    if importance not in kinds or centre not in ("mean", "midpoint"):
        raise JourneyError(
            f"importance must be one of {list(kinds)} and centre 'mean' or 'midpoint'; got "
            f"importance={importance!r}, centre={centre!r}")
    attributes = _as_list(attributes) or [d for d in DIMENSIONS if d in surveys.columns]
    data, excluded = _complete_cases(surveys, attributes, overall, scale)
    table = pd.DataFrame({"attribute": attributes,
                          "importance": _importances(data.to_numpy())[kinds[importance]],
                          "performance": data[attributes].mean().to_numpy()})
    imp = float(table["importance"].mean())
    perf = float(table["performance"].mean()) if centre == "mean" else sum(scale) / 2
    table["quadrant"] = [QUADRANTS[(i >= imp, p >= perf)]
                         for i, p in zip(table["importance"], table["performance"], strict=True)]
    return ImportancePerformance(table, (imp, perf), importance, len(data), excluded)


# --------------------------------------------------------------------------- journey model
@dataclass(repr=False)
class ExperienceModel(Result):
    """Satisfaction regressed on the lived journey; see :func:`experience_vs_journey`.

    Attributes
    ----------
    table : DataFrame
        One row per predictor: ``term``, ``coef``, ``ci_low``, ``ci_high``, ``p_value``,
        ``reading`` (the coefficient in words).
    n : int
        Surveys in the model.
    excluded : dict
        Surveys left out, by reason.
    r2 : float
    fit : statsmodels results
        The full fit (intercept and controls included).
    notes : list of str
    """

    table: pd.DataFrame
    n: int
    excluded: dict[str, int]
    r2: float
    fit: object
    notes: list[str] = field(default_factory=list)

    def _headline(self) -> str:
        return f"ExperienceModel: {self.n} surveys, R² {self.r2:.3f}"

    @property
    def summary(self):
        """The statsmodels summary of the fit."""
        return self.fit.summary()


def _reading(term: str, coef: float, lo: float, hi: float, binary: bool, outcome: str,
             confidence: float, lang: str = "en") -> str:
    """The coefficient of ``term`` in a sentence of ``lang``."""
    from journey.i18n import translate

    T = texts("experience", lang)
    hour = not binary and term.endswith("_h")
    known = {d: translate(d, lang) for d in (*DIMENSIONS, "overall")}
    plain = term[:-2].replace("_", " ") if hour else term
    name = texts("predictor", lang).get(term, known.get(term, plain))
    outcome = known.get(outcome, outcome)
    ci = T["ci"].format(level=confidence, lo=lo, hi=hi)
    kind = "binary" if binary else "hour" if hour else "unit"
    text = T[kind].format(term=name, coef=abs(coef), what=T["higher" if coef > 0 else "lower"],
                          outcome=outcome, ci=ci)
    return text + T["zero"] if lo <= 0 <= hi else text


def experience_vs_journey(
    surveys: pd.DataFrame,
    visits: pd.DataFrame,
    *,
    outcome: str = "overall",
    predictors: Sequence[str] | None = None,
    controls: Sequence[str] | None = None,
    confidence: float = 0.95,
    lang: str | None = None,
) -> ExperienceModel:
    """How satisfaction goes with what the patient lived through: OLS with HC3 robust CIs.

    Each survey is joined to its visit by ``case_id`` and ``outcome`` is regressed on the
    visit's ``predictors`` (numbers, or yes/no flags entered as 0/1) plus optional categorical
    ``controls`` (e.g. department, age band; fixed effects, not reported in the table).
    Intervals use the HC3 heteroskedasticity-robust covariance (MacKinnon & White 1985), so
    no equal-variance assumption is needed; the linear form, independent surveys and no
    unmeasured confounding are still assumed. It is an association, not an effect: patients
    with long waits may differ in other ways.

    ``predictors`` are columns of ``visits`` (one row per ``case_id``), e.g. the total wait in
    hours, a rework flag (a touchpoint repeated), a left-unseen flag; by default
    ``total_wait_h`` (``total_flow_h`` for a log without start times, see
    :func:`journey.visit_table`), ``rework`` and ``left_unseen``. ``"los_h"`` (departure −
    arrival in hours) is derived from ``arrival``/``departure`` when ``visits`` has no such
    column. Surveys without a matching visit or with a missing value are excluded and counted.

    Parameters
    ----------
    surveys, visits : DataFrame
    outcome : str, default "overall"
    predictors : list of str
    controls : list of str, optional
    confidence : float, default 0.95
    lang : {"en", "zh"}, optional
        Language of the ``reading`` column; default :func:`journey.i18n.get_language`.

    Returns
    -------
    ExperienceModel
        ``.table`` (coef, CI, p-value and a plain reading per predictor), ``.n``,
        ``.excluded``, ``.r2``, ``.fit``, ``.summary``.

    Examples
    --------
    >>> visits = pd.DataFrame({"case_id": list("abcdefgh"),
    ...                        "total_wait_h": [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]})
    >>> surveys = pd.DataFrame({"case_id": list("abcdefgh"), "overall": [5, 5, 4, 4, 4, 3, 3, 2]})
    >>> m = experience_vs_journey(surveys, visits, predictors=["total_wait_h"])
    >>> round(m.table.coef.item(), 3)
    -0.81
    >>> experience_vs_journey(surveys, visits, predictors=["total_wait_h"], lang="zh"
    ...                       ).table.reading.item()
    '总等候时间每增加一小时，总体评价低 0.81 分（95%置信区间 -1.06 至 -0.56），其他因素保持不变。'
    """
    from journey._language import _resolve

    lang = _resolve(lang)
    if predictors is None:
        gap = "total_flow_h" if "total_flow_h" in visits.columns else "total_wait_h"
        predictors = (gap, "rework", "left_unseen")
    predictors, controls = _as_list(predictors), _as_list(controls)
    _require(surveys, ["case_id", outcome], "surveys")
    visits = visits.copy()
    if "los_h" in predictors and "los_h" not in visits.columns:
        _require(visits, ["arrival", "departure"], "visits")
        visits["los_h"] = (_datetimes(visits, "departure", "visits")
                           - _datetimes(visits, "arrival", "visits")).dt.total_seconds() / 3600
    _require(visits, ["case_id", *predictors, *controls], "visits")
    dup = visits["case_id"].duplicated(keep=False)
    if dup.any():
        raise JourneyError("visits must have one row per case_id; aggregate the log per visit "
                           "first", source="visits", column="case_id", rows=_rows(dup))
    y = _scores(surveys, outcome, -np.inf, np.inf, "surveys")
    data = pd.DataFrame({"case_id": surveys["case_id"], outcome: y}).merge(
        visits[["case_id", *predictors, *controls]], on="case_id", how="left", indicator=True)
    binary = {}
    for p in predictors:
        if pd.api.types.is_bool_dtype(data[p]) or data[p].dropna().isin([0, 1]).all():
            binary[p] = True
            data[p] = data[p].astype(float)
        elif pd.api.types.is_numeric_dtype(data[p]):
            binary[p] = False
        else:
            raise JourneyError(f"predictor {p!r} is not numeric or yes/no; pass categories "
                               "as controls=[...] instead", source="visits", column=p)
    unmatched = int((data.pop("_merge") == "left_only").sum())
    complete = data.dropna(subset=[outcome, *predictors, *controls])
    excluded = {"no matching visit": unmatched,
                "missing value": len(data) - len(complete) - unmatched}
    x = pd.get_dummies(complete[[*predictors, *controls]], columns=controls, drop_first=True,
                       dtype=float)
    if len(complete) <= x.shape[1] + 1:
        raise JourneyError(f"only {len(complete)} surveys can be joined to a visit with all "
                           "predictors present; too few for the model", source="surveys")
    fit = sm.OLS(complete[outcome], sm.add_constant(x, has_constant="add")).fit(cov_type="HC3")
    ci = fit.conf_int(alpha=1 - confidence)
    table = pd.DataFrame({"term": predictors, "coef": fit.params[predictors].to_numpy(),
                          "ci_low": ci.loc[predictors, 0].to_numpy(),
                          "ci_high": ci.loc[predictors, 1].to_numpy(),
                          "p_value": fit.pvalues[predictors].to_numpy()})
    table["reading"] = [_reading(t, c, lo, hi, binary[t], outcome, confidence, lang)
                        for t, c, lo, hi in table[["term", "coef", "ci_low", "ci_high"]].itertuples(
                            index=False)]
    return ExperienceModel(table, len(complete), excluded, float(fit.rsquared), fit)


# --------------------------------------------------------------------------- recommendation
def nps(
    scores,
    *,
    column: str = "recommend",
    by: str | Sequence[str] | None = None,
    confidence: float = 0.95,
    min_count: int = 5,
    lang: str | None = None,
) -> pd.DataFrame:
    """Net Promoter Score with its standard error and a normal-approximation interval.

    On the 0–10 "would you recommend" scale, promoters answer 9–10, passives 7–8 and
    detractors 0–6. With shares p_P and p_D among the n answers,
    NPS = 100 (p_P − p_D), on [−100, 100], and (multinomial)
    SE = 100 √((p_P + p_D − (p_P − p_D)²) / n); the interval is NPS ± z·SE, clipped to
    [−100, 100]. NHS England replaced NPS with the Friends and Family Test in 2014
    (:func:`friends_and_family`).

    Parameters
    ----------
    scores : array-like or DataFrame
        0–10 answers, or a frame holding them in ``column``. Empty answers are counted in
        ``missing`` and excluded.
    column : str, default "recommend"
    by : str or list of str, optional
        Grouping columns of the frame.
    confidence : float, default 0.95
    min_count : int, default 5
    lang : {"en", "zh"}, optional
        Language of the ``note`` column; default :func:`journey.i18n.get_language`.

    Returns
    -------
    DataFrame
        ``by`` columns, ``n``, ``missing``, ``promoters``, ``passives``, ``detractors``,
        ``nps``, ``se``, ``ci_low``, ``ci_high``, ``note``.

    Examples
    --------
    >>> print(nps([10, 9, 8, 7, 0])[["n", "promoters", "detractors", "nps"]].to_string(index=False))
     n  promoters  detractors  nps
     5          2           1 20.0
    >>> nps([10, 9, 8], lang="zh")["note"].item()
    '已隐藏：应答人数少于 5'
    """
    frame, by = _frame(scores, column), _as_list(by)
    _require(frame, [column, *by], "scores")
    s = _scores(frame, column, 0, 10, "scores")
    data = frame[by].assign(s=s, p=s >= 9, d=s <= 6, m=s.between(7, 8, inclusive="both"))
    table = _aggregate(data, by, n=("s", "count"), answers=("s", "size"), promoters=("p", "sum"),
                       passives=("m", "sum"), detractors=("d", "sum"))
    table.insert(len(by) + 1, "missing", table.pop("answers") - table["n"])
    with np.errstate(divide="ignore", invalid="ignore"):
        p, d = table["promoters"] / table["n"], table["detractors"] / table["n"]
        table["nps"] = 100 * (p - d)
        table["se"] = 100 * np.sqrt((p + d - (p - d) ** 2) / table["n"])
    z = stats.norm.ppf((1 + confidence) / 2)
    table["ci_low"] = (table["nps"] - z * table["se"]).clip(lower=-100)
    table["ci_high"] = (table["nps"] + z * table["se"]).clip(upper=100)
    return _suppress(table, "n", min_count, "respondents", by, lang=lang)


def friends_and_family(
    responses,
    *,
    column: str = "recommend",
    by: str | Sequence[str] | None = None,
    recommend_from: float = 7,
    positive: Iterable[str] = FFT_POSITIVE,
    confidence: float = 0.95,
    min_count: int = 5,
    lang: str | None = None,
) -> pd.DataFrame:
    """Friends and Family Test (FFT) "% recommend" with a Wilson interval.

    NHS England's rule: % recommend = positive answers / all answers, *including* "don't
    know"; only empty answers are left out (counted in ``missing``).

    - Category answers ("Extremely likely", "Likely", …, "Don't know", or the current
      "Very good", "Good", …): an answer is positive when it is in ``positive`` (compared
      case- and space-insensitively); every other non-empty answer is in the denominator.
    - 0–10 answers (an NPS question reused): a score of ``recommend_from`` or more counts as
      recommend. The default 7 counts NPS promoters and passives (9–10 and 7–8) as "likely
      or extremely likely" and 0–6 as not; say so when reporting, since FFT itself has no
      0–10 scale.

    Parameters
    ----------
    responses : array-like or DataFrame
        Answers, or a frame holding them in ``column``.
    column : str, default "recommend"
    by : str or list of str, optional
    recommend_from : float, default 7
    positive : list of str, default :data:`FFT_POSITIVE`
    confidence : float, default 0.95
    min_count : int, default 5
    lang : {"en", "zh"}, optional
        Language of the ``note`` column; default :func:`journey.i18n.get_language`.

    Returns
    -------
    DataFrame
        ``by`` columns, ``n`` (answers incl. don't know), ``missing``, ``dont_know``,
        ``recommend_n``, ``recommend`` share with ``recommend_ci_low``/``_high``, ``note``.

    Examples
    --------
    >>> a = ["Extremely likely", "Likely", "Don't know", "Unlikely", None]
    >>> fft = friends_and_family(a, min_count=0)
    >>> print(fft[["n", "missing", "recommend"]].to_string(index=False))
     n  missing  recommend
     4        1        0.5
    """
    frame, by = _frame(responses, column), _as_list(by)
    _require(frame, [column, *by], "responses")
    raw = frame[column]
    number = pd.to_numeric(raw, errors="coerce")
    if number.notna().sum() == raw.notna().sum():
        score = _scores(frame, column, 0, 10, "responses")
        answered, rec, dont_know = score.notna(), score >= recommend_from, False
    else:
        if number.notna().any():
            raise JourneyError("mixed numbers and words in the answers; recode them to one "
                               "scale", source="responses", column=column,
                               rows=_rows(number.notna()))
        text = raw.astype("string").str.replace("’", "'").str.strip().str.casefold()
        answered = text.notna() & (text != "")
        rec = text.isin([p.casefold() for p in positive]).fillna(False)
        dont_know = text.isin(_DONT_KNOW).fillna(False)
    data = frame[by].assign(a=answered, r=rec & answered, k=dont_know & answered)
    table = _aggregate(data, by, n=("a", "sum"), answers=("a", "size"), dont_know=("k", "sum"),
                       recommend_n=("r", "sum"))
    table.insert(len(by) + 1, "missing", table.pop("answers") - table["n"])
    _add_share(table, "recommend", "recommend_n", "n", confidence)
    return _suppress(table, "n", min_count, "respondents", by, lang=lang)
