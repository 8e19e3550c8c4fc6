"""A diagnostic's `data` (sent to the editor, which may log it) never carries a secret, not even
one pasted where a key goes."""

from __future__ import annotations

import json

from pygls.workspace import TextDocument

from lsc_tui.config.findings import Finding, Severity
from lsc_tui.lsp.server import to_diagnostic

KEY = "sk-proj-" + "Zq8Xv3Lm9Np2Rt5Wy7Ab1Cd4Ef6Gh8Jk0Mn2Pq4St6Uv8"


def test_the_path_in_a_diagnostics_data_is_masked():
    source = f"name: x\nservice:\n  {KEY}: 1\n"
    tdoc = TextDocument("file:///tmp/lightspeed-stack.yaml", source)
    f = Finding("lightspeed-stack.yaml", 3, 3, Severity.ERROR, "unknown-key",
                "a key of `service` is not a known setting", "Remove it.", ("service", KEY))
    diag = to_diagnostic(f, tdoc)
    assert KEY not in json.dumps(diag.data) and KEY not in diag.message
    assert diag.data["path"][0] == "service" and diag.data["code"] == "unknown-key"
    assert f.path == ("service", KEY)  # the finding itself still finds its node
