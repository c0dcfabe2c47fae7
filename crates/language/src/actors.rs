//! The actor dictionary: canonical actors (states, militaries, armed groups,
//! governments, media, international bodies, collectives, well-known
//! persons) with their aliases, plus equipment names, matched with
//! Aho-Corasick DFAs (one case-sensitive pass for exact aliases, one
//! case-folded pass for the rest).
//!
//! Sources, all versioned under `data/language/`:
//! - `actors.tsv`: canonical, kind, country, affiliations, aliases, entity;
//! - `countries.tsv`: each country becomes a `state` actor; "<adjective>
//!   <force noun>" ("Russian jets", "US forces", force nouns from
//!   `cues.tsv`) names the country's military actor (created as
//!   "<Adjective> Armed Forces" when `actors.tsv` has none), unless an
//!   explicit alias covers the phrase ("Russian jets" → Russian Aerospace
//!   Forces); this is a scan of capitalised words, not extra patterns;
//! - `equipment.tsv`: weapon systems and their aliases;
//! - users add or extend actors with their own TSV ([`ActorDictionary::load_user_file`]).
//!
//! Alias case rules (so that "IS" never matches "is"):
//! - an alias with a capital letter inside a word ("IS", "SAA", "MoD",
//!   "CJTF-OIR") matches exactly;
//! - a capitalised alias ("Daesh", "Islamic State", "Isis") matches any
//!   case but the text must start with a capital too;
//! - a lower-case alias ("pro-regime forces") matches any case.
//!
//! Collective descriptions are actors too, chosen so that event matching
//! can put them on a side through their affiliations:
//! - "pro-regime / pro-Damascus / pro-Assad / Syrian government / regime
//!   forces" → "Pro-Syrian government forces": `state_military`, SY,
//!   affiliated with the Syrian government and the Syrian Arab Army.
//!   Reporters use these phrases for army units and allied militias
//!   together; the state commands them, hence `state_military`, and entity
//!   kind `group`. "pro-regime militias" stay apart (`non_state_armed`,
//!   affiliated with the Syrian government and Iran);
//! - "Iranian-backed militias", "Iran-backed militiamen", "Iraqi Shia
//!   fighters" → "Iran-backed militias" (`non_state_armed`, affiliations
//!   Iran, IRGC); "US-backed rebels" → "US-backed Syrian opposition";
//! - generic "rebels", "militants", "civilians" → "Rebel forces",
//!   "Militants", "Civilians", with no country.
//!
//! Matches must sit on word boundaries; a match glued to a lower-case
//! prefix by a hyphen ("pro-Assad" for the alias "Assad") is not one,
//! unless a longer alias covers the whole phrase.

use crate::LanguageError;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use sitrep_model::{Actor, ActorKind, EntityKind, Span};
use std::collections::HashMap;
use std::sync::OnceLock;

const ACTORS_TSV: &str = include_str!("../../../data/language/actors.tsv");
const COUNTRIES_TSV: &str = include_str!("../../../data/language/countries.tsv");
const EQUIPMENT_TSV: &str = include_str!("../../../data/language/equipment.tsv");
const CUES_TSV: &str = include_str!("../../../data/language/cues.tsv");

/// How an alias compares with the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseRule {
    /// Byte-exact ("IS", "SAA").
    Exact,
    /// Case-insensitive, but the first letter must be a capital ("Isis").
    Capitalised,
    /// Case-insensitive ("pro-regime forces").
    Insensitive,
}

impl CaseRule {
    /// The rule an alias gets from how it is written.
    pub fn of(alias: &str) -> CaseRule {
        let mut prev_alpha = false;
        let mut inner_capital = false;
        for c in alias.chars() {
            if c.is_uppercase() && prev_alpha {
                inner_capital = true;
            }
            prev_alpha = c.is_alphabetic();
        }
        if inner_capital {
            CaseRule::Exact
        } else if alias.chars().next().is_some_and(char::is_uppercase) {
            CaseRule::Capitalised
        } else {
            CaseRule::Insensitive
        }
    }

    fn accepts(self, alias: &str, found: &str) -> bool {
        match self {
            CaseRule::Exact => alias == found,
            CaseRule::Capitalised => {
                found.chars().next().is_some_and(char::is_uppercase)
                    && alias.eq_ignore_ascii_case(found)
            }
            CaseRule::Insensitive => alias.eq_ignore_ascii_case(found),
        }
    }
}

/// What a dictionary pattern points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Index into the actors ([`ActorDictionary::actor`]).
    Actor(usize),
    /// Index into the equipment names ([`ActorDictionary::equipment_name`]).
    Equipment(usize),
}

#[derive(Debug, Clone)]
struct Pattern {
    text: String,
    rule: CaseRule,
    target: Target,
}

/// One dictionary hit in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DictMatch {
    pub span: Span,
    pub target: Target,
    /// For "<adjective> <force noun>" aliases, the country adjective's span.
    pub adjective: Option<Span>,
}

/// A country with its adjectives and military actor.
#[derive(Debug, Clone)]
pub struct Country {
    pub iso2: String,
    pub name: String,
    pub adjectives: Vec<String>,
    /// Index of the country's military actor.
    pub military: usize,
}

/// The actor dictionary. Build once ([`ActorDictionary::builtin`]), extend
/// with user files, then share: matching takes `&self`.
#[derive(Debug)]
pub struct ActorDictionary {
    actors: Vec<Actor>,
    entity_kinds: Vec<EntityKind>,
    by_name: HashMap<String, usize>,
    equipment: Vec<String>,
    patterns: Vec<Pattern>,
    /// Alias text (lower case) + rule → pattern index, so a later file can
    /// re-point an alias instead of duplicating it.
    pattern_index: HashMap<(String, u8), usize>,
    countries: Vec<Country>,
    adjective_index: HashMap<String, usize>,
    /// Lower-case force nouns ("forces", "jets"), longest first.
    force_nouns: Vec<String>,
    matcher: OnceLock<Matchers>,
}

/// Two automata: exact aliases ("IS", "UN") searched case-sensitively, so
/// that the many "is"/"un" inside ordinary words are never reported, and
/// the other aliases searched ASCII-case-insensitively. Each keeps the
/// pattern indices it was built from.
#[derive(Debug, Clone, Default)]
struct Matchers {
    exact: Option<(AhoCorasick, Vec<usize>)>,
    folded: Option<(AhoCorasick, Vec<usize>)>,
}

impl Default for ActorDictionary {
    fn default() -> Self {
        ActorDictionary {
            actors: Vec::new(),
            entity_kinds: Vec::new(),
            by_name: HashMap::new(),
            equipment: Vec::new(),
            patterns: Vec::new(),
            pattern_index: HashMap::new(),
            countries: Vec::new(),
            adjective_index: HashMap::new(),
            force_nouns: Vec::new(),
            matcher: OnceLock::new(),
        }
    }
}

fn rule_key(rule: CaseRule) -> u8 {
    match rule {
        CaseRule::Exact => 0,
        CaseRule::Capitalised => 1,
        CaseRule::Insensitive => 2,
    }
}

/// Index key of an alias: exact aliases keep their case ("MaT" and "MAT"
/// are two patterns), the others are folded.
fn pattern_key(text: &str, rule: CaseRule) -> String {
    match rule {
        CaseRule::Exact => text.to_string(),
        _ => text.to_lowercase(),
    }
}

/// The entity kind a mention of an actor of this kind gets by default.
pub fn default_entity_kind(kind: ActorKind) -> EntityKind {
    match kind {
        ActorKind::State | ActorKind::GovernmentOfficial => EntityKind::Government,
        ActorKind::StateMilitary | ActorKind::NonStateArmed => EntityKind::Military,
        ActorKind::Media => EntityKind::Media,
        ActorKind::InternationalOrg => EntityKind::InternationalOrg,
        ActorKind::Civilians => EntityKind::Group,
        ActorKind::Other => EntityKind::Organisation,
    }
}

fn parse_entity_kind(s: &str) -> Option<EntityKind> {
    Some(match s.trim() {
        "person" => EntityKind::Person,
        "organisation" | "organization" => EntityKind::Organisation,
        "government" => EntityKind::Government,
        "military" => EntityKind::Military,
        "media" => EntityKind::Media,
        "international_org" => EntityKind::InternationalOrg,
        "group" => EntityKind::Group,
        "equipment" => EntityKind::Equipment,
        _ => return None,
    })
}

/// Spelling variants news use for the same alias: the article "al-" is
/// also written "a-" (assimilated, Syria Direct style) and "el-"; the
/// apostrophe is straight or curly.
fn variants(alias: &str) -> Vec<String> {
    let mut out = vec![alias.to_string()];
    if alias.contains("al-") {
        for alt in ["a-", "el-"] {
            let v = replace_article(alias, alt);
            if v != alias {
                out.push(v);
            }
        }
    }
    let extra: Vec<String> = out
        .iter()
        .filter(|a| a.contains('\''))
        .map(|a| a.replace('\'', "\u{2019}"))
        .collect();
    out.extend(extra);
    out
}

/// Replaces word-initial "al-" (only where a word starts) by `alt`.
fn replace_article(alias: &str, alt: &str) -> String {
    let mut out = String::with_capacity(alias.len());
    let mut i = 0;
    let bytes = alias.as_bytes();
    while i < bytes.len() {
        let word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if word_start && alias[i..].starts_with("al-") {
            out.push_str(alt);
            i += 3;
        } else {
            let c = alias[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn plural(alias: &str) -> Option<String> {
    let last = alias.chars().last()?;
    if !last.is_ascii_lowercase() || last == 's' {
        return None;
    }
    if let Some(stem) = alias.strip_suffix('y') {
        if !stem.ends_with(['a', 'e', 'o', 'u']) {
            return Some(format!("{stem}ies"));
        }
    }
    Some(format!("{alias}s"))
}

/// Lines of a TSV file that carry data: (1-based line number, fields).
fn data_lines(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines().enumerate().filter_map(|(i, line)| {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            None
        } else {
            Some((i + 1, line.split('\t').map(str::trim).collect()))
        }
    })
}

fn split_list(field: Option<&&str>) -> Vec<String> {
    field
        .map(|f| {
            f.split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

impl ActorDictionary {
    /// The built-in dictionary (`data/language/actors.tsv`, `countries.tsv`,
    /// `equipment.tsv`).
    pub fn builtin() -> Self {
        static BUILTIN: OnceLock<ActorDictionary> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                let mut d = ActorDictionary::default();
                // The embedded files are covered by the loader tests.
                d.load_actors_str("data/language/actors.tsv", ACTORS_TSV)
                    .expect("built-in actors.tsv is valid");
                d.load_countries_str("data/language/countries.tsv", COUNTRIES_TSV)
                    .expect("built-in countries.tsv is valid");
                d.load_equipment_str("data/language/equipment.tsv", EQUIPMENT_TSV)
                    .expect("built-in equipment.tsv is valid");
                // Build the automaton once; clones share it.
                let _ = d.matcher();
                d
            })
            .clone()
    }

    /// Adds the actors of a user TSV file (same columns as `actors.tsv`).
    /// An existing canonical name is updated (kind, country, affiliations
    /// replaced when given; aliases added); user aliases take precedence
    /// over built-in ones.
    pub fn load_user_file(&mut self, path: &std::path::Path) -> Result<(), LanguageError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| LanguageError::Dictionary {
            path: name.clone(),
            reason: e.to_string(),
        })?;
        self.load_actors_str(&name, &text)
    }

    /// Parses actor lines from `text`; `source` names the file in errors.
    pub fn load_actors_str(&mut self, source: &str, text: &str) -> Result<(), LanguageError> {
        let err = |line: usize, reason: String| LanguageError::Dictionary {
            path: source.to_string(),
            reason: format!("line {line}: {reason}"),
        };
        for (line, f) in data_lines(text) {
            if f.len() < 5 || f.len() > 6 {
                return Err(err(
                    line,
                    format!(
                        "expected 5 or 6 tab-separated columns (canonical, kind, country, affiliations, aliases[, entity]), found {}",
                        f.len()
                    ),
                ));
            }
            let canonical = f[0];
            if canonical.is_empty() {
                return Err(err(line, "empty canonical name".into()));
            }
            let kind = ActorKind::parse(f[1]).ok_or_else(|| {
                err(
                    line,
                    format!(
                        "unknown kind {:?} (state, state_military, non_state_armed, government_official, media, international_org, civilians, other)",
                        f[1]
                    ),
                )
            })?;
            let country = match f[2] {
                "" => None,
                c if c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()) => {
                    Some(c.to_string())
                }
                c => {
                    return Err(err(
                        line,
                        format!("country {c:?} is not an ISO 3166-1 alpha-2 code"),
                    ))
                }
            };
            let entity = match f.get(5).copied().filter(|s| !s.is_empty()) {
                None => default_entity_kind(kind),
                Some(e) => parse_entity_kind(e)
                    .ok_or_else(|| err(line, format!("unknown entity kind {e:?}")))?,
            };
            let affiliations = split_list(f.get(3));
            let aliases = split_list(f.get(4));
            let idx = self.upsert_actor(canonical, kind, country, affiliations, entity);
            self.add_alias(canonical, Target::Actor(idx));
            for alias in &aliases {
                self.add_alias(alias, Target::Actor(idx));
            }
            let actor = &mut self.actors[idx];
            for alias in aliases {
                if !actor.aliases.contains(&alias) {
                    actor.aliases.push(alias);
                }
            }
        }
        self.matcher = OnceLock::new();
        Ok(())
    }

    fn upsert_actor(
        &mut self,
        canonical: &str,
        kind: ActorKind,
        country: Option<String>,
        affiliations: Vec<String>,
        entity: EntityKind,
    ) -> usize {
        let key = canonical.to_lowercase();
        if let Some(&idx) = self.by_name.get(&key) {
            let a = &mut self.actors[idx];
            a.kind = kind;
            if country.is_some() {
                a.country = country;
            }
            if !affiliations.is_empty() {
                a.affiliations = affiliations;
            }
            self.entity_kinds[idx] = entity;
            return idx;
        }
        self.actors.push(Actor {
            name: canonical.to_string(),
            kind,
            country,
            affiliations,
            aliases: Vec::new(),
        });
        self.entity_kinds.push(entity);
        self.by_name.insert(key, self.actors.len() - 1);
        self.actors.len() - 1
    }

    /// Adds an alias (with its spelling variants). A later alias with the
    /// same text and case rule re-points the existing pattern.
    fn add_alias(&mut self, alias: &str, target: Target) {
        for v in variants(alias) {
            self.add_pattern(v, target, true);
        }
    }

    fn add_pattern(&mut self, text: String, target: Target, replace: bool) {
        let rule = CaseRule::of(&text);
        let key = (pattern_key(&text, rule), rule_key(rule));
        match self.pattern_index.get(&key) {
            Some(&i) if replace => {
                self.patterns[i] = Pattern { text, rule, target };
            }
            Some(_) => {}
            None => {
                self.pattern_index.insert(key, self.patterns.len());
                self.patterns.push(Pattern { text, rule, target });
            }
        }
    }

    /// Countries: state actors, adjectives and "<adjective> <force noun>"
    /// aliases of their militaries.
    fn load_countries_str(&mut self, source: &str, text: &str) -> Result<(), LanguageError> {
        self.force_nouns = data_lines(CUES_TSV)
            .filter(|(_, f)| f.first() == Some(&"force_noun"))
            .filter_map(|(_, f)| f.get(1).map(|n| n.to_lowercase()))
            .collect();
        self.force_nouns.sort_by_key(|n| std::cmp::Reverse(n.len()));
        for (line, f) in data_lines(text) {
            if f.len() < 4 {
                return Err(LanguageError::Dictionary {
                    path: source.to_string(),
                    reason: format!(
                        "line {line}: expected iso2, name, aliases, adjectives[, military]"
                    ),
                });
            }
            let iso2 = f[0].to_string();
            let name = f[1];
            let state = self.upsert_actor(
                name,
                ActorKind::State,
                Some(iso2.clone()),
                Vec::new(),
                EntityKind::Government,
            );
            self.add_alias(name, Target::Actor(state));
            for alias in split_list(f.get(2)) {
                self.add_alias(&alias, Target::Actor(state));
                self.actors[state].aliases.push(alias);
            }
            let adjectives = split_list(f.get(3));
            let military_name = match f.get(4).copied().filter(|s| !s.is_empty()) {
                Some(m) => m.to_string(),
                None => format!(
                    "{} Armed Forces",
                    adjectives.first().map(String::as_str).unwrap_or(name)
                ),
            };
            let military = match self.by_name.get(&military_name.to_lowercase()) {
                Some(&i) => i,
                None => {
                    let i = self.upsert_actor(
                        &military_name,
                        ActorKind::StateMilitary,
                        Some(iso2.clone()),
                        vec![name.to_string()],
                        EntityKind::Military,
                    );
                    self.add_alias(&military_name, Target::Actor(i));
                    i
                }
            };
            let cidx = self.countries.len();
            for adj in &adjectives {
                self.adjective_index.entry(adj.clone()).or_insert(cidx);
                if adj.contains('\'') {
                    self.adjective_index
                        .entry(adj.replace('\'', "\u{2019}"))
                        .or_insert(cidx);
                }
            }
            self.countries.push(Country {
                iso2,
                name: name.to_string(),
                adjectives,
                military,
            });
        }
        self.matcher = OnceLock::new();
        Ok(())
    }

    fn load_equipment_str(&mut self, source: &str, text: &str) -> Result<(), LanguageError> {
        for (line, f) in data_lines(text) {
            if f.len() != 2 || f[0].is_empty() {
                return Err(LanguageError::Dictionary {
                    path: source.to_string(),
                    reason: format!("line {line}: expected canonical, aliases"),
                });
            }
            let idx = self.equipment.len();
            self.equipment.push(f[0].to_string());
            let mut aliases = split_list(f.get(1));
            aliases.push(f[0].to_string());
            for alias in aliases {
                if let Some(p) = plural(&alias) {
                    self.add_pattern(p, Target::Equipment(idx), false);
                }
                self.add_pattern(alias, Target::Equipment(idx), false);
            }
        }
        self.matcher = OnceLock::new();
        Ok(())
    }

    /// Builds the alias automaton now if it is not built yet (see
    /// [`crate::Language::with_user_actors`]).
    pub(crate) fn build_matcher(&self) {
        let _ = self.matcher();
    }

    fn matcher(&self) -> &Matchers {
        self.matcher.get_or_init(|| {
            let build = |exact: bool| {
                let ids: Vec<usize> = (0..self.patterns.len())
                    .filter(|&i| (self.patterns[i].rule == CaseRule::Exact) == exact)
                    .collect();
                let ac = AhoCorasickBuilder::new()
                    .ascii_case_insensitive(!exact)
                    .match_kind(MatchKind::Standard)
                    // A DFA: faster per byte than the NFA on overlapping
                    // search, a few MB for our few thousand aliases.
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(ids.iter().map(|&i| self.patterns[i].text.as_str()))
                    .ok()?;
                Some((ac, ids))
            };
            Matchers {
                exact: build(true),
                folded: build(false),
            }
        })
    }

    /// All dictionary hits in `text`, leftmost-longest among the hits that
    /// pass the case and word-boundary rules, in text order.
    pub fn find_matches(&self, text: &str) -> Vec<DictMatch> {
        // Aliases are written with plain spaces; news text often has
        // no-break or thin spaces. Match on a copy with those replaced and
        // map the offsets back.
        if text.chars().any(|c| c.is_whitespace() && !c.is_ascii()) {
            let mut norm = String::with_capacity(text.len());
            // (position in `norm` after a replaced space, bytes removed so far).
            let mut shifts: Vec<(usize, usize)> = Vec::new();
            let mut removed = 0;
            for c in text.chars() {
                if c.is_whitespace() && !c.is_ascii() {
                    norm.push(' ');
                    removed += c.len_utf8() - 1;
                    shifts.push((norm.len(), removed));
                } else {
                    norm.push(c);
                }
            }
            let map = |p: usize| {
                let k = shifts.partition_point(|&(at, _)| at <= p);
                p + if k == 0 { 0 } else { shifts[k - 1].1 }
            };
            let mut out = self.find_matches_plain(&norm);
            for m in &mut out {
                m.span = Span::new(map(m.span.start), map(m.span.end));
                if let Some(a) = m.adjective.as_mut() {
                    *a = Span::new(map(a.start), map(a.end));
                }
            }
            return out;
        }
        self.find_matches_plain(text)
    }

    fn find_matches_plain(&self, text: &str) -> Vec<DictMatch> {
        let bytes = text.as_bytes();
        let mut cands: Vec<(usize, usize, usize)> = Vec::new();
        let matchers = self.matcher();
        for (ac, ids) in [&matchers.exact, &matchers.folded].into_iter().flatten() {
            for m in ac.find_overlapping_iter(text) {
                let (s, e) = (m.start(), m.end());
                let Some(&pi) = ids.get(m.pattern().as_usize()) else {
                    continue;
                };
                let p = &self.patterns[pi];
                let Some(found) = text.get(s..e) else {
                    continue;
                };
                if !boundary_ok(text, s, e) || !p.rule.accepts(&p.text, found) {
                    continue;
                }
                if p.rule == CaseRule::Exact && found.len() <= 3 && shouting(bytes, s, e) {
                    continue;
                }
                cands.push((s, e, pi));
            }
        }
        // "<country adjective> <force noun>" ("Russian jets", "US forces"):
        // the country's military. Marked with pattern index usize::MAX - k
        // (k = country) and sorted after explicit aliases of the same span,
        // which win ("Russian jets" → Russian Aerospace Forces).
        let adjective_cands = self.adjective_phrases(text);
        let mut all: Vec<(usize, usize, bool, usize, usize)> = cands
            .into_iter()
            .map(|(s, e, pi)| (s, e, false, pi, 0))
            .chain(
                adjective_cands
                    .into_iter()
                    .map(|(s, e, c, l)| (s, e, true, c, l)),
            )
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut out = Vec::new();
        let mut end = 0;
        for (s, e, generated, idx, adj_len) in all {
            if s < end {
                continue;
            }
            if generated {
                out.push(DictMatch {
                    span: Span::new(s, e),
                    target: Target::Actor(self.countries[idx].military),
                    adjective: Some(Span::new(s, s + adj_len)),
                });
            } else {
                let p = &self.patterns[idx];
                out.push(DictMatch {
                    span: Span::new(s, e),
                    target: p.target,
                    adjective: None,
                });
            }
            end = e;
        }
        out
    }

    /// Country adjectives followed by a force noun: (start, end, country,
    /// adjective length).
    fn adjective_phrases(&self, text: &str) -> Vec<(usize, usize, usize, usize)> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let starts_word =
                b.is_ascii_uppercase() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric());
            if !starts_word {
                i += 1;
                continue;
            }
            // The word, with inner periods and apostrophes ("U.S.", "Iran's").
            let mut j = i;
            while j < bytes.len() {
                let c = bytes[j];
                if c.is_ascii_alphanumeric() || c == b'.' || c == b'\'' {
                    j += 1;
                } else if text[j..].starts_with('\u{2019}') {
                    j += '\u{2019}'.len_utf8();
                } else {
                    break;
                }
            }
            let mut word = &text[i..j];
            if !self.adjective_index.contains_key(word) {
                word = word.trim_end_matches('.');
            }
            if !self.adjective_index.contains_key(word) {
                // Two-word adjectives: "South Korean", "United States".
                let next_end = text[j..]
                    .strip_prefix(' ')
                    .filter(|r| r.starts_with(|c: char| c.is_ascii_uppercase()))
                    .map(|r| j + 1 + r.find(|c: char| !c.is_alphanumeric()).unwrap_or(r.len()));
                if let Some(e2) =
                    next_end.filter(|&e2| self.adjective_index.contains_key(&text[i..e2]))
                {
                    word = &text[i..e2];
                }
            }
            if let Some(&country) = self.adjective_index.get(word) {
                let after = i + word.len();
                if let Some(rest) = text[after..].strip_prefix(' ') {
                    let noun = self.force_nouns.iter().find(|n| {
                        rest.len() >= n.len()
                            && rest.is_char_boundary(n.len())
                            && rest[..n.len()].eq_ignore_ascii_case(n)
                            && !rest[n.len()..].starts_with(|c: char| c.is_alphanumeric())
                    });
                    if let Some(n) = noun {
                        out.push((i, after + 1 + n.len(), country, word.len()));
                    }
                }
            }
            i = j.max(i + 1);
        }
        out
    }

    /// The actor a surface form names, applying the case rules
    /// ("IS" → Islamic State, "is" → none).
    pub fn lookup(&self, surface: &str) -> Option<&Actor> {
        let s = surface.trim();
        [
            CaseRule::Exact,
            CaseRule::Capitalised,
            CaseRule::Insensitive,
        ]
        .into_iter()
        .find_map(|rule| {
            let &i = self
                .pattern_index
                .get(&(pattern_key(s, rule), rule_key(rule)))?;
            let p = &self.patterns[i];
            match p.target {
                Target::Actor(a) if p.rule.accepts(&p.text, s) => self.actors.get(a),
                _ => None,
            }
        })
    }

    /// The equipment canonical name a surface form names ("HIMARS").
    pub fn lookup_equipment(&self, surface: &str) -> Option<&str> {
        let s = surface.trim();
        [
            CaseRule::Exact,
            CaseRule::Capitalised,
            CaseRule::Insensitive,
        ]
        .into_iter()
        .find_map(|rule| {
            let &i = self
                .pattern_index
                .get(&(pattern_key(s, rule), rule_key(rule)))?;
            let p = &self.patterns[i];
            match p.target {
                Target::Equipment(e) if p.rule.accepts(&p.text, s) => {
                    self.equipment.get(e).map(String::as_str)
                }
                _ => None,
            }
        })
    }

    /// The actor with this canonical name (case-insensitive).
    pub fn get(&self, canonical: &str) -> Option<&Actor> {
        self.by_name
            .get(&canonical.to_lowercase())
            .map(|&i| &self.actors[i])
    }

    /// Actor by index (from a [`Target::Actor`]).
    pub fn actor(&self, idx: usize) -> Option<&Actor> {
        self.actors.get(idx)
    }

    /// The entity kind mentions of this actor get.
    pub fn entity_kind(&self, idx: usize) -> EntityKind {
        self.entity_kinds
            .get(idx)
            .copied()
            .unwrap_or(EntityKind::Organisation)
    }

    /// Equipment canonical name by index (from a [`Target::Equipment`]).
    pub fn equipment_name(&self, idx: usize) -> Option<&str> {
        self.equipment.get(idx).map(String::as_str)
    }

    /// All actors.
    pub fn iter(&self) -> impl Iterator<Item = &Actor> {
        self.actors.iter()
    }

    pub fn len(&self) -> usize {
        self.actors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.actors.is_empty()
    }

    /// Number of alias patterns (all spellings, generated ones included).
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// The country an adjective or possessive names ("Russian", "Iran's").
    pub fn country_by_adjective(&self, word: &str) -> Option<&Country> {
        self.adjective_index.get(word).map(|&i| &self.countries[i])
    }

    /// All countries.
    pub fn countries(&self) -> &[Country] {
        &self.countries
    }

    /// True when `a` is `b` or (transitively, a few steps) affiliated with it.
    pub fn affiliated(&self, a: &str, b: &str) -> bool {
        let mut frontier = vec![a.to_string()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for name in &frontier {
                if name.eq_ignore_ascii_case(b) {
                    return true;
                }
                if let Some(actor) = self.get(name) {
                    next.extend(actor.affiliations.iter().cloned());
                }
            }
            if next.is_empty() {
                return false;
            }
            frontier = next;
        }
        false
    }
}

impl Clone for ActorDictionary {
    fn clone(&self) -> Self {
        let matcher = OnceLock::new();
        if let Some(m) = self.matcher.get() {
            let _ = matcher.set(m.clone());
        }
        ActorDictionary {
            actors: self.actors.clone(),
            entity_kinds: self.entity_kinds.clone(),
            by_name: self.by_name.clone(),
            equipment: self.equipment.clone(),
            patterns: self.patterns.clone(),
            pattern_index: self.pattern_index.clone(),
            countries: self.countries.clone(),
            adjective_index: self.adjective_index.clone(),
            force_nouns: self.force_nouns.clone(),
            matcher,
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Word boundaries: no letter or digit touches the match; a hyphen before
/// it counts as a boundary only after an upper-case or non-letter word
/// ("US-led" yes, "pro-Assad" no).
fn boundary_ok(text: &str, s: usize, e: usize) -> bool {
    let before = text[..s].chars().next_back();
    let after = text[e..].chars().next();
    if before.is_some_and(is_word_char) || after.is_some_and(is_word_char) {
        return false;
    }
    if before == Some('-') {
        let prev = text[..s - 1].chars().next_back();
        if prev.is_some_and(|c| c.is_lowercase()) {
            return false;
        }
    }
    true
}

/// True when the words on both sides of a short exact match are all
/// capitals: a headline in capitals, where "IS" or "US" is just a word.
fn shouting(bytes: &[u8], s: usize, e: usize) -> bool {
    let prev_word = {
        let mut i = s;
        while i > 0 && bytes[i - 1] == b' ' {
            i -= 1;
        }
        let end = i;
        while i > 0 && bytes[i - 1].is_ascii_alphabetic() {
            i -= 1;
        }
        &bytes[i..end]
    };
    let next_word = {
        let mut i = e;
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        &bytes[start..i]
    };
    let caps = |w: &[u8]| w.len() >= 2 && w.iter().all(u8::is_ascii_uppercase);
    caps(prev_word) && caps(next_word)
}

/// Cue lists from `data/language/cues.tsv`, by category.
pub(crate) fn cue_entries(
    category: &str,
) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    data_lines(CUES_TSV)
        .filter(move |(_, f)| f.first() == Some(&category))
        .filter_map(|(_, f)| Some((*f.get(1)?, f.get(2).copied().unwrap_or(""))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_rules() {
        assert_eq!(CaseRule::of("IS"), CaseRule::Exact);
        assert_eq!(CaseRule::of("MoD"), CaseRule::Exact);
        assert_eq!(CaseRule::of("Isis"), CaseRule::Capitalised);
        assert_eq!(CaseRule::of("Islamic State"), CaseRule::Capitalised);
        assert_eq!(CaseRule::of("al-Qaeda"), CaseRule::Insensitive);
        assert_eq!(CaseRule::of("pro-regime forces"), CaseRule::Insensitive);
    }

    #[test]
    fn variants_cover_article_and_apostrophe() {
        let v = variants("Maghawir al-Thawra");
        assert!(v.contains(&"Maghawir a-Thawra".to_string()));
        let v = variants("Kata'ib Hezbollah");
        assert!(v.contains(&"Kata\u{2019}ib Hezbollah".to_string()));
        assert_eq!(replace_article("Hashd al-Shaabi", "a-"), "Hashd a-Shaabi");
    }

    #[test]
    fn plurals() {
        assert_eq!(plural("tank").as_deref(), Some("tanks"));
        assert_eq!(plural("artillery").as_deref(), Some("artilleries"));
        assert_eq!(plural("HIMARS"), None);
    }
}
