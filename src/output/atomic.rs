//! The output directory appears atomically (data-contract.md, "Outputs"): a run writes into a
//! temporary sibling directory, flushes it to disk, and swaps it into place in one step
//! (`renameat2(RENAME_EXCHANGE)` on Linux) only when everything succeeded; the old tree is
//! removed after the swap. At every instant `--out` holds the complete previous output or the
//! complete new one. A failed run removes its temporary directory; a killed run leaves only a
//! hidden `.<name>.itur-*` sibling, which the next run removes — except that a complete
//! previous output moved aside by the fallback commit (file systems without the exchange) is
//! put back, never deleted.
use super::guard;
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
/// Testing hook: `ITUR_COMMIT_FALLBACK=1` commits by the two renames used where the exchange is
/// not available, and `ITUR_COMMIT_PAUSE_MS=N` pauses N ms between them, so a test can kill a
/// run there.
const FALLBACK_ENV: &str = "ITUR_COMMIT_FALLBACK";
const PAUSE_ENV: &str = "ITUR_COMMIT_PAUSE_MS";

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
    /// Every file written: one path is never written twice (two tables would collide).
    written: std::collections::HashSet<String>,
    /// A flush to disk started while the job computes (`flush_ahead`).
    flushing: Option<std::thread::JoinHandle<()>>,
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

/// Replaces one file atomically: the data goes to a hidden sibling, is flushed to disk, and is
/// renamed over `path` (roster-export's run manifest and rejects, which live beside the owner
/// folders and the audit log rather than in an output directory of their own).
pub fn replace_file(path: &Path, data: &[u8]) -> Result<()> {
    super::stop::check(0)?;
    write_replacing(path, data)
}

/// Writes a run's record (`--record FILE`) the way `replace_file` does, also when a signal
/// stopped the run: the record of a stopped run is what it is for.
pub fn write_record(path: &Path, data: &[u8]) -> Result<()> {
    write_replacing(path, data)
}

fn write_replacing(path: &Path, data: &[u8]) -> Result<()> {
    use std::io::Write;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ctx = |e| Error::io(format!("writing {}", path.display()), e);
    let tmp = path.with_file_name(format!(".{name}.itur-tmp-{}", std::process::id()));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(ctx(e));
    }
    sync_dir(parent_of(path));
    Ok(())
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

/// The folder `path` lives in (`.` for a bare name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Cleans up after killed runs. A previous output moved aside by an interrupted fallback
/// commit (`.<name>.itur-old-*` holding a `manifest.json`, with `final_path` gone) is the only
/// complete copy: it is put back. Every other sibling (temporary trees, old trees already
/// replaced) is removed.
fn recover_stale(final_path: &Path) -> Result<()> {
    let Some(name) = final_path.file_name() else {
        return Ok(());
    };
    let parent = parent_of(final_path);
    let prefix = format!(".{}.itur-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    let mut stale: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(&prefix) && !super::lock::is_lock_file(&name)
        })
        .map(|e| e.path())
        .collect();
    stale.sort();
    if !final_path.exists() {
        let old = format!("{prefix}old-");
        let restore = stale.iter().position(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&old))
                && p.join("manifest.json").is_file()
        });
        if let Some(i) = restore {
            let from = stale.remove(i);
            std::fs::rename(&from, final_path).map_err(|e| {
                Error::io(
                    format!("putting the previous output {} back", from.display()),
                    e,
                )
            })?;
            sync_dir(parent);
            tracing::warn!(
                "{}: put back the previous output that an interrupted run had moved aside",
                final_path.display()
            );
        }
    }
    for p in stale {
        remove_tree(&p);
    }
    Ok(())
}

/// Flushes a directory's entries to disk (a rename is durable once its folder is). Best
/// effort: some file systems cannot sync a directory.
fn sync_dir(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Flushes every file and folder written under `dir` to disk before the swap. On Linux one
/// `syncfs` of the output's file system (thousands of per-school files make a per-file
/// `fsync` slow); elsewhere each file and folder is synced.
pub(crate) fn flush_tree(dir: &Path) -> Result<()> {
    let ctx = |e| Error::io(format!("flushing {} to disk", dir.display()), e);
    #[cfg(target_os = "linux")]
    {
        let f = std::fs::File::open(dir).map_err(ctx)?;
        rustix::fs::syncfs(&f).map_err(|e| ctx(e.into()))
    }
    #[cfg(not(target_os = "linux"))]
    {
        fn walk(d: &Path) -> std::io::Result<()> {
            for e in std::fs::read_dir(d)? {
                let e = e?;
                if e.file_type()?.is_dir() {
                    walk(&e.path())?;
                } else {
                    std::fs::File::open(e.path())?.sync_all()?;
                }
            }
            std::fs::File::open(d)?.sync_all()
        }
        walk(dir).map_err(ctx)
    }
}

/// Swaps `new` and `old` in one step: afterwards `old`'s path holds the new tree and `new`'s
/// path the old one. `Ok(false)` when the file system cannot (the caller falls back).
pub(crate) fn exchange(new: &Path, old: &Path) -> std::io::Result<bool> {
    if std::env::var_os(FALLBACK_ENV).is_some() {
        return Ok(false);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        match renameat_with(CWD, new, CWD, old, RenameFlags::EXCHANGE) {
            Ok(()) => Ok(true),
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (new, old);
        Ok(false)
    }
}

impl OutputDir {
    /// Prepares a temporary directory beside `final_path`. An existing `final_path` must be an
    /// earlier itur output (it has a `manifest.json`) or empty: itur never replaces a directory
    /// it did not write.
    pub fn create(final_path: &Path) -> Result<Self> {
        Self::create_for(final_path, None)
    }

    /// The checks of `create_for`, for a command to run before any work: `--out` names a
    /// directory of its own and is no link, no other run is writing it (its lock is taken
    /// here, `output::lock`), it holds no audit log, and is new, empty, or an earlier output
    /// of the same command.
    pub fn check_target(final_path: &Path, command: Option<&str>) -> Result<()> {
        guard::check_out(final_path)?;
        super::lock::hold(final_path)?;
        guard::refuse_audit_log(final_path, "--out")?;
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
        Ok(())
    }

    /// Like [`OutputDir::create`], and an earlier output must have been written by `command`
    /// (its manifest's `command`): `itur run` never replaces a synthetic nation or a
    /// validation report, and `itur synth` never replaces a run's results.
    pub fn create_for(final_path: &Path, command: Option<&str>) -> Result<Self> {
        guard::check_out(final_path)?;
        // Under the lock, every `.<name>.itur-*` sibling is a dead run's.
        super::lock::hold(final_path)?;
        recover_stale(final_path)?;
        Self::check_target(final_path, command)?;
        let parent = parent_of(final_path);
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
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
            written: std::collections::HashSet::new(),
            flushing: None,
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
        guard::check_relative(rel)?;
        super::stop::check(self.files.len())?;
        self.claim(rel)?;
        self.check_injected_failure(rel, 0)?;
        let f = write_file(&self.tmp_path, rel, data, rows)?;
        self.files.push(f);
        Ok(())
    }

    /// Creates the file `rel` to be written a part at a time (a table too large to hold whole:
    /// [`super::stream`]). Its place among the manifest's outputs is taken now; the file is
    /// described once it is done ([`OutputDir::streamed`]).
    pub fn create_streamed(&mut self, rel: &str) -> Result<(usize, std::fs::File)> {
        guard::check_relative(rel)?;
        super::stop::check(self.files.len())?;
        self.claim(rel)?;
        self.check_injected_failure(rel, 0)?;
        if let Some((folder, _)) = rel.rsplit_once('/') {
            create_dir(&self.tmp_path, folder)?;
        }
        let path = self.tmp_path.join(rel);
        let file =
            std::fs::File::create(&path).map_err(|e| Error::io(format!("writing {rel}"), e))?;
        self.files.push(OutputFile {
            path: rel.to_string(),
            rows: None,
            bytes: 0,
            sha256: String::new(),
        });
        Ok((self.files.len() - 1, file))
    }

    /// Describes the streamed file created as number `slot`, now that it is written.
    pub fn streamed(&mut self, slot: usize, rows: Option<usize>, bytes: u64, sha256: String) {
        let f = &mut self.files[slot];
        (f.rows, f.bytes, f.sha256) = (rows, bytes, sha256);
    }

    /// Writes several files at once (in parallel: creating many small files is slow on some
    /// file systems). They are recorded in the given order.
    pub fn write_all(&mut self, items: Vec<crate::output::write::FileBytes>) -> Result<()> {
        use rayon::prelude::*;
        super::stop::check(self.files.len())?;
        for (k, (rel, _, _)) in items.iter().enumerate() {
            guard::check_relative(rel)?;
            self.claim(rel)?;
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
            guard::check_relative(&d)?;
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

    /// Records that `rel` is written; a second write of one path is refused.
    fn claim(&mut self, rel: &str) -> Result<()> {
        if self.written.insert(rel.to_string()) {
            Ok(())
        } else {
            Err(Error::Job(format!(
                "refusing to write the output file `{rel}` twice in one run"
            )))
        }
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

    /// Starts flushing what is written so far to disk on a thread of its own, so that the
    /// flush at `commit` finds little left to write (a run with letters writes ~900 MB while
    /// its later phases compute). Does nothing while an earlier flush still runs.
    pub fn flush_ahead(&mut self) {
        if self.flushing.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        let dir = self.tmp_path.clone();
        // A failure here is found again by the flush at `commit`, which reports it.
        self.flushing = Some(std::thread::spawn(move || {
            let _ = flush_tree(&dir);
        }));
    }

    /// Flushes the finished directory to disk and swaps it into place in one step, replacing
    /// an earlier output; the old tree is removed afterwards.
    pub fn commit(mut self) -> Result<()> {
        self.remove_unused_dirs()?;
        if let Some(h) = self.flushing.take() {
            let _ = h.join();
        }
        flush_tree(&self.tmp_path)?;
        // The last point to stop: after it the new output is published.
        super::stop::check(self.files.len())?;
        let ctx = |what: &str| format!("{what} {}", self.final_path.display());
        let parent = parent_of(&self.final_path).to_path_buf();
        if !self.final_path.exists() {
            std::fs::rename(&self.tmp_path, &self.final_path)
                .map_err(|e| Error::io(ctx("moving the new output into"), e))?;
            self.committed = true;
            sync_dir(&parent);
            return Ok(());
        }
        // The temporary path now holds the previous output; `Drop` does not touch it.
        if exchange(&self.tmp_path, &self.final_path)
            .map_err(|e| Error::io(ctx("swapping the new output into"), e))?
        {
            self.committed = true;
            sync_dir(&parent);
            remove_tree(&self.tmp_path);
            return Ok(());
        }
        self.commit_by_two_renames(&parent)
    }

    /// The commit where the file system cannot exchange two directories: the previous output
    /// is moved aside, then the new one into place. A run killed between the two leaves no
    /// `--out` but the complete previous output at `.<name>.itur-old-<pid>`, which the next run
    /// puts back (`recover_stale`) before anything else.
    fn commit_by_two_renames(&mut self, parent: &Path) -> Result<()> {
        let ctx = |what: &str| format!("{what} {}", self.final_path.display());
        let old = sibling(&self.final_path, "old")?;
        std::fs::rename(&self.final_path, &old).map_err(|e| Error::io(ctx("moving aside"), e))?;
        sync_dir(parent);
        if let Some(ms) = std::env::var(PAUSE_ENV).ok().and_then(|v| v.parse().ok()) {
            std::thread::sleep(std::time::Duration::from_millis(ms));
        }
        if let Err(e) = std::fs::rename(&self.tmp_path, &self.final_path) {
            let _ = std::fs::rename(&old, &self.final_path);
            sync_dir(parent);
            return Err(Error::io(ctx("moving the new output into"), e));
        }
        self.committed = true;
        sync_dir(parent);
        remove_tree(&old);
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
