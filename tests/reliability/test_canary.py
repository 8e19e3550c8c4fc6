"""Secrets canary: a planted secret of every kind the scanner knows, in every kind of file,
never shows in any output of any command.

The canaries come from the scanner's own rule list (``canaries.make_canaries``), one set per
file so that each canary is unique and a leak names its rule and its file. The files are every
kind lsc-tui reads: lightspeed-stack.yaml (legacy and unified), run.yaml, a profile, a
LlamaStackDistribution CR (valid, and one whose enum error would echo a value), an
extra-providers.yaml, an lls-provider-spec.yaml with its crd-config.yaml (valid, and one
whose validation error would echo a value), and a .env. The commands are walked from the CLI
parser: a new subcommand (or a new output option of one) fails the test until it has an
invocation here. Each invocation runs on a fresh copy of the workspace and its stdout,
stderr (the preflight probe's too) and every file it creates are searched, except the files
whose point is to hold the values (.env, Secret manifests, backups, and the -o outputs of
synthesize, merge-external, expand and migrate).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest


sys.path.insert(0, str(Path(__file__).parent))
import canaries as K  # noqa: E402

from lsc_tui import cli  # noqa: E402

# file kind -> seed: each file its own canaries
FILES = ("legacy-config", "run-yaml", "legacy-env", "unified-config", "unified-extra", "profile", "cr", "cr-enum",
         "extra-providers", "provider-spec", "provider-spec-bad", "crd-config", "against",
         "export-run")


def _q(value: str, indent: int) -> str:
    """A YAML scalar for ``value``: double-quoted, or a literal block for several lines."""
    if "\n" in value.strip():
        pad = " " * indent
        return "|\n" + "".join(pad + line + "\n" for line in value.rstrip("\n").split("\n")).rstrip("\n")
    return json.dumps(value)


def _plant(cs: list[K.Canary], indent: int) -> str:
    """Every canary twice: as a mapping value under its key, and as a list item under it."""
    pad = " " * indent
    lines = []
    for i, c in enumerate(cs):
        lines.append(f"{pad}c{i}:\n{pad}  {c.key}: {_q(c.value, indent + 4)}")
        lines.append(f"{pad}l{i}:\n{pad}  {c.key}:\n{pad}  - {_q(c.value, indent + 6)}")
    return "\n".join(lines)


@dataclass
class Planted:
    root: Path
    canaries: dict[str, list[K.Canary]] = field(default_factory=dict)

    def leaks(self, text: str) -> list[str]:
        return [f"{kind}:{rule}" for kind, cs in self.canaries.items() for rule in K.leaks(text, cs)]

    def by_rule(self, kind: str, rule: str) -> K.Canary:
        return next(c for c in self.canaries[kind] if c.rule == rule)


def build(root: Path) -> Planted:
    p = Planted(root)
    for _n, kind in enumerate(FILES):
        p.canaries[kind] = K.make_canaries()
        K.check(p.canaries[kind])
    allc = [c for cs in p.canaries.values() for c in cs]
    needles = [c.needle for c in allc]
    assert len(set(needles)) == len(needles), "two canaries share a needle"
    c = p.canaries

    def w(rel: str, text: str) -> Path:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    url_pw = p.by_rule("legacy-config", "url-password").value
    w("legacy/lightspeed-stack.yaml", f"""\
name: canary
service: {{host: localhost, port: 8080}}
llama_stack:
  use_as_library_client: true
  library_client_config_path: run.yaml
user_data_collection: {{feedback_enabled: false}}
mcp_servers:
- name: fs
  url: {json.dumps(url_pw)}
customization:
  agent_card_config:
{_plant(c['legacy-config'], 4)}
""")
    w("legacy/run.yaml", f"""\
version: 2
distro_name: starter
apis: [inference]
providers:
  inference:
  - provider_id: vllm
    provider_type: remote::vllm
    config:
      url: http://vllm:8000/v1
{_plant(c['run-yaml'], 6)}
server:
  port: 8321
""")
    env_lines = [f"{K.env_name(x.rule)}={x.value}" for x in c["legacy-env"] if "\n" not in x.value.strip()]
    w("legacy/.env", "\n".join(env_lines) + "\n")
    (root / "legacy/.env").chmod(0o600)
    w("against.yaml", f"""\
version: 2
distro_name: starter
apis: [inference]
providers:
  inference:
  - provider_id: vllm
    provider_type: remote::vllm
    config:
{_plant(c['against'], 6)}
""")
    # a run.yaml whose secrets sit under innocent keys only: a key-name check alone lets them
    # into a ConfigMap
    from lsc_tui.config.masking import is_secret_key

    innocent = [x for x in c["export-run"] if not is_secret_key(x.key)]
    w("export/run.yaml", f"""\
version: 2
distro_name: starter
apis: [inference]
providers:
  inference:
  - provider_id: vllm
    provider_type: remote::vllm
    config:
      url: http://vllm:8000/v1
{_plant(innocent, 6)}
server:
  port: 8321
""")
    w("export/.env", f"CANARY_DB_PASSWORD={p.by_rule('legacy-env', 'secret-key').value}\n")
    w("unified/profile.yaml", f"""\
version: 2
distro_name: starter
apis: [inference]
providers:
  inference:
  - provider_id: watsonx
    provider_type: remote::watsonx
    config:
{_plant(c['profile'], 6)}
""")
    url_pw_u = p.by_rule("unified-config", "url-password").value
    w("unified/lightspeed-stack.yaml", f"""\
name: canary
service: {{host: localhost, port: 8080}}
user_data_collection: {{feedback_enabled: false}}
mcp_servers:
- name: fs
  url: {json.dumps(url_pw_u)}
inference:
  providers:
  - type: vllm
    id: vllm-main
    api_key_env: VLLM_API_TOKEN
    extra:
      url: http://vllm:8000/v1
{_plant(c['unified-extra'], 6)}
llama_stack:
  use_as_library_client: true
  config:
    profile: profile.yaml
    native_override:
      providers:
        safety:
        - provider_id: guard
          provider_type: remote::guard
          config:
{_plant(c['unified-config'], 12)}
""")
    w("operator/cr.yaml", f"""\
apiVersion: llamastack.io/v1alpha2
kind: LlamaStackDistribution
metadata: {{name: canary}}
spec:
  distribution: {{name: starter}}
  providers:
    inference:
    - id: vllm-primary
      provider: vllm
      endpoint: http://vllm:8000/v1
      settings:
{_plant(c['cr'], 8)}
""")
    sk = p.by_rule("cr-enum", "sk-api-key").value
    oa = p.by_rule("cr-enum", "openai-api-key").value
    w("operator/cr-enum.yaml", f"""\
apiVersion: llamastack.io/v1alpha2
kind: LlamaStackDistribution
metadata: {{name: canary}}
spec:
  distribution: {{name: {json.dumps(oa)}}}
  providers:
    inference:
    - provider: {json.dumps(sk)}
  storage:
    kv: {{type: {json.dumps(sk)}}}
""")
    w("operator/run.yaml", """\
version: 2
distro_name: starter
apis: [inference]
providers:
  inference:
  - provider_id: vllm
    provider_type: remote::vllm
    config: {base_url: http://vllm:8000}
server:
  port: 8321
""")
    w("operator/extra-providers.yaml", f"""\
apiVersion: llamastack.io/v1alpha1
kind: ExternalProviders
providers:
  inference:
  - provider_id: canary-ext
    provider_type: remote::canary-ext
    module: canary_ext
    config:
{_plant(c['extra-providers'], 6)}
""")
    spec_tok = p.by_rule("provider-spec", "github-token").value
    w("operator/meta/canary-prov/lls-provider-spec.yaml", f"""\
apiVersion: llamastack.io/v1alpha1
kind: ProviderPackage
metadata:
  name: canary-prov
  version: 1.0.0
  vendor: {json.dumps(spec_tok)}
spec:
  packageName: canary_prov
  providerType: remote::canary-prov
  api: inference
  wheelPath: /lls-provider/packages/canary_prov-1.0.0-py3-none-any.whl
""")
    w("operator/meta/canary-prov/crd-config.yaml", f"""\
providerId: canary-prov
api: inference
image: registry.example.com/canary:1
config:
{_plant(c['crd-config'], 2)}
""")
    bad = c["provider-spec-bad"]
    by = {x.rule: x.value for x in bad}
    w("operator/meta-bad/canary-bad/lls-provider-spec.yaml", f"""\
apiVersion: llamastack.io/v1alpha1
kind: ProviderPackage
metadata:
  name: canary-bad
  version: 1.0.0
  maintainer: {json.dumps(by['openai-api-key'])}
spec:
  packageName: {json.dumps(by['sk-api-key'])}
  providerType: {json.dumps(by['github-token'])}
  api: {json.dumps(by['anthropic-api-key'])}
  wheelPath: /lls-provider/packages/x.whl
""")
    w("operator/meta-bad/canary-bad/crd-config.yaml", "providerId: canary-bad\napi: inference\nconfig: {}\n")
    return p


# -- the commands -------------------------------------------------------------------------------

# files whose point is to hold the values (besides .env, *secret*, and backups)
@dataclass
class Inv:
    argv: list[str]
    holds: tuple[str, ...] = ()  # output files that must hold the values


L, U, O = "legacy/lightspeed-stack.yaml", "unified/lightspeed-stack.yaml", "operator"


def invocations() -> list[Inv]:
    out: list[Inv] = []
    for cfg in (L, U):
        out += [Inv(["validate", cfg]), Inv(["validate", "--json", cfg]), Inv(["validate", cfg, "--no-info"]),
                Inv(["synthesize", cfg], (".generated/",)), Inv(["synthesize", cfg, "--explain"]),
                Inv(["synthesize", cfg, "-o", "out/run.yaml"], ("out/run.yaml",)),
                Inv(["diff", cfg]), Inv(["diff", cfg, "--json"]),
                Inv(["diff", cfg, "--against", "against.yaml"]), Inv(["diff", cfg, "--against", "against.yaml", "--json"]),
                Inv(["secrets", "scan", cfg]), Inv(["secrets", "scan", cfg, "--json", "--show-allowed", "--strict"]),
                Inv(["secrets", "fix", cfg]), Inv(["secrets", "fix", cfg, "--json"]),
                Inv(["secrets", "fix", cfg, "--k8s-secret", "lcs-secrets"]),
                Inv(["secrets", "fix", cfg, "--write"]),
                Inv(["secrets", "fix", cfg, "--env-file", "out/app.env", "--write", "--json"]),
                Inv(["secrets", "fix", cfg, "--k8s-secret", "lcs-secrets", "--secret-file", "k8s/lcs-secret.yaml",
                     "--write"]),
                Inv(["export", "k8s", cfg]), Inv(["export", "k8s", cfg, "-o", "k8s"]),
                Inv(["export", "k8s", cfg, "-o", "k8s", "--env-file", "legacy/.env", "--write-secret"]),
                Inv(["validate", cfg, "--env-file", "legacy/.env"]),
                Inv(["validate", cfg, "--json", "--env-file", "legacy/.env"]),
                Inv(["synthesize", cfg, "--env-file", "legacy/.env"], (".generated/",)),
                Inv(["diff", cfg, "--json", "--env-file", "legacy/.env"]),
                Inv(["synthesize", cfg, "--json"], (".generated/",)),
                Inv(["synthesize", cfg, "--json", "-o", "out/run.yaml"], ("out/run.yaml",)),
                Inv(["synthesize", cfg, "--json", "-o", "-"]), Inv(["synthesize", cfg, "--json", "--explain"]),
                Inv(["export", "k8s", cfg, "--json"]),
                # the LCORE release: named, detected from an interpreter, compared, rewritten for
                Inv(["validate", cfg, "--json", "--lcore", "0.6"]), Inv(["synthesize", cfg, "-o", "-", "--lcore", "0.7.0rc1"]),
                Inv(["synthesize", cfg, "--explain", "--python", sys.executable]),
                Inv(["validate", cfg, "--python", sys.executable]),
                Inv(["diff", cfg, "--lcore", "main", "--against-lcore", "0.7.0rc1"]),
                Inv(["diff", cfg, "--json", "--against-lcore", "0.6", "--python", sys.executable]),
                Inv(["export", "k8s", cfg, "--json", "--lcore", "0.6", "--python", sys.executable]),
                Inv(["migrate", cfg, "--to", "0.6", "--show", "--python", sys.executable]),
                Inv(["migrate", cfg, "--to", "0.7.0rc1", "--json", "--show", "--lcore", "newer"])]
    out += [Inv(["migrate", U, "--to", "0.6", "--write", "--accept-differences"], ("unified/",)),
            Inv(["migrate", U, "--to", "0.5", "-o", "out/old.yaml", "--accept-differences"], ("out/",))]
    out += [Inv(["migrate", L]), Inv(["migrate", L, "--json"]), Inv(["migrate", L, "--show"]),
            Inv(["migrate", L, "--strategy", "lift", "--show"]), Inv(["migrate", L, "--strategy", "profile", "--json"]),
            Inv(["migrate", L, "--strategy", "smart", "--show", "--json"]),
            Inv(["migrate", L, "-o", "out/migrated.yaml", "--accept-differences"], ("out/",)),
            Inv(["migrate", L, "--write", "--accept-differences"], ("legacy/",)),
            Inv(["migrate", U])]
    for f in ("legacy/run.yaml", "unified/profile.yaml", "against.yaml", f"{O}/cr.yaml", f"{O}/cr-enum.yaml",
              f"{O}/extra-providers.yaml", f"{O}/meta/canary-prov/lls-provider-spec.yaml",
              f"{O}/meta-bad/canary-bad/lls-provider-spec.yaml", f"{O}/meta/canary-prov/crd-config.yaml",
              "legacy/.env"):
        out += [Inv(["validate", f]), Inv(["validate", "--json", f]), Inv(["secrets", "scan", f]),
                Inv(["secrets", "scan", "--json", f])]
    for f in ("legacy/run.yaml", "unified/profile.yaml", "against.yaml", f"{O}/cr.yaml"):
        out += [Inv(["synthesize", f], (".generated/",)), Inv(["diff", f, "--against", "against.yaml", "--json"]),
                Inv(["export", "k8s", f]), Inv(["secrets", "fix", f])]
    out += [Inv(["secrets", "scan", "legacy", "unified", O, "--json"])]
    out += [Inv(["export", "k8s", "export/run.yaml"]), Inv(["export", "k8s", "export/run.yaml", "-o", "k8s"]),
            Inv(["export", "k8s", "export/run.yaml", "--api-version", "v1alpha2", "-o", "k8s", "--write-secret"]),
            Inv(["export", "k8s", "export/run.yaml", "--env-file", "legacy/.env"]),
            Inv(["export", "k8s", "export/run.yaml", "--json"]),
            Inv(["export", "k8s", "legacy/run.yaml", "--json", "-o", "k8s"])]
    out += [Inv(["preflight", "--run-yaml", r, "--check-config", "--keep-going"] + extra)
            for r in ("legacy/run.yaml", "unified/profile.yaml", f"{O}/run.yaml")
            for extra in ([], ["--json"], ["--metadata-dir", f"{O}/meta"], ["--metadata-dir", f"{O}/meta-bad"])]
    out += [Inv(["preflight", "--run-yaml", "legacy/run.yaml", "--json", "--timeout", "20"]),
            Inv(["preflight", "--run-yaml", "unified/profile.yaml", "--check-config", "--python", sys.executable])]
    for r in (f"{O}/run.yaml", "legacy/run.yaml"):
        out += [Inv(["merge-external", "--run-yaml", r, "--extra-providers", f"{O}/extra-providers.yaml"]),
                Inv(["merge-external", "--run-yaml", r, "--extra-providers", f"{O}/extra-providers.yaml",
                     "-o", "out/merged.yaml", "--log", "out/merge-log.txt"], ("out/merged.yaml",)),
                Inv(["merge-external", "--run-yaml", r, "--metadata-dir", f"{O}/meta", "-o", "out/merged.yaml",
                     "--extra-providers-output", "out/extra.yaml", "--log", "out/log.txt"],
                    ("out/merged.yaml", "out/extra.yaml")),
                Inv(["merge-external", "--run-yaml", r, "--metadata-dir", f"{O}/meta"]),
                Inv(["merge-external", "--run-yaml", r, "--extra-providers", f"{O}/extra-providers.yaml", "--json"]),
                Inv(["merge-external", "--run-yaml", r, "--metadata-dir", f"{O}/meta-bad", "--json"]),
                Inv(["merge-external", "--run-yaml", r, "--metadata-dir", f"{O}/meta-bad"])]
    out += [Inv(["expand", f"{O}/cr.yaml"]), Inv(["expand", f"{O}/cr.yaml", "-o", "out/config.yaml"],
                                                    ("out/config.yaml",)),
            Inv(["expand", f"{O}/cr.yaml", "--metadata-dir", f"{O}/meta", "--base", "legacy/run.yaml"]),
            Inv(["expand", f"{O}/cr.yaml", "--metadata-dir", f"{O}/meta-bad", "-q"]),
            Inv(["expand", f"{O}/cr-enum.yaml"]), Inv(["expand", f"{O}/cr-enum.yaml", "--json"]),
            Inv(["expand", f"{O}/cr.yaml", "--json"]), Inv(["expand", f"{O}/cr.yaml", "--base", "against.yaml"]),
            Inv(["export", "k8s", "export/run.yaml", "--json", "-o", "k8s"]),
            Inv(["expand", f"{O}/cr.yaml", "--config-map", "against.yaml", "--secrets", "legacy/run.yaml"])]
    out += [Inv(["schema", "lightspeed-stack"]), Inv(["schema", "run-yaml", "-o", "out/schema.json"]),
            Inv(["completion", "bash"])]
    return out


# Commands not run here, and why.
NOT_RUN = {
    ("edit",): "the editor: tests/reliability/test_canary_screens.py plants the same canaries in its screens",
    ("secrets", "reveal"): "printing the value the operator asked for is its point",
    ("lsp",): "a language server over stdio: tests/reliability/test_canary_lsp.py searches its diagnostics, "
              "hovers, code actions and lsc-tui.synthesize results",
    ("serve",): "serves the editor in a browser: its screens are the editor's (test_canary_screens.py)",
}
# options that choose an output channel: each must be used by some invocation of its command
OUTPUT_OPTIONS = {"--json", "--output", "--log", "--extra-providers-output", "--write", "--write-secret",
                  "--explain", "--show", "--k8s-secret", "--secret-file", "--env-file", "--against",
                  "--metadata-dir", "--strict", "--show-allowed", "--quiet", "--base", "--config-map", "--secrets",
                  # and the options that choose the LCORE release answered for, compared with or rewritten for
                  "--lcore", "--python", "--against-lcore", "--to"}


def _commands(parser: argparse.ArgumentParser, prefix=()) -> dict[tuple, set[str]]:
    """Every leaf subcommand of the parser, with its long option names."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            out: dict[tuple, set[str]] = {}
            for name, sub in action.choices.items():
                out.update(_commands(sub, prefix + (name,)))
            return out
    opts = {s for a in parser._actions for s in a.option_strings if s.startswith("--")}
    return {prefix: opts}


def _path_of(argv: list[str], commands) -> tuple:
    for n in (2, 1):
        if tuple(argv[:n]) in commands:
            return tuple(argv[:n])
    raise AssertionError(f"unknown command {argv}")


def test_every_command_and_output_option_is_exercised():
    commands = _commands(cli.build_parser())
    invs = invocations()
    used: dict[tuple, set[str]] = {}
    for inv in invs:
        path = _path_of(inv.argv, commands)
        used.setdefault(path, set()).update(a if a.startswith("--") else {"-o": "--output", "-q": "--quiet"}.get(a, a)
                                            for a in inv.argv)
    for path, opts in commands.items():
        if path in NOT_RUN:
            continue
        assert path in used, f"`lsc-tui {' '.join(path)}` has no invocation in the canary test: add one"
        missing = (opts & OUTPUT_OPTIONS) - used[path]
        assert not missing, f"`lsc-tui {' '.join(path)}` never runs with {sorted(missing)} in the canary test"


def test_the_canaries_are_in_the_files(tmp_path):
    """The scanner finds every canary where it was planted (so the test plants real secrets)."""
    from lsc_tui.config.secrets import reveal, scan_workspace
    from lsc_tui.config.workspace import load_workspace

    p = build(tmp_path)
    for cfg, kinds in ((L, ("legacy-config", "run-yaml")), (U, ("unified-config", "unified-extra", "profile"))):
        ws = load_workspace(tmp_path / cfg, cwd=(tmp_path / cfg).parent)
        result = scan_workspace(ws)
        found = "\n".join(reveal(f) for f in result.findings)
        for kind in kinds:
            for c in p.canaries[kind]:
                assert c.needle in found or c.needle in found.replace("\n", ""), f"{kind}: {c.rule} not found"
                rules = {f.rule for f in result.findings if c.needle in reveal(f).replace("\n", "")}
                assert c.rule in rules or (c.rule == "private-key"), f"{kind}: {c.rule} found as {rules}"


def _run(argv: list[str], cwd: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(argv)
            except SystemExit as exc:
                code = exc.code
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


def _files(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _may_hold(rel: str, inv: Inv) -> bool:
    name = rel.rsplit("/", 1)[-1]
    if name == ".env" or "secret" in name.lower() or ".bak" in name:
        return True
    return any(rel == h or (h.endswith("/") and rel.startswith(h)) for h in inv.holds)


@pytest.mark.slow  # every command on every planted workspace
def test_no_command_shows_a_canary(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("LSC_TUI_DEBUG", raising=False)
    pristine = tmp_path / "pristine"
    planted = build(pristine)
    before = _files(pristine)
    failures = []
    for n, inv in enumerate(invocations()):
        ws = tmp_path / f"run{n}"
        shutil.copytree(pristine, ws, symlinks=True)
        code, out, err = _run(inv.argv, ws)
        captured = capfd.readouterr()  # the preflight probe's output lands here
        cmd = "lsc-tui " + " ".join(inv.argv)
        for channel, text in (("stdout", out), ("stderr", err), ("process output", captured.out + captured.err)):
            leaked = planted.leaks(text)
            if leaked:
                failures.append(f"`{cmd}` {channel}: {leaked}")
        for path, data in _files(ws).items():
            rel = path.relative_to(ws).as_posix()
            if before.get(pristine / rel) == data or _may_hold(rel, inv):
                continue  # unchanged inputs, and the files that exist to hold the values
            leaked = planted.leaks(data.decode("utf-8", "replace"))
            if leaked:
                failures.append(f"`{cmd}` wrote {rel}: {leaked}")
        shutil.rmtree(ws)
    assert not failures, f"{len(failures)} leaks:\n" + "\n".join(failures)


def test_internal_errors_do_not_print_values(tmp_path, monkeypatch):
    """An unexpected exception whose message carries a value is reported without it."""
    monkeypatch.delenv("LSC_TUI_DEBUG", raising=False)
    from lsc_tui.commands import validate

    cs = K.make_canaries()

    def explode(args):
        raise ValueError("bad value " + " ".join(c.value for c in cs))

    monkeypatch.setattr(validate, "run", explode)
    code, out, err = _run(["validate", "x.yaml"], tmp_path)
    assert code == 2 and "internal error" in err
    assert not K.leaks(out + err, cs)


def test_the_canaries_cover_every_rule():
    cs = K.make_canaries()
    from lsc_tui.config.secrets.detector import RULE_TITLES

    assert [c.rule for c in cs] == list(RULE_TITLES)
    K.check(cs)
