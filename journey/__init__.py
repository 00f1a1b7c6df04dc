"""journey: patient journey analysis for anonymised hospital visit logs.

Read a log with :func:`read_log`, check it with :meth:`EventLog.check`, map it with
:func:`journey_map`. See the numbered notebooks for the full walk-through.
"""

from journey.bottlenecks import (
    Bottlenecks,
    QueueProfile,
    TimeDecomposition,
    Utilisation,
    arrivals_vs_completions,
    bottlenecks,
    littles_law,
    queue_over_time,
    time_decomposition,
    utilisation,
)
from journey.compare import CASE_MIX, PeriodComparison, compare_periods
from journey.effects import bootstrap_quantile_change, probability_of_superiority, quantile_change
from journey.errors import JourneyError
from journey.experience import (
    DIMENSIONS,
    ExperienceModel,
    ImportancePerformance,
    experience_vs_journey,
    friends_and_family,
    importance_performance,
    key_drivers,
    nps,
    satisfaction_scores,
)
from journey.figures import (
    map_difference_figure,
    process_map_figure,
    sankey_figure,
    stage_map_figure,
    variants_figure,
)
from journey.i18n import (
    VALUE_NAMES_ZH,
    get_language,
    set_language,
    translate,
    translate_columns,
    use_cjk_font,
)
from journey.its import DiDResult, ITSResult, controlled_its, did, its
from journey.log import EventLog, set_memory_limit
from journey.loyalty import (
    Concentration,
    complaint_summary,
    followup_summary,
    lifetime_value,
    resource_concentration,
    return_visits,
)
from journey.maps import JourneyMap, MapComparison, compare_maps, journey_map
from journey.privacy import get_min_count, pseudonymise, scan_identifiers, set_min_count
from journey.quality import check_log
from journey.read import COLUMN_PRESETS, read_log
from journey.report import build_report, suppress_small_counts
from journey.series import METRICS, metric_series
from journey.simulate import (
    EstimatedScenario,
    Scenario,
    SimulationResult,
    WhatIfResult,
    estimate_scenario,
    simulate_hospital,
    what_if,
    write_sample,
)
from journey.spark import read_log_spark
from journey.spc import SPC_COLOURS, SPCResult, spc
from journey.stages import CATALOGUE, STAGES, catalogue, stage_of, touchpoint_of
from journey.visits import join_experience, visit_table
from journey.waits import (
    Attainment,
    LeftUnseen,
    WaitDrivers,
    left_unseen,
    target_attainment,
    wait_drivers,
    wait_figure,
    wait_summary,
)

__version__ = "0.1.0"

__all__ = [
    "Attainment",
    "Bottlenecks",
    "CASE_MIX",
    "CATALOGUE",
    "COLUMN_PRESETS",
    "Concentration",
    "DIMENSIONS",
    "DiDResult",
    "EstimatedScenario",
    "EventLog",
    "ExperienceModel",
    "ITSResult",
    "ImportancePerformance",
    "JourneyError",
    "JourneyMap",
    "LeftUnseen",
    "METRICS",
    "MapComparison",
    "PeriodComparison",
    "QueueProfile",
    "SPCResult",
    "SPC_COLOURS",
    "STAGES",
    "Scenario",
    "SimulationResult",
    "TimeDecomposition",
    "Utilisation",
    "VALUE_NAMES_ZH",
    "WaitDrivers",
    "WhatIfResult",
    "arrivals_vs_completions",
    "bootstrap_quantile_change",
    "bottlenecks",
    "build_report",
    "catalogue",
    "check_log",
    "compare_maps",
    "compare_periods",
    "complaint_summary",
    "controlled_its",
    "did",
    "estimate_scenario",
    "experience_vs_journey",
    "followup_summary",
    "friends_and_family",
    "get_language",
    "get_min_count",
    "importance_performance",
    "its",
    "join_experience",
    "journey_map",
    "key_drivers",
    "left_unseen",
    "lifetime_value",
    "littles_law",
    "map_difference_figure",
    "metric_series",
    "nps",
    "probability_of_superiority",
    "process_map_figure",
    "pseudonymise",
    "quantile_change",
    "queue_over_time",
    "read_log",
    "read_log_spark",
    "resource_concentration",
    "return_visits",
    "sankey_figure",
    "satisfaction_scores",
    "scan_identifiers",
    "set_language",
    "set_memory_limit",
    "set_min_count",
    "simulate_hospital",
    "spc",
    "stage_map_figure",
    "stage_of",
    "suppress_small_counts",
    "target_attainment",
    "time_decomposition",
    "touchpoint_of",
    "translate",
    "translate_columns",
    "use_cjk_font",
    "utilisation",
    "variants_figure",
    "visit_table",
    "wait_drivers",
    "wait_figure",
    "wait_summary",
    "what_if",
    "write_sample",
]
