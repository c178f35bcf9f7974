"""A plain-text summary of result CSVs for machines without Swift (`bench table` makes the README's tables): per
configuration, each variant's memory per image (MiB, the paper's unit) and images/s, or its max batch under a
budget, and the reversible/standard ratios."""
from . import record
from .runner import size_text

VARIANTS = ("standard", "reversible", "checkpointed")
KEY = ("model", "device", "engine", "precision", "depth", "width", "heads", "image_size", "patch_size")


def _num(row, column):
    try:
        return float(row.get(column) or "")
    except ValueError:
        return None


def render(files):
    rows = [r for f in files for r in record.read(f)]
    groups = {}
    for r in rows:
        budget = r.get("memory_budget_bytes") or ""
        key = tuple(r.get(c, "") for c in KEY) + (("budget", budget) if budget else ("batch", r.get("batch", "")))
        groups.setdefault(key, {})[r["variant"]] = r
    lines = [f"{'configuration':<58} {'variant':<13} {'batch':>6} {'MiB/img':>9} {'img/s':>9}  note"]
    for key, by_variant in groups.items():
        model, device, engine, precision, depth = key[:5]
        label = f"{model} d{depth} {device} {precision} " + (f"budget {size_text(int(key[-1]))}" if key[-2] == "budget"
                                                             else f"b{key[-1]}")
        for v in VARIANTS:
            r = by_variant.get(v)
            if r is None:
                continue
            mib = _num(r, "bytes_per_image")
            batch = r.get("max_batch") or r.get("batch", "")
            lines.append(f"{label[:58]:<58} {v:<13} {batch:>6} {'' if mib is None else f'{mib / 2**20:.1f}':>9} "
                         f"{r.get('images_per_s', ''):>9}  {r.get('error', '')}")
        s, rv = by_variant.get("standard"), by_variant.get("reversible")
        if s and rv:
            parts = []
            for column, name in (("bytes_per_image", "memory std/rev"), ("images_per_s", "img/s rev/std"),
                                 ("max_batch", "max batch rev/std")):
                a, b = _num(s, column), _num(rv, column)
                if a and b:
                    parts.append(f"{name} {(a / b if column == 'bytes_per_image' else b / a):.2f}x")
            if parts:
                lines.append(f"{'':<58} {', '.join(parts)}")
    return "\n".join(lines)
