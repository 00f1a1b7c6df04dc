"""Text that a reader sees in a plotly figure, for the language tests."""

from __future__ import annotations

import re

import numpy as np


def figure_labels(fig) -> list[str]:
    """Titles, legend title, axis titles, annotations, colour-bar title, trace names, hover
    templates, custom data and category labels of a plotly figure."""
    layout = fig.to_plotly_json()["layout"]
    texts = [fig.layout.title.text, fig.layout.legend.title.text,
             fig.layout.coloraxis.colorbar.title.text]
    texts += [axis.get("title", {}).get("text") for key, axis in layout.items()
              if key.startswith(("xaxis", "yaxis"))]
    texts += [a.text for a in fig.layout.annotations]
    for trace in fig.data:
        texts += [trace.name, getattr(trace, "hovertemplate", None)]
        custom = getattr(trace, "customdata", None)
        texts += [] if custom is None else [str(v) for v in np.ravel(custom)]
        texts += [v for v in (trace.y if trace.y is not None else ()) if isinstance(v, str)]
    return [t for t in texts if t]


def english_words(texts: list[str]) -> set[str]:
    """Latin words left once plotly's %{...} fields and <tags> are removed."""
    plain = re.sub(r"%\{[^}]*\}|<[^>]*>", " ", " ".join(texts))
    return set(re.findall(r"[A-Za-z]{2,}", plain))


def has_chinese(texts: list[str]) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for t in texts for c in t)
