"""The widget in Jupyter Notebook 7 (the ``notebook`` package), a real kernel and Chromium.

The same view as in JupyterLab: it displays, a legend click toggles an aggregate, Download
gives the bytes that ``save()`` writes from a cell, a right-click opens only the widget's
editor, Enter applies it, search finds a layer inside a folded block, Ctrl+Z undoes, a click
inspects a glyph and zoom stays bounded.
"""
from __future__ import annotations


import pytest

import lab_browser
from lab_browser import Notebook7, WidgetView, kernel_value, run_in_kernel

try:
    from playwright.sync_api import expect
except ImportError:  # the tests skip, or fail under CI, saying what to install (conftest.py)
    expect = None

pytestmark = pytest.mark.browser

NOTEBOOK = "notebook7.ipynb"
CELLS = ["from net2vis_widget import Net2Vis\nfrom net2vis_widget.examples import residual_net",
         "w = Net2Vis(residual_net())\nw.auto_group()\nw"]
RESIDUAL_LAYERS = 16


@pytest.fixture(scope="module")
def session(browser_stack, tmp_path_factory):
    with lab_browser.notebook_session(Notebook7, tmp_path_factory.mktemp("notebook7"), NOTEBOOK,
                                      CELLS, expected_widgets=1) as opened:
        yield opened


@pytest.fixture(scope="module")
def page(session):
    return session[1]


def python(page, expression: str):
    return kernel_value(page, NOTEBOOK, expression)


def test_the_widget_displays_the_folded_figure(page):
    view = WidgetView(page, cell=1)
    expect(view.svg).to_be_visible()
    assert view.glyph_count() == len(python(page, "w.layers")) < RESIDUAL_LAYERS
    assert view.svg.locator("polygon.n2v-group").count() > 0
    expect(view.message).to_be_hidden()


def test_a_legend_click_toggles_an_aggregate(page):
    view = WidgetView(page, cell=1)
    (key, *_) = python(page, "[a['name'] for a in w.state['aggregates'] if not any("
                             "a['name'] in b['members'] for b in w.state['aggregates'])]")
    folded = view.glyph_count()
    view.act(view.legend_item(key).locator("polygon").first)
    assert view.glyph_count() > folded
    assert python(page, f"[a['active'] for a in w.state['aggregates'] if a['name'] == {key!r}]") \
        == [False]
    view.act(view.chip(key))
    assert view.glyph_count() == folded


def test_download_gives_the_bytes_save_writes(page, session):
    server = session[0]
    filename, content = WidgetView(page, cell=1).download()
    run_in_kernel(page, NOTEBOOK, "w.save('saved.svg')")
    assert content.encode("utf-8") == (server.root / "saved.svg").read_bytes()
    assert filename.endswith(".svg")


def test_a_right_click_shows_only_the_widgets_editor_and_enter_applies(page):
    view = WidgetView(page, cell=1)
    view.legend_item("Dense").click(button="right")
    editor = view.root.locator(".n2v-editor")
    expect(editor).to_be_visible()
    expect(page.locator(".lm-Menu")).to_have_count(0)  # Notebook's own menu stayed shut
    editor.locator("input.n2v-alias").fill("Classifier")
    before = view.renders()
    editor.locator("input.n2v-alias").press("Enter")
    view.wait_for_render(before)
    expect(view.legend_item("Dense").locator("text").first).to_have_text("Classifier")
    assert python(page, "w.state['aliases']") == {"Dense": "Classifier"}


def test_search_finds_a_layer_in_a_folded_block(page):
    view = WidgetView(page, cell=1)
    view.search.fill("b2_conv2")
    expect(view.root.locator(".n2v-found")).to_have_text("1 of 1 in Residual block 2")
    expect(view.svg.locator("polygon.n2v-current")).to_have_count(1)


def test_no_uncaught_errors_from_the_view(page):
    # Notebook 7.6 itself throws one while loading its settings, with or without a widget
    # ("reading 'schema'"): errors thrown from the app's own bundle are not the view's
    def thrown_by_the_app(error):
        frames = [line for line in (error.stack or "").splitlines() if "at " in line]
        return bool(frames) and "/static/notebook/" in frames[0]

    assert [str(e) for e in page.uncaught_errors if not thrown_by_the_app(e)] == []


def test_undo_keys_the_inspector_and_bounded_zoom_work_here_too(page):
    view = WidgetView(page, cell=1)
    before = python(page, "w.svg")
    view.act(view.button("Show all layers"))
    assert python(page, "w.svg") != before
    view.root.focus()
    renders = view.renders()
    page.keyboard.press("Control+z")  # Notebook 7's own undo stays out of the widget
    view.wait_for_render(renders)
    assert python(page, "w.svg") == before
    view.select(view.glyph("stem"))
    panel = view.root.locator(".n2v-inspect")
    expect(panel).to_contain_text("stem")
    view.root.press("Escape")
    expect(panel).to_be_hidden()
    for _ in range(60):
        view.root.press("-")
    assert view.svg.bounding_box()["width"] > 40
    view.button("Reset view").click()
