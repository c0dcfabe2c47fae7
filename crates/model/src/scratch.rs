//! Scratch files: state a stage keeps on disk instead of in memory while
//! it runs (resolution's spilled summaries, the duplicate index of a
//! large ingest), in a folder the caller chooses.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A temporary file, removed when dropped. Under Unix it is unlinked at
/// once (the open handle keeps it), so a killed process leaves nothing
/// behind.
#[derive(Debug)]
pub struct ScratchFile {
    file: File,
    /// Still to remove on drop (not under Unix).
    path: Option<PathBuf>,
}

impl ScratchFile {
    /// A new, empty file in `dir`; `what` names it in the file name and
    /// in the error ("resolution spill", "duplicate index").
    pub fn create(dir: &Path, what: &str) -> io::Result<ScratchFile> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let tag: String = what
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let mut tries = 0;
        let (file, path) = loop {
            let path = dir.join(format!(
                ".sitrep-{tag}-{}-{}.tmp",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            match std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(f) => break (f, path),
                // Left by an earlier process of the same number (where
                // files are not unlinked at once): take the next name.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && tries < 64 => {
                    tries += 1;
                }
                Err(e) => {
                    return Err(io::Error::new(
                        e.kind(),
                        format!("cannot create {what} file {}: {e}", path.display()),
                    ))
                }
            }
        };
        let keep = !cfg!(unix) || std::fs::remove_file(&path).is_err();
        Ok(ScratchFile {
            file,
            path: keep.then_some(path),
        })
    }

    pub fn file(&self) -> &File {
        &self.file
    }

    pub fn file_mut(&mut self) -> &mut File {
        &mut self.file
    }

    /// Fills `buf` from `offset`, without moving the file's cursor, so
    /// that threads sharing the file can read at once.
    pub fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_exact_at(&self.file, buf, offset)
        }
        #[cfg(windows)]
        {
            let len = buf.len();
            in_steps(len, offset, io::ErrorKind::UnexpectedEof, |done, at| {
                std::os::windows::fs::FileExt::seek_read(&self.file, &mut buf[done..], at)
            })
        }
        #[cfg(not(any(unix, windows)))]
        {
            let _ = (buf, offset);
            Err(io::ErrorKind::Unsupported.into())
        }
    }

    /// Writes all of `buf` at `offset`, without moving the file's cursor.
    pub fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::write_all_at(&self.file, buf, offset)
        }
        #[cfg(windows)]
        {
            in_steps(buf.len(), offset, io::ErrorKind::WriteZero, |done, at| {
                std::os::windows::fs::FileExt::seek_write(&self.file, &buf[done..], at)
            })
        }
        #[cfg(not(any(unix, windows)))]
        {
            let _ = (buf, offset);
            Err(io::ErrorKind::Unsupported.into())
        }
    }
}

/// Repeats a positioned read or write (`step(bytes done, offset)`, which
/// may do part) until `len` bytes are done: Windows has no `_exact_at`.
#[cfg(windows)]
fn in_steps(
    len: usize,
    offset: u64,
    none: io::ErrorKind,
    mut step: impl FnMut(usize, u64) -> io::Result<usize>,
) -> io::Result<()> {
    let mut done = 0;
    while done < len {
        match step(done, offset + done as u64) {
            Ok(0) => return Err(none.into()),
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        if let Some(p) = &self.path {
            let _ = std::fs::remove_file(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positioned_reads_and_writes_and_nothing_left_behind() {
        let dir = std::env::temp_dir().join(format!("sitrep-scratch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        {
            let f = ScratchFile::create(&dir, "duplicate index").unwrap();
            f.write_all_at(b"world", 6).unwrap();
            f.write_all_at(b"hello ", 0).unwrap();
            let mut buf = [0u8; 11];
            f.read_exact_at(&mut buf, 0).unwrap();
            assert_eq!(&buf, b"hello world");
            // Past the end is an error, not a short read.
            assert!(f.read_exact_at(&mut buf, 4).is_err());
        }
        let left = std::fs::read_dir(&dir).unwrap().count();
        std::fs::remove_dir(&dir).unwrap();
        assert_eq!(left, 0, "scratch files are removed");
        let err = ScratchFile::create(&dir, "duplicate index").unwrap_err();
        assert!(err
            .to_string()
            .contains("cannot create duplicate index file"));
        assert!(err.to_string().contains(&*dir.to_string_lossy()));
    }
}
