"""Legacy enrichment: what LCORE runs for a two-file (legacy) configuration.

- Legacy library (``use_as_library_client`` + ``library_client_config_path``): LCORE reads
  the external run.yaml and applies BYOK RAG, then Solr/OKP, then Azure Entra ID, using the
  *validated, env-resolved* configuration (defaults filled in, ``${env.*}`` replaced). It
  writes ``$TMPDIR/llama_stack_enriched_config.yaml`` with umask permissions.
- Legacy server: the Llama Stack container's entrypoint enriches its run.yaml from the raw
  lightspeed-stack.yaml: dedupe, Azure, BYOK, Solr/OKP, dedupe.

Neither adds vector_store providers, high-level inference or the MCP provider. The preview
keeps env references as written; where LCORE would write a resolved value instead, there is
a finding (pass ``env`` to see exactly what LCORE writes).
"""

from __future__ import annotations

from typing import Any, Optional
from collections.abc import Mapping, Sequence

from lsc_tui.config.envref import ENV_REF, EnvVarMissing, resolve_string
from lsc_tui.config.findings import Severity
from lsc_tui.config.synthesis import enrichment as E
from lsc_tui.config.synthesis.provenance import KeyPath, Origin
from lsc_tui.config.synthesis.result import Synthesis
from lsc_tui.config.synthesis.steps import LEGACY_SERVER_STEPS, Run, Step, azure_entra_id, guard

_STORE_DEFAULTS = {
    "backend": "faiss",
    "embedding_model": E.DEFAULT_EMBEDDING_MODEL,
    "embedding_dimension": E.DEFAULT_EMBEDDING_DIMENSION,
    "db_path": None,
}
# Values the library enrichment copies from a BYOK store into run.yaml.
_WRITTEN = ("vector_db_id", "db_path", "embedding_model", "embedding_dimension",
            "host", "port", "db", "user", "password")


def _resolve(value: Any, env: Mapping[str, str], ctx: E.Context, where: KeyPath) -> Any:
    if not isinstance(value, str) or "${env." not in value:
        return value
    try:
        return resolve_string(value, env)
    except EnvVarMissing as exc:
        ctx.find(Severity.ERROR, "legacy-env-missing",
                 f"LCORE cannot load this configuration: ${{env.{exc.name}}} is not set",
                 f"set {exc.name} in LCORE's environment or give the reference a := default", where)
        return value


def _validated_store(raw: Any, index: int, env: Optional[Mapping[str, str]], ctx: E.Context) -> Any:
    """A BYOK store as LCORE's validated model dumps it (defaults filled in)."""
    if not isinstance(raw, dict):
        return raw
    where = ("rag", "byok", "stores", index)
    store = dict(_STORE_DEFAULTS)
    for key, value in raw.items():
        store[key] = value if env is None else _resolve(value, env, ctx, where + (key,))
    dim = store.get("embedding_dimension")
    if isinstance(dim, str) and dim.strip().isdigit():
        store["embedding_dimension"] = int(dim)  # pydantic's PositiveInt coerces "768"
    if store.get("backend") == "pgvector":
        for key, default in E.PG_DEFAULTS.items():
            if store.get(key) is None:
                store[key] = default  # filled after env resolution: stays a reference
    if env is None:
        for key in _WRITTEN:
            value = raw.get(key)
            if isinstance(value, str) and ENV_REF.search(value):
                if key == "password":
                    ctx.find(
                        Severity.WARNING, "legacy-resolved-secret",
                        "LCORE's legacy library enrichment writes this password RESOLVED (the "
                        "value of the variable, not the reference) into "
                        "$TMPDIR/llama_stack_enriched_config.yaml, with umask permissions",
                        "migrate to the unified config (`lsc-tui migrate`): unified synthesis "
                        "keeps the reference and writes its file 0600", where + (key,))
                else:
                    ctx.find(
                        Severity.INFO, "legacy-resolved-value",
                        f"LCORE's legacy library enrichment writes '{key}' resolved; the "
                        "preview shows the reference", "nothing to do", where + (key,))
    return store


def _start(config: Any, run_yaml: Any, config_file: str, run_yaml_file: str, env: Optional[Mapping[str, str]],
           locate: Optional[E.Locate], env_source: Optional[str] = None) -> tuple[E.Context, dict[str, Any], E.Builder]:
    """The context, config and builder both legacy modes start from."""
    ctx = E.Context(config_file=str(config_file), env=env, locate=locate, env_source=env_source)
    if not isinstance(config, dict):
        config = {}
    b = E.Builder(run_yaml if isinstance(run_yaml, dict) else {},
                  Origin("legacy-run.yaml", str(run_yaml_file), ()))
    if not isinstance(run_yaml, dict):
        ctx.lcore_fails("the run.yaml is not a mapping", "make the run.yaml a mapping", ())
    return ctx, config, b


def library_byok_rag(run: Run) -> None:
    """BYOK RAG from the stores as LCORE's validated model dumps them (defaults filled in, env
    references resolved when ``env`` is known)."""
    ctx = run.ctx
    rag: dict[str, Any] = run.config["rag"] if isinstance(run.config.get("rag"), dict) else {}
    byok: dict[str, Any] = rag["byok"] if isinstance(rag.get("byok"), dict) else {}
    raw_stores = byok.get("stores") or []
    stores = [_validated_store(s, i, ctx.env, ctx) for i, s in enumerate(raw_stores)] \
        if isinstance(raw_stores, list) else []
    guard(ctx, ("rag", "byok", "stores"), E.enrich_byok, run.b, ctx, stores, ("rag", "byok", "stores"))


def library_solr_okp(run: Run) -> None:
    """Solr/OKP with the URL as LCORE's validated model holds it (resolved, an origin gets a '/')."""
    ctx = run.ctx
    rag: dict[str, Any] = run.config["rag"] if isinstance(run.config.get("rag"), dict) else {}
    okp: dict[str, Any] = rag["okp"] if isinstance(rag.get("okp"), dict) else {}
    try:
        enabled = E.okp_enabled(rag)
    except E.StepError:
        enabled = False
    resolved_url = None
    url = okp.get("rhokp_url")
    if enabled:
        if url is None:
            resolved_url = E.OKP_DEFAULT_URL
        else:
            value, exact = E.lcore_resolve(str(url), ctx.env)
            resolved_url = _as_http_url(value)
            if "${env." in str(url):
                ctx.find(Severity.INFO, "synthesis-okp-url-resolved",
                         "LCORE resolves the env reference in rag.okp.rhokp_url when it loads the "
                         "configuration; " + ("the preview uses the environment given" if exact
                                              else "the preview shows the value with the variable unset"),
                         "nothing to do; set the variable where LCORE runs", ("rag", "okp", "rhokp_url"))
    guard(ctx, ("rag", "okp"), E.enrich_okp, run.b, ctx, okp, enabled, ("rag", "okp"), resolved_url)


LEGACY_LIBRARY_STEPS: tuple[Step, ...] = (library_byok_rag, library_solr_okp, azure_entra_id)
"""LCORE's enrichment of the external run.yaml of a legacy library config, in its order."""


def enrich_legacy_library(
    config: Any,
    run_yaml: Any,
    *,
    config_file: str,
    run_yaml_file: str,
    env: Optional[Mapping[str, str]] = None,
    locate: Optional[E.Locate] = None,
    env_source: Optional[str] = None,
    steps: Sequence[Step] = LEGACY_LIBRARY_STEPS,
) -> Synthesis:
    """What LCORE runs for a legacy library config: its enrichment of the external run.yaml."""
    ctx, config, b = _start(config, run_yaml, config_file, run_yaml_file, env, locate, env_source)
    run = Run(config, ctx, builder=b)
    for step in steps:
        step(run)
    return Synthesis(b.root, ctx.findings, "legacy-library", b.prov)


def _as_http_url(value: str) -> str:
    """pydantic's AnyHttpUrl adds a '/' path to a bare origin (``http://h:1`` -> ``http://h:1/``)."""
    if "${env." in value:
        return value
    scheme, sep, rest = value.partition("://")
    if sep and "/" not in rest:
        return value + "/"
    return value


def enrich_legacy_server(
    config: Any,
    run_yaml: Any,
    *,
    config_file: str,
    run_yaml_file: str,
    env: Optional[Mapping[str, str]] = None,
    locate: Optional[E.Locate] = None,
    env_source: Optional[str] = None,
    steps: Sequence[Step] = LEGACY_SERVER_STEPS,
) -> Synthesis:
    """What the Llama Stack container's entrypoint produces from its run.yaml (raw config)."""
    ctx, config, b = _start(config, run_yaml, config_file, run_yaml_file, env, locate, env_source)
    run = Run(config, ctx, builder=b)
    for step in steps:
        step(run)
    return Synthesis(b.root, ctx.findings, "legacy-server", b.prov)
