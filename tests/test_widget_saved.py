"""A notebook saved with its widget state (JupyterLab's "Save Widget State Automatically",
on in the test server's settings) reopens showing the figure the user ended with, and a click
in a view whose kernel is gone says so (SPEC §6.2). Its own server: it ends the kernel."""
from __future__ import annotations

import json

import pytest

import lab_browser
from lab_browser import JupyterLab, WidgetView, run_in_kernel

try:
    from playwright.sync_api import expect
except ImportError:  # the tests skip, or fail under CI, saying what to install (conftest.py)
    expect = None

pytestmark = pytest.mark.browser

NOTEBOOK = "saved.ipynb"
CELLS = ["from net2vis_widget import Net2Vis\nfrom net2vis_widget.examples import residual_net",
         "w = Net2Vis(residual_net())\nw"]


@pytest.fixture(scope="module")
def session(browser_stack, tmp_path_factory):
    with lab_browser.notebook_session(JupyterLab, tmp_path_factory.mktemp("saved"), NOTEBOOK,
                                      CELLS, expected_widgets=1) as opened:
        yield opened


def test_a_saved_notebook_reopens_with_the_figure_the_user_ended_with(session):
    lab, page = session
    view = WidgetView(page, cell=1)
    before = view.renders()
    run_in_kernel(page, NOTEBOOK, "w.auto_group()")
    view.wait_for_render(before)
    grouped = view.glyph_count()
    assert view.svg.locator("polygon.n2v-group").count() > 0
    page.evaluate("(path) => window.jupyterapp.commands.execute('docmanager:save', {path})",
                  NOTEBOOK)
    page.wait_for_function("(path) => !" + lab_browser._PANEL + ".context.model.dirty",
                           arg=NOTEBOOK)
    saved = json.loads((lab.root / NOTEBOOK).read_text(encoding="utf-8"))
    states = saved["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert any("n2v-group" in m["state"].get("svg", "") for m in states.values())

    page.evaluate(f"(path) => {lab_browser._PANEL}.sessionContext.session.kernel.shutdown()",
                  NOTEBOOK)
    lab_browser.open_notebook(page, lab, NOTEBOOK)  # a new page, a new kernel: no model
    reopened = WidgetView(page, cell=1)
    expect(reopened.svg).to_be_visible()
    assert reopened.glyph_count() == grouped  # the auto-grouped figure, from the saved state
    expect(reopened.legend_item("Residual block")).to_be_visible()
    reopened.legend_item("Residual block").click()
    expect(reopened.message).to_contain_text("No answer from Python", timeout=10_000)
