//! Events: who did what to whom, where, when, with what, coded to PLOVER
//! and ACLED.
//!
//! Stage 4. Architecture invariant: works on one document at a time from
//! the language and geo outputs; knows nothing of other documents (that is
//! `resolve`) or of storage. Trigger lexicons and coding rules live in
//! `data/events/` with a loader and a test each.

use sitrep_model::{Analysis, Document, EventMention, GeoAnalysis};

/// Extracts the events one document reports, each traceable to its
/// sentence, with claims, stance and whether it occurred.
pub fn extract(doc: &Document, analysis: &Analysis, geo: &GeoAnalysis) -> Vec<EventMention> {
    let _ = (doc, analysis, geo);
    Vec::new()
}
