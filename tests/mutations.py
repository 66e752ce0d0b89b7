"""Broken and hostile variants of the shipped reports, as real collections contain them."""
from __future__ import annotations

import codecs
import random
import re
from dataclasses import dataclass
from pathlib import Path

import zhconv

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"


@dataclass(frozen=True)
class Case:
    kind: str
    name: str  # file name to save it under (keeps the source's suffix unless the kind changes it)
    data: bytes


def _lines(text: str) -> list[str]:
    return text.split("\n")


def truncate(text: str, rng: random.Random) -> bytes:
    data = text.encode("utf-8")
    return data[: rng.randint(1, max(1, len(data) - 1))]  # may cut a character in half, as a dropped download does


def delete_lines(text: str, rng: random.Random) -> bytes:
    lines = _lines(text)
    for _ in range(rng.randint(1, max(1, len(lines) // 5))):
        if len(lines) > 1:
            del lines[rng.randrange(len(lines))]
    return "\n".join(lines).encode()


def duplicate_lines(text: str, rng: random.Random) -> bytes:
    lines = _lines(text)
    for _ in range(rng.randint(1, max(1, len(lines) // 5))):
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    return "\n".join(lines).encode()


def shuffle_lines(text: str, rng: random.Random) -> bytes:
    lines = _lines(text)
    start = rng.randrange(len(lines))
    block = lines[start:start + rng.randint(2, 40)]
    rng.shuffle(block)
    return "\n".join(lines[:start] + block + lines[start + len(block):]).encode()


def random_bytes(text: str, rng: random.Random) -> bytes:
    data = bytearray(text.encode("utf-8"))
    for _ in range(rng.randint(1, 60)):
        pos = rng.randrange(len(data))
        if rng.random() < 0.5:
            data[pos] = rng.randrange(256)
        else:
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(data)


def gbk(text: str, rng: random.Random) -> bytes:
    # GBK has no no-break space: a site serving GBK prints a plain one.
    return text.replace("\xa0", " ").encode("gbk", errors="replace")


def gb18030(text: str, rng: random.Random) -> bytes:
    return text.encode("gb18030")


def utf16(text: str, rng: random.Random) -> bytes:
    return text.encode(rng.choice(["utf-16", "utf-16-le", "utf-16-be"]))


def utf8_bom(text: str, rng: random.Random) -> bytes:
    return codecs.BOM_UTF8 + text.encode("utf-8")


def crlf(text: str, rng: random.Random) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def traditional(text: str, rng: random.Random) -> bytes:
    return zhconv.convert(text, rng.choice(["zh-hant", "zh-tw", "zh-hk"])).encode("utf-8")


_SCRIPT = ("<script>var stats = {'收到申请数': 999, '不同意公开答复数': 12345};"
           "document.write('<table><tr><td>本年新收政府信息公开申请数量</td><td>77777</td></tr></table>');</script>")
_STYLE = "<style>td { font: 12px '宋体'; } .n::after { content: '88888'; }</style>"


def html_wrapper(text: str, rng: random.Random) -> bytes:
    if "<html" in text.lower() or "<table" in text.lower():
        body = text
    else:
        body = "\n".join(f"<p>{line}</p>" for line in _lines(text))
    head = f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>报告</title>{_STYLE}{_SCRIPT}</head>"
    return f"{head}\n<body>\n{_SCRIPT}\n{body}\n<noscript>请开启脚本 55555</noscript>{_STYLE}\n</body></html>".encode()


def long_line(text: str, rng: random.Random) -> bytes:
    joined = " ".join(line.strip() for line in _lines(text))
    return (joined + " " + "政府信息公开" * rng.randint(200, 5_000)).encode()


_HOSTILE = ["'; DROP TABLE reports; --", "\" OR 1=1 --", "$(rm -rf /)", "`reboot`", "; shutdown -h now",
            "{processed}", "'); COPY reports TO '/tmp/x'; --", "${IFS}cat${IFS}/etc/passwd", "\x00\x1b[2J"]


def injection(text: str, rng: random.Random) -> bytes:
    """SQL- and shell-looking text glued to the labels of table rows and to the title."""
    lines = _lines(text)
    for i in rng.sample(range(len(lines)), k=min(len(lines), rng.randint(3, 20))):
        hostile = rng.choice(_HOSTILE)
        lines[i] = re.sub(r"([\u4e00-\u9fff]{2,})", lambda m: m.group(1) + hostile, lines[i], count=1)
    return "\n".join(lines).encode()


_OCR = str.maketrans({"0": "O", "1": "l", "5": "S", "8": "B", "6": "b", "2": "Z"})


def ocr_numbers(text: str, rng: random.Random) -> bytes:
    """Digits misread as look-alike letters in some numbers, as OCR of a scanned table leaves them."""
    def mangle(m: re.Match) -> str:
        return m.group(0).translate(_OCR) if rng.random() < 0.3 else m.group(0)
    return re.sub(r"\d+", mangle, text).encode()


MUTATIONS = {f.__name__: f for f in (truncate, delete_lines, duplicate_lines, shuffle_lines, random_bytes, gbk,
                                     gb18030, utf16, utf8_bom, crlf, traditional, html_wrapper, long_line,
                                     injection, ocr_numbers)}


def fixed_cases() -> list[Case]:
    """The files that are not mutations of a report at all."""
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 16
    return [
        Case("empty", "empty.txt", b""),
        Case("whitespace_only", "blank.txt", b"  \n\r\n\t\n"),
        Case("binary", "attachment.txt", png),
        Case("binary", "scan.html", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + random.Random(7).randbytes(4000)),
        Case("title_only", "title-only.txt", "某市人民政府2019年政府信息公开工作年度报告\n".encode()),
        Case("title_only", "title-only.html",
             "<html><head><title>某县2021年政府信息公开工作年度报告</title></head><body></body></html>".encode()),
    ]


def cases(n: int, seed: int = 20240601) -> list[Case]:
    """n cases: the fixed ones, then mutations cycling through every kind and every shipped report."""
    rng = random.Random(seed)
    sources = sorted(p for p in RAW.iterdir() if p.is_file() and not p.name.startswith("."))
    texts = [(p, p.read_text(encoding="utf-8")) for p in sources]
    out = fixed_cases()
    kinds = list(MUTATIONS)
    i = 0
    while len(out) < n:
        kind = kinds[i % len(kinds)]
        path, text = texts[(i // len(kinds)) % len(texts)]
        data = MUTATIONS[kind](text, rng)
        out.append(Case(kind, f"{kind}-{i:05d}-{path.stem}{path.suffix}", data))
        i += 1
    return out[:n]


def write_corpus(folder: Path, corpus: list[Case]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for case in corpus:
        (folder / case.name).write_bytes(case.data)
