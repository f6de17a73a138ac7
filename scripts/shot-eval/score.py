"""Scores detected transitions against the ground truth.

A transition covers the frames that do not belong to its outgoing shot:
[from_frame + 1, to_frame] (one frame for a hard cut). A detection matches a
true transition when the two spans, the true one widened by `tol` frames on
each side, overlap; matching is one-to-one, closest centres first.
"""

from collections import Counter


def span(t):
    return t["from_frame"] + 1, t["to_frame"]


def centre(t):
    a, b = span(t)
    return (a + b) / 2


def match(pred, truth, tol=2):
    """Pairs (pred_index, truth_index), one-to-one."""
    pairs = []
    for i, p in enumerate(pred):
        pa, pb = span(p)
        for j, t in enumerate(truth):
            ta, tb = span(t)
            if pa <= tb + tol and ta - tol <= pb:
                pairs.append((abs(centre(p) - centre(t)), i, j))
    used_p, used_t, out = set(), set(), []
    for _, i, j in sorted(pairs):
        if i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
            out.append((i, j))
    return out


class Tally:
    """Counts over many titles."""

    def __init__(self):
        self.c = Counter()

    def add(self, pred, truth, tol=2):
        pairs = match(pred, truth, tol)
        c = self.c
        c["pred"] += len(pred)
        c["true"] += len(truth)
        c["hit"] += len(pairs)
        for t in truth:
            c["true_" + t["kind"]] += 1
        for p in pred:
            c["pred_" + p.get("kind", "cut")] += 1
        for i, j in pairs:
            p, t = pred[i], truth[j]
            c["hit_" + t["kind"]] += 1
            c["predhit_" + p.get("kind", "cut")] += 1
            if t["kind"] == "cut":
                c["cut_exact"] += int(p["to_frame"] == t["to_frame"])
            else:
                c["gradual_from_err"] += abs(p["from_frame"] - t["from_frame"])
                c["gradual_to_err"] += abs(p["to_frame"] - t["to_frame"])
        return pairs

    def summary(self):
        c = self.c

        def ratio(a, b):
            return c[a] / c[b] if c[b] else float("nan")

        precision, recall = ratio("hit", "pred"), ratio("hit", "true")
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        gradual_true = c["true_dissolve"] + c["true_fade"]
        gradual_hit = c["hit_dissolve"] + c["hit_fade"]
        return {
            "transitions": c["true"], "detected": c["pred"],
            "precision": precision, "recall": recall, "f1": f1,
            "cut_recall": ratio("hit_cut", "true_cut"),
            "cut_precision": ratio("predhit_cut", "pred_cut"),
            "cut_exact": ratio("cut_exact", "hit_cut"),
            "dissolve_recall": ratio("hit_dissolve", "true_dissolve"),
            "fade_recall": ratio("hit_fade", "true_fade"),
            "gradual_recall": gradual_hit / gradual_true if gradual_true else float("nan"),
            "gradual_mean_boundary_error": (c["gradual_from_err"] + c["gradual_to_err"]) / (2 * gradual_hit)
            if gradual_hit else float("nan"),
        }
