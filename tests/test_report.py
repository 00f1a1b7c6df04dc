"""Study report: small-count suppression, parameters, and a real run of notebook 01."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from journey.cli import main
from journey.errors import JourneyError
from journey.report import (
    SUPPRESSED,
    _parameters,
    _select,
    build_report,
    suppress_small_counts,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "visits.csv"
NOTEBOOK = ROOT / "notebooks" / "01_journey_map.ipynb"


# --- suppress_small_counts -----------------------------------------------------------------

def _plain_suppress(frame, columns, shares, threshold):
    """Cell by cell, the rule as the docstring states it."""
    out = {c: list(frame[c]) for c in frame.columns}
    for i in range(len(frame)):
        hit = False
        for c in columns:
            v = frame[c].iloc[i]
            if not pd.isna(v) and 0 < v < threshold:
                out[c][i] = SUPPRESSED
                hit = True
        if hit:
            for c in shares:
                out[c][i] = SUPPRESSED
    return out


@pytest.mark.parametrize("threshold", [5, 11])
def test_suppression_matches_plain_rule(threshold):
    rng = np.random.default_rng(7)
    n = 60
    frame = pd.DataFrame({
        "activity": rng.choice(["Lab", "Imaging", "Payment"], n),
        "cases": rng.integers(0, 15, n),
        "events_b": rng.integers(0, 15, n).astype(float),
        "n_patients": rng.integers(0, 15, n),
        "share": rng.random(n),
        "rank": rng.integers(1, 4, n),  # not a count
        "wait_median": rng.random(n) * 30,
    })
    frame.loc[3, "events_b"] = np.nan
    out = suppress_small_counts(frame, threshold=threshold)
    expected = _plain_suppress(frame, ["cases", "events_b", "n_patients"], ["share"], threshold)
    for column in frame.columns:
        got = [None if pd.isna(v) else v for v in out[column]]
        want = [None if pd.isna(v) else v for v in expected[column]]
        assert got == want, column
    hidden = sum(v == SUPPRESSED for c in expected for v in expected[c])
    assert out.attrs["suppressed_cells"] == hidden > 0
    assert out["rank"].tolist() == frame["rank"].tolist()
    assert frame["cases"].dtype == np.int64  # the input is untouched


def test_suppression_column_detection_and_errors():
    frame = pd.DataFrame({"n": [2.5, 3.0], "cases": [3, 0], "visits_change": [2, -1],
                          "responded_n": [1, 9], "n_points": [2, 3], "label": ["a", "b"]})
    out = suppress_small_counts(frame)
    assert out["n_points"].tolist() == [2, 3]  # SPC time points, not people
    assert out["n"].tolist() == [2.5, 3.0]  # not whole numbers: not a count
    assert out["cases"].tolist() == [SUPPRESSED, 0]
    assert out["visits_change"].tolist() == [2, -1]  # a difference, not a count
    assert out["responded_n"].tolist() == [SUPPRESSED, 9]
    assert suppress_small_counts(frame, columns=["visits_change"])["visits_change"].tolist() \
        == [SUPPRESSED, -1]
    assert suppress_small_counts(frame, threshold=1).attrs["suppressed_cells"] == 0
    with pytest.raises(JourneyError, match="label"):
        suppress_small_counts(frame, columns=["label"])
    with pytest.raises(JourneyError, match="threshold"):
        suppress_small_counts(frame, threshold=0)
    with pytest.raises(JourneyError, match="DataFrame"):
        suppress_small_counts(frame["cases"])


# --- parameters and notebook selection -----------------------------------------------------

def test_parameters_reach_only_declared_names():
    files = {"log": "/data/log.csv", "surveys": None, "complaints": "/data/c.csv",
             "followups": None}
    settings = {"intervention": "2025-02-24", "department": None, "control": None, "lang": "zh"}
    passed, missing = _parameters({"log_path": {}, "department": {}, "lang": {}}, files,
                                  settings)
    assert passed == {"log_path": "/data/log.csv", "lang": "zh"} and missing == []
    passed, missing = _parameters({"log_path": {}, "complaints_path": {}, "surveys_path": {},
                                   "followups_path": {}, "intervention": {}}, files, settings)
    assert passed == {"log_path": "/data/log.csv", "complaints_path": "/data/c.csv",
                      "intervention": "2025-02-24"}
    assert missing == ["--surveys", "--followups"]
    # one rule: exact names only, no upper-case or other aliases
    passed, missing = _parameters({"VISITS": {}, "complaints": {}, "LANG": {}}, files, settings)
    assert passed == {} and missing == ["a log_path parameter in its parameters cell"]
    passed, missing = _parameters({"data": {}, "lang": {}}, files, settings)
    assert passed == {"lang": "zh"}
    assert missing == ["a log_path parameter in its parameters cell"]


def test_study_notebooks_declare_lang_and_inputs_by_the_rule():
    """Every study notebook takes lang and the report's inputs under their parameter names."""
    import papermill as pm

    inputs = {"log_path", "surveys_path", "complaints_path", "followups_path"}
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert len(notebooks) == 5
    for path in notebooks:
        declared = pm.inspect_notebook(str(path))
        assert "lang" in declared and declared["lang"]["default"] == '"en"', path.name
        assert "log_path" in declared and all(name == name.lower() for name in declared)
    experience = pm.inspect_notebook(str(ROOT / "notebooks" / "05_experience.ipynb"))
    assert inputs <= set(experience)


def _notebook(folder: Path, name: str, parameters: str) -> None:
    nb = nbformat.v4.new_notebook(metadata={
        "kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"},
        "language_info": {"name": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]})]
    nbformat.write(nb, folder / name)


def test_select_and_skip(tmp_path):
    _notebook(tmp_path, "01_map.ipynb", 'log_path = "x.csv"')
    _notebook(tmp_path, "05_experience.ipynb", 'log_path = "x.csv"\nsurveys_path = "s.csv"')
    assert [p.name for p in _select(tmp_path, "05")] == ["05_experience.ipynb"]
    assert [p.name for p in _select(tmp_path, ["01_map", "05"])] == ["01_map.ipynb",
                                                                    "05_experience.ipynb"]
    with pytest.raises(JourneyError, match="unknown notebook.*'07'"):
        _select(tmp_path, "07")
    with pytest.raises(JourneyError, match="no study notebooks"):
        _select(tmp_path / "nothing", None)
    # asked for by name but lacking its side file: an error naming the option
    with pytest.raises(JourneyError, match="05_experience needs --surveys"):
        build_report(SAMPLE, out=tmp_path / "out", notebooks="05", notebooks_dir=tmp_path)
    # all notebooks: the one lacking a file is skipped, never run on the sample's defaults
    (tmp_path / "01_map.ipynb").unlink()
    with pytest.raises(JourneyError, match="no notebook could run.*needs --surveys"):
        build_report(SAMPLE, out=tmp_path / "out", notebooks_dir=tmp_path)


def test_cli_reports_input_problems(tmp_path, capsys):
    assert main(["report", str(tmp_path / "missing.csv"), "--out", str(tmp_path)]) == 2
    assert "journey report: error:" in capsys.readouterr().err
    assert main(["report", str(SAMPLE), "--notebooks", "99", "--out", str(tmp_path)]) == 2
    assert "unknown notebook" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", str(SAMPLE), "--lang", "fr", "--out", str(tmp_path)])


# --- a real run ----------------------------------------------------------------------------

def small_log(folder: Path) -> Path:
    """Every 20th visit of the sample; only 3 visits keep their Admission (a small count)."""
    visits = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    cases = visits["case_id"].drop_duplicates().iloc[::20]
    visits = visits[visits["case_id"].isin(cases)]
    admitted = visits.loc[visits["activity"] == "Admission", "case_id"].unique()
    visits = visits[(visits["activity"] != "Admission") | visits["case_id"].isin(admitted[:3])]
    path = folder / "visits_small.csv"
    visits.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    log = small_log(folder)
    outs = [folder / "run1", folder / "run2"]
    pages = [build_report(log, out=out, notebooks="01", progress=False) for out in outs]
    return log, outs, pages


def test_report_is_self_contained(runs):
    _, outs, pages = runs
    html = pages[0].read_text(encoding="utf-8")
    assert pages[0] == outs[0] / "report.html"
    assert not re.search(r"<script[^>]*\bsrc\s*=", html)  # nothing loaded from elsewhere
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']https?:", html)
    assert "require.js" not in html and "require.min.js" not in html
    assert "mathjax@" not in html.lower() and "MathJax.js" not in html
    assert html.count(get_plotlyjs()[:300]) == 1  # plotly.js inline, exactly once
    manifest = json.loads((outs[0] / "manifest.json").read_text(encoding="utf-8"))
    committed = nbformat.read(NOTEBOOK, as_version=4)
    plotly_outputs = sum("application/vnd.plotly.v1+json" in o.get("data", {})
                         for c in committed.cells for o in c.get("outputs", []))
    assert manifest["figures"] == html.count("Plotly.newPlot(") == plotly_outputs > 0
    assert "log = journey.read_log(log_path)" not in html  # code hidden
    assert "Patient journey study report" in html


def _independent_touchpoints(log: Path) -> pd.DataFrame:
    visits = pd.read_csv(log, parse_dates=["start", "end"])
    visits["service"] = (visits["end"] - visits["start"]).dt.total_seconds() / 60
    return visits.groupby("activity").agg(cases=("case_id", "nunique"),
                                          events=("case_id", "size"),
                                          service_median=("service", "median"))


def test_tables_match_independent_counts_with_suppression(runs):
    log, outs, _ = runs
    tables = sorted((outs[0] / "tables" / "01_journey_map").glob("*.csv"))
    marked = [c for c in nbformat.read(NOTEBOOK, as_version=4).cells
              if c.cell_type == "code" and c.source.startswith("# NBVAL_CHECK_OUTPUT")]
    assert 0 < len(tables) <= len(marked)
    touchpoints = pd.read_csv(next(p for p in tables if "touchpoints" in p.name),
                              dtype={"cases": str, "events": str}).set_index("activity")
    plain = _independent_touchpoints(log)
    assert sorted(touchpoints.index) == sorted(plain.index)
    for activity, row in plain.iterrows():
        for column in ("cases", "events"):
            count = int(row[column])
            want = SUPPRESSED if 0 < count < 5 else str(count)
            assert touchpoints.at[activity, column] == want, (activity, column)
        assert touchpoints.at[activity, "service_median"] == pytest.approx(
            row["service_median"], abs=0.051)
    assert touchpoints.at["Admission", "cases"] == SUPPRESSED  # 3 admissions kept
    manifest = json.loads((outs[0] / "manifest.json").read_text(encoding="utf-8"))
    name = next(p for p in tables if "touchpoints" in p.name).relative_to(outs[0]).as_posix()
    assert manifest["tables"][name]["suppressed_cells"] == 2  # cases and events of Admission
    html = (outs[0] / "report.html").read_text(encoding="utf-8")
    admission = re.search(r"<th>\d+</th>\s*<td>Admission</td>\s*<td>in</td>\s*<td>([^<]*)</td>",
                          html)
    assert admission is not None and admission.group(1) == SUPPRESSED  # report table too


def test_rerun_gives_identical_tables(runs):
    _, outs, _ = runs
    first = {p.relative_to(outs[0]): p.read_bytes() for p in (outs[0] / "tables").rglob("*.csv")}
    second = {p.relative_to(outs[1]): p.read_bytes() for p in (outs[1] / "tables").rglob("*.csv")}
    assert first and first == second


def test_manifest_records_versions_parameters_and_fingerprints(runs):
    log, outs, _ = runs
    manifest = json.loads((outs[0] / "manifest.json").read_text(encoding="utf-8"))
    for package in ("journey", "pandas", "duckdb", "ibis-framework", "statsmodels", "plotly"):
        assert manifest["versions"][package]
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["python"])
    assert manifest["inputs"]["log"]["sha256"] == hashlib.sha256(log.read_bytes()).hexdigest()
    run = manifest["notebooks"][0]
    assert run["notebook"] == "01_journey_map.ipynb"
    assert run["sha256"] == hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest()
    assert run["parameters"] == {"log_path": str(log.resolve()), "lang": "en"}
    assert manifest["suppression"] == {"threshold": 5, "marker": SUPPRESSED}
    assert manifest["skipped"] == {}
