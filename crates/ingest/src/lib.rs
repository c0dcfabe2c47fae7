//! Ingest: turns files, folders and feeds into cleaned [`Document`]s.
//!
//! Stage 1 of the pipeline. Architecture invariant: knows nothing of
//! language, places or events; never panics on input; every rejected input
//! becomes an [`IngestError`] naming the file and the problem.
//!
//! The flow is [`discover`] (walk paths) → [`read_file`] (decode, split a
//! file into [`RawItem`]s: one per article, feed item or WARC record) →
//! [`prepare`] (clean the text, find metadata, derive the stable id).
//! Duplicate detection across documents lives in [`dedup`].

use std::path::{Path, PathBuf};

use sitrep_model::Document;

pub mod clean;
pub mod dedup;
pub mod meta;
pub mod read;

/// Builds the embedded rules and patterns that cleaning and metadata use
/// (page furniture, bylines, datelines, dates, outlets) now rather than on
/// the first document, where the other workers would wait for them.
pub fn warm_up() {
    clean::junk_rules();
    meta::warm_up();
}

/// One article as read from an input, before cleaning.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawItem {
    /// Where it came from: the path as given, with `#N` for the N-th item
    /// of a multi-article file (feed, WARC, JSONL), or the URL.
    pub source: String,
    pub id: Option<String>,
    pub url: Option<String>,
    pub outlet: Option<String>,
    pub title: Option<String>,
    /// Publication date as given by metadata, unparsed.
    pub published: Option<String>,
    pub byline: Vec<String>,
    pub body: Body,
}

/// The article body as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Text(String),
    Html(String),
}

impl Default for Body {
    fn default() -> Self {
        Body::Text(String::new())
    }
}

/// Why an input (or one item of it) was rejected.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Invalid { path: String, reason: String },
}

impl IngestError {
    pub fn invalid(path: impl Into<String>, reason: impl Into<String>) -> Self {
        IngestError::Invalid {
            path: path.into(),
            reason: reason.into(),
        }
    }
    /// The path (or path#item) the error is about.
    pub fn path(&self) -> &str {
        match self {
            IngestError::Io { path, .. } | IngestError::Invalid { path, .. } => path,
        }
    }
}

/// Expands files and folders (recursively) into the input files to read,
/// in a stable order. Unreadable folders are reported, not fatal.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<IngestError>) {
    read::discover(paths)
}

/// Reads one input file into its articles. The outer error rejects the
/// whole file (unreadable, binary, truncated archive with nothing usable);
/// inner errors reject single items (a JSONL line that is not JSON) while
/// the rest of the file is kept.
pub fn read_file(path: &Path) -> Result<Vec<Result<RawItem, IngestError>>, IngestError> {
    read::read_file(path)
}

/// Cleans an item's text, extracts its metadata and derives its stable id.
/// Fails on items with no usable text.
pub fn prepare(item: RawItem) -> Result<Document, IngestError> {
    meta::prepare(item)
}
