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

/// Turns transparent huge pages off for this process. mimalloc asks the
/// kernel for them, and a 2 MiB page is committed whole even when a thread
/// uses a corner of it: measured on a 10,000-article ingest, 495–512 MB
/// peak RSS with them and 417–423 MB without, 1.1 s less system time
/// (zeroing), and no measurable change in wall time. Call it first thing
/// in `main`; it affects memory touched afterwards.
pub fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and changes
    // nothing but the process's huge-page policy; a failure (old kernel)
    // leaves the default, which is harmless.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e`,
/// `mimalloc.h`; `libmimalloc-sys` does not name it). The test
/// `tests/prompt_release.rs` checks its default.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
const _: () = assert!(MI_OPTION_PURGE_DELAY + 1 == libmimalloc_sys::mi_option_use_numa_nodes);

/// While it lives, memory the process frees goes back to the system at
/// once; made, it first hands back what was freed before. For work whose
/// peak memory matters more than its speed: resolution's scan and
/// clustering (made when resolution starts, `pipeline::resolve_events`).
/// Guards must not overlap: each restores the delay it found.
///
/// mimalloc (v3) returns a freed page to the system a second after it
/// becomes free. Resolution frees a category's clustering state and at
/// once writes the category's list of events into fresh pages, so both
/// were resident together for that second: the 1M ingest's peak (498 ->
/// 421 MiB with the guard; BENCHMARKS.md has the runs). SQLite, which
/// allocates with the C library's malloc, is trimmed too. Building is left
/// out: it allocates and frees tens of MiB a slice, and without the delay
/// it ran a quarter slower. The previous delay comes back on drop. A no-op
/// for memory another allocator manages.
pub struct PromptRelease {
    delay: std::os::raw::c_long,
}

impl PromptRelease {
    /// Hands back what was freed so far, on every thread of the rayon pool
    /// and this one, then sets no delay. Call it while no other thread
    /// allocates (the option is a plain integer that allocating threads
    /// read).
    pub fn start() -> PromptRelease {
        // SAFETY: `mi_collect` collects the calling thread's mimalloc heap
        // and, forced, purges the free pages of every arena; it frees
        // nothing in use. It must come before the delay goes to zero: with
        // no delay, purges already scheduled would never run.
        rayon::broadcast(|_| unsafe { libmimalloc_sys::mi_collect(true) });
        // SAFETY: as above, from this thread, after the pool's (a purge
        // skipped by a worker while another purged runs here).
        unsafe { libmimalloc_sys::mi_collect(true) };
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: glibc's malloc_trim returns free heap memory to the
        // system; it takes the allocator's own locks.
        unsafe {
            libc::malloc_trim(0);
        }
        // SAFETY: reads and writes an integer option; no other thread
        // allocates now (see above).
        let delay = unsafe {
            let d = libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY);
            libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
            d
        };
        PromptRelease { delay }
    }
}

impl Drop for PromptRelease {
    fn drop(&mut self) {
        // SAFETY: writes an integer option back. Nothing is left scheduled:
        // with no delay, free pages were purged at once.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, self.delay) };
    }
}
