//! Duplicate detection. (Being written.)
