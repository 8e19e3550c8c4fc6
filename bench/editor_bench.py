"""Keystroke to repainted diff in the running editor: the whole path an operator waits for.

The editor runs headless (Textual's pilot) on a generated workspace; the cursor sits at the end
of the first inference provider's ``config.url`` field. Each sample is one key press: the
field takes the character (as the key would insert it; Textual's pilot adds waits of its
own), the session applies the edit in its job thread (validate,
synthesize, diff, secrets), the view is rebuilt and every pane re-rendered, and the screen
refreshed. The figure is the time from the press to that refresh.

    python bench/editor_bench.py [--lines 1000] [--presses 40]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from inputs import make_workspace  # noqa: E402

URL_KEY = "lightspeed-stack.yaml|{}"
# the process's CPU time from each press to its repaint (ms), of the last measure(): on a shared
# machine the wall time measures the neighbours too, the CPU time what the editor does
LAST_CPU: list[float] = []


async def _presses(cfg: Path, presses: int) -> list[float]:
    from lsc_tui.config.findings import path_text
    from lsc_tui.tui.app import LscTuiApp

    app = LscTuiApp(cfg, watch=False, cwd=cfg.parent, persist_theme=False)
    samples: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_idle()
        tree = app.query_one("#tree")
        run_display = next(d for d in app.view.files if d.endswith("run.yaml"))
        key = f"{run_display}|{path_text(('providers', 'inference', 0))}"
        if not tree.select_key(key):
            raise RuntimeError(f"no tree node {key}")
        await pilot.pause()
        await app.wait_idle()
        editor = app.query_one("#editor")
        field = next(i for i, f in enumerate(editor.fields) if path_text(f.rel) == "config.url")
        from lsc_tui.tui.widgets.node_editor import FieldInput

        inp = next(w for w in editor.query(FieldInput) if w.field_index == field)
        inp.focus()
        await pilot.press("end")
        await app.wait_idle()
        loop = asyncio.get_running_loop()
        applied: list[asyncio.Future] = []
        apply_view = app.apply_view

        def apply_and_signal(*args, **kwargs):
            apply_view(*args, **kwargs)
            if applied and not applied[-1].done():
                app.call_after_refresh(applied[-1].set_result, None)

        app.apply_view = apply_and_signal
        LAST_CPU.clear()
        for i in range(presses + 3):
            ch = "abcdefghijklmnopqrstuvwxyz"[i % 26]
            applied.append(loop.create_future())
            t0, c0 = time.perf_counter(), time.process_time()
            # what the key does in the field (the pilot's press adds its own waits, ~60 ms)
            inp.insert_text_at_cursor(ch)
            await asyncio.wait_for(applied[-1], 30)
            if i >= 3:  # warm-up
                samples.append((time.perf_counter() - t0) * 1000)
                LAST_CPU.append((time.process_time() - c0) * 1000)
            if not app.view.diff_text or ch not in app.view.diff_text:
                raise RuntimeError("the diff did not follow the keystroke")
    return samples


async def _bare_presses(presses: int) -> list[float]:
    """The reference: a bare Textual app whose Static mirrors an Input, timed the same way."""
    from textual.app import App
    from textual.widgets import Input, Static

    class Mirror(App):
        def compose(self):
            yield Input(id="in")
            yield Static(id="out")

        def on_input_changed(self, event: Input.Changed) -> None:
            self.query_one("#out", Static).update(event.value)
            if self.waiting is not None and not self.waiting.done():
                self.call_after_refresh(self.waiting.set_result, None)

    app = Mirror()
    app.waiting = None
    samples = []
    async with app.run_test(size=(120, 40)) as pilot:
        inp = app.query_one("#in", Input)
        inp.focus()
        await pilot.pause()
        loop = asyncio.get_running_loop()
        for i in range(presses + 3):
            app.waiting = loop.create_future()
            t0 = time.perf_counter()
            inp.insert_text_at_cursor("abcdefghijklmnopqrstuvwxyz"[i % 26])
            await asyncio.wait_for(app.waiting, 30)
            if i >= 3:
                samples.append((time.perf_counter() - t0) * 1000)
    return samples


def measure(cfg: Path, presses: int) -> list[float]:
    return asyncio.run(_presses(cfg, presses))


def measure_bare(presses: int) -> list[float]:
    return asyncio.run(_bare_presses(presses))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1000)
    ap.add_argument("--presses", type=int, default=40)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lsc-tui-editor-bench-") as t:
        cfg = make_workspace(Path(t) / "ws", args.lines)
        samples = sorted(measure(cfg, args.presses))
        cpu = sorted(LAST_CPU)
    bare = sorted(measure_bare(args.presses))

    def p95(values: list[float]) -> float:
        return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]

    print(f"{args.lines} lines: key press to repainted diff, median {statistics.median(samples):.1f} ms, "
          f"p95 {p95(samples):.1f} ms ({len(samples)} presses; CPU time median {statistics.median(cpu):.1f} ms, "
          f"p95 {p95(cpu):.1f} ms); bare Textual app, key press to repainted mirror: "
          f"median {statistics.median(bare):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
