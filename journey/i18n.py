"""Language switch (English / Chinese), touchpoint and header translation, CJK fonts.

``set_language("zh")`` makes Chinese the default for figure labels and report text in this
session; ``translate`` maps touchpoint and stage names between the catalogue's English and
Chinese names (:data:`journey.stages.CATALOGUE`), and the category values of the package's
tables (:data:`VALUE_NAMES_ZH`); ``translate_columns`` renames the common table headers and
translates the known values in their rows; ``use_cjk_font`` makes matplotlib/seaborn draw
Chinese characters instead of empty boxes.

Installing a CJK font: Debian/Ubuntu ``apt-get install fonts-noto-cjk``; conda
``conda install -c conda-forge font-ttf-noto-cjk``; Windows and macOS ship one (Microsoft
YaHei, SimHei, PingFang SC).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pandas as pd

from journey._labels import _ZH_VALUES, DIMENSIONS, QUADRANTS, texts
from journey._language import LANGUAGES as LANGUAGES
from journey._language import _resolve, get_language, set_language
from journey.errors import JourneyError
from journey.stages import CATALOGUE, STAGES, touchpoint_of

__all__ = [
    "COLUMN_NAMES_ZH",
    "VALUE_NAMES_ZH",
    "display_header",
    "display_name",
    "get_language",
    "set_language",
    "translate",
    "translate_columns",
    "use_cjk_font",
]


#: Chinese headers for the column names that the package's tables share.
COLUMN_NAMES_ZH: dict[str, str] = {
    "case_id": "就诊号", "patient_id": "患者号", "activity": "环节", "touchpoint": "触点",
    "stage": "阶段", "department": "科室", "resource": "人员/窗口", "start": "开始时间",
    "end": "结束时间", "source": "来源环节", "target": "去向环节", "path": "路径",
    "cases": "就诊人次", "visits": "就诊人次", "patients": "患者数", "events": "事件数",
    "transitions": "转移次数", "share_of_source": "占来源环节比例", "overlaps": "重叠次数",
    "rank": "排名", "length": "环节数", "share": "占比", "cumulative_share": "累计占比",
    "repeats": "重复次数", "extra_minutes": "额外耗时(分钟)", "count": "数量", "n": "样本量",
    "check": "检查项", "unit": "单位", "examples": "示例", "detail": "说明",
    "service_median": "服务时长中位数(分钟)", "service_p90": "服务时长P90(分钟)",
    "wait_median": "等候中位数(分钟)", "wait_mean": "等候均值(分钟)",
    "wait_p90": "等候P90(分钟)", "throughput_median": "全程时间中位数(分钟)",
    "wait_median_change": "等候中位数变化(分钟)", "cases_change": "就诊人次变化",
    "mean": "均值", "median": "中位数", "estimate": "估计值", "coef": "系数",
    "ci_low": "95%置信区间下限", "ci_high": "95%置信区间上限", "p_value": "P值",
    "nps": "净推荐值", "complaints": "投诉数", "category": "类别", "responded": "已回应",
    "resolved": "已解决", "return_rate": "复诊率", "rate_per_1000": "每千人次发生数",
    "dimension": "维度", "attribute": "项目", "importance": "重要性", "performance": "表现",
    "date": "日期", "period": "时期", "group": "组别",
    "mean_ci_low": "均值95%置信区间下限", "mean_ci_high": "均值95%置信区间上限",
    "los_hours": "在院总时长(小时)", "wait_hours": "等候总时长(小时)",
    "service_hours": "服务总时长(小时)", "wait_share": "等候占比", "worst_block": "最拥堵时段",
    "block_mean": "该时段平均等候(分钟)", "other_mean": "其他时段平均等候(分钟)",
    "build_up": "拥堵倍数", "utilisation": "人员忙碌比例", "quadrant": "象限",
    "r": "相关系数", "r_ci_low": "相关系数95%置信区间下限",
    "r_ci_high": "相关系数95%置信区间上限", "value": "数值", "lpl": "控制下限",
    "upl": "控制上限", "n_points": "点数", "before": "改变前", "after": "改变后",
    "change": "变化", "method": "方法", "caveats": "注意事项", "baseline": "基线",
    "scenario": "情景", "difference": "差值(情景−基线)",
    "other_hours": "其他时间总计(小时)", "service_share": "服务占比", "other_share": "其他时间占比",
    "block_events": "该时段等候次数", "sentence": "结论", "reading": "解读", "day": "星期类别",
    "hour": "时段(时)", "weekday": "星期", "bin": "时间段起点", "time": "时间",
    "queue": "排队人数", "in_service": "服务中人数", "arrivals": "到达人数",
    "starts": "开始服务人数", "completions": "完成人数", "backlog_change": "积压变化(到达−完成)",
    "resources": "人员/窗口数", "busy_hours": "忙碌时长(小时)", "staffed_hours": "在岗时长(小时)",
    "activities": "所涉环节", "window_start": "时间窗开始", "window_end": "时间窗结束",
    "census": "平均在院人数", "arrivals_per_hour": "每小时到达人数",
    "mean_stay_hours": "平均停留时长(小时)", "lambda_w": "到达率×平均停留",
    "relative_difference": "相对差异", "median_ci_low": "中位数95%置信区间下限",
    "median_ci_high": "中位数95%置信区间上限", "p90": "P90", "p90_ci_low": "P90 95%置信区间下限",
    "p90_ci_high": "P90 95%置信区间上限", "p95": "P95", "p95_ci_low": "P95 95%置信区间下限",
    "p95_ci_high": "P95 95%置信区间上限", "measure": "考核指标", "limit_min": "时限(分钟)",
    "within": "限时内人数", "share_ci_low": "占比95%置信区间下限",
    "share_ci_high": "占比95%置信区间上限", "left": "未就诊离开", "rate": "率",
    "rate_ci_low": "率95%置信区间下限", "rate_ci_high": "率95%置信区间上限", "censored": "删失数",
    "not_seen": "尚未就诊概率", "seen": "已就诊", "outcome": "结局", "q": "分位数",
    "term": "因素", "metric": "指标", "note": "备注", "observed": "观测值", "fitted": "拟合值",
    "counterfactual": "反事实值", "cf_low": "反事实95%置信区间下限",
    "cf_high": "反事实95%置信区间上限", "post": "干预后", "test": "检验", "statistic": "统计量",
    "lags": "滞后期数", "treated": "干预组", "control": "对照组", "label": "标签",
    "n_periods": "期数", "arrival": "到院时间", "age_band": "年龄段", "sex": "性别",
    "chronic": "慢性病", "visit_type": "初诊/复诊", "triage_priority": "分诊级别",
    "segment": "患者分群", "top_share": "用量最多的单位占比", "units": "单位数",
    "resource_share": "资源使用占比", "population_share": "单位累计占比", "excluded": "排除数",
    # flow times (logs without start times) are named apart from waits
    "flow_median": "流转时间中位数(分钟)", "flow_mean": "流转时间均值(分钟)",
    "flow_p90": "流转时间P90(分钟)", "flow_hours": "流转时间总时长(小时)",
    "flow_share": "流转时间占比", "flow_median_change": "流转时间中位数变化(分钟)",
    "total_wait_h": "总等候时间(小时)", "total_flow_h": "总流转时间(小时)",
    "gini": "基尼系数", "units_for_80%": "占用80%资源的单位占比",
    "due_response": "应回应投诉数", "not_due_response": "未到回应时限数",
    "responded_n": "按时回应数", "responded_ci_low": "回应比例95%置信区间下限",
    "responded_ci_high": "回应比例95%置信区间上限", "due_resolution": "应解决投诉数",
    "not_due_resolution": "未到解决时限数", "resolved_n": "按时解决数",
    "resolved_ci_low": "解决比例95%置信区间下限", "resolved_ci_high": "解决比例95%置信区间上限",
    "open": "未解决数", "no_end": "无离院时间数", "not_yet_due": "未到回访时限数",
    "eligible": "纳入计算数", "called_n": "按时回访数", "called": "按时回访比例",
    "called_ci_low": "回访比例95%置信区间下限", "called_ci_high": "回访比例95%置信区间上限",
    "reached_n": "回访接通数", "reached": "回访接通比例",
    "reached_ci_low": "接通比例95%置信区间下限", "reached_ci_high": "接通比例95%置信区间上限",
    "unlinked": "无法关联数", "returned": "复诊数", "return_rate_ci_low": "复诊率95%置信区间下限",
    "return_rate_ci_high": "复诊率95%置信区间上限", "expected": "应复诊数", "lost": "流失数",
    "loss_rate": "流失率", "loss_rate_ci_low": "流失率95%置信区间下限",
    "loss_rate_ci_high": "流失率95%置信区间上限", "left_unseen": "未就诊离开数",
    "left_unseen_rate": "未就诊离开率", "left_unseen_rate_ci_low": "未就诊离开率95%置信区间下限",
    "left_unseen_rate_ci_high": "未就诊离开率95%置信区间上限", "retained": "留存患者数",
    "retention": "留存率", "retention_ci_low": "留存率95%置信区间下限",
    "retention_ci_high": "留存率95%置信区间上限", "margin": "人均收入", "periods": "预测期数",
    "ltv": "患者终身价值", "ltv_ci_low": "患者终身价值95%置信区间下限",
    "ltv_ci_high": "患者终身价值95%置信区间上限", "missing_charges": "费用缺失数",
    "medical_quality": "医疗技术质量", "process_convenience": "服务流程便捷性",
    "humanistic_care": "人文关怀", "information_transparency": "信息透明度",
    "overall": "总体评价", "recommend": "推荐意愿(0–10)", "n_improvement": "改善点数",
    "n_concern": "恶化点数", "n_neutral": "中性特殊点数", "rebase_group": "分段",
    "point_type": "变异类型", "rule": "判断规则", "mean_moving_range": "平均移动极差",
    "replications": "重复次数", "top_box": "最高分占比", "sd": "标准差", "missing": "缺失数",
}
_COLUMN_NAMES_EN = {zh: en for en, zh in reversed(COLUMN_NAMES_ZH.items())}

_DAYS_ZH = texts("day", "zh")

#: Chinese names of the category values in the package's tables, in the wording of its figures:
#: SPC point types, rules and icons, IPA quadrants, survey dimensions, day types and weekdays
#: (also as the day of a ``worst_block``), what-if and before/after metric names, and the
#: departments of the sample hospital. ``{}`` stands for a part that is kept
#: (``"Sat {}"``: ``"Sat 12:00–14:00"`` → ``"周六 12:00–14:00"``).
VALUE_NAMES_ZH: dict[str, str] = {
    # the SPC words that are values of SPCResult.table or its icons (not figure labels)
    **{k: v for k, v in texts("spc", "zh").items() if k not in texts("spc", "en")},
    **{q: texts("ipa", "zh")[q] for q in QUADRANTS.values()},
    **{d: COLUMN_NAMES_ZH[d] for d in (*DIMENSIONS, "overall")},
    **_DAYS_ZH, **{f"{d} {{}}": f"{zh} {{}}" for d, zh in _DAYS_ZH.items()},
    **{k: v for k, v in texts("what_if", "zh").items() if k not in texts("what_if", "en")},
    "all visits": "全部就诊",
    "level change (ITS)": "水平变化（中断时间序列）",
    "average effect after (ITS)": "改变后平均效应（中断时间序列）",
    "level change vs {} (controlled ITS)": "水平变化（有对照的中断时间序列，对照：{}）",
    "average effect after vs {} (controlled ITS)":
        "改变后平均效应（有对照的中断时间序列，对照：{}）",
    "difference-in-differences vs {}": "双重差分（对照：{}）",
    "median change (day-block bootstrap)": "中位数变化（按天重抽样）",
    "P90 change (day-block bootstrap)": "P90变化（按天重抽样）",
    **_ZH_VALUES["department"],
}
# the columns whose values translate_columns translates (with ``translate``)
_VALUE_COLUMNS = ("stage", "activity", "day", "weekday", "worst_block", "point_type", "rule",
                  "quadrant", "dimension", "attribute", "metric", "group", "department")

_NAMES = CATALOGUE.set_index("touchpoint")[["name_en", "name_zh"]]
_STAGE_NAMES = {name: key for key, names in STAGES.items() for name in (key, *names.values())}


def _value_lookup(pairs) -> tuple[dict[str, str], list[tuple[re.Pattern, str]]]:
    """Exact names and ``{}`` patterns (source → target) of one translation direction."""
    pairs = list(pairs)
    patterns = [(re.compile(re.escape(a).replace(re.escape("{}"), "(.+)")), b)
                for a, b in pairs if "{}" in a]
    return {a: b for a, b in pairs if "{}" not in a}, patterns


_VALUES = {"zh": _value_lookup(VALUE_NAMES_ZH.items()),
           "en": _value_lookup((zh, en) for en, zh in VALUE_NAMES_ZH.items())}

# CJK families, best first; any other installed font that covers _SAMPLE is the fallback
_CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "SimHei", "Heiti SC",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Noto Sans CJK JP", "Noto Sans CJK TC",
    "Arial Unicode MS",
)
_SAMPLE = "患者就诊等候挂号缴费中位数"
_INSTALL_HINT = (
    "install a font with Chinese characters and restart Python: Debian/Ubuntu "
    "'sudo apt-get install fonts-noto-cjk' (or scripts/setup-system.sh), conda "
    "'conda install -c conda-forge font-ttf-noto-cjk'; Windows and macOS ship one "
    "(Microsoft YaHei, PingFang SC)"
)


def translate(name: str, lang: str | None = None) -> str:
    """A touchpoint, stage or table value in the other language.

    Touchpoints and stages go via the catalogue: English and Chinese names, the catalogue's
    aliases and touchpoint keys are recognised (``"Blood test"`` → ``"检验"``). Other names
    are looked up in :data:`VALUE_NAMES_ZH` (SPC icons, quadrants, survey dimensions, day
    types, metric names…). A name found in neither comes back unchanged.

    Parameters
    ----------
    name : str
        Touchpoint (``"Payment"``, ``"缴费"``, ``"payment"``), stage (``"pre"``, ``"院前"``) or
        value (``"inconsistent"``, ``"Sat 12:00–14:00"``).
    lang : {"en", "zh"}, optional
        Target language; default :func:`get_language`.

    Examples
    --------
    >>> translate("Payment", "zh"), translate("取药", "en"), translate("post", "zh")
    ('缴费', 'Pharmacy', '院后')
    >>> translate("inconsistent", "zh"), translate("周一至周五 09:00–11:00", "en")
    ('时而达标时而不达标', 'Mon–Fri 09:00–11:00')
    >>> translate("Parking", "zh")
    'Parking'
    """
    lang = _resolve(lang)
    if name in _STAGE_NAMES:
        return STAGES[_STAGE_NAMES[name]][lang]
    touchpoint = touchpoint_of(name)
    if touchpoint is not None:
        return _NAMES.at[touchpoint, f"name_{lang}"]
    exact, patterns = _VALUES[lang]
    if name in exact:
        return exact[name]
    for pattern, target in patterns:
        if match := pattern.fullmatch(name):
            return target.format(match.group(1))
    return name


def _shows_own_names(lang: str) -> bool:
    """Whether figures and sentences in ``lang`` show the log's own names and headers: the
    catalogue text ``i18n.names`` is ``"log"`` (English)."""
    return texts("i18n", lang).get("names") == "log"


def display_name(name: object, lang: str | None = None) -> object:
    """A touchpoint (or other table value) as figures and sentences in ``lang`` show it.

    A language whose catalogue text ``i18n.names`` is ``"log"`` (English) shows the log's own
    names; the others show :func:`translate`'s. :func:`translate` is not the identity in
    English: it gives the catalogue's English name of an alias (``"Blood test"`` → ``"Lab"``),
    which would rename a log's activities in its own language and could show two as one.
    Values that are not text come back unchanged.

    Examples
    --------
    >>> display_name("Blood test", "en"), display_name("Blood test", "zh")
    ('Blood test', '检验')
    """
    lang = _resolve(lang)
    if not isinstance(name, str) or _shows_own_names(lang):
        return name
    return translate(name, lang)


def display_header(name: str, lang: str | None = None) -> str:
    """A column's header as figures in ``lang`` show it: the table's own name where
    :func:`display_name` keeps the log's names, else its :func:`translate_columns` header.

    Examples
    --------
    >>> display_header("wait_median", "en"), display_header("wait_median", "zh")
    ('wait_median', '等候中位数(分钟)')
    """
    lang = _resolve(lang)
    if _shows_own_names(lang):
        return name
    return str(translate_columns(pd.DataFrame(columns=[name]), lang).columns[0])


def translate_columns(frame: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """A copy of a table with its common headers and known values in the given language.

    ``lang="zh"`` renames English headers (``cases`` → ``就诊人次``, ``wait_median`` →
    ``等候中位数(分钟)``, see :data:`COLUMN_NAMES_ZH`); ``lang="en"`` turns those Chinese
    headers back. Other headers are kept. A table of flow times (``frame.attrs["time_kind"]
    == "flow"``, a log without start times) never gets a header saying 等候: it says
    流转时间. The values of the columns ``activity``, ``day``,
    ``weekday``, ``worst_block``, ``point_type``, ``rule``, ``quadrant``, ``dimension``,
    ``attribute``, ``metric``, ``group``, ``department`` and ``stage`` (the keys ``"pre"``,
    ``"in"``, ``"post"`` in English) are translated with :func:`translate` (``"Lab"`` →
    ``"检验"``, ``"Concentrate here"`` → ``"重点改进区"``, ``"pre"`` → ``"院前"``, and back);
    values it does not know are kept.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table, e.g. ``journey_map(log).touchpoints``.
    lang : {"en", "zh"}, optional
        Target language; default :func:`get_language`.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"activity": ["Payment"], "cases": [12],
    ...                       "worst_block": ["Mon–Fri 09:00–11:00"]})
    >>> zh = translate_columns(table, "zh")
    >>> list(zh.columns), zh.at[0, "环节"], zh.at[0, "最拥堵时段"]
    (['环节', '就诊人次', '最拥堵时段'], '缴费', '周一至周五 09:00–11:00')
    """
    if not isinstance(frame, pd.DataFrame):
        raise JourneyError(f"translate_columns needs a pandas DataFrame, got "
                           f"{type(frame).__name__}")
    lang = _resolve(lang)
    out = frame.rename(columns=_COLUMN_NAMES_EN)  # a copy with English headers
    for column in out.columns.intersection(_VALUE_COLUMNS):
        # stage values go back to the keys ("院前" → "pre") that the tables carry
        back = _STAGE_NAMES if (column, lang) == ("stage", "en") else {}

        def word(v, back=back):
            return back.get(v, translate(v, lang)) if isinstance(v, str) else v

        values = out[column]
        out[column] = (values.cat.rename_categories(word)
                       if isinstance(values.dtype, pd.CategoricalDtype) else values.map(word))
    if lang != "zh":
        return out
    names = COLUMN_NAMES_ZH
    if frame.attrs.get("time_kind") == "flow":
        names = {k: v.replace("等候", "流转时间") for k, v in names.items()}
    return out.rename(columns=names)


def _covers(path: str) -> bool:
    """Whether the font file has a glyph for every character of the Chinese sample."""
    from matplotlib import font_manager

    try:
        charmap = font_manager.get_font(path).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(c) in charmap for c in _SAMPLE)


def _register_new_fonts() -> None:
    """Add fonts installed after matplotlib built its font cache (and conda's own fonts)."""
    from matplotlib import font_manager

    known = {Path(f.fname) for f in font_manager.fontManager.ttflist}
    folders = [p for p in (Path(sys.prefix) / "fonts", Path(sys.prefix) / "Library" / "fonts")
               if p.is_dir()]
    found = set(font_manager.findSystemFonts())
    if folders:
        found |= set(font_manager.findSystemFonts(fontpaths=[str(p) for p in folders]))
    for path in sorted(found):
        if Path(path) not in known:
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue


def use_cjk_font() -> str:
    """Make matplotlib and seaborn figures draw Chinese text with an installed CJK font.

    Finds a font with Chinese glyphs (Noto Sans CJK SC from Debian's ``fonts-noto-cjk``,
    Source Han Sans, Microsoft YaHei, PingFang SC, SimHei, WenQuanYi…, otherwise any installed
    font that covers common Chinese characters), puts it first in
    ``rcParams["font.sans-serif"]`` and sets ``rcParams["axes.unicode_minus"] = False`` (many
    CJK fonts lack the minus sign). Fonts installed after matplotlib built its font cache are
    found too. Call it after ``seaborn.set_theme()``, which resets the font list, or pass the
    returned name: ``seaborn.set_theme(font=use_cjk_font())``.

    Returns
    -------
    str
        The font family now used.

    Raises
    ------
    JourneyError
        When no font with Chinese characters is installed; the message says how to install one.

    Examples
    --------
    >>> use_cjk_font()  # doctest: +SKIP
    'Noto Sans CJK SC'
    """
    import matplotlib as mpl  # loaded here: translating names needs no plotting library
    from matplotlib import font_manager

    _register_new_fonts()
    files = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    family = next((name for name in _CJK_FAMILIES if name in files), None)
    if family is None:
        family = next((name for name in sorted(files) if _covers(files[name])), None)
    if family is None:
        raise JourneyError("no font with Chinese characters was found, so Chinese labels would "
                           "show as empty boxes; " + _INSTALL_HINT)
    current = [f for f in mpl.rcParams["font.sans-serif"] if f != family]
    mpl.rcParams["font.sans-serif"] = [family, *current]
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["axes.unicode_minus"] = False
    return family
