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


def add_json_argument(parser, command: str, instead_of: str = "text") -> None:
    """``--json`` for a command whose object this module builds, naming its schema."""
    parser.add_argument(
        "--json",
        action="store_true",
        help=f"print one JSON object (schemas/cli/{command}.schema.json) instead of {instead_of}",
    )


def add_show_secrets_argument(parser) -> None:
    """``--show-secrets`` for a command that prints YAML it could write with ``-o`` (see :func:`output_data`)."""
    parser.add_argument(
        "--show-secrets",
        action="store_true",
        help="print literal secret values on stdout instead of masking them (-o files always hold them)",
    )


def start(args, command: str) -> JsonReport | None:
    return JsonReport(command) if getattr(args, "json", False) else None


def run_command(args, command: str, body) -> int:
    """``body(args, report)`` with the report ``--json`` asks for (else None); under ``--json``
    the object is printed with the exit code ``body`` returns."""
    report = start(args, command)
    code = body(args, report)
    return report.finish(code) if report is not None else code


def output(report: JsonReport | None, text: str) -> None:
    """What the command prints on stdout: the object's ``output`` under ``--json``."""
    if report is not None:
        report.data["output"] = text
    else:
        sys.stdout.write(text)


def output_data(report: JsonReport | None, data, show_secrets: bool, *, sort_keys: bool, write_hint: str) -> None:
    """``data`` as YAML on stdout (see :func:`output`), literal secrets masked unless
    ``show_secrets``; when something was masked a note names how to get the values
    (``write_hint``: the command's output option)."""
    from lsc_tui.config.yaml.save import screen_text

    shown, masked = screen_text(data, show_secrets, sort_keys=sort_keys)
    output(report, shown)
    if masked:
        print(
            f"note: secret values are masked on screen; write them with {write_hint} (or --show-secrets)",
            file=sys.stderr,
        )


def show_findings(report: JsonReport | None, findings) -> None:
    """Findings into the object under ``--json``, else on stderr: sorted, each masked."""
    if report is not None:
        report.add_findings(findings)
        return
    from lsc_tui.config.findings import sort_findings
    from lsc_tui.config.masking import mask_inline

    for f in sort_findings(list(findings)):
        print(mask_inline(f.to_text()), file=sys.stderr)


EXIT_CANNOT_WRITE = 2  # as for an input that cannot be used: the command could not do its job


def write_failed(report: JsonReport | None, exc: OSError, path) -> int:
    """A failed write, located on stderr (and as a finding of the object under ``--json``, so a
    script learns why ``ok`` is false); returns the exit code, 2, the same for every command."""
    from lsc_tui.config.findings import Finding, Severity
    from lsc_tui.config.yaml.files import WriteError, write_error_text

    text = write_error_text(exc, path)
    print(text, file=sys.stderr)
    if report is not None:
        message, _sep, fix = text.split(": error: ", 1)[1].partition("\n    fix: ")
        where = exc.filename if isinstance(exc, WriteError) else (exc.filename or path)
        report.add_findings([Finding(str(where), 0, 0, Severity.ERROR, "file-write", message, fix)])
    return EXIT_CANNOT_WRITE


def write_file(report: JsonReport | None, path, text: str):
    """``text`` into ``path`` (atomic, mode 0600, a backup of the file it replaces), listed in
    the object's ``written`` under ``--json``. Returns what ``atomic_write`` did."""
    from lsc_tui.config.yaml.save import atomic_write

    written = atomic_write(path, text, mode=0o600)
    if report is not None:
        report.wrote(path)
    return written
