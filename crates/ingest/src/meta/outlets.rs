//! The outlet dictionary (`data/outlets.tsv`): names, aliases, domains,
//! country and kind of the publishers that report on conflicts, plus the
//! recurring column names that identify an outlet ("Syria Daily").

use std::collections::HashMap;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};
use sitrep_model::Outlet;

use crate::clean::DataError;

const OUTLETS_TSV: &str = include_str!("../../../../data/outlets.tsv");

/// Publishers, looked up by name, alias, domain or column name.
#[derive(Debug)]
pub struct OutletDictionary {
    outlets: Vec<Outlet>,
    by_name: HashMap<String, usize>,
    by_domain: HashMap<String, usize>,
    by_column: HashMap<String, usize>,
    /// Case-sensitive finder over names and aliases as written in text.
    finder: AhoCorasick,
    finder_ids: Vec<usize>,
}

/// A dictionary outlet named in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutletMention<'a> {
    pub outlet: &'a Outlet,
    pub start: usize,
    pub end: usize,
}

/// Lower case, "the " and punctuation dropped: "The Guardian" = "guardian".
pub(crate) fn key(s: &str) -> String {
    let s = s.trim().to_lowercase();
    let s = s.strip_prefix("the ").unwrap_or(&s);
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The host of a URL or bare domain, lower case, without "www.".
pub fn domain_of(url: &str) -> Option<String> {
    let rest = url.trim().split_once("://").map_or(url.trim(), |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host
        .split(':')
        .next()?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    (host.contains('.') && !host.is_empty()).then_some(host)
}

impl OutletDictionary {
    pub fn parse(tsv: &str) -> Result<Self, DataError> {
        let err = |line: usize, reason: &str| DataError {
            file: "outlets.tsv",
            line,
            reason: reason.into(),
        };
        let mut outlets = Vec::new();
        let mut by_name = HashMap::new();
        let mut by_domain = HashMap::new();
        let mut by_column = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut finder_ids = Vec::new();
        for (i, row) in tsv.lines().enumerate() {
            if row.starts_with('#') || row.trim().is_empty() || row.starts_with("name\t") {
                continue;
            }
            let f: Vec<&str> = row.split('\t').collect();
            if f.len() != 6 {
                return Err(err(i + 1, "expected 6 tab-separated columns"));
            }
            if f[0].trim().is_empty() {
                return Err(err(i + 1, "empty name"));
            }
            let idx = outlets.len();
            let list = |s: &str| -> Vec<String> {
                s.split('|')
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(String::from)
                    .collect()
            };
            let domains: Vec<String> = list(f[2])
                .into_iter()
                .map(|d| d.to_ascii_lowercase())
                .collect();
            for name in std::iter::once(f[0].trim().to_string()).chain(list(f[1])) {
                by_name.entry(key(&name)).or_insert(idx);
                patterns.push(name);
                finder_ids.push(idx);
            }
            for d in &domains {
                by_domain.insert(d.clone(), idx);
            }
            for c in list(f[5]) {
                by_column.insert(key(&c), idx);
            }
            let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
            outlets.push(Outlet {
                name: f[0].trim().to_string(),
                domains,
                country: opt(f[3]),
                kind: opt(f[4]),
            });
        }
        let finder = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .map_err(|e| err(0, &e.to_string()))?;
        Ok(OutletDictionary {
            outlets,
            by_name,
            by_domain,
            by_column,
            finder,
            finder_ids,
        })
    }

    pub fn all(&self) -> &[Outlet] {
        &self.outlets
    }

    /// By name or alias, ignoring case, "the" and punctuation.
    pub fn by_name(&self, name: &str) -> Option<&Outlet> {
        let k = key(name);
        if k.is_empty() {
            return None;
        }
        self.by_name.get(&k).map(|&i| &self.outlets[i])
    }

    /// By a URL or domain; subdomains fall back to their parents
    /// ("english.aawsat.com", "edition.cnn.com").
    pub fn by_domain(&self, url_or_domain: &str) -> Option<&Outlet> {
        let mut host = domain_of(url_or_domain)?;
        loop {
            if let Some(&i) = self.by_domain.get(&host) {
                return Some(&self.outlets[i]);
            }
            let (_, parent) = host.split_once('.')?;
            if !parent.contains('.') {
                return None;
            }
            host = parent.to_string();
        }
    }

    /// By name, alias or domain.
    pub fn lookup(&self, s: &str) -> Option<&Outlet> {
        self.by_name(s).or_else(|| {
            if s.contains('.') {
                self.by_domain(s)
            } else {
                None
            }
        })
    }

    /// By a recurring column name ("Syria Daily" → EA WorldView).
    pub fn by_column(&self, column: &str) -> Option<&Outlet> {
        self.by_column.get(&key(column)).map(|&i| &self.outlets[i])
    }

    /// Outlet names and aliases written in `text` (case as written, whole
    /// words only), leftmost-longest.
    pub fn mentions<'a>(&'a self, text: &str) -> Vec<OutletMention<'a>> {
        let mut out = Vec::new();
        for m in self.finder.find_iter(text) {
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            if before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            let outlet = &self.outlets[self.finder_ids[m.pattern().as_usize()]];
            out.push(OutletMention {
                outlet,
                start: m.start(),
                end: m.end(),
            });
        }
        out
    }
}

/// The outlet dictionary from `data/outlets.tsv`.
pub fn outlets() -> &'static OutletDictionary {
    static DICT: OnceLock<OutletDictionary> = OnceLock::new();
    DICT.get_or_init(|| {
        // Embedded data, validated by the loader test: a failure is a build defect.
        OutletDictionary::parse(OUTLETS_TSV).expect("data/outlets.tsv is valid")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_loads_and_looks_up() {
        let d = OutletDictionary::parse(OUTLETS_TSV).unwrap();
        assert!(d.all().len() >= 80, "{}", d.all().len());
        assert_eq!(d.by_name("the guardian").unwrap().name, "The Guardian");
        assert_eq!(d.by_name("Russia Today").unwrap().name, "RT");
        assert_eq!(
            d.by_domain("https://www.theguardian.com/world/x")
                .unwrap()
                .name,
            "The Guardian"
        );
        assert_eq!(
            d.by_domain("english.aawsat.com").unwrap().name,
            "Asharq Al-Awsat"
        );
        assert_eq!(d.lookup("npasyria.com").unwrap().name, "North Press");
        assert_eq!(d.by_column("Syria Daily").unwrap().name, "EA WorldView");
        assert_eq!(
            d.by_name("Anadolu Agency").unwrap().country.as_deref(),
            Some("TR")
        );
        assert!(d.by_domain("example.com").is_none());
        assert!(d.by_name("").is_none());
        let m = d.mentions("He told The Times of Israel, not the Times.");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].outlet.name, "The Times of Israel");
        // Every outlet has a kind from the documented set.
        let kinds = [
            "state_media",
            "international",
            "local",
            "agency",
            "blog",
            "think_tank",
        ];
        assert!(d
            .all()
            .iter()
            .all(|o| o.kind.as_deref().is_some_and(|k| kinds.contains(&k))));
    }

    #[test]
    fn bad_rows_are_reported() {
        assert!(OutletDictionary::parse("X\ta\n").is_err());
        assert!(OutletDictionary::parse("\tx\t\t\t\t\n").is_err());
    }

    #[test]
    fn domains() {
        assert_eq!(
            domain_of("HTTPS://WWW.Example.ORG:8080/a?b").as_deref(),
            Some("example.org")
        );
        assert_eq!(domain_of("not a url"), None);
    }
}
