"""journey: patient journey analysis for anonymised hospital visit logs.

Read a log with :func:`read_log`, check it with :meth:`EventLog.check`, map it with
:func:`journey_map`. See the numbered notebooks for the full walk-through.

Names are imported from their modules when first used, so ``import journey`` is quick and
the statistics libraries load only for the analyses that need them.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public names of each module, imported on first use.
_MODULES: dict[str, str] = {
    "replay": "animate",
    "queues": """Bottlenecks QueueProfile TimeDecomposition Utilisation
                      arrivals_vs_completions bottlenecks littles_law queue_over_time
                      time_decomposition utilisation""",
    "compare": "CASE_MIX PeriodComparison compare_periods",
    "effects": "bootstrap_quantile_change probability_of_superiority quantile_change",
    "errors": "JourneyError",
    "explorer": "Explorer explore",
    "experience": """DIMENSIONS ExperienceModel ImportancePerformance experience_vs_journey
                     friends_and_family importance_performance key_drivers nps
                     satisfaction_scores""",
    "i18n": "VALUE_NAMES_ZH get_language set_language translate translate_columns use_cjk_font",
    "impact": "DiDResult ITSResult controlled_its did its",
    "log": "EventLog set_memory_limit",
    "loyalty": """Concentration complaint_summary followup_summary lifetime_value
                  resource_concentration return_visits""",
    "maps": "JourneyMap MapComparison compare_maps journey_map",
    "privacy": "get_min_count pseudonymise scan_identifiers set_min_count",
    "read": "COLUMN_PRESETS read_log",
    "report": "build_report suppress_small_counts",
    "series": "METRICS metric_series series_figure",
    "simulate": """EstimatedScenario Scenario SimulationResult WhatIfResult estimate_scenario
                   simulate_hospital what_if write_sample""",
    "control_charts": "SPCResult SPC_COLOURS spc",
    "stages": "CATALOGUE STAGES catalogue stage_of touchpoint_of",
    "visits": "join_experience visit_table",
    "waits": """Attainment LeftUnseen WaitDrivers left_unseen target_attainment wait_drivers
                wait_figure wait_summary""",
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names.split()}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'journey' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"journey.{_WHERE[name]}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
