//! Language: sentences, entities and actors, time expressions, quantities
//! and attributed claims, in pure Rust.
//!
//! Stage 2. Architecture invariant: reads a [`Document`], returns an
//! [`Analysis`]; knows nothing of places, events or storage. Dictionaries
//! (actors, titles, cue words) live in `data/` as versioned files with a
//! loader and a test each.

use sitrep_model::{Analysis, Document};

pub mod actors;
pub mod claims;
pub mod entities;
pub mod quantity;
pub mod sentences;
pub mod time;

pub use actors::ActorDictionary;

/// Errors loading the language resources (user dictionaries).
#[derive(Debug, thiserror::Error)]
pub enum LanguageError {
    #[error("{path}: {reason}")]
    Dictionary { path: String, reason: String },
}

/// The language layer with its dictionaries loaded. Build once, share
/// across threads (`Sync`), call [`Language::analyze`] per document.
pub struct Language {
    pub actors: ActorDictionary,
}

/// Parses the lexicons that sentence splitting, entities, time expressions
/// and quantities otherwise load on first use, where the other workers
/// would wait for them.
pub fn warm_up() {
    sentences::Lexicon::builtin();
    entities::warm_up();
    time::warm_up();
    quantity::Units::builtin();
}

impl Language {
    /// The built-in dictionaries.
    pub fn new() -> Self {
        Language {
            actors: ActorDictionary::builtin(),
        }
    }

    /// Built-in dictionaries plus a user actor file (TSV, see
    /// `data/actors.tsv` for the columns).
    pub fn with_user_actors(path: &std::path::Path) -> Result<Self, LanguageError> {
        let mut actors = ActorDictionary::builtin();
        actors.load_user_file(path)?;
        // Built here, at load, as for the built-in dictionary: on the first
        // document every other worker would wait for it.
        actors.build_matcher();
        Ok(Language { actors })
    }

    /// Analyses one document. Relative time expressions are resolved
    /// against `doc.published`, or against a date inferred from the text
    /// when the document has none (reported in `Analysis::doc_date*`).
    pub fn analyze(&self, doc: &Document) -> Analysis {
        self.analyze_with_hint(doc, None)
    }

    /// A date hint for a batch of documents ingested together: the median
    /// of their stated publication dates, or, when none states one, of the
    /// dates inferred from their texts. Articles that name weekdays and
    /// months but no year ("On June 8 ...") can then be dated; the hint
    /// only anchors inference and never overrides a date a document states.
    pub fn date_hint<'a>(
        &self,
        docs: impl IntoIterator<Item = &'a Document>,
    ) -> Option<chrono::NaiveDate> {
        let docs: Vec<&Document> = docs.into_iter().collect();
        let stated: Vec<chrono::NaiveDate> = docs.iter().filter_map(|d| d.published).collect();
        if !stated.is_empty() {
            // Stated dates are far more reliable than inferred ones.
            return time::batch_hint(&stated);
        }
        let inferred: Vec<chrono::NaiveDate> = docs
            .iter()
            .filter_map(|d| time::document_date(d, &sentences::split(&d.text)).0)
            .collect();
        time::batch_hint(&inferred)
    }

    /// As [`Language::analyze`], with a date hint for documents that state
    /// no year (e.g. the median date of the batch they came in, see
    /// [`time::batch_hint`]); it only anchors inference, never overrides a
    /// date the document has.
    pub fn analyze_with_hint(&self, doc: &Document, hint: Option<chrono::NaiveDate>) -> Analysis {
        let text = doc.text.as_str();
        let sentences = sentences::split(text);
        let entities = entities::find(text, &sentences, &self.actors);
        // One tokenization for dates, time expressions and quantities.
        let t = time::analyze(doc, &sentences, hint);
        let claims = claims::find(text, &sentences, &entities, &self.actors);
        Analysis {
            sentences,
            entities,
            times: t.times,
            quantities: t.quantities,
            claims,
            doc_date: t.doc_date,
            doc_date_basis: t.doc_date_basis,
            doc_date_range: t.doc_date_range,
        }
    }
}

impl Default for Language {
    fn default() -> Self {
        Self::new()
    }
}
