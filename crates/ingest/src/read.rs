//! Readers: files and folders into raw items. (Being written.)
use crate::{IngestError, RawItem};
use std::path::{Path, PathBuf};

pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<IngestError>) {
    (paths.to_vec(), Vec::new())
}

pub fn read_file(path: &Path) -> Result<Vec<Result<RawItem, IngestError>>, IngestError> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| IngestError::Io { path: p.clone(), source: e })?;
    Ok(vec![Ok(RawItem { source: p, body: crate::Body::Text(text), ..Default::default() })])
}
