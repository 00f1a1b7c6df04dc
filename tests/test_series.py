"""metric_series checked against a plain pandas/python computation on hand-made logs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import journey
from journey.series import metric_series

DAY0 = pd.Timestamp("2025-03-03")  # a Monday
ACTIVITIES = ["Registration", "Triage", "Consultation", "Payment", "Lab", "Pharmacy"]


def _random_log(seed: int = 3, n_visits: int = 160) -> pd.DataFrame:
    """Visits over 12 days in two departments; day 4 has no visits, day 7 only Surgery ones.

    Includes repeated passes, overlaps, visits that start at Consultation, department moves,
    patients who return and visits left unseen.
    """
    rng = np.random.default_rng(seed)
    days = [d for d in range(12) if d != 4]
    rows = []
    for i in range(n_visits):
        day = int(rng.choice(days))
        dept = "Surgery" if day == 7 else str(rng.choice(["Internal Medicine", "Surgery"]))
        t = DAY0 + pd.Timedelta(days=day, hours=7) + pd.Timedelta(minutes=int(rng.integers(600)))
        path = list(rng.choice(ACTIVITIES, size=int(rng.integers(1, 6))))
        patient = f"P{int(rng.integers(40)):02d}"
        if rng.random() < 0.1:
            path.append("Left unseen")
        for k, activity in enumerate(path):
            gap = int(rng.integers(-3, 60))  # negative: an overlap
            start = t + pd.Timedelta(minutes=gap) if k else t
            end = start + pd.Timedelta(minutes=int(rng.integers(0 if activity == "Left unseen"
                                                                  else 1, 20)))
            moved = k and rng.random() < 0.05
            rows.append({"case_id": f"V{i:03d}", "patient_id": patient,
                         "activity": activity, "department": "Emergency" if moved else dept,
                         "start": start, "end": end,
                         "age_band": str(rng.choice(["18-44", "65-79"]))})
            t = max(t, end)
    df = pd.DataFrame(rows)
    return df.sample(frac=1, random_state=seed).reset_index(drop=True)  # file order ≠ time order


def _plain_visits(df: pd.DataFrame, activity: str | None, window: str = "30D") -> pd.DataFrame:
    """Per-visit values with python loops, following the definitions in the docstrings."""
    d = df.assign(_row=range(len(df))).sort_values(["case_id", "start", "end", "_row"])
    as_of = d["end"].max()
    records = []
    for case, g in d.groupby("case_id"):
        arrival, departure = g["start"].min(), g["end"].max()
        wait, seen = np.nan, False
        prev_end = None
        for r in g.itertuples():
            if r.activity == activity and not seen:
                seen = True
                if prev_end is not None and r.start >= prev_end:
                    wait = (r.start - prev_end).total_seconds() / 60
            prev_end = r.end
        records.append({"case_id": case, "patient": g["patient_id"].iloc[0], "arrival": arrival,
                        "departure": departure, "group": g["department"].iloc[-1],
                        "has_activity": seen, "wait": wait,
                        "los": (departure - arrival).total_seconds() / 60,
                        "left": float((g["activity"] == "Left unseen").any())})
    v = pd.DataFrame(records)
    v["date"] = v["arrival"].dt.normalize()
    span = pd.Timedelta(window)
    returned = []
    for r in v.itertuples():
        other = v[(v["patient"] == r.patient) & (v["arrival"] > r.departure)
                  & (v["arrival"] <= r.departure + span)]
        returned.append(float(len(other) > 0))
    v["returned"] = returned
    v["censored"] = v["departure"] + span > as_of
    return v


def _plain_series(v: pd.DataFrame, column: str, stat: str, dates=None) -> pd.DataFrame:
    if dates is None:
        dates = pd.date_range(v["date"].min(), v["date"].max(), freq="D")
    out = []
    for group in sorted(v["group"].unique()):
        for date in dates:
            x = v.loc[(v["group"] == group) & (v["date"] == date), column].to_numpy()
            value = {"median": np.median, "p90": lambda a: np.quantile(a, 0.9),
                     "mean": np.mean, "sum": np.sum}[stat](x) if len(x) else np.nan
            out.append({"date": date, "group": group, "value": value, "n": len(x)})
    return pd.DataFrame(out)


@pytest.fixture(scope="module")
def data():
    df = _random_log()
    return df, journey.read_log(df)


def _compare(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    got = got.set_index(["date", "group"]).sort_index()
    expected = expected.set_index(["date", "group"]).sort_index()
    expected = expected[expected.index.get_level_values("group").isin(
        got.index.get_level_values("group"))]
    assert got.index.equals(expected.index)
    assert got["n"].tolist() == expected["n"].tolist()
    np.testing.assert_allclose(got["value"], expected["value"], rtol=1e-9, equal_nan=True)


@pytest.mark.parametrize(("metric", "stat"),
                         [("wait_median", "median"), ("wait_p90", "p90"), ("wait_mean", "mean")])
def test_waits_match_plain_pandas(data, metric, stat):
    df, log = data
    v = _plain_visits(df, "Consultation")
    got = metric_series(log, metric=metric, activity="Consultation")
    _compare(got, _plain_series(v[v["wait"].notna()], "wait", stat))
    assert list(got.columns) == ["date", "group", "value", "n", "empty"]
    assert got.attrs["unit"] == "minutes" and got.attrs["improvement"] == "decrease"


def test_empty_days_are_kept_with_zero_visits(data):
    df, log = data
    got = metric_series(log, metric="wait_median", activity="Consultation")
    day4 = got[got["date"] == DAY0 + pd.Timedelta(days=4)]
    assert len(day4) == got["group"].nunique() and (day4["n"] == 0).all()
    assert day4["value"].isna().all()
    assert got["date"].nunique() == 12  # every day from first to last visit
    im7 = got[(got["date"] == DAY0 + pd.Timedelta(days=7)) & (got["group"] == "Internal Medicine")]
    assert im7["n"].item() == 0 and np.isnan(im7["value"].item())
    counts = metric_series(log, metric="visits")
    assert (counts.loc[counts["n"] == 0, "value"] == 0).all()
    assert any("without visits" in note for note in got.attrs["notes"])


def test_excluded_passes_are_counted(data):
    df, log = data
    v = _plain_visits(df, "Consultation")
    got = metric_series(log, metric="wait_mean", activity="Consultation")
    no_wait = int((v["has_activity"] & v["wait"].isna()).sum())
    repeats = int((df["activity"] == "Consultation").sum() - v["has_activity"].sum())
    assert no_wait > 0 and repeats > 0
    notes = " | ".join(got.attrs["notes"])
    assert f"{no_wait:,} visits reaching 'Consultation' without a wait" in notes
    assert f"{repeats:,} repeated passes" in notes


def test_los_visits_and_left_unseen_match_plain_pandas(data):
    df, log = data
    v = _plain_visits(df, None)
    _compare(metric_series(log, metric="los_median"), _plain_series(v, "los", "median"))
    counts = metric_series(log, metric="visits")
    expected = _plain_series(v, "left", "sum").assign(value=lambda e: e["n"].astype(float))
    _compare(counts, expected)
    rate = metric_series(log, metric="left_unseen_rate")
    plain = _plain_series(v, "left", "mean")
    _compare(rate, plain)
    plain_num = _plain_series(v, "left", "sum")
    assert rate["numerator"].sum() == plain_num["value"].sum() == (v["left"] == 1).sum()
    assert (rate["denominator"] == rate["n"]).all()
    assert rate["numerator"].sum() > 0


def test_within_target_for_wait_and_for_length_of_stay(data):
    df, log = data
    v = _plain_visits(df, "Consultation")
    waits = v[v["wait"].notna()].assign(ok=lambda x: (x["wait"] <= 20).astype(float))
    got = metric_series(log, metric="within_target", activity="Consultation", target=20)
    _compare(got, _plain_series(waits, "ok", "mean"))
    assert got["numerator"].sum() == waits["ok"].sum()
    stays = v.assign(ok=lambda x: (x["los"] <= 60).astype(float))
    _compare(metric_series(log, metric="within_target", target=60),
             _plain_series(stays, "ok", "mean"))


def test_return_rate_excludes_censored_visits(data):
    df, log = data
    v = _plain_visits(df, None, window="3D")
    eligible = v[~v["censored"]]
    got = metric_series(log, metric="return_rate", window="3D")
    dates = pd.date_range(v["date"].min(), v["date"].max(), freq="D")
    _compare(got, _plain_series(eligible, "returned", "mean", dates))
    assert got["numerator"].sum() == eligible["returned"].sum() > 0
    assert f"{int(v['censored'].sum()):,} visits whose 3-day window" in " ".join(
        got.attrs["notes"])


def test_weekly_series_and_one_group(data):
    df, log = data
    v = _plain_visits(df, "Consultation")
    v = v[v["wait"].notna()]
    got = metric_series(log, metric="wait_mean", activity="Consultation", freq="W", by=None)
    week = v["date"] - pd.to_timedelta(v["date"].dt.day_of_week, unit="D")
    expected = v.groupby(week)["wait"].agg(["mean", "size"])
    assert got["group"].unique().tolist() == ["all"]
    assert got["date"].tolist() == [DAY0, DAY0 + pd.Timedelta(days=7)]
    np.testing.assert_allclose(got["value"], expected["mean"])
    assert got["n"].tolist() == expected["size"].tolist()


def test_group_by_attribute_on_the_last_touchpoint(data):
    df, log = data
    d = df.assign(_row=range(len(df))).sort_values(["case_id", "start", "end", "_row"])
    last = d.groupby("case_id")["age_band"].last()
    got = metric_series(log, metric="visits", by="age_band")
    assert got.groupby("group")["n"].sum().to_dict() == last.value_counts().to_dict()


def test_flow_times_are_named(data):
    df, _ = data
    log = journey.read_log(df.drop(columns="start"))
    got = metric_series(log, metric="wait_median", activity="Consultation")
    assert got.attrs["time_kind"] == "flow"
    assert any("flow times" in note for note in got.attrs["notes"])
    assert got.attrs["measure"] == "daily median flow time to Consultation (minutes)"
    got = metric_series(log, metric="within_target", activity="Consultation", target=30)
    assert got.attrs["measure"] == "daily share of visits with flow time to Consultation ≤ 30 min"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"metric": "wait"}, "metric must be one of"),
    ({"metric": "wait_median"}, "name it"),
    ({"metric": "within_target", "activity": "Consultation"}, "needs target"),
    ({"metric": "visits", "freq": "M"}, "freq must be"),
    ({"metric": "visits", "by": "ward"}, "no column 'ward'"),
])
def test_errors_say_how_to_fix(data, kwargs, message):
    _, log = data
    with pytest.raises(journey.JourneyError, match=message):
        metric_series(log, **kwargs)


def _sparse_weekly_log() -> tuple[pd.DataFrame, list[int]]:
    """Visits in 30 weeks with 7 weeks empty (a clinic that closes), completion times only,
    as a sparse export looks; the wait falls by 15 minutes from week 16."""
    rng = np.random.default_rng(21)
    closed = [3, 4, 9, 17, 18, 19, 25]
    rows = []
    for week in range(30):
        if week in closed:
            continue
        for i in range(int(rng.integers(3, 8))):
            arrival = DAY0 + pd.Timedelta(weeks=week, days=int(rng.integers(5)), hours=9,
                                          minutes=int(rng.integers(300)))
            wait = 40 + 0.3 * week - 15 * (week >= 16) + rng.normal(0, 4)
            case = f"W{week:02d}-{i}"
            rows += [{"case_id": case, "activity": "Registration", "department": "Clinic",
                      "start": arrival, "end": arrival + pd.Timedelta(minutes=5)},
                     {"case_id": case, "activity": "Consultation", "department": "Clinic",
                      "start": arrival + pd.Timedelta(minutes=5 + wait),
                      "end": arrival + pd.Timedelta(minutes=15 + wait)}]
    return pd.DataFrame(rows), closed


def test_sparse_weekly_series_marks_gaps_for_spc_and_its():
    import warnings

    df, closed = _sparse_weekly_log()
    log = journey.read_log(df)
    s = metric_series(log, metric="wait_mean", activity="Consultation", freq="W", by=None)
    assert len(s) == 30 and s["empty"].tolist() == [w in closed for w in range(30)]
    assert s.loc[s["empty"], "value"].isna().all() and (s.loc[s["empty"], "n"] == 0).all()
    assert s.attrs["measure"] == "weekly mean wait before Consultation (minutes)"
    assert any("7 period-group combinations" in n for n in s.attrs["notes"])
    # XmR over the observed weeks (the moving ranges join the weeks either side of a gap)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        chart = journey.spc(s, value="value", date="date", improvement="decrease")
    y = s.loc[~s["empty"], "value"].to_numpy()
    mr = np.abs(np.diff(y))
    keep = mr < 3.267 * mr.mean()
    assert chart.summary.loc[0, "mean"] == pytest.approx(y.mean())
    assert chart.summary.loc[0, "upl"] == pytest.approx(y.mean() + 2.66 * mr[keep].mean())
    assert (chart.table["point_type"] == "gap").sum() == 7
    assert chart.figure().layout.yaxis.title.text == s.attrs["measure"]
    # ITS on the observed weeks at their true week number, equal to plain least squares
    change = DAY0 + pd.Timedelta(weeks=16)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        res = journey.its(s, value="value", date="date", intervention=change)
    t = np.array([w for w in range(30) if w not in closed], dtype=float)
    post = t >= 16
    t0 = t[post][0]
    x = np.column_stack([np.ones_like(t), t, post, (t - t0) * post])
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    assert res.level_change["estimate"] == pytest.approx(beta[2])
    assert res.options["n_gaps"] == 7
    assert res.level_change["ci_low"] <= -15 <= res.level_change["ci_high"]
    # the series figure breaks its line at the gaps and marks the change
    fig = journey.series_figure(s, intervention=change)
    assert fig.layout.title.text.startswith("weekly mean wait before Consultation")
    assert not fig.data[0].connectgaps and np.isnan(np.asarray(fig.data[0].y, float)[3])
    line = fig.layout.shapes[0]
    assert line.name == "intervention" and line.line.width == 2 and line.opacity == 1
    zh = journey.series_figure(s, intervention=change, lang="zh")
    assert zh.layout.yaxis.title.text == "每周就诊前等候均值（分钟）"
