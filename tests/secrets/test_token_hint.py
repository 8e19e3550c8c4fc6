"""``rules.token_hint_text`` reads a long text line by line (remembering lines): same answer as one search."""

import random
import string

from lsc_tui.config.secrets import rules

PIECES = ["sk-", "AKIA", "ghp_", "glpat-", "gl" + "abcdefg-", "Bearer ", "Basic ", "PRIVATE KEY", "eyJ", "AccountKey",
          "sharedACCESSkey", "hooks.slack", "SG.", "Q~", "xox", "gh", "gl", "Bearer", "PRIVATE\nKEY", "sk\n-",
          "\u212aelvin", "acco\nuntkey"]


def _text(rng: random.Random, lines: int) -> str:
    out = []
    for _ in range(lines):
        words = ["".join(rng.choice(string.ascii_lowercase + " :-_") for _ in range(rng.randrange(30)))]
        if rng.random() < 0.002:
            words.append(rng.choice(PIECES))
        out.append(" ".join(words))
    return "\n".join(out)


def test_long_texts_agree_with_a_single_search():
    rng = random.Random(7)
    seen, long_texts = set(), 0
    for _ in range(60):
        text = _text(rng, rng.randrange(100, 600))
        long_texts += len(text) >= rules._HINT_BY_LINES
        expected = rules._TOKEN_HINT.search(text) is not None
        assert rules.token_hint_text(text) is expected
        assert rules.token_hint_text(text) is expected  # the second time from the remembered lines
        seen.add(expected)
    assert seen == {True, False} and long_texts > 30


def test_a_hint_split_by_a_line_break_is_no_hint():
    filler = ("x" * 60 + "\n") * 100
    for broken in ("Bearer\n token", "sk\n-proj", "PRIVATE\nKEY"):
        text = filler + broken + "\n" + filler
        assert rules.token_hint_text(text) is (rules._TOKEN_HINT.search(text) is not None)
