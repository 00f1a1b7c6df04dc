"""journey: patient journey analysis for anonymised hospital visit logs.

Read a log with :func:`read_log`, check it with :meth:`EventLog.check`, map it with
:func:`journey_map`. See the numbered notebooks for the full walk-through.
"""

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
from journey.log import EventLog
from journey.loyalty import (
    Concentration,
    complaint_summary,
    followup_summary,
    lifetime_value,
    resource_concentration,
    return_visits,
)
from journey.maps import JourneyMap, MapComparison, compare_maps, journey_map
from journey.quality import check_log
from journey.read import COLUMN_PRESETS, read_log
from journey.stages import CATALOGUE, STAGES, catalogue, stage_of, touchpoint_of

__version__ = "0.1.0"

__all__ = [
    "CATALOGUE",
    "COLUMN_PRESETS",
    "Concentration",
    "DIMENSIONS",
    "EventLog",
    "ExperienceModel",
    "ImportancePerformance",
    "JourneyError",
    "JourneyMap",
    "MapComparison",
    "STAGES",
    "catalogue",
    "check_log",
    "compare_maps",
    "complaint_summary",
    "experience_vs_journey",
    "followup_summary",
    "friends_and_family",
    "importance_performance",
    "journey_map",
    "key_drivers",
    "lifetime_value",
    "map_difference_figure",
    "nps",
    "process_map_figure",
    "read_log",
    "resource_concentration",
    "return_visits",
    "sankey_figure",
    "satisfaction_scores",
    "stage_map_figure",
    "stage_of",
    "touchpoint_of",
    "variants_figure",
]
