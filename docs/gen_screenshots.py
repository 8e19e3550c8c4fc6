"""Copy the approved snapshot SVGs the docs show into docs/screenshots/.

The snapshot tests (tests/tui, tests/tui_flows) prove that each approved SVG in snapshots/ is
what the app paints for its scenario; the docs show exact copies of those files, so a docs
screenshot is always the app as it is.

    python docs/gen_screenshots.py          # refresh docs/screenshots/
    python docs/gen_screenshots.py --check  # exit 1 when a docs screenshot is stale or missing
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"

# docs name -> approved snapshot (relative to snapshots/)
SHOTS = {
    "main-legacy-80x24-dark.svg": "test_main_screen[legacy-80x24-lsc-dark].svg",
    "main-legacy-120x40-dark.svg": "test_main_screen[legacy-120x40-lsc-dark].svg",
    "main-unified-120x40-dark.svg": "test_main_screen[unified-120x40-lsc-dark].svg",
    "main-unified-80x24-high-contrast.svg": "test_main_screen[unified-80x24-lsc-high-contrast].svg",
    "main-legacy-120x40-high-contrast.svg": "test_main_screen[legacy-120x40-lsc-high-contrast].svg",
    "wizard-why.svg": "flows/test_wizard_step[why-80x24].svg",
    "wizard-analysis.svg": "flows/test_wizard_step[analysis-120x40].svg",
    "wizard-strategy.svg": "flows/test_wizard_step[strategy-120x40].svg",
    "wizard-secrets.svg": "flows/test_wizard_step[secrets-80x24].svg",
    "wizard-files.svg": "flows/test_wizard_step[files-80x24].svg",
    "wizard-done.svg": "flows/test_wizard_step[done-80x24].svg",
    "secrets-list.svg": "flows/test_secrets_review[list-120x40].svg",
    "secrets-preview.svg": "flows/test_secrets_review[preview-120x40].svg",
    "secrets-applied.svg": "flows/test_secrets_review[applied-80x24].svg",
    "preflight-chooser.svg": "flows/test_preflight_panel[chooser-80x24].svg",
    "preflight-failed.svg": "flows/test_preflight_panel[failed-120x40].svg",
    "preflight-collapsed.svg": "flows/test_preflight_panel[collapsed-80x24].svg",
    "k8s-cr-120x40.svg": "test_operator_file[cr-120x40].svg",
    "k8s-extra-80x24.svg": "test_operator_file[extra-80x24].svg",
}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    problems = []
    OUT.mkdir(parents=True, exist_ok=True)
    for name, source in SHOTS.items():
        src = ROOT / "snapshots" / source
        dst = OUT / name
        if not src.is_file():
            problems.append(f"missing approved snapshot snapshots/{source}")
            continue
        if check:
            if not dst.is_file() or dst.read_bytes() != src.read_bytes():
                problems.append(f"docs/screenshots/{name} is stale")
        else:
            dst.write_bytes(src.read_bytes())
    extra = sorted(p.name for p in OUT.glob("*.svg") if p.name not in SHOTS)
    if extra:
        problems.append("screenshots nobody generates: " + ", ".join(extra))
    for p in problems:
        print(p, file=sys.stderr)
    if problems and check:
        print("run `python docs/gen_screenshots.py` after approving the snapshots", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
