"""Break a title that does not fit one line between words, never inside one (GB/T 9704 §7.3.3).

The words come from jieba (its own dictionary, offline). A break is allowed between two words the
dictionary knows, never before a particle (the possessive de), never after a number (a year) and never
next to a word jieba only guessed (a place or person name it split stays whole); among the allowed
breaks the lines are made as even as possible, the upper line the longer (a trapezoid), and a break
just after the name of an organ or a person (ending in committee, service centre or comrade) is preferred.
"""

import logging
import math
import re
from functools import lru_cache

from quorum.core.messages import typesetting

# particles a line never starts with (data of Chinese line breaking, not wording: kept in the typesetting area)
NO_LINE_START = frozenset(typesetting.NO_LINE_START)
NUMBER = re.compile(r"^[0-9A-Za-z.]+$")
# words that close the name of an organ or a person: a break after one keeps the name whole (data, not wording)
NAME_ENDS = typesetting.NAME_ENDS
NAME_BONUS = 3


@lru_cache(maxsize=1)
def _tokenizer():
    import jieba
    jieba.setLogLevel(logging.WARNING)
    return jieba


def width(text: str) -> float:
    """Width in characters of the title's size: a Latin letter or digit is half a character."""
    return sum(0.5 if ch.isascii() else 1 for ch in text)


def words(text: str) -> list[str]:
    return [w for w in _tokenizer().cut(text, HMM=True) if w]


def _known(word: str) -> bool:
    return (bool(NUMBER.match(word)) or (len(word) > 1 and bool(_tokenizer().get_FREQ(word)))
            or word in NO_LINE_START or word.endswith(NAME_ENDS))


def _inside_name(tokens: list[str], i: int) -> bool:
    """A break at i would split a name: one of the next three words closes an organ's name."""
    return any(t.endswith(NAME_ENDS[:-1]) for t in tokens[i:i + 3])


def breaks(tokens: list[str], strict: bool = True) -> list[int]:
    """Token indexes a line may start at (strict: never inside the name of an organ)."""
    allowed = []
    for i in range(1, len(tokens)):
        left, right = tokens[i - 1], tokens[i]
        if right[0] in NO_LINE_START or NUMBER.match(left) or (strict and _inside_name(tokens, i)):
            continue
        if _known(left) and _known(right):
            allowed.append(i)
    return allowed


def _cost(tokens: list[str], offsets: list[float], i: int, target: float) -> float:
    """How far a break is from even lines, less for an upper line the longer and after a whole name."""
    cost = abs(offsets[i] - target) - (0.5 if offsets[i] >= target else 0)
    return cost - (NAME_BONUS if tokens[i - 1].endswith(NAME_ENDS) else 0)


def title_lines(title: str, per_line: float) -> list[str]:
    """The title's lines: each explicit line kept, a long one broken between words into even lines."""
    out: list[str] = []
    for line in title.split("\n"):
        out.extend(_break(line, per_line) if width(line) > per_line else [line])
    return out


def _break(line: str, per_line: float) -> list[str]:
    """The most even lines that fit, trying the strict breaks first, then looser ones, then any."""
    tokens = words(line)
    everywhere = list(range(1, len(tokens)))
    for allowed in (breaks(tokens), breaks(tokens, strict=False), everywhere):
        lines = _fit(tokens, allowed, per_line)
        if all(width(text) <= per_line for text in lines):
            return lines
    return lines


def _fit(tokens: list[str], allowed: list[int], per_line: float) -> list[str]:
    count = math.ceil(width("".join(tokens)) / per_line)
    offsets = [width("".join(tokens[:i])) for i in range(len(tokens) + 1)]
    cuts, start = [], 0
    for n in range(1, count):
        target = offsets[-1] * n / count
        fitting = [i for i in allowed if i > start and offsets[i] - offsets[start] <= per_line]
        if not fitting:
            break
        start = min(fitting, key=lambda i: _cost(tokens, offsets, i, target))
        cuts.append(start)
    bounds = [0, *cuts, len(tokens)]
    return ["".join(tokens[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
