//! Entities. (Being written.)
use crate::ActorDictionary;
use sitrep_model::{EntityMention, Sentence};
pub fn find(text: &str, sentences: &[Sentence], actors: &ActorDictionary) -> Vec<EntityMention> {
    let _ = (text, sentences, actors);
    Vec::new()
}
