//! Sentence splitting. (Being written.)
use sitrep_model::Sentence;
pub fn split(text: &str) -> Vec<Sentence> {
    let _ = text;
    Vec::new()
}
