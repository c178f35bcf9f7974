"""PyTorch twins of RevBench's models, written for this project from the paper's description and the reference
code's configs (SlowFast's REV_VIT_* and MVIT_B_16_CONV / REV_MVIT_B_16_CONV).

Parameter names match the Swift engine's (timm's naming for the standard ViT); LayerNorm eps 1e-6, exact-erf GELU,
explicit attention (softmax(q k^T * d^-0.5) v, the probabilities kept for backward, as the paper's code does), or
with `use_sdpa` F.scaled_dot_product_attention on the same weights (PyTorch picks a fused kernel that keeps only each
row's log-sum-exp: RevBench's `--attention fused`).
Used by the runner (revbench_torch), scripts/make_fixtures.py (golden fixtures) and scripts/compare-pytorch.

Backpropagation is a flag on one set of weights (minREV style):
- standard: plain autograd;
- checkpointed: torch.utils.checkpoint per block (non-reentrant);
- reversible models: `recompute = True` runs each reversible run as one autograd Function (ReversibleRun) that
  keeps only the run's final two streams and reconstructs block inputs in backward; `recompute = False` is the
  store-everything reference (plain autograd through the same blocks), used to check the recompute gradients.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.checkpoint

EPS = 1e-6


# ---------------------------------------------------------------------------------------------------------------
# ViT parts

def fused_kernels():
    """SDPA restricted to its memory-efficient kernels (flash, or the memory-efficient one, which takes fp32 on
    CUDA): a silent fall-back to the math kernel would keep the probabilities and make the "fused" rows measure
    explicit attention; this way it fails loudly instead."""
    from torch.nn.attention import SDPBackend, sdpa_kernel
    return sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION])


def use_sdpa(model, on=True):
    """Switches every attention core of `model` to F.scaled_dot_product_attention (on) or explicit attention."""
    for m in model.modules():
        if isinstance(m, (Attention, PoolingAttention)):
            m.sdpa = on
    return model


class Attention(nn.Module):
    """Multi-head self-attention with a fused qkv projection. x (B, N, C) -> (B, N, C)."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.head_dim, self.sdpa = heads, dim // heads, False
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]                                  # (B, H, N, D) each
        if self.sdpa:
            with fused_kernels():
                x = F.scaled_dot_product_attention(q, k, v, scale=self.head_dim ** -0.5)
        else:
            attn = (q @ k.transpose(-2, -1)) * self.head_dim ** -0.5      # (B, H, N, N)
            x = attn.softmax(dim=-1) @ v
        x = x.transpose(1, 2).reshape(b, n, c)
        return self.proj(x)


class Mlp(nn.Module):
    def __init__(self, dim, hidden, out=None):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, out or dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    """Pre-norm transformer block; F = attn(norm1(.)), G = mlp(norm2(.)). Standard: x + F, then + G."""

    def __init__(self, dim, heads, mlp_ratio=4):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=EPS)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=EPS)
        self.mlp = Mlp(dim, dim * mlp_ratio)

    def f(self, x):
        return self.attn(self.norm1(x))

    def g(self, x):
        return self.mlp(self.norm2(x))

    def forward(self, x):
        x = x + self.f(x)
        return x + self.g(x)


class PatchEmbed(nn.Module):
    def __init__(self, image, patch, dim, channels=3):
        super().__init__()
        self.proj = nn.Conv2d(channels, dim, patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)                    # (B, Np, C)


def run_blocks(x, blocks, checkpointed):
    for blk in blocks:
        x = torch.utils.checkpoint.checkpoint(blk, x, use_reentrant=False) if checkpointed else blk(x)
    return x


class ViT(nn.Module):
    """Standard ViT: [cls; patches] + pos -> blocks -> LayerNorm -> head on the class token."""

    def __init__(self, image, patch, dim, depth, heads, classes, checkpointed=False):
        super().__init__()
        n = (image // patch) ** 2
        self.checkpointed = checkpointed
        self.patch_embed = PatchEmbed(image, patch, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, dim))
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=EPS)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        x = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        x = run_blocks(x, self.blocks, self.checkpointed)
        return self.head(self.norm(x)[:, 0])


class CheckpointedViT(ViT):
    """The standard ViT with each block recomputed in backward (torch.utils.checkpoint, non-reentrant)."""

    def __init__(self, *args):
        super().__init__(*args, checkpointed=True)


# ---------------------------------------------------------------------------------------------------------------
# Reversible runs

def two_stream_forward(x1, x2, blocks):
    """Y1 = X1 + F(X2); Y2 = X2 + G(Y1), block by block."""
    for blk in blocks:
        y1 = x1 + blk.f(x2)
        x2 = x2 + blk.g(y1)
        x1 = y1
    return x1, x2


class ReversibleRun(torch.autograd.Function):
    """A run of reversible blocks from X1 = X2 = x, returning [Y1, Y2] (B, N, 2C). Forward runs without grad and
    saves only the final streams; backward walks the blocks from last to first:
        recompute g = G(Y1), backprop dY2 through it (dY1 += its input grad); X2 = Y2 - g;
        recompute f = F(X2), backprop dY1 through it (dY2 += its input grad); X1 = Y1 - f.
    Parameter gradients accumulate through the recomputed graphs. Autocast state is replayed in backward. Each
    stream's input gradient is dropped as soon as it is added in, and the previous block's tensors before the next
    block's recompute (as the reference code does), so at most one block's recompute graph and the four streams
    (Y1, Y2, dY1, dY2) are alive."""

    @staticmethod
    def forward(ctx, x, blocks, *params):
        ctx.autocast = [(dev, torch.is_autocast_enabled(dev), torch.get_autocast_dtype(dev)) for dev in ("cuda", "cpu")]
        with torch.no_grad():
            y1, y2 = two_stream_forward(x, x, blocks)
        ctx.blocks = blocks
        ctx.save_for_backward(y1.detach(), y2.detach())
        return torch.cat([y1, y2], dim=-1)

    @staticmethod
    def backward(ctx, dcat):
        y1, y2 = ctx.saved_tensors
        dy1, dy2 = (t.contiguous() for t in dcat.chunk(2, dim=-1))
        for blk in reversed(ctx.blocks):
            with _autocast(ctx.autocast):
                with torch.enable_grad():
                    y1.requires_grad_(True)
                    g = blk.g(y1)
                    g.backward(dy2)
                with torch.no_grad():
                    x2 = y2 - g
                    del g, y2
                    dy1 = dy1 + y1.grad
                    y1.grad = None
                with torch.enable_grad():
                    x2.requires_grad_(True)
                    f = blk.f(x2)
                    f.backward(dy1)
                with torch.no_grad():
                    x1 = y1 - f
                    del f, y1
                    dy2 = dy2 + x2.grad
                    x2.grad = None
            y1, y2 = x1.detach(), x2.detach()
            del x1, x2
        return (dy1 + dy2, None) + (None,) * (len(ctx.needs_input_grad) - 2)


class _autocast:
    """Re-enters the autocast state a ReversibleRun's forward ran under."""

    def __init__(self, states):
        self.contexts = [torch.autocast(dev, dtype=dtype, enabled=on) for dev, on, dtype in states if on]

    def __enter__(self):
        for c in self.contexts:
            c.__enter__()

    def __exit__(self, *exc):
        for c in reversed(self.contexts):
            c.__exit__(*exc)


def reversible_run(x, blocks, recompute):
    """[Y1, Y2] of a run from X1 = X2 = x: by ReversibleRun, or by plain autograd (the store-everything reference)."""
    if recompute:
        return ReversibleRun.apply(x, blocks, *[p for b in blocks for p in b.parameters()])
    y1, y2 = two_stream_forward(x, x, blocks)
    return torch.cat([y1, y2], dim=-1)


class RevViT(nn.Module):
    """Rev-ViT: patches + pos (no class token), X1 = X2 = x, reversible blocks (the standard block's F and G
    without inner residuals), LayerNorm over [Y1, Y2] (2C), mean over tokens, Linear(2C -> classes)."""

    def __init__(self, image, patch, dim, depth, heads, classes, recompute=False):
        super().__init__()
        n = (image // patch) ** 2
        self.recompute = recompute
        self.patch_embed = PatchEmbed(image, patch, dim)
        self.pos_embed = nn.Parameter(torch.zeros(1, n, dim))
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(2 * dim, eps=EPS)
        self.head = nn.Linear(2 * dim, classes)

    def forward(self, x):
        x = self.patch_embed(x) + self.pos_embed
        cat = reversible_run(x, list(self.blocks), self.recompute)
        return self.head(self.norm(cat).mean(dim=1))


class RevViTRecompute(RevViT):
    """The same weights as RevViT, trained with reversible recompute (memory independent of depth)."""

    def __init__(self, *args):
        super().__init__(*args, recompute=True)


# ---------------------------------------------------------------------------------------------------------------
# MViT-B parts

class PoolingAttention(nn.Module):
    """MViT pooling attention: q, k, v projections (fused `qkv` in MViT-B, separate in Rev-MViT-B), then q
    (optionally), k and v pooled by a depthwise 3x3 conv over the head dim (shared by heads, no bias) + LayerNorm
    over the head dim; a class token skips the conv but not the norm. Scale d^-0.5, output projection."""

    def __init__(self, dim, heads, q_stride, kv_stride, cls=True, fused=True):
        super().__init__()
        self.heads, self.hd, self.cls, self.fused, self.sdpa = heads, dim // heads, cls, fused, False
        hd = self.hd
        if fused:
            self.qkv = nn.Linear(dim, 3 * dim)
        else:
            self.q, self.k, self.v = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        if q_stride > 1:
            self.pool_q = nn.Conv2d(hd, hd, 3, q_stride, 1, groups=hd, bias=False)
            self.norm_q = nn.LayerNorm(hd, eps=EPS)
        else:
            self.pool_q, self.norm_q = None, None
        self.pool_k = nn.Conv2d(hd, hd, 3, kv_stride, 1, groups=hd, bias=False)
        self.norm_k = nn.LayerNorm(hd, eps=EPS)
        self.pool_v = nn.Conv2d(hd, hd, 3, kv_stride, 1, groups=hd, bias=False)
        self.norm_v = nn.LayerNorm(hd, eps=EPS)
        self.proj = nn.Linear(dim, dim)

    def pool(self, t, conv, norm, side):
        """t (B, H, cls + T*T, D) -> (B, H, cls + S*S, D)."""
        if conv is None:
            return t
        b, h, _, d = t.shape
        c = 1 if self.cls else 0
        head, sp = t[:, :, :c], t[:, :, c:]
        sp = conv(sp.reshape(b * h, side, side, d).permute(0, 3, 1, 2))
        s = sp.shape[-1]
        sp = sp.reshape(b, h, d, s * s).transpose(2, 3)
        return norm(torch.cat([head, sp], dim=2))

    def split_heads(self, t):
        b, n, _ = t.shape
        return t.reshape(b, n, self.heads, self.hd).transpose(1, 2)       # (B, H, N, D)

    def forward(self, x, side):
        b, n, c = x.shape
        if self.fused:
            q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, self.hd).permute(2, 0, 3, 1, 4)
        else:
            q, k, v = self.split_heads(self.q(x)), self.split_heads(self.k(x)), self.split_heads(self.v(x))
        q = self.pool(q, self.pool_q, self.norm_q, side)
        k = self.pool(k, self.pool_k, self.norm_k, side)
        v = self.pool(v, self.pool_v, self.norm_v, side)
        if self.sdpa:
            with fused_kernels():
                x = F.scaled_dot_product_attention(q, k, v, scale=self.hd ** -0.5)
        else:
            attn = ((q * self.hd ** -0.5) @ k.transpose(-2, -1)).softmax(dim=-1)  # (B, H, Nq, Nk)
            x = attn @ v
        x = x.transpose(1, 2).reshape(b, q.shape[2], c)
        return self.proj(x)


class MultiScaleBlock(nn.Module):
    """MViT-B block: x1 = skip(x) + attn(norm1(x)) (skip = max-pool 3x3/2 where q is pooled, class token passed);
    y = skip2 + mlp(norm2(x1)) (skip2 = proj(norm2(x1)) where the MLP widens to dim_out)."""

    def __init__(self, dim, dim_out, heads, q_stride, kv_stride, side=None):
        super().__init__()
        self.side = side
        self.norm1 = nn.LayerNorm(dim, eps=EPS)
        self.attn = PoolingAttention(dim, heads, q_stride, kv_stride)
        self.norm2 = nn.LayerNorm(dim, eps=EPS)
        self.mlp = nn.Sequential()
        self.mlp.fc1 = nn.Linear(dim, 4 * dim)
        self.mlp.fc2 = nn.Linear(4 * dim, dim_out)
        self.proj = nn.Linear(dim, dim_out) if dim_out != dim else None
        self.q_stride = q_stride

    def forward(self, x, side=None):
        side = side or self.side
        a = self.attn(self.norm1(x), side)
        if self.q_stride > 1:
            cls, sp = x[:, :1], x[:, 1:]
            b, _, c = sp.shape
            sp = F.max_pool2d(sp.reshape(b, side, side, c).permute(0, 3, 1, 2), 3, 2, 1)
            x = torch.cat([cls, sp.flatten(2).transpose(1, 2)], dim=1)
        x = x + a
        h = self.norm2(x)
        m = self.mlp.fc2(F.gelu(self.mlp.fc1(h)))
        return (self.proj(h) if self.proj is not None else x) + m


def mvit_plan(image, stride, width, depth, heads):
    """MViT-B-16's block plan, as the Swift engine's MViTPlan: stages of 1, 2, depth-5, 2 blocks with widths
    w, 2w, 4w, 8w and heads h, 2h, 4h, 8h; Q pooled (stride 2) in the first block of stages 2-4; K and V pooled with
    stride 4, 2, 1, 1 by stage; the last block of stages 1-3 widens its MLP output to 2x. One dict per block."""
    side = image // stride
    blocks = []
    for stage, count in enumerate([1, 2, depth - 5, 2]):
        w, h = width << stage, heads << stage
        for j in range(count):
            q = 2 if stage > 0 and j == 0 else 1
            out_side = (side + 2 - 3) // q + 1 if q > 1 else side
            blocks.append(dict(index=len(blocks), stage=stage, width=w, heads=h, q_stride=q,
                               kv_stride=[4, 2, 1, 1][stage], side=side, out_side=out_side,
                               kv_side=(side + 2 - 3) // [4, 2, 1, 1][stage] + 1,
                               out_width=2 * w if j == count - 1 and stage < 3 else w,
                               transition=stage > 0 and q > 1))
            side = out_side
    return blocks


class ConvStem(nn.Module):
    """Conv2d 3 -> w, 7x7, stride 4, pad 3, with bias: images -> tokens (B, S*S, w)."""

    def __init__(self, width, stride, channels=3):
        super().__init__()
        self.proj = nn.Conv2d(channels, width, 7, stride, 3)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class MViT(nn.Module):
    """MViT-B-16: stem -> [cls; tokens] + pos -> multiscale blocks -> LayerNorm -> head on the class token."""

    def __init__(self, image, stride, width, depth, heads, classes, checkpointed=False):
        super().__init__()
        self.checkpointed = checkpointed
        plan = mvit_plan(image, stride, width, depth, heads)
        side = image // stride
        self.patch_embed = ConvStem(width, stride)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, width))
        self.pos_embed = nn.Parameter(torch.zeros(1, side * side + 1, width))
        self.blocks = nn.ModuleList([MultiScaleBlock(s["width"], s["out_width"], s["heads"], s["q_stride"],
                                                     s["kv_stride"], side=s["side"]) for s in plan])
        self.norm = nn.LayerNorm(plan[-1]["out_width"], eps=EPS)
        self.head = nn.Linear(plan[-1]["out_width"], classes)

    def forward(self, x):
        x = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        x = run_blocks(x, self.blocks, self.checkpointed)
        return self.head(self.norm(x)[:, 0])


class RevMViTBlock(nn.Module):
    """F and G of a reversible Rev-MViT-B block: F = attn(norm1(.)) with K/V pooling (separate q, k, v, no class
    token), G = mlp(norm2(.)), width and token count unchanged."""

    def __init__(self, spec):
        super().__init__()
        c = spec["width"]
        self.side = spec["side"]
        self.norm1 = nn.LayerNorm(c, eps=EPS)
        self.attn = PoolingAttention(c, spec["heads"], 1, spec["kv_stride"], cls=False, fused=False)
        self.norm2 = nn.LayerNorm(c, eps=EPS)
        self.mlp = Mlp(c, 4 * c)

    def f(self, x):
        return self.attn(self.norm1(x), self.side)

    def g(self, x):
        return self.mlp(self.norm2(x))


class RevMViTTransition(nn.Module):
    """A non-reversible stage transition of Rev-MViT-B (blocks 1, 3, 14), one stream of width W = [Y1, Y2] in:
    x = x + fuse(x) (MLP W -> 2W -> W, no LayerNorm); y = PoolQ(x) + attn(norm1(x)) (the residual pooled per head by
    attention's own Q conv and norm); y = y + mlp(norm2(y))."""

    def __init__(self, spec):
        super().__init__()
        w = spec["width"]
        self.side = spec["side"]
        self.fuse = Mlp(w, 2 * w)
        self.norm1 = nn.LayerNorm(w, eps=EPS)
        self.attn = PoolingAttention(w, spec["heads"], spec["q_stride"], spec["kv_stride"], cls=False, fused=False)
        self.norm2 = nn.LayerNorm(w, eps=EPS)
        self.mlp = Mlp(w, 4 * w)

    def forward(self, x):
        x = x + self.fuse(x)
        a = self.attn(self.norm1(x), self.side)
        pooled = self.attn.pool(self.attn.split_heads(x), self.attn.pool_q, self.attn.norm_q, self.side)
        b, h, n, d = pooled.shape
        y = pooled.transpose(1, 2).reshape(b, n, h * d) + a
        return y + self.mlp(self.norm2(y))


class RevMViT(nn.Module):
    """Rev-MViT-B: stem + pos (no class token), segments of reversible runs separated by stage transitions, head
    LayerNorm over [Y1, Y2] -> mean over tokens -> Linear. Transitions run under plain autograd, as in the
    reference code."""

    def __init__(self, image, stride, width, depth, heads, classes, recompute=False):
        super().__init__()
        self.recompute = recompute
        plan = mvit_plan(image, stride, width, depth, heads)
        side = image // stride
        self.patch_embed = ConvStem(width, stride)
        self.pos_embed = nn.Parameter(torch.zeros(1, side * side, width))
        self.blocks = nn.ModuleList([RevMViTTransition(s) if s["transition"] else RevMViTBlock(s) for s in plan])
        self.segments = []                                   # ("run", [blocks]) or ("transition", block)
        for blk in self.blocks:
            if isinstance(blk, RevMViTTransition):
                self.segments.append(("transition", blk))
            elif self.segments and self.segments[-1][0] == "run":
                self.segments[-1][1].append(blk)
            else:
                self.segments.append(("run", [blk]))
        last = plan[-1]["width"]
        self.norm = nn.LayerNorm(2 * last, eps=EPS)
        self.head = nn.Linear(2 * last, classes)

    def forward(self, x):
        x = self.patch_embed(x) + self.pos_embed
        for kind, seg in self.segments:
            x = seg(x) if kind == "transition" else reversible_run(x, seg, self.recompute)
        return self.head(self.norm(x).mean(dim=1))


# ---------------------------------------------------------------------------------------------------------------
# Initialisation, as the Swift engine's initializeWeights

def initialize(model, seed=0):
    """Truncated normal std 0.02 (at +-2 std) for weights and position embeddings, zero biases, LayerNorm weight 1
    and bias 0, class token normal std 1e-6 (timm)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.rsplit(".", 1)[-1]
            module = model.get_submodule(name.rsplit(".", 1)[0]) if "." in name else model
            if leaf == "bias":
                p.zero_()
            elif isinstance(module, nn.LayerNorm):
                p.fill_(1)
            elif leaf == "cls_token":
                p.copy_(torch.randn(p.shape, generator=gen) * 1e-6)
            else:
                t = torch.empty(p.shape)
                nn.init.trunc_normal_(t, std=0.02, a=-0.04, b=0.04, generator=gen)
                p.copy_(t)
    return model
