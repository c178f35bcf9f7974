"""PyTorch versions of RevBench's models, written for this project from the paper's description.

Used by scripts/make_fixtures.py (golden fixtures) and scripts/compare-pytorch (speed comparison). Parameter
names match the Swift engine's (timm's naming for the standard ViT). LayerNorm eps 1e-6, exact-erf GELU.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.checkpoint

EPS = 1e-6


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)) * self.head_dim ** -0.5
        attn = attn.softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(b, n, c)
        return self.proj(x)


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    """Pre-norm transformer block; F = attn(norm1(.)), G = mlp(norm2(.))."""
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
    def __init__(self, image, patch, dim):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class ViT(nn.Module):
    def __init__(self, image, patch, dim, depth, heads, classes):
        super().__init__()
        n = (image // patch) ** 2
        self.patch_embed = PatchEmbed(image, patch, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, dim))
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=EPS)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        x = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.norm(x)[:, 0])


class RevViT(nn.Module):
    """Reversible ViT, trained here by ordinary autograd (store everything): Y1 = X1 + F(X2), Y2 = X2 + G(Y1)."""
    def __init__(self, image, patch, dim, depth, heads, classes):
        super().__init__()
        n = (image // patch) ** 2
        self.patch_embed = PatchEmbed(image, patch, dim)
        self.pos_embed = nn.Parameter(torch.zeros(1, n, dim))
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(2 * dim, eps=EPS)
        self.head = nn.Linear(2 * dim, classes)

    def forward(self, x):
        x = self.patch_embed(x) + self.pos_embed
        x1, x2 = x, x
        for blk in self.blocks:
            y1 = x1 + blk.f(x2)
            y2 = x2 + blk.g(y1)
            x1, x2 = y1, y2
        x = self.norm(torch.cat([x1, x2], dim=-1)).mean(dim=1)
        return self.head(x)


class RevBackprop(torch.autograd.Function):
    """Reversible backprop (as in the paper): forward keeps only the final streams; backward reconstructs each
    block's inputs from its outputs and recomputes F and G under autograd, one block at a time."""

    @staticmethod
    def forward(ctx, x, blocks, *params):
        with torch.no_grad():
            x1, x2 = x, x
            for blk in blocks:
                y1 = x1 + blk.f(x2)
                x2 = x2 + blk.g(y1)
                x1 = y1
        ctx.blocks = blocks
        ctx.save_for_backward(x1.detach(), x2.detach())
        return torch.cat([x1, x2], dim=-1)

    @staticmethod
    def backward(ctx, dcat):
        y1, y2 = ctx.saved_tensors
        dy1, dy2 = dcat.chunk(2, dim=-1)
        for blk in reversed(ctx.blocks):
            with torch.enable_grad():
                y1.requires_grad_(True)
                g = blk.g(y1)
                g.backward(dy2)
            with torch.no_grad():
                x2 = y2 - g
                dy1 = dy1 + y1.grad
                del g
            with torch.enable_grad():
                x2.requires_grad_(True)
                f = blk.f(x2)
                f.backward(dy1)
            with torch.no_grad():
                x1 = y1 - f
                dy2 = dy2 + x2.grad
                del f
            y1, y2 = x1.detach(), x2.detach()
        return (dy1 + dy2, None) + (None,) * len(list(p for b in ctx.blocks for p in b.parameters()))


class RevViTRecompute(RevViT):
    """The same weights as RevViT, trained with reversible recompute (memory independent of depth)."""

    def forward(self, x):
        x = self.patch_embed(x) + self.pos_embed
        params = [p for b in self.blocks for p in b.parameters()]
        cat = RevBackprop.apply(x, self.blocks, *params)
        return self.head(self.norm(cat).mean(dim=1))


class CheckpointedViT(ViT):
    """The standard ViT with each block recomputed in backward (torch.utils.checkpoint)."""

    def forward(self, x):
        x = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for blk in self.blocks:
            x = torch.utils.checkpoint.checkpoint(blk, x, use_reentrant=False)
        return self.head(self.norm(x)[:, 0])


class PoolingAttention(nn.Module):
    """MViT pooling attention: fused qkv, then q (optionally), k and v pooled by a depthwise 3x3 conv over the head
    dim (shared by heads) + LayerNorm(head dim); the class token skips the conv but not the norm."""

    def __init__(self, dim, heads, q_stride, kv_stride):
        super().__init__()
        self.heads, self.hd = heads, dim // heads
        hd = self.hd
        self.qkv = nn.Linear(dim, 3 * dim)
        if q_stride > 1:
            self.pool_q = nn.Conv2d(hd, hd, 3, q_stride, 1, groups=hd, bias=False)
            self.norm_q = nn.LayerNorm(hd, eps=EPS)
        else:
            self.pool_q = None
        self.pool_k = nn.Conv2d(hd, hd, 3, kv_stride, 1, groups=hd, bias=False)
        self.norm_k = nn.LayerNorm(hd, eps=EPS)
        self.pool_v = nn.Conv2d(hd, hd, 3, kv_stride, 1, groups=hd, bias=False)
        self.norm_v = nn.LayerNorm(hd, eps=EPS)
        self.proj = nn.Linear(dim, dim)

    @staticmethod
    def pool(t, conv, norm, side):
        if conv is None:
            return t
        b, h, _, d = t.shape
        cls, sp = t[:, :, :1], t[:, :, 1:]
        sp = conv(sp.reshape(b * h, side, side, d).permute(0, 3, 1, 2))
        s = sp.shape[-1]
        sp = sp.reshape(b, h, d, s * s).transpose(2, 3)
        return norm(torch.cat([cls, sp], dim=2))

    def forward(self, x, side):
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, self.hd).permute(2, 0, 3, 1, 4)
        q = self.pool(q, self.pool_q, getattr(self, "norm_q", None), side)
        k = self.pool(k, self.pool_k, self.norm_k, side)
        v = self.pool(v, self.pool_v, self.norm_v, side)
        attn = ((q * self.hd ** -0.5) @ k.transpose(-2, -1)).softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(b, q.shape[2], c)
        return self.proj(x)


class MultiScaleBlock(nn.Module):
    """MViT-B block: x1 = skip(x) + attn(norm1(x)) (skip = max-pool 3x3/2 where q is pooled, class token passed);
    y = skip2 + mlp(norm2(x1)) (skip2 = proj(norm2(x1)) where the MLP widens to dim_out)."""

    def __init__(self, dim, dim_out, heads, q_stride, kv_stride):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=EPS)
        self.attn = PoolingAttention(dim, heads, q_stride, kv_stride)
        self.norm2 = nn.LayerNorm(dim, eps=EPS)
        self.mlp = nn.Sequential()
        self.mlp.fc1 = nn.Linear(dim, 4 * dim)
        self.mlp.fc2 = nn.Linear(4 * dim, dim_out)
        self.proj = nn.Linear(dim, dim_out) if dim_out != dim else None
        self.q_stride = q_stride

    def forward(self, x, side):
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
