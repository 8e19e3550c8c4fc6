"""`lsc-tui migrate --to VERSION` and `lsc-tui diff --lcore A --against-lcore B`: files in, the
keys to rename, the findings, the run.yaml comparison, exit codes and what is written out."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import jsonschema
import pytest

from lsc_tui import cli

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "releases"
SCHEMAS = ROOT / "schemas" / "cli"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / ".git").mkdir()
    for name in ("rag-0.7.0rc1.yaml", "rag-main-lossy.yaml", "ogx-newer.yaml", "rerank-0.7.0rc1.yaml",
                 "byok-0.6.yaml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def valid(schema: str, out: str) -> dict:
    doc = json.loads(out)
    errors = list(jsonschema.Draft202012Validator(json.loads((SCHEMAS / schema).read_text())).iter_errors(doc))
    assert not errors, errors[0].message
    return doc


def test_diff_against_the_same_run_yaml_is_equivalent(ws, capsys):
    code, out, _err = run(capsys, "diff", "ogx-newer.yaml", "--lcore", "newer", "--against-lcore", "main")
    assert code == 0
    assert "keys to rename:\n  ogx -> llama_stack" in out and out.rstrip().endswith("run.yaml: equivalent: the same run.yaml")
    code, out, _err = run(capsys, "diff", "--json", "ogx-newer.yaml", "--lcore", "newer", "--against-lcore", "main")
    doc = valid("diff.schema.json", out)
    assert doc["lcore"]["release"] == "newer" and doc["against_lcore"]["release"] == "main"
    assert doc["upgrade"]["equivalent"] and doc["upgrade"]["renames"][0]["from"] == "ogx" and doc["changes"] == []


def test_diff_lists_the_keys_with_no_equivalent(ws, capsys):
    code, out, _err = run(capsys, "diff", "rag-main-lossy.yaml", "--against-lcore", "0.7.0rc1")
    assert code == 1
    assert "rag.byok.stores -> byok_rag" in out and "rag.okp -> okp" in out
    assert "rag-main-lossy.yaml:26:5: error: lcore-no-equivalent: `rag.okp.search_mode` has no equivalent" in out
    code, out, _err = run(capsys, "diff", "--json", "rag-main-lossy.yaml", "--against-lcore", "0.7.0rc1")
    doc = valid("diff.schema.json", out)
    assert len(doc["upgrade"]["findings"]) == 3 and not doc["upgrade"]["equivalent"]


def test_diff_against_and_against_lcore_are_exclusive(ws, capsys):
    code, _out, err = run(capsys, "diff", "ogx-newer.yaml", "--against", "x.yaml", "--against-lcore", "main")
    assert code == 2 and "give one" in err


def test_migrate_to_is_a_dry_run_by_default(ws, capsys):
    before = (ws / "ogx-newer.yaml").read_bytes()
    code, out, _err = run(capsys, "migrate", "ogx-newer.yaml", "--lcore", "newer", "--to", "main", "--show")
    assert code == 0 and "dry run: nothing written" in out
    assert "--- ogx-newer.yaml (for LCORE main (cd1a048), secrets masked) ---\nname: demo" in out
    assert (ws / "ogx-newer.yaml").read_bytes() == before and not (ws / "ogx-newer.yaml.bak").exists()


def test_migrate_to_writes_in_place_with_a_backup(ws, capsys):
    before = (ws / "ogx-newer.yaml").read_text()
    code, out, _err = run(capsys, "migrate", "ogx-newer.yaml", "--lcore", "newer", "--to", "main", "--write")
    assert code == 0 and "wrote ogx-newer.yaml (0600); backup " in out
    after = (ws / "ogx-newer.yaml").read_text()
    assert "llama_stack:" in after and "ogx:" not in after and "# the newer key" in after
    assert (ws / "ogx-newer.yaml.bak").read_text() == before
    assert stat.S_IMODE((ws / "ogx-newer.yaml").stat().st_mode) == 0o600
    assert stat.S_IMODE((ws / "ogx-newer.yaml.bak").stat().st_mode) == 0o600
    # written for main, it has nothing left to rename
    code, out, _err = run(capsys, "migrate", "ogx-newer.yaml", "--to", "main")
    assert code == 0 and "nothing to rewrite" in out


def test_migrate_to_refuses_to_drop_keys_unless_accepted(ws, capsys):
    before = (ws / "rag-main-lossy.yaml").read_bytes()
    code, out, err = run(capsys, "migrate", "rag-main-lossy.yaml", "--to", "0.7.0rc1", "--write")
    assert code == 1 and "refused:" in err and (ws / "rag-main-lossy.yaml").read_bytes() == before
    code, out, err = run(capsys, "migrate", "--json", "rag-main-lossy.yaml", "--to", "0.7.0rc1", "-o", "old.yaml")
    doc = valid("migrate.schema.json", out)
    assert doc["upgrade"]["written"] is None and "refusal" in doc["upgrade"] and not (ws / "old.yaml").exists()
    code, out, err = run(capsys, "migrate", "--json", "rag-main-lossy.yaml", "--to", "0.7.0rc1", "-o", "old.yaml",
                         "--accept-differences")
    doc = valid("migrate.schema.json", out)
    assert doc["upgrade"]["written"] == "old.yaml" and (ws / "old.yaml").is_file()
    text = (ws / "old.yaml").read_text()
    assert "byok_rag:" in text and "search_mode" not in text and "relevance_cutoff_score" not in text
    assert (ws / "rag-main-lossy.yaml").read_bytes() == before  # -o leaves the original alone


def test_migrate_to_0_5_cannot_express_unified(ws, capsys):
    code, out, err = run(capsys, "migrate", "ogx-newer.yaml", "--lcore", "0.6", "--to", "0.5", "--write")
    assert code == 1 and "lcore-cannot-express" in out and "cannot express this config" in err


def test_diff_against_lcore_json_names_a_config_it_cannot_read(ws, capsys):
    """A config that is not YAML (exit 2): stdout has diff's object with the located finding (it
    was empty), stderr the finding; migrate --to keeps its {"error": finding} object."""
    (ws / "broken.yaml").write_text("a: [\n")
    code, out, err = run(capsys, "diff", "--json", "broken.yaml", "--against-lcore", "main")
    doc = valid("diff.schema.json", out)
    assert code == 2 and doc["error"] and doc["changes"] == []
    assert [(f["file"], f["line"], f["code"]) for f in doc["findings"]] == [("broken.yaml", 2, "yaml-syntax")]
    assert "broken.yaml:2:1: error: yaml-syntax" in err
    code, out, err = run(capsys, "migrate", "--json", "broken.yaml", "--to", "main")
    doc = valid("migrate.schema.json", out)
    assert code == 2 and doc["error"]["code"] == "yaml-syntax" and err == ""


def test_migrate_to_an_unknown_release_is_a_usage_error(ws, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["migrate", "ogx-newer.yaml", "--to", "1.0"])
    assert exc.value.code == 2 and "lsc-tui knows: 0.5, 0.6, 0.7.0rc1, main, newer" in capsys.readouterr().err


def test_a_rename_proven_by_both_releases_synthesis(ws, capsys):
    # main refuses the file as written (reranker, rag.tool); rewritten, it runs what 0.7.0rc1 ran
    code, out, _err = run(capsys, "validate", "rerank-0.7.0rc1.yaml", "--lcore", "main")
    assert code == 1
    code, out, _err = run(capsys, "diff", "rerank-0.7.0rc1.yaml", "--lcore", "0.7.0rc1", "--against-lcore", "main")
    assert code == 0 and "reranker -> rag.retrieval.inline.reranker" in out and "equivalent: the same run.yaml" in out
    code, out, _err = run(capsys, "migrate", "rerank-0.7.0rc1.yaml", "--lcore", "0.7.0rc1", "--to", "main", "--write")
    assert code == 0 and "wrote rerank-0.7.0rc1.yaml (0600)" in out
    code, out, _err = run(capsys, "validate", "rerank-0.7.0rc1.yaml", "--lcore", "main")
    assert code == 0 and "# rerank the inline chunks" in (ws / "rerank-0.7.0rc1.yaml").read_text()


def test_each_release_synthesizes_its_own_run_yaml(ws, capsys):
    # the same BYOK store: 0.6.x and 0.7.0rc1 run the same run.yaml; main names one embedding alias per store
    code, out, _err = run(capsys, "diff", "byok-0.6.yaml", "--lcore", "0.6", "--against-lcore", "0.7.0rc1")
    assert code == 0 and "keys to rename: none" in out
    code, out, _err = run(capsys, "diff", "--json", "byok-0.6.yaml", "--lcore", "0.6", "--against-lcore", "main")
    doc = valid("diff.schema.json", out)
    assert code == 1 and doc["upgrade"]["errors"] == [] and doc["upgrade"]["findings"] == []
    assert [c["path"] for c in doc["changes"]] == [["registered_resources", "vector_stores", 0, "embedding_model"]]
    assert "+      embedding_model: sentence-transformers/byok_docs_embedding" in doc["diff"]
    # migrate refuses to call that a proof, and writes it when told
    code, out, err = run(capsys, "migrate", "byok-0.6.yaml", "--lcore", "0.6", "--to", "main", "--write")
    assert code == 1 and "refused" in err and "byok_rag:" in (ws / "byok-0.6.yaml").read_text()
