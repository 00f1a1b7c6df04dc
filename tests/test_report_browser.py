"""Open a Chinese study report in headless Chromium: no JavaScript error, every figure drawn.

Needs the Debian package ``chromium`` (scripts/setup-system.sh); skipped without it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from journey.report import build_report

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "visits.csv"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CJK = re.compile(r"[\u4e00-\u9fff]")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian: scripts/setup-system.sh "
                              "or apt-get install chromium)")


def open_page(page: Path, profile: Path) -> tuple[BeautifulSoup, list[str]]:
    """The page's DOM after its scripts ran, and the JavaScript errors Chromium logged."""
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
               "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000",
               "--dump-dom", page.resolve().as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    errors = [line for line in done.stderr.splitlines()
              if ":CONSOLE" in line and re.search(r"Uncaught|Error|error", line)]
    dom = re.sub(r"<script\b.*?</script>", "", done.stdout, flags=re.S | re.I)
    return BeautifulSoup(dom, "html.parser"), errors


def drawn_figures(soup: BeautifulSoup) -> list:
    return [div for div in soup.select("div.js-plotly-plot") if div.select_one("svg.main-svg")]


def test_checker_detects_errors_and_undrawn_figures(tmp_path):
    """The checks below can fail: a page with a script error and a figure never drawn."""
    page = tmp_path / "broken.html"
    page.write_text('<html><body><div id="figure-1" class="plotly-graph-div"></div>'
                    "<script>Plotly.newPlot('figure-1', []);</script></body></html>",
                    encoding="utf-8")
    soup, errors = open_page(page, tmp_path / "profile")
    assert any("Plotly is not defined" in e for e in errors)
    assert drawn_figures(soup) == []


@pytest.fixture(scope="module")
def chinese_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    visits = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    cases = visits["case_id"].drop_duplicates().iloc[::20]
    log = folder / "visits_small.csv"
    visits[visits["case_id"].isin(cases)].to_csv(log, index=False)
    return build_report(log, out=folder / "zh", notebooks="01", lang="zh", progress=False)


def test_chinese_report_renders_in_chromium(chinese_report, tmp_path):
    html = chinese_report.read_text(encoding="utf-8")
    expected = html.count("Plotly.newPlot(")
    assert expected > 0
    soup, errors = open_page(chinese_report, tmp_path / "profile")
    assert errors == []
    figures = drawn_figures(soup)
    assert len(figures) == expected
    for figure in figures:  # titles, axes and legends in Chinese
        assert CJK.search(" ".join(t.get_text() for t in figure.select("svg text"))), \
            figure.get("id")
    assert soup.html.get("lang") == "zh"
    assert "患者就医旅程研究报告" in soup.title.get_text()
    text = soup.get_text()
    assert "隐私保护" in text and "主要发现" in text and "目录" in text
    assert "How to read" not in text and "Summary of findings" not in text  # one language
