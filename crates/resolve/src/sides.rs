//! Actor sides (`data/events/sides.tsv`): which names can stand for one
//! another when two reports describe one incident.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

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
    /// All rules' patterns, pattern id = rule index: one pass over a name
    /// instead of a substring search per rule (this runs for every actor
    /// of every mention).
    matcher: AhoCorasick,
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
        Sides::new(rules)
    }

    fn new(rules: Vec<Rule>) -> Result<Sides, ResolveError> {
        let matcher = AhoCorasick::new(rules.iter().map(|r| r.pattern.as_str())).map_err(|e| {
            ResolveError::Data {
                path: "data/events/sides.tsv".into(),
                line: 0,
                reason: format!("cannot build the side matcher: {e}"),
            }
        })?;
        Ok(Sides { rules, matcher })
    }

    pub fn builtin() -> Result<Sides, ResolveError> {
        Sides::parse(SIDES_TSV)
    }

    /// The side of an actor, or `None` for generic descriptions
    /// ("gunmen", "a farmer") that say nothing about who it is.
    pub fn side_of(&self, a: &EventActor) -> Option<Side> {
        let n = normalize(&a.name);
        // The first rule in file order that occurs anywhere in the name
        // wins, as the table's comments expect: the lowest pattern id among
        // all (overlapping) matches, not the leftmost match.
        if let Some(r) = self
            .matcher
            .find_overlapping_iter(n.as_str())
            .map(|m| m.pattern().as_usize())
            .min()
        {
            return self.rules[r].side;
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
    S.get_or_init(|| {
        Sides::builtin().unwrap_or_else(|_| Sides::new(Vec::new()).expect("empty matcher builds"))
    })
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

    #[test]
    fn first_rule_in_file_order_wins_wherever_it_matches() {
        // "forces" is listed first and matches later in the name than
        // "government forces": the table's order decides, not the position.
        let s = Sides::parse("generic\tforces\ngov\tgovernment forces\n-\tgunmen\n").unwrap();
        let side = s.side_of(&actor("Government forces"));
        assert_eq!(side, Some(xxh3_64(b"generic")));
        let s = Sides::parse("gov\tgovernment forces\ngeneric\tforces\n").unwrap();
        assert_eq!(
            s.side_of(&actor("Government forces")),
            Some(xxh3_64(b"gov"))
        );
        // A pattern matches whole words only.
        assert_eq!(
            s.side_of(&actor("Taskforces")),
            Some(xxh3_64(b"taskforces"))
        );
        // "-" marks generic descriptions: no side.
        let s = Sides::parse("-\tgunmen\n").unwrap();
        assert_eq!(s.side_of(&actor("Unknown gunmen")), None);
    }
}
