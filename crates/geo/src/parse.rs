//! Geoparser. (Being written.)
use crate::{GeoContext, Gazetteer};
use sitrep_model::{Analysis, Document, GeoAnalysis, PlaceMention};

pub struct Matcher {}
impl Matcher {
    pub fn build(g: &Gazetteer) -> Self {
        let _ = g;
        Matcher {}
    }
}
pub fn parse(g: &Gazetteer, m: &Matcher, text: &str, ctx: &GeoContext, a: Option<&Analysis>) -> Vec<PlaceMention> {
    let _ = (g, m, text, ctx, a);
    Vec::new()
}
pub fn aggregate(doc: &Document, a: Option<&Analysis>, mentions: Vec<PlaceMention>) -> GeoAnalysis {
    let _ = (doc, a);
    GeoAnalysis { mentions, ..Default::default() }
}
