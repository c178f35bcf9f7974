"""Where a model's memory for backward sits at the end of its forward: every tensor autograd saves (through
torch.autograd.graph.saved_tensors_hooks, each storage counted once, at the first block that saves it), attributed to
the stem, each block or reversible run, and the head. Used to trace Rev-MViT-B's memory to its stage transitions, and,
with --by-module, to compare a standard model block by block and module by module with `bench profile` (the
Swift engine's end_of_forward.csv; see docs/profiler.md).

  python -m revbench_torch breakdown --model rev_mvit_base_16 [--batch 2] [--attention fused] [--by-module]
"""
import torch
import torch.nn.functional as F

from . import models, presets


def breakdown(name, batch=2, seed=0, attention="math", by_module=False, int64_bytes=None):
    """[(segment label, bytes)] in forward order, and the loss; CPU, fp32. Parameters that autograd saves (a
    linear's weight, for its input gradient) and the input images are not activations and are not counted.
    `attention` "fused" runs F.scaled_dot_product_attention's fused kernels. With `by_module` (standard models),
    a block's label is split by the block's direct submodule that saves the tensor: "block 3 · attn"; what the
    block's own code saves (MViT's skip pooling) stays "block 3". A dict passed as `int64_bytes` receives, per
    label, the part of its bytes that are int64 tensors (max_pool2d's indices, where the Swift engine keeps a
    float32 argmax: half the bytes), so a comparison can state that difference instead of hiding it."""
    cfg = presets.config(name)
    variant = "reversible" if name.startswith("rev_") else "standard"
    model = models.use_sdpa(models.initialize(presets.build(cfg, variant), seed), attention == "fused")
    labels, current = {}, ["stem"]
    seen = {p.untyped_storage().data_ptr() for p in model.parameters()}

    def enter(label):
        return lambda module, args: current.__setitem__(0, label)

    hooks = []
    blocks = list(model.blocks)
    if isinstance(model, (models.RevMViT, models.RevViT)):
        # A reversible run calls its blocks' f and g, not the modules themselves: label it where the run starts.
        run = models.reversible_run

        def labelled_run(x, seg, recompute):
            first, last = blocks.index(seg[0]), blocks.index(seg[-1])
            current[0] = f"blocks {first}-{last} (reversible run)" if last > first else f"block {first} (reversible run)"
            return run(x, seg, recompute)
        models.reversible_run = labelled_run
        hooks.append(type("restore", (), {"remove": staticmethod(lambda: setattr(models, "reversible_run", run))})())
        for i, blk in enumerate(blocks):
            if isinstance(blk, models.RevMViTTransition):
                hooks.append(blk.register_forward_pre_hook(enter(f"block {i} (stage transition)")))
    else:
        for i, blk in enumerate(model.blocks):
            hooks.append(blk.register_forward_pre_hook(enter(f"block {i}")))
            if by_module:
                for child_name, child in blk.named_children():
                    hooks.append(child.register_forward_pre_hook(enter(f"block {i} · {child_name}")))
                    hooks.append(child.register_forward_hook(
                        lambda module, args, out, label=f"block {i}": current.__setitem__(0, label)))
    hooks.append(model.norm.register_forward_pre_hook(enter("head")))

    def pack(t):
        key = t.untyped_storage().data_ptr()
        if key not in seen:
            seen.add(key)
            labels[current[0]] = labels.get(current[0], 0) + t.untyped_storage().nbytes()
            if int64_bytes is not None and t.dtype == torch.int64:
                int64_bytes[current[0]] = int64_bytes.get(current[0], 0) + t.untyped_storage().nbytes()
        return t

    gen = torch.Generator().manual_seed(seed + 99)
    x = torch.randn(batch, 3, cfg.image_size, cfg.image_size, generator=gen)
    y = torch.randint(0, cfg.classes, (batch,), generator=gen)
    seen.add(x.untyped_storage().data_ptr())  # the input batch is not an activation (bench counts it in the baseline)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = F.cross_entropy(model(x), y)
    for h in hooks:
        h.remove()
    return list(labels.items()), loss.item()


def render(name, batch=2, attention="math", by_module=False):
    rows, _ = breakdown(name, batch, attention=attention, by_module=by_module)
    total = sum(b for _, b in rows)
    lines = [f"{name}, batch {batch}, {attention} attention: saved for backward at the end of forward "
             f"(PyTorch twin, CPU, fp32)",
             f"{'segment':<36} {'MB/img':>9} {'MiB/img':>9} {'share':>7}"]
    for label, b in rows:
        lines.append(f"{label:<36} {b / batch / 1e6:9.1f} {b / batch / 2**20:9.1f} {100 * b / total:6.1f}%")
    lines.append(f"{'total':<36} {total / batch / 1e6:9.1f} {total / batch / 2**20:9.1f} {100.0:6.1f}%")
    return "\n".join(lines)
