//! Metadata and preparation. (Being written.)
use crate::{Body, IngestError, RawItem};
use sitrep_model::{stable_id, Document};

pub fn prepare(item: RawItem) -> Result<Document, IngestError> {
    let text = match item.body {
        Body::Text(t) | Body::Html(t) => t,
    };
    Ok(Document { id: stable_id(&[&text]), path: item.source, text, ..Default::default() })
}
