"""`lsc-tui export k8s`: ConfigMap, Secret and CR for a workspace; the round trip through
`lsc-tui expand` gives back the run.yaml."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import yaml

OP_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "operator"


def load(path):
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


WORKSPACE = OP_FIXTURES / "workspace" / "lightspeed-stack.yaml"

RUN = """
version: 2
distro_name: starter
apis: [inference, vector_io]
providers:
  inference:
  - provider_id: openai
    provider_type: remote::openai
    config:
      api_key: ${env.OPENAI_API_KEY}
      base_url: ${env.OPENAI_BASE_URL:=https://api.openai.com/v1}
  - provider_id: ${env.VLLM_URL:+vllm}
    provider_type: remote::vllm
    config:
      base_url: ${env.VLLM_URL:=}
      api_token: ${env.VLLM_API_TOKEN:=fake}
  vector_io:
  - provider_id: pg
    provider_type: remote::pgvector
    config: {host: db, password: '${env.PG_PASSWORD}', db: rag, user: rag}
server:
  port: 8400
"""


def docs_of(text: str) -> dict:
    return {d["kind"]: d for d in yaml.safe_load_all(text) if d}


def test_v1alpha1_manifests(cli, write):
    run = write("run.yaml", RUN)
    code, out, err = cli("export", "k8s", run, "--name", "my-stack", "--namespace", "ai")
    assert code == 0, err
    docs = docs_of(out)
    assert set(docs) == {"ConfigMap", "LlamaStackDistribution"}  # never a Secret on stdout
    cm, cr = docs["ConfigMap"], docs["LlamaStackDistribution"]
    assert cm["metadata"]["name"] == "my-stack-config" and cm["metadata"]["namespace"] == "ai"
    assert cm["metadata"]["labels"]["llamastack.io/watch"] == "true"
    assert yaml.safe_load(cm["data"]["config.yaml"]) == load(run)
    assert "config.yaml: |" in out  # readable block, not an escaped string
    assert cr["apiVersion"] == "llamastack.io/v1alpha1"
    server = cr["spec"]["server"]
    assert server["distribution"] == {"name": "starter"}
    assert server["userConfig"] == {"configMapName": "my-stack-config"}
    assert server["containerSpec"]["port"] == 8400
    env = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in server["containerSpec"]["env"]}
    # secret-named keys only (no values known): OPENAI_BASE_URL and VLLM_URL keep their defaults
    assert env == {
        "OPENAI_API_KEY": {"name": "my-stack-env", "key": "OPENAI_API_KEY"},
        "PG_PASSWORD": {"name": "my-stack-env", "key": "PG_PASSWORD"},
        "VLLM_API_TOKEN": {"name": "my-stack-env", "key": "VLLM_API_TOKEN", "optional": True},
    }
    assert "run.yaml:9:7: warning: secret-value-missing: OPENAI_API_KEY has no value in the env file and no default" in err
    assert "round trip: expanding the exported CR reproduces the run.yaml exactly" in err


def test_v1alpha2_manifests(cli, write):
    run = write("run.yaml", RUN)
    code, out, _ = cli("export", "k8s", run, "--api-version", "v1alpha2", "--image", "quay.io/me/stack:1")
    assert code == 0
    cr = docs_of(out)["LlamaStackDistribution"]
    assert cr["apiVersion"] == "llamastack.io/v1alpha2"
    assert cr["spec"]["distribution"] == {"image": "quay.io/me/stack:1"}
    assert cr["spec"]["overrideConfig"] == {"configMapName": "llama-stack-config"}
    assert cr["spec"]["networking"] == {"port": 8400}
    assert [e["name"] for e in cr["spec"]["workload"]["overrides"]["env"]] == [
        "OPENAI_API_KEY", "PG_PASSWORD", "VLLM_API_TOKEN"]


@pytest.mark.parametrize("version", ["v1alpha1", "v1alpha2"])
def test_round_trip_through_expand(cli, write, tmp_path, version):
    run = write("run.yaml", RUN)
    out = tmp_path / "k8s"
    assert cli("export", "k8s", run, "-o", out, "--api-version", version)[0] == 0
    assert sorted(p.name for p in out.iterdir()) == ["configmap.yaml", "llamastackdistribution.yaml"]
    expanded = tmp_path / "expanded.yaml"
    code, _, err = cli("expand", out / "llamastackdistribution.yaml", "--config-map", out / "configmap.yaml",
                       "-o", expanded)
    assert code == 0, err
    assert load(expanded) == load(run)


def test_unified_workspace_is_synthesized_then_exported(cli, tmp_path):
    out = tmp_path / "k8s"
    code, _, err = cli("export", "k8s", WORKSPACE, "-o", out)
    assert code == 0, err
    config = yaml.safe_load(load(out / "configmap.yaml")["data"]["config.yaml"])
    # the high-level inference providers became run.yaml providers
    ids = [p["provider_id"] for p in config["providers"]["inference"]]
    assert "vllm-prod" in ids and "local" in ids
    assert "round trip: expanding the exported CR reproduces the run.yaml exactly" in err
    # findings about the synthesized run.yaml point at the input that produced the value
    assert "lightspeed-stack.yaml:16:7: warning: secret-value-missing: OPENAI_API_KEY" in err
    code, synthesized, _ = cli("synthesize", WORKSPACE, "-o", tmp_path / "run.yaml")
    assert code == 0
    assert config == load(tmp_path / "run.yaml")


def test_a_file_export_replaces_is_kept_and_said(cli, tmp_path):
    """A configmap.yaml already in the output folder was kept as configmap.yaml.bak, and nothing
    said so (expand and merge-external say it)."""
    out = tmp_path / "k8s"
    out.mkdir()
    (out / "configmap.yaml").write_text("my own ConfigMap\n")
    code, _, err = cli("export", "k8s", WORKSPACE, "-o", out)
    assert code == 0, err
    assert (out / "configmap.yaml.bak").read_text() == "my own ConfigMap\n"
    assert f"note: the previous {out / 'configmap.yaml'} was kept as {out / 'configmap.yaml.bak'}" in err
    assert "llamastackdistribution.yaml was kept" not in err  # a new file has no backup to speak of


def test_secret_written_only_when_asked_and_private(cli, write, tmp_path):
    run = write("run.yaml", RUN)
    key = "sk-" + "4f9a" * 10
    write(".env", f"OPENAI_API_KEY={key}\nexport PG_PASSWORD='pw-{'x' * 12}'\n# comment\nOTHER=1\n")
    out = tmp_path / "k8s"
    code, stdout, err = cli("export", "k8s", run, "-o", out)
    assert code == 0
    assert not (out / "secret.yaml").exists()
    code, stdout, err = cli("export", "k8s", run, "-o", out, "--write-secret")
    assert code == 0, err
    secret_file = out / "secret.yaml"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = load(secret_file)
    assert secret["kind"] == "Secret" and secret["metadata"]["name"] == "llama-stack-env"
    assert secret["stringData"] == {"OPENAI_API_KEY": key, "PG_PASSWORD": "pw-" + "x" * 12}
    assert key not in stdout and key not in err
    assert "no value in the env file for: VLLM_API_TOKEN" in err
    assert (out / "configmap.yaml.bak").exists()  # the second export kept the first


def test_write_secret_needs_an_output_dir(cli, write):
    run = write("run.yaml", RUN)
    code, out, err = cli("export", "k8s", run, "--write-secret")
    assert code == 2 and out == "" and "needs -o DIR" in err


def test_literal_secret_is_refused(cli, write, tmp_path):
    value = "sk-" + "b7c1" * 10
    run = write("run.yaml", RUN.replace("${env.OPENAI_API_KEY}", value))
    out = tmp_path / "k8s"
    code, stdout, err = cli("export", "k8s", run, "-o", out)
    assert code == 1
    assert "run.yaml:9:7: error: literal-secret-in-configmap: providers.inference[0].config.api_key holds a literal secret" in err
    assert value not in err and value not in stdout
    assert not out.exists()


def test_unknown_distribution_falls_back_with_a_note(cli, write):
    run = write("run.yaml", RUN.replace("distro_name: starter", "distro_name: mine"))
    code, out, err = cli("export", "k8s", run, "--config-key", "run.yaml")
    assert code == 0
    docs = docs_of(out)
    assert docs["LlamaStackDistribution"]["spec"]["server"]["distribution"] == {"name": "starter"}
    assert "run.yaml" in docs["ConfigMap"]["data"]
    assert "names distribution 'mine', which the operator does not know" in err


def test_bad_name_and_missing_input(cli, write, tmp_path):
    run = write("run.yaml", RUN)
    code, _, err = cli("export", "k8s", run, "--name", "Bad_Name")
    assert code == 2 and "not a valid Kubernetes name" in err
    code, _, err = cli("export", "k8s", tmp_path / "nope.yaml")
    assert code == 2 and "nope.yaml" in err


def test_pure_function_and_diff():
    from lsc_tui.config.operator.export import diff_paths, export_k8s, round_trip

    data = yaml.safe_load(RUN)
    result = export_k8s(data, name="s", env_values={"PG_PASSWORD": "p"})
    assert result.secret["stringData"] == {"PG_PASSWORD": "p"}
    assert export_k8s(data, name="s").secret is None
    config, differences, _ = round_trip(result, data)
    assert config == data and differences == []
    changed = dict(data, server={"port": 1})
    assert diff_paths(data, changed) == ["server.port: differs"]
    assert diff_paths(data, {k: v for k, v in data.items() if k != "apis"}) == [
        "apis: missing from the expanded config"]


def test_secret_defaults_go_to_the_secret_or_are_refused(cli, write, tmp_path):
    default = "pw-" + "q1w2" * 4
    run = write("run.yaml", RUN.replace("'${env.PG_PASSWORD}'", "'${env.PG_PASSWORD:=%s}'" % default))
    code, out, err = cli("export", "k8s", run)
    assert code == 1 and out == ""
    assert "error: secret-default-in-configmap: providers.vector_io[0].config.password: the default of " \
           "${env.PG_PASSWORD:=…} is a literal secret" in err
    assert default not in err
    # with a value in the env file the Secret feeds PG_PASSWORD: the ConfigMap keeps the bare reference
    env = write(".env", "PG_PASSWORD=from-the-env-file-1\n")
    out_dir = tmp_path / "k8s"
    code, out, err = cli("export", "k8s", run, "--env-file", env, "-o", out_dir, "--write-secret")
    assert code == 0, err
    assert "the Secret feeds PG_PASSWORD" in err and "reproduces the run.yaml exactly" in err
    config = yaml.safe_load(load(out_dir / "configmap.yaml")["data"]["config.yaml"])
    assert config["providers"]["vector_io"][0]["config"]["password"] == "${env.PG_PASSWORD}"
    shown = (out_dir / "configmap.yaml").read_text() + (out_dir / "llamastackdistribution.yaml").read_text()
    assert default not in shown
    cr_env = load(out_dir / "llamastackdistribution.yaml")["spec"]["server"]["containerSpec"]["env"]
    assert {"name": "PG_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "llama-stack-env", "key": "PG_PASSWORD"}}} \
        in cr_env  # not optional: the default is gone
    assert load(out_dir / "secret.yaml")["stringData"]["PG_PASSWORD"] == "from-the-env-file-1"


@pytest.mark.parametrize("value, piece", [
    ("https://svc.example/v1?api_key=Zx81mQp4Lr7Tn2Vb", "Zx81mQp4Lr7Tn2Vb"),  # a URL query token
    ("https://admin:Qm3vX9pL2rT8@svc.example/v1", "Qm3vX9pL2rT8"),  # a URL password
    ("Server=db;Database=rag;Password=Hq4mZ8pX2vL9;", "Hq4mZ8pX2vL9"),  # a connection-string password
    ("sk-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "Ab3dEf6hIj9kLm2n"),  # an sk- key under an innocent key
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVlLTEyMzQ1Ng",
     "c2lnbmF0dXJlLXZhbHVl"),  # a JWT
    ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n",
     "MIIEvQIBADANBgkq"),  # a PEM body
])
def test_what_the_scanner_flags_never_reaches_the_configmap(cli, write, tmp_path, value, piece):
    """A value the secret scanner flags is refused even under an innocent key, and in a list."""
    import json

    body = RUN.replace("      base_url: ${env.OPENAI_BASE_URL:=https://api.openai.com/v1}\n",
                       f"      base_url: {json.dumps(value)}\n      extra_headers: [{json.dumps(value)}]\n")
    run = write("run.yaml", body)
    out_dir = tmp_path / "k8s"
    code, out, err = cli("export", "k8s", run)
    assert code == 1 and out == ""
    assert "error: literal-secret-in-configmap: providers.inference[0].config.base_url holds a literal secret" in err
    assert "providers.inference[0].config.extra_headers[0] holds a literal secret" in err
    code, out, err = cli("export", "k8s", run, "-o", out_dir)
    assert code == 1 and not out_dir.exists()
    assert piece not in out + err


def test_a_secret_default_inside_a_list_is_refused(cli, write):
    run = write("run.yaml", RUN.replace("      api_token: ${env.VLLM_API_TOKEN:=fake}\n",
                                        "      api_token: ${env.VLLM_API_TOKEN:=fake}\n"
                                        "      headers: ['${env.AUTH_TOKEN:=Zr7Kq2Lm9Xv4Tp8W}']\n"))
    code, out, err = cli("export", "k8s", run)
    assert code == 1 and out == "" and "Zr7Kq2Lm9Xv4Tp8W" not in err
    assert "providers.inference[1].config.headers[0]: the default of ${env.AUTH_TOKEN:=…} is a literal secret" in err


def test_an_allowed_value_is_exported(cli, write):
    value = "https://svc.example/v1?token=Zx81mQp4Lr7Tn2Vb"
    run = write("run.yaml", RUN.replace("https://api.openai.com/v1}", "https://api.openai.com/v1}\n"
                                        f"      docs_url: {value}  # lsc-tui: allow-secret"))
    code, out, err = cli("export", "k8s", run)
    assert code == 0, err
    assert value in out
