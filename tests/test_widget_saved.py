"""A saved notebook reopens showing the figure the user ended with (SPEC §6.2): live, from the
widget state JupyterLab saves when told to ("Save Widget State Automatically"), and as a
static copy with the front ends' default settings, which save no widget state. A click in a
view whose kernel is gone says so at once. Each test has its own server: it ends the kernel."""
from __future__ import annotations

import base64
import json

import pytest

import lab_browser
import svg_geometry as geo
from lab_browser import JupyterLab, Notebook7, WidgetView, kernel_value, run_in_kernel, snapshot
from net2vis_widget.widget import STATIC_NOTE

try:
    from playwright.sync_api import expect
except ImportError:  # the tests skip, or fail under CI, saying what to install (conftest.py)
    expect = None

pytestmark = pytest.mark.browser

NOTEBOOK = "saved.ipynb"
CELLS = ["from net2vis_widget import Net2Vis\nfrom net2vis_widget.examples import residual_net",
         "w = Net2Vis(residual_net())\nw"]
# The servers' own defaults for widget state: nothing saved.
DEFAULT_WIDGET_SETTINGS = {name: values for name, values in lab_browser.LAB_SETTINGS.items()
                           if not name.startswith("@jupyter-widgets")}


def group_save_and_reopen(lab, page) -> str:
    """Auto-group the figure, save the notebook, end its kernel and open it again in a new
    kernel, as a user coming back to it would. Returns the SVG the user ended with."""
    view = WidgetView(page, cell=1)
    before = view.renders()
    run_in_kernel(page, NOTEBOOK, "w.auto_group()")
    view.wait_for_render(before)
    ended_with = kernel_value(page, NOTEBOOK, "w.svg")
    page.evaluate("(path) => window.jupyterapp.commands.execute('docmanager:save', {path})",
                  NOTEBOOK)
    page.wait_for_function("(path) => !" + lab_browser._PANEL + ".context.model.dirty",
                           arg=NOTEBOOK)
    page.evaluate(f"(path) => {lab_browser._PANEL}.sessionContext.session.kernel.shutdown()",
                  NOTEBOOK)
    lab_browser.open_notebook(page, lab, NOTEBOOK)
    return ended_with


def static_copy(page):
    return page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".n2v-static")


def test_a_saved_notebook_reopens_with_the_figure_the_user_ended_with(browser_stack, tmp_path):
    with lab_browser.notebook_session(JupyterLab, tmp_path, NOTEBOOK, CELLS,
                                      expected_widgets=1) as (lab, page):
        ended_with = group_save_and_reopen(lab, page)
        saved = json.loads((lab.root / NOTEBOOK).read_text(encoding="utf-8"))
        states = saved["metadata"]["widgets"][
            "application/vnd.jupyter.widget-state+json"]["state"]
        assert any(m["state"].get("svg") == ended_with for m in states.values())

        reopened = WidgetView(page, cell=1)
        expect(reopened.svg).to_be_visible()
        assert reopened.glyph_count() == len(geo.elements(geo.parse(ended_with), "n2v-layer"))
        expect(reopened.legend_item("Residual block")).to_be_visible()
        expect(static_copy(page)).to_be_hidden()  # the live view, not its copy
        reopened.legend_item("Residual block").click()
        expect(reopened.message).to_contain_text("no longer connected to Python")


@pytest.mark.parametrize("server", [JupyterLab, Notebook7], ids=["jupyterlab", "notebook7"])
def test_a_notebook_saved_with_default_settings_reopens_showing_the_figure(
        server, browser_stack, tmp_path):
    with lab_browser.notebook_session(server, tmp_path, NOTEBOOK, CELLS, expected_widgets=1,
                                      settings=DEFAULT_WIDGET_SETTINGS) as (lab, page):
        expect(static_copy(page)).to_be_hidden()  # while the view runs
        ended_with = group_save_and_reopen(lab, page)
        saved = json.loads((lab.root / NOTEBOOK).read_text(encoding="utf-8"))
        assert "widgets" not in saved["metadata"]  # no model for the view: only its copy

        cell = page.locator(".jp-Notebook .jp-Cell").nth(1)
        missing = cell.locator(".jp-OutputArea-output", has_text="model not found")
        expect(missing).to_have_count(1, timeout=60_000)
        expect(missing).to_be_hidden()  # the widget renderer's line, hidden by the copy
        copy = static_copy(page)
        expect(copy.locator("img")).to_be_visible()
        expect(copy).to_contain_text(STATIC_NOTE)
        source = copy.locator("img").get_attribute("src")
        assert base64.b64decode(source.split(",", 1)[1]).decode() == ended_with
        assert copy.locator("img").evaluate("img => img.naturalWidth") > 0  # the image loads
        snapshot(cell, f"saved-default-{lab.module}.png")

        lab_browser.run_all_cells(page, NOTEBOOK, expected_widgets=1)  # the cell runs again
        expect(WidgetView(page, cell=1).svg).to_be_visible()
        expect(static_copy(page)).to_be_hidden()
