"""Journey-map tables checked against a plain pandas computation written independently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import journey

T0 = pd.Timestamp("2025-01-06 08:00")


def reference(df: pd.DataFrame, has_start: bool) -> dict[str, pd.DataFrame]:
    """Plain pandas, row by row: the time semantics of DESIGN.md."""
    d = df.copy()
    d["_row"] = range(len(d))
    d["start"] = pd.to_datetime(d["start"]) if has_start else pd.NaT
    d["end"] = pd.to_datetime(d["end"])
    d["_key"] = d.start.fillna(d.end)
    d = d.sort_values(["case_id", "_key", "end", "_row"], kind="stable")
    records = []
    for case, g in d.groupby("case_id", sort=True):
        prev = None
        seen: dict[str, int] = {}
        for i, r in enumerate(g.itertuples(index=False)):
            seen[r.activity] = seen.get(r.activity, 0) + 1
            gap = np.nan
            if prev is not None:
                t = r.start if has_start else r.end
                gap = (t - prev.end).total_seconds() / 60 if pd.notna(t) else np.nan
            service = (r.end - r.start).total_seconds() / 60 if has_start else np.nan
            records.append(dict(case_id=case, activity=r.activity, pos=i + 1, n=len(g),
                                prev=prev.activity if prev is not None else None,
                                gap=gap, wait=gap if gap >= 0 else np.nan, service=service,
                                occurrence=seen[r.activity]))
            prev = r
    ev = pd.DataFrame(records)
    tp = ev.groupby("activity").agg(cases=("case_id", "nunique"), events=("case_id", "size"),
                                    service_median=("service", "median"),
                                    service_p90=("service", lambda s: s.quantile(0.9)),
                                    wait_median=("wait", "median"),
                                    wait_p90=("wait", lambda s: s.quantile(0.9)))
    mv = ev[ev.prev.notna()]
    tr = mv.groupby(["prev", "activity"]).agg(
        cases=("case_id", "nunique"), transitions=("case_id", "size"),
        wait_median=("wait", "median"), wait_mean=("wait", "mean"),
        wait_p90=("wait", lambda s: s.quantile(0.9)),
        overlaps=("gap", lambda s: int((s < 0).sum())))
    tr.index.names = ["source", "target"]
    tr["share_of_source"] = tr.cases / tr.index.get_level_values("source").map(tp.cases)
    paths = ev.groupby("case_id").activity.agg(" → ".join)
    first = d.groupby("case_id")._key.min()
    last = d.groupby("case_id").end.max()
    thr = (last - first).dt.total_seconds() / 60
    var = pd.DataFrame({"path": paths, "thr": thr}).groupby("path").agg(
        cases=("thr", "size"), throughput_median=("thr", "median"))
    rep = ev[ev.occurrence > 1]
    rework = rep.groupby("activity").agg(cases=("case_id", "nunique"),
                                         repeats=("case_id", "size"),
                                         extra_minutes=("service", lambda s: 0.0))
    rework["extra_minutes"] = (rep.service.fillna(0) + rep.wait.fillna(0)).groupby(
        rep.activity).sum()
    starts = ev[ev.pos == 1].groupby("activity").case_id.nunique()
    ends = ev[ev.pos == ev.n].groupby("activity").case_id.nunique()
    return dict(touchpoints=tp, transitions=tr, variants=var, rework=rework, starts=starts,
                ends=ends)


def assert_map_matches(df: pd.DataFrame, has_start: bool = True,
                       activities: float | None = None) -> journey.JourneyMap:
    """The map of ``df`` (simplified with ``activities=``) equals the plain pandas one of its
    events at the touchpoints the map keeps."""
    cols = ["case_id", "activity", "start", "end"] if has_start else ["case_id", "activity",
                                                                      "end"]
    m = journey.journey_map(journey.read_log(df[cols]), activities=activities)
    df = df[df.activity.isin(set(m.touchpoints.activity))]
    ref = reference(df, has_start)
    if not has_start:  # flow times are named apart from waits
        for name in ("touchpoints", "transitions"):
            ref[name].columns = [c.replace("wait_", "flow_") for c in ref[name].columns]
    got = m.touchpoints.set_index("activity").sort_index()
    exp = ref["touchpoints"].sort_index()
    pd.testing.assert_frame_equal(got[exp.columns], exp, check_dtype=False)
    got = m.transitions.set_index(["source", "target"]).sort_index()
    exp = ref["transitions"].sort_index()
    pd.testing.assert_frame_equal(got[exp.columns], exp, check_dtype=False)
    got = m.variants.set_index("path").sort_index()
    pd.testing.assert_frame_equal(got[["cases", "throughput_median"]],
                                  ref["variants"].sort_index(), check_dtype=False)
    assert m.variants.share.sum() == pytest.approx(1.0)
    got = m.rework.set_index("activity").sort_index()
    pd.testing.assert_frame_equal(got, ref["rework"].sort_index(), check_dtype=False)
    for name in ("starts", "ends"):
        got = getattr(m, name).set_index("activity").cases.sort_index()
        pd.testing.assert_series_equal(got, ref[name].sort_index(), check_names=False,
                                       check_dtype=False)
    assert m.time_kind == ("wait" if has_start else "flow")
    assert m.n_cases == df.case_id.nunique()
    return m


def minutes(*values: float) -> list[pd.Timestamp]:
    return [T0 + pd.Timedelta(minutes=v) for v in values]


def test_hand_made_log_with_ties_self_loop_and_single_event_visit():
    df = pd.DataFrame({
        "case_id": ["a"] * 4 + ["b"] * 3 + ["c"],
        "activity": ["Registration", "Lab", "Lab", "Pharmacy",
                     "Registration", "Consultation", "Pharmacy", "Lab"],
        # visit b has two touchpoints with identical times: file order decides
        "start": minutes(0, 20, 45, 90, 0, 15, 15, 300),
        "end": minutes(10, 30, 60, 95, 5, 15, 15, 310),
    })
    m = assert_map_matches(df)
    tr = m.transitions.set_index(["source", "target"])
    # numbers a user would read off the map
    assert tr.loc[("Registration", "Lab"), "wait_median"] == 10
    assert tr.loc[("Lab", "Lab"), "wait_median"] == 15
    assert tr.loc[("Registration", "Consultation"), "wait_median"] == 10
    assert tr.loc[("Consultation", "Pharmacy"), "wait_median"] == 0
    assert m.rework.set_index("activity").loc["Lab", "extra_minutes"] == 15 + 15
    assert m.starts.set_index("activity").cases.to_dict() == {"Registration": 2, "Lab": 1}
    steps = m.steps.set_index(["step", "source", "target"]).cases
    assert steps[(1, "Lab", "End")] == 1 and steps[(3, "Lab", "Pharmacy")] == 1


def test_overlap_counts_and_gives_no_wait():
    df = pd.DataFrame({"case_id": ["a", "a", "b", "b"],
                       "activity": ["Lab", "Imaging"] * 2,
                       "start": minutes(0, 5, 0, 40), "end": minutes(30, 20, 30, 50)})
    m = assert_map_matches(df)
    row = m.transitions.iloc[0]
    assert (row.overlaps, row.transitions, row.wait_median) == (1, 2, 10)


def test_completion_times_only_gives_flow_times():
    df = pd.DataFrame({"case_id": ["a", "a", "a"], "activity": ["Registration", "Lab", "Exit"],
                       "end": minutes(0, 30, 45)})
    m = assert_map_matches(df, has_start=False)
    tr = m.transitions.set_index(["source", "target"]).flow_median
    assert (tr[("Registration", "Lab")], tr[("Lab", "Exit")]) == (30.0, 15.0)
    assert any("flow times" in n for n in m.notes)
    assert m.touchpoints.service_median.isna().all()
    # no column, axis, legend or hover text calls a flow time a wait
    c = journey.compare_maps(m, m)
    for table in (m.touchpoints, m.transitions, c.touchpoints_change, c.transitions_change):
        assert not [col for col in table.columns if "wait" in col]
        assert "flow_median" in "".join(table.columns)
    assert (c.transitions_change.flow_median_change == 0).all()
    for fig in (m.process_map(), m.stage_map(), c.figure()):
        text = fig.to_json()
        assert "flow time" in text and "wait" not in text.lower().replace("waiting", "")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_logs_match_plain_pandas(seed):
    rng = np.random.default_rng(seed)
    acts = ["Registration", "Triage", "Consultation", "Payment", "Lab", "Pharmacy"]
    rows = []
    for c in range(60):
        t = rng.integers(0, 600)
        for _ in range(rng.integers(1, 7)):
            t += int(rng.integers(0, 40))  # zero gaps create ties
            dur = int(rng.integers(0, 25))
            rows.append((f"V{c:03d}", acts[rng.integers(len(acts))], T0 + pd.Timedelta(
                minutes=int(t)), T0 + pd.Timedelta(minutes=int(t + dur))))
            t += dur - int(rng.integers(0, 5))  # sometimes overlaps
    df = pd.DataFrame(rows, columns=["case_id", "activity", "start", "end"])
    df = df.sample(frac=1, random_state=seed)  # file order is not time order
    assert_map_matches(df)
    assert_map_matches(df, has_start=False)
    for has_start in (True, False):  # flows reconnect around the removed touchpoints
        m = assert_map_matches(df, has_start=has_start, activities=0.6)
        assert len(m.touchpoints) < len(acts) and "flows reconnect" in m.notes[0]


def test_visit_key_of_one_file_and_case_ids_of_parts_give_one_map(tmp_path):
    """A log from one file stores an integer visit key (the row of the visit's first event)
    and counts distinct visits on it; the parts of a folder number their rows each from 1, so
    that log counts on the case ids. Both maps are the same, and equal to plain pandas."""
    rng = np.random.default_rng(7)
    n = 3000
    df = pd.DataFrame({"case_id": rng.integers(0, 400, n).astype(str),
                       "activity": rng.choice(["A", "B", "C", "D"], n, p=[0.4, 0.3, 0.2, 0.1]),
                       "end": T0 + pd.to_timedelta(rng.integers(0, 5000, n), unit="min")})
    df["start"] = df.end - pd.to_timedelta(rng.integers(0, 30, n), unit="min")
    one, parts = tmp_path / "log.parquet", tmp_path / "parts"
    df.to_parquet(one)
    parts.mkdir()
    df.iloc[:1500].to_parquet(parts / "a.parquet")
    df.iloc[1500:].to_parquet(parts / "b.parquet")
    log_one, log_parts = journey.read_log(one), journey.read_log(parts)
    assert "_visit" in log_one.table.columns and "_visit" not in log_parts.table.columns
    keys = log_one.table.execute()
    assert (keys.groupby("case_id")._visit.nunique() == 1).all()
    assert keys._visit.nunique() == keys.case_id.nunique()
    m_one, m_parts = journey.journey_map(log_one), journey.journey_map(log_parts)
    for name in ("touchpoints", "transitions", "rework", "stages"):
        pd.testing.assert_frame_equal(getattr(m_one, name), getattr(m_parts, name))
    visits = df.groupby("activity").case_id.nunique()
    assert m_one.touchpoints.set_index("activity").cases.sort_index().tolist() == \
        visits.sort_index().tolist()


def test_simplification_keeps_most_frequent_touchpoints_and_paths():
    df = pd.DataFrame({"case_id": ["a", "a", "a", "b", "b", "c", "c"],
                       "activity": ["R", "X", "C", "R", "C", "R", "C"],
                       "end": minutes(0, 10, 20, 0, 10, 0, 30)})
    log = journey.read_log(df)
    m = journey.journey_map(log, activities=0.8)  # R and C hold 6 of 7 events
    assert set(m.touchpoints.activity) == {"R", "C"}
    tr = m.transitions.set_index(["source", "target"])
    assert tr.loc[("R", "C"), "cases"] == 3  # visit a reconnects around X
    assert tr.loc[("R", "C"), "flow_median"] == 20  # no start times: a flow time
    with pytest.raises(journey.JourneyError):
        journey.journey_map(log, paths=0)


def test_filtered_log_counts_first_touchpoint_and_steps_afresh():
    df = pd.DataFrame({"case_id": ["a", "a", "a"], "activity": ["X", "R", "C"],
                       "end": minutes(0, 10, 20)})
    m = journey.journey_map(journey.read_log(df).filter(activities=["R", "C"]))
    assert m.starts.activity.tolist() == ["R"]
    assert m.steps[["step", "source", "target"]].values.tolist() == [[1, "R", "C"],
                                                                   [2, "C", "End"]]


def test_compare_maps_against_hand_computation():
    before = pd.DataFrame({"case_id": ["a", "a"], "activity": ["R", "C"],
                           "start": minutes(0, 70), "end": minutes(10, 80)})
    after = pd.DataFrame({"case_id": ["b", "b", "b"], "activity": ["R", "C", "P"],
                          "start": minutes(0, 25, 40), "end": minutes(10, 35, 45)})
    c = journey.compare_maps(journey.journey_map(journey.read_log(before)),
                             journey.journey_map(journey.read_log(after)),
                             labels=("before", "after"))
    tr = c.transitions_change.set_index(["source", "target"])
    assert tr.loc[("R", "C"), "wait_median_change"] == 15 - 60
    assert tr.loc[("C", "P"), "cases_a"] == 0 and tr.loc[("C", "P"), "cases_b"] == 1
    tp = c.touchpoints_change.set_index("activity")
    assert tp.loc["C", "wait_median_change"] == -45


def test_filters():
    df = pd.DataFrame({"case_id": ["a", "a", "b", "b"], "activity": ["R", "C", "R", "L"],
                       "end": minutes(0, 10, 1440, 1450), "department": ["IM", "IM", "S", "S"],
                       "age_band": ["65+", "65+", "18-39", "18-39"]})
    log = journey.read_log(df)
    assert log.filter(department="IM").n_cases == 1
    assert log.filter(where={"age_band": "18-39"}).to_pandas().case_id.unique().tolist() == ["b"]
    assert log.filter(period=(T0, T0 + pd.Timedelta(hours=1))).n_cases == 1
    assert log.filter(variants=["R → L"]).n_events == 2
    assert log.filter(activities=["R"]).n_events == 2
    assert "department=['IM']" in log.filter(department="IM").filters
    with pytest.raises(journey.JourneyError, match="no column 'ward'"):
        log.filter(where={"ward": "3"})
    with pytest.raises(journey.JourneyError, match=r"no event has department = \['ICU'\]"):
        log.filter(department="ICU")


def test_simplification_by_numbers_keeps_the_busiest_and_every_touchpoint_connected():
    df = pd.DataFrame({"case_id": list("aaabbcccdd"),
                       "activity": ["R", "X", "C", "R", "C", "R", "Y", "C", "R", "C"],
                       "end": minutes(0, 10, 20, 0, 10, 0, 5, 30, 0, 9)})
    log = journey.read_log(df)
    m = journey.journey_map(log, activities=2)  # R and C: 4 events each; X and Y: 1
    assert set(m.touchpoints.activity) == {"R", "C"}
    assert m.transitions.set_index(["source", "target"]).cases.to_dict() == {("R", "C"): 4}
    assert "2 of 4 touchpoint(s) removed" in m.notes[0]
    full = journey.journey_map(log, paths=1)
    kept = set(zip(full.transitions.source, full.transitions.target, strict=True))
    # R → C carries most visits; X and Y each keep their only way in and out
    assert kept == {("R", "C"), ("R", "X"), ("X", "C"), ("R", "Y"), ("Y", "C")}
    assert journey.journey_map(log).transitions.equals(
        journey.journey_map(log, paths=None).transitions)
    for bad in (0, -3, 1.5, True, "30"):
        with pytest.raises(journey.JourneyError):
            journey.journey_map(log, activities=bad)


def drawn_edges(fig) -> list[tuple[str, str]]:
    return [tuple(e) for t in fig.data if (t.meta or {}).get("role") == "edge_lines"
            for e in t.meta["edges"]]


def test_process_map_of_hundreds_of_activities_simplifies_itself(tmp_path):
    from zoo import build

    log = journey.read_log(build("daily_xes", tmp_path))
    m = journey.journey_map(log)
    n_all = len(m.touchpoints)
    n_paths = len(m.transitions) + len(m.starts) + len(m.ends)
    assert n_all > 200
    fig = m.process_map()
    nodes = [n for t in fig.data if (t.meta or {}).get("role") == "node" for n in t.meta["nodes"]]
    top = m.touchpoints.sort_values(["events", "activity"], ascending=[False, True])
    assert sorted(nodes) == sorted(top.activity.head(30))
    edges = drawn_edges(fig)
    assert 60 <= len(edges) <= 90  # 60, and what keeps every touchpoint connected
    assert fig.layout.title.subtitle.text == (
        f"Showing 30 of {n_all} touchpoints and {len(edges)} of {n_paths:,} paths: pass "
        "activities=…, "
        "paths=… to show more")
    start, end = "Start", "End"
    for node in nodes:  # nobody is cut off
        assert any(t == node and s != node for s, t in edges), node
        assert any(s == node and t != node for s, t in edges), node
    assert start in {s for s, _ in edges} and end in {t for _, t in edges}
    assert len(fig.data) < 40 and len(fig.to_json()) < 2_000_000
    assert fig.layout.width is None and fig.layout.autosize
    assert len(m.touchpoints) == n_all  # the tables are not simplified
    everything = m.process_map(activities=None, paths=None)
    assert len(drawn_edges(everything)) == n_paths and len(everything.data) < 60
    assert everything.layout.title.subtitle.text is None
    with pytest.raises(journey.JourneyError, match="activities=0"):
        m.process_map(activities=0)


def test_process_map_of_the_sample_hides_nothing_and_labels_the_main_paths():
    m = journey.journey_map(journey.read_log("data/sample/visits.csv"))
    fig = m.process_map()
    assert fig.layout.title.subtitle.text is None
    assert len(drawn_edges(fig)) == len(m.transitions) + len(m.starts) + len(m.ends)
    assert "colour: visits per touchpoint" in fig.layout.title.text
    assert "width: visits per path" in fig.layout.title.text
    labels = [a.text for a in fig.layout.annotations if a.xref != "paper"]
    top = m.transitions[m.transitions.source != m.transitions.target].sort_values(
        ["cases", "source", "target"], ascending=[False, True, True]).head(len(labels))
    assert len(labels) == min(12, len(m.transitions))
    for text, row in zip(labels, top.itertuples(), strict=True):
        assert text == f"{row.cases:,} · {row.wait_median:,.0f} min"
    wait = m.process_map(color_by="wait", width_by="wait").layout.title.text
    assert "median wait before each touchpoint" in wait and "median wait per path" in wait


@pytest.mark.parametrize("name", ["sepsis_xes", "daily_xes", "gbk_his_csv", "lifecycle_csv"])
def test_activities_stored_as_an_enum_or_as_text_give_the_same_map(name, tmp_path, monkeypatch):
    # read_log stores up to ENUM_ACTIVITIES distinct activities as an ENUM (sorted as text),
    # and with at most FIRST_PASS_ACTIVITIES flags each touchpoint's first pass in its visit:
    # the map counts visits as a sum of flags, a distinct count on ENUM codes, or on text
    from zoo import OPTIONS, build

    import journey.read
    from journey.engine import FIRST_PASS

    path = build(name, tmp_path)
    tables = {}
    for enum, flags in ((journey.read.ENUM_ACTIVITIES, journey.read.FIRST_PASS_ACTIVITIES),
                        (journey.read.ENUM_ACTIVITIES, 0), (0, journey.read.FIRST_PASS_ACTIVITIES)):
        monkeypatch.setattr(journey.read, "ENUM_ACTIVITIES", enum)
        monkeypatch.setattr(journey.read, "FIRST_PASS_ACTIVITIES", flags)
        log = journey.read_log(path, **OPTIONS.get(name, {}))
        kind = log._con.con.execute("SELECT typeof(activity) FROM events LIMIT 1").fetchall()[0][0]
        assert kind.startswith("ENUM") == (enum > 0)
        n = log.summary()["activities"]
        assert (FIRST_PASS in log.table.columns) == (enum > 0 and n <= flags)
        # results hold the activities as text, not as a dictionary of Python objects
        rel = log._con._to_duckdb_relation(log.table.select("activity", "_prev_activity"))
        assert [str(t) for t in rel.types] == ["VARCHAR", "VARCHAR"]
        m = journey.journey_map(log)
        tables[enum, flags] = [m.touchpoints, m.transitions, m.variants, m.rework,
                               log.to_pandas(), log.summary()]
    first, *others = tables.values()
    assert first[0].cases.sum() > 0
    for other in others:
        for a, b in zip(first, other, strict=True):
            if isinstance(a, pd.Series):
                pd.testing.assert_series_equal(a, b)
            else:
                pd.testing.assert_frame_equal(a, b)
