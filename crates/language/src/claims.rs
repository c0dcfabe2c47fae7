//! Claims: reported speech with its speaker, stance and content.
//!
//! Patterns, per reporting cue (`data/language/cues.tsv`, category `speech`):
//! - quote then attribution: `“…,” X said`, `“…,” said X`, `“…”, the
//!   statement read` — the quote may open sentences earlier;
//! - attribution then content: `X said (that) …`, `X told Y (that) …`,
//!   `X said, “…”`, `He elaborated: “…”`, `X accused Y of …`, `X denied …`;
//! - content then attribution: `…, X told Syria Direct.`;
//! - `according to X, …` and `…, according to X`;
//! - a sentence that is only a quote, right after a claim, continues it.
//!
//! The speaker is the subject noun phrase of the cue (appositives, relative
//! clauses and adjuncts between subject and verb are skipped). A phrase
//! that names no one is resolved to the nearest preceding compatible
//! actor: "the ministry" → the last ministry; "the statement", "the
//! source" → the last speaker; "the expert" → the last person whose role
//! says expert; "he"/"she" → the last person; "it" → the last
//! organisation speaker. Indefinite phrases ("a US defence official") are
//! their own speaker, named by the phrase.
//!
//! Stance: `denies` for deny/dismiss/reject/refute/dispute verbs,
//! `reports` for report(ed) and for "according to" a media outlet,
//! `asserts` otherwise (a news agency that "claimed" something asserts it).

use crate::entities::tokens::{is_capitalised, strip_possessive, tokenize, Tok};
use crate::entities::Lexicon;
use crate::ActorDictionary;
use sitrep_model::{ActorKind, Claim, EntityKind, EntityMention, Sentence, Span, Stance};

/// Punctuation that splits a clause into segments.
const SEG_PUNCT: &[char] = &[',', ';', ':', '“', '”', '"', '(', ')', '—', '–', '[', ']'];
/// Words after which the subject of a following verb starts.
const SUBORDINATORS: &[&str] = &[
    "while",
    "whereas",
    "where",
    "which",
    "who",
    "as",
    "when",
    "because",
    "although",
    "though",
    "if",
    "since",
    "after",
    "before",
    "and",
    "but",
    "that",
    "so",
    "than",
    "until",
    "unless",
    "whom",
    "meanwhile",
    "however",
];
/// Words that may stand between a subject and its verb.
const FILLERS: &[&str] = &[
    "also",
    "previously",
    "had",
    "has",
    "have",
    "was",
    "is",
    "were",
    "are",
    "reportedly",
    "later",
    "earlier",
    "then",
    "again",
    "recently",
    "officially",
    "publicly",
    "repeatedly",
    "already",
    "further",
    "too",
    "once",
    "not",
    "did",
    "does",
    "do",
    "has",
    "would",
    "will",
    "could",
    "subsequently",
    "separately",
    "similarly",
    "likewise",
    "had",
];
const RELATIVES: &[&str] = &["which", "who", "whose", "where", "when"];
const PREPOSITIONS: &[&str] = &[
    "in",
    "at",
    "on",
    "during",
    "from",
    "with",
    "after",
    "before",
    "speaking",
    "via",
    "by",
    "through",
    "under",
    "amid",
    "despite",
    "following",
    "earlier",
    "last",
    "this",
    "according",
    "for",
    "to",
    "over",
    "within",
    "inside",
    "since",
    "of",
];
/// Prepositions that end the head of a speaker phrase ("spokesman for the coalition").
const NP_PREPS: &[&str] = &[
    "of", "for", "in", "at", "with", "within", "from", "on", "based", "near", "to", "inside",
    "across", "among", "via", "by",
];
const DETERMINERS_DEF: &[&str] = &[
    "the", "this", "that", "these", "those", "its", "their", "his", "her",
];
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her", "our", "my",
];
/// Cues that are as often nouns or other verbs: they need a clear subject.
const WEAK_CUES: &[&str] = &[
    "report",
    "reports",
    "claims",
    "claim",
    "notes",
    "states",
    "posted",
    "estimated",
    "indicated",
    "suggested",
    "demanded",
    "threatened",
    "urged",
    "called",
    "responded",
    "read",
    "reads",
    "pointed",
    "say",
    "maintained",
    "blamed",
];
/// Cues that are also plural or singular nouns ("reports said").
const NOUNISH_CUES: &[&str] = &[
    "reports", "report", "claims", "claim", "notes", "states", "says",
];
const PASSIVE_AUX: &[&str] = &["was", "were", "is", "are", "been", "be", "being"];
const STATEMENT_NOUNS: &[&str] = &[
    "statement",
    "letter",
    "message",
    "text",
    "tweet",
    "post",
    "note",
    "leaflet",
    "leaflets",
    "communique",
    "release",
    "report",
];

#[derive(Debug, Clone, Copy)]
struct Quote {
    open: usize,
    /// Byte after the closing mark.
    close: usize,
    inner: Span,
}

/// A resolved speaker.
#[derive(Debug, Clone)]
struct Speaker {
    name: Option<String>,
    kind: Option<ActorKind>,
    span: Span,
    /// Person or a phrase naming a person ("a US defence official").
    person: bool,
    /// Lower-case role or phrase text, for "the spokesperson" lookups.
    role: String,
}

struct Cx<'a> {
    text: &'a str,
    toks: Vec<Tok>,
    sentences: Vec<Span>,
    ents: &'a [EntityMention],
    lex: &'static Lexicon,
    quotes: Vec<Quote>,
}

/// Opening/closing quote pairs (“ ” and straight double quotes), possibly
/// spanning sentences; a new opening mark before a close restarts the
/// quote (news re-open quotes at each quoted paragraph).
fn find_quotes(text: &str) -> Vec<Quote> {
    let mut out = Vec::new();
    let mut curly: Option<usize> = None;
    let mut straight: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match c {
            '“' => curly = Some(i),
            '”' => {
                if let Some(o) = curly.take() {
                    out.push(Quote {
                        open: o,
                        close: i + c.len_utf8(),
                        inner: Span::new(o + '“'.len_utf8(), i),
                    });
                }
            }
            '"' => match straight.take() {
                Some(o) => out.push(Quote {
                    open: o,
                    close: i + 1,
                    inner: Span::new(o + 1, i),
                }),
                None => straight = Some(i),
            },
            _ => {}
        }
    }
    out.retain(|q| q.close - q.open < 4000);
    out.sort_by_key(|q| q.open);
    out
}

impl<'a> Cx<'a> {
    fn word(&self, i: usize) -> &'a str {
        self.toks[i].text(self.text)
    }
    /// The word in lower case, borrowed when it already is (most words).
    fn lower(&self, i: usize) -> std::borrow::Cow<'a, str> {
        let w = self.word(i);
        if w.chars().any(char::is_uppercase) {
            std::borrow::Cow::Owned(w.to_lowercase())
        } else {
            std::borrow::Cow::Borrowed(w)
        }
    }
    fn is_punct(&self, i: usize, chars: &[char]) -> bool {
        let t = self.toks[i];
        !t.word
            && self.text[t.start..t.end]
                .chars()
                .next()
                .is_some_and(|c| chars.contains(&c))
    }
    fn tok_at(&self, at: usize) -> usize {
        self.toks.partition_point(|t| t.start < at)
    }
    fn sentence_of(&self, at: usize) -> (usize, Span) {
        let i = self
            .sentences
            .partition_point(|s| s.end <= at)
            .min(self.sentences.len().saturating_sub(1));
        (
            i,
            self.sentences
                .get(i)
                .copied()
                .unwrap_or(Span::new(0, self.text.len())),
        )
    }
    fn in_quote(&self, at: usize) -> Option<&Quote> {
        let i = self.quotes.partition_point(|q| q.open <= at);
        self.quotes[..i]
            .iter()
            .rev()
            .take(4)
            .find(|q| q.open < at && at < q.close)
    }
    /// A quote mark of a short quote without final punctuation (a scare
    /// quote: A “senior diplomat” said): it does not split a clause.
    fn is_scare_mark(&self, at: usize) -> bool {
        let i = self.quotes.partition_point(|q| q.close <= at);
        self.quotes.get(i).is_some_and(|q| {
            (q.open == at || q.close == at + '”'.len_utf8() || q.close == at + 1) && {
                let inner = self.text[q.inner.start..q.inner.end].trim_end();
                inner.split_whitespace().count() <= 6 && !inner.ends_with([',', '.', '!', '?', '…'])
            }
        })
    }
    fn is_cue_word(&self, i: usize) -> bool {
        self.toks[i].word && self.lex.speech.contains_key(self.lower(i).as_ref())
    }
    fn is_role(&self, lower: &str) -> bool {
        self.lex.is_role_noun(lower) || self.is_speaker_noun(lower)
    }
    fn is_speaker_noun(&self, lower: &str) -> bool {
        let l = lower.strip_suffix('s').unwrap_or(lower);
        self.lex.speaker_nouns.contains(lower) || self.lex.speaker_nouns.contains(l)
    }
    fn entities_in(&self, span: Span) -> impl Iterator<Item = &'a EntityMention> + '_ {
        let first = self.ents.partition_point(|e| e.span.start < span.start);
        self.ents[first..]
            .iter()
            .take_while(move |e| e.span.start < span.end)
            .filter(move |e| e.span.end <= span.end)
    }
    /// Entities that start inside `span` (they may run past its end:
    /// "the Russian Centre | for Reconciliation").
    fn entities_starting_in(&self, span: Span) -> impl Iterator<Item = &'a EntityMention> + '_ {
        let first = self.ents.partition_point(|e| e.span.start < span.start);
        self.ents[first..]
            .iter()
            .take_while(move |e| e.span.start < span.end)
    }
    fn entity_at_tok(&self, i: usize) -> Option<&'a EntityMention> {
        let at = self.toks[i].start;
        let k = self.ents.partition_point(|e| e.span.start <= at);
        self.ents[..k]
            .iter()
            .rev()
            .take(3)
            .find(|e| e.span.start <= at && at < e.span.end)
    }
}

/// Finds the claims of a text. Works on whatever sentences it gets; with
/// none, each line is a sentence.
pub fn find(
    text: &str,
    sentences: &[Sentence],
    entities: &[EntityMention],
    actors: &ActorDictionary,
) -> Vec<Claim> {
    // Entities already carry their actor kinds; the dictionary is part of
    // the signature for callers that pass their own entity lists.
    let _ = actors;
    let sentences: Vec<Span> = if sentences.is_empty() {
        let mut v = Vec::new();
        let mut start = 0;
        for (i, _) in text.match_indices('\n') {
            v.push(Span::new(start, i));
            start = i + 1;
        }
        v.push(Span::new(start, text.len()));
        v
    } else {
        sentences.iter().map(|s| s.span).collect()
    };
    let mut ents: Vec<EntityMention> = entities.to_vec();
    ents.sort_by_key(|e| e.span.start);
    let cx = Cx {
        text,
        toks: tokenize(text),
        sentences,
        ents: &ents,
        lex: Lexicon::get(),
        quotes: find_quotes(text),
    };
    let mut claims: Vec<Claim> = Vec::new();
    let mut speakers: Vec<Speaker> = Vec::new();
    let mut used = vec![false; cx.quotes.len()];
    let n = cx.toks.len();
    let mut i = 0;
    while i < n {
        let t = cx.toks[i];
        // Cue words are 3 to 12 bytes long: skip the rest without lowering.
        if !t.word || !(3..=12).contains(&(t.end - t.start)) {
            i += 1;
            continue;
        }
        let lw = cx.lower(i);
        let consumed = if lw == "according" && i + 1 < n && cx.lower(i + 1) == "to" {
            according_to(&cx, i, &speakers)
        } else if matches!(lw, std::borrow::Cow::Borrowed(_))
            && cx.lex.speech.contains_key(lw.as_ref())
        {
            // Reporting verbs are written in lower case ("United States" is
            // no "states").
            verb_claim(&cx, i, &speakers, &claims, &mut used)
        } else {
            None
        };
        if let Some((claim, speaker)) = consumed {
            if let Some(s) = speaker {
                speakers.push(s);
            }
            claims.push(claim);
        }
        i += 1;
    }
    continuation_quotes(&cx, &mut claims, &mut used);
    claims.sort_by_key(|c| c.content.start);
    claims
}

fn trim_span(text: &str, mut s: usize, mut e: usize) -> Span {
    let junk = |c: char| {
        c.is_whitespace() || matches!(c, ',' | '.' | ';' | ':' | '“' | '”' | '"' | '—' | '–')
    };
    while s < e {
        match text[s..e].chars().next() {
            Some(c) if junk(c) => s += c.len_utf8(),
            _ => break,
        }
    }
    while e > s {
        match text[s..e].chars().next_back() {
            Some(c) if junk(c) => e -= c.len_utf8(),
            _ => break,
        }
    }
    Span::new(s, e)
}

/// Whitespace collapsed, quote marks dropped ("A “senior diplomat”" → "A senior diplomat").
fn squash(s: &str) -> String {
    s.split_whitespace()
        .map(|w| w.trim_matches(['“', '”', '"']))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn stance_for(cx: &Cx, cue: &str, speaker: Option<&Speaker>) -> Stance {
    let s = cx.lex.speech.get(cue).copied().unwrap_or(Stance::Asserts);
    if cue == "according to" && speaker.is_some_and(|s| s.kind == Some(ActorKind::Media)) {
        return Stance::Reports;
    }
    s
}

/// "according to X, …" / "…, according to X".
fn according_to(cx: &Cx, i: usize, prev: &[Speaker]) -> Option<(Claim, Option<Speaker>)> {
    let at = cx.toks[i].start;
    if cx.in_quote(at).is_some() {
        return None;
    }
    let (sidx, sent) = cx.sentence_of(at);
    let n = cx.toks.len();
    // The speaker phrase: after "to" up to punctuation or the sentence end.
    let s = i + 2;
    let mut e = s;
    while e < n && cx.toks[e].start < sent.end && !(cx.is_punct(e, &[',', '.', ';', ':', '!', '?']))
    {
        e += 1;
    }
    if e == s {
        return None;
    }
    let np = Span::new(cx.toks[s].start, cx.toks[e - 1].end);
    let speaker = resolve_np(cx, np, at, prev, &[]);
    let before = trim_span(cx.text, sent.start, at);
    let content = if e < n && cx.is_punct(e, &[',']) && before.is_empty() || before.len() < 3 {
        trim_span(
            cx.text,
            cx.toks
                .get(e + 1)
                .map_or(sent.end, |t| t.start)
                .min(sent.end),
            sent.end,
        )
    } else {
        before
    };
    if content.is_empty() {
        return None;
    }
    let stance = stance_for(cx, "according to", speaker.as_ref());
    Some((
        make_claim(
            cx,
            content,
            speaker.as_ref(),
            "according to",
            stance,
            sidx,
            None,
        ),
        speaker,
    ))
}

fn make_claim(
    cx: &Cx,
    content: Span,
    speaker: Option<&Speaker>,
    cue: &str,
    stance: Stance,
    sentence: usize,
    outlet: Option<String>,
) -> Claim {
    let _ = cx;
    Claim {
        content,
        speaker_span: speaker.map(|s| s.span),
        speaker: speaker.and_then(|s| s.name.clone()),
        speaker_kind: speaker.and_then(|s| s.kind),
        outlet,
        cue: cue.to_string(),
        stance,
        sentence,
    }
}

fn verb_claim(
    cx: &Cx,
    c: usize,
    prev: &[Speaker],
    claims: &[Claim],
    used: &mut [bool],
) -> Option<(Claim, Option<Speaker>)> {
    let n = cx.toks.len();
    let cue_tok = cx.toks[c];
    let cue = cx.lower(c).into_owned();
    if cx.in_quote(cue_tok.start).is_some() {
        return None;
    }
    // "reports said": the first is a noun; "dismissed reports": the second is.
    if c + 1 < n && cx.is_cue_word(c + 1) && NOUNISH_CUES.contains(&cue.as_str()) {
        return None;
    }
    if c > 0 && cx.is_cue_word(c - 1) && NOUNISH_CUES.contains(&cue.as_str()) {
        return None;
    }
    // "received reports of drone strikes": a noun.
    if NOUNISH_CUES.contains(&cue.as_str())
        && c + 1 < n
        && cx.toks[c + 1].word
        && cx.lower(c + 1) == "of"
    {
        return None;
    }
    if c > 0 && cx.toks[c - 1].word {
        let p = cx.lower(c - 1);
        if DETERMINERS.contains(&p.as_ref()) || PASSIVE_AUX.contains(&p.as_ref()) {
            return None;
        }
    }
    // "has not officially explained": no claim.
    let negated = (c.saturating_sub(3)..c).any(|k| {
        cx.toks[k].word && {
            let w = cx.lower(k);
            w == "not" || w == "never" || w.ends_with("n't") || w.ends_with("n\u{2019}t")
        }
    });
    if negated {
        return None;
    }
    let weak = WEAK_CUES.contains(&cue.as_str());
    let next_word = (c + 1..n.min(c + 3))
        .find(|&k| cx.toks[k].word)
        .map(|k| cx.lower(k));
    if cue == "called" && !matches!(next_word.as_deref(), Some("for" | "on")) {
        return None;
    }
    if cue == "pointed" && !matches!(next_word.as_deref(), Some("to" | "out")) {
        return None;
    }
    let (sidx, sent) = cx.sentence_of(cue_tok.start);

    // 1. A quote just before: “…,” X said / “…,” said X.
    let qi = cx.quotes.partition_point(|q| q.close <= cue_tok.start);
    let quote_before = qi
        .checked_sub(1)
        .filter(|&k| !used[k])
        .map(|k| (k, cx.quotes[k]))
        .filter(|(_, q)| cx.sentence_of(q.close.saturating_sub(1)).0 == sidx)
        .filter(|(_, q)| {
            // A quoted statement ends in punctuation ("…,” X said); a scare
            // quote inside a clause ("an “entry point” into …") does not.
            let inner = cx.text[q.inner.start..q.inner.end].trim_end();
            let after = cx.text[q.close..].trim_start();
            let ends = inner.ends_with([',', '.', '!', '?', '…']) || after.starts_with(',');
            let between = &cx.text[q.close..cue_tok.start];
            ends && !between.contains('\n') && between.split_whitespace().count() <= 25
        });
    if let Some((k, q)) = quote_before {
        let first_between = cx.tok_at(q.close);
        let words_between = (first_between..c).any(|t| cx.toks[t].word);
        let speaker = if words_between {
            subject_np(cx, q.close, c)
                .and_then(|np| resolve_np(cx, np, cue_tok.start, prev, claims))
        } else {
            inverted_np(cx, c, sent.end)
                .and_then(|np| resolve_np(cx, np, cue_tok.start, prev, claims))
        };
        if (cue == "read" || cue == "reads")
            && !speaker
                .as_ref()
                .is_some_and(|s| mentions_statement(cx, s.span))
        {
            return None;
        }
        used[k] = true;
        let content = trim_span(cx.text, q.inner.start, q.inner.end);
        let (qs, _) = cx.sentence_of(q.inner.start);
        let stance = stance_for(cx, &cue, speaker.as_ref());
        let outlet = outlet_near(cx, cue_tok.end, sent.end, speaker.as_ref());
        return Some((
            make_claim(cx, content, speaker.as_ref(), &cue, stance, qs, outlet),
            speaker,
        ));
    }

    // 2. Subject before the cue.
    let coordinated = c > 0 && cx.toks[c - 1].word && cx.lower(c - 1) == "and";
    let mut speaker = None;
    if coordinated {
        if let Some(last) = claims
            .last()
            .filter(|cl| cx.sentence_of(cl.content.start).0 == sidx || cl.sentence == sidx)
        {
            speaker = prev
                .iter()
                .rev()
                .find(|s| Some(s.span) == last.speaker_span)
                .cloned();
        }
    }
    let mut np_start = None;
    if speaker.is_none() {
        let np = subject_np(cx, sent.start, c);
        np_start = np.map(|s| s.start);
        speaker = np.and_then(|np| resolve_np(cx, np, cue_tok.start, prev, claims));
    }
    let speaker = speaker?;
    if weak && speaker.name.is_none() && !speaker.person {
        return None;
    }
    if (cue == "read" || cue == "reads") && !mentions_statement(cx, speaker.span) {
        return None;
    }

    // Content after the cue.
    let mut p = c + 1;
    let mut outlet = None;
    if matches!(
        cue.as_str(),
        "told" | "tells" | "accused" | "accuses" | "warned" | "urged" | "informed"
    ) {
        // The recipient: up to "that", a comma, a colon or a quote.
        let r0 = p;
        while p < n
            && cx.toks[p].start < sent.end
            && !(cx.toks[p].word && cx.lower(p) == "that")
            && !cx.is_punct(p, &[',', ':', '“', '"', '.'])
        {
            p += 1;
        }
        if p > r0 {
            let rspan = Span::new(cx.toks[r0].start, cx.toks[p - 1].end);
            outlet = cx
                .entities_in(rspan)
                .find(|e| e.kind == EntityKind::Media)
                .map(|e| e.canonical.clone());
            if matches!(cue.as_str(), "accused" | "accuses" | "warned" | "urged") {
                // "accused Y of …": Y is part of the content.
                p = r0;
            }
        }
    }
    // "said on Thursday that …": skip a short adjunct before "that".
    if let Some(t) = (p..n.min(p + 7))
        .take_while(|&k| cx.toks[k].word && cx.toks[k].start < sent.end)
        .find(|&k| cx.lower(k) == "that")
    {
        p = t;
    }
    while p < n
        && cx.toks[p].start < sent.end
        && (cx.is_punct(p, &[',', ':']) || (cx.toks[p].word && cx.lower(p) == "that"))
    {
        p += 1;
    }
    let mut content = Span::new(0, 0);
    // A quote right after the cue (possibly after a short adjunct and a comma).
    let qj = cx
        .quotes
        .partition_point(|q| q.open < cx.toks.get(c + 1).map_or(sent.end, |t| t.start));
    if let Some(k) = (qj..cx.quotes.len().min(qj + 2)).find(|&k| !used[k]) {
        let q = cx.quotes[k];
        let gap_words = cx.text[cue_tok.end..q.open].split_whitespace().count();
        let rest_after = cx.text
            [q.close..cx.sentence_of(q.close.saturating_sub(1)).1.end.max(q.close)]
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count();
        if q.open < sent.end
            && gap_words <= 12
            && rest_after <= 2
            && !cx.text[cue_tok.end..q.open].contains(['.', '!', '?'])
        {
            used[k] = true;
            content = trim_span(cx.text, q.inner.start, q.inner.end);
        }
    }
    if content.is_empty() && p < n && cx.toks[p].start < sent.end {
        let end = coordinated_cut(cx, p, sent.end);
        content = trim_span(cx.text, cx.toks[p].start, end);
        // "Syria Direct reported last week.": an adjunct is no content.
        let adjunct_only = content.slice(cx.text).split_whitespace().all(|w| {
            is_time_word(w)
                || [
                    "via", "by", "email", "e-mail", "phone", "ago", "earlier", "later",
                ]
                .contains(&w)
        });
        if adjunct_only {
            content = Span::new(0, 0);
        }
    }
    if content.is_empty() {
        // "…, X told Syria Direct."
        let before_end = np_start.unwrap_or(speaker.span.start);
        content = trim_span(cx.text, sent.start, before_end);
    }
    if content.is_empty() {
        return None;
    }
    if outlet.is_none() {
        outlet = outlet_near(cx, cue_tok.end, sent.end, Some(&speaker))
            .filter(|_| content.start > cue_tok.end);
    }
    let stance = stance_for(cx, &cue, Some(&speaker));
    let (cs, _) = cx.sentence_of(content.start);
    let claim = make_claim(
        cx,
        content,
        Some(&speaker),
        &cue,
        stance,
        cs.min(sidx.max(cs)),
        outlet,
    );
    Some((claim, Some(speaker)))
}

fn mentions_statement(cx: &Cx, span: Span) -> bool {
    span.slice(cx.text)
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| STATEMENT_NOUNS.contains(&w.to_lowercase().as_str()))
}

/// End of a content clause: the sentence end, or before "and <cue>"
/// ("denied …, and stressed …").
fn coordinated_cut(cx: &Cx, from: usize, sent_end: usize) -> usize {
    let n = cx.toks.len();
    let mut k = from;
    while k + 1 < n && cx.toks[k + 1].start < sent_end {
        if cx.toks[k].word && cx.lower(k) == "and" && cx.is_cue_word(k + 1) {
            return cx.toks[k].start;
        }
        k += 1;
    }
    sent_end
}

/// A media outlet addressed after the cue ("told Syria Direct", "in an
/// interview with Kurdistan 24").
fn outlet_near(cx: &Cx, from: usize, to: usize, speaker: Option<&Speaker>) -> Option<String> {
    if from >= to {
        return None;
    }
    cx.entities_in(Span::new(from, to))
        .filter(|e| e.kind == EntityKind::Media)
        .find(|e| speaker.is_none_or(|s| s.name.as_deref() != Some(e.canonical.as_str())))
        .filter(|e| {
            let before = cx.text[from..e.span.start].trim_end();
            let w = before.rsplit(' ').next().unwrap_or("");
            before.len() < 40 || matches!(w, "told" | "to" | "with" | "tells")
        })
        .map(|e| e.canonical.clone())
}

/// The speaker phrase after an inverted cue: `,” said a US defence official in Washington.`
fn inverted_np(cx: &Cx, c: usize, sent_end: usize) -> Option<Span> {
    let n = cx.toks.len();
    let s = c + 1;
    let mut e = s;
    while e < n && cx.toks[e].start < sent_end && cx.toks[e].word {
        let w = cx.lower(e);
        if e > s
            && ([
                "in", "at", "on", "from", "during", "by", "with", "via", "to", "who", "which",
                "that", "when", "while", "after", "adding",
            ]
            .contains(&w.as_ref()))
        {
            break;
        }
        e += 1;
    }
    if e == s {
        return None;
    }
    Some(Span::new(cx.toks[s].start, cx.toks[e - 1].end))
}

/// The subject phrase of the cue at token `c`, searched back to byte `lo`.
fn subject_np(cx: &Cx, lo: usize, c: usize) -> Option<Span> {
    let first = cx.tok_at(lo);
    if first >= c {
        return None;
    }
    // Segments (token ranges) split at clause punctuation.
    let mut segs: Vec<(usize, usize)> = Vec::new();
    let mut s = first;
    for k in first..c {
        if cx.is_punct(k, SEG_PUNCT) && !cx.is_scare_mark(cx.toks[k].start) {
            segs.push((s, k));
            s = k + 1;
        }
    }
    segs.push((s, c));
    let last_idx = segs.len() - 1;
    for (idx, &(a, b)) in segs.iter().enumerate().rev().take(6) {
        let words: Vec<usize> = (a..b).filter(|&k| cx.toks[k].word).collect();
        if words.is_empty() {
            continue;
        }
        let adjacent = idx == last_idx;
        let fw0 = cx.lower(words[0]);
        // An appositive after a person: "Irina Tsukerman, analyst at …, told",
        // "Muhammad Adnan, a spokesman for … told".
        let appositive_start =
            ["a", "an", "the", "one"].contains(&fw0.as_ref()) || cx.lex.is_role_noun(&fw0);
        if appositive_start && idx > 0 {
            let (pa, pb) = segs[idx - 1];
            let prev_last = (pa..pb).rev().find(|&k| cx.toks[k].word);
            let prev_entity = prev_last.and_then(|k| cx.entity_at_tok(k));
            // After a person any role phrase is an appositive; after another
            // actor only an indefinite one ("X, an umbrella group of …, claimed").
            let skip = prev_entity.is_some_and(|e| {
                e.kind == EntityKind::Person
                    || (e.kind != EntityKind::Equipment
                        && ["a", "an", "one"].contains(&fw0.as_ref()))
            });
            if skip {
                continue;
            }
        }
        // The phrase starts after the last subordinator of the segment.
        let start = words
            .iter()
            .rposition(|&k| SUBORDINATORS.contains(&cx.lower(k).as_ref()))
            .map_or(0, |p| p + 1);
        let mut ws = &words[start..];
        if adjacent {
            while let Some((&last, rest)) = ws.split_last() {
                if FILLERS.contains(&cx.lower(last).as_ref()) {
                    ws = rest;
                } else {
                    break;
                }
            }
            if !ws.is_empty() {
                return Some(Span::new(
                    cx.toks[ws[0]].start,
                    cx.toks[ws[ws.len() - 1]].end,
                ));
            }
            continue;
        }
        if start > 0 && RELATIVES.contains(&cx.lower(words[start - 1]).as_ref()) {
            continue;
        }
        let fw = cx.lower(words[0]);
        if RELATIVES.contains(&fw.as_ref()) || PREPOSITIONS.contains(&fw.as_ref()) {
            continue;
        }
        if ws
            .iter()
            .all(|&k| FILLERS.contains(&cx.lower(k).as_ref()) || is_time_word(cx.word(k)))
        {
            continue;
        }
        if ws.is_empty() {
            continue;
        }
        return Some(Span::new(
            cx.toks[ws[0]].start,
            cx.toks[ws[ws.len() - 1]].end,
        ));
    }
    None
}

fn is_time_word(w: &str) -> bool {
    w.chars().all(|c| c.is_ascii_digit())
        || [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
            "week",
            "month",
            "year",
            "today",
            "yesterday",
            "weekend",
            "morning",
            "evening",
            "night",
            "day",
            "on",
            "in",
            "this",
            "last",
        ]
        .contains(&w)
}

/// Role nouns of the same class compare equal ("spokesman" ~ "spokesperson").
fn role_key(noun: &str) -> &str {
    let n = noun
        .strip_suffix('s')
        .filter(|s| s.len() > 3)
        .unwrap_or(noun);
    if n.starts_with("spokes") {
        "spokes"
    } else if n == "officials" {
        "official"
    } else {
        n
    }
}

/// Actor kind suggested by a role or speaker phrase.
fn kind_from_role(cx: &Cx, role: &str) -> Option<ActorKind> {
    let l = role.to_lowercase();
    let has = |w: &str| {
        l.split(|c: char| !c.is_alphanumeric() && c != '-')
            .any(|x| x == w || x.strip_suffix('s') == Some(w))
    };
    if ["rebel", "opposition", "militia", "militant", "insurgent"]
        .iter()
        .any(|w| has(w))
    {
        return Some(ActorKind::NonStateArmed);
    }
    let military = [
        "military",
        "army",
        "commander",
        "officer",
        "soldier",
        "general",
        "colonel",
        "col",
        "gen",
        "maj",
        "lt",
        "forces",
        "defence",
        "defense",
        "coalition",
    ]
    .iter()
    .any(|w| has(w));
    let gov = [
        "official",
        "minister",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "diplomat",
        "envoy",
        "ambassador",
        "secretary",
        "president",
        "government",
        "ministry",
    ]
    .iter()
    .any(|w| has(w));
    let rank = [
        "commander",
        "officer",
        "general",
        "colonel",
        "col",
        "gen",
        "maj",
        "lt",
        "major",
        "lieutenant",
        "brig",
        "captain",
        "capt",
        "admiral",
        "adm",
    ]
    .iter()
    .any(|w| has(w));
    if rank || military && has("military") || military && !gov {
        return Some(ActorKind::StateMilitary);
    }
    if gov {
        return Some(ActorKind::GovernmentOfficial);
    }
    if [
        "resident", "witness", "activist", "doctor", "medic", "civilian", "villager",
    ]
    .iter()
    .any(|w| has(w))
    {
        return Some(ActorKind::Civilians);
    }
    if ["journalist", "correspondent", "reporter", "editor"]
        .iter()
        .any(|w| has(w))
    {
        return Some(ActorKind::Media);
    }
    if [
        "expert",
        "analyst",
        "researcher",
        "professor",
        "fellow",
        "scholar",
    ]
    .iter()
    .any(|w| has(w))
    {
        return Some(ActorKind::Other);
    }
    let _ = cx;
    None
}

fn entity_speaker(cx: &Cx, e: &EntityMention) -> Speaker {
    let person = e.kind == EntityKind::Person;
    // A short mention ("Kurilla") carries the role of the full one.
    let e = if person && e.role.is_none() {
        cx.ents
            .iter()
            .find(|o| {
                o.kind == EntityKind::Person && o.canonical == e.canonical && o.role.is_some()
            })
            .unwrap_or(e)
    } else {
        e
    };
    let kind = e.actor_kind.or_else(|| {
        if person {
            e.role.as_deref().and_then(|r| kind_from_role(cx, r))
        } else {
            None
        }
    });
    Speaker {
        name: Some(e.canonical.clone()),
        kind,
        span: e.span,
        person,
        role: e.role.as_deref().unwrap_or("").to_lowercase(),
    }
}

/// Turns a speaker phrase into a speaker, resolving pronouns and
/// definite role phrases against what came before `pos`.
fn resolve_np(
    cx: &Cx,
    np: Span,
    pos: usize,
    prev: &[Speaker],
    claims: &[Claim],
) -> Option<Speaker> {
    let _ = claims;
    let first = cx.tok_at(np.start);
    let mut words: Vec<usize> = (first..cx.toks.len())
        .take_while(|&k| cx.toks[k].start < np.end)
        .filter(|&k| cx.toks[k].word)
        .collect();
    // Leading adjunct: "On Thursday the Russian Defense Ministry".
    if words
        .first()
        .is_some_and(|&k| PREPOSITIONS.contains(&cx.lower(k).as_ref()))
    {
        if let Some(d) = words.iter().position(|&k| {
            DETERMINERS.contains(&cx.lower(k).as_ref())
                || cx
                    .entity_at_tok(k)
                    .is_some_and(|e| e.kind != EntityKind::Equipment)
        }) {
            if d > 0 {
                words.drain(..d);
            }
        }
    }
    let &w0 = words.first()?;
    // Head: up to the first phrase-internal preposition.
    let head_end = words
        .iter()
        .skip(1)
        .position(|&k| NP_PREPS.contains(&cx.lower(k).as_ref()))
        .map_or(words.len(), |p| p + 1);
    let head = &words[..head_end];
    let span = Span::new(cx.toks[w0].start, np.end);
    let head_span = Span::new(cx.toks[head[0]].start, cx.toks[head[head.len() - 1]].end);

    // 1. A person named in the head, or ending the phrase ("expert in
    // Middle Eastern studies Ali Rizk").
    // A possessive person is a modifier: "Khalifa Haftar's Libyan National Army".
    let possessive = |e: &EntityMention| cx.text[e.span.end..].starts_with(['\'', '’']);
    if let Some(e) = cx
        .entities_starting_in(head_span)
        .filter(|e| e.kind == EntityKind::Person && !possessive(e))
        .last()
    {
        return Some(entity_speaker(cx, e));
    }
    if let Some(e) = cx
        .entities_in(span)
        .filter(|e| e.kind == EntityKind::Person && e.span.end + 1 >= np.end)
        .last()
    {
        return Some(entity_speaker(cx, e));
    }
    // 2. Pronouns.
    if head.len() == 1 {
        match cx.lower(head[0]).as_ref() {
            "he" | "she" => {
                return resolve_person_pronoun(cx, pos, prev).map(|mut s| {
                    s.span = span;
                    s
                })
            }
            "it" => {
                return prev.iter().rev().find(|s| !s.person).cloned().map(|mut s| {
                    s.span = span;
                    s
                })
            }
            "they" => {
                return prev.last().cloned().map(|mut s| {
                    s.span = span;
                    s
                })
            }
            "i" | "we" | "you" => return None,
            _ => {}
        }
    }
    // 3. A role phrase: "the ministry", "a US defence official".
    let last = *head.last()?;
    let last_lower = strip_possessive(&cx.lower(last)).to_string();
    let last_entity = cx
        .entity_at_tok(last)
        .filter(|e| e.kind != EntityKind::Equipment);
    let role_tok = if last_entity.is_none() && cx.is_role(&last_lower) {
        Some(last)
    } else {
        // "the Ministry's statement": the first role noun of the head.
        head.iter()
            .copied()
            .find(|&k| {
                let l = strip_possessive(&cx.lower(k)).to_string();
                cx.is_role(&l) && (cx.entity_at_tok(k).is_none() || !is_capitalised(cx.word(k)))
            })
            .filter(|_| last_entity.is_none())
    };
    if let Some(rt) = role_tok {
        let noun = strip_possessive(&cx.lower(rt)).to_string();
        let d = cx.lower(head[0]);
        // "His office said": the person's office speaks for the person.
        if (d == "his" || d == "her") && cx.is_speaker_noun(&noun) {
            if let Some(mut s) = resolve_person_pronoun(cx, pos, prev) {
                s.span = span;
                return Some(s);
            }
        }
        // Institutional nouns name one known body even without an article
        // ("…, health ministry says").
        let definite = DETERMINERS_DEF.contains(&d.as_ref())
            || cx.word(head[0]).ends_with("'s")
            || cx.word(head[0]).ends_with("’s")
            || (cx.lex.speaker_nouns.contains(noun.as_str()) && !["a", "an"].contains(&d.as_ref()));
        if definite {
            let modifiers = squash(span.slice(cx.text)).to_lowercase();
            if let Some(mut s) = resolve_role(cx, &noun, &modifiers, pos, prev) {
                s.span = span;
                return Some(s);
            }
        }
        let text = squash(span.slice(cx.text));
        // "a spokesman for X", "analysts at X", "a commander with X": an
        // unnamed member speaks for the organisation X.
        let member_of = words[head_end..]
            .first()
            .filter(|&&k| ["for", "at", "of", "from", "with"].contains(&cx.lower(k).as_ref()))
            .and_then(|&k| {
                let rest = Span::new(cx.toks[k].end, np.end);
                cx.entities_starting_in(rest).find(|e| {
                    !matches!(
                        e.kind,
                        EntityKind::Person | EntityKind::Equipment | EntityKind::Group
                    ) && e.actor_kind != Some(ActorKind::State)
                })
            });
        if let Some(org) = member_of {
            let mut s = entity_speaker(cx, org);
            s.span = span;
            s.person = true;
            s.role = text.to_lowercase();
            return Some(s);
        }
        let country_kind = kind_from_role(cx, &text);
        let person = cx.lex.is_role_noun(&noun);
        return Some(Speaker {
            name: Some(text.clone()),
            kind: country_kind,
            span,
            person,
            role: text.to_lowercase(),
        });
    }
    // 4. An actor named in the head: its last one ("Iran's Fars news agency").
    if let Some(e) = cx
        .entities_starting_in(head_span)
        .filter(|e| e.kind != EntityKind::Equipment)
        .last()
    {
        return Some(entity_speaker(cx, e));
    }
    None
}

fn resolve_person_pronoun(cx: &Cx, pos: usize, prev: &[Speaker]) -> Option<Speaker> {
    let ent = cx
        .ents
        .iter()
        .rfind(|e| e.kind == EntityKind::Person && e.span.end <= pos);
    let spk = prev.iter().rev().find(|s| s.person && s.span.end <= pos);
    match (ent, spk) {
        (Some(e), Some(s)) if s.span.start > e.span.start => Some(s.clone()),
        (Some(e), _) => Some(entity_speaker(cx, e)),
        (None, Some(s)) => Some(s.clone()),
        (None, None) => None,
    }
}

fn resolve_role(
    cx: &Cx,
    noun: &str,
    modifiers: &str,
    pos: usize,
    prev: &[Speaker],
) -> Option<Speaker> {
    let key = role_key(noun);
    let before = |e: &&EntityMention| e.span.end <= pos;
    match key {
        "regime" | "government" => cx
            .ents
            .iter()
            .filter(before)
            .rfind(|e| {
                e.actor_kind == Some(ActorKind::State)
                    && e.canonical.to_lowercase().contains("government")
            })
            .map(|e| entity_speaker(cx, e)),
        "ministry" | "department" | "office" | "embassy" | "command" => {
            let pred = |name: &str| name.to_lowercase().contains(key);
            if let Some(s) = prev
                .iter()
                .rev()
                .find(|s| s.name.as_deref().is_some_and(pred))
            {
                return Some(s.clone());
            }
            // A headline names the body before the text does: look ahead too.
            cx.ents
                .iter()
                .filter(before)
                .rfind(|e| pred(&e.canonical))
                .or_else(|| {
                    cx.ents
                        .iter()
                        .find(|e| e.span.start >= pos && pred(&e.canonical))
                })
                .map(|e| entity_speaker(cx, e))
        }
        "statement" | "report" | "source" | "letter" | "message" => prev.last().cloned(),
        "agency" | "outlet" | "newspaper" | "channel" => {
            if let Some(s) = prev.iter().rev().find(|s| s.kind == Some(ActorKind::Media)) {
                return Some(s.clone());
            }
            cx.ents
                .iter()
                .filter(before)
                .rfind(|e| e.kind == EntityKind::Media)
                .map(|e| entity_speaker(cx, e))
        }
        "army" | "military" => cx
            .ents
            .iter()
            .filter(before)
            .rfind(|e| {
                e.actor_kind == Some(ActorKind::StateMilitary) && e.kind == EntityKind::Military
            })
            .or_else(|| {
                cx.ents
                    .iter()
                    .find(|e| e.span.start >= pos && e.actor_kind == Some(ActorKind::StateMilitary))
            })
            .map(|e| entity_speaker(cx, e)),
        "group" | "faction" | "movement" | "militia" => cx
            .ents
            .iter()
            .filter(before)
            .rfind(|e| {
                e.kind == EntityKind::Military
                    && e.actor_kind.is_none_or(|k| k == ActorKind::NonStateArmed)
            })
            .map(|e| entity_speaker(cx, e)),
        "coalition" => {
            if let Some(s) = prev.iter().rev().find(|s| {
                !s.person
                    && s.name
                        .as_deref()
                        .is_some_and(|n| n.to_lowercase().contains(key))
            }) {
                return Some(s.clone());
            }
            cx.ents
                .iter()
                .filter(before)
                .rfind(|e| e.kind != EntityKind::Person && e.canonical.to_lowercase().contains(key))
                .map(|e| entity_speaker(cx, e))
        }
        _ => {
            // Person roles: the last person or speaker whose role says so.
            // Among earlier persons and speakers with the role, the one
            // sharing the most modifiers ("the US military spokesperson"),
            // then the latest.
            let ents = cx
                .ents
                .iter()
                .filter(before)
                .filter(|e| e.kind == EntityKind::Person)
                .map(|e| entity_speaker(cx, e))
                .filter(|s| s.role.contains(key));
            let spks = prev.iter().filter(|s| s.role.contains(key)).cloned();
            ents.chain(spks)
                .max_by_key(|s| (overlap(modifiers, &s.role), s.span.start))
        }
    }
}

/// Number of content words of `phrase` found in `role`.
fn overlap(phrase: &str, role: &str) -> usize {
    phrase
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1 && !DETERMINERS.contains(w))
        .filter(|w| role.split(|c: char| !c.is_alphanumeric()).any(|r| r == *w))
        .count()
}

/// A sentence that is only a quote, right after a claim, continues it.
fn continuation_quotes(cx: &Cx, claims: &mut Vec<Claim>, used: &mut [bool]) {
    let mut extra = Vec::new();
    for (k, q) in cx.quotes.iter().enumerate() {
        if used[k] {
            continue;
        }
        let (si, sent) = cx.sentence_of(q.open);
        let lead = cx.text[sent.start..q.open].trim();
        let tail =
            cx.text[q.close..cx.sentence_of(q.close.saturating_sub(1)).1.end.max(q.close)].trim();
        if !lead.is_empty() || tail.chars().any(char::is_alphanumeric) || si == 0 {
            continue;
        }
        let prev_sent = cx.sentences[si - 1];
        let Some(prev) = claims
            .iter()
            .chain(extra.iter())
            .filter(|c: &&Claim| {
                c.content.end <= q.open
                    && c.content.end + 4 >= prev_sent.start
                    && c.content.start < sent.start
            })
            .max_by_key(|c| c.content.end)
        else {
            continue;
        };
        let content = trim_span(cx.text, q.inner.start, q.inner.end);
        if content.is_empty() {
            continue;
        }
        let claim = Claim {
            content,
            sentence: si,
            ..prev.clone()
        };
        used[k] = true;
        extra.push(claim);
    }
    claims.extend(extra);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_pair_up() {
        let t = "He said: “One. Two.” Then \"three\".";
        let q = find_quotes(t);
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].inner.slice(t), "One. Two.");
        assert_eq!(q[1].inner.slice(t), "three");
    }

    #[test]
    fn role_keys() {
        assert_eq!(role_key("spokesman"), role_key("spokesperson"));
        assert_eq!(role_key("officials"), "official");
    }
}
