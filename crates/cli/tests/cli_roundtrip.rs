//! End-to-end: ingest is idempotent, exports are byte-identical, and the
//! commands of SCHEMA.md behave (exit codes, formats, --json).

mod common;
use common::*;

#[test]
fn ingest_twice_gives_identical_exports() {
    let s = Scratch::new("roundtrip");
    write_articles(&s, "in");
    let o = sitrep(&s.0, &["--json", "ingest", "--db", "a.db", "in"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("ingest --json is JSON");
    assert_eq!(r["stored"], 3);
    assert_eq!(r["rejected"].as_array().map(Vec::len), Some(0));

    let kinds = [
        ("documents", "jsonl"),
        ("documents", "csv"),
        ("events", "jsonl"),
        ("events", "geojson"),
        ("events", "csv"),
        ("places", "jsonl"),
        ("places", "geojson"),
        ("places", "csv"),
    ];
    let first: Vec<Vec<u8>> = kinds
        .iter()
        .map(|(k, f)| export(&s.0, "a.db", k, f))
        .collect();

    let o = sitrep(&s.0, &["--json", "ingest", "--db", "a.db", "in"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["stored"], 0);
    assert_eq!(r["skipped"], 3);
    for ((k, f), before) in kinds.iter().zip(&first) {
        assert!(
            export(&s.0, "a.db", k, f) == *before,
            "{k} {f} changed after re-ingest"
        );
    }

    // A fresh database from the same folder exports the same bytes.
    let o = sitrep(&s.0, &["-q", "ingest", "--db", "b.db", "in"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    for ((k, f), a) in kinds.iter().zip(&first) {
        assert!(
            export(&s.0, "b.db", k, f) == *a,
            "{k} {f} differs between databases"
        );
    }

    // Documents: one JSON object per line with SCHEMA's fields.
    let docs = String::from_utf8(first[0].clone()).unwrap();
    assert_eq!(docs.lines().count(), 3);
    for line in docs.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for key in [
            "id",
            "path",
            "outlet",
            "reposted_by",
            "title",
            "byline",
            "dateline",
            "published",
            "published_basis",
            "language",
            "text",
            "duplicate_of",
            "primary_place",
            "places",
        ] {
            assert!(v.get(key).is_some(), "document lacks {key}: {line}");
        }
    }
    assert!(docs.contains("\"outlet\":\"Plains Bulletin\""));
    assert!(docs.contains("\"published\":\"2018-05-02\""));

    // Events CSV has the ACLED-style header of SCHEMA.md.
    let csv = String::from_utf8(first[4].clone()).unwrap();
    assert_eq!(
        csv.lines().next().unwrap(),
        "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,country,admin1,\
         location,latitude,longitude,geo_precision,source,notes,fatalities,plover_category,n_sources,disputes"
    );
    let gj: serde_json::Value = serde_json::from_slice(&first[3]).expect("events geojson is JSON");
    assert_eq!(gj["type"], "FeatureCollection");
}

#[test]
fn search_stats_and_exit_codes() {
    let s = Scratch::new("commands");
    write_articles(&s, "in");
    let o = sitrep(&s.0, &["-q", "ingest", "in"]); // default --db sitrep.db
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert!(s.path("sitrep.db").exists());

    let o = sitrep(&s.0, &["--json", "search", "fuel", "depot"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let hits = v["documents"].as_array().unwrap();
    assert_eq!(hits.len(), 2, "{v}");
    assert!(hits
        .iter()
        .all(|h| h["snippet"].as_str().unwrap().contains('[')));
    // FTS syntax characters in a query are not an error.
    let o = sitrep(&s.0, &["search", "\"depot", "AND"]);
    assert!(o.status.success(), "{}", stderr(&o));

    let o = sitrep(&s.0, &["--json", "stats"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["documents"], 3);
    assert_eq!(v["published_min"], "2018-03-12");
    let o = sitrep(&s.0, &["stats"]);
    assert!(stdout(&o).contains("documents: 3"), "{}", stdout(&o));

    // Export to a file.
    let o = sitrep(
        &s.0,
        &[
            "export",
            "--kind",
            "documents",
            "--format",
            "csv",
            "-o",
            "docs.csv",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(s.path("docs.csv")).unwrap();
    assert!(csv.starts_with("id,path,url,outlet,"));
    assert_eq!(
        csv::Reader::from_reader(csv.as_bytes()).records().count(),
        3
    );

    // Usage errors and fatal errors exit 2.
    assert_eq!(
        sitrep(&s.0, &["export", "--kind", "nothing"]).status.code(),
        Some(2)
    );
    assert_eq!(sitrep(&s.0, &["ingest"]).status.code(), Some(2));
    let o = sitrep(&s.0, &["stats", "--db", "missing.db"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing.db"), "{}", stderr(&o));
    assert!(
        !s.path("missing.db").exists(),
        "a read command must not create a database"
    );
}

#[test]
fn geoparse_prints_schema_records_with_char_offsets() {
    let s = Scratch::new("geoparse");
    // Multi-byte characters before the place name: offsets must count
    // characters, not bytes.
    let text = "“Reported” — shelling hit Aleppo and Homs overnight.\n";
    s.write("g.txt", text);
    let o = sitrep(&s.0, &["geoparse", "--json", "g.txt"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let chars: Vec<char> = text.chars().collect();
    let mut n = 0;
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["file"], "g.txt");
        for key in [
            "start",
            "end",
            "surface",
            "name",
            "lat",
            "lon",
            "country",
            "admin1",
            "feature",
            "geonames_id",
        ] {
            assert!(v.get(key).is_some(), "missing {key}: {line}");
        }
        let (a, b) = (
            v["start"].as_u64().unwrap() as usize,
            v["end"].as_u64().unwrap() as usize,
        );
        let surface: String = chars[a..b].iter().collect();
        assert_eq!(surface, v["surface"].as_str().unwrap());
        n += 1;
    }
    assert!(n >= 2, "expected Aleppo and Homs, got: {out}");
    assert_eq!(
        sitrep(&s.0, &["geoparse", "--json", "nope.txt"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn gazetteer_build_feeds_geoparse() {
    let s = Scratch::new("gazetteer");
    // Two rows in GeoNames' 19-column format (facts: names, coordinates,
    // feature codes and populations of two Syrian cities).
    s.write(
        "mini.txt",
        "163345\tTartus\tTartus\tTartous,Tartus\t34.88902\t35.88659\tP\tPPLA\tSY\t\t12\t\t\t\t115769\t\t14\tAsia/Damascus\t2012-01-19\n\
         170063\tAleppo\tAleppo\tHalab,Alep\t36.20124\t37.16117\tP\tPPLA\tSY\t\t09\t\t\t\t1602264\t\t390\tAsia/Damascus\t2023-01-01\n",
    );
    let o = sitrep(&s.0, &["gazetteer", "build", "mini.txt", "-o", "mini.gaz"]);
    assert!(o.status.success(), "{}", stderr(&o));
    s.write(
        "g.txt",
        "Shelling was reported in Halab and near Tartous on Monday.",
    );
    let o = sitrep(
        &s.0,
        &["geoparse", "--json", "--gazetteer", "mini.gaz", "g.txt"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Spatial expressions ("near Tartous") come with no GeoNames id.
    let ids: Vec<u64> = stdout(&o)
        .lines()
        .filter_map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["geonames_id"].as_u64()
        })
        .collect();
    assert_eq!(ids, [170063, 163345], "{}", stdout(&o));
}

#[test]
fn demo_ingests_the_examples_and_lists_them() {
    let s = Scratch::new("demo");
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/corpus");
    if !std::path::Path::new(examples).is_dir() {
        panic!("examples/corpus is missing");
    }
    let o = sitrep(
        &s.0,
        &[
            "--json",
            "demo",
            "--no-serve",
            "--db",
            "d.db",
            "--examples",
            examples,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let docs = v["documents"].as_array().unwrap();
    assert!(docs.len() >= 10, "{v}");
    // The corpus holds a re-post of an earlier article by design.
    assert!(
        docs.iter().any(|d| d["duplicate_of"].is_string()),
        "no duplicate found: {v}"
    );
    assert!(!v["events"].as_array().unwrap().is_empty());
    // Human output names outlets and dates.
    let o = sitrep(
        &s.0,
        &["demo", "--no-serve", "--db", "d.db", "--examples", examples],
    );
    let out = stdout(&o);
    assert!(
        out.contains("Documents (") && out.contains("Events ("),
        "{out}"
    );
}
