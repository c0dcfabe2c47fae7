//! The `sitrep` command line: wires the stage crates into the ingest
//! pipeline ([`pipeline`]) and the commands of `SCHEMA.md`.
//!
//! This crate only wires; each stage is a library usable alone
//! (`sitrep-ingest`, `-language`, `-geo`, `-events`, `-resolve`, `-store`,
//! `-server`).

pub mod geoparse;
pub mod pipeline;
pub mod synth;
pub mod zones;
