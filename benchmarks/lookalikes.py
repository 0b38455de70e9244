"""Architectures of torchvision, timm and diffusers written here with ``torch.nn`` alone (those
packages need a CUDA build of torch), for the benchmarks: the same layers, sizes and
structure, random weights."""
from __future__ import annotations

import torch
from torch import nn


class Fire(torch.nn.Module):
    """SqueezeNet's module: a 1×1 squeeze, then 1×1 and 3×3 expands side by side, joined."""

    def __init__(self, inputs: int, squeeze: int, expand: int):
        super().__init__()
        self.squeeze = torch.nn.Conv2d(inputs, squeeze, 1)
        self.expand1 = torch.nn.Conv2d(squeeze, expand, 1)
        self.expand3 = torch.nn.Conv2d(squeeze, expand, 3, padding=1)

    def forward(self, x):
        x = torch.relu(self.squeeze(x))
        return torch.cat([torch.relu(self.expand1(x)), torch.relu(self.expand3(x))], 1)


def squeezenet() -> torch.nn.Module:
    """torchvision's SqueezeNet 1.1, written here (torchvision needs a CUDA build of torch)."""
    pool = lambda: torch.nn.MaxPool2d(3, 2, ceil_mode=True)  # noqa: E731
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 64, 3, 2), torch.nn.ReLU(), pool(), Fire(64, 16, 64),
        Fire(128, 16, 64), pool(), Fire(128, 32, 128), Fire(256, 32, 128), pool(),
        Fire(256, 48, 192), Fire(384, 48, 192), Fire(384, 64, 256), Fire(512, 64, 256),
        torch.nn.Dropout(), torch.nn.Conv2d(512, 1000, 1), torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())


def vgg16() -> torch.nn.Module:
    """torchvision's VGG-16 (configuration D), written here."""
    layers, channels = [], 3
    for width in (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                  512, 512, 512, "M"):
        if width == "M":
            layers.append(torch.nn.MaxPool2d(2))
        else:
            layers += [torch.nn.Conv2d(channels, width, 3, padding=1), torch.nn.ReLU()]
            channels = width
    return torch.nn.Sequential(
        *layers, torch.nn.AdaptiveAvgPool2d(7), torch.nn.Flatten(),
        torch.nn.Linear(512 * 49, 4096), torch.nn.ReLU(), torch.nn.Dropout(),
        torch.nn.Linear(4096, 4096), torch.nn.ReLU(), torch.nn.Dropout(),
        torch.nn.Linear(4096, 1000))


class MBConv(nn.Module):
    """MaxViT's inverted residual: 1×1 expand, depthwise 3×3, squeeze-excite, 1×1 project."""

    def __init__(self, channels: int, stride: int = 1, inputs: int | None = None):
        super().__init__()
        inputs = inputs or channels
        hidden = 4 * channels
        self.shortcut = (nn.Sequential(nn.AvgPool2d(stride), nn.Conv2d(inputs, channels, 1))
                         if stride > 1 or inputs != channels else nn.Identity())
        self.body = nn.Sequential(
            nn.BatchNorm2d(inputs), nn.Conv2d(inputs, hidden, 1), nn.BatchNorm2d(hidden),
            nn.GELU(), nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden),
            nn.BatchNorm2d(hidden), nn.GELU())
        self.excite = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(hidden, channels // 4, 1),
                                    nn.SiLU(), nn.Conv2d(channels // 4, hidden, 1), nn.Sigmoid())
        self.project = nn.Conv2d(hidden, channels, 1)

    def forward(self, x):
        y = self.body(x)
        return self.shortcut(x) + self.project(y * self.excite(y))


class PartitionAttention(nn.Module):
    """Self-attention within 7×7 windows (``grid=False``) or across a 7×7 grid (``True``),
    then an MLP, each with a residual link: MaxViT's block and grid attention."""

    def __init__(self, channels: int, grid: bool, size: int = 7):
        super().__init__()
        self.grid, self.size = grid, size
        self.norm1, self.norm2 = nn.LayerNorm(channels), nn.LayerNorm(channels)
        self.attention = nn.MultiheadAttention(channels, channels // 32, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(channels, 4 * channels), nn.GELU(),
                                 nn.Linear(4 * channels, channels))

    def forward(self, x):
        b, c, h, w = x.shape
        s = self.size
        if self.grid:  # tokens s apart: a dilated window across the whole image
            parts = x.view(b, c, s, h // s, s, w // s).permute(0, 3, 5, 2, 4, 1)
        else:
            parts = x.view(b, c, h // s, s, w // s, s).permute(0, 2, 4, 3, 5, 1)
        tokens = parts.reshape(-1, s * s, c)
        normed = self.norm1(tokens)
        tokens = tokens + self.attention(normed, normed, normed, need_weights=False)[0]
        tokens = tokens + self.mlp(self.norm2(tokens))
        parts = tokens.view(parts.shape)
        order = (0, 5, 3, 1, 4, 2) if self.grid else (0, 5, 1, 3, 2, 4)
        return parts.permute(*order).reshape(b, c, h, w)


def maxvit() -> nn.Module:
    """timm's MaxViT-T: a stem, four stages of (MBConv, block attention, grid attention)."""
    layers = [nn.Conv2d(3, 64, 3, 2, 1), nn.BatchNorm2d(64), nn.GELU(), nn.Conv2d(64, 64, 3, 1, 1)]
    channels = 64
    for width, depth in ((64, 2), (128, 2), (256, 5), (512, 2)):
        for i in range(depth):
            layers += [MBConv(width, 2 if i == 0 else 1, channels if i == 0 else width),
                       PartitionAttention(width, grid=False), PartitionAttention(width, grid=True)]
            channels = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.LayerNorm(512),
                         nn.Linear(512, 512), nn.Tanh(), nn.Linear(512, 1000))


class ResnetBlock(nn.Module):
    """diffusers' ``ResnetBlock2D``: two GroupNorm–SiLU–Conv steps and a residual link."""

    def __init__(self, inputs: int, channels: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.GroupNorm(32, inputs), nn.SiLU(), nn.Conv2d(inputs, channels, 3, padding=1),
            nn.GroupNorm(32, channels), nn.SiLU(), nn.Conv2d(channels, channels, 3, padding=1))
        self.shortcut = nn.Conv2d(inputs, channels, 1) if inputs != channels else nn.Identity()

    def forward(self, x):
        return self.shortcut(x) + self.body(x)


class SpatialAttention(nn.Module):
    """The middle block's self-attention over every position, with a residual link."""

    def __init__(self, channels: int):
        super().__init__()
        self.norm = nn.GroupNorm(32, channels)
        self.attention = nn.MultiheadAttention(channels, 1, batch_first=True)

    def forward(self, x):
        b, c, h, w = x.shape
        tokens = self.norm(x).flatten(2).transpose(1, 2)
        attended = self.attention(tokens, tokens, tokens, need_weights=False)[0]
        return x + attended.transpose(1, 2).reshape(b, c, h, w)


class Upsample(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return self.conv(nn.functional.interpolate(x, scale_factor=2.0, mode="nearest"))


def autoencoder() -> nn.Module:
    """diffusers' ``AutoencoderKL`` (Stable Diffusion's VAE, narrower): an encoder of resnet
    blocks and strided downsamplings to a 4-channel latent, a decoder mirroring it."""
    widths = (64, 128, 256, 256)
    encoder, channels = [nn.Conv2d(3, widths[0], 3, padding=1)], widths[0]
    for i, width in enumerate(widths):
        encoder += [ResnetBlock(channels, width), ResnetBlock(width, width)]
        channels = width
        if i < len(widths) - 1:
            encoder.append(nn.Conv2d(width, width, 3, 2, 1))
    middle = [ResnetBlock(channels, channels), SpatialAttention(channels),
              ResnetBlock(channels, channels)]
    encoder += [*middle, nn.GroupNorm(32, channels), nn.SiLU(),
                nn.Conv2d(channels, 8, 3, padding=1),
                nn.Conv2d(8, 8, 1)]
    decoder = [nn.Conv2d(4, channels, 1), nn.Conv2d(channels, channels, 3, padding=1),
               ResnetBlock(channels, channels), SpatialAttention(channels),
               ResnetBlock(channels, channels)]
    for i, width in enumerate(reversed(widths)):
        decoder += [ResnetBlock(channels, width), ResnetBlock(width, width),
                    ResnetBlock(width, width)]
        channels = width
        if i < len(widths) - 1:
            decoder.append(Upsample(width))
    decoder += [nn.GroupNorm(32, channels), nn.SiLU(), nn.Conv2d(channels, 3, 3, padding=1)]
    return VAE(nn.Sequential(*encoder), nn.Sequential(*decoder))


class VAE(nn.Module):
    """Encode, take the latent's mean (the first 4 of 8 channels), decode."""

    def __init__(self, encoder: nn.Module, decoder: nn.Module):
        super().__init__()
        self.encoder, self.decoder = encoder, decoder

    def forward(self, x):
        mean, _ = self.encoder(x).chunk(2, dim=1)
        return self.decoder(mean)
