//! Actor sides (`data/events/sides.tsv`): which names can stand for one
//! another when two reports describe one incident.

use std::sync::OnceLock;

use sitrep_model::{ActorKind, EventActor};
use xxhash_rust::xxh3::xxh3_64;

use crate::ResolveError;

const SIDES_TSV: &str = include_str!("../../../data/events/sides.tsv");

/// A side, as a hash of its key (or of an unknown proper name).
pub type Side = u64;

#[derive(Debug)]
struct Rule {
    /// " words " padded with spaces, for whole-word search.
    pattern: String,
    side: Option<Side>,
}

/// The side table.
#[derive(Debug)]
pub struct Sides {
    rules: Vec<Rule>,
}

impl Sides {
    pub fn parse(src: &str) -> Result<Sides, ResolveError> {
        let mut rules = Vec::new();
        for (i, line) in src.lines().enumerate() {
            let l = line.trim_end();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let Some((side, pat)) = l.split_once('\t') else {
                return Err(ResolveError::Data {
                    path: "data/events/sides.tsv".into(),
                    line: i + 1,
                    reason: "expected 2 tab-separated columns".into(),
                });
            };
            let words = normalize(pat);
            if words.trim().is_empty() {
                return Err(ResolveError::Data {
                    path: "data/events/sides.tsv".into(),
                    line: i + 1,
                    reason: "empty pattern".into(),
                });
            }
            let side = (side != "-").then(|| xxh3_64(side.as_bytes()));
            rules.push(Rule {
                pattern: words,
                side,
            });
        }
        Ok(Sides { rules })
    }

    pub fn builtin() -> Result<Sides, ResolveError> {
        Sides::parse(SIDES_TSV)
    }

    /// The side of an actor, or `None` for generic descriptions
    /// ("gunmen", "a farmer") that say nothing about who it is.
    pub fn side_of(&self, a: &EventActor) -> Option<Side> {
        let n = normalize(&a.name);
        for r in &self.rules {
            if n.contains(r.pattern.as_str()) {
                return r.side;
            }
        }
        let proper = a.name.chars().next().is_some_and(|c| c.is_uppercase());
        (proper && !matches!(a.kind, ActorKind::Civilians | ActorKind::Other))
            .then(|| xxh3_64(n.trim().as_bytes()))
    }
}

/// Lower case, words separated by single spaces, padded: " us led coalition ".
fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(' ');
    for w in s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        out.extend(w.chars().flat_map(char::to_lowercase));
        out.push(' ');
    }
    out
}

/// The built-in side table; empty if it failed to load (tests check it
/// loads).
pub fn builtin() -> &'static Sides {
    static S: OnceLock<Sides> = OnceLock::new();
    S.get_or_init(|| Sides::builtin().unwrap_or(Sides { rules: Vec::new() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitrep_model::ActorRole;

    fn actor(name: &str) -> EventActor {
        EventActor {
            name: name.into(),
            role: ActorRole::Actor,
            kind: ActorKind::StateMilitary,
            surface: vec![],
        }
    }

    #[test]
    fn builtin_loads_and_groups_aliases() {
        let s = Sides::builtin().expect("sides.tsv parses");
        let us = s.side_of(&actor("US-led coalition"));
        assert!(us.is_some());
        assert_eq!(us, s.side_of(&actor("United States")));
        assert_eq!(us, s.side_of(&actor("US military")));
        assert_ne!(us, s.side_of(&actor("pro-Syrian government forces")));
        assert_eq!(
            s.side_of(&actor("Saudi-led coalition")),
            s.side_of(&actor("Saudi Arabia"))
        );
        assert_ne!(s.side_of(&actor("Saudi-led coalition")), us);
        assert_eq!(s.side_of(&actor("gunmen")), None);
        // Unknown proper names are their own side.
        assert_eq!(
            s.side_of(&actor("Jaish al-Adl")),
            s.side_of(&actor("Jaish al Adl"))
        );
        assert!(Sides::parse("x\n").is_err());
    }
}
