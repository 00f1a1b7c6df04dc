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
    """The public functions whose first parameter is an EventLog."""
    out = {}
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
            "target_attainment", "visit_table", "check_log"} <= set(FUNCTIONS)


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
                if hasattr(result, "figure"):
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
        assert what["journey_map"] == what["check_log"] == "ok"


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
        journey.compare_periods(sample_log, intervention="2025-02-24", activity="Nowhere")
    with pytest.raises(JourneyError, match="no events"):
        journey.littles_law(sample_log.filter(activities=["Nowhere"]))
    empty = journey.journey_map(sample_log.filter(activities=["Nowhere"]))
    assert empty.n_cases == 0 and empty.touchpoints.empty


@pytest.fixture(scope="module")
def sample_log():
    from zoo import SAMPLE

    return journey.read_log(SAMPLE)
