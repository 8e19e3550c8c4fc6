"""Pilot tests for the Kubernetes side of the editor (issue 10, items 4 and 5): a CR, an
extra-providers.yaml opened in the tree with the generated config as the live preview, the
palette's exports, and the profiles node of a unified config."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
import yaml

from lsc_tui.tui.screens.dialogs import Choice, Prompt
from lsc_tui.tui.widgets.config_tree import ConfigTree

from .conftest import make_app
from .helpers import select, settle, type_into

pytestmark = [pytest.mark.anyio, pytest.mark.slow]  # the editor in a pilot: seconds per test

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLES = FIXTURES / "corpus" / "llama-stack-k8s-operator" / "config" / "samples"
FULL = FIXTURES / "operator" / "v1alpha2-full.yaml"

RUN = (FIXTURES / "operator" / "run-vllm-small.yaml").read_text()  # a run.yaml the operator merges into

EXTRA = """\
apiVersion: llamastack.io/v1alpha1
kind: ExternalProviders
providers:
  inference:
  - provider_id: custom
    provider_type: remote::custom-vllm
    module: my_org.custom_vllm
    config: {url: http://custom:8000}
"""


@pytest.fixture
def cr_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "cr"
    d.mkdir()
    shutil.copy(FULL, d / "llsd.yaml")
    shutil.copy(SAMPLES / "example-with-configmap.yaml", d / "with-configmap.yaml")
    monkeypatch.chdir(d)
    return d


@pytest.fixture
def extra_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "extra"
    d.mkdir()
    (d / "extra-providers.yaml").write_text(EXTRA, encoding="utf-8")
    (d / "run.yaml").write_text(RUN, encoding="utf-8")
    monkeypatch.chdir(d)
    return d


async def _exported(app) -> None:
    """Wait for the palette's export worker (not the editor's job runner, which never ends)."""
    workers = [w for w in app.workers if w.group == "k8s-export"]
    if workers:
        await app.workers.wait_for_complete(workers)


async def _export_with_the_defaults(app, pilot) -> None:
    """The palette's "Export for Kubernetes…", each of its three questions answered with enter
    (the default), and the export finished."""
    _commands(app)["Export for Kubernetes…"]()
    await pilot.pause()
    await pilot.press("enter", "enter", "enter")
    await _exported(app)
    await settle(app, pilot)


def _commands(app) -> dict:
    from lsc_tui.tui.commands import LscCommands

    return {name: cb for name, _h, cb in LscCommands(app.screen, None)._commands()}


async def test_cr_opens_with_generated_config_and_edits_update_it(cr_dir, cli_expand):
    app = make_app("llsd.yaml")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.view.mode == "LlamaStackDistribution"
        assert app.view.preview_label == "config.yaml"
        assert "\n".join(app.view.run_lines) + "\n" == cli_expand(cr_dir / "llsd.yaml")
        tree = app.query_one(ConfigTree)
        assert tree.select_key("llsd.yaml|spec.providers.inference[0]")
        assert tree.selected_item.kind == "cr-provider" and tree.selected_item.label == "vllm-primary"
        await select(app, pilot, "llsd.yaml", ("spec", "storage"))
        await type_into(app, pilot, "kv.endpoint", "redis-two:6379")
        assert "redis-two" in app.view.diff_text and app.view.diff_text.startswith("--- saved files")
        assert "generated config.yaml" in app.view.diff_text
        assert app.view.dirty
        # a CEL rule broken by an edit shows up in the findings pane with its place
        await select(app, pilot, "llsd.yaml", ("spec", "distribution"))
        await type_into(app, pilot, "name", "no-such-distribution")
        bad = [f for f in app.view.findings if f.is_error]
        assert bad and bad[0].file == "llsd.yaml" and bad[0].line == 5
        assert not app.view.run_lines and "fix the errors" in app.view.preview_note


async def test_cr_with_its_configmap_in_one_file(cr_dir):
    app = make_app("with-configmap.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        labels = [i.label for i in app.view.tree[0].children]
        assert labels == ["ConfigMap llama-stack-config", "LlamaStackDistribution llamastack-with-userconfig"]
        assert any("remote::ollama" in line for line in app.view.run_lines)  # from the ConfigMap
        await select(app, pilot, "with-configmap.yaml", (1, "spec", "server", "containerSpec"))
        await type_into(app, pilot, "port", "8400")
        assert yaml.safe_load_all(app.session.text_of(cr_dir / "with-configmap.yaml"))


async def test_inline_secret_in_a_cr_is_masked(cr_dir):
    text = (cr_dir / "llsd.yaml").read_text(encoding="utf-8").replace(
        "settings: {base_url: http://vllm:8000/v1, max_tokens: 4096}",
        "settings: {base_url: http://vllm:8000/v1, max_tokens: 4096, api_key: sk-proj-abcdefghijklmnopqrstuvwx1234}")
    (cr_dir / "llsd.yaml").write_text(text, encoding="utf-8")
    app = make_app("llsd.yaml")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.view.counts["secrets"] == 1
        assert not any("sk-proj-abcdef" in line for line in app.view.run_lines)
        await select(app, pilot, "llsd.yaml", ("spec", "providers", "inference", 0))
        await pilot.press("t")  # the raw YAML of the provider
        await settle(app, pilot)
        shown = app.query_one("#yaml-editor").text
        assert "provider: vllm" in shown and "sk-proj-abcdef" not in shown


async def test_extra_providers_preview_is_the_merged_run_yaml(extra_dir):
    app = make_app("extra-providers.yaml")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.view.mode == "ExternalProviders"
        assert any("remote::custom-vllm" in line for line in app.view.run_lines)
        await select(app, pilot, "extra-providers.yaml", ("providers", "inference", 0))
        await type_into(app, pilot, "config.url", "http://elsewhere:9000")
        assert "+      url: http://elsewhere:9000" in app.view.diff_text
        assert "merged run.yaml" in app.view.diff_text


async def test_extra_providers_without_run_yaml_says_so(extra_dir):
    (extra_dir / "run.yaml").unlink()
    app = make_app("extra-providers.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert not app.view.run_lines
        assert "No run.yaml next to extra-providers.yaml" in app.view.preview_note
        body = app.query_one("#diff-body")
        assert "No run.yaml next to" in str(body.render())


async def test_palette_export_for_kubernetes_writes_0600_and_asks_before_replacing(extra_dir):
    unified = extra_dir  # the merged run.yaml is what gets exported
    app = make_app("extra-providers.yaml")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        commands = _commands(app)
        assert "Export for Kubernetes…" in commands and "Write expanded config.yaml…" not in commands
        commands["Export for Kubernetes…"]()
        await pilot.pause()
        assert isinstance(app.screen, Prompt)
        assert app.screen.query_one("#prompt-dir").value == "k8s"
        await pilot.press("enter", "enter", "enter")
        await settle(app, pilot)
        await _exported(app)
        await settle(app, pilot)
        out = unified / "k8s"
        assert sorted(p.name for p in out.iterdir()) == ["configmap.yaml", "llamastackdistribution.yaml"]
        for p in out.iterdir():
            assert stat.S_IMODE(p.stat().st_mode) == 0o600
        cm = yaml.safe_load((out / "configmap.yaml").read_text(encoding="utf-8"))
        assert cm["kind"] == "ConfigMap" and "config.yaml" in cm["data"]
        before = (out / "configmap.yaml").read_bytes()
        # again: the files exist, so it asks; "n" writes nothing
        (out / "configmap.yaml").write_text("mine\n", encoding="utf-8")
        await _export_with_the_defaults(app, pilot)
        assert isinstance(app.screen, Choice)
        await pilot.press("n")
        await settle(app, pilot)
        assert (out / "configmap.yaml").read_text(encoding="utf-8") == "mine\n"
        await _export_with_the_defaults(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert (out / "configmap.yaml").read_bytes() == before
        assert (out / "configmap.yaml.bak").read_text(encoding="utf-8") == "mine\n"
        assert not (out / "secret.yaml").exists()


async def test_palette_export_lists_the_env_file_warnings(extra_dir):
    """A line of the .env next to the config that is not NAME=value: the export writes the
    manifests and its notice lists the warning, located, never what the line holds."""
    secret = "sk-Fake9PaletteEnvSecret4Zq7"
    (extra_dir / ".env").write_text(f"OTHER=1\nDB_PASSWORD {secret}\nmy-key={secret}\n", encoding="utf-8")
    app = make_app("extra-providers.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await _export_with_the_defaults(app, pilot)
        assert sorted(p.name for p in (extra_dir / "k8s").iterdir()) == ["configmap.yaml", "llamastackdistribution.yaml"]
        messages = [n.message for n in app._notifications]
        (done,) = [m for m in messages if m.startswith("Wrote ")]
        assert "2 warnings:" in done, done
        assert ".env:2:1: warning: env-file-line: line 2 is not NAME=value (it has no '=')" in done, done
        assert ".env:3:1: warning: env-file-line: line 3 is not NAME=value" in done
        assert "lsc-tui export k8s lists them with their fix." in done
        assert str(extra_dir) not in done  # named from the working directory
        assert not any(secret in m for m in messages)


async def test_palette_export_errors_are_notified_with_their_place(unified):
    """The unified fixture holds a literal secret: a ConfigMap must not carry it."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await _export_with_the_defaults(app, pilot)
        assert not (unified / "k8s").exists()
        messages = [n.message for n in app._notifications]
        hit = [m for m in messages if "literal-secret-in-configmap" in m]
        assert hit and "nothing was written" in hit[0] and "lightspeed-stack.yaml:" in hit[0], messages
        assert not any("Traceback" in m for m in messages)
        assert not any("sk-" in m for m in messages)


async def test_palette_write_expanded_config(cr_dir, cli_expand):
    app = make_app("llsd.yaml")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        commands = _commands(app)
        assert "Export for Kubernetes…" not in commands
        commands["Write expanded config.yaml…"]()
        await pilot.pause()
        assert app.screen.query_one("#prompt-path").value == "config.yaml"
        await pilot.press("enter")
        await _exported(app)
        await settle(app, pilot)
        target = cr_dir / "config.yaml"
        assert target.read_text(encoding="utf-8") == cli_expand(cr_dir / "llsd.yaml")
        assert stat.S_IMODE(target.stat().st_mode) == 0o600


async def test_profiles_node_lists_choices_and_enter_switches(unified):
    cfg = unified / "lightspeed-stack.yaml"
    on_disk = cfg.read_bytes()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        group = app.view.item_by_key("lightspeed-stack.yaml|#profiles")
        assert [c.label for c in group.children] == ["default", "empty", "byo-llm", "* profile.yaml"]
        assert group.children[-1].detail == "file, active"
        tree = app.query_one(ConfigTree)
        assert tree.select_key("lightspeed-stack.yaml|#profiles/baseline/empty")
        tree.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        ws = app.session.workspace
        assert ws.baseline == "empty" and ws.profile is None
        assert app.view.diff_text.startswith("--- saved files")
        assert cfg.read_bytes() == on_disk  # shown before saving
        marked = [c.label for c in app.view.item_by_key("lightspeed-stack.yaml|#profiles").children]
        assert "* empty" in marked
        await pilot.press("u")
        await settle(app, pilot)
        assert app.session.workspace.profile is not None


@pytest.fixture
def cli_expand(capsys):
    """``lsc-tui expand CR -o FILE`` as text."""
    from lsc_tui.cli import main

    def run(cr: Path) -> str:
        out = cr.parent / ".expected-config.yaml"
        assert main(["expand", str(cr), "-o", str(out)]) == 0
        capsys.readouterr()
        text = out.read_text(encoding="utf-8")
        out.unlink()
        return text

    return run
