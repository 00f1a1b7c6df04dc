"""Tests of the simulated hospital, the sample data set and the what-if tools.

Every figure is recomputed here with plain Python loops or plain pandas from the CSV files.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import journey
from journey import _hospital as hp
from journey.errors import JourneyError
from journey.simulate import (
    Scenario,
    estimate_scenario,
    main,
    simulate_hospital,
    what_if,
)

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
T = "%Y-%m-%d %H:%M:%S"


def _read(name: str) -> list[dict]:
    with open(SAMPLE / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def visits() -> dict:
    """Plain-Python view of visits.csv: per case its ordered events, waits and summary."""
    rows = _read("visits.csv")
    events = defaultdict(list)
    for i, r in enumerate(rows):
        events[r["case_id"]].append((datetime.strptime(r["start"], T),
                                     datetime.strptime(r["end"], T), i, r))
    out = {}
    for cid, ev in events.items():
        ev.sort(key=lambda e: (e[0], e[1], e[2]))
        waits = [(e[3]["activity"], (e[0] - p[1]).total_seconds() / 60)
                 for p, e in zip(ev, ev[1:], strict=False)]
        acts = [e[3]["activity"] for e in ev]
        out[cid] = {"patient": ev[0][3]["patient_id"], "department": ev[-1][3]["department"],
                    "arrival": min(e[0] for e in ev), "end": max(e[1] for e in ev),
                    "waits": waits, "acts": acts, "booking": ev[0][3]["booking"],
                    "left_unseen": "Left unseen" in acts, "admitted": "Admission" in acts}
    return out


# -- determinism ------------------------------------------------------------------------------

def test_same_seed_same_frames_and_different_seed_differs():
    a = simulate_hospital(seed=7, days=5)
    b = simulate_hospital(seed=7, days=5)
    c = simulate_hospital(seed=8, days=5)
    for name in ("log", "surveys", "survey_touchpoints", "complaints", "followup_calls",
                 "patients"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert not a.log.equals(c.log)
    assert len(a.log) > 1000


def test_committed_sample_equals_fresh_regeneration(tmp_path):
    main(["--out", str(tmp_path)])
    committed = sorted(p.name for p in SAMPLE.iterdir() if p.is_file())
    assert sorted(p.name for p in tmp_path.iterdir()) == committed
    for name in committed:
        digest = [hashlib.sha256((d / name).read_bytes()).hexdigest() for d in (SAMPLE, tmp_path)]
        assert digest[0] == digest[1], f"{name} differs from a fresh regeneration"


# -- the sample data set ----------------------------------------------------------------------

def test_schema_and_sizes():
    log = pd.read_csv(SAMPLE / "visits.csv")
    assert list(log.columns) == ["case_id", "patient_id", "department", "activity", "start",
                                 "end", "resource", "age_band", "chronic", "visit_type",
                                 "booking", "triage_priority", "charge"]
    assert (SAMPLE / "visits.csv").stat().st_size < 8e6
    assert set(log.activity) <= set(journey.CATALOGUE.name_en)
    assert log.triage_priority.notna().eq(log.department.eq("Emergency")).all()
    assert (log.charge >= 0).all()
    zh = pd.read_csv(SAMPLE / "visits_zh.csv", encoding="gbk")
    assert list(zh.columns) == ["就诊号", "患者ID", "科室", "环节", "开始时间", "结束时间", "人员",
                                "年龄段", "慢病", "初复诊", "预约方式", "分诊级别", "费用"]
    assert set(zh["科室"]) == {"内科", "外科", "急诊科"}
    assert set(zh["环节"]) <= set(journey.CATALOGUE.name_zh)
    assert (zh["开始时间"] == log["start"]).all() and np.allclose(zh["费用"], log["charge"])


def test_no_column_looks_like_a_direct_identifier():
    bad_name = re.compile(r"name|phone|tel|mobile|birth|dob|address|card|email|姓名|电话|手机|"
                          r"出生|住址|身份证", re.IGNORECASE)
    id_pattern = {"case_id": r"V\d{6}", "patient_id": r"P\d{6}", "survey_id": r"S\d{6}",
                  "complaint_id": r"C\d{5}", "call_id": r"F\d{6}"}
    phone_or_id_number = re.compile(r"(?<!\d)(1[3-9]\d{9}|\d{17}[\dXx])(?!\d)")
    for path in sorted(SAMPLE.glob("*.csv")):
        enc = "gbk" if path.name.endswith("_zh.csv") else "utf-8"
        df = pd.read_csv(path, dtype=str, encoding=enc, keep_default_na=False)
        assert not [c for c in df.columns if bad_name.search(c)], path.name
        for col, pat in id_pattern.items():
            if col in df:
                assert df[col].str.fullmatch(pat).all(), (path.name, col)
        text = df.to_csv(index=False)
        assert not phone_or_id_number.search(text), path.name


def test_littles_law(visits):
    """Time-weighted census in a window = arrival rate × mean length of stay."""
    lo, hi = datetime(2025, 1, 13), datetime(2025, 3, 31)
    sweep = sorted([(v["arrival"], 1) for v in visits.values()]
                   + [(v["end"], -1) for v in visits.values()])
    area, n, last = 0.0, 0, lo
    for t, step in sweep:
        if t > lo:
            seg_end = min(t, hi)
            if seg_end > last:
                area += n * (seg_end - last).total_seconds()
                last = seg_end
        n += step
    horizon = (hi - lo).total_seconds()
    census = area / horizon
    inside = [v for v in visits.values() if lo <= v["arrival"] < hi]
    rate = len(inside) / horizon
    los = sum((v["end"] - v["arrival"]).total_seconds() for v in inside) / len(inside)
    assert census > 5
    assert census == pytest.approx(rate * los, rel=0.03)


def _mean(xs):
    return sum(xs) / len(xs)


def _median(xs):
    return float(np.median(xs))


def test_truth_before_after_matches_the_log(truth, visits):
    cut = datetime(2025, 2, 24)
    real = truth["intervention"]["realised"]
    for dept in ("Internal Medicine", "Surgery"):
        for period, keep in (("before", lambda v: v["arrival"] < cut),
                             ("after", lambda v: v["arrival"] >= cut)):
            cases = [v for v in visits.values() if v["department"] == dept and keep(v)]
            waits = [w for v in cases for a, w in v["waits"] if a == "Consultation"]
            los = [(v["end"] - v["arrival"]).total_seconds() / 60 for v in cases]
            t = real[dept][period]
            assert t["visits"] == len(cases) and t["consultations"] == len(waits)
            assert t["mean_wait_before_consultation_min"] == pytest.approx(_mean(waits),
                                                                           abs=1e-3)
            assert t["median_wait_before_consultation_min"] == pytest.approx(_median(waits),
                                                                             abs=1e-3)
            assert t["mean_length_of_stay_min"] == pytest.approx(_mean(los), abs=1e-3)
            assert t["median_length_of_stay_min"] == pytest.approx(_median(los), abs=1e-3)
            assert t["left_unseen_rate"] == pytest.approx(
                _mean([v["left_unseen"] for v in cases]), abs=1e-4)
    im, su = real["Internal Medicine"], real["Surgery"]
    # a clear drop in the treated department, none in the control
    assert im["before"]["mean_wait_before_consultation_min"] > 60
    assert im["after"]["mean_wait_before_consultation_min"] < 35
    assert abs(su["after"]["mean_wait_before_consultation_min"]
               - su["before"]["mean_wait_before_consultation_min"]) < 10
    # the true effect is realised after minus the counterfactual after
    cf = truth["intervention"]["counterfactual_without_time_slots"]
    eff = truth["intervention"]["true_effect_after"]
    for dept in ("Internal Medicine", "Surgery"):
        for k, x in eff[dept].items():
            assert x == pytest.approx(real[dept]["after"][k] - cf[dept][k], abs=2e-4)
    assert eff["Internal Medicine"]["mean_wait_before_consultation_min"] < -30
    assert abs(eff["Surgery"]["mean_wait_before_consultation_min"]) < 5


def test_appointments_follow_the_policy(visits):
    """Booked share of first visits: 15% without time slots, 85% with them."""
    cut = datetime(2025, 2, 24)
    first = {}
    for v in sorted(visits.values(), key=lambda v: v["arrival"]):
        first.setdefault(v["patient"], v)  # later visits of a patient are booked returns
    for dept, keep, share in (("Internal Medicine", lambda v: v["arrival"] < cut, 0.15),
                              ("Internal Medicine", lambda v: v["arrival"] >= cut, 0.85),
                              ("Surgery", lambda v: v["arrival"] >= cut, 0.15)):
        cases = [v for v in first.values() if v["department"] == dept and keep(v)]
        p = _mean([v["booking"] == "appointment" for v in cases])
        assert abs(p - share) < 4 * math.sqrt(share * (1 - share) / len(cases)), (dept, p)


def test_truth_rates_match_the_log(truth, visits):
    r = truth["rates"]
    assert r["visits"] == len(visits)
    assert r["left_unseen_rate"] == pytest.approx(
        _mean([v["left_unseen"] for v in visits.values()]), abs=1e-4)
    calls = _read("followup_calls.csv")
    early = {c["case_id"] for c in calls
             if datetime.strptime(c["called"], T) - datetime.strptime(c["visit_end"], T)
             <= timedelta(hours=72)}
    eligible = [cid for cid, v in visits.items() if not v["left_unseen"] and not v["admitted"]]
    assert r["followup_within_3_days_rate"] == pytest.approx(
        _mean([cid in early for cid in eligible]), abs=1e-4)
    # return within 30 days: next visit of the same patient
    by_patient = defaultdict(list)
    for v in visits.values():
        by_patient[v["patient"]].append(v["arrival"])
    window_end = datetime(2025, 4, 7)
    returned = []
    for v in visits.values():
        if v["end"] <= window_end - timedelta(days=30):
            later = [a for a in by_patient[v["patient"]] if a > v["arrival"]]
            returned.append(bool(later) and min(later) - v["end"] <= timedelta(days=30))
    assert r["return_within_30_days_rate"] == pytest.approx(_mean(returned), abs=1e-4)
    complaints = _read("complaints.csv")
    assert r["complaints_per_1000_visits"] == pytest.approx(
        1000 * len(complaints) / len(visits), abs=1e-3)
    # realised rates agree with the model's within sampling error
    m = truth["model"]
    p = m["followup"]["share_called_day_1_or_2"]
    n = len(eligible)
    assert abs(r["followup_within_3_days_rate"] - p) < 3 * math.sqrt(p * (1 - p) / n)
    process = _mean([c["category"] == "process" for c in complaints])
    q = m["complaint"]["categories"]["process"]
    assert abs(process - q) < 3 * math.sqrt(q * (1 - q) / len(complaints))


def test_survey_model_coefficient_is_recovered(truth, visits):
    """Regressing the overall score on hours waited recovers the stored coefficient."""
    surveys = _read("surveys.csv")
    x, y = [], []
    for s in surveys:
        v = visits[s["case_id"]]
        rework = len(set(v["acts"])) < len(v["acts"])
        x.append([1.0, sum(w for _, w in v["waits"]) / 60, float(rework),
                  float(v["left_unseen"])])
        y.append(float(s["overall"]))
    beta = np.linalg.lstsq(np.array(x), np.array(y), rcond=None)[0]
    b = truth["survey_model"]["overall_per_hour_wait"]
    assert b == pytest.approx(sum(d["weight"] * d["per_hour_wait"]
                                  for d in truth["survey_model"]["dimensions"].values()))
    assert beta[1] == pytest.approx(b, abs=0.05)


def test_injected_lab_bottleneck(truth):
    peak, other = [], []
    rows = _read("visits.csv")  # rows of a visit are in time order
    by_case = defaultdict(list)
    for r in rows:
        by_case[r["case_id"]].append(r)
    for evs in by_case.values():
        for prev, e in zip(evs, evs[1:], strict=False):
            if e["activity"] == "Lab":
                s = datetime.strptime(e["start"], T)
                w = (s - datetime.strptime(prev["end"], T)).total_seconds() / 60
                (peak if s.weekday() < 5 and s.hour in (9, 10) else other).append(w)
    real = truth["bottleneck"]["realised_mean_wait_before_lab_min"]
    assert real["weekday 09:00-11:00"] == pytest.approx(_mean(peak), abs=1e-3)
    assert real["other times"] == pytest.approx(_mean(other), abs=1e-3)
    assert _mean(peak) > 2.5 * _mean(other)


# -- building blocks --------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [("lognormal", 8.0, 0.5), ("gamma", 40.0, 0.8)])
def test_service_time_quantiles_match_scipy(spec):
    family, mean, cv = spec
    if family == "lognormal":
        s = math.sqrt(math.log1p(cv ** 2))
        dist = stats.lognorm(s, scale=mean * math.exp(-s * s / 2))
    else:
        dist = stats.gamma(1 / cv ** 2, scale=mean * cv ** 2)
    assert dist.mean() == pytest.approx(mean) and dist.std() == pytest.approx(mean * cv)
    for z in (-2.0, -0.3, 0.0, 1.1, 2.5):
        assert hp.service_time(spec, z) == pytest.approx(dist.ppf(stats.norm.cdf(z)), rel=1e-9)


def test_pool_priority_shifts_and_overtime():
    import simpy

    env = simpy.Environment()
    pool = hp.Pool(env, "X", {t: hp.hours({(1, 2): 1}) for t in hp.DAYTYPES})
    log = []

    def patient(name, arrive, prio, service):
        yield env.timeout(arrive)
        req = pool.request(prio)
        yield req
        log.append((name, env.now, pool.names[req.value]))
        yield env.timeout(service)
        pool.release(req.value)

    def shifts():
        for h in range(4):
            pool.staff(pool.schedule["weekday"][h], h)
            yield env.timeout(60)

    env.process(shifts())
    env.process(patient("a", 10, 1, 30))   # waits for the shift at 60
    env.process(patient("b", 20, 1, 30))
    env.process(patient("c", 30, 0, 30))   # higher priority: served before b
    env.process(patient("d", 170, 1, 5))   # after closing: the day's staff on call
    env.run()
    assert log == [("c", 60, "X-01"), ("a", 90, "X-01"), ("b", 120, "X-01"),
                   ("d", 170, "X-01")]


def test_scenario_validation_and_copies():
    base = Scenario.baseline()
    s = base.with_staff("Lab", hours=[9, 10], change=2)
    assert s.staffing["Lab"]["weekday"][9:11] == (3, 3)
    assert base.staffing["Lab"]["weekday"][9:11] == (1, 1)  # the baseline is untouched
    with pytest.raises(JourneyError, match="unknown staffing pool"):
        base.with_staff("Canteen", hours=[9], change=1)
    with pytest.raises(JourneyError, match="time slots apply"):
        base.with_timeslots("Emergency", "2025-03-01")
    from dataclasses import replace
    with pytest.raises(JourneyError, match="24"):
        simulate_hospital(replace(base, arrival_multiplier=(1.0,) * 23), days=1)
    with pytest.raises(JourneyError, match="at most 60"):
        simulate_hospital(replace(base, arrival_multiplier=(10.0,) * 24), days=1)


def test_what_if_more_lab_staff_lowers_lab_waits():
    res = what_if(Scenario.baseline().with_staff("Lab", hours=[9, 10], change=2),
                  replications=4, days=14, progress=False)
    t = res.table.set_index(["metric", "activity"])
    lab = t.loc[("mean wait (min)", "Lab")]
    assert lab.ci_high < 0 and lab.difference < -1
    # the paired interval, recomputed from the replications
    reps = res.replications.query("metric == 'mean wait (min)' and activity == 'Lab'")
    wide = reps.pivot(index="replication", columns="arm", values="value")
    d = (wide["scenario"] - wide["baseline"]).to_numpy()
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    assert lab.difference == pytest.approx(d.mean())
    assert (lab.ci_low, lab.ci_high) == pytest.approx((d.mean() - half, d.mean() + half))
    # common random numbers: untouched emergency triage is identical in both arms
    assert t.loc[("mean wait (min)", "Treatment"), "difference"] == pytest.approx(0, abs=1e-9)
    assert set(res.logs.arm) == {"baseline", "scenario"} and res.logs.replication.nunique() == 4
    assert len(res.figure().data) == 1


def test_estimate_scenario_recovers_the_simulation():
    res = simulate_hospital(days=14)
    est = estimate_scenario(res.log)
    svc = est.service.set_index("activity")
    lab = res.log[res.log.activity == "Lab"]
    minutes = (lab.end - lab.start).dt.total_seconds() / 60
    assert svc.loc["Lab", "mu"] == pytest.approx(np.log(minutes).mean())
    assert svc.loc["Lab", "mean"] == pytest.approx(hp.SERVICE["Lab"][1], rel=0.05)
    assert svc.loc["Left unseen", "excluded"] == (res.log.activity == "Left unseen").sum()
    # arrivals: rate × number of such weekdays adds back up to the number of visits
    days = pd.Series(pd.date_range("2025-01-06", periods=14).day_name()).value_counts()
    total = (est.arrivals.arrivals_per_hour * est.arrivals.weekday.map(days)).sum()
    assert total == pytest.approx(res.log.case_id.nunique())
    staff = est.staffing.set_index(["pool", "weekday", "hour"])["staff_max"]
    weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    assert max(staff[("Lab", d, 10)] for d in weekdays) == 1  # the under-staffed hour
    assert max(staff[("Lab", d, h)] for d in weekdays for h in range(11, 17)) == 3
    sc = est.to_scenario()
    assert sc.staffing["Lab"]["weekday"][10] == 1 and sc.timeslots == {}
    assert len(est.notes) >= 4
    with pytest.raises(JourneyError, match="no column"):
        estimate_scenario(res.log.drop(columns="start"))


def test_sample_loads_with_read_log():
    if not hasattr(journey, "read_log"):
        pytest.skip("journey.read_log is not available")
    n_cases = len({r["case_id"] for r in _read("visits.csv")})
    for name in ("visits.csv", "visits_zh.csv"):
        log = journey.read_log(str(SAMPLE / name))
        assert log.has_start and log.n_cases == n_cases
        checks = log.check().set_index("check")
        assert checks.loc["negative durations", "count"] == 0
        for clean in ("overlapping touchpoints", "incomplete visits", "duplicate events",
                      "near-duplicate activity labels"):
            assert checks.loc[clean, "count"] == 0, clean
