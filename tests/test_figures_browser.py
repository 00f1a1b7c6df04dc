"""Every public figure (except SPC, ITS and before/after) drawn in headless Chromium.

Each figure is drawn into a container 900 pixels wide; a small script then measures every
text element plotly drew and reports the ones that stick out of their figure (clipped). The
figure JSON is checked for what the eye needs: separate y axes on the bottleneck panels, round
ticks, every term label, readable names. Needs the Debian package ``chromium``
(scripts/setup-system.sh); skipped without it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs

import journey
from journey.queues import bottlenecks, queue_over_time, time_decomposition, utilisation
from journey.waits import left_unseen, wait_drivers, wait_figure

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian: scripts/setup-system.sh "
                              "or apt-get install chromium)")

#: Measures every <text> of every figure against the figure's own box, after drawing.
MEASURE = """
<script>
window.addEventListener('load', () => setTimeout(() => {
  const out = {};
  document.querySelectorAll('div.js-plotly-plot').forEach(div => {
    const box = div.querySelector('svg.main-svg').getBoundingClientRect();
    const clipped = [];
    let n = 0;
    div.querySelectorAll('svg text').forEach(t => {
      const r = t.getBoundingClientRect();
      if (!t.textContent.trim() || r.width === 0) return;
      n += 1;
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1
          || r.bottom > box.bottom + 1) {
        clipped.push([t.textContent, Math.round(r.left - box.left),
                      Math.round(box.right - r.right), Math.round(r.top - box.top),
                      Math.round(box.bottom - r.bottom)]);
      }
    });
    // text of a trace clipped to its plotting area must lie inside that area
    div.querySelectorAll('g.subplot').forEach(sp => {
      const cls = [...sp.classList].find(c => c !== 'subplot');
      const drag = div.querySelector('g.draglayer g.' + cls + ' rect.nsewdrag');
      if (!drag) return;
      const area = drag.getBoundingClientRect();
      sp.querySelectorAll('[clip-path] g.textpoint text').forEach(t => {
        const r = t.getBoundingClientRect();
        if (!t.textContent.trim() || r.width === 0) return;
        if (r.left < area.left - 1 || r.right > area.right + 1 || r.top < area.top - 1
            || r.bottom > area.bottom + 1) {
          clipped.push(['(plot area) ' + t.textContent, Math.round(r.left - area.left),
                        Math.round(area.right - r.right), Math.round(r.top - area.top),
                        Math.round(area.bottom - r.bottom)]);
        }
      });
    });
    out[div.id] = {texts: n, clipped: clipped, width: Math.round(box.width)};
  });
  const pre = document.createElement('pre');
  pre.id = 'measured';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}, 500));
</script>
"""


def measure(figures: dict[str, go.Figure], folder: Path) -> dict[str, dict]:
    """Draw the figures in Chromium, each in a 900-pixel container; what the script measured."""
    divs = []
    for i, fig in enumerate(figures.values()):
        divs.append(f'<div style="width:900px"><div id="f{i}" class="plotly-graph-div"></div>'
                    f"</div><script>Plotly.newPlot('f{i}', {fig.to_json()}.data, "
                    f"{fig.to_json()}.layout, {{responsive: true}});</script>")
    page = folder / "figures.html"
    page.write_text(f"<html><head><meta charset='utf-8'><script>{get_plotlyjs()}</script>"
                    f"</head><body>{''.join(divs)}{MEASURE}</body></html>", encoding="utf-8")
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={folder / 'profile'}",
               "--window-size=1000,800", "--virtual-time-budget=20000", "--dump-dom",
               page.resolve().as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    found = re.search(r'<pre id="measured">(.*?)</pre>', done.stdout, flags=re.S)
    assert found, "the measuring script did not run"
    text = found.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    measured = json.loads(text)
    return {name: measured[f"f{i}"] for i, name in enumerate(figures)}


@pytest.fixture(scope="module")
def log():
    return journey.read_log(SAMPLE / "visits.csv")


@pytest.fixture(scope="module")
def figures(log) -> dict[str, go.Figure]:
    m = journey.journey_map(log)
    other = journey.journey_map(log.filter(period=(log.table.end.min().execute(),
                                                   log.table.end.max().execute()
                                                   - pd.Timedelta(days=20))))
    queues = queue_over_time(log, freq="60min")
    ranking = bottlenecks(log)
    surveys = pd.read_csv(SAMPLE / "surveys.csv")
    activity = ranking.table.activity.iloc[0]
    figs = {
        "process map": m.process_map(),
        "process map by wait": m.process_map(color_by="wait", width_by="wait", lang="zh"),
        "sankey": m.sankey(),
        "stage map": m.stage_map(),
        "variants": m.variants_chart(),
        "map difference": journey.compare_maps(other, m).figure(),
        "bottlenecks": ranking.figure(),
        "heatmap": queues.heatmap(activity),
        "time decomposition": time_decomposition(log).figure(),
        "utilisation": utilisation(log).figure(),
        "importance-performance": journey.importance_performance(surveys).figure(),
        "importance-performance zh": journey.importance_performance(surveys).figure(lang="zh"),
        "wait drivers": wait_drivers(log, activity=activity, q=(0.5, 0.9)).figure(),
        "waits by hour": wait_figure(log),
    }
    try:
        figs["left unseen"] = left_unseen(log).figure()
    except journey.JourneyError:  # a log without leavers has no such figure
        pass
    return figs


def test_bottleneck_panels_have_their_own_y_axes(figures):
    fig = figures["bottlenecks"]
    axes = [a for a in fig.layout if a.startswith("yaxis")]
    assert len(axes) >= 2
    assert all(fig.layout[a].matches is None and fig.layout[a].showticklabels for a in axes)
    # facet titles stay above their own panel
    domains = {round((fig.layout[a].domain[0] + fig.layout[a].domain[1]) / 2, 6)
               for a in fig.layout if a.startswith("xaxis")}
    titles = [n for n in fig.layout.annotations if n.xref == "paper" and n.yref == "paper"]
    assert titles and all(round(n.x, 6) in domains for n in titles)


def test_round_ticks_on_overlaying_axes(figures):
    stage = figures["stage map"]
    assert stage.layout.yaxis2.overlaying == "y" and stage.layout.yaxis2.tickmode == "auto"
    variants = figures["variants"].layout.xaxis2
    assert list(variants.tickvals) == [0, 0.25, 0.5, 0.75, 1]


def test_every_term_of_the_wait_drivers_is_labelled(figures):
    fig = figures["wait drivers"]
    terms = {y for t in fig.data for y in t.y}
    assert len(terms) > 5
    for axis in [a for a in fig.layout if a.startswith("yaxis")]:
        assert fig.layout[axis].tickmode == "linear" and fig.layout[axis].dtick == 1
    assert fig.layout.height >= 200 + 22 * len(terms)


def test_importance_performance_names_are_readable_and_placed_away_from_the_centre(figures):
    fig = figures["importance-performance"]
    names = list(fig.data[0].text)
    assert names and not any("_" in n for n in names)
    imp, perf = fig.layout.shapes[1].y0, fig.layout.shapes[0].x0
    for x, y, where in zip(fig.data[0].x, fig.data[0].y, fig.data[0].textposition,
                           strict=True):
        assert where == ("top" if y >= imp else "bottom") + (" right" if x >= perf else " left")
    assert fig.data[0].cliponaxis is False
    for note in fig.layout.annotations:  # quadrant names outside the plotting area
        assert (note.y, note.yanchor) in {(1, "bottom"), (0, "top")}


def test_process_map_fits_its_container_and_says_what_colour_and_width_show(figures):
    for name in ("process map", "process map by wait"):
        fig = figures[name]
        assert fig.layout.width is None and fig.layout.autosize
    assert "colour" in figures["process map"].layout.title.text
    assert "颜色" in figures["process map by wait"].layout.title.text


@needs_chromium
def test_no_text_is_clipped_in_the_browser(figures, tmp_path):
    measured = measure(figures, tmp_path)
    for name, m in measured.items():
        assert m["texts"] > 0, name
        assert m["width"] == 900, (name, m["width"])  # the figure takes its container's width
        assert m["clipped"] == [], (name, m["clipped"])


@needs_chromium
def test_the_measure_finds_clipped_text(tmp_path):
    """The check above can fail: a title far wider than its figure is reported."""
    wide = go.Figure(go.Scatter(x=[1], y=[1]), layout={"title": {"text": "W" * 200}})
    edge = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], mode="markers+text",
                                text=["", "a long label at the edge"],
                                textposition="middle right"))
    fine = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], mode="markers+text", text=["a", "b"],
                                textposition="top center"), layout={"yaxis_range": [-1, 2]})
    measured = measure({"wide": wide, "edge": edge, "fine": fine}, tmp_path)
    assert measured["wide"]["clipped"] and measured["edge"]["clipped"]
    assert measured["fine"]["clipped"] == []
