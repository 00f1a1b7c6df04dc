"""journey: patient journey analysis for anonymised hospital visit logs.

Read a log with :func:`read_log`, check it with :meth:`EventLog.check`, map it with
:func:`journey_map`. See the numbered notebooks for the full walk-through.
"""

from journey.errors import JourneyError
from journey.figures import (
    map_difference_figure,
    process_map_figure,
    sankey_figure,
    stage_map_figure,
    variants_figure,
)
from journey.log import EventLog
from journey.maps import JourneyMap, MapComparison, compare_maps, journey_map
from journey.quality import check_log
from journey.read import COLUMN_PRESETS, read_log
from journey.stages import CATALOGUE, STAGES, catalogue, stage_of, touchpoint_of

__version__ = "0.1.0"

__all__ = [
    "CATALOGUE",
    "COLUMN_PRESETS",
    "STAGES",
    "EventLog",
    "JourneyError",
    "JourneyMap",
    "MapComparison",
    "catalogue",
    "check_log",
    "compare_maps",
    "journey_map",
    "map_difference_figure",
    "process_map_figure",
    "read_log",
    "sankey_figure",
    "stage_map_figure",
    "stage_of",
    "touchpoint_of",
    "variants_figure",
]
