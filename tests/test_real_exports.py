"""read_log on logs shaped like real exports: clocks, dates, duplicates, lifecycle columns."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pandas as pd
import pytest
from zoo import build, sepsis_events

import journey
from journey.engine import wall_clock, wall_clock_values
from journey.errors import JourneyError


@pytest.fixture(scope="module")
def sepsis(tmp_path_factory):
    return journey.read_log(build("sepsis_xes", tmp_path_factory.mktemp("sepsis")))


def _plain_events() -> list[tuple[str, str, datetime]]:
    """(case, activity, recorded time) of every event of the sepsis fixture, in file order,
    to the millisecond as XES writes it."""
    return [(trace["concept:name"], e["concept:name"],
             e["time:timestamp"].replace(microsecond=e["time:timestamp"].microsecond // 1000
                                         * 1000))
            for trace, events in sepsis_events() for e in events]


def test_seasonal_offsets_load_with_no_option_and_every_event_is_kept(sepsis):
    events = _plain_events()
    assert sepsis.n_events == len(events)  # twins with the same time are distinct events
    assert sepsis.n_cases == 120 and not sepsis.has_start
    assert sepsis.utc_offset == 60  # held at +01:00, the smallest offset in the file
    assert {s for _, s in sepsis.clock} == {0, 60}
    assert sepsis.exclusions.empty


def test_flow_times_across_the_clock_change_are_between_true_instants(sepsis):
    expected: dict[tuple[str, int], float] = {}
    by_case: dict[str, list[datetime]] = {}
    for case, _, t in _plain_events():  # Python compares one zone's times by wall clock
        by_case.setdefault(case, []).append(t.astimezone(UTC))
    for case, times in by_case.items():
        order = sorted(range(len(times)), key=lambda i: (times[i], i))  # ties in file order
        for k in range(1, len(order)):
            gap = times[order[k]] - times[order[k - 1]]
            expected[(case, k + 1)] = gap.total_seconds() / 60
    out = sepsis.to_pandas().assign(seq=sepsis.table.order_by(["case_id", "_seq"]).execute()._seq)
    out["gap"] = out.groupby("case_id").end.diff().dt.total_seconds() / 60
    got = {(c, s): g for c, s, g in zip(out.case_id, out.seq, out.gap, strict=True)
           if not pd.isna(g)}
    assert got == pytest.approx(expected)
    across = [k for k, v in expected.items() if k[0].endswith(("0", "20"))]
    assert across  # the fixture has visits under way at a clock change


def test_hours_and_weekdays_use_the_recorded_wall_clock(sepsis):
    recorded = sorted((case, a, t.replace(tzinfo=None)) for case, a, t in _plain_events())
    t = sepsis.table
    wall = t.select(t.case_id, t.activity, w=wall_clock(t.end, sepsis.clock)).execute()
    got = sorted(zip(wall.case_id, wall.activity, wall.w.dt.to_pydatetime(), strict=True))
    assert got == recorded
    values = wall_clock_values(sepsis.to_pandas().end, sepsis.clock)
    assert sorted(values.dt.hour) == sorted(r[2].hour for r in recorded)


def test_a_named_zone_converts_and_gives_the_same_durations(sepsis, tmp_path):
    path = build("sepsis_xes", tmp_path)
    zoned = journey.read_log(path, tz="Europe/Amsterdam")
    a, b = zoned.to_pandas(), sepsis.to_pandas()
    assert (a.end.diff().dropna() == b.end.diff().dropna()).all()
    tokyo = journey.read_log(path, tz="Asia/Tokyo")
    assert tokyo.clock == () and tokyo.utc_offset == 540
    with pytest.raises(JourneyError, match="not a time-zone name"):
        journey.read_log(path, tz="Europe/Atlantis")


def test_no_message_suggests_a_zone_the_data_do_not_imply():
    import journey._spark
    import journey.read

    for module in (journey.read, journey._spark):
        source = open(module.__file__, encoding="utf-8").read()
        assert "tz='Asia/Shanghai'" not in source


def test_naive_times_with_a_zone_are_exact_across_the_change():
    df = pd.DataFrame({"case_id": ["a", "a"], "activity": ["In", "Out"],
                       "end": ["2014-10-26 01:30", "2014-10-26 03:30"]})
    assert journey.read_log(df).to_pandas().end.diff().iloc[1] == pd.Timedelta(hours=2)
    log = journey.read_log(df, tz="Europe/Amsterdam")  # 02:00-03:00 happens twice that night
    assert log.to_pandas().end.diff().iloc[1] == pd.Timedelta(hours=3)
    t = log.table
    assert t.select(w=wall_clock(t.end, log.clock)).execute().w.dt.hour.tolist() == [1, 3]


def test_date_only_times_are_dates_whatever_the_offset_or_zone(tmp_path):
    path = build("daily_xes", tmp_path)
    log = journey.read_log(path)
    assert log.resolution == "day" and log.clock == ()
    ends = log.to_pandas().end
    assert (ends == ends.dt.normalize()).all()
    shanghai = journey.read_log(path, tz="Asia/Shanghai").to_pandas().end
    assert (shanghai == ends).all()  # never turned into 07:00 or 08:00
    plain = pd.DataFrame({"case_id": ["a", "a", "a"], "activity": ["In", "Lab", "Lab"],
                          "end": ["2025-01-06", "2025-01-06", "2025-01-07"]})
    log = journey.read_log(plain)  # the -06 is a day, not an offset
    assert log.resolution == "day" and log.n_events == 3
    assert log.to_pandas().end.tolist() == list(pd.to_datetime(plain.end))


def test_same_day_repeats_count_like_pm4py_directly_follows(tmp_path):
    path = build("daily_xes", tmp_path)
    log = journey.read_log(path)
    # pm4py: events sorted by time within the case, ties in file order; count each a -> b
    import xml.etree.ElementTree as ET

    ns = "{http://www.xes-standard.org/}"
    expected: Counter = Counter()
    n_events = 0
    for trace in ET.parse(path).getroot().iter(f"{ns}trace"):
        events = []
        for i, e in enumerate(trace.iter(f"{ns}event")):
            attrs = {a.get("key"): a.get("value") for a in e}
            events.append((attrs["time:timestamp"][:10], i, attrs["concept:name"]))
        events.sort()
        n_events += len(events)
        expected.update((a[2], b[2]) for a, b in zip(events, events[1:], strict=False))
    assert log.n_events == n_events
    m = journey.journey_map(log)
    got = {(r.source, r.target): r.transitions for r in m.transitions.itertuples()}
    assert got == dict(expected)


def test_a_column_named_like_lifecycle_is_one_only_if_its_values_are(tmp_path):
    df = pd.DataFrame({"hadm_id": ["h1", "h1", "h1", "h2"],
                       "eventtype": ["ED", "admit", "discharge", "admit"],
                       "careunit": ["Emergency Department", "Medicine", "UNKNOWN", "Neurology"],
                       "intime": ["2150-01-01 10:00", "2150-01-01 14:00", "2150-01-03 09:00",
                                  "2150-02-01 08:00"],
                       "outtime": ["2150-01-01 14:00", "2150-01-03 09:00", None,
                                   "2150-02-02 08:00"]})
    log = journey.read_log(df, case="hadm_id", activity="careunit", start="intime",
                           end="outtime")
    assert "lifecycle" not in log.columns and "eventtype" in log.attributes
    ex = log.exclusions.set_index("reason").rows
    assert ex["missing end time (kept as a moment at its start)"] == 1 and log.n_events == 4
    life = pd.DataFrame({"case": ["a", "a"], "activity": ["Lab", "Lab"],
                         "lifecycle": ["start", "complete"],
                         "timestamp": ["2024-05-06 08:00", "2024-05-06 08:30"]})
    assert journey.read_log(life).n_events == 1  # paired
    assert journey.read_log(life, lifecycle=None).n_events == 2  # detection off


def test_when_no_row_remains_the_error_names_the_cause():
    df = pd.DataFrame({"case_id": ["a", "b"], "activity": ["Lab", "Lab"],
                       "lifecycle": ["schedule", "schedule"],
                       "timestamp": ["2024-05-06 08:00", "2024-05-06 08:30"]})
    with pytest.raises(JourneyError, match=r"2 lifecycle event other than start/complete.*"
                                           r"lifecycle=None"):
        journey.read_log(df)


def test_out_of_memory_becomes_advice(tmp_path):
    path = build("sepsis_xes", tmp_path)
    journey.set_memory_limit("1MB")
    try:
        with pytest.raises(JourneyError, match="set_memory_limit"):
            journey.read_log(path)
    finally:
        journey.set_memory_limit(None)


def test_profiles_by_hour_count_on_the_recorded_clock(sepsis):
    out = journey.arrivals_vs_completions(sepsis, freq="1h")
    lo, hi = sepsis.period
    days = pd.Series(pd.date_range(lo.floor("D"), hi.floor("D"), freq="D").strftime("%a")
                     ).value_counts()
    plain = Counter((a, t.strftime("%a"), f"{t.hour:02d}:00") for _, a, t in _plain_events())
    got = {(r.activity, r.weekday, r.time): round(r.completions * days[r.weekday])
           for r in out.itertuples() if r.completions}
    assert got == dict(plain)
