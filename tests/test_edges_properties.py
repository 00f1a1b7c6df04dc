"""Every public analysis at the edges: empty, one-visit, one-touchpoint and all-ties logs.

Each function of ``journey.__all__`` that takes an ``EventLog`` either returns a result (whose
``figure()`` draws or raises :class:`JourneyError`) or raises :class:`JourneyError`: never a
TypeError, a ValueError or a KeyError from inside. A property-based test draws small logs of
those shapes (with and without start times, timed or date-only); named cases pin the four
shapes the question is about.
"""

from __future__ import annotations

import inspect
import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journey
from journey.errors import JourneyError


def _log_functions() -> dict:
    """The public functions whose first parameter is an EventLog, and the log's own check."""
    out = {"check": journey.EventLog.check}
    for name in journey.__all__:
        f = getattr(journey, name)
        if inspect.isclass(f) or not callable(f):
            continue
        params = list(inspect.signature(f).parameters.values())
        if params and params[0].name == "log" and "EventLog" in str(params[0].annotation):
            out[name] = f
    return out


FUNCTIONS = _log_functions()


def test_the_functions_are_found():
    assert {"bottlenecks", "wait_summary", "journey_map", "compare_periods", "queue_over_time",
            "target_attainment", "visit_table", "check"} <= set(FUNCTIONS)


def _call_all(log: journey.EventLog, *, maps: bool = True) -> dict[str, str]:
    """Call every public analysis on ``log``; what each did: "ok" or "JourneyError"."""
    what = {}
    lo, hi = log.period if log.n_events else (pd.Timestamp("2030-01-01"),) * 2
    extra = {"compare_periods": {"intervention": lo + (hi - lo) / 2, "n_boot": 50}}
    for name, f in FUNCTIONS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                result = f(log, **extra.get(name, {}))
                what[name] = "ok"
                if callable(getattr(result, "figure", None)):  # a plotly figure is one already
                    try:
                        result.figure()
                    except JourneyError:
                        pass
                if name == "journey_map" and maps:  # the map's own tables and figures
                    for table in ("touchpoints", "transitions", "variants", "stages"):
                        getattr(result, table)
                    for draw in (result.process_map, result.stage_map, result.variants_chart):
                        try:
                            draw()
                        except JourneyError:
                            pass
            except JourneyError:
                what[name] = "JourneyError"
    return what


def _read(rows: list[tuple], *, start: bool = True) -> journey.EventLog:
    df = pd.DataFrame(rows, columns=["case_id", "activity", "start", "end"])
    return journey.read_log(df if start else df.drop(columns="start"))


T = "2031-05-05 08:00"
SHAPES = {
    "empty": lambda: _read([("a", "X", T, "2031-05-05 08:10")]).filter(activities=["nothing"]),
    "one visit": lambda: _read([("a", "X", T, "2031-05-05 08:10"),
                                ("a", "Y", "2031-05-05 08:30", "2031-05-05 08:40")]),
    "one touchpoint": lambda: _read([(c, "X", T, "2031-05-05 08:10") for c in "abcd"]),
    "all ties": lambda: _read([(c, a, T, T) for c in "abcd" for a in "XYZ"]),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_analysis_returns_or_raises_journey_error(shape):
    what = _call_all(SHAPES[shape]())
    assert set(what) == set(FUNCTIONS)
    if shape == "empty":  # nothing to analyse, but the map and the check still answer
        assert what["journey_map"] == what["check"] == "ok"


@st.composite
def small_logs(draw):
    """Logs of 1–4 visits over 1–3 touchpoints, with many equal times, timed or date-only."""
    days = draw(st.booleans())
    unit = pd.Timedelta(days=1) if days else pd.Timedelta(minutes=10)
    rows = []
    for case in range(draw(st.integers(1, 4))):
        t = draw(st.integers(0, 3))
        for _ in range(draw(st.integers(1, 4))):
            gap, service = draw(st.integers(0, 2)), draw(st.integers(0, 2))
            begin = pd.Timestamp("2031-05-05") + (t + gap) * unit
            rows.append((f"c{case}", draw(st.sampled_from("XYZ"[:draw(st.integers(1, 3))])),
                         str(begin), str(begin + service * unit)))
            t += gap + service
    log = _read(rows, start=draw(st.booleans()))
    if draw(st.booleans()):
        log = log.filter(activities=[draw(st.sampled_from("XYZ"))])  # may leave nothing
    return log


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_logs())
def test_small_logs_never_raise_anything_else(log):
    # each call compiles its queries afresh (seconds on two cores): few examples, no map figures
    assert set(_call_all(log, maps=False)) == set(FUNCTIONS)


def test_unknown_touchpoint_is_named(sample_log):
    with pytest.raises(JourneyError, match="not a touchpoint of this log"):
        journey.metric_series(sample_log, metric="wait_median", activity="Nowhere")
    with pytest.raises(JourneyError, match="not a touchpoint of this log"):
        journey.compare_periods(sample_log, intervention="2025-02-24", activity="Nowhere",
                                department="Internal Medicine")
    with pytest.raises(JourneyError, match="no events"):
        journey.littles_law(sample_log.filter(activities=["Nowhere"]))
    empty = journey.journey_map(sample_log.filter(activities=["Nowhere"]))
    assert empty.n_cases == 0 and empty.touchpoints.empty


@pytest.fixture(scope="module")
def sample_log():
    from zoo import SAMPLE

    return journey.read_log(SAMPLE)


# --------------------------------------------------------------------------- real shapes
def _zoo(name: str, folder) -> journey.EventLog:
    """A zoo log as a user reads it (offsets converted to the hospital's zone if needed)."""
    from zoo import OPTIONS, build

    path = build(name, folder)
    try:
        return journey.read_log(path, **OPTIONS.get(name, {}))
    except JourneyError as exc:  # mixed daylight-saving offsets: name the zone
        if "time zones" not in str(exc):
            raise
        return journey.read_log(path, tz="Europe/Amsterdam", **OPTIONS.get(name, {}))


@pytest.fixture(scope="module")
def zoo_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("zoo")


@pytest.fixture(scope="module")
def sepsis(zoo_dir):
    return _zoo("sepsis_xes", zoo_dir)


@pytest.fixture(scope="module")
def daily(zoo_dir):
    return _zoo("daily_xes", zoo_dir)


@pytest.fixture(scope="module")
def disco(zoo_dir):
    return _zoo("disco_csv", zoo_dir)


@pytest.fixture(scope="module")
def disco_frame(disco):
    return disco.to_pandas()[["case_id", "activity", "start", "end"]]


# 1. a flow time is never called a wait ------------------------------------------------------
def _no_wait(texts) -> None:
    for text in texts:
        assert "wait" not in str(text).lower().replace("not waits", ""), text


def test_flow_times_are_named_flow_in_every_table_and_sentence(sepsis, daily):
    for log in (sepsis, daily):
        assert log.time_kind == "flow"
        dec = journey.time_decomposition(log)
        b = journey.bottlenecks(log, top=None, min_events=10)
        tables = [dec.totals, dec.table, dec.transitions, b.table, b.blocks,
                  journey.visit_table(log)]
        for table in tables:
            _no_wait(table.columns)
            assert table.attrs["time_kind"] == "flow"
        assert {"flow_hours", "flow_share", "flow_median"} <= set(dec.table.columns)
        _no_wait(b.table.sentence)
        _no_wait([n for n in b.notes + dec.notes if "not waits" not in n])
        zh = journey.translate_columns(b.table, "zh")
        assert not any("等候" in c for c in zh.columns), list(zh.columns)
        _no_wait([dec.figure().layout.title.text])
    fig = journey.bottlenecks(sepsis, min_events=10).figure()
    _no_wait([fig.layout.title.text, *[a.title.text for a in fig.select_yaxes()]])
    drivers = journey.wait_drivers(sepsis, activity="CRP", lang="en")
    _no_wait([*drivers.data.columns, *drivers.table.reading, drivers.figure().layout.title.text])


def test_logs_with_start_times_keep_their_wait_columns(disco, sample_log):
    for log in (disco, sample_log):
        dec = journey.time_decomposition(log)
        assert {"wait_hours", "wait_share", "wait_median"} <= set(dec.table.columns)
        assert "total_wait_h" in journey.visit_table(log).columns


def test_compare_periods_names_a_flow_time(sample_log):
    flow = journey.read_log(sample_log.to_pandas().drop(columns=["start"]))
    res = journey.compare_periods(flow, intervention="2025-02-24", metric="wait_mean",
                                  activity="Consultation", department="Internal Medicine",
                                  case_mix=[], n_boot=100)
    assert res.measure == "daily mean flow time to Consultation (minutes)"
    _no_wait([res.measure, *res.table.metric, res.verdict])
    assert "流转时间" in res.figure(lang="zh").layout.yaxis.title.text


# 3. no TypeError on zoo shapes ---------------------------------------------------------------
def test_unknown_touchpoint_on_a_zoo_log(disco):
    with pytest.raises(JourneyError, match="not a touchpoint of this log"):
        journey.metric_series(disco, metric="wait_median", activity="Consultation", by=None)


# 5. bounded work -----------------------------------------------------------------------------
def test_queue_grid_is_coarsened_then_refused(monkeypatch, disco, sample_log):
    import importlib

    bn = importlib.import_module("journey.queues")

    full = journey.queue_over_time(disco)
    assert not any("coarsened" in n for n in full.notes)
    days = (disco.period[1].floor("D") - disco.period[0].floor("D")).days + 1
    cells = len(disco.activities) * days * 96  # 15-minute bins
    monkeypatch.setattr(bn, "MAX_CELLS", cells // 5)
    q = journey.queue_over_time(disco)
    assert any("coarsened to" in n for n in q.notes), q.notes
    width = q.table.groupby("activity").bin.diff().dropna().min()
    assert width >= pd.Timedelta("1h") and len(q.table) <= cells // 5
    # the time-weighted areas do not depend on the bins: the mean queue over the range agrees
    span = (q.table.bin.max() - q.table.bin.min())
    assert span > pd.Timedelta(0)
    monkeypatch.setattr(bn, "MAX_CELLS", 10)
    with pytest.raises(JourneyError, match="filter a shorter period"):
        journey.queue_over_time(sample_log)


def test_decades_of_dates_are_bounded():
    from journey.queues import MAX_CELLS, _bounded_freq

    lo, hi = pd.Timestamp("1990-01-01"), pd.Timestamp("2049-06-02")
    freq, notes = _bounded_freq("15min", 2, lo, hi, "filter")
    bins = (hi - lo) / pd.Timedelta(freq)
    assert freq == "2h" and 2 * bins <= MAX_CELLS < 2 * bins * 2  # the finest step that fits
    assert notes[0].startswith("Bins of 15min would make 4,166,784 cells")
    with pytest.raises(JourneyError, match="even daily bins"):
        _bounded_freq("15min", 600, lo, hi, "filter")  # 600 touchpoints over six decades
    assert _bounded_freq("15min", 12, pd.Timestamp("2031-01-01"), pd.Timestamp("2031-04-01"),
                         "filter") == ("15min", [])


# 6. right at the edges -----------------------------------------------------------------------
def _brute_queue(ev: pd.DataFrame) -> pd.Series:
    """Others already waiting (joined earlier, or at the same instant and earlier in case
    order, and not yet left) when each patient joined the queue of a touchpoint."""
    out = {}
    for _, g in ev.groupby(["activity", "department"] if "department" in ev else "activity"):
        g = g.rename(columns={"_seq": "seq"}).sort_values(["arrival", "case_id", "seq"])
        rows = list(g.itertuples())
        for i, r in enumerate(rows):
            out[(r.case_id, r.seq)] = sum(o.out >= r.arrival for o in rows[:i])
    return pd.Series(out)


def _queues(log: journey.EventLog) -> pd.DataFrame:
    from journey.waits import _events, _queue_at_arrival, _string_keys

    ev = _events(log)
    ev = ev.filter(ev.wait.notnull())
    keys = ["activity", "department"] if "department" in ev.columns else ["activity"]
    got = _queue_at_arrival(_string_keys(ev, keys), keys).execute()
    got["out"] = got.start.fillna(got.end) if "start" in got else got.end
    return got


@pytest.mark.parametrize("shape", ["disco", "dates", "sample week", "daily"])
def test_queue_at_arrival_equals_a_brute_force_count(shape, disco, disco_frame, daily,
                                                     sample_log):
    if shape == "disco":
        log = disco
    elif shape == "dates":  # the same visits with dates only: many equal times
        log = journey.read_log(disco_frame.assign(start=disco_frame.start.dt.normalize(),
                                                  end=disco_frame.end.dt.normalize()))
        assert log.resolution == "day"
    elif shape == "daily":
        log = daily
    else:
        log = sample_log.filter(period=("2025-01-13", "2025-01-20"))
    got = _queues(log)
    assert (got.queue >= 0).all()
    want = _brute_queue(got)
    assert got.set_index(["case_id", "_seq"]).queue.sort_index().tolist() == \
        want.sort_index().tolist()


def test_drivers_leave_out_terms_without_variation(disco_frame, sample_log):
    from journey.waits import wait_drivers

    # every wait exactly one day: no interval has any width, and nothing is reported as p = 0
    days = disco_frame.assign(start=disco_frame.start.dt.normalize(),
                              end=disco_frame.start.dt.normalize())
    first = days.groupby("case_id").start.transform("min")
    rank = days.groupby("case_id").cumcount()
    days = days.assign(start=first + pd.to_timedelta(rank, "D"),
                       end=first + pd.to_timedelta(rank, "D"))
    res = wait_drivers(journey.read_log(days), activity="Doctor review", min_count=5)
    assert res.table.empty or ((res.table.ci_high - res.table.ci_low) > 0).all()
    assert any("zero width" in n for n in res.notes), res.notes
    assert not any(t.startswith("hour=") for t in res.table.term)
    frame = sample_log.to_pandas()
    one = wait_drivers(journey.read_log(frame[frame.department == "Surgery"]),
                       activity="Consultation")
    assert not any(t.startswith("department=") for t in one.table.term)
    assert ((one.table.ci_high - one.table.ci_low) > 0).all()
    assert any("department" in n for n in one.notes if n.startswith("Left out")), one.notes


def test_no_nan_percent_when_nothing_is_waited(disco_frame, sample_log):
    first = disco_frame.groupby("case_id").start.transform("min")
    ties = journey.read_log(disco_frame.assign(start=first, end=first))
    b = journey.bottlenecks(ties, min_events=1)
    assert not any("nan" in s for s in b.table.sentence)
    assert all("no wait anywhere" in s for s in b.table.sentence)
    assert any("Every wait is 0 min" in n for n in b.notes)
    zh = journey.bottlenecks(ties, min_events=1, lang="zh")
    assert all("所有等候均为 0 分钟" in s for s in zh.table.sentence)
    assert not any("nan" in s for s in journey.bottlenecks(sample_log).table.sentence)


def test_target_attainment_says_which_targets_to_pass(sample_log, zoo_dir):
    for log in (sample_log, _zoo("gbk_his_csv", zoo_dir)):
        default = journey.target_attainment(log)  # consultation steps found by the catalogue
        assert not default.table.empty
        res = journey.target_attainment(log, limits={})
        assert res.table.empty
        assert res.notes[0].startswith("No target given: pass limits={touchpoint: minutes}")
        assert all(repr(a) in res.notes[0] for a in log.activities[:3])
        assert "No target given" in repr(res)
        with pytest.raises(JourneyError, match="No target given"):
            res.figure()
    gbk = _zoo("gbk_his_csv", zoo_dir)
    assert "departments: " in journey.target_attainment(gbk, limits={}).notes[0]


def test_a_return_weeks_later_is_no_pain_point(sepsis, sample_log):
    meta = [t.meta for t in journey.journey_map(sepsis).stage_map().data if t.meta][0]
    assert meta["new_episodes"] == ["Return ER"]
    assert "Return ER" not in meta["activities"]
    tp = journey.journey_map(sepsis).touchpoints
    ret = tp.set_index("activity").flow_median["Return ER"]  # completion times only
    assert ret > 7 * 24 * 60  # weeks after the visit's other touchpoints
    sample = [t.meta for t in journey.journey_map(sample_log).stage_map().data if t.meta][0]
    assert sample["new_episodes"] == [] and len(sample["activities"]) == 3


# date-only logs: no hour of day ----------------------------------------------------------
def test_date_only_logs_leave_hour_results_out(daily, disco_frame):
    b = journey.bottlenecks(daily, min_events=5)
    assert b.table.worst_block.isna().all() and b.blocks.empty
    assert any("dates only" in n for n in b.notes)
    assert all("dates only" in s for s in b.table.sentence)
    with pytest.raises(JourneyError, match="dates only"):
        b.figure()
    act = daily.activities[0]
    att = journey.target_attainment(daily, limits={act: 2 * 24 * 60})
    assert att.by_hour.empty and len(att.by_weekday)
    assert any("no attainment by hour" in n for n in att.notes)
    dated = journey.read_log(disco_frame.assign(start=disco_frame.start.dt.normalize(),
                                                end=disco_frame.end.dt.normalize()))
    q = journey.queue_over_time(dated)
    assert q.profile.empty
    assert q.table.groupby("activity").bin.diff().dropna().min() >= pd.Timedelta("1D")
    with pytest.raises(JourneyError, match="dates only"):
        q.heatmap()
    drivers = journey.wait_drivers(dated, activity="Doctor review", min_count=5)
    assert not any(t.startswith("hour=") for t in drivers.table.term)


# 8. caveats where they belong --------------------------------------------------------------
def test_verdict_rests_on_the_control_and_caveats_follow_the_rows(sample_log):
    res = journey.compare_periods(sample_log, intervention="2025-02-24", metric="wait_mean",
                                  activity="Consultation", department="Internal Medicine",
                                  control="Surgery", case_mix=["weekday", "age_band"],
                                  n_boot=200)
    assert res.verdict.startswith("Verdict, from the estimates vs Surgery")
    t = res.table.set_index("metric")
    for row in ("level change (ITS)", "average effect after (ITS)"):
        assert "uncontrolled: the verdict rests on the estimates vs Surgery" in t.caveats[row]
    qr = t[t.index.str.contains("quantile regression")]
    assert len(qr) == 2 and qr.caveats.str.contains("not independent").all()
    # the number in the verdict is the controlled average effect
    est = t.loc["average effect after vs Surgery (controlled ITS)", "change"]
    assert f"{est:+.1f}" in res.verdict


def test_an_uncontrolled_estimate_that_fails_its_placebo_says_so():
    import numpy as np

    rng = np.random.default_rng(3)
    arrival = pd.Timestamp("2031-01-06 08:00") + pd.to_timedelta(np.repeat(np.arange(84), 10),
                                                                 "D")
    # a step at the placebo date, none at the intervention: the ITS must be distrusted
    wait = 30 + rng.gamma(2, 4, arrival.size).round() + 25 * (arrival >= "2031-02-03")
    seen = arrival + pd.Timedelta(minutes=5) + pd.to_timedelta(wait, "min")
    df = pd.DataFrame({"case_id": np.tile(np.arange(arrival.size), 2), "department": "Clinic",
                       "activity": np.repeat(["Check-in", "Doctor"], arrival.size),
                       "start": np.concatenate([arrival, seen]),
                       "end": np.concatenate([arrival, seen]) + pd.Timedelta(minutes=5)})
    res = journey.compare_periods(journey.read_log(df), intervention="2031-03-03",
                                  metric="wait_mean", activity="Doctor", department="Clinic",
                                  placebo="2031-02-03", case_mix=[], n_boot=100)
    t = res.table.set_index("metric")
    assert "fails its placebo" in t.caveats["level change (ITS)"]
    assert "fails its placebo" in res.verdict


def test_kaplan_meier_band_names_its_method(sample_log):
    res = journey.left_unseen(sample_log, seen=["Consultation", "Treatment"], left="Left unseen")
    assert "Greenwood" in res.survival.attrs["method"]
    names = [t.name for t in res.figure(lang="en").data]
    assert "95% pointwise CI (Greenwood, plain)" in names
    # the band is the plain Greenwood band: estimate ± z·SE from the Greenwood variance
    s = res.survival
    assert ((s.ci_low <= s.not_seen + 1e-12) & (s.not_seen <= s.ci_high + 1e-12)).all()
