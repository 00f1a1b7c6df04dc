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
# Namespaces, each the texts of one module or question: i18n (what a language does with a
# log's names), day, gaps (wait or flow time), check (the data-quality checks of
# journey.EventLog.check), reason (why a section of a study notebook is left out:
# journey.findings.require and the ``reason`` of JourneyError, whose English message is the
# "en" text), waits, bottlenecks, its, spc, metrics, compare, series, effects, experience,
# predictor, ipa, loyalty, visits, what_if, simulate, sample (the Chinese headers of the
# sample file), maps, explorer, animate, findings.

_EN: dict[str, str] = {
    # day
    # i18n: "log" shows the log's own touchpoint names, "catalogue" translates them
    'i18n.names': 'log',
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

    # ---- waits and bottlenecks (journey.waits, journey.queues)
    # waits: figures of journey.waits; names: 'log' shows the log's own touchpoint names and
    # headers, 'catalogue' the catalogue's names in the language
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

    # ---- time series and before/after (journey.control_charts, impact, compare, effects, series)
    # namespaces: spc, its (notes of the estimates; its.figure: the ITS and DiD charts),
    # compare (caveats; compare.verdict: the verdict), effects, metrics (the names of the
    # measures, journey._metrics._measure), series (journey.series_figure)
    'spc.trial': (
        'rebase group(s) {groups} have fewer than {n} points: their limits are trial limits, '
        'to be revised as points are added.'),
    'its.baseline_level': 'level at the first period',
    'its.baseline_level_seasonal': (
        'deseasonalised level at the first period (harmonic terms at their annual mean of 0)'),
    'its.baseline_level_weekday': 'level at the first period on the reference weekday ({day})',
    'its.effect_at_end_level': (
        'level change, the same at every period after the start ({n} periods after the start '
        'at the last period)'),
    'its.dispersion': (
        'Pearson χ²/df; about 1 when the Poisson variance fits, > 1 overdispersed '
        "(family='quasipoisson' allows for it)"),
    'its.poisson': (
        'the Poisson CIs assume independent periods and a variance equal to the mean, and may '
        "be too narrow (family='quasipoisson' allows for overdispersion)"),
    'its.gaps': (
        '{n} period(s) without a value (gaps) left out; the model uses the observed periods at '
        'their true time index'),
    'its.baseline_slope': 'change per period before the intervention',
    'its.level_change': 'jump at the intervention vs the pre-trend',
    'its.slope_change': 'change in slope per period after',
    'its.effect_at_end': 'fitted vs counterfactual at the last period, {n} periods after the start',
    'its.relative_effect_at_end': 'effect at the last period as a fraction of the counterfactual',
    'its.difference': ' (treated − control difference)',
    'its.ljung_box': 'H0: no residual autocorrelation up to these lags',
    'its.durbin_watson': 'about 2 without lag-1 autocorrelation; < 1.5 positive, > 2.5 negative',
    'its.autocorrelated': (
        'the residuals look autocorrelated (Ljung–Box p = {p:.3g} at {k} lags, Durbin–Watson = '
        "{dw:.2f}): {handled}. Seasonality not in the model (seasonality='weekday' or "
        'harmonics) is a common cause.'),
    'its.hac': (
        'the HAC standard errors allow for it up to {lags} lags; if it persists at longer '
        'lags, raise hac_lags'),
    'its.quasi': 'the quasi-Poisson CIs assume independent periods and may be too narrow',
    'its.did': 'effect under parallel trends; not cluster-robust: only 2 groups (clusters)',
    'its.pre_trend': (
        'treated − control slope per period before the intervention; 0 under parallel trends'),
    'its.trends': (
        "the groups' trends differed before the intervention (treated − control slope "
        '{slope:.3g} per period, {level}% CI {lo:.3g} to {hi:.3g}): the parallel-trends '
        'assumption behind the DiD is doubtful. controlled_its() models the differing trend.'),
    'its.figure.control': 'control',
    'its.figure.observed': 'observed',
    'its.figure.counterfactual': 'counterfactual',
    'its.figure.band': 'counterfactual {level}% CI',
    'its.figure.fitted': 'fitted',
    'its.figure.treated': 'treated',
    'its.figure.mean': '{name} mean',
    'its.figure.its': 'Interrupted time series: {value}',
    'its.figure.did': 'Difference-in-differences: {value}',
    'its.day_0': 'Monday',
    'its.day_1': 'Tuesday',
    'its.day_2': 'Wednesday',
    'its.day_3': 'Thursday',
    'its.day_4': 'Friday',
    'its.day_5': 'Saturday',
    'its.day_6': 'Sunday',
    'metrics.D': 'daily',
    'metrics.W': 'weekly',
    'metrics.wait': 'wait',
    'metrics.flow time': 'flow time',
    'metrics.length of stay': 'length of stay',
    'metrics.median': 'median',
    'metrics.p90': 'p90',
    'metrics.mean': 'mean',
    'metrics.minutes': 'minutes',
    'metrics.left unseen': 'left unseen',
    'metrics.returned': 'returned',
    'metrics.before': ' before {activity}',
    'metrics.to': ' to {activity}',
    'metrics.thing': '{gap}{before}',
    'metrics.within_target': '{period} share of visits with {thing} ≤ {target:g} min',
    'metrics.visits': '{period} visits',
    'metrics.proportion': '{period} share of visits {what}',
    'metrics.measure': '{period} {stat} {what}{before} ({unit})',
    'compare.few_points': 'few points ({before} before, {after} after; ≥ {minimum} each advised)',
    'compare.autocorrelated': (
        'autocorrelated residuals (Ljung–Box p = {lb:.2g}, Durbin–Watson = {dw:.2f}); HAC SEs '
        'allow for {lags} lags'),
    'compare.rtm': (
        'the before period ends on a special-cause run ({hits} of the last {n} points): part '
        'of the change may be regression to the mean'),
    'compare.closed': '{n} period(s) without visits left out',
    'compare.dropped': '{n} period(s) without {control} visits left out',
    'compare.pre_trends': (
        'pre-trends differ (parallel-trends check failed): prefer the controlled ITS'),
    'compare.trend_ci': "CI excludes 0: the departments' trends differed before",
    'compare.placebo': (
        'CI excludes 0 at a date without intervention: the ITS picks up something else'),
    'compare.plain': 'plain before/after: includes changes not due to the intervention',
    'compare.shift': '{column} (total variation {distance:.2f})',
    'compare.sep': ', ',
    'compare.mediator': (
        'the mix of {columns} changed between the periods: if the intervention changed it, '
        'adjusting for it removes part of the effect'),
    'compare.independent': 'visits of a day are not independent: CI optimistic',
    'compare.uncontrolled': 'uncontrolled: the verdict rests on the estimates vs {control}',
    'compare.placebo_failed': (
        'fails its placebo: the same ITS finds an effect at {date}, where there was none'),
    'compare.join': '; ',
    'compare.few_days': '{message}',
    'compare.before': 'before',
    'compare.after': 'after',
    'compare.title': '{department}: {measure}',
    'compare.verdict.controlled': (
        'Verdict, from the estimates vs {control} (they remove changes common to both): '
        '{rows}.'),
    'compare.verdict.its': 'Verdict, from the ITS without a control: {rows}.',
    'compare.verdict.row': '{metric} {est} ({lo} to {hi}): {reading}',
    'compare.verdict.sep': '; ',
    'compare.verdict.clear': 'a change',
    'compare.verdict.unclear': 'no clear change (the CI includes 0)',
    'compare.verdict.trends': (
        " The departments' trends differed before the change (parallel-trends check failed): "
        'prefer the controlled ITS to difference-in-differences.'),
    'compare.verdict.placebo': (
        ' The uncontrolled ITS fails its placebo (an effect at {date}, where there was none): '
        'do not rest a conclusion on it.'),
    'compare.verdict.no_placebo': (
        ' No placebo date was given: pass placebo= (a date in the before period) to check the '
        'ITS.'),
    'series.title': '{measure}, by group',
    'series.change': 'change',
    'series.empty': 'no visits',
    'series.value': 'value',
    'series.date': 'date',
    'series.group': 'group',
    'effects.boot': (
        'after − before; before: {n0} values in {k0} {unit}, after: {n1} values in {k1} {unit}'),
    'effects.days': 'days',
    'effects.visits': 'visits',
    'effects.clusters': '{cluster} clusters',
    'effects.superiority': (
        'P(after < before) + ½P(tie) for {value}; 0.5 = no shift; not a median test; {n0} '
        'before, {n1} after; assumes independent visits'),
    'effects.quantile': (
        'change in the {q} of {value} after vs before at fixed case mix; {n0} before, {n1} '
        'after; visits are not independent (visits of a day share its conditions): interval '
        'optimistic'),

    # ---- experience, loyalty, what-if (journey.experience, loyalty, visits, simulate)
    # loyalty (the Lorenz curve of resource_concentration)
    'loyalty.lorenz': 'Lorenz curve',
    'loyalty.equality': 'Equality',
    'loyalty.x': 'Share of units (smallest users first)',
    'loyalty.y': 'Share of resource used',
    'loyalty.title': 'Gini {gini:.2f}; the top {top:.0%} use {share:.0%}',
    # experience: a predictor's name in a reading, where it is not the column's own
    'predictor.total_flow_h': 'total flow time',
    # visits (the notes of visit_table and join_experience)
    'visits.wait': (
        'total_wait_h is the sum of waits before each touchpoint (start minus the end of the '
        'touchpoint before it)'),
    'visits.flow': (
        'the log has no start times: total_flow_h is the sum of flow times between '
        'completions, which include service times (so it is not called a wait)'),
    'visits.overlaps': (
        '{n} touchpoints started before the previous one ended (overlap); they add no wait'),
    'visits.or': ' or ',
    'visits.never': (
        "no visit has {acts}: {name} is False for every visit; pass the log's name for it "
        '({name}=...)'),
    'visits.no_charge': '{n} visits without any charge value',
    'visits.unknown': '{n} {name} for a case_id not in visits left out',
    'visits.further': (
        '{n} further surveys of a visit left out (the first survey of each visit is used)'),
    # simulate (the figure of one simulated period)
    'simulate.title': 'Simulated hospital: {name}',
    'simulate.mean_wait': 'mean wait before (min)',

    # ---- maps, findings, explorer, animation (_figures_maps, maps, findings, explore, replay)
    'gaps.wait': 'wait',
    'gaps.flow': 'flow time',
    'explorer.activities': 'Touchpoints',
    'explorer.paths': 'Paths',
    'explorer.period': 'Period',
    'explorer.department': 'Department',
    'explorer.all': '(all)',
    'explorer.metric': 'Colour by',
    'explorer.visits': 'Visits',
    'explorer.median': 'Median time',
    'explorer.p90': 'P90 time',
    'explorer.path': 'Path',
    'explorer.none': '(no transition on the map)',
    'explorer.summary': (
        '{path}: {visits:,} visits, {moves:,} transitions; median {time} {median}, P90 '
        '{p90} (min)'),
    'explorer.hist_title': '{path}: {time} distribution',
    'explorer.hist_x': '{time} (min)',
    'explorer.hist_y': 'Transitions',
    'explorer.wait': 'wait',
    'explorer.flow': 'flow time',
    'explorer.empty': 'No visit matches these filters.',
    'explorer.hidden': '{n} transitions with fewer than {k} visits are not listed',
    'explorer.static': (
        'The process map explorer: its sliders and filters work in JupyterLab (run '
        'journey.explore(log) there).'),
    'maps.wait': 'wait',
    'maps.flow': 'flow time',
    'maps.min': 'min',
    'maps.start': 'Start',
    'maps.end': 'End',
    'maps.more': '…',
    'maps.later': 'later steps',
    'maps.visits': 'Visits',
    'maps.events': 'Events',
    'maps.transitions': 'Transitions',
    'maps.share': 'Share of visits',
    'maps.share_of_source': "Share of the source's visits",
    'maps.cumulative': 'Cumulative share',
    'maps.service_median': 'Median service time',
    'maps.service_p90': 'P90 service time',
    'maps.median': 'Median {time}',
    'maps.mean': 'Mean {time}',
    'maps.p90': 'P90 {time}',
    'maps.median_before': 'Median {time} before',
    'maps.p90_before': 'P90 {time} before',
    'maps.median_axis': 'Median {time} before the touchpoint (min)',
    'maps.color_wait': 'Median {time}<br>before (min)',
    'maps.color_cases': 'Visits',
    'maps.color_wait_p90': 'P90 {time}<br>before (min)',
    'maps.length': 'Touchpoints',
    'maps.throughput': 'Median throughput time',
    'maps.pain': 'Pain point {k}: {value}',
    'maps.pain_points': 'Pain points',
    'maps.episode': 'Not a pain point, opens a new episode (median {value:.0f} days later): {name}',
    'maps.no_data': 'no {time} known',
    'maps.title_map': 'Process map · colour: {colour} · width: {width}',
    'maps.colour_cases': 'visits per touchpoint',
    'maps.colour_wait': 'median {time} before each touchpoint',
    'maps.width_cases': 'visits per path',
    'maps.width_wait': 'median {time} per path',
    'maps.colour_wait_p90': 'P90 {time} before each touchpoint',
    'maps.width_wait_p90': 'P90 {time} per path',
    'maps.path_labels': 'Main paths labelled: visits · median {time}',
    'maps.simplified': (
        'Showing {a} of {a_all} touchpoints and {p} of {p_all} paths: pass activities=…, '
        'paths=… to show more'),
    'maps.edge_label': '{n} · {m} min',
    'maps.title_sankey': 'Visit paths step by step',
    'maps.title_stage': 'Journey map: visits and median {time} per touchpoint',
    'maps.title_variants': 'Most common journeys (top {top})',
    'maps.title_diff_wait': 'Largest changes in median {time} (B − A)',
    'maps.title_diff_cases': 'Largest changes in visits (B − A)',
    'maps.touchpoints': 'Touchpoints',
    'maps.transitions_panel': 'Transitions',
    'maps.shown': '{shown} largest of {total}',
    'maps.missing': '{n} without a value in A and B',
    'maps.axis_diff_wait': 'Change in median {time} (B − A, min)',
    'maps.axis_diff_cases': 'Change in visits (B − A)',
    'maps.less_wait': 'Less {time} (improvement)',
    'maps.more_wait': 'More {time} (deterioration)',
    'maps.less_cases': 'Fewer visits',
    'maps.more_cases': 'More visits',
    'maps.same': 'No change',
    'maps.change': 'Change',
    'maps.hidden_one': '1 item with fewer than {k} visits hidden',
    'maps.hidden': '{n} items with fewer than {k} visits hidden',
    'animate.title_day': 'Patients moving through the journey on {when}',
    'animate.title_period': 'Patients moving through the journey, {when}',
    'animate.flow_note': (
        'Completion times only: dots move between completions (flow times, not waits)'),
    'animate.waited': 'Waited so far ({unit})',
    'animate.waited_flow': 'Since the previous completion ({unit})',
    'animate.waiting': 'Waiting',
    'animate.waiting_flow': 'On the way',
    'animate.in_service': 'In service',
    'animate.completed': 'Completed in this step',
    'animate.patients': 'Patients',
    'animate.time': 'Time',
    'animate.day': 'Day',
    'animate.play': '▶ Play',
    'animate.pause': '❚❚ Pause',
    'animate.min': 'min',
    'animate.days': 'days',
    'animate.node': '{q} waiting · {s} in service',
    'animate.node_flow': '{q} on the way · {c} done',
    'animate.hidden': '{n} dots or counts with fewer than {k} patients hidden',
    'animate.stretch': 'Transition',
    'findings.skipped': 'Not shown: {reason}',
    'findings.join': ' ',
    'findings.minutes': ' min',
    'findings.fewer': 'fewer than {k}',
    'findings.quality': (
        'The log holds {cases} visits and {events} events from {first} to '
        '{last}{excluded}. {times} {resolution}'),
    'findings.excluded': '; {n} rows were excluded (see the data-quality table)',
    'findings.waits': 'Times between touchpoints are waits (the log has start times).',
    'findings.flows': (
        'Times between touchpoints are flow times: the log has completion times only, so '
        'waiting and service cannot be told apart.'),
    'findings.day': 'Times are recorded to the day, so there are no hour-of-day results.',
    'findings.minute': '',
    'findings.lost': (
        '{share:.0%} of the {hours} patient-hours spent in the hospital were waiting; '
        'most waiting happens before {a} ({a_share:.0%} of all waiting).'),
    'findings.lost_flow': (
        'The visits spent {hours} patient-hours in the hospital; most of that flow time '
        '(waiting and service together) led up to {a} ({a_share:.0%}).'),
    'findings.block': (
        'The strongest queue build-up is at {b}: {block}, with a mean {word} of '
        '{block_mean:.0f} min against {other:.0f} min at other times ({ratio:.1f} times '
        'as long).'),
    'findings.no_block': 'No touchpoint shows a recurring block of longer waits.',
    'findings.wait': (
        'The longest typical {word} is before {a}: median {median:.0f} min (95% CI '
        '{lo:.0f}–{hi:.0f}), and one patient in ten waits more than {p90:.0f} min.'),
    'findings.word_wait': 'wait',
    'findings.word_flow': 'flow time',
    'findings.target': '{share:.0%} of {measure} (95% CI {lo:.0%}–{hi:.0%}).',
    'findings.effect': (
        '{metric}: {change:+.1f}{unit} (95% CI {lo:+.1f} to {hi:+.1f}; {method}). '
        '{verdict}'),
    'findings.fell': 'The measure fell by more than day-to-day variation explains.',
    'findings.rose': 'The measure rose by more than day-to-day variation explains.',
    'findings.unclear': (
        'The interval includes no change: the data cannot tell an effect from noise.'),
    'findings.caveats': ' Caveats: {caveats}.',
    'findings.driver': (
        'The strongest driver of overall satisfaction is {a} ({share:.0%} of the '
        'explained variance, relative weight 95% CI {lo:.3f}–{hi:.3f}); the '
        'lowest-scoring dimension is {low} (mean {perf:.2f}).'),

}

_ZH: dict[str, str] = {
    # day
    'i18n.names': 'catalogue',
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
    'predictor.total_wait_h': '总等候时间',
    'predictor.total_flow_h': '总流转时间',
    'predictor.los_h': '在院时长',
    'predictor.rework': '重复环节',
    'predictor.left_unseen': '未就诊离开',
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

    # ---- waits and bottlenecks (journey.waits, journey.queues)
    # waits: figures of journey.waits
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

    # ---- time series and before/after (journey.control_charts, impact, compare, effects, series)
    'spc.trial': (
        '重设分组 {groups} 的数据点少于 {n} 个：其控制限为试用控制限，应随数据点增加重新计算。'),
    'its.baseline_level': '第一期的水平',
    'its.baseline_level_seasonal': '第一期去除季节性后的水平（谐波项取其全年均值 0）',
    'its.baseline_level_weekday': '第一期在参照星期（{day}）的水平',
    'its.effect_at_end_level': '水平变化，干预后每期相同（最后一期距干预开始 {n} 期）',
    'its.dispersion': (
        "Pearson χ²/自由度；泊松方差合适时约为 1，> 1 为过度离散（family='quasipoisson' "
        '可处理）'),
    'its.poisson': (
        "泊松模型的置信区间假定各期相互独立且方差等于均值，可能偏窄（family='quasipoisson' "
        '可处理过度离散）'),
    'its.gaps': '已剔除 {n} 个无数值的时期（缺口）；模型按真实时间序号使用有观测的时期',
    'its.baseline_slope': '干预前每期的变化',
    'its.level_change': '干预时相对干预前趋势的跳变',
    'its.slope_change': '干预后每期斜率的变化',
    'its.effect_at_end': '最后一期拟合值与反事实值之差，距干预开始 {n} 期',
    'its.relative_effect_at_end': '最后一期的效应占反事实值的比例',
    'its.difference': '（干预组 − 对照组之差）',
    'its.ljung_box': 'H0：在这些滞后期内残差无自相关',
    'its.durbin_watson': '无 1 阶自相关时约为 2；< 1.5 为正自相关，> 2.5 为负自相关',
    'its.autocorrelated': (
        '残差似乎存在自相关（Ljung–Box 检验 p = {p:.3g}，滞后 {k} 期；Durbin–Watson = '
        "{dw:.2f}）：{handled}。模型未包含的季节性（seasonality='weekday' "
        '或谐波项）是常见原因。'),
    'its.hac': 'HAC 标准误已考虑至多 {lags} 期滞后；若更长滞后期仍有自相关，请增大 hac_lags',
    'its.quasi': '准泊松模型的置信区间假定各期相互独立，可能偏窄',
    'its.did': '平行趋势假设下的效应；不是聚类稳健的：只有 2 个组（聚类）',
    'its.pre_trend': '干预前干预组 − 对照组每期斜率之差；平行趋势下为 0',
    'its.trends': (
        '两组在干预前的趋势就不同（干预组 − 对照组斜率每期 {slope:.3g}，{level}%置信区间 '
        '{lo:.3g} 至 {hi:.3g}）：双重差分所依赖的平行趋势假设存疑。controlled_its() '
        '可对不同的趋势建模。'),
    'its.figure.control': '对照组',
    'its.figure.observed': '观测值',
    'its.figure.counterfactual': '反事实（延续干预前趋势）',
    'its.figure.band': '反事实 {level}%置信区间',
    'its.figure.fitted': '拟合值',
    'its.figure.treated': '干预组',
    'its.figure.mean': '{name}均值',
    'its.figure.its': '中断时间序列：{value}',
    'its.figure.did': '双重差分：{value}',
    'its.day_0': '星期一',
    'its.day_1': '星期二',
    'its.day_2': '星期三',
    'its.day_3': '星期四',
    'its.day_4': '星期五',
    'its.day_5': '星期六',
    'its.day_6': '星期日',
    'metrics.D': '每日',
    'metrics.W': '每周',
    'metrics.wait': '等候',
    'metrics.flow time': '流转时间',
    'metrics.length of stay': '在院时长',
    'metrics.median': '中位数',
    'metrics.p90': 'P90',
    'metrics.mean': '均值',
    'metrics.minutes': '分钟',
    'metrics.left unseen': '未就诊离开比例',
    'metrics.returned': '复诊比例',
    'metrics.before': '{activity}前',
    'metrics.to': '到{activity}的',
    'metrics.thing': '{before}{gap}',
    'metrics.within_target': '{period}{thing} ≤ {target:g} 分钟的就诊占比',
    'metrics.visits': '{period}就诊人次',
    'metrics.proportion': '{period}{what}',
    'metrics.measure': '{period}{before}{what}{stat}（{unit}）',
    'compare.few_points': (
        '数据点偏少（改变前 {before} 个，改变后 {after} 个；建议每段至少 {minimum} 个）'),
    'compare.autocorrelated': (
        '残差存在自相关（Ljung–Box 检验 p = {lb:.2g}，Durbin–Watson = {dw:.2f}）；HAC '
        '标准误已考虑 {lags} 期滞后'),
    'compare.rtm': (
        '改变前时期以特殊原因变异结束（最后 {n} 个点中有 {hits} '
        '个）：部分变化可能只是向均值回归'),
    'compare.closed': '已剔除 {n} 个无就诊的时期',
    'compare.dropped': '已剔除 {n} 个{control}无就诊的时期',
    'compare.pre_trends': '改变前两组趋势不同（平行趋势检验未通过）：应以对照中断时间序列为准',
    'compare.trend_ci': '置信区间不含 0：两个科室在改变前的趋势就不同',
    'compare.placebo': '在没有干预的日期上置信区间不含 0：中断时间序列捕捉到了其他变化',
    'compare.plain': '简单前后比较：包含并非由干预引起的变化',
    'compare.shift': '{column}（总变差距离 {distance:.2f}）',
    'compare.sep': '、',
    'compare.mediator': (
        '以下构成在两个时期之间发生了变化：{columns}；若这是干预本身造成的，对其进行调整会抵消部'
        '分效果'),
    'compare.independent': '同一天的就诊并不相互独立：置信区间偏乐观',
    'compare.uncontrolled': '未设对照：结论以相对{control}的估计为准',
    'compare.placebo_failed': (
        '未通过安慰剂检验：同样的中断时间序列在没有干预的 {date} 也发现了效果'),
    'compare.few_days': '{period}不足 10 天：按天重抽样的自助法置信区间不可靠',
    'compare.before': '改变前',
    'compare.after': '改变后',
    'compare.join': '；',
    'compare.title': '{department}：{measure}',
    'compare.verdict.controlled': (
        '结论（以相对{control}的估计为准，它们扣除了两组共同的变化）：{rows}。'),
    'compare.verdict.its': '结论（来自无对照的中断时间序列）：{rows}。',
    'compare.verdict.row': '{metric} {est}（{lo} 至 {hi}）：{reading}',
    'compare.verdict.sep': '；',
    'compare.verdict.clear': '有变化',
    'compare.verdict.unclear': '变化不明确（置信区间包含 0）',
    'compare.verdict.trends': (
        '两个科室在改变前的趋势就不同（平行趋势检验未通过）：应以对照中断时间序列为准，而非双重'
        '差分。'),
    'compare.verdict.placebo': (
        '无对照的中断时间序列未通过安慰剂检验（在没有干预的 {date} '
        '也发现了效果）：不能据此下结论。'),
    'compare.verdict.no_placebo': (
        '未给出安慰剂日期：可传入 placebo=（改变前时期内的某一天）检验中断时间序列。'),
    'series.title': '{measure}（按组）',
    'series.change': '改变',
    'series.empty': '无就诊',
    'series.value': '数值',
    'series.date': '日期',
    'series.group': '组',
    'effects.boot': (
        '改变后 − 改变前；改变前：{n0} 个值，来自 {k0} {unit}；改变后：{n1} 个值，来自 {k1} '
        '{unit}'),
    'effects.days': '天',
    'effects.visits': '次就诊',
    'effects.clusters': '个“{cluster}”聚类',
    'effects.superiority': (
        '{value}的 P(改变后 < 改变前) + ½P(相等)；0.5 = 无偏移；不是中位数检验；改变前 {n0} '
        '次、改变后 {n1} 次；假定各次就诊相互独立'),
    'effects.quantile': (
        '病例构成固定时，{value}的 {q} 改变后相对改变前的变化；改变前 {n0} 次、改变后 {n1} '
        '次；各次就诊并不相互独立（同一天的就诊受当天条件共同影响）：置信区间偏乐观'),

    # ---- experience, loyalty, what-if (journey.experience, loyalty, visits, simulate)
    # loyalty
    'loyalty.lorenz': '洛伦兹曲线',
    'loyalty.equality': '完全均等线',
    'loyalty.x': '单位占比（按用量从少到多）',
    'loyalty.y': '资源使用占比',
    'loyalty.title': '基尼系数 {gini:.2f}；用量最多的前 {top:.0%} 使用了 {share:.0%} 的资源',
    # visits
    'visits.wait': 'total_wait_h 是各环节前等候时间之和（本环节开始时间减去前一环节结束时间）',
    'visits.flow': (
        '日志没有开始时间：total_flow_h 是相邻完成时间之间的流转时间之和，其中包含服务时间，'
        '并不是等候时间'),
    'visits.overlaps': '{n} 个环节在前一环节结束前就已开始（重叠）；它们不计入等候',
    'visits.or': ' 或 ',
    'visits.never': (
        '没有任何就诊经过 {acts}：所有就诊的 {name} 均为 False；请传入日志中该环节的名称'
        '（{name}=...）'),
    'visits.no_charge': '{n} 次就诊没有任何费用值',
    'visits.unknown': '已剔除 {n} 条 case_id 不在 visits 中的{name}记录',
    'visits.further': '已剔除同一就诊的另外 {n} 份问卷（每次就诊只用第一份问卷）',
    'visits.surveys': '问卷',
    'visits.complaints': '投诉',
    'visits.followup_calls': '回访',
    # sample: the headers of the sample's Chinese visit log (visits_zh.csv)
    'sample.case_id': '就诊号',
    'sample.patient_id': '患者ID',
    'sample.department': '科室',
    'sample.activity': '环节',
    'sample.start': '开始时间',
    'sample.end': '结束时间',
    'sample.resource': '人员',
    'sample.age_band': '年龄段',
    'sample.chronic': '慢病',
    'sample.visit_type': '初复诊',
    'sample.booking': '预约方式',
    'sample.triage_priority': '分诊级别',
    'sample.charge': '费用',

    # ---- maps, findings, explorer, animation (_figures_maps, maps, findings, explore, replay)
    'gaps.wait': '等候',
    'gaps.flow': '流转时间',
    'explorer.activities': '触点',
    'explorer.paths': '路径',
    'explorer.period': '时段',
    'explorer.department': '科室',
    'explorer.all': '（全部）',
    'explorer.metric': '着色依据',
    'explorer.visits': '人次',
    'explorer.median': '时间中位数',
    'explorer.p90': '时间P90',
    'explorer.path': '路径',
    'explorer.none': '（图中没有转移）',
    'explorer.summary': (
        '{path}：{visits:,}人次，{moves:,}次转移；{time}中位数{median}，P90 {p90}（分钟）'),
    'explorer.hist_title': '{path}：{time}分布',
    'explorer.hist_x': '{time}（分钟）',
    'explorer.hist_y': '转移次数',
    'explorer.wait': '等待时间',
    'explorer.flow': '流转时间',
    'explorer.empty': '没有符合筛选条件的就诊。',
    'explorer.hidden': '{n}条人次少于{k}的转移未列出',
    'explorer.static': (
        '流程图探索工具：滑块和筛选需要在 JupyterLab 中运行（在那里运行 '
        'journey.explore(log)）。'),
    'maps.wait': '等待时间',
    'maps.flow': '流转时间',
    'maps.min': '分钟',
    'maps.start': '开始',
    'maps.end': '结束',
    'maps.more': '…',
    'maps.later': '后续步骤',
    'maps.visits': '人次',
    'maps.events': '事件数',
    'maps.transitions': '转移次数',
    'maps.share': '占全部人次',
    'maps.share_of_source': '占来源节点人次',
    'maps.cumulative': '累计占比',
    'maps.service_median': '服务时长中位数',
    'maps.service_p90': '服务时长P90',
    'maps.median': '{time}中位数',
    'maps.mean': '{time}均值',
    'maps.p90': '{time}P90',
    'maps.median_before': '到达前{time}中位数',
    'maps.p90_before': '到达前{time}P90',
    'maps.median_axis': '到达触点前{time}中位数（分钟）',
    'maps.color_wait': '到达前<br>{time}中位数<br>（分钟）',
    'maps.color_cases': '人次',
    'maps.color_wait_p90': '到达前<br>{time}P90<br>（分钟）',
    'maps.length': '触点数',
    'maps.throughput': '全程时间中位数',
    'maps.pain': '痛点{k}：{value}',
    'maps.pain_points': '痛点',
    'maps.no_data': '无{time}数据',
    'maps.episode': '不算痛点，属于新一次就诊（中位数 {value:.0f} 天后）：{name}',
    'maps.title_map': '流程图 · 颜色：{colour} · 线宽：{width}',
    'maps.colour_cases': '各触点人次',
    'maps.colour_wait': '到达各触点前{time}中位数',
    'maps.width_cases': '各路径人次',
    'maps.width_wait': '各路径{time}中位数',
    'maps.colour_wait_p90': '到达各触点前{time}P90',
    'maps.width_wait_p90': '各路径{time}P90',
    'maps.path_labels': '主要路径标注：人次 · {time}中位数',
    'maps.simplified': (
        '显示{a_all}个触点中的{a}个、{p_all}条路径中的{p}条：传入 activities=…、paths=… '
        '可显示更多'),
    'maps.edge_label': '{n}人次 · {m}分钟',
    'maps.title_sankey': '逐步就诊路径',
    'maps.title_stage': '患者旅程图：各触点人次与{time}中位数',
    'maps.title_variants': '最常见的就诊路径（前{top}条）',
    'maps.title_diff_wait': '{time}中位数变化最大的项目（B − A）',
    'maps.title_diff_cases': '人次变化最大的项目（B − A）',
    'maps.touchpoints': '触点',
    'maps.transitions_panel': '转移',
    'maps.shown': '共{total}项中变化最大的{shown}项',
    'maps.missing': '{n}项在A或B中无数据',
    'maps.axis_diff_wait': '{time}中位数变化（B − A，分钟）',
    'maps.axis_diff_cases': '人次变化（B − A）',
    'maps.less_wait': '{time}减少（改善）',
    'maps.more_wait': '{time}增加（恶化）',
    'maps.less_cases': '人次减少',
    'maps.more_cases': '人次增加',
    'maps.same': '无变化',
    'maps.change': '变化',
    'maps.hidden_one': '1项人次少于{k}的项目未显示',
    'maps.hidden': '{n}项人次少于{k}的项目未显示',
    'animate.title_day': '患者在就诊旅程中的流动：{when}',
    'animate.title_period': '患者在就诊旅程中的流动：{when}',
    'animate.flow_note': '仅有完成时间：圆点在两次完成之间移动（流转时间，非等待时间）',
    'animate.waited': '已等待（{unit}）',
    'animate.waited_flow': '距上一环节完成（{unit}）',
    'animate.waiting': '等待中',
    'animate.waiting_flow': '流转中',
    'animate.in_service': '服务中',
    'animate.completed': '本步完成',
    'animate.patients': '患者',
    'animate.time': '时间',
    'animate.day': '日期',
    'animate.play': '▶ 播放',
    'animate.pause': '❚❚ 暂停',
    'animate.min': '分钟',
    'animate.days': '天',
    'animate.node': '等待{q} · 服务中{s}',
    'animate.node_flow': '流转中{q} · 完成{c}',
    'animate.hidden': '{n}个人数少于{k}的圆点或计数未显示',
    'animate.stretch': '转移',
    'findings.skipped': '未显示：{reason}',
    'findings.join': '',
    'findings.minutes': ' 分钟',
    'findings.fewer': '少于 {k}',
    'findings.quality': (
        '日志共 {cases} 次就诊、{events} 条事件，时间从 {first} 到 {last}{excluded}。'
        '{times}{resolution}'),
    'findings.excluded': '；排除 {n} 行（见数据质量表）',
    'findings.waits': '环节之间的时间为等候时间（日志有开始时间）。',
    'findings.flows': '环节之间的时间为流转时间：日志只有完成时间，无法区分等候与服务。',
    'findings.day': '时间只记录到日期，因此没有按小时的结果。',
    'findings.minute': '',
    'findings.lost': (
        '患者在院共 {hours} 人·小时，其中 {share:.0%} 在等候；'
        '等候最多发生在{a}之前（占全部等候的 {a_share:.0%}）。'),
    'findings.lost_flow': (
        '患者在院共 {hours} 人·小时；流转时间（等候与服务合计）最多发生在{a}之前（占 '
        '{a_share:.0%}）。'),
    'findings.block': (
        '排队积压最明显的是{b}：{block} 平均{word} {block_mean:.0f} 分钟，其他时段为 '
        '{other:.0f} 分钟（{ratio:.1f} 倍）。'),
    'findings.no_block': '没有环节在固定时段反复出现更长的等候。',
    'findings.wait': (
        '典型{word}最长的是{a}之前：中位数 {median:.0f} 分钟（95% 置信区间 '
        '{lo:.0f}–{hi:.0f}），十分之一的患者超过 {p90:.0f} 分钟。'),
    'findings.word_wait': '等候',
    'findings.word_flow': '流转时间',
    'findings.target': '{measure}的比例为 {share:.0%}（95% 置信区间 {lo:.0%}–{hi:.0%}）。',
    'findings.effect': (
        '{metric}：{change:+.1f}{unit}（95% 置信区间 {lo:+.1f} 至 {hi:+.1f}；{method}）。'
        '{verdict}'),
    'findings.fell': '下降幅度超出日常波动。',
    'findings.rose': '上升幅度超出日常波动。',
    'findings.unclear': '置信区间包含 0：数据无法区分效果与随机波动。',
    'findings.caveats': '注意：{caveats}。',
    'findings.driver': (
        '对总体满意度影响最大的是{a}（占可解释方差的 {share:.0%}，相对权重 95% 置信区间 '
        '{lo:.3f}–{hi:.3f}）；得分最低的维度是{low}（均值 {perf:.2f}）。'),

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
