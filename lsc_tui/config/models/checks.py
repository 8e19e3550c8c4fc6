"""The models' own rules, as plain functions: no pydantic here.

The model classes (lightspeed.py, run_yaml.py) attach these as their validators, and the
one-shot commands' quick verdict (verdict.py) runs the same functions from the stored core
schemas without loading pydantic. A model rule gets the validated section as an object whose
fields are attributes; a field rule gets the field's value. Both raise :func:`rule` errors.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic_core import core_schema

from lsc_tui.config.models._rules import rule

# The reference grammar both servers use (see lsc_tui.config.envref): upper-case names,
# optional ``:=default`` or ``:+value`` operand running to the first ``}``.
ENV_REF_PATTERN = r"\$\{env\.[A-Z0-9_]+(:[=+][^}]*)?\}"
_ENV_REF = re.compile(ENV_REF_PATTERN)


def has_env_ref(value: object) -> bool:
    return isinstance(value, str) and _ENV_REF.search(value) is not None


def may_have_env_defaults(text: str | None) -> bool:
    """Whether a YAML text can hold a ``${env.X:=default}`` string: a value with ``:=`` has it in
    its text, or was written with an escape (a double-quoted ``\\x3a=``, a line broken by ``\\``).
    Plain and single-quoted scalars fold a line break into a space, which never makes a ``:=``.
    None (the text is not at hand): it may."""
    return text is None or ":=" in text or "\\" in text


def accept_env_ref(value: Any, validate: core_schema.ValidatorFunctionWrapHandler) -> Any:
    """A field that may also be an ``${env.*}`` reference: such a string as it is, else the type's check."""
    if isinstance(value, str) and _ENV_REF.search(value) is not None:
        return value
    return validate(value)


# Defaults of fields. pydantic reads the signature of every default factory when it builds a
# validator: a builtin's (list, dict) is parsed from its text signature (tokenize and ast), a plain
# function's is read at once.


def new_list() -> list[Any]:
    """``default_factory`` of an empty list."""
    return []


def new_dict() -> dict[Any, Any]:
    """``default_factory`` of an empty mapping."""
    return {}


def options_only() -> list[str]:
    """``default_factory`` of run.yaml's CORS ``allow_methods``."""
    return ["OPTIONS"]


# -- lightspeed-stack.yaml ----------------------------------------------------------------------


def cors_credentials_need_explicit_origins(self: Any) -> Any:
    if self.allow_credentials is True and "*" in self.allow_origins:
        raise rule(
            "allow_credentials cannot be true while allow_origins contains '*'",
            at=("allow_credentials",),
            fix="List the allowed origins explicitly, or set allow_credentials: false.",
        )
    return self


def root_path_shape(value: str) -> str:
    if has_env_ref(value):
        return value
    if value and not value.startswith("/"):
        raise rule("root_path must start with '/'", fix="Write it as /prefix, or leave it empty.")
    if value.endswith("/"):
        raise rule("root_path must not end with '/'", fix="Drop the trailing slash.")
    return value


def storage_when_enabled(self: Any) -> Any:
    for what in ("feedback", "transcripts"):
        if getattr(self, f"{what}_enabled") is True and getattr(self, f"{what}_storage") is None:
            raise rule(
                f"{what}_storage is required when {what}_enabled is true",
                at=(f"{what}_storage",),
                code="missing-key",
                fix=f"Add {what}_storage: <directory>, or set {what}_enabled: false.",
            )
    return self


def _at_most_one(model: Any, names: tuple[str, ...], what: str) -> None:
    present = [n for n in names if getattr(model, n) is not None]
    if len(present) > 1:
        raise rule(
            f"only one {what} may be configured, found {' and '.join(present)}",
            at=(present[-1],),
            fix=f"Keep one of {', '.join(present)} and delete the other.",
        )


def one_database_backend(self: Any) -> Any:
    _at_most_one(self, ("sqlite", "postgres"), "database backend")
    return self


def one_a2a_state_backend(self: Any) -> Any:
    _at_most_one(self, ("sqlite", "postgres"), "A2A state backend")
    return self


def approval_lists_disjoint(self: Any) -> Any:
    both = sorted(set(self.always) & set(self.never))
    if both:
        raise rule(
            f"{len(both)} tool(s) are in both `always` and `never`",
            at=("never",),
            fix="Remove each tool from one of the two lists.",
        )
    return self


def header_names(value: list[str]) -> list[str]:
    seen: set[str] = set()
    for i, header in enumerate(value):
        if not header.strip():
            raise rule("header names must not be empty", at=(i,), fix="Delete the empty entry.")
        if header.lower() in seen:
            raise rule("header names must be unique (case-insensitive)", at=(i,), fix="Delete the duplicate entry.")
        seen.add(header.lower())
    return value


def jwt_roles_and_regex(self: Any) -> Any:
    if not self.roles:
        raise rule("at least one role is needed", at=("roles",), fix="List one or more role names.")
    if len(self.roles) != len(set(self.roles)):
        raise rule("roles must be unique", at=("roles",), fix="Delete the repeated role.")
    if "*" in self.roles:
        raise rule(
            "the role '*' cannot be granted by a rule (every user has it)", at=("roles",), fix="Use a named role."
        )
    if self.operator == "match":
        if not isinstance(self.value, str):
            raise rule(
                "the `match` operator needs a regular expression string",
                at=("value",),
                fix="Write the pattern as a quoted string.",
            )
        if not has_env_ref(self.value):
            try:
                re.compile(self.value)
            except re.error as exc:
                raise rule(
                    f"value is not a valid regular expression ({exc.msg})",
                    at=("value",),
                    fix="Fix the pattern (Python `re` syntax).",
                ) from None
    return self


# authentication.module -> the block that module needs
MODULE_BLOCKS = {
    "jwk-token": "jwk_config",
    "rh-identity": "rh_identity_config",
    "api-key-token": "api_key_config",
    "trusted-proxy": "trusted_proxy_config",
}


def auth_module_block(self: Any) -> Any:
    block = MODULE_BLOCKS.get(self.module) if isinstance(self.module, str) else None
    if block and getattr(self, block) is None:
        raise rule(
            f"module {self.module} needs a `{block}` block",
            at=(block,),
            code="missing-key",
            fix=f"Add `{block}:` under authentication.",
        )
    return self


def default_model_and_provider_together(self: Any) -> Any:
    if self.default_provider is not None and self.default_model is None:
        raise rule(
            "default_model is required when default_provider is set",
            at=("default_model",),
            code="missing-key",
            fix="Add default_model, or delete default_provider.",
        )
    if self.default_model is not None and self.default_provider is None:
        raise rule(
            "default_provider is required when default_model is set",
            at=("default_provider",),
            code="missing-key",
            fix="Add default_provider, or delete default_model.",
        )
    return self


CACHE_BLOCKS = ("memory", "sqlite", "postgres")


def cache_type_matches_block(self: Any) -> Any:
    present = [b for b in CACHE_BLOCKS if getattr(self, b) is not None]
    if self.type is None:
        if present:
            raise rule(
                f"type must be set when a `{present[0]}` block is given",
                at=("type",),
                code="missing-key",
                fix=f"Add type: {present[0]}.",
            )
        return self
    if has_env_ref(self.type):
        return self
    if self.type not in CACHE_BLOCKS:  # noop: LCORE ignores any blocks
        return self
    if getattr(self, self.type) is None:
        raise rule(
            f"type is {self.type} but there is no `{self.type}` block",
            at=(self.type,),
            code="missing-key",
            fix=f"Add a `{self.type}:` block, or change type.",
        )
    others = [b for b in present if b != self.type]
    if others:
        raise rule(
            f"type is {self.type}, so the `{others[0]}` block is not allowed",
            at=(others[0],),
            fix=f"Delete the `{others[0]}` block, or set type: {others[0]}.",
        )
    return self


def vector_store_id_not_byok(value: Any) -> Any:
    if isinstance(value, str) and value.strip().startswith("byok_"):
        raise rule("id must not start with 'byok_' (reserved for rag.byok stores)", fix="Choose another id.")
    return value.strip() if isinstance(value, str) else value


def default_vector_store_matches(self: Any) -> Any:
    if not self.providers:
        if self.default_provider is not None:
            raise rule(
                "default_provider must not be set while providers is empty",
                at=("default_provider",),
                fix="Delete default_provider, or add a provider.",
            )
        return self
    if self.default_provider is None:
        raise rule(
            "default_provider is required when providers is non-empty",
            at=("default_provider",),
            code="missing-key",
            fix="Set default_provider to one of the provider ids.",
        )
    ids = [p.id for p in self.providers]
    for i, pid in enumerate(ids):
        if pid in ids[:i]:
            raise rule("provider ids must be unique", at=("providers", i, "id"), fix="Give each provider its own id.")
    if not has_env_ref(self.default_provider) and self.default_provider.strip() not in ids:
        known = ", ".join(str(x) for x in ids)
        raise rule(
            f"default_provider must be one of the provider ids ({known})"[:200],
            at=("default_provider",),
            fix="Use one of the ids listed under providers.",
        )
    return self


def faiss_store_needs_path(self: Any) -> Any:
    if self.backend == "faiss" and not self.db_path:
        raise rule(
            "db_path is required when backend is faiss",
            at=("db_path",),
            code="missing-key",
            fix="Add db_path: <path of the store>.",
        )
    return self


def unique_rag_ids(self: Any) -> Any:
    seen: set[str] = set()
    for i, store in enumerate(self.stores):
        if store.rag_id in seen:
            raise rule(
                "rag_id values must be unique", at=("stores", i, "rag_id"), fix="Give each store its own rag_id."
            )
        seen.add(store.rag_id)
    return self


def known_rag_sources(self: Any) -> Any:
    known = {s.rag_id for s in self.byok.stores} | {"okp"}
    for strategy in ("inline", "tool"):
        for i, source in enumerate(getattr(self.retrieval, strategy).sources):
            if source not in known and not has_env_ref(source):
                raise rule(
                    f"names a source that is not declared; declared: {', '.join(sorted(known))}",
                    at=("retrieval", strategy, "sources", i),
                    fix="Use a rag_id from rag.byok.stores, or `okp`.",
                )
    return self


def splunk_enabled_needs(self: Any) -> Any:
    if self.enabled is True:
        for name in ("url", "token_path", "index"):
            if not getattr(self, name):
                raise rule(
                    f"{name} is required when Splunk is enabled",
                    at=(name,),
                    code="missing-key",
                    fix=f"Add {name}, or set enabled: false.",
                )
    return self


def pattern_compiles(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise rule(
            f"pattern is not a valid regular expression ({exc.msg})",
            fix="Fix the pattern (Python `re` syntax); quote it with single quotes in YAML.",
        ) from None
    return value


def unique_shield_names(value: list[Any]) -> list[Any]:
    seen: set[str] = set()
    for i, shield in enumerate(value):
        if shield.name in seen:
            raise rule("shield names must be unique", at=(i, "name"), fix="Rename one of the shields.")
        seen.add(shield.name)
    return value


# -- run.yaml -----------------------------------------------------------------------------------


def run_yaml_version_is_int(value: Any) -> Any:
    if isinstance(value, str) and not has_env_ref(value):
        try:
            int(value)
        except ValueError:
            raise rule(
                "version must be a whole number (2)",
                fix="Write version: 2. The old 'v1' layout is upgraded only by `llama stack run`.",
            ) from None
    return value
