"""Data-quality report of a visit log, in the spirit of daqapo.

Every fact comes from a handful of engine queries whatever the number of columns: one over the
touchpoints (counts, quartiles), one over the visits (per visit and per column: values, smallest
and largest value, flagged events), one over rows equal in every column, and small queries over
the per-visit table for the totals and examples.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import combinations
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from journey._labels import texts
from journey._language import _resolve
from journey.engine import NEIGHBOURS, sequenced
from journey.stages import touchpoint_of

if TYPE_CHECKING:  # for the annotations only: EventLog.check calls check_log
    from journey.log import EventLog

__all__ = ["check_log"]

# catalogue touchpoints that begin or end a visit whatever their frequency in the log
_ARRIVALS = {"appointment_booking", "arrival", "registration", "triage"}
_EXITS = {"admission", "discharge", "left_unseen", "exit"}
_COLUMNS = ["check", "count", "unit", "share", "examples", "detail"]
_ROLES = ("case_id", "activity", "start", "end")  # never case attributes
_N_EXAMPLES = 5


def _normalise(label: str) -> str:
    """Lower case, width-folded, every run of spaces or punctuation one space."""
    label = unicodedata.normalize("NFKC", label)
    return re.sub(r"[\W_]+", " ", label).strip().casefold()


def _within(a: str, b: str, k: int) -> bool:
    """Whether the edit distance (Levenshtein) between ``a`` and ``b`` is at most ``k``."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        if min(current) > k:
            return False
        previous = current
    return previous[-1] <= k


def _near_duplicates(labels: Iterable[str], similarity: float) -> list[tuple[str, str]]:
    """Pairs of labels that may name one touchpoint, sorted.

    Two labels pair when they are equal once case, width, spaces and punctuation are ignored,
    or when they carry the same numbers and their edit distance is at most
    ``(1 - similarity)`` × the longer one's length: "Admission IC" ~ "Admission NC", but not
    "ureum - 370007" ~ "ureum - 370014" (two codes of a code list) nor "Lab 1" ~ "Lab 2".
    """
    by_form: dict[str, list[str]] = defaultdict(list)
    for label in sorted(set(labels)):
        by_form[_normalise(label)].append(label)
    pairs = {p for group in by_form.values() for p in combinations(group, 2)}
    by_numbers: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for form in by_form:
        by_numbers[tuple(re.findall(r"\d+", form))].append(form)
    tolerance = 1.0 - similarity
    for forms in by_numbers.values():
        forms.sort(key=len)
        chars = {f: set(f) for f in forms}
        for i, a in enumerate(forms):
            for b in forms[i + 1:]:
                k = int(tolerance * len(b) + 1e-9)
                if len(b) - len(a) > k:  # longer b only widens the gap: no pair further on
                    break
                # an edit changes the set of characters by at most two
                if k and len(chars[a] ^ chars[b]) <= 2 * k and _within(a, b, k):
                    pairs |= {tuple(sorted((x, y))) for x in by_form[a] for y in by_form[b]}
    return sorted(pairs)


def _orderable(dtype: Any) -> bool:
    """Whether both engines can take the smallest and largest value of a column of ``dtype``."""
    return bool(dtype.is_boolean() or dtype.is_string() or dtype.is_numeric()
                or dtype.is_temporal() or dtype.is_uuid() or dtype.is_binary())


def _names(columns: list[str], limit: int = 12) -> str:
    shown = ", ".join(columns[:limit])
    return shown + (f" and {len(columns) - limit} more" if len(columns) > limit else "")


class _Engine:
    """Plain SQL on the engine holding a table, for queries over hundreds of columns.

    Ibis builds a query in time proportional to its size with a large constant (about a
    millisecond per aggregate), too slow for one aggregate per column of a 2,000-column export;
    these queries are written as SQL text in the common subset of DuckDB's and Spark's SQL,
    over the Ibis-compiled SQL of the table.
    """

    def __init__(self, table: ir.Table) -> None:
        self.backend = ibis.get_backend(table)
        self.dialect = self.backend.name  # "duckdb" or "pyspark"
        self.mark = "`" if self.dialect == "pyspark" else '"'

    def q(self, name: str) -> str:
        """``name`` as a quoted identifier."""
        return self.mark + name.replace(self.mark, self.mark * 2) + self.mark

    def source(self, table: ir.Table) -> str:
        return f"({ibis.to_sql(table, dialect=self.dialect)})"

    def smallest(self, column: str, condition: str) -> str:
        """The five smallest values of ``column`` where ``condition`` holds, as a list."""
        x = self.q(column)
        if self.dialect == "duckdb":
            return f"min({x}, {_N_EXAMPLES}) FILTER (WHERE {condition})"
        return f"slice(array_sort(collect_list({x}) FILTER (WHERE {condition})), 1, {_N_EXAMPLES})"

    def per_column(self, table: ir.Table, columns: list[str], varying: list[bool]) -> str:
        """SQL of one row per (column ``i``, 1-based, and visit): the visit's events ``n``, the
        column's values ``v`` and whether they vary ``w`` (for columns marked in ``varying``).

        One aggregate per column builds two lists per visit, then the lists are unnested: the
        queries after it have a fixed size whatever the number of columns.
        """
        counts = ", ".join(f"count({self.q(c)})" for c in columns)
        varies = ", ".join(f"min({self.q(c)}) <> max({self.q(c)})" if w else "false"
                           for c, w in zip(columns, varying, strict=True))
        array = "list_value" if self.dialect == "duckdb" else "array"
        per_case = (f"SELECT case_id, count(*) AS n, {array}({counts}) AS v, "
                    f"{array}({varies}) AS w FROM {self.source(table)} AS t GROUP BY case_id")
        if self.dialect == "duckdb":
            return (f"SELECT case_id, n, generate_subscripts(v, 1) AS i, unnest(v) AS v, "
                    f"unnest(w) AS w FROM ({per_case}) AS p")
        return (f"SELECT case_id, n, i + 1 AS i, x.v AS v, x.w AS w FROM ({per_case}) AS p "
                f"LATERAL VIEW posexplode(arrays_zip(v, w)) e AS i, x")

    def run(self, sql: str) -> pd.DataFrame:
        result = self.backend.raw_sql(sql)
        return result.toPandas() if hasattr(result, "toPandas") else result.df()


def _examples(value: Any) -> list:
    return [] if value is None or (not hasattr(value, "__len__") and pd.isna(value)) \
        else list(value)


def _duplicates(engine: _Engine, t: ir.Table, columns: list[str],
                cases: str) -> tuple[int, list[str]]:
    """Rows repeating an earlier row in every column: their number and example row groups.

    ``cases`` is SQL selecting the ``case_id`` of the visits that may hold some.
    """
    keys = ", ".join(engine.q(c) for c in columns)
    top = engine.run(
        f"SELECT n, first_row, last_row, sum(n - 1) OVER () AS extra FROM ("
        f"SELECT count(*) AS n, min(_row) AS first_row, max(_row) AS last_row "
        f"FROM {engine.source(t)} AS t WHERE case_id IN ({cases}) GROUP BY {keys}) AS g "
        f"WHERE n > 1 ORDER BY first_row LIMIT {_N_EXAMPLES}")
    if top.empty:
        return 0, []
    examples = [f"rows {a} and {b}" if n == 2 else f"rows {a} … {b} ({n} rows)"
                for n, a, b in zip(top.n, top.first_row, top.last_row, strict=True)]
    return int(top.extra.iloc[0]), examples


def _touchpoint_stats(ev: ir.Table, has_start: bool) -> pd.DataFrame:
    """Per touchpoint: events, visits starting and ending there (and zero durations)."""
    first, last = ev.position == 1, ev.next_activity.isnull()
    per_activity = dict(n=ev.count(), firsts=ev.count(where=first), lasts=ev.count(where=last))
    if has_start:
        per_activity["zero"] = ev.count(where=ev.service == 0)
    stats = ev.group_by("activity").aggregate(**per_activity).execute()
    return stats.sort_values("activity", ignore_index=True)


def _no_events(log: EventLog, T: dict[str, Any]) -> pd.DataFrame:
    """The report of a log without events: one row that says so."""
    filters = "; ".join(log.filters) or "none"
    return pd.DataFrame([dict(check=T["events"], count=0, unit=T["units.events"],
                              share=float("nan"), examples=[],
                              detail=T["no_events"].format(filters=filters))],
                        columns=_COLUMNS)


def _columns(t: ir.Table, has_start: bool) -> tuple[list[str], list[str], list[str],
                                                    list[bool]]:
    """The source's columns, those checked, the attributes, and which may be case attributes."""
    columns = [c for c in t.columns if not c.startswith("_")]
    checked = [c for c in columns if c != "start" or has_start]
    attributes = [c for c in columns if c not in _ROLES]
    schema = t.schema()
    candidates = [c in attributes and _orderable(schema[c]) for c in checked]
    return columns, checked, attributes, candidates


def _exact_duplicates(engine: _Engine, t: ir.Table, columns: list[str], log: EventLog,
                      total: pd.Series, per_case: ir.Table) -> tuple[int, list] | None:
    """Exact duplicate rows, or None when loading already dealt with duplicates."""
    excluded = set(log.exclusions.reason) if len(log.exclusions) else set()
    duplicates: tuple[int, list] | None = None
    if not any("duplicate" in r for r in excluded):
        duplicates = 0, []
        if total.tied and "_row" in t.columns:  # only visits with ties can hold some
            duplicates = _duplicates(engine, t, columns, (
                f"SELECT case_id FROM {engine.source(per_case)} AS p WHERE tied > 0"))
    return duplicates


def _duration_findings(has_start: bool, flagged: Callable[[str], tuple[int, str, list]],
                       top: Callable[[str], str], T: dict[str, Any]) -> list[tuple]:
    """The rows (as arguments of ``add``) on negative, zero and overlapping durations."""
    if not has_start:
        return [(T["durations"], 0, "events", [], T["durations_detail"])]
    return [(T["negative"], *flagged("negative"), T["negative_detail"]),
            (T["zero"], *flagged("zero"), top("zero")),
            (T["overlap"], *flagged("overlap"), T["overlap_detail"])]


def _endpoints(stats: pd.DataFrame, arrival: Iterable[str] | None, exit: Iterable[str] | None,
               min_endpoint_share: float) -> tuple[list[str], list[str]]:
    """The touchpoints a complete visit starts and ends with (given, or found in ``stats``)."""
    labels = stats.activity.tolist()
    n_visits = int(stats.firsts.sum())
    if arrival is None:
        arrival = sorted(set(stats.activity[stats.firsts >= min_endpoint_share * n_visits])
                         | {a for a in labels if touchpoint_of(a) in _ARRIVALS})
    if exit is None:
        exit = sorted(set(stats.activity[stats.lasts >= min_endpoint_share * n_visits])
                      | {a for a in labels if touchpoint_of(a) in _EXITS})
    return list(arrival), list(exit)


def _event_flags(ev: ir.Table, has_start: bool, arrival: list[str], exit: list[str],
                 window: tuple[Any, Any] | None, extreme_iqr: float,
                 ) -> tuple[ir.Table, dict[str, ir.BooleanValue]]:
    """The events (with each touchpoint's extreme limit) and what flags an event, by check."""
    flags: dict[str, ir.BooleanValue] = {}
    if has_start:  # quartiles joined as an expression: the same on every engine
        quartiles = ev.group_by("activity").aggregate(q1=ev.service.quantile(0.25),
                                                       q3=ev.service.quantile(0.75))
        ev = ev.left_join(quartiles.select(
            "activity", _limit=quartiles.q3 + extreme_iqr * (quartiles.q3 - quartiles.q1)),
            "activity")
        flags.update(negative=ev.service < 0, zero=ev.service == 0, overlap=ev.gap < 0,
                     extreme=ev.service > ev._limit)
    flags["incomplete"] = ((ev.position == 1) & ~ev.activity.isin(arrival)) | (
        ev.next_activity.isnull() & ~ev.activity.isin(exit))
    if window is not None:
        lo, hi = (pd.Timestamp(w) for w in window)
        flags["outside"] = (ev.end < lo) | (ibis.coalesce(ev.start, ev.end) >= hi)
    return ev, flags


def _flag_totals(engine: _Engine, per_case: ir.Table, flags: Iterable[str]) -> pd.Series:
    """Visits, events, the longest visit, ties, and per flag its events, visits and examples."""
    per_flag = ["count(*) AS visits", "sum(n) AS events", "max(n) AS longest",
                "sum(tied) AS tied"]
    for f in flags:
        per_flag += [f"sum({f}) AS {f}_events",
                     f"count(*) FILTER (WHERE {f} > 0) AS {f}_visits",
                     f"{engine.smallest('case_id', f'{f} > 0')} AS {f}_examples"]
    return engine.run(f"SELECT {', '.join(per_flag)} FROM {engine.source(per_case)} AS p"
                      ).iloc[0]


def _column_facts(engine: _Engine, t: ir.Table, checked: list[str], candidates: list[bool],
                  ) -> pd.DataFrame:
    """Per column: events without a value, visits without any, visits where it varies, ..."""
    facts = engine.run(
        f"SELECT i, sum(n - v) AS missing, count(*) FILTER (WHERE v = 0) AS absent, "
        f"count(*) FILTER (WHERE w) AS varying, "
        f"count(*) FILTER (WHERE v > 0 AND v < n) AS partial, "
        f"{engine.smallest('case_id', 'v < n')} AS examples "
        f"FROM ({engine.per_column(t, checked, candidates)}) AS u GROUP BY i")
    facts = facts.set_index(facts.i.astype(int) - 1).sort_index()
    facts.index = checked
    return facts


def _column_findings(case_attributes: list[str], missing: list[str], facts: pd.DataFrame,
                     attributes: list[str], T: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows (as arguments of ``add``) on case attributes and missing values."""
    found: list[dict[str, Any]] = []
    if case_attributes:
        partial = [c for c in case_attributes if facts.partial[c]]
        absent = [T["absent_visits"].format(name=c, n=int(facts.absent[c]))
                  for c in case_attributes if facts.absent[c]]
        detail = T["case_attributes_detail"].format(names=_names(case_attributes))
        if partial:
            detail += T["partial"].format(names=_names(partial))
        if absent:
            detail += T["absent"].format(names=_names(absent))
        found.append(dict(check=T["case_attributes"], count=len(case_attributes),
                          unit="columns", examples=case_attributes, detail=detail,
                          total=len(attributes)))
    for c in missing:
        found.append(dict(
            check=T["missing"].format(column=c), count=int(facts.missing[c]), unit="events",
            examples=_examples(facts.examples[c]),
            detail=T["missing_start"] if c == "start" else T["missing_detail"]))
    return found


def _extreme_counts(ev: ir.Table, extreme: ir.BooleanValue, stats: pd.DataFrame,
                    total: pd.Series) -> pd.Series | int:
    """Extreme service times per touchpoint of ``stats`` (0 when there are none)."""
    if not total.extreme_events:
        return 0
    counts = ev.group_by("activity").aggregate(extreme=ev.count(where=extreme)).execute()
    return stats.activity.map(counts.set_index("activity").extreme)


def _label_finding(labels: list[str], similarity: float, T: dict[str, Any]) -> dict[str, Any]:
    """The row (as arguments of ``add``) on near-duplicate activity labels."""
    pairs = _near_duplicates(labels, similarity)
    return dict(check=T["near"], count=len(pairs), unit="pairs",
                examples=[T["near_example"].format(a=a, b=b) for a, b in pairs[:_N_EXAMPLES]],
                detail=T["near_detail"])


def check_log(
    log: EventLog,
    *,
    arrival: Iterable[str] | None = None,
    exit: Iterable[str] | None = None,
    window: tuple[Any, Any] | None = None,
    extreme_iqr: float = 3.0,
    similarity: float = 0.85,
    min_endpoint_share: float = 0.05,
    lang: str | None = None,
) -> pd.DataFrame:
    """The checks behind :meth:`journey.EventLog.check`, which documents them."""
    T = texts("check", _resolve(lang))
    t = log.table
    has_start = log.has_start
    engine = _Engine(t)
    needed = ("case_id", "activity", "start", "end", "_seq", *NEIGHBOURS)
    ev = sequenced(t.select(*[c for c in needed if c in t.columns]), has_start=has_start)
    ev = ev.drop("occurrence")

    # 1. per touchpoint: events, visits starting and ending there, quartiles of service time
    stats = _touchpoint_stats(ev, has_start)
    if stats.empty:  # nothing to check: say so in one row
        return _no_events(log, T)
    arrival, exit = _endpoints(stats, arrival, exit, min_endpoint_share)

    # 2. per visit: its events, flagged events, and ties (rows equal in every column are
    #    neighbours in the visit's order: same start and end)
    ev, flags = _event_flags(ev, has_start, arrival, exit, window, extreme_iqr)
    per_case = ev.group_by("case_id").aggregate(
        n=ev.count(), tied=ev.count(where=ev.end.identical_to(ev.prev_end)),
        **{f: ev.count(where=cond) for f, cond in flags.items()}).cache()

    # 3. per column: events without a value, visits without any, visits where it varies
    columns, checked, attributes, candidates = _columns(t, has_start)
    try:
        total = _flag_totals(engine, per_case, flags)
        facts = _column_facts(engine, t, checked, candidates)
        n_events, n_cases = int(total.events), int(total.visits)
        case_attributes = [c for c, candidate in zip(checked, candidates, strict=True)
                           if candidate and facts.varying[c] == 0
                           and facts.absent[c] < n_cases and total.longest >= 2]
        missing = [c for c in sorted(checked, key=lambda c: c == "start")
                   if facts.missing[c] and c not in case_attributes]
        duplicates = _exact_duplicates(engine, t, columns, log, total, per_case)
    finally:
        per_case.release()

    rows: list[dict] = []

    def add(check: str, count: int, unit: str, examples: list, detail: str,
            total: int | None = None) -> None:
        total = total or {"events": n_events, "visits": n_cases, "rows": n_events}.get(unit)
        share = count / total if total else float("nan")
        rows.append(dict(check=check, count=int(count), unit=T[f"units.{unit}"], share=share,
                         examples=examples, detail=detail))

    def flagged(f: str, unit: str = "events") -> tuple[int, str, list]:
        return int(total[f"{f}_{unit}"]), unit, _examples(total[f"{f}_examples"])

    def top(column: str) -> str:
        by = stats.sort_values([column, "activity"], ascending=[False, True]).head(5)
        by = by[by[column] > 0]
        return T["and"].join(f"{a}: {n}" for a, n in zip(by.activity, by[column],
                                                         strict=True))

    for r in log.exclusions.itertuples(index=False):
        add(T["excluded"].format(reason=r.reason), r.rows, "rows", list(r.example_rows),
            T["excluded_detail"])
    if duplicates is not None:
        add(T["duplicates"], *duplicates[:1], "events", duplicates[1], T["duplicates_detail"])
    for finding in _duration_findings(has_start, flagged, top, T):
        add(*finding)
    add(T["incomplete"], *flagged("incomplete", "visits"),
        T["incomplete_detail"].format(arrival=T["and"].join(map(str, arrival)),
                                      exit=T["and"].join(map(str, exit))))
    if has_start:
        stats["extreme"] = _extreme_counts(ev, flags["extreme"], stats, total)
        add(T["extreme"], *flagged("extreme"),
            T["extreme_detail"].format(iqr=extreme_iqr, top=top("extreme")))

    for finding in _column_findings(case_attributes, missing, facts, attributes, T):
        add(**finding)

    add(**_label_finding(stats.activity.tolist(), similarity, T))

    if window is not None:
        lo, hi = (pd.Timestamp(w) for w in window)
        add(T["outside"], *flagged("outside"), T["outside_detail"].format(lo=lo, hi=hi))
    return pd.DataFrame(rows, columns=_COLUMNS)
