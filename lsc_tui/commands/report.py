"""``--json`` for the commands that write or print a file (synthesize, merge-external, expand,
export): one JSON object on stdout instead of the text, in the shape of
``schemas/cli/<command>.schema.json``.

Every such object has ``command``, ``ok`` (the exit code was 0), ``exit_code``, ``findings``
(as ``lsc-tui validate --json`` gives them, masked), ``written`` (the files written) and
``output`` (what the command would have printed on stdout, secrets masked; null when it wrote a
file instead). Command-specific facts are added beside them. Notes stay on stderr.
"""

from __future__ import annotations

import json
import sys


class JsonReport:
    def __init__(self, command: str):
        self.data: dict = {
            "command": command,
            "ok": False,
            "exit_code": None,
            "findings": [],
            "written": [],
            "output": None,
        }

    def add_findings(self, findings) -> None:
        from lsc_tui.config.findings import sort_findings
        from lsc_tui.config.masking import mask_inline

        for f in sort_findings(list(findings)):
            item = f.to_json()
            item["message"] = mask_inline(item["message"])
            item["fix"] = mask_inline(item["fix"])
            self.data["findings"].append(item)

    def wrote(self, path) -> None:
        self.data["written"].append(str(path))

    def finish(self, code: int) -> int:
        self.data["exit_code"] = int(code)
        self.data["ok"] = code == 0
        sys.stdout.write(json.dumps(self.data, indent=2, default=str) + "\n")
        return code


def start(args, command: str) -> JsonReport | None:
    return JsonReport(command) if getattr(args, "json", False) else None
