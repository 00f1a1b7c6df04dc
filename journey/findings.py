"""Findings in words: sentences rendered from result objects, and sections that do not apply.

A study report states its findings as sentences computed from the results, never as prose
written for one hospital. Each ``*_finding`` function takes result objects and returns a
:class:`Finding`: a short text in English or Chinese that a notebook displays and that
:func:`journey.build_report` gathers into the report's summary (the output carries the
metadata ``{"journey": {"finding": key}}``). Counts below the small-count threshold
(:func:`journey.privacy.get_min_count`, 5 when unset) are written as "fewer than 5".

:func:`attempt` runs one analysis and turns a :class:`~journey.errors.JourneyError` (the
log has no start times, no department column, no intervention date was given…) into a
:class:`Skipped` value: it displays the reason once, and every attribute, call or index of
it is the same :class:`Skipped`, so the cells that build on it show nothing and the
notebook runs to the end on any valid log.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from journey._labels import REASONS, texts
from journey.errors import JourneyError
from journey.privacy import get_min_count
from journey.stages import activities_of

__all__ = ["REASONS", "Finding", "Skipped", "attempt", "effect_finding", "experience_finding",
           "halves", "most_waited", "quality_finding", "require", "time_finding", "top_row",
           "wait_finding"]


_SHOWN: dict[str, int] = {}  # reason -> the cell that displayed it


def _lang(lang: str | None) -> str:
    from journey._language import _resolve

    return _resolve(lang)


def _name(value: object, lang: str) -> str:
    """A name for a sentence, in its language; ``snake_case`` keys made readable."""
    from journey.i18n import display_name

    text = str(display_name(str(value), lang))
    return text.replace("_", " ").capitalize() if re.fullmatch(r"[a-z]+(_[a-z]+)+", text) \
        else text


def _count(n: float, lang: str) -> str:
    """A count for a sentence: below the small-count threshold only "fewer than k"."""
    k = get_min_count() or 5
    n = int(n)
    return texts("findings", lang)["fewer"].format(k=k) if 0 < n < k else f"{n:,}"


@dataclass(frozen=True)
class Finding:
    """One finding in words; displayed as Markdown and gathered into a report's summary.

    Examples
    --------
    >>> Finding("waits", "The median wait is 20 min.").text
    'The median wait is 20 min.'
    """

    key: str
    text: str

    def __str__(self) -> str:
        return self.text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        return ({"text/markdown": f"**{self.text}**", "text/plain": self.text},
                {"journey": {"finding": self.key}})


class Skipped:
    """What a section shows when it does not apply to the log: the reason, once.

    Every attribute, call, index or operation of a ``Skipped`` is the same ``Skipped``, so
    the cells that build on a skipped result run and show nothing more.

    Examples
    --------
    >>> s = Skipped("the log has no start times")
    >>> s.table.round(1) is s, (s or "computed") is s
    (True, True)
    """

    def __init__(self, reason: str, key: str = "") -> None:
        self.reason, self.key = str(reason), key

    def __getattr__(self, name: str) -> Skipped:
        if name.startswith("_"):  # IPython's display protocol probes private names
            raise AttributeError(name)
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> Skipped:
        return self

    def __getitem__(self, key: Any) -> Skipped:
        return self

    def _same(self, *args: Any) -> Skipped:
        return self

    __invert__ = __neg__ = __abs__ = _same
    __and__ = __rand__ = __or__ = __ror__ = __add__ = __radd__ = __sub__ = __rsub__ = _same
    __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __lt__ = __le__ = __gt__ = __ge__ = _same

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0

    def __bool__(self) -> bool:  # ``skipped or compute()`` keeps the reason
        return True

    def _text(self) -> str:
        """The reason the first time it is displayed in a notebook, then nothing (a finding's
        reason every time: the report's summary gathers it)."""
        from IPython import get_ipython

        shell = get_ipython()
        cell = shell.execution_count if shell is not None else 0
        first = _SHOWN.setdefault(self.reason, cell) == cell or bool(self.key)
        return texts("findings", _lang(None))["skipped"].format(reason=self.reason) if first else ""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        text = self._text()
        meta = {"journey": {"skipped": self.reason, **({"finding": self.key} if self.key
                                                         else {})}}
        return {"text/markdown": f"> {text}" if text else "", "text/plain": text}, meta

    def __repr__(self) -> str:
        return self._text()


def attempt(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)``, or a :class:`Skipped` with the reason it does not apply.

    A :class:`~journey.errors.JourneyError` (the input does not allow this analysis) becomes
    a :class:`Skipped`; so does an argument that is itself skipped. Any other error is a bug
    and is raised.

    Examples
    --------
    >>> def needs_start(log):
    ...     raise JourneyError("this needs start times")
    >>> attempt(needs_start, None).reason
    'this needs start times'
    >>> attempt(len, "abc")
    3
    """
    for value in (*args, *kwargs.values()):
        inner = value.values() if isinstance(value, dict) else (
            value if isinstance(value, list | tuple) else ())
        for item in (value, *inner):
            if isinstance(item, Skipped):
                return item
    try:
        return function(*args, **kwargs)
    except JourneyError as err:  # the reason without the file's path
        text = str(err)
        if err.source and text.startswith(str(err.source)):
            text = text[len(str(err.source)):].lstrip(":, ")
        if err.reason and err.reason[0] in REASONS[_lang(None)]:
            key, values = err.reason  # in the notebook's language
            text = REASONS[_lang(None)][key].format(**values)
        return Skipped(text)


def require(condition: bool, reason: str, *, lang: str | None = None) -> Skipped | None:
    """``None`` when ``condition`` holds, else a :class:`Skipped` saying what is needed.

    Parameters
    ----------
    condition : bool
    reason : str
        An id of :data:`REASONS` (the text in the notebook's language) or the text itself.
    lang : {"en", "zh"}, optional
        Default :func:`journey.i18n.get_language`.

    Examples
    --------
    >>> require(True, "needs start times") is None
    True
    >>> require(False, "needs start times").reason
    'needs start times'
    >>> require(False, "no_calendar", lang="zh").reason
    '未提供开放时间（calendar=）'
    """
    return None if condition else Skipped(REASONS[_lang(lang)].get(reason, reason))


def top_row(table: pd.DataFrame, column: str = "activity") -> str:
    """The first row's ``column`` of a ranking, or a :class:`~journey.errors.JourneyError`
    saying the ranking is empty.

    Examples
    --------
    >>> top_row(pd.DataFrame({"activity": ["Lab", "Payment"]}))
    'Lab'
    """
    if len(table) == 0:
        raise JourneyError("no touchpoint has enough events to be ranked")
    return str(table[column].iloc[0])


def most_waited(summary: pd.DataFrame) -> str:
    """The touchpoint where most patient-hours are lost: the largest ``n × mean`` wait.

    Parameters
    ----------
    summary : DataFrame
        :func:`journey.waits.wait_summary` per touchpoint.

    Examples
    --------
    >>> most_waited(pd.DataFrame({"activity": ["A", "B"], "n": [100, 10], "mean": [5, 40]}))
    'A'
    """
    if isinstance(summary, Skipped) or summary is None or len(summary) == 0:
        raise JourneyError("no waits in the log; pass the touchpoint to study")
    total = (summary["n"] * summary["mean"]).fillna(0)
    order = pd.DataFrame({"total": total, "activity": summary["activity"].astype(str)})
    order = order.sort_values(["total", "activity"], ascending=[False, True])
    return str(order["activity"].iloc[0])


def halves(log: Any, *, department: str | None = None) -> Any:
    """Journey maps of the first and the second half of the log's period, compared.

    The department studied is ``department``, or the one with the most visits when the log
    has a department column (the whole log without one).

    Returns
    -------
    MapComparison
        :func:`journey.compare_maps` of the two halves, labelled "first half" and
        "second half".
    """
    from journey.maps import compare_maps, journey_map

    if department is None and "department" in log.columns:
        t = log.table
        counts = t.group_by("department").aggregate(n=t.case_id.nunique()).execute()
        counts = counts.dropna().sort_values(["n", "department"], ascending=[False, True])
        department = str(counts["department"].iloc[0]) if len(counts) else None
    scope = log.filter(department=department) if department is not None else log
    first, last = (pd.Timestamp(x) for x in log.period)
    middle = (first + (last - first) / 2).normalize()
    if middle <= first.normalize():
        raise JourneyError("the log covers a single day: there is no first and second half")
    before = journey_map(scope.filter(period=(first, middle)))
    after = journey_map(scope.filter(period=(middle, last + pd.Timedelta(days=1))))
    return compare_maps(before, after, labels=("first half", "second half"))


def quality_finding(log: Any, *, lang: str | None = None) -> Finding:
    """Data quality in one line: visits, events, period, exclusions, what the times mean.

    Examples
    --------
    >>> import journey
    >>> log = journey.read_log(pd.DataFrame({"case_id": ["a"] * 2,
    ...     "activity": ["Registration", "Payment"],
    ...     "end": ["2025-03-03 08:10", "2025-03-04 09:30"]}))
    >>> print(quality_finding(log, lang="en"))  # doctest: +NORMALIZE_WHITESPACE
    The log holds fewer than 5 visits and fewer than 5 events from 2025-03-03 to 2025-03-04.
    Times between touchpoints are flow times: the log has completion times only, so waiting
    and service cannot be told apart.
    """
    lang = _lang(lang)
    T = texts("findings", lang)
    summary = log.summary()
    excluded = int(summary.get("rows excluded", 0) or 0)
    first, last = log.period
    text = T["quality"].format(
        cases=_count(log.n_cases, lang), events=_count(log.n_events, lang),
        first=f"{pd.Timestamp(first):%Y-%m-%d}", last=f"{pd.Timestamp(last):%Y-%m-%d}",
        excluded=T["excluded"].format(n=_count(excluded, lang)) if excluded else "",
        times=T["waits"] if log.has_start else T["flows"],
        resolution=T["day"] if getattr(log, "resolution", "time") == "day" else T["minute"])
    return Finding("quality", text.strip())


def time_finding(decomposition: Any, ranking: Any = None, *, lang: str | None = None
                 ) -> Finding | Skipped:
    """Where time is lost and when: waiting share, the touchpoint with most waiting, and the
    top-ranked bottleneck with its block of hours.

    Parameters
    ----------
    decomposition : TimeDecomposition
        :func:`journey.queues.time_decomposition`.
    ranking : BottleneckRanking, optional
        :func:`journey.queues.bottlenecks`.
    """
    if isinstance(decomposition, Skipped):
        return Skipped(decomposition.reason, "time")
    lang = _lang(lang)
    T = texts("findings", lang)
    totals = decomposition.totals.iloc[0]
    flow = "flow_hours" in decomposition.table  # completion times only: flow, not wait
    gap = "flow" if flow else "wait"
    table = decomposition.table.sort_values([f"{gap}_hours", "activity"],
                                            ascending=[False, True])
    top = table.iloc[0]
    parts = [T["lost_flow" if flow else "lost"].format(
        share=totals.get("wait_share"), hours=f"{totals.los_hours:,.0f}",
        a=_name(top.activity, lang), a_share=top[f"{gap}_share"])]
    if ranking is not None and not isinstance(ranking, Skipped) and len(ranking.table):
        r = ranking.table.iloc[0]
        if isinstance(r.worst_block, str):
            parts.append(T["block"].format(b=_name(r.activity, lang),
                                           word=T["word_flow" if flow else "word_wait"],
                                           block=_name(r.worst_block, lang),
                                           block_mean=r.block_mean, other=r.other_mean,
                                           ratio=r.build_up))
        else:
            parts.append(T["no_block"])
    return Finding("time", T["join"].join(parts))


def wait_finding(summary: pd.DataFrame, attainment: Any = None, *, flow: bool = False,
                 lang: str | None = None) -> Finding | Skipped:
    """Waits against targets: the longest median wait with its CI and P90, and the share
    within each target.

    Parameters
    ----------
    summary : DataFrame
        :func:`journey.waits.wait_summary` per touchpoint.
    attainment : Attainment, optional
        :func:`journey.waits.target_attainment`.
    flow : bool
        The log has completion times only: say "flow time", not "wait".

    Examples
    --------
    >>> s = pd.DataFrame({"activity": ["Lab"], "n": [40], "mean": [22.0], "median": [20.0],
    ...                   "median_ci_low": [17.0], "median_ci_high": [24.0], "p90": [41.0]})
    >>> print(wait_finding(s, lang="en"))  # doctest: +NORMALIZE_WHITESPACE
    The longest typical wait is before Lab: median 20 min (95% CI 17–24), and one patient
    in ten waits more than 41 min.
    """
    if isinstance(summary, Skipped):
        return Skipped(summary.reason, "waits")
    lang = _lang(lang)
    T = texts("findings", lang)
    rows = summary.dropna(subset=["median"])
    rows = rows[~rows.activity.isin(activities_of(rows.activity, "left_unseen"))]
    if rows.empty:
        return Skipped(T["no_block"], "waits")
    r = rows.sort_values(["median", "activity"], ascending=[False, True]).iloc[0]
    parts = [T["wait"].format(word=T["word_flow" if flow else "word_wait"],
                              a=_name(r.activity, lang), median=r["median"],
                              lo=r.median_ci_low, hi=r.median_ci_high, p90=r.p90)]
    if attainment is not None and not isinstance(attainment, Skipped):
        for _, row in attainment.table.iterrows():
            if row.n >= (get_min_count() or 5) and not math.isnan(row.share):
                parts.append(T["target"].format(share=row.share, measure=row.measure,
                                                lo=row.share_ci_low, hi=row.share_ci_high))
    return Finding("waits", T["join"].join(parts))


def effect_finding(comparison: Any, *, lang: str | None = None) -> Finding | Skipped:
    """Did the change work: the headline effect with its CI, method, verdict and caveats.

    The headline is the controlled row (difference-in-differences) when a control was
    given, else the ITS average effect after the change.
    """
    if isinstance(comparison, Skipped):
        return Skipped(comparison.reason, "effect")
    lang = _lang(lang)
    T = texts("findings", lang)
    table = comparison.table
    did = table[table.metric.str.startswith("difference-in-differences")]
    its = table[table.metric == "average effect after (ITS)"]
    row = (did if len(did) else its if len(its) else table).iloc[0]
    if row.ci_low > 0:
        verdict = T["rose"]
    elif row.ci_high < 0:
        verdict = T["fell"]
    else:
        verdict = T["unclear"]
    caveats = str(row.caveats).strip() if isinstance(row.caveats, str) else ""
    from journey.series import METRICS

    options = getattr(comparison, "options", None) or {}
    unit = METRICS.get(options.get("metric"), ("", "", ""))[2]
    unit = T["minutes"] if unit == "minutes" else ""
    what = f"{_name(options['activity'], lang)}: " if options.get("activity") else ""
    text = T["effect"].format(metric=what + row.metric, change=row.change, lo=row.ci_low,
                              hi=row.ci_high, method=row.method, verdict=verdict, unit=unit)
    if caveats:
        text += T["caveats"].format(caveats=caveats.rstrip("."))
    return Finding("effect", text)


def experience_finding(drivers: Any, *, lang: str | None = None) -> Finding | Skipped:
    """Where experience is won or lost: the top driver of overall satisfaction (relative
    weight with its CI) and the lowest-scoring dimension.

    Parameters
    ----------
    drivers : DataFrame
        :func:`journey.key_drivers`.
    """
    if isinstance(drivers, Skipped):
        return Skipped(drivers.reason, "experience")
    lang = _lang(lang)
    top = drivers.sort_values("rank").iloc[0]
    low = drivers.sort_values(["performance", "attribute"]).iloc[0]
    text = texts("findings", lang)["driver"].format(
        a=_name(top.attribute, lang), share=top.rw_share, lo=top.relative_weight_ci_low,
        hi=top.relative_weight_ci_high, low=_name(low.attribute, lang), perf=low.performance)
    return Finding("experience", text)
