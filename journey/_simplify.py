"""Simplifying a journey map like Disco's sliders: which touchpoints and paths to keep."""

from __future__ import annotations

import numbers

import pandas as pd

from journey.errors import JourneyError

__all__ = ["check_amount", "keep_paths", "top_activities"]


def check_amount(name: str, value: object) -> int | float | None:
    """``None`` (keep all), a whole number to keep (1 or more) or a share in (0, 1]."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise JourneyError(f"{name}={value!r}: pass a whole number of items to keep, a share "
                           "in (0, 1], or None to keep all.")
    if isinstance(value, numbers.Integral):
        if value < 1:
            raise JourneyError(f"{name}={value!r}: keep at least 1, or pass None to keep all.")
        return int(value)
    if not 0 < value <= 1:
        raise JourneyError(f"{name}= must be a whole number to keep or a share in (0, 1], "
                           f"got {value!r}.")
    return None if value == 1 else float(value)


def _top_share(counts: pd.Series, share: float) -> list:
    """Smallest set of the largest entries of ``counts`` that covers ``share`` of the total."""
    ordered = counts.sort_values(ascending=False, kind="stable")
    cumulative = ordered.cumsum() / ordered.sum()
    n = int((cumulative < share - 1e-12).sum()) + 1
    return list(ordered.index[: min(n, len(ordered))])


def top_activities(counts: pd.Series, amount: int | float) -> list:
    """The most frequent touchpoints: the ``amount`` largest (ties by name) or those that
    cover a share ``amount`` of all events."""
    counts = counts.sort_index(key=lambda s: s.astype(str))
    if isinstance(amount, float):
        return _top_share(counts, amount)
    return list(counts.sort_values(ascending=False, kind="stable").index[:amount])


def keep_paths(transitions: pd.DataFrame, amount: int | float,
               starts: pd.DataFrame | None = None,
               ends: pd.DataFrame | None = None) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Which transitions (and Start/End edges) to keep, as boolean masks.

    With a whole number, the ``amount`` edges that carry most visits (``cases``) are kept;
    with a share, the busiest transitions that cover that share of all transitions. Then
    every touchpoint that has lost all its incoming edges gets back its busiest one, and
    likewise for outgoing edges, so that no touchpoint is cut off (the map may then show a
    few more edges than asked; with a whole number, the rarest edges that no touchpoint
    needs, outside the busiest half, then make room for them). ``starts``/``ends``
    (``activity, cases``) are the Start and End edges; they count as paths and connect
    touchpoints too.
    """
    starts = starts if starts is not None else pd.DataFrame({"activity": [], "cases": []})
    ends = ends if ends is not None else pd.DataFrame({"activity": [], "cases": []})
    edges = pd.concat([
        pd.DataFrame({"part": 0, "row": range(len(starts)), "source": None,
                      "target": list(starts["activity"]), "cases": list(starts["cases"])}),
        pd.DataFrame({"part": 1, "row": range(len(transitions)),
                      "source": list(transitions["source"]),
                      "target": list(transitions["target"]),
                      "cases": list(transitions["cases"])}),
        pd.DataFrame({"part": 2, "row": range(len(ends)), "source": list(ends["activity"]),
                      "target": None, "cases": list(ends["cases"])}),
    ], ignore_index=True)
    edges["_key"] = edges["source"].astype(str) + "\0" + edges["target"].astype(str)
    edges = edges.sort_values(["cases", "_key"], ascending=[False, True], kind="stable")
    if isinstance(amount, float):
        moves = edges[edges["part"] == 1]
        weight = transitions["transitions"].to_numpy()[moves["row"].to_numpy()]
        chosen = set(_top_share(pd.Series(weight, index=moves.index), amount))
        keep = edges.index.isin(list(chosen)) | (edges["part"] != 1).to_numpy()
    else:
        keep = edges.index.isin(list(edges.index[:amount]))
    keep = pd.Series(keep, index=edges.index)
    loops = edges["source"] == edges["target"]
    for end in ("target", "source"):
        real = edges[~loops & edges[end].notna()]
        has = set(real.loc[keep[real.index], end])
        lost = real[~real[end].isin(has)]
        keep[lost.groupby(end, sort=False).head(1).index] = True  # busiest first
    if isinstance(amount, int) and keep.sum() > amount:
        # back to ``amount`` edges: drop the rarest ones that no touchpoint needs
        kept = edges[keep]
        real = kept["source"] != kept["target"]
        ins = kept[real & kept["target"].notna()].groupby("target").size().to_dict()
        outs = kept[real & kept["source"].notna()].groupby("source").size().to_dict()
        extra = int(keep.sum()) - amount
        protected = set(edges.index[:(amount + 1) // 2])  # the busiest half always stays
        for i in kept.index[::-1]:
            if not extra or i in protected:
                break
            s, t = kept.at[i, "source"], kept.at[i, "target"]
            if s != t and (ins.get(t, 2) < 2 or outs.get(s, 2) < 2):
                continue
            if s != t:
                ins[t], outs[s] = ins.get(t, 2) - 1, outs.get(s, 2) - 1
            keep[i], extra = False, extra - 1
    masks = []
    for part, table in enumerate((starts, transitions, ends)):
        sel = edges[edges["part"] == part]
        mask = pd.Series(False, index=table.index)
        mask.iloc[sel["row"].to_numpy()] = keep[sel.index].to_numpy()
        masks.append(mask)
    return masks[0], masks[1], masks[2]
