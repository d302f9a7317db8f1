//! One run at a time per output directory. A run takes an exclusive advisory lock
//! (`flock`) on a lock file beside `--out`, `.<name>.itur-lock`, before any work, and holds it
//! until the process ends (the kernel releases it then, also when the run is killed). A second
//! run into the same directory stops at once with exit 2, naming the run that holds it,
//! instead of sweeping that run's temporary directory as stale. The lock file stays (removing
//! it would let two runs lock two different files of one name).
use super::guard;
use crate::error::{Error, Result};
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The lock files this process holds, by their resolved path (a command may check its target
/// before it creates it: the second call finds the lock held).
static HELD: Mutex<Vec<(PathBuf, File)>> = Mutex::new(Vec::new());

/// The lock file of the output directory `final_path`.
pub fn lock_path(final_path: &Path) -> Result<PathBuf> {
    let name = final_path.file_name().ok_or_else(|| {
        Error::Usage(format!(
            "--out {} has no directory name",
            final_path.display()
        ))
    })?;
    let parent = match final_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Ok(parent.join(format!(".{}.itur-lock", name.to_string_lossy())))
}

/// Whether `name` (a file name beside an output) is a lock file: never swept as stale.
pub fn is_lock_file(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".itur-lock")
}

/// Takes the lock of `final_path` for the rest of the process, creating its parent folder if
/// needed. Fails with exit 2 when another process holds it.
pub fn hold(final_path: &Path) -> Result<()> {
    let path = lock_path(final_path)?;
    let key = guard::resolved(&path);
    let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
    if held.iter().any(|(p, _)| *p == key) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
    }
    let ctx = |e| Error::io(format!("opening the lock file {}", path.display()), e);
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(ctx)?;
    use rustix::fs::{flock, FlockOperation};
    match flock(&file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => {}
        Err(rustix::io::Errno::WOULDBLOCK) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let who = if holder.is_empty() {
                String::new()
            } else {
                format!(" ({holder})")
            };
            return Err(Error::Usage(format!(
                "{} is being written by another itur run{who}; wait for it to finish or choose another --out",
                final_path.display()
            )));
        }
        Err(e) => {
            return Err(Error::io(
                format!("locking {}", path.display()),
                std::io::Error::from(e),
            ))
        }
    }
    // Who holds it, for the message of a run that finds it locked.
    let started = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ");
    let record = format!("pid {}, started {started}\n", std::process::id());
    let written = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(record.as_bytes()));
    if let Err(e) = written {
        tracing::debug!("could not record the holder in {}: {e}", path.display());
    }
    held.push((key, file));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_file_sits_beside_the_output_and_is_recognised() {
        let p = lock_path(Path::new("/data/out/run1")).unwrap();
        assert_eq!(p, Path::new("/data/out/.run1.itur-lock"));
        assert_eq!(
            lock_path(Path::new("run1")).unwrap(),
            Path::new("./.run1.itur-lock")
        );
        assert!(is_lock_file(".run1.itur-lock"));
        assert!(!is_lock_file(".run1.itur-tmp-12"));
        assert!(!is_lock_file("run1"));
    }

    #[test]
    fn a_second_holder_is_refused_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        hold(&out).unwrap();
        // Taking it again in this process is a no-op.
        hold(&out).unwrap();
        // Another open file description (as another process would have) is refused.
        let f = File::open(lock_path(&out).unwrap()).unwrap();
        let e = rustix::fs::flock(&f, rustix::fs::FlockOperation::NonBlockingLockExclusive);
        assert_eq!(e, Err(rustix::io::Errno::WOULDBLOCK));
        let text = std::fs::read_to_string(lock_path(&out).unwrap()).unwrap();
        assert!(
            text.starts_with(&format!("pid {}, started ", std::process::id())),
            "{text}"
        );
    }
}
