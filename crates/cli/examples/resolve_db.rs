//! Recomputes the events of an existing database, for profiling resolution
//! on its own: `cargo run --release -p sitrep --example resolve_db -- DB`.
//! Logs the phases with `RUST_LOG=sitrep_resolve=debug`.

use std::time::Instant;

// The binary's allocator, so profiles match `sitrep ingest`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // As `sitrep` does: without it, page faults zero 2 MB huge pages and
    // dominate the profile.
    sitrep::no_huge_pages();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let Some(path) = std::env::args().nth(1) else {
        return Err("usage: resolve_db DB".into());
    };
    let store = sitrep_store::Store::open(std::path::Path::new(&path))?;
    let t = Instant::now();
    let events = sitrep::pipeline::resolve_events(&store)?;
    println!("{events} events in {:.3} s", t.elapsed().as_secs_f64());
    Ok(())
}
