"""The preflight panel, driven with a pilot: success, failure with the seed-001 block, cancel
(the probe process is gone afterwards), re-run, the interpreter chooser, closing while running.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import OptionList

from lsc_tui.tui.flows.interpreters import Interpreter
from lsc_tui.tui.flows.preflight_panel import InterpreterChooser, PreflightPanel, controller_for

from .conftest import PYTHON, HostApp, open_session, probe_processes, run_yaml

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # the editor in a pilot: seconds per test

CURRENT = [Interpreter("current", PYTHON, "python (test)")]


def panel(app) -> PreflightPanel:
    screen = app.screen
    assert isinstance(screen, PreflightPanel), type(screen)
    return screen


async def wait_for(pilot, cond, timeout=20.0):
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            raise AssertionError("timed out waiting")
        await pilot.pause(0.05)


async def finished(pilot):
    ctl = controller_for(pilot.app)
    await wait_for(pilot, lambda: ctl.state.status not in ("idle", "preparing", "running"))
    await pilot.pause()
    return ctl.state


def make(session_path, **kw):
    session = open_session(session_path)
    kw.setdefault("interpreters", list(CURRENT))
    return HostApp(session, lambda s: PreflightPanel(s, **kw))


@pytest.fixture
def good_ws(tmp_path, site):
    site.good("alpha_provider", "alpha")
    site.good("beta_provider", "beta")
    p = tmp_path / "ws" / "run.yaml"
    p.parent.mkdir()
    p.write_text(run_yaml([("alpha", "remote::alpha", "alpha_provider"), ("beta", "remote::beta", "beta_provider")]))
    return p


@pytest.fixture
def bad_ws(tmp_path, site):
    site.good("alpha_provider", "alpha")
    p = tmp_path / "ws" / "run.yaml"
    p.parent.mkdir()
    p.write_text(run_yaml([("alpha", "remote::alpha", "alpha_provider"),
                           ("broken", "remote::broken", "missing_provider_pkg")]))
    return p


@pytest.fixture
def sleepy_ws(tmp_path, site):
    site.sleepy("sleepy_provider", "sleepy")
    p = tmp_path / "ws" / "run.yaml"
    p.parent.mkdir()
    p.write_text(run_yaml([("sleepy", "remote::sleepy", "sleepy_provider")]))
    return p


def private_folders() -> set:
    import glob
    import tempfile

    return set(glob.glob(os.path.join(tempfile.gettempdir(), "lsc-tui-preflight-*")))


async def test_success_streams_one_row_per_provider(good_ws, tmp_path, monkeypatch):
    import tempfile

    # a temporary directory of this test's own: preflights of tests running at the same time
    # (pytest-xdist) make and remove their private folders in the shared one
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    app = make(good_ws)
    folders = private_folders()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        st = await finished(pilot)
        assert st.status == "ok", (st.summary, st.fatal)
        assert [(r.provider_id, r.status) for r in st.rows] == [("alpha", "ok"), ("beta", "ok")]
        assert all(r.duration is not None for r in st.rows)
        assert "All providers validated successfully" in st.summary
        ol = panel(app).query_one("#pf-rows", OptionList)
        assert ol.option_count == 2
        assert "OK" in str(ol.get_option_at_index(0).prompt)
        # the probe is gone, and so is the private folder with the synthesized run.yaml
        assert not probe_processes()
        assert private_folders() <= folders


async def test_failure_row_expands_to_the_seed_block_and_rerun(bad_ws):
    app = make(bad_ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        st = await finished(pilot)
        assert st.status == "failed"
        broken = st.rows[1]
        assert broken.status == "error" and broken.expanded
        assert "ERROR: Provider validation failed" in broken.text
        assert "Provider: broken" in broken.text and "Resolution:" in broken.text
        ol = panel(app).query_one("#pf-rows", OptionList)
        assert "Provider: broken" in str(ol.get_option_at_index(1).prompt)
        # enter on the error row hides the block, again shows it
        ol.highlighted = 1
        await pilot.press("enter")
        assert not broken.expanded
        assert "Provider: broken" not in str(ol.get_option_at_index(1).prompt)
        await pilot.press("enter")
        assert broken.expanded
        # fix the run by adding the package, and re-run with r
        from .conftest import Site

        Site(bad_ws.parent.parent).good("missing_provider_pkg", "broken")
        await pilot.press("r")
        st = await finished(pilot)
        assert st.status == "ok", st.summary


async def test_cancel_kills_the_probe(sleepy_ws):
    app = make(sleepy_ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        ctl = controller_for(app)
        await wait_for(pilot, lambda: ctl.state.rows and ctl.state.rows[0].status == "running")
        await wait_for(pilot, lambda: probe_processes())
        await pilot.pause(0.3)
        assert ctl.state.running
        await pilot.press("x")
        st = await finished(pilot)
        assert st.status == "cancelled"
        assert st.rows[0].status == "not-checked"
        await wait_for(pilot, lambda: not probe_processes(), timeout=5)
        assert not probe_processes()


async def test_run_continues_after_closing_and_editing_stays_usable(sleepy_ws):
    app = make(sleepy_ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        ctl = controller_for(app)
        await wait_for(pilot, lambda: probe_processes())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PreflightPanel)
        assert ctl.state.running  # still running in the background
        # the host stays responsive
        t0 = time.monotonic()
        await pilot.pause(0.1)
        assert time.monotonic() - t0 < 2
        # open the panel again: same run, then cancel
        app.push_screen(PreflightPanel(app.session, interpreters=list(CURRENT)))
        await pilot.pause()
        assert panel(app).query_one("#pf-rows", OptionList).option_count == 1
        await pilot.press("x")
        st = await finished(pilot)
        assert st.status == "cancelled"
        await wait_for(pilot, lambda: not probe_processes(), timeout=5)


async def test_unsaved_edits_are_checked(good_ws):
    from lsc_tui.config.session import SetValue

    session = open_session(good_ws)
    session.apply(SetValue(good_ws, ("providers", "inference", 1, "module"), "nowhere_pkg"))
    assert session.dirty
    app = HostApp(session, lambda s: PreflightPanel(s, interpreters=list(CURRENT)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        st = await finished(pilot)
        assert st.status == "failed"
        assert st.rows[1].status == "error"
        assert "with unsaved edits" in str(panel(app).query_one("#pf-target").render())
    assert "nowhere_pkg" not in good_ws.read_text()


def _venv_beside(config: Path) -> Path:
    """A .venv beside the config whose python is this interpreter (what the chooser finds)."""
    venv = config.parent / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text(f"home = {os.path.dirname(sys._base_executable)}\n")
    (venv / "bin" / "python").symlink_to(PYTHON)
    return venv


async def test_interpreter_chooser_accepts_a_typed_path_and_rejects_nonsense(good_ws, tmp_path):
    _venv_beside(good_ws)
    app = make(good_ws, interpreters=None)
    async with app.run_test(size=(80, 24)) as pilot:
        p = panel(app)
        assert [i.kind for i in p.found] == ["current", "venv"]
        assert p.found[1].display == ".venv/bin/python"
        assert p.interpreter.kind == "venv"  # the server's environment is the better guess
        await pilot.press("i")
        assert isinstance(app.screen, InterpreterChooser)
        await pilot.press("tab")
        for ch in "nope/python":
            await pilot.press(ch)
        await pilot.press("enter")
        assert isinstance(app.screen, InterpreterChooser)
        assert "no such file" in str(app.screen.query_one("#interpreter-error").render())
        app.screen.query_one("#interpreter-path").value = ".venv"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PreflightPanel)
        assert p.interpreter.display == ".venv/bin/python"
        await pilot.press("r")
        st = await finished(pilot)
        assert st.status == "ok"
        assert st.interpreter.kind == "path"


async def test_no_run_yaml_is_explained(tmp_path):
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text("name: x\nservice: {host: 0.0.0.0}\nllama_stack:\n  use_as_library_client: false\n"
                   "  url: http://localhost:8321\n")
    app = make(cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert controller_for(app).state.status == "idle"
        assert any("no run.yaml to check" in n.message for n in app._notifications)


async def test_a_bad_interpreter_is_a_message_not_a_traceback(good_ws, tmp_path):
    bad = tmp_path / "not-python"
    bad.write_text("just text\n")
    app = make(good_ws, interpreters=[Interpreter("path", str(bad), "not-python")])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        st = await finished(pilot)
        assert st.status == "error"
        assert "not executable" in st.fatal
        shown = str(panel(app).query_one("#pf-summary").render())
        assert "not executable" in shown and "Traceback" not in shown
        assert not probe_processes()


async def test_a_run_that_ends_while_the_panel_is_closed_is_announced(sleepy_ws):
    app = make(sleepy_ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        ctl = controller_for(app)
        await wait_for(pilot, lambda: probe_processes())
        await pilot.press("escape")
        await pilot.pause()
        assert ctl.state.running
        ctl.cancel()
        await wait_for(pilot, lambda: not ctl.state.running)
        await pilot.pause()
        assert any(n.title == "Preflight" and "P shows the rows" in n.message for n in app._notifications)
        await wait_for(pilot, lambda: not probe_processes(), timeout=5)


async def test_quitting_the_app_during_a_run_leaves_no_probe(sleepy_ws):
    app = make(sleepy_ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: probe_processes())
    # the app is gone: its worker was cancelled and the runner killed the probe's process group
    t0 = time.monotonic()
    while probe_processes() and time.monotonic() - t0 < 5:
        await asyncio.sleep(0.05)
    assert not probe_processes()


async def test_a_cancelled_run_says_cancelled_not_failed(sleepy_ws):
    app = make(sleepy_ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        controller_for(app)
        await wait_for(pilot, lambda: probe_processes())
        await pilot.press("x")
        st = await finished(pilot)
        assert st.status == "cancelled"
        shown = str(panel(app).query_one("#pf-summary").render())
        assert "Preflight cancelled" in shown and "Preflight failed" not in shown
        await wait_for(pilot, lambda: not probe_processes(), timeout=5)


def test_the_cancelled_summary_of_the_report():
    from lsc_tui.preflight.report import summary_lines

    lines = summary_lines({"status": "cancelled", "total": 2, "passed": 1, "failed": 0, "not_checked": 1})
    assert lines[-1].startswith("Preflight cancelled") and not any("Preflight failed" in ln for ln in lines)


@pytest.fixture
def builtin_ws(tmp_path, site):
    """A built-in provider type (no module): the probe needs Llama Stack, which this Python lacks."""
    p = tmp_path / "ws" / "run.yaml"
    p.parent.mkdir()
    p.write_text(run_yaml([("vllm", "remote::vllm", "")]).replace("    module: \n", ""))
    return p


async def test_the_panel_advises_its_keys_not_the_command_lines_options(builtin_ws, tmp_path):
    app = make(builtin_ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        st = await finished(pilot)
        assert st.status == "failed"
        row = st.rows[0]
        assert row.status == "error" and "Llama Stack is not installed" in row.text
        shown = str(panel(app).query_one("#pf-rows", OptionList).get_option_at_index(0).prompt)
        shown += str(panel(app).query_one("#pf-summary").render())
        assert "--python" not in row.text + shown and "--keep-going" not in shown
        assert "Press i and pick the server's Python" in row.text
    bad = tmp_path / "not-python"
    bad.write_text("just text\n")
    app = make(builtin_ws, interpreters=[Interpreter("path", str(bad), "not-python")])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        st = await finished(pilot)
        shown = str(panel(app).query_one("#pf-summary").render())
        assert "not executable" in shown and "--python" not in shown and "i picks another" in shown


async def test_j_moves_in_the_rows_and_k_stays_keep_going(bad_ws):
    """The rows follow the key map's j (down); k stays the panel's Keep going there, as its footer says."""
    app = make(bad_ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await finished(pilot)
        ol = panel(app).query_one("#pf-rows", OptionList)
        ol.focus()
        ol.highlighted = 0
        await pilot.press("j")
        await pilot.pause()
        assert ol.highlighted == 1
        ctl = controller_for(app)
        keep = ctl.keep_going
        await pilot.press("k")
        await pilot.pause()
        assert ctl.keep_going != keep and ol.highlighted == 1


async def test_a_long_report_line_wraps_under_its_block_not_at_the_left_edge(bad_ws):
    """At 80 columns the ERROR block's long lines (the Resolution) wrapped to the panel's left
    edge, out of the block's indentation; they wrap inside it now."""
    app = make(bad_ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        st = await finished(pilot)
        ol = panel(app).query_one("#pf-rows", OptionList)
        shown = str(ol.get_option_at_index(1).prompt).splitlines()
        width = ol.scrollable_content_region.width
    resolution = next(line for line in st.rows[1].text.splitlines() if line.startswith("Resolution:"))
    assert len("    " + resolution) > width  # the case: a line wider than the panel
    head, body = shown[0], shown[1:]
    assert "broken" in head
    assert all(len(line) <= width for line in shown), (width, shown)
    assert all(line.startswith("    ") for line in body if line), body
    # the words are all there, in order
    assert " ".join(" ".join(body).split()).count(" ".join(resolution.split())) == 1


def footer_keys(scr) -> list[str]:
    from textual.widgets._footer import FooterKey

    return [f"{k.key_display} {k.description}" for k in scr.query(FooterKey) if k.display]


async def test_the_chooser_footer_shows_enter_use_this_and_enter_picks(good_ws, tmp_path):
    """The chooser's footer showed only esc Back: its enter (Use this) was hidden behind the
    list's own enter. It is shown, on the list and in the path field, and picks from either."""
    _venv_beside(good_ws)
    app = make(good_ws, interpreters=None)
    async with app.run_test(size=(80, 24)) as pilot:
        p = panel(app)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, InterpreterChooser)
        assert "enter Use this" in footer_keys(app.screen), footer_keys(app.screen)
        await pilot.press("k", "enter")  # the list: lsc-tui's own Python, above the venv
        await pilot.pause()
        assert isinstance(app.screen, PreflightPanel) and p.interpreter.kind == "current"
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("tab", *".venv")
        await pilot.pause()
        assert "enter Use this" in footer_keys(app.screen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PreflightPanel) and p.interpreter.display == ".venv/bin/python"


async def test_the_footer_shows_the_keys_that_work_idle_and_running(sleepy_ws):
    """Idle, the footer showed `x Cancel run`, dimmed (a shade apart, none with NO_COLOR) and
    doing nothing; running, it showed r, i and k dimmed the same way. Each state shows its keys."""
    app = make(sleepy_ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        idle = ["r Run / re-run", "i Interpreter", "k Keep going", "esc Close"]
        assert footer_keys(panel(app)) == idle, footer_keys(panel(app))
        await pilot.press("r")
        ctl = controller_for(app)
        await wait_for(pilot, lambda: ctl.state.running and ctl.state.rows and ctl.state.rows[0].status == "running")
        await pilot.pause()
        assert footer_keys(panel(app)) == ["x Cancel run", "esc Close"], footer_keys(panel(app))
        await pilot.press("x")
        await finished(pilot)
        await pilot.pause()
        assert footer_keys(panel(app)) == idle, footer_keys(panel(app))
