"""The widget end to end: a real JupyterLab, a real kernel and headless Chromium.

One server, one notebook and one page for the whole module. Each figure-changing test
works on its own widget (one per notebook cell), so tests do not depend on each other's
outcome. Needs /usr/bin/chromium, jupyterlab and playwright: without them the tests skip,
except under CI, where they fail (conftest.py).
Run alone: ``pytest tests/test_widget_browser.py`` (about 25 s).
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import lab_browser
from lab_browser import JupyterLab, WidgetView, kernel_value, run_in_kernel, snapshot

try:
    from playwright.sync_api import expect
except ImportError:  # the tests skip, or fail under CI, saying what to install (conftest.py)
    expect = None

pytestmark = pytest.mark.browser

NOTEBOOK = "widget.ipynb"
SETUP = """\
from net2vis_widget import Net2Vis
from net2vis_widget.examples import residual_net, unet
from net2vis_widget.torch_examples import resnet18
"""
# one widget per cell: variable name -> model expression; the cell index follows SETUP
WIDGETS = {"plain": "unet()", "grouped": "unet()", "residual": "residual_net()",
           "prefs": "unet()", "refit": "unet()", "edit": "residual_net()",
           "pytorch": "resnet18(), input_size=(1, 3, 64, 64)", "history": "unet()",
           "form": "residual_net()", "follow": "unet()",
           "tall": "resnet18(), input_size=(1, 3, 64, 64), page_width='column'",
           "inspect": "residual_net()"}
CELL = {name: i + 1 for i, name in enumerate(WIDGETS)}
UNET_LAYERS = 28
REFUSAL = "select at least two layers to group"


@pytest.fixture(scope="module")
def session(browser_stack, tmp_path_factory):
    cells = [SETUP] + [f"{name} = Net2Vis({model})\n{name}" for name, model in WIDGETS.items()]
    with lab_browser.notebook_session(JupyterLab, tmp_path_factory.mktemp("jupyterlab"),
                                      NOTEBOOK, cells, expected_widgets=len(WIDGETS)) as opened:
        yield opened


@pytest.fixture(scope="module")
def lab(session):
    return session[0]


@pytest.fixture(scope="module")
def page(session):
    return session[1]


def view(page, name: str) -> WidgetView:
    return WidgetView(page, CELL[name])


def python(page, expression: str):
    """The value of a JSON-able Python expression, evaluated in the notebook's kernel."""
    return kernel_value(page, NOTEBOOK, expression)


# --- the figure as drawn ---------------------------------------------------------------------

def test_one_glyph_per_layer(page):
    plain = view(page, "plain")
    expect(plain.svg).to_be_visible()
    assert plain.glyph_count() == UNET_LAYERS
    ids = plain.glyphs.evaluate_all("glyphs => glyphs.map(g => g.dataset.id)")
    assert ids == python(page, "list(plain.layers)")
    assert plain.svg.locator(".n2v-group").count() == 0
    expect(plain.message).to_be_hidden()
    expect(plain.muted).to_be_hidden()


def test_hover_shows_tooltip_with_name_and_type(page):
    plain = view(page, "plain")
    glyph = plain.svg.locator('polygon.n2v-layer[data-type="Conv2D"]').first
    facts = python(page, f"plain.layers[{glyph.get_attribute('data-id')!r}]")
    glyph.hover()
    expect(plain.tooltip).to_be_visible()
    expect(plain.tooltip).to_contain_text(f"{facts['name']}  ·  {facts['type']}")
    expect(plain.tooltip).to_contain_text(f"filters: {facts['config']['filters']}")
    snapshot(plain.root, "widget-tooltip.png")
    plain.button("Reset view").hover()  # leaving the figure hides it
    expect(plain.tooltip).to_be_hidden()


def test_screenshot(page):
    plain = view(page, "plain")
    page.mouse.move(0, 0)
    expect(plain.tooltip).to_be_hidden()
    assert snapshot(plain.root, "widget.png").stat().st_size > 5_000
    snapshot(page, "notebook.png")


# --- grouping ----------------------------------------------------------------------------------

def test_auto_group_then_toggle_an_aggregate(page):
    grouped = view(page, "grouped")
    assert grouped.glyph_count() == UNET_LAYERS
    grouped.act(grouped.button("Auto-group"))
    folded = grouped.glyph_count()
    assert folded < UNET_LAYERS
    # the view keeps the first fit, and the folded figure's legend is taller: part of it is
    # clipped (see test_the_view_refits_a_figure_that_changed_size); fit as a user would
    grouped.button("Reset view").click()

    aggregates = python(page, "[e['key'] for e in grouped.legend if e['kind'] == 'aggregate']")
    assert aggregates, "auto-grouping the U-Net found no aggregate"
    drawn = grouped.legend.locator("g.n2v-legend-item:has(.n2v-group)").evaluate_all(
        "items => items.map(item => item.dataset.key)")
    assert sorted(drawn) == sorted(aggregates)  # the legend shows each, as aggregate glyphs
    # an outermost aggregate: switched off, its members are drawn in its place
    outermost = python(page, "[a['name'] for a in grouped.state['aggregates'] if not any("
                             "a['name'] in b['members'] for b in grouped.state['aggregates'])]")
    key = outermost[0]
    assert grouped.svg.locator(
        f"polygon.n2v-layer.n2v-group[data-type={lab_browser.css_string(key)}]").count()

    # deactivate it from its legend entry: its members are drawn again, a chip lists it
    grouped.act(grouped.legend_item(key).locator("polygon").first)
    assert grouped.glyph_count() > folded
    expect(grouped.chip(key)).to_be_visible()
    snapshot(grouped.root, "widget-inactive-aggregate.png")
    state = python(page, "grouped.state")
    assert [a["active"] for a in state["aggregates"] if a["name"] == key] == [False]

    # the chip folds it again
    grouped.act(grouped.chip(key))
    assert grouped.glyph_count() == folded
    expect(grouped.chip(key)).to_have_count(0)
    expect(grouped.muted).to_be_hidden()


def test_group_selection_adds_a_legend_entry(page):
    residual = view(page, "residual")
    keys = residual.legend_keys()
    glyphs = residual.glyph_count()
    residual.select(residual.glyph("b1_conv1"))
    residual.select(residual.glyph("b1_add"), shift=True)  # and everything between: the block
    expect(residual.svg.locator(".n2v-layer.n2v-selected")).to_have_count(5)

    residual.act(residual.button("Group selection"))
    new = [k for k in residual.legend_keys() if k not in keys]
    assert len(new) == 1, f"expected one new legend entry, got {new}"
    assert python(page, "[a['name'] for a in residual.state['aggregates']]") == new
    assert residual.legend_item(new[0]).locator(".n2v-group").count() > 0
    assert residual.glyph_count() < glyphs  # both blocks fold: they are the same sequence
    expect(residual.message).to_be_hidden()


def test_invalid_selection_is_refused_and_changes_nothing(page):
    residual = view(page, "residual")
    residual.select(residual.glyph("head"))
    before, renders = residual.svg_html(), residual.renders()

    residual.button("Group selection").click()
    expect(residual.message).to_be_visible()
    expect(residual.message).to_have_text(REFUSAL)
    assert python(page, "residual.error") == REFUSAL  # and every message before it arrived
    assert residual.svg_html() == before
    assert residual.renders() == renders


def test_the_view_refits_a_figure_that_changed_size(page):
    refit = view(page, "refit")
    refit.act(refit.button("Auto-group"))
    viewport = refit.root.locator(".n2v-viewport").bounding_box()
    figure = refit.svg.bounding_box()
    assert figure["y"] + figure["height"] <= viewport["y"] + viewport["height"] + 1
    assert figure["x"] + figure["width"] <= viewport["x"] + viewport["width"] + 1


def test_ctrl_z_undoes_each_step_and_ctrl_shift_z_makes_it_again(page):
    history = view(page, "history")
    first = python(page, "history.svg")
    expect(history.button("Undo")).to_be_disabled()
    history.act(history.button("Auto-group"))
    grouped = python(page, "history.svg")
    key = python(page, "history.state['aggregates'][-1]['name']")
    history.act(history.legend_item(key).locator("polygon").first)  # switched off
    assert python(page, "history.history") == {"undo": 2, "redo": 0}
    history.root.focus()
    before = history.renders()
    history.page.keyboard.press("Control+z")
    history.wait_for_render(before)
    assert python(page, "history.svg") == grouped
    history.act(history.button("Undo"))
    assert python(page, "history.svg") == first
    expect(history.button("Undo")).to_be_disabled()
    before = history.renders()
    history.page.keyboard.press("Control+Shift+z")
    history.wait_for_render(before)
    assert python(page, "history.svg") == grouped
    expect(history.button("Redo")).to_be_enabled()


def in_view(widget) -> int:
    """How many glyphs the view shows, at least in part."""
    return widget.root.locator(".n2v-viewport").evaluate("""viewport => {
        const box = viewport.getBoundingClientRect();
        return [...viewport.querySelectorAll('.n2v-layer')].filter(g => {
            const r = g.getBoundingClientRect();
            return r.right > box.left && r.left < box.right && r.bottom > box.top
                && r.top < box.bottom; }).length; }""")


def test_after_zoom_pan_and_a_new_figure_the_view_is_never_blank(page):
    follow = view(page, "follow")
    for _ in range(4):
        follow.button("+").click()
    viewport = follow.root.locator(".n2v-viewport")
    box = viewport.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - 150, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    assert in_view(follow) > 0
    follow.act(follow.button("Auto-group"))
    page.wait_for_timeout(100)  # the view follows in the frame after the figure
    assert in_view(follow) > 0
    snapshot(follow.root, "widget-follows.png")


def test_a_hundred_zoom_outs_leave_the_figure_visible(page):
    follow = view(page, "follow")
    follow.root.focus()
    for _ in range(100):
        page.keyboard.press("-")
    figure = follow.svg.bounding_box()
    assert figure["width"] > 40 and in_view(follow) > 0
    for _ in range(40):
        page.keyboard.press("+")
    scale = follow.root.locator(".n2v-canvas").evaluate(
        "c => Number(c.style.transform.match(/scale\\(([\\d.]+)\\)/)[1])")
    assert scale <= 8
    follow.button("Reset view").click()


def test_the_overview_of_a_tall_figure_fits_inside_the_view_and_closes(page):
    tall = view(page, "tall")
    for _ in range(5):
        tall.button("+").click()
    overview = tall.root.locator(".n2v-minimap")
    expect(overview).to_be_visible()
    inner, outer = overview.bounding_box(), tall.root.locator(".n2v-viewport").bounding_box()
    assert inner["height"] <= 0.5 * outer["height"] and inner["width"] <= 0.5 * outer["width"]
    assert inner["y"] >= outer["y"] and inner["x"] >= outer["x"]
    snapshot(tall.root, "widget-overview.png")
    overview.locator(".n2v-minimap-close").click()
    expect(overview).to_be_hidden()
    tall.button("Reset view").click()


def test_a_click_inspects_a_glyph_and_arrows_step_along_the_edges(page):
    inspect = view(page, "inspect")
    panel = inspect.root.locator(".n2v-inspect")
    inspect.select(inspect.glyph("stem"))
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("stem")
    expect(panel).to_contain_text("parameters:")
    inspect.root.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => true")
    expect(panel).not_to_contain_text("stem  ·")
    (selected,) = python(page, "inspect.selection")
    assert selected in python(page, "[e.target for e in inspect.figure.folded.edges "
                                    "if e.source == 'stem']")
    viewport = inspect.root.locator(".n2v-viewport").bounding_box()
    page.mouse.move(viewport["x"] + 200, viewport["y"] + 60)
    page.mouse.down()
    page.mouse.move(viewport["x"] + 120, viewport["y"] + 60, steps=4)
    page.mouse.up()
    expect(panel).to_be_visible()  # it stays while the figure moves under it
    snapshot(inspect.root, "widget-inspect.png")
    page.keyboard.press("ArrowLeft")
    expect(panel).to_contain_text("stem")
    inspect.root.press("Escape")
    expect(panel).to_be_hidden()


def transform_of(widget) -> str:
    return widget.root.locator(".n2v-canvas").evaluate("c => c.style.transform")


def test_dragging_the_corner_resizes_without_panning_and_a_narrower_window_fits_again(page):
    plain = view(page, "plain")
    plain.button("Reset view").click()
    viewport = plain.root.locator(".n2v-viewport")
    box, before = viewport.bounding_box(), transform_of(plain)
    corner = (box["x"] + box["width"] - 4, box["y"] + box["height"] - 4)
    page.mouse.move(*corner)
    page.mouse.down()
    page.mouse.move(corner[0], corner[1] + 60, steps=6)
    page.mouse.up()
    assert viewport.bounding_box()["height"] > box["height"] + 30
    assert transform_of(plain) == before  # resized, not panned
    size = page.viewport_size
    try:
        page.set_viewport_size({"width": 700, "height": size["height"]})
        page.wait_for_timeout(300)
        assert transform_of(plain) != before  # fitted to the narrower view
    finally:
        page.set_viewport_size(size)
        plain.button("Reset view").click()


# --- preferences and download ------------------------------------------------------------------

def test_preference_change_rerenders(page):
    prefs = view(page, "prefs")
    assert prefs.svg.locator(".n2v-feature").count() > 0
    prefs.button("Preferences").click()
    expect(prefs.preferences).to_be_visible()
    checkbox = prefs.preferences.locator('input[name="show_features"]')
    expect(checkbox).to_be_checked()

    before = prefs.renders()
    checkbox.uncheck()
    prefs.wait_for_render(before)
    expect(prefs.svg.locator(".n2v-feature")).to_have_count(0)
    expect(prefs.preferences.locator('input[name="show_features"]')).not_to_be_checked()
    assert prefs.glyph_count() == UNET_LAYERS
    snapshot(prefs.root, "widget-preferences.png")
    assert python(page, "prefs.preferences['show_features']") is False


def test_download_is_to_svg(page, lab):
    prefs = view(page, "prefs")
    filename, content = prefs.download()
    assert filename == "unet.svg"

    run_in_kernel(page, NOTEBOOK, "import pathlib; pathlib.Path('prefs.svg').write_text("
                                  "prefs.to_svg(), encoding='utf-8')")
    assert content == (lab.root / "prefs.svg").read_text(encoding="utf-8")

    # and it is the figure the page shows
    shown = prefs.glyphs.evaluate_all("glyphs => glyphs.map(g => g.dataset.id)")
    tree = ET.fromstring(content)
    ids = [e.get("data-id") for e in tree.iter("{http://www.w3.org/2000/svg}polygon")
           if e.get("class", "").split()[0] == "n2v-layer"]
    assert ids == shown


def test_copy_caption_puts_the_figure_in_words_on_the_clipboard(page, lab):
    prefs = view(page, "prefs")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=lab.url)
    prefs.button("Copy caption").click()
    expect(prefs.button("Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == kernel_value(
        page, NOTEBOOK, "prefs.describe()")


def test_no_uncaught_errors_in_the_page(page):
    assert [str(error) for error in page.uncaught_errors] == []


def test_right_click_on_a_legend_entry_renames_and_recolours_it(page):
    edit = view(page, "edit")
    edit.legend_item("Conv2D").click(button="right")
    editor = edit.root.locator(".n2v-editor")
    expect(editor).to_be_visible()
    editor.locator("input.n2v-alias").fill("Convolution")
    editor.locator("input.n2v-color").fill("#00ff00")
    edit.act(editor.locator("button", has_text="Apply"))
    expect(edit.legend_item("Conv2D").locator("text")).to_have_text("Convolution")
    assert edit.glyph("stem").get_attribute("fill") == "#00FF00"
    assert python(page, "edit.state['aliases']") == {"Conv2D": "Convolution"}
    expect(editor).to_be_hidden()  # applied: closed


def test_a_refused_rename_keeps_the_editor_open_and_says_why(page):
    edit = view(page, "edit")
    edit.legend_item("Dense").click(button="right")
    editor = edit.root.locator(".n2v-editor")
    editor.locator("input.n2v-alias").fill("x" * 60)
    editor.locator("button", has_text="Apply").click()
    expect(edit.message).to_contain_text("at most 40 characters")
    expect(editor).to_be_visible()
    expect(editor.locator("input.n2v-alias")).to_have_value("x" * 60)
    editor.locator("button", has_text="Close").click()


def test_a_refused_preference_is_named_as_typed_and_put_back(page):
    form = view(page, "form")
    form.button("Preferences").click()
    field = form.preferences.locator('input[name="max_width"]')
    before = field.input_value()
    field.fill("abc")
    field.press("Enter")
    expect(form.message).to_contain_text("got 'abc'")
    expect(field).to_have_value(before)
    field.fill("90")
    field.press("Enter")
    expect(form.message).to_be_hidden()  # the next success clears the message
    assert python(page, "form.preferences['max_width']") == 90


def test_wheel_zooms_in_symmetric_steps_and_reset_fits_again(page):
    edit = view(page, "edit")
    canvas = edit.root.locator(".n2v-canvas")

    def transform():  # (x, y, scale) of the figure in the view
        return canvas.evaluate("c => c.style.transform.match(/-?[\\d.]+/g).map(Number)")

    fitted = transform()
    edit.root.locator(".n2v-viewport").hover()
    page.mouse.wheel(0, -100)
    zoomed = transform()
    assert zoomed[2] == pytest.approx(fitted[2] * 1.2, rel=1e-5)  # CSS keeps 6 digits
    page.mouse.wheel(0, 100)
    assert transform() == pytest.approx(fitted, rel=1e-5)
    page.mouse.wheel(0, -100)
    edit.button("Reset view").click()
    assert transform() == pytest.approx(fitted, rel=1e-5)


def test_a_pytorch_figure_displays_toggles_and_downloads(page, lab):
    torch_view = view(page, "pytorch")
    expect(torch_view.svg).to_be_visible()
    folded = torch_view.glyph_count()
    assert folded == len(python(page, "pytorch.layers"))
    torch_view.button("Reset view").click()
    torch_view.act(torch_view.legend_item("Residual block").locator("polygon").first)
    assert torch_view.glyph_count() > folded
    expect(torch_view.chip("Residual block")).to_be_visible()
    filename, content = torch_view.download()
    assert filename == "ResNet18.svg"
    run_in_kernel(page, NOTEBOOK, "pytorch.save('pytorch.svg')")
    assert content == (lab.root / "pytorch.svg").read_text(encoding="utf-8")
