//! Measuring: child processes with their peak RSS, and the per-stage peak
//! of this process.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Why a benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Child(String),
    #[error("{what}: {source}")]
    Json {
        what: String,
        #[source]
        source: serde_json::Error,
    },
    #[error(transparent)]
    Pipeline(#[from] sitrep::pipeline::PipelineError),
    #[error(transparent)]
    Dedup(#[from] sitrep_ingest::dedup::DupError),
    #[error(transparent)]
    Store(#[from] sitrep_store::StoreError),
}

impl BenchError {
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BenchError {
        let what = what.into();
        move |source| BenchError::Io { what, source }
    }
    pub fn json(what: impl Into<String>) -> impl FnOnce(serde_json::Error) -> BenchError {
        let what = what.into();
        move |source| BenchError::Json { what, source }
    }
}

/// A finished child process.
#[derive(Debug)]
pub struct ChildRun {
    pub stdout: String,
    /// Peak resident set of the child (and of its waited-for descendants,
    /// whichever was largest), from `wait4`.
    pub maxrss_kb: u64,
    /// User + system CPU seconds of the child (and its waited-for
    /// descendants): unlike wall time, barely affected by other load.
    pub cpu_s: f64,
}

/// Children whose RSS passes this many KiB are killed (0: no limit), so a
/// run that would exhaust a shared machine's memory becomes a failed row.
static RSS_LIMIT_KB: AtomicU64 = AtomicU64::new(0);

pub fn set_rss_limit_mb(mb: u64) {
    RSS_LIMIT_KB.store(mb * 1024, Ordering::Relaxed);
}

fn pid_rss_kb(pid: libc::pid_t) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// Runs `cmd` to completion with stdout captured (stderr passes through,
/// so progress shows) and returns its peak RSS as the kernel accounted it.
/// A child over the RSS limit is killed and reported as an error naming
/// its last progress line.
pub fn run_child(mut cmd: Command, what: &str) -> Result<ChildRun, BenchError> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let t0 = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(BenchError::io(format!("cannot start {what}")))?;
    // Readers on their own threads, so a full pipe never blocks the child.
    let out_reader = child.stdout.take().map(|mut out| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = out.read_to_string(&mut s);
            s
        })
    });
    let last_line = Arc::new(Mutex::new(String::new()));
    let err_reader = child.stderr.take().map(|err| {
        let last = Arc::clone(&last_line);
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                eprintln!("{line}");
                if let Ok(mut g) = last.lock() {
                    *g = line;
                }
            }
        })
    });
    let pid = child.id() as libc::pid_t;
    let limit = RSS_LIMIT_KB.load(Ordering::Relaxed);
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; zeroed is a valid value, and wait4
    // only writes into the two out-pointers we own for the call.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // std's Child::wait would discard the rusage; wait4 reaps the child
    // itself and returns it (Child's Drop does not wait, so no double reap).
    let mut killed_at: Option<u64> = None;
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut ru) };
        if r == pid {
            break;
        }
        if r < 0 {
            return Err(BenchError::Child(format!(
                "{what}: wait4 failed: {}",
                std::io::Error::last_os_error()
            )));
        }
        let rss = pid_rss_kb(pid);
        if limit > 0 && rss > limit && killed_at.is_none() {
            // SAFETY: pid is our own child, not yet reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            killed_at = Some(rss);
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let stdout = out_reader.and_then(|h| h.join().ok()).unwrap_or_default();
    if let Some(h) = err_reader {
        let _ = h.join();
    }
    let last = last_line
        .lock()
        .map(|g| g.trim().to_string())
        .unwrap_or_default();
    if let Some(rss) = killed_at {
        return Err(BenchError::Child(format!(
            "{what}: killed after {:.0} s at {} MB RSS (limit {} MB, --max-rss-mb); last progress: {last}",
            t0.elapsed().as_secs_f64(),
            rss / 1024,
            limit / 1024
        )));
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        return Err(BenchError::Child(format!(
            "{what} failed (wait status {status}); last output: {last}"
        )));
    }
    // Linux reports ru_maxrss in KiB.
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Ok(ChildRun {
        stdout,
        maxrss_kb: ru.ru_maxrss.max(0) as u64,
        cpu_s: tv(ru.ru_utime) + tv(ru.ru_stime),
    })
}

/// The last line of a child's stdout that parses as JSON.
pub fn last_json<T: serde::de::DeserializeOwned>(
    run: &ChildRun,
    what: &str,
) -> Result<T, BenchError> {
    let line = run
        .stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .ok_or_else(|| BenchError::Child(format!("{what} printed no JSON result")))?;
    serde_json::from_str(line).map_err(BenchError::json(format!("result of {what}")))
}

fn status_kb(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].split_whitespace().next()?.parse().ok()
}

/// Peak resident set of this process since start or the last
/// [`reset_peak`], in KiB (VmHWM).
pub fn peak_kb() -> u64 {
    status_kb("VmHWM:").unwrap_or(0)
}

/// Current resident set in KiB (VmRSS).
pub fn rss_kb() -> u64 {
    status_kb("VmRSS:").unwrap_or(0)
}

/// Resets VmHWM to the current RSS (Linux ≥ 4.0, `clear_refs` value 5), so
/// the next [`peak_kb`] is the peak of what ran in between. Returns false
/// where unsupported; the peak then stays cumulative.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// User + system CPU seconds this process (all its threads) has used.
pub fn self_cpu_s() -> f64 {
    // SAFETY: rusage is plain old data; getrusage only writes into it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return 0.0;
    }
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Articles (or bytes) per second, 0 for an empty interval.
pub fn per_s(n: f64, secs: f64) -> f64 {
    if secs > 0.0 {
        n / secs
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_tracks_an_allocation_and_resets() {
        let before = peak_kb();
        assert!(before > 0, "VmHWM not readable");
        // Mapped directly, not through the allocator (which may keep freed
        // pages resident), so unmapping certainly gives the memory back.
        const LEN: usize = 64 << 20;
        // SAFETY: an anonymous private mapping of LEN bytes, written only
        // within its bounds and unmapped once, below.
        unsafe {
            let p = libc::mmap(
                std::ptr::null_mut(),
                LEN,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            assert_ne!(p, libc::MAP_FAILED);
            // Touch every page so it is resident.
            for off in (0..LEN).step_by(4096) {
                *(p as *mut u8).add(off) = 1;
            }
            assert!(peak_kb() >= before + 60 * 1024);
            assert_eq!(libc::munmap(p, LEN), 0);
        }
        if reset_peak() {
            assert!(peak_kb() < before + 60 * 1024);
        }
    }

    #[test]
    fn child_rss_and_output() {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg("echo noise; echo '{\"a\": 1}'");
        let run = run_child(cmd, "sh").unwrap();
        assert!(run.maxrss_kb > 0 && run.cpu_s >= 0.0);
        let v: serde_json::Value = last_json(&run, "sh").unwrap();
        assert_eq!(v["a"], 1);
        let mut bad = Command::new("sh");
        bad.arg("-c").arg("echo started >&2; exit 3");
        let e = run_child(bad, "sh").unwrap_err().to_string();
        assert!(e.contains("started"), "{e}");
    }
}
