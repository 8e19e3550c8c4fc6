"""Seed-001 text blocks rendered from event data, and the probe's binary-header and wheel-tag
readers on header bytes written by hand."""

from __future__ import annotations

import struct

import pytest

from lsc_tui.preflight import report
from lsc_tui.preflight.probe import architecture, dists


def test_error_block_renders_the_seed_architecture_example_exactly(seed_text):
    error = {
        "header": "Provider validation failed",
        "module": "custom_vllm_provider",
        "reason": "Native extension architecture mismatch",
        "details": "Package: torch-2.1.0-cp311-cp311-linux_x86_64.whl\n"
                   "Expected architecture: linux/arm64\nFound architecture: linux/x86_64",
        "resolution": "Rebuild provider package with native extensions compiled for linux/arm64, "
                      "or use pure Python implementation.",
    }
    assert report.error_block("custom-vllm", error) == seed_text("architecture_mismatch.txt")


def test_error_block_renders_the_seed_import_example_exactly(seed_text):
    error = {"module": "custom_vllm_provider", "reason": "Module not found",
             "details": "Traceback:\n  ModuleNotFoundError: No module named 'custom_vllm_provider'",
             "resolution": "Ensure provider packages are installed and PYTHONPATH is set correctly."}
    assert report.error_block("custom-vllm", error) == seed_text("import_error.txt")


def test_metadata_block_renders_the_seed_example_exactly(seed_text):
    fields = [
        {"field": "provider_type", "metadata": "remote::custom-vllm", "runtime": "remote::vllm-v2", "match": False},
        {"field": "api", "metadata": "inference", "runtime": "inference", "match": True},
    ]
    assert report.metadata_warning_block("custom-vllm", fields) == seed_text("metadata_mismatch_warning.txt")


def test_progress_and_summary_lines():
    res = {"index": 2, "total": 3, "api": "safety", "provider_id": "fms", "provider_type": "remote::fms",
           "status": "error", "phase": "spec", "timings": {"total": 0.25}}
    assert report.progress_line(res) == "[2/3] safety fms (remote::fms): FAILED at spec (0.25 s)"
    ok = dict(res, status="ok", warnings=[{}])
    assert report.progress_line(ok) == "[2/3] safety fms (remote::fms): OK with 1 warning (0.25 s)"
    assert report.summary_lines({"status": "ok", "total": 1, "passed": 1, "failed": 0, "duration_s": 1})[-1] == \
        "All providers validated successfully"
    failed = report.summary_lines({"status": "failed", "total": 3, "passed": 0, "failed": 1, "not_checked": 2,
                                   "stopped_early": True, "duration_s": 0.5})
    one = report.summary_lines({"status": "failed", "total": 1, "passed": 0, "failed": 1, "warnings": 1,
                                "duration_s": 2.14})
    assert one[0] == "Summary: 0 passed, 1 failed, 1 warning of 1 provider in 2.14 s"  # was "of 1 providers"
    assert failed == ["Summary: 0 passed, 1 failed, 2 not checked of 3 providers in 0.50 s",
                      "Preflight failed: stopped at the first error (use --keep-going to check every provider)"]


# ----------------------------------------------------------------------------- headers


def elf(machine, bits=2, little=True, osabi=0):
    end = "<" if little else ">"
    ident = b"\x7fELF" + bytes([bits, 1 if little else 2, 1, osabi]) + b"\0" * 8
    return ident + struct.pack(end + "HHI", 3, machine, 1) + b"\0" * 40


@pytest.mark.parametrize("header,expected", [
    (elf(62), ("linux", ["x86_64"])),
    (elf(183), ("linux", ["arm64"])),
    (elf(3, bits=1), ("linux", ["x86"])),
    (elf(40, bits=1), ("linux", ["arm"])),
    (elf(21, little=True), ("linux", ["ppc64le"])),
    (elf(21, little=False), ("linux", ["ppc64"])),
    (elf(22, little=False), ("linux", ["s390x"])),
    (elf(243), ("linux", ["riscv64"])),
    (elf(62, osabi=9), ("freebsd", ["x86_64"])),
    (b"\xcf\xfa\xed\xfe" + struct.pack("<i", 0x0100000C) + b"\0" * 24, ("darwin", ["arm64"])),
    (b"\xcf\xfa\xed\xfe" + struct.pack("<i", 0x01000007) + b"\0" * 24, ("darwin", ["x86_64"])),
    (b"\xca\xfe\xba\xbe" + struct.pack(">I", 2) + struct.pack(">IIIII", 0x01000007, 3, 0, 0, 0)
     + struct.pack(">IIIII", 0x0100000C, 0, 0, 0, 0), ("darwin", ["x86_64", "arm64"])),
    (b"not a binary at all", None),
])
def test_native_arch_reads_headers(tmp_path, header, expected):
    f = tmp_path / "lib.so"
    f.write_bytes(header)
    assert architecture.native_arch(str(f)) == expected


@pytest.mark.parametrize("machine,arch", [(0x8664, "x86_64"), (0xAA64, "arm64"), (0x14C, "x86")])
def test_native_arch_reads_pe_headers(tmp_path, machine, arch):
    data = bytearray(b"MZ" + b"\0" * 0x3A + struct.pack("<I", 0x80) + b"\0" * (0x80 - 0x40))
    data += b"PE\0\0" + struct.pack("<H", machine) + b"\0" * 20
    f = tmp_path / "mod.pyd"
    f.write_bytes(bytes(data))
    assert architecture.native_arch(str(f)) == ("windows", [arch])


@pytest.mark.parametrize("tag,target,ok", [
    ("any", ("linux", "arm64"), True),
    ("manylinux_2_17_x86_64", ("linux", "x86_64"), True),
    ("manylinux_2_17_x86_64", ("linux", "arm64"), False),
    ("manylinux2014_aarch64", ("linux", "arm64"), True),
    ("musllinux_1_1_aarch64", ("linux", "arm64"), True),
    ("linux_x86_64", ("darwin", "x86_64"), False),
    ("macosx_11_0_arm64", ("darwin", "arm64"), True),
    ("macosx_10_9_universal2", ("darwin", "x86_64"), True),
    ("macosx_10_9_x86_64", ("darwin", "arm64"), False),
    ("win_amd64", ("windows", "x86_64"), True),
    ("win32", ("windows", "x86_64"), False),
])
def test_wheel_platform_tags(tag, target, ok):
    assert architecture.wheel_plat_compatible(tag, target) is ok


def test_wheel_platform_labels_use_the_seed_notation():
    assert architecture.plat_label("manylinux_2_17_aarch64") == "linux/arm64"
    assert architecture.plat_label("linux_x86_64") == "linux/x86_64"
    assert architecture.plat_label("macosx_11_0_arm64") == "darwin/arm64"


@pytest.mark.parametrize("marker,value", [
    ('extra == "dev"', False),
    ('python_version >= "3.0"', True),
    ('python_version < "3.0"', False),
    ('sys_platform == "nonexistent-os" or python_version >= "3"', True),
    ('(sys_platform == "nonexistent-os") and python_version >= "3"', False),
    ('platform_machine not in "nothing-like-this"', True),
    ("this is ( not a marker", True),  # unknown means: check the dependency anyway
])
def test_dependency_markers(marker, value):
    assert dists.marker_true(marker) is value


def test_a_block_is_set_apart_from_the_next_providers_progress_line():
    """--keep-going: an error block ran straight into the next provider's progress line
    ("Resolution: ...\\n[3/3] ..."); one blank line separates them, as before the summary."""
    import io

    from lsc_tui.preflight.cli import render_text

    error = {"module": "custom_vllm_provider", "reason": "Module not found",
             "details": "Traceback:\n  ModuleNotFoundError: No module named 'custom_vllm_provider'",
             "resolution": "Ensure provider packages are installed and PYTHONPATH is set correctly."}
    base = {"event": "result", "total": 3, "api": "inference", "timings": {"total": 0.01}}
    events = [
        {"event": "start", "run_yaml": "run.yaml", "providers": [{}, {}, {}]},
        dict(base, index=1, provider_id="custom-vllm", provider_type="remote::custom-vllm", status="error",
             phase="import", text=report.error_block("custom-vllm", error)),
        dict(base, index=2, provider_id="other", provider_type="remote::other", status="error",
             phase="import", text=report.error_block("other", error)),
        dict(base, index=3, provider_id="fine", provider_type="remote::fine", status="ok", phase=None),
        {"event": "summary", "text": "Summary: 1 passed, 2 failed of 3 providers in 0.03 s\nPreflight failed"},
    ]
    out = io.StringIO()
    after = False
    for ev in events:
        after = render_text(ev, out, after)
    text = out.getvalue()
    assert "correctly.\n\n[2/3] inference other (remote::other): FAILED at import (0.01 s)\n\nERROR:" in text
    assert "correctly.\n\n[3/3] inference fine (remote::fine): OK (0.01 s)\n\nSummary:" in text
    assert "\n\n\n" not in text
