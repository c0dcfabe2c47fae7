#!/usr/bin/env python3
"""Main-text extraction benchmark: Sitrep's extractor against trafilatura.

For every page `NAME.html` with a gold text `NAME.txt` (paragraphs of the
article body, no headline, byline or furniture), both extractors' outputs
are scored with word 5-shingle precision, recall and F1 against the gold.

Usage (from the repository root):
    python3 eval/extraction/run.py [--pages DIR ...] [--no-install]

It creates eval/.venv (gitignored) with trafilatura (and lxml_html_clean, which lxml 6 split out) from PyPI, builds the
Rust example `extract` (crates/ingest/examples/extract.rs) in release mode,
and scores eval/extraction/pages/ plus any extra folders given with
--pages (e.g. real pages kept outside the repository, which must not be
committed). The bar: our mean F1 >= trafilatura's + 0.01.
"""
import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "eval" / ".venv"
PAGES = Path(__file__).resolve().parent / "pages"
N = 5


def ensure_venv(install: bool) -> Path:
    py = VENV / "bin" / "python"
    if not py.exists():
        if not install:
            sys.exit("eval/.venv missing; run without --no-install")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = subprocess.run([str(py), "-c", "import trafilatura"], capture_output=True)
    if probe.returncode != 0:
        if not install:
            sys.exit("trafilatura missing in eval/.venv")
        subprocess.run([str(py), "-m", "pip", "install", "-q", "trafilatura", "lxml_html_clean"], check=True)
    return py


def build_extractor() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    subprocess.run(
        ["cargo", "build", "-q", "--release", "-p", "sitrep-ingest", "--example", "extract"],
        cwd=ROOT,
        check=True,
    )
    return target / "release" / "examples" / "extract"


TRAFILATURA = r"""
import json, sys, trafilatura
out = {}
for path in sys.argv[1:]:
    html = open(path, encoding="utf-8", errors="replace").read()
    out[path] = trafilatura.extract(html) or ""
print(json.dumps(out))
"""


# Scripts written without spaces count one token per character.
TOKEN = re.compile(r"[\u0e00-\u0e7f\u1000-\u109f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|\w+")


def words(text: str):
    return TOKEN.findall(text.lower())


CACHE = Path(__file__).resolve().parent / ".cache"
REAL_PKG = "newspaper4k==0.9.6"


def real_pages(py: Path) -> Path:
    """Real news pages with expected texts from the newspaper4k sdist
    (tests/data/html + tests/data/txt), downloaded from PyPI into the
    gitignored .cache folder; never committed."""
    out = CACHE / "newspaper4k"
    if out.exists():
        return out
    CACHE.mkdir(exist_ok=True)
    subprocess.run(
        [str(py), "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", "-d", str(CACHE), REAL_PKG],
        check=False,
    )
    sdists = sorted(CACHE.glob("newspaper4k-*.tar.gz"))
    if not sdists:
        sys.exit("could not download the newspaper4k sdist")
    import tarfile

    out.mkdir()
    with tarfile.open(sdists[-1]) as tar:
        for m in tar.getmembers():
            parts = Path(m.name).parts
            if len(parts) == 5 and parts[1:3] == ("tests", "data") and parts[3] in ("html", "txt") and m.isfile():
                data = tar.extractfile(m)
                if data is not None:
                    name = Path(parts[4])
                    # Gold texts go next to their pages: NAME.html + NAME.txt.
                    (out / name.name).write_bytes(data.read())
    return out


def shingles(text: str):
    w = words(text)
    if len(w) < N:
        return {tuple(w)} if w else set()
    return {tuple(w[i : i + N]) for i in range(len(w) - N + 1)}


def prf(pred: str, gold: str):
    p, g = shingles(pred), shingles(gold)
    if not p or not g:
        return 0.0, 0.0, 0.0
    tp = len(p & g)
    prec, rec = tp / len(p), tp / len(g)
    f1 = 0.0 if tp == 0 else 2 * prec * rec / (prec + rec)
    return prec, rec, f1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", action="append", default=[], help="extra folder of NAME.html + NAME.txt pairs")
    ap.add_argument("--no-install", action="store_true")
    ap.add_argument("--no-real", action="store_true", help="skip the real pages from the newspaper4k sdist")
    ap.add_argument("--json", action="store_true", help="print per-page results as JSON")
    args = ap.parse_args()

    py = ensure_venv(not args.no_install)
    exe = build_extractor()
    folders = [PAGES] + [Path(p) for p in args.pages]
    if not args.no_real:
        folders.append(real_pages(py))
    pages = []
    for folder in folders:
        for html in sorted(folder.glob("*.htm*")):
            gold = html.with_suffix(".txt")
            if gold.exists():
                pages.append((html, gold, folder))
    if not pages:
        sys.exit("no pages found")

    traf = json.loads(
        subprocess.run([str(py), "-c", TRAFILATURA] + [str(h) for h, _, _ in pages], capture_output=True, text=True, check=True).stdout
    )
    rows = []
    for html, gold_path, folder in pages:
        gold = gold_path.read_text(encoding="utf-8", errors="replace")
        ours = subprocess.run([str(exe), str(html)], capture_output=True, text=True, errors="replace").stdout
        rows.append((html.name, prf(ours, gold), prf(traf.get(str(html), ""), gold), folder))

    if args.json:
        print(json.dumps([{"page": n, "sitrep": o, "trafilatura": t} for n, o, t, _ in rows], indent=1))
    print(f"{'page':40} {'sitrep P/R/F1':>22} {'trafilatura P/R/F1':>22}")
    for name, o, t, _ in rows:
        print(f"{name:40} {o[0]:6.3f} {o[1]:6.3f} {o[2]:6.3f}   {t[0]:6.3f} {t[1]:6.3f} {t[2]:6.3f}")
    def mean(xs):
        return sum(xs) / len(xs) if xs else 0.0

    groups = [("own pages", [r for r in rows if r[3] == PAGES]), ("real pages", [r for r in rows if r[3] != PAGES]), ("all", rows)]
    for label, rs in groups:
        if not rs:
            continue
        mo = [mean([r[1][i] for r in rs]) for i in range(3)]
        mt = [mean([r[2][i] for r in rs]) for i in range(3)]
        print(f"{'MEAN ' + label + ' (' + str(len(rs)) + ')':40} {mo[0]:6.3f} {mo[1]:6.3f} {mo[2]:6.3f}   {mt[0]:6.3f} {mt[1]:6.3f} {mt[2]:6.3f}")
        verdict = "PASS" if mo[2] >= mt[2] + 0.01 else "FAIL"
        print(f"  bar ({label}): sitrep F1 {mo[2]:.3f} >= trafilatura F1 {mt[2]:.3f} + 0.01: {verdict}")


if __name__ == "__main__":
    main()
