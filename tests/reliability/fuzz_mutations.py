"""Mutation fuzzing of real configs: byte- and structure-level damage, deterministic by seed."""

from __future__ import annotations

import random

MUTATIONS = []


def mutation(fn):
    MUTATIONS.append(fn)
    return fn


@mutation
def truncate(raw: bytes, rnd: random.Random) -> bytes:
    return raw[: rnd.randrange(0, max(len(raw), 1))]


@mutation
def flip_bytes(raw: bytes, rnd: random.Random) -> bytes:
    data = bytearray(raw)
    for _ in range(rnd.randint(1, 8)):
        if data:
            data[rnd.randrange(len(data))] = rnd.randrange(256)
    return bytes(data)


@mutation
def duplicate_line(raw: bytes, rnd: random.Random) -> bytes:
    lines = raw.splitlines(keepends=True)
    if not lines:
        return raw
    i = rnd.randrange(len(lines))
    return b"".join(lines[: i + 1] + [lines[i]] + lines[i + 1:])


@mutation
def wrong_type(raw: bytes, rnd: random.Random) -> bytes:
    lines = raw.splitlines(keepends=True)
    candidates = [i for i, l in enumerate(lines) if b": " in l and not l.strip().startswith(b"#")]
    if not candidates:
        return raw
    i = rnd.choice(candidates)
    key, _, _ = lines[i].partition(b": ")
    value = rnd.choice([b"[1, 2, 3]", b"{a: 1}", b"12345", b"true", b"null", b"~", b"''", b"-1", b"1e400", b"0o17"])
    lines[i] = key + b": " + value + b"\n"
    return b"".join(lines)


@mutation
def deep_nesting(raw: bytes, rnd: random.Random) -> bytes:
    depth = rnd.choice([50, 150, 400, 1000])
    return raw + b"deep: " + b"[" * depth + b"]" * depth + b"\n"


@mutation
def deep_block_nesting(raw: bytes, rnd: random.Random) -> bytes:
    depth = rnd.choice([50, 120, 300])
    return raw + b"".join(b"  " * i + b"k%d:\n" % i for i in range(depth)) + b"  " * depth + b"x: 1\n"


@mutation
def huge_scalar(raw: bytes, rnd: random.Random) -> bytes:
    return raw + b"huge: " + b"x" * rnd.choice([10_000, 200_000, 1_000_000]) + b"\n"


@mutation
def invalid_utf8(raw: bytes, rnd: random.Random) -> bytes:
    i = rnd.randrange(0, max(len(raw), 1))
    return raw[:i] + rnd.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"]) + raw[i:]


@mutation
def bom(raw: bytes, rnd: random.Random) -> bytes:
    return b"\xef\xbb\xbf" + raw


@mutation
def crlf(raw: bytes, rnd: random.Random) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@mutation
def tabs(raw: bytes, rnd: random.Random) -> bytes:
    lines = raw.splitlines(keepends=True)
    idx = [i for i, l in enumerate(lines) if l.startswith(b"  ")]
    for i in rnd.sample(idx, min(len(idx), rnd.randint(1, 3))):
        lines[i] = b"\t" + lines[i][2:]
    return b"".join(lines)


@mutation
def anchors_and_aliases(raw: bytes, rnd: random.Random) -> bytes:
    return (b"x-common: &common {timeout: 30, retries: 3}\n" + raw +
            b"\nx-use:\n  <<: *common\n  extra: *common\n")


@mutation
def alias_bomb(raw: bytes, rnd: random.Random) -> bytes:
    lines = [b"a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, rnd.choice([6, 9, 12])):
        lines.append(b"a%d: &a%d [" % (i, i) + b", ".join([b"*a%d" % (i - 1)] * 9) + b"]")
    return raw + b"\n" + b"\n".join(lines) + b"\n"


@mutation
def undefined_alias(raw: bytes, rnd: random.Random) -> bytes:
    return raw + b"\nbroken: *nowhere\n"


@mutation
def merge_key_on_list(raw: bytes, rnd: random.Random) -> bytes:
    return raw + b"\nbad_merge:\n  <<: [1, 2]\n"


@mutation
def binary_garbage(raw: bytes, rnd: random.Random) -> bytes:
    return bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 400)))


@mutation
def top_level_list(raw: bytes, rnd: random.Random) -> bytes:
    return b"- " + raw.replace(b"\n", b"\n  ")


@mutation
def multiple_documents(raw: bytes, rnd: random.Random) -> bytes:
    return raw + b"\n---\nsecond: doc\n"


@mutation
def remove_random_lines(raw: bytes, rnd: random.Random) -> bytes:
    lines = raw.splitlines(keepends=True)
    for _ in range(min(len(lines), rnd.randint(1, 5))):
        lines.pop(rnd.randrange(len(lines)))
    return b"".join(lines)


def mutate(raw: bytes, rnd: random.Random) -> tuple[str, bytes]:
    fn = rnd.choice(MUTATIONS)
    out = fn(raw, rnd)
    if rnd.random() < 0.25:  # stack a second mutation now and then
        fn2 = rnd.choice(MUTATIONS)
        return f"{fn.__name__}+{fn2.__name__}", fn2(out, rnd)
    return fn.__name__, out
