//! Quantities on the real sample articles (read at test time): general
//! properties only; the phenomena themselves are unit-tested on our own
//! sentences in `src/quantity.rs`.

use sitrep_language::{quantity, sentences, time};

#[test]
fn corpus_quantities_are_well_formed() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/tanf");
    let Ok(rd) = std::fs::read_dir(dir) else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("corpus not found at {dir}");
        }
        println!("skipping: ../shared not found");
        return;
    };
    let mut total = 0;
    for p in rd.filter_map(|e| e.ok().map(|e| e.path())) {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let s = sentences::split(&text);
        let qs = quantity::find(&text, &s);
        let times = time::find_absolute(&text, &s);
        for q in &qs {
            assert!(text.is_char_boundary(q.span.start) && text.is_char_boundary(q.span.end));
            assert!(!q.unit.is_empty() && q.value.is_finite());
            assert!(q.value_max.is_none_or(|m| m > q.value));
            assert!(
                times.iter().all(|t| !t.span.overlaps(q.span)),
                "quantity inside a date: {}",
                q.span.slice(&text)
            );
            if std::env::var("SHOW").is_ok() {
                println!(
                    "{:<40} {} {:?} {:?} {} {:?}",
                    q.span.slice(&text),
                    q.value,
                    q.value_max,
                    q.approx,
                    q.unit,
                    q.casualty
                );
            }
        }
        total += qs.len();
    }
    assert!(total >= 10, "only {total} quantities in the corpus");
}
