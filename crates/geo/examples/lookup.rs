//! Prints the gazetteer entries for names: `lookup NAME...` (debug aid).
use sitrep_geo::normalize::normalize_key;
use sitrep_geo::Gazetteer;

fn main() {
    let g = match Gazetteer::load_default() {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    for name in std::env::args().skip(1) {
        let key = normalize_key(&name);
        println!(
            "{name:?} -> key {key:?} stopword {} common {}",
            g.is_stopword(&name.to_lowercase()),
            g.is_common_word(&name.to_lowercase())
        );
        for &e in g.lookup_key(&key) {
            let en = &g.entries[e as usize];
            println!(
                "  {} ({:.3},{:.3}) {} {:?} {:?} imp {:.2} gid {}",
                g.name(e),
                en.lat,
                en.lon,
                en.cc_str(),
                en.feature,
                en.source,
                en.importance,
                en.geonames_id
            );
        }
    }
}
