//! Word-pattern lexicons: the trigger lexicon (`data/events/triggers.tsv`)
//! and the context cues (`data/events/cues.tsv`), with a matcher over
//! tokenized text.
//!
//! Patterns are word sequences so "air strike", "air-strike" and
//! "Air Strikes" all match `air strike*`; a `..` item skips up to four
//! words ("fired two rockets" matches `fired .. rocket*`).

use std::collections::HashMap;

use sitrep_model::Plover;

use crate::EventsError;

/// A word of the text: byte offsets into the document text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
}

/// Splits `text[range]` into words: maximal runs of alphanumeric
/// characters. Hyphens, apostrophes and punctuation separate words.
pub fn tokenize(text: &str, from: usize, to: usize, out: &mut Vec<Token>) {
    let Some(slice) = text.get(from..to) else {
        return;
    };
    let mut start: Option<usize> = None;
    for (i, c) in slice.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            out.push(Token {
                start: from + s,
                end: from + i,
            });
        }
    }
    if let Some(s) = start {
        out.push(Token {
            start: from + s,
            end: to,
        });
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Word(String),
    /// Matches only when written in lower case ("may" the modal, not May).
    LowerWord(String),
    Prefix(String),
    /// Skips 0..=4 words.
    Gap,
}

/// Four words cover a determiner, a number and two modifiers ("fired two
/// anti-ship ballistic missiles", "beat a migrant worker to death").
const GAP_MAX: usize = 4;

/// A compiled word pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    items: Vec<Item>,
}

impl Pattern {
    pub fn parse(src: &str) -> Option<Pattern> {
        let mut items = Vec::new();
        for raw in src.split_whitespace() {
            if raw == ".." {
                items.push(Item::Gap);
                continue;
            }
            let (lower_only, w) = match raw.strip_prefix('=') {
                Some(w) => (true, w),
                None => (false, raw),
            };
            let (prefix, w) = match w.strip_suffix('*') {
                Some(w) => (true, w),
                None => (false, w),
            };
            // Words inside a pattern follow the text's tokenization: "sit-in" is "sit in".
            let parts: Vec<String> = w
                .split(|c: char| !c.is_alphanumeric())
                .filter(|p| !p.is_empty())
                .map(|p| p.to_lowercase())
                .collect();
            let n = parts.len();
            for (k, p) in parts.into_iter().enumerate() {
                let last = k + 1 == n;
                items.push(if prefix && last {
                    Item::Prefix(p)
                } else if lower_only {
                    Item::LowerWord(p)
                } else {
                    Item::Word(p)
                });
            }
        }
        let first_ok = matches!(
            items.first(),
            Some(Item::Word(_) | Item::LowerWord(_) | Item::Prefix(_))
        );
        let last_ok = !matches!(items.last(), Some(Item::Gap));
        (first_ok && last_ok).then_some(Pattern { items })
    }

    /// Number of fixed words, used to prefer longer matches.
    pub fn weight(&self) -> usize {
        self.items
            .iter()
            .filter(|i| !matches!(i, Item::Gap))
            .count()
    }
}

/// A match: pattern index and the token range `[first, last]` it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub pattern: usize,
    pub first: usize,
    pub last: usize,
}

/// Finds patterns over a tokenized text. Patterns are indexed by their
/// first word (or first-word prefix) so a scan costs a few hash lookups per
/// token.
#[derive(Debug, Default)]
pub struct Matcher {
    patterns: Vec<Pattern>,
    by_word: HashMap<String, Vec<usize>, Fnv>,
    /// Prefix patterns by their first three bytes (shorter prefixes are
    /// keyed whole); the full prefix is checked on lookup.
    by_head: HashMap<String, Vec<usize>, Fnv>,
    short_heads: bool,
}

/// FNV-1a: word keys are short, and the default SipHash dominates the scan.
#[derive(Debug, Default, Clone, Copy)]
pub struct Fnv;

/// The FNV-1a state.
#[derive(Debug)]
pub struct FnvHasher(u64);

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
}

const HEAD: usize = 3;

fn head(w: &str) -> &str {
    let mut end = w.len().min(HEAD);
    while !w.is_char_boundary(end) {
        end -= 1;
    }
    &w[..end]
}

impl Matcher {
    pub fn new(patterns: Vec<Pattern>) -> Matcher {
        let mut m = Matcher {
            patterns,
            ..Default::default()
        };
        for (i, p) in m.patterns.iter().enumerate() {
            match &p.items[0] {
                Item::Word(w) | Item::LowerWord(w) => {
                    m.by_word.entry(w.clone()).or_default().push(i)
                }
                Item::Prefix(w) => m.by_head.entry(head(w).to_string()).or_default().push(i),
                Item::Gap => {}
            }
        }
        m.short_heads = m.by_head.keys().any(|k| k.len() < HEAD);
        m
    }

    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// All matches over `tokens` of `text` (whose lower-case copy is
    /// `lower`, same byte offsets), in token order.
    pub fn find(&self, text: &str, lower: &str, tokens: &[Token], out: &mut Vec<Hit>) {
        for i in 0..tokens.len() {
            let w = &lower[tokens[i].start..tokens[i].end];
            if let Some(ids) = self.by_word.get(w) {
                for &p in ids {
                    self.try_at(p, text, lower, tokens, i, out);
                }
            }
            // Prefixes of three bytes or more are keyed by their first three
            // bytes; shorter prefixes (if any) by themselves.
            let h = w.len().min(HEAD);
            let lo = if self.short_heads { 1 } else { h.max(1) };
            for end in (lo..=h).rev() {
                if let Some(ids) = w.get(..end).and_then(|x| self.by_head.get(x)) {
                    for &p in ids {
                        self.try_at(p, text, lower, tokens, i, out);
                    }
                }
            }
        }
    }

    fn try_at(
        &self,
        p: usize,
        text: &str,
        lower: &str,
        tokens: &[Token],
        i: usize,
        out: &mut Vec<Hit>,
    ) {
        if let Some(last) = match_items(&self.patterns[p].items, text, lower, tokens, i) {
            out.push(Hit {
                pattern: p,
                first: i,
                last,
            });
        }
    }
}

fn item_matches(item: &Item, text: &str, lower: &str, t: Token) -> bool {
    let w = &lower[t.start..t.end];
    match item {
        Item::Word(x) => w == x,
        Item::LowerWord(x) => w == x && text.get(t.start..t.end) == Some(x.as_str()),
        Item::Prefix(x) => w.starts_with(x.as_str()),
        Item::Gap => true,
    }
}

/// Matches `items` starting at token `i`; returns the last token matched.
/// Gaps take as few words as possible.
fn match_items(
    items: &[Item],
    text: &str,
    lower: &str,
    tokens: &[Token],
    i: usize,
) -> Option<usize> {
    let (first, rest) = items.split_first()?;
    let t = *tokens.get(i)?;
    if matches!(first, Item::Gap) {
        for skip in 0..=GAP_MAX {
            if let Some(end) = match_items(rest, text, lower, tokens, i + skip) {
                return Some(end);
            }
        }
        return None;
    }
    if !item_matches(first, text, lower, t) {
        return None;
    }
    if rest.is_empty() {
        return Some(i);
    }
    match_items(rest, text, lower, tokens, i + 1)
}

/// How a trigger's ACLED sub-event type is chosen (see `coding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Fixed,
    Violence,
    Protest,
    Riot,
    Property,
    Arrest,
    Territory,
    TerritoryLoss,
    None,
}

impl Mode {
    fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "fixed" => Mode::Fixed,
            "violence" => Mode::Violence,
            "protest" => Mode::Protest,
            "riot" => Mode::Riot,
            "property" => Mode::Property,
            "arrest" => Mode::Arrest,
            "territory" => Mode::Territory,
            "territory_loss" => Mode::TerritoryLoss,
            "none" => Mode::None,
            _ => return None,
        })
    }
}

/// One trigger lexicon entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    pub source: String,
    pub plover: Plover,
    pub mode: Mode,
    /// ACLED sub-event type: the coding for `Fixed`, the default for
    /// `Violence`.
    pub subtype: Option<&'static str>,
    /// What must be near the trigger for it to count.
    pub requires: Option<Requirement>,
    pub priority: u8,
}

/// A condition on a trigger's neighbourhood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    pub what: Needed,
    /// Anywhere in the sentence rather than within a few words (`~` suffix):
    /// "a rocket launched from Gaza towards the town was intercepted".
    pub sentence_wide: bool,
}

/// What a [`Requirement`] looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needed {
    /// A cue of this class.
    Cue(Cue),
    /// Any weapon cue (air, artillery, IED ...) or armed cue.
    Weapon,
}

/// Context cue classes (see `data/events/cues.tsv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cue {
    Air,
    Artillery,
    Ied,
    Suicide,
    Grenade,
    Chemical,
    /// Arms, ammunition and explosives as objects (seized, found, defused).
    Munition,
    /// A named or described individual (suspect, commander, leader): what
    /// is captured is a person, not a place.
    Person,
    /// A reporting verb ("said", "according to"): the people it names are
    /// sources, not parties.
    Attribution,
    /// What a protest is against ("against the killing of"): deaths named
    /// after it are the grievance, not force used on the protesters.
    Grievance,
    /// What a gathering is for ("to demand", "placards"): makes it a protest.
    ProtestAim,
    Civilian,
    Armed,
    State,
    NonState,
    Protester,
    Mob,
    Crowd,
    Intervention,
    Lethal,
    ProtesterViolence,
    NonViolent,
    Recapture,
    Combat,
    Force,
    Property,
    Generic,
    Habitual,
    Conditional,
    Irrealis,
    Negation,
    Request,
}

impl Cue {
    fn parse(s: &str) -> Option<Cue> {
        Some(match s {
            "air" => Cue::Air,
            "artillery" => Cue::Artillery,
            "ied" => Cue::Ied,
            "suicide" => Cue::Suicide,
            "grenade" => Cue::Grenade,
            "chemical" => Cue::Chemical,
            "munition" => Cue::Munition,
            "person" => Cue::Person,
            "attribution" => Cue::Attribution,
            "grievance" => Cue::Grievance,
            "protest_aim" => Cue::ProtestAim,
            "civilian" => Cue::Civilian,
            "armed" => Cue::Armed,
            "state" => Cue::State,
            "nonstate" => Cue::NonState,
            "protester" => Cue::Protester,
            "mob" => Cue::Mob,
            "crowd" => Cue::Crowd,
            "intervention" => Cue::Intervention,
            "lethal" => Cue::Lethal,
            "protester_violence" => Cue::ProtesterViolence,
            "nonviolent" => Cue::NonViolent,
            "recapture" => Cue::Recapture,
            "combat" => Cue::Combat,
            "force" => Cue::Force,
            "property" => Cue::Property,
            "generic" => Cue::Generic,
            "habitual" => Cue::Habitual,
            "conditional" => Cue::Conditional,
            "irrealis" => Cue::Irrealis,
            "negation" => Cue::Negation,
            "request" => Cue::Request,
            _ => return None,
        })
    }

    /// True for the weapon classes that decide an Explosions/Remote
    /// violence sub-type.
    pub fn is_weapon(self) -> bool {
        matches!(
            self,
            Cue::Air | Cue::Artillery | Cue::Ied | Cue::Suicide | Cue::Grenade | Cue::Chemical
        )
    }
}

/// A cue lexicon entry.
#[derive(Debug, Clone, PartialEq)]
pub struct CueEntry {
    pub class: Cue,
    /// Display name when the cue names equipment ("HIMARS").
    pub equipment: Option<String>,
}

/// ACLED's 25 sub-event types with their event types, exact labels.
pub const ACLED: [(&str, &str); 25] = sitrep_model::ACLED_SUBTYPES;

/// The canonical (static) label of an ACLED sub-event type.
pub fn acled_subtype(label: &str) -> Option<&'static str> {
    ACLED.iter().find(|(_, s)| *s == label).map(|(_, s)| *s)
}

/// The ACLED event type of a sub-event type.
pub fn acled_event_type(subtype: &str) -> Option<&'static str> {
    ACLED.iter().find(|(_, s)| *s == subtype).map(|(e, _)| *e)
}

/// The trigger lexicon and the cue lexicon, compiled.
#[derive(Debug)]
pub struct Lexicon {
    pub triggers: Vec<Trigger>,
    pub trigger_matcher: Matcher,
    pub cues: Vec<CueEntry>,
    pub cue_matcher: Matcher,
}

const TRIGGERS_TSV: &str = include_str!("../../../data/events/triggers.tsv");
const CUES_TSV: &str = include_str!("../../../data/events/cues.tsv");

fn data_lines(src: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    src.lines().enumerate().filter_map(|(i, l)| {
        let t = l.trim_end();
        if t.is_empty() || t.starts_with('#') {
            None
        } else {
            Some((i + 1, t.split('\t').collect()))
        }
    })
}

fn bad(path: &str, line: usize, reason: impl Into<String>) -> EventsError {
    EventsError::Data {
        path: path.to_string(),
        line,
        reason: reason.into(),
    }
}

impl Lexicon {
    /// The built-in lexicons embedded from `data/events/`.
    pub fn builtin() -> Result<Lexicon, EventsError> {
        Lexicon::parse(TRIGGERS_TSV, CUES_TSV)
    }

    /// Parses lexicons in the `triggers.tsv` / `cues.tsv` formats.
    pub fn parse(triggers_tsv: &str, cues_tsv: &str) -> Result<Lexicon, EventsError> {
        const TP: &str = "data/events/triggers.tsv";
        const CP: &str = "data/events/cues.tsv";
        let mut triggers = Vec::new();
        let mut tpats = Vec::new();
        for (line, cols) in data_lines(triggers_tsv) {
            let [pat, plover, mode, sub, req, prio] = cols[..] else {
                return Err(bad(
                    TP,
                    line,
                    format!("expected 6 columns, found {}", cols.len()),
                ));
            };
            let pattern =
                Pattern::parse(pat).ok_or_else(|| bad(TP, line, format!("bad pattern {pat:?}")))?;
            let plover = Plover::parse(plover)
                .ok_or_else(|| bad(TP, line, format!("unknown PLOVER {plover:?}")))?;
            let mode =
                Mode::parse(mode).ok_or_else(|| bad(TP, line, format!("unknown mode {mode:?}")))?;
            let subtype =
                match sub {
                    "-" => None,
                    s => Some(acled_subtype(s).ok_or_else(|| {
                        bad(TP, line, format!("not an ACLED sub-event type: {s:?}"))
                    })?),
                };
            if mode == Mode::Fixed && subtype.is_none() {
                return Err(bad(TP, line, "mode fixed needs a sub-event type"));
            }
            let requires = match req {
                "-" => None,
                r => {
                    let (name, sentence_wide) = match r.strip_suffix('~') {
                        Some(n) => (n, true),
                        None => (r, false),
                    };
                    let what = match name {
                        "weapon" => Needed::Weapon,
                        n => Needed::Cue(
                            Cue::parse(n)
                                .ok_or_else(|| bad(TP, line, format!("unknown cue class {n:?}")))?,
                        ),
                    };
                    Some(Requirement {
                        what,
                        sentence_wide,
                    })
                }
            };
            let priority = prio
                .parse::<u8>()
                .map_err(|_| bad(TP, line, format!("bad priority {prio:?}")))?;
            triggers.push(Trigger {
                source: pat.to_string(),
                plover,
                mode,
                subtype,
                requires,
                priority,
            });
            tpats.push(pattern);
        }
        let mut cues = Vec::new();
        let mut cpats = Vec::new();
        for (line, cols) in data_lines(cues_tsv) {
            let [pat, class, label] = cols[..] else {
                return Err(bad(
                    CP,
                    line,
                    format!("expected 3 columns, found {}", cols.len()),
                ));
            };
            let pattern =
                Pattern::parse(pat).ok_or_else(|| bad(CP, line, format!("bad pattern {pat:?}")))?;
            let class = Cue::parse(class)
                .ok_or_else(|| bad(CP, line, format!("unknown cue class {class:?}")))?;
            let equipment = (label != "-").then(|| label.to_string());
            cues.push(CueEntry { class, equipment });
            cpats.push(pattern);
        }
        if triggers.is_empty() {
            return Err(bad(TP, 0, "no triggers"));
        }
        Ok(Lexicon {
            triggers,
            trigger_matcher: Matcher::new(tpats),
            cues,
            cue_matcher: Matcher::new(cpats),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<Token> {
        let mut v = Vec::new();
        tokenize(text, 0, text.len(), &mut v);
        v
    }

    #[test]
    fn builtin_lexicons_load() {
        let lex = Lexicon::builtin().expect("built-in lexicons parse");
        assert!(lex.triggers.len() > 200);
        assert!(lex.cues.len() > 200);
        // Every ACLED sub-event type is reachable from some trigger or rule.
        for (_, sub) in ACLED {
            let direct = lex.triggers.iter().any(|t| t.subtype == Some(sub));
            let by_rule = matches!(
                sub,
                "Government regains territory"
                    | "Non-state actor overtakes territory"
                    | "Peaceful protest"
                    | "Protest with intervention"
                    | "Excessive force against protesters"
                    | "Violent demonstration"
                    | "Arrests"
                    | "Looting/property destruction"
            );
            assert!(direct || by_rule, "{sub} unreachable");
        }
    }

    #[test]
    fn requirements_parse_with_their_reach() {
        let lex = Lexicon::parse(
            "intercepted\tCOERCE\tfixed\tDisrupted weapons use\tweapon~\t80\n\
             seized\tCOERCE\tarrest\t-\tperson\t46\n",
            "",
        )
        .expect("parses");
        assert_eq!(
            lex.triggers[0].requires,
            Some(Requirement {
                what: Needed::Weapon,
                sentence_wide: true
            })
        );
        assert_eq!(
            lex.triggers[1].requires,
            Some(Requirement {
                what: Needed::Cue(Cue::Person),
                sentence_wide: false
            })
        );
        let err = Lexicon::parse("seized\tCOERCE\tarrest\t-\tpersons~\t46\n", "").unwrap_err();
        assert!(err.to_string().contains("persons"), "{err}");
    }

    #[test]
    fn bad_lines_are_reported_with_line_numbers() {
        let err = Lexicon::parse("attack\tASSAULT\tfixed\tNot a type\t-\t1\n", "").unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
        let err = Lexicon::parse("attack\tFIGHT\tviolence\t-\t-\t1\n", "").unwrap_err();
        assert!(err.to_string().contains("PLOVER"), "{err}");
    }

    #[test]
    fn patterns_match_words_prefixes_gaps_and_case() {
        let pats = ["air strike*", "fired .. rocket*", "=may", "sit-in"];
        let m = Matcher::new(pats.iter().map(|p| Pattern::parse(p).unwrap()).collect());
        let text = "Air-strikes hit; they fired two Grad rockets in May, a sit-in may follow.";
        let lower = text.to_ascii_lowercase();
        let t = toks(text);
        let mut hits = Vec::new();
        m.find(text, &lower, &t, &mut hits);
        let got: Vec<(usize, &str)> = hits
            .iter()
            .map(|h| (h.pattern, &text[t[h.first].start..t[h.last].end]))
            .collect();
        assert_eq!(
            got,
            vec![
                (0, "Air-strikes"),
                (1, "fired two Grad rockets"),
                (3, "sit-in"),
                (2, "may")
            ]
        );
    }
}
