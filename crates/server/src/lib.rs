//! Server: the read-only HTTP JSON API and the analyst's page.
//!
//! Stage 7. Architecture invariant: reads the store, never writes it.
