"""Bottleneck analyses checked against plain numpy/pandas computations and the sample truth."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import journey
from journey.errors import JourneyError
from journey.queues import (
    arrivals_vs_completions,
    bottlenecks,
    littles_law,
    queue_over_time,
    time_decomposition,
    utilisation,
)

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
T0 = pd.Timestamp("2025-01-06 00:00")  # a Monday


def random_log(seed: int = 3, n_cases: int = 80) -> pd.DataFrame:
    """Whole-minute times over one week; ties, overlaps and single-event visits."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_cases):
        t = T0 + pd.Timedelta(minutes=int(rng.integers(7 * 60, 7 * 24 * 60 - 600)))
        for a in rng.choice(["Triage", "Lab", "Consultation"], size=int(rng.integers(1, 4))):
            start = t + pd.Timedelta(minutes=int(rng.integers(-3, 30)))
            end = start + pd.Timedelta(minutes=int(rng.integers(0, 15)))
            rows.append((f"c{c:03d}", a, start, end, f"R{int(rng.integers(0, 2))}"))
            t = end
    return pd.DataFrame(rows, columns=["case_id", "activity", "start", "end", "resource"])


def plain_events(df: pd.DataFrame) -> pd.DataFrame:
    d = df.assign(_row=range(len(df))).sort_values(["case_id", "start", "end", "_row"])
    d["arrival"] = d.groupby("case_id").end.shift()
    gap = (d.start - d.arrival) / pd.Timedelta(minutes=1)
    d["wait"] = gap.where(gap >= 0)
    d["service"] = (d.end - d.start) / pd.Timedelta(minutes=1)
    return d


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return random_log()


@pytest.fixture(scope="module")
def log(df) -> journey.EventLog:
    return journey.read_log(df)


def test_time_decomposition_against_plain_pandas(df, log):
    res = time_decomposition(log)
    ev = plain_events(df)
    v = ev.groupby("case_id").agg(a=("start", "min"), d=("end", "max"))
    los = ((v.d - v.a) / pd.Timedelta(hours=1)).sum()
    tot = res.totals.iloc[0]
    assert tot.los_hours == pytest.approx(los)
    assert tot.wait_hours == pytest.approx(ev.wait.sum() / 60)
    assert tot.service_hours == pytest.approx(ev.service.sum() / 60)
    assert tot.other_hours == pytest.approx(los - (ev.wait.sum() + ev.service.sum()) / 60)
    t = res.table.set_index("activity")
    exp = ev.groupby("activity").wait
    for a, w in exp:
        assert t.loc[a, "wait_hours"] == pytest.approx(w.sum() / 60)
        assert t.loc[a, "wait_share"] == pytest.approx(w.sum() / ev.wait.sum())
        assert t.loc[a, "wait_median"] == pytest.approx(w.median())
    tr = res.transitions
    assert tr.transitions.sum() == ev.arrival.notna().sum()
    assert tr.wait_share.sum() == pytest.approx(1.0)


def test_bottleneck_finds_an_injected_monday_morning_queue():
    rng = np.random.default_rng(0)
    rows = []
    for c in range(400):
        day = T0 + pd.Timedelta(days=int(rng.integers(0, 14)))
        t = day + pd.Timedelta(minutes=int(rng.integers(7 * 60, 15 * 60)))
        mon_morning = day.day_of_week == 0 and 9 <= t.hour < 11
        for a, base in (("Triage", 10), ("Lab", 5), ("Consultation", 30)):
            wait = rng.exponential(base * (6 if a == "Lab" and mon_morning else 1))
            start = (t + pd.Timedelta(minutes=wait)).round("s")
            rows.append((f"c{c}", a, start, start + pd.Timedelta(minutes=5)))
            t = start + pd.Timedelta(minutes=5)
    d = pd.DataFrame(rows, columns=["case_id", "activity", "start", "end"])
    res = bottlenecks(journey.read_log(d), days="weekday", min_events=10, top=None)
    top = res.table.iloc[0]
    assert top.activity == "Lab"
    assert top.worst_block.startswith("Mon ") and top.worst_block[4:6] in ("08", "09", "10")
    # block_mean and other_mean against plain pandas for the reported block
    ev = plain_events(d)
    lab = ev[ev.activity == "Lab"]
    h = int(top.worst_block[4:6])
    inside = (lab.start.dt.day_of_week == 0) & lab.start.dt.hour.between(h, h + 1)
    assert top.block_mean == pytest.approx(lab.wait[inside].mean())
    assert top.other_mean == pytest.approx(lab.wait[~inside].mean())
    assert top.block_events == inside.sum()
    assert res.table.wait_share.sum() == pytest.approx(1.0)
    assert top.sentence.startswith("Lab: mean wait")
    by_share = bottlenecks(journey.read_log(d), rank_by="share", min_events=10)
    assert by_share.table.activity.iloc[0] == "Consultation"
    res.figure()


def test_queue_sweep_matches_minute_grid(df, log):
    q = queue_over_time(log, freq="1h")
    ev = plain_events(df)
    lo = T0 + pd.Timedelta(days=int((ev.start.min() - T0).days))
    grid = pd.date_range(lo, ev.end.max().ceil("D"), freq="1min", inclusive="left")
    g = grid.to_numpy()
    for a, e in ev.groupby("activity"):
        w = e.dropna(subset=["wait"])
        waiting = np.zeros(len(g))
        for s, t in zip(w.arrival.to_numpy(), w.start.to_numpy(), strict=True):
            waiting += (g >= s) & (g < t)
        busy = np.zeros(len(g))
        for s, t in zip(e.start.to_numpy(), e.end.to_numpy(), strict=True):
            busy += (g >= s) & (g < t)
        hourly = pd.DataFrame({"queue": waiting, "in_service": busy}, index=grid
                              ).resample("1h").mean()
        got = q.table[q.table.activity == a].set_index("bin")[["queue", "in_service"]]
        got = got.reindex(hourly.index, fill_value=0.0)
        np.testing.assert_allclose(got.to_numpy(), hourly.to_numpy(), atol=1e-9)
    # weekday x hour profile: sum over the week's single Monday etc.
    prof = q.profile.set_index(["activity", "weekday", "hour"])
    tab = q.table.assign(weekday=q.table.bin.dt.day_of_week, hour=q.table.bin.dt.hour)
    days = pd.Series(pd.date_range(lo, ev.end.max().ceil("D"), freq="D", inclusive="left")
                     .day_of_week).value_counts()
    mon9 = tab[(tab.activity == "Lab") & (tab.weekday == 0) & (tab.hour == 9)].queue.sum()
    assert prof.loc[("Lab", "Mon", 9), "queue"] == pytest.approx(mon9 / days[0])
    q.heatmap("Lab")


def test_arrivals_and_completions_counts(df, log):
    t = arrivals_vs_completions(log, freq="1h")
    ev = plain_events(df)
    arrive = ev.arrival.fillna(ev.start)
    n_days = pd.Series(pd.date_range(ev.start.min().floor("D"), ev.end.max().floor("D"))
                       .day_of_week).value_counts()
    for kind, times in (("arrivals", arrive), ("starts", ev.start), ("completions", ev.end)):
        exp = (ev.assign(w=times.dt.day_of_week, time=times.dt.strftime("%H:00"))
               .groupby(["activity", "w", "time"]).size())
        got = t.assign(w=t.weekday.cat.codes).set_index(["activity", "w", "time"])[kind]
        for key, n in exp.items():
            assert got[key] == pytest.approx(n / n_days[key[1]])
        assert (got * got.index.get_level_values("w").map(n_days)).sum() == pytest.approx(
            len(ev))


def test_utilisation_inferred_and_rostered():
    d = pd.DataFrame({"case_id": ["a", "b", "c", "d"], "activity": ["Lab", "Lab", "Lab", "Review"],
                      "resource": ["L1", "L1", "L1", "L1"],
                      "start": ["2025-01-06 08:00", "2025-01-06 09:00", "2025-01-07 10:00",
                                "2025-01-06 09:30"],
                      "end": ["2025-01-06 08:30", "2025-01-06 09:30", "2025-01-07 10:20",
                              "2025-01-06 10:00"]})
    u = utilisation(journey.read_log(d))
    # busy 30+30+20+30 = 110 min; staffed 08:00-10:00 (120) + 10:00-10:20 (20) = 140 min
    r = u.resources.set_index("resource").loc["L1"]
    assert (r.busy_hours * 60, r.staffed_hours * 60) == pytest.approx((110, 140))
    t = u.table.set_index("activity")
    assert t.loc["Lab", "staffed_hours"] * 60 == pytest.approx(140 * 80 / 110)
    assert t.loc["Lab", "utilisation"] == pytest.approx(110 / 140)
    roster = pd.DataFrame({"resource": ["L1", "L1"], "start": ["2025-01-06 08:00",
                                                              "2025-01-07 08:00"],
                           "end": ["2025-01-06 12:00", "2025-01-07 12:00"]})
    ur = utilisation(journey.read_log(d), roster=roster).resources.iloc[0]
    assert ur.utilisation == pytest.approx(110 / 480)
    assert "inferred" in u.notes[0]


def test_littles_law_identity_on_a_hand_case():
    d = pd.DataFrame({"case_id": ["a", "b", "c"], "activity": ["X"] * 3,
                      "start": ["2025-01-06 01:00", "2025-01-06 02:00", "2025-01-06 23:00"],
                      "end": ["2025-01-06 03:00", "2025-01-06 03:00", "2025-01-07 01:00"]})
    r = littles_law(journey.read_log(d), window=("2025-01-06", "2025-01-07")).iloc[0]
    # census: (2 + 1 + 1 h inside the window) / 24 h; λW: 3/24 per h × (2+1+2)/3 h
    assert r.census == pytest.approx(4 / 24)
    assert r.lambda_w == pytest.approx(5 / 24)
    assert r.relative_difference == pytest.approx(0.25)


def test_logs_without_start_times_say_so(df):
    flow = journey.read_log(df.drop(columns="start"))
    res = bottlenecks(flow, min_events=1)
    assert any("flow times" in n for n in res.notes)
    assert "flow time" in res.table.sentence.iloc[0]
    assert res.table.utilisation.isna().all()
    with pytest.raises(JourneyError, match="start times"):
        queue_over_time(flow)


@pytest.mark.skipif(not (SAMPLE / "truth.json").exists(), reason="sample data not built")
def test_sample_bottleneck_is_the_lab_and_littles_law_holds():
    truth = json.loads((SAMPLE / "truth.json").read_text())["bottleneck"]
    log = journey.read_log(SAMPLE / "visits.csv")
    top = bottlenecks(log).table.iloc[0]
    assert top.activity == truth["activity"] == "Lab"
    assert top.worst_block == "Mon–Fri " + truth["hours"].replace("-", "–")
    realised = truth["realised_mean_wait_before_lab_min"]
    assert top.block_mean == pytest.approx(realised["weekday 09:00-11:00"], abs=1e-3)
    assert top.other_mean == pytest.approx(realised["other times"], abs=1e-3)
    little = littles_law(log).iloc[0]
    assert abs(little.relative_difference) < 0.03
