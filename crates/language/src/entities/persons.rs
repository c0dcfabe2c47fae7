//! Persons: names with titles, ranks and appositive roles.

use super::tokens::{is_all_caps, is_capitalised, same_line_gap, strip_possessive};
use super::{Ctx, TitleKind, NONE};
use sitrep_model::{ActorKind, EntityKind, EntityMention, Span};
use std::collections::HashMap;

/// Lower-case name particles allowed inside a name ("Staffan de Mistura").
const PARTICLES: &[&str] = &[
    "bin", "ibn", "bint", "de", "van", "von", "der", "den", "da", "di", "du", "la", "le", "el",
    "al", "ul", "dos", "das",
];

/// Words that end a backward scan for a role before a name: clause
/// connectives, verbs of saying, articles and pronouns.
const ROLE_STOP: &[&str] = &[
    "and",
    "or",
    "but",
    "said",
    "says",
    "say",
    "told",
    "tells",
    "that",
    "which",
    "who",
    "whom",
    "whose",
    "by",
    "with",
    "as",
    "was",
    "is",
    "were",
    "are",
    "be",
    "been",
    "has",
    "have",
    "had",
    "will",
    "would",
    "could",
    "should",
    "may",
    "might",
    "can",
    "according",
    "when",
    "while",
    "after",
    "before",
    "since",
    "like",
    "including",
    "between",
    "than",
    "also",
    "a",
    "an",
    "the",
    "this",
    "these",
    "those",
    "his",
    "her",
    "their",
    "its",
    "our",
    "my",
    "it",
    "he",
    "she",
    "they",
    "we",
    "not",
    "added",
    "met",
    "meet",
    "called",
    "named",
    "led",
    "where",
    "if",
    "because",
    "though",
    "although",
];

/// Leading function words dropped from a role ("to expert in ..." → "expert in ...").
const ROLE_LEAD_DROP: &[&str] = &[
    "to", "of", "for", "in", "at", "on", "from", "the", "a", "an", "with",
];

/// Punctuation that bounds an appositive.
const APPOS_BOUND: &[char] = &[
    ',', ';', ':', '.', '!', '?', '“', '”', '"', '(', ')', '—', '–', '[', ']', '‘', '’', '«', '»',
];

const SPEECH_AFTER_NAME: &[&str] = &[
    "said",
    "says",
    "told",
    "tells",
    "added",
    "stated",
    "noted",
    "warned",
    "explained",
    "wrote",
    "claimed",
    "denied",
];

struct Name {
    /// Token indices of the name words (initials include their period).
    parts: Vec<usize>,
    span: Span,
    has_initial: bool,
    /// A dictionary person mention inside the name.
    dict_person: Option<usize>,
    /// Token index after the name.
    next: usize,
}

fn parse_name(ctx: &Ctx, ments: &[EntityMention], start: usize) -> Option<Name> {
    let (text, toks, lex) = (ctx.text, &ctx.toks, ctx.lex);
    let n = toks.len();
    let mut parts: Vec<usize> = Vec::new();
    let mut end = 0;
    let mut name_end = 0;
    let mut has_initial = false;
    let mut dict_person = None;
    let mut k = start;
    while k < n && parts.len() < 5 {
        let t = toks[k];
        // An editorial bracket inside a name: "[US President Donald] Trump".
        if !parts.is_empty()
            && t.start == end
            && ctx.is_punct(k, &[']'])
            && k + 1 < n
            && toks[k + 1].word
            && is_capitalised(ctx.word(k + 1))
        {
            end = t.end;
            k += 1;
            continue;
        }
        if !parts.is_empty() && !same_line_gap(text, end, t.start) {
            break;
        }
        if !t.word {
            break;
        }
        let w = t.text(text);
        if ctx.cover[k] != NONE {
            let m = ctx.cover[k] as usize;
            if ments[m].kind != EntityKind::Person || dict_person.is_some() {
                break;
            }
            dict_person = Some(m);
            parts.push(k);
            end = ments[m].span.end;
            name_end = end;
            k = ctx.tok_at(end);
            continue;
        }
        let single_cap = w.len() == 1 && w.chars().all(|c| c.is_ascii_uppercase());
        if single_cap
            && !parts.is_empty()
            && k + 1 < n
            && ctx.is_punct(k + 1, &['.'])
            && toks[k + 1].start == t.end
        {
            has_initial = true;
            parts.push(k);
            end = toks[k + 1].end;
            name_end = end;
            k += 2;
            continue;
        }
        if PARTICLES.contains(&w)
            && !parts.is_empty()
            && k + 1 < n
            && toks[k + 1].word
            && is_capitalised(ctx.word(k + 1))
        {
            parts.push(k);
            end = t.end;
            name_end = end;
            k += 1;
            continue;
        }
        let bare = strip_possessive(w);
        if is_capitalised(w)
            && !lex.not_names.contains(bare)
            && !lex.is_role_noun(&super::lower_cow(bare))
            && !is_all_caps(bare)
            && !lex.org_heads.contains_key(bare)
            && lex.title_at(text, t.start).is_none_or(|(_, kind)| {
                parts.is_empty() && kind == TitleKind::Honorific && lex.first_names.contains(bare)
            })
        {
            parts.push(k);
            k += 1;
            if bare.len() != w.len() {
                name_end = t.start + bare.len();
                break;
            }
            end = t.end;
            name_end = end;
            continue;
        }
        break;
    }
    // Trailing particles are not part of a name.
    while parts
        .last()
        .is_some_and(|&p| PARTICLES.contains(&ctx.word(p)))
    {
        parts.pop();
        if let Some(&p) = parts.last() {
            name_end = toks[p].end;
        }
    }
    let first = *parts.first()?;
    let span = Span::new(toks[first].start, name_end.max(toks[first].start));
    Some(Name {
        parts,
        span,
        has_initial,
        dict_person,
        next: k,
    })
}

/// The name as canonical text: parts joined by single spaces, brackets
/// and possessives removed.
fn canonical(ctx: &Ctx, ments: &[EntityMention], name: &Name) -> String {
    let mut out = String::new();
    for &p in &name.parts {
        let t = ctx.toks[p];
        let w = if ctx.cover[p] != NONE {
            ments[ctx.cover[p] as usize].span.slice(ctx.text)
        } else {
            strip_possessive(t.text(ctx.text))
        };
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
        if w.len() == 1
            && p + 1 < ctx.toks.len()
            && ctx.is_punct(p + 1, &['.'])
            && ctx.toks[p + 1].start == t.end
        {
            out.push('.');
        }
    }
    out
}

/// Words before `first` (same clause) that make a role: "US Army",
/// "expert in Middle Eastern studies", "US Syria envoy". Returns the byte
/// start and whether a role noun is among them, whether all words are
/// capitalised (organisation or country modifiers).
fn prenominal(ctx: &Ctx, first: usize) -> Option<(usize, bool, bool)> {
    let mut b = first;
    let mut start_tok = first;
    let mut count = 0;
    while b > 0 && count < 8 {
        let t = ctx.toks[b - 1];
        if !t.word || !same_line_gap(ctx.text, t.end, ctx.toks[b].start) {
            break;
        }
        let lw = super::lower_cow(t.text(ctx.text));
        if ROLE_STOP.contains(&lw.as_ref()) || ctx.lex.speech.contains_key(lw.as_ref()) {
            break;
        }
        b -= 1;
        start_tok = b;
        count += 1;
    }
    while start_tok < first && ROLE_LEAD_DROP.contains(&ctx.lower(start_tok).as_ref()) {
        start_tok += 1;
    }
    if start_tok >= first {
        return None;
    }
    // "a fellow at Chatham House": the name is the object of a preposition.
    if ["at", "of", "for", "in", "with", "from", "to", "on", "by"]
        .contains(&ctx.lower(first - 1).as_ref())
    {
        return None;
    }
    let words = start_tok..first;
    let has_role = words.clone().any(|i| ctx.lex.is_role_noun(&ctx.lower(i)));
    let all_caps_mods = words.clone().all(|i| is_capitalised(ctx.word(i)));
    Some((ctx.toks[start_tok].start, has_role, all_caps_mods))
}

/// ", <role>," before the name: "head of the task force in the
/// north, Brig. Gen. ...". Returns the role text.
fn appositive_before(ctx: &Ctx, first: usize) -> Option<String> {
    if first < 2 || !ctx.is_punct(first - 1, &[',']) {
        return None;
    }
    let end_tok = first - 1;
    let mut b = end_tok;
    while b > 0 && end_tok - b < 16 {
        let t = ctx.toks[b - 1];
        if !t.word && ctx.is_punct(b - 1, APPOS_BOUND) {
            break;
        }
        if t.word && ctx.lex.speech.contains_key(ctx.lower(b - 1).as_ref()) {
            return None;
        }
        b -= 1;
    }
    if b == end_tok || end_tok - b >= 16 {
        return None;
    }
    let mut s = b;
    while s < end_tok && ["a", "an", "the", "and"].contains(&ctx.lower(s).as_ref()) {
        s += 1;
    }
    let role_at =
        (s..end_tok).find(|&i| ctx.toks[i].word && ctx.lex.is_role_noun(&ctx.lower(i)))?;
    // "troops loyal to the country's president, Bashar al-Assad": the role is
    // the noun phrase of the role noun, from its last article on.
    if let Some(d) = (s..role_at)
        .rev()
        .find(|&i| ["the", "a", "an"].contains(&ctx.lower(i).as_ref()))
    {
        s = d + 1;
    }
    Some(ctx.text[ctx.toks[s].start..ctx.toks[end_tok - 1].end].to_string())
}

/// ", a/an/the <role>" after the name: "Ali Rizk, an expert in ...".
fn appositive_after(ctx: &Ctx, next: usize) -> Option<String> {
    let n = ctx.toks.len();
    if next >= n || !ctx.is_punct(next, &[',']) {
        return None;
    }
    let mut s = next + 1;
    if s < n && ["a", "an", "the"].contains(&ctx.lower(s).as_ref()) {
        s += 1;
    }
    let mut e = s;
    while e < n && e - s < 16 {
        let t = ctx.toks[e];
        if !t.word && ctx.is_punct(e, APPOS_BOUND) {
            break;
        }
        if e > s && !same_line_gap(ctx.text, ctx.toks[e - 1].end, t.start) {
            break;
        }
        if t.word && ctx.lex.speech.contains_key(ctx.lower(e).as_ref()) {
            break;
        }
        e += 1;
    }
    if e == s || e - s >= 16 {
        return None;
    }
    let role_early =
        (s..e.min(s + 4)).any(|i| ctx.toks[i].word && ctx.lex.is_role_noun(&ctx.lower(i)));
    if !role_early {
        return None;
    }
    Some(ctx.text[ctx.toks[s].start..ctx.toks[e - 1].end].to_string())
}

/// Collapses runs of whitespace (no-break spaces included) to one space.
pub(crate) fn squash_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn followed_by_speech(ctx: &Ctx, next: usize) -> bool {
    next < ctx.toks.len() && ctx.toks[next].word && SPEECH_AFTER_NAME.contains(&ctx.word(next))
}

/// "a commander with Maghawir a-Sahraa told": after a preposition a
/// capitalised pair before a reporting verb is more likely a group.
fn after_preposition(ctx: &Ctx, first: usize) -> bool {
    first > 0
        && ctx.toks[first - 1].word
        && [
            "with", "of", "from", "in", "at", "for", "to", "within", "by",
        ]
        .contains(&ctx.word(first - 1))
}

fn preceded_by_byline(ctx: &Ctx, first: usize) -> bool {
    first > 0 && ctx.toks[first - 1].word && ctx.word(first - 1).ends_with("By")
}

/// Country of a role ("US Army Maj. Gen." → US) from its first country
/// adjective or state name.
fn role_country(ctx: &Ctx, role: &str) -> Option<String> {
    role.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '\u{2019}' || c == '.'))
        .find_map(|w| {
            if let Some(c) = ctx.actors.country_by_adjective(w) {
                return Some(c.iso2.clone());
            }
            let base = strip_possessive(w);
            ctx.actors
                .lookup(base)
                .filter(|a| a.kind == ActorKind::State)
                .and_then(|a| a.country.clone())
        })
}

pub(super) fn find(ctx: &mut Ctx, ments: &mut Vec<EntityMention>) {
    let n = ctx.toks.len();
    let mut i = 0;
    while i < n {
        let t = ctx.toks[i];
        if !t.word || !is_capitalised(t.text(ctx.text)) {
            i += 1;
            continue;
        }
        let covered_person =
            ctx.cover[i] != NONE && ments[ctx.cover[i] as usize].kind == EntityKind::Person;
        if ctx.cover[i] != NONE && !covered_person {
            i += 1;
            continue;
        }
        // Title chain: "Col. Gen.", "Lieutenant General", "Secretary of State".
        let mut j = i;
        let mut title_end = None;
        while j < n && ctx.cover[j] == NONE {
            let Some((len, kind)) = ctx.lex.title_at(ctx.text, ctx.toks[j].start) else {
                break;
            };
            let end = ctx.toks[j].start + len;
            let k = ctx.tok_at(end);
            let next_is_name = k < n
                && ctx.toks[k].word
                && is_capitalised(ctx.word(k))
                && same_line_gap(ctx.text, end, ctx.toks[k].start);
            // A given name that doubles as a title ("Amir", "Sultan") is a
            // name when a full name follows.
            let title_word = &ctx.text[ctx.toks[j].start..end];
            if !next_is_name
                || (kind == TitleKind::Honorific && ctx.lex.first_names.contains(title_word))
            {
                break;
            }
            title_end = Some(end);
            j = k;
        }
        let Some(name) = parse_name(ctx, ments, j) else {
            i = j.max(i + 1);
            continue;
        };
        let has_title = title_end.is_some();
        let first_tok = i;
        let name_words = name.parts.len();
        // Most candidates are single capitalised words: no title, no cue needed.
        if !has_title && name.dict_person.is_none() && name_words < 2 {
            i = name.next.max(i + 1);
            continue;
        }
        let first_word = ctx.word(name.parts[0]);
        let pre = prenominal(ctx, first_tok);
        let after = appositive_after(ctx, name.next);
        let name_ends_clause = name.next >= n
            || ctx.is_punct(name.next, &[',', ')', '.'])
            || followed_by_speech(ctx, name.next);
        let lead_tok0 = match pre {
            Some((s, has_role, caps)) if has_role || (has_title && caps) => ctx.tok_at(s),
            _ => first_tok,
        };
        let before = if name_ends_clause {
            appositive_before(ctx, lead_tok0)
        } else {
            None
        };
        let cue = ctx.lex.first_names.contains(first_word)
            || before.is_some()
            || name.has_initial
            || after.is_some()
            || (followed_by_speech(ctx, name.next) && !after_preposition(ctx, first_tok))
            || pre.is_some_and(|p| p.1)
            || preceded_by_byline(ctx, first_tok);
        let accept = name.dict_person.is_some()
            || (has_title && name_words >= 1)
            || (name_words >= 2 && cue);
        if !accept {
            i = name.next.max(i + 1);
            continue;
        }
        // Role: prefix + titles, then appositives.
        let mut roles: Vec<String> = Vec::new();
        let pre_start = match pre {
            Some((s, has_role, caps)) if has_role || (has_title && caps) => Some(s),
            _ => None,
        };
        let lead_start = pre_start.unwrap_or(ctx.toks[first_tok].start);
        if let Some(te) = title_end {
            roles.push(ctx.text[lead_start..te].to_string());
        } else if let Some(s) = pre_start {
            roles.push(
                ctx.text[s..ctx.toks[first_tok].start]
                    .trim_end()
                    .to_string(),
            );
        }
        if let Some(r) = before {
            roles.push(r);
        }
        if let Some(r) = after {
            roles.push(r);
        }
        let role = if roles.is_empty() {
            None
        } else {
            Some(squash_spaces(&roles.join(", ")))
        };
        match name.dict_person {
            Some(m) => {
                let mention = &mut ments[m];
                if name.span.start < mention.span.start || name.span.end > mention.span.end {
                    // "[US President Donald] Trump": widen the dictionary mention.
                    mention.span = Span::new(
                        name.span.start.min(mention.span.start),
                        name.span.end.max(mention.span.end),
                    );
                }
                if role.is_some() {
                    mention.role = role;
                }
                let span = mention.span;
                ctx.mark(span, m);
            }
            None => {
                let country = role.as_deref().and_then(|r| role_country(ctx, r));
                let em = EntityMention {
                    span: name.span,
                    kind: EntityKind::Person,
                    canonical: canonical(ctx, ments, &name),
                    actor_kind: None,
                    country,
                    role,
                };
                ctx.mark(name.span, ments.len());
                ments.push(em);
            }
        }
        i = name.next.max(i + 1);
    }
    merge_single_names(ctx, ments);
}

/// A one-word name found after a title ("Colonel Dillon", "President
/// Donald") takes the full name of the only person in the document or the
/// dictionary that it can be part of.
fn merge_single_names(ctx: &Ctx, ments: &mut [EntityMention]) {
    let full: Vec<String> = ments
        .iter()
        .filter(|m| m.kind == EntityKind::Person && m.canonical.contains(' '))
        .map(|m| m.canonical.clone())
        .collect();
    for m in ments.iter_mut() {
        if m.kind != EntityKind::Person || m.canonical.contains(' ') || m.actor_kind.is_some() {
            continue;
        }
        let w = m.canonical.clone();
        // A surname fits any full name ending with it; a given name only a
        // full name whose rest follows in the text ("[US President
        // Donald] Trump").
        let after = ctx.text[m.span.end..].trim_start_matches([']', ' ', '\u{a0}']);
        let fits = |c: &str| {
            c.split(' ').next_back() == Some(w.as_str())
                || c.strip_prefix(w.as_str())
                    .and_then(|rest| rest.strip_prefix(' '))
                    .is_some_and(|rest| after.starts_with(rest))
        };
        let mut found: Vec<&str> = full
            .iter()
            .map(String::as_str)
            .filter(|c| fits(c))
            .collect();
        found.dedup();
        if found.len() == 1 {
            m.canonical = found[0].to_string();
            continue;
        }
        let dict: Vec<_> = ctx
            .actors
            .iter()
            .filter(|a| a.name.contains(' ') && fits(&a.name) && ctx.actors.get(&a.name).is_some())
            .filter(|a| a.kind != ActorKind::State)
            .collect();
        if dict.len() == 1 {
            m.canonical = dict[0].name.clone();
            m.actor_kind = Some(dict[0].kind);
            m.country = m.country.take().or_else(|| dict[0].country.clone());
        }
    }
}

/// Lone surnames ("Rizk", "Dillon's") of persons named in full elsewhere
/// in the document.
pub(super) fn short_mentions(ctx: &mut Ctx, ments: &mut Vec<EntityMention>) {
    let mut by_last: HashMap<String, (String, Option<String>)> = HashMap::new();
    for m in ments.iter() {
        if m.kind != EntityKind::Person || m.actor_kind.is_some() {
            continue;
        }
        if let Some(last) = m
            .canonical
            .rsplit(' ')
            .next()
            .filter(|_| m.canonical.contains(' '))
        {
            by_last
                .entry(last.to_string())
                .or_insert_with(|| (m.canonical.clone(), m.country.clone()));
        }
    }
    if by_last.is_empty() {
        return;
    }
    for i in 0..ctx.toks.len() {
        let t = ctx.toks[i];
        if !t.word || ctx.cover[i] != NONE {
            continue;
        }
        let w = t.text(ctx.text);
        let bare = strip_possessive(w);
        if !is_capitalised(bare) {
            continue;
        }
        if let Some((canonical, country)) = by_last.get(bare) {
            let span = Span::new(t.start, t.start + bare.len());
            ctx.cover[i] = ments.len() as u32;
            ments.push(EntityMention {
                span,
                kind: EntityKind::Person,
                canonical: canonical.clone(),
                actor_kind: None,
                country: country.clone(),
                role: None,
            });
        }
    }
}
