//! Actor dictionary. (Being written.)
use crate::LanguageError;

#[derive(Debug, Default)]
pub struct ActorDictionary {}

impl ActorDictionary {
    pub fn builtin() -> Self {
        ActorDictionary {}
    }
    pub fn load_user_file(&mut self, path: &std::path::Path) -> Result<(), LanguageError> {
        let _ = path;
        Ok(())
    }
}
