//! Per-document extraction: triggers → coding → frames → completion from
//! context.

use std::borrow::Cow;

use chrono::{Days, NaiveDate};
use sitrep_model::{
    AcledType, ActorKind, ActorRole, Analysis, CasualtyKind, CharIndex, ClaimedBy, Coding,
    DateRange, Document, EntityKind, EntityMention, EventActor, EventMention, EventQuantity,
    GeoAnalysis, GeoPrecision, Location, Plover, Sentence, Span, Stance, TimePrecision,
};

use crate::coding::{self, Coded, Context, CueHit};
use crate::lexicon::{acled_event_type, tokenize, Cue, Hit, Lexicon, Mode, Needed, Token, Trigger};
use crate::sentences;

/// Words within which a required cue must occur.
const REQ_WINDOW: usize = 6;
/// Words after a trigger searched for its target.
const TARGET_WINDOW: usize = 6;
/// Words before a trigger searched for conditionals and plans.
const IRREALIS_WINDOW: usize = 8;

/// Words that open a clause stating a separate event.
const CLAUSE_WORDS: [&str; 12] = [
    "while",
    "whereas",
    "although",
    "though",
    "after",
    "before",
    "following",
    "amid",
    "since",
    "because",
    "when",
    "until",
];
/// Words that open a clause only after a comma.
const COMMA_CLAUSE_WORDS: [&str; 5] = ["where", "which", "who", "but", "as"];
const IRREGULAR_PARTICIPLES: [&str; 8] = [
    "hit", "struck", "shot", "fought", "overrun", "set", "held", "caught",
];
/// Not "had": "they had taken control" is an active pluperfect.
const PASSIVE_AUX: [&str; 7] = ["was", "were", "been", "being", "is", "are", "be"];
const PRONOUNS: [&str; 5] = ["he", "she", "they", "it", "we"];
const DEFINITE: [&str; 6] = ["the", "this", "these", "that", "those", "such"];
/// "to" before a trigger marks an infinitive (a plan), except after these.
const TO_EXCEPTIONS: [&str; 10] = [
    "due",
    "owing",
    "prior",
    "according",
    "response",
    "led",
    "related",
    "similar",
    "linked",
    "thanks",
];
/// Units that measure distance, area or time rather than counting what an
/// event involved.
const NON_EVENT_UNITS: [&str; 20] = [
    "km",
    "kilometer",
    "kilometre",
    "mile",
    "meter",
    "metre",
    "m",
    "square km",
    "year",
    "month",
    "week",
    "day",
    "hour",
    "minute",
    "percent",
    "%",
    "km2",
    "sq km",
    "square kilometer",
    "square kilometre",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Src {
    Own,
    Neighbour,
    Document,
    Missing,
}

struct Pending {
    m: EventMention,
    sentence: usize,
    paragraph: u32,
    /// The sentence opens with a pronoun ("He called for ..."): it goes on
    /// from the one before.
    pronoun_start: bool,
    time_src: Src,
    place_src: Src,
    anaphoric: bool,
}

struct Doc<'a> {
    doc: &'a Document,
    a: &'a Analysis,
    geo: &'a GeoAnalysis,
    text: &'a str,
    lower: String,
    sentences: Cow<'a, [Sentence]>,
    chars: CharIndex,
    doc_date: Option<NaiveDate>,
}

/// Scratch buffers reused across sentences.
#[derive(Default)]
struct Scratch {
    tokens: Vec<Token>,
    hits: Vec<Hit>,
    cue_hits: Vec<Hit>,
    cues: Vec<CueHit>,
}

pub fn run(
    lex: &Lexicon,
    doc: &Document,
    analysis: &Analysis,
    geo: &GeoAnalysis,
) -> Vec<EventMention> {
    let text = doc.text.as_str();
    let sentences = if analysis.sentences.is_empty() {
        Cow::Owned(sentences::split(text))
    } else {
        Cow::Borrowed(analysis.sentences.as_slice())
    };
    let d = Doc {
        doc,
        a: analysis,
        geo,
        text,
        lower: text.to_ascii_lowercase(),
        sentences,
        chars: CharIndex::new(text),
        doc_date: analysis.doc_date.or(doc.published),
    };
    let mut scratch = Scratch::default();
    let mut pending = Vec::new();
    for si in 0..d.sentences.len() {
        sentence_events(lex, &d, si, &mut scratch, &mut pending);
    }
    complete_anaphora(&mut pending);
    pending.into_iter().map(|p| p.m).collect()
}

/// A coded trigger with its frame inputs.
struct Candidate {
    hit: Hit,
    coded: Coded,
    clause: usize,
    voice: Voice,
    /// In a clause that sets the scene ("after the protests", "since the
    /// war began") or tells a consequence (", cutting internet services"):
    /// not the event the sentence reports.
    background: bool,
}

/// Words opening a clause about an earlier or surrounding event.
const BACKGROUND_WORDS: [&str; 5] = ["after", "following", "since", "before", "amid"];

fn sentence_events(lex: &Lexicon, d: &Doc, si: usize, s: &mut Scratch, out: &mut Vec<Pending>) {
    let sent = d.sentences[si];
    s.tokens.clear();
    tokenize(d.text, sent.span.start, sent.span.end, &mut s.tokens);
    if s.tokens.is_empty() {
        return;
    }
    s.hits.clear();
    lex.trigger_matcher
        .find(d.text, &d.lower, &s.tokens, &mut s.hits);
    if s.hits.is_empty() {
        return;
    }
    let tokens = &s.tokens;
    s.cue_hits.clear();
    lex.cue_matcher
        .find(d.text, &d.lower, tokens, &mut s.cue_hits);
    drop_contained_weapons(lex, &mut s.cue_hits);
    s.cues.clear();
    s.cues.extend(s.cue_hits.iter().map(|h| CueHit {
        pattern: h.pattern,
        class: lex.cues[h.pattern].class,
        first: h.first,
        last: h.last,
    }));
    let cues = &s.cues;
    // Triggers whose requirement fails give way before overlaps are settled,
    // so "seized" (a person) can be an abduction where "seized" (a town)
    // cannot be a capture.
    s.hits
        .retain(|h| requirement_distance(&lex.triggers[h.pattern], cues, *h).is_some());
    suppress_overlaps(&mut s.hits, lex, cues);
    let clause_starts = clause_starts(d, tokens);
    let clause_of = |t: usize| clause_starts.partition_point(|&c| c <= t) - 1;
    let clause_range = |c: usize| {
        let end = clause_starts
            .get(c + 1)
            .map_or(tokens.len() - 1, |&n| n - 1);
        (clause_starts[c], end)
    };
    let ents = sentence_entities(d, sent.span, tokens);

    let mut cands: Vec<Candidate> = Vec::new();
    for &hit in &s.hits {
        let t = &lex.triggers[hit.pattern];
        let clause = clause_of(hit.first);
        let cr = clause_range(clause);
        if !realis(d, t, tokens, cues, hit, cr) {
            continue;
        }
        let voice = voice(d, t, tokens, hit, cr);
        let (actor, target) = pick_entities(d, tokens, &ents, t.plover, hit, cr, voice);
        let cx = Context {
            cues,
            trigger: (hit.first, hit.last),
            clause: cr,
            actor_after: matches!(voice, Voice::Passive(_)),
            actor_kind: actor.first().and_then(|e| entity_kind(ents[*e].0)),
            target_kind: target.and_then(|e| entity_kind(ents[e].0)),
        };
        let coded = coding::code(t, &cx);
        // Only the phrase right after the word: "since the war against IS
        // staged a vigil" goes on to the reported event.
        let background =
            cr.0 > 0 && hit.first - cr.0 <= 3 && BACKGROUND_WORDS.contains(&word(d, tokens, cr.0));
        // ", cutting internet services", ", forcing residents to flee": a
        // participle after a comma tells a consequence of the main verb.
        let consequence = hit.first > 0
            && word(d, tokens, hit.first).ends_with("ing")
            && d.text[tokens[hit.first - 1].end..tokens[hit.first].start].contains(',');
        // "The RSF had seized the city in the first weeks": a pluperfect
        // outside reported speech tells what came before the news.
        let pluperfect = (1..=2).any(|k| hit.first >= k && word(d, tokens, hit.first - k) == "had")
            && !cues
                .iter()
                .any(|c| c.class == Cue::Attribution && c.last < hit.first);
        cands.push(Candidate {
            hit,
            coded,
            clause,
            voice,
            background: background || consequence || pluperfect,
        });
    }
    absorb(&mut cands);
    // One mention per clause and category: the strongest trigger codes it,
    // the first one (usually the main verb) anchors its frame.
    cands.sort_by_key(|c| (c.clause, c.coded.plover, c.hit.first));
    let mut i = 0;
    while i < cands.len() {
        let key = (cands[i].clause, cands[i].coded.plover);
        let j = cands[i..]
            .iter()
            .position(|c| (c.clause, c.coded.plover) != key)
            .map_or(cands.len(), |p| i + p);
        let group = &cands[i..j];
        // Among protest codings the gravest wins (a protest that turned
        // violent is a violent demonstration), otherwise the strongest trigger.
        // A coding decided by evidence (a civilian target) beats the
        // fallback of a bare violence verb ("killed 11 people in an attack").
        let strongest = group
            .iter()
            .max_by_key(|c| {
                (
                    protest_severity(c.coded.subtype),
                    !c.background,
                    c.coded.rule != "violence:armed",
                    lex.triggers[c.hit.pattern].priority,
                    std::cmp::Reverse(c.hit.first),
                )
            })
            .unwrap_or(&group[0]);
        out.push(build(
            lex,
            d,
            si,
            tokens,
            cues,
            &ents,
            strongest,
            &group[0],
            clause_range(key.0),
        ));
        i = j;
    }
}

fn protest_severity(subtype: Option<&str>) -> u8 {
    match subtype {
        Some("Excessive force against protesters") => 4,
        Some("Violent demonstration") => 3,
        Some("Protest with intervention") => 2,
        Some("Peaceful protest") => 1,
        _ => 0,
    }
}

/// Keeps the longest of overlapping trigger matches; among equally long
/// ones the one whose required object is nearest ("seized a village chief":
/// a person, so an abduction; "seized the town": a place), then the
/// strongest.
fn suppress_overlaps(hits: &mut Vec<Hit>, lex: &Lexicon, cues: &[CueHit]) {
    hits.sort_by_key(|h| {
        let t = &lex.triggers[h.pattern];
        (
            std::cmp::Reverse(h.last - h.first),
            requirement_distance(t, cues, *h).unwrap_or(usize::MAX),
            std::cmp::Reverse(t.priority),
            h.first,
        )
    });
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for h in hits.iter() {
        if !kept.iter().any(|k| k.first <= h.last && h.first <= k.last) {
            kept.push(*h);
        }
    }
    kept.sort_by_key(|h| h.first);
    *hits = kept;
}

/// A weapon, riot or place cue inside a longer cue does not count on its
/// own ("bomber" in "suicide bomber", "riot" in "riot police", "village" in
/// "village chief").
fn drop_contained_weapons(lex: &Lexicon, hits: &mut Vec<Hit>) {
    let spans: Vec<(usize, usize)> = hits.iter().map(|h| (h.first, h.last)).collect();
    hits.retain(|h| {
        let class = lex.cues[h.pattern].class;
        !(class.is_weapon() || class == Cue::ProtesterViolence || class == Cue::Property)
            || !spans
                .iter()
                .any(|&(f, l)| f <= h.first && h.last <= l && (l - f) > (h.last - h.first))
    });
}

fn in_compound(d: &Doc, tokens: &[Token], hit: Hit) -> bool {
    let t = tokens[hit.first];
    let before = t
        .start
        .checked_sub(1)
        .and_then(|i| d.text.as_bytes().get(i))
        == Some(&b'-');
    let after = d.text.as_bytes().get(tokens[hit.last].end) == Some(&b'-');
    before || after
}

fn clause_starts(d: &Doc, tokens: &[Token]) -> Vec<usize> {
    let mut starts = vec![0];
    for k in 1..tokens.len() {
        let gap = &d.text[tokens[k - 1].end..tokens[k].start];
        let w = &d.lower[tokens[k].start..tokens[k].end];
        let hard = gap.contains([';', ':', '\u{2014}'])
            || gap.contains(" \u{2013} ")
            || gap.contains(" - ");
        if hard
            || CLAUSE_WORDS.contains(&w)
            || (gap.contains(',') && COMMA_CLAUSE_WORDS.contains(&w))
        {
            starts.push(k);
        } else if matches!(w, "which" | "whom") && k >= 3 {
            // ", some of which were intercepted": the clause opens at the comma.
            let of = &d.lower[tokens[k - 1].start..tokens[k - 1].end] == "of";
            let at = (k.saturating_sub(3).max(1)..k - 1)
                .find(|&j| d.text[tokens[j - 1].end..tokens[j].start].contains(','));
            if let (true, Some(j)) = (of, at) {
                starts.push(j);
            }
        }
    }
    starts.sort_unstable();
    starts.dedup();
    starts
}

/// Distance in words from the trigger to its nearest required cue, `None`
/// when the requirement fails. A trigger without requirement counts as
/// distance 3, so an object named right after a conditional reading of the
/// same words ("captured a suspected commander") outranks it.
fn requirement_distance(t: &Trigger, cues: &[CueHit], hit: Hit) -> Option<usize> {
    let Some(req) = t.requires else {
        return Some(3);
    };
    let wanted = |x: Cue| match req.what {
        Needed::Cue(c) => x == c,
        Needed::Weapon => x.is_weapon() || x == Cue::Armed,
    };
    let window = if req.sentence_wide {
        usize::MAX / 4
    } else {
        REQ_WINDOW
    };
    cues.iter()
        .filter(|c| wanted(c.class))
        .filter_map(|c| {
            let d = if c.first > hit.last {
                c.first - hit.last
            } else {
                hit.first.saturating_sub(c.last)
            };
            (d <= window).then_some(d)
        })
        .min()
}

/// Speech acts (threats, accusations, requests) are events in themselves
/// even when their content is about the future.
fn is_speech_act(p: Plover) -> bool {
    matches!(
        p,
        Plover::Threaten | Plover::Accuse | Plover::Request | Plover::Reject | Plover::Support
    )
}

/// False when the trigger does not state that one event occurred:
/// negated, generic/habitual, conditional, planned, requested, infinitive.
fn realis(
    d: &Doc,
    t: &Trigger,
    tokens: &[Token],
    cues: &[CueHit],
    hit: Hit,
    cr: (usize, usize),
) -> bool {
    if t.source.split_whitespace().count() == 1 && in_compound(d, tokens, hit) {
        return false;
    }
    let before =
        |c: &CueHit, n: usize| c.last < hit.first && c.first >= cr.0 && hit.first - c.last <= n;
    if cues
        .iter()
        .any(|c| c.class == Cue::Negation && before(c, 3))
    {
        return false;
    }
    if is_speech_act(t.plover) {
        return true;
    }
    let blocked = cues.iter().any(|c| match c.class {
        // "any movement", "several attacks", "deployment of any": a quantifier
        // right before, or right after "of".
        // "Several Grad rockets fell", "several gunmen attacked": a weapon
        // noun, or people before a past-tense verb, between them makes the
        // quantifier the subject's ("any weapons deployment" stays generic).
        Cue::Generic => {
            let verb = word(d, tokens, hit.first).ends_with("ed")
                || (1..=2).any(|k| {
                    hit.first >= k && PASSIVE_AUX.contains(&word(d, tokens, hit.first - k))
                });
            // "accused of kidnapping", "under the peace deal": a phrase
            // ending in "of" or an article governs only the noun after it.
            let reach = if matches!(word(d, tokens, c.last), "of" | "the" | "a") {
                2
            } else {
                3
            };
            let subject_between = cues.iter().any(|x| {
                x.first > c.last
                    && x.last < hit.first
                    && (x.class.is_weapon()
                        || (verb
                            && matches!(
                                x.class,
                                Cue::Armed | Cue::Civilian | Cue::State | Cue::NonState
                            )))
            });
            (c.last < hit.first && hit.first - c.last <= reach && !subject_between)
                || (c.first == hit.last + 2 && word(d, tokens, hit.last + 1) == "of")
        }
        // "has several times attacked": the whole clause.
        Cue::Habitual => c.first >= cr.0 && c.last <= cr.1,
        // "If they move further, this will be ...": the whole sentence after it.
        Cue::Conditional => c.last < hit.first,
        Cue::Irrealis => before(c, IRREALIS_WINDOW),
        Cue::Request => c.first >= cr.0 && c.last < hit.first,
        _ => false,
    });
    if blocked {
        return false;
    }
    // "gathered to protest" states a protest; "to attack" a plan.
    if t.plover != Plover::Protest && hit.first >= 1 && word(d, tokens, hit.first - 1) == "to" {
        let before_to = hit.first.checked_sub(2).map(|i| word(d, tokens, i));
        if !before_to.is_some_and(|w| TO_EXCEPTIONS.contains(&w)) {
            return false;
        }
    }
    true
}

fn word<'a>(d: &'a Doc, tokens: &[Token], i: usize) -> &'a str {
    &d.lower[tokens[i].start..tokens[i].end]
}

/// Where the actor is: before the trigger (active voice), or after it
/// (`Some(by)`: the "by" token of "was attacked by", "attack by jets";
/// `Some(trigger end)` for "fell to"). A passive without "by" names only
/// the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Voice {
    Active,
    /// Actor after this token (exclusive), if any.
    Passive(Option<usize>),
}

fn voice(d: &Doc, t: &Trigger, tokens: &[Token], hit: Hit, cr: (usize, usize)) -> Voice {
    // "fell to", "fell into the hands of": the taker comes after.
    if t.source.ends_with(" to")
        || t.source.ends_with(" hands of")
        || t.source.ends_with(" control of")
    {
        return Voice::Passive(Some(hit.last));
    }
    let by = (hit.last + 1..=(hit.last + 4).min(cr.1)).find(|&i| word(d, tokens, i) == "by");
    let w = word(d, tokens, hit.first);
    let participle = w.ends_with("ed")
        || w.ends_with("en")
        || w.ends_with("wn")
        || IRREGULAR_PARTICIPLES.contains(&w);
    let passive = participle
        && (1..=2).any(|k| hit.first >= k && PASSIVE_AUX.contains(&word(d, tokens, hit.first - k)));
    match by {
        Some(b) if passive || b <= hit.last + 2 => Voice::Passive(Some(b)),
        _ if passive => Voice::Passive(None),
        _ => Voice::Active,
    }
}

/// Entities of a sentence with their token ranges.
fn sentence_entities<'a>(
    d: &'a Doc,
    span: Span,
    tokens: &[Token],
) -> Vec<(&'a EntityMention, usize, usize)> {
    let mut v = Vec::new();
    for e in &d.a.entities {
        if !span.contains(e.span) || e.span.is_empty() {
            continue;
        }
        let first = tokens.partition_point(|t| t.end <= e.span.start);
        let last = tokens.partition_point(|t| t.start < e.span.end);
        if first < last {
            v.push((e, first, last - 1));
        }
    }
    v.sort_by_key(|(_, f, _)| *f);
    v
}

fn entity_kind(e: &EntityMention) -> Option<ActorKind> {
    e.actor_kind.or(match e.kind {
        EntityKind::Government => Some(ActorKind::State),
        EntityKind::Media => Some(ActorKind::Media),
        EntityKind::InternationalOrg => Some(ActorKind::InternationalOrg),
        _ => None,
    })
}

fn is_party(e: &EntityMention) -> bool {
    !matches!(e.kind, EntityKind::Equipment)
}

/// True when the entity is named as the speaker of a claim.
fn is_speaker(d: &Doc, e: &EntityMention) -> bool {
    d.a.claims
        .iter()
        .any(|c| c.speaker_span.is_some_and(|s| s.overlaps(e.span)))
}

/// Words before a name that make it a place or an agent of something else,
/// not a party to the event.
const NOT_PARTY_BEFORE: [&str; 14] = [
    "in",
    "at",
    "near",
    "from",
    "into",
    "inside",
    "across",
    "throughout",
    "outside",
    "around",
    "toward",
    "towards",
    "within",
    "by",
];

/// Indices (into `ents`) of the actor(s) and the target.
fn pick_entities(
    d: &Doc,
    tokens: &[Token],
    ents: &[(&EntityMention, usize, usize)],
    plover: Plover,
    hit: Hit,
    cr: (usize, usize),
    voice: Voice,
) -> (Vec<usize>, Option<usize>) {
    // Speakers of claims are not the actors of what they report ("the
    // ministry said the US redeployed..."), except of their own speech acts.
    let speech = is_speech_act(plover);
    let party = |i: &usize| {
        let (e, f, l) = ents[*i];
        is_party(e) && f >= cr.0 && l <= cr.1 && (speech || !is_speaker(d, e))
    };
    let placed = |i: &usize| {
        let f = ents[*i].1;
        let w1 = if f > 0 { word(d, tokens, f - 1) } else { "" };
        let w2 = if f > 1 { word(d, tokens, f - 2) } else { "" };
        NOT_PARTY_BEFORE.contains(&w1) || (w1 == "the" && NOT_PARTY_BEFORE.contains(&w2))
    };
    let before: Vec<usize> = (0..ents.len())
        .filter(party)
        .filter(|&i| ents[i].2 < hit.first && !placed(&i))
        .collect();
    let after = |from: usize, to: usize| {
        (0..ents.len())
            .filter(party)
            .find(|&i| ents[i].1 >= from && ents[i].1 <= to && !placed(&i))
    };
    match voice {
        Voice::Passive(by) => {
            let actor = by.and_then(|b| {
                (0..ents.len())
                    .filter(party)
                    .find(|&i| ents[i].1 > b && ents[i].1 <= b + 3)
            });
            (actor.into_iter().collect(), before.last().copied())
        }
        Voice::Active => {
            let actors = if matches!(plover, Plover::Consult | Plover::Agree | Plover::Cooperate) {
                before
            } else {
                before.last().copied().into_iter().collect()
            };
            (
                actors,
                after(hit.last + 1, (hit.last + TARGET_WINDOW).min(cr.1)),
            )
        }
    }
}

/// An actor named by a descriptor when the dictionary found none:
/// "Iranian-backed militiamen", "gunmen", "protesters".
fn cue_actor(
    d: &Doc,
    tokens: &[Token],
    cues: &[CueHit],
    from: usize,
    to: usize,
    nearest_last: bool,
) -> Option<EventActor> {
    if from > to {
        return None;
    }
    let mut best: Option<&CueHit> = None;
    for c in cues.iter().filter(|c| c.first >= from && c.last <= to) {
        if !matches!(
            c.class,
            Cue::State | Cue::NonState | Cue::Protester | Cue::Civilian
        ) {
            continue;
        }
        let better = match best {
            None => true,
            Some(b) => {
                if nearest_last {
                    c.last > b.last || (c.last == b.last && c.first < b.first)
                } else {
                    c.first < b.first || (c.first == b.first && c.last > b.last)
                }
            }
        };
        if better {
            best = Some(c);
        }
    }
    let c = best?;
    // Extend left over modifiers written with capitals or hyphens.
    let mut first = c.first;
    while first > from && first + 3 > c.first {
        let prev = tokens[first - 1];
        let gap = &d.text[prev.end..tokens[first].start];
        let w = &d.text[prev.start..prev.end];
        let capital = w.chars().next().is_some_and(|ch| ch.is_uppercase());
        if gap == "-"
            || (gap == " " && capital && !DEFINITE.contains(&w.to_ascii_lowercase().as_str()))
        {
            first -= 1;
        } else {
            break;
        }
    }
    let name = d.text[tokens[first].start..tokens[c.last].end].to_string();
    let kind = match c.class {
        Cue::State => ActorKind::StateMilitary,
        Cue::NonState => ActorKind::NonStateArmed,
        Cue::Protester | Cue::Civilian | Cue::Mob => ActorKind::Civilians,
        _ => ActorKind::Other,
    };
    Some(EventActor {
        surface: vec![name.clone()],
        name,
        role: ActorRole::Actor,
        kind,
    })
}

fn entity_actor(d: &Doc, e: &EntityMention, role: ActorRole) -> EventActor {
    let surface = e.span.slice(d.text).to_string();
    let name = if e.canonical.trim().is_empty() {
        surface.clone()
    } else {
        e.canonical.clone()
    };
    EventActor {
        name,
        role,
        kind: entity_kind(e).unwrap_or(ActorKind::Other),
        surface: vec![surface],
    }
}

fn clause_bytes(tokens: &[Token], cr: (usize, usize)) -> Span {
    Span::new(tokens[cr.0].start, tokens[cr.1].end)
}

/// Drops triggers whose event another trigger of the sentence already
/// covers: a protest absorbs the arrests and beatings of its protesters, a
/// defused bomb is not an explosion.
fn absorb(cands: &mut Vec<Candidate>) {
    let is_sub = |c: &Candidate, subs: &[&str]| c.coded.subtype.is_some_and(|s| subs.contains(&s));
    // A protest absorbs the arrests and beatings of its protesters, unless
    // it is only the background ("a crackdown after the protests").
    let protest = cands.iter().any(|c| {
        c.coded
            .subtype
            .and_then(acled_event_type)
            .is_some_and(|e| e == "Protests" || e == "Riots")
            && !is_sub(c, &["Mob violence"])
            && !c.background
    });
    if protest {
        cands.retain(|c| {
            !is_sub(
                c,
                &[
                    "Armed clash",
                    "Attack",
                    "Arrests",
                    "Looting/property destruction",
                    "Government regains territory",
                    "Non-state actor overtakes territory",
                ],
            )
        });
    }
    // An intercepted rocket is not an explosion; rockets fired "some of
    // which were intercepted" (another clause) still are.
    let disrupted: Vec<usize> = cands
        .iter()
        .filter(|c| is_sub(c, &["Disrupted weapons use"]))
        .map(|c| c.clause)
        .collect();
    cands.retain(|c| {
        !(c.coded.subtype.and_then(acled_event_type) == Some("Explosions/Remote violence")
            && disrupted.contains(&c.clause))
    });
    // Houses burnt in an air strike or a massacre are part of it, not a
    // separate looting/property destruction event: anywhere in the sentence
    // for explosions (the fire a drone started), in the same clause for
    // fighting and attacks (looting "after the fighting ended" is one).
    let explosion = cands
        .iter()
        .any(|c| c.coded.subtype.and_then(acled_event_type) == Some("Explosions/Remote violence"));
    // A bare violence verb with nothing known of its target ("raided a
    // warehouse and made off with grain") does not absorb the looting.
    let violent_clauses: Vec<usize> = cands
        .iter()
        .filter(|c| {
            c.coded.rule != "violence:armed"
                && c.coded
                    .subtype
                    .and_then(acled_event_type)
                    .is_some_and(|e| matches!(e, "Battles" | "Violence against civilians"))
        })
        .map(|c| c.clause)
        .collect();
    cands.retain(|c| {
        !(is_sub(c, &["Looting/property destruction"])
            && (explosion || violent_clauses.contains(&c.clause)))
    });
    // A bomb or grenade thrown into a rally is the explosion, not a
    // peaceful protest.
    if explosion {
        cands.retain(|c| !is_sub(c, &["Peaceful protest"]));
    }
    if cands.iter().any(|c| is_sub(c, &["Mob violence"])) {
        cands.retain(|c| {
            !is_sub(
                c,
                &["Armed clash", "Attack", "Looting/property destruction"],
            )
        });
    }
    if cands
        .iter()
        .any(|c| is_sub(c, &["Non-violent transfer of territory"]))
    {
        cands.retain(|c| {
            !is_sub(
                c,
                &[
                    "Government regains territory",
                    "Non-state actor overtakes territory",
                ],
            )
        });
    }
}

#[allow(clippy::too_many_arguments)]
fn build(
    lex: &Lexicon,
    d: &Doc,
    si: usize,
    tokens: &[Token],
    cues: &[CueHit],
    ents: &[(&EntityMention, usize, usize)],
    c: &Candidate,
    frame: &Candidate,
    cr: (usize, usize),
) -> Pending {
    let sent = d.sentences[si];
    let t = &lex.triggers[c.hit.pattern];
    let hit = frame.hit;
    let trig = Span::new(tokens[hit.first].start, tokens[hit.last].end);
    let clause = clause_bytes(tokens, cr);

    // Actors and target.
    let (actor_idx, target_idx) =
        pick_entities(d, tokens, ents, c.coded.plover, hit, cr, frame.voice);
    let mut actors: Vec<EventActor> = actor_idx
        .iter()
        .map(|&i| entity_actor(d, ents[i].0, ActorRole::Actor))
        .collect();
    let target_end = (hit.last + TARGET_WINDOW).min(cr.1);
    let (areg, treg) = match frame.voice {
        Voice::Passive(Some(by)) => (
            Some((by + 1, (by + 3).min(cr.1))),
            (hit.first > cr.0).then(|| (cr.0, hit.first - 1)),
        ),
        Voice::Passive(None) => (None, (hit.first > cr.0).then(|| (cr.0, hit.first - 1))),
        Voice::Active => (
            (hit.first > cr.0).then(|| (cr.0, hit.first - 1)),
            (hit.last < cr.1).then(|| (hit.last + 1, target_end)),
        ),
    };
    let active = frame.voice == Voice::Active;
    if actors.is_empty() {
        if let Some((a, b)) = areg {
            actors.extend(cue_actor(d, tokens, cues, a, b, active));
        }
    }
    let target = match target_idx {
        Some(i) => Some(entity_actor(d, ents[i].0, ActorRole::Target)),
        None => treg
            .and_then(|(a, b)| cue_actor(d, tokens, cues, a, b, !active))
            .map(|mut a| {
                a.role = ActorRole::Target;
                a
            }),
    };
    if let Some(tg) = target {
        if !actors.iter().any(|a| a.name == tg.name) {
            actors.push(tg);
        }
    }
    let mut seen = Vec::new();
    actors.retain(|a| {
        let key = (a.name.to_lowercase(), a.role);
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
    // Time.
    let (date, time_src) = pick_time(d, si, tokens, hit, clause);
    // Place.
    let (location, place_src) = pick_place(d, si, trig, clause, c.coded.plover);

    // Equipment: dictionary equipment and weapon cues in the clause.
    let mut equipment: Vec<String> = Vec::new();
    let add_eq = |name: &str, equipment: &mut Vec<String>| {
        if !name.is_empty() && !equipment.iter().any(|e| e.eq_ignore_ascii_case(name)) {
            equipment.push(name.to_string());
        }
    };
    for (e, f, l) in ents {
        if e.kind == EntityKind::Equipment && *f >= cr.0 && *l <= cr.1 {
            add_eq(e.canonical.as_str(), &mut equipment);
        }
    }
    for h in cues.iter().filter(|h| h.first >= cr.0 && h.last <= cr.1) {
        if let Some(label) = &lex.cues[h.pattern].equipment {
            add_eq(label, &mut equipment);
        }
    }

    // Quantities and fatalities in the clause.
    let mut quantities = Vec::new();
    let mut killed: Option<f64> = None;
    for q in &d.a.quantities {
        if !clause.contains(q.span) {
            continue;
        }
        match q.casualty {
            Some(CasualtyKind::Killed) => *killed.get_or_insert(0.0) += q.value,
            Some(CasualtyKind::Injured) => {}
            None => {
                let unit = q.unit.trim();
                if !NON_EVENT_UNITS.contains(&unit) {
                    quantities.push(EventQuantity {
                        value: q.value,
                        unit: unit.to_string(),
                    });
                }
            }
        }
    }
    let violent = matches!(c.coded.plover, Plover::Assault | Plover::Protest);
    let fatalities = if violent {
        killed.map(|k| k.max(0.0).round() as u32)
    } else {
        None
    };

    // Claims whose content covers the trigger.
    let mut claimed_by: Vec<ClaimedBy> = Vec::new();
    for cl in &d.a.claims {
        if !cl.content.overlaps(trig) {
            continue;
        }
        let claimant = cl
            .speaker
            .clone()
            .or_else(|| cl.speaker_span.map(|s| s.slice(d.text).to_string()))
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "unnamed source".to_string());
        let cb = ClaimedBy {
            claimant,
            stance: cl.stance,
        };
        if !claimed_by.contains(&cb) {
            claimed_by.push(cb);
        }
    }
    let occurred = !claimed_by.iter().any(|c| c.stance == Stance::Denies);

    // Roles the surface order gets wrong.
    if t.mode == Mode::TerritoryLoss {
        // "The government lost control of X": the subject is the loser.
        actors.retain(|a| a.role != ActorRole::Target);
        for a in &mut actors {
            a.role = ActorRole::Target;
        }
    } else if matches!(c.coded.plover, Plover::Mobilize | Plover::Retreat)
        && frame.voice == Voice::Passive(None)
    {
        // "3,000 fighters had been moved to X": those moved are the actor.
        for a in &mut actors {
            a.role = ActorRole::Actor;
        }
    }
    if is_speech_act(c.coded.plover) {
        // A threat, accusation or demand inside a quote is the speaker's.
        let speaker =
            d.a.claims
                .iter()
                .find(|cl| cl.content.overlaps(trig) && cl.speaker.is_some());
        if let Some((cl, name)) = speaker.and_then(|cl| cl.speaker.clone().map(|n| (cl, n))) {
            actors.retain(|a| a.role != ActorRole::Actor && a.name != name);
            let surface = cl
                .speaker_span
                .map_or_else(|| name.clone(), |sp| sp.slice(d.text).to_string());
            let kind = cl.speaker_kind.unwrap_or(ActorKind::Other);
            actors.insert(
                0,
                EventActor {
                    name,
                    role: ActorRole::Actor,
                    kind,
                    surface: vec![surface],
                },
            );
        }
    }

    let acled = c.coded.subtype.and_then(|sub| {
        acled_event_type(sub).map(|et| AcledType {
            event_type: et.to_string(),
            sub_event_type: sub.to_string(),
        })
    });
    // Protest codings compete as one group (the gravest wins), but force
    // used against protesters is the security forces' act: PLOVER ASSAULT.
    let category = if c.coded.subtype == Some("Excessive force against protesters") {
        Plover::Assault
    } else {
        c.coded.plover
    };
    let anaphoric =
        (1..=3).any(|k| hit.first >= k && DEFINITE.contains(&word(d, tokens, hit.first - k)));

    let mut certainty = 0.55 + f32::from(t.priority.min(100)) / 100.0 * 0.35;
    certainty -= match time_src {
        Src::Own => 0.0,
        Src::Neighbour => 0.05,
        Src::Document | Src::Missing => 0.1,
    };
    certainty -= match place_src {
        Src::Own => 0.0,
        Src::Neighbour => 0.05,
        Src::Document | Src::Missing => 0.1,
    };
    if !claimed_by.is_empty() {
        certainty -= 0.05;
    }
    if c.coded.plover == Plover::Assault && actors.iter().all(|a| a.role != ActorRole::Actor) {
        certainty -= 0.05;
    }
    // Reports lead with their main event; later sentences and scene-setting
    // clauses add background and aftermath ("two suspects were later
    // arrested", "after the protests").
    certainty -= 0.08 * si.min(3) as f32;
    if c.background {
        certainty -= 0.1;
    }

    let m = EventMention {
        document: d.doc.id.clone(),
        outlet: d.doc.outlet.clone(),
        duplicate_of: d.doc.duplicate_of.clone(),
        category,
        acled,
        span: sent.span,
        sentence: sent.span.slice(d.text).to_string(),
        char_start: d.chars.char_offset(sent.span.start),
        char_end: d.chars.char_offset(sent.span.end),
        date,
        location,
        actors,
        equipment,
        quantities,
        fatalities,
        claimed_by,
        occurred,
        certainty: certainty.clamp(0.1, 0.99),
        coding: Coding {
            trigger: d.text[tokens[c.hit.first].start..tokens[c.hit.last].end].to_string(),
            rule: format!("{} [{}]", c.coded.rule, t.source),
        },
    };
    let pronoun_start = PRONOUNS.contains(&word(d, tokens, 0));
    Pending {
        m,
        sentence: si,
        paragraph: sent.paragraph,
        pronoun_start,
        time_src,
        place_src,
        anaphoric,
    }
}

fn week_before(d: NaiveDate) -> DateRange {
    let start = d.checked_sub_days(Days::new(6)).unwrap_or(d);
    DateRange {
        start,
        end: d,
        precision: TimePrecision::Week,
    }
}

fn pick_time(
    d: &Doc,
    si: usize,
    tokens: &[Token],
    hit: Hit,
    clause: Span,
) -> (Option<DateRange>, Src) {
    let sent = d.sentences[si];
    let trig_at = tokens[hit.first].start;
    let dist = |s: Span| {
        if s.end <= trig_at {
            trig_at - s.end
        } else {
            s.start.saturating_sub(trig_at) + 1
        }
    };
    let in_sent: Vec<_> =
        d.a.times
            .iter()
            .filter(|t| sent.span.contains(t.span))
            .collect();
    let best = in_sent
        .iter()
        .filter(|t| clause.contains(t.span))
        .min_by_key(|t| dist(t.span))
        .or_else(|| in_sent.iter().min_by_key(|t| dist(t.span)));
    if let Some(t) = best {
        return (Some(t.range), Src::Own);
    }
    // Dates of neighbouring sentences come through `complete_anaphora`,
    // only when they speak of the same event.
    match d.doc_date {
        Some(date) => (Some(week_before(date)), Src::Document),
        None => (None, Src::Missing),
    }
}

fn coarser(p: GeoPrecision) -> GeoPrecision {
    match p {
        GeoPrecision::Exact => GeoPrecision::Near,
        GeoPrecision::Near => GeoPrecision::Admin1,
        GeoPrecision::Admin1 | GeoPrecision::Country => GeoPrecision::Country,
    }
}

/// Words before a place name that make it where something happened.
const LOCATIVE: [&str; 14] = [
    "in",
    "at",
    "near",
    "inside",
    "into",
    "across",
    "throughout",
    "within",
    "around",
    "outside",
    "over",
    "on",
    "of",
    "from",
];

/// Place mentions that do not say where the event was: "pro-Damascus",
/// "Iran-backed", a dateline ("AMMAN:"), a country named as an actor ("the
/// US carried out") rather than after a locative word ("in Syria").
fn usable_place(d: &Doc, pm: &sitrep_model::PlaceMention) -> bool {
    let bytes = d.text.as_bytes();
    let prev = pm
        .span
        .start
        .checked_sub(1)
        .and_then(|i| bytes.get(i))
        .copied();
    let next = bytes.get(pm.span.end).copied();
    if prev == Some(b'-') || next == Some(b'-') || next == Some(b':') {
        return false;
    }
    // "Damascus' allies", "Iran's envoy": a possessive names a party.
    let after = d.text.get(pm.span.end..).unwrap_or("");
    if after.starts_with(['\'', '\u{2019}']) {
        return false;
    }
    pm.location.precision != GeoPrecision::Country
        || after_locative(d, pm.span.start)
        || after_word(d, pm.span.start, &["to", "into", "towards", "toward"])
}

/// True when the word before `at` (skipping "the" and adjectives such as
/// "south-eastern", "the Syrian town of") is a locative word.
fn after_locative(d: &Doc, at: usize) -> bool {
    after_word(d, at, &LOCATIVE)
}

fn after_word(d: &Doc, at: usize, wanted: &[&str]) -> bool {
    let before = d.lower.get(..at).unwrap_or("");
    let mut words = before
        .rsplit(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    for _ in 0..4 {
        match words.next() {
            Some(w) if wanted.contains(&w) => return true,
            Some(
                "the" | "a" | "eastern" | "western" | "northern" | "southern" | "central" | "south"
                | "north" | "east" | "west",
            ) => {}
            _ => return false,
        }
    }
    false
}

fn pick_place(
    d: &Doc,
    si: usize,
    trig: Span,
    clause: Span,
    plover: Plover,
) -> (Option<Location>, Src) {
    let sent = d.sentences[si];
    let mentions = &d.geo.mentions;
    // Resolved first, then the trigger's object, then places introduced by
    // a locative word ("near al-Tanf", "in Syria"), then the finest, then
    // the nearest.
    let rank = |pm: &sitrep_model::PlaceMention| {
        let dist = if pm.span.start >= trig.end {
            pm.span.start - trig.end
        } else {
            trig.start.saturating_sub(pm.span.end) + 1
        };
        // "captured the Zalaf Dam", "shelled Kherson": the object of the trigger.
        let object = pm.span.start >= trig.end
            && pm.span.start - trig.end <= 16
            && !d
                .text
                .get(trig.end..pm.span.start)
                .is_none_or(|gap| gap.contains([',', ';', '.']));
        // Forces move to a place: the destination, not the origin.
        let destination = plover == Plover::Mobilize
            && after_word(d, pm.span.start, &["to", "into", "towards", "toward"]);
        (
            pm.location.lat.is_none(),
            !(object || destination),
            !after_locative(d, pm.span.start),
            pm.location.precision,
            dist,
        )
    };
    let in_sent: Vec<_> = mentions
        .iter()
        .filter(|m| sent.span.contains(m.span) && usable_place(d, m))
        .collect();
    let best = in_sent
        .iter()
        .filter(|m| clause.contains(m.span) && m.location.lat.is_some())
        .min_by_key(|m| rank(m))
        .or_else(|| in_sent.iter().min_by_key(|m| rank(m)));
    if let Some(pm) = best {
        return (Some(pm.location.clone()), Src::Own);
    }
    // The nearest sentence of the paragraph with a resolved place.
    let para: Vec<usize> = (0..d.sentences.len())
        .filter(|&i| i != si && d.sentences[i].paragraph == sent.paragraph)
        .collect();
    let mut by_distance = para;
    by_distance.sort_by_key(|&i| (i.abs_diff(si), i > si));
    for i in by_distance {
        let s = d.sentences[i];
        let found = mentions
            .iter()
            .filter(|m| s.span.contains(m.span) && m.location.lat.is_some() && usable_place(d, m))
            .min_by_key(|m| m.location.precision);
        if let Some(pm) = found {
            let mut loc = pm.location.clone();
            loc.precision = loc.precision.max(GeoPrecision::Near);
            return (Some(loc), Src::Neighbour);
        }
    }
    match &d.geo.primary_place {
        Some(p) => {
            let mut loc = p.location();
            loc.precision = coarser(loc.precision);
            if loc.precision == GeoPrecision::Admin1 && loc.admin1.is_none() {
                loc.precision = GeoPrecision::Country;
            }
            (Some(loc), Src::Document)
        }
        None => (None, Src::Missing),
    }
}

/// "The strikes", "this attack": a definite mention of an event without its
/// own date takes the date (and, where missing, place and actors) of the
/// nearest earlier mention of the same category with compatible actors; so
/// does a mention right after one of the same category in its paragraph.
fn complete_anaphora(pending: &mut [Pending]) {
    for i in 0..pending.len() {
        let p = &pending[i];
        let needs = p.time_src != Src::Own
            || p.place_src != Src::Own
            || !p.m.actors.iter().any(|a| a.role == ActorRole::Actor);
        if !needs || !(p.anaphoric || p.pronoun_start || p.time_src != Src::Own) {
            continue;
        }
        let (head, tail) = pending.split_at_mut(i);
        let p = &mut tail[0];
        let ante = head.iter().rev().find(|q| {
            let near = if p.anaphoric {
                p.sentence.saturating_sub(q.sentence) <= 6
            } else {
                p.sentence == q.sentence + 1 && p.paragraph == q.paragraph
            };
            let continues =
                p.pronoun_start && p.sentence == q.sentence + 1 && p.paragraph == q.paragraph;
            let other_day =
                p.time_src == Src::Own && q.time_src == Src::Own && p.m.date != q.m.date;
            q.sentence < p.sentence
                && !other_day
                && (continues
                    || (near
                        && q.m.category == p.m.category
                        && actors_compatible(&q.m.actors, &p.m.actors)))
        });
        let Some(q) = ante else { continue };
        if q.time_src < p.time_src {
            p.m.date = q.m.date;
            p.time_src = Src::Neighbour;
        }
        if p.place_src > Src::Own && q.place_src < p.place_src {
            p.m.location = q.m.location.clone();
            p.place_src = Src::Neighbour;
        }
        if !p.m.actors.iter().any(|a| a.role == ActorRole::Actor) {
            let inherited: Vec<EventActor> =
                q.m.actors
                    .iter()
                    .filter(|a| a.role == ActorRole::Actor)
                    .cloned()
                    .collect();
            p.m.actors.splice(0..0, inherited);
        }
        p.m.coding.rule.push_str(" +context");
    }
}

fn name_words(a: &EventActor) -> impl Iterator<Item = String> + '_ {
    a.name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1)
        .map(|w| w.to_lowercase())
}

/// Actors are compatible unless both sides name an actor and the names
/// share no word ("US jets" and "US military" are; "Russian jets" and
/// "US military" are not).
fn actors_compatible(a: &[EventActor], b: &[EventActor]) -> bool {
    let actor = |v: &[EventActor]| v.iter().find(|x| x.role == ActorRole::Actor).cloned();
    match (actor(a), actor(b)) {
        (Some(x), Some(y)) => {
            let wx: Vec<String> = name_words(&x).collect();
            name_words(&y).any(|w| wx.contains(&w))
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use sitrep_model::{Analysis, Document, GeoAnalysis, Plover};

    /// Sub-type and category of the most certain ACLED-coded mention.
    fn main_event(text: &str) -> (String, Plover) {
        let doc = Document {
            id: "t".into(),
            text: text.into(),
            ..Default::default()
        };
        let ms = crate::extract(&doc, &Analysis::default(), &GeoAnalysis::default());
        let m = ms
            .iter()
            .filter(|m| m.acled.is_some())
            .max_by(|a, b| a.certainty.total_cmp(&b.certainty))
            .unwrap_or_else(|| panic!("no ACLED event in {text:?}: {ms:?}"));
        let sub = m.acled.as_ref().map(|a| a.sub_event_type.clone());
        (sub.unwrap_or_default(), m.category)
    }

    fn sub(text: &str) -> String {
        main_event(text).0
    }

    #[test]
    fn specific_weapons_take_precedence() {
        assert_eq!(
            sub("A bomber set off explosives hidden under his clothing at a checkpoint, killing four."),
            "Suicide bomb"
        );
        // The weapon nearest the verb decides, not an aircraft that was hit.
        assert_eq!(
            sub("Several rockets fell on the airport, damaging a parked aircraft."),
            "Shelling/artillery/missile attack"
        );
        assert_eq!(
            sub("Drones fired two missiles at a car on the highway, killing its driver."),
            "Air/drone strike"
        );
    }

    #[test]
    fn damage_is_absorbed_by_the_attack_that_caused_it() {
        assert_eq!(
            sub("Jets pounded the port overnight, leaving a warehouse set ablaze."),
            "Air/drone strike"
        );
        assert_eq!(
            sub("Soldiers looted shops in the market after the fighting ended."),
            "Looting/property destruction"
        );
    }

    #[test]
    fn what_is_seized_decides_the_reading() {
        assert_eq!(
            sub("Militants seized a village chief and two teachers on the road."),
            "Abduction/forced disappearance"
        );
        assert_eq!(
            sub("Police seized rifles and ammunition from a house in the suburbs."),
            "Disrupted weapons use"
        );
        assert_eq!(
            sub("Troops captured a suspected rebel commander at his hideout."),
            "Arrests"
        );
    }

    #[test]
    fn territory_follows_who_held_the_place() {
        assert_eq!(
            sub("Troops and allied militia fighters drove the rebels out of the town."),
            "Government regains territory"
        );
        assert_eq!(
            sub("The insurgents said they had taken control of the army base."),
            "Non-state actor overtakes territory"
        );
    }

    #[test]
    fn protests_are_coded_by_what_happened_to_them() {
        assert_eq!(
            main_event("Police opened fire on protesters in the capital, killing three."),
            (
                "Excessive force against protesters".to_string(),
                Plover::Assault
            )
        );
        // The killing is what the protest is about, not force used on it.
        assert_eq!(
            sub("Traders closed their shops in protest against the killing of a driver."),
            "Peaceful protest"
        );
        assert_eq!(
            sub("A grenade was thrown into a crowd at a campaign rally, wounding six."),
            "Grenade"
        );
    }

    #[test]
    fn a_quantifier_on_the_subject_does_not_make_the_event_generic() {
        assert_eq!(
            sub("Several women were sexually assaulted by gunmen near the camp."),
            "Sexual violence"
        );
    }

    #[test]
    fn a_relative_clause_after_a_comma_is_its_own_event() {
        assert_eq!(
            sub("Militants fired 30 rockets at the city, some of which were intercepted."),
            "Shelling/artillery/missile attack"
        );
    }
}
