"""Study reports: run the numbered notebooks on a log and write one self-contained HTML report.

:func:`build_report` (and the command ``journey report``) checks the log and the settings
(:func:`check_inputs`), runs the study notebooks (shipped in ``journey/notebooks/``, or the
project's ``notebooks/`` in a source checkout) with papermill on the user's files and writes
to ``out``:

- ``report.html`` — one self-contained page in one language: a summary of findings (the
  sentences of :mod:`journey.findings` that the notebooks displayed, and for each section that
  did not apply, its reason), a table of contents, the sections, and the methods folded under
  ``<details>``; code hidden, plotly.js embedded once inline (no CDN, no require.js, no
  MathJax), so it opens on a hospital network without internet;
- ``tables/NN_notebook/KK_section.csv`` — the key tables: the value of every cell whose first
  line is ``# NBVAL_CHECK_OUTPUT``, when it is a DataFrame or Series, named after the section
  heading above it; shared as the report shows them (see below), ``utf-8-sig`` so Excel
  opens Chinese headers. Only tables an earlier report listed in ``manifest.json`` are
  replaced; no other file in ``out`` is touched;
- ``manifest.json`` — run date, parameters (with the study file and the read options),
  package versions, which notebooks ran, which sections were not shown and why, the tables
  with their number of suppressed cells, and the SHA-256 of every input and notebook.

Parameters reach a notebook only when its ``parameters`` cell declares them (papermill's
``inspect_notebook``), by one rule: a file input ``X`` goes to the parameter ``X_path``
(``log_path``, ``surveys_path``, ``complaints_path``, ``followups_path``,
``survey_touchpoints_path``), a setting to the parameter of its own name (``intervention``,
``department``, ``control``, ``lang``). A notebook that declares no log parameter, or a
required side file (surveys, complaints, follow-up calls) which was not given, is skipped and
listed in the report and the manifest (an error when that notebook was asked for by name).
Every other ``*_path`` parameter without an input — the per-touchpoint survey ratings when
not given, and always ``truth_path`` (the simulation's true values) — is passed as ``None``,
and the notebook leaves out the sections that need it with a note. So no default path of a
notebook is ever used: the user's report never mixes in the sample data.
Notebooks run on a temporary copy with the notebooks folder as working directory; inputs are
passed as absolute paths. Cells tagged ``lab-only`` (the explorer, whose widgets need
JupyterLab) are left out of that copy.

Shared tables: every DataFrame or Series a notebook displays in the report and every exported
CSV goes through :func:`suppress_small_counts` (default threshold 5: counts from 1 to 4
become ``"*"``, and so do the next smallest cells wherever a hidden count could be worked out
as a total minus the visible parts, the shares and changes in the rows of hidden counts, and
the medians, means and other statistics of groups of 1 to 4), loses the columns naming
visits or patients (``case_id``, ``patient_id``, data-quality ``examples``), shows lists as
text, p-values as ``< 0.001``, no row numbers, and headers in the report's language; CSV
text cells starting with ``=``, ``+``, ``-`` or ``@`` are neutralised with a leading quote.
Sentences write small counts as "fewer than 5"; the journey-map figures leave out elements
of 1 to 4 visits (:func:`journey.privacy.set_min_count`); figure texts never render links.
The other charts are drawn from the full data, so share the report only with people entitled
to see the underlying counts.

Re-running on the same inputs gives the same report and byte-identical CSV tables (floats are
written with ten significant digits, which absorbs last-bit differences of parallel sums).
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import importlib.metadata
import json
import platform
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from journey._disclosure import protect_table
from journey.errors import JourneyError
from journey.formats import sha256_of
from journey.i18n import get_language, set_language, use_cjk_font
from journey.privacy import set_min_count

__all__ = ["SUPPRESSED", "build_report", "read_study", "suppress_small_counts"]

#: What a suppressed cell shows in report tables and CSV files.
SUPPRESSED = "*"

_CHECK_MARK = "# NBVAL_CHECK_OUTPUT"
_SETUP_TAG = "journey-report-setup"
#: Cells with this tag (an explorer of widgets) work only in JupyterLab: a report leaves them
#: out before it runs the notebook, so its kernel never waits on a widget.
LAB_ONLY_TAG = "lab-only"
# the study notebooks: inside the installed package (the wheel ships them in journey/notebooks),
# else the project's notebooks/ folder (a source checkout or an editable install)
_NOTEBOOKS_DIR = next((folder for folder in (Path(__file__).resolve().parent / "notebooks",
                                             Path(__file__).resolve().parent.parent / "notebooks")
                       if folder.is_dir()), Path(__file__).resolve().parent / "notebooks")
_FLOAT_FORMAT = "%.10g"
_VERSIONS = ("journey", "pandas", "numpy", "duckdb", "ibis-framework", "statsmodels", "scipy",
             "plotly", "matplotlib", "seaborn", "papermill", "nbconvert")

# a notebook parameter X_path receives the report's file input X; without the file, a notebook
# needing one of these is skipped, and any other X_path is passed as None
_REQUIRED = ("log", "surveys", "complaints", "followups")
_SETTINGS = ("intervention", "department", "control", "activity", "target_wait",
             "case_mix", "lang")
_STUDY_KEYS = ("intervention", "department", "control", "activity", "target_wait", "case_mix")
_READ_OPTIONS = ("case", "activity", "start", "end", "timestamp", "department", "resource",
                 "tz", "encoding", "sheet")
_OPTION = {"surveys": "--surveys", "complaints": "--complaints", "followups": "--followups"}

# columns holding counts of patients or visits: these names, optionally with a group suffix,
# and any name starting with "n_" or ending in "_n" unless it counts time points, SPC signals,
# periods or bootstrap draws (_NOT_PEOPLE)
_COUNT_NAMES = {"n", "count", "cases", "visits", "patients", "events", "transitions", "repeats",
                "complaints", "respondents", "responses", "calls", "followup_calls",
                "return_visits", "retained", "promoters", "detractors", "passives", "left",
                "open", "within", "missing", "called", "reached", "not_due_response",
                "not_due_resolution", "not_yet_due"}
_GROUP_SUFFIX = re.compile(r"_(a|b|before|after|control|treated|intervention)$")
_NOT_PEOPLE = re.compile(r"points|periods|boot|ranges|touchpoints|concern|improvement|neutral"
                         r"|trend|shift|runs|steps|days|weeks|months|hours|minutes")
# count columns that give the size of a row's group (the others count subsets of it)
_SIZE_NAMES = {"n", "count", "cases", "visits", "patients", "events", "respondents", "responses"}
_SHARE_WORDS = ("share", "rate", "pct", "percent", "proportion", "retention")
# columns that name visits or patients, or list them: never in a shared report
_PRIVATE = {"examples", "example_rows", "example_values", "case_id", "patient_id", "cases_list"}

_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}
{%- if resources.plotly_js -%}
<script type="text/javascript">window.PlotlyConfig = {MathJaxConfig: 'local'};</script>
<script type="text/javascript">{{ resources.plotly_js }}</script>
{%- endif -%}
{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""

_TEXT = {
    "en": {
        "title": "Patient journey study report",
        "run": "Run on {date} with journey {version}.",
        "inputs": "Inputs", "parameters": "Parameters", "skipped": "Not included",
        "privacy": ("Privacy: in the tables, counts from 1 to {last}, the shares and changes "
                    "in the same row, the statistics (median, mean...) of groups of 1 to {last} "
                    "and, where a total would give a hidden count away, the next smallest "
                    "count are shown as `{mark}`; the journey-map figures leave out nodes, paths "
                    "and bars of 1 to {last} visits and say how many they hid. The other charts "
                    "are drawn from the full data; share this report only with people entitled "
                    "to see them."),
        "manifest": ("Package versions and fingerprints (SHA-256) of the inputs are in "
                     "`manifest.json`; the key tables are in `tables/`."),
        "summary": "Summary of findings", "contents": "Contents",
        "methods": "Methods, inputs and privacy", "not_shown": "not shown: ",
        "keys": {"time": "Where time is lost, and when", "waits": "Waits against targets",
                 "effect": "Did the change work", "experience": "Where experience is won or lost",
                 "quality": "Data quality"},
        "needs": {"experience": "05_experience"},
        "needs_file": "needs {files}: give the file to fill this section",
        "hidden": ("{n} cells hidden: counts from 1 to {last}, and cells that would give them "
                   "away or describe so few people."),
    },
    "zh": {
        "title": "患者就医旅程研究报告",
        "run": "生成时间：{date}；journey 版本 {version}。",
        "inputs": "输入文件", "parameters": "参数", "skipped": "未包含的分析",
        "privacy": ("隐私保护：表格中 1 至 {last} 的计数、同一行的占比与变化、"
                    "1 至 {last} 人的组的统计量（中位数、均值等），以及可由合计反推隐藏计数时"
                    "次小的计数，均显示为 `{mark}`；"
                    "旅程图类图形不显示人次为 1 至 {last} 的节点、路径和条形，"
                    "并注明未显示的项目数。"
                    "其他图形基于完整数据绘制，请仅向有权查看这些数据的人员分享本报告。"),
        "manifest": "软件包版本与输入文件指纹（SHA-256）见 `manifest.json`；主要表格见 `tables/`。",
        "summary": "主要发现", "contents": "目录", "methods": "方法、输入与隐私保护",
        "not_shown": "未显示：",
        "keys": {"time": "时间耗在哪里、何时", "waits": "等待与目标", "effect": "改进是否有效",
                 "experience": "体验的得失", "quality": "数据质量"},
        "needs": {"experience": "05_experience"},
        "needs_file": "需要 {files}：提供该文件后显示本节",
        "hidden": ("已隐藏 {n} 个单元格：1 至 {last} 的计数，"
                   "以及可反推这些计数或描述人数过少的单元格。"),
    },
}


def read_study(path: str | Path | None, **given: object) -> dict[str, object]:
    """The change a study looks at: from a study file (TOML), overridden by given values.

    The file may set ``intervention`` (first day of the change, ``"YYYY-MM-DD"``),
    ``department`` (where it was made), ``control`` (a comparable department without it),
    ``activity`` (the touchpoint whose wait should change), ``target_wait`` (minutes) and
    ``case_mix`` (a list of covariates). A value given as a keyword and not ``None`` wins.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file such as ``journey.toml``; ``None`` for the given values only.
    **given
        The same keys.

    Returns
    -------
    dict
        Every key, ``None`` when neither the file nor the caller set it.

    Examples
    --------
    >>> read_study(None, department="Cardiology")["department"]
    'Cardiology'
    >>> read_study(None)["intervention"] is None
    True
    """
    import tomllib

    unknown = set(given) - set(_STUDY_KEYS)
    if unknown:
        raise JourneyError(f"unknown study settings {sorted(unknown)}; use {list(_STUDY_KEYS)}")
    values: dict[str, object] = dict.fromkeys(_STUDY_KEYS)
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as err:
            raise JourneyError(f"{path}: study file not found") from err
        except tomllib.TOMLDecodeError as err:
            raise JourneyError(f"{path}: not a valid TOML study file: {err}") from err
        extra = set(data) - set(_STUDY_KEYS)
        if extra:
            raise JourneyError(f"{path}: unknown keys {sorted(extra)}; a study file may set "
                               f"{', '.join(_STUDY_KEYS)}")
        values.update({k: str(v) if k == "intervention" else v for k, v in data.items()})
    values.update({k: v for k, v in given.items() if v is not None})
    return values


def _is_count(name: object, column: pd.Series) -> bool:
    text = _GROUP_SUFFIX.sub("", str(name).lower())
    named = text in _COUNT_NAMES or ((text.startswith("n_") or text.endswith("_n"))
                                     and not _NOT_PEOPLE.search(text))
    if not named or not pd.api.types.is_numeric_dtype(column) or column.dtype == bool:
        return False
    values = column.dropna()
    return bool((values == values.round()).all())


def suppress_small_counts(frame: pd.DataFrame, *, columns: Sequence[str] | None = None,
                          threshold: int = 5, column_totals: bool = True) -> pd.DataFrame:
    """Hide small counts in a table that will be shared (statistical disclosure control).

    Cells of the count columns with a value from 1 to ``threshold - 1`` become
    :data:`SUPPRESSED` (``"*"``). So that no hidden count can be worked back out as a total
    minus the visible parts, in every group of cells tied by a total (a ``Total`` row, a count
    column that is the sum of other count columns, and, with ``column_totals``, each count
    column, whose total is often stated elsewhere) that holds exactly one hidden cell, the
    next smallest cell of the group is hidden too, until no group holds a single one
    (complementary suppression). The share/rate columns are hidden in every row with a hidden
    count, which would otherwise let a reader work the count back out: numeric columns whose
    name contains ``share``, ``rate``, ``pct``, ``percent``, ``proportion`` or
    ``retention``, the share ``X`` of a count column ``X_n`` with its interval
    ``X_ci_low``, ``X_ci_high`` (``top_box_n`` and ``top_box``), and changes (``change``,
    ``diff``, ``delta`` in the name). Statistics (``median``, ``mean``, ``p90``, ``min``,
    ``max``... in the name) are hidden in the rows whose group is smaller than the threshold
    (a count column ``n``, ``count``, ``cases``, ``visits``, ``patients``, ``events``,
    ``respondents``, ``responses`` or ``n_*`` below it; without one, any count column). Zero
    and missing counts stay as they are unless a zero is the only cell left to hide beside a
    small one; the other cells keep their values; columns that hold a suppressed cell become
    ``object`` columns. The result's ``attrs["suppressed_cells"]`` says how many cells were
    hidden, ``attrs["secondary_cells"]`` how many counts were hidden
    only to protect others, ``attrs["blanked_statistics"]`` how many statistics.

    Parameters
    ----------
    frame : pandas.DataFrame
        A result table, e.g. ``journey_map(log).transitions``.
    columns : list of str, optional
        The count columns. Default: numeric columns with whole-number values named ``n``,
        ``count``, ``cases``, ``visits``, ``patients``, ``events``, ``transitions``,
        ``repeats``, ``complaints``, ``respondents``, ``responses``, ``calls``,
        ``followup_calls``, ``return_visits``, ``retained``, ``promoters``, ``detractors``,
        ``passives``, ``left``, ``open``, ``within``, ``missing``, ``called``, ``reached``,
        ``not_due_response``, ``not_due_resolution``, ``not_yet_due`` (also with a suffix
        ``_a``, ``_b``,
        ``_before``, ``_after``, ``_control``, ``_treated``, ``_intervention``), or starting
        with ``n_`` or ending in ``_n`` (except counts of time points, SPC signals, periods
        and bootstrap draws such as ``n_points``, ``n_concern``, ``trend_n``, ``n_boot``).
    threshold : int, default 5
        Smallest count shown.
    column_totals : bool, default True
        Treat the total of each count column as known; ``False`` protects only against
        totals found in the table itself.

    Returns
    -------
    pandas.DataFrame
        A copy, for sharing (not for further arithmetic).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"activity": ["Lab", "Imaging", "Payment", "Admission"],
    ...                   "cases": [120, 3, 40, 0], "share": [0.74, 0.02, 0.24, 0.0]})
    >>> out = suppress_small_counts(t)
    >>> out.cases.tolist(), out.share.tolist()
    ([120, '*', '*', 0], [0.74, '*', '*', 0.0])
    >>> out.attrs["suppressed_cells"], out.attrs["secondary_cells"]
    (4, 1)
    """
    if not isinstance(frame, pd.DataFrame):
        raise JourneyError(f"suppress_small_counts needs a pandas DataFrame, got "
                           f"{type(frame).__name__}")
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise JourneyError(f"threshold must be a positive whole number, got {threshold!r}")
    if not isinstance(column_totals, bool):
        raise JourneyError(f"column_totals must be True or False, got {column_totals!r}")
    if columns is None:
        columns = [c for c in frame.columns if _is_count(c, frame[c])]
    else:
        columns = [columns] if isinstance(columns, str) else list(columns)
        bad = [c for c in columns if c not in frame.columns
               or not pd.api.types.is_numeric_dtype(frame[c])]
        if bad:
            raise JourneyError(f"columns {bad} are not numeric columns of the table; pass count "
                               f"columns from {list(frame.columns)}")
    paired = {str(c).removesuffix("_n") for c in columns if str(c).endswith("_n")}
    shares = [c for c in frame.columns if c not in columns
              and pd.api.types.is_numeric_dtype(frame[c])
              and (any(w in str(c).lower() for w in _SHARE_WORDS)
                   or re.sub(r"_ci_(low|high)$", "", str(c)) in paired)]
    sizes = [c for c in columns if _GROUP_SUFFIX.sub("", str(c).lower()) in _SIZE_NAMES
             or str(c).lower().startswith("n_")] or columns
    return protect_table(frame, columns, threshold=threshold, shares=shares, sizes=sizes,
                         mark=SUPPRESSED, column_totals=column_totals)


def _slug(source: str) -> str:
    """A file name from a cell: the first line of its last statement, e.g. ``jm_rework_round_1``."""
    lines = source.splitlines()
    try:
        body = ast.parse(source).body
    except SyntaxError:  # IPython syntax (magics)
        body = []
    line = lines[body[-1].lineno - 1] if body else next(
        (line for line in reversed(lines) if line.strip()), "")
    return re.sub(r"[^0-9A-Za-z]+", "_", line).strip("_")[:40].strip("_")


def _float(x: float) -> str:
    if pd.isna(x):
        return "–"
    if abs(x) < 0.0005:
        return "0"
    return f"{x:,.3f}".rstrip("0").rstrip(".")


def _p_value(x: object) -> object:
    if not isinstance(x, int | float) or pd.isna(x):
        return x
    return "< 0.001" if x < 0.001 else f"{x:.3f}"


def _shareable(frame: pd.DataFrame, threshold: int, lang: str) -> pd.DataFrame:
    """A table as a shared report shows it: small counts hidden, no record-level columns,
    lists as text, p-values as ``< 0.001``, headers in the report's language."""
    from journey.i18n import translate_columns

    if isinstance(frame.columns, pd.MultiIndex):
        frame = frame.copy()
        frame.columns = [" ".join(map(str, c)).strip() for c in frame.columns]
    out = suppress_small_counts(frame.drop(columns=[c for c in frame.columns
                                                    if str(c) in _PRIVATE]),
                                threshold=threshold)
    hidden = dict(out.attrs)
    for column in out.columns:
        values = out[column]
        if values.map(lambda v: isinstance(v, list | tuple)).any():
            out[column] = values.map(lambda v: ", ".join(map(str, v))
                                     if isinstance(v, list | tuple) else v)
        if "p_value" in str(column):
            out[column] = values.map(_p_value).astype(object)
    if out.index.name is None and pd.api.types.is_integer_dtype(out.index):
        out = out.reset_index(drop=True)  # row numbers of a sorted or filtered table
    if not isinstance(out.index, pd.RangeIndex):
        out = out.reset_index()
        if "index" in out.columns:
            out = out.rename(columns={"index": ""})
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]) and \
                not pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].astype(object).map(_plain)
    if lang == "zh":
        out = translate_columns(out, "zh")
    else:
        out.columns = [str(c).replace("_", " ") for c in out.columns]
    out.attrs.update(hidden)  # how many cells were hidden, for the report to say
    return out


def _plain(value: object) -> object:
    """A text cell without Python notation: ``['A', 'B']`` reads ``A, B``, None is empty."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if isinstance(value, str):
        return _LIST.sub(lambda m: ", ".join(re.findall(r"'([^']*)'", m.group(0))), value)
    return value


_LIST = re.compile(r"\['[^'\]]*'(?:, '[^'\]]*')*\]")


def _neutralise(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula starts with a quote instead."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _start_report_kernel(tables: str, notebook: str, threshold: int, lang: str,
                         names: dict[str, str] | None = None,
                         read_options: dict | None = None) -> None:
    """Run inside a notebook's kernel: language, suppressed tables and figures, CSV export."""
    import functools
    import warnings

    import plotly.io as pio
    from IPython import get_ipython

    import journey

    shell = get_ipython()
    set_language(lang)
    set_min_count(threshold)
    warnings.filterwarnings("ignore")  # warnings are for the analyst's notebook, not the report
    if read_options:
        from journey.read import read_log

        journey.read_log = functools.partial(read_log, **read_options)
    if lang == "zh":
        with contextlib.suppress(JourneyError):  # without a CJK font, figures lose glyphs only
            use_cjk_font()
    pio.renderers.default = "plotly_mimetype"
    formatters = shell.display_formatter.formatters

    def html(frame: pd.DataFrame) -> str:
        shared = _shareable(frame, threshold, lang)
        hidden = shared.attrs.get("suppressed_cells", 0)
        note = (f'<p class="journey-hidden">'
                f'{_TEXT[lang]["hidden"].format(n=hidden, last=threshold - 1)}</p>'
                if hidden else "")
        return shared.to_html(index=False, na_rep="–", float_format=_float, border=0,
                              classes="dataframe") + note

    formatters["text/html"].for_type(pd.DataFrame, html)
    formatters["text/html"].for_type(dict, lambda d: html(pd.DataFrame(
        {"": list(map(str, d)), " ": [str(v) for v in d.values()]})))
    formatters["text/html"].for_type(pd.Series, lambda s: html(s.to_frame()))
    formatters["text/plain"].for_type(
        pd.DataFrame, lambda df, p, cycle: p.text(
            _shareable(df, threshold, lang).to_string(index=False, na_rep="–")))
    formatters["text/plain"].for_type(
        pd.Series, lambda s, p, cycle: p.text(
            _shareable(s.to_frame(), threshold, lang).to_string(index=False, na_rep="–")))
    folder = Path(tables) / notebook
    marked = 0

    def export(result: object) -> None:
        nonlocal marked
        source = result.info.raw_cell or ""
        if not source.lstrip().startswith(_CHECK_MARK):
            return
        marked += 1
        value = result.result
        if isinstance(value, pd.Series):
            value = value.to_frame()
        if not isinstance(value, pd.DataFrame):
            return
        folder.mkdir(parents=True, exist_ok=True)
        table = _shareable(value, threshold, lang).map(_neutralise)
        name = (names or {}).get(source.strip()) or _slug(source)
        table.to_csv(folder / f"{marked:02d}_{name}.csv", index=False,
                     float_format=_FLOAT_FORMAT, lineterminator="\n", encoding="utf-8-sig")

    shell.events.register("post_run_cell", export)


def _table_names(nb: dict) -> dict[str, str]:
    """A file name for each marked cell: the heading of its section, e.g. ``touchpoints``."""
    names, heading, seen = {}, "", {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in cell["source"].splitlines():
                if line.startswith("#"):
                    heading = re.sub(r"^#+\s*(\d+\.\s*)?", "", line).split(" / ")[0]
        elif cell["source"].lstrip().startswith(_CHECK_MARK) and heading:
            slug = re.sub(r"[^0-9a-z]+", "_", heading.lower()).strip("_")[:40].strip("_")
            seen[slug] = seen.get(slug, 0) + 1
            names[cell["source"].strip()] = slug + (f"_{seen[slug]}" if seen[slug] > 1 else "")
    return names


def _select(folder: Path, notebooks: str | Sequence[str] | None) -> list[Path]:
    available = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not available:
        raise JourneyError(f"no study notebooks (NN_name.ipynb) in {folder}; pass "
                           "notebooks_dir= (--notebooks-dir) with the project's notebooks folder")
    if notebooks is None:
        return available
    wanted = [n.strip() for n in (notebooks.split(",") if isinstance(notebooks, str)
                                  else notebooks) if n.strip()]
    chosen = [p for p in available if p.stem[:2] in wanted or p.stem in wanted]
    unknown = [n for n in wanted if not any(n in (p.stem[:2], p.stem) for p in available)]
    if unknown or not chosen:
        raise JourneyError(f"unknown notebook(s) {unknown or wanted}; choose from "
                           f"{[p.stem for p in available]} (e.g. --notebooks 01,03)")
    return chosen


def _parameters(declared: dict, files: dict[str, str | None], settings: dict,
                ) -> tuple[dict, list[str]]:
    """The parameters to pass to one notebook, and what it lacks to run on the user's data."""
    passed, missing = {}, []
    for name in declared:
        if name.endswith("_path"):
            given = name.removesuffix("_path")
            if files.get(given) is not None:
                passed[name] = files[given]
            elif given in _REQUIRED:
                missing.append(_OPTION.get(given, given))
            else:  # optional input the notebook skips; never its default path into the sample
                passed[name] = None
        elif name in settings and settings[name] is not None:
            passed[name] = settings[name]
    if "log_path" not in declared:
        missing.append("a log_path parameter in its parameters cell")
    return passed, missing


_LINK = re.compile(r"<(/?)(a\b)", re.I)


def _no_links(value: object) -> object:
    """Figure texts with ``<a …>`` written out, so a name in the data never renders a link."""
    if isinstance(value, str):
        return _LINK.sub(r"&lt;\1\2", value)
    if isinstance(value, dict):
        return {k: _no_links(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_no_links(v) for v in value]
    return value


def _plotly_to_html(nb: dict) -> int:
    """Replace plotly outputs by static HTML that draws them with the page's plotly.js."""
    import plotly.io as pio

    figures = 0
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            figure = output.get("data", {}).get("application/vnd.plotly.v1+json")
            if figure is None:
                continue
            figures += 1
            figure = _no_links(dict(figure))
            config = figure.pop("config", None) or {}
            output["data"] = {"text/html": pio.to_html(
                figure, config=config, include_plotlyjs=False, full_html=False,
                div_id=f"figure-{figures}", validate=False)}
    return figures


_CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e]")
_LETTERS = re.compile(r"[A-Za-z\u3400-\u9fff]")


def _is_chinese(text: str) -> bool:
    letters = _LETTERS.findall(re.sub(r"`[^`]*`", "", text))
    return bool(letters) and sum(bool(_CJK.match(c)) for c in letters) / len(letters) > 0.3


def _one_language(markdown: str, lang: str) -> str:
    """The paragraphs of a bilingual markdown cell in one language; ``A / B`` headings split."""
    keep = []
    for block in re.split(r"\n\s*\n", markdown):
        if block.startswith("#"):
            head, _, rest = block.partition("\n")
            hashes, title = re.match(r"(#+\s*)(.*)", head).groups()
            parts = [part for part in title.split(" / ") if part.strip()]
            chosen = [part for part in parts if _is_chinese(part) == (lang == "zh")]
            if lang == "zh" and chosen:
                number = re.match(r"\s*(\d+\s*[·.]\s*)", parts[0])
                if number and not chosen[0].lstrip().startswith(number.group(1).strip()):
                    chosen[0] = number.group(1) + chosen[0]
            block = hashes + (chosen[0] if chosen else parts[0]).strip()
            if rest.strip() and _is_chinese(rest) == (lang == "zh"):
                block += "\n" + rest
            keep.append(block)
        elif _is_chinese(block) == (lang == "zh"):
            keep.append(block)
    return "\n\n".join(keep)


def _findings(cells: list) -> tuple[dict[str, str], dict[str, str]]:
    """The findings and the skipped sections that the notebooks displayed, by key."""
    found, skipped = {}, {}
    for cell in cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("journey", {})
            text = output.get("data", {}).get("text/plain", "")
            if "finding" in meta and "skipped" not in meta:
                found.setdefault(meta["finding"], text)
            elif "skipped" in meta:
                skipped.setdefault(meta.get("finding") or meta["skipped"], meta["skipped"])
    return found, skipped


def _summary(lang: str, found: dict[str, str], skipped: dict, not_run: dict[str, str],
             sections: list[tuple[str, str]]) -> str:
    text = _TEXT[lang]
    lines = [f"# {text['title']}", "", f"## {text['summary']}", ""]
    for key in ("time", "waits", "effect", "experience", "quality"):
        label = text["keys"][key]
        if key in found:
            lines.append(f"- **{label}:** {found[key]}")
        elif key in skipped:
            lines.append(f"- **{label}:** {text['not_shown']}{skipped[key]}")
        elif key in text["needs"] and text["needs"][key] in not_run:
            lines.append(f"- **{label}:** {text['not_shown']}{not_run[text['needs'][key]]}")
    lines += ["", f"## {text['contents']}", ""]
    lines += [f"{i}. [{title}](#{anchor})" for i, (anchor, title) in enumerate(sections, 1)]
    return "\n".join(lines)


def _header(lang: str, settings: dict, inputs: dict, skipped: dict, threshold: int,
            created: str) -> str:
    text = _TEXT[lang]
    lines = [f"<details><summary>{text['methods']}</summary>", "",
             text["run"].format(date=created, version=importlib.metadata.version("journey")),
             "", f"**{text['inputs']}:** " + ", ".join(
                 f"{k} `{Path(v['path']).name}` (sha256 `{v['sha256'][:12]}…`)"
                 for k, v in inputs.items())]
    shown = {k: v for k, v in settings.items() if v is not None}
    lines += ["", f"**{text['parameters']}:** " + ", ".join(
        f"{k} = `{', '.join(map(str, v)) if isinstance(v, list | tuple) else v}`"
        for k, v in shown.items())]
    if skipped:
        lines += ["", f"**{text['skipped']}:** " + "; ".join(f"{k} ({v})"
                                                          for k, v in skipped.items())]
    lines += ["", text["privacy"].format(last=threshold - 1, mark=SUPPRESSED), "",
              text["manifest"], "", "</details>"]
    return "\n".join(lines)


def _kernel_manager() -> type:
    """Kernels talk over local IPC sockets (no TCP port, no plain-text network warning)."""
    import os
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum

    if os.name == "nt":  # IPC transport needs Unix sockets
        return AsyncKernelManager

    class _IPCKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        def _ip_default(self) -> str:
            return str(Path(tempfile.gettempdir()) / f"journey-kernel-{uuid.uuid4().hex[:12]}")

    return _IPCKernelManager


def check_inputs(log: str | Path, *, read_options: dict | None = None,
                 settings: dict | None = None) -> object:
    """Read the log and check the study settings against it, before any notebook runs.

    Raises :class:`~journey.errors.JourneyError` naming the problem: a file or column
    ``read_log`` cannot use, an intervention date that is not a date or lies outside the
    log's period, a department or control not present in the log.

    Returns
    -------
    EventLog
    """
    from journey.read import read_log

    settings = settings or {}
    eventlog = read_log(log, **(read_options or {}))
    first, last = (pd.Timestamp(x) for x in eventlog.period)
    when = settings.get("intervention")
    if when is not None:
        try:
            when = pd.Timestamp(str(when))
        except ValueError as err:
            raise JourneyError(f"intervention {when!r} is not a date; give YYYY-MM-DD") from err
        if pd.isna(when) or not first.normalize() < when <= last:
            raise JourneyError(f"intervention {when:%Y-%m-%d} lies outside the log's period "
                               f"{first:%Y-%m-%d} to {last:%Y-%m-%d}")
    names = [settings.get(k) for k in ("department", "control") if settings.get(k) is not None]
    if names:
        if "department" not in eventlog.columns:
            raise JourneyError("a studied or control department needs a department column; "
                               "the log has none (name it with --department COLUMN, "
                               "read_log's department=)")
        t = eventlog.table
        present = set(t.select(d=t.department.cast("string")).distinct().execute()["d"]
                      .dropna())
        for name in names:
            if str(name) not in present:
                shown = ", ".join(sorted(present)[:12])
                raise JourneyError(f"department {name!r} is not in the log; its departments: "
                                   f"{shown}")
    return eventlog


def build_report(
    log: str | Path,
    *,
    out: str | Path,
    surveys: str | Path | None = None,
    complaints: str | Path | None = None,
    followups: str | Path | None = None,
    survey_touchpoints: str | Path | None = None,
    intervention: str | None = None,
    department: str | None = None,
    control: str | None = None,
    activity: str | None = None,
    study: str | Path | None = None,
    read_options: dict | None = None,
    lang: str | None = None,
    notebooks: str | Sequence[str] | None = None,
    notebooks_dir: str | Path | None = None,
    threshold: int = 5,
    progress: bool = True,
) -> Path:
    """Run the study notebooks on a log and write a self-contained HTML report.

    See the module description for what is written to ``out`` and how parameters reach the
    notebooks. The log and every setting are checked before a kernel starts
    (:func:`check_inputs`).

    Parameters
    ----------
    log : str or Path
        The visit log (any file :func:`journey.read_log` reads).
    out : str or Path
        Output folder (created): ``report.html``, ``tables/``, ``manifest.json``. Only files
        this function wrote before are replaced or removed.
    surveys, complaints, followups : str or Path, optional
        Side tables for the notebooks that use them; notebooks that need a missing one are
        skipped and the summary says which file would fill them.
    survey_touchpoints : str or Path, optional
        Survey ratings per touchpoint (one row per respondent and touchpoint).
    intervention : str, optional
        Date of the change, ``"YYYY-MM-DD"``, for the before/after notebook.
    department, control : str, optional
        Department studied and control department (values of the department column).
    activity : str, optional
        Touchpoint whose wait the before/after study follows; default where most
        patient-hours are lost.
    study : str or Path, optional
        A study file (TOML, :func:`read_study`) with the settings above; given arguments win.
        Recorded in the manifest.
    read_options : dict, optional
        Keyword arguments of :func:`journey.read_log` (``case``, ``activity``, ``start``,
        ``end``, ``timestamp``, ``department``, ``resource``, ``tz``, ``encoding``,
        ``sheet``), used by every notebook.
    lang : {"en", "zh"}, optional
        Language of the whole report; default :func:`journey.i18n.get_language`.
    notebooks : str or list of str, optional
        Which notebooks, by number or name (``"01,03"``); default all.
    notebooks_dir : str or Path, optional
        Folder of the numbered notebooks; default the ones shipped with the package.
    threshold : int, default 5
        Counts below it are suppressed in tables (:func:`suppress_small_counts`), sentences
        and the journey-map figures (:func:`journey.privacy.set_min_count`).
    progress : bool, default True
        Show a progress bar over the notebooks.

    Returns
    -------
    Path
        The HTML report; ``.skipped`` of :data:`LAST_RUN` lists the sections left out.

    Examples
    --------
    >>> build_report("data/sample/visits.csv", out="reports/sample",
    ...              notebooks="01", lang="zh")  # doctest: +SKIP
    PosixPath('reports/sample/report.html')
    """
    import papermill as pm
    from tqdm.auto import tqdm

    lang = get_language() if lang is None else lang
    read_options = _check_options(lang, read_options)
    folder = (Path(notebooks_dir) if notebooks_dir is not None else _NOTEBOOKS_DIR).resolve()
    selected = _select(folder, notebooks)
    files, inputs = _input_files(log=log, surveys=surveys, complaints=complaints,
                                 followups=followups, survey_touchpoints=survey_touchpoints,
                                 study=study)
    chosen = read_study(files["study"], intervention=intervention, department=department,
                        control=control, activity=activity)
    settings = {**chosen, "lang": lang}
    check_inputs(files["log"], read_options=read_options, settings=settings)
    files.pop("study")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    created = dt.datetime.now().isoformat(timespec="seconds")
    runs, skipped, cells, sections = [], {}, [], []
    with tempfile.TemporaryDirectory(prefix="journey-report-") as tmp:
        tables = Path(tmp) / "tables"
        for path in (bar := tqdm(selected, desc="notebooks", unit="notebook",
                                 disable=not progress)):
            bar.set_postfix_str(path.stem)
            passed, missing = _parameters(pm.inspect_notebook(str(path)), files, settings)
            if missing:
                if notebooks is not None:
                    raise JourneyError(f"notebook {path.stem} needs {', '.join(missing)}; add "
                                       "the file(s) or leave the notebook out")
                skipped[path.stem] = _TEXT[lang]["needs_file"].format(files=", ".join(missing))
                continue
            body = _run_notebook(path, passed, folder=folder, tmp=Path(tmp), tables=tables,
                                 out=out, threshold=threshold, lang=lang,
                                 read_options=read_options)
            title = next((c.source.splitlines()[0].lstrip("# ") for c in body
                          if c.cell_type == "markdown" and c.source.startswith("#")), path.stem)
            anchor = f"section-{path.stem[:2]}"
            sections.append((anchor, title))
            cells += [_markdown(f'<a id="{anchor}"></a>'), *body]
            runs.append({"notebook": path.name, "sha256": sha256_of(path),
                         "parameters": passed})
        if not runs:
            raise JourneyError(f"no notebook could run: {skipped}; add the missing files")
        written = _replace_tables(out, tables)

    found, not_shown = _findings(cells)
    cells = [_markdown(_summary(lang, found, not_shown, skipped, sections)),
             _markdown(_header(lang, settings, inputs, skipped, threshold, created)), *cells]
    page, figures = _write_page(out / "report.html", cells, lang, inputs)
    manifest = {
        "created": created,
        "python": platform.python_version(),
        "versions": {name: importlib.metadata.version(name) for name in _VERSIONS},
        "parameters": {**settings, "threshold": threshold, "notebooks": notebooks,
                       "read_options": read_options},
        "inputs": inputs,
        "notebooks": runs,
        "skipped": skipped,
        "sections_not_shown": not_shown,
        "figures": figures,
        "suppression": {"threshold": threshold, "marker": SUPPRESSED},
        "tables": {p.relative_to(out).as_posix(): {"suppressed_cells": _suppressed(p)}
                   for p in written},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    return page


def _check_options(lang: str, read_options: dict | None) -> dict:
    """The report's language checked, and the read options that were given."""
    if lang not in _TEXT:
        raise JourneyError(f"lang={lang!r} is not supported; use 'en' or 'zh'")
    read_options = {k: v for k, v in (read_options or {}).items() if v is not None}
    unknown = set(read_options) - set(_READ_OPTIONS)
    if unknown:
        raise JourneyError(f"unknown read options {sorted(unknown)}; use {list(_READ_OPTIONS)}")
    return read_options


def _input_files(**given: str | Path | None) -> tuple[dict[str, str | None], dict[str, dict]]:
    """Absolute paths of the input files (each must exist), and their fingerprints."""
    # No "truth" input: truth.json holds the true values of the simulation that generated all of
    # data/sample at once; a report cannot tell that its inputs are that unmodified output, so
    # truth_path is always None and the truth checks run only in the committed notebooks.
    files = {k: None if v is None else str(Path(v).expanduser().resolve())
             for k, v in given.items()}
    for name, path in files.items():
        if path is not None and not Path(path).exists():
            raise JourneyError(f"{path}: {name} file not found")
    inputs = {k: {"path": v, "sha256": sha256_of(v)} for k, v in files.items() if v is not None}
    return files, inputs


def _markdown(text: str) -> Any:
    import nbformat

    return nbformat.v4.new_markdown_cell(text)


def _run_notebook(path: Path, passed: dict, *, folder: Path, tmp: Path, tables: Path, out: Path,
                  threshold: int, lang: str, read_options: dict) -> list:
    """Run one study notebook on a copy (its lab-only cells left out, the report's setup cell
    first) and return the cells the report shows, in the report's language."""
    import nbformat
    import papermill as pm

    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if LAB_ONLY_TAG not in c.metadata.get("tags", [])]
    setup = (f"import os\nos.environ['TQDM_DISABLE'] = '1'\n"
             f"import journey.report\njourney.report._start_report_kernel("
             f"{str(tables)!r}, {path.stem!r}, {threshold!r}, {lang!r}, "
             f"{_table_names(nb)!r}, {read_options!r})")
    nb.cells.insert(0, nbformat.v4.new_code_cell(setup, metadata={"tags": [_SETUP_TAG]}))
    copy, executed = tmp / path.name, tmp / f"executed_{path.name}"
    nbformat.write(nb, copy)
    try:
        pm.execute_notebook(str(copy), str(executed), parameters=passed, cwd=str(folder),
                            progress_bar=False, log_output=False,
                            kernel_manager_class=_kernel_manager())
    except pm.PapermillExecutionError as err:
        failed = out / f"failed_{path.name}"
        if executed.exists():
            shutil.copyfile(executed, failed)
        raise JourneyError(f"notebook {path.stem} failed in cell {err.exec_count}: "
                           f"{err.ename}: {err.evalue}; open {failed} to see the cell "
                           "and the full error") from err
    result = nbformat.read(executed, as_version=4)
    hidden = {_SETUP_TAG, "parameters", "injected-parameters"}
    body = [c for c in result.cells if not hidden & set(c.metadata.get("tags", []))]
    for cell in body:
        if cell.cell_type == "markdown":
            cell.source = _one_language(cell.source, lang)
    return body


def _write_page(page: Path, cells: list, lang: str, inputs: dict) -> tuple[Path, int]:
    """Write the report's cells as one self-contained HTML page; return it and its number of
    figures."""
    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from plotly.offline import get_plotlyjs

    report = nbformat.v4.new_notebook(metadata={"title": _TEXT[lang]["title"]})
    report.cells = cells
    for number, cell in enumerate(report.cells):  # fixed ids: a re-run gives the same page
        cell.id = f"cell-{number}"
    figures = _plotly_to_html(report)
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True,
                            language_code=lang,
                            extra_loaders=[DictLoader({"journey_report.html.j2": _TEMPLATE})],
                            template_file="journey_report.html.j2")
    html, _ = exporter.from_notebook_node(
        report, resources={"plotly_js": get_plotlyjs() if figures else ""})
    for item in inputs.values():  # file names only, never the analyst's folders
        html = html.replace(str(Path(item["path"]).parent) + "/", "")
    page.write_text(html, encoding="utf-8")
    return page, figures


def _suppressed(table: Path) -> int:
    """Cells of a written table that show the suppression mark."""
    frame = pd.read_csv(table, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return int((frame == SUPPRESSED).to_numpy().sum())


def _replace_tables(out: Path, tables: Path) -> list[Path]:
    """Copy this run's tables into ``out/tables``, removing only the tables that an earlier
    report listed in ``out/manifest.json`` (files this function wrote), never other files."""
    old = out / "manifest.json"
    if old.exists():
        with contextlib.suppress(ValueError, KeyError, TypeError, OSError):
            for name in json.loads(old.read_text(encoding="utf-8"))["tables"]:
                target = (out / name).resolve()
                if target.is_relative_to(out.resolve() / "tables") and target.suffix == ".csv":
                    target.unlink(missing_ok=True)
    written = []
    for source in sorted(tables.rglob("*.csv")) if tables.exists() else []:
        target = out / "tables" / source.relative_to(tables)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        written.append(target)
    return written
