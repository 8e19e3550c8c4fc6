"""The outline of a workspace (what the editor's tree shows): its nodes, their keys, kinds and states."""

from __future__ import annotations

from lsc_tui.config import outline
from lsc_tui.config.findings import Finding, Severity


def _nodes(ws, states=None):
    roots = outline.outline(ws, states or {}, outline.short_names([d.display for d in ws.documents]))
    return {item.key: item for root in roots for item in root.walk()}


def test_a_legacy_pair_shows_the_run_yaml_providers_by_api_with_stable_keys(legacy_ws):
    nodes = _nodes(legacy_ws)
    vllm = nodes["run.yaml|providers.inference[0]"]
    assert (vllm.kind, vllm.label, vllm.detail, vllm.api) == ("provider", "vllm", "remote::vllm", "inference")
    assert vllm.path == ("providers", "inference", 0) and vllm.is_list_item and vllm.is_provider
    assert nodes["run.yaml|providers.custom_api[0]"].label == "mine"
    assert nodes["run.yaml|"].detail == "legacy run.yaml"
    assert nodes["lightspeed-stack.yaml|llama_stack.library_client_config_path"].label == \
        "library_client_config_path: run.yaml"
    # the provider's config holds no list of mappings: it does not fold
    assert not vllm.folded


def test_a_unified_config_shows_high_level_providers_profiles_override_and_mcp(unified_ws):
    nodes = _nodes(unified_ws)
    assert nodes["lightspeed-stack.yaml|inference.providers[0]"].kind == "hl-inference"
    assert nodes["lightspeed-stack.yaml|inference.providers[0]"].label == "vllm-prod"
    # an entry with no id is named by its type
    assert nodes["lightspeed-stack.yaml|inference.providers[1]"].label == "watsonx"
    assert nodes["lightspeed-stack.yaml|vector_store.providers[0]"].kind == "hl-vector"
    assert nodes["lightspeed-stack.yaml|mcp_servers[0]"].detail == "http://mcp-fs:3000"
    override = nodes["lightspeed-stack.yaml|llama_stack.config.native_override"]
    assert override.kind == "override" and "override" in override.states
    assert [c.label for c in override.children] == ["server"]
    choices = [i for i in nodes.values() if i.kind == "profile-choice"]
    assert choices, "a unified config lists the profiles it can switch to"
    active = [outline.profile_choice(i) for i in choices if "active" in i.states]
    assert active == [("baseline", "default")]


def test_profile_choice_reads_only_entries_of_the_profiles_group(unified_ws):
    nodes = _nodes(unified_ws)
    assert outline.profile_choice(nodes["lightspeed-stack.yaml|inference.providers[0]"]) is None
    assert outline.profile_choice(None) is None


def test_tree_keys_are_display_and_dotted_path():
    assert outline.tree_key("run.yaml", ("providers", "inference", 2)) == "run.yaml|providers.inference[2]"
    assert outline.tree_key("a/b.yaml", ()) == "a/b.yaml|"


def test_findings_mark_every_node_on_their_path_and_secrets_win(legacy_ws):
    err = Finding("run.yaml", 0, 0, Severity.ERROR, "test", "bad url", path=("providers", "inference", 0, "config", "url"))
    secret = Finding("run.yaml", 0, 0, Severity.WARNING, "test", "literal secret",
                     path=("providers", "inference", 0, "config", "api_token"))
    info = Finding("run.yaml", 0, 0, Severity.INFO, "test", "fyi", path=("providers", "inference", 1))
    docs = {d.display: d for d in legacy_ws.documents}
    states = outline.node_states([err, secret, info], [secret], docs)
    nodes = _nodes(legacy_ws, states)
    assert nodes["run.yaml|providers.inference[0]"].states == {"error", "secret"}
    assert nodes["run.yaml|providers"].states == {"error", "secret"}
    assert nodes["run.yaml|providers.inference[1]"].states == set()  # info marks nothing
    assert nodes["lightspeed-stack.yaml|"].states == set()


def test_lists_of_mappings_below_a_node_get_entries_and_fold_it(tmp_path):
    from lsc_tui.config.workspace import load_workspace

    (tmp_path / "run.yaml").write_text(
        "version: 2\nproviders:\n  inference:\n    - provider_id: p\n      provider_type: remote::x\n"
        "      config:\n        routes:\n          - name: a\n          - name: b\n")
    ws = load_workspace(tmp_path / "run.yaml", cwd=tmp_path, validate=False)
    nodes = _nodes(ws)
    provider = nodes["run.yaml|providers.inference[0]"]
    assert provider.folded
    assert nodes["run.yaml|providers.inference[0].config.routes"].kind == "list"
    assert nodes["run.yaml|providers.inference[0].config.routes[1]"].label == "b"


def test_a_custom_resource_is_arranged_by_its_kind(llsd_ws):
    nodes = _nodes(llsd_ws)
    root = nodes["llsd.yaml|"]
    assert root.detail == "LlamaStackDistribution"
    first = nodes["llsd.yaml|spec.providers.inference[0]"]
    assert (first.kind, first.label, first.detail) == ("cr-provider", "vllm-primary", "vllm")
    assert nodes["llsd.yaml|spec.providers.inference[1]"].label == "openai"  # no id: its provider


def test_labels_quoting_a_secret_are_masked(tmp_path):
    from lsc_tui.config.workspace import load_workspace

    (tmp_path / "lightspeed-stack.yaml").write_text(
        "name: t\nllama_stack: {use_as_library_client: true, config: {baseline: default}}\n"
        "mcp_servers:\n  - name: fs\n    url: https://admin:hunter2hunter2@mcp:3000\n")
    ws = load_workspace(tmp_path / "lightspeed-stack.yaml", cwd=tmp_path, validate=False)
    mcp = _nodes(ws)["lightspeed-stack.yaml|mcp_servers[0]"]
    assert "hunter2hunter2" not in mcp.detail and "mcp:3000" in mcp.detail


def test_short_names_keep_the_whole_display_only_where_two_files_share_a_name():
    assert outline.short_names(["a/run.yaml", "b/run.yaml", "x/cfg.yaml"]) == \
        {"a/run.yaml": "a/run.yaml", "b/run.yaml": "b/run.yaml", "x/cfg.yaml": "cfg.yaml"}
