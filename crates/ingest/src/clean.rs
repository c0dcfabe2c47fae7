//! Cleaning. (Being written.)
