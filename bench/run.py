"""Benchmark `ogi build` against the read-and-regex floor on a generated corpus of distinct reports."""
from __future__ import annotations

import argparse
import compileall
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "data" / "raw"
CORPUS = ROOT / "bench" / "corpus"
PYTHON = ROOT / ".venv" / "bin" / "python"
FILES_PER_FOLDER = 500
PAGE = os.sysconf("SC_PAGE_SIZE")

# A number in a sentence, followed by the unit a narrative count takes (never a bare table cell).
_PROSE_COUNT = re.compile(r"(\d+)(?=(?:余|多)?(?:条|篇|次|期|场|个|项|人次|万))")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def vary(text: str, serial: int, rng: random.Random) -> str:
    """A distinct, still valid report: prose counts changed, a mirror note added; tables untouched."""
    sentences = text.split("。")
    for i, sentence in enumerate(sentences):
        if "|" in sentence or "\t" in sentence or "<td" in sentence.lower() or len(sentence) > 400:
            continue  # table text: its identities must keep holding
        sentences[i] = _PROSE_COUNT.sub(lambda m: str(rng.randint(1, 10 ** len(m.group(1)) - 1)), sentence)
    varied = "。".join(sentences)
    cut = varied.find("。") + 1
    return f"{varied[:cut]}本页为镜像第{serial}号，收录时另有公众留言{rng.randint(1, 999)}条。{varied[cut:]}"


def generate(corpus: Path, n_files: int, seed: int = 2024) -> Path:
    """corpus/raw with n_files reports (regenerated only when the count or seed changes)."""
    raw = corpus / "raw"
    stamp = corpus / f".generated-{n_files}-{seed}"
    if stamp.exists():
        return raw
    shutil.rmtree(corpus, ignore_errors=True)
    rng = random.Random(seed)
    shipped = sorted(p for p in SHIPPED.iterdir() if p.is_file() and not p.name.startswith("."))
    texts = [(p, p.read_text(encoding="utf-8")) for p in shipped]
    for serial in range(n_files):
        path, text = texts[serial % len(texts)]
        folder = raw / f"batch-{serial // FILES_PER_FOLDER:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{path.stem}-{serial:06d}{path.suffix}").write_text(vary(text, serial, rng), encoding="utf-8")
    stamp.touch()
    return raw


def floor(raw: Path) -> tuple[int, int, float]:
    """(files, characters, seconds) to read every file and find every number with one regex."""
    start = time.perf_counter()
    files = chars = numbers = 0
    for root, _, names in os.walk(raw):
        for name in names:
            text = (Path(root) / name).read_bytes().decode("utf-8", errors="replace")
            numbers += len(_NUMBER.findall(text))
            files += 1
            chars += len(text)
    return files, chars, time.perf_counter() - start


def _tree(pid: int) -> list[int]:
    """A process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(ppid, []).append(int(entry))
    tree = [pid]
    for p in tree:
        tree.extend(children.get(p, []))
    return tree


def _rss(pids: list[int]) -> int:
    """Summed RSS in bytes, from /proc/<pid>/statm: cheap enough to read often."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def _pss(pids: list[int]) -> int:
    """Summed PSS in bytes: a page shared by forked workers counted once, so the tree's real footprint. Reading
    smaps_rollup walks a process's page tables (~2 ms for a worker), so it is read seldom."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                fields = dict(line.split(":", 1) for line in fh.read().splitlines()[1:])
            total += int(fields["Pss"].split()[0]) * 1024
        except (OSError, ValueError, KeyError):
            continue
    return total


def snapshot_code(corpus: Path) -> Path:
    """A frozen copy of the code: edits made while the bench runs must not invalidate its cache."""
    code = corpus / "code"
    shutil.rmtree(code, ignore_errors=True)
    for package in ("pipeline", "schemas"):
        shutil.copytree(ROOT / package, code / package, ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(code, quiet=1)  # as an install would: PYTHONDONTWRITEBYTECODE must not time the compiler
    return code


def timed_build(code: Path, raw: Path, out: Path, jobs: int | None) -> tuple[float, tuple[int, int], str]:
    """(seconds, peak (RSS, PSS) of the build's process tree, its summary line)."""
    cmd = [str(PYTHON), "-m", "pipeline", "build", "--raw", str(raw), "--out", str(out)]
    cmd += ["--jobs", str(jobs)] if jobs else []
    env = {**os.environ, "PYTHONPATH": str(code)}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=raw.parent)
    peak = [0, 0]

    def watch():
        # The watcher shares the cores with the build: RSS is read every 50 ms from statm, while the process tree
        # (a scan of /proc) and PSS are read every 0.25 and 0.5 s. Reading everything every 50 ms took ~10% of the
        # machine away from the build.
        pids, rescan, repss = [], 0.0, 0.0
        while proc.poll() is None:
            now = time.perf_counter()
            if now >= rescan:
                pids, rescan = _tree(proc.pid), now + 0.25
            peak[0] = max(peak[0], _rss(pids))
            if now >= repss:
                peak[1], repss = max(peak[1], _pss(pids)), now + 0.5
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - start
    watcher.join()
    if proc.returncode != 0:
        sys.exit(f"ogi build failed ({proc.returncode}):\n{stdout}\n{stderr}")
    return seconds, (peak[0], peak[1]), stdout.strip()


def touch_one(raw: Path) -> Path:
    """Change one prose count in one report, as an editor's correction would."""
    path = sorted(raw.rglob("*.md"))[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("收录时另有公众留言", "收录时另有公众留言1", 1), encoding="utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=None, help="passed to ogi build (default: all cores)")
    ap.add_argument("--corpus", type=Path, default=None,
                    help="folder of the generated corpus and its build (default: bench/corpus/<files>)")
    args = ap.parse_args()

    corpus = args.corpus or CORPUS / str(args.files)  # each size keeps its own corpus and cache
    raw = generate(corpus, args.files)
    code = snapshot_code(corpus)
    out = corpus / "processed"
    files, chars, floor_s = floor(raw)
    shutil.rmtree(out, ignore_errors=True)
    clean_s, clean_mem, clean_line = timed_build(code, raw, out, args.jobs)
    touch_one(raw)
    one_s, one_mem, one_line = timed_build(code, raw, out, args.jobs)
    none_s, none_mem, none_line = timed_build(code, raw, out, args.jobs)

    floor_rate, clean_rate = files / floor_s, files / clean_s
    ratio = clean_rate / floor_rate
    rss, pss = max(clean_mem[0], one_mem[0], none_mem[0]), max(clean_mem[1], one_mem[1], none_mem[1])
    gib = 1024 ** 3
    rows = [
        ("corpus", f"{files} files, {chars / 1e6:.1f} M characters, {os.cpu_count()} cores", ""),
        ("(a) read + regex floor", f"{floor_s:6.2f} s  {floor_rate:8.0f} files/s", ""),
        ("(b) clean build", f"{clean_s:6.2f} s  {clean_rate:8.0f} files/s  peak {clean_mem[0] / gib:.2f} GiB",
         _verdict(ratio >= 0.25, f"{ratio:.0%} of floor (target >= 25%)")),
        ("(c) one file changed", f"{one_s:6.2f} s  peak {one_mem[0] / gib:.2f} GiB", _verdict(one_s <= 2, "target <= 2 s")),
        ("(d) nothing changed", f"{none_s:6.2f} s  peak {none_mem[0] / gib:.2f} GiB", _verdict(none_s <= 1, "target <= 1 s")),
        ("peak memory", f"{rss / gib:.2f} GiB RSS summed over the build and its workers, {pss / gib:.2f} GiB PSS",
         _verdict(rss <= 1.5 * gib, "target <= 1.5 GiB")),
    ]
    for name, figures, verdict in rows:
        print(f"{name:24} {figures:52} {verdict}")
    for label, line in (("clean", clean_line), ("one changed", one_line), ("none changed", none_line)):
        print(f"  ogi build, {label}: {line}")


def _verdict(ok: bool, text: str) -> str:
    return ("ok    " if ok else "MISSED") + " " + text


if __name__ == "__main__":
    main()
