"""Finding one's way in a big model, in a real JupyterLab (SPEC §6.2): search, the legend
panel, the overview, the keyboard, the widget's own context menu, Enter, and the dark theme.
Screenshots go to tests/artifacts/. Run alone: ``pytest tests/test_widget_explore.py``.
"""
from __future__ import annotations

import re

import pytest

import lab_browser
from lab_browser import JupyterLab, WidgetView, kernel_value, run_in_kernel, snapshot

try:
    from playwright.sync_api import expect
except ImportError:  # the tests skip, or fail under CI, saying what to install (conftest.py)
    expect = None

pytestmark = pytest.mark.browser

NOTEBOOK = "explore.ipynb"
CELLS = [
    "import keras\nfrom net2vis_widget import Net2Vis\n"
    "from net2vis_widget.examples import residual_net",
    "resnet = Net2Vis(keras.applications.ResNet50(weights=None))\nresnet.auto_group()\nresnet",
    "nasnet = Net2Vis(keras.applications.NASNetLarge(weights=None), auto_group=False)\nnasnet",
    "edit = Net2Vis(residual_net())\nedit",
]
RESNET, NASNET, EDIT = 1, 2, 3


@pytest.fixture(scope="module")
def session(browser_stack, tmp_path_factory):
    with lab_browser.notebook_session(JupyterLab, tmp_path_factory.mktemp("explore"), NOTEBOOK,
                                      CELLS, expected_widgets=3) as opened:
        yield opened


@pytest.fixture(scope="module")
def page(session):
    return session[1]


def python(page, expression: str):
    return kernel_value(page, NOTEBOOK, expression)


def inside(box, frame) -> bool:
    return (box["x"] >= frame["x"] - 1 and box["y"] >= frame["y"] - 1
            and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
            and box["y"] + box["height"] <= frame["y"] + frame["height"] + 1)


def scale(view: WidgetView) -> float:
    return view.root.locator(".n2v-canvas").evaluate(
        "c => Number(c.style.transform.match(/scale\\(([\\d.]+)\\)/)[1])")


def test_search_finds_a_layer_inside_a_folded_block_and_zooms_to_it(page):
    resnet = WidgetView(page, RESNET)
    resnet.search.fill("conv4_block3_2_conv")
    current = resnet.svg.locator("polygon.n2v-current")
    expect(current).to_have_count(1)
    facts = python(page, f"resnet.layers[{current.get_attribute('data-id')!r}]")
    assert "conv4_block3_2_conv" in facts["layers"] and facts["type"] == "Bottleneck"
    found = resnet.root.locator(".n2v-found")
    expect(found).to_have_text(f"1 of 1 in Bottleneck {facts['occurrence'][0]}")
    assert inside(current.bounding_box(), resnet.root.locator(".n2v-viewport").bounding_box())
    assert scale(resnet) >= 1
    snapshot(resnet.root, "widget-search.png")

    resnet.search.fill("bottleneck")  # by type: every glyph of one, stepped through
    expect(found).to_have_text(re.compile(r"^1 of \d+"))
    total = int(found.text_content().split(" of ")[1].split()[0])
    assert total == len(python(page, "[f for f in resnet.layers.values() "
                                     "if f['type'].startswith('Bottleneck')]"))
    resnet.search.press("Enter")
    expect(found).to_have_text(re.compile(f"^2 of {total}"))
    resnet.search.press("Escape")
    expect(resnet.svg.locator(".n2v-match")).to_have_count(0)


def test_the_tooltip_names_the_occurrence_by_its_alias(page):
    resnet = WidgetView(page, RESNET)
    resnet.button("Reset view").click()
    glyph = resnet.svg.locator('polygon.n2v-layer[data-type="Bottleneck"]').nth(6)
    facts = python(page, f"resnet.layers[{glyph.get_attribute('data-id')!r}]")
    glyph.hover()
    total = facts["occurrence"][2]
    expect(resnet.tooltip).to_contain_text(f"Bottleneck {facts['occurrence'][0]} of {total}")
    run_in_kernel(page, NOTEBOOK, "resnet.update(aliases={'Bottleneck': 'Residual bottleneck'})")
    expect(resnet.legend_item("Bottleneck").locator("text").first).to_have_text(
        "Residual bottleneck")
    glyph = resnet.svg.locator('polygon.n2v-layer[data-type="Bottleneck"]').nth(6)
    page.mouse.move(0, 0)
    glyph.hover()
    expect(resnet.tooltip).to_contain_text(
        f"Residual bottleneck {facts['occurrence'][0]} of {total}")


def test_a_double_click_opens_one_occurrence_in_place_and_its_frame_folds_it(page):
    resnet = WidgetView(page, RESNET)
    resnet.button("Reset view").click()
    blocks = resnet.svg.locator('polygon.n2v-layer[data-type="Bottleneck"]')
    count = blocks.count()
    target = blocks.nth(6)
    glyph_id = target.get_attribute("data-id")
    before = resnet.renders()
    target.dblclick()
    resnet.wait_for_render(before)
    expect(blocks).to_have_count(count - 1)  # that one opened, the others stay folded
    frame = resnet.svg.locator(f"rect.n2v-frame[data-id={lab_browser.css_string(glyph_id)}]")
    expect(frame).to_have_count(1)
    assert python(page, "resnet.state['opened']") == [glyph_id]
    same = python(page, "Net2Vis(resnet.figure.network, state=resnet.state).svg == resnet.svg")
    assert same  # the state round trip keeps it open
    framed = python(page, "[k for k, f in resnet.layers.items() if 'frame' in f]")
    assert len(framed) == 2  # the block's Conv×3 and its Add–ReLU
    page.mouse.move(0, 0)
    resnet.glyph(framed[0]).hover()
    occurrence = python(page, f"resnet.layers[{framed[0]!r}]['frame']")
    alias = python(page, "resnet.figure.styles['Bottleneck'].alias")  # renamed above
    expect(resnet.tooltip).to_contain_text(
        f"in {alias} {occurrence[1]} of {occurrence[2]} (opened)")
    snapshot(resnet.root, "widget-opened.png")

    box = frame.bounding_box()
    before = resnet.renders()
    page.mouse.click(box["x"] + 3, box["y"] + 3)  # on the frame, beside the layers
    resnet.wait_for_render(before)
    expect(blocks).to_have_count(count)
    assert python(page, "resnet.state['opened']") == []


def test_the_legend_panel_stays_in_view_at_four_times_the_zoom(page):
    resnet = WidgetView(page, RESNET)
    resnet.button("Reset view").click()
    fitted = scale(resnet)
    resnet.root.focus()
    for _ in range(8):  # 1.2 ** 8 = 4.3
        resnet.root.press("+")
    assert scale(resnet) == pytest.approx(fitted * 1.2 ** 8, rel=1e-4)
    expect(resnet.legend).to_be_visible()
    expect(resnet.legend_item("Bottleneck")).to_be_visible()
    assert not resnet.svg.locator(".n2v-legend").count()  # the graph itself has no legend
    snapshot(resnet.root, "widget-zoomed-legend.png")
    resnet.root.press("0")
    assert scale(resnet) == pytest.approx(fitted, rel=1e-4)


def test_the_overview_shows_for_nasnetlarge_and_moves_the_view(page):
    nasnet = WidgetView(page, NASNET)
    minimap = nasnet.root.locator(".n2v-minimap")
    expect(minimap).to_be_visible()
    window = nasnet.root.locator(".n2v-minimap-window")

    def marked():  # the window's left and width, as shares of the overview's width
        box, frame = window.bounding_box(), minimap.bounding_box()
        return (box["x"] - frame["x"]) / frame["width"], box["width"] / frame["width"]

    left, width = marked()
    assert width < 0.5  # a small part of the figure is in view
    box = minimap.bounding_box()
    minimap.click(position={"x": box["width"] * 0.8, "y": box["height"] / 2})
    assert marked()[0] == pytest.approx(0.8 - width / 2, abs=0.02)  # centred where clicked
    snapshot(nasnet.root, "widget-minimap.png")


def test_a_right_click_shows_only_the_widgets_editor(page):
    edit = WidgetView(page, EDIT)
    edit.legend_item("Conv2D").click(button="right")
    expect(edit.root.locator(".n2v-editor")).to_be_visible()
    expect(page.locator(".lm-Menu")).to_have_count(0)  # JupyterLab's own menu stayed shut
    snapshot(edit.root, "widget-editor.png")
    edit.root.press("Escape")
    expect(edit.root.locator(".n2v-editor")).to_be_hidden()


def test_enter_applies_a_rename_and_an_empty_one_is_refused(page):
    edit = WidgetView(page, EDIT)
    edit.legend_item("Dense").click(button="right")
    alias = edit.root.locator(".n2v-editor input.n2v-alias")
    alias.fill("Classifier")
    before = edit.renders()
    alias.press("Enter")
    edit.wait_for_render(before)
    expect(edit.legend_item("Dense").locator("text").first).to_have_text("Classifier")

    edit.legend_item("Dense").click(button="right")
    alias.fill("   ")
    alias.press("Enter")
    expect(edit.message).to_contain_text("alias")
    expect(edit.legend_item("Dense").locator("text").first).to_have_text("Classifier")
    assert python(page, "edit.state['aliases']")["Dense"] == "Classifier"


def test_enter_applies_a_number_field(page):
    edit = WidgetView(page, EDIT)
    edit.button("Preferences").click()
    field = edit.preferences.locator('input[name="max_height"]')
    field.fill("130")
    before = edit.renders()
    field.press("Enter")
    edit.wait_for_render(before)
    assert python(page, "edit.state['preferences']['max_height']") == 130
    edit.root.press("Escape")
    expect(edit.preferences).to_be_hidden()


def test_escape_clears_the_selection(page):
    edit = WidgetView(page, EDIT)
    edit.select(edit.glyph("b1_conv1"))
    edit.root.press("Escape")
    expect(edit.svg.locator(".n2v-selected")).to_have_count(0)
    assert python(page, "edit.selection") == []


def test_full_screen_and_a_resized_view_keep_their_size(page):
    edit = WidgetView(page, EDIT)
    viewport = edit.root.locator(".n2v-viewport")
    edit.button("Full screen").click()
    page.wait_for_function("() => document.fullscreenElement !== null")
    expect(edit.button("Exit full screen")).to_be_visible()
    assert viewport.bounding_box()["height"] > 0.7 * page.viewport_size["height"]
    edit.button("Exit full screen").click()
    page.wait_for_function("() => document.fullscreenElement === null")
    fitted = viewport.bounding_box()["height"]
    viewport.evaluate("v => { v.style.height = '120px'; }")  # as the resize handle does
    page.wait_for_timeout(200)
    assert viewport.bounding_box()["height"] == pytest.approx(120, abs=2)  # the user's, kept
    edit.button("Reset view").click()  # the height the figure wants again
    assert viewport.bounding_box()["height"] == pytest.approx(fitted, abs=2)


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours."""
    def luminance(color):
        channels = [float(v) / 255 for v in re.findall(r"[\d.]+", color)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_toolbar_follows_the_dark_theme(page):
    edit = WidgetView(page, EDIT)
    page.evaluate("window.jupyterapp.commands.execute('apputils:change-theme', "
                  "{theme: 'JupyterLab Dark'})")
    page.wait_for_function("document.body.dataset.jpThemeLight === 'false'")
    page.wait_for_timeout(500)
    try:
        for label in ("Auto-group", "Preferences"):
            colors = edit.button(label).evaluate(
                "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]")
            assert contrast(*colors) >= 4.5, (label, colors)
        assert edit.root.locator(".n2v-viewport").evaluate(
            "v => getComputedStyle(v).backgroundColor") == "rgb(255, 255, 255)"  # paper white
        snapshot(edit.root, "widget-dark.png")
    finally:
        page.evaluate("window.jupyterapp.commands.execute('apputils:change-theme', "
                      "{theme: 'JupyterLab Light'})")


def test_no_uncaught_errors_in_the_page(page):
    assert [str(error) for error in page.uncaught_errors] == []


def test_a_view_whose_kernel_is_gone_says_so_when_clicked(page):
    """Last: it shuts the kernel down."""
    edit = WidgetView(page, EDIT)
    page.evaluate(f"""(path) => {lab_browser._PANEL}.sessionContext.session.kernel.shutdown()""",
                  NOTEBOOK)
    edit.legend_item("Conv2D").click()
    expect(edit.message).to_contain_text("no longer connected to Python")
