//! Zones. (Being written.)
#[derive(Debug, Clone)]
pub struct Zone {
    pub name: String,
}
