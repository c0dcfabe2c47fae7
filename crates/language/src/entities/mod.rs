//! Entities: dictionary actors, persons with ranks, titles and roles,
//! unknown organisations and equipment.
//!
//! Passes, all over one token stream:
//! 1. the actor dictionary's matches (actors, equipment, and "<country
//!    adjective> <force noun>" phrases such as "US jets", "Russian forces",
//!    "Iranian drone strikes", which name that country's military actor),
//!    see [`crate::actors`]; "Syrian and Russian jets" also credits the
//!    first adjective's country military;
//! 2. persons ([`persons`]): a capitalised name after a title chain
//!    ("Col. Gen.", "US Secretary of State"), or a name of two or more
//!    capitalised words with a cue (a known first name, a middle initial, an
//!    appositive role, a role noun before it, a reporting verb after it).
//!    The canonical name is the name without title; the role joins the
//!    title (with its organisation prefix) and appositives;
//! 3. unknown organisations ([`orgs`]): capitalised runs ending in an
//!    organisation head ("Institute", "Brigade", "Media Center") or starting
//!    with "Ministry of", "Army of" ...;
//! 4. short mentions: a lone surname ("Dillon") resolves to the full name
//!    found in the same document.

mod lexicon;
mod orgs;
mod persons;
pub mod tokens;

pub use lexicon::{Lexicon, TitleKind};

use crate::actors::{DictMatch, Target};
use crate::ActorDictionary;
use sitrep_model::{EntityKind, EntityMention, Sentence, Span};
use std::borrow::Cow;
use tokens::{tokenize, Tok};

/// Parses the word lists now ([`crate::warm_up`]).
pub(crate) fn warm_up() {
    lexicon::Lexicon::get();
}

/// No mention covers this token.
const NONE: u32 = u32::MAX;

/// Shared state of the passes.
pub(crate) struct Ctx<'a> {
    pub text: &'a str,
    pub toks: Vec<Tok>,
    /// Per token: index of the mention covering it, or [`NONE`].
    pub cover: Vec<u32>,
    pub lex: &'static Lexicon,
    pub actors: &'a ActorDictionary,
}

/// `w` in lower case, borrowed when it has no capital.
pub(crate) fn lower_cow(w: &str) -> Cow<'_, str> {
    if w.chars().any(char::is_uppercase) {
        Cow::Owned(w.to_lowercase())
    } else {
        Cow::Borrowed(w)
    }
}

impl<'a> Ctx<'a> {
    pub fn word(&self, i: usize) -> &'a str {
        self.toks[i].text(self.text)
    }
    /// The word in lower case, borrowed when it already is.
    pub fn lower(&self, i: usize) -> Cow<'a, str> {
        lower_cow(self.toks[i].text(self.text))
    }
    pub fn is_punct(&self, i: usize, chars: &[char]) -> bool {
        let t = self.toks[i];
        !t.word
            && self.text[t.start..t.end]
                .chars()
                .next()
                .is_some_and(|c| chars.contains(&c))
    }
    /// Index of the first token starting at or after byte `at`.
    pub fn tok_at(&self, at: usize) -> usize {
        self.toks.partition_point(|t| t.start < at)
    }
    pub fn covered(&self, i: usize) -> bool {
        self.cover[i] != NONE
    }
    fn mark(&mut self, span: Span, mention: usize) {
        let first = self.tok_at(span.start);
        for i in first..self.toks.len() {
            if self.toks[i].start >= span.end {
                break;
            }
            self.cover[i] = mention as u32;
        }
    }
}

/// Finds the entities of a text. `sentences` may be empty (the passes
/// work on the token stream; sentence boundaries only bound appositives,
/// which punctuation does as well).
pub fn find(text: &str, sentences: &[Sentence], actors: &ActorDictionary) -> Vec<EntityMention> {
    let _ = sentences;
    let dict = actors.find_matches(text);
    let toks = tokenize(text);
    let n = toks.len();
    let mut ctx = Ctx {
        text,
        toks,
        cover: vec![NONE; n],
        lex: Lexicon::get(),
        actors,
    };
    let mut ments: Vec<EntityMention> = Vec::with_capacity(dict.len() + 16);
    for m in &dict {
        if let Some(em) = dict_mention(actors, m) {
            if let Some(adj) = coordinated_adjective(text, actors, m) {
                // "US and British jets": the "US" already matched as the
                // state gives way to the US military.
                for old in ments.iter_mut().filter(|o| o.span == adj.span) {
                    old.span = Span::new(old.span.start, old.span.start);
                }
                ctx.mark(adj.span, ments.len());
                ments.push(adj);
            }
            ctx.mark(m.span, ments.len());
            ments.push(em);
        }
    }
    persons::find(&mut ctx, &mut ments);
    orgs::find(&mut ctx, &mut ments);
    persons::short_mentions(&mut ctx, &mut ments);
    ments.sort_by(|a, b| {
        a.span
            .start
            .cmp(&b.span.start)
            .then(b.span.end.cmp(&a.span.end))
    });
    // Later passes never overlap earlier ones (they skip covered tokens);
    // a replaced mention is left with an empty span and dropped here.
    ments.retain(|m| !m.span.is_empty());
    ments
}

fn dict_mention(actors: &ActorDictionary, m: &DictMatch) -> Option<EntityMention> {
    Some(match m.target {
        Target::Actor(i) => {
            let a = actors.actor(i)?;
            EntityMention {
                span: m.span,
                kind: actors.entity_kind(i),
                canonical: a.name.clone(),
                actor_kind: Some(a.kind),
                country: a.country.clone(),
                role: None,
            }
        }
        Target::Equipment(i) => EntityMention {
            span: m.span,
            kind: EntityKind::Equipment,
            canonical: actors.equipment_name(i)?.to_string(),
            actor_kind: None,
            country: None,
            role: None,
        },
    })
}

/// "Syrian and Russian jets", "Syrian, Iranian and Russian forces": the
/// adjective before a generated "<adjective> <force noun>" match names a
/// second country's military.
fn coordinated_adjective(
    text: &str,
    actors: &ActorDictionary,
    m: &DictMatch,
) -> Option<EntityMention> {
    // The match must itself start with a country adjective ("Russian jets").
    let first = m
        .span
        .slice(text)
        .split([' ', '\u{a0}'])
        .next()
        .unwrap_or("");
    if m.adjective.is_none() && actors.country_by_adjective(first).is_none() {
        return None;
    }
    let before = text[..m.span.start].trim_end();
    let before = before
        .strip_suffix(" and")
        .or_else(|| before.strip_suffix(" or"))
        .or_else(|| before.strip_suffix(','))?
        .trim_end();
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '.'))
        .map_or(0, |i| i + 1);
    let word = &before[start..];
    let country = actors.country_by_adjective(word)?;
    let a = actors.actor(country.military)?;
    Some(EntityMention {
        span: Span::new(start, start + word.len()),
        kind: actors.entity_kind(country.military),
        canonical: a.name.clone(),
        actor_kind: Some(a.kind),
        country: a.country.clone(),
        role: None,
    })
}

/// Mentions of one canonical actor or person, for tests and callers that
/// want to check identity ("Daesh", "ISIS", "IS" → "Islamic State").
pub fn canonicals(mentions: &[EntityMention]) -> Vec<&str> {
    let mut v: Vec<&str> = mentions.iter().map(|m| m.canonical.as_str()).collect();
    v.sort_unstable();
    v.dedup();
    v
}
