"""Tests of the journey-map figures, on small hand-made map tables.

The tables describe ten visits:

- 5 x Registration → Triage → Consultation → Payment → Pharmacy
- 3 x Registration → Triage → Consultation → Lab → Lab → Consultation → Pharmacy
  (a self-loop at Lab and a cycle Consultation ↔ Lab)
- 1 x Registration (a single-event visit)
- 1 x Registration → Triage → Left unseen (a touchpoint without outgoing transitions)
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from journey._figures_maps import (
    map_difference_figure,
    process_map_figure,
    sankey_figure,
    stage_map_figure,
    variants_figure,
)
from journey.errors import JourneyError

VISITS = (
    [["Registration", "Triage", "Consultation", "Payment", "Pharmacy"]] * 5
    + [["Registration", "Triage", "Consultation", "Lab", "Lab", "Consultation", "Pharmacy"]] * 3
    + [["Registration"], ["Registration", "Triage", "Left unseen"]]
)
NAN = float("nan")
ZH = {"Registration": "挂号", "Triage": "分诊", "Consultation": "就诊", "Payment": "缴费",
      "Lab": "检验", "Pharmacy": "取药", "Left unseen": "未就诊离开"}


def map_tables() -> dict[str, pd.DataFrame]:
    touchpoints = pd.DataFrame(
        [("Registration", "in", 10, 10, 2.5, 4.5, NAN, NAN),
         ("Triage", "in", 9, 9, 3.5, 6.5, 7.5, 12.5),
         ("Consultation", "in", 8, 11, 9.5, 18.5, 31.5, 64.5),
         ("Payment", "in", 5, 5, 1.5, 2.5, 4.5, 8.5),
         ("Lab", "in", 3, 6, 5.5, 11.5, 22.5, 41.5),
         ("Pharmacy", "in", 8, 8, 2.5, 3.5, 14.5, 21.5),
         ("Left unseen", "in", 1, 1, 0.5, 0.5, 95.5, 95.5)],
        columns=["activity", "stage", "cases", "events", "service_median", "service_p90",
                 "wait_median", "wait_p90"])
    transitions = pd.DataFrame(
        [("Registration", "Triage", 9, 9, 0.9, 7.5, 8.25, 12.5),
         ("Triage", "Consultation", 8, 8, 8 / 9, 28.5, 30.75, 60.5),
         ("Triage", "Left unseen", 1, 1, 1 / 9, 95.5, 95.5, 95.5),
         ("Consultation", "Payment", 5, 5, 5 / 8, 4.5, 5.25, 8.5),
         ("Consultation", "Lab", 3, 3, 3 / 8, 20.5, 21.75, 40.5),
         ("Lab", "Lab", 3, 3, 1.0, 33.5, 34.25, 45.5),
         ("Lab", "Consultation", 3, 3, 1.0, 36.5, 37.25, 70.5),
         ("Consultation", "Pharmacy", 3, 3, 3 / 8, 16.5, 17.25, 22.5),
         ("Payment", "Pharmacy", 5, 5, 1.0, 12.5, 13.75, 20.5)],
        columns=["source", "target", "cases", "transitions", "share_of_source", "wait_median",
                 "wait_mean", "wait_p90"])
    starts = pd.DataFrame({"activity": ["Registration"], "cases": [10], "share": [1.0]})
    ends = pd.DataFrame({"activity": ["Pharmacy", "Registration", "Left unseen"],
                         "cases": [8, 1, 1], "share": [0.8, 0.1, 0.1]})
    return {"touchpoints": touchpoints, "transitions": transitions, "starts": starts,
            "ends": ends}


def chinese(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    cols = ["activity", "source", "target"]
    return {k: df.assign(**{c: df[c].map(ZH) for c in cols if c in df}) for k, df in
            tables.items()}


def plain_steps(visits: list[list[str]], end: str = "End") -> pd.DataFrame:
    """The Sankey steps table, counted with plain Python."""
    counts = Counter((i, a, (v + [end])[i]) for v in visits for i, a in enumerate(v, start=1))
    return pd.DataFrame([(s, a, b, n) for (s, a, b), n in sorted(counts.items())],
                        columns=["step", "source", "target", "cases"])


def traces(fig, role):
    return [t for t in fig.data if isinstance(t.meta, dict) and t.meta.get("role") == role]


def edge_list(fig, role: str) -> list[SimpleNamespace]:
    """The edges of one role (edge, start_edge, end_edge) of a process map, each with its
    source, target, width, hover text, drawn curve (x, y), drawn width and arrow sizes."""
    curves = {}
    for t in traces(fig, "edge_lines"):
        xs, ys, sizes = list(t.x), list(t.y), list(t.marker.size)
        breaks = [-1] + [i for i, x in enumerate(xs) if x is None or x != x]  # None or NaN
        for (a, b), (s, e) in zip(itertools.pairwise(breaks), t.meta["edges"], strict=True):
            curves.setdefault((s, e), []).append(SimpleNamespace(
                x=xs[a + 1:b], y=ys[a + 1:b], sizes=sizes[a + 1:b], line=t.line,
                marker=t.marker))
    out = []
    for t in traces(fig, role):
        for s, e, w, h in zip(t.meta["source"], t.meta["target"], t.meta["width"], t.hovertext,
                              strict=True):
            c = curves[(s, e)].pop(0)
            out.append(SimpleNamespace(source=s, target=e, width=w, hovertext=h, x=c.x, y=c.y,
                                       sizes=c.sizes, drawn_width=c.line.width,
                                       marker=c.marker))
    return out


def node_xy(fig) -> dict[str, tuple[float, float]]:
    xy = {}
    for t in traces(fig, "node") + traces(fig, "terminal"):
        for name, x, y in zip(t.meta["nodes"], t.x, t.y, strict=True):
            assert name not in xy
            xy[name] = (x, y)
    return xy


def node_hover(fig) -> dict[str, str]:
    return {n: h for t in traces(fig, "node") for n, h in zip(t.meta["nodes"], t.hovertext,
                                                               strict=True)}


def all_text(fig) -> str:
    """The whole figure as JSON, with Chinese characters unescaped."""
    return json.dumps(json.loads(fig.to_json()), ensure_ascii=False)


# --------------------------------------------------------------------------------------------
# process map
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("color_by", ["cases", "wait"])
def test_every_touchpoint_is_one_node_plus_start_and_end(color_by):
    tables = map_tables()
    fig = process_map_figure(**tables, color_by=color_by)
    nodes = [n for t in traces(fig, "node") for n in t.meta["nodes"]]
    assert sorted(nodes) == sorted(tables["touchpoints"]["activity"])
    assert [n for t in traces(fig, "terminal") for n in t.meta["nodes"]] == ["Start", "End"]
    assert list(traces(fig, "terminal")[0].text) == ["Start", "End"]
    # node labels show name and visits
    labels = {n: s for t in traces(fig, "node") for n, s in zip(t.meta["nodes"], t.text,
                                                                strict=True)}
    assert labels["Consultation"] == "Consultation<br>8"


def test_wait_colouring_puts_touchpoints_without_a_wait_in_grey():
    fig = process_map_figure(**map_tables(), color_by="wait")
    coloured, grey = traces(fig, "node")
    assert grey.meta["nodes"] == ["Registration"] and grey.marker.color == "#a6a6a6"
    assert coloured.marker.showscale and coloured.marker.cmax == 95.5
    by_name = dict(zip(coloured.meta["nodes"], coloured.marker.color, strict=True))
    assert by_name["Lab"] == 22.5 and by_name["Left unseen"] == 95.5


def test_one_edge_per_transition_including_the_self_loop():
    tables = map_tables()
    fig = process_map_figure(**tables)
    edges = [(e.source, e.target) for e in edge_list(fig, "edge")]
    assert sorted(edges) == sorted(zip(tables["transitions"]["source"],
                                       tables["transitions"]["target"], strict=True))
    assert [(e.source, e.target) for e in edge_list(fig, "start_edge")] == [
        ("Start", "Registration")]
    assert sorted(e.source for e in edge_list(fig, "end_edge")) == [
        "Left unseen", "Pharmacy", "Registration"]
    # the self-loop leaves and re-enters Lab from above
    xy = node_xy(fig)
    loop = next(e for e in edge_list(fig, "edge") if e.source == e.target)
    lab_x, lab_y = xy["Lab"]
    assert max(abs(np.array(loop.x) - lab_x)) < 0.5
    assert min(loop.y) > lab_y and max(loop.y) - lab_y < 1.0
    # every edge ends in an arrow at its last point, and only there
    for role in ("edge", "start_edge", "end_edge"):
        for e in edge_list(fig, role):
            assert e.marker.symbol == "arrow" and e.marker.angleref == "previous"
            assert list(e.sizes[:-1]) == [0] * (len(e.x) - 1) and e.sizes[-1] > 0
    # few traces: one per line style and width, one of hover points per role
    assert len(fig.data) <= len(traces(fig, "edge_lines")) + 3 + 3


def test_edge_width_follows_volume_or_wait():
    tables = map_tables()
    drawn = edge_list(process_map_figure(**tables), "edge")
    by_cases = {(e.source, e.target): e.width for e in drawn}
    assert all(abs(e.drawn_width - e.width) <= 0.125 for e in drawn)
    assert by_cases[("Registration", "Triage")] == pytest.approx(1 + 7 * 9 / 10)
    assert by_cases[("Triage", "Left unseen")] == pytest.approx(1 + 7 * 1 / 10)
    by_wait = {(e.source, e.target): e.width
               for e in edge_list(process_map_figure(**tables, width_by="wait"), "edge")}
    assert by_wait[("Triage", "Left unseen")] == pytest.approx(8.0)  # the longest median wait
    assert by_wait[("Consultation", "Payment")] == pytest.approx(1 + 7 * 4.5 / 95.5)


def test_hover_texts_carry_the_numbers_of_the_tables():
    tables = map_tables()
    fig = process_map_figure(**tables)
    hover = {(e.source, e.target): e.hovertext for e in edge_list(fig, "edge")}
    for row in tables["transitions"].itertuples():
        text = hover[(row.source, row.target)]
        assert f"Visits: {row.cases}" in text and f"Transitions: {row.transitions}" in text
        assert f"Share of the source's visits: {row.share_of_source:.1%}" in text
        assert f"Median wait: {row.wait_median:.1f} min" in text
        assert f"Mean wait: {row.wait_mean:.1f} min" in text
        assert f"P90 wait: {row.wait_p90:.1f} min" in text
    assert "Share of the source's visits: 88.9%" in hover[("Triage", "Consultation")]
    nodes = node_hover(fig)
    for row in tables["touchpoints"].itertuples():
        text = nodes[row.activity]
        assert f"Visits: {row.cases}" in text and f"Events: {row.events}" in text
        assert f"Median service time: {row.service_median:.1f} min" in text
        assert f"P90 service time: {row.service_p90:.1f} min" in text
    assert "Median wait before: 31.5 min" in nodes["Consultation"]
    assert "P90 wait before: 64.5 min" in nodes["Consultation"]
    assert "Median wait before: –" in nodes["Registration"]  # unknown, not zero
    end_hover = {e.source: e.hovertext for e in edge_list(fig, "end_edge")}
    assert "Visits: 8" in end_hover["Pharmacy"] and "80.0%" in end_hover["Pharmacy"]
    assert "Visits: 10" in traces(fig, "terminal")[0].hovertext[0]


def test_layout_is_deterministic_and_ignores_row_order():
    tables = map_tables()
    first = process_map_figure(**tables).to_json()
    assert process_map_figure(**tables).to_json() == first
    shuffled = {k: df.sample(frac=1, random_state=3) for k, df in tables.items()}
    assert not shuffled["transitions"].index.equals(tables["transitions"].index)
    assert process_map_figure(**shuffled).to_json() == first


def longest_path_layers(edges: list[tuple[str, str]]) -> dict[str, int]:
    """Plain recursive longest path from Start, for an acyclic graph."""
    preds: dict[str, list[str]] = {}
    for s, t in edges:
        preds.setdefault(t, []).append(s)

    def layer(n: str) -> int:
        return 1 + max(layer(p) for p in preds[n]) if n in preds else 0

    return {n: layer(n) for n in {n for e in edges for n in e}}


def test_acyclic_map_runs_left_to_right_in_longest_path_layers():
    tables = map_tables()
    tr = tables["transitions"]
    tr = tr[tr["source"] != "Lab"]
    extra = tr[tr["source"] == "Payment"].assign(source="Lab", cases=3, transitions=3)
    tables["transitions"] = pd.concat([tr, extra], ignore_index=True)  # Lab → Pharmacy
    fig = process_map_figure(**tables)
    xy = node_xy(fig)
    for role in ("edge", "start_edge", "end_edge"):
        for e in edge_list(fig, role):
            assert xy[e.source][0] < xy[e.target][0], (e.source, e.target)
    edges = ([("Start", "Registration")] + list(zip(tables["transitions"]["source"],
                                                     tables["transitions"]["target"],
                                                     strict=True)))
    expected = longest_path_layers(edges)
    expected["End"] = max(expected.values()) + 1
    assert {n: int(x) for n, (x, _) in xy.items()} == expected
    assert expected["Pharmacy"] == 5 and expected["Left unseen"] == 3
    # touchpoints of one layer do not overlap
    for _, group in itertools.groupby(sorted(xy.values()), key=lambda p: p[0]):
        ys = sorted(y for _, y in group)
        assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(ys))


def test_a_cycle_is_broken_at_its_rarer_return_edge():
    fig = process_map_figure(**map_tables())
    xy = node_xy(fig)
    backwards = {(e.source, e.target) for e in edge_list(fig, "edge")
                 if xy[e.source][0] >= xy[e.target][0]}
    assert backwards == {("Lab", "Lab"), ("Lab", "Consultation")}
    assert xy["Start"][0] == 0 and xy["End"][0] == max(x for x, _ in xy.values())


def random_map(n_nodes: int = 22, n_edges: int = 60, seed: int = 7) -> dict[str, pd.DataFrame]:
    """A dense map of the size seen in practice, with loops, cycles and long edges."""
    rng = np.random.default_rng(seed)
    names = [f"Touchpoint {i:02d}" for i in range(n_nodes)]
    pairs = sorted({(names[a], names[b]) for a, b in rng.integers(0, n_nodes, (4 * n_edges, 2))})
    pairs = [pairs[i] for i in sorted(rng.choice(len(pairs), n_edges, replace=False))]
    cases = rng.integers(1, 200, n_edges)
    wait = rng.uniform(1, 90, n_edges).round(1)
    transitions = pd.DataFrame({"source": [s for s, _ in pairs], "target": [t for _, t in pairs],
                                "cases": cases, "transitions": cases + 1, "share_of_source": 0.5,
                                "wait_median": wait, "wait_mean": wait + 1, "wait_p90": wait * 2})
    touchpoints = pd.DataFrame({"activity": names, "stage": "in", "cases": rng.integers(1, 500,
                                                                                         n_nodes),
                                "events": 1, "service_median": 1.0, "service_p90": 2.0,
                                "wait_median": 3.0, "wait_p90": 4.0})
    starts = pd.DataFrame({"activity": names[:3], "cases": [50, 20, 5], "share": 0.3})
    ends = pd.DataFrame({"activity": names[-6:], "cases": 10, "share": 0.1})
    return {"touchpoints": touchpoints, "transitions": transitions, "starts": starts,
            "ends": ends}


def test_a_dense_map_keeps_nodes_apart_and_every_edge():
    tables = random_map()
    fig = process_map_figure(**tables)
    assert len(edge_list(fig, "edge")) == 60
    assert sum(e.source == e.target for e in edge_list(fig, "edge")) == sum(
        tables["transitions"]["source"] == tables["transitions"]["target"]) > 0
    xy = node_xy(fig)
    assert len(xy) == 22 + 2
    for _, group in itertools.groupby(sorted(xy.values()), key=lambda p: p[0]):
        ys = sorted(y for _, y in group)
        assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(ys))
    for e in edge_list(fig, "edge"):  # edges run from border to border
        start, end = np.array([e.x[0], e.y[0]]), np.array([e.x[-1], e.y[-1]])
        assert np.all(np.isfinite(e.x)) and np.all(np.isfinite(e.y))
        assert np.hypot(*(end - xy[e.target])) > 0
        if e.source != e.target:
            assert np.hypot(*(start - xy[e.source])) > 0
    assert fig.layout.height <= 2400
    assert process_map_figure(**tables).to_json() == fig.to_json()


def test_flow_time_labelling_never_says_wait():
    tables = map_tables()
    for color_by, width_by in [("wait", "wait"), ("cases", "cases")]:
        fig = process_map_figure(**tables, color_by=color_by, width_by=width_by,
                                 time_kind="flow")
        text = all_text(fig)
        assert "wait" not in text.lower() and "flow time" in text
        zh = all_text(process_map_figure(**chinese(tables), color_by=color_by,
                                         time_kind="flow", lang="zh"))
        assert "等待" not in zh and "流转时间" in zh
    hover = node_hover(process_map_figure(**tables, time_kind="flow"))
    assert "Median flow time before: 31.5 min" in hover["Consultation"]


def test_chinese_labels():
    fig = process_map_figure(**chinese(map_tables()), color_by="wait", lang="zh")
    assert sorted(n for t in traces(fig, "node") for n in t.meta["nodes"]) == sorted(ZH.values())
    assert list(traces(fig, "terminal")[0].text) == ["开始", "结束"]
    hover = node_hover(fig)
    assert "人次: 8" in hover["就诊"] and "到达前等待时间中位数: 31.5 分钟" in hover["就诊"]
    assert "流程图" in fig.layout.title.text
    text = all_text(fig)
    for english in ("Visits", "Median", "Start", "Share", " min"):
        assert english not in text


def test_bad_input_raises_a_journey_error_that_says_what_to_do():
    tables = map_tables()
    with pytest.raises(JourneyError, match="lacks the column.*wait_p90"):
        process_map_figure(**tables | {"transitions": tables["transitions"].drop(
            columns="wait_p90")})
    with pytest.raises(JourneyError, match="not in the touchpoints table"):
        process_map_figure(**tables | {"touchpoints": tables["touchpoints"].iloc[:-1]})
    with pytest.raises(JourneyError, match="color_by='volume'.*'cases'"):
        process_map_figure(**tables, color_by="volume")
    with pytest.raises(JourneyError, match="lang='fr'"):
        stage_map_figure(tables["touchpoints"], lang="fr")
    with pytest.raises(JourneyError, match="empty"):
        process_map_figure(**tables | {"touchpoints": tables["touchpoints"].iloc[:0]})


# --------------------------------------------------------------------------------------------
# Sankey
# --------------------------------------------------------------------------------------------

def sankey_flows(fig) -> list[tuple[str, str, int]]:
    s = fig.data[0]
    labels = list(s.node.label)
    return [(labels[a], labels[b], v) for a, b, v in zip(s.link.source, s.link.target,
                                                         s.link.value, strict=True)]


def test_sankey_nodes_are_step_indexed_and_flows_add_up():
    fig = sankey_figure(plain_steps(VISITS))
    labels = list(fig.data[0].node.label)
    assert len(labels) == len(set(labels))
    assert {"1 Registration", "2 Triage", "4 Lab", "5 Lab", "6 Consultation", "End"} <= set(
        labels)
    flows = sankey_flows(fig)
    assert sum(v for a, _, v in flows if a.startswith("1 ")) == len(VISITS)
    assert sum(v for _, b, v in flows if b == "End") == len(VISITS)
    assert ("1 Registration", "End", 1) in flows and ("3 Left unseen", "End", 1) in flows
    for node in labels:  # what flows into a touchpoint flows out of it
        inflow = sum(v for _, b, v in flows if b == node)
        outflow = sum(v for a, _, v in flows if a == node)
        if inflow and node != "End":
            assert inflow == outflow, node


def test_sankey_folds_later_steps():
    fig = sankey_figure(plain_steps(VISITS), max_steps=3)
    flows = sankey_flows(fig)
    longer = sum(len(v) > 3 for v in VISITS)
    assert sum(v for _, b, v in flows if b == "…") == longer == 8
    assert sum(v for _, b, v in flows if b == "End") == len(VISITS) - longer
    assert max(int(a.split(" ")[0]) for a, _, _ in flows) == 3


def test_sankey_in_chinese():
    visits = [[ZH[a] for a in v] for v in VISITS]
    fig = sankey_figure(plain_steps(visits, end="结束"), lang="zh")
    labels = list(fig.data[0].node.label)
    assert "1 挂号" in labels and "结束" in labels and "End" not in labels
    assert "人次" in fig.data[0].link.hovertemplate
    assert sum(v for _, b, v in sankey_flows(fig) if b == "结束") == len(VISITS)


# --------------------------------------------------------------------------------------------
# stage map
# --------------------------------------------------------------------------------------------

def stage_touchpoints() -> pd.DataFrame:
    return pd.DataFrame(
        [("Follow-up call", "post", 4, 2880.5), ("Parking", "in", 3, 15.5),
         ("Pharmacy", "in", 8, 14.5), ("Registration", "in", 10, NAN),
         ("Wheelchair", "in", 6, 2.5), ("Appointment booking", "pre", 7, NAN),
         ("Consultation", "in", 8, 31.5), ("Lab", "in", 3, 22.5), ("Triage", None, 9, 7.5)],
        columns=["activity", "stage", "cases", "wait_median"])


def test_stage_map_orders_touchpoints_by_stage_and_catalogue():
    fig = stage_map_figure(stage_touchpoints())
    assert list(fig.layout.xaxis.ticktext) == [
        "Appointment booking", "Registration", "Triage", "Consultation", "Lab", "Pharmacy",
        "Wheelchair", "Parking", "Follow-up call"]  # unknown ones after known, busiest first
    bars = fig.data[0]
    assert list(bars.y) == [7, 10, 9, 8, 3, 8, 6, 3, 4]
    bands = [(s.x0, s.x1) for s in fig.layout.shapes]
    assert bands == [(-0.5, 0.5), (0.5, 7.5), (7.5, 8.5)]
    assert [a.text for a in fig.layout.annotations] == [
        "<b>Pre-visit</b>", "<b>In-visit</b>", "<b>Post-visit</b>"]


def test_pain_points_are_the_longest_median_waits():
    tp = stage_touchpoints()
    for k in (1, 3, 5):
        fig = stage_map_figure(tp, pain_points=k)
        pain = next(t for t in fig.data if t.meta and t.meta["role"] == "pain_points")
        expected = tp.dropna(subset=["wait_median"]).nlargest(k, "wait_median")["activity"]
        assert pain.meta["activities"] == list(expected)
        assert pain.marker.color == "#d62728"
        ticks = list(fig.layout.xaxis.ticktext)
        assert [ticks[i] for i in pain.x] == list(expected)
    assert list(pain.text[:2]) == ["Pain point 1: 2,880.5 min", "Pain point 2: 31.5 min"]
    assert not any(t.meta for t in stage_map_figure(tp, pain_points=0).data)


def test_stage_map_flow_time_and_chinese():
    tp = stage_touchpoints()
    text = all_text(stage_map_figure(tp, time_kind="flow"))
    assert "wait" not in text.lower() and "flow time" in text
    fig = stage_map_figure(tp.assign(activity=tp["activity"].replace(ZH)), lang="zh")
    assert [a.text for a in fig.layout.annotations] == ["<b>院前</b>", "<b>院中</b>", "<b>院后</b>"]
    assert list(fig.layout.xaxis.ticktext)[:3] == ["Appointment booking", "挂号", "分诊"]
    pain = next(t for t in fig.data if t.meta)
    assert pain.text[1] == "痛点2：31.5 分钟" and "人次" in fig.layout.yaxis.title.text


# --------------------------------------------------------------------------------------------
# variants
# --------------------------------------------------------------------------------------------

def plain_variants(visits: list[list[str]]) -> pd.DataFrame:
    counts = Counter(" → ".join(v) for v in visits)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    v = pd.DataFrame(rows, columns=["path", "cases"])
    v["rank"] = range(1, len(v) + 1)
    v["length"] = v["path"].str.count("→") + 1
    v["share"] = v["cases"] / len(visits)
    v["cumulative_share"] = v["share"].cumsum()
    v["throughput_median"] = [95.5, 120.5, 2.5, 110.5]
    return v


def test_variants_bars_share_labels_and_cumulative_line():
    v = plain_variants(VISITS)
    fig = variants_figure(v.iloc[::-1], top=3)
    bars, line = fig.data
    assert len(bars.y) == 3 and bars.y[0].startswith("1. Registration → Triage → Consultation")
    assert list(bars.x) == [5, 3, 1] and list(bars.text) == ["5 (50.0%)", "3 (30.0%)",
                                                              "1 (10.0%)"]
    assert list(line.x) == pytest.approx([0.5, 0.8, 0.9])
    assert v["path"].iloc[1] in bars.hovertext[1] and "Median throughput time: 120.5 min" in \
        bars.hovertext[1]
    assert all(len(label) <= 64 for label in bars.y)
    assert "Top" not in fig.layout.title.text and "3" in fig.layout.title.text
    assert "路径" in variants_figure(v, lang="zh").layout.title.text


# --------------------------------------------------------------------------------------------
# map difference
# --------------------------------------------------------------------------------------------

def changes() -> tuple[pd.DataFrame, pd.DataFrame]:
    cols = ["cases_a", "cases_b", "wait_median_a", "wait_median_b"]
    tpc = pd.DataFrame([("Registration", 10, 12, NAN, NAN), ("Triage", 9, 11, 7.5, 5.5),
                        ("Consultation", 8, 9, 31.5, 12.5), ("Lab", 3, 6, 22.5, 30.5),
                        ("Pharmacy", 8, 8, 14.5, 14.5)], columns=["activity", *cols])
    trc = pd.DataFrame([("Triage", "Consultation", 8, 9, 28.5, 10.5),
                        ("Consultation", "Lab", 3, 2, 20.5, 26.5),
                        ("Lab", "Lab", 3, 0, 33.5, NAN)], columns=["source", "target", *cols])
    for df in (tpc, trc):
        df["cases_change"] = df["cases_b"] - df["cases_a"]
        df["wait_median_change"] = df["wait_median_b"] - df["wait_median_a"]
    return tpc, trc


def bars_by_label(fig, axis: str) -> dict[str, tuple[float, str]]:
    return {lab: (x, t.marker.color) for t in fig.data if t.yaxis == axis
            for lab, x in zip(t.y, t.x, strict=True)}


def test_difference_shows_the_largest_changes_in_blue_and_orange():
    tpc, trc = changes()
    fig = map_difference_figure(tpc, trc, top=3)
    top = bars_by_label(fig, "y")
    expected = tpc.dropna(subset=["wait_median_change"])
    expected = expected.loc[expected["wait_median_change"].abs().nlargest(3).index]
    assert set(top) == set(expected["activity"]) == {"Consultation", "Lab", "Triage"}
    assert top["Consultation"] == (-19.0, "#1f77b4") and top["Lab"] == (8.0, "#ff7f0e")
    assert list(fig.layout.yaxis.categoryarray) == ["Consultation", "Triage", "Lab"]
    bottom = bars_by_label(fig, "y2")
    assert bottom == {"Triage → Consultation": (-18.0, "#1f77b4"),
                      "Consultation → Lab": (6.0, "#ff7f0e")}
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0] == "Touchpoints (3 largest of 4; 1 without a value in A and B)"
    assert titles[1] == "Transitions (2 largest of 2; 1 without a value in A and B)"
    assert {t.name for t in fig.data if t.showlegend is not False} == {
        "Less wait (improvement)", "More wait (deterioration)"}
    hover = next(t for t in fig.data if "Lab" in t.y and t.yaxis == "y").hovertext[0]
    assert "A: 3 Visits, Median wait 22.5 min" in hover and "Change: +8.0 min" in hover


def test_difference_in_cases_flow_time_and_chinese():
    tpc, trc = changes()
    fig = map_difference_figure(tpc, trc, metric="cases", top=2)
    top = bars_by_label(fig, "y")
    assert top == {"Lab": (3, "#ff7f0e"), "Registration": (2, "#ff7f0e")}
    assert bars_by_label(fig, "y2")["Lab → Lab"] == (-3, "#1f77b4")
    text = all_text(map_difference_figure(tpc, trc, time_kind="flow"))
    assert "wait" not in text.lower() and "flow time" in text
    zh = map_difference_figure(tpc, trc, lang="zh")
    assert zh.layout.annotations[0].text.startswith("触点")
    assert "等待时间减少（改善）" in {t.name for t in zh.data}
    assert math.isclose(bars_by_label(zh, "y")["Consultation"][0], -19.0)
