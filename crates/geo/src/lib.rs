//! Geo: gazetteer, transliteration-proof geoparser, spatial expressions,
//! admin areas and zones.
//!
//! Stage 3. Architecture invariant: knows nothing of events or storage; the
//! only inputs are text, a [`Document`]'s metadata and optionally the
//! language layer's [`Analysis`] (to tell "Jordan" the person from the
//! country). Data (gazetteer, supplement, admin polygons) ships in
//! `data/geo/` and is embedded in the binary.

use sitrep_model::{Analysis, Document, GeoAnalysis, PlaceMention};

pub mod admin;
pub mod gazetteer;
pub mod normalize;
pub mod parse;
pub mod spatial;
pub mod zones;

pub use gazetteer::{build, BuildStats, Gazetteer};
pub use zones::{Zone, ZoneShape};

/// Errors building or loading a gazetteer, or reading a zone.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    #[error("{path}: {reason}")]
    Data { path: String, reason: String },
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Context that helps disambiguation: the outlet's region, the dateline.
#[derive(Debug, Clone, Default)]
pub struct GeoContext<'a> {
    pub dateline: Option<&'a str>,
    /// ISO 3166-1 alpha-2 country of the outlet, if known.
    pub outlet_country: Option<&'a str>,
    pub title: Option<&'a str>,
}

/// The geoparser over a loaded gazetteer. Build once, share across threads.
pub struct Geoparser {
    gazetteer: Gazetteer,
    matcher: parse::Matcher,
}

impl Geoparser {
    pub fn new(gazetteer: Gazetteer) -> Self {
        let matcher = parse::Matcher::build(&gazetteer);
        Geoparser { gazetteer, matcher }
    }

    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// Every place name and spatial expression in `text`, resolved in
    /// context. Spans are byte offsets into `text`. Unresolvable names are
    /// still returned, with null coordinates.
    pub fn parse(&self, text: &str, ctx: &GeoContext) -> Vec<PlaceMention> {
        parse::parse(&self.gazetteer, &self.matcher, text, ctx, None)
    }

    /// Places of a whole document: mentions, places aggregated per location
    /// and the primary place.
    pub fn analyze(&self, doc: &Document, analysis: Option<&Analysis>) -> GeoAnalysis {
        let ctx = GeoContext {
            dateline: doc.dateline.as_deref(),
            outlet_country: None,
            title: doc.title.as_deref(),
        };
        let mentions = parse::parse(&self.gazetteer, &self.matcher, &doc.text, &ctx, analysis);
        parse::aggregate(&self.gazetteer, doc, analysis, mentions)
    }
}

/// One parser over the default gazetteer for all unit tests (loading it
/// once keeps the debug test run short).
#[cfg(test)]
pub(crate) fn test_parser() -> &'static Geoparser {
    static P: std::sync::OnceLock<Geoparser> = std::sync::OnceLock::new();
    P.get_or_init(|| Geoparser::new(Gazetteer::load_default().expect("default gazetteer loads")))
}
