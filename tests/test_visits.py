"""Per-visit frame and experience join checked against plain pandas/python written here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import journey
from journey.visits import join_experience, visit_table

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"

# Rows deliberately out of time order; visit "c" has a tie (Lab and Imaging both 10:00-10:10,
# file order decides) and "a" has an overlap (Lab starts before Payment ends).
ROWS = [
    # case, patient, department, activity, start, end, age_band, charge
    ("a", "p1", "Surgery", "Registration", "01-06 08:00", "01-06 08:05", None, 10.0),
    ("c", "p2", "Emergency", "Treatment", "01-06 09:15", "01-06 09:45", "80+", 300.0),
    ("a", "p1", "Internal Medicine", "Registration", "01-06 08:20", "01-06 08:25", "45-64", 10.0),
    ("a", "p1", "Internal Medicine", "Triage", "01-06 08:30", "01-06 08:40", "45-64", 0.0),
    ("c", "p2", "Emergency", "Triage", "01-06 09:00", "01-06 09:05", "80+", 0.0),
    ("a", "p1", "Internal Medicine", "Consultation", "01-06 09:00", "01-06 09:20", "45-64", 20.0),
    ("a", "p1", "Internal Medicine", "Payment", "01-06 09:25", "01-06 09:30", "45-64", 50.0),
    ("a", "p1", "Internal Medicine", "Lab", "01-06 09:28", "01-06 09:45", "45-64", 35.25),
    ("c", "p2", "Emergency", "Lab", "01-06 10:00", "01-06 10:10", "80+", 40.0),
    ("c", "p2", "Emergency", "Imaging", "01-06 10:00", "01-06 10:10", "80+", 120.0),
    ("a", "p1", "Internal Medicine", "Pharmacy", "01-06 10:00", "01-06 10:10", "45-64", 80.5),
    ("b", "p1", "Internal Medicine", "Registration", "01-20 14:00", "01-20 14:04", "45-64", None),
    ("b", "p1", "Internal Medicine", "Triage", "01-20 14:10", "01-20 14:15", "45-64", None),
    ("b", "p1", "Internal Medicine", "Left unseen", "01-20 16:00", "01-20 16:00", "45-64", None),
    ("c", "p2", "Emergency", "Admission", "01-06 11:00", "01-06 11:30", "80+", 5000.0),
    ("d", "p3", "Surgery", "Consultation", "01-07 10:00", "01-07 10:25", "18-44", 20.0),
]


def hand_log() -> pd.DataFrame:
    df = pd.DataFrame(ROWS, columns=["case_id", "patient_id", "department", "activity",
                                     "start", "end", "age_band", "charge"])
    df["start"] = "2025-" + df["start"]
    df["end"] = "2025-" + df["end"]
    return df


def plain_visits(df: pd.DataFrame, has_start: bool) -> pd.DataFrame:
    """Row-by-row python over the canonical order (start, then end, then file row)."""
    d = df.assign(_row=range(len(df)), end=pd.to_datetime(df["end"]))
    d["start"] = pd.to_datetime(d["start"]) if has_start else pd.NaT
    d["_key"] = d["start"].fillna(d["end"])
    d = d.sort_values(["case_id", "_key", "end", "_row"])
    out = []
    for case, g in d.groupby("case_id", sort=True):
        wait, prev_end, seen = 0.0, None, []
        for r in g.itertuples():
            if prev_end is not None:
                gap = ((r.start if has_start else r.end) - prev_end).total_seconds() / 60
                wait += max(gap, 0.0)
            prev_end = r.end
            seen.append(r.activity)
        charges = g["charge"].dropna()
        out.append({
            "case_id": case, "patient_id": g["patient_id"].iloc[0],
            "department": g["department"].iloc[-1], "arrival": g["_key"].min(),
            "departure": g["end"].max(),
            "los_h": (g["end"].max() - g["_key"].min()).total_seconds() / 3600,
            "total_wait_h" if has_start else "total_flow_h": wait / 60, "n_touchpoints": len(g),
            "rework": len(set(seen)) < len(seen), "left_unseen": "Left unseen" in seen,
            "path": " → ".join(seen), "charges": charges.sum() if len(charges) else np.nan,
            "age_band": g["age_band"].dropna().iloc[0]})
    return pd.DataFrame(out)


@pytest.mark.parametrize("has_start", [True, False])
def test_every_column_matches_plain_computation(has_start):
    df = hand_log()
    log = journey.read_log(df if has_start else df.drop(columns="start"))
    got = visit_table(log)
    want = plain_visits(df, has_start)
    assert list(got.columns) == list(want.columns)
    got = got.astype({"arrival": "datetime64[ns]", "departure": "datetime64[ns]"})
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_exact=False, rtol=1e-12)


def test_numbers_a_user_would_check():
    v = visit_table(journey.read_log(hand_log())).set_index("case_id")
    # a: waits 15 + 5 + 20 + 5 + 0 (Lab overlaps Payment) + 15 = 60 min
    assert v.at["a", "total_wait_h"] == pytest.approx(1.0)
    assert v.at["a", "los_h"] == pytest.approx(130 / 60)
    assert v.at["a", "charges"] == pytest.approx(205.75)
    assert v.at["a", "department"] == "Internal Medicine"  # last touchpoint, not the first
    assert v.at["a", "age_band"] == "45-64"  # first non-missing value
    assert v.loc["a", "rework"] and not v.loc["d", "rework"]
    assert v.at["c", "path"] == "Triage → Treatment → Lab → Imaging → Admission"
    assert v.at["b", "left_unseen"] and v.left_unseen.sum() == 1
    assert np.isnan(v.at["b", "charges"])
    assert v.at["d", "total_wait_h"] == 0 and v.at["d", "n_touchpoints"] == 1
    notes = v.attrs["notes"]
    assert any(n.startswith("2 touchpoints started before") for n in notes)  # a's Lab, c's Imaging
    assert "1 visits without any charge value" in notes


def test_flow_times_are_flagged():
    v = visit_table(journey.read_log(hand_log().drop(columns="start")))
    assert v.attrs["time_kind"] == "flow"
    assert "flow times" in v.attrs["notes"][0]
    # no column, and no note, calls a flow time a wait
    assert "total_wait_h" not in v.columns and not any("wait_" in n for n in v.attrs["notes"])
    # without starts the flow time of d equals 0, of a is last end - first end = 125 min
    assert v.set_index("case_id").at["a", "total_flow_h"] == pytest.approx(125 / 60)


def test_flags_left_and_missing_columns():
    df = hand_log().drop(columns=["patient_id", "department", "charge"])
    df["activity"] = df["activity"].replace({"Left unseen": "未就诊离开"})
    log = journey.read_log(df)
    v = visit_table(log, flags={"admitted": "Admission", "tests": ["Lab", "Imaging"]})
    assert list(v.columns[:3]) == ["case_id", "arrival", "departure"]
    assert "charges" not in v.columns
    assert v.admitted.tolist() == [False, False, True, False]
    assert v.tests.tolist() == [True, False, True, False]
    # the default finds the log's own name for leaving unseen through the catalogue
    assert v.left_unseen.tolist() == [False, True, False, False]
    other = visit_table(log, left="Gone")
    assert not other.left_unseen.any()
    assert any("left_unseen is False for every visit" in n for n in other.attrs["notes"])


def test_text_in_charge_column_raises():
    df = hand_log()
    df["charge"] = df["charge"].astype(object)
    df.loc[4, "charge"] = "free"
    with pytest.raises(journey.JourneyError, match="charges must be numbers") as err:
        visit_table(journey.read_log(df))
    assert err.value.rows == [5] and err.value.column == "charge"  # 1-based frame position


def test_filtered_log_gives_its_visits_only():
    log = journey.read_log(hand_log())
    v = visit_table(log.filter(department="Emergency"))
    assert v.case_id.tolist() == ["c"]
    assert v.charges.item() == pytest.approx(5460.0)


def test_join_experience_counts_and_first_survey():
    visits = visit_table(journey.read_log(hand_log()))
    surveys = pd.DataFrame({"case_id": ["a", "c", "a", "zz"], "patient_id": ["p1", "p2", "p1", "x"],
                            "overall": [4, 2, 5, 3], "recommend": [9, 3, 10, 0]})
    complaints = pd.DataFrame({"case_id": ["c", "c", "b"], "category": ["cost"] * 3})
    calls = pd.DataFrame({"case_id": ["a", "d", "d", "q"], "called": ["2025-01-07"] * 4})
    e = join_experience(visits, surveys=surveys, complaints=complaints, followup_calls=calls)
    assert e.case_id.tolist() == visits.case_id.tolist()
    assert e.patient_id.tolist() == visits.patient_id.tolist()  # not overwritten
    plain = {c: [sum(k == c for k in t.case_id) for t in (surveys, complaints, calls)]
             for c in visits.case_id}
    assert e[["surveys", "complaints", "followup_calls"]].to_numpy().tolist() == list(
        plain.values())
    np.testing.assert_array_equal(e.recommend, [9, np.nan, 3, np.nan])  # first survey of a
    assert e.attrs["notes"] == [
        "1 surveys for a case_id not in visits left out",
        "1 further surveys of a visit left out (the first survey of each visit is used)",
        "1 followup_calls for a case_id not in visits left out"]


def test_nps_by_variant_on_joined_frame():
    rng = np.random.default_rng(5)
    visits = pd.DataFrame({"case_id": [f"v{i}" for i in range(300)],
                           "path": rng.choice(["A → B", "A → C", "A → B → B", "rare"], 300,
                                              p=[0.45, 0.3, 0.23, 0.02])})
    answered = rng.random(300) < 0.6
    surveys = pd.DataFrame({"case_id": visits.case_id[answered],
                            "recommend": rng.integers(0, 11, answered.sum())})
    e = join_experience(visits, surveys=surveys)
    got = journey.nps(e, by="path", min_count=10).set_index("path")
    for path, g in e.groupby("path"):
        r = g.recommend.dropna()
        if len(r) < 10:
            assert np.isnan(got.at[path, "nps"]) and "suppressed" in got.at[path, "note"]
            continue
        assert got.at[path, "n"] == len(r)
        assert got.at[path, "missing"] == len(g) - len(r)
        assert got.at[path, "nps"] == pytest.approx(100 * ((r >= 9).mean() - (r <= 6).mean()))


@pytest.mark.skipif(not (SAMPLE / "truth.json").exists(), reason="sample data not generated")
def test_sample_rates_match_the_simulation_truth():
    truth = json.loads((SAMPLE / "truth.json").read_text())
    v = visit_table(journey.read_log(SAMPLE / "visits.csv"))
    rates = truth["rates"]
    assert len(v) == rates["visits"]
    assert v.left_unseen.mean() == pytest.approx(rates["left_unseen_rate"], abs=5e-5)
    by_dept = v.groupby("department").left_unseen.mean()
    for dept, rate in rates["left_unseen_rate_by_department"].items():
        assert by_dept[dept] == pytest.approx(rate, abs=5e-5)
    for dept, periods in truth["intervention"]["realised"].items():
        before = v[(v.department == dept) & (v.arrival < truth["intervention"]["date"])]
        assert len(before) == periods["before"]["visits"]
        assert before.los_h.mean() * 60 == pytest.approx(
            periods["before"]["mean_length_of_stay_min"], abs=5e-4)
