"""Where a changed line of a diff changed: the span the diff pane highlights."""

from lsc_tui.config.diff import changed_spans, unified_diff

OLD = "providers:\n  inference:\n  - config:\n      url: ${env.VLLM_URL:=http://localhost:8000/v1}\n      x: 1\n"
NEW = OLD.replace("8000", "8001").replace("x: 1", "x: 1\n      y: 2")


def test_a_replaced_line_pair_gets_the_span_of_its_changed_characters():
    diff = unified_diff(OLD, NEW, mask=False)
    lines = diff.splitlines()
    spans = changed_spans(diff)
    minus = next(i for i, line in enumerate(lines) if line.startswith("-") and "url" in line)
    plus = next(i for i, line in enumerate(lines) if line.startswith("+") and "url" in line)
    assert lines[minus][slice(*spans[minus])] == "0"
    assert lines[plus][slice(*spans[plus])] == "1"
    inserted = next(i for i, line in enumerate(lines) if line.startswith("+") and "y: 2" in line)
    assert inserted not in spans  # a pure insertion has no partner: no span
    assert not any(lines[i].startswith(("---", "+++", "@@")) for i in spans)


def test_unequal_runs_pair_line_by_line_and_equal_pairs_get_nothing():
    diff = "--- a\n+++ b\n@@ -1,2 +1,3 @@\n-a: 1\n-b: 2\n+a: 10\n+b: 2\n+c: 3\n"
    spans = changed_spans(diff)
    assert spans == {3: (5, 5), 5: (5, 6)}  # "-a: 1" lost nothing; "+a: 10" gained the 0
