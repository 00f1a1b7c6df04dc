"""journey: patient journey analysis for anonymised hospital visit logs."""

from journey.errors import JourneyError
from journey.stages import CATALOGUE, STAGES, catalogue, stage_of, touchpoint_of

__version__ = "0.1.0"

__all__ = [
    "CATALOGUE",
    "STAGES",
    "JourneyError",
    "catalogue",
    "stage_of",
    "touchpoint_of",
]
