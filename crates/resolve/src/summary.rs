//! One-line event summaries ("US-led coalition strikes pro-Syrian
//! government forces near At Tanf") from `data/events/summaries.tsv`.

use std::collections::HashMap;
use std::sync::OnceLock;

use sitrep_model::{ActorRole, Event, GeoPrecision, Stance};

use crate::ResolveError;

const SUMMARIES_TSV: &str = include_str!("../../../data/events/summaries.tsv");

/// Verb and no-actor phrase per ACLED sub-event type or PLOVER category.
#[derive(Debug, Default)]
pub struct Templates {
    map: HashMap<String, (String, String)>,
}

impl Templates {
    pub fn parse(src: &str) -> Result<Templates, ResolveError> {
        let mut map = HashMap::new();
        for (i, line) in src.lines().enumerate() {
            let l = line.trim_end();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = l.split('\t').collect();
            let [key, verb, phrase] = cols[..] else {
                return Err(ResolveError::Data {
                    path: "data/events/summaries.tsv".into(),
                    line: i + 1,
                    reason: format!("expected 3 columns, found {}", cols.len()),
                });
            };
            map.insert(key.to_string(), (verb.to_string(), phrase.to_string()));
        }
        Ok(Templates { map })
    }
}

fn templates() -> &'static Templates {
    static T: OnceLock<Templates> = OnceLock::new();
    T.get_or_init(|| Templates::parse(SUMMARIES_TSV).unwrap_or_default())
}

fn join(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [a] => a.to_string(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// "retakes territory from" with nothing after it: "retakes territory".
fn without_dangling_preposition(verb: &str) -> String {
    let words: Vec<&str> = verb.split_whitespace().collect();
    let keep = match words.last() {
        Some(&("on" | "of" | "with" | "by" | "against" | "to" | "from")) if words.len() > 1 => {
            words.len() - 1
        }
        _ => words.len(),
    };
    words[..keep].join(" ")
}

/// The summary line of an event.
pub fn summarize(e: &Event) -> String {
    let t = templates();
    // "Other" says nothing: the PLOVER category reads better.
    let key_sub = e
        .acled
        .as_ref()
        .map(|a| a.sub_event_type.as_str())
        .filter(|s| *s != "Other");
    let (verb, phrase) = key_sub
        .and_then(|k| t.map.get(k))
        .or_else(|| t.map.get(e.category.as_str()))
        .map(|(v, p)| (v.as_str(), p.as_str()))
        .unwrap_or(("acts against", "Event involving"));
    // One name per side: "US jets" and "the coalition" are one party.
    let sides = crate::sides::builtin();
    let actor_sides: Vec<u64> = e
        .actors
        .iter()
        .filter(|a| a.role == ActorRole::Actor)
        .filter_map(|a| sides.side_of(a))
        .collect();
    let pick = |role: ActorRole, n: usize| {
        let mut seen: Vec<Option<u64>> = Vec::new();
        let mut names: Vec<&str> = Vec::new();
        for a in e.actors.iter().filter(|a| a.role == role) {
            let side = sides.side_of(a);
            let own_side =
                role == ActorRole::Target && side.is_some_and(|s| actor_sides.contains(&s));
            if own_side || (side.is_some() && seen.contains(&side)) {
                continue;
            }
            seen.push(side);
            names.push(a.name.as_str());
            if names.len() == n {
                break;
            }
        }
        names
    };
    let actors = pick(ActorRole::Actor, 2);
    let targets = pick(ActorRole::Target, 2);
    let equipment: Vec<&str> = e.equipment.iter().take(2).map(String::as_str).collect();
    // What moved is the equipment or the force, not whom it faces.
    let moved = e.category == sitrep_model::Plover::Mobilize && !equipment.is_empty();
    let object = if moved || targets.is_empty() {
        join(&equipment)
    } else {
        join(&targets)
    };
    let mut s = if actors.is_empty() {
        let p = phrase.trim_end_matches(':');
        if object.is_empty() {
            // "Air/drone strike on" alone reads badly.
            without_dangling_preposition(p)
        } else {
            format!("{p} {object}")
        }
    } else if object.is_empty() {
        format!(
            "{} {}",
            join(&actors),
            without_dangling_preposition(verb.trim_end_matches([',', ' ']))
        )
    } else {
        format!("{} {verb} {object}", join(&actors))
    };
    if let Some(p) = &e.location {
        let prep = match p.precision {
            GeoPrecision::Exact | GeoPrecision::Near => "near",
            GeoPrecision::Admin1 | GeoPrecision::Country => "in",
        };
        if !p.name.is_empty() {
            s.push_str(&format!(" {prep} {}", p.name));
        }
    }
    if let Some(c) = e.claimed_by.first() {
        // Only a single claimant is worth the line; "X threatens Y (claimed
        // by X)" says nothing new.
        let own = actors.contains(&c.claimant.as_str());
        if !own && e.claimed_by.len() == 1 {
            let how = match c.stance {
                Stance::Asserts => "claimed by",
                Stance::Denies => "denied by",
                Stance::Reports => "reported by",
            };
            s.push_str(&format!(" ({how} {})", c.claimant));
        }
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_load_for_every_subtype_and_category() {
        let t = Templates::parse(SUMMARIES_TSV).expect("summaries.tsv parses");
        for (_, sub) in sitrep_model::ACLED_SUBTYPES {
            assert!(t.map.contains_key(sub), "{sub}");
        }
        for p in sitrep_model::Plover::ALL {
            assert!(t.map.contains_key(p.as_str()), "{}", p.as_str());
        }
        assert!(Templates::parse("a\tb\n").is_err());
    }
}
