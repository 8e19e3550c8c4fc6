"""Synthesis: the run.yaml Llama Stack will actually run, as LCORE builds it.

``synthesize_unified`` follows LCORE's unified pipeline in its exact order (baseline,
vector_io dedupe, Azure Entra ID, BYOK RAG, Solr/OKP, ``vector_store.providers``, high-level
``inference.providers``, MCP ensure, ``native_override``, dedupe). The legacy modes live in
:mod:`lsc_tui.config.legacy`. Env references are never resolved (LCORE resolves two values
itself while synthesizing; see the findings). The output is built copy-on-write, so it
shares every unchanged subtree with its inputs: treat ``Synthesis.data`` as read-only.

The second half of this module writes run.yaml exactly as LCORE does (PyYAML, block style,
sorted keys, indented sequences) with a fast emitter that falls back to PyYAML wherever it
cannot prove the bytes are the same.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional
from collections.abc import Callable, Mapping

import yaml

from lsc_tui.config import enrichment as E
from lsc_tui.config.findings import Finding, Severity, path_text
from lsc_tui.config.merge import deep_merge_list_replace
from lsc_tui.config.provenance import Origin, Provenance

__all__ = ["Synthesis", "Origin", "synthesize_unified", "enrich_legacy_library", "enrich_legacy_server",
           "dump_run_yaml", "write_run_yaml", "default_baseline", "load_profile", "resolve_profile_path",
           "builtin_position", "DEFAULT_OUTPUT"]

BUILTIN_DEFAULT = "builtin:default"
DEFAULT_OUTPUT = Path(".generated") / "run.yaml"
BASELINES = ("default", "empty", "byo-llm")

Locate = Callable[[str, tuple], tuple]


@dataclass
class Synthesis:
    """A synthesized run.yaml with its findings and provenance."""

    data: dict
    findings: list = field(default_factory=list)
    mode: str = "unified"
    provenance: Provenance = field(default_factory=Provenance, repr=False)
    _text: Optional[str] = field(default=None, repr=False)
    _lines: Optional[list] = field(default=None, repr=False)

    def origin_of(self, path: tuple) -> Origin:
        """The origin of the value at ``path`` (KeyError/IndexError if there is none)."""
        return self.provenance.origin_of(self.data, tuple(path))

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = dump_run_yaml(self.data)
        return self._text

    def line_paths(self) -> list:
        if self._lines is None:
            text, paths = dump_with_paths(self.data)
            self._text = text
            self._lines = paths
        return self._lines

    def text_and_line_origins(self) -> tuple[str, list]:
        """The dumped run.yaml and, per output line, the Origin of what it shows."""
        fast = dump_with_origins(self.data, self.provenance)
        if fast is not None:
            self._text = fast[0]
            return fast
        paths = self.line_paths()
        prov, root = self.provenance, self.data
        root_origin = prov.node.get(id(root), Origin("unknown", ""))
        memo: dict = {(): (root, root_origin)}

        def resolve(path):
            hit = memo.get(path)
            if hit is None:
                parent, parent_origin = resolve(path[:-1])
                key = path[-1]
                hit = (parent[key], prov.child_origin(parent, key, parent_origin))
                memo[path] = hit
            return hit

        origins = []
        for path in paths:
            try:
                origins.append(resolve(path)[1])
            except (KeyError, IndexError, TypeError):
                origins.append(None)
        return self.text, origins


# --- inputs ------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _default_text() -> str:
    return (Path(__file__).resolve().parent.parent / "data" / "default_run.yaml").read_text(
        encoding="utf-8"
    )


@lru_cache(maxsize=1)
def _default_data() -> Any:
    return yaml.safe_load(_default_text())


def _fresh(data: Any) -> Any:
    """A private copy of plain YAML data (faster than copy.deepcopy)."""
    if isinstance(data, dict):
        return {k: _fresh(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_fresh(v) for v in data]
    return data


def default_baseline() -> dict:
    """LCORE's built-in ``baseline: default`` (lsc_tui/data/default_run.yaml), a fresh copy."""
    return _fresh(_default_data())


def default_baseline_text() -> str:
    return _default_text()


@lru_cache(maxsize=1)
def _default_document():
    from lsc_tui.config.yaml.document import Document

    return Document(Path(BUILTIN_DEFAULT), _default_text(), None, BUILTIN_DEFAULT)


def builtin_position(path: tuple) -> tuple[int, int]:
    """Line and column of ``path`` in the packaged default baseline (for provenance)."""
    try:
        return _default_document().position(tuple(path))
    except Exception:
        return (0, 0)


def llama_stack_block(config: dict) -> tuple[str, Any]:
    """``(key, block)``: ``ogx`` wins over ``llama_stack`` when both are present."""
    if isinstance(config, dict) and "ogx" in config:
        return "ogx", config.get("ogx")
    return "llama_stack", (config or {}).get("llama_stack") if isinstance(config, dict) else None


def unified_block(config: dict) -> tuple[str, Any]:
    key, block = llama_stack_block(config)
    return key, (block.get("config") if isinstance(block, dict) else None)


def resolve_profile_path(profile: str, config_dir: Optional[os.PathLike | str]) -> Path:
    """LCORE's rule: absolute as-is; relative to the config file's directory (else CWD).

    The path is used raw: env references in it are not expanded.
    """
    path = Path(profile)
    if not path.is_absolute() and config_dir is not None:
        path = Path(config_dir) / path
    return path


def load_profile(config: dict, config_dir: Optional[os.PathLike | str]) -> tuple[Optional[dict], Optional[str], list]:
    """Load the profile a config names, as LCORE does. ``(data, path, findings)``."""
    key, unified = unified_block(config)
    if not isinstance(unified, dict) or not unified.get("profile"):
        return None, None, []
    path = resolve_profile_path(str(unified["profile"]), config_dir)
    where = (key, "config", "profile")
    from lsc_tui.config.yaml.document import data_of, read_text
    from lsc_tui.config.yaml.lint import YamlLoadError

    try:
        text, _stamp = read_text(path)  # the guarded reader: regular files only, size cap
    except YamlLoadError as exc:
        return None, str(path), [Finding(
            "", 0, 0, Severity.ERROR, "synthesis-profile-missing",
            f"the profile file cannot be read ({exc.finding.message}): {path}",
            "fix the path; a relative profile path is relative to this file's directory", where)]
    try:
        data = data_of(text, str(path))  # alias and depth limits
    except YamlLoadError as exc:
        f = exc.finding
        return None, str(path), [Finding(
            str(path), f.line, f.column, Severity.ERROR, "synthesis-profile-invalid",
            f"the profile cannot be read as YAML: {f.message}", f.fix or "fix the YAML syntax at this position")]
    return (data if data is not None else {}), str(path), []


# --- the unified pipeline -----------------------------------------------------------
def synthesize_unified(
    config: dict,
    config_dir: Optional[os.PathLike | str],
    *,
    config_file: str,
    profile: Optional[dict] = None,
    profile_file: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
    locate: Optional[Locate] = None,
    baseline_data: Optional[dict] = None,
    env_source: Optional[str] = None,
) -> Synthesis:
    """The run.yaml LCORE synthesizes from a unified lightspeed-stack.yaml.

    ``config`` is the raw data (PyYAML safe_load, env refs unresolved). When the config
    names a ``profile`` the caller passes it pre-loaded (``profile``/``profile_file``);
    if it does not, it is loaded here with LCORE's path rule. ``env`` is only used for the
    two values LCORE itself resolves (the OKP URL, and existing vector store ids when
    matching BYOK stores); ``None`` means unknown. ``env_source`` names where ``env`` comes
    from (an env file of the server's); None with an ``env``: lsc-tui's own environment.
    ``locate(file, path) -> (line, col)`` places findings.
    """
    ctx = E.Context(config_file=str(config_file), env=env, locate=locate, env_source=env_source)
    if not isinstance(config, dict):
        config = {}
        ctx.find(Severity.ERROR, "synthesis-not-a-mapping", "the configuration is not a mapping",
                 "write the configuration as a YAML mapping", ())
    root_key, unified = unified_block(config)
    ctx.root_key = root_key
    base = (root_key, "config")
    if unified is not None and not isinstance(unified, dict):
        ctx.lcore_fails(f"{root_key}.config is not a mapping",
                        f"write {root_key}.config as a mapping (or remove it)", base)
        unified = None

    # 1. baseline: profile beats baseline
    baseline_empty = False
    if unified and unified.get("profile"):
        if profile is None:
            profile, loaded_from, problems = load_profile(config, config_dir)
            for f in problems:
                ctx.findings.append(Finding(f.file or ctx.config_file, *(_place(ctx, f)), f.severity,
                                            f.code, f.message, f.fix, f.path))
            profile_file = profile_file or loaded_from
        profile_file = str(profile_file or unified.get("profile"))
        if profile is None:
            profile = {}
        if not isinstance(profile, dict):
            ctx.find(Severity.ERROR, "synthesis-lcore-fails",
                     "LCORE's synthesizer stops here: the profile is not a run.yaml mapping",
                     "point profile at a run.yaml-shaped file", base + ("profile",))
            profile = {}
        b = E.Builder(profile, Origin("profile", profile_file, ()))
        baseline_source: tuple[str, tuple] = (profile_file, ())
    elif unified and unified.get("baseline") == "empty":
        baseline_empty = True
        b = E.Builder({}, Origin("baseline:empty", ctx.config_file, base + ("baseline",), False))
        baseline_source = (ctx.config_file, base + ("baseline",))
    else:
        choice = unified.get("baseline") if unified else None
        data = baseline_data if baseline_data is not None else default_baseline()
        if choice == "byo-llm":
            b = E.Builder(data, Origin("baseline:byo-llm", BUILTIN_DEFAULT, ()))
            _drop_openai_row(b)
        else:
            if choice not in (None, "default"):
                ctx.find(Severity.WARNING, "synthesis-unknown-baseline",
                         f"baseline '{choice}' is not one LCORE knows; it synthesizes from the "
                         "built-in default baseline", "use one of: " + ", ".join(BASELINES),
                         base + ("baseline",))
            b = E.Builder(data, Origin("baseline:default", BUILTIN_DEFAULT, ()))
        baseline_source = (BUILTIN_DEFAULT, ())

    # 2. dedupe
    _check_providers_shape(b, ctx, baseline_source)
    _report_dupes(b, ctx, baseline_source)
    E.dedupe_vector_io(b)

    # 3. enrichment (Azure, BYOK, Solr/OKP, vector_store)
    ctx.azure_entra_id = config.get("azure_entra_id") is not None
    _enrich(b, ctx, config, unified_mode=True)

    # 4. high-level inference
    inference = config.get("inference")
    hl = inference.get("providers") if isinstance(inference, dict) else None
    if hl:
        _guard(ctx, ("inference", "providers"), E.apply_inference, b, ctx, hl if isinstance(hl, list) else [],
               ("inference", "providers"), config.get("azure_entra_id") is not None)

    # 5. MCP ensure unless the baseline is empty
    if not baseline_empty:
        _guard(ctx, base, E.ensure_mcp, b, ctx, base)

    # 6. native_override
    override = unified.get("native_override") if unified else None
    if override:
        if not isinstance(override, dict):
            ctx.lcore_fails("native_override is not a mapping",
                            "write native_override as a run.yaml-shaped mapping", base + ("native_override",))
        else:
            _apply_override(b, ctx, override, base + ("native_override",))

    # 7. dedupe again
    if isinstance(override, dict) and "providers" in override:
        _check_providers_shape(b, ctx, (ctx.config_file, base + ("native_override",)))
    E.dedupe_vector_io(b)
    return Synthesis(b.root, ctx.findings, "unified", b.prov)


def _place(ctx: E.Context, f: Finding) -> tuple[int, int]:
    if f.line:
        return f.line, f.column
    if ctx.locate is None:
        return 0, 0
    try:
        return ctx.locate(ctx.config_file, tuple(f.path))
    except Exception:
        return 0, 0


def _guard(ctx: E.Context, where: tuple, fn, *args) -> None:
    try:
        fn(*args)
    except (E.StepError, AttributeError, TypeError, KeyError, ValueError) as exc:
        message = str(exc) if isinstance(exc, E.StepError) else "an input has an unexpected shape"
        ctx.lcore_fails(message, "fix the shape of this section (see the schema)", where)


def _drop_openai_row(b: E.Builder) -> None:
    providers = b.root.get("providers")
    if not isinstance(providers, dict) or not isinstance(providers.get("inference"), list):
        return
    old = providers["inference"]
    kept = [i for i, p in enumerate(old)
            if not (isinstance(p, dict) and p.get("provider_id") == E.OPENAI_CONDITIONAL_ID)]
    if len(kept) == len(old):
        return
    new = b.adopt([old[i] for i in kept])
    b.prov.reindex(old, new, kept)
    b.own(b.root, "providers")["inference"] = new


def _providers_crash_lcore(providers: Any) -> bool:
    """Whether LCORE's vector_io dedupe fails on this ``providers`` value: it asks
    ``"vector_io" in providers`` and then indexes it, which only a mapping survives."""
    if isinstance(providers, dict):
        return False
    if isinstance(providers, (str, list)):
        return "vector_io" in providers
    return True


def _check_providers_shape(b: E.Builder, ctx: E.Context, source: tuple) -> None:
    """``providers: null`` (or another non-mapping) where LCORE dedupes vector_io: LCORE
    fails at start-up, so no run.yaml is written."""
    if "providers" not in b.root or not _providers_crash_lcore(b.root["providers"]):
        return
    file, base = source
    finding_file = file if not file.startswith("builtin:") else ctx.config_file
    shown = "null" if b.root["providers"] is None else type(b.root["providers"]).__name__
    ctx.find(Severity.ERROR, "synthesis-lcore-fails",
             f"LCORE's synthesizer stops here: `providers` is {shown}, not a mapping; LCORE fails at "
             "start-up when it deduplicates providers.vector_io",
             "write providers as a mapping of API name to provider list, or remove the key",
             base + ("providers",), file=finding_file)


def _report_dupes(b: E.Builder, ctx: E.Context, source: tuple) -> None:
    providers = b.root.get("providers")
    items = providers.get("vector_io") if isinstance(providers, dict) else None
    if not isinstance(items, list):
        return
    kept = set(E._dedupe_items(items))
    for index, item in enumerate(items):
        if index in kept:
            continue
        file, base = source
        what = "is not a mapping" if not isinstance(item, dict) else "repeats an earlier provider_id"
        finding_file = file if not file.startswith("builtin:") else ctx.config_file
        ctx.find(Severity.INFO, "synthesis-vector-io-dedupe",
                 f"providers.vector_io[{index}] {what}; LCORE drops it",
                 "remove the entry or give it a unique provider_id",
                 base + ("providers", "vector_io", index), file=finding_file)


def _enrich(b: E.Builder, ctx: E.Context, config: dict, *, unified_mode: bool) -> None:
    """Azure, BYOK, Solr/OKP and (unified only) vector_store, reading the raw config."""
    _guard(ctx, ("azure_entra_id",), E.enrich_azure, b, ctx, config.get("azure_entra_id"), ("azure_entra_id",))
    rag = config.get("rag", {})
    if not isinstance(rag, dict):
        ctx.lcore_fails("rag is not a mapping", "write rag as a mapping (or remove it)", ("rag",))
        rag = {}
    byok = rag.get("byok", {})
    stores = byok.get("stores", []) if isinstance(byok, dict) else None
    if not isinstance(byok, dict):
        ctx.lcore_fails("rag.byok is not a mapping", "write rag.byok as a mapping", ("rag", "byok"))
        stores = []
    elif stores is None:
        ctx.lcore_fails("rag.byok.stores is empty (null), not a list",
                        "write `stores: []` or list the stores", ("rag", "byok", "stores"))
        stores = []
    _guard(ctx, ("rag", "byok", "stores"), E.enrich_byok, b, ctx, stores, ("rag", "byok", "stores"))
    try:
        enabled = E.okp_enabled(rag)
    except E.StepError:
        ctx.lcore_fails("rag.retrieval has an unexpected shape", "fix rag.retrieval", ("rag", "retrieval"))
        enabled = False
    okp = rag.get("okp", {})
    if enabled and not isinstance(okp, dict):
        ctx.lcore_fails("rag.okp is not a mapping", "write rag.okp as a mapping (or remove it)", ("rag", "okp"))
    _guard(ctx, ("rag", "okp"), E.enrich_okp, b, ctx, okp, enabled, ("rag", "okp"))
    if unified_mode:
        _guard(ctx, ("vector_store",), E.enrich_vector_store, b, ctx, config.get("vector_store"), ("vector_store",))


def _apply_override(b: E.Builder, ctx: E.Context, override: dict, source: tuple) -> None:
    prov = b.prov

    def on_set(container, key, opath):
        origin = Origin("native_override", ctx.config_file, source + opath, True)
        prov.mark_key(container, key, origin)

    if b.aliased or E.has_aliases(override):
        new_root = _merge_like_lcore(b, override, source, ctx)
    else:
        new_root = deep_merge_list_replace(b.root, override, copy_map=b._copy, on_set=on_set)
    b.replace_root(new_root, prov.node.get(id(b.root), Origin("unknown", "")))
    _report_3370(ctx, override, source, b.root)


def _merge_like_lcore(b: E.Builder, override: dict, source: tuple, ctx: E.Context) -> dict:
    """The merge rule with LCORE's copying (a deep copy per level and per overlay value).

    Used only when anchors/aliases are involved, where the copies decide which nodes stay
    shared (and so which get YAML anchors when written). Provenance follows the copies.
    """
    import copy

    prov = b.prov

    def deep(obj):
        memo: dict = {}
        new = copy.deepcopy(obj, memo)
        for old_id, copied in memo.items():
            if old_id != id(memo) and isinstance(copied, (dict, list)):
                prov.inherit_id(old_id, copied)
        return new

    def merge(base: dict, overlay: dict, path: tuple) -> dict:
        result = deep(base)
        for key, value in overlay.items():
            current = result.get(key)
            if isinstance(current, dict) and isinstance(value, dict):
                result[key] = merge(current, value, path + (key,))
            else:
                result[key] = copy.deepcopy(value)
                prov.mark_key(result, key, Origin("native_override", ctx.config_file,
                                                  source + path + (key,), True))
        return result

    return merge(b.root, override, ())


def _azure_missed(ctx: E.Context, override: dict, root: dict) -> bool:
    """An Azure provider that arrives via native_override never gets model_validation."""
    if not ctx.azure_entra_id:
        return False
    providers = override.get("providers")
    rows = providers.get("inference") if isinstance(providers, dict) else None
    if not isinstance(rows, list):
        return False
    return any(isinstance(r, dict) and r.get("provider_type") == "remote::azure"
               and not (isinstance(r.get("config"), dict) and r["config"].get("model_validation") is False)
               for r in rows)


def _report_3370(ctx: E.Context, override: dict, source: tuple, root: dict) -> None:
    wiped: dict[tuple, set] = {}
    if _azure_missed(ctx, override, root):
        wiped.setdefault(("providers", "inference"), set()).add("azure")
    for path, step in ctx.touched:
        if step == "mcp":
            continue  # replacing tool_runtime without MCP is LCORE's documented opt-out
        node: Any = override
        for i, key in enumerate(path):
            if not isinstance(node, dict) or key not in node:
                break
            node = node[key]
            if not isinstance(node, dict):
                wiped.setdefault(path[: i + 1], set()).add(step)
                break
    names = {"azure": "Azure Entra ID (model_validation: false)", "byok": "BYOK RAG",
             "okp": "Solr/OKP", "vector_store": "vector_store.providers",
             "inference.providers": "high-level inference.providers"}
    for path, steps in sorted(wiped.items(), key=lambda kv: [str(p) for p in kv[0]]):
        what = ", ".join(names[s] for s in sorted(steps))
        ctx.find(
            Severity.WARNING, "synthesis-lcore-3370",
            f"native_override replaces '{path_text(path)}' wholesale after enrichment, so the "
            f"{what} enrichment is missing there in the run.yaml LCORE runs (LCORE-3370: lists "
            "are replaced, never merged)",
            f"move '{path_text(path)}' out of native_override into a profile (llama_stack.config."
            "profile), which enrichment extends, or add the enriched entries to the override",
            source + path,
        )


# ======================================================================================
# Writing run.yaml as LCORE does
# ======================================================================================
WIDTH = 80  # PyYAML's default best_width


class LcoreDumper(yaml.Dumper):  # pylint: disable=too-many-ancestors
    """PyYAML's Dumper with indented block sequences (LCORE's choice for run.yaml)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def pyyaml_dump(data: Any) -> str:
    return yaml.dump(data, Dumper=LcoreDumper, default_flow_style=False)


class _Fallback(Exception):
    pass


_SCALARS: dict = {}


def _scalar(value: Any) -> Optional[str]:
    """The one-line text PyYAML writes for ``value`` when it is not folded, else None."""
    try:
        # floats by repr: 0.0 == -0.0 and nan != nan would confuse a dict
        key = (value.__class__, repr(value) if value.__class__ is float else value)
        hit = _SCALARS.get(key, _SCALARS)
    except TypeError:  # unhashable: not a scalar we know
        raise _Fallback() from None
    if hit is not _SCALARS:
        return hit
    text = _str_text(value) if value.__class__ is str else None
    if text is None:
        text = yaml.dump(value, Dumper=LcoreDumper, default_flow_style=False, width=float("inf"))
    if text.endswith("\n...\n"):
        text = text[:-5]
    elif text.endswith("\n"):
        text = text[:-1]
    result = None if ("\n" in text or text.startswith(("!", "&", "*"))) else text
    if len(_SCALARS) > 200_000:
        _SCALARS.clear()
    _SCALARS[key] = result
    return result


# A string of printable ASCII on one line is written plain or single-quoted, never folded
# (the width is unbounded) and never escaped; which of the two, PyYAML's emitter decides from
# the characters (Emitter.analyze_scalar, block context) and from whether the plain text would
# read back as something else (the resolver: true, 1.5, null, 2024-01-01, =, <<). The rules
# below are the emitter's, for that subset; every other string goes through yaml.dump.
# tests/synthesis/test_scalar_text.py compares both on many strings, YAML 1.1 traps included.
_ASCII_LINE = re.compile(r"[\x20-\x7e]+")
_NOT_PLAIN_FIRST = frozenset("#,[]{}&*!|>'\"%@`")
_STR_TAG = "tag:yaml.org,2002:str"


def _str_text(value: str) -> Optional[str]:
    """The text PyYAML writes for a one-line printable ASCII string (None: ask PyYAML)."""
    if not _ASCII_LINE.fullmatch(value):
        return None
    first = value[0]
    plain = not (
        first in _NOT_PLAIN_FIRST or first == " " or value[-1] == " "
        or (first in "?:-" and (len(value) == 1 or value[1] == " "))
        or value.startswith(("---", "...")) or ": " in value or value[-1] == ":" or " #" in value
    )
    if plain:
        for tag, regexp in (LcoreDumper.yaml_implicit_resolvers.get(first, [])
                            + LcoreDumper.yaml_implicit_resolvers.get(None, [])):
            if regexp.match(value):
                plain = tag == _STR_TAG
                break
    return value if plain else "'" + value.replace("'", "''") + "'"


_KEYS: dict = {}
_BREAKS = re.compile("[\r\n\x85\u2028\u2029]")


def _key(key: Any) -> str:
    try:
        cache_key = (key.__class__, repr(key) if key.__class__ is float else key)
        hit = _KEYS.get(cache_key)
    except TypeError:
        raise _Fallback() from None
    if hit is not None:
        return hit
    text = _scalar(key)
    # PyYAML writes "? key" for keys that are empty, span lines or are long (its limit
    # counts the raw text plus the tag); leave all of those to PyYAML.
    if (text is None or key == "" or len(text) >= 100 or isinstance(key, (tuple, bytes))
            or (isinstance(key, str) and (len(key) >= 100 or _BREAKS.search(key)))):
        raise _Fallback()
    _KEYS[cache_key] = text
    return text


_CHAIN: dict = {}


def _folded(value: Any, chain: tuple) -> list[str]:
    """Lines PyYAML writes for a scalar it may fold, placed exactly where it sits.

    ``chain`` describes the position: ("k", key) for a mapping value, ("i",) for a sequence
    item. A document with one entry per level reproduces the emitter's indentation and
    column, so PyYAML's own folding is reused.
    """
    cache_key = (value.__class__, repr(value) if value.__class__ is float else value, chain)
    try:
        hit = _CHAIN.get(cache_key)
    except TypeError:
        raise _Fallback() from None
    if hit is not None:
        return hit
    doc: Any = value
    for step in reversed(chain):
        doc = {step[1]: doc} if step[0] == "k" else [doc]
    full = pyyaml_dump(doc)
    marker = "\x00placeholder\x00"
    probe: Any = marker
    for step in reversed(chain):
        probe = {step[1]: probe} if step[0] == "k" else [probe]
    # the lines before the scalar are the same in both documents
    lines, _ = emit_lines(probe, track=False, _chain_ok=False)
    prefix = "".join(lines)
    cut = prefix.index(_scalar(marker))
    head = prefix[:cut]
    if not full.startswith(head):
        raise _Fallback()
    body = full[len(head):]
    out = body.splitlines(keepends=True)
    if len(_CHAIN) > 10_000:
        _CHAIN.clear()
    _CHAIN[cache_key] = out
    return out


def emit_lines(data: Any, *, track: bool = False, _chain_ok: bool = True):
    """``(lines, paths)``: the dumped lines (each ending in a newline) and, when ``track``,
    the key path each line belongs to. Raises _Fallback when PyYAML must do it."""
    lines: list[str] = []
    paths: Optional[list] = [] if track else None
    seen: set[int] = set()
    if isinstance(data, dict) and not data:
        return ["{}\n"], ([()] if track else None)
    if not isinstance(data, dict):
        raise _Fallback()
    _map(data, "", lines, paths, (), seen, (), _chain_ok)
    return lines, paths


def _sorted_keys(mapping: dict) -> list:
    try:
        return sorted(mapping)
    except TypeError:
        return list(mapping)


def _value(value, prefix: str, indent: str, lines, paths, path, seen, chain, chain_ok) -> None:
    """Write ``value`` after ``prefix`` (``"key:"`` or ``"- "``-style text on the same line)."""
    if isinstance(value, (dict, list)):
        if id(value) in seen:
            raise _Fallback()
        seen.add(id(value))
        is_map = isinstance(value, dict)
        if not value:
            empty = "{}" if is_map else "[]"
            lines.append(prefix + " " + empty + "\n" if prefix.endswith(":") else prefix + empty + "\n")
            if paths is not None:
                paths.append(path)
            return
        walk = _map if is_map else _seq
        if prefix.endswith(":"):
            lines.append(prefix + "\n")
            if paths is not None:
                paths.append(path)
            walk(value, indent + "  ", lines, paths, path, seen, chain, chain_ok)
        else:  # a mapping's first key, or a nested list's first item, goes on the "- " line
            walk(value, indent, lines, paths, path, seen, chain, chain_ok, first_prefix=prefix)
        return
    text = _scalar(value)
    sep = " " if prefix.endswith(":") else ""
    if text is not None and (len(prefix) + len(sep) + len(text) <= WIDTH or _unfoldable(text)):
        lines.append(prefix + sep + text + "\n")
        if paths is not None:
            paths.append(path)
        return
    if not chain_ok:
        raise _Fallback()
    body = _folded(value, chain)
    lines.append(prefix + sep + body[0] if body else prefix + "\n")
    lines.extend(body[1:])
    if paths is not None:
        paths.extend([path] * len(body))


def _map(mapping: dict, indent: str, lines, paths, path, seen, chain, chain_ok, first_prefix=None):
    for n, key in enumerate(_sorted_keys(mapping)):
        ktext = _key(key)
        if n == 0 and first_prefix is not None:
            prefix = first_prefix + ktext + ":"
        else:
            prefix = indent + ktext + ":"
        child_indent = indent
        _value(mapping[key], prefix, child_indent, lines, paths,
               path + (key,) if paths is not None else path, seen,
               chain + (("k", key),), chain_ok)


def _seq(items: list, indent: str, lines, paths, path, seen, chain, chain_ok, first_prefix=None):
    for n, item in enumerate(items):
        if n == 0 and first_prefix is not None:
            prefix = first_prefix + "- "
        else:
            prefix = indent + "- "
        _value(item, prefix, indent + "  ", lines, paths,
               path + (n,) if paths is not None else path, seen,
               chain + (("i",),), chain_ok)


_STR_SCALARS: dict = {}
_STR_KEYS: dict = {}


def _fast_scalar(value: Any) -> Optional[str]:
    if value.__class__ is str:
        text = _STR_SCALARS.get(value)
        if text is None:
            text = _scalar(value)
            if text is not None:
                if len(_STR_SCALARS) > 200_000:
                    _STR_SCALARS.clear()
                _STR_SCALARS[value] = text
        return text
    return _scalar(value)


def _unfoldable(text: str) -> bool:
    """PyYAML folds plain and single-quoted scalars only at spaces; double quotes anywhere."""
    return " " not in text and not text.startswith('"')


class _DumpMemo:
    """The lines of each sub-tree of the last dump, by the identity of its container.

    The editor dumps the synthesized run.yaml after every keystroke; the synthesis is built
    copy-on-write from the documents' data, and an edit copies only the containers along its
    path, so nearly every sub-tree is the same object as in the previous dump. Its lines
    depend only on the container's content, its indentation, the prefix of its first line and
    the chain of keys above it (all checked on a hit), provided containers are not changed in
    place once built (neither documents' data nor a finished synthesis ever is). An entry
    holds its container (so its id cannot be reused) and the ids of the containers below it,
    so that the check for a container reached twice (aliases: PyYAML's dump instead) stays
    exact. Entries the last dump did not use are dropped.
    """

    MIN_LINES = 6  # smaller sub-trees are cheaper to emit than to remember

    def __init__(self) -> None:
        self.prev: dict = {}
        self.cur: dict = {}
        self.last_root: Any = None

    def pays(self, data: dict) -> bool:
        """Whether ``data`` is a new root sharing a top-level container with the last dump's (an
        edit's synthesis); other data (a first dump, another workspace, the same root again) is
        dumped plainly and only noted."""
        last, self.last_root = self.last_root, data
        if last is None or data is last:
            return False  # the same root again may have been changed in place: trust nothing
        return any(v is last.get(k) for k, v in data.items() if v.__class__ is dict or v.__class__ is list)


_DUMP_MEMO = _DumpMemo()



def _emit(fn, value, indent: str, first: Optional[str], out: list, seen: set, stack: list, order: list) -> None:
    """``fn(value, ...)`` (the container itself already in ``seen``), from the memo when it can."""
    memo = _DUMP_MEMO
    vid = id(value)
    hit = memo.cur.get(vid) or memo.prev.get(vid)
    if hit is not None and hit[0] is value and hit[1] == indent and hit[2] == first and hit[3] == tuple(stack):
        inner = hit[5]
        if not seen.isdisjoint(inner):
            raise _Fallback()
        seen.update(inner)
        order.extend(inner)
        out.extend(hit[4])
        memo.cur[vid] = hit
        return
    n_out, n_order = len(out), len(order)
    fn(value, indent, first, out, seen, stack, order)
    if len(out) - n_out >= _DumpMemo.MIN_LINES:
        memo.cur[vid] = (value, indent, first, tuple(stack), out[n_out:], order[n_order:])


def _fast_map(mapping: dict, indent: str, first: Optional[str], out: list, seen: set, stack: list,
              order: Optional[list]) -> None:
    try:
        keys = sorted(mapping)
    except TypeError:
        keys = list(mapping)
    child = indent + "  "
    for key in keys:
        ktext = _STR_KEYS.get(key) if key.__class__ is str else None
        if ktext is None:
            ktext = _key(key)
            if key.__class__ is str:
                _STR_KEYS[key] = ktext
        if first is not None:
            pre = first + ktext + ":"
            first = None
        else:
            pre = indent + ktext + ":"
        value = mapping[key]
        cls = value.__class__
        if cls is dict or cls is list:
            if not value:
                _enter(value, seen, order)
                out.append(pre + (" {}\n" if cls is dict else " []\n"))
            else:
                out.append(pre + "\n")
                stack.append(("k", key))
                _fast_child(value, child, None, out, seen, stack, order)
                stack.pop()
        else:
            text = _fast_scalar(value)
            if text is not None and (len(pre) + 1 + len(text) <= WIDTH or _unfoldable(text)):
                out.append(pre + " " + text + "\n")
            else:
                stack.append(("k", key))
                body = _folded(value, tuple(stack))
                stack.pop()
                out.append(pre + " " + body[0])
                out.extend(body[1:])


def _enter(value, seen: set, order: Optional[list]) -> None:
    """Note a container the dump reaches; one reached twice (YAML aliases) takes the full dumper."""
    if id(value) in seen:
        raise _Fallback()
    seen.add(id(value))
    if order is not None:
        order.append(id(value))


def _fast_child(value, indent: str, first: Optional[str], out: list, seen: set, stack: list,
                order: Optional[list]) -> None:
    """Dump a non-empty mapping or list (through the memo when one is kept)."""
    _enter(value, seen, order)
    fn = _fast_map if value.__class__ is dict else _fast_seq
    if order is None:
        fn(value, indent, first, out, seen, stack, None)
    else:
        _emit(fn, value, indent, first, out, seen, stack, order)


def _fast_seq(items: list, indent: str, first: Optional[str], out: list, seen: set, stack: list,
              order: Optional[list]) -> None:
    child = indent + "  "
    stack.append(("i",))
    for value in items:
        if first is not None:
            pre = first + "- "
            first = None
        else:
            pre = indent + "- "
        cls = value.__class__
        if cls is dict or cls is list:
            if not value:
                _enter(value, seen, order)
                out.append(pre + ("{}\n" if cls is dict else "[]\n"))
            else:
                _fast_child(value, child, pre, out, seen, stack, order)
        else:
            text = _fast_scalar(value)
            if text is not None and (len(pre) + len(text) <= WIDTH or _unfoldable(text)):
                out.append(pre + text + "\n")
            else:
                body = _folded(value, tuple(stack))
                out.append(pre + body[0])
                out.extend(body[1:])
    stack.pop()


class _OriginMemo(_DumpMemo):
    """The lines and per-line origins of each sub-tree of the last ``dump_with_origins``.

    As _DumpMemo, and the origins too: inside a sub-tree that no provenance record names (no
    container of it was inserted, copied or re-keyed by a step, the common case for what a
    profile holds), every origin follows from the sub-tree's own origin by ``Origin.child``, so
    an entry is used only when that origin is equal and no record names any of its containers,
    now as when it was made.
    """


_ORIGIN_MEMO = _OriginMemo()


def _emit_origins(fn, value, indent: str, first: Optional[str], out: list, origins: list, seen: set,
                  stack: list, prov: Provenance, origin: Origin, order: list, records: set) -> None:
    memo = _ORIGIN_MEMO
    vid = id(value)
    hit = memo.cur.get(vid) or memo.prev.get(vid)
    if hit is not None and hit[0] is value and hit[1] == indent and hit[2] == first and hit[3] == tuple(stack) \
            and hit[4] == origin and vid not in records and records.isdisjoint(hit[7]):
        inner = hit[7]
        if not seen.isdisjoint(inner):
            raise _Fallback()
        seen.update(inner)
        order.extend(inner)
        out.extend(hit[5])
        origins.extend(hit[6])
        memo.cur[vid] = hit
        return
    n_out, n_order = len(out), len(order)  # out and origins grow together, a line and its origin
    fn(value, indent, first, out, origins, seen, stack, prov, origin, order, records)
    if len(out) - n_out >= _OriginMemo.MIN_LINES:
        inner = order[n_order:]
        if vid not in records and records.isdisjoint(inner):
            memo.cur[vid] = (value, indent, first, tuple(stack), origin, out[n_out:], origins[n_out:], inner)


def _origin_map(mapping: dict, indent: str, first: Optional[str], out: list, origins: list,
                seen: set, stack: list, prov: Provenance, origin: Origin, order: Optional[list] = None,
                records: Optional[set] = None) -> None:
    """_fast_map that also records, per line, the Origin of the value it shows."""
    try:
        keys = sorted(mapping)
    except TypeError:
        keys = list(mapping)
    child = indent + "  "
    for key in keys:
        ktext = _STR_KEYS.get(key) if key.__class__ is str else None
        if ktext is None:
            ktext = _key(key)
        pre = (first if first is not None else indent) + ktext + ":"
        first = None
        value = mapping[key]
        here = prov.child_origin(mapping, key, origin)
        cls = value.__class__
        if cls is dict or cls is list:
            if id(value) in seen:
                raise _Fallback()
            seen.add(id(value))
            if order is not None:
                order.append(id(value))
            if value:
                out.append(pre + "\n")
                origins.append(here)
                stack.append(("k", key))
                fn = _origin_map if cls is dict else _origin_seq
                if order is None:
                    fn(value, child, None, out, origins, seen, stack, prov, here)
                else:
                    _emit_origins(fn, value, child, None, out, origins, seen, stack, prov, here, order, records)
                stack.pop()
            else:
                out.append(pre + (" {}\n" if cls is dict else " []\n"))
                origins.append(here)
        else:
            text = _fast_scalar(value)
            if text is not None and (len(pre) + 1 + len(text) <= WIDTH or _unfoldable(text)):
                out.append(pre + " " + text + "\n")
                origins.append(here)
            else:
                stack.append(("k", key))
                body = _folded(value, tuple(stack))
                stack.pop()
                out.append(pre + " " + body[0])
                out.extend(body[1:])
                origins.extend([here] * len(body))


def _origin_seq(items: list, indent: str, first: Optional[str], out: list, origins: list,
                seen: set, stack: list, prov: Provenance, origin: Origin, order: Optional[list] = None,
                records: Optional[set] = None) -> None:
    child = indent + "  "
    stack.append(("i",))
    for index, value in enumerate(items):
        pre = (first if first is not None else indent) + "- "
        first = None
        here = prov.child_origin(items, index, origin)
        cls = value.__class__
        if cls is dict or cls is list:
            if id(value) in seen:
                raise _Fallback()
            seen.add(id(value))
            if order is not None:
                order.append(id(value))
            if not value:
                out.append(pre + ("{}\n" if cls is dict else "[]\n"))
                origins.append(here)
            else:
                fn = _origin_map if cls is dict else _origin_seq
                if order is None:
                    fn(value, child, pre, out, origins, seen, stack, prov, here)
                else:
                    _emit_origins(fn, value, child, pre, out, origins, seen, stack, prov, here, order, records)
        else:
            text = _fast_scalar(value)
            if text is not None and (len(pre) + len(text) <= WIDTH or _unfoldable(text)):
                out.append(pre + text + "\n")
                origins.append(here)
            else:
                body = _folded(value, tuple(stack))
                out.append(pre + body[0])
                out.extend(body[1:])
                origins.extend([here] * len(body))
    stack.pop()


def dump_with_origins(data: Any, prov: Provenance) -> Optional[tuple[str, list]]:
    """Text and per-line origins in one pass, or None when PyYAML must write the text."""
    if data.__class__ is not dict:
        return None
    root_origin = prov.node.get(id(data), Origin("unknown", ""))
    if not data:
        return "{}\n", [root_origin]
    out: list = []
    origins: list = []
    memo = _ORIGIN_MEMO
    if not memo.pays(data):  # see _DumpMemo.pays
        memo.prev = memo.cur = {}
        try:
            _origin_map(data, "", None, out, origins, set(), [], prov, root_origin)
        except _Fallback:
            return None
        return "".join(out), origins
    records = set(prov.node) | set(prov.keys) | set(prov.srckey)
    memo.cur = {}
    try:
        _origin_map(data, "", None, out, origins, set(), [], prov, root_origin, [], records)
    except _Fallback:
        return None
    finally:
        memo.prev, memo.cur = memo.cur, {}
    return "".join(out), origins


def dump_run_yaml(data: Any) -> str:
    """The run.yaml text LCORE writes for ``data`` (byte for byte)."""
    if data.__class__ is not dict:
        return pyyaml_dump(data)
    if not data:
        return "{}\n"
    out: list = []
    memo = _DUMP_MEMO
    if not memo.pays(data):
        memo.prev = memo.cur = {}
        try:
            _fast_map(data, "", None, out, set(), [], None)  # order None: no memo
        except _Fallback:
            return pyyaml_dump(data)
        return "".join(out)
    memo.cur = {}
    try:
        _fast_map(data, "", None, out, set(), [], [])
    except _Fallback:
        return pyyaml_dump(data)
    finally:
        memo.prev, memo.cur = memo.cur, {}
    return "".join(out)


def dump_with_paths(data: Any) -> tuple[str, list]:
    """The text and, for each line, the key path it shows (for provenance)."""
    try:
        lines, paths = emit_lines(data, track=True)
        return "".join(lines), paths
    except _Fallback:
        text = pyyaml_dump(data)
        return text, _paths_from_text(text)


def _paths_from_text(text: str) -> list:
    """Line paths recovered from PyYAML's node marks (the rare PyYAML-written case)."""
    count = text.count("\n")
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return [()] * count
    out: list = [()] * count

    def key_of(node):
        try:
            return yaml.safe_load(yaml.serialize(node))
        except yaml.YAMLError:
            return getattr(node, "value", None)

    def mark(first: int, last: int, path: tuple) -> None:
        for line in range(first, min(count, max(last, first + 1))):
            out[line] = path

    visited: set[int] = set()

    def walk(node, path):
        if id(node) in visited:  # an alias: its lines belong to the anchor
            return
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                here = path + (key_of(k),)
                mark(k.start_mark.line, v.end_mark.line, here)
                walk(v, here)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                mark(v.start_mark.line, v.end_mark.line, path + (i,))
                walk(v, path + (i,))

    if root is not None:
        walk(root, ())
    return out


def write_run_yaml(path: str | os.PathLike, data: Any, text: Optional[str] = None, *,
                   workspace: str | os.PathLike | None = None):
    """Write ``data`` as LCORE does: mkdir -p, mode 0600 (an existing file is tightened).

    The write goes through the one writer (yamlio.atomic_write): a 0600 temp file in the same
    directory, fsync, rename; a device or FIFO the operator named is written into.
    ``workspace``: given when the path is the default one (the symlink policy applies).
    Returns the ``fsio.Written``.
    """
    from lsc_tui.config.yaml.save import atomic_write

    body = dump_run_yaml(data) if text is None else text
    # LCORE overwrites it at every boot: no backup; 0600 even when a looser file was there
    return atomic_write(Path(path), body, mode=0o600, backup=False, workspace=workspace)


# The legacy modes (defined in their own module, offered here with the unified one).
from lsc_tui.config.legacy import enrich_legacy_library, enrich_legacy_server  # noqa: E402,F401
