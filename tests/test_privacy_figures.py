"""Small counts in journey-map figures: elements of 1 to min_count - 1 visits are left out.

The hand-made log has twenty visits:

- 8 x Registration → Triage → Consultation → Pharmacy
- 4 x Registration → Triage → Consultation → Lab → Consultation → Pharmacy
- 5 x Registration → Consultation → Payment
- 2 x Registration → Triage → Left unseen
- 1 x Registration

Every expected number is counted again from these paths with plain Python.
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import pytest

import journey
from journey._figures_maps import (
    map_difference_figure,
    process_map_figure,
    sankey_figure,
    stage_map_figure,
    variants_figure,
)
from journey.errors import JourneyError
from journey.privacy import get_min_count, set_min_count

REG, TRI, CON, PHA, LAB, PAY, LEFT = ("Registration", "Triage", "Consultation", "Pharmacy", "Lab",
                                      "Payment", "Left unseen")
PATHS_A = ([[REG, TRI, CON, PHA]] * 8 + [[REG, TRI, CON, LAB, CON, PHA]] * 4
           + [[REG, CON, PAY]] * 5 + [[REG, TRI, LEFT]] * 2 + [[REG]])
PATHS_B = [[REG, TRI, CON, PHA]] * 10 + [[REG, TRI, CON, LAB, CON, PHA]] * 3 + [[REG, CON, PAY]] * 6
K = 5


def log_of(paths: list[list[str]]) -> journey.EventLog:
    rows = []
    for i, path in enumerate(paths):
        t = pd.Timestamp("2025-03-03 08:00") + pd.Timedelta(minutes=37 * i)
        for j, activity in enumerate(path):
            start = t + pd.Timedelta(minutes=15 * j + i % 4)
            rows.append((f"V{i:03d}", activity, start, start + pd.Timedelta(minutes=10)))
    return journey.read_log(pd.DataFrame(rows, columns=["case_id", "activity", "start", "end"]))


@pytest.fixture(scope="module")
def jm():
    return journey.journey_map(log_of(PATHS_A))


@pytest.fixture(autouse=True)
def no_session_setting():
    set_min_count(None)
    yield
    set_min_count(None)


def tables(jm) -> dict[str, pd.DataFrame]:
    return {"touchpoints": jm.touchpoints, "transitions": jm.transitions, "starts": jm.starts,
            "ends": jm.ends}


# --- plain counts of visits ----------------------------------------------------------------

def plain_counts(paths: list[list[str]]) -> dict[str, Counter]:
    """Visits per touchpoint, transition, first/last touchpoint, variant and Sankey link."""
    out = {k: Counter() for k in ("touchpoints", "transitions", "starts", "ends", "variants",
                                  "links")}
    for path in paths:
        out["touchpoints"].update(set(path))
        out["transitions"].update(set(zip(path[:-1], path[1:], strict=True)))
        out["starts"][path[0]] += 1
        out["ends"][path[-1]] += 1
        out["variants"][" → ".join(path)] += 1
        labels = [f"{i} {a}" for i, a in enumerate(path, start=1)] + ["End"]
        out["links"].update(zip(labels[:-1], labels[1:], strict=True))
    return out


def kept(counter: Counter) -> dict:
    return {key: n for key, n in counter.items() if n >= K}


def n_small(*counters: Counter) -> int:
    return sum(1 <= n < K for counter in counters for n in counter.values())


def visits_in_hover(fig) -> list[int]:
    """Every "Visits: n" shown in a hover text."""
    texts = [h for t in fig.data for h in (getattr(t, "hovertext", None) or [])]
    return [int(n.replace(",", "")) for h in texts for n in re.findall(r"Visits: ([\d,]+)", h)]


def traces(fig, role: str) -> list:
    return [t for t in fig.data if isinstance(t.meta, dict) and t.meta.get("role") == role]


def subtitle(fig) -> str | None:
    return fig.layout.title.subtitle.text


def test_the_plain_counts_match_the_journey_map(jm):
    """The figures below are checked against plain counts: these are the map's own numbers."""
    plain = plain_counts(PATHS_A)
    assert dict(zip(jm.touchpoints.activity, jm.touchpoints.cases, strict=True)) \
        == dict(plain["touchpoints"])
    assert dict(zip(zip(jm.transitions.source, jm.transitions.target, strict=True),
                    jm.transitions.cases, strict=True)) == dict(plain["transitions"])
    assert dict(zip(jm.variants.path, jm.variants.cases, strict=True)) == dict(plain["variants"])
    assert n_small(*(plain[k] for k in ("touchpoints", "transitions", "starts", "ends"))) == 7


# --- each figure with min_count=5 --------------------------------------------------------------

def test_process_map_leaves_out_small_nodes_and_edges(jm):
    plain = plain_counts(PATHS_A)
    fig = process_map_figure(**tables(jm), min_count=K)
    nodes = {}
    for t in traces(fig, "node"):
        for name, text in zip(t.meta["nodes"], t.text, strict=True):
            nodes[name] = int(text.rsplit("<br>", 1)[1])
    assert nodes == kept(plain["touchpoints"])
    edges = {(s, e): h for t in traces(fig, "edge")
             for s, e, h in zip(t.meta["source"], t.meta["target"], t.hovertext, strict=True)}
    assert set(edges) == set(kept(plain["transitions"]))
    for (s, t), hover in edges.items():
        assert f"Visits: {plain['transitions'][(s, t)]}<br>" in hover
    assert {e for t in traces(fig, "start_edge") for e in t.meta["target"]} == set(
        kept(plain["starts"]))
    assert {s for t in traces(fig, "end_edge") for s in t.meta["source"]} == set(
        kept(plain["ends"]))
    shown = visits_in_hover(fig)
    assert shown and all(n >= K for n in shown)
    # Start and End count the visits still drawn: 20 start, 12 + 5 end at a shown edge
    terminal = traces(fig, "terminal")[0].hovertext
    assert "Visits: 20" in terminal[0] and "Visits: 17" in terminal[1]
    assert subtitle(fig) == "7 items with fewer than 5 visits hidden"
    zh = process_map_figure(**tables(jm), min_count=K, lang="zh")
    assert subtitle(zh) == "7项人次少于5的项目未显示"


def test_sankey_leaves_out_small_links(jm):
    plain = plain_counts(PATHS_A)
    fig = sankey_figure(jm.steps, min_count=K)
    sankey = fig.data[0]
    labels = list(sankey.node.label)
    links = {(labels[s], labels[t]): v for s, t, v in zip(sankey.link.source, sankey.link.target,
                                                          sankey.link.value, strict=True)}
    assert links == kept(plain["links"])
    assert set(labels) == {lab for pair in links for lab in pair}
    assert subtitle(fig) == f"{n_small(plain['links'])} items with fewer than 5 visits hidden"
    assert n_small(plain["links"]) == 7


def test_stage_map_leaves_out_small_touchpoints(jm):
    plain = plain_counts(PATHS_A)
    fig = stage_map_figure(jm.touchpoints, min_count=K)
    bars = fig.data[0]
    names = list(fig.layout.xaxis.ticktext)
    assert dict(zip([names[x] for x in bars.x], bars.y, strict=True)) \
        == kept(plain["touchpoints"])
    shown = visits_in_hover(fig)
    assert shown and all(n >= K for n in shown)
    pain = traces(fig, "pain_points")[0].meta["activities"]
    assert set(pain) <= set(kept(plain["touchpoints"])) and len(pain) == 3
    assert subtitle(fig) == "2 items with fewer than 5 visits hidden"


def test_variants_leave_out_small_variants(jm):
    plain = plain_counts(PATHS_A)
    fig = variants_figure(jm.variants, top=10, min_count=K)
    bars = fig.data[0]
    paths = [label.split(". ", 1)[1] for label in bars.y]
    assert dict(zip(paths, bars.x, strict=True)) == kept(plain["variants"])
    assert list(bars.text) == ["8 (40.0%)", "5 (25.0%)"]
    assert all(n >= K for n in visits_in_hover(fig))
    assert subtitle(fig) == "3 items with fewer than 5 visits hidden"
    one = variants_figure(jm.variants, top=10, min_count=2)
    assert subtitle(one) == "1 item with fewer than 2 visits hidden"


def test_map_changes_leave_out_rows_small_in_a_or_b(jm):
    a, b = plain_counts(PATHS_A), plain_counts(PATHS_B)
    change = journey.compare_maps(jm, journey.journey_map(log_of(PATHS_B)))
    fig = map_difference_figure(change.touchpoints_change, change.transitions_change,
                                metric="cases", min_count=K)

    def small(key) -> bool:
        return any(1 <= c[key] < K for c in (a_part, b_part))

    expected, hidden = set(), 0
    for part in ("touchpoints", "transitions"):
        a_part, b_part = a[part], b[part]
        for key in set(a_part) | set(b_part):
            if small(key):
                hidden += 1
            else:
                expected.add(key if part == "touchpoints" else f"{key[0]} → {key[1]}")
    shown = {}
    for t in fig.data:
        for label, hover in zip(t.y, t.hovertext, strict=True):
            shown[label] = [int(n) for n in re.findall(r"(?:A|B): (\d+) Visits", hover)]
    assert set(shown) == expected
    assert all(n == 0 or n >= K for counts in shown.values() for n in counts)
    assert {LAB, LEFT, f"{CON} → {LAB}", f"{TRI} → {LEFT}"}.isdisjoint(shown)
    assert subtitle(fig) == f"{hidden} items with fewer than 5 visits hidden" and hidden == 5


# --- nothing changes without a min_count --------------------------------------------------------

def figures(jm, change, **kwargs) -> dict:
    return {
        "process map": process_map_figure(**tables(jm), color_by="wait", **kwargs),
        "sankey": sankey_figure(jm.steps, **kwargs),
        "stage map": stage_map_figure(jm.touchpoints, **kwargs),
        "variants": variants_figure(jm.variants, **kwargs),
        "changes": map_difference_figure(change.touchpoints_change, change.transitions_change,
                                         **kwargs),
    }


def test_without_min_count_every_element_is_drawn(jm):
    change = journey.compare_maps(jm, journey.journey_map(log_of(PATHS_B)))
    plain = figures(jm, change)
    for name, fig in figures(jm, change, min_count=1).items():
        assert fig.to_json() == plain[name].to_json(), name
        assert subtitle(fig) is None
    nodes = [n for t in traces(plain["process map"], "node") for n in t.meta["nodes"]]
    assert LAB in nodes and LEFT in nodes
    assert 1 in list(plain["sankey"].data[0].link.value)
    # a min_count that hides nothing changes nothing either
    assert variants_figure(jm.variants, top=2, min_count=K).to_json() \
        == variants_figure(jm.variants, top=2).to_json()


def test_session_setting_is_the_default(jm):
    change = journey.compare_maps(jm, journey.journey_map(log_of(PATHS_B)))
    explicit = figures(jm, change, min_count=K)
    assert get_min_count() is None
    set_min_count(K)
    assert get_min_count() == K
    for name, fig in figures(jm, change).items():
        assert fig.to_json() == explicit[name].to_json(), name
        assert subtitle(fig) is not None
    # the journey-map methods follow it too, and an explicit min_count wins
    assert jm.stage_map().to_json() == explicit["stage map"].to_json()
    assert change.figure().to_json() == explicit["changes"].to_json()
    assert subtitle(process_map_figure(**tables(jm), min_count=1)) is None
    set_min_count(None)
    assert subtitle(jm.stage_map()) is None


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "5"])
def test_bad_min_count_raises_a_journey_error(jm, bad):
    with pytest.raises(JourneyError, match="min_count"):
        set_min_count(bad)
    with pytest.raises(JourneyError, match="whole number of at least 1"):
        stage_map_figure(jm.touchpoints, min_count=bad)


def test_report_kernel_suppresses_figures_at_the_table_threshold(jm, tmp_path):
    import plotly.io as pio
    from IPython.core.interactiveshell import InteractiveShell

    from journey.i18n import get_language, set_language
    from journey.report import _start_report_kernel

    renderer, language = pio.renderers.default, get_language()
    InteractiveShell.instance()
    try:
        _start_report_kernel(str(tmp_path), "01_journey_map", 7, "en")
        assert get_min_count() == 7
        # Lab (4), Left unseen (2) and Payment (5 visits) are left out
        assert subtitle(jm.stage_map()) == "3 items with fewer than 7 visits hidden"
    finally:
        pio.renderers.default = renderer
        set_language(language)
        InteractiveShell.clear_instance()
