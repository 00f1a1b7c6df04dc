"""journey.explore: the map after moving a control equals journey_map's for the same selection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from zoo import SAMPLE, build

import journey
from journey.errors import JourneyError

TABLES = ("touchpoints", "transitions", "starts", "ends")


@pytest.fixture(scope="module")
def sample_log():
    visits = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    cases = visits.case_id.drop_duplicates().iloc[::5]
    return journey.read_log(visits[visits.case_id.isin(cases)])


def same_map(explorer, expected) -> None:
    for name in TABLES:
        assert_frame_equal(getattr(explorer.journey_map, name), getattr(expected, name),
                           obj=name)
    drawn = {(s, e) for t in explorer.figure.data if t.meta["role"] == "edge"
             for s, e in zip(t.meta["source"], t.meta["target"], strict=True)}
    assert drawn == set(zip(expected.transitions.source, expected.transitions.target,
                            strict=True))


def test_sliders_redraw_the_map_of_journey_map(sample_log):
    ex = journey.explore(sample_log)
    same_map(ex, journey.journey_map(sample_log))
    ex.paths.value = 0.5
    expected = journey.journey_map(sample_log, paths=0.5)
    same_map(ex, expected)
    assert len(expected.transitions) < len(journey.journey_map(sample_log).transitions)
    ex.activities.value = 0.8
    same_map(ex, journey.journey_map(sample_log, activities=0.8, paths=0.5))
    assert any(n.startswith("activities=0.8") for n in ex.journey_map.notes)


def test_filters_are_those_of_the_log_and_select_like_log_filter(sample_log):
    ex = journey.explore(sample_log)
    departments = sorted(sample_log.to_pandas().department.unique())
    assert [v for _, v in ex.department.options][1:] == departments
    # segment filters: attributes with 2 to 12 values, nothing the log lacks
    visits = sample_log.to_pandas()
    few = {c for c in sample_log.attributes if 2 <= visits[c].nunique() <= 12
           and c not in ("patient_id", "resource", "department")}
    assert set(ex.segments) == few
    ex.department.value = departments[1]
    segment = sorted(ex.segments)[0]
    value = ex.segments[segment].options[1][1]
    ex.segments[segment].value = value
    lo, hi = 3, 40
    ex.period.index = (lo, hi)
    bounds = ex._bounds
    chosen = sample_log.filter(period=(bounds[lo][0], bounds[hi][1]),
                               department=departments[1], where={segment: value})
    same_map(ex, journey.journey_map(chosen))


def test_metric_colours_the_map(sample_log):
    ex = journey.explore(sample_log)
    ex.metric.value = "p90"
    tp = ex.journey_map.touchpoints.set_index("activity")
    node = next(t for t in ex.figure.data if t.meta["role"] == "node"
                and t.marker.showscale)
    colours = dict(zip(node.meta["nodes"], node.marker.color, strict=True))
    assert colours == pytest.approx(tp.wait_p90.loc[list(colours)].to_dict())
    assert "P90" in node.marker.colorbar.title.text


def test_chosen_path_equals_a_pandas_count(sample_log):
    ex = journey.explore(sample_log)
    options = [v for _, v in ex.path.options]
    s, t = options[1]
    ex.path.value = (s, t)
    df = sample_log.to_pandas()
    df["prev"] = df.groupby("case_id", sort=False).activity.shift()
    df["prev_end"] = df.groupby("case_id", sort=False).end.shift()
    moves = df[(df.prev == s) & (df.activity == t)]
    wait = (moves.start - moves.prev_end).dt.total_seconds() / 60
    known = wait[wait >= 0]
    assert int(ex.path_summary.visits) == moves.case_id.nunique()
    assert int(ex.path_summary.moves) == len(moves)
    assert ex.path_summary["wait_median"] == pytest.approx(np.median(known))
    assert ex.path_bins.transitions.sum() == len(known)
    edges = np.r_[ex.path_bins.lower, ex.path_bins.upper.iloc[-1]]
    plain, _ = np.histogram(known, bins=edges)
    assert ex.path_bins.transitions.tolist()[:-1] == plain.tolist()[:-1]
    assert ex.path_figure.data[0].y.tolist()  # the histogram is drawn


def test_min_count_hides_small_paths_and_nodes(sample_log):
    ex = journey.explore(sample_log, min_count=100)
    tr = ex.journey_map.transitions
    listed = [v for _, v in ex.path.options]
    assert listed == [(s, t) for s, t, c in zip(tr.source, tr.target, tr.cases, strict=True)
                      if c >= 100]
    edges = [s for t in ex.figure.data if t.meta["role"] == "edge" for s in t.meta["source"]]
    assert len(edges) == int((tr.cases >= 100).sum()) < len(tr)


def test_zoo_logs_of_other_shapes(tmp_path):
    log = journey.read_log(build("lifecycle_csv", tmp_path))
    ex = journey.explore(log, lang="zh")
    assert ex.department is None or len(ex.department.options) > 2
    assert ex.paths.description == "路径"
    ex.paths.value = 0.6
    same_map(ex, journey.journey_map(log, paths=0.6))
    gbk = journey.read_log(build("gbk_his_csv", tmp_path))
    ex = journey.explore(gbk)
    last = len(ex.period.options) - 1
    ex.period.index = (1, last)
    same_map(ex, journey.journey_map(gbk.filter(period=(ex._bounds[1][0], None))))


def test_touchpoints_slider_on_a_completion_only_log(tmp_path):
    """A log with completion times only (flow times): after the touchpoints slider, with and
    without a filter, the map equals journey_map's with the same options."""
    log = journey.read_log(build("sepsis_xes", tmp_path))
    assert log.time_kind == "flow"
    ex = journey.explore(log)
    ex.activities.value = 0.7
    expected = journey.journey_map(log, activities=0.7)
    assert len(expected.touchpoints) < len(journey.journey_map(log).touchpoints)
    same_map(ex, expected)
    ex.paths.value = 0.5
    same_map(ex, journey.journey_map(log, activities=0.7, paths=0.5))
    last = len(ex.period.options) - 1
    ex.period.index = (1, last)
    chosen = log.filter(period=(ex._bounds[1][0], None))
    same_map(ex, journey.journey_map(chosen, activities=0.7, paths=0.5))
    ex.activities.value = 0.4
    same_map(ex, journey.journey_map(chosen, activities=0.4, paths=0.5))


def test_filters_that_leave_nothing_are_said(tmp_path):
    log = journey.read_log(pd.DataFrame({
        "case_id": ["a", "a", "b", "b"], "activity": ["Check-in", "Exam"] * 2,
        "end": ["2024-05-02 10:00", "2024-05-02 11:00", "2024-07-02 10:00",
                "2024-07-02 10:40"]}))
    ex = journey.explore(log)
    ex.period.index = (1, 1)  # a month without visits
    assert ex.journey_map.n_cases == 0 and ex.figure is None
    assert ex.path.value is None
    with pytest.raises(JourneyError, match="EventLog"):
        journey.explore(log.to_pandas())


def test_touchpoints_slider_keeps_the_selection_and_the_engine_setting(sample_log):
    """Moving the touchpoints slider on a filtered selection maps the stored selection (no
    second copy), the map equals journey_map's, and the engine's threads are as before."""
    con = sample_log._con.con
    threads = con.execute("SELECT current_setting('threads')").fetchall()
    ex = journey.explore(sample_log)
    department = ex.department.options[1][1]
    ex.department.value = department
    stored = ex._selections[ex._key[:3]]
    ex.activities.value = 0.6
    assert ex._selections[ex._key[:3]] is stored
    chosen = sample_log.filter(department=department)
    same_map(ex, journey.journey_map(chosen, activities=0.6))
    assert con.execute("SELECT current_setting('threads')").fetchall() == threads
    for share in np.arange(0.5, 1.0, 0.05):  # more selections than are kept
        ex.activities.value = round(float(share), 2)
        ex.department.value = None if ex.department.value else department
    maps = [k for k in ex._cache if len(k) == 4]
    assert len(maps) == 8  # the oldest left the engine; the selections still mapped stay
    assert set(ex._selections) == {k[:3] for k in maps}
    same_map(ex, journey.journey_map(chosen if ex.department.value else sample_log,
                                     activities=ex.activities.value))
