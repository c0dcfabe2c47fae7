//! Site names printed in an article's layout rather than in its prose: the
//! masthead of a copied web page (site name, then a tagline or a
//! navigation menu, then the headline), the outlet segment of a kicker
//! line ("Name | Section | date", "Name — Northern desk") and the name in
//! a closing copyright line ("© 2017 Name").
//!
//! The rules are strict on purpose: a headline on the first line must not
//! become an outlet, so a name needs the shape of a name (short, Title
//! Case, no headline verbs) and a layout that confirms it.

use super::date;
use super::outlets::outlets;
use crate::clean::junk_rules;

/// A masthead found at the top of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masthead {
    /// The site's name (the dictionary's spelling when it is listed).
    pub name: String,
    /// The lines that belong to the masthead (name, tagline), as written,
    /// so that they are not read as the headline.
    pub lines: Vec<String>,
}

/// Small words allowed in lower case inside a name ("Voice of the Desert").
const CONNECTORS: &[&str] = &[
    "of", "the", "and", "for", "on", "in", "at", "al", "el", "de", "du", "des", "la", "le", "da",
    "di", "&", "-", "–", "—",
];

/// Navigation menu entries: never a site's name, and the mark of a menu.
const NAV_WORDS: &[&str] = &[
    "home",
    "homepage",
    "about",
    "about us",
    "about me",
    "contact",
    "contact us",
    "archive",
    "archives",
    "blog",
    "menu",
    "search",
    "subscribe",
    "newsletter",
    "newsletters",
    "donate",
    "support us",
    "login",
    "log in",
    "sign in",
    "register",
    "shop",
    "podcast",
    "podcasts",
    "video",
    "videos",
    "maps",
    "photos",
    "events",
    "jobs",
    "advertise",
    "privacy",
    "privacy policy",
    "terms",
    "faq",
    "team",
    "links",
    "categories",
    "tags",
    "skip to content",
];

/// Words that make a short Title Case line a headline, not a name
/// ("Rebels Retake Town", "Army Says Convoy Hit"): verbs common in war
/// headlines and the function words headlines use and names rarely do.
const HEADLINE_WORDS: &[&str] = &[
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "has",
    "have",
    "had",
    "will",
    "would",
    "can",
    "could",
    "may",
    "might",
    "must",
    "to",
    "after",
    "as",
    "over",
    "amid",
    "against",
    "with",
    "without",
    "into",
    "says",
    "say",
    "said",
    "kill",
    "kills",
    "killed",
    "hit",
    "hits",
    "reach",
    "reaches",
    "reached",
    "warn",
    "warns",
    "warned",
    "deny",
    "denies",
    "denied",
    "claim",
    "claims",
    "claimed",
    "seize",
    "seizes",
    "seized",
    "capture",
    "captures",
    "captured",
    "take",
    "takes",
    "took",
    "taken",
    "launch",
    "launches",
    "launched",
    "fire",
    "fires",
    "fired",
    "shell",
    "shells",
    "shelled",
    "bomb",
    "bombs",
    "bombed",
    "struck",
    "advance",
    "advances",
    "advanced",
    "retake",
    "retakes",
    "retook",
    "withdraw",
    "withdraws",
    "withdrew",
    "enter",
    "enters",
    "entered",
    "cross",
    "crosses",
    "crossed",
    "accuse",
    "accuses",
    "accused",
    "vow",
    "vows",
    "vowed",
    "urge",
    "urges",
    "urged",
    "reject",
    "rejects",
    "rejected",
    "agree",
    "agrees",
    "agreed",
    "call",
    "calls",
    "called",
    "die",
    "dies",
    "died",
    "flee",
    "flees",
    "fled",
    "open",
    "opens",
    "opened",
    "close",
    "closes",
    "closed",
    "begin",
    "begins",
    "began",
    "end",
    "ends",
    "ended",
    "win",
    "wins",
    "won",
    "lose",
    "loses",
    "lost",
    "face",
    "faces",
    "faced",
    "wounded",
    "injured",
    "dead",
    "a",
    "an",
    "this",
    "that",
    "these",
    "those",
    "his",
    "her",
    "their",
    "its",
    "our",
    "we",
    "they",
    "he",
    "she",
    "it",
    "i",
    "you",
    "not",
    "no",
    "how",
    "why",
    "what",
    "who",
    "when",
    "where",
];

/// Last words of a kicker's section that make it a desk of the outlet
/// before it ("Name — Northern Syria desk").
const DESK_WORDS: &[&str] = &[
    "desk",
    "bureau",
    "newsroom",
    "staff",
    "team",
    "service",
    "correspondent",
];

/// A line that could be a publication's name: 1 to `max_words` words,
/// Title Case (connectors aside), no sentence punctuation, no date, no
/// headline verbs, not a menu entry or section label.
pub fn name_shaped(t: &str, max_words: usize) -> bool {
    let t = t.trim();
    if t.is_empty()
        || t.len() > 60
        || t.ends_with(['.', '!', '?', ':', ';', ','])
        || t.contains(['"', '“', '”', '|', '(', ')', '[', ']', '@', '/'])
        || !t.chars().next().is_some_and(char::is_uppercase)
    {
        return false;
    }
    let words = t.split_whitespace().count();
    if !(1..=max_words).contains(&words) || is_nav_word(t) {
        return false;
    }
    let rules = junk_rules();
    if rules.is_section(t) || rules.is_junk_line(t) || date::find_date(t).is_some() {
        return false;
    }
    t.split_whitespace().all(|w| {
        let lw = w.to_lowercase();
        let core = lw.trim_matches(|c: char| !c.is_alphanumeric());
        if CONNECTORS.contains(&lw.as_str()) {
            return true;
        }
        if HEADLINE_WORDS.contains(&core) {
            return false;
        }
        // "al-Masdar": a lower-case particle before a capitalised name.
        let lead = match w.split_once('-') {
            Some((p, rest)) if CONNECTORS.contains(&p.to_lowercase().as_str()) => rest,
            _ => w,
        };
        lead.chars()
            .find(|c| c.is_alphanumeric())
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    })
}

fn is_nav_word(t: &str) -> bool {
    let l = t
        .trim()
        .trim_end_matches(['»', '>', ':'])
        .trim()
        .to_lowercase();
    NAV_WORDS.contains(&l.as_str())
}

/// A navigation menu: three or more short entries separated by pipes or
/// bullets, one of them a usual menu entry, none a date.
pub fn is_nav_line(t: &str) -> bool {
    let t = t.trim();
    if t.len() > 200 {
        return false;
    }
    let segs: Vec<&str> = t
        .split(['|', '•', '·', '»'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    segs.len() >= 3
        && segs.iter().all(|s| {
            s.len() <= 30
                && (1..=3).contains(&s.split_whitespace().count())
                && s.chars().next().is_some_and(char::is_alphabetic)
                && date::find_date(s).is_none()
        })
        && segs.iter().any(|s| is_nav_word(s))
}

/// A tagline under a site name: a short phrase, not a byline, date,
/// dateline or menu, at most one sentence.
fn is_tagline(t: &str) -> bool {
    let t = t.trim();
    let words = t.split_whitespace().count();
    let lower = t.to_lowercase();
    (3..=16).contains(&words)
        && t.len() <= 120
        && !t.trim_end_matches('.').contains(". ")
        && !lower.starts_with("by ")
        && !lower.starts_with("posted ")
        && !lower.starts_with("published ")
        && date::find_date(t).is_none()
        && !is_nav_line(t)
        && !t.contains(" | ")
        && !t.split([',', '-', '–', '—']).next().is_some_and(|c| {
            let c = c.trim();
            c.len() >= 3
                && c.chars()
                    .filter(|x| x.is_alphabetic())
                    .all(char::is_uppercase)
        })
}

/// A headline after a masthead: a short line, not a byline, date or menu.
fn is_headline(t: &str) -> bool {
    let t = t.trim();
    let words = t.split_whitespace().count();
    let lower = t.to_lowercase();
    (3..=30).contains(&words)
        && t.len() < 150
        && !lower.starts_with("by ")
        && date::date_line(t).is_none()
        && !is_nav_line(t)
}

/// The site name a copied web page starts with. `head` holds the first
/// non-empty lines of the article as written (before cleaning, which
/// drops menus). Confirmed by a navigation menu within the next three
/// lines, or by a tagline followed by the headline.
pub fn masthead(head: &[&str]) -> Option<Masthead> {
    let first = head.first()?.trim();
    if !name_shaped(first, 5) {
        return None;
    }
    let mut lines = vec![first.to_string()];
    if let Some(nav) = head.iter().skip(1).take(3).position(|l| is_nav_line(l)) {
        // Lines between the name and the menu are its tagline.
        lines.extend(head[1..=nav].iter().map(|l| l.trim().to_string()));
    } else {
        let ok = first.split_whitespace().count() <= 4
            && head.len() >= 3
            && is_tagline(head[1])
            && is_headline(head[2]);
        if !ok {
            return None;
        }
        lines.push(head[1].trim().to_string());
    }
    Some(Masthead {
        name: site_name(first),
        lines,
    })
}

/// The dictionary's spelling of a name, or the name as written (capitals
/// only in all-caps mastheads are folded: "DESERT DISPATCH").
fn site_name(raw: &str) -> String {
    let raw = raw.trim();
    if let Some(o) = outlets().lookup(raw) {
        return o.name.clone();
    }
    let letters = || raw.chars().filter(|c| c.is_alphabetic());
    let all_caps = letters().count() > 4 && letters().all(char::is_uppercase);
    if !all_caps || raw.split_whitespace().count() < 2 {
        return raw.to_string();
    }
    raw.split_whitespace()
        .enumerate()
        .map(|(i, w)| {
            let lw = w.to_lowercase();
            if CONNECTORS.contains(&lw.as_str()) && i > 0 {
                lw
            } else if w.chars().count() <= 3 && !CONNECTORS.contains(&lw.as_str()) {
                // Short all-caps words are acronyms ("BBC NEWS").
                w.to_string()
            } else {
                let mut c = lw.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// The outlet a kicker line names: "Name | Section | date" (the first of
/// three or more segments, one of them a date), or "Name — Region desk"
/// when the name is used again elsewhere in the article (`elsewhere`).
pub fn kicker_outlet(t: &str, elsewhere: impl Fn(&str) -> bool) -> Option<String> {
    let t = t.trim();
    if t.len() > 120 {
        return None;
    }
    let dict = outlets();
    if t.contains(" | ") {
        let segs: Vec<&str> = t.split(" | ").map(str::trim).collect();
        if !(2..=5).contains(&segs.len()) || !segs.iter().any(|s| date::date_line(s).is_some()) {
            return None;
        }
        if let Some(o) = segs.iter().find_map(|s| dict.lookup(s)) {
            return Some(o.name.clone());
        }
        let name = segs[0];
        // A lone word ("Idlib | Politics | date") is more often a section
        // or place than an outlet unless it is an acronym.
        let acronym = name.len() <= 6 && name.chars().all(|c| c.is_ascii_uppercase());
        let ok = segs.len() >= 3
            && name_shaped(name, 5)
            && (name.split_whitespace().count() >= 2 || acronym);
        return ok.then(|| site_name(name));
    }
    let (name, section) = [" — ", " – ", " - "]
        .iter()
        .find_map(|sep| t.split_once(sep))?;
    let last = section.split_whitespace().last()?.to_lowercase();
    if !DESK_WORDS.contains(&last.as_str()) || !name_shaped(name, 5) {
        return None;
    }
    if let Some(o) = dict.lookup(name) {
        return Some(o.name.clone());
    }
    let name = name.trim();
    elsewhere(name).then(|| name.to_string())
}

/// The holder named by a closing copyright line: "© 2017 Name",
/// "Copyright 2017 Name. All rights reserved.", "(c) Name 2017". Photo
/// credits are not publishers.
pub fn copyright_holder(t: &str) -> Option<String> {
    let t = t.trim();
    if t.len() > 120 {
        return None;
    }
    let lower = t.to_lowercase();
    let rest = ["copyright ©", "copyright (c)", "copyright", "©", "(c)"]
        .iter()
        .find_map(|p| lower.starts_with(p).then(|| &t[p.len()..]))?;
    if ["photo", "image", "picture", "graphic", "video", "/"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return None;
    }
    // Drop the years and the rights notice around the name.
    let rest = rest.trim_start_matches(|c: char| {
        c.is_ascii_digit() || c.is_whitespace() || matches!(c, '-' | '–' | ',' | '©')
    });
    let cut = rest
        .to_lowercase()
        .find("all rights")
        .or_else(|| rest.to_lowercase().find("some rights"))
        .unwrap_or(rest.len());
    let name = rest[..cut]
        .trim()
        .trim_end_matches(|c: char| c.is_ascii_digit() || matches!(c, '.' | ',' | ' ' | '-'))
        .trim();
    if let Some(o) = outlets().lookup(name) {
        return Some(o.name.clone());
    }
    name_shaped(name, 6).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(s: &str) -> Vec<&str> {
        s.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
    }

    #[test]
    fn masthead_with_menu_or_tagline() {
        let m = masthead(&head(
            "Frontline Notebook\n\nHome | Reports | Maps | About\n\nMilitia convoy seen near the dam\n\nPosted on 4 March 2021 by admin",
        ))
        .unwrap();
        assert_eq!(m.name, "Frontline Notebook");
        assert_eq!(m.lines, vec!["Frontline Notebook"]);
        let m = masthead(&head(
            "The River Gazette\nIndependent news from the Euphrates valley\nHome • Politics • Security • Contact us\nTwo bridges reopen after repairs",
        ))
        .unwrap();
        assert_eq!(m.name, "The River Gazette");
        assert_eq!(m.lines.len(), 2);
        let m = masthead(&head(
            "Steppe Watch\nMaps and notes on the southern front\nArtillery duels resume along the river line\nPosted on 2 May 2022",
        ))
        .unwrap();
        assert_eq!(m.name, "Steppe Watch");
        // All-caps mastheads are folded; listed outlets get their own spelling.
        let m = masthead(&head(
            "DESERT POST WEEKLY\nHome | About | Contact\nHeadline here now",
        ))
        .unwrap();
        assert_eq!(m.name, "Desert Post Weekly");
        let m = masthead(&head(
            "Sputnik News\nHome | World | Contact\nHeadline here now",
        ))
        .unwrap();
        assert_eq!(m.name, "Sputnik");
    }

    #[test]
    fn headlines_are_not_mastheads() {
        for text in [
            // A Title Case headline with a breadcrumb after it.
            "Rebels Retake Hilltop Village\nHome | World | Middle East\nBy Omar Haddad",
            // A sentence-case headline with a standfirst and a byline.
            "Aid convoy stuck at the border\nTrucks wait in the heat while officials argue\nBy Lena Fischer\nBEIRUT (Reuters) - The convoy waited.",
            // A short headline with a standfirst and the body.
            "Border Crossing Standoff\nTrucks wait in the heat while officials argue over permits\nOfficials said the crossing had been closed since the weekend, and that aid trucks were waiting on the other side of the border for permission to enter the province.",
            // A wire story.
            "BEIRUT (Reuters) - Syrian government forces reached the border on Friday.\nHome | About | Contact",
            // Menu entries and dates are not names.
            "Home\nHome | About | Contact\nHeadline here now",
            "9 June 2017\nHome | About | Contact\nHeadline here now",
            "Opinion\nHome | About | Contact\nHeadline here now",
        ] {
            assert_eq!(masthead(&head(text)), None, "{text}");
        }
    }

    #[test]
    fn nav_lines() {
        assert!(is_nav_line("Home | About | Maps | Archive | Contact"));
        assert!(is_nav_line("News · Analysis · About us"));
        assert!(!is_nav_line("Levant Ledger | Syria | Fri 09 Jun 2017"));
        assert!(!is_nav_line("Reuters | World | Middle East"));
        assert!(!is_nav_line("Home"));
    }

    #[test]
    fn kickers() {
        assert_eq!(
            kicker_outlet("Harbour Herald | Syria | Fri 09 Jun 2017", |_| false).as_deref(),
            Some("Harbour Herald")
        );
        assert_eq!(
            kicker_outlet("Reuters | World | Tue 14 Mar 2023", |_| false).as_deref(),
            Some("Reuters")
        );
        assert_eq!(
            kicker_outlet("World | Middle East | 9 June 2017", |_| false),
            None
        );
        assert_eq!(
            kicker_outlet("Idlib | Politics | 9 June 2017", |_| false),
            None
        );
        assert_eq!(kicker_outlet("Harbour Herald | Syria", |_| false), None);
        let rest = |n: &str| "The Harbour Herald could not confirm the toll.".contains(n);
        assert_eq!(
            kicker_outlet("Harbour Herald — Northern Syria desk", rest).as_deref(),
            Some("Harbour Herald")
        );
        assert_eq!(
            kicker_outlet("Harbour Herald — Northern Syria desk", |_| false),
            None
        );
        assert_eq!(
            kicker_outlet("Shelling kills three — Idlib desk", rest),
            None
        );
    }

    #[test]
    fn copyright_lines() {
        assert_eq!(
            copyright_holder("© 2017 Harbour Herald").as_deref(),
            Some("Harbour Herald")
        );
        assert_eq!(
            copyright_holder("Copyright 2016-2017 Harbour Herald. All rights reserved.").as_deref(),
            Some("Harbour Herald")
        );
        assert_eq!(
            copyright_holder("(c) Harbour Herald 2017").as_deref(),
            Some("Harbour Herald")
        );
        assert_eq!(copyright_holder("© Reuters/Omar Sanadiki"), None);
        assert_eq!(copyright_holder("(c) AFP photo"), None);
        assert_eq!(copyright_holder("© 2017"), None);
        assert_eq!(
            copyright_holder("Copyright is a matter for the courts, he said."),
            None
        );
    }
}
