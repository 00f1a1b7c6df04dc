"""Label tables of the figures and tables, shared by the analyses and :mod:`journey.i18n`.

The analyses draw their figures with these labels; :mod:`journey.i18n` builds its value
translations (:data:`journey.i18n.VALUE_NAMES_ZH`) from the same tables, so a label is
written once. The module imports nothing from the package.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DAY_NAMES",
    "DIMENSIONS",
    "QUADRANTS",
    "REASONS",
    "_BOTTLENECK_LABELS",
    "_CHECK_LABELS",
    "_DAY_ZH",
    "_EXPERIENCE_TEXTS",
    "_IPA_LABELS",
    "_SPC_LABELS",
    "_WHAT_IF_LABELS",
    "_ZH_VALUES",
]

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_ZH = dict(zip(DAY_NAMES, ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
                   strict=True))

# figure labels; Chinese figures also get Chinese day and touchpoint names
_BOTTLENECK_LABELS: dict[str, dict[str, str]] = {
    "en": {"wait": "wait", "flow time": "flow time", "mean": "Mean {} (min)", "hour": "Hour",
           "title": "Where queues build up: mean {} by hour", "queue": "waiting",
           "in_service": "in service", "color": "Patients {}",
           "heat_title": "{}: mean number of patients {}",
           "decomposition": "Patient-hours of waiting and service per touchpoint",
           "decomposition_flow": "Patient-hours of flow time per touchpoint (service included)",
           "utilisation": "Busy time / staffed time", "weekday": "Weekday"},
    "zh": {"wait": "等候", "flow time": "流转时间", "mean": "平均{}（分钟）", "hour": "时段（时）",
           "title": "排队在哪里积压：各时段平均{}", "queue": "排队等候",
           "in_service": "正在接受服务", "color": "{}人数", "heat_title": "{}：平均{}人数",
           "day": "日期", "activity": "环节", "Mon–Fri": "周一至周五", **_DAY_ZH,
           "weekday": "星期",
           "decomposition": "各触点等候与服务的患者小时数",
           "decomposition_flow": "各触点流转时间的患者小时数（含服务时间）",
           "utilisation": "人员忙碌时间 / 在岗时间", "hours": "患者小时数", "part": "时间构成"},
}

#: The four satisfaction dimensions of a survey (1–5 each), in the order they are reported.
DIMENSIONS: tuple[str, ...] = (
    "medical_quality",
    "process_convenience",
    "humanistic_care",
    "information_transparency",
)

#: IPA quadrant labels (Martilla & James 1977), keyed by (high importance, high performance).
QUADRANTS: dict[tuple[bool, bool], str] = {
    (True, False): "Concentrate here",
    (True, True): "Keep up the good work",
    (False, False): "Low priority",
    (False, True): "Possible overkill",
}

# figure labels of the IPA grid (quadrant names and importance methods are looked up by value)
_IPA_LABELS: dict[str, dict[str, str]] = {
    "en": {"performance": "performance", "importance": "importance",
           "x": "Performance (mean score)", "y": "Importance ({})",
           "title": "Importance–performance (n = {})"},
    "zh": {"performance": "表现", "importance": "重要性", "x": "表现（平均分）",
           "y": "重要性（{}）", "title": "重要性–表现分析（n = {}）",
           "correlation": "与总体评价的相关系数", "relative_weights": "相对权重",
           "Concentrate here": "重点改进区", "Keep up the good work": "继续保持区",
           "Low priority": "低优先区", "Possible overkill": "供给过度区"},
}

_WHAT_IF_LABELS: dict[str, dict[str, str]] = {
    "en": {"title": "{} vs {} ({} paired replications, 95% CI)", "x": "scenario − baseline"},
    "zh": {"title": "{} 与 {} 对比（{} 次配对重复，95%置信区间）", "x": "情景 − 基线",
           "baseline": "基线",
           "mean wait (min)": "平均等候（分钟）", "median wait (min)": "等候中位数（分钟）",
           "mean length of stay (min)": "平均在院时间（分钟）",
           "median length of stay (min)": "在院时间中位数（分钟）",
           "left unseen (%)": "未就诊离开（%）"},
}

_ZH_VALUES = {"department": {"Internal Medicine": "内科", "Surgery": "外科", "Emergency": "急诊科"},
              "chronic": {"yes": "是", "no": "否"},
              "visit_type": {"new": "初诊", "returning": "复诊"},
              "booking": {"walk-in": "现场", "appointment": "预约"}}

# figure labels; the English names are the table's own values
_SPC_LABELS: dict[str, dict[str, str]] = {
    "en": {"value": "value", "mean": "mean", "upl": "upl", "lpl": "lpl", "target": "target",
           "rule": "rule", "variation": "variation", "assurance": "assurance", "none": "none",
           "median": "median", "gap": "no data"},
    "zh": {"value": "数值", "mean": "均值", "upl": "控制上限", "lpl": "控制下限", "target": "目标",
           "rule": "判断规则", "variation": "变异", "assurance": "达标", "none": "无",
           "median": "中位数", "gap": "无数据", "long_run": "连续多点在中位数同侧",
           "common_cause": "普通原因变异", "special_cause_improvement": "特殊原因变异（改善）",
           "special_cause_concern": "特殊原因变异（恶化）",
           "special_cause_neutral_high": "特殊原因变异（偏高）",
           "special_cause_neutral_low": "特殊原因变异（偏低）",
           "outside_limits": "超出控制限", "trend": "连续上升或下降",
           "two_in_three": "3点中2点靠近控制限",
           "shift": "连续多点在均值同侧", "improvement_high": "改善（升高）",
           "improvement_low": "改善（降低）", "concern_high": "恶化（升高）",
           "concern_low": "恶化（降低）", "neutral_high": "偏高", "neutral_low": "偏低",
           "consistent_pass": "稳定达标", "consistent_fail": "稳定不达标",
           "inconsistent": "时而达标时而不达标"},
}

# plain-language texts of the tables (readings of experience_vs_journey, suppression notes)
_EXPERIENCE_TEXTS: dict[str, dict[str, str]] = {
    "en": {"suppressed": "suppressed: fewer than {n} {unit}", "join": "; ",
           "higher": "higher", "lower": "lower", "ci": "{level:.0%} CI {lo:+.2f} to {hi:+.2f}",
           "binary": "Visits with {term} score {coef:.2f} points {what} on {outcome} than "
                     "visits without ({ci}), other predictors held fixed.",
           "hour": "Each extra hour of {term} goes with a {coef:.2f}-point {what} {outcome} "
                   "({ci}), other predictors held fixed.",
           "unit": "Each 1-unit increase in {term} goes with a {coef:.2f}-point {what} "
                   "{outcome} ({ci}), other predictors held fixed.",
           "zero": " The interval includes 0: no clear association."},
    "zh": {"suppressed": "已隐藏：{unit}少于 {n}", "join": "；",
           "respondents": "应答人数", "complaints": "投诉数", "visits": "就诊人次",
           "patients": "患者数", "higher": "高", "lower": "低",
           "ci": "{level:.0%}置信区间 {lo:+.2f} 至 {hi:+.2f}",
           "binary": "有{term}的就诊，{outcome}比没有的{what} {coef:.2f} 分（{ci}），"
                     "其他因素保持不变。",
           "hour": "{term}每增加一小时，{outcome}{what} {coef:.2f} 分（{ci}），其他因素保持不变。",
           "unit": "{term}每增加 1 个单位，{outcome}{what} {coef:.2f} 分（{ci}），"
                   "其他因素保持不变。",
           "zero": "置信区间包含 0：没有明确的关联。",
           "total_wait_h": "总等候时间", "total_flow_h": "总流转时间", "los_h": "在院时长",
           "rework": "重复环节",
           "left_unseen": "未就诊离开"},
}

#: Names and explanations of the data-quality checks (journey.quality.check_log), by id.
_CHECK_LABELS: dict[str, dict[str, Any]] = {
    "en": {
        "events": "events",
        "no_events": "the log has no events (filters: {filters})",
        "excluded": "excluded at loading: {reason}",
        "excluded_detail": "row numbers as in the source file",
        "duplicates": "duplicate events",
        "duplicates_detail": ("rows equal in every column of the source (row numbers as in the "
                              "file); each is counted as an event: drop them when reading if "
                              "the export repeated them"),
        "negative": "negative durations",
        "negative_detail": ("end before start; read_log(..., invalid='exclude') removes and "
                            "counts them"),
        "zero": "zero durations",
        "overlap": "overlapping touchpoints",
        "overlap_detail": ("a touchpoint started before the previous one in the visit ended; "
                           "no wait is counted for it"),
        "durations": "durations",
        "durations_detail": "not checked: the log has no start times",
        "incomplete": "incomplete visits",
        "incomplete_detail": "not starting with {arrival} or not ending with {exit}",
        "extreme": "extreme durations",
        "extreme_detail": "service above Q3 + {iqr} × IQR of its touchpoint; {top}",
        "case_attributes": "case attributes",
        "case_attributes_detail": "{names} — constant within each visit",
        "partial": ("; given on some events of a visit only (their empty cells are not "
                    "missing values): {names}"),
        "absent": "; no value in whole visits: {names}",
        "absent_visits": "{name} ({n} visits)",
        "missing": "missing values: {column}",
        "missing_start": "no start time: no service time, and no wait before this touchpoint",
        "missing_detail": "empty cells in this column",
        "near": "near-duplicate activity labels",
        "near_example": "{a!r} ~ {b!r}: the same touchpoint?",
        "near_detail": ("a question for the hospital, not an error: labels that differ only in "
                        "case, spacing, punctuation or a few letters (never in their numbers) "
                        "may be two spellings of one touchpoint, or two touchpoints"),
        "outside": "events outside the study window",
        "outside_detail": "window [{lo}, {hi})",
        "and": ", ",
        "units": {"rows": "rows", "events": "events", "visits": "visits",
                  "columns": "columns", "pairs": "pairs"},
    },
    "zh": {
        "events": "事件",
        "no_events": "日志中没有事件（筛选：{filters}）",
        "excluded": "读取时排除：{reason}",
        "excluded_detail": "行号与源文件一致",
        "duplicates": "重复事件",
        "duplicates_detail": ("源文件中各列完全相同的行（行号与文件一致）；每行都计为一个事件："
                              "如果是导出时重复，读取时可将其删除"),
        "negative": "负时长",
        "negative_detail": "结束早于开始；read_log(..., invalid='exclude') 会删除并计数",
        "zero": "零时长",
        "overlap": "环节重叠",
        "overlap_detail": "某环节在同一就诊的上一环节结束前就已开始；此处不计等候时间",
        "durations": "时长",
        "durations_detail": "未检查：日志没有开始时间",
        "incomplete": "不完整的就诊",
        "incomplete_detail": "不是以 {arrival} 开始，或不是以 {exit} 结束",
        "extreme": "极端时长",
        "extreme_detail": "服务时间高于该环节的 Q3 + {iqr} × IQR；{top}",
        "case_attributes": "就诊属性",
        "case_attributes_detail": "{names}：在每次就诊内不变",
        "partial": "；只在就诊的部分事件上填写（其空单元格不算缺失值）：{names}",
        "absent": "；整个就诊都没有值：{names}",
        "absent_visits": "{name}（{n} 次就诊）",
        "missing": "缺失值：{column}",
        "missing_start": "没有开始时间：没有服务时间，也不计该环节之前的等候",
        "missing_detail": "该列的空单元格",
        "near": "相近的环节名称",
        "near_example": "{a!r} ~ {b!r}：是同一个环节吗？",
        "near_detail": ("这是需要向医院确认的问题，而非错误：只在大小写、空格、标点或个别字母上"
                        "不同（数字从不不同）的名称，可能是同一环节的两种写法，也可能是两个环节"),
        "outside": "研究时段之外的事件",
        "outside_detail": "时段 [{lo}, {hi})",
        "and": "、",
        "units": {"rows": "行", "events": "事件", "visits": "就诊", "columns": "列",
                  "pairs": "对"},
    },
}


#: Why a section of a study notebook is left out, by id, in each language: the notebooks' own
#: reasons (:func:`journey.findings.require`) and those of the library's errors (the
#: ``reason`` of :class:`~journey.errors.JourneyError`, whose English message is the "en" text).
REASONS: dict[str, dict[str, str]] = {
    "en": {
        "date_only": "times are recorded to the day, so there are no hour-of-day results",
        "no_department": "the log has no department column",
        "no_calendar": "no opening hours were given (calendar=)",
        "no_intervention": ("no intervention date was given: pass --intervention YYYY-MM-DD "
                            "and --treated (and a --control department), or a study file "
                            "with --study"),
        "no_treated": "name the department that changed with --treated",
        "no_control": "no control department was given (--control)",
        "needs_start": ("{what} needs start times (queues and service are unknown from "
                        "completion times alone); read a log with a start column."),
        "no_target": "nothing to draw: {notes}",
        "no_seen": ("no activity of the log is a consultation or treatment in the touchpoint "
                    "catalogue: name the touchpoints that count as being seen with seen=[...]"),
        "no_left": ("no activity of the log records leaving unseen in the touchpoint "
                    "catalogue: name it with left=..."),
        "too_few": ("only {n} waits before {activity!r}; a quantile regression needs at least "
                    "30 (touchpoints of the log: {touchpoints})."),
        "too_few_flow": ("only {n} flow times before {activity!r}; a quantile regression needs "
                         "at least 30 (touchpoints of the log: {touchpoints})."),
    },
    "zh": {
        "date_only": "时间只记录到日期，因此没有按钟点的结果",
        "no_department": "日志中没有科室列",
        "no_calendar": "未提供开放时间（calendar=）",
        "no_intervention": ("未提供干预日期：请用 --intervention YYYY-MM-DD 和 --treated"
                            "（及对照科室 --control）或用 --study 提供研究文件"),
        "no_treated": "请用 --treated 指明发生变化的科室",
        "no_control": "未提供对照科室（--control）",
        "needs_start": ("计算 {what} 需要开始时间（只有完成时间时无法得知排队和服务时间）；"
                        "请读取带开始时间列的日志。"),
        "no_target": ("未给出目标：请用 limits={{环节: 分钟}} 给出环节前的时限，"
                      "或用 ed_standard=(科室, 分钟) 给出从到达到离开的时限"),
        "no_seen": ("日志中没有属于环节目录中“接诊”或“治疗”的环节："
                    "请用 seen=[...] 指明哪些环节算作已接诊"),
        "no_left": "日志中没有属于环节目录中“未就诊离开”的环节：请用 left=... 指明",
        "too_few": ("{activity!r} 之前只有 {n} 个等候时间；分位数回归至少需要 30 个"
                    "（日志中的环节：{touchpoints}）。"),
        "too_few_flow": ("{activity!r} 之前只有 {n} 个流转时间；分位数回归至少需要 30 个"
                         "（日志中的环节：{touchpoints}）。"),
    },
}
