"""journey.animate: frames and counts against a plain pandas count of the log."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest
from zoo import OPTIONS, SAMPLE, build

import journey
from journey.errors import JourneyError
from journey.privacy import set_min_count

CJK = re.compile(r"[\u4e00-\u9fff]")


def read_zoo(name: str, folder) -> journey.EventLog:
    """A zoo log; XES files with two UTC offsets are read on their recorded clock until
    read_log does so by itself."""
    path = build(name, folder)
    try:
        return journey.read_log(path, **OPTIONS.get(name, {}))
    except JourneyError as exc:
        if "time zones" not in str(exc):
            raise
        return journey.read_log(path, tz="Europe/Amsterdam", **OPTIONS.get(name, {}))


@pytest.fixture(scope="module")
def sample_log():
    visits = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    cases = visits.case_id.drop_duplicates().iloc[::4]
    return journey.read_log(visits[visits.case_id.isin(cases)])


def plain_events(log: journey.EventLog) -> pd.DataFrame:
    """Events with the previous end in the visit and the visit's first time, in pandas."""
    df = log.to_pandas()  # in visit and time order
    df["prev_end"] = df.groupby("case_id", sort=False).end.shift()
    times = df.start.fillna(df.end) if "start" in df else df.end
    df["first"] = times.groupby(df.case_id).transform("min")
    return df


def busiest(df: pd.DataFrame, unit: str) -> pd.Timestamp:
    firsts = df.groupby("case_id")["first"].min()
    keys = firsts.dt.normalize() if unit == "D" else firsts.dt.to_period("M").dt.start_time
    counts = keys.value_counts()
    return min(counts.index[counts == counts.max()])


def counts_at(fig, name: str) -> pd.DataFrame:
    """waiting / in_service / completed per node of the frame named ``name``."""
    frame = next(f for f in fig.frames if f.name == name)
    nodes = next(t for t in fig.data if (t.meta or {}).get("role") == "counts").meta["nodes"]
    return pd.DataFrame(np.asarray(frame.data[1].customdata, dtype=object), index=nodes,
                        columns=["waiting", "in_service", "completed"])


def test_busiest_day_frames_and_counts_equal_a_pandas_count(sample_log):
    df = plain_events(sample_log)
    day = busiest(df, "D")
    fig = journey.animate(sample_log, step=15)
    assert fig.layout.meta["window"][0] == f"{day:%Y-%m-%d} 00:00"
    chosen = df[df["first"].groupby(df.case_id).transform("min").between(
        day, day + pd.Timedelta(days=1), inclusive="left")]
    assert fig.layout.meta["visits"] == chosen.case_id.nunique()
    first, last = chosen[["start", "end"]].min().min(), chosen.end.max()
    expected = pd.date_range(first.floor("15min"), last, freq="15min")
    assert [f.name for f in fig.frames] == [f"{t:%Y-%m-%d %H:%M}" for t in expected]
    checked = 0
    for t in expected[::7]:
        got = counts_at(fig, f"{t:%Y-%m-%d %H:%M}")
        wait = chosen[(chosen.prev_end <= t) & (t < chosen.start)].groupby("activity").size()
        busy = chosen[(chosen.start <= t) & (t < chosen.end)].groupby("activity").size()
        done = chosen[(chosen.end >= t) & (chosen.end < t + pd.Timedelta(minutes=15))]
        done = done.groupby("activity").size()
        for column, plain in (("waiting", wait), ("in_service", busy), ("completed", done)):
            assert got[column].astype(int).to_dict() == \
                plain.reindex(got.index, fill_value=0).to_dict(), (t, column)
        checked += int(wait.sum() + busy.sum())
        # every waiting patient is in exactly one dot
        frame = next(f for f in fig.frames if f.name == f"{t:%Y-%m-%d %H:%M}")
        dots = np.asarray(frame.data[0].customdata).reshape(-1, 2)
        assert dots[:, 0].sum() == wait.sum()
    assert checked > 50  # the instants checked are not all empty


def test_dots_are_coloured_by_time_waited_so_far():
    log = journey.read_log(pd.DataFrame({
        "case_id": ["a", "a", "b", "b"], "activity": ["Check-in", "Exam"] * 2,
        "start": ["2024-05-02 10:00", "2024-05-02 11:00", "2024-05-02 10:00",
                  "2024-05-02 10:40"],
        "end": ["2024-05-02 10:10", "2024-05-02 11:20", "2024-05-02 10:20",
                "2024-05-02 11:00"]}))
    fig = journey.animate(log, step=10, bins=1)
    frame = next(f for f in fig.frames if f.name == "2024-05-02 10:30")
    # a waited 20 min, b 10 min: one dot of 2 patients, mean 15 min
    assert np.asarray(frame.data[0].customdata).tolist() == [[2, 15.0]]
    assert list(frame.data[0].marker.color) == [15.0]


def test_completion_only_log_moves_between_completions(tmp_path):
    log = read_zoo("sepsis_xes", tmp_path)
    assert log.time_kind == "flow"
    df = plain_events(log)
    fig = journey.animate(log, step="2h")
    assert "Completion times only" in fig.layout.title.text
    day = pd.Timestamp(fig.layout.meta["window"][0])
    assert day == busiest(df, "D")
    chosen = df[df.groupby("case_id")["first"].transform("min").between(
        day, day + pd.Timedelta(days=1), inclusive="left")]
    for f in fig.frames[::5]:
        t = pd.Timestamp(f.name)
        got = counts_at(fig, f.name)
        way = chosen[(chosen.prev_end <= t) & (t < chosen.end)].groupby("activity").size()
        assert got.waiting.astype(int).to_dict() == way.reindex(got.index, fill_value=0).to_dict()
        assert got.in_service.isna().all()  # no service is known without start times


def test_date_only_log_is_replayed_day_by_day(tmp_path):
    log = read_zoo("daily_xes", tmp_path)
    assert log.resolution == "day"
    with pytest.raises(JourneyError, match=r"period=\("):
        journey.animate(log, day="2006-03-01")
    df = plain_events(log)
    fig = journey.animate(log)
    month = busiest(df, "M")
    assert fig.layout.meta["window"][0] == f"{month:%Y-%m-%d} 00:00"
    assert fig.layout.meta["step_minutes"] == 1440
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", f.name) for f in fig.frames)
    chosen = df[df.groupby("case_id")["first"].transform("min").between(
        month, month + pd.offsets.MonthBegin(), inclusive="left")]
    seen = 0
    for f in fig.frames:
        d = pd.Timestamp(f.name)
        got = counts_at(fig, f.name)
        way = chosen[(chosen.prev_end < d) & (d < chosen.end)].groupby("activity").size()
        done = chosen[chosen.end == d].groupby("activity").size()
        assert got.waiting.astype(int).sum() == way.sum(), f.name
        assert got.completed.astype(int).to_dict() == \
            done.reindex(got.index, fill_value=0).to_dict(), f.name
        seen += int(done.sum())
    assert seen == len(chosen)  # every event completes on one of the frames


def test_gbk_export_and_a_chosen_period(tmp_path):
    log = read_zoo("gbk_his_csv", tmp_path)
    first, _ = log.period
    lo = first.normalize()
    fig = journey.animate(log, period=(lo, lo + pd.Timedelta(days=7)), lang="zh")
    assert fig.layout.meta["window"][0] == f"{lo:%Y-%m-%d} 00:00"
    assert CJK.search(fig.layout.title.text)
    assert fig.layout.updatemenus[0].buttons[0].label == "▶ 播放"


def test_small_counts_are_hidden(sample_log):
    set_min_count(5)
    try:
        fig = journey.animate(sample_log, step=30)
    finally:
        set_min_count(None)
    assert fig.layout.meta["hidden"] > 0
    assert "fewer than 5" in fig.layout.title.subtitle.text
    for f in fig.frames:
        dots = np.asarray(f.data[0].customdata).reshape(-1, 2)
        assert (dots[:, 0] >= 5).all()
        values = [v for row in f.data[1].customdata for v in row if v is not None]
        assert all(v == 0 or v >= 5 for v in values)
        assert not any(re.search(r"(?<![<\d])[1-4](?!\d)", t) for t in f.data[1].text)


def test_bad_arguments_name_the_fix(sample_log):
    with pytest.raises(JourneyError, match="not both"):
        journey.animate(sample_log, day="2025-02-03", period=("2025-02-01", "2025-03-01"))
    with pytest.raises(JourneyError, match="no visit starts"):
        journey.animate(sample_log, day="2031-01-01")
    with pytest.raises(JourneyError, match="bins"):
        journey.animate(sample_log, bins=0)


def test_figure_is_small_and_offline(sample_log, tmp_path):
    fig = journey.animate(sample_log)
    assert len(fig.frames) <= 150
    assert len(fig.to_json()) < 5e6
    html = fig.to_html(include_plotlyjs=True, full_html=True)
    assert not re.search(r"<script[^>]*\bsrc=", html)  # nothing loaded from the network
    json.loads(fig.to_json())  # plain JSON, reopened anywhere


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian: "
                    "scripts/setup-system.sh or apt-get install chromium)")
def test_animation_renders_in_headless_chromium(sample_log, tmp_path):
    from test_report_browser import drawn_figures, open_page

    page = tmp_path / "animation.html"
    journey.animate(sample_log, lang="zh").write_html(page, include_plotlyjs=True)
    soup, errors = open_page(page, tmp_path / "profile")
    assert errors == []
    [figure] = drawn_figures(soup)
    assert figure.select("g.slider-container")  # the time slider is drawn
    assert CJK.search(" ".join(t.get_text() for t in figure.select("svg text")))
