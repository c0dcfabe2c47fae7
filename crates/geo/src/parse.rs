//! The geoparser: one pass of normalized-token n-gram lookups over the
//! text (longest match first), recognition in context, disambiguation,
//! spatial expressions and per-document aggregation.

use crate::gazetteer::{key_hash, Source};
use crate::normalize::{normalize_key, tokenize, Gap, Tokens};
use crate::spatial::{approx_km, bearing_of, destination, haversine_km, midpoint, unit_km};
use crate::{Gazetteer, GeoContext};
use regex::Regex;
use sitrep_model::{
    Analysis, Document, EntityKind, Feature, GeoAnalysis, GeoPrecision, Location, Place,
    PlaceMention, Span, SpatialRelation,
};
use std::collections::{HashMap, HashSet};

/// Words after a name that mark it as a place ("Hama province").
const CUE_AFTER: &[&str] = &[
    "province",
    "governorate",
    "city",
    "town",
    "village",
    "district",
    "region",
    "area",
    "countryside",
    "desert",
    "base",
    "airbase",
    "air",
    "airport",
    "airfield",
    "crossing",
    "border",
    "dam",
    "camp",
    "valley",
    "river",
    "plain",
    "plains",
    "mountains",
    "mountain",
    "highway",
    "road",
    "front",
    "field",
    "oilfield",
    "gas",
    "oil",
    "garrison",
    "outpost",
    "checkpoint",
    "port",
    "bridge",
    "governor",
    "strip",
    "corridor",
    "heights",
    "lake",
    "sea",
    "suburbs",
    "outskirts",
    "municipality",
    "subdistrict",
    "neighborhood",
    "neighbourhood",
    "oblast",
    "state",
    "county",
    "island",
    "islands",
    "coast",
    "gulf",
    "strait",
    "military",
    "refugee",
    "prison",
    "hospital",
    "university",
    "square",
    "station",
    "international",
    "triangle",
    "basin",
];

/// Words before a name that mark it as a place ("near", "town of").
const CUE_BEFORE: &[&str] = &[
    "in",
    "near",
    "at",
    "from",
    "to",
    "into",
    "outside",
    "around",
    "toward",
    "towards",
    "across",
    "via",
    "through",
    "inside",
    "within",
    "between",
    "of",
    "and",
    "province",
    "town",
    "city",
    "village",
    "outskirts",
    "countryside",
    "governorate",
    "district",
    "region",
    "area",
    "reached",
    "entered",
    "captured",
    "shelled",
    "struck",
    "bombed",
    "targeted",
    "seized",
    "besieged",
];

/// Strong cues: enough to accept a fuzzy or common-word match.
const STRONG_BEFORE: &[&str] = &[
    "in",
    "near",
    "outside",
    "into",
    "town",
    "city",
    "village",
    "outskirts",
    "countryside",
    "province",
    "governorate",
    "district",
    "towards",
    "toward",
];

/// Capitalised words that may precede a place name without making it part
/// of a person's or an organisation's name.
const PRE_OK: &[&str] = &[
    "northern",
    "southern",
    "eastern",
    "western",
    "central",
    "greater",
    "rural",
    "upper",
    "lower",
    "north",
    "south",
    "east",
    "west",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "northeastern",
    "northwestern",
    "southeastern",
    "southwestern",
    "occupied",
    "downtown",
    "old",
    "new",
    "in",
    "near",
    "from",
    "the",
    "to",
    "at",
    "of",
    "and",
];

/// Verbs after a capital that make it metonymic ("Damascus accused").
const SPEECH: &[&str] = &[
    "said",
    "says",
    "accused",
    "accuses",
    "warned",
    "warns",
    "announced",
    "announces",
    "denied",
    "denies",
    "claimed",
    "claims",
    "condemned",
    "condemns",
    "demanded",
    "urged",
    "rejected",
    "insisted",
    "threatened",
    "responded",
    "stated",
    "told",
    "blamed",
    "vowed",
    "pledged",
    "believes",
    "wants",
    "insists",
    "considers",
    "sees",
    "has",
    "have",
    "is",
    "was",
    "will",
    "would",
    "should",
];

/// Verbs and nouns of conflict events: places in these sentences matter more.
const EVENT_WORDS: &[&str] = &[
    "strike",
    "struck",
    "attack",
    "bomb",
    "shell",
    "clash",
    "base",
    "troops",
    "forces",
    "killed",
    "deploy",
    "missile",
    "rocket",
    "drone",
    "raid",
    "offensive",
    "fighting",
    "battle",
    "airstrike",
    "air strike",
    "garrison",
    "artillery",
    "convoy",
    "ambush",
    "explosion",
    "militia",
    "military",
    "soldier",
    "fighters",
    "outpost",
    "himars",
];

/// Nouns after a demonym that make it a place ("the Jordanian border").
const DEMONYM_PLACE: &[&str] = &[
    "border",
    "borders",
    "frontier",
    "territory",
    "territories",
    "desert",
    "coast",
    "airspace",
    "soil",
    "countryside",
    "province",
    "provinces",
    "city",
    "cities",
    "town",
    "towns",
    "village",
    "villages",
    "mainland",
    "waters",
];

/// Precompiled cue sets and spatial-expression patterns.
pub struct Matcher {
    cue_after: HashSet<u64>,
    cue_before: HashSet<u64>,
    strong_before: HashSet<u64>,
    pre_ok: HashSet<u64>,
    demonym_place: HashSet<u64>,
    dist: Regex,
    radius: Regex,
    near: Regex,
    side: Regex,
    between: Regex,
}

fn hset(words: &[&str]) -> HashSet<u64> {
    words.iter().map(|w| key_hash(&normalize_key(w))).collect()
}

impl Matcher {
    /// Names are looked up in the gazetteer's own hash index at parse
    /// time, so the matcher holds only cue sets and patterns.
    pub fn build(_gazetteer: &Gazetteer) -> Self {
        // The patterns run only on the few dozen bytes before a found name,
        // anchored at its start: never per gazetteer name.
        const NUM: &str = r"(\d+(?:[.,]\d+)?)\s*-?\s*(km|kms|kilometers?|kilometres?|miles?|mi)\b\.?(?:\s*\([^)]{0,30}\))?";
        const DIR: &str =
            r"(north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)?";
        const FILLER: &str = r"(?:the\s+)?(?-i:[A-Z][A-Za-z’'-]*\s+){0,2}?(?:(?:town|city|village|area|province|governorate|base|region|outskirts|countryside)\s+of\s+)?";
        let re = |s: String| Regex::new(&s).expect("static spatial pattern");
        Matcher {
            cue_after: hset(CUE_AFTER),
            cue_before: hset(CUE_BEFORE),
            strong_before: hset(STRONG_BEFORE),
            pre_ok: hset(PRE_OK),
            demonym_place: hset(DEMONYM_PLACE),
            dist: re(format!(
                r"(?i){NUM}\s+(?:{DIR}\s+of|from|outside(?:\s+of)?|away\s+from)\s+{FILLER}$"
            )),
            radius: re(format!(
                r"(?i){NUM}\s+(?:[A-Za-z-]+\s+){{0,3}}?(?:zone|radius|area|perimeter|bubble|ring)\s+(?:around|surrounding|of|near)\s+{FILLER}$"
            )),
            near: re(format!(
                r"(?i)\b(?:near|outskirts\s+of|close\s+to|vicinity\s+of|outside|edge\s+of|countryside\s+of|suburbs?\s+of|around|nearby)\s+{FILLER}$"
            )),
            side: re(format!(r"(?i)\b{DIR}\s+of\s+{FILLER}$")),
            between: re(r"(?i)\bbetween\s+(?:the\s+)?(?:[A-Za-z-]+\s+){0,2}?(?:(?:town|city|village|area)s?\s+of\s+)?$".to_string()),
        }
    }
}

/// A name found in the text before resolution.
#[derive(Debug, Clone)]
struct Cand {
    /// One word only (more likely a person's name when far from the rest).
    single: bool,
    start: usize,
    end: usize,
    key: u64,
    entries: Vec<u32>,
    fuzzy: bool,
    /// A place cue before or after.
    cue: bool,
    /// Feature asked for by a cue word right after ("province", "crossing").
    want: Option<Feature>,
    /// Demonym + place noun ("the Jordanian border").
    demonym: bool,
}

fn word_key(t: &Tokens, i: usize) -> u64 {
    key_hash(t.norm(i))
}

/// The original word of token `i`, lower-cased.
fn raw_lower(text: &str, t: &Tokens, i: usize) -> String {
    text[t.toks[i].word_start..t.toks[i].end].to_lowercase()
}

fn want_feature(word: &str) -> Option<Feature> {
    Some(match word {
        "province" | "governorate" | "provinces" => Feature::Admin1,
        "crossing" => Feature::BorderCrossing,
        "base" | "airbase" | "garrison" | "outpost" | "airfield" => Feature::Base,
        "dam" => Feature::Dam,
        "city" | "town" | "village" => Feature::City,
        _ => return None,
    })
}

/// Byte ranges of Title Case lines (headlines), where capitals say little.
fn title_case_lines(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let words: Vec<&str> = line.split_whitespace().filter(|w| w.len() >= 4).collect();
        if words.len() >= 3 {
            let caps = words
                .iter()
                .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
                .count();
            if caps * 10 >= words.len() * 7 {
                out.push((pos, pos + line.len()));
            }
        }
        pos += line.len();
    }
    out
}

fn skip_entity(kind: EntityKind) -> bool {
    matches!(
        kind,
        EntityKind::Person
            | EntityKind::Organisation
            | EntityKind::Media
            | EntityKind::InternationalOrg
            | EntityKind::Military
            | EntityKind::Equipment
    )
}

/// Finds the names: longest n-gram of normalized tokens starting at a
/// capitalised token that the gazetteer knows.
fn find_candidates(g: &Gazetteer, m: &Matcher, text: &str, t: &Tokens, skip: &[Span]) -> Vec<Cand> {
    let n = t.toks.len();
    let titles = title_case_lines(text);
    let in_title = |pos: usize| titles.iter().any(|&(a, b)| pos >= a && pos < b);
    let mut out = Vec::new();
    let mut key = String::with_capacity(64);
    let mut i = 0;
    while i < n {
        let tk = t.toks[i];
        if !tk.cap {
            i += 1;
            continue;
        }
        key.clear();
        let mut best: Option<(usize, &[u32])> = None;
        let mut j = i;
        while j < n && j < i + g.max_tokens {
            if j > i {
                if matches!(t.toks[j].gap, Gap::Hard | Gap::Soft | Gap::Start) {
                    break;
                }
                key.push(' ');
            }
            key.push_str(t.norm(j));
            // A name ends on a capitalised word, or on a generic noun
            // ("Syrian desert", "Jordan valley"), never on "see" or "on".
            if j == i
                || t.toks[j].cap
                || t.toks[j].article
                || j >= i + 2
                || m.cue_after.contains(&word_key(t, j))
            {
                let hits = g.lookup_key(&key);
                if !hits.is_empty() {
                    best = Some((j, hits));
                }
            }
            j += 1;
        }
        let prev_w =
            (i > 0 && !matches!(tk.gap, Gap::Hard | Gap::Start)).then(|| word_key(t, i - 1));
        let strong_before = prev_w.is_some_and(|w| m.strong_before.contains(&w))
            || (i > 1
                && !matches!(t.toks[i - 1].gap, Gap::Hard | Gap::Start)
                && m.strong_before.contains(&word_key(t, i - 2))
                && {
                    // "in the town of X": two words back, across "the"/"of".
                    let w = raw_lower(text, t, i - 1);
                    w == "of" || w == "the"
                });
        let cue_before = prev_w.is_some_and(|w| m.cue_before.contains(&w)) || strong_before;
        let skipped = |s: usize, e: usize| skip.iter().any(|sp| sp.start <= s && e <= sp.end);

        // A demonym on its own ("Russian") is not a town of that name, and
        // a lone letter ("I", "A") is a word, not an abbreviated place.
        if best.is_some_and(|(jend, _)| jend == i)
            && (g.demonym(t.norm(i)).is_some() || tk.end - tk.start <= 1)
        {
            best = None;
        }
        // "the village of Umm Qarwashqi": after a place noun, a run of
        // capitals longer than any gazetteer match is one unknown place.
        let after_noun = i > 1
            && matches!(tk.gap, Gap::Space)
            && raw_lower(text, t, i - 1) == "of"
            && matches!(
                raw_lower(text, t, i - 2).as_str(),
                "town"
                    | "village"
                    | "city"
                    | "district"
                    | "province"
                    | "governorate"
                    | "subdistrict"
            );
        let mut run_end = i;
        while run_end + 1 < n
            && run_end + 1 < i + 4
            && (t.toks[run_end + 1].cap || t.toks[run_end + 1].article)
            && matches!(t.toks[run_end + 1].gap, Gap::Space | Gap::Hyphen)
        {
            run_end += 1;
        }
        // "Jabal Bishri", "Tal Aran", "Khirbet Ghazaleh": Arabic generic
        // words that only begin place names, before another capital.
        let generic = run_end > i
            && matches!(
                raw_lower(text, t, i).as_str(),
                "jabal"
                    | "jebel"
                    | "jabel"
                    | "wadi"
                    | "tal"
                    | "tell"
                    | "tall"
                    | "khirbet"
                    | "khirbat"
                    | "kafr"
                    | "kfar"
                    | "deir"
                    | "dayr"
                    | "ain"
                    | "ayn"
                    | "ras"
                    | "bir"
                    | "umm"
                    | "beit"
                    | "bayt"
                    | "qasr"
                    | "maarat"
                    | "marj"
                    | "jisr"
                    | "hawsh"
                    | "mazraat"
            );
        if (after_noun || generic)
            && best.is_none_or(|(jend, _)| jend < run_end)
            && !tk.all_caps
            && !skipped(tk.start, t.toks[run_end].end)
        {
            out.push(Cand {
                single: run_end == i,
                start: tk.start,
                end: t.toks[run_end].end,
                key: key_hash(&key_prefix(t, i, run_end)),
                entries: Vec::new(),
                fuzzy: false,
                cue: true,
                want: None,
                demonym: false,
            });
            i = run_end + 1;
            continue;
        }
        if let Some((jend, hits)) = best {
            let start = tk.start;
            let end = t.toks[jend].end;
            let next = jend + 1;
            let next_same = next < n && matches!(t.toks[next].gap, Gap::Space);
            let next_key = (next < n).then(|| word_key(t, next));
            let cue_after = next_same && next_key.is_some_and(|w| m.cue_after.contains(&w));
            let want = if cue_after {
                want_feature(&raw_lower(text, t, next))
            } else {
                None
            };
            let key_h = key_hash(&key_prefix(t, i, jend));
            let single = jend == i;
            let titled = in_title(start);
            let mut ok = !skipped(start, end);
            // "The city" is no place; "The Hague" is.
            if ok && g.is_stopword(&raw_lower(text, t, i)) && (single || !t.toks[i + 1].cap) {
                ok = false;
            }
            let max_imp = hits
                .iter()
                .map(|&e| g.entries[e as usize].importance)
                .fold(0.0f32, f32::max);
            let curated = hits
                .iter()
                .any(|&e| !matches!(g.entries[e as usize].source, Source::GeoNames));
            // English words that are also town names need a cue or fame.
            let famous_with_cue = cue_before && max_imp >= 7.0;
            if ok
                && single
                && g.is_common_word(&raw_lower(text, t, i))
                && !(strong_before || cue_after || famous_with_cue)
                && max_imp < 9.0
            {
                ok = false;
            }
            // "in Middle Eastern studies": a common word running into
            // another capitalised word is part of a longer name.
            if ok
                && single
                && g.is_common_word(&raw_lower(text, t, i))
                && max_imp < 9.0
                && next_same
                && t.toks[next].cap
            {
                ok = false;
            }
            // Acronyms ("SDF", "IS", "UN") only when curated ("US", "T4").
            if ok
                && single
                && tk.all_caps
                && t.norm(i).len() <= 5
                && !curated
                && !dateline_at(text, tk.start, end)
            {
                ok = false;
            }
            // Sentence-initial single words that are not well known places.
            if ok
                && single
                && matches!(tk.gap, Gap::Start | Gap::Hard)
                && !curated
                && max_imp < 5.0
                && !cue_after
            {
                ok = false;
            }
            if ok && !titled && !strong_before {
                // "Syria Direct", "Jordan Peterson": a capitalised word that
                // is neither a cue nor the start of another place follows.
                if next_same && t.toks[next].cap && !cue_after && !t.toks[next].all_caps {
                    let follower_place = strong_place(g, t.norm(next));
                    if !follower_place {
                        ok = false;
                    }
                }
                // "Michael Jordan": a capitalised word that is not a
                // direction, demonym or place precedes mid-sentence.
                if ok && i > 0 && matches!(tk.gap, Gap::Space) {
                    let p = &t.toks[i - 1];
                    let pk = word_key(t, i - 1);
                    let p_sentence_start = matches!(p.gap, Gap::Start | Gap::Hard);
                    // A sentence-initial preceder counts unless it is an
                    // ordinary word ("The", "In"): "Vladimir Putin".
                    if p.cap
                        && (!p_sentence_start || !g.is_common_word(&raw_lower(text, t, i - 1)))
                        && !m.pre_ok.contains(&pk)
                        && g.demonym(t.norm(i - 1)).is_none()
                        && !strong_place(g, t.norm(i - 1))
                    {
                        ok = false;
                    }
                }
            }
            // "Nagorno-Karabakh": a small town's name that is only the first
            // half of an unknown compound.
            if ok
                && single
                && !curated
                && max_imp < 6.0
                && next < n
                && matches!(t.toks[next].gap, Gap::Hyphen)
                && t.toks[next].cap
            {
                ok = false;
            }
            // "Fars news agency", "Tasnim agency": an outlet, not a place.
            if ok && next_same && !t.toks[next].cap {
                let w = raw_lower(text, t, next);
                if matches!(
                    w.as_str(),
                    "news" | "agency" | "newspaper" | "daily" | "times" | "tv" | "channel"
                ) {
                    ok = false;
                }
            }
            if ok {
                out.push(Cand {
                    single,
                    start,
                    end,
                    key: key_h,
                    entries: hits.to_vec(),
                    fuzzy: false,
                    cue: cue_before || cue_after,
                    want,
                    demonym: false,
                });
            }
            i = jend + 1;
            continue;
        }
        // Demonym + place noun: "the Jordanian border", "Iraqi-Syrian border".
        if let Some(country) = g.demonym(t.norm(i)) {
            let mut k = i + 1;
            let mut countries = vec![country];
            while k < n && matches!(t.toks[k].gap, Gap::Hyphen) {
                match g.demonym(t.norm(k)) {
                    Some(c) => {
                        countries.push(c);
                        k += 1;
                    }
                    None => break,
                }
            }
            // "Jordanian border guards" are people, not a place.
            let people_after = k + 1 < n
                && matches!(t.toks[k + 1].gap, Gap::Space)
                && matches!(
                    raw_lower(text, t, k + 1).as_str(),
                    "guard"
                        | "guards"
                        | "police"
                        | "forces"
                        | "officials"
                        | "authorities"
                        | "agents"
                        | "patrol"
                        | "patrols"
                        | "security"
                        | "troops"
                );
            if k < n
                && matches!(t.toks[k].gap, Gap::Space)
                && m.demonym_place.contains(&word_key(t, k))
                && !skipped(tk.start, t.toks[k].end)
                && !people_after
            {
                out.push(Cand {
                    single: false,
                    start: tk.start,
                    end: t.toks[k].end,
                    key: key_hash(&key_prefix(t, i, k)),
                    entries: countries,
                    fuzzy: false,
                    cue: true,
                    want: Some(Feature::Country),
                    demonym: true,
                });
                i = k + 1;
                continue;
            }
            i += 1;
            continue;
        }
        // Fuzzy: edit distance 1 on words of 6+ letters with a strong cue.
        let w = t.norm(i);
        let mut fuzzy_hit = false;
        if strong_before
            && w.len() >= 6
            && !g.is_common_word(&raw_lower(text, t, i))
            && !skipped(tk.start, tk.end)
            && !tk.all_caps
        {
            let hits = fuzzy_lookup(g, w);
            fuzzy_hit = !hits.is_empty() && hits.len() <= 8;
            if fuzzy_hit {
                out.push(Cand {
                    single: true,
                    start: tk.start,
                    end: tk.end,
                    key: key_hash(w),
                    entries: hits,
                    fuzzy: true,
                    cue: true,
                    want: None,
                    demonym: false,
                });
            }
        }
        // "the village of Umm Xyz": a place the gazetteer lacks, reported
        // without coordinates.
        if !fuzzy_hit
            && i > 1
            && !skipped(tk.start, tk.end)
            && !g.is_common_word(&raw_lower(text, t, i))
            && !tk.all_caps
        {
            let of = raw_lower(text, t, i - 1) == "of" && matches!(t.toks[i - 1].gap, Gap::Space);
            let noun = raw_lower(text, t, i - 2);
            if of
                && matches!(
                    noun.as_str(),
                    "town"
                        | "village"
                        | "city"
                        | "district"
                        | "province"
                        | "governorate"
                        | "subdistrict"
                )
            {
                let mut k = i;
                while k + 1 < n
                    && t.toks[k + 1].cap
                    && matches!(t.toks[k + 1].gap, Gap::Space | Gap::Hyphen)
                    && k + 1 < i + 4
                {
                    k += 1;
                }
                out.push(Cand {
                    single: k == i,
                    start: tk.start,
                    end: t.toks[k].end,
                    key: key_hash(&key_prefix(t, i, k)),
                    entries: Vec::new(),
                    fuzzy: false,
                    cue: true,
                    want: None,
                    demonym: false,
                });
                i = k + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// A capitalised word opening a line and followed by a comma, colon or
/// dash: a dateline ("GOMA, Democratic Republic of Congo —", "KYIV:").
fn dateline_at(text: &str, start: usize, end: usize) -> bool {
    let line_start = text[..start].rfind('\n').map_or(0, |p| p + 1);
    text[line_start..start].trim().is_empty()
        && text[end..]
            .trim_start_matches(' ')
            .starts_with([',', ':', '\u{2014}', '\u{2013}', '-'])
}

/// A well-known or curated place: one that may stand next to another
/// capitalised word without being part of a person's name.
fn strong_place(g: &Gazetteer, key: &str) -> bool {
    g.lookup_key(key).iter().any(|&e| {
        let en = &g.entries[e as usize];
        matches!(
            en.source,
            Source::Supplement | Source::User | Source::Country
        )
    })
}

fn key_prefix(t: &Tokens, i: usize, j: usize) -> String {
    let mut k = String::new();
    for x in i..=j {
        if x > i {
            k.push(' ');
        }
        k.push_str(t.norm(x));
    }
    k
}

/// Entries whose key is one edit (delete, substitute, insert, transpose)
/// away from `w`.
fn fuzzy_lookup(g: &Gazetteer, w: &str) -> Vec<u32> {
    let b = w.as_bytes();
    let mut out: Vec<u32> = Vec::new();
    let mut buf: Vec<u8> = Vec::with_capacity(b.len() + 1);
    let probe = |cand: &[u8], out: &mut Vec<u32>| {
        if let Ok(s) = std::str::from_utf8(cand) {
            for &e in g.lookup_key(s) {
                if !out.contains(&e) {
                    out.push(e);
                }
            }
        }
    };
    for p in 0..b.len() {
        buf.clear();
        buf.extend_from_slice(&b[..p]);
        buf.extend_from_slice(&b[p + 1..]);
        probe(&buf, &mut out);
        for c in b'a'..=b'z' {
            if c != b[p] {
                buf.clear();
                buf.extend_from_slice(b);
                buf[p] = c;
                probe(&buf, &mut out);
            }
        }
        if p + 1 < b.len() {
            buf.clear();
            buf.extend_from_slice(b);
            buf.swap(p, p + 1);
            probe(&buf, &mut out);
        }
    }
    for p in 0..=b.len() {
        for c in b'a'..=b'z' {
            buf.clear();
            buf.extend_from_slice(&b[..p]);
            buf.push(c);
            buf.extend_from_slice(&b[p..]);
            probe(&buf, &mut out);
        }
    }
    out
}

fn location_of(g: &Gazetteer, e: u32) -> Location {
    let en = &g.entries[e as usize];
    let precision = match en.feature {
        Feature::Country => GeoPrecision::Country,
        Feature::Admin1 => GeoPrecision::Admin1,
        Feature::Region => GeoPrecision::Near,
        _ => GeoPrecision::Exact,
    };
    Location {
        name: g.name(e).to_string(),
        lat: Some(f64::from(en.lat)),
        lon: Some(f64::from(en.lon)),
        country: (en.cc != [b'-', b'-']).then(|| en.cc_str().to_string()),
        admin1: g.admin1_name(e).map(str::to_string),
        feature: en.feature,
        geonames_id: (en.geonames_id != 0 && en.source != Source::Admin1)
            .then_some(u64::from(en.geonames_id)),
        precision,
    }
}

/// Picks an entry per candidate key: importance, the countries the
/// document names, nearness to the other places, cue words, and the
/// dateline / outlet as weak cues. Returns (entry, confidence) per candidate.
fn resolve(g: &Gazetteer, cands: &[Cand], ctx: &GeoContext) -> Vec<Res> {
    // Countries named: countries, demonyms, unambiguous places.
    let mut cc_count: HashMap<[u8; 2], f32> = HashMap::new();
    for c in cands {
        let Some(&first) = c.entries.first() else {
            continue;
        };
        let e0 = &g.entries[first as usize];
        if c.demonym || (c.entries.len() == 1 && !c.fuzzy) || e0.feature == Feature::Country {
            *cc_count.entry(e0.cc).or_default() += 1.0;
        }
    }
    if let Some(o) = ctx.outlet_country.and_then(|o| g.country(o)) {
        *cc_count.entry(g.entries[o as usize].cc).or_default() += 0.5;
    }
    let dateline_keys: Vec<u32> = ctx
        .dateline
        .map(|d| g.lookup(d).to_vec())
        .unwrap_or_default();
    let score = |c: &Cand, e: u32, anchors: &[(f64, f64, u64)]| -> f32 {
        let en = &g.entries[e as usize];
        let mut s = en.importance;
        if let Some(&k) = cc_count.get(&en.cc) {
            s += 2.0 + k.min(5.0) * 0.4;
        }
        if dateline_keys.contains(&e) {
            s += 1.0;
        }
        if let Some(w) = c.want {
            if w == en.feature || (w == Feature::City && en.feature == Feature::Village) {
                s += 8.0;
            } else if w == Feature::City && en.feature == Feature::Admin1 {
                s -= 3.0;
            }
        }
        let (lat, lon) = (f64::from(en.lat), f64::from(en.lon));
        let cos_lat = lat.to_radians().cos();
        let near = anchors
            .iter()
            .filter(|a| a.2 != c.key)
            .map(|a| approx_km(lat, lon, cos_lat, a.0, a.1))
            .fold(f64::MAX, f64::min);
        if near < f64::MAX {
            s += (5.0 * (-near / 250.0).exp()) as f32;
        }
        s
    };
    let pick = |anchors: &[(f64, f64, u64)]| -> Vec<Option<(u32, f32)>> {
        cands
            .iter()
            .map(|c| {
                let mut best: Option<(u32, f32)> = None;
                let mut second = f32::MIN;
                for &e in &c.entries {
                    let s = score(c, e, anchors);
                    match best {
                        Some((_, bs)) if s <= bs => second = second.max(s),
                        _ => {
                            if let Some((_, bs)) = best {
                                second = second.max(bs);
                            }
                            best = Some((e, s));
                        }
                    }
                }
                best.map(|(e, s)| {
                    let margin = if second == f32::MIN { 4.0 } else { s - second };
                    let mut conf = 1.0 / (1.0 + (-(margin + 0.5)).exp());
                    if c.fuzzy {
                        conf *= 0.6;
                    }
                    if !c.cue {
                        conf *= 0.9;
                    }
                    (e, conf)
                })
            })
            .collect()
    };
    // Anchors: unambiguous, specific places.
    let anchors_of =
        |picked: &[Option<(u32, f32)>], only_unambiguous: bool| -> Vec<(f64, f64, u64)> {
            cands
                .iter()
                .zip(picked)
                .filter_map(|(c, p)| {
                    let (e, conf) = (*p)?;
                    let en = &g.entries[e as usize];
                    let specific = !matches!(
                        en.feature,
                        Feature::Country | Feature::Admin1 | Feature::Region
                    );
                    // conf already carries the no-cue discount (0.9).
                    let unamb = c.entries.len() == 1 || conf > 0.8;
                    (specific && !c.fuzzy && (!only_unambiguous || unamb))
                        .then(|| (f64::from(en.lat), f64::from(en.lon), c.key))
                })
                .collect()
        };
    let first = pick(&[]);
    let anchors = anchors_of(&first, true);
    let second = pick(&anchors);
    // One sense per discourse: every candidate with the same key gets the
    // entry that won most confidently.
    let mut by_key: HashMap<u64, (u32, f32)> = HashMap::new();
    for (c, p) in cands.iter().zip(&second) {
        if c.want.is_some() {
            continue;
        }
        if let Some((e, conf)) = *p {
            let slot = by_key.entry(c.key).or_insert((e, conf));
            if conf > slot.1 {
                *slot = (e, conf);
            }
        }
    }
    // Single words without a place cue that land on a small town far from
    // everything else in the story are mostly people's names ("Dillon").
    let context: Vec<(f64, f64, u64)> = cands
        .iter()
        .zip(&second)
        .filter_map(|(c, p)| {
            let (e, _) = (*p)?;
            let en = &g.entries[e as usize];
            (en.feature != Feature::Country).then(|| (f64::from(en.lat), f64::from(en.lon), c.key))
        })
        .collect();
    cands
        .iter()
        .zip(&second)
        .map(|(c, p)| {
            if c.entries.is_empty() {
                return Res::Unresolved;
            }
            let Some((picked, conf)) = *p else {
                return Res::Unresolved;
            };
            // An explicit cue ("Hama province") keeps its own reading.
            let e = if c.want.is_some() {
                picked
            } else {
                by_key.get(&c.key).map_or(picked, |v| v.0)
            };
            let en = &g.entries[e as usize];
            let (lat, lon) = (f64::from(en.lat), f64::from(en.lon));
            let cos_lat = lat.to_radians().cos();
            if c.single && en.source == Source::GeoNames && en.importance < 6.0 {
                let dist = |lim: f64| {
                    context
                        .iter()
                        .filter(|a| a.2 != c.key && approx_km(lat, lon, cos_lat, a.0, a.1) < lim)
                        .count()
                };
                let others = context.iter().filter(|a| a.2 != c.key).count();
                if !c.cue && dist(400.0) == 0 {
                    return Res::Rejected;
                }
                // A place by its cue, but the only small town of that name
                // lies a continent away from the rest of the story.
                if c.cue && others >= 2 && dist(1500.0) == 0 {
                    return Res::Unresolved;
                }
            }
            // A one-letter-off guess must fit the story's geography.
            if c.fuzzy {
                let near = context
                    .iter()
                    .any(|a| a.2 != c.key && approx_km(lat, lon, cos_lat, a.0, a.1) < 1000.0);
                if !near {
                    return Res::Unresolved;
                }
            }
            Res::Resolved(e, conf)
        })
        .collect()
}

/// Outcome of resolving one candidate.
#[derive(Debug, Clone, Copy)]
enum Res {
    Resolved(u32, f32),
    /// A place by its cues, not in the gazetteer: reported without coordinates.
    Unresolved,
    /// Not a place after all.
    Rejected,
}

pub fn parse(
    g: &Gazetteer,
    m: &Matcher,
    text: &str,
    ctx: &GeoContext,
    a: Option<&Analysis>,
) -> Vec<PlaceMention> {
    let t = tokenize(text, false);
    let skip: Vec<Span> = a
        .map(|a| {
            a.entities
                .iter()
                .filter(|e| skip_entity(e.kind))
                .map(|e| e.span)
                .collect()
        })
        .unwrap_or_default();
    let cands = find_candidates(g, m, text, &t, &skip);
    let resolved = resolve(g, &cands, ctx);
    let mut out: Vec<PlaceMention> = Vec::with_capacity(cands.len() + 4);
    for (c, r) in cands.iter().zip(&resolved) {
        let surface = text[c.start..c.end].to_string();
        let (location, score) = match r {
            Res::Rejected => continue,
            Res::Resolved(e, conf) => {
                let mut loc = location_of(g, *e);
                if c.demonym {
                    // "the Jordanian border": the country, as a region.
                    loc.precision = GeoPrecision::Country;
                }
                (loc, *conf)
            }
            Res::Unresolved => (
                unresolved_location(g, text, &cands, &resolved, c, &surface),
                0.0,
            ),
        };
        out.push(PlaceMention {
            span: Span::new(c.start, c.end),
            surface,
            location,
            score,
            relation: None,
            radius_km: None,
        });
    }
    let computed = spatial_expressions(g, m, text, &out);
    out.extend(computed);
    out.sort_by_key(|p| (p.span.start, p.span.end));
    out
}

/// A name the gazetteer lacks: placed with admin-1 precision at a resolved
/// place that the text says contains or neighbours it ("Ghuwayran
/// neighbourhood of Hasakah", "Tal Aran, east of al-Bab", "Kabani in
/// Latakia"); otherwise reported without coordinates.
fn unresolved_location(
    g: &Gazetteer,
    text: &str,
    cands: &[Cand],
    resolved: &[Res],
    c: &Cand,
    surface: &str,
) -> Location {
    let anchor = cands.iter().zip(resolved).find_map(|(o, r)| {
        let Res::Resolved(e, _) = r else {
            return None;
        };
        if o.start < c.end || o.start > c.end + 40 || o.demonym {
            return None;
        }
        let between = text.get(c.end..o.start)?.to_ascii_lowercase();
        let linked = [" of ", " in ", " near ", " outside ", "of the ", "in the "]
            .iter()
            .any(|w| between.contains(w) || between.starts_with(w.trim_start()))
            && !between.contains(" and ")
            && !between.contains('.');
        let en = &g.entries[*e as usize];
        (linked && !matches!(en.feature, Feature::Country | Feature::Region)).then_some(*e)
    });
    match anchor {
        Some(e) => {
            let base = location_of(g, e);
            Location {
                name: surface.to_string(),
                feature: Feature::Other,
                geonames_id: None,
                precision: GeoPrecision::Admin1,
                ..base
            }
        }
        None => Location {
            name: surface.to_string(),
            ..Default::default()
        },
    }
}

fn computed_location(
    g: &Gazetteer,
    name: &str,
    lat: f64,
    lon: f64,
    precision: GeoPrecision,
) -> Location {
    let row = g.admin.locate(lat, lon).and_then(|r| g.admin.row(r));
    Location {
        name: name.to_string(),
        lat: Some(lat),
        lon: Some(lon),
        country: row.map(|r| r.cc_str().to_string()),
        admin1: row.map(|r| r.name.clone()),
        feature: Feature::Other,
        geonames_id: None,
        precision,
    }
}

/// Distance/bearing, radius, between, near and side-of expressions
/// anchored on the names found.
fn spatial_expressions(
    g: &Gazetteer,
    m: &Matcher,
    text: &str,
    found: &[PlaceMention],
) -> Vec<PlaceMention> {
    let mut out = Vec::new();
    let mut lower = String::with_capacity(128);
    for (idx, pm) in found.iter().enumerate() {
        let s = pm.span.start;
        let mut w0 = s.saturating_sub(90);
        while !text.is_char_boundary(w0) {
            w0 += 1;
        }
        let before = &text[w0..s];
        let (Some(lat), Some(lon)) = (pm.location.lat, pm.location.lon) else {
            continue;
        };
        // Cheap triggers first: most names follow "in" or a comma, and the
        // patterns need a number, "between", "of" or a "near" word.
        lower.clear();
        lower.push_str(before);
        lower.make_ascii_lowercase();
        let has_digit = before.bytes().any(|b| b.is_ascii_digit());
        let has_between = lower.contains("between");
        let has_side = lower.contains(" of ")
            && ["north", "south", "east", "west"]
                .iter()
                .any(|d| lower.contains(d));
        let has_near = [
            "near",
            "outskirts",
            "close to",
            "vicinity",
            "outside",
            "edge of",
            "countryside",
            "suburb",
            "around",
        ]
        .iter()
        .any(|w| lower.contains(w));
        if !(has_digit || has_between || has_side || has_near) {
            continue;
        }
        let from = pm.location.name.clone();
        let mk =
            |start: usize, loc: Location, rel: SpatialRelation, radius: Option<f64>| PlaceMention {
                span: Span::new(start, pm.span.end),
                surface: text[start..pm.span.end].to_string(),
                location: loc,
                score: pm.score * 0.9,
                relation: Some(rel),
                radius_km: radius,
            };
        let num = |c: &regex::Captures| -> Option<f64> {
            let v: f64 = c.get(1)?.as_str().replace(',', ".").parse().ok()?;
            Some(v * unit_km(c.get(2)?.as_str())?)
        };
        let is_border = pm.location.feature == Feature::Country;
        if let Some(c) = has_digit.then(|| m.radius.captures(before)).flatten() {
            if let (Some(km), Some(m0)) = (num(&c), c.get(0)) {
                let start = w0 + m0.start();
                let loc =
                    computed_location(g, &text[start..pm.span.end], lat, lon, GeoPrecision::Near);
                out.push(mk(
                    start,
                    loc,
                    SpatialRelation::Radius {
                        km,
                        around: from.clone(),
                    },
                    Some(km),
                ));
                continue;
            }
        }
        if let Some(c) = has_digit.then(|| m.dist.captures(before)).flatten() {
            if let (Some(km), Some(m0)) = (num(&c), c.get(0)) {
                let start = w0 + m0.start();
                let bearing = c.get(3).and_then(|d| bearing_of(d.as_str()));
                let name = text[start..pm.span.end].to_string();
                let loc = match bearing {
                    Some(b) if !is_border => {
                        let (la, lo) = destination(lat, lon, b, km);
                        computed_location(g, &name, la, lo, GeoPrecision::Near)
                    }
                    // "the town of al-Tanf, 18 km from the Jordanian
                    // border": that far inside from the border point nearest
                    // the place the sentence locates; else no one point.
                    _ if is_border => match border_anchor(g, text, found, idx, &pm.location) {
                        Some((bla, blo, ala, alo)) => {
                            let (la, lo) = destination(
                                bla,
                                blo,
                                crate::spatial::bearing(bla, blo, ala, alo),
                                km,
                            );
                            computed_location(g, &name, la, lo, GeoPrecision::Near)
                        }
                        None => Location {
                            name: name.clone(),
                            country: pm.location.country.clone(),
                            feature: Feature::Other,
                            precision: GeoPrecision::Country,
                            ..Default::default()
                        },
                    },
                    // A distance with no bearing: somewhere on a circle.
                    _ => computed_location(
                        g,
                        &name,
                        lat,
                        lon,
                        if km <= 25.0 {
                            GeoPrecision::Near
                        } else {
                            GeoPrecision::Admin1
                        },
                    ),
                };
                out.push(mk(
                    start,
                    loc,
                    SpatialRelation::Distance {
                        km,
                        bearing_deg: bearing,
                        from: from.clone(),
                    },
                    None,
                ));
                continue;
            }
        }
        if let Some(m0) = has_between.then(|| m.between.find(before)).flatten() {
            // "between X and Y": Y is the next name after " and ".
            if let Some(next) = found.get(idx + 1) {
                let gap = text.get(pm.span.end..next.span.start).unwrap_or("");
                let countries = pm.location.feature == Feature::Country
                    || next.location.feature == Feature::Country;
                if gap.trim().eq_ignore_ascii_case("and") && !countries {
                    // "relations between Washington and Riyadh" is no place.
                    let close = |la2: f64, lo2: f64| haversine_km(lat, lon, la2, lo2) < 400.0;
                    let other = next
                        .location
                        .lat
                        .zip(next.location.lon)
                        .filter(|&(a, b)| close(a, b));
                    if let Some((la2, lo2)) = other {
                        let start = w0 + m0.start();
                        let (la, lo) = midpoint(lat, lon, la2, lo2);
                        let name = text[start..next.span.end].to_string();
                        let loc = computed_location(g, &name, la, lo, GeoPrecision::Near);
                        out.push(PlaceMention {
                            span: Span::new(start, next.span.end),
                            surface: name,
                            location: loc,
                            score: pm.score.min(next.score) * 0.9,
                            relation: Some(SpatialRelation::Between {
                                a: from.clone(),
                                b: next.location.name.clone(),
                            }),
                            radius_km: None,
                        });
                        continue;
                    }
                }
            }
        }
        if let Some(c) = has_side.then(|| m.side.captures(before)).flatten() {
            if let (Some(b), Some(m0)) = (c.get(1).and_then(|d| bearing_of(d.as_str())), c.get(0)) {
                if !is_border {
                    let start = w0 + m0.start();
                    // A side of a river or region: a point a little way off,
                    // precise only to the division.
                    let (la, lo) = destination(lat, lon, b, 20.0);
                    let loc = computed_location(
                        g,
                        &text[start..pm.span.end],
                        la,
                        lo,
                        GeoPrecision::Admin1,
                    );
                    out.push(mk(
                        start,
                        loc,
                        SpatialRelation::SideOf {
                            bearing_deg: b,
                            of: from.clone(),
                        },
                        None,
                    ));
                    continue;
                }
            }
        }
        if let Some(m0) = has_near.then(|| m.near.find(before)).flatten() {
            if !is_border && pm.location.feature != Feature::Admin1 {
                let start = w0 + m0.start();
                let loc =
                    computed_location(g, &text[start..pm.span.end], lat, lon, GeoPrecision::Near);
                out.push(mk(
                    start,
                    loc,
                    SpatialRelation::Near { of: from.clone() },
                    None,
                ));
            }
        }
    }
    out
}

/// For "N km from the X border": the border point of X nearest to the
/// specific place named last before it in the same sentence, and that
/// place (border lat, lon, place lat, lon).
fn border_anchor(
    g: &Gazetteer,
    text: &str,
    found: &[PlaceMention],
    idx: usize,
    border: &Location,
) -> Option<(f64, f64, f64, f64)> {
    let cc = border.country.as_deref()?.as_bytes();
    let cc = [*cc.first()?, *cc.get(1)?];
    let (ss, _) = sentence_around(text, None, found[idx].span.start);
    let place = found[..idx].iter().rev().find(|p| {
        p.span.start >= ss
            && p.relation.is_none()
            && !matches!(
                p.location.feature,
                Feature::Country | Feature::Region | Feature::Admin1
            )
            && p.location.lat.is_some()
    })?;
    let (ala, alo) = (place.location.lat?, place.location.lon?);
    let (bla, blo) = g.admin.nearest_border_point(cc, ala, alo)?;
    Some((bla, blo, ala, alo))
}

/// Whether the name is used for its government ("Damascus accused").
fn metonymic(text: &str, span: Span) -> bool {
    let rest = text.get(span.end..).unwrap_or("");
    let rest = rest
        .strip_prefix('’')
        .or_else(|| rest.strip_prefix('\''))
        .map_or(rest, |r| r.strip_prefix('s').unwrap_or(r));
    let next: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphabetic())
        .collect::<String>()
        .to_lowercase();
    SPEECH.contains(&next.as_str())
}

/// Byte range of the sentence around `pos`.
fn sentence_around(text: &str, a: Option<&Analysis>, pos: usize) -> (usize, usize) {
    if let Some(s) = a.and_then(|a| {
        a.sentences
            .iter()
            .find(|s| s.span.start <= pos && pos < s.span.end)
    }) {
        return (s.span.start, s.span.end);
    }
    let b = text.as_bytes();
    let mut s = pos;
    while s > 0 && !matches!(b[s - 1], b'.' | b'\n' | b'!' | b'?') {
        s -= 1;
    }
    let mut e = pos;
    while e < b.len() && !matches!(b[e], b'.' | b'\n' | b'!' | b'?') {
        e += 1;
    }
    (s, e)
}

/// Whether a mention is a dateline ("AMMAN:", "QAMISHLI, Syria –"): all
/// capitals at the start of a line.
fn dateline_like(text: &str, span: Span) -> bool {
    let surface = text.get(span.start..span.end).unwrap_or("");
    let line_start = text[..span.start].rfind('\n').map_or(0, |p| p + 1);
    surface.chars().any(char::is_alphabetic)
        && !surface.chars().any(char::is_lowercase)
        && text[line_start..span.start].trim().is_empty()
}

/// National capitals stand for their governments after words of
/// allegiance or dealings ("forces loyal to Tehran", "backed by Moscow",
/// "talks with Damascus"), not after verbs of place ("strikes hit Beirut").
fn capital_as_actor(g: &Gazetteer, text: &str, pm: &PlaceMention) -> bool {
    let Some(id) = pm.location.geonames_id else {
        return false;
    };
    let capital = g.lookup(&pm.location.name).iter().any(|&e| {
        let en = &g.entries[e as usize];
        u64::from(en.geonames_id) == id && en.rank == 4
    });
    if !capital {
        return false;
    }
    let before = text[..pm.span.start].to_lowercase();
    let words: Vec<&str> = before.split_whitespace().rev().take(2).collect();
    match words.as_slice() {
        [w, ..] if matches!(*w, "by" | "with" | "against" | "between") => true,
        ["to", prev, ..] => matches!(
            *prev,
            "loyal" | "close" | "allied" | "linked" | "tied" | "message" | "support"
        ),
        _ => false,
    }
}

/// Places per document and the primary place: frequency, position in
/// title and lead, event salience; the dateline only as a weak cue.
/// Places within 25 km of each other form one cluster for the choice of
/// the primary place ("the Tanf base", "al-Tanf", "the Tanf crossing").
pub fn aggregate(
    g: &Gazetteer,
    doc: &Document,
    a: Option<&Analysis>,
    mentions: Vec<PlaceMention>,
) -> GeoAnalysis {
    let text = &doc.text;
    let title_key = doc.title.as_deref().map(normalize_key).unwrap_or_default();
    let title_end = match doc.title.as_deref() {
        Some(t) if !t.is_empty() => text
            .find(t)
            .filter(|&p| p < 400)
            .map(|p| p + t.len())
            .unwrap_or(0),
        _ => 0,
    };
    let dateline_key = doc
        .dateline
        .as_deref()
        .map(normalize_key)
        .unwrap_or_default();
    // The lead: the first paragraphs after the title (800 bytes or a fifth
    // of the text, whichever is longer).
    let lead_end = title_end + 800.max(text.len() / 5);
    let len = text.len().max(1) as f32;
    struct Acc {
        place: Place,
        salience: f32,
        first: usize,
    }
    let mut groups: Vec<Acc> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    // Names that anchor a spatial expression ("near the town of X") are
    // where things happen.
    let anchored: HashSet<usize> = mentions
        .iter()
        .filter(|p| p.relation.is_some())
        .map(|p| p.span.end)
        .collect();
    for pm in mentions.iter().filter(|p| p.relation.is_none()) {
        let loc = &pm.location;
        let gkey = match (loc.geonames_id, loc.lat, loc.lon) {
            (Some(id), _, _) => format!("g{id}"),
            (None, Some(la), Some(lo)) => format!("{}|{:.3}|{:.3}", loc.name, la, lo),
            _ => format!("u{}", normalize_key(&pm.surface)),
        };
        let mut w: f32 = 1.0;
        let surface_key = normalize_key(&pm.surface);
        if pm.span.end <= title_end || (!title_key.is_empty() && title_key.contains(&surface_key)) {
            w += 2.0;
        }
        if pm.span.start < lead_end {
            w += 1.0;
        }
        let (ss, se) = sentence_around(text, a, pm.span.start);
        let sent = text.get(ss..se).unwrap_or("").to_lowercase();
        if EVENT_WORDS.iter().any(|v| sent.contains(v)) {
            w += 1.0;
        }
        if anchored.contains(&pm.span.end) {
            w += 1.0;
        }
        // Later mentions weigh less.
        w *= 1.0 - 0.5 * (pm.span.start as f32 / len);
        if metonymic(text, pm.span) || capital_as_actor(g, text, pm) {
            w *= 0.3;
        }
        if dateline_like(text, pm.span) {
            w *= 0.2;
        }
        w *= match loc.feature {
            // Facilities are where conflict events happen.
            Feature::Base | Feature::BorderCrossing | Feature::Dam => 1.2,
            Feature::Country => 0.25,
            Feature::Admin1 => 0.4,
            Feature::Region => 0.3,
            _ => 1.0,
        };
        if loc.lat.is_none() {
            w *= 0.3;
        }
        if !dateline_key.is_empty() && dateline_key == surface_key {
            w += 0.3;
        }
        w *= 0.5 + 0.5 * pm.score;
        let gi = *index.entry(gkey).or_insert_with(|| {
            groups.push(Acc {
                place: Place::from_location(loc, Vec::new(), 0),
                salience: 0.0,
                first: pm.span.start,
            });
            groups.len() - 1
        });
        let acc = &mut groups[gi];
        acc.place.mentions += 1;
        if !acc.place.surface.contains(&pm.surface) {
            acc.place.surface.push(pm.surface.clone());
        }
        acc.salience += w;
    }
    // Cluster weight: specific places within 25 km, and the regions or
    // divisions that contain a place, lend it their salience.
    let n = groups.len();
    let mut cluster = vec![0.0f32; n];
    for x in 0..n {
        let px = &groups[x].place;
        cluster[x] = groups[x].salience;
        if matches!(
            px.feature,
            Feature::Country | Feature::Admin1 | Feature::Region
        ) {
            continue;
        }
        for (y, gy) in groups.iter().enumerate() {
            if x == y {
                continue;
            }
            let py = &gy.place;
            let (Some(a1), Some(o1), Some(a2), Some(o2)) = (px.lat, px.lon, py.lat, py.lon) else {
                continue;
            };
            let d = haversine_km(a1, o1, a2, o2);
            let share = match py.feature {
                Feature::Country => 0.0,
                Feature::Admin1 if px.admin1.is_some() && px.admin1 == Some(py.name.clone()) => 0.5,
                Feature::Region if d < 150.0 => 0.5,
                Feature::Admin1 | Feature::Region => 0.0,
                _ if d < 25.0 => 1.0,
                _ => 0.0,
            };
            cluster[x] += gy.salience * share;
        }
    }
    let better = |x: usize, y: usize| {
        cluster[x]
            .total_cmp(&cluster[y])
            .then(groups[x].salience.total_cmp(&groups[y].salience))
            .then(groups[y].first.cmp(&groups[x].first))
    };
    let best_any = (0..n).max_by(|&x, &y| better(x, y));
    // A story is about a country only when it names nothing more precise
    // with some weight: "US forces at al-Tanf" is about al-Tanf.
    let best_specific = (0..n)
        .filter(|&x| groups[x].place.feature != Feature::Country && groups[x].place.lat.is_some())
        .max_by(|&x, &y| better(x, y));
    let best = match (best_any, best_specific) {
        (Some(a), Some(s)) if cluster[s] >= 0.2 * cluster[a] => Some(s),
        (a, _) => a,
    };
    let primary_place = best.map(|b| groups[b].place.clone());
    groups.sort_by(|x, y| {
        y.place
            .mentions
            .cmp(&x.place.mentions)
            .then(x.first.cmp(&y.first))
    });
    GeoAnalysis {
        mentions,
        places: groups.into_iter().map(|g| g.place).collect(),
        primary_place,
    }
}

#[cfg(test)]
mod tests {
    use crate::spatial::haversine_km;
    use crate::{GeoContext, Geoparser};
    use sitrep_model::{
        Analysis, Document, EntityKind, EntityMention, Feature, PlaceMention, Span, SpatialRelation,
    };

    fn parser() -> &'static Geoparser {
        crate::test_parser()
    }

    fn parse(text: &str) -> Vec<PlaceMention> {
        parser().parse(text, &GeoContext::default())
    }

    fn near(m: &PlaceMention, lat: f64, lon: f64) -> bool {
        match (m.location.lat, m.location.lon) {
            (Some(a), Some(o)) => haversine_km(a, o, lat, lon) < 25.0,
            _ => false,
        }
    }

    fn find<'a>(ms: &'a [PlaceMention], surface: &str) -> &'a PlaceMention {
        ms.iter()
            .find(|m| m.surface == surface && m.relation.is_none())
            .unwrap_or_else(|| {
                panic!(
                    "{surface:?} not found in {:?}",
                    ms.iter().map(|m| &m.surface).collect::<Vec<_>>()
                )
            })
    }

    #[test]
    fn transliteration_variants_resolve() {
        let cases: &[(&[&str], f64, f64)] = &[
            (&["al-Tanf", "a-Tanf", "Tanf", "At Tanf"], 33.49, 38.65),
            (
                &[
                    "Deir ez-Zor",
                    "Deir Azzour",
                    "Deir e-Zor",
                    "Dayr az Zawr",
                    "Deir al-Zour",
                ],
                35.34,
                40.14,
            ),
            (
                &["Abu Kamal", "al-Bukamel", "Albu Kamal", "Al Bukamal"],
                34.45,
                40.92,
            ),
            (&["Mayadin", "Mayedin", "al-Mayadeen"], 35.02, 40.45),
            (&["a-Suwayda", "as-Suwayda", "Sweida"], 32.71, 36.57),
            (&["Qamishli", "Qamishlo"], 37.05, 41.23),
            (&["Latamneh", "Lataminah", "al-Lataminah"], 35.32, 36.62),
        ];
        for (variants, lat, lon) in cases {
            for v in *variants {
                let text = format!("Fighters clashed on Monday in {v}, residents said.");
                let ms = parse(&text);
                let m = find(&ms, v);
                assert!(near(m, *lat, *lon), "{v} -> {:?}", m.location);
                assert!(m.location.admin1.is_some(), "{v} has no admin1");
            }
        }
    }

    #[test]
    fn people_and_organisations_are_not_places() {
        let text = "Jordan Peterson spoke to Syria Direct on Monday. Later, Michael Jordan \
                    arrived. The Islamic State claimed the attack near Palmyra.";
        let ms = parse(text);
        let surfaces: Vec<&str> = ms.iter().map(|m| m.surface.as_str()).collect();
        assert!(!surfaces.contains(&"Jordan"), "{surfaces:?}");
        assert!(!surfaces.contains(&"Syria"), "{surfaces:?}");
        assert!(surfaces.contains(&"Palmyra"), "{surfaces:?}");
        // Entities from the language layer are skipped too.
        let doc = Document {
            text: "Fighters of Raqqa Brigade entered Raqqa on Sunday.".into(),
            ..Default::default()
        };
        let a = Analysis {
            entities: vec![EntityMention {
                span: Span::new(12, 25),
                kind: EntityKind::Military,
                canonical: "Raqqa Brigade".into(),
                actor_kind: None,
                country: None,
                role: None,
            }],
            ..Default::default()
        };
        let g = parser().analyze(&doc, Some(&a));
        assert_eq!(
            g.mentions.iter().filter(|m| m.relation.is_none()).count(),
            1,
            "{:?}",
            g.mentions
        );
        assert_eq!(g.mentions[0].span.start, 34);
    }

    #[test]
    fn demonyms_only_with_place_nouns() {
        let ms = parse("Syrian forces moved 18 kilometers from the Jordanian border on Friday.");
        assert!(ms.iter().all(|m| m.surface != "Syrian"));
        let b = find(&ms, "Jordanian border");
        assert_eq!(b.location.country.as_deref(), Some("JO"));
        assert!(ms.iter().any(|m| matches!(m.relation, Some(SpatialRelation::Distance { km, .. }) if (km - 18.0).abs() < 1e-9)));
        let ms =
            parse("The base near the town of al-Tanf, 18 km from the Jordanian border, was hit.");
        let d = ms.iter().find(|m| m.relation.is_some()).expect("distance");
        let (la, lo) = (d.location.lat.expect("lat"), d.location.lon.expect("lon"));
        // al-Tanf itself lies about 18 km from Jordan.
        assert!(haversine_km(la, lo, 33.49, 38.65) < 25.0, "{la} {lo}");
        assert_eq!(d.location.country.as_deref(), Some("SY"));
        let ms = parse("Convoys crossed the Iraqi-Syrian border at night.");
        assert!(ms.iter().any(|m| m.surface == "Iraqi-Syrian border"));
    }

    #[test]
    fn spatial_expressions() {
        let ms = parse("The strike hit a camp 80km south of al-Bukamel on Tuesday.");
        let d = ms.iter().find(|m| m.relation.is_some()).expect("distance");
        assert_eq!(d.surface, "80km south of al-Bukamel");
        let lat = d.location.lat.expect("lat");
        assert!((lat - 33.73).abs() < 0.05, "{lat}");
        assert_eq!(d.location.admin1.as_deref(), Some("Al Anbar"));

        let ms = parse("Troops advanced along the road between Homs and Hama.");
        let b = ms
            .iter()
            .find(|m| matches!(m.relation, Some(SpatialRelation::Between { .. })))
            .expect("between");
        assert!(near(b, 34.93, 36.74), "{:?}", b.location);

        let ms = parse("Shelling hit the outskirts of Raqqa and areas east of the Euphrates.");
        assert!(ms
            .iter()
            .any(|m| matches!(m.relation, Some(SpatialRelation::Near { .. }))));
        assert!(ms.iter().any(|m| matches!(m.relation, Some(SpatialRelation::SideOf { bearing_deg, .. }) if bearing_deg == 90.0)));

        let ms = parse(
            "Washington enforces a 55-km (34-mile) buffer zone around the Tanf base these days.",
        );
        let r = ms
            .iter()
            .find(|m| matches!(m.relation, Some(SpatialRelation::Radius { .. })))
            .expect("radius");
        assert_eq!(r.radius_km, Some(55.0));
        assert!(near(r, 33.50, 38.63));
    }

    #[test]
    fn a_lone_letter_is_not_a_place() {
        let ms = parse("\"I can tell you that A convoy left Homs,\" he said.");
        assert!(
            ms.iter().all(|m| m.surface != "I" && m.surface != "A"),
            "{ms:?}"
        );
        assert!(ms.iter().any(|m| m.surface == "Homs"));
    }

    #[test]
    fn cues_pick_features_and_unknown_places_stay() {
        let ms = parse("Clashes spread across Deir ez-Zor province. Later the village of Umm Qarwashqi was shelled.");
        assert_eq!(find(&ms, "Deir ez-Zor").location.feature, Feature::Admin1);
        let u = find(&ms, "Umm Qarwashqi");
        assert!(u.location.lat.is_none() && u.location.lon.is_none());
        // Placed at the division of the town the text ties it to.
        let ms = parse("Clashes hit the village of Umm Khirsaya near Palmyra on Friday.");
        let u = find(&ms, "Umm Khirsaya");
        assert_eq!(u.location.admin1.as_deref(), Some("Homs"));
        assert_eq!(u.location.precision, sitrep_model::GeoPrecision::Admin1);
        let ms = parse("Border guards reopened the Nasib crossing with Jordan.");
        assert_eq!(
            find(&ms, "Nasib crossing").location.feature,
            Feature::BorderCrossing
        );
    }

    #[test]
    fn context_disambiguates() {
        let lb = parse("Israeli strikes hit Beirut, Sidon and Tripoli overnight.");
        assert_eq!(find(&lb, "Tripoli").location.country.as_deref(), Some("LB"));
        let ly = parse("Militias clashed in Benghazi, Misrata and Tripoli.");
        assert_eq!(find(&ly, "Tripoli").location.country.as_deref(), Some("LY"));
        // Common English words are not towns without a cue.
        let ms =
            parse("Most of the Police said the March will go on. Reading the news, Hope grew.");
        assert!(
            ms.is_empty(),
            "{:?}",
            ms.iter().map(|m| &m.surface).collect::<Vec<_>>()
        );
    }

    #[test]
    fn primary_place_prefers_the_event_site() {
        let text = "Drone strike hits base near Palmyra\n\n\
                    A drone struck a military base near Palmyra on Monday, killing four soldiers, \
                    the Syrian Observatory said. Damascus accused Washington of backing the attack. \
                    Syria and Iran condemned the raid, while Russia said it would investigate. \
                    Palmyra lies in the desert east of Homs.";
        let doc = Document {
            text: text.into(),
            title: Some("Drone strike hits base near Palmyra".into()),
            ..Default::default()
        };
        let g = parser().analyze(&doc, None);
        let p = g.primary_place.expect("primary");
        assert!(
            p.name.contains("Palmyra") || p.name.contains("Tadmur"),
            "{p:?}"
        );
        assert!(
            g.places.iter().any(|p| p.name == "Damascus"),
            "metonymic capitals stay places"
        );
    }
}
