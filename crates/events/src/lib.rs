//! Events: who did what to whom, where, when, with what, coded to PLOVER
//! and ACLED.
//!
//! Stage 4. Architecture invariant: works on one document at a time from
//! the language and geo outputs; knows nothing of other documents (that is
//! `resolve`) or of storage. Trigger lexicons and coding rules live in
//! `data/events/` with a loader and a test each.
//!
//! The flow per sentence: triggers from the lexicon ([`lexicon`]) → context
//! cues (weapons, targets, protest outcome, conditionals) → coding
//! ([`coding`]) → a frame (actor, target, place, time, equipment,
//! quantities, fatalities, claims) completed from neighbouring sentences,
//! earlier mentions of the same event ("the strikes") and the document.
//!
//! ```
//! use sitrep_model::{Analysis, Document, GeoAnalysis, Plover};
//! let doc = Document {
//!     id: "d1".into(),
//!     text: "Warplanes bombed a market in the town, killing nine civilians.".into(),
//!     ..Default::default()
//! };
//! let events = sitrep_events::extract(&doc, &Analysis::default(), &GeoAnalysis::default());
//! assert_eq!(events[0].category, Plover::Assault);
//! assert_eq!(events[0].acled.as_ref().unwrap().sub_event_type, "Air/drone strike");
//! ```

use std::sync::OnceLock;

use sitrep_model::{Analysis, Document, EventMention, GeoAnalysis};

pub mod coding;
mod extract;
pub mod lexicon;
mod sentences;

pub use lexicon::Lexicon;

/// Errors loading the event lexicons.
#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    #[error("{path}: line {line}: {reason}")]
    Data {
        path: String,
        line: usize,
        reason: String,
    },
}

/// The event extractor with its lexicons loaded. Build once, share across
/// threads.
#[derive(Debug)]
pub struct Extractor {
    lex: Lexicon,
}

impl Extractor {
    /// The extractor over the built-in lexicons.
    pub fn builtin() -> Result<Extractor, EventsError> {
        Ok(Extractor {
            lex: Lexicon::builtin()?,
        })
    }

    /// An extractor over custom lexicons.
    pub fn with_lexicon(lex: Lexicon) -> Extractor {
        Extractor { lex }
    }

    /// Extracts the events one document reports (see [`extract`]).
    pub fn extract(
        &self,
        doc: &Document,
        analysis: &Analysis,
        geo: &GeoAnalysis,
    ) -> Vec<EventMention> {
        extract::run(&self.lex, doc, analysis, geo)
    }
}

/// Loads the built-in lexicons now rather than on the first document,
/// where the other workers would wait for them.
pub fn warm_up() {
    builtin();
}

fn builtin() -> Option<&'static Extractor> {
    static X: OnceLock<Option<Extractor>> = OnceLock::new();
    // The embedded lexicons are checked by tests; should they ever fail to
    // load, extraction yields nothing rather than aborting the pipeline.
    X.get_or_init(|| Extractor::builtin().ok()).as_ref()
}

/// Extracts the events one document reports, each traceable to its
/// sentence, with claims, stance and whether it occurred.
pub fn extract(doc: &Document, analysis: &Analysis, geo: &GeoAnalysis) -> Vec<EventMention> {
    match builtin() {
        Some(x) => x.extract(doc, analysis, geo),
        None => Vec::new(),
    }
}
