"""Small PyTorch example modules for figures, tests and notebooks: a ResNet-18-style network,
a small transformer classifier, a U-Net, and a network with two inputs and two outputs.

``net2vis net2vis_widget.torch_examples:resnet18 --input-size 1,3,224,224 -o r18.svg``
draws one from the command line. Importing this module imports torch.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class BasicBlock(nn.Module):
    """Two 3×3 convolutions and a shortcut, projected where the shape changes."""

    def __init__(self, channels_in: int, channels: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(channels_in, channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.shortcut = nn.Sequential()
        if stride != 1 or channels_in != channels:
            self.shortcut = nn.Sequential(nn.Conv2d(channels_in, channels, 1, stride, bias=False),
                                          nn.BatchNorm2d(channels))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + self.shortcut(x))


class ResNet18(nn.Module):
    def __init__(self, classes: int = 1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        stages, channels_in = [], 64
        for channels, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            stages.append(nn.Sequential(BasicBlock(channels_in, channels, stride),
                                        BasicBlock(channels, channels)))
            channels_in = channels
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet18() -> ResNet18:
    return ResNet18()


class EncoderBlock(nn.Module):
    """Self-attention and a feed-forward network, each with a residual and a LayerNorm."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.attention = nn.MultiheadAttention(width, heads, batch_first=True)
        self.norm1 = nn.LayerNorm(width)
        self.up = nn.Linear(width, 2 * width)
        self.down = nn.Linear(2 * width, width)
        self.norm2 = nn.LayerNorm(width)

    def forward(self, x):
        x = self.norm1(x + self.attention(x, x, x, need_weights=False)[0])
        return self.norm2(x + self.down(F.gelu(self.up(x))))


class TinyTransformer(nn.Module):
    """A text classifier: token embedding, ``blocks`` encoder blocks, mean pooling, a head."""

    def __init__(self, blocks: int = 4, width: int = 64, heads: int = 4, classes: int = 5):
        super().__init__()
        self.embedding = nn.Embedding(1000, width)
        self.blocks = nn.ModuleList(EncoderBlock(width, heads) for _ in range(blocks))
        self.head = nn.Linear(width, classes)

    def forward(self, tokens):
        x = self.embedding(tokens)
        for block in self.blocks:
            x = block(x)
        return self.head(x.mean(dim=1))


def tiny_transformer() -> TinyTransformer:
    return TinyTransformer()


class TwoInOut(nn.Module):
    """An image and metadata in; a class and a box out."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3)
        self.meta = nn.Linear(8, 16)
        self.label = nn.Linear(32, 10)
        self.box = nn.Linear(32, 4)

    def forward(self, image, metadata):
        x = F.relu(self.conv(image)).mean((2, 3))
        joined = torch.cat([x, F.relu(self.meta(metadata))], dim=1)
        return self.label(joined), self.box(joined)


class UNet(nn.Module):
    """The paper's U-Net at three levels: convolution pairs, pooling down, upsampling and
    concatenation with the skip link up."""

    def __init__(self, channels: int = 16, levels: int = 3):
        super().__init__()
        widths = [channels * 2 ** i for i in range(levels + 1)]
        self.down = nn.ModuleList(_conv_pair(c_in, c) for c_in, c in zip([1] + widths, widths))
        self.up = nn.ModuleList(nn.ConvTranspose2d(c, c // 2, 2, 2) for c in widths[:0:-1])
        self.merge = nn.ModuleList(_conv_pair(c, c // 2) for c in widths[:0:-1])
        self.out = nn.Conv2d(channels, 2, 1)

    def forward(self, x):
        skips = []
        for i, pair in enumerate(self.down):
            x = pair(F.max_pool2d(x, 2) if i else x)
            skips.append(x)
        for up, pair, skip in zip(self.up, self.merge, skips[-2::-1]):
            x = pair(torch.cat([skip, up(x)], dim=1))
        return self.out(x)


def _conv_pair(channels_in: int, channels: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(channels_in, channels, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU())


def unet() -> UNet:
    return UNet()
