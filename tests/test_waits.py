"""Waiting-time statistics checked against plain pandas/python computations and hand cases."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

import journey
from journey.errors import JourneyError
from journey.waits import (
    _events,
    _queue_at_arrival,
    left_unseen,
    target_attainment,
    wait_drivers,
    wait_figure,
    wait_summary,
)

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
T0 = pd.Timestamp("2025-01-06 08:00")  # a Monday


def random_log(seed: int = 1, n_cases: int = 60) -> pd.DataFrame:
    """Small log with ties, overlaps, single-event visits and whole-minute times."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_cases):
        t = T0 + pd.Timedelta(minutes=int(rng.integers(0, 3 * 24 * 60)))
        for a in rng.choice(["Triage", "Consultation", "Lab", "Pharmacy"],
                            size=int(rng.integers(1, 5))):
            start = t + pd.Timedelta(minutes=int(rng.integers(-5, 40)))  # may overlap
            end = start + pd.Timedelta(minutes=int(rng.integers(0, 20)))
            rows.append((f"c{c:03d}", a, start, end, ["A", "B"][c % 2]))
            t = end
    return pd.DataFrame(rows, columns=["case_id", "activity", "start", "end", "department"])


def plain_waits(df: pd.DataFrame) -> pd.DataFrame:
    """Wait before each touchpoint, row by row (order: start, end, source row)."""
    d = df.assign(_row=range(len(df))).sort_values(["case_id", "start", "end", "_row"])
    out = []
    for _, g in d.groupby("case_id"):
        prev = None
        for r in g.itertuples():
            gap = (r.start - prev.end) / pd.Timedelta(minutes=1) if prev is not None else np.nan
            out.append((r.case_id, r.activity, prev.activity if prev is not None else None,
                        gap if gap >= 0 else np.nan, r.start, prev.end if prev else pd.NaT,
                        r.department))
            prev = r
    return pd.DataFrame(out, columns=["case_id", "activity", "source", "wait", "start",
                                      "arrival", "department"])


def order_stat_ci(x: np.ndarray, q: float, conf: float = 0.95) -> tuple[float, float]:
    """Distribution-free CI of a quantile from binomial tail sums (plain python)."""
    x, n, a = np.sort(x), len(x), (1 - conf) / 2
    cdf = np.cumsum([math.comb(n, k) * q**k * (1 - q) ** (n - k) for k in range(n + 1)])
    lo = int(np.searchsorted(cdf, a - 1e-12))  # smallest k with P(K <= k) >= a
    hi = int(np.searchsorted(cdf, 1 - a - 1e-12)) + 1
    return (x[lo - 1] if lo >= 1 else np.nan), (x[hi - 1] if hi <= n else np.nan)


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return random_log()


@pytest.fixture(scope="module")
def log(df: pd.DataFrame) -> journey.EventLog:
    return journey.read_log(df)


def test_touchpoint_summary_matches_plain_pandas(df, log):
    got = wait_summary(log).set_index("activity")
    ref = plain_waits(df).dropna(subset=["wait"])
    for a, g in ref.groupby("activity"):
        w = g.wait.to_numpy()
        row = got.loc[a]
        assert row.n == len(w)
        assert row["mean"] == pytest.approx(w.mean())
        assert row["median"] == pytest.approx(np.quantile(w, 0.5))
        assert row.p90 == pytest.approx(np.quantile(w, 0.9))
        lo, hi = order_stat_ci(w, 0.5)
        np.testing.assert_allclose([row.median_ci_low, row.median_ci_high], [lo, hi])
        lo, hi = order_stat_ci(w, 0.9)
        np.testing.assert_allclose([row.p90_ci_low, row.p90_ci_high], [lo, hi])
        half = stats.t.ppf(0.975, len(w) - 1) * w.std(ddof=1) / np.sqrt(len(w))
        assert row.mean_ci_high - row["mean"] == pytest.approx(half)


def test_transition_and_visit_levels(df, log):
    ref = plain_waits(df)
    tr = wait_summary(log, level="transition").set_index(["source", "target"])
    exp = ref.dropna(subset=["wait"]).groupby(["source", "activity"]).wait
    pd.testing.assert_series_equal(tr["median"], exp.median().rename_axis(["source", "target"]),
                                   check_names=False)
    vis = wait_summary(log, level="visit", by="department").set_index("department")
    # a visit's wait is the sum of its known waits (none for a single touchpoint); its
    # department is that of its last touchpoint
    per_visit = ref.groupby("case_id", sort=False).agg(
        wait=("wait", lambda w: w.sum(min_count=1)), dept=("department", "last")).dropna()
    exp = per_visit.groupby("dept").wait
    pd.testing.assert_series_equal(vis["mean"], exp.mean(), check_names=False)
    pd.testing.assert_series_equal(vis["n"], exp.size(), check_names=False, check_dtype=False)
    with pytest.raises(JourneyError, match="visit attributes"):
        wait_summary(log, level="visit", by="activity")


def test_calendar_counts_opening_minutes_only():
    df = pd.DataFrame({"case_id": ["a", "a", "b", "b"],
                       "activity": ["Lab", "Review of results"] * 2,
                       "start": ["2025-01-06 15:00", "2025-01-07 09:00",  # Mon → Tue
                                 "2025-01-10 16:00", "2025-01-13 08:30"],  # Fri → Mon
                       "end": ["2025-01-06 16:00", "2025-01-07 09:10",
                               "2025-01-10 16:30", "2025-01-13 08:40"]})
    cal = {"weekdays": "08:00-17:00", "saturday": "08:00-12:00"}
    got = wait_summary(journey.read_log(df), calendar=cal, by="case_id", q=(0.5,))
    # a: 16:00-17:00 + 08:00-09:00 = 120; b: 16:30-17:00 + Sat 4 h + Mon 30 min = 300
    assert got.set_index("case_id")["mean"].to_dict() == {"a": 120.0, "b": 300.0}
    plain = wait_summary(journey.read_log(df), by="case_id").set_index("case_id")["mean"]
    assert plain.to_dict() == {"a": 17 * 60.0, "b": (2 * 24 + 16) * 60.0}


def test_target_attainment_against_wilson_by_hand(df, log):
    res = target_attainment(log, limits={"Consultation": 10}, ed_standard=("A", 60))
    ref = plain_waits(df)
    w = ref[(ref.activity == "Consultation")].wait.dropna()
    row = res.table.set_index("measure").loc["Consultation ≤ 10 min"]
    k, n = int((w <= 10).sum()), len(w)
    assert (row.n, row.within) == (n, k)
    z, p = 1.959963984540054, k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert row.share_ci_low == pytest.approx(centre - half)
    assert row.share_ci_high == pytest.approx(centre + half)
    visits = df.groupby("case_id").agg(a=("start", "min"), d=("end", "max"),
                                       dept=("department", "last"))
    ed = visits[visits.dept == "A"]
    los = (ed.d - ed.a) / pd.Timedelta(minutes=1)
    ed_row = res.table[res.table.measure.str.startswith("A:")].iloc[0]
    assert (ed_row.n, ed_row.within) == (len(ed), int((los <= 60).sum()))
    by_hour = res.by_hour[res.by_hour.measure == "Consultation ≤ 10 min"]
    assert by_hour.n.sum() == n and by_hour.within.sum() == k
    assert res.by_weekday.n.sum() == res.table.n.sum()


def test_left_unseen_kaplan_meier_by_hand():
    # seen after 10, 20, 30, 40 min; one patient leaves after 25 min.
    rows = []
    for i, (minutes, act) in enumerate([(10, "Consultation"), (20, "Consultation"),
                                        (25, "Left unseen"), (30, "Consultation"),
                                        (40, "Consultation")]):
        t = T0 + pd.Timedelta(hours=i)
        rows += [(f"v{i}", "Registration", t, t + pd.Timedelta(minutes=2)),
                 (f"v{i}", act, t + pd.Timedelta(minutes=minutes),
                  t + pd.Timedelta(minutes=minutes + (0 if act == "Left unseen" else 5)))]
    df = pd.DataFrame(rows, columns=["case_id", "activity", "start", "end"])
    r = left_unseen(journey.read_log(df), seen="Consultation")
    assert r.table.loc[0, ["visits", "left"]].tolist() == [5, 1]
    assert r.table.loc[0, "rate"] == 0.2
    # KM: S(10)=4/5, S(20)=3/5, censored at 25, S(30)=3/5*1/2=0.3 -> median 30
    np.testing.assert_allclose(r.survival.not_seen, [0.8, 0.6, 0.3, 0.0])
    assert r.median.estimate.iloc[0] == 30
    # Aalen-Johansen: P(left by 25) = S(25-) * 1/3 = 0.2; P(seen by 40) = 0.8
    assert r.incidence.set_index("time").loc[25, "left"] == pytest.approx(0.2)
    assert r.incidence.seen.iloc[-1] == pytest.approx(0.8)
    r.figure()


def test_queue_at_arrival_matches_brute_force(df, log):
    ev = _events(log)
    got = _queue_at_arrival(ev, ["activity"]).execute()
    ref = plain_waits(df).dropna(subset=["wait"])
    for r in got.itertuples():
        same = ref[ref.activity == r.activity]
        ahead = ((same.arrival < r.arrival) & (same.start > r.arrival)).sum()
        ties_in = ((same.arrival == r.arrival) & (same.start > r.arrival)).sum() - 1
        assert ahead <= r.queue <= ahead + max(ties_in, 0)


def test_wait_drivers_equals_quantreg_on_same_design():
    log = journey.read_log(random_log(seed=2, n_cases=200))
    res = wait_drivers(log, activity="Consultation", q=(0.5,), attributes=[], min_count=1)
    d = res.data
    x = pd.get_dummies(d[["department"]].astype(str), prefix_sep="=", dtype=float)
    ref_level = d.department.value_counts().idxmax()
    x = x.drop(columns=f"department={ref_level}")
    for f in ("hour", "weekday"):
        s = d[f].astype(str)
        dummies = pd.get_dummies(s, prefix=f, prefix_sep="=", dtype=float)
        x = x.join(dummies.drop(columns=f"{f}={s.value_counts().idxmax()}"))
    x = x.assign(queue=d.queue.astype(float), Intercept=1.0)
    fit = sm.QuantReg(d.wait.astype(float), x).fit(q=0.5)
    got = res.table.set_index("term").coef
    assert got["queue"] == pytest.approx(fit.params["queue"], abs=1e-6)
    assert got["Intercept"] == pytest.approx(fit.params["Intercept"], abs=1e-6)
    assert res.table.reading.str.len().gt(20).all()


def test_flow_logs_say_flow_time(df):
    flow = journey.read_log(df.drop(columns="start"))
    s = wait_summary(flow)
    assert set(s.time) == {"flow time"}
    assert "flow times" in s.attrs["notes"][0]
    fig = wait_figure(flow, kind="box")
    assert "Flow time" in fig.layout.title.text


@pytest.mark.skipif(not (SAMPLE / "truth.json").exists(), reason="sample data not built")
def test_sample_left_unseen_rates_match_truth():
    truth = json.loads((SAMPLE / "truth.json").read_text())["rates"]
    r = left_unseen(journey.read_log(SAMPLE / "visits.csv"))
    t = r.table.set_index("group")
    assert t.loc["all", "visits"] == truth["visits"]
    assert t.loc["all", "rate"] == pytest.approx(truth["left_unseen_rate"], abs=5e-5)
    for dept, rate in truth["left_unseen_rate_by_department"].items():
        assert t.loc[dept, "rate"] == pytest.approx(rate, abs=5e-5)


def test_wait_figure_is_the_same_whatever_the_row_order(df):
    """A re-run must draw the same figure: groups come in a fixed order, not the engine's."""
    shuffled = df.sample(frac=1, random_state=3).reset_index(drop=True)
    figures = [wait_figure(journey.read_log(d), kind="box") for d in (df, shuffled)]
    first, second = ([list(trace.y) for trace in f.data] for f in figures)
    assert first == second
    groups = list(dict.fromkeys(first[0]))
    assert groups == sorted(groups)
