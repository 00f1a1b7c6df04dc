"""The head-nurse workshop notebooks: structure, folded answers and the numbers they quote.

nbval re-runs the notebooks (``pytest --nbval-lax notebooks/workshop``) and compares the cells
marked ``# NBVAL_CHECK_OUTPUT``. These tests read the committed notebooks only: every worked
answer quotes numbers that a checked cell shows, and the headline numbers of the SPC and
bottleneck exercises agree with a plain pandas computation on the sample log.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKSHOP = ROOT / "notebooks" / "workshop"
NOTEBOOKS = sorted(WORKSHOP.glob("ex*.ipynb"))
CHECK = "# NBVAL_CHECK_OUTPUT"
HINT = "<details><summary>提示</summary>"
ANSWER = "<details><summary>参考答案</summary>"
DECIMAL = re.compile(r"\d+\.\d+")


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _text(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _plain_output(cell: dict) -> str:
    out = []
    for o in cell.get("outputs", []):
        data = o.get("data", {}).get("text/plain", o.get("text", ""))
        out.append("".join(data) if isinstance(data, list) else data)
    return "\n".join(out)


def _checked_output(path: Path, snippet: str) -> str:
    """The text output of the one checked cell whose source contains ``snippet``."""
    found = [c for c in _cells(path) if c["cell_type"] == "code"
             and _text(c).startswith(CHECK) and snippet in _text(c)]
    assert len(found) == 1, f"{path.name}: {len(found)} checked cells contain {snippet!r}"
    return _plain_output(found[0])


def test_five_exercises_are_present():
    assert [p.name for p in NOTEBOOKS] == [
        "ex1_journey_map.ipynb", "ex2_bottlenecks.ipynb", "ex3_spc.ipynb",
        "ex4_importance_satisfaction.ipynb", "ex5_what_if.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_structure(path):
    cells = _cells(path)
    code = [c for c in cells if c["cell_type"] == "code"]
    markdown = "\n".join(_text(c) for c in cells if c["cell_type"] == "markdown")
    # the first code cell holds the parameters, tagged for papermill
    assert code[0]["metadata"].get("tags") == ["parameters"]
    assert any('journey.set_language("zh")' in _text(c) for c in code)
    assert _text(cells[0]).startswith("# 练习")
    # questions come with folded hints and worked answers
    assert markdown.count(HINT) >= 3
    assert markdown.count(ANSWER) >= 3
    assert markdown.count("<details>") == markdown.count("</details>")
    # executed, without errors or warnings, and with at least one checked cell
    assert all(c["execution_count"] is not None for c in code)
    outputs = [o for c in code for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"]
    assert sum(_text(c).startswith(CHECK) for c in code) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_answers_quote_checked_numbers(path):
    """Every decimal number in a worked answer is shown by a checked cell of the notebook."""
    cells = _cells(path)
    shown = set()
    for c in cells:
        if c["cell_type"] == "code" and _text(c).startswith(CHECK):
            shown |= set(DECIMAL.findall(_plain_output(c)))
    answers = [block for c in cells if c["cell_type"] == "markdown"
               for block in _text(c).split(ANSWER)[1:]]
    quoted = {n for block in answers for n in DECIMAL.findall(block.split("</details>")[0])}
    assert quoted, "the worked answers quote no numbers"
    assert quoted <= shown, f"quoted but not shown by a checked cell: {sorted(quoted - shown)}"


def test_no_machine_paths():
    """Outputs must not reveal where the notebooks were run (checkout, home or temp folder)."""
    import tempfile

    places = {str(WORKSHOP.parents[1]), str(Path.home()), tempfile.gettempdir()}
    for path in [*NOTEBOOKS, WORKSHOP / "README.md"]:
        text = path.read_text(encoding="utf-8")
        for place in places:
            assert place + "/" not in text, f"{path.name} contains a local path"


def test_readme_plans_every_exercise():
    readme = (WORKSHOP / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert path.name in readme
    for block in ("开场与数据介绍", "练习1", "练习2", "练习3", "练习4", "练习5", "总结", "make lab",
                  "Shift+Enter", "中位数", "P90", "控制图", "特殊原因变异"):
        assert block in readme


# ------------------------------------------------------------- numbers against plain pandas
@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    """The sample log with the wait before each touchpoint, in minutes (plain pandas)."""
    df = pd.read_csv(ROOT / "data" / "sample" / "visits_zh.csv", encoding="gbk",
                     parse_dates=["开始时间", "结束时间"])
    df["row"] = np.arange(len(df))
    df = df.sort_values(["就诊号", "开始时间", "结束时间", "row"], kind="stable")
    previous_end = df.groupby("就诊号")["结束时间"].shift()
    df["wait"] = (df["开始时间"] - previous_end).dt.total_seconds() / 60
    return df


def test_spc_means_match_plain_daily_means(events):
    """Exercise 3: the mean of the daily mean waits before 就诊, before and after the change."""
    visits = events.groupby("就诊号").agg(date=("开始时间", "first"), group=("科室", "last"))
    visits["date"] = visits["date"].dt.normalize()
    first = events[events["环节"] == "就诊"].groupby("就诊号")["wait"].first()
    visits["wait"] = first[first >= 0]
    daily = visits.dropna(subset=["wait"]).groupby(["group", "date"])["wait"].mean()
    change = pd.Timestamp("2025-02-24")
    im = daily.loc["内科"]
    rebased = _checked_output(WORKSHOP / "ex3_spc.ipynb", "图2.summary")
    for value in (im[im.index < change].mean(), im[im.index >= change].mean()):
        assert f"{value:.1f}" in rebased
    assert f"{im.mean():.1f}" in _checked_output(WORKSHOP / "ex3_spc.ipynb", "图1.summary")
    assert f"{daily.loc['外科'].mean():.1f}" in _checked_output(WORKSHOP / "ex3_spc.ipynb",
                                                                "图3.summary")
    # the rebased means are the ones quoted in the answer: 73.4 before, 27.3 after
    assert round(im[im.index < change].mean(), 1) == 73.4
    assert round(im[im.index >= change].mean(), 1) == 27.3


def test_wait_share_matches_plain_sum(events):
    """Exercise 2: waiting over length of stay, over all visits."""
    wait = events["wait"].clip(lower=0).sum()
    stay = events.groupby("就诊号").agg(a=("开始时间", "min"), b=("结束时间", "max"))
    los = (stay.b - stay.a).dt.total_seconds().sum() / 60
    totals = _checked_output(WORKSHOP / "ex2_bottlenecks.ipynb", "分解.totals")
    assert f"{los / 60:.2f}" in totals
    assert f"{wait / 60:.1f}" in totals
    assert round(wait / los, 1) == 0.7


def test_lab_block_matches_plain_means(events):
    """Exercise 2: the Lab wait on weekdays 09:00-11:00 against all other times."""
    lab = events[(events["环节"] == "检验") & events["wait"].notna()]
    start = lab["开始时间"]
    block = (start.dt.day_of_week < 5) & start.dt.hour.isin([9, 10])
    ranking = _checked_output(WORKSHOP / "ex2_bottlenecks.ipynb", "瓶颈.table")
    assert f"{lab.loc[block, 'wait'].mean():.2f}" in ranking
    assert f"{lab.loc[~block, 'wait'].mean():.2f}" in ranking
