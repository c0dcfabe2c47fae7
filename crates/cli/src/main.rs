//! `sitrep`: the command line of SCHEMA.md.
//!
//! Exit codes: 0 success; 1 some inputs were rejected (each named on
//! stderr with its reason, the rest stored); 2 usage and fatal errors.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use sitrep::pipeline::{self, Engines, Options, Progress, Report};
use sitrep_store::export::{self, Format, Kind};
use sitrep_store::Store;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(
    name = "sitrep",
    version,
    about = "Verified, geolocated, source-attributed event records from conflicting news reports"
)]
struct Cli {
    /// The database file (default: sitrep.db; sitrep-demo.db for `demo`).
    #[arg(long, global = true, value_name = "FILE")]
    db: Option<PathBuf>,
    /// Machine-readable JSON output (ingest, stats, search, demo).
    #[arg(long, global = true)]
    json: bool,
    /// No progress bar and no summary on stderr.
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Ingest files or folders: .txt .html .htm .jsonl .json .xml (RSS/Atom) .warc(.gz).
    Ingest {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        engines: EngineArgs,
        /// Documents per parallel chunk and per transaction.
        #[arg(long, default_value_t = 512, hide = true)]
        chunk: usize,
    },
    /// Export documents, events or places.
    Export {
        #[arg(long, value_enum)]
        kind: KindArg,
        #[arg(long, value_enum, default_value = "jsonl")]
        format: FormatArg,
        /// Output file (default: standard output).
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
    },
    /// Full-text search over the stored documents.
    Search {
        #[arg(required = true, value_name = "QUERY")]
        query: Vec<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// What the database holds.
    Stats,
    /// Serve the analyst's page and the JSON API (read-only).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
        addr: std::net::SocketAddr,
    },
    /// Ingest the example corpus (examples/), show what was stored, and open the map.
    Demo {
        /// Folder of example articles (default: ./examples/corpus, else the repository's).
        #[arg(long, value_name = "DIR")]
        examples: Option<PathBuf>,
        /// Only ingest and print; do not serve the page.
        #[arg(long)]
        no_serve: bool,
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
        addr: std::net::SocketAddr,
    },
    /// Toponyms in raw text files, one JSON object per mention.
    Geoparse {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// A gazetteer built with `sitrep gazetteer build` instead of the default.
        #[arg(long, value_name = "FILE")]
        gazetteer: Option<PathBuf>,
    },
    /// Named zones (a circle around a place or point, a GeoJSON polygon) and routes.
    Zone {
        #[command(subcommand)]
        cmd: ZoneCmd,
    },
    /// Gazetteer tools.
    Gazetteer {
        #[command(subcommand)]
        cmd: GazetteerCmd,
    },
    /// Generate the synthetic benchmark corpus (sentences written by the Sitrep authors, recombined).
    #[command(hide = true)]
    Synth {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(long, default_value_t = 10_000)]
        n: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// One corpus.jsonl instead of .txt files.
        #[arg(long)]
        jsonl: bool,
        /// Body sentences per article.
        #[arg(long, default_value_t = 8)]
        sentences: usize,
    },
}

#[derive(Subcommand, Debug)]
enum GazetteerCmd {
    /// Build a gazetteer from GeoNames-format dumps (allCountries, citiesNNN; .gz accepted).
    Build {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Where to write the gazetteer.
        #[arg(short, long, value_name = "OUT", default_value = "gazetteer.bin")]
        output: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum ZoneCmd {
    /// Store zones from JSON specs, given inline or as files (one spec, an array, or JSON Lines):
    /// {"name": "...", "around": "At Tanf", "radius_km": 55} | {"name": "...", "center": [lat, lon],
    /// "radius_km": 10} | {"name": "...", "geometry": {GeoJSON Polygon, MultiPolygon or LineString}} |
    /// {"name": "...", "through": ["Baghdad", "Rutba", "Damascus"]} (a route).
    Add {
        #[arg(required = true, value_name = "SPEC|FILE")]
        specs: Vec<String>,
    },
    /// List stored zones.
    List,
}

#[derive(clap::Args, Debug, Default)]
struct EngineArgs {
    /// A gazetteer built with `sitrep gazetteer build` instead of the default.
    #[arg(long, value_name = "FILE")]
    gazetteer: Option<PathBuf>,
    /// Extra actors (TSV, columns as data/language/actors.tsv).
    #[arg(long, value_name = "FILE")]
    actors: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum KindArg {
    Events,
    Documents,
    Places,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum FormatArg {
    Jsonl,
    Geojson,
    Csv,
}

fn main() -> ExitCode {
    sitrep::no_huge_pages();
    let cli = Cli::parse();
    init_logging();
    // Deeply nested inputs recurse in parsers; give worker threads room so
    // that hostile input becomes an error, not a stack overflow.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(64 << 20)
        .build_global();
    match run(cli) {
        Ok(code) => code,
        // The reader went away (`sitrep export | head`): not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // Print the cause chain once: some causes repeat in the message
            // of the error that wraps them.
            let mut msg = e.to_string();
            for cause in e.chain().skip(1) {
                let c = cause.to_string();
                if !msg.contains(&c) {
                    msg.push_str(": ");
                    msg.push_str(&c);
                }
            }
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn run(cli: Cli) -> Result<ExitCode> {
    let db = |default: &str| cli.db.clone().unwrap_or_else(|| PathBuf::from(default));
    match &cli.cmd {
        Cmd::Ingest {
            paths,
            engines,
            chunk,
        } => {
            let db = db("sitrep.db");
            let mut store =
                Store::open(&db).with_context(|| format!("opening {}", db.display()))?;
            let eng = load_engines(engines, cli.quiet)?;
            let opts = Options {
                chunk: *chunk,
                ..Options::default()
            };
            let report = ingest(&mut store, eng, paths, &opts, cli.quiet)?;
            print_report(&report, cli.json, cli.quiet)?;
            Ok(exit_for(&report))
        }
        Cmd::Export {
            kind,
            format,
            output,
        } => {
            let store = open_existing(&db("sitrep.db"))?;
            let kind = match kind {
                KindArg::Events => Kind::Events,
                KindArg::Documents => Kind::Documents,
                KindArg::Places => Kind::Places,
            };
            let format = match format {
                FormatArg::Jsonl => Format::Jsonl,
                FormatArg::Geojson => Format::Geojson,
                FormatArg::Csv => Format::Csv,
            };
            let n = match output {
                Some(path) => {
                    write_atomically(path, |w| Ok(export::export(&store, kind, format, w)?))?
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
                    let n = export::export(&store, kind, format, &mut w)?;
                    w.flush()?;
                    n
                }
            };
            if !cli.quiet {
                tracing::info!(records = n, "exported");
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Search { query, limit } => {
            let store = open_existing(&db("sitrep.db"))?;
            let q = query.join(" ");
            let hits = store.search(&q, *limit)?;
            let mut out = std::io::stdout().lock();
            if cli.json {
                serde_json::to_writer(
                    &mut out,
                    &serde_json::json!({"query": q, "documents": hits}),
                )?;
                writeln!(out)?;
            } else if hits.is_empty() {
                writeln!(out, "no documents match {q:?}")?;
            } else {
                for h in &hits {
                    writeln!(
                        out,
                        "{}  {}  {}  {}\n    {}",
                        h.id,
                        h.published.as_deref().unwrap_or("----------"),
                        h.outlet.as_deref().unwrap_or("(unknown outlet)"),
                        h.title.as_deref().unwrap_or("(untitled)"),
                        h.snippet.replace('\n', " ")
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Stats => {
            let store = open_existing(&db("sitrep.db"))?;
            let s = store.stats()?;
            let mut out = std::io::stdout().lock();
            if cli.json {
                serde_json::to_writer(&mut out, &s)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "documents: {} ({} duplicates, {} undated)",
                    s.documents, s.duplicates, s.undated
                )?;
                if let (Some(a), Some(b)) = (&s.published_min, &s.published_max) {
                    writeln!(out, "published: {a} to {b}")?;
                }
                writeln!(out, "outlets:")?;
                for o in &s.outlets {
                    writeln!(out, "  {:>6}  {}", o.count, o.name)?;
                }
                writeln!(out, "languages: {}", counts_line(&s.languages))?;
                writeln!(
                    out,
                    "events: {} ({} disputed) from {} mentions",
                    s.events, s.disputed_events, s.event_mentions
                )?;
                for c in &s.events_by_category {
                    writeln!(out, "  {:>6}  {}", c.count, c.name)?;
                }
                writeln!(out, "zones: {}", s.zones)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Serve { addr } => {
            let db = db("sitrep.db");
            // Fail early, with the usual message, when there is no database.
            drop(open_existing(&db)?);
            if !cli.quiet {
                eprintln!(
                    "serving {} on http://{addr}/ (Ctrl-C to stop)",
                    db.display()
                );
            }
            serve(&db, *addr)?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Demo {
            examples,
            no_serve,
            addr,
        } => {
            let dir = match examples {
                Some(d) => d.clone(),
                None => {
                    default_examples().context("no examples/ folder found; pass --examples DIR")?
                }
            };
            let db = db("sitrep-demo.db");
            let mut store =
                Store::open(&db).with_context(|| format!("opening {}", db.display()))?;
            let eng = load_engines(&EngineArgs::default(), cli.quiet)?;
            // Zones that go with the examples (examples/zones.jsonl, beside
            // the corpus folder so it is not ingested as articles), read
            // while the gazetteer is loaded; stored after the articles.
            let zones_file = dir.parent().map(|p| p.join("zones.jsonl"));
            let zones = match zones_file.filter(|p| p.is_file()) {
                Some(zf) => sitrep::zones::parse_specs(&zf.to_string_lossy(), eng.geo.gazetteer())?,
                None => Vec::new(),
            };
            let report = ingest(
                &mut store,
                eng,
                std::slice::from_ref(&dir),
                &Options::default(),
                cli.quiet,
            )?;
            for z in &zones {
                let (kind, def) = sitrep::zones::to_stored(z);
                store.put_zone(&z.name, kind, &def)?;
            }
            print_demo(&store, &report, &db, cli.json)?;
            drop(store);
            if !*no_serve {
                let url = format!("http://{addr}/");
                eprintln!("\nThe map: {url} (Ctrl-C to stop)");
                open_browser(&url);
                serve(&db, *addr)?;
            }
            Ok(exit_for(&report))
        }
        Cmd::Geoparse { files, gazetteer } => {
            let gaz = match gazetteer {
                Some(p) => sitrep_geo::Gazetteer::load_from(p)?,
                None => sitrep_geo::Gazetteer::load_default()?,
            };
            let geo = sitrep_geo::Geoparser::new(gaz);
            // Parse in parallel, print in the order given.
            let results: Vec<(String, std::io::Result<Vec<String>>)> = files
                .par_iter()
                .map(|f| {
                    let name = f.display().to_string();
                    let r = sitrep::geoparse::read_raw(f)
                        .map(|t| sitrep::geoparse::geoparse_text(&geo, &name, &t));
                    (name, r)
                })
                .collect();
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let mut failed = false;
            for (name, r) in results {
                match r {
                    Ok(lines) => {
                        for l in lines {
                            out.write_all(l.as_bytes())?;
                            out.write_all(b"\n")?;
                        }
                    }
                    Err(e) => {
                        failed = true;
                        eprintln!("rejected: {name}: cannot read: {e}");
                    }
                }
            }
            out.flush()?;
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Cmd::Zone {
            cmd: ZoneCmd::Add { specs },
        } => {
            let db = db("sitrep.db");
            let store = Store::open(&db).with_context(|| format!("opening {}", db.display()))?;
            let gaz = sitrep_geo::Gazetteer::load_default()?;
            let mut names = Vec::new();
            for spec in specs {
                for z in sitrep::zones::parse_specs(spec, &gaz)? {
                    let (kind, def) = sitrep::zones::to_stored(&z);
                    store.put_zone(&z.name, kind, &def)?;
                    names.push(z.name);
                }
            }
            if !cli.quiet {
                eprintln!("stored {} zone(s): {}", names.len(), names.join(", "));
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Zone { cmd: ZoneCmd::List } => {
            let store = open_existing(&db("sitrep.db"))?;
            let mut out = std::io::stdout().lock();
            for (name, kind, def) in store.zones()? {
                if cli.json {
                    let v = serde_json::json!({"name": name, "kind": kind, "definition": def});
                    serde_json::to_writer(&mut out, &v)?;
                    writeln!(out)?;
                } else {
                    writeln!(out, "{name}\t{kind}\t{def}")?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Gazetteer {
            cmd: GazetteerCmd::Build { files, output },
        } => {
            let stats = sitrep_geo::gazetteer::build(files, output)?;
            if cli.json {
                println!(
                    "{}",
                    serde_json::json!({"output": output.display().to_string(), "rows_read": stats.rows_read,
                        "entries": stats.entries, "keys": stats.keys, "bytes": stats.bytes})
                );
            } else {
                println!(
                    "wrote {}: {} entries, {} names, {} bytes (from {} rows)",
                    output.display(),
                    stats.entries,
                    stats.keys,
                    stats.bytes,
                    stats.rows_read
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Synth {
            out,
            n,
            seed,
            jsonl,
            sentences,
        } => {
            let bytes = sitrep::synth::write_corpus(out, *n, *seed, *jsonl, *sentences)
                .with_context(|| format!("writing {}", out.display()))?;
            if !cli.quiet {
                eprintln!(
                    "wrote {n} synthetic articles ({bytes} bytes) to {}",
                    out.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs the server until Ctrl-C.
fn serve(db: &Path, addr: std::net::SocketAddr) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(sitrep_server::serve(db, addr))?;
    Ok(())
}

/// Opens `url` in the desktop's browser when there is a desktop; prints
/// nothing and carries on when there is none (the URL is printed anyway).
fn open_browser(url: &str) {
    let opener: Option<(&str, Vec<&str>)> = if cfg!(target_os = "macos") {
        Some(("open", vec![url]))
    } else if cfg!(windows) {
        Some(("cmd", vec!["/C", "start", "", url]))
    } else if std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some()
    {
        Some(("xdg-open", vec![url]))
    } else {
        None
    };
    if let Some((cmd, args)) = opener {
        let spawned = std::process::Command::new(cmd)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if let Err(e) = spawned {
            tracing::debug!(%e, "could not open a browser");
        }
    }
}

fn counts_line(v: &[sitrep_store::NameCount]) -> String {
    v.iter()
        .map(|c| format!("{} {}", c.name, c.count))
        .collect::<Vec<_>>()
        .join(", ")
}

fn open_existing(db: &Path) -> Result<Store> {
    if !db.exists() {
        anyhow::bail!(
            "{}: no such database (run `sitrep ingest --db {} PATH...` first)",
            db.display(),
            db.display()
        );
    }
    match Store::open_read_only(db) {
        // Written by an earlier version: upgrade it in place (migrations keep
        // every row), then read as asked.
        Err(sitrep_store::StoreError::Older {
            found, expected, ..
        }) => {
            tracing::info!(found, expected, db = %db.display(), "upgrading the database schema");
            drop(Store::open(db).with_context(|| format!("upgrading {}", db.display()))?);
            Store::open_read_only(db)
        }
        r => r,
    }
    .with_context(|| format!("opening {}", db.display()))
}

fn load_engines(args: &EngineArgs, quiet: bool) -> Result<Engines> {
    let t = std::time::Instant::now();
    let e = Engines::load(args.gazetteer.as_deref(), args.actors.as_deref())?;
    if !quiet {
        tracing::info!(
            ms = t.elapsed().as_millis() as u64,
            "loaded gazetteer and dictionaries"
        );
    }
    Ok(e)
}

/// The example corpus: ./examples/corpus when run from the repository
/// root, else the one next to the sources this binary was built from.
/// (examples/ also holds the gold file, which is not an input.)
fn default_examples() -> Option<PathBuf> {
    [
        PathBuf::from("examples/corpus"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/corpus"),
    ]
    .into_iter()
    .find(|p| p.is_dir())
}

/// An indicatif bar over input files, drawn only on a terminal.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn files(&self, total: u64) {
        self.0.set_length(total);
    }
    fn advance(&self, n: u64, stored: u64) {
        self.0.inc(n);
        self.0.set_message(format!("{stored} stored"));
    }
    fn phase(&self, msg: &str) {
        self.0.set_message(msg.to_string());
    }
}

fn ingest(
    store: &mut Store,
    eng: Engines,
    paths: &[PathBuf],
    opts: &Options,
    quiet: bool,
) -> Result<Report> {
    let bar = if quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} files  {msg}",
        ) {
            b.set_style(style);
        }
        b
    };
    let progress = Bar(bar);
    let report = pipeline::ingest_owned(store, eng, paths, opts, &progress)?;
    progress.0.finish_and_clear();
    Ok(report)
}

fn exit_for(r: &Report) -> ExitCode {
    if r.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Rejections always go to stderr (one line each, "rejected: PATH: REASON");
/// the summary goes to stdout as JSON with --json, else to stderr.
fn print_report(r: &Report, json: bool, quiet: bool) -> Result<()> {
    for x in &r.rejected {
        eprintln!("rejected: {}: {}", x.path, x.reason);
    }
    if json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, r)?;
        writeln!(out)?;
    } else if !quiet {
        eprintln!("{}", summary(r));
    }
    Ok(())
}

fn summary(r: &Report) -> String {
    let rate = if r.seconds > 0.0 {
        r.items as f64 / r.seconds
    } else {
        0.0
    };
    format!(
        "{} files, {} articles: {} stored ({} duplicates), {} already stored, {} rejected; {} events; {:.1} s ({:.0} articles/s)",
        r.files,
        r.items,
        r.stored,
        r.duplicates,
        r.skipped,
        r.rejected.len(),
        r.events,
        r.seconds,
        rate
    )
}

fn print_demo(store: &Store, r: &Report, db: &Path, json: bool) -> Result<()> {
    for x in &r.rejected {
        eprintln!("rejected: {}: {}", x.path, x.reason);
    }
    let mut docs = Vec::new();
    store.for_each_document(|d| {
        docs.push(d);
        Ok(())
    })?;
    let events = store.events()?;
    let mut out = std::io::stdout().lock();
    if json {
        let docs: Vec<_> = docs
            .iter()
            .map(|d| {
                serde_json::json!({"id": d.id, "outlet": d.outlet, "published": d.published,
                    "title": d.title, "duplicate_of": d.duplicate_of,
                    "primary_place": d.primary_place.as_ref().map(|p| &p.name)})
            })
            .collect();
        let evs: Vec<_> = events
            .iter()
            .map(|e| {
                serde_json::json!({"id": e.id, "category": e.category.as_str(),
                    "date": e.date.map(|d| d.start.to_string()), "summary": e.summary, "sources": e.sources})
            })
            .collect();
        serde_json::to_writer(
            &mut out,
            &serde_json::json!({"db": db.display().to_string(), "report": r, "documents": docs, "events": evs}),
        )?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "Sitrep demo: {} (database {})",
        summary(r),
        db.display()
    )?;
    writeln!(out, "\nDocuments ({}):", docs.len())?;
    for d in &docs {
        let dup = match &d.duplicate_of {
            Some(o) => format!("  [copy of {o}]"),
            None => String::new(),
        };
        writeln!(
            out,
            "  {}  {:<10}  {:<22}  {}{}",
            d.id,
            d.published.as_deref().unwrap_or("undated"),
            d.outlet.as_deref().unwrap_or("(unknown outlet)"),
            d.title.as_deref().unwrap_or("(untitled)"),
            dup
        )?;
    }
    let n_dup = docs.iter().filter(|d| d.duplicate_of.is_some()).count();
    writeln!(out, "\nDuplicates: {n_dup}")?;
    writeln!(out, "\nEvents ({}):", events.len())?;
    for e in &events {
        writeln!(
            out,
            "  {}  {:<9}  {}  [{}]",
            e.date
                .map(|d| d.start.to_string())
                .unwrap_or_else(|| "undated   ".into()),
            e.category.as_str(),
            e.summary,
            e.sources.join(", ")
        )?;
    }
    writeln!(
        out,
        "\nExplore: sitrep serve --db {0}   |   sitrep export --db {0} --kind events --format geojson",
        db.display()
    )?;
    Ok(())
}

/// Writes to `path.tmp` and renames, so a failed export never leaves a
/// half-written file under the requested name.
fn write_atomically(path: &Path, f: impl FnOnce(&mut dyn Write) -> Result<u64>) -> Result<u64> {
    let tmp = path.with_extension(match path.extension() {
        Some(e) => format!("{}.tmp", e.to_string_lossy()),
        None => "tmp".into(),
    });
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
    let n = f(&mut w)?;
    w.flush()?;
    drop(w);
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(n)
}
