"""Every label the SVG shows is visible in the PNG and the PDF that ``save()`` writes (SPEC §4.3).

Judged from the pixels: each dimension label's box must hold more dark pixels than the same
box in the figure drawn without dimension labels, so a halo painted over the text (as
converters that ignore ``paint-order`` do) fails, and so does a label drawn off its place.
"""
from __future__ import annotations

import numpy as np
import pymupdf
import pytest

import svg_geometry as geo
from net2vis_widget import figure
from net2vis_widget.export import PNG_DPI

DARK = 96  # a pixel with every channel below this is ink
MIN_INK = 8  # dark pixels a label adds to its box, at least (a digit at 11 px has ~20)
MODELS = ("ResNet50", "unet", "multi_io")


@pytest.fixture(scope="module", params=MODELS)
def model(request, application, custom_models):
    return custom_models.get(request.param) or application(request.param)


def pixels(path) -> np.ndarray:
    """The image of a PNG, or of a PDF's page rasterised at the PNG's resolution, as RGB."""
    document = pymupdf.open(path)
    if path.suffix == ".pdf":
        zoom = PNG_DPI / 72
        pix = document[0].get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
    else:
        pix = pymupdf.Pixmap(str(path))
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[..., :3]


def frame_of(root, image) -> tuple[float, float, float]:
    """The SVG coordinates of the image's top-left pixel, and pixels per SVG unit."""
    x, y, width, _ = map(float, root.get("viewBox").split())
    return x, y, image.shape[1] / width


def ink(image: np.ndarray, frame, box) -> int:
    """The dark pixels of ``image`` inside ``box`` (SVG coordinates)."""
    *origin, scale = frame
    left, top, right, bottom = ((v - o) * scale for v, o in zip(box, origin + origin))
    region = image[int(top):int(np.ceil(bottom)), int(left):int(np.ceil(right))]
    return int((region < DARK).all(axis=-1).sum())


@pytest.mark.parametrize("suffix", [".png", ".pdf"])
def test_every_dimension_label_shows_in_the_exported_file(model, suffix, tmp_path):
    labelled, bare = figure(model), figure(model, show_dimensions=False)
    root, bare_root = geo.parse(labelled.to_svg()), geo.parse(bare.to_svg())
    assert geo.glyphs(root) == geo.glyphs(bare_root)  # the same layout, less the labels
    labels = geo.elements(root, "n2v-dimension")
    assert labels
    labelled.save(tmp_path / f"with{suffix}")
    bare.save(tmp_path / f"without{suffix}")
    image, bare_image = pixels(tmp_path / f"with{suffix}"), pixels(tmp_path / f"without{suffix}")
    with_labels, without = (image, frame_of(root, image)), (bare_image, frame_of(bare_root,
                                                                                bare_image))

    boxes = [(label.text, geo.bbox(geo.label_box(label))) for label in labels]
    hidden = [text for text, box in boxes if ink(*with_labels, box) < ink(*without, box) + MIN_INK]
    assert hidden == [], f"{len(hidden)} of {len(labels)} dimension labels are not visible"


def ink_centre(image: np.ndarray, frame, box, rotated: bool) -> float:
    """Where the dark pixels inside ``box`` are centred, across the text: their mean row in
    SVG units, their mean column for text turned upright."""
    *origin, scale = frame
    left, top, right, bottom = ((v - o) * scale for v, o in zip(box, origin + origin))
    region = (image[int(top):int(np.ceil(bottom)), int(left):int(np.ceil(right))] < DARK).all(-1)
    rows, columns = np.nonzero(region)
    offset, start = (columns, left) if rotated else (rows, top)
    return origin[0 if rotated else 1] + (start + offset.mean()) / scale


@pytest.mark.parametrize("suffix", [".png", ".pdf"])
def test_every_dimension_label_is_centred_on_its_place(model, suffix, tmp_path):
    """PyMuPDF ignores ``dominant-baseline``: a label it sets on its line instead of centred
    there covers the edge it labels with its halo and, turned upright, touches its glyph."""
    fig = figure(model, show_features=False, legend=False)  # the text in a box: its own
    fig.save(tmp_path / f"figure{suffix}")
    root = geo.parse(fig.to_svg())
    image = pixels(tmp_path / f"figure{suffix}")
    frame = frame_of(root, image)
    off = []
    for label in geo.elements(root, "n2v-dimension"):
        rotated = "rotate" in label.get("transform", "")
        place = float(label.get("x" if rotated else "y"))
        size = float(label.get("font-size"))
        centre = ink_centre(image, frame, geo.bbox(geo.label_box(label)), rotated)
        if abs(centre - place) > 0.15 * size:
            off.append((label.text, round(float(centre - place), 1)))
    assert off == []


def test_the_pdf_holds_every_label_as_text(model, tmp_path):
    fig = figure(model)
    fig.save(tmp_path / "figure.pdf")
    words = pymupdf.open(tmp_path / "figure.pdf")[0].get_text()
    texts = [t.text for t in geo.elements(geo.parse(fig.to_svg()), "n2v-label")]
    missing = [t for t in texts if t not in words]
    assert missing == []


def test_exported_text_is_sans_serif_like_the_svg(model, tmp_path):
    figure(model).save(tmp_path / "figure.pdf")
    fonts = {font[3] for font in pymupdf.open(tmp_path / "figure.pdf")[0].get_fonts()}
    assert fonts and not any("Times" in f or "Serif" in f.replace("Sans", "") for f in fonts), fonts
