"""The texts of the package: one catalogue per language, message id → text with placeholders.

Analyses, figures and tables ask for their labels and sentences by id (:func:`text`, or
:func:`texts` for all the ids of one namespace, such as ``"spc"``), so that a new label is one
line in each language's catalogue and no module branches on the language. Ids are
``namespace.name``; a text may hold ``str.format`` placeholders (``{n}``, ``{activity!r}``).
A language's catalogue may leave an id out where the English text is the table's own value
(an SPC rule, a weekday): :func:`text` then falls back to English, :func:`texts` leaves it out
(callers use ``.get(key, key)``). :mod:`journey.i18n` builds its value translations
(:data:`journey.i18n.VALUE_NAMES_ZH`) from the same catalogue. The module imports nothing from
the package.
"""

from __future__ import annotations

__all__ = [
    "DAY_NAMES",
    "DIMENSIONS",
    "QUADRANTS",
    "REASONS",
    "TEXTS",
    "_DAY_ZH",
    "_ZH_VALUES",
    "text",
    "texts",
]

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

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

_ZH_VALUES = {"department": {"Internal Medicine": "内科", "Surgery": "外科", "Emergency": "急诊科"},
              "chronic": {"yes": "是", "no": "否"},
              "visit_type": {"new": "初诊", "returning": "复诊"},
              "booking": {"walk-in": "现场", "appointment": "预约"}}

# ---------------------------------------------------------------------------------- catalogue
# namespaces: day (weekday names), bottlenecks, ipa, what_if, spc, experience, check (the
# data-quality checks of journey.quality.check_log), reason (why a section of a study
# notebook is left out: journey.findings.require and the ``reason`` of JourneyError, whose
# English message is the "en" text)

_EN: dict[str, str] = {
    # day
    'day.Mon': 'Mon',
    'day.Tue': 'Tue',
    'day.Wed': 'Wed',
    'day.Thu': 'Thu',
    'day.Fri': 'Fri',
    'day.Sat': 'Sat',
    'day.Sun': 'Sun',
    'day.Mon–Fri': 'Mon–Fri',
    # bottlenecks
    'bottlenecks.wait': 'wait',
    'bottlenecks.flow time': 'flow time',
    'bottlenecks.mean': 'Mean {} (min)',
    'bottlenecks.hour': 'Hour',
    'bottlenecks.title': 'Where queues build up: mean {} by hour',
    'bottlenecks.queue': 'waiting',
    'bottlenecks.in_service': 'in service',
    'bottlenecks.color': 'Patients {}',
    'bottlenecks.heat_title': '{}: mean number of patients {}',
    'bottlenecks.decomposition': 'Patient-hours of waiting and service per touchpoint',
    'bottlenecks.decomposition_flow': (
        'Patient-hours of flow time per touchpoint (service included)'),
    'bottlenecks.utilisation': 'Busy time / staffed time',
    'bottlenecks.weekday': 'Weekday',
    # ipa
    'ipa.performance': 'performance',
    'ipa.importance': 'importance',
    'ipa.x': 'Performance (mean score)',
    'ipa.y': 'Importance ({})',
    'ipa.title': 'Importance–performance (n = {})',
    # what_if
    'what_if.title': '{} vs {} ({} paired replications, 95% CI)',
    'what_if.x': 'scenario − baseline',
    # spc
    'spc.value': 'value',
    'spc.mean': 'mean',
    'spc.upl': 'upl',
    'spc.lpl': 'lpl',
    'spc.target': 'target',
    'spc.rule': 'rule',
    'spc.variation': 'variation',
    'spc.assurance': 'assurance',
    'spc.none': 'none',
    'spc.median': 'median',
    'spc.gap': 'no data',
    # experience
    'experience.suppressed': 'suppressed: fewer than {n} {unit}',
    'experience.join': '; ',
    'experience.higher': 'higher',
    'experience.lower': 'lower',
    'experience.ci': '{level:.0%} CI {lo:+.2f} to {hi:+.2f}',
    'experience.binary': (
        'Visits with {term} score {coef:.2f} points {what} on {outcome} than visits '
        'without ({ci}), other predictors held fixed.'),
    'experience.hour': (
        'Each extra hour of {term} goes with a {coef:.2f}-point {what} {outcome} ({ci}), '
        'other predictors held fixed.'),
    'experience.unit': (
        'Each 1-unit increase in {term} goes with a {coef:.2f}-point {what} {outcome} '
        '({ci}), other predictors held fixed.'),
    'experience.zero': ' The interval includes 0: no clear association.',
    # check
    'check.events': 'events',
    'check.no_events': 'the log has no events (filters: {filters})',
    'check.excluded': 'excluded at loading: {reason}',
    'check.excluded_detail': 'row numbers as in the source file',
    'check.duplicates': 'duplicate events',
    'check.duplicates_detail': (
        'rows equal in every column of the source (row numbers as in the file); each is '
        'counted as an event: drop them when reading if the export repeated them'),
    'check.negative': 'negative durations',
    'check.negative_detail': (
        "end before start; read_log(..., invalid='exclude') removes and counts them"),
    'check.zero': 'zero durations',
    'check.overlap': 'overlapping touchpoints',
    'check.overlap_detail': (
        'a touchpoint started before the previous one in the visit ended; no wait is '
        'counted for it'),
    'check.durations': 'durations',
    'check.durations_detail': 'not checked: the log has no start times',
    'check.incomplete': 'incomplete visits',
    'check.incomplete_detail': 'not starting with {arrival} or not ending with {exit}',
    'check.extreme': 'extreme durations',
    'check.extreme_detail': 'service above Q3 + {iqr} × IQR of its touchpoint; {top}',
    'check.case_attributes': 'case attributes',
    'check.case_attributes_detail': '{names} — constant within each visit',
    'check.partial': (
        '; given on some events of a visit only (their empty cells are not missing '
        'values): {names}'),
    'check.absent': '; no value in whole visits: {names}',
    'check.absent_visits': '{name} ({n} visits)',
    'check.missing': 'missing values: {column}',
    'check.missing_start': 'no start time: no service time, and no wait before this touchpoint',
    'check.missing_detail': 'empty cells in this column',
    'check.near': 'near-duplicate activity labels',
    'check.near_example': '{a!r} ~ {b!r}: the same touchpoint?',
    'check.near_detail': (
        'a question for the hospital, not an error: labels that differ only in case, '
        'spacing, punctuation or a few letters (never in their numbers) may be two '
        'spellings of one touchpoint, or two touchpoints'),
    'check.outside': 'events outside the study window',
    'check.outside_detail': 'window [{lo}, {hi})',
    'check.and': ', ',
    'check.units.rows': 'rows',
    'check.units.events': 'events',
    'check.units.visits': 'visits',
    'check.units.columns': 'columns',
    'check.units.pairs': 'pairs',
    # reason
    'reason.date_only': 'times are recorded to the day, so there are no hour-of-day results',
    'reason.no_department': 'the log has no department column',
    'reason.no_calendar': 'no opening hours were given (calendar=)',
    'reason.no_intervention': (
        'no intervention date was given: pass --intervention YYYY-MM-DD and --treated '
        '(and a --control department), or a study file with --study'),
    'reason.no_treated': 'name the department that changed with --treated',
    'reason.no_control': 'no control department was given (--control)',
    'reason.needs_start': (
        '{what} needs start times (queues and service are unknown from completion times '
        'alone); read a log with a start column.'),
    'reason.no_target': 'nothing to draw: {notes}',
    'reason.no_seen': (
        'no activity of the log is a consultation or treatment in the touchpoint '
        'catalogue: name the touchpoints that count as being seen with seen=[...]'),
    'reason.no_left': (
        'no activity of the log records leaving unseen in the touchpoint catalogue: name '
        'it with left=...'),
    'reason.too_few': (
        'only {n} waits before {activity!r}; a quantile regression needs at least 30 '
        '(touchpoints of the log: {touchpoints}).'),
    'reason.too_few_flow': (
        'only {n} flow times before {activity!r}; a quantile regression needs at least '
        '30 (touchpoints of the log: {touchpoints}).'),

    # ---- waits and bottlenecks (journey.waits, journey.bottlenecks)
    # waits: figures of journey.waits; names: 'log' shows the log's own touchpoint names and
    # headers, 'catalogue' the catalogue's names in the language
    'waits.names': 'log',
    'waits.wait': 'Wait',
    'waits.flow time': 'Flow time',
    'waits.axis': '{word} ({opening}minutes)',
    'waits.opening': 'opening ',
    'waits.ecdf': '{word} distribution',
    'waits.by': '{word} by {group}',
    'waits.all': 'all',
    'waits.cumulative': 'probability',
    'waits.proportion': 'Proportion',
    'waits.share': 'Share within the limit',
    'waits.measure': 'measure',
    'waits.attainment': 'Target attainment with 95% Wilson CIs',
    'waits.limit': '{name} ≤ {limit} min',
    'waits.limit_flow': '{name} ≤ {limit} min',
    'waits.ed': '{name}: arrival to departure ≤ {limit} h',
    'waits.km_band': '95% pointwise CI (Greenwood, plain)',
    'waits.not_seen': 'Not yet seen (Kaplan–Meier, leavers censored)',
    'waits.seen': 'Seen (cumulative incidence)',
    'waits.left': 'Left unseen (cumulative incidence)',
    'waits.seen_title': 'Time from arrival to being seen',
    'waits.since': 'Minutes since arrival',
    'waits.probability': 'Probability',
    'waits.coef': 'Change in the wait quantile (min)',
    'waits.coef_flow': 'Change in the flow-time quantile (min)',
    'waits.drivers': 'What drives the wait (quantile regression, 95% CIs)',
    'waits.drivers_flow': 'What drives the flow time (quantile regression, 95% CIs)',
    'waits.q': 'q',
    'waits.term': 'term',
    'waits.reading': 'reading',
    'waits.hour_level': '{}',
    # waits.reading: the reading of each coefficient of journey.wait_drivers
    'waits.reading.median': 'the median',
    'waits.reading.pct': 'the {p:g}th percentile',
    'waits.reading.ci': '({lo:+.1f} to {hi:+.1f})',
    'waits.reading.Intercept': (
        'A patient in the reference group with nobody ahead waits {coef:.1f} min at {at} '
        '{ci}.'),
    'waits.reading.Intercept_flow': (
        'A patient in the reference group with nobody ahead has a flow time of {coef:.1f} '
        'min at {at} {ci}.'),
    'waits.reading.queue': (
        'Each patient already waiting adds {coef:+.1f} min to {at} of the wait before '
        '{activity} {ci}.'),
    'waits.reading.queue_flow': (
        'Each patient already on the way adds {coef:+.1f} min to {at} of the flow time to '
        '{activity} {ci}.'),
    'waits.reading.factor': (
        '{factor} {level} rather than {ref_level}: {coef:+.1f} min at {at} {ci}{clear}.'),
    'waits.reading.factor_flow': (
        '{factor} {level} rather than {ref_level}: {coef:+.1f} min at {at} {ci}{clear}.'),
    'waits.reading.clear': '; the CI includes no difference',
    # bottlenecks: labels English shares with the table's own names
    'bottlenecks.hours': 'Patient-hours',
    'bottlenecks.part': 'part',
    'bottlenecks.day': 'day',
    'bottlenecks.activity': 'activity',
    'bottlenecks.waiting': 'waiting',
    # bottlenecks.sentence: the sentence of each ranked touchpoint
    'bottlenecks.sentence.share': '{pct:.0f}% of all {what}',
    'bottlenecks.sentence.no_share': 'no {word} anywhere (every {word} is 0 min)',
    'bottlenecks.sentence.median': 'median {median:.0f} min, P90 {p90:.0f} min',
    'bottlenecks.sentence.util': '; staff busy {util:.0f}% of time',
    'bottlenecks.sentence.none': '{a}: {share}, {median}; too few {word}s to find a worst block.',
    'bottlenecks.sentence.day': (
        '{a}: {share}, {median}; the log records dates only, so no hour of day.'),
    'bottlenecks.sentence.flat': (
        '{a}: {share}, {median}; no hour block stands out (no {word} at other times to '
        'compare with).'),
    'bottlenecks.sentence.block': (
        '{a}: mean {word} {mean:.1f} min {block}, {ratio:.1f}× the {other:.1f} min at other '
        'times; {share}, {median}{util}.'),
    # bottlenecks.little: the reading of journey.littles_law
    'bottlenecks.little.reading': (
        'On average {census:.1f} patients were in the hospital; {lam:.2f} arrivals per hour × '
        '{stay:.2f} h mean stay = {lw:.1f}, {pct:+.1f}% off. '),
    'bottlenecks.little.fit': 'The timestamps fit together.',
    'bottlenecks.little.gap': (
        'A gap above 5%: check for cut-off visits, a trend or odd timestamps.'),

    # ---- time series and before/after (journey.spc, its, compare, effects, series)

    # ---- experience, loyalty, what-if (journey.experience, loyalty, visits, simulate)

    # ---- maps, findings, explorer, animation (journey.figures, maps, findings, explore, animate)

}

_ZH: dict[str, str] = {
    # day
    'day.Mon': '周一',
    'day.Tue': '周二',
    'day.Wed': '周三',
    'day.Thu': '周四',
    'day.Fri': '周五',
    'day.Sat': '周六',
    'day.Sun': '周日',
    'day.Mon–Fri': '周一至周五',
    # bottlenecks
    'bottlenecks.wait': '等候',
    'bottlenecks.flow time': '流转时间',
    'bottlenecks.mean': '平均{}（分钟）',
    'bottlenecks.hour': '时段（时）',
    'bottlenecks.title': '排队在哪里积压：各时段平均{}',
    'bottlenecks.queue': '排队等候',
    'bottlenecks.in_service': '正在接受服务',
    'bottlenecks.color': '{}人数',
    'bottlenecks.heat_title': '{}：平均{}人数',
    'bottlenecks.day': '日期',
    'bottlenecks.activity': '环节',
    'bottlenecks.weekday': '星期',
    'bottlenecks.decomposition': '各触点等候与服务的患者小时数',
    'bottlenecks.decomposition_flow': '各触点流转时间的患者小时数（含服务时间）',
    'bottlenecks.utilisation': '人员忙碌时间 / 在岗时间',
    'bottlenecks.hours': '患者小时数',
    'bottlenecks.part': '时间构成',
    # ipa
    'ipa.performance': '表现',
    'ipa.importance': '重要性',
    'ipa.x': '表现（平均分）',
    'ipa.y': '重要性（{}）',
    'ipa.title': '重要性–表现分析（n = {}）',
    'ipa.correlation': '与总体评价的相关系数',
    'ipa.relative_weights': '相对权重',
    'ipa.Concentrate here': '重点改进区',
    'ipa.Keep up the good work': '继续保持区',
    'ipa.Low priority': '低优先区',
    'ipa.Possible overkill': '供给过度区',
    # what_if
    'what_if.title': '{} 与 {} 对比（{} 次配对重复，95%置信区间）',
    'what_if.x': '情景 − 基线',
    'what_if.baseline': '基线',
    'what_if.mean wait (min)': '平均等候（分钟）',
    'what_if.median wait (min)': '等候中位数（分钟）',
    'what_if.mean length of stay (min)': '平均在院时间（分钟）',
    'what_if.median length of stay (min)': '在院时间中位数（分钟）',
    'what_if.left unseen (%)': '未就诊离开（%）',
    # spc
    'spc.value': '数值',
    'spc.mean': '均值',
    'spc.upl': '控制上限',
    'spc.lpl': '控制下限',
    'spc.target': '目标',
    'spc.rule': '判断规则',
    'spc.variation': '变异',
    'spc.assurance': '达标',
    'spc.none': '无',
    'spc.median': '中位数',
    'spc.gap': '无数据',
    'spc.long_run': '连续多点在中位数同侧',
    'spc.common_cause': '普通原因变异',
    'spc.special_cause_improvement': '特殊原因变异（改善）',
    'spc.special_cause_concern': '特殊原因变异（恶化）',
    'spc.special_cause_neutral_high': '特殊原因变异（偏高）',
    'spc.special_cause_neutral_low': '特殊原因变异（偏低）',
    'spc.outside_limits': '超出控制限',
    'spc.trend': '连续上升或下降',
    'spc.two_in_three': '3点中2点靠近控制限',
    'spc.shift': '连续多点在均值同侧',
    'spc.improvement_high': '改善（升高）',
    'spc.improvement_low': '改善（降低）',
    'spc.concern_high': '恶化（升高）',
    'spc.concern_low': '恶化（降低）',
    'spc.neutral_high': '偏高',
    'spc.neutral_low': '偏低',
    'spc.consistent_pass': '稳定达标',
    'spc.consistent_fail': '稳定不达标',
    'spc.inconsistent': '时而达标时而不达标',
    # experience
    'experience.suppressed': '已隐藏：{unit}少于 {n}',
    'experience.join': '；',
    'experience.respondents': '应答人数',
    'experience.complaints': '投诉数',
    'experience.visits': '就诊人次',
    'experience.patients': '患者数',
    'experience.higher': '高',
    'experience.lower': '低',
    'experience.ci': '{level:.0%}置信区间 {lo:+.2f} 至 {hi:+.2f}',
    'experience.binary': (
        '有{term}的就诊，{outcome}比没有的{what} {coef:.2f} 分（{ci}），'
        '其他因素保持不变。'),
    'experience.hour': (
        '{term}每增加一小时，{outcome}{what} {coef:.2f} 分（{ci}），其他因素保持不变。'),
    'experience.unit': (
        '{term}每增加 1 个单位，{outcome}{what} {coef:.2f} 分（{ci}），其他因素保持不变。'),
    'experience.zero': '置信区间包含 0：没有明确的关联。',
    'experience.total_wait_h': '总等候时间',
    'experience.total_flow_h': '总流转时间',
    'experience.los_h': '在院时长',
    'experience.rework': '重复环节',
    'experience.left_unseen': '未就诊离开',
    # check
    'check.events': '事件',
    'check.no_events': '日志中没有事件（筛选：{filters}）',
    'check.excluded': '读取时排除：{reason}',
    'check.excluded_detail': '行号与源文件一致',
    'check.duplicates': '重复事件',
    'check.duplicates_detail': (
        '源文件中各列完全相同的行（行号与文件一致）；每行都计为一个事件：'
        '如果是导出时重复，读取时可将其删除'),
    'check.negative': '负时长',
    'check.negative_detail': "结束早于开始；read_log(..., invalid='exclude') 会删除并计数",
    'check.zero': '零时长',
    'check.overlap': '环节重叠',
    'check.overlap_detail': '某环节在同一就诊的上一环节结束前就已开始；此处不计等候时间',
    'check.durations': '时长',
    'check.durations_detail': '未检查：日志没有开始时间',
    'check.incomplete': '不完整的就诊',
    'check.incomplete_detail': '不是以 {arrival} 开始，或不是以 {exit} 结束',
    'check.extreme': '极端时长',
    'check.extreme_detail': '服务时间高于该环节的 Q3 + {iqr} × IQR；{top}',
    'check.case_attributes': '就诊属性',
    'check.case_attributes_detail': '{names}：在每次就诊内不变',
    'check.partial': '；只在就诊的部分事件上填写（其空单元格不算缺失值）：{names}',
    'check.absent': '；整个就诊都没有值：{names}',
    'check.absent_visits': '{name}（{n} 次就诊）',
    'check.missing': '缺失值：{column}',
    'check.missing_start': '没有开始时间：没有服务时间，也不计该环节之前的等候',
    'check.missing_detail': '该列的空单元格',
    'check.near': '相近的环节名称',
    'check.near_example': '{a!r} ~ {b!r}：是同一个环节吗？',
    'check.near_detail': (
        '这是需要向医院确认的问题，而非错误：只在大小写、空格、'
        '标点或个别字母上不同（数字从不不同）的名称，可能是同一环节的两种写法，'
        '也可能是两个环节'),
    'check.outside': '研究时段之外的事件',
    'check.outside_detail': '时段 [{lo}, {hi})',
    'check.and': '、',
    'check.units.rows': '行',
    'check.units.events': '事件',
    'check.units.visits': '就诊',
    'check.units.columns': '列',
    'check.units.pairs': '对',
    # reason
    'reason.date_only': '时间只记录到日期，因此没有按钟点的结果',
    'reason.no_department': '日志中没有科室列',
    'reason.no_calendar': '未提供开放时间（calendar=）',
    'reason.no_intervention': (
        '未提供干预日期：请用 --intervention YYYY-MM-DD 和 --treated（及对照科室 '
        '--control）或用 --study 提供研究文件'),
    'reason.no_treated': '请用 --treated 指明发生变化的科室',
    'reason.no_control': '未提供对照科室（--control）',
    'reason.needs_start': (
        '计算 {what} 需要开始时间（只有完成时间时无法得知排队和服务时间）；'
        '请读取带开始时间列的日志。'),
    'reason.no_target': (
        '未给出目标：请用 limits={{环节: 分钟}} 给出环节前的时限，或用 '
        'ed_standard=(科室, 分钟) 给出从到达到离开的时限'),
    'reason.no_seen': (
        '日志中没有属于环节目录中“接诊”或“治疗”的环节：请用 seen=[...] '
        '指明哪些环节算作已接诊'),
    'reason.no_left': '日志中没有属于环节目录中“未就诊离开”的环节：请用 left=... 指明',
    'reason.too_few': (
        '{activity!r} 之前只有 {n} 个等候时间；分位数回归至少需要 30 个（日志中的环节：'
        '{touchpoints}）。'),
    'reason.too_few_flow': (
        '{activity!r} 之前只有 {n} 个流转时间；分位数回归至少需要 30 个（日志中的环节：'
        '{touchpoints}）。'),

    # ---- waits and bottlenecks (journey.waits, journey.bottlenecks)
    # waits: figures of journey.waits
    'waits.names': 'catalogue',
    'waits.wait': '等候',
    'waits.flow time': '流转时间',
    'waits.axis': '{word}（{opening}分钟）',
    'waits.opening': '开放时段',
    'waits.ecdf': '{word}分布',
    'waits.by': '{word}：按{group}',
    'waits.all': '全部',
    'waits.cumulative': '累计比例',
    'waits.proportion': '累计比例',
    'waits.share': '限时内完成比例',
    'waits.measure': '指标',
    'waits.attainment': '目标达成率（95%置信区间，威尔逊法）',
    'waits.limit': '{name}前等候 ≤ {limit} 分钟',
    'waits.limit_flow': '到{name}的流转时间 ≤ {limit} 分钟',
    'waits.ed': '{name}：到院至离院 ≤ {limit} 小时',
    'waits.km_band': '95%逐点置信区间（格林伍德方差，线性尺度）',
    'waits.not_seen': '尚未就诊（乘积极限法，离开者按删失处理）',
    'waits.seen': '已就诊（累积发生率）',
    'waits.left': '未就诊离开（累积发生率）',
    'waits.seen_title': '从到院到就诊的时间',
    'waits.since': '到院后分钟数',
    'waits.probability': '概率',
    'waits.coef': '等候分位数的变化（分钟）',
    'waits.coef_flow': '流转时间分位数的变化（分钟）',
    'waits.drivers': '影响等候的因素（分位数回归，95%置信区间）',
    'waits.drivers_flow': '影响流转时间的因素（分位数回归，95%置信区间）',
    'waits.q': '分位数',
    'waits.term': '因素',
    'waits.reading': '解读',
    'waits.hour_level': '{} 时',
    'waits.column.hour': '时段（时）',
    'waits.column.weekday': '星期',
    'waits.term.queue': '前面排队人数',
    'waits.term.hour': '到达时段',
    'waits.level.other': '其他',
    'waits.level.(missing)': '（缺失）',
    # waits.reading: the reading of each coefficient of journey.wait_drivers
    'waits.reading.median': '中位数',
    'waits.reading.pct': '第 {p:g} 百分位数',
    'waits.reading.ci': '（{lo:+.1f} 至 {hi:+.1f}）',
    'waits.reading.Intercept': '参照组患者在前面无人排队时，等候的{at}为 {coef:.1f} 分钟{ci}。',
    'waits.reading.Intercept_flow': (
        '参照组患者在前面无人时，流转时间的{at}为 {coef:.1f} 分钟{ci}。'),
    'waits.reading.queue': (
        '前面每多一名排队患者，{activity}前等候的{at}变化 {coef:+.1f} 分钟{ci}。'),
    'waits.reading.queue_flow': (
        '前面每多一名尚在途中的患者，到{activity}的流转时间的{at}变化 {coef:+.1f} 分钟{ci}。'),
    'waits.reading.factor': '{term}（参照：{ref}）：等候的{at}变化 {coef:+.1f} 分钟{ci}{clear}。',
    'waits.reading.factor_flow': (
        '{term}（参照：{ref}）：流转时间的{at}变化 {coef:+.1f} 分钟{ci}{clear}。'),
    'waits.reading.clear': '；置信区间包含零，差异不明确',
    # bottlenecks
    'bottlenecks.waiting': '等候',
    # bottlenecks.sentence: the sentence of each ranked touchpoint
    'bottlenecks.sentence.share': '占全部{what}的 {pct:.0f}%',
    'bottlenecks.sentence.no_share': '所有{word}均为 0 分钟',
    'bottlenecks.sentence.median': '中位数 {median:.0f} 分钟，P90 {p90:.0f} 分钟',
    'bottlenecks.sentence.util': '；人员忙碌 {util:.0f}% 的时间',
    'bottlenecks.sentence.none': '{a}：{share}，{median}；{word}记录太少，无法找出最拥堵时段。',
    'bottlenecks.sentence.day': (
        '{a}：{share}，{median}；日志只记录日期，没有钟点，无法按时段分析。'),
    'bottlenecks.sentence.flat': (
        '{a}：{share}，{median}；没有明显拥堵的时段（其他时段没有可比较的{word}）。'),
    'bottlenecks.sentence.block': (
        '{a}：{block} 平均{word} {mean:.1f} 分钟，是其他时段 {other:.1f} 分钟的 '
        '{ratio:.1f} 倍；{share}，{median}{util}。'),
    # bottlenecks.little: the reading of journey.littles_law
    'bottlenecks.little.reading': (
        '平均有 {census:.1f} 名患者在院；每小时到达 {lam:.2f} 人 × 平均停留 {stay:.2f} 小时 = '
        '{lw:.1f}，相差 {pct:+.1f}%。'),
    'bottlenecks.little.fit': '各时间戳相互吻合。',
    'bottlenecks.little.gap': '相差超过 5%：请检查被时间窗截断的就诊、趋势或异常的时间戳。',

    # ---- time series and before/after (journey.spc, its, compare, effects, series)

    # ---- experience, loyalty, what-if (journey.experience, loyalty, visits, simulate)

    # ---- maps, findings, explorer, animation (journey.figures, maps, findings, explore, animate)

}


#: Every text, by language and id.
TEXTS: dict[str, dict[str, str]] = {"en": _EN, "zh": _ZH}


def text(key: str, lang: str = "en", /, **values: object) -> str:
    """The text of message ``key`` in ``lang`` with its placeholders filled.

    Falls back to the English text where ``lang``'s catalogue has none; an unknown id raises
    ``KeyError``.

    Examples
    --------
    >>> text("reason.too_few", "zh", n=3, activity="Lab", touchpoints="Lab")
    "'Lab' 之前只有 3 个等候时间；分位数回归至少需要 30 个（日志中的环节：Lab）。"
    >>> text("spc.mean", "en")
    'mean'
    """
    template = TEXTS.get(lang, _EN).get(key) or _EN[key]
    return template.format(**values) if values else template


def texts(namespace: str, lang: str = "en") -> dict[str, str]:
    """Every text of ``namespace`` in ``lang``, by the id without its namespace.

    Only the texts ``lang``'s catalogue has (no English fallback): where a language leaves an
    id out, the table's own value is the label, so callers write ``.get(key, key)``.

    Examples
    --------
    >>> texts("day", "zh")["Mon"]
    '周一'
    """
    prefix = namespace + "."
    return {k[len(prefix):]: v for k, v in TEXTS[lang].items() if k.startswith(prefix)}


#: Why a section of a study notebook is left out, by id, in each language (the ``reason``
#: namespace of the catalogue).
REASONS: dict[str, dict[str, str]] = {lang: texts("reason", lang) for lang in TEXTS}

_DAY_ZH = texts("day", "zh")
