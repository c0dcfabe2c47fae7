//! Gazetteer. (Being written.)
use crate::GeoError;

#[derive(Debug, Default)]
pub struct Gazetteer {}

impl Gazetteer {
    pub fn load_default() -> Result<Self, GeoError> {
        Ok(Gazetteer {})
    }
}
