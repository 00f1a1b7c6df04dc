"""Study report: small-count suppression, parameters, and real runs of notebooks 01 and 05."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
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
EXPERIENCE = ROOT / "notebooks" / "05_experience.ipynb"
SIDE_FILES = {"surveys": "surveys", "complaints": "complaints", "followups": "followup_calls",
              "survey_touchpoints": "survey_touchpoints"}  # report input -> sample file


# --- suppress_small_counts -----------------------------------------------------------------

def _plain_suppress(frame, columns, shares, threshold, statistics=()):
    """Cell by cell, the primary rule as the docstring states it (no totals known)."""
    out = {c: list(frame[c]) for c in frame.columns}
    for i in range(len(frame)):
        hit = False
        for c in columns:
            v = frame[c].iloc[i]
            if not pd.isna(v) and 0 < v < threshold:
                out[c][i] = SUPPRESSED
                hit = True
        if hit:
            for c in [*shares, *statistics]:
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
    out = suppress_small_counts(frame, threshold=threshold, column_totals=False)
    expected = _plain_suppress(frame, ["cases", "events_b", "n_patients"], ["share"], threshold,
                               ["wait_median"])
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
    out = suppress_small_counts(frame, column_totals=False)
    assert out["n_points"].tolist() == [2, 3]  # SPC time points, not people
    assert out["n"].tolist() == [2.5, 3.0]  # not whole numbers: not a count
    assert out["cases"].tolist() == [SUPPRESSED, 0]
    assert out["visits_change"].tolist() == [SUPPRESSED, -1]  # a change in a row with a hidden
    assert out["responded_n"].tolist() == [SUPPRESSED, 9]  # count, not a count itself
    # with the column totals known, a second cell hides each small one (a zero if need be)
    out = suppress_small_counts(frame)
    assert out["cases"].tolist() == out["responded_n"].tolist() == [SUPPRESSED] * 2
    assert out.attrs["secondary_cells"] == 2
    # the share of a count column X_n is X, with its interval; the mean of 49 stays
    scores = pd.DataFrame({"n": [40, 49], "mean": [4.1, 3.5], "top_box_n": [20, 4],
                           "top_box": [0.5, 4 / 49], "top_box_ci_low": [0.35, 0.03],
                           "top_box_ci_high": [0.65, 0.19]})
    hidden = suppress_small_counts(scores, column_totals=False)
    assert hidden.iloc[1].tolist() == [49, 3.5, *[SUPPRESSED] * 4]
    assert hidden.iloc[0].tolist() == scores.iloc[0].tolist()
    assert suppress_small_counts(scores).iloc[0].tolist() == [40, 4.1, *[SUPPRESSED] * 4]
    # the mean of a group of 4 is blanked
    assert suppress_small_counts(scores.assign(n=[40, 4]), column_totals=False
                                 )["mean"].tolist() == [4.1, SUPPRESSED]
    # lifetime value: the retained patients and the retention share built from them
    ltv = pd.DataFrame({"patients": [50, 40], "retained": [3, 20], "retention": [0.06, 0.5],
                        "retention_ci_low": [0.02, 0.35], "ltv": [10.0, 80.0]})
    assert suppress_small_counts(ltv, column_totals=False).iloc[0].tolist() \
        == [50, *[SUPPRESSED] * 3, 10.0]
    assert suppress_small_counts(frame, columns=["visits_change"], column_totals=False
                                 )["visits_change"].tolist() == [SUPPRESSED, -1]
    assert suppress_small_counts(frame, threshold=1).attrs["suppressed_cells"] == 0
    with pytest.raises(JourneyError, match="label"):
        suppress_small_counts(frame, columns=["label"])
    with pytest.raises(JourneyError, match="threshold"):
        suppress_small_counts(frame, threshold=0)
    with pytest.raises(JourneyError, match="DataFrame"):
        suppress_small_counts(frame["cases"])
    with pytest.raises(JourneyError, match="column_totals"):
        suppress_small_counts(frame, column_totals="yes")


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
    # optional inputs: the file when given, else None (never the notebook's default path)
    declared = {"log_path": {}, "survey_touchpoints_path": {}, "truth_path": {}}
    passed, missing = _parameters(declared, files, settings)
    assert passed == {"log_path": "/data/log.csv", "survey_touchpoints_path": None,
                      "truth_path": None} and missing == []
    passed, _ = _parameters(declared, {**files, "survey_touchpoints": "/data/t.csv"}, settings)
    assert passed["survey_touchpoints_path"] == "/data/t.csv" and passed["truth_path"] is None


def test_no_notebook_default_into_the_sample_survives_a_report():
    """Every parameter whose default points into data/sample is overridden by the report."""
    import papermill as pm

    files = {name: f"/user/{name}.csv" for name in ("log", *SIDE_FILES)}
    settings = {"intervention": "2025-03-01", "department": "A", "control": "B", "lang": "en"}
    overridden = set()
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        declared = pm.inspect_notebook(str(path))
        passed, missing = _parameters(declared, files, settings)
        assert missing == [], path.name
        for name, spec in declared.items():
            if "data/sample" in spec["default"]:
                assert name in passed and "data/sample" not in str(passed[name]), (path, name)
                overridden.add(name)
    assert overridden == {"log_path", "surveys_path", "complaints_path", "followups_path",
                          "survey_touchpoints_path", "truth_path", "study_path"}


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


def side_tables(folder: Path, log: Path) -> dict[str, Path]:
    """The sample's side tables, cut to the visits of ``log``, as report inputs."""
    cases = set(pd.read_csv(log, dtype=str)["case_id"])
    tables = {name: pd.read_csv(SAMPLE.parent / f"{sample}.csv", dtype=str,
                                keep_default_na=False) for name, sample in SIDE_FILES.items()}
    for name in ("surveys", "complaints", "followups"):
        tables[name] = tables[name][tables[name]["case_id"].isin(cases)]
    ratings = tables["survey_touchpoints"]
    tables["survey_touchpoints"] = ratings[ratings["survey_id"].isin(
        tables["surveys"]["survey_id"])]
    paths = {name: folder / f"{SIDE_FILES[name]}_small.csv" for name in tables}
    for name, table in tables.items():
        table.to_csv(paths[name], index=False)
    return paths


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two reports on copies of the sample in a temporary folder, built side by side: 01 and 05
    with every input (the command line), and 05 without the per-touchpoint ratings."""
    folder = tmp_path_factory.mktemp("report")
    log = small_log(folder)
    side = side_tables(folder, log)
    outs = [folder / "run1", folder / "run2"]
    options = [a for name, path in side.items() for a in (f"--{name.replace('_', '-')}", path)]
    cli = subprocess.Popen([sys.executable, "-m", "journey.cli", "report", log, *options,
                            "--notebooks", "01,05", "--quiet", "--out", outs[0]],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    without = {name: path for name, path in side.items() if name != "survey_touchpoints"}
    second = build_report(log, out=outs[1], notebooks="05", progress=False, **without)
    stdout, stderr = cli.communicate()
    assert cli.returncode == 0, stderr
    return log, side, outs, [Path(stdout.strip().splitlines()[-1]), second]


def test_report_is_self_contained(runs):
    _, _, outs, pages = runs
    html = pages[0].read_text(encoding="utf-8")
    assert pages[0] == outs[0] / "report.html"
    assert not re.search(r"<script[^>]*\bsrc\s*=", html)  # nothing loaded from elsewhere
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']https?:", html)
    assert "require.js" not in html and "require.min.js" not in html
    assert "mathjax@" not in html.lower() and "MathJax.js" not in html
    assert html.count(get_plotlyjs()[:300]) == 1  # plotly.js inline, exactly once
    manifest = json.loads((outs[0] / "manifest.json").read_text(encoding="utf-8"))
    plotly_outputs = sum("application/vnd.plotly.v1+json" in o.get("data", {})
                         for path in (NOTEBOOK, EXPERIENCE)
                         for c in nbformat.read(path, as_version=4).cells
                         for o in c.get("outputs", []))
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
    log, _, outs, _ = runs
    tables = sorted((outs[0] / "tables" / "01_journey_map").glob("*.csv"))
    marked = [c for c in nbformat.read(NOTEBOOK, as_version=4).cells
              if c.cell_type == "code" and c.source.startswith("# NBVAL_CHECK_OUTPUT")]
    assert 0 < len(tables) <= len(marked)
    path = next(p for p in tables if "touchpoints" in p.name)
    touchpoints = pd.read_csv(path, dtype=str, keep_default_na=False,
                              encoding="utf-8-sig").set_index("activity")
    plain = _independent_touchpoints(log)
    assert sorted(touchpoints.index) == sorted(plain.index)
    for activity, row in plain.iterrows():
        for column in ("cases", "events"):
            count = int(row[column])
            shown = touchpoints.at[activity, column]
            if 0 < count < 5:
                assert shown == SUPPRESSED, (activity, column)
            else:  # hidden only so that a small count cannot be worked back from the total
                assert shown in (SUPPRESSED, str(count)), (activity, column)
        median = touchpoints.at[activity, "service median"]
        if any(0 < int(row[c]) < 5 for c in ("cases", "events")):
            assert median == SUPPRESSED, activity  # the median of fewer than 5 visits
        else:
            assert float(median) == pytest.approx(row["service_median"], abs=0.051)
    for column in ("cases", "events"):  # never exactly one hidden: the total would give it
        assert (touchpoints[column] == SUPPRESSED).sum() != 1, column
    assert touchpoints.at["Admission", "cases"] == SUPPRESSED  # 3 admissions kept
    manifest = json.loads((outs[0] / "manifest.json").read_text(encoding="utf-8"))
    name = path.relative_to(outs[0]).as_posix()
    marks = int((touchpoints == SUPPRESSED).to_numpy().sum())
    assert manifest["tables"][name]["suppressed_cells"] == marks >= 5  # 2 small, 2 more, median
    html = (outs[0] / "report.html").read_text(encoding="utf-8")
    admission = re.search(r"<td>Admission</td>\s*<td>in</td>\s*<td>([^<]*)</td>", html)
    assert admission is not None and admission.group(1) == SUPPRESSED  # report table too


def test_rerun_gives_identical_tables(runs):
    """Notebook 05 twice, in two processes: the same tables byte for byte, bootstraps included;
    the per-touchpoint ratings add their one table and change nothing else."""
    _, _, outs, _ = runs
    first, second = ({p.name: p.read_bytes() for p in (out / "tables" / "05_experience").glob(
        "*.csv")} for out in outs)
    extra = set(first) - set(second)
    assert extra == {"02_satisfaction_per_dimension_and_per_touch_2.csv"}
    assert len(second) > 5 and second == {name: first[name] for name in second}


def test_manifest_records_versions_parameters_and_fingerprints(runs):
    log, side, outs, _ = runs
    manifest = json.loads((outs[0] / "manifest.json").read_text(encoding="utf-8"))
    for package in ("journey", "pandas", "duckdb", "ibis-framework", "statsmodels", "plotly"):
        assert manifest["versions"][package]
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["python"])
    for name, path in {"log": log, **side}.items():
        assert manifest["inputs"][name] == {
            "path": str(path.resolve()), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    run = manifest["notebooks"][0]
    assert run["notebook"] == "01_journey_map.ipynb"
    assert run["sha256"] == hashlib.sha256(NOTEBOOK.read_bytes()).hexdigest()
    assert run["parameters"] == {"log_path": str(log.resolve()), "lang": "en"}
    assert manifest["suppression"] == {"threshold": 5, "marker": SUPPRESSED}
    assert manifest["skipped"] == {}


def test_report_on_a_copy_never_opens_the_sample(runs):
    """Without --survey-touchpoints, 05 gets None for it and for truth_path, and says so."""
    _, _, outs, pages = runs
    sample = str(SAMPLE.parent)
    for out in outs:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        passed = [value for run in manifest["notebooks"] for value in run["parameters"].values()]
        inputs = [item["path"] for item in manifest["inputs"].values()]
        assert not [v for v in passed + inputs if isinstance(v, str) and (
            v.startswith(sample) or "data/sample" in v)]
    runs_05 = [next(run for run in json.loads((out / "manifest.json").read_text(
        encoding="utf-8"))["notebooks"] if run["notebook"] == EXPERIENCE.name) for out in outs]
    assert runs_05[0]["parameters"]["truth_path"] is None
    assert runs_05[1]["parameters"]["truth_path"] is None
    assert runs_05[1]["parameters"]["survey_touchpoints_path"] is None
    html = [page.read_text(encoding="utf-8") for page in pages]
    assert html[1].count("Not shown: survey_touchpoints_path was not given.") == 1
    assert "survey_touchpoints_path was not given" not in html[0]
    for page in html:  # both truth checks of 05 are left out
        assert page.count("Not shown: truth_path was not given.") == 2


def test_touchpoint_scores_appear_with_the_file(runs):
    """With --survey-touchpoints, 05's per-touchpoint table is in the report and its numbers
    match a plain count, mean and top-box count per touchpoint."""
    _, side, outs, pages = runs
    table = pd.read_csv(outs[0] / "tables" / "05_experience"
                        / "02_satisfaction_per_dimension_and_per_touch_2.csv",
                        dtype=str, keep_default_na=False, encoding="utf-8-sig")
    table = table.rename(columns=lambda c: c.replace(" ", "_")).set_index("activity")
    ratings = pd.read_csv(side["survey_touchpoints"])
    plain = {activity: (len(scores), sum(scores) / len(scores), sum(s == 5 for s in scores))
             for activity, scores in ratings.groupby("activity")["score"]}
    assert sorted(table.index) == sorted(plain)
    for activity, (n, mean, top) in plain.items():
        row = table.loc[activity]
        if n < 5:  # masked by satisfaction_scores itself
            assert row["n"] == row["mean"] == "" and row["note"].startswith("suppressed")
            continue
        # a count may be hidden only so that a total cannot give a small one away
        assert row["n"] in (str(n), SUPPRESSED)
        assert float(row["mean"]) == pytest.approx(mean, abs=0.0051)
        box = row[["top_box_n", "top_box", "top_box_ci_low", "top_box_ci_high"]].tolist()
        if 0 < top < 5:  # a small count: hidden with its share and interval
            assert box == [SUPPRESSED] * 4
        elif SUPPRESSED in (box[0], row["n"]):  # the share would give the hidden count away
            assert box[1:] == [SUPPRESSED] * 3 and box[0] in (str(top), SUPPRESSED)
        else:
            assert int(box[0]) == top and float(box[1]) == pytest.approx(top / n, abs=0.0051)
    for column in ("n", "top_box_n"):  # never one hidden or masked count alone in a column
        assert table[column].isin([SUPPRESSED, ""]).sum() != 1, column
    shown = [float(mean) for mean in table["mean"] if mean]
    assert shown == sorted(shown) and len(shown) > 5  # worst first
    assert any(0 < top < 5 for _, _, top in plain.values())  # a top-box count was hidden
    assert "Review of results" in pages[0].read_text(encoding="utf-8")


# --- any hospital's log --------------------------------------------------------------------

SAMPLE_NAMES = ("Internal Medicine", "Surgery", "Consultation", "Left unseen", "2025-02-24")
# (zoo fixture or the Chinese sample, extra options); each report covers one shape of export
SHAPES = {
    "disco_csv": ("disco_csv", []),  # ';'-separated, start and end, no department
    "gbk_his_csv": ("gbk_his_csv", []),  # GBK, Chinese headers, departments
    "lifecycle_csv": ("lifecycle_csv", []),  # start/complete rows paired
    "sepsis_xes": ("sepsis_xes", ["--tz", "Europe/Amsterdam"]),  # completion times only
    "sample_zh": (None, ["--lang", "zh"]),  # the Chinese sample, no other option
    "sepsis_zh": ("sepsis_xes", ["--tz", "Europe/Amsterdam", "--lang", "zh"]),  # reasons in zh
}


def _cells_with_counts(table: pd.DataFrame) -> pd.DataFrame:
    """A shared table with its headers back in English field names, for the count check."""
    from journey.i18n import translate_columns

    table = translate_columns(table, "en")
    return table.rename(columns=lambda c: str(c).replace(" ", "_"))


def _numbers(page: Path) -> str:
    """The report's text without its run date: what must repeat on a second run."""
    html = page.read_text(encoding="utf-8")
    return re.sub(r"(Run on|生成时间：)[^<]*", "", html)


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    """One report per shape, two at a time (each in its own process); disco twice."""
    from zoo import build

    folder = tmp_path_factory.mktemp("shapes")
    jobs = {}
    for name, (fixture, options) in {**SHAPES, "disco_again": SHAPES["disco_csv"]}.items():
        log = build(fixture, folder) if fixture else ROOT / "data" / "sample" / "visits_zh.csv"
        jobs[name] = [sys.executable, "-m", "journey.cli", "report", str(log), *options,
                      "--quiet", "--out", str(folder / name)]
    done, names = {}, list(jobs)
    for pair in (names[i:i + 2] for i in range(0, len(names), 2)):
        running = {n: subprocess.Popen(jobs[n], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True, cwd=folder) for n in pair}
        for n, process in running.items():
            stdout, stderr = process.communicate(timeout=900)
            done[n] = (process.returncode, stdout, stderr, folder / n)
    return done


@pytest.mark.parametrize("shape", list(SHAPES))
def test_report_on_any_log(shapes, shape):
    code, stdout, stderr, out = shapes[shape]
    assert code == 0, stderr
    assert "without encryption" not in stderr + stdout
    page = out / "report.html"
    html = page.read_text(encoding="utf-8")
    assert not list(out.glob("failed_*.ipynb"))
    text = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in text  # no warning cell
    assert "Traceback" not in text and "Error" not in text  # no error cell
    assert "widget-view" not in html and "journey.explore" not in html  # lab-only cells left out
    zh = shape.endswith("_zh")
    assert not zh or not re.search(r"未显示：\s*[A-Za-z]", text)  # reasons in the report's language
    assert ("主要发现" if zh else "Summary of findings") in html
    assert ("目录" if zh else "Contents") in html
    for name in SAMPLE_NAMES:  # the Chinese sample's own names are Chinese
        assert name not in text, name
    assert str(out.parent) not in text  # no absolute paths
    assert "['" not in text  # no Python lists
    if not zh:  # English report: no Chinese prose (the log's own names may be Chinese)
        from bs4 import BeautifulSoup

        prose = " ".join(div.get_text() for div in BeautifulSoup(text, "html.parser").select(
            ".jp-MarkdownOutput"))
        assert not re.search(r"[\u4e00-\u9fff]{4,}", prose.replace("分时段预约", ""))
    # no count below the threshold in any table, and none recoverable from the sentences
    for path in (out / "tables").rglob("*.csv"):
        table = _cells_with_counts(pd.read_csv(path, encoding="utf-8-sig"))
        assert suppress_small_counts(table).attrs["suppressed_cells"] == 0, path.name
        assert re.fullmatch(r"\d\d_[a-z0-9_]+\.csv", path.name)
    assert "not shown" in stdout or shape == "sample_zh"
    assert "tables: " in stdout


def test_second_run_gives_the_same_report(shapes):
    first, second = (shapes[name][3] for name in ("disco_csv", "disco_again"))
    assert _numbers(first / "report.html") == _numbers(second / "report.html")
    tables = sorted(p.relative_to(first) for p in (first / "tables").rglob("*.csv"))
    assert tables and tables == sorted(p.relative_to(second) for p in
                                       (second / "tables").rglob("*.csv"))
    for name in tables:
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_wrong_column_or_date_fails_before_a_kernel_starts(tmp_path, capsys):
    import time

    started = time.perf_counter()
    assert main(["report", str(SAMPLE), "--case", "visit_no", "--out", str(tmp_path)]) == 2
    assert "visit_no" in capsys.readouterr().err
    assert main(["report", str(SAMPLE), "--intervention", "2031-01-01",
                 "--out", str(tmp_path)]) == 2
    assert "outside the log's period" in capsys.readouterr().err
    assert main(["report", str(SAMPLE), "--treated", "Cardiology", "--out",
                 str(tmp_path)]) == 2
    assert "not in the log" in capsys.readouterr().err
    assert time.perf_counter() - started < 60
    assert not list(tmp_path.iterdir())  # nothing written


def test_study_file_is_read_and_checked(tmp_path):
    from journey.report import read_study

    study = tmp_path / "journey.toml"
    study.write_text('intervention = 2025-03-03\ndepartment = "A"\ncase_mix = []\n')
    assert read_study(study, department="B") == {
        "intervention": "2025-03-03", "department": "B", "control": None, "activity": None,
        "target_wait": None, "case_mix": []}
    study.write_text('intervention = "2025-03-03"\nward = "A"\n')
    with pytest.raises(JourneyError, match="unknown keys"):
        read_study(study)


def test_shared_tables_read_as_a_report():
    from journey.report import _neutralise, _shareable

    frame = pd.DataFrame({"activity": ["=HYPERLINK(1)", "Lab"], "cases": [3, 40],
                          "p_value": [3.661173e-10, 0.2], "examples": [["V1"], ["V2"]],
                          "detail": ["not starting with ['A', 'B']", None]})
    shared = _shareable(frame, 5, "en")
    assert list(shared.columns) == ["activity", "cases", "p value", "detail"]
    assert shared["cases"].tolist() == [SUPPRESSED] * 2  # 40 too: else the total gives 3
    assert shared["p value"].tolist() == ["< 0.001", "0.200"]
    assert shared["detail"].tolist() == ["not starting with A, B", "–"]
    assert shared["activity"].map(_neutralise).tolist() == ["'=HYPERLINK(1)", "Lab"]
    assert list(_shareable(frame, 5, "zh").columns)[:2] == ["环节", "就诊人次"]


def test_out_keeps_files_it_did_not_write(tmp_path):
    from journey.report import _replace_tables

    out, new = tmp_path / "out", tmp_path / "new"
    (out / "tables" / "01_map").mkdir(parents=True)
    (out / "tables" / "mine.csv").write_text("kept")
    (out / "tables" / "01_map" / "01_old.csv").write_text("old")
    (out / "manifest.json").write_text(json.dumps({"tables": {
        "tables/01_map/01_old.csv": {}, "../outside.csv": {}}}))
    (tmp_path / "outside.csv").write_text("kept")
    (new / "01_map").mkdir(parents=True)
    (new / "01_map" / "01_touchpoints.csv").write_text("new")
    written = _replace_tables(out, new)
    assert [p.name for p in written] == ["01_touchpoints.csv"]
    assert (out / "tables" / "mine.csv").exists() and (tmp_path / "outside.csv").exists()
    assert not (out / "tables" / "01_map" / "01_old.csv").exists()


def test_wheel_ships_the_notebooks_and_lab_is_an_extra(tmp_path):
    import zipfile

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(tmp_path), str(ROOT)], check=True,
                   capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("journey-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith("/METADATA"))).decode()
    shipped = sorted(n for n in names if re.fullmatch(r"journey/notebooks/\d\d_\w+\.ipynb", n))
    assert [Path(n).name for n in shipped] == sorted(
        p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    lab = [line for line in requires if "jupyterlab" in line]
    assert lab and all("extra == 'lab'" in line or 'extra == "lab"' in line for line in lab)
    assert any(line.startswith("Requires-Dist: papermill") and "extra" not in line
               for line in requires)


def test_figure_labels_render_no_links():
    from journey.report import _no_links

    figure = {"data": [{"x": ['<a href="http://x">Lab</a>', "Pay<br>ment"], "y": [1, 2]}],
              "layout": {"title": {"text": "<A HREF='x'>t</A>"}}}
    clean = _no_links(figure)
    assert clean["data"][0]["x"] == ['&lt;a href="http://x">Lab&lt;/a>', "Pay<br>ment"]
    assert clean["layout"]["title"]["text"] == "&lt;A HREF='x'>t&lt;/A>"
