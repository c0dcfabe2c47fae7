//! Quantities. (Being written.)
use sitrep_model::{Quantity, Sentence};
pub fn find(text: &str, sentences: &[Sentence]) -> Vec<Quantity> {
    let _ = (text, sentences);
    Vec::new()
}
