"""The presets of `bench list`, with the same overrides and the same analytic MAC count (fvcore convention:
linears, convs, q k^T and attn v; LayerNorm, softmax and GELU not counted), so a PyTorch row describes exactly the
configuration a RevBench row does."""
from dataclasses import dataclass, replace

from . import models


@dataclass(frozen=True)
class Config:
    family: str          # "vit" or "mvit"
    image_size: int
    patch_size: int      # the ViT patch, or MViT's stem stride (4)
    width: int           # ViT width, or MViT's stage-1 width
    depth: int
    heads: int
    classes: int = 1000
    channels: int = 3
    mlp_ratio: int = 4
    attention: str = "math"  # "math" (explicit, the probabilities kept) or "fused" (F.scaled_dot_product_attention)

    @property
    def patches(self):
        return (self.image_size // self.patch_size) ** 2

    def tokens(self, variant):
        """Tokens through the blocks (MViT: through the first stage)."""
        return self.patches if variant == "reversible" else self.patches + 1

    def validate(self):
        for name in ("depth", "width", "heads", "image_size", "patch_size", "classes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name.replace('_', ' ')} must be a positive integer, got {getattr(self, name)}")
        if self.width % self.heads:
            raise ValueError(f"width {self.width} is not divisible by heads {self.heads}")
        if self.patch_size > self.image_size:
            raise ValueError(f"patch size {self.patch_size} is larger than image size {self.image_size}")
        if self.attention not in ATTENTION:
            raise ValueError(f"attention '{self.attention}' is not one of {', '.join(ATTENTION)}")
        if self.image_size % self.patch_size:
            raise ValueError(f"image size {self.image_size} is not divisible by patch size {self.patch_size}")
        if self.family == "mvit":
            if self.depth < 6:
                raise ValueError(f"depth {self.depth} is too small for MViT: 1 + 2 + (depth - 5) + 2 blocks need depth >= 6")
            if self.image_size % 32:
                raise ValueError(f"image size {self.image_size} must be divisible by 32 for MViT")
        return self


def _pair(name, config):
    return {name: config, "rev_" + name: config}


PRESETS = {
    **_pair("vit_small_patch16_224", Config("vit", 224, 16, 384, 12, 6)),
    **_pair("vit_base_patch16_224", Config("vit", 224, 16, 768, 12, 12)),
    **_pair("vit_large_patch16_224", Config("vit", 224, 16, 1024, 24, 16)),
    **_pair("vit_tiny_test", Config("vit", 32, 8, 32, 4, 2, classes=10)),
    **_pair("mvit_base_16", Config("mvit", 224, 4, 96, 16, 1)),
    **_pair("mvit_tiny_test", Config("mvit", 64, 4, 16, 7, 1, classes=10)),
}

OVERRIDES = ("depth", "width", "heads", "image_size", "patch_size", "classes", "attention")
ATTENTION = ("math", "fused")


def pair_name(name):
    """The standard-side name of a pair (what rows record as `model`)."""
    return name[4:] if name.startswith("rev_") else name


def config(name, **overrides):
    """The validated configuration of preset `name` with the given overrides (None keeps the preset's value)."""
    if name not in PRESETS:
        raise ValueError(f"unknown model '{name}'; known models: {', '.join(PRESETS)}")
    set_ = {k: v for k, v in overrides.items() if v is not None}
    unknown = set(set_) - set(OVERRIDES)
    if unknown:
        raise ValueError(f"unknown override {sorted(unknown)}; allowed: {', '.join(OVERRIDES)}")
    return replace(PRESETS[name], **set_).validate()


def build(cfg, variant):
    """The model of `variant` (standard, checkpointed, reversible), weights uninitialised."""
    args = (cfg.image_size, cfg.patch_size, cfg.width, cfg.depth, cfg.heads, cfg.classes)
    if cfg.family == "vit":
        if variant == "reversible":
            return models.use_sdpa(models.RevViT(*args, recompute=True), cfg.attention == "fused")
        return models.use_sdpa(models.ViT(*args, checkpointed=variant == "checkpointed"), cfg.attention == "fused")
    if variant == "reversible":
        model = models.RevMViT(*args, recompute=True)
    else:
        model = models.MViT(*args, checkpointed=variant == "checkpointed")
    return models.use_sdpa(model, cfg.attention == "fused")


def macs_per_image(cfg, variant):
    """Forward multiply-adds per image, as the Swift engine's ViTConfig.macsPerImage / MViTPlan.macs."""
    if cfg.family == "mvit":
        return _mvit_macs(cfg, variant)
    n, c = cfg.tokens(variant), cfg.width
    patch_embed = cfg.patches * cfg.channels * cfg.patch_size ** 2 * c
    attention = n * c * 3 * c + n * c * c + 2 * n * n * c
    mlp = 2 * n * c * cfg.mlp_ratio * c
    head = (2 * c if variant == "reversible" else c) * cfg.classes
    return patch_embed + cfg.depth * (attention + mlp) + head


def _mvit_macs(cfg, variant):
    cls = 0 if variant == "reversible" else 1
    plan = models.mvit_plan(cfg.image_size, cfg.patch_size, cfg.width, cfg.depth, cfg.heads)
    side = cfg.image_size // cfg.patch_size
    total = side * side * cfg.channels * 49 * cfg.width
    for b in plan:
        w = b["width"]
        n, nq, nk = cls + b["side"] ** 2, cls + b["out_side"] ** 2, cls + b["kv_side"] ** 2
        d = w // b["heads"]
        pools = b["heads"] * d * 9 * ((b["out_side"] ** 2 if b["q_stride"] > 1 else 0) + 2 * b["kv_side"] ** 2)
        m = n * w * 3 * w + pools + 2 * nq * nk * w + nq * w * w
        if variant != "reversible":
            m += nq * w * 4 * w + nq * 4 * w * b["out_width"]
            if b["out_width"] != w:
                m += nq * w * b["out_width"]
        elif b["transition"]:
            m += n * 4 * w * w + b["heads"] * d * 9 * b["out_side"] ** 2 + nq * 8 * w * w
        else:
            m += nq * 8 * w * w
        total += m
    head_in = 2 * plan[-1]["width"] if variant == "reversible" else plan[-1]["width"]
    return total + head_in * cfg.classes


def passes_per_step(variant):
    """Forward-equivalent passes of a training step: 3 (forward + backward), 4 with a recomputing forward."""
    return 3 if variant == "standard" else 4
