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

from lsc_tui.config.envref import ENV_REF, EnvVarMissing, find_refs, resolve_string
from lsc_tui.config.findings import Severity
from lsc_tui.config.releases import Release, rules_for
from lsc_tui.config.synthesis import enrichment as E
from lsc_tui.config.synthesis.provenance import KeyPath, Origin
from lsc_tui.config.synthesis.result import Synthesis
from lsc_tui.config.synthesis.steps import Run, Step, azure_entra_id, guard, okp_enabled

_STORE_DEFAULTS = {
    "backend": "faiss",
    "embedding_model": E.DEFAULT_EMBEDDING_MODEL,
    "embedding_dimension": E.DEFAULT_EMBEDDING_DIMENSION,
    "db_path": None,
}
# Values the library enrichment copies from a BYOK store into run.yaml.
_WRITTEN = (
    "vector_db_id",
    "db_path",
    "embedding_model",
    "embedding_dimension",
    "host",
    "port",
    "db",
    "user",
    "password",
)


def _resolve(value: Any, env: Mapping[str, str], ctx: E.Context, where: KeyPath) -> Any:
    if not isinstance(value, str) or "${env." not in value:
        return value
    try:
        return resolve_string(value, env)
    except EnvVarMissing as exc:
        ctx.find(
            Severity.ERROR,
            "legacy-env-missing",
            f"LCORE cannot load this configuration: ${{env.{exc.name}}} is not set",
            f"set {exc.name} in LCORE's environment or give the reference a := default",
            where,
        )
        return value


def _validated_store(
    raw: Any, index: int, env: Optional[Mapping[str, str]], ctx: E.Context, source: KeyPath = ("rag", "byok", "stores")
) -> Any:
    """A BYOK store as LCORE's validated model dumps it (defaults filled in)."""
    if not isinstance(raw, dict):
        return raw
    where = source + (index,)
    store: dict[str, Any] = dict(_STORE_DEFAULTS)
    if ctx.release_rules.byok.type_key == "rag_type":  # before main: rag_type, not backend
        del store["backend"]
        store["rag_type"] = "inline::faiss"
    for key, value in raw.items():
        store[key] = value if env is None else _resolve(value, env, ctx, where + (key,))
    dim = store.get("embedding_dimension")
    if isinstance(dim, str) and dim.strip().isdigit():
        store["embedding_dimension"] = int(dim)  # pydantic's PositiveInt coerces "768"
    if store.get("backend") == "pgvector" or store.get("rag_type") == "remote::pgvector":
        for key, default in E.PG_DEFAULTS.items():
            if store.get(key) is None:
                store[key] = default  # filled after env resolution: stays a reference
    if env is None:
        for key in _WRITTEN:
            value = raw.get(key)
            if isinstance(value, str) and ENV_REF.search(value):
                if key == "password":
                    ctx.find(
                        Severity.WARNING,
                        "legacy-resolved-secret",
                        "LCORE's legacy library enrichment writes this password RESOLVED (the "
                        "value of the variable, not the reference) into "
                        "$TMPDIR/llama_stack_enriched_config.yaml, with umask permissions",
                        "migrate to the unified config (`lsc-tui migrate`): unified synthesis "
                        "keeps the reference and writes its file 0600",
                        where + (key,),
                    )
                else:
                    ctx.find(
                        Severity.INFO,
                        "legacy-resolved-value",
                        f"LCORE's legacy library enrichment writes '{key}' resolved; the preview shows the reference",
                        "nothing to do",
                        where + (key,),
                    )
    return store


def _start(
    config: Any,
    run_yaml: Any,
    config_file: str,
    run_yaml_file: str,
    env: Optional[Mapping[str, str]],
    locate: Optional[E.Locate],
    env_source: Optional[str] = None,
    release: Optional[Release] = None,
) -> tuple[E.Context, dict[str, Any], E.Builder]:
    """The context, config and builder both legacy modes start from."""
    ctx = E.Context(
        config_file=str(config_file), env=env, locate=locate, env_source=env_source, rules=rules_for(release)
    )
    if not isinstance(config, dict):
        config = {}
    b = E.Builder(run_yaml if isinstance(run_yaml, dict) else {}, Origin("legacy-run.yaml", str(run_yaml_file), ()))
    if not isinstance(run_yaml, dict):
        ctx.lcore_fails("the run.yaml is not a mapping", "make the run.yaml a mapping", ())
    return ctx, config, b


def library_byok_rag(run: Run) -> None:
    """BYOK RAG from the stores as LCORE's validated model dumps them (defaults filled in, env
    references resolved when ``env`` is known)."""
    ctx, rag = run.ctx, run.rag()
    raw_stores = rag.stores or []
    stores = (
        [_validated_store(s, i, ctx.env, ctx, rag.stores_path) for i, s in enumerate(raw_stores)]
        if isinstance(raw_stores, list)
        else []
    )
    guard(ctx, rag.stores_path, E.enrich_byok, run.b, ctx, stores, rag.stores_path)


def library_solr_okp(run: Run) -> None:
    """Solr/OKP with the URL as LCORE's validated model holds it (resolved, an origin gets a '/')."""
    ctx, rag = run.ctx, run.rag()
    okp: dict[str, Any] = rag.okp if isinstance(rag.okp, dict) else {}
    enabled = bool(okp_enabled(rag))
    resolved_url = None
    url = okp.get("rhokp_url")
    if enabled:
        if url is None:
            resolved_url = E.OKP_DEFAULT_URL
        else:
            value, exact = E.lcore_resolve(str(url), ctx.env)
            resolved_url = _as_http_url(value)
            if "${env." in str(url):
                ctx.find(
                    Severity.INFO,
                    "synthesis-okp-url-resolved",
                    "LCORE resolves the env reference in rag.okp.rhokp_url when it loads the "
                    "configuration; "
                    + (
                        "the preview uses the environment given"
                        if exact
                        else "the preview shows the value with the variable unset"
                    ),
                    "nothing to do; set the variable where LCORE runs",
                    rag.okp_path + ("rhokp_url",),
                )
    guard(ctx, rag.okp_path, E.enrich_okp, run.b, ctx, okp, enabled, rag.okp_path, resolved_url)


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
    steps: Optional[Sequence[Step]] = None,
    release: Optional[Release] = None,
) -> Synthesis:
    """What LCORE runs for a legacy library config: its enrichment of the external run.yaml
    (``release``: the LCORE release whose enrichment to follow, None: main; ``steps``: another
    sequence than the release's)."""
    ctx, config, b = _start(config, run_yaml, config_file, run_yaml_file, env, locate, env_source, release)
    run = Run(config, ctx, builder=b)
    for step in steps if steps is not None else ctx.release_rules.library_steps:
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
    steps: Optional[Sequence[Step]] = None,
    release: Optional[Release] = None,
    run_yaml_text: Optional[str] = None,
) -> Synthesis:
    """What the Llama Stack container's entrypoint produces from its run.yaml (raw config).

    ``release``: the LCORE release whose entrypoint runs (None: main, forward-compatible);
    ``steps``: another sequence than the release's. Where the entrypoint's script fails, the
    container runs the run.yaml as it is (``run_yaml_text`` when given): the result is that
    file, and an error says why. 0.5.x's entrypoint resolves every env reference of the
    config first and fails on an unset one: with a known environment the result shows it;
    with an unknown one, a warning names the variables whose absence would."""
    ctx, config, b = _start(config, run_yaml, config_file, run_yaml_file, env, locate, env_source, release)
    rules = ctx.release_rules
    unenriched = run_yaml if isinstance(run_yaml, dict) else {}
    resolved = _resolve_for_entrypoint(config, ctx) if rules.server_resolves_env else config
    if resolved is None:
        return Synthesis(unenriched, ctx.findings, "legacy-server", b.prov, _text=run_yaml_text)
    run = Run(resolved, ctx, builder=b)
    for step in steps if steps is not None else rules.server_steps:
        step(run)
    failed = [f for f in ctx.findings if f.is_error and f.code == "synthesis-lcore-fails"]
    if failed:
        # the entrypoint's script stops with an exception; the entrypoint then starts Llama
        # Stack on the run.yaml as it is
        why = failed[0].message.removeprefix("LCORE's synthesizer stops here: ")
        ctx.find(
            Severity.ERROR,
            "legacy-entrypoint-fallback",
            f"{rules.release.label}'s Llama Stack container runs the unenriched run.yaml: its enrichment "
            f"stops ({why}) and the entrypoint falls back to the file as it is (no BYOK, no OKP)",
            failed[0].fix,
            failed[0].path,
        )
        return Synthesis(unenriched, ctx.findings, "legacy-server", b.prov, _text=run_yaml_text)
    return Synthesis(b.root, ctx.findings, "legacy-server", b.prov)


def _resolve_for_entrypoint(config: dict[str, Any], ctx: E.Context) -> Optional[dict[str, Any]]:
    """0.5.x's entrypoint: every ``${env.X}`` of lightspeed-stack.yaml resolved before it
    enriches. None when a variable is unset in the known environment (the entrypoint then
    runs the unenriched run.yaml); with an unknown environment the references stay and a
    finding names the variables whose absence would do that."""
    label = ctx.release_rules.release.label
    unset: list[tuple[str, KeyPath]] = []

    def walk(node: Any, path: KeyPath) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, path + (k,)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, path + (i,)) for i, v in enumerate(node)]
        if isinstance(node, str) and "${env." in node:
            if ctx.env is None:
                unset.extend((ref.name, path) for ref in find_refs(node) if ref.op is None)
                return node
            try:
                return resolve_string(node, ctx.env)
            except EnvVarMissing as exc:
                unset.append((exc.name, path))
                return node
        return node

    resolved: dict[str, Any] = walk(config, ())
    if not unset:
        return resolved
    names = ", ".join(sorted({name for name, _ in unset}))
    path = unset[0][1]
    fix = "set the variables in the Llama Stack container, or give the references a := default"
    if ctx.env is None:
        ctx.find(
            Severity.WARNING,
            "legacy-entrypoint-fallback",
            f"{label}'s Llama Stack container resolves every env reference of this file before it "
            f"enriches run.yaml; if {names} is unset in the container it silently runs the unenriched "
            "run.yaml (no BYOK, no OKP)",
            fix,
            path,
        )
        return resolved
    where = ctx.env_source or "lsc-tui's environment"
    ctx.find(
        Severity.ERROR,
        "legacy-entrypoint-fallback",
        f"{label}'s Llama Stack container runs the unenriched run.yaml: it resolves every env "
        f"reference of this file first and {names} is not set in {where} (no BYOK, no OKP)",
        fix,
        path,
    )
    return None
