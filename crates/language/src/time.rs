//! Time expressions. (Being written.)
use chrono::NaiveDate;
use sitrep_model::{Document, PublishedBasis, Sentence, TimeExpr};
pub fn document_date(
    doc: &Document,
    sentences: &[Sentence],
) -> (Option<NaiveDate>, Option<PublishedBasis>, Option<(NaiveDate, NaiveDate)>) {
    let _ = sentences;
    (doc.published, doc.published_basis, None)
}
pub fn find(text: &str, sentences: &[Sentence], doc_date: NaiveDate) -> Vec<TimeExpr> {
    let _ = (text, sentences, doc_date);
    Vec::new()
}
pub fn find_absolute(text: &str, sentences: &[Sentence]) -> Vec<TimeExpr> {
    let _ = (text, sentences);
    Vec::new()
}
