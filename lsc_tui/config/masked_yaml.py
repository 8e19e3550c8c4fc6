"""A node's YAML text as the screen shows it: the node's own span of the file, dedented, with
every secret literal replaced by the mask (unless the operator revealed secrets).

Masking works on the file's text, not on a re-dump of the data, so the node keeps its comments,
quotes and key order: each secret scalar's span is replaced by the masked value, the result is
parsed again and the node's span taken from that.
"""

from __future__ import annotations

from lsc_tui.config import masking
from lsc_tui.config.fields import KeyPath, SecretPaths
from lsc_tui.config.yaml.document import Document, parse_text
from lsc_tui.config.yaml.edit import apply_span_edits, node_text
from lsc_tui.config.yaml.lint import YamlLoadError


def node_yaml(doc: Document, path: KeyPath) -> str:
    """The node's own YAML text, dedented, from the document's text (unmasked)."""
    return node_text(doc, path)


def masked_node_yaml(doc: Document, path: KeyPath, secret_paths: SecretPaths) -> tuple[str, bool]:
    """The node's YAML with secret literals replaced by the mask; ``(text, anything_masked)``.
    ``secret_paths``: the (display, path) of the literal secrets the scanner found; a value under
    a secret key, or one that looks like a secret, is masked too."""
    node = doc.node_at(path) if path else doc.root
    if node is None:
        return "", False
    edits = []
    hidden: set[str] = set()
    for sub_path, sub in doc.iter_scalars():
        if tuple(sub_path[: len(path)]) != tuple(path) or sub.value in (None, ""):
            continue
        masked = masking.mask_string(sub.value)
        if masked == sub.value:
            continue
        key = next((p for p in reversed(sub_path) if isinstance(p, str)), None)
        if (
            (doc.display, tuple(sub_path)) in secret_paths
            or any(masking.is_secret_key(p) for p in sub_path if isinstance(p, str))
            or masking.mask_scalar(sub.value, key) != sub.value
        ):
            raw = doc.text[sub.start : sub.end]
            # a block scalar's span ends after its last line break: the next key keeps its line
            tail = raw[len(raw.rstrip("\r\n")) :] if sub.style in ("|", ">") else ""
            edits.append((sub.start, sub.end, quoted(masked) + tail))
            hidden.add(sub.value)
    if not edits:
        return node_yaml(doc, path), False
    try:
        masked_doc = parse_text(apply_span_edits(doc.text, edits), doc.display, doc.path)
    except YamlLoadError:  # the edits did not give valid YAML: mask the node's own text instead
        return masking.mask_yaml_text(node_yaml(doc, path), hidden), True
    return node_yaml(masked_doc, path), True


def quoted(masked: str) -> str:
    """The masked value as a single-quoted YAML scalar."""
    return "'" + masked.replace("'", "''") + "'"
