//! Claims. (Being written.)
use crate::ActorDictionary;
use sitrep_model::{Claim, EntityMention, Sentence};
pub fn find(text: &str, sentences: &[Sentence], entities: &[EntityMention], actors: &ActorDictionary) -> Vec<Claim> {
    let _ = (text, sentences, entities, actors);
    Vec::new()
}
