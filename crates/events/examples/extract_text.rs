//! Prints the events extracted from text given on standard input, one
//! snippet per line, without the language and geo layers:
//! `echo "Gunmen abducted two aid workers." | cargo run -p sitrep-events --example extract_text`
use std::io::BufRead;

use sitrep_model::{Analysis, Document, GeoAnalysis};

fn main() {
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let doc = Document {
            id: "stdin".into(),
            text: line.clone(),
            ..Default::default()
        };
        println!("{line}");
        for m in sitrep_events::extract(&doc, &Analysis::default(), &GeoAnalysis::default()) {
            let sub = m.acled.as_ref().map_or("-", |a| a.sub_event_type.as_str());
            let actors: Vec<String> = m
                .actors
                .iter()
                .map(|a| format!("{}:{:?}", a.name, a.role))
                .collect();
            println!(
                "  {:?} | {} | trigger {:?} | {} | actors {:?} | eq {:?} | occurred {}",
                m.category, sub, m.coding.trigger, m.coding.rule, actors, m.equipment, m.occurred
            );
        }
    }
}
