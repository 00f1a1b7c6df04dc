"""What the two readers share: column presets, time layouts, checks and their error messages.

:func:`journey.read_log` on DuckDB (:mod:`journey.read` and :mod:`journey.formats`) and on
Spark (:mod:`journey._spark`) map columns, check time zones and
headers, and word their refusals the same way because both take these from here.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from journey.errors import JourneyError

__all__ = [
    "COLUMN_PRESETS",
    "LIFECYCLE_WORDS",
    "TIME_FORMATS",
    "_COMPLETE_WORDS",
    "_FIELD_COLUMNS",
    "_OFFSET",
    "_RESERVED",
    "_START_WORDS",
    "_TEXT_COLUMNS",
    "_check_columns",
    "_check_options",
    "_duplicate_key",
    "_ends_before_start",
    "_event_time",
    "_map_columns",
    "_mixed_offsets",
    "_not_times",
    "_nothing_left",
    "_offsets",
    "_unreadable_times",
    "_same_header",
    "clock_from_days",
]

#: Column names recognised for each field, compared case-insensitively, ignoring spaces,
#: underscores and hyphens. Exact names are tried first, then the keywords in ``_KEYWORDS``.
COLUMN_PRESETS: dict[str, tuple[str, ...]] = {
    "case": ("case_id", "case", "caseid", "case:concept:name", "case id", "visit_id",
             "visit", "encounter_id", "episode_id", "就诊号", "就诊id", "就诊编号", "门诊号",
             "流水号", "就诊流水号"),
    "activity": ("activity", "concept:name", "activity name", "touchpoint", "event",
                 "task", "step", "环节", "活动", "环节名称", "活动名称", "节点", "事件"),
    "start": ("start", "start_time", "start timestamp", "start_timestamp", "starttime",
              "start_ts", "开始时间", "开始"),
    "end": ("end", "end_time", "complete", "complete timestamp", "complete_timestamp",
            "completetime", "complete_ts", "end timestamp", "end_timestamp", "结束时间",
            "完成时间", "结束"),
    "timestamp": ("timestamp", "time:timestamp", "time", "datetime", "event_time", "时间",
                  "时间戳", "发生时间"),
    "lifecycle": ("lifecycle", "lifecycle:transition", "transition", "event_type",
                  "生命周期", "状态"),
    "resource": ("resource", "org:resource", "staff", "人员", "操作员", "执行人", "资源"),
    "department": ("department", "dept", "case:department", "org:group", "科室", "部门"),
    "patient": ("patient_id", "patient", "patientid", "case:patient", "患者id", "患者编号",
                "病人id", "患者号", "病历号"),
}

_KEYWORDS: dict[str, tuple[str, ...]] = {
    "case": ("caseid", "visitid", "encounter", "就诊"),
    "activity": ("activity", "touchpoint", "环节", "活动"),
    "start": ("start", "开始"),
    "end": ("complete", "endtime", "结束", "完成"),
    "timestamp": ("timestamp", "时间"),
    "resource": ("resource", "staff", "人员"),
    "department": ("department", "科室"),
    "patient": ("patient", "患者", "病人"),
}

#: Timestamp layouts tried after ISO 8601 (which DuckDB parses natively). Day-first and
#: month-first layouts are ambiguous and never guessed: pass ``time_format`` for those.
TIME_FORMATS: tuple[str, ...] = (
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M:%S.%f", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%Y-%m-%d %H:%M", "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日 %H时%M分", "%Y年%m月%d日",
    "%Y%m%d%H%M%S", "%Y%m%d %H:%M:%S", "%Y%m%d %H:%M",
)

#: A UTC offset after a time of day (a plain date such as 2025-01-06 has none).
_OFFSET = r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$"
_START_WORDS = ("start", "begin", "开始")
_COMPLETE_WORDS = ("complete", "end", "finish", "结束", "完成")
#: Values of a lifecycle column (the XES lifecycle model and common spellings). A column is
#: taken as the lifecycle column only when every value is one of them.
LIFECYCLE_WORDS = frozenset((
    "schedule", "assign", "reassign", "start", "started", "begin", "suspend", "resume",
    "complete", "completed", "end", "finish", "finished", "autoskip", "manualskip", "withdraw",
    "ate_abort", "pi_abort", "unknown", "开始", "结束", "完成"))


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).casefold()


def _map_columns(columns: list[str], given: Mapping[str, str | None], label: str,
                 skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Map each field to a source column: user's choice, then presets, then keywords
    (except for the fields in ``skip``)."""
    available = [c for c in columns if not c.startswith("_")]
    normed = {_norm(c): c for c in available}
    mapping: dict[str, str] = {}
    for field, choice in given.items():
        if choice is None:
            continue
        if choice not in available:
            close = difflib.get_close_matches(str(choice), available, n=3, cutoff=0.4)
            raise JourneyError(
                f"the column {choice!r} given as {field}= is not in the file. "
                f"Closest names: {close or available[:8]}.", source=label, column=str(choice))
        mapping[field] = choice
    used = set(mapping.values())
    for field, names in COLUMN_PRESETS.items():
        if field in mapping or field in skip or field in given and given[field] is not None:
            continue
        hit = next((normed[_norm(n)] for n in names
                    if _norm(n) in normed and normed[_norm(n)] not in used), None)
        if hit is None:
            hit = next((c for c in available if c not in used
                        and any(k in _norm(c) for k in _KEYWORDS.get(field, ()))), None)
        if hit is not None:
            mapping[field] = hit
            used.add(hit)
    missing = [f for f in ("case", "activity") if f not in mapping]
    if not any(f in mapping for f in ("end", "timestamp", "start")):
        missing.append("end")
    if missing:
        hints = []
        for field in missing:
            close = difflib.get_close_matches(field, available, n=3, cutoff=0.3)
            hints.append(f"{field} (closest names found: {close or 'none'})")
        raise JourneyError(
            "required column(s) not found: " + "; ".join(hints) + f". Columns in the file: "
            f"{available[:15]}. Name them explicitly, e.g. read_log(path, case='VisitNo', "
            "activity='Step', end='EndTime').", source=label)
    return mapping


def _check_options(tz: str | None, duplicates: str | Sequence[str], label: str) -> None:
    """Refuse a time-zone name that is not an IANA zone, and a ``duplicates`` that is neither
    ``"keep"``, ``"drop"`` nor a list of columns."""
    try:
        if tz is not None:
            ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise JourneyError(
            f"tz={tz!r} is not a time-zone name. Pass an IANA name such as 'Europe/Amsterdam' "
            "or 'America/New_York' (the zone the hospital's clock follows), or leave tz out to "
            "keep the times as recorded.", source=label) from exc
    if not (duplicates in ("keep", "drop") or (not isinstance(duplicates, str)
                                                and isinstance(duplicates, Sequence))):
        raise JourneyError(f"duplicates={duplicates!r}: pass 'keep', 'drop' or a list of "
                           "columns such as ['case_id', 'activity', 'end'].", source=label)


def clock_from_days(days: list[tuple[Any, Any, int]], label: str,
                    ) -> tuple[tuple[pd.Timestamp, int], ...]:
    """The log's clock from ``(first, last, minutes ahead)`` of each day and shift.

    Returns ``((from, minutes ahead), ...)`` in time order, empty when the clock never moves:
    a new entry starts at the first time recorded with another offset. A clock that moves
    more often than twice a year, or by more than an hour, is not one hospital's clock.
    """
    runs: list[tuple[Any, int]] = []
    for first, ahead in sorted((d[0], d[2]) for d in days):
        if not runs or runs[-1][1] != ahead:
            runs.append((first, ahead))
    if all(ahead == 0 for _, ahead in runs):
        return ()
    lo, hi = min(d[0] for d in days), max(d[1] for d in days)
    years = max((hi - lo).days / 365.25, 0)
    ahead = [s for _, s in runs]
    if len(runs) - 1 > 2 * (math.floor(years) + 1) or max(ahead) - min(ahead) > 60:
        shown = ", ".join(f"{t} ({s:+d} min)" for t, s in runs[:4])
        raise JourneyError(
            f"the UTC offsets in the times change {len(runs) - 1} times between {lo} and "
            f"{hi}, more often or further than a daylight-saving clock does (e.g. {shown}): "
            "the file mixes clocks. Pass tz= with the IANA name of the zone the hospital's "
            "clock follows to convert every time to it.", source=label)
    return tuple((pd.Timestamp(t), int(s)) for t, s in runs)


#: Events-table column of each field.
_FIELD_COLUMNS = {"case": "case_id", "activity": "activity", "start": "start", "end": "end",
                  "patient": "patient_id", "resource": "resource", "department": "department"}
#: Events-table column of each field read as text (the lifecycle only until it is paired).
_TEXT_COLUMNS = {**{f: c for f, c in _FIELD_COLUMNS.items() if f not in ("start", "end")},
                 "lifecycle": "_lifecycle"}


def _nothing_left(exclusions: list[dict], mapping: Mapping[str, str], label: str,
                  ) -> JourneyError:
    """The error when no usable row remains: what removed the rows, and what to check."""
    causes = "; ".join(f"{e['rows']:,} {e['reason']}" for e in exclusions) or \
        "the source has no rows"
    used = ", ".join(f"{field}={column!r}" for field, column in mapping.items())
    hint = (f" If {mapping['lifecycle']!r} is not a start/complete column, pass "
            "lifecycle=None." if "lifecycle" in mapping else "")
    return JourneyError(f"no usable rows remain: {causes}. Columns used: {used}.{hint} Name "
                        "the columns explicitly if one of them is wrong.", source=label)


def _ends_before_start(n: int, values: list, rows: list[int], mapping: Mapping[str, str],
                       label: str) -> JourneyError:
    """The error for ``n`` activity instances that end before they start (both engines)."""
    where = f"{mapping.get('end')!r} before {mapping.get('start', 'start')!r}"
    return JourneyError(
        f"{n} activity instance(s) end before they start ({where}), e.g. {values[:3]}. Correct "
        "the times in the export, or pass invalid='exclude' to leave these rows out (they are "
        "then counted in log.exclusions).", source=label, column=mapping.get("end"), rows=rows)


def _not_times(dtype: str, label: str, column: str) -> JourneyError:
    """The error for a time column of another type (``dtype``) than text or date-times."""
    return JourneyError(
        f"column holds {dtype} values, not timestamps. Export the times as text such as "
        "'2025-01-06 08:30:00' or as real date-time cells.", source=label, column=column)


def _unreadable_times(n: int, values: list, rows: list[int], label: str, column: str,
                      ) -> JourneyError:
    """The error for ``n`` values of ``column`` that no time layout reads."""
    shown = ", ".join(repr(v) for v in values)
    return JourneyError(
        f"{n} value(s) are not readable timestamps, e.g. {shown}. Use a layout such as "
        "'2025-01-06 08:30:00', or pass time_format='%d/%m/%Y %H:%M' (strftime codes) "
        "that matches the file.", source=label, column=column, rows=rows)


def _mixed_offsets(n_off: int, n_plain: int, values: list, rows: list[int], label: str,
                   column: str) -> JourneyError:
    """The error for a column whose times carry a UTC offset in some rows only."""
    return JourneyError(
        f"{n_off} value(s) carry a UTC offset and {n_plain} do not, e.g. {values[:3]}: the "
        "times without one cannot be placed on the same clock. Export all times with an "
        "offset, or all without.", source=label, column=column, rows=rows)


def _offsets(parts: Mapping[str, tuple[Any, Any]], mapping: Mapping[str, str], label: str,
             ) -> dict[str, Any]:
    """The UTC offset of each time field of ``parts`` (``{field: (wall, offset or None)}``)
    that has one; an error when the start and end columns do not both carry one or neither."""
    offsets = {f: off for f, (_, off) in parts.items() if off is not None}
    if offsets and len(offsets) < len(parts):
        naive = [mapping[f] for f in parts if f not in offsets]
        raise JourneyError(
            f"the times in {naive[0]!r} carry no UTC offset while those in "
            f"{mapping[next(iter(offsets))]!r} do, so they cannot be placed on one clock. "
            "Export both with offsets or both without.", source=label, column=naive[0])
    return offsets


_RESERVED = ("_row", "_file", "file_row_number")


def _same_header(first: tuple[str, list[str]] | None, part: str, names: list[str],
                 label: str) -> tuple[str, list[str]]:
    """The first part's header; raise when ``names`` (of ``part``) has other columns."""
    if first is None:
        return part, names
    ref, ref_names = first
    have = {n.casefold() for n in names}
    want = {n.casefold() for n in ref_names}
    extra = [n for n in names if n.casefold() not in want]
    lacking = [n for n in ref_names if n.casefold() not in have]
    if extra or lacking:
        diff = "; ".join(t for t in (
            f"it has {', '.join(map(repr, extra[:8]))} that {ref!r} has not" if extra else "",
            f"it lacks {', '.join(map(repr, lacking[:8]))}" if lacking else "") if t)
        raise JourneyError(f"the part {part!r} has other columns than the first part {ref!r}: "
                           f"{diff}. Give every part the same header (the order may differ), "
                           "or read the parts separately", source=label, column=(extra or
                                                                                 lacking)[0])
    return first


def _check_columns(names: list[str], label: str) -> None:
    seen: dict[str, str] = {}
    for n in names:
        if n in _RESERVED:
            raise JourneyError(f"the column name {n!r} is reserved for journey's row numbers; "
                               "rename that column", source=label)
        if n.casefold() in seen:
            raise JourneyError(f"duplicate column names {seen[n.casefold()]!r} and {n!r} (names "
                               "are compared ignoring case); give every column a unique name",
                               source=label)
        seen[n.casefold()] = n


def _event_time(mapping: dict[str, str]) -> dict[str, str]:
    """``mapping`` with the event time under ``"end"``: the timestamp column when there is no
    end column, or the start column when it is the only time."""
    if "end" not in mapping and "timestamp" in mapping:
        mapping["end"] = mapping.pop("timestamp")
    mapping.pop("timestamp", None)
    if "end" not in mapping:  # only a start column: treat it as the event time
        mapping["end"] = mapping.pop("start")
    return mapping


def _duplicate_key(duplicates: str | Sequence[str], mapping: Mapping[str, str],
                   columns: list[str]) -> tuple[list[str], str]:
    """The columns on which rows count as duplicates (every column for ``"drop"``, else the
    source or field names given), and the reason their dropped rows are counted under.

    Examples
    --------
    >>> key, reason = _duplicate_key(["visit", "activity"], {"case": "visit"},
    ...                              ["case_id", "activity", "end"])
    >>> key
    ['case_id', 'activity']
    """
    if duplicates == "drop":
        return list(columns), "exact duplicate (dropped: duplicates='drop')"
    field_of = {source: field for field, source in mapping.items()}
    key = [name if name in columns else _FIELD_COLUMNS.get(field_of.get(name, ""), "")
           for name in duplicates]
    unknown = [name for name, column in zip(duplicates, key, strict=True) if column not in columns]
    if unknown:
        raise JourneyError(f"duplicates= names {unknown}, which are not columns of the log. "
                           f"Columns: {columns}.")
    return key, f"row equal to an earlier one in {', '.join(key)} (dropped: duplicates=)"
