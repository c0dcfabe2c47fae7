//! Runs ingest → language → geo → events on the `.txt` files of a folder
//! and prints each document's date and every event mention with its frame
//! and the rule that coded it:
//! `cargo run -p sitrep-events --example explain -- ../shared/corpus/tanf`
use std::path::PathBuf;

fn main() {
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: explain FOLDER");
        std::process::exit(2);
    };
    let lang = sitrep_language::Language::new();
    let geo = match sitrep_geo::Gazetteer::load_default() {
        Ok(g) => sitrep_geo::Geoparser::new(g),
        Err(e) => {
            eprintln!("gazetteer: {e}");
            std::process::exit(1);
        }
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    for f in files
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
    {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let item = sitrep_ingest::RawItem {
            source: f.display().to_string(),
            body: sitrep_ingest::Body::Text(text),
            ..Default::default()
        };
        let Ok(mut doc) = sitrep_ingest::prepare(item) else {
            continue;
        };
        let a = lang.analyze(&doc);
        if doc.published.is_none() {
            doc.published = a.doc_date;
        }
        let g = geo.analyze(&doc, Some(&a));
        println!(
            "== {} outlet {:?} published {:?} doc_date {:?} {:?} primary {:?}",
            f.display(),
            doc.outlet,
            doc.published,
            a.doc_date,
            a.doc_date_basis,
            g.primary_place.as_ref().map(|p| &p.name)
        );
        for m in sitrep_events::extract(&doc, &a, &g) {
            let s: String = m.sentence.chars().take(90).collect();
            println!(
                "  [{}] {} {:?} | {:?} | date {:?} | place {:?} | actors {:?} | q {:?} eq {:?} fat {:?} | claim {:?} | occ {} | {} {:?}\n      {s}",
                m.char_start,
                m.category.as_str(),
                m.acled.as_ref().map(|x| x.sub_event_type.as_str()),
                m.coding.trigger,
                m.date.map(|d| (d.start, d.end, d.precision)),
                m.location.as_ref().map(|l| (l.name.as_str(), l.precision)),
                m.actors.iter().map(|x| format!("{}:{:?}", x.name, x.role)).collect::<Vec<_>>(),
                m.quantities.iter().map(|q| format!("{} {}", q.value, q.unit)).collect::<Vec<_>>(),
                m.equipment,
                m.fatalities,
                m.claimed_by.iter().map(|c| format!("{}:{}", c.claimant, c.stance.as_str())).collect::<Vec<_>>(),
                m.occurred,
                m.coding.rule,
                m.certainty,
            );
        }
    }
}
