"""Interactive journey-map figures (plotly): process map, Sankey, stage map, variants, changes.

Every function takes the small tables of a journey map (times in minutes, NaN where unknown)
and returns a :class:`plotly.graph_objects.Figure`. The figures are deterministic: the same
tables give the same figure, whatever their row order, because the process-map layout is
computed here in Python (no Graphviz, no random seeds). ``lang="zh"`` switches titles, axis
labels, hover texts and legends to Chinese. When a log has no start times the gaps between
touchpoints are *flow times*, not waits: pass ``time_kind="flow"`` and every label says so.

Small counts: with ``min_count=k`` (or :func:`journey.privacy.set_min_count` for the session),
every element built from 1 to ``k - 1`` visits (node, edge, link, bar, variant) is left out,
because its size would reveal the count even without a number, and the figure's subtitle says
how many elements were hidden. A touchpoint can stay while some of its edges are hidden.

Process-map layout (a layered, left-to-right drawing):

1. cycles are broken by a depth-first search from the Start node that follows the busiest
   edges first; an edge that closes a cycle (rework, loops back) is drawn right-to-left;
2. each touchpoint's layer (column) is its longest-path rank from Start; End is the last layer;
3. edges that span several layers pass through invisible waypoints, and the order within each
   layer is improved by alternating barycentre sweeps, keeping the order with fewest crossings.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from journey._catalogue import _new_episodes
from journey._gaps import wait_columns
from journey._labels import texts
from journey._plotting import (
    _choice,
    _limit,
    _options,
)
from journey.errors import JourneyError
from journey.stages import CATALOGUE, STAGES, stage_of, touchpoint_of

__all__ = [
    "map_difference_figure",
    "process_map_figure",
    "sankey_figure",
    "stage_map_figure",
    "variants_figure",
]


_BLUE, _ORANGE, _GREY, _RED = "#1f77b4", "#ff7f0e", "#a6a6a6", "#d62728"
_STAGE_FILL = {"pre": "rgba(31,119,180,0.08)", "in": "rgba(44,160,44,0.08)",
               "post": "rgba(148,103,189,0.10)"}
_END_NAMES = ("End", "结束")


def _tr(key: str, lang: str, time_kind: str = "wait", **values: object) -> str:
    """One label of the label dictionary, with ``{time}`` and other fields filled in."""
    labels = texts("maps", lang)
    return labels[key].format(time=labels[time_kind], **values)


def _shown(counts: pd.Series, k: int | None) -> pd.Series:
    """False where a count of visits is from 1 to ``k - 1``: the elements to leave out."""
    return ~counts.between(1, k - 1) if k is not None else pd.Series(True, index=counts.index)


def _say_hidden(fig: go.Figure, hidden: int, k: int | None, lang: str) -> go.Figure:
    """Say in the subtitle how many elements were left out for having too few visits."""
    if hidden:
        said = _tr("hidden_one" if hidden == 1 else "hidden", lang, n=hidden, k=k)
        before = fig.layout.title.subtitle.text
        fig.update_layout(title_subtitle_text=f"{before}<br>{said}" if before else said,
                          margin_t=(fig.layout.margin.t or 100) + 24)
    return fig


def _table(df: pd.DataFrame, name: str, columns: list[str]) -> pd.DataFrame:
    """Check that a journey-map table has its columns; return a copy. Flow-time columns of a
    log without start times (``flow_median``) are read under their wait names."""
    if not isinstance(df, pd.DataFrame):
        raise JourneyError(f"{name} must be a pandas DataFrame, got {type(df).__name__}; "
                           "pass the table of a journey map")
    df = wait_columns(df)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise JourneyError(f"the {name} table lacks the column(s) {missing}; pass the {name} "
                           f"table of a journey map, with columns {columns}")
    return df.copy()


def _minutes(value: float, lang: str) -> str:
    return "–" if pd.isna(value) else f"{value:,.1f} {texts('maps', lang)['min']}"


def _count(value: float) -> str:
    return "–" if pd.isna(value) else f"{int(value):,}"


def _share(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.1%}"


def _hover(title: str, rows: list[tuple[str, str]]) -> str:
    return f"<b>{title}</b><br>" + "<br>".join(f"{k}: {v}" for k, v in rows)


# --------------------------------------------------------------------------------------------
# process-map layout
# --------------------------------------------------------------------------------------------

def _depth_first(nodes: list[object], out: dict[object, list[object]], start: object,
                 ) -> tuple[list[object], set[tuple[object, object]]]:
    """Nodes in depth-first order from ``start`` (then the rest), and the edges closing a cycle."""
    state: dict[object, int] = {}
    found: list[object] = []
    back: set[tuple[object, object]] = set()
    for root in [start, *nodes]:
        if root in state:
            continue
        state[root] = 0
        found.append(root)
        stack = [(root, iter(out[root]))]
        while stack:
            u, children = stack[-1]
            for v in children:
                if v not in state:
                    state[v] = 0
                    found.append(v)
                    stack.append((v, iter(out[v])))
                    break
                if state[v] == 0:
                    back.add((u, v))
            else:
                state[u] = 1
                stack.pop()
    return found, back


def _longest_paths(nodes: list[object], dag: list[tuple[object, object]], start: object,
                   end: object) -> dict[object, int]:
    """Longest-path layers: touchpoints right of ``start``, ``end`` in the last layer."""
    layer = {n: 0 if n == start else 1 for n in nodes}
    for _ in nodes:
        changed = False
        for u, v in dag:
            if layer[v] < layer[u] + 1:
                layer[v], changed = layer[u] + 1, True
        if not changed:
            break
    layer[end] = max(layer[n] for n in nodes if n != end) + 1
    return layer


def _fewest_crossings(order: list[list[object]], links: list[tuple[object, object]],
                      layer: dict[object, int], preds: dict[object, list[object]],
                      succs: dict[object, list[object]]) -> list[list[object]]:
    """The order within each layer with the fewest crossings found by barycentre sweeps."""
    n_layers = len(order)
    by_layer = [[(a, b) for a, b in links if layer[a] == i] for i in range(n_layers)]

    def crossings(order: list[list[object]]) -> int:
        pos = {n: i for group in order for i, n in enumerate(group)}
        total = 0
        for group in by_layer:
            p = np.array([(pos[a], pos[b]) for a, b in group], dtype=float).reshape(-1, 2)
            total += int(((p[:, None, 0] - p[None, :, 0]) * (p[:, None, 1] - p[None, :, 1])
                          < 0).sum()) // 2
        return total

    best, fewest = [list(g) for g in order], crossings(order)
    for sweep in range(4):
        down = sweep % 2 == 0
        for i in range(1, n_layers) if down else range(n_layers - 2, -1, -1):
            pos = {n: j for j, n in enumerate(order[i - 1 if down else i + 1])}
            near = preds if down else succs

            def barycentre(item: tuple[int, object], pos=pos, near=near) -> tuple[float, int]:
                j, n = item
                ref = [pos[m] for m in near[n]]
                return (sum(ref) / len(ref) if ref else j, j)

            order[i] = [n for _, n in sorted(enumerate(order[i]), key=barycentre)]
        count = crossings(order)
        if count < fewest:
            best, fewest = [list(g) for g in order], count
    return best


def _heights(best: list[list[object]], links: list[tuple[object, object]],
             link_weights: list[float], layer: dict[object, int],
             preds: dict[object, list[object]], succs: dict[object, list[object]],
             ) -> tuple[dict[object, float], dict[object, float]]:
    """Each node's height, pulled towards its neighbours (weighted); the room each takes."""
    n_layers = len(best)
    weight: dict[tuple[object, object], float] = {}
    for (a, b), w in zip(links, link_weights, strict=True):
        weight[(a, b)] = weight.get((a, b), 0.0) + w
    gap = {n: 0.25 if isinstance(n, tuple) and n[:1] == ("waypoint",) else 1.0 for n in layer}
    z = {}
    for group in best:
        room = np.array([gap[n] for n in group])
        z |= dict(zip(group, np.cumsum(room) - room / 2, strict=True))
    for sweep in range(8):
        down = sweep % 2 == 0  # sweeps look left, then right; the last two look both ways
        sides = [(preds, True), (succs, False)] if sweep >= 6 else [
            (preds, True) if down else (succs, False)]
        for i in range(n_layers) if down else range(n_layers - 1, -1, -1):
            group = best[i]
            target = []
            for n in group:
                pairs = [(z[m], weight[(m, n) if before else (n, m)])
                         for near, before in sides for m in near[n]]
                total = sum(w for _, w in pairs)
                target.append(sum(y * w for y, w in pairs) / total if total > 0 else z[n])
            space = np.cumsum([0.0] + [(gap[a] + gap[b]) / 2 for a, b in
                                       zip(group[:-1], group[1:], strict=True)])
            blocks: list[list[float]] = []  # pool adjacent violators: [mean, count]
            for value in np.array(target) - space:
                blocks.append([value, 1])
                while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
                    (m2, c2), (m1, c1) = blocks.pop(), blocks.pop()
                    blocks.append([(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2])
            fitted = np.concatenate([[m] * c for m, c in blocks]) + space
            z |= dict(zip(group, fitted, strict=True))
    return z, gap


def _layered_layout(
    nodes: list[object], edges: list[tuple[object, object]], weights: list[float],
    start: object, end: object,
) -> tuple[dict[object, tuple[float, float]], dict[tuple[object, object], list[tuple]]]:
    """Left-to-right layered layout of a directed graph without self-loops.

    ``nodes`` and ``edges`` come in priority order (busiest first), ``weights`` are the edges'
    volumes; the result is the position ``(x, y)`` of every node (x = layer) and, for every
    edge, the waypoints it passes through on its way from source to target.
    """
    out: dict[object, list[object]] = {n: [] for n in nodes}
    for u, v in edges:
        out[u].append(v)
    # 1. depth-first search from Start, busiest edges first; edges closing a cycle are reversed
    found, back = _depth_first(nodes, out, start)
    dag = [(v, u) if (u, v) in back else (u, v) for u, v in edges]
    # 2. longest-path layering; touchpoints right of Start, End in the last layer
    layer = _longest_paths(nodes, dag, start, end)
    # 3. waypoints on long edges, then barycentre sweeps between neighbouring layers
    rank = {n: (i, -1, 0) for i, n in enumerate(found)}
    chains: dict[tuple[object, object], list[tuple]] = {}
    links: list[tuple[object, object]] = []
    link_weights: list[float] = []
    for k, (u, v) in enumerate(dag):
        chain = [("waypoint", k, i) for i in range(layer[u] + 1, layer[v])]
        for i, w in enumerate(chain):
            layer[w], rank[w] = layer[u] + 1 + i, (rank[u][0], k, i)
        path = [u, *chain, v]
        links += list(zip(path[:-1], path[1:], strict=True))
        link_weights += [float(weights[k])] * (len(path) - 1)
        chains[edges[k]] = chain[::-1] if edges[k] in back else chain
    n_layers = layer[end] + 1
    order: list[list[object]] = [[] for _ in range(n_layers)]
    for n in sorted(layer, key=rank.__getitem__):
        order[layer[n]].append(n)
    preds: dict[object, list[object]] = {n: [] for n in layer}
    succs: dict[object, list[object]] = {n: [] for n in layer}
    for a, b in links:
        succs[a].append(b)
        preds[b].append(a)

    best = _fewest_crossings(order, links, layer, preds, succs)
    # 4. coordinates: keep each layer's order and spacing (waypoints need less room), and pull
    #    every node towards the weighted mean height of its neighbours, so that busy paths
    #    and long edges run straight; exact least-squares placement by pool-adjacent-violators
    z, gap = _heights(best, links, link_weights, layer, preds, succs)
    top, bottom = min(z[n] - gap[n] / 2 for n in z), max(z[n] + gap[n] / 2 for n in z)
    xy = {n: (float(layer[n]), float((top + bottom) / 2 - z[n])) for n in z}
    routes = {e: [xy[w] for w in chain] for e, chain in chains.items()}
    return xy, routes


def _smooth(points: np.ndarray, rounds: int = 3) -> np.ndarray:
    """Chaikin corner cutting: a smooth, densely sampled curve with the same end points."""
    for _ in range(rounds):
        a, b = points[:-1], points[1:]
        cut = np.column_stack([0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b]).reshape(-1, 2)
        points = np.vstack([points[:1], cut, points[-1:]])
    return points


def _edge_curve(points: list[tuple[float, float]], start_px: float, gap_px: float,
                px: np.ndarray, bow: float) -> np.ndarray:
    """Curve through the points, bowed to the right of travel, from ``start_px`` after the
    first point to ``gap_px`` before the last: from the border of one node to the other's."""
    pts = np.array(points, dtype=float)
    if len(pts) == 2:  # neighbouring layers: bow sideways so A→B and B→A stay apart
        d = (pts[1] - pts[0]) * px
        normal = np.array([d[1], -d[0]]) / (np.hypot(*d) or 1.0)
        pts = np.vstack([pts[0], pts.mean(axis=0) + bow * normal * np.hypot(*d) / px, pts[1]])
    for at, near, trim in ((-1, -2, gap_px), (0, 1, start_px)):
        step = (pts[at] - pts[near]) * px
        length = np.hypot(*step)
        if length > trim:
            pts[at] = pts[at] - step / length * trim / px
    return _smooth(pts)


def _self_loop(x: float, y: float, radius_px: float, px: np.ndarray) -> np.ndarray:
    """A small loop above a node, leaving and re-entering through its top."""
    r = radius_px
    offsets = np.array([(-0.4 * r, 0.9 * r), (-1.1 * r, 2.4 * r), (0.0, 3.2 * r),
                        (1.1 * r, 2.4 * r), (0.4 * r, 1.0 * r + 4.0)])
    return _smooth(np.array([x, y]) + offsets / px)


_START, _END = ("terminal", "start"), ("terminal", "end")  # cannot clash with activity names
#: ``color_by`` / ``width_by`` → the column of the touchpoints and transitions tables.
_MAP_BY = {"cases": "cases", "wait": "wait_median", "wait_p90": "wait_p90"}


def _map_tables(touchpoints: pd.DataFrame, transitions: pd.DataFrame, starts: pd.DataFrame,
                ends: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame,
                                             pd.DataFrame]:
    """The four tables of a process map, checked to be of one and the same map."""
    tp = _table(touchpoints, "touchpoints", ["activity", "cases", "events", "service_median",
                                             "service_p90", "wait_median", "wait_p90"])
    tr = _table(transitions, "transitions", ["source", "target", "cases", "transitions",
                                             "share_of_source", "wait_median", "wait_mean",
                                             "wait_p90"])
    st = _table(starts, "starts", ["activity", "cases", "share"])
    en = _table(ends, "ends", ["activity", "cases", "share"])
    if tp.empty:
        raise JourneyError("the touchpoints table is empty, so there is no map to draw; "
                           "check the filters that produced the journey map")
    if tp["activity"].duplicated().any():
        dup = sorted(tp.loc[tp["activity"].duplicated(), "activity"].astype(str).unique())
        raise JourneyError(f"touchpoints lists {dup} more than once; pass one row per activity")
    known = set(tp["activity"])
    for name, df, cols in (("transitions", tr, ["source", "target"]), ("starts", st, ["activity"]),
                           ("ends", en, ["activity"])):
        unknown = sorted({str(a) for c in cols for a in df[c]} - {str(a) for a in known})
        if unknown:
            raise JourneyError(f"the {name} table mentions {unknown[:10]}, which are not in the "
                               "touchpoints table; pass the tables of one and the same map")
    return tp, tr, st, en


def _busiest_first(tp: pd.DataFrame, tr: pd.DataFrame, st: pd.DataFrame, en: pd.DataFrame,
                   ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The map's tables in a deterministic priority order: busiest first, then by name."""
    tp = tp.assign(_name=tp["activity"].astype(str)).sort_values(
        ["cases", "_name"], ascending=[False, True], kind="stable")
    tr = tr.assign(_s=tr["source"].astype(str), _t=tr["target"].astype(str)).sort_values(
        ["cases", "_s", "_t"], ascending=[False, True, True], kind="stable")
    st = st.assign(_name=st["activity"].astype(str)).sort_values(
        ["cases", "_name"], ascending=[False, True], kind="stable")
    en = en.assign(_name=en["activity"].astype(str)).sort_values(
        ["cases", "_name"], ascending=[False, True], kind="stable")
    return tp, tr, st, en


def _map_edges(tr: pd.DataFrame, st: pd.DataFrame, en: pd.DataFrame, xy: dict, routes: dict,
               radius: dict, px: np.ndarray, width_by: str, lang: str, time_kind: str,
               ) -> list[dict]:
    """Each edge of the map: role, source, target, curve, width and hover text."""
    L = texts("maps", lang)
    by = _MAP_BY[width_by]
    value = (pd.concat([tr["cases"], st["cases"], en["cases"]]) if width_by == "cases"
             else tr[by])
    top = float(value.max()) if value.notna().any() else 0.0

    def edge_width(v: float) -> float:
        return 1.0 if pd.isna(v) or top <= 0 else 1.0 + 7.0 * float(v) / top

    edges: list[dict] = []  # role, source, target, curve, width, hover text
    for row in tr.itertuples(index=False):
        s, t = row.source, row.target
        text = _hover(f"{s} → {t}", [
            (L["visits"], _count(row.cases)), (L["transitions"], _count(row.transitions)),
            (L["share_of_source"], _share(row.share_of_source)),
            (_tr("median", lang, time_kind), _minutes(row.wait_median, lang)),
            (_tr("mean", lang, time_kind), _minutes(row.wait_mean, lang)),
            (_tr("p90", lang, time_kind), _minutes(row.wait_p90, lang))])
        w = edge_width(getattr(row, by))
        if s == t:
            curve = _self_loop(*xy[s], radius[s], px)
        else:
            curve = _edge_curve([xy[s], *routes[(s, t)], xy[t]], radius[s] + 2,
                                radius[t] + 3 + w, px, 0.12)
        edges.append({"role": "edge", "source": s, "target": t, "curve": curve, "width": w,
                      "text": text, "cases": row.cases, "median": row.wait_median})
    for role, table, pairs in (("start_edge", st, lambda a: (_START, a)),
                               ("end_edge", en, lambda a: (a, _END))):
        for row in table.itertuples(index=False):
            u, v = pairs(row.activity)
            names = [L["start"] if n == _START else L["end"] if n == _END else n for n in (u, v)]
            text = _hover(f"{names[0]} → {names[1]}", [(L["visits"], _count(row.cases)),
                                                        (L["share"], _share(row.share))])
            w = edge_width(row.cases) if width_by == "cases" else 1.5
            curve = _edge_curve([xy[u], *routes[(u, v)], xy[v]], radius[u] + 2,
                                radius[v] + 3 + w, px, 0.12)
            edges.append({"role": role, "source": names[0], "target": names[1],
                          "curve": curve, "width": w, "text": text})
    return edges


def _draw_edges(edges: list[dict], lang: str) -> list[go.Scatter]:
    """The edges' curves, one trace per style and width, and their hover markers."""
    L = texts("maps", lang)
    traces: list[go.Scatter] = []
    # one trace per line style and width (to a quarter pixel): curves separated by NaN
    groups: dict[tuple[bool, float], list[dict]] = {}
    for e in edges:
        groups.setdefault((e["role"] != "edge", round(e["width"] * 4) / 4), []).append(e)
    for (dotted, w), group in sorted(groups.items(), key=lambda item: item[0]):
        colour = "rgba(150,150,150,0.55)" if dotted else "rgba(70,70,70,0.5)"
        xs = np.concatenate([np.vstack([e["curve"], [np.nan, np.nan]]) for e in group])
        sizes = np.concatenate([[0.0] * (len(e["curve"]) - 1) + [7 + 1.5 * w, 0.0]
                                for e in group])
        traces.append(go.Scatter(  # numbers as arrays: plotly checks them at once
            x=xs[:, 0].astype("float32"), y=xs[:, 1].astype("float32"),
            mode="lines+markers", hoverinfo="skip", showlegend=False, name=L["transitions"],
            line={"width": w, "color": colour, "dash": "dot" if dotted else "solid"},
            marker={"symbol": "arrow", "angleref": "previous", "color": colour,
                    "size": sizes.astype("float32")},
            meta={"role": "edge_lines", "edges": [[e["source"], e["target"]] for e in group]}))
    for role in ("edge", "start_edge", "end_edge"):  # hover texts at the middle of the edges
        group = [e for e in edges if e["role"] == role]
        if not group:
            continue
        middle = [e["curve"][len(e["curve"]) // 2] for e in group]
        traces.append(go.Scatter(
            x=[round(float(m[0]), 4) for m in middle], y=[round(float(m[1]), 4) for m in middle],
            mode="markers", marker={"size": 12, "color": "rgba(0,0,0,0)"}, hoverinfo="text",
            hovertext=[e["text"] for e in group], showlegend=False, name=L["transitions"],
            meta={"role": role, "source": [e["source"] for e in group],
                  "target": [e["target"] for e in group],
                  "width": [e["width"] for e in group]}))
    return traces


def _draw_nodes(tp: pd.DataFrame, st: pd.DataFrame, en: pd.DataFrame, xy: dict,
                size: np.ndarray, color_by: str, lang: str, time_kind: str,
                ) -> list[go.Scatter]:
    """Start and End, then the touchpoints: coloured ones and grey ones without a wait."""
    L = texts("maps", lang)
    traces: list[go.Scatter] = []
    n_start, n_end = st["cases"].sum(), en["cases"].sum()
    traces.append(go.Scatter(
        x=[xy[_START][0], xy[_END][0]], y=[xy[_START][1], xy[_END][1]], mode="markers+text",
        marker={"size": 18, "color": "#444444", "symbol": ["triangle-right", "square"]},
        text=[L["start"], L["end"]], textposition="bottom center", hoverinfo="text",
        hovertext=[_hover(L["start"], [(L["visits"], _count(n_start))]),
                   _hover(L["end"], [(L["visits"], _count(n_end))])],
        showlegend=False, name=f"{L['start']} / {L['end']}",
        meta={"role": "terminal", "nodes": [L["start"], L["end"]]}))
    # touchpoints: coloured ones and, when colouring by wait, grey ones without a known wait
    colour = tp[_MAP_BY[color_by]]
    tp = tp.assign(_size=size, _colour=colour)
    cbar = _tr(f"color_{color_by}", lang, time_kind)
    for has_colour, part in ((True, tp[colour.notna()]), (False, tp[colour.isna()])):
        if part.empty:
            continue
        hover = [_hover(r.activity, [
            (L["visits"], _count(r.cases)), (L["events"], _count(r.events)),
            (L["service_median"], _minutes(r.service_median, lang)),
            (L["service_p90"], _minutes(r.service_p90, lang)),
            (_tr("median_before", lang, time_kind), _minutes(r.wait_median, lang)),
            (_tr("p90_before", lang, time_kind), _minutes(r.wait_p90, lang))])
            for r in part.itertuples(index=False)]
        marker = {"size": part["_size"], "line": {"width": 1, "color": "white"}}
        if has_colour:
            marker |= {"color": part["_colour"], "colorscale": "Blues" if color_by == "cases"
                       else "YlOrRd", "cmin": 0, "cmax": float(part["_colour"].max()) or 1.0,
                       "showscale": True, "colorbar": {"title": {"text": cbar}, "thickness": 14}}
        else:
            marker |= {"color": _GREY}
        traces.append(go.Scatter(
            x=[xy[a][0] for a in part["activity"]], y=[xy[a][1] for a in part["activity"]],
            mode="markers+text", marker=marker, textposition="bottom center",
            text=[f"{a}<br>{_count(c)}" for a, c in zip(part["activity"], part["cases"],
                                                         strict=True)],
            textfont={"size": 11}, hoverinfo="text", hovertext=hover, showlegend=False,
            name=L["touchpoints"] if has_colour else _tr("no_data", lang, time_kind),
            meta={"role": "node", "nodes": list(part["activity"])}))
    return traces


def _edge_labels(edges: list[dict], labels: int, xy: dict, nodes: list, radius: dict,
                 px: np.ndarray, lang: str, time_kind: str) -> list[dict]:
    """Labels on the busiest transitions (not self-loops), clear of the nodes and names."""
    L = texts("maps", lang)
    main = [e for e in edges if e["role"] == "edge" and e["source"] != e["target"]][:labels]
    annotations = []
    # each label where its curve is farthest from the nodes and their names (in pixels)
    centres = np.array([xy[n] for n in nodes]) * px
    below = np.array([[0.0, -(radius[n] + 14)] for n in nodes])
    avoid = np.vstack([centres, centres + below])
    for e in main:
        curve = e["curve"]
        inner = curve[int(len(curve) * 0.25): max(int(len(curve) * 0.75), 1) + 1]
        room = np.hypot(*np.moveaxis(inner[:, None, :] * px - avoid[None], 2, 0)).min(axis=1)
        m = inner[int(np.argmax(room))]
        minutes = "–" if pd.isna(e["median"]) else f"{e['median']:,.0f}"
        annotations.append({"x": round(float(m[0]), 4), "y": round(float(m[1]), 4),
                            "showarrow": False, "borderpad": 1,
                            "text": L["edge_label"].format(n=_count(e["cases"]), m=minutes),
                            "font": {"size": 10, "color": "#333333"},
                            "bgcolor": "rgba(255,255,255,0.85)"})
    if main:
        annotations.append({"x": 0, "y": 0, "xref": "paper", "yref": "paper", "yshift": -4,
                            "xanchor": "left", "yanchor": "top", "showarrow": False,
                            "text": _tr("path_labels", lang, time_kind),
                            "font": {"size": 11, "color": "#555555"}})
    return annotations


def process_map_figure(
    touchpoints: pd.DataFrame,
    transitions: pd.DataFrame,
    starts: pd.DataFrame,
    ends: pd.DataFrame,
    *,
    color_by: str = "cases",
    width_by: str = "cases",
    time_kind: str = "wait",
    paths: int | float | None = None,
    labels: int = 12,
    totals: tuple[int, int] | None = None,
    min_count: int | None = None,
    lang: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Interactive process map (directly-follows graph) drawn left to right.

    Touchpoints are markers labelled with their name and number of visits and coloured by
    volume or by median wait before the touchpoint; transitions are curves from border to
    border whose width shows volume or median wait, with an arrow at the target; the
    busiest transitions carry a label with their visits and median wait. Self-loops (the
    same touchpoint twice in a row) are small loops above the node; transitions that go back
    in the journey (rework) run right to left. Start and End nodes link to the first and
    last touchpoints of the visits (dotted). The title says what colour and width show.
    Hover a node or the middle of an edge for its numbers; zoom and pan to explore. The
    figure takes the width of its container.

    Parameters
    ----------
    touchpoints : DataFrame
        Columns ``activity, stage, cases, events, service_median, service_p90, wait_median,
        wait_p90`` (minutes).
    transitions : DataFrame
        Columns ``source, target, cases, transitions, share_of_source, wait_median, wait_mean,
        wait_p90`` (minutes).
    starts, ends : DataFrame
        Columns ``activity, cases, share``: first and last touchpoints of the visits.
    color_by : {"cases", "wait", "wait_p90"}
        Colour the touchpoints by visits or by median (or P90) wait (flow time) before them.
        Touchpoints without a known wait are grey.
    width_by : {"cases", "wait", "wait_p90"}
        Edge width by visits or by median (or P90) wait (flow time) of the transition.
    time_kind : {"wait", "flow"}
        ``"flow"`` for a log without start times: every label then says "flow time".
    paths : int or float, optional
        Draw only this many of the paths (transitions, Start and End edges) that carry most
        visits, or a share in (0, 1] of the transitions, plus each touchpoint's busiest
        incoming and outgoing path where it would otherwise be cut off; default: all.
    labels : int
        How many of the busiest transitions carry a label (visits · median time).
    totals : (int, int), optional
        Touchpoints and paths of the whole map when the tables are of a simplified one, for
        the subtitle that says what is hidden.
    min_count : int, optional
        Leave out touchpoints, transitions and Start/End edges of 1 to ``min_count - 1``
        visits; default :func:`journey.privacy.get_min_count` (None: show all). The
        subtitle says how many were hidden; Start and End count the visits still drawn.
    lang : {"en", "zh"}
        Language of titles, labels and hover texts.
    title : str, optional
        Figure title; a default that says what colour and width show otherwise.

    Returns
    -------
    plotly.graph_objects.Figure
        Edges of one style and width share one trace (curves separated by NaN), whose
        ``meta`` is ``{"role": "edge_lines", "edges": [[source, target], ...]}``; an
        invisible marker at the middle of every edge carries its hover text, in traces with
        ``meta={"role": "edge" | "start_edge" | "end_edge", "source": [...], "target": [...],
        "width": [...]}``; node traces carry ``{"role": "node" | "terminal", "nodes": [...]}``.

    Examples
    --------
    >>> import pandas as pd
    >>> tp = pd.DataFrame({"activity": ["Registration", "Consultation"], "stage": ["in", "in"],
    ...                    "cases": [10, 9], "events": [10, 9], "service_median": [2.0, 8.0],
    ...                    "service_p90": [4.0, 15.0], "wait_median": [float("nan"), 25.0],
    ...                    "wait_p90": [float("nan"), 60.0]})
    >>> tr = pd.DataFrame({"source": ["Registration"], "target": ["Consultation"], "cases": [9],
    ...                    "transitions": [9], "share_of_source": [0.9], "wait_median": [25.0],
    ...                    "wait_mean": [31.0], "wait_p90": [60.0]})
    >>> starts = pd.DataFrame({"activity": ["Registration"], "cases": [10], "share": [1.0]})
    >>> ends = pd.DataFrame({"activity": ["Registration", "Consultation"], "cases": [1, 9],
    ...                      "share": [0.1, 0.9]})
    >>> fig = process_map_figure(tp, tr, starts, ends, color_by="wait")
    >>> [t.meta["source"] for t in fig.data if t.meta["role"] == "edge"]
    [['Registration']]
    >>> fig.layout.title.text
    'Process map · colour: median wait before each touchpoint · width: visits per path'
    """
    from journey._simplify import check_amount, keep_paths

    lang = _options(lang, time_kind)
    _choice(color_by, "color_by", ("cases", "wait", "wait_p90"))
    _choice(width_by, "width_by", ("cases", "wait", "wait_p90"))
    paths = check_amount("paths", paths)
    if not (isinstance(labels, int) and labels >= 0):
        raise JourneyError(f"labels={labels!r} must be a whole number, 0 or more")
    tp, tr, st, en = _map_tables(touchpoints, transitions, starts, ends)
    known = set(tp["activity"])
    all_nodes, all_paths = totals or (len(tp), len(tr) + len(st) + len(en))
    k, before = _limit(min_count), len(tp) + len(tr) + len(st) + len(en)
    tp = tp[_shown(tp["cases"], k)]
    tr = tr[_shown(tr["cases"], k) & tr["source"].isin(tp["activity"])
            & tr["target"].isin(tp["activity"])]
    st, en = (df[_shown(df["cases"], k) & df["activity"].isin(tp["activity"])] for df in (st, en))
    hidden = before - len(tp) - len(tr) - len(st) - len(en)
    all_nodes -= len(known) - len(tp)  # the notes below count what the size hid
    all_paths -= hidden - (len(known) - len(tp))
    L = texts("maps", lang)
    tp, tr, st, en = _busiest_first(tp, tr, st, en)
    if paths is not None:
        keep_st, keep_tr, keep_en = keep_paths(tr, paths, st, en)
        st, tr, en = st[keep_st], tr[keep_tr], en[keep_en]
    acts = list(tp["activity"])
    loops = tr["source"] == tr["target"]
    graph_edges = ([(_START, a) for a in st["activity"]]
                   + list(zip(tr.loc[~loops, "source"], tr.loc[~loops, "target"], strict=True))
                   + [(a, _END) for a in en["activity"]])
    weights = [*st["cases"], *tr.loc[~loops, "cases"], *en["cases"]]
    xy, routes = _layered_layout([_START, *acts, _END], graph_edges, weights, _START, _END)
    n_layers = int(max(x for x, _ in xy.values())) + 1
    height_units = max(abs(y) for _, y in xy.values()) * 2 + 1
    height = int(min(2400, max(460, 90 * height_units + 180)))
    px = np.array([860.0 / n_layers, 90.0])  # about pixels per data unit at a common width

    size = 16 + 22 * np.sqrt(tp["cases"].to_numpy(float) / max(tp["cases"].max(), 1))
    radius = dict(zip(acts, size / 2, strict=True)) | {_START: 9.0, _END: 9.0}
    edges = _map_edges(tr, st, en, xy, routes, radius, px, width_by, lang, time_kind)
    fig = go.Figure(_draw_edges(edges, lang)
                    + _draw_nodes(tp, st, en, xy, size, color_by, lang, time_kind))
    annotations = _edge_labels(edges, labels, xy, [_START, *acts, _END], radius, px, lang,
                               time_kind)
    notes = []
    if len(tp) < all_nodes or len(edges) < all_paths:
        notes.append(L["simplified"].format(a=f"{len(tp):,}", a_all=f"{all_nodes:,}",
                                            p=f"{len(edges):,}", p_all=f"{all_paths:,}"))
    y_extent = height_units / 2 + 0.4
    fig.update_layout(
        title={"text": title or _tr("title_map", lang, time_kind,
                                    colour=_tr(f"colour_{color_by}", lang, time_kind),
                                    width=_tr(f"width_{width_by}", lang, time_kind)),
               "subtitle": {"text": "<br>".join(notes) or None}},
        template="plotly_white", height=height, autosize=True, hovermode="closest",
        annotations=annotations,
        margin={"l": 20, "r": 20, "t": 70 + 24 * len(notes), "b": 30},
        xaxis={"visible": False, "range": [-0.5, n_layers - 0.5]},
        yaxis={"visible": False, "range": [-y_extent, y_extent]})
    return _say_hidden(fig, hidden, k, lang)


# --------------------------------------------------------------------------------------------
# Sankey
# --------------------------------------------------------------------------------------------

def sankey_figure(steps: pd.DataFrame, *, max_steps: int = 8, min_count: int | None = None,
                  lang: str | None = None, title: str | None = None) -> go.Figure:
    """Sankey diagram of the visits' paths, one column per step.

    Nodes are step-indexed touchpoints ("1 Registration", "2 Triage", ...), so a touchpoint
    visited again later in a visit appears again at a later step. Every visit ends in the End
    node; flows that go on beyond ``max_steps`` are folded into one "…" node, so the flows
    leaving step 1 add up to the number of visits and the flows into End and "…" do too.

    Parameters
    ----------
    steps : DataFrame
        Columns ``step`` (1-based position of ``source`` within the visit), ``source``,
        ``target`` ("End" or "结束" after the last touchpoint) and ``cases``.
    max_steps : int
        Number of steps drawn before folding.
    min_count : int, optional
        Leave out links (after folding) of 1 to ``min_count - 1`` visits; default
        :func:`journey.privacy.get_min_count` (None: show all). The subtitle says how many.
    lang : {"en", "zh"}
        Language of labels and hover texts.
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> steps = pd.DataFrame({"step": [1, 1, 2], "source": ["Registration"] * 2 + ["Triage"],
    ...                       "target": ["Triage", "End", "End"], "cases": [8, 2, 8]})
    >>> fig = sankey_figure(steps)
    >>> list(fig.data[0].node.label)
    ['1 Registration', '2 Triage', 'End']
    """
    lang = _options(lang)
    df = _table(steps, "steps", ["step", "source", "target", "cases"])
    if not (isinstance(max_steps, int) and max_steps >= 1):
        raise JourneyError(f"max_steps={max_steps!r} must be a whole number of at least 1")
    if df.empty:
        raise JourneyError("the steps table is empty, so there is no path to draw; "
                           "check the filters that produced the journey map")
    L = texts("maps", lang)
    df = df[df["step"] <= max_steps].copy()
    is_end = df["target"].isin(_END_NAMES)
    df["from"] = df["step"].astype(int).astype(str) + " " + df["source"].astype(str)
    df["to"] = np.where(is_end, L["end"], np.where(
        df["step"] < max_steps, (df["step"].astype(int) + 1).astype(str) + " "
        + df["target"].astype(str), L["more"]))
    df["_key"] = df["step"].astype(int)
    flows = (df.groupby(["_key", "from", "to"], sort=True)["cases"].sum().reset_index()
             .sort_values(["_key", "cases", "from", "to"], ascending=[True, False, True, True],
                          kind="stable"))
    # one colour per touchpoint name, whatever its step
    names = sorted({lab.split(" ", 1)[1] for lab in flows["from"]})
    palette = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#eeca3b", "#b279a2",
               "#ff9da6", "#9d755d", "#bab0ac"]
    hue = {n: palette[i % len(palette)] for i, n in enumerate(names)}
    k = _limit(min_count)
    shown = _shown(flows["cases"], k)
    hidden, flows = int((~shown).sum()), flows[shown]
    labels = list(dict.fromkeys([*flows["from"], *flows["to"]]))
    colours = [hue.get(lab.split(" ", 1)[-1], "#666666") if lab not in (L["end"], L["more"])
               else "#666666" for lab in labels]

    def rgba(hex_colour: str) -> str:
        r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        return f"rgba({r},{g},{b},0.35)"

    index = {lab: i for i, lab in enumerate(labels)}
    more = f"{L['more']} ({L['later']})"
    fig = go.Figure(go.Sankey(
        arrangement="snap", valueformat=",d",
        node={"label": labels, "color": colours, "pad": 12, "thickness": 14,
              "customdata": [more if lab == L["more"] else lab for lab in labels],
              "hovertemplate": f"%{{customdata}}<br>{L['visits']}: %{{value:,d}}<extra></extra>"},
        link={"source": [index[f] for f in flows["from"]], "target": [index[t] for t in
                                                                      flows["to"]],
              "value": flows["cases"].tolist(),
              "color": [rgba(colours[index[f]]) for f in flows["from"]],
              "hovertemplate": f"%{{source.label}} → %{{target.label}}<br>{L['visits']}: "
                               "%{value:,d}<extra></extra>"}))
    fig.update_layout(title=title or L["title_sankey"], template="plotly_white",
                      height=520, margin={"l": 20, "r": 20, "t": 60, "b": 20})
    return _say_hidden(fig, hidden, k, lang)


# --------------------------------------------------------------------------------------------
# stage map
# --------------------------------------------------------------------------------------------

def _stage_order(tp: pd.DataFrame) -> pd.DataFrame:
    """Touchpoints in journey order: stage, catalogue order, then unknown ones by volume."""
    catalogue_order = CATALOGUE.set_index("touchpoint")["order"]
    tp["_stage"] = [s if s in STAGES else stage_of(str(a)) if pd.isna(s) else s
                    for a, s in zip(tp["activity"], tp["stage"], strict=True)]
    bad = sorted({str(s) for s in tp["_stage"]} - set(STAGES))
    if bad:
        raise JourneyError(f"stage values {bad} are not known; use one of {list(STAGES)}",
                           column="stage")
    canonical = [touchpoint_of(str(a)) for a in tp["activity"]]
    tp["_s"] = tp["_stage"].map({s: i for i, s in enumerate(STAGES)})
    tp["_unknown"] = [tp_ is None for tp_ in canonical]
    tp["_o"] = [0 if c is None else int(catalogue_order[c]) for c in canonical]
    tp["_v"] = np.where(tp["_unknown"], -tp["cases"].astype(float), 0.0)
    tp["_n"] = tp["activity"].astype(str)
    return tp.sort_values(["_s", "_unknown", "_o", "_v", "_n"], kind="stable")


def stage_map_figure(touchpoints: pd.DataFrame, *, pain_points: int = 3, time_kind: str = "wait",
                     min_count: int | None = None, lang: str | None = None,
                     title: str | None = None) -> go.Figure:
    """The service-design journey map: touchpoints by stage with volume, wait and pain points.

    Touchpoints run left to right in journey order under shaded pre-/in-/post-visit bands
    (catalogue order within a stage, touchpoints outside the catalogue after the known ones,
    busiest first). Bars show visits (left axis); the line shows the median wait before each
    touchpoint (right axis). The ``pain_points`` touchpoints with the longest median wait are
    marked in red and labelled; touchpoints without a known wait are not ranked, nor are
    touchpoints that open a new episode (a return weeks later: median gap ≥ 10 × the log's
    typical gap and ≥ 7 days, see ``journey._catalogue._new_episodes``), which a note below the
    chart names instead.

    Parameters
    ----------
    touchpoints : DataFrame
        Columns ``activity, stage, cases, wait_median`` (minutes); ``stage`` may be missing for
        some rows, which then take the catalogue's stage (unknown names count as in-visit).
    pain_points : int
        How many touchpoints to flag (0 for none).
    time_kind : {"wait", "flow"}
        ``"flow"`` for a log without start times: labels say "flow time".
    min_count : int, optional
        Leave out touchpoints (bar, wait and pain point) of 1 to ``min_count - 1`` visits;
        default :func:`journey.privacy.get_min_count` (None: show all). The subtitle says
        how many were hidden; pain points are ranked among the touchpoints shown.
    lang : {"en", "zh"}
        Language of titles, labels and hover texts.
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        The pain-point trace carries ``meta={"role": "pain_points", "activities": [...]}``,
        longest wait first.

    Examples
    --------
    >>> import pandas as pd
    >>> tp = pd.DataFrame({"activity": ["Registration", "Consultation", "Pharmacy"],
    ...                    "stage": ["in"] * 3, "cases": [10, 9, 7],
    ...                    "wait_median": [float("nan"), 25.0, 12.0]})
    >>> fig = stage_map_figure(tp, pain_points=1)
    >>> [t.meta for t in fig.data if t.meta][0]["activities"]
    ['Consultation']
    """
    lang = _options(lang, time_kind)
    if not (isinstance(pain_points, int) and pain_points >= 0):
        raise JourneyError(f"pain_points={pain_points!r} must be a whole number, 0 or more")
    tp = _table(touchpoints, "touchpoints", ["activity", "stage", "cases", "wait_median"])
    if tp.empty:
        raise JourneyError("the touchpoints table is empty, so there is no map to draw; "
                           "check the filters that produced the journey map")
    L = texts("maps", lang)
    k = _limit(min_count)
    shown = _shown(tp["cases"], k)
    hidden, tp = int((~shown).sum()), tp[shown]
    tp = _stage_order(tp).reset_index(drop=True)
    x = list(range(len(tp)))
    names = tp["activity"].astype(str).tolist()
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    hover = [_hover(a, [(L["visits"], _count(c)),
                        (_tr("median_before", lang, time_kind), _minutes(w, lang))])
             for a, c, w in zip(names, tp["cases"], tp["wait_median"], strict=True)]
    fig.add_trace(go.Bar(x=x, y=tp["cases"], name=L["visits"], marker_color="#9ecae1",
                         hoverinfo="text", hovertext=hover), secondary_y=False)
    fig.add_trace(go.Scatter(x=x, y=tp["wait_median"], mode="lines+markers",
                             name=_tr("median", lang, time_kind), hoverinfo="text",
                             hovertext=hover, line={"color": "#333333"}, marker={"size": 8}),
                  secondary_y=True)
    episodes = _new_episodes(tp)  # returns weeks later are no pain points of the visit
    ranked = tp[tp["wait_median"].notna() & ~tp.index.isin(episodes.index)].sort_values(
        ["wait_median", "cases", "_n"], ascending=[False, False, True], kind="stable")
    pain = ranked.head(pain_points)
    if not pain.empty:
        labels = [_tr("pain", lang, time_kind, k=k, value=_minutes(w, lang))
                  for k, w in enumerate(pain["wait_median"], start=1)]
        fig.add_trace(go.Scatter(
            x=list(pain.index), y=pain["wait_median"], mode="markers+text", text=labels,
            textposition="top center", textfont={"color": _RED},
            marker={"color": _RED, "size": 14, "line": {"width": 1, "color": "white"}},
            name=L["pain_points"],
            hoverinfo="text", hovertext=[hover[i] for i in pain.index],
            meta={"role": "pain_points", "activities": pain["activity"].tolist(),
                  "new_episodes": episodes["activity"].tolist()}),
            secondary_y=True)
    for i, (name, w) in enumerate(zip(episodes["activity"], episodes["wait_median"],
                                      strict=True)):
        fig.add_annotation(text=_tr("episode", lang, time_kind, name=name,
                                    value=w / 1440),
                           x=0, xref="paper", xanchor="left", y=-0.12 - 0.06 * i,
                           yref="paper", showarrow=False, font={"size": 11, "color": _GREY})
    for stage, group in tp.groupby("_s", sort=True):
        key = list(STAGES)[int(stage)]
        lo, hi = group.index.min() - 0.5, group.index.max() + 0.5
        fig.add_vrect(x0=lo, x1=hi, fillcolor=_STAGE_FILL[key], line_width=0, layer="below")
        fig.add_annotation(x=(lo + hi) / 2, y=1.0, yref="paper", yanchor="bottom",
                           text=f"<b>{STAGES[key][lang]}</b>", showarrow=False)
    wait_top = float(tp["wait_median"].max()) if tp["wait_median"].notna().any() else 1.0
    fig.update_layout(title=title or _tr("title_stage", lang, time_kind),
                      template="plotly_white", height=480, hovermode="closest",
                      margin={"t": 100}, legend={"orientation": "h", "y": -0.25})
    fig.update_xaxes(tickmode="array", tickvals=x, ticktext=names, range=[-0.5, len(tp) - 0.5])
    fig.update_yaxes(title_text=L["visits"], rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title_text=_tr("median_axis", lang, time_kind), secondary_y=True,
                     range=[0, wait_top * 1.3], showgrid=False, tickmode="auto")
    fig.update_traces(cliponaxis=False, selector={"mode": "markers+text"})
    fig.update_xaxes(automargin=True, tickangle=-35 if len(tp) > 8 else 0)
    return _say_hidden(fig, hidden, k, lang)


# --------------------------------------------------------------------------------------------
# variants
# --------------------------------------------------------------------------------------------

def variants_figure(variants: pd.DataFrame, *, top: int = 10, min_count: int | None = None,
                    lang: str | None = None, title: str | None = None) -> go.Figure:
    """Horizontal bars of the most common journeys (variants) with a cumulative-share line.

    Each bar is one variant (the exact sequence of touchpoints of a visit), labelled with its
    visits and share of all visits; the line (top axis) shows the cumulative share covered by
    the variants up to that rank.

    Parameters
    ----------
    variants : DataFrame
        Columns ``rank, path, length, cases, share, cumulative_share, throughput_median``.
    top : int
        Number of variants to show (those with the smallest rank).
    min_count : int, optional
        Leave out variants among the ``top`` with 1 to ``min_count - 1`` visits; default
        :func:`journey.privacy.get_min_count` (None: show all). The subtitle says how many.
    lang : {"en", "zh"}
        Language of titles, labels and hover texts.
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"rank": [1, 2], "path": ["Registration → Consultation", "Registration"],
    ...                   "length": [2, 1], "cases": [9, 1], "share": [0.9, 0.1],
    ...                   "cumulative_share": [0.9, 1.0], "throughput_median": [40.0, 3.0]})
    >>> list(variants_figure(v).data[0].text)
    ['9 (90.0%)', '1 (10.0%)']
    """
    lang = _options(lang)
    if not (isinstance(top, int) and top >= 1):
        raise JourneyError(f"top={top!r} must be a whole number of at least 1")
    v = _table(variants, "variants", ["rank", "path", "length", "cases", "share",
                                      "cumulative_share", "throughput_median"])
    if v.empty:
        raise JourneyError("the variants table is empty, so there is nothing to draw; "
                           "check the filters that produced the journey map")
    L = texts("maps", lang)
    v = v.sort_values("rank", kind="stable").head(top)
    k = _limit(min_count)
    shown = _shown(v["cases"], k)
    hidden, v = int((~shown).sum()), v[shown]
    paths = v["path"].astype(str)
    labels = [f"{r}. {p if len(p) <= 60 else p[:59] + '…'}" for r, p in zip(v["rank"], paths,
                                                                             strict=True)]
    hover = [_hover(p, [(L["visits"], _count(c)), (L["share"], _share(s)),
                        (L["cumulative"], _share(cs)), (L["length"], _count(n)),
                        (L["throughput"], _minutes(t, lang))])
             for p, c, s, cs, n, t in zip(paths, v["cases"], v["share"], v["cumulative_share"],
                                          v["length"], v["throughput_median"], strict=True)]
    fig = go.Figure([
        go.Bar(y=labels, x=v["cases"], orientation="h", name=L["visits"], marker_color="#6baed6",
               text=[f"{_count(c)} ({_share(s)})" for c, s in zip(v["cases"], v["share"],
                                                                   strict=True)],
               textposition="auto", hoverinfo="text", hovertext=hover),
        go.Scatter(y=labels, x=v["cumulative_share"], xaxis="x2", mode="lines+markers",
                   name=L["cumulative"], line={"color": "#333333"}, hoverinfo="text",
                   hovertext=hover)])
    fig.update_layout(
        title=title or _tr("title_variants", lang, top=len(v)), template="plotly_white",
        height=max(360, 60 + 38 * len(v)), margin={"l": 20, "r": 20, "t": 100, "b": 40},
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={"title": {"text": L["visits"]}, "rangemode": "tozero"},
        xaxis2={"overlaying": "x", "side": "top", "range": [0, 1.05], "tickformat": ".0%",
                "tickmode": "array", "tickvals": [0, 0.25, 0.5, 0.75, 1],
                "title": {"text": L["cumulative"]}, "showgrid": False},
        legend={"orientation": "h", "y": -0.12})
    return _say_hidden(fig, hidden, k, lang)


# --------------------------------------------------------------------------------------------
# before/after map difference
# --------------------------------------------------------------------------------------------

def map_difference_figure(
    touchpoints_change: pd.DataFrame,
    transitions_change: pd.DataFrame,
    *,
    metric: str = "wait",
    top: int = 15,
    time_kind: str = "wait",
    min_count: int | None = None,
    lang: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Diverging bars of the largest changes between two journey maps A and B.

    Two panels: touchpoints (top) and transitions (bottom), each showing the ``top`` largest
    absolute changes (B − A) sorted from the largest decrease to the largest increase. Less
    wait is an improvement (blue), more wait a deterioration (orange); for ``metric="cases"``
    blue means fewer and orange more visits. Rows whose change is unknown (no value in A or B)
    cannot be ranked; the panel titles say how many there are.

    Parameters
    ----------
    touchpoints_change : DataFrame
        Columns ``activity, cases_a, cases_b, cases_change, wait_median_a, wait_median_b,
        wait_median_change``.
    transitions_change : DataFrame
        Columns ``source, target`` and the same value columns.
    metric : {"wait", "cases"}
        Change in median wait (minutes) or in visits.
    top : int
        Number of largest changes shown per panel.
    time_kind : {"wait", "flow"}
        ``"flow"`` for logs without start times: labels say "flow time".
    min_count : int, optional
        Leave out touchpoints and transitions with 1 to ``min_count - 1`` visits in A or in B
        (0 is kept); default :func:`journey.privacy.get_min_count` (None: show all). The
        subtitle says how many were hidden.
    lang : {"en", "zh"}
        Language of titles, labels and hover texts.
    title : str, optional
        Figure title.

    Returns
    -------
    plotly.graph_objects.Figure
        Bars of the touchpoint panel are on axis ``y``, those of the transition panel on
        ``y2``.

    Examples
    --------
    >>> import pandas as pd
    >>> cols = ["cases_a", "cases_b", "cases_change", "wait_median_a", "wait_median_b",
    ...         "wait_median_change"]
    >>> tpc = pd.DataFrame([["Consultation", 9, 10, 1, 25.0, 15.0, -10.0]],
    ...                    columns=["activity", *cols])
    >>> trc = pd.DataFrame([["Registration", "Consultation", 9, 10, 1, 25.0, 15.0, -10.0]],
    ...                    columns=["source", "target", *cols])
    >>> [t.name for t in map_difference_figure(tpc, trc).data]
    ['Less wait (improvement)', 'Less wait (improvement)']
    """
    lang = _options(lang, time_kind)
    _choice(metric, "metric", ("wait", "cases"))
    if not (isinstance(top, int) and top >= 1):
        raise JourneyError(f"top={top!r} must be a whole number of at least 1")
    values = ["cases_a", "cases_b", "cases_change", "wait_median_a", "wait_median_b",
              "wait_median_change"]
    tpc = _table(touchpoints_change, "touchpoints_change", ["activity", *values])
    trc = _table(transitions_change, "transitions_change", ["source", "target", *values])
    L = texts("maps", lang)
    tpc["_label"] = tpc["activity"].astype(str)
    trc["_label"] = trc["source"].astype(str) + " → " + trc["target"].astype(str)
    column = "wait_median_change" if metric == "wait" else "cases_change"
    fmt = (lambda v: _minutes(v, lang)) if metric == "wait" else _count
    kinds = {-1: ("less_" + metric, _BLUE), 0: ("same", _GREY), 1: ("more_" + metric, _ORANGE)}
    titles, shown_legend = [], set()
    panels, k, hidden = [], _limit(min_count), 0
    for key, df in (("touchpoints", tpc), ("transitions_panel", trc)):
        shown = _shown(df["cases_a"], k) & _shown(df["cases_b"], k)
        hidden, df = hidden + int((~shown).sum()), df[shown]
        known = df[df[column].notna()].copy()
        known["_abs"] = known[column].abs()
        picked = known.sort_values(["_abs", "_label"], ascending=[False, True], kind="stable")
        picked = picked.head(top).sort_values([column, "_label"], kind="stable")
        note = _tr("shown", lang, shown=len(picked), total=len(known))
        if len(known) < len(df):
            note += "; " + _tr("missing", lang, n=len(df) - len(known))
        titles.append(f"{L[key]} ({note})")
        panels.append(picked)
    fig = make_subplots(rows=2, cols=1, subplot_titles=titles, vertical_spacing=0.14,
                        row_heights=[max(1, len(p)) for p in panels])
    for row, picked in enumerate(panels, start=1):
        sign = np.sign(picked[column]).astype(int)
        for s, (name_key, colour) in kinds.items():
            part = picked[sign == s]
            if part.empty:
                continue
            hover = [_hover(lab, [
                ("A", f"{_count(ca)} {L['visits']}, {_tr('median', lang, time_kind)} "
                      f"{_minutes(wa, lang)}"),
                ("B", f"{_count(cb)} {L['visits']}, {_tr('median', lang, time_kind)} "
                      f"{_minutes(wb, lang)}"),
                (L["change"], ("+" if ch > 0 else "") + fmt(ch))])
                for lab, ca, cb, wa, wb, ch in zip(
                    part["_label"], part["cases_a"], part["cases_b"], part["wait_median_a"],
                    part["wait_median_b"], part[column], strict=True)]
            name = _tr(name_key, lang, time_kind)
            fig.add_trace(go.Bar(
                y=part["_label"], x=part[column], orientation="h", marker_color=colour,
                name=name, legendgroup=f"sign{s}", showlegend=name_key not in shown_legend,
                hoverinfo="text", hovertext=hover), row=row, col=1)
            shown_legend.add(name_key)
        fig.update_yaxes(categoryorder="array", categoryarray=picked["_label"].tolist(),
                         autorange="reversed", automargin=True, row=row, col=1)
    axis = _tr("axis_diff_" + metric, lang, time_kind)
    fig.update_xaxes(title_text=axis, zeroline=True, zerolinewidth=2, zerolinecolor="#444444")
    n_rows = sum(max(1, len(p)) for p in panels)
    fig.update_layout(title=title or _tr("title_diff_" + metric, lang, time_kind),
                      template="plotly_white", barmode="overlay",
                      height=max(420, 180 + 26 * n_rows), legend={"orientation": "h", "y": -0.08})
    return _say_hidden(fig, hidden, k, lang)
