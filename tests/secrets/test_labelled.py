"""Recall and precision on a labelled set of true secrets and tricky non-secrets."""

from lsc_tui.config.secrets import scan_document
from lsc_tui.config.yaml.document import parse_text

from .helpers import samples_yaml
from .samples import non_secrets, true_secrets


def _flagged(samples, *, errors_only: bool):
    doc = parse_text(samples_yaml(samples), "labelled.yaml")
    assert doc.data["samples"]["s000"]  # the document really holds the samples
    hit = set()
    for f in scan_document(doc):
        if errors_only and f.is_warning:
            continue
        hit.add(f.path[1])
    return {label for i, (label, _k, _v) in enumerate(samples) if f"s{i:03d}" in hit}


def test_the_set_is_big_enough():
    assert len(true_secrets()) >= 40
    assert len(non_secrets()) >= 40


def test_recall_is_total():
    secrets = true_secrets()
    found = _flagged(secrets, errors_only=True)
    missed = [label for label, _k, _v in secrets if label not in found]
    assert missed == []


def test_precision_is_at_least_95_percent():
    secrets, decoys = true_secrets(), non_secrets()
    tp = len(_flagged(secrets, errors_only=True))
    false_pos = _flagged(decoys, errors_only=False)  # warnings count against us too
    precision = tp / (tp + len(false_pos))
    assert precision >= 0.95, sorted(false_pos)


def test_no_decoy_is_flagged():
    assert sorted(_flagged(non_secrets(), errors_only=False)) == []


def test_each_true_secret_is_one_finding_with_its_place():
    secrets = true_secrets()
    doc = parse_text(samples_yaml(secrets), "labelled.yaml")
    findings = [f for f in scan_document(doc) if not f.is_warning]
    per_sample = {}
    for f in findings:
        per_sample.setdefault(f.path[1], []).append(f)
    assert all(len(v) == 1 for v in per_sample.values()), {k: [f.rule for f in v] for k, v in per_sample.items()
                                                           if len(v) > 1}
    for f in findings:
        assert f.line >= 3 and f.column >= 5
        assert len(f.fingerprint) == 16
        assert f.suggested_env and f.suggested_env.replace("_", "").isalnum() and f.suggested_env.isupper()


def test_adversarial_values_are_handled_in_bounded_time():
    import time

    from lsc_tui.config.masking import mask_inline, mask_yaml_text
    from lsc_tui.config.secrets import detect_value

    values = ["my" + "-key" * 29 + "!", "my" + "-key" * 3000 + "!", "your" + "_api_key" * 3000 + "#",
              "http://" + "a:" * 5000, "Bearer " + "a" * 10000, "eyJ" + "a" * 5000 + ".eyJ" + "b" * 5000,
              "x" * 10000 + "y", "a:" * 5000]
    start = time.perf_counter()
    for v in values:
        detect_value(v, "password")
        detect_value(v, "value")
        mask_inline(v)
        mask_yaml_text("password: " + v)
    assert time.perf_counter() - start < 2.0
