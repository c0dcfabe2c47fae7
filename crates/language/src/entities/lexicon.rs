//! Word lists for the entity and claim finders, from `data/language/`
//! (`titles.tsv`, `first_names.txt`, `cues.tsv`), parsed once.

use crate::actors::cue_entries;
use sitrep_model::{EntityKind, Stance};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const TITLES_TSV: &str = include_str!("../../../../data/language/titles.tsv");
const FIRST_NAMES: &str = include_str!("../../../../data/language/first_names.txt");

/// Kind of a title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleKind {
    Rank,
    Civil,
    Honorific,
    Religious,
}

/// FNV-1a: the word lists are looked up once per token, where SipHash's
/// flood resistance buys nothing (the keys are our own data).
#[derive(Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Hash-map builder for word lists.
pub type FastHash = std::hash::BuildHasherDefault<Fnv>;
type Map<K, V> = HashMap<K, V, FastHash>;
type Set<K> = HashSet<K, FastHash>;

#[derive(Debug)]
pub struct Lexicon {
    /// Titles grouped by their first word, longest first.
    pub titles: Map<&'static str, Vec<(&'static str, TitleKind)>>,
    pub first_names: Set<&'static str>,
    pub org_heads: Map<&'static str, EntityKind>,
    pub org_leads: Map<&'static str, EntityKind>,
    /// Lower-case role nouns.
    pub role_nouns: Set<&'static str>,
    /// Lower-case institutional nouns that head a speaker phrase ("the ministry").
    pub speaker_nouns: Set<&'static str>,
    /// Lower-case reporting verbs and their stance.
    pub speech: Map<&'static str, Stance>,
    pub not_names: Set<&'static str>,
}

fn entity_kind(s: &str) -> EntityKind {
    match s {
        "government" => EntityKind::Government,
        "military" => EntityKind::Military,
        "media" => EntityKind::Media,
        _ => EntityKind::Organisation,
    }
}

fn first_word(s: &str) -> &str {
    s.split([' ', '.']).next().unwrap_or(s)
}

impl Lexicon {
    fn load() -> Lexicon {
        let mut titles: Map<&'static str, Vec<(&'static str, TitleKind)>> = Map::default();
        for line in TITLES_TSV.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut f = line.split('\t');
            let (Some(title), kind) = (f.next(), f.next().unwrap_or("civil")) else {
                continue;
            };
            let kind = match kind.trim() {
                "rank" => TitleKind::Rank,
                "honorific" => TitleKind::Honorific,
                "religious" => TitleKind::Religious,
                _ => TitleKind::Civil,
            };
            titles
                .entry(first_word(title))
                .or_default()
                .push((title.trim(), kind));
        }
        for v in titles.values_mut() {
            v.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
        }
        let first_names = FIRST_NAMES
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        let mut org_heads = Map::default();
        for (w, k) in cue_entries("org_head") {
            org_heads.insert(w, entity_kind(k));
        }
        let mut org_leads = Map::default();
        for (w, k) in cue_entries("org_lead") {
            org_leads.insert(w, entity_kind(k));
        }
        let role_nouns = cue_entries("role_noun").map(|(w, _)| w).collect();
        let speaker_nouns = cue_entries("speaker_noun").map(|(w, _)| w).collect();
        let speech = cue_entries("speech")
            .map(|(w, s)| {
                let stance = match s {
                    "denies" => Stance::Denies,
                    "reports" => Stance::Reports,
                    _ => Stance::Asserts,
                };
                (w, stance)
            })
            .collect();
        let not_names = cue_entries("not_name").map(|(w, _)| w).collect();
        Lexicon {
            titles,
            first_names,
            org_heads,
            org_leads,
            role_nouns,
            speaker_nouns,
            speech,
            not_names,
        }
    }

    /// The word lists, parsed on first use.
    pub fn get() -> &'static Lexicon {
        static LEX: OnceLock<Lexicon> = OnceLock::new();
        LEX.get_or_init(Lexicon::load)
    }

    /// The longest title starting at byte `at` of `text`, with its length.
    pub fn title_at(&self, text: &str, at: usize) -> Option<(usize, TitleKind)> {
        let rest = &text[at..];
        let head = first_word(rest);
        let cands = self.titles.get(head)?;
        cands.iter().find_map(|&(t, kind)| {
            if !rest.starts_with(t) {
                return None;
            }
            // A title ends at a word boundary ("Gen." yes, "General" for "Gen" no).
            let next = rest[t.len()..].chars().next();
            if next.is_some_and(char::is_alphanumeric) {
                return None;
            }
            Some((t.len(), kind))
        })
    }

    /// Is this lower-cased word a role noun (singular or plural)?
    pub fn is_role_noun(&self, lower: &str) -> bool {
        self.role_nouns.contains(lower)
            || lower
                .strip_suffix('s')
                .is_some_and(|s| self.role_nouns.contains(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicon_loads() {
        let lex = Lexicon::get();
        assert!(lex.first_names.contains("Sergei"));
        assert!(lex.first_names.len() > 300);
        assert_eq!(
            lex.org_heads.get("Institute"),
            Some(&EntityKind::Organisation)
        );
        assert_eq!(lex.org_heads.get("Brigade"), Some(&EntityKind::Military));
        assert_eq!(lex.speech.get("denied"), Some(&Stance::Denies));
        assert_eq!(lex.speech.get("reported"), Some(&Stance::Reports));
        assert!(lex.is_role_noun("experts"));
        assert!(lex.not_names.contains("Thursday"));
    }

    #[test]
    fn titles_longest_first() {
        let lex = Lexicon::get();
        let t = "Col. Gen. Sergei Surovikin";
        assert_eq!(lex.title_at(t, 0).map(|x| x.0), Some("Col. Gen.".len()));
        let t = "Lieutenant General Jane Doe";
        assert_eq!(lex.title_at(t, 0).map(|x| x.1), Some(TitleKind::Rank));
        assert_eq!(
            lex.title_at(t, 0).map(|x| x.0),
            Some("Lieutenant General".len())
        );
        assert_eq!(lex.title_at("Generally speaking", 0), None);
        assert_eq!(
            lex.title_at("US Secretary of State Rex Tillerson", 3)
                .map(|x| x.0),
            Some(18)
        );
    }
}
