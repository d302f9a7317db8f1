//! The output directory appears atomically: a run writes into a temporary sibling directory and
//! renames it into place only when everything succeeded. A failed run removes its temporary
//! directory and leaves the previous output untouched; a killed run leaves only a hidden
//! `.<name>.itur-tmp-*` sibling, which the next run removes.
use crate::error::{Error, Result};
use crate::table::read::sha256_hex;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One file written to the output directory, for the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct OutputFile {
    /// Path relative to the output directory, with `/` separators.
    pub path: String,
    pub rows: Option<usize>,
    pub bytes: u64,
    pub sha256: String,
}

/// Testing hook: `ITUR_FAIL_AFTER_FILES=N` fails the write that would make file N+1 (a parallel
/// batch crossing N fails whole), to check that a failed run leaves the previous output intact.
const FAIL_AFTER_ENV: &str = "ITUR_FAIL_AFTER_FILES";
/// Testing hook: `ITUR_SLOW_WRITES_MS=N` pauses N ms after each file, so a test can kill a
/// run while it is writing.
const SLOW_WRITES_ENV: &str = "ITUR_SLOW_WRITES_MS";

pub struct OutputDir {
    final_path: PathBuf,
    tmp_path: PathBuf,
    files: Vec<OutputFile>,
    committed: bool,
    fail_after: Option<usize>,
    /// Subdirectories (relative) already created.
    dirs: std::collections::BTreeSet<String>,
    /// Those made ahead of their files (`make_dirs`): removed at `commit` if none came.
    ahead: std::collections::BTreeSet<String>,
}

fn sibling(final_path: &Path, tag: &str) -> Result<PathBuf> {
    let name = final_path
        .file_name()
        .ok_or_else(|| {
            Error::Usage(format!(
                "--out {} has no directory name",
                final_path.display()
            ))
        })?
        .to_string_lossy()
        .into_owned();
    let parent = final_path.parent().unwrap_or(Path::new("."));
    Ok(parent.join(format!(".{name}.itur-{tag}-{}", std::process::id())))
}

/// Writes one file under `dir` and describes it for the manifest.
fn write_file(dir: &Path, rel: &str, data: &[u8], rows: Option<usize>) -> Result<OutputFile> {
    if let Some((folder, _)) = rel.rsplit_once('/') {
        create_dir(dir, folder)?;
    }
    write_file_in(dir, rel, data, rows)
}

/// Makes the folder `rel` (and its parents) inside `dir`.
fn create_dir(dir: &Path, rel: &str) -> Result<()> {
    let path = dir.join(rel);
    std::fs::create_dir_all(&path).map_err(|e| Error::io(format!("creating {}", path.display()), e))
}

/// `write_file` into a folder that exists.
fn write_file_in(dir: &Path, rel: &str, data: &[u8], rows: Option<usize>) -> Result<OutputFile> {
    let path = dir.join(rel);
    std::fs::write(&path, data).map_err(|e| Error::io(format!("writing {rel}"), e))?;
    // Read once: a run writes thousands of files, and each lookup takes the environment's lock.
    static SLOW: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    let slow = SLOW.get_or_init(|| {
        std::env::var(SLOW_WRITES_ENV)
            .ok()
            .and_then(|v| v.parse().ok())
    });
    if let Some(ms) = *slow {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
    Ok(OutputFile {
        path: rel.to_string(),
        rows,
        bytes: data.len() as u64,
        sha256: sha256_hex(data),
    })
}

/// Removes a directory tree, its subdirectories in parallel (an output holds thousands of
/// small per-school files, and removing them one by one is slow on some file systems).
fn remove_tree(path: &Path) {
    use rayon::prelude::*;
    let Ok(entries) = std::fs::read_dir(path) else {
        let _ = std::fs::remove_file(path);
        return;
    };
    let entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.par_iter().for_each(|p| {
        if p.is_dir() && !p.is_symlink() {
            remove_tree(p);
        } else {
            let _ = std::fs::remove_file(p);
        }
    });
    let _ = std::fs::remove_dir(path);
}

/// Removes temporary siblings left by killed runs.
fn remove_stale(final_path: &Path) {
    let (Some(parent), Some(name)) = (final_path.parent(), final_path.file_name()) else {
        return;
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let prefix = format!(".{}.itur-", name.to_string_lossy());
    if let Ok(entries) = std::fs::read_dir(parent) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                remove_tree(&e.path());
            }
        }
    }
}

impl OutputDir {
    /// Prepares a temporary directory beside `final_path`. An existing `final_path` must be an
    /// earlier itur output (it has a `manifest.json`) or empty: itur never replaces a directory
    /// it did not write.
    pub fn create(final_path: &Path) -> Result<Self> {
        Self::create_for(final_path, None)
    }

    /// Like [`OutputDir::create`], and an earlier output must have been written by `command`
    /// (its manifest's `command`): `itur run` never replaces a synthetic nation or a
    /// validation report, and `itur synth` never replaces a run's results.
    pub fn create_for(final_path: &Path, command: Option<&str>) -> Result<Self> {
        if let (Some(want), Ok(text)) = (
            command,
            std::fs::read_to_string(final_path.join("manifest.json")),
        ) {
            let found = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v["command"].as_str().map(str::to_string));
            if let Some(found) = found.filter(|f| f != want) {
                return Err(Error::Usage(format!(
                    "--out {} holds the output of `itur {found}`, not of `itur {want}`; choose another directory",
                    final_path.display()
                )));
            }
        }
        if final_path.exists() {
            let is_dir = final_path.is_dir();
            let empty = is_dir
                && std::fs::read_dir(final_path)
                    .map(|mut d| d.next().is_none())
                    .unwrap_or(false);
            if !is_dir || (!empty && !final_path.join("manifest.json").is_file()) {
                return Err(Error::Usage(format!(
                    "--out {} exists and is not an itur output directory (no manifest.json); choose a new or empty directory",
                    final_path.display()
                )));
            }
        }
        if let Some(parent) = final_path.parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
            }
        }
        remove_stale(final_path);
        let tmp_path = sibling(final_path, "tmp")?;
        std::fs::create_dir_all(&tmp_path)
            .map_err(|e| Error::io(format!("creating {}", tmp_path.display()), e))?;
        let fail_after = std::env::var(FAIL_AFTER_ENV)
            .ok()
            .and_then(|v| v.parse().ok());
        Ok(OutputDir {
            final_path: final_path.to_path_buf(),
            tmp_path,
            files: Vec::new(),
            committed: false,
            fail_after,
            dirs: std::collections::BTreeSet::new(),
            ahead: std::collections::BTreeSet::new(),
        })
    }

    pub fn final_path(&self) -> &Path {
        &self.final_path
    }

    pub fn files(&self) -> &[OutputFile] {
        &self.files
    }

    /// Writes one file at `rel` (e.g. `confidential/results.parquet`).
    pub fn write_bytes(&mut self, rel: &str, data: &[u8], rows: Option<usize>) -> Result<()> {
        self.check_injected_failure(rel, 0)?;
        let f = write_file(&self.tmp_path, rel, data, rows)?;
        self.files.push(f);
        Ok(())
    }

    /// Writes several files at once (in parallel: creating many small files is slow on some
    /// file systems). They are recorded in the given order.
    pub fn write_all(&mut self, items: Vec<crate::output::write::FileBytes>) -> Result<()> {
        use rayon::prelude::*;
        for (k, (rel, _, _)) in items.iter().enumerate() {
            self.check_injected_failure(rel, k)?;
        }
        let started = std::time::Instant::now();
        let tmp = &self.tmp_path;
        // Each new subdirectory is made once (thousands of files share a few thousand
        // per-school folders), then the files are written without looking at their folders.
        let new_dirs: std::collections::BTreeSet<String> = items
            .iter()
            .filter_map(|(rel, _, _)| rel.rsplit_once('/').map(|(d, _)| d.to_string()))
            .filter(|d| !self.dirs.contains(d))
            .collect();
        // One at a time: folders made side by side in one parent wait on its lock, and the
        // kernel spins while they wait (4.6 % of a national run's CPU samples on ext4).
        for d in &new_dirs {
            create_dir(tmp, d)?;
        }
        let made = std::time::Instant::now();
        let n_dirs = new_dirs.len();
        self.dirs.extend(new_dirs);
        let written: Vec<OutputFile> = items
            .par_iter()
            .map(|(rel, data, rows)| write_file_in(tmp, rel, data, *rows))
            .collect::<Result<Vec<_>>>()?;
        tracing::trace!(
            files = written.len(),
            folders = n_dirs,
            folders_ms = (made - started).as_millis() as u64,
            files_ms = made.elapsed().as_millis() as u64,
            "wrote {} files",
            written.len()
        );
        self.files.extend(written);
        Ok(())
    }

    /// Makes subdirectories (relative) before their files are ready, e.g. the per-school
    /// folders a run expects while its phases compute. One that receives no file is removed
    /// at `commit`, so the output is the same as without.
    pub fn make_dirs(&mut self, dirs: impl IntoIterator<Item = String>) -> Result<()> {
        for d in dirs {
            if self.dirs.contains(&d) {
                continue;
            }
            create_dir(&self.tmp_path, &d)?;
            // The folder and the parents made with it (`schools` for `schools/<id>`).
            for (i, _) in d.match_indices('/').chain([(d.len(), "")]) {
                if self.dirs.insert(d[..i].to_string()) {
                    self.ahead.insert(d[..i].to_string());
                }
            }
        }
        Ok(())
    }

    /// Removes the folders made ahead that no file was written in.
    fn remove_unused_dirs(&mut self) -> Result<()> {
        if self.ahead.is_empty() {
            return Ok(());
        }
        // Every folder holding a file, directly or below.
        let used: std::collections::BTreeSet<&str> = self
            .files
            .iter()
            .flat_map(|f| f.path.match_indices('/').map(|(i, _)| &f.path[..i]))
            .collect();
        // Deepest first: `schools/<id>` sorts after `schools`.
        let mut removed = 0;
        for d in std::mem::take(&mut self.ahead).into_iter().rev() {
            if !used.contains(d.as_str()) {
                let path = self.tmp_path.join(&d);
                std::fs::remove_dir(&path)
                    .map_err(|e| Error::io(format!("removing {}", path.display()), e))?;
                self.dirs.remove(&d);
                removed += 1;
            }
        }
        tracing::debug!(
            removed,
            "removed {removed} folders made ahead that got no file"
        );
        Ok(())
    }

    /// `ITUR_FAIL_AFTER_FILES=N`: the write of file N+1 fails (`ahead` files are being written
    /// with it).
    fn check_injected_failure(&self, rel: &str, ahead: usize) -> Result<()> {
        if self
            .fail_after
            .is_some_and(|n| self.files.len() + ahead >= n)
        {
            return Err(Error::io(
                format!("writing {rel}"),
                std::io::Error::other(format!("injected write failure ({FAIL_AFTER_ENV})")),
            ));
        }
        Ok(())
    }

    /// Moves the finished directory into place, replacing an earlier output.
    pub fn commit(mut self) -> Result<()> {
        self.remove_unused_dirs()?;
        let ctx = |what: &str| format!("{what} {}", self.final_path.display());
        let old = sibling(&self.final_path, "old")?;
        let had_old = self.final_path.exists();
        if had_old {
            std::fs::rename(&self.final_path, &old)
                .map_err(|e| Error::io(ctx("moving aside"), e))?;
        }
        if let Err(e) = std::fs::rename(&self.tmp_path, &self.final_path) {
            if had_old {
                let _ = std::fs::rename(&old, &self.final_path);
            }
            return Err(Error::io(ctx("moving the new output into"), e));
        }
        self.committed = true;
        if had_old {
            remove_tree(&old);
        }
        Ok(())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            remove_tree(&self.tmp_path);
        }
    }
}
