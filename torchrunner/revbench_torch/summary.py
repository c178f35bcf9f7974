"""A plain-text summary of result CSVs for machines without Swift (`bench table` makes the README's tables):
- memory per image: for each configuration and variant measured at two or more batches, the slope of the step's
  bytes between the smallest and the largest batch (it cancels the fixed costs; README's definition), in MiB (the
  paper's unit), with images/s at each batch;
- budgets: per depth, each variant's max batch and images/s under the budget, and the reversible / standard and
  checkpointed / standard ratios of both, beside the paper's claim.
Rows whose timed steps hit allocator retries (CUDA) are flagged: their images/s is not the batch's steady rate."""
from . import record
from .record import retries_text, size_text

VARIANTS = ("standard", "reversible", "checkpointed")
KEY = ("model", "device", "engine", "precision", "width", "heads", "image_size", "patch_size", "attention")
PAPER = "paper: rev/std img/s up to 2.3x (arXiv v2) / 3.9x (CVPR) for deep models; below 1 at depth 12"


def _num(row, column):
    try:
        return float(row.get(column) or "")
    except ValueError:
        return None


def step_bytes(row):
    """The step's bytes above its start: the caching allocator's or the profiler's tensor bytes, else jemalloc's."""
    for column in ("step_ledger_bytes", "step_jemalloc_bytes"):
        value = _num(row, column)
        if value is not None:
            return value
    return None


def slope(rows):
    """(MiB per image, smallest batch, largest batch) from the step bytes of successful rows at two or more batches;
    None when fewer than two batches were measured."""
    points = sorted((int(r["batch"]), step_bytes(r)) for r in rows if not r.get("error") and step_bytes(r) is not None)
    if len(points) < 2 or points[0][0] == points[-1][0]:
        return None
    (b0, m0), (b1, m1) = points[0], points[-1]
    return (m1 - m0) / (b1 - b0) / 2**20, b0, b1


def _ratio(a, b):
    return f"{b / a:.2f}x" if a and b else "-"


def render(files):
    rows = [r for f in files for r in record.read(f)]
    memory, budgets = {}, {}
    for r in rows:
        config = tuple(r.get(c, "") for c in KEY)
        if r.get("memory_budget_bytes"):
            by_variant = budgets.setdefault(config + (r["memory_budget_bytes"],), {}).setdefault(int(r.get("depth") or 0), {})
            if not r.get("error") or by_variant.get(r["variant"], {}).get("error", "x"):
                by_variant[r["variant"]] = r    # a later measurement wins; an error row never hides a measurement
        else:
            memory.setdefault(config + (r.get("depth", ""),), {}).setdefault(r["variant"], []).append(r)
    lines = []
    if memory:
        lines += ["Memory per image (slope of the step's bytes between the smallest and largest batch, MiB) and img/s",
                  f"{'configuration':<60} {'variant':<13} {'MiB/img':>9}  {'img/s by batch':<28} note"]
        for key, by_variant in memory.items():
            model, device, _, precision = key[:4]
            label = f"{model} d{key[-1]} {key[8]} {device} {precision}"
            slopes = {}
            for v in VARIANTS:
                runs = by_variant.get(v)
                if not runs:
                    continue
                s = slope(runs)
                slopes[v] = s[0] if s else None
                speeds = ", ".join(f"b{r['batch']} {r.get('images_per_s') or '-'}" for r in sorted(runs, key=lambda r: int(r["batch"])))
                notes = "; ".join(n for n in [s and f"batches {s[1]}->{s[2]}"] + [r.get("error", "") for r in runs]
                                  + [retries_text(r) for r in runs] if n)
                lines.append(f"{label[:60]:<60} {v:<13} {'-' if not s else f'{s[0]:.2f}':>9}  {speeds:<28} {notes}")
            std = slopes.get("standard")
            ratios = [f"std/{short} {std / slopes[v]:.2f}x" for v, short in (("reversible", "rev"), ("checkpointed", "ckpt"))
                      if std and slopes.get(v)]
            if ratios:
                lines.append(f"{'':<60} memory {', '.join(ratios)}")
    if budgets:
        if lines:
            lines.append("")
        lines += [f"Budgets: max batch and img/s per variant; ratios to standard ({PAPER})",
                  f"{'configuration':<60} {'depth':>5} {'std batch':>9} {'img/s':>9} {'rev batch':>9} {'img/s':>9} "
                  f"{'ckpt batch':>10} {'img/s':>9}  {'rev/std batch':>13} {'img/s':>7} {'ckpt/std batch':>14} {'img/s':>7}  note"]
        for key, by_depth in budgets.items():
            model, device, _, precision = key[:4]
            label = f"{model} {key[8]} {device} {precision} {size_text(int(key[-1]))}"
            for depth in sorted(by_depth):
                by_variant = by_depth[depth]
                cells, notes = [], []
                for v in VARIANTS:
                    r = by_variant.get(v, {})
                    cells += [r.get("max_batch", "") or "", r.get("images_per_s", "") or ""]
                    notes += [f"{v}: {text}" for text in (r.get("error", ""), retries_text(r)) if text]
                s, rv, ck = (by_variant.get(v, {}) for v in VARIANTS)
                ratios = [_ratio(_num(s, c), _num(o, c)) for o in (rv, ck) for c in ("max_batch", "images_per_s")]
                lines.append(f"{label[:60]:<60} {depth:>5} {cells[0]:>9} {cells[1]:>9} {cells[2]:>9} {cells[3]:>9} "
                             f"{cells[4]:>10} {cells[5]:>9}  {ratios[0]:>13} {ratios[1]:>7} {ratios[2]:>14} {ratios[3]:>7}  "
                             f"{'; '.join(notes)}")
    return "\n".join(lines)
