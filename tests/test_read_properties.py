"""Property-based: malformed visit-log files give a log or a JourneyError, nothing else."""

from __future__ import annotations

import string

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import journey
from journey import JourneyError

HEADERS = ["case_id", "activity", "start", "end", "timestamp", "lifecycle", "resource",
           "就诊号", "环节", "开始时间", "结束时间", "科室", "patient_id", "note", ""]
CELLS = st.one_of(
    st.sampled_from(["", "a", "V001", "Lab", "挂号", "start", "complete", "x,y", '"q"',
                     "2025-01-06 08:00", "2025-01-06 07:00", "2025/1/6 9:00",
                     "2025-01-06T08:00:00+08:00", "2025-01-06T08:00:00Z", "2025-13-40 99:99",
                     "NaN", "null", "13812345678", "-1", "1e309"]),
    st.text(alphabet=string.printable + "诊号时间", max_size=12),
)


@st.composite
def csv_files(draw) -> bytes:
    headers = draw(st.lists(st.sampled_from(HEADERS), min_size=0, max_size=6))
    n_rows = draw(st.integers(0, 6))
    lines = [",".join(headers)]
    for _ in range(n_rows):
        width = draw(st.integers(max(len(headers) - 1, 0), len(headers) + 1))
        lines.append(",".join(draw(CELLS).replace("\n", " ") for _ in range(width)))
    text = draw(st.sampled_from(["\n", "\r\n"])).join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):  # damage some bytes
        cut = draw(st.integers(0, max(len(data) - 1, 0)))
        data = data[:cut] + draw(st.binary(max_size=4)) + data[cut:]
    return data


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=csv_files())
def test_malformed_csv_gives_a_log_or_a_journey_error(tmp_path, data):
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    try:
        log = journey.read_log(path)
    except JourneyError as err:
        assert str(err)  # a message, naming what is wrong
    else:
        assert log.n_events > 0
        journey.journey_map(log)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", None]), st.sampled_from(["R", "C", ""]),
                          CELLS, CELLS), max_size=6))
def test_malformed_frames_give_a_log_or_a_journey_error(rows):
    df = pd.DataFrame(rows, columns=["case_id", "activity", "start", "end"])
    try:
        log = journey.read_log(df)
    except JourneyError:
        return
    out = log.to_pandas()
    assert (out.end >= out.start).all() or out.start.isna().any()


def _plain_read(records: list[tuple], drop: bool) -> tuple[dict, list]:
    """Exclusions and ordered events with neighbours, by the documented rules in plain Python
    (``drop``: rows equal in every column are kept once)."""
    fields = ("case_id", "activity", "start", "end", "resource")
    rows = [dict(zip(fields, r, strict=True), _row=i) for i, r in enumerate(records)]
    counts = {}
    moments = [r for r in rows if r["end"] is None and r["start"] is not None]
    for r in moments:  # a start without an end is a moment at its start
        r["end"] = r["start"]
    counts["missing end time (kept as a moment at its start)"] = len(moments)
    for field, reason in (("case_id", "missing case id"), ("activity", "missing activity"),
                          ("end", "missing time")):
        kept = [r for r in rows if r[field] is not None]
        counts[f"{reason} (excluded)"] = len(rows) - len(kept)
        rows = kept
    kept = [r for r in rows if not (r["start"] is not None and r["end"] < r["start"])]
    counts["end before start (excluded)"] = len(rows) - len(kept)
    seen, rows = set(), []
    for r in kept:
        key = (r["case_id"], r["activity"], r["start"], r["end"], r["resource"])
        if key not in seen or not drop:
            seen.add(key)
            rows.append(r)
    counts["exact duplicate (dropped: duplicates='drop')"] = len(kept) - len(rows)
    events = []
    for case in sorted({r["case_id"] for r in rows}):
        visit = sorted((r for r in rows if r["case_id"] == case),
                       key=lambda r: (r["start"] or r["end"], r["end"], r["_row"]))
        for i, r in enumerate(visit):
            events.append((case, r["activity"], r["start"], r["end"],
                           visit[i - 1]["activity"] if i else None,
                           visit[i + 1]["activity"] if i + 1 < len(visit) else None))
    return {k: v for k, v in counts.items() if v}, events


TIMES = ["2025-01-06 08:00", "2025-01-06 08:05", "2025-01-06 08:10"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", None]), st.sampled_from(["R", "C", None]),
                          st.sampled_from([*TIMES, None]), st.sampled_from([*TIMES, None]),
                          st.sampled_from(["x", "y", None])), min_size=1, max_size=12))
@example([("a", "R", TIMES[0], TIMES[1], "x"), ("a", "C", TIMES[0], TIMES[1], "x"),
          ("a", "R", TIMES[0], TIMES[1], "x"), ("a", "C", TIMES[1], TIMES[2], "y")])
@pytest.mark.parametrize("duplicates", ["keep", "drop"])
def test_exclusions_duplicates_and_order_match_a_plain_implementation(duplicates, rows):
    # many ties and repeated rows: duplicates need not be next to each other in the file
    df = pd.DataFrame(rows, columns=["case_id", "activity", "start", "end", "resource"])
    counts, expected = _plain_read(rows, drop=duplicates == "drop")
    if df[["start", "end", "resource"]].isna().all().any():
        return  # a column without values is not recognised as that field
    if not expected:
        with pytest.raises(JourneyError, match="no usable rows"):
            journey.read_log(df, invalid="exclude", duplicates=duplicates)
        return
    log = journey.read_log(df, invalid="exclude", duplicates=duplicates)
    assert log.exclusions.set_index("reason").rows.to_dict() == counts
    out = log.table.execute().sort_values(["case_id", "_seq"])
    text = [None if pd.isna(t) else t.strftime("%Y-%m-%d %H:%M") for t in out.start]
    got = list(zip(out.case_id, out.activity, text, out.end.dt.strftime("%Y-%m-%d %H:%M"),
                   out._prev_activity.astype(object).where(out._prev_activity.notna(), None),
                   out._next_activity.astype(object).where(out._next_activity.notna(), None),
                   strict=True))
    assert got == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]),
                          st.text(alphabet="aAbB 'é诊\u3000-", min_size=1, max_size=4),
                          st.sampled_from(TIMES)), min_size=1, max_size=10))
def test_activities_as_an_enum_sort_compare_and_map_as_text(rows):
    import journey.read

    df = pd.DataFrame(rows, columns=["case_id", "activity", "end"])
    results, default = [], journey.read.ENUM_ACTIVITIES
    for limit in (default, 0):
        journey.read.ENUM_ACTIVITIES = limit
        try:
            log = journey.read_log(df)
        except JourneyError as err:
            results.append(str(err))
            continue
        finally:
            journey.read.ENUM_ACTIVITIES = default
        t = log.table
        first = t.activity.min().execute()
        results.append((t.order_by(["activity", "_row"]).execute()[["activity", "_row"]],
                        t.filter(t.activity > first).count().execute(),
                        journey.journey_map(log).transitions))
    if isinstance(results[0], str):
        assert results[0] == results[1]
        return
    for enum, text in zip(*results, strict=True):
        if isinstance(enum, pd.DataFrame):
            pd.testing.assert_frame_equal(enum, text)
        else:
            assert enum == text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["X", "Y", "Z"]),
                          st.sampled_from(TIMES)), min_size=1, max_size=12),
       st.sets(st.sampled_from(["X", "Y", "Z"]), min_size=1))
def test_first_pass_flags_count_the_visits_of_each_touchpoint(rows, kept):
    # the map counts a touchpoint's visits as the sum of flags set at loading; a plain count
    # of distinct visits per activity must agree, on the whole log and after filters
    from journey.engine import FIRST_PASS

    df = pd.DataFrame(rows, columns=["case_id", "activity", "end"])
    log = journey.read_log(df)
    assert FIRST_PASS in log.table.columns
    for part, sub in ((log, df),
                      (log.filter(activities=sorted(kept)), df[df.activity.isin(kept)]),
                      (log.filter(cases=["a", "b"]), df[df.case_id.isin(["a", "b"])])):
        if sub.empty:
            continue
        got = journey.journey_map(part).touchpoints.set_index("activity").cases
        expected = sub.groupby("activity").case_id.nunique()
        pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(),
                                       check_names=False, check_dtype=False)
