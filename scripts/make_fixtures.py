#!/usr/bin/env python3
"""Regenerates the golden fixtures under Tests/Fixtures from PyTorch (CPU, float32).

Each fixture is a folder with manifest.json (torch version, config, tensor names, shapes, offsets) and data.bin
(the tensors as little-endian float32, back to back). The Swift tests read these files and never run Python.
Models here are written for RevBench from the paper and the reference code's configs; names match the Swift
engine's parameter names (timm's naming for the standard ViT).

Usage: python3 scripts/make_fixtures.py [--out Tests/Fixtures]   (needs torch; see scripts/compare-pytorch)
"""
import argparse, json, os, struct, sys
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torchrunner"))
from revbench_torch.models import EPS, Attention, Block, ViT, RevViT, MultiScaleBlock  # noqa: E402


def write_fixture(out_dir, name, config, tensors):
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    manifest = {"torch_version": torch.__version__, "config": config, "tensors": {}}
    offset = 0
    with open(os.path.join(folder, "data.bin"), "wb") as f:
        for key, t in tensors.items():
            t = t.detach().to(torch.float32).contiguous().cpu()
            flat = t.reshape(-1).tolist()
            f.write(struct.pack("<%df" % len(flat), *flat))
            manifest["tensors"][key] = {"shape": list(t.shape), "offset": offset, "count": len(flat)}
            offset += len(flat)
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    print(f"wrote {folder}: {len(tensors)} tensors, {offset} floats")


def randomize(module, gen, scale=0.2):
    """Random weights with enough spread that attention is far from uniform and every term matters."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("norm.weight") or ".norm1.weight" in name or ".norm2.weight" in name or name == "weight":
                p.copy_(1 + 0.3 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(scale * torch.randn(p.shape, generator=gen))


def params_and_grads(module):
    out = {}
    for name, p in module.named_parameters():
        out["param." + name] = p
        out["grad." + name] = p.grad
    return out


def layer_fixture(module, x, gen):
    x = x.clone().requires_grad_(True)
    y = module(x)
    dy = torch.randn(y.shape, generator=gen)
    y.backward(dy)
    return {"x": x, "y": y, "dy": dy, "dx": x.grad, **params_and_grads(module)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures"))
    args = ap.parse_args()
    torch.set_default_dtype(torch.float32)
    gen = torch.Generator().manual_seed(20221)

    b, n, c, heads = 2, 5, 16, 4
    ln = nn.LayerNorm(c, eps=EPS); randomize(ln, gen)
    write_fixture(args.out, "layernorm", {"batch": b, "tokens": n, "width": c, "eps": EPS},
                  layer_fixture(ln, torch.randn(b, n, c, generator=gen), gen))

    attn = Attention(c, heads); randomize(attn, gen, scale=0.4)
    write_fixture(args.out, "attention", {"batch": b, "tokens": n, "width": c, "heads": heads},
                  layer_fixture(attn, torch.randn(b, n, c, generator=gen), gen))

    blk = Block(c, heads); randomize(blk, gen, scale=0.3)
    write_fixture(args.out, "block", {"batch": b, "tokens": n, "width": c, "heads": heads, "mlp_ratio": 4},
                  layer_fixture(blk, torch.randn(b, n, c, generator=gen), gen))

    for name, cls, depth in [("vit_tiny", ViT, 2), ("rev_vit_tiny", RevViT, 3)]:
        cfg = {"image_size": 8, "patch_size": 4, "width": 16, "depth": depth, "heads": 2, "classes": 5, "batch": 3}
        model = cls(cfg["image_size"], cfg["patch_size"], cfg["width"], depth, cfg["heads"], cfg["classes"])
        randomize(model, gen, scale=0.3)
        images = torch.randn(cfg["batch"], 3, cfg["image_size"], cfg["image_size"], generator=gen)
        labels = torch.tensor([1, 4, 0])
        logits = model(images)
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        write_fixture(args.out, name, cfg, {"images": images, "labels": labels.float(), "logits": logits,
                                            "loss": loss.reshape(1), **params_and_grads(model)})

    # MViT block: class token, Q pooled (stride 2), K/V pooled (stride 2), max-pool skip, MLP widening 8 -> 16.
    side = 4
    mblk = MultiScaleBlock(8, 16, 2, 2, 2); randomize(mblk, gen, scale=0.4)
    with torch.no_grad():
        for name, p in mblk.named_parameters():
            if "norm" in name and name.endswith("weight"):
                p.add_(1.0)
    x = torch.randn(2, 1 + side * side, 8, generator=gen).requires_grad_(True)
    y = mblk(x, side)
    dy = torch.randn(y.shape, generator=gen)
    y.backward(dy)
    write_fixture(args.out, "mvit_block", {"batch": 2, "side": side, "width": 8, "out_width": 16, "heads": 2,
                                           "q_stride": 2, "kv_stride": 2},
                  {"x": x, "y": y, "dy": dy, "dx": x.grad, **params_and_grads(mblk)})

    # MViT stem: Conv2d(3, 4, kernel 7, stride 4, padding 3) on a 9x9 image -> 3x3 tokens, channel-last.
    stem = nn.Conv2d(3, 4, 7, stride=4, padding=3); randomize(stem, gen, scale=0.3)
    img = torch.randn(2, 3, 9, 9, generator=gen).requires_grad_(True)
    out = stem(img).flatten(2).transpose(1, 2)
    dy = torch.randn(out.shape, generator=gen)
    out.backward(dy)
    write_fixture(args.out, "conv_stem", {"batch": 2, "image_size": 9, "kernel": 7, "stride": 4, "padding": 3, "width": 4},
                  {"x": img, "y": out, "dy": dy, "dx": img.grad, "param.proj.weight": stem.weight,
                   "grad.proj.weight": stem.weight.grad, "param.proj.bias": stem.bias, "grad.proj.bias": stem.bias.grad})


if __name__ == "__main__":
    main()
