//! Full-text search and summary statistics.

use rusqlite::params;
use serde::Serialize;

use crate::{Store, StoreError};

/// A document matching a search, best first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub id: String,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub published: Option<String>,
    /// Matching fragment with hits in `[brackets]`.
    pub snippet: String,
    /// BM25 score (lower is better, as SQLite reports it).
    pub score: f64,
}

/// A count per name (outlet, language, category).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameCount {
    pub name: String,
    pub count: u64,
}

/// What the store holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub documents: u64,
    /// Documents that are re-posts or syndicated copies of another.
    pub duplicates: u64,
    pub undated: u64,
    pub published_min: Option<String>,
    pub published_max: Option<String>,
    pub outlets: Vec<NameCount>,
    pub languages: Vec<NameCount>,
    pub event_mentions: u64,
    pub events: u64,
    pub disputed_events: u64,
    pub events_by_category: Vec<NameCount>,
    pub zones: u64,
}

/// Turns free text into an FTS5 query that cannot be a syntax error: every
/// whitespace-separated token becomes a quoted string (all must match).
fn quote_tokens(q: &str) -> String {
    q.split_whitespace()
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Store {
    /// Documents matching `query`, best first (BM25, title weighted 5×).
    /// `query` may use FTS5 syntax (`"exact phrase"`, `OR`, `NEAR`,
    /// `prefix*`); text that is not valid FTS5 is searched as plain words.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        if query.trim().is_empty() {
            return Err(StoreError::Query("empty query".into()));
        }
        match self.search_raw(query, limit) {
            Ok(h) => Ok(h),
            // FTS5 reports syntax errors ("unterminated string", "syntax
            // error near", "no such column") as plain SQLITE_ERROR: retry as
            // quoted words, which are always valid.
            Err(StoreError::Sqlite(e)) => self
                .search_raw(&quote_tokens(query), limit)
                .map_err(|_| StoreError::Query(format!("{query}: {e}"))),
            Err(e) => Err(e),
        }
    }

    fn search_raw(&self, fts_query: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        let mut st = self.conn.prepare_cached(
            "SELECT d.id, d.title, d.outlet, d.published,
                    snippet(documents_fts, 1, '[', ']', ' … ', 16),
                    bm25(documents_fts, 5.0, 1.0) AS score
             FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid
             WHERE documents_fts MATCH ?1
             ORDER BY score, d.id
             LIMIT ?2",
        )?;
        let rows = st.query_map(params![fts_query, limit as i64], |r| {
            Ok(SearchHit {
                id: r.get(0)?,
                title: r.get(1)?,
                outlet: r.get(2)?,
                published: r.get(3)?,
                snippet: r.get(4)?,
                score: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Counts by outlet, language and event category, and the date range.
    pub fn stats(&self) -> Result<Stats, StoreError> {
        let c = &self.conn;
        let count = |sql: &str| -> Result<u64, StoreError> {
            Ok(c.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
        };
        let counts = |sql: &str| -> Result<Vec<NameCount>, StoreError> {
            let mut st = c.prepare(sql)?;
            let rows = st.query_map([], |r| {
                Ok(NameCount {
                    name: r.get(0)?,
                    count: r.get::<_, i64>(1)? as u64,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let (published_min, published_max) = c.query_row(
            "SELECT MIN(published), MAX(published) FROM documents",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(Stats {
            documents: count("SELECT COUNT(*) FROM documents")?,
            duplicates: count("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NOT NULL")?,
            undated: count("SELECT COUNT(*) FROM documents WHERE published IS NULL")?,
            published_min,
            published_max,
            outlets: counts(
                "SELECT COALESCE(outlet, '(unknown)') AS o, COUNT(*) AS n FROM documents
                 GROUP BY o ORDER BY n DESC, o",
            )?,
            languages: counts(
                "SELECT COALESCE(language, '(unknown)') AS l, COUNT(*) AS n FROM documents
                 GROUP BY l ORDER BY n DESC, l",
            )?,
            event_mentions: count("SELECT COALESCE(SUM(n_mentions), 0) FROM document_analyses")?,
            events: count("SELECT COUNT(*) FROM events")?,
            disputed_events: count("SELECT COUNT(*) FROM events WHERE disputed != 0")?,
            events_by_category: counts(
                "SELECT category, COUNT(*) AS n FROM events GROUP BY category ORDER BY n DESC, category",
            )?,
            zones: count("SELECT COUNT(*) FROM zones")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewDocument;
    use sitrep_model::Document;

    fn store_with(texts: &[(&str, &str, &str)]) -> Store {
        let mut s = Store::open_in_memory().unwrap();
        let batch: Vec<NewDocument> = texts
            .iter()
            .map(|(id, title, text)| {
                NewDocument::bare(Document {
                    id: id.to_string(),
                    path: format!("{id}.txt"),
                    title: Some(title.to_string()),
                    outlet: Some("Valley Courier".into()),
                    text: text.to_string(),
                    ..Default::default()
                })
            })
            .collect();
        s.insert_batch(&batch).unwrap();
        s
    }

    #[test]
    fn search_ranks_and_snippets() {
        let s = store_with(&[
            (
                "a",
                "Market reopens",
                "Traders returned to the covered market after the ceasefire held.",
            ),
            (
                "b",
                "Ceasefire holds in the north",
                "The ceasefire held for a third day; no shelling was heard.",
            ),
            (
                "c",
                "Harvest",
                "Farmers brought in the wheat early this year.",
            ),
        ]);
        let hits = s.search("ceasefire", 10).unwrap();
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].id, "b", "title match ranks first");
        assert!(
            hits[0].snippet.contains("[ceasefire]"),
            "{}",
            hits[0].snippet
        );
        assert!(s.search("wheat harvest", 10).unwrap().len() <= 1);
        // Diacritics are folded.
        assert_eq!(s.search("shélling", 10).unwrap().len(), 1);
    }

    #[test]
    fn search_survives_fts_syntax() {
        let s = store_with(&[("a", "T", "A 55-km zone \"around\" the base (reported).")]);
        for q in ["55-km", "\"around", "base)", "AND", "zone:x", "*"] {
            assert!(s.search(q, 10).is_ok(), "query {q:?}");
        }
        assert!(s.search("   ", 10).is_err());
    }

    #[test]
    fn stats_count_outlets() {
        let s = store_with(&[("a", "T", "One."), ("b", "U", "Two.")]);
        let st = s.stats().unwrap();
        assert_eq!(st.documents, 2);
        assert_eq!(
            st.outlets,
            vec![NameCount {
                name: "Valley Courier".into(),
                count: 2
            }]
        );
        assert_eq!(st.undated, 2);
        assert_eq!(st.events, 0);
    }
}
