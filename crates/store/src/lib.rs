//! Store. (Being written.)
