//! The benchmark run: generates inputs, runs each measurement in a child
//! process, runs the peer, and regenerates the bench section.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::child::{E2eResult, GoldResult, StagesResult};
use crate::corpus::{self, Corpus};
use crate::gold::{self, Prediction, Scores};
use crate::machine::{self, Machine};
use crate::measure::{last_json, run_child, BenchError};
use crate::report;

pub struct Args {
    pub sizes: Vec<u64>,
    pub out: PathBuf,
    pub write: bool,
    pub peer: bool,
    pub peer_max: u64,
    pub peer_procs: u32,
    pub stages_max: u64,
    pub repeat: u32,
    pub repeat_max: u64,
    pub work: PathBuf,
    pub shared: PathBuf,
    pub examples: PathBuf,
    pub gold: PathBuf,
    pub seed: u64,
    pub max_rss_mb: u64,
}

/// When and on what a row was measured (rows of earlier runs are kept
/// when a later run measures other sizes).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stamp {
    pub date_utc: String,
    pub commit: String,
    pub load: String,
}

/// One input measured end to end, and maybe stage by stage.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputRun {
    /// "shared corpus", or the synthetic size.
    pub label: String,
    /// Why the end-to-end run did not complete (killed over the memory
    /// limit, crashed); the numbers are then empty.
    #[serde(default)]
    pub failed: Option<String>,
    pub synthetic: Option<Corpus>,
    /// The median of the end-to-end runs by time (the only one when the
    /// input ran once).
    pub e2e: E2eResult,
    /// The highest peak RSS of the runs.
    pub e2e_rss_kb: u64,
    /// CPU seconds of the median run's child, engine load included.
    #[serde(default)]
    pub e2e_cpu_s: f64,
    /// Seconds of every end-to-end run, ascending, when there were several.
    #[serde(default)]
    pub runs_s: Vec<f64>,
    pub stages: Option<StagesResult>,
    pub stamp: Stamp,
}

/// The peer beside Sitrep on the same inputs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeerRun {
    pub inputs: String,
    pub articles_listed: u64,
    pub peer: PeerResult,
    pub peer_rss_kb: u64,
    #[serde(default)]
    pub peer_cpu_s: f64,
    pub peer_scores: Scores,
    pub sitrep: E2eResult,
    pub sitrep_rss_kb: u64,
    #[serde(default)]
    pub sitrep_cpu_s: f64,
    pub stamp: Stamp,
}

/// What bench/peer/run.py prints.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PeerResult {
    #[serde(default)]
    pub versions: HashMap<String, String>,
    pub load_seconds: f64,
    #[serde(default)]
    pub procs: u32,
    #[serde(default)]
    pub articles: u64,
    #[serde(default)]
    pub bytes: u64,
    #[serde(default)]
    pub seconds: f64,
    /// CPU seconds (its spaCy workers included) of the timed part.
    #[serde(default)]
    pub cpu_seconds: f64,
    /// Summed RSS of the peer's process tree (its spaCy workers included).
    #[serde(default)]
    pub peak_rss_kb: u64,
}

/// Everything the section shows; kept (as JSON in a comment) in the
/// section itself so a later run can replace some rows and keep others.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Results {
    pub machine: Machine,
    pub command: String,
    pub shared: Option<InputRun>,
    pub sizes: Vec<InputRun>,
    pub gold: Option<(Scores, Stamp)>,
    pub peer: Option<PeerRun>,
}

fn self_cmd(args: &[&str]) -> Result<Command, BenchError> {
    let exe = std::env::current_exe().map_err(BenchError::io("locating sitrep-bench"))?;
    let mut c = Command::new(exe);
    c.arg("child").args(args);
    Ok(c)
}

fn e2e(input: &[&str], db: &Path, what: &str) -> Result<(E2eResult, u64, f64), BenchError> {
    let mut c = self_cmd(&["e2e"])?;
    c.args(input).arg("--db").arg(db);
    eprintln!("{what}: end to end ...");
    let run = run_child(c, what)?;
    let r: E2eResult = last_json(&run, what)?;
    remove_db(db);
    eprintln!(
        "{what}: {} articles in {:.1} s ({:.0}/s; {:.1} CPU s in all), peak RSS {} MiB",
        r.items,
        r.seconds,
        crate::measure::per_s(r.items as f64, r.seconds),
        run.cpu_s,
        run.maxrss_kb / 1024
    );
    Ok((r, run.maxrss_kb, run.cpu_s))
}

fn stages(input: &[&str], db: &Path, what: &str) -> Result<StagesResult, BenchError> {
    let mut c = self_cmd(&["stages"])?;
    c.args(input).arg("--db").arg(db);
    eprintln!("{what}: stage by stage ...");
    let run = run_child(c, what)?;
    remove_db(db);
    last_json(&run, what)
}

fn remove_db(db: &Path) {
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
    }
}

/// The median run by time of `runs` (the slower of the middle two for an
/// even count: never the flattering one), and the highest peak RSS of them
/// all.
fn median_run(mut runs: Vec<(E2eResult, u64, f64)>) -> (E2eResult, u64, f64, Vec<f64>) {
    runs.sort_by(|a, b| a.0.seconds.total_cmp(&b.0.seconds));
    let rss = runs.iter().map(|r| r.1).max().unwrap_or(0);
    let times: Vec<f64> = runs.iter().map(|r| r.0.seconds).collect();
    let mid = runs.len() / 2;
    let (e, _, cpu) = runs.swap_remove(mid);
    let times = if times.len() > 1 { times } else { Vec::new() };
    (e, rss, cpu, times)
}

fn measure_input(
    label: &str,
    input: &[&str],
    with_stages: bool,
    repeat: u32,
    work: &Path,
    stamp: &Stamp,
    synthetic: Option<Corpus>,
) -> Result<InputRun, BenchError> {
    let db = work.join("bench.db");
    let mut runs = Vec::new();
    for _ in 0..repeat.max(1) {
        match e2e(input, &db, label) {
            Ok(x) => runs.push(x),
            Err(BenchError::Child(msg)) => {
                // A failed size is a result too (memory or time limits); keep going.
                eprintln!("{msg}");
                remove_db(&db);
                return Ok(InputRun {
                    label: label.into(),
                    failed: Some(msg),
                    synthetic,
                    e2e: E2eResult::default(),
                    e2e_rss_kb: 0,
                    e2e_cpu_s: 0.0,
                    runs_s: Vec::new(),
                    stages: None,
                    stamp: stamp.clone(),
                });
            }
            Err(e) => return Err(e),
        }
    }
    let (e, rss, cpu, runs_s) = median_run(runs);
    let st = if with_stages {
        Some(stages(input, &db, label)?)
    } else {
        None
    };
    Ok(InputRun {
        label: label.into(),
        failed: None,
        synthetic,
        e2e: e,
        e2e_rss_kb: rss,
        e2e_cpu_s: cpu,
        runs_s,
        stages: st,
        stamp: stamp.clone(),
    })
}

/// Regular files under `dir`, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn peer_run(a: &Args, work: &Path, stamp: &Stamp) -> Result<PeerRun, BenchError> {
    let mut files = if a.shared.is_dir() {
        files_under(&a.shared)
    } else {
        Vec::new()
    };
    let n_shared = files.len();
    let c = corpus::ensure(work, a.peer_max, a.seed, &a.examples)?;
    files.extend(corpus::first_files(&c, a.peer_max));
    let list = work.join("peer-inputs.txt");
    let body: String = files.iter().map(|p| format!("{}\n", p.display())).collect();
    std::fs::write(&list, body).map_err(BenchError::io(format!("writing {}", list.display())))?;
    let preds_path = work.join("peer-predictions.json");
    let script = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../bench/peer/run.py"
    ));
    let mut cmd = Command::new("python3");
    cmd.arg(&script)
        .arg("--inputs")
        .arg(&list)
        .arg("--gold")
        .arg(&a.gold)
        .arg("--predictions")
        .arg(&preds_path)
        .arg("--procs")
        .arg(a.peer_procs.to_string());
    eprintln!(
        "peer: {} files (installs its venv on first use) ...",
        files.len()
    );
    let run = run_child(cmd, "peer (bench/peer/run.py)")?;
    let peer: PeerResult = last_json(&run, "peer")?;
    let preds_s = std::fs::read_to_string(&preds_path)
        .map_err(BenchError::io(format!("reading {}", preds_path.display())))?;
    let preds: HashMap<String, Prediction> =
        serde_json::from_str(&preds_s).map_err(BenchError::json("peer predictions"))?;
    let peer_scores = gold::score(&gold::load(&a.gold)?, &preds);
    let list_s = list.display().to_string();
    let (sitrep, sitrep_rss_kb, sitrep_cpu_s) = e2e(
        &["--list", &list_s],
        &work.join("bench.db"),
        "sitrep on the peer's inputs",
    )?;
    Ok(PeerRun {
        inputs: format!(
            "{n_shared} shared-corpus articles + the first {} articles of the synthetic corpus",
            files.len() - n_shared
        ),
        articles_listed: files.len() as u64,
        peer,
        peer_rss_kb: run.maxrss_kb,
        peer_cpu_s: run.cpu_s,
        peer_scores,
        sitrep,
        sitrep_rss_kb,
        sitrep_cpu_s,
        stamp: stamp.clone(),
    })
}

pub fn main(a: Args) -> Result<(), BenchError> {
    crate::measure::set_rss_limit_mb(a.max_rss_mb);
    let machine = Machine::detect();
    let stamp = Stamp {
        date_utc: machine.date_utc.clone(),
        commit: machine.commit.clone(),
        load: machine.load_start.clone(),
    };
    let work = if a.work.is_absolute() {
        a.work.clone()
    } else {
        // Next to the build, not in the source tree, unless told otherwise.
        std::env::var_os("CARGO_TARGET_DIR")
            .map(|t| PathBuf::from(t).join("bench-work"))
            .unwrap_or(a.work.clone())
    };
    std::fs::create_dir_all(&work)
        .map_err(BenchError::io(format!("creating {}", work.display())))?;
    let previous = report::load_previous(&a.out);
    let command = std::env::args().skip(1).collect::<Vec<_>>().join(" ");

    let shared = if a.shared.is_dir() {
        let s = a.shared.display().to_string();
        Some(measure_input(
            "shared corpus",
            &["--input", &s],
            true,
            a.repeat,
            &work,
            &stamp,
            None,
        )?)
    } else {
        eprintln!(
            "skipping the shared corpus: {} not found",
            a.shared.display()
        );
        None
    };

    let mut sizes = Vec::new();
    for &n in &a.sizes {
        let c = corpus::ensure(&work, n, a.seed, &a.examples)?;
        let d = c.dir.display().to_string();
        let label = format!("{n}");
        sizes.push(measure_input(
            &label,
            &["--input", &d],
            n <= a.stages_max,
            if n <= a.repeat_max { a.repeat } else { 1 },
            &work,
            &stamp,
            Some(c),
        )?);
        eprintln!("load average now {}", machine::load_avg());
    }

    let gold = {
        let g = a.gold.display().to_string();
        let run = run_child(self_cmd(&["gold", "--gold", &g])?, "gold")?;
        let r: GoldResult = last_json(&run, "gold")?;
        Some((r.scores, stamp.clone()))
    };

    let peer = if a.peer {
        match peer_run(&a, &work, &stamp) {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("peer run failed ({e}); keeping the previous peer results, if any");
                None
            }
        }
    } else {
        None
    };

    let results = report::merge(
        previous,
        Results {
            machine,
            command: format!("cargo run --release -p sitrep-bench -- {command}"),
            shared,
            sizes,
            gold,
            peer,
        },
    );
    let section = report::render(&results);
    println!("{section}");
    if a.write {
        report::splice(&a.out, &section)?;
        eprintln!("wrote the bench section of {}", a.out.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(seconds: f64, rss: u64, cpu: f64) -> (E2eResult, u64, f64) {
        let e = E2eResult {
            items: 1000,
            seconds,
            ..Default::default()
        };
        (e, rss, cpu)
    }

    #[test]
    fn the_row_is_the_median_run_and_the_highest_peak() {
        // Three runs in no order: the middle time wins, with its own CPU
        // seconds; the peak RSS is the worst of the three.
        let (e, rss, cpu, times) = median_run(vec![
            run(1.07, 200, 1.9),
            run(0.81, 230, 1.6),
            run(0.93, 210, 1.7),
        ]);
        assert_eq!(e.seconds, 0.93);
        assert_eq!((rss, cpu), (230, 1.7));
        assert_eq!(times, vec![0.81, 0.93, 1.07]);
        // An even count takes the slower of the middle two, not a mean.
        let (e, _, _, _) = median_run(vec![run(2.0, 1, 0.0), run(1.0, 1, 0.0)]);
        assert_eq!(e.seconds, 2.0);
        // One run: that run, and no list of times.
        let (e, rss, _, times) = median_run(vec![run(5.0, 300, 9.0)]);
        assert_eq!((e.seconds, rss), (5.0, 300));
        assert!(times.is_empty());
    }
}
