"""Patient-experience statistics, each number cross-checked by an independent computation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from journey.errors import JourneyError
from journey.experience import (
    experience_vs_journey,
    friends_and_family,
    importance_performance,
    key_drivers,
    nps,
    satisfaction_scores,
)
from journey.loyalty import (
    complaint_summary,
    followup_summary,
    lifetime_value,
    resource_concentration,
    return_visits,
)

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval, closed form (Wilson 1927)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def t_interval(x) -> tuple[float, float]:
    x = np.asarray(x, dtype=float)
    return stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=x.std(ddof=1) / len(x) ** .5)


# --------------------------------------------------------------------------- satisfaction
@pytest.fixture
def surveys() -> pd.DataFrame:
    return pd.DataFrame({
        "survey_id": range(9),
        "case_id": [f"c{i}" for i in range(9)],
        "department": ["ED"] * 6 + ["Eye"] * 3,
        "medical_quality": [5, 4, 5, 3, 5, None, 4, 4, 5],
        "overall": [5, 4, 4, 3, 5, 2, 5, 4, 4],
    })


def test_satisfaction_scores_by_department(surveys):
    t = satisfaction_scores(surveys, by="department", min_count=0)
    row = t[(t.department == "ED") & (t.dimension == "medical_quality")].iloc[0]
    answers = [5, 4, 5, 3, 5]
    assert (row.n, row.missing, row.top_box_n) == (5, 1, 3)
    assert row["mean"] == pytest.approx(4.4)
    assert (row.mean_ci_low, row.mean_ci_high) == pytest.approx(t_interval(answers))
    assert row.top_box == pytest.approx(0.6)
    assert (row.top_box_ci_low, row.top_box_ci_high) == pytest.approx(wilson(3, 5))
    assert list(t.dimension[t.department == "Eye"]) == ["medical_quality", "overall"]


def test_satisfaction_scores_suppresses_small_groups(surveys):
    t = satisfaction_scores(surveys, by="department")  # default min_count=5
    eye = t[t.department == "Eye"]
    assert eye[["n", "mean", "top_box"]].isna().all().all()
    assert (eye.note == "suppressed: fewer than 5 respondents").all()
    ed = t[t.department == "ED"]
    assert (ed.note == "").all() and ed.n.tolist() == [5, 6]


def test_satisfaction_scores_per_touchpoint():
    tp = pd.DataFrame({"survey_id": [1, 2, 3, 1, 2],
                       "activity": ["Payment", "Payment", "Payment", "Lab", "Lab"],
                       "score": [2, 3, 5, 4, 5]})
    t = satisfaction_scores(tp, min_count=0).set_index("activity")
    assert t.loc["Payment", "mean"] == pytest.approx(10 / 3)
    assert t.loc["Lab", "top_box_n"] == 1 and t.loc["Payment", "n"] == 3


def test_satisfaction_scores_rejects_out_of_range(surveys):
    bad = surveys.assign(overall=[5, 4, 4, 7, 5, 2, 5, 4, 4])
    with pytest.raises(JourneyError, match="from 1 to 5") as err:
        satisfaction_scores(bad)
    assert err.value.rows == [5] and err.value.column == "overall"


# --------------------------------------------------------------------------- NPS and FFT
def test_nps_hand_example():
    t = nps([10, 9, 8, 7, 0]).iloc[0]
    # 2 promoters, 1 detractor of 5: NPS = 100 (0.4 - 0.2) = 20
    assert (t.n, t.promoters, t.passives, t.detractors) == (5, 2, 2, 1)
    assert t.nps == pytest.approx(20)
    se = 100 * math.sqrt((0.4 + 0.2 - 0.2**2) / 5)
    assert t.se == pytest.approx(se)
    assert (t.ci_low, t.ci_high) == pytest.approx((20 - Z95 * se, 20 + Z95 * se))


def test_nps_se_equals_sd_of_individual_scores():
    rng = np.random.default_rng(3)
    answers = rng.integers(0, 11, 400)
    per_person = np.where(answers >= 9, 100, np.where(answers <= 6, -100, 0))
    t = nps(answers).iloc[0]
    assert t.nps == pytest.approx(per_person.mean())
    assert t.se == pytest.approx(per_person.std(ddof=0) / math.sqrt(400))


def test_nps_groups_missing_and_clipping():
    df = pd.DataFrame({"dept": ["a"] * 6 + ["b"] * 6,
                       "recommend": [10, 10, 10, 10, 10, None, 0, 9, 9, 5, 6, 10]})
    t = nps(df, by="dept").set_index("dept")
    assert t.loc["a", "missing"] == 1 and t.loc["a", "nps"] == 100
    assert t.loc["a", "ci_high"] == 100  # clipped to the scale
    assert t.loc["b", "nps"] == pytest.approx(100 * (3 - 3) / 6)
    with pytest.raises(JourneyError, match="from 0 to 10"):
        nps([11, 3])


def test_friends_and_family_counts_dont_know():
    answers = ["Extremely likely", "likely ", "Don’t know", "Unlikely", "Neither likely nor "
               "unlikely", "Extremely likely", None, "Extremely unlikely"]
    t = friends_and_family(answers, min_count=0).iloc[0]
    assert (t.n, t.missing, t.dont_know, t.recommend_n) == (7, 1, 1, 3)
    assert t.recommend == pytest.approx(3 / 7)
    assert (t.recommend_ci_low, t.recommend_ci_high) == pytest.approx(wilson(3, 7))


def test_friends_and_family_numeric_mapping():
    t = friends_and_family([10, 9, 8, 7, 6, 0, 3, 10], min_count=0).iloc[0]
    assert t.recommend_n == 5 and t.n == 8
    strict = friends_and_family([10, 9, 8, 7, 6, 0, 3, 10], recommend_from=9, min_count=0)
    assert strict.recommend_n.item() == 3
    with pytest.raises(JourneyError, match="mixed"):
        friends_and_family(["Likely", 7])


# --------------------------------------------------------------------------- drivers
def johnson_by_svd(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights computed his original way: from the SVD of the
    standardised data, Z = P Qᵀ is the closest orthonormal matrix to X = P Δ Qᵀ."""
    zx = (x - x.mean(0)) / x.std(0, ddof=1)
    zy = (y - y.mean()) / y.std(ddof=1)
    p, delta, qt = np.linalg.svd(zx, full_matrices=False)
    z = p @ qt
    lam = np.linalg.lstsq(z, zx, rcond=None)[0]  # loadings of X on Z
    beta = np.linalg.lstsq(z, zy, rcond=None)[0]
    scale = (len(y) - 1) ** 2  # Z has unit columns, the data columns norm sqrt(n - 1)
    return (lam**2).T @ beta**2 / scale


def collinear_surveys(n=300, seed=7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    common = rng.normal(size=n)
    items = {f"q{i}": np.clip(np.round(3 + common + rng.normal(scale=s, size=n)), 1, 5)
             for i, s in enumerate((0.4, 0.6, 1.0, 1.5))}
    df = pd.DataFrame(items)
    df["overall"] = np.clip(np.round(0.5 * df.q0 + 0.3 * df.q2 + rng.normal(size=n) + 0.8), 1, 5)
    return df


def test_relative_weights_sum_to_r2_and_match_svd_method():
    df = collinear_surveys()
    attrs = ["q0", "q1", "q2", "q3"]
    kd = key_drivers(df, attributes=attrs, n_boot=0)
    x, y = df[attrs].to_numpy(), df.overall.to_numpy()
    design = np.column_stack([np.ones(len(y)), x])
    resid = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    r2 = 1 - resid @ resid / ((y - y.mean()) @ (y - y.mean()))
    assert kd.relative_weight.sum() == pytest.approx(r2)
    assert kd.attrs["r2"] == pytest.approx(r2)
    assert kd.relative_weight.to_numpy() == pytest.approx(johnson_by_svd(x, y))
    assert kd.rw_share.sum() == pytest.approx(1)
    assert kd.r.to_numpy() == pytest.approx([np.corrcoef(df[a], y)[0, 1] for a in attrs])
    zx = (x - x.mean(0)) / x.std(0)
    zy = (y - y.mean()) / y.std()
    assert kd.beta.to_numpy() == pytest.approx(np.linalg.lstsq(zx, zy, rcond=None)[0])


def test_relative_weights_of_uncorrelated_items_are_squared_correlations():
    # a, b orthogonal and centred: each weight is r²
    a = np.array([1, -1, 1, -1, 1, -1, 1, -1.0])
    b = np.array([1, 1, -1, -1, 1, 1, -1, -1.0])
    y = 2 * a + b + np.array([0.5, -0.3, 0.2, 0.1, -0.4, 0.3, -0.2, -0.2])
    df = pd.DataFrame({"a": a, "b": b, "overall": y})
    kd = key_drivers(df, attributes=["a", "b"], scale=(-9, 9), n_boot=0)
    assert kd.relative_weight.to_numpy() == pytest.approx(kd.r.to_numpy() ** 2)
    assert kd["rank"].tolist() == [1, 2]


def test_key_drivers_bootstrap_and_exclusions():
    df = collinear_surveys(n=200)
    df.loc[[0, 5], "q1"] = None
    kd = key_drivers(df, attributes=["q0", "q1", "q2", "q3"], n_boot=300)
    assert (kd.n == 198).all() and (kd.excluded == 2).all()
    assert (kd.relative_weight_ci_low <= kd.relative_weight).all()
    assert (kd.relative_weight <= kd.relative_weight_ci_high).all()
    assert (kd.r_ci_low < kd.r).all() and (kd.r < kd.r_ci_high).all()
    again = key_drivers(df, attributes=["q0", "q1", "q2", "q3"], n_boot=300)
    pd.testing.assert_frame_equal(kd, again)  # seeded: a report re-runs identically
    assert kd.loc[kd["rank"] == 1, "attribute"].item() == "q0"


def test_importance_performance_quadrants():
    rng = np.random.default_rng(0)
    n = 400
    hi_imp_lo_perf = rng.integers(1, 4, n)          # drives overall, scored low
    lo_imp_hi_perf = rng.integers(4, 6, n)          # unrelated, scored high
    df = pd.DataFrame({"wait": hi_imp_lo_perf, "food": lo_imp_hi_perf,
                       "overall": np.clip(hi_imp_lo_perf + rng.integers(0, 3, n), 1, 5)})
    ipa = importance_performance(df, attributes=["wait", "food"])
    t = ipa.table.set_index("attribute")
    assert t.loc["wait", "quadrant"] == "Concentrate here"
    assert t.loc["food", "quadrant"] == "Possible overkill"
    assert t.loc["wait", "importance"] == pytest.approx(np.corrcoef(df.wait, df.overall)[0, 1])
    assert ipa.centre == pytest.approx((t.importance.mean(), t.performance.mean()))
    mid = importance_performance(df, attributes=["wait", "food"], centre="midpoint",
                                 importance="relative_weights")
    assert mid.centre[1] == 3
    fig = ipa.figure(labels={"wait": "候诊"})
    assert list(fig.data[0].text) == ["候诊", "food"]
    assert len(fig.layout.annotations) == 4
    with pytest.raises(JourneyError, match="importance must be"):
        importance_performance(df, attributes=["wait"], importance="shapley")


# --------------------------------------------------------------------------- journey model
def test_experience_vs_journey_matches_hand_ols_and_hc3():
    rng = np.random.default_rng(11)
    n = 60
    visits = pd.DataFrame({"case_id": [f"v{i}" for i in range(n)],
                           "total_wait_h": rng.uniform(0, 4, n),
                           "rework": rng.random(n) < 0.3,
                           "left_unseen": np.zeros(n, dtype=bool)})
    visits.loc[:5, "left_unseen"] = True
    score = (4.8 - 0.4 * visits.total_wait_h - 0.7 * visits.rework
             + rng.normal(scale=0.4, size=n)).round().clip(1, 5)
    surveys = pd.DataFrame({"case_id": [*visits.case_id, "unknown"],
                            "overall": [*score, 3.0]})
    surveys.loc[3, "overall"] = None
    m = experience_vs_journey(surveys, visits)
    assert m.n == n - 1 and m.excluded == {"no matching visit": 1, "missing value": 1}
    keep = surveys.overall.iloc[:n].notna().to_numpy()
    x = np.column_stack([np.ones(n), visits.total_wait_h, visits.rework, visits.left_unseen])[keep]
    y = score.to_numpy()[keep]
    beta = np.linalg.solve(x.T @ x, x.T @ y)
    assert m.table.coef.to_numpy() == pytest.approx(beta[1:])
    # HC3 sandwich by hand: (X'X)^-1 X' diag(e²/(1-h)²) X (X'X)^-1
    bread = np.linalg.inv(x.T @ x)
    h = np.einsum("ij,jk,ik->i", x, bread, x)
    e = y - x @ beta
    cov = bread @ (x.T * (e / (1 - h)) ** 2) @ x @ bread
    se = np.sqrt(np.diag(cov))[1:]
    assert m.table.ci_high.to_numpy() == pytest.approx(beta[1:] + Z95 * se)
    reading = m.table.set_index("term").reading
    assert reading["total_wait_h"].startswith("Each extra hour of total wait goes with a")
    assert reading["rework"].startswith("Visits with rework score")


def test_experience_vs_journey_derives_length_of_stay_and_checks_input():
    arrival = pd.Timestamp("2024-05-01 08:00")
    visits = pd.DataFrame({"case_id": list("abcdef"), "arrival": arrival,
                           "departure": arrival + pd.to_timedelta([1, 2, 3, 4, 5, 6], "h")})
    surveys = pd.DataFrame({"case_id": list("abcdef"), "overall": [5, 5, 4, 3, 3, 1]})
    m = experience_vs_journey(surveys, visits, predictors=["los_h"])
    assert m.table.coef.item() == pytest.approx(np.polyfit(range(1, 7), [5, 5, 4, 3, 3, 1], 1)[0])
    with pytest.raises(JourneyError, match="one row per case_id"):
        experience_vs_journey(surveys, pd.concat([visits, visits]), predictors=["los_h"])
    with pytest.raises(JourneyError, match="no column 'total_wait_h'"):
        experience_vs_journey(surveys, visits)


# --------------------------------------------------------------------------- complaints
def test_complaint_summary_rates_targets_and_open():
    t0 = pd.Timestamp("2024-03-01 09:00")
    h = pd.Timedelta("1h")
    complaints = pd.DataFrame({
        "complaint_id": range(6),
        "department": ["ED", "ED", "ED", "Eye", "Eye", "ED"],
        "category": ["process", "process", "care", "process", "care", "process"],
        "received": [t0, t0, t0, t0, t0, t0 + 100 * h],
        "responded": [t0 + 2 * h, t0 + 30 * h, None, t0 + 24 * h, t0 + h, None],
        "resolved": [t0 + 40 * h, None, None, t0 + 60 * h, t0 + 47 * h, None],
    })
    visits = pd.DataFrame({"case_id": range(3500),
                           "department": ["ED"] * 2000 + ["Eye"] * 1000 + ["Skin"] * 500})
    as_of = t0 + 110 * h  # the last complaint is 10 h old: due for neither target
    t = complaint_summary(complaints, visits, by="department", as_of=as_of, min_count=0)
    ed = t.set_index("department").loc["ED"]
    assert (ed.complaints, ed.visits, ed.due_response, ed.not_due_response) == (4, 2000, 3, 1)
    assert ed.rate_per_1000 == pytest.approx(2.0)
    # exact Poisson interval by root finding: P(X >= 4 | L) = P(X <= 4 | U) = 0.025
    lo = optimize.brentq(lambda m: stats.poisson.sf(3, m) - 0.025, 1e-9, 50)
    hi = optimize.brentq(lambda m: stats.poisson.cdf(4, m) - 0.025, 1e-9, 50)
    assert (ed.rate_ci_low, ed.rate_ci_high) == pytest.approx((lo / 2, hi / 2))
    # responded within 24 h: complaint 0 only (30 h late, one never) -> 1 of 3
    assert ed.responded_n == 1 and ed.responded == pytest.approx(1 / 3)
    assert (ed.responded_ci_low, ed.responded_ci_high) == pytest.approx(wilson(1, 3))
    assert (ed.resolved_n, ed.due_resolution, ed.open) == (1, 3, 3)
    eye = t.set_index("department").loc["Eye"]
    assert (eye.responded_n, eye.resolved_n, eye.open) == (2, 1, 0)  # 24 h exactly counts
    assert t.share.sum() == pytest.approx(1)
    skin = t.set_index("department").loc["Skin"]  # visits but no complaints: rate 0
    assert (skin.complaints, skin.rate_per_1000, skin.rate_ci_low) == (0, 0, 0)
    assert skin.rate_ci_high == pytest.approx(-math.log(0.025) * 1000 / 500)


def test_complaint_summary_by_category_uses_all_visits_and_suppresses():
    t0 = pd.Timestamp("2024-03-01")
    complaints = pd.DataFrame({"complaint_id": range(7), "received": t0,
                               "category": ["process"] * 5 + ["care"] * 2,
                               "activity": "Payment", "responded": None, "resolved": None})
    visits = pd.DataFrame({"case_id": range(500)})
    t = complaint_summary(complaints, visits, by="category", as_of=t0 + pd.Timedelta("3D"))
    process = t.set_index("category").loc["process"]
    assert process.rate_per_1000 == pytest.approx(10) and process.share == pytest.approx(5 / 7)
    care = t.set_index("category").loc["care"]
    assert pd.isna(care.complaints) and care.note == "suppressed: fewer than 5 complaints"
    with pytest.raises(JourneyError, match="before received"):
        complaint_summary(complaints.assign(responded=t0 - pd.Timedelta("1h")), visits)


# --------------------------------------------------------------------------- follow-up
def test_followup_summary_against_plain_loop():
    rng = np.random.default_rng(5)
    n = 80
    start = pd.Timestamp("2024-01-01")
    visits = pd.DataFrame({
        "case_id": [f"c{i}" for i in range(n)],
        "department": rng.choice(["ED", "Ward"], n),
        "departure": start + pd.to_timedelta(rng.uniform(0, 30, n), "D"),
    })
    picked = rng.choice(n, 60)
    calls = pd.DataFrame({
        "case_id": visits.case_id.to_numpy()[picked],
        "called": visits.departure.to_numpy()[picked]
        + pd.to_timedelta(rng.uniform(-0.5, 6, 60), "D"),
        "reached": rng.random(60) < 0.7,
    })
    as_of = pd.Timestamp("2024-02-01")
    t = followup_summary(calls, visits, by="department", as_of=as_of, min_count=0)
    for dept, row in t.set_index("department").iterrows():
        eligible = called = reached = 0
        for v in visits[visits.department == dept].itertuples():
            if v.departure + pd.Timedelta("3D") > as_of:
                continue
            eligible += 1
            mine = [c for c in calls.itertuples() if c.case_id == v.case_id
                    and v.departure <= c.called <= v.departure + pd.Timedelta("3D")]
            called += bool(mine)
            reached += any(c.reached for c in mine)
        assert (row.eligible, row.called_n, row.reached_n) == (eligible, called, reached)
        assert (row.called_ci_low, row.called_ci_high) == pytest.approx(wilson(called, eligible))
    assert t.not_yet_due.sum() == (visits.departure + pd.Timedelta("3D") > as_of).sum()


# --------------------------------------------------------------------------- return visits
def test_return_visits_against_plain_loop():
    rng = np.random.default_rng(2)
    n = 120
    arrival = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 120, n), "D")
    visits = pd.DataFrame({
        "patient_id": rng.choice([f"p{i}" for i in range(30)], n),
        "arrival": arrival,
        "departure": arrival + pd.to_timedelta(rng.uniform(0.5, 30, n), "h"),
        "chronic": rng.random(n) < 0.4,
        "left_unseen": rng.random(n) < 0.1,
    })
    visits.loc[0, "patient_id"] = None
    t = return_visits(visits, by="chronic", expected="chronic", min_count=0).set_index("chronic")
    as_of = max(visits.arrival.max(), visits.departure.max())
    window = pd.Timedelta("30D")
    for flag in (False, True):
        eligible = returned = censored = unlinked = unseen = 0
        group = visits[visits.chronic == flag]
        for v in group.itertuples():
            unseen += v.left_unseen
            if pd.isna(v.patient_id):
                unlinked += 1
                continue
            if v.departure + window > as_of:
                censored += 1
                continue
            eligible += 1
            returned += any(w.patient_id == v.patient_id
                            and v.departure < w.arrival <= v.departure + window
                            for w in visits.itertuples())
        row = t.loc[flag]
        assert (row.visits, row.unlinked, row.censored) == (len(group), unlinked, censored)
        assert (row.eligible, row.returned, row.left_unseen) == (eligible, returned, unseen)
        assert row.return_rate == pytest.approx(returned / eligible)
        assert (row.return_rate_ci_low, row.return_rate_ci_high) == pytest.approx(
            wilson(returned, eligible))
        if flag:
            assert (row.expected, row.lost) == (eligible, eligible - returned)
        else:
            assert row.expected == 0 and pd.isna(row.loss_rate)


def test_return_visits_boundaries():
    d = pd.Timestamp("2024-01-01 10:00")
    visits = pd.DataFrame({
        "patient_id": ["a", "a", "b", "b", "c", "z"],
        "arrival": [d - pd.Timedelta("1h"), d + pd.Timedelta("30D"),  # exactly 30 days: returns
                    d - pd.Timedelta("1h"), d,  # arrives at the moment b leaves: not a return
                    d - pd.Timedelta("1h"), d + pd.Timedelta("90D")],
        "departure": [d, d + pd.Timedelta("30D 1h"), d, d + pd.Timedelta("1h"), d,
                      d + pd.Timedelta("90D 1h")],
    })
    visits["chronic"] = ["yes", "yes", "no", "否", "是", "no"]
    t = return_visits(visits, expected="chronic", left_unseen=None, min_count=0).iloc[0]
    assert (t.visits, t.censored, t.eligible, t.returned) == (6, 1, 5, 1)
    assert (t.expected, t.lost) == (3, 2)  # a's first visit returned; a's second and c did not
    with pytest.raises(JourneyError, match="departure is before arrival"):
        return_visits(visits.assign(departure=visits.arrival - pd.Timedelta("1h")))


# --------------------------------------------------------------------------- 20/80
def test_gini_known_vectors():
    assert resource_concentration([1, 1, 1, 1]).gini == pytest.approx(0)
    assert resource_concentration([0, 0, 0, 1]).gini == pytest.approx(0.75)  # (n-1)/n
    rng = np.random.default_rng(4)
    x = rng.lognormal(size=57)
    mean_abs_diff = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert resource_concentration(x).gini == pytest.approx(mean_abs_diff)


def test_pareto_table_and_lorenz():
    rc = resource_concentration(np.arange(1, 11))
    assert rc.top_resource_share == pytest.approx(19 / 55)
    table = rc.table.set_index("top_share")
    assert table.loc[0.5, "resource_share"] == pytest.approx(40 / 55)
    assert table.loc[0.05, "resource_share"] == pytest.approx(0.5 * 10 / 55)  # half of the 10
    assert rc.lorenz.resource_share.iloc[3] == pytest.approx(6 / 55)
    assert resource_concentration([0, 0, 0, 1]).units_for_80 == pytest.approx(0.2)
    fig = rc.figure()
    assert len(fig.data) == 2


def test_resource_concentration_sums_per_patient():
    visits = pd.DataFrame({"patient_id": ["a", "a", "b", "c", "d"],
                           "charges": [50, 50, 0, None, 300]})
    rc = resource_concentration(visits, value="charges", unit="patient_id")
    assert (rc.n, rc.excluded) == (3, 1)
    assert rc.gini == pytest.approx(resource_concentration([100, 0, 300]).gini)
    with pytest.raises(JourneyError, match="non-negative"):
        resource_concentration([1, -2, 3])


# --------------------------------------------------------------------------- value
def test_lifetime_value_by_hand():
    as_of = pd.Timestamp("2024-12-31 12:00")
    base = as_of - pd.Timedelta("500D")  # inside the base period (as_of-730D, as_of-365D]
    follow = as_of - pd.Timedelta("100D")
    visits = pd.DataFrame({
        "patient_id": ["x", "a", "a", "b", "c", "d", "a", "c", "e"],
        "segment": ["old", "young", "old", "old", "old", "young", "old", "old", "young"],
        "arrival": [as_of - pd.Timedelta("800D"), base, base + pd.Timedelta("1D"), base, base,
                    base, follow, follow, follow],
        "charges": [10, 100, 200, 50, 90, None, 70, 30, 40],
    })
    t = lifetime_value(visits, by="segment", discount_rate=0.1, horizon_years=3, as_of=as_of,
                       n_boot=500, min_count=0).set_index("segment")
    # cohort (segment at the last base visit): a (old, 300), b (old, 50), c (old, 90),
    # d (young, charges missing -> 0); retained: a and c
    old = t.loc["old"]
    assert (old.patients, old.retained) == (3, 2)
    assert old.margin == pytest.approx(440 / 3)
    r, k = 2 / 3, 1.1 ** (365 / 365)
    assert old.ltv == pytest.approx(440 / 3 * (1 + r / k + (r / k) ** 2))
    assert old.ltv_ci_low <= old.ltv <= old.ltv_ci_high
    young = t.loc["young"]
    assert (young.patients, young.retained, young.missing_charges) == (1, 0, 1)
    with pytest.raises(JourneyError, match="two full periods"):
        lifetime_value(visits[visits.patient_id != "x"], as_of=as_of)
    quarterly = lifetime_value(visits, period="91D", horizon_years=1, as_of=as_of, min_count=0,
                               n_boot=0)
    assert quarterly.periods.item() == round(365 / 91)
