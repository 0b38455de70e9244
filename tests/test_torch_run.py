"""PyTorch modules recorded as they run (SPEC §3b): Python control flow kept, data-dependent
heads drawn, a failing run drawn up to the call that failed, Swin's alternating blocks
folded. The modules are written here the way torchvision writes them."""
from __future__ import annotations

import pytest

import svg_geometry as geo
from net2vis_widget import Net2Vis, figure

torch = pytest.importorskip("torch")
nn = torch.nn


class WindowAttention(nn.Module):
    """Attention inside 4×4 windows; every other block shifts them and masks across the
    seams, the mask built in ``forward`` from ``new_zeros`` and slice assignments."""

    def __init__(self, dim, heads, window=4, shift=0):
        super().__init__()
        self.dim, self.heads, self.window, self.shift = dim, heads, window, shift
        self.qkv, self.proj = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        self.bias = nn.Parameter(torch.zeros(heads, window * window, window * window))

    def forward(self, x):
        _, height, width, channels = x.shape
        w, s = self.window, self.shift
        if s:
            x = torch.roll(x, shifts=(-s, -s), dims=(1, 2))
        windows = x.view(-1, height // w, w, width // w, w, channels).permute(0, 1, 3, 2, 4, 5)
        windows = windows.reshape(-1, w * w, channels)
        q, k, v = self.qkv(windows).reshape(windows.shape[0], w * w, 3, self.heads, -1).permute(
            2, 0, 3, 1, 4)
        attention = (q @ k.transpose(-2, -1)) * (channels // self.heads) ** -0.5 + self.bias
        if s:
            mask = x.new_zeros((height, width))
            for i, rows in enumerate((slice(0, -w), slice(-w, -s), slice(-s, None))):
                for j, columns in enumerate((slice(0, -w), slice(-w, -s), slice(-s, None))):
                    mask[rows, columns] = 3 * i + j
            mask = mask.view(height // w, w, width // w, w).permute(0, 2, 1, 3).reshape(-1, w * w)
            mask = mask.unsqueeze(1) - mask.unsqueeze(2)
            mask = mask.masked_fill(mask != 0, -100.0).masked_fill(mask == 0, 0.0)
            attention = attention.view(-1, mask.shape[0], self.heads, w * w, w * w) + mask.unsqueeze(
                1).unsqueeze(0)
            attention = attention.view(-1, self.heads, w * w, w * w)
        out = (attention.softmax(-1) @ v).transpose(1, 2).reshape(-1, w * w, channels)
        out = self.proj(out).view(-1, height // w, width // w, w, w, channels)
        out = out.permute(0, 1, 3, 2, 4, 5).reshape(-1, height, width, channels)
        return torch.roll(out, shifts=(s, s), dims=(1, 2)) if s else out


class SwinBlock(nn.Module):
    def __init__(self, dim, heads, shift):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(dim), WindowAttention(dim, heads, shift=shift)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Dropout(0.1),
                                 nn.Linear(4 * dim, dim))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchMerging(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm, self.reduction = nn.LayerNorm(4 * dim), nn.Linear(4 * dim, 2 * dim, bias=False)

    def forward(self, x):
        parts = [x[:, i::2, j::2, :] for i, j in ((0, 0), (1, 0), (0, 1), (1, 1))]
        return self.reduction(self.norm(torch.cat(parts, -1)))


class SwinT(nn.Module):
    """Swin-T's structure (depths 2, 2, 6, 2) at 128×128 pixels."""

    def __init__(self, dim=32, depths=(2, 2, 6, 2), classes=10):
        super().__init__()
        layers = [nn.Sequential(nn.Conv2d(3, dim, 4, 4), Permute(), nn.LayerNorm(dim))]
        for stage, depth in enumerate(depths):
            width = dim * 2 ** stage
            layers += [SwinBlock(width, 2 ** stage, 0 if i % 2 == 0 else 2) for i in range(depth)]
            if stage < len(depths) - 1:
                layers.append(PatchMerging(width))
        self.features = nn.Sequential(*layers)
        self.norm, self.head = nn.LayerNorm(dim * 8), nn.Linear(dim * 8, classes)
        self.pool = nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        x = self.norm(self.features(x)).permute(0, 3, 1, 2)
        return self.head(torch.flatten(self.pool(x), 1))


class Permute(nn.Module):
    def forward(self, x):
        return x.permute(0, 2, 3, 1)


def test_a_torchvision_style_swin_folds_without_its_mask_plumbing():
    fig = figure(SwinT(), input_size=(1, 3, 128, 128), repeat_marks=True)
    types = {n.type for n in fig.network.nodes}
    assert not types & {"New_zeros", "Fill", "Sub", "Ne", "Eq", "Masked_fill", "Roll", "Dropout"}
    fig.auto_group()
    assert len(fig.folded.nodes) <= 16
    marks = sorted(n.repeats for n in fig.folded.nodes if n.repeats > 1)
    assert marks and max(marks) >= 3  # the six blocks of stage 3, in pairs or alone
    assert geo.problems(geo.parse(fig.to_svg())) == []


class Detector(nn.Module):
    """A backbone, then a head keeping the boxes whose score passes a threshold."""

    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(),
                                      nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU())
        self.scores, self.boxes = nn.Conv2d(16, 1, 1), nn.Conv2d(16, 4, 1)

    def forward(self, x):
        features = self.backbone(x)
        scores = self.scores(features).flatten(1).sigmoid()
        boxes = self.boxes(features).flatten(2).transpose(1, 2)
        keep = (scores[0] > 0.5).nonzero().squeeze(1)
        best = scores[0, keep].topk(min(5, 100)).indices if False else keep
        return boxes[0, best], scores[0, best]


def test_a_detection_head_choosing_boxes_by_score_draws():
    fig = figure(Detector(), input_size=(1, 3, 32, 32))
    types = [n.type for n in fig.network.nodes]
    assert types[:5] == ["Input", "Conv2d", "ReLU", "Conv2d", "ReLU"]
    assert "Sigmoid" in types and "Nonzero" not in types  # choosing indices is not a layer
    assert geo.problems(geo.parse(fig.to_svg())) == []


class Broken(nn.Module):
    """Its fourth layer expects 16 features and gets 12."""

    def __init__(self):
        super().__init__()
        self.l1, self.l2 = nn.Linear(8, 16), nn.Linear(16, 16)
        self.l3, self.l4 = nn.Linear(16, 12), nn.Linear(16, 4)

    def forward(self, x):
        return self.l4(self.l3(self.l2(self.l1(x))))


def test_a_failing_run_names_the_call_and_draws_what_ran_when_asked():
    with pytest.raises(ValueError, match=r"cannot run Broken: l4 \(Linear\) failed on inputs of "
                                         r"sizes \[\(12,\)\]: "):
        figure(Broken(), input_size=(1, 8))
    fig = figure(Broken(), input_size=(1, 8), partial=True)
    assert [(n.id, n.type) for n in fig.network.nodes] == [
        ("x", "Input"), ("l1", "Linear"), ("l2", "Linear"), ("l3", "Linear"), ("l4", "FAILED")]
    assert fig.failure.startswith("l4 (Linear) failed")
    root = geo.parse(fig.to_svg())
    assert "FAILED" in {g.get("data-type") for g in geo.elements(root, "n2v-layer")}
    widget = Net2Vis(Broken(), input_size=(1, 8), partial=True)
    assert widget.error == fig.failure and "FAILED" in widget.svg


def test_python_control_flow_on_shapes_is_kept():
    class Pyramid(nn.Module):
        def __init__(self):
            super().__init__()
            self.down = nn.Conv2d(4, 4, 3, stride=2, padding=1)

        def forward(self, x):
            while x.shape[-1] > 4:  # a loop on a size, unrolled as it runs
                x = torch.relu(self.down(x))
            return x

    fig = figure(Pyramid(), input_size=(1, 4, 32, 32))
    assert [n.type for n in fig.network.nodes].count("Conv2d") == 3
