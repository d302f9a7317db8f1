//! A Hive-partitioned dataset that grows a partition at a time (research-export,
//! docs/research-export.md §4): `DIR/<table>/school_year=YYYY/part-0.parquet`. A run writes its
//! partitions into a staging folder inside `DIR`, flushes it to disk, and then moves each
//! partition folder into place in one step — exchanged with the folder it replaces
//! (`renameat2(RENAME_EXCHANGE)`), or renamed where there was none. Partitions of other years
//! are never touched, and the dataset folder itself is never replaced. Files at the top
//! (`codebook.csv`, `manifest.json`) are renamed over the old ones, the manifest last: a reader
//! who trusts the manifest sees the previous dataset or the new one. A run killed before its
//! moves leaves only its staging folder, which the next run removes.
use super::atomic::{exchange, flush_tree, OutputFile};
use crate::error::{Error, Result};
use crate::table::read::sha256_hex;
use std::path::{Path, PathBuf};

/// Prefix of the staging folders inside the dataset (hidden: readers' `*` globs skip it).
const STAGING: &str = ".itur-staging-";

/// The dataset being written.
pub struct Dataset {
    root: PathBuf,
    staging: PathBuf,
    /// Partition folders written (relative), moved into place at `commit`.
    partitions: Vec<String>,
    /// Top-level files written (relative), renamed into place at `commit`, in order.
    top: Vec<String>,
    files: Vec<OutputFile>,
}

impl Dataset {
    /// Opens `root` for writing: it must be new, empty, or a dataset `job` wrote (its
    /// `manifest.json` says so). Takes the output lock and removes dead runs' staging folders.
    pub fn open(root: &Path, job: &str) -> Result<Self> {
        super::guard::check_out(root)?;
        super::lock::hold(root)?;
        if root.exists() {
            let empty = root.is_dir()
                && std::fs::read_dir(root)
                    .map(|mut d| d.next().is_none())
                    .unwrap_or(false);
            let ours = std::fs::read_to_string(root.join("manifest.json"))
                .ok()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .is_some_and(|m| m["job"] == job);
            if !root.is_dir() || (!empty && !ours) {
                return Err(Error::Usage(format!(
                    "--out {} exists and is not a {job} dataset (no manifest.json of {job}); choose a new or empty directory, or the dataset to add to",
                    root.display()
                )));
            }
        }
        std::fs::create_dir_all(root)
            .map_err(|e| Error::io(format!("creating {}", root.display()), e))?;
        // Under the lock, every staging folder is a dead run's.
        if let Ok(entries) = std::fs::read_dir(root) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(STAGING) {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let staging = root.join(format!("{STAGING}{}", std::process::id()));
        std::fs::create_dir_all(&staging)
            .map_err(|e| Error::io(format!("creating {}", staging.display()), e))?;
        Ok(Dataset {
            root: root.to_path_buf(),
            staging,
            partitions: Vec::new(),
            top: Vec::new(),
            files: Vec::new(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The school years of `table` the dataset held before this run (its
    /// `school_year=YYYY` folders).
    pub fn years_held(&self, table: &str) -> std::collections::BTreeSet<i64> {
        let mut years = std::collections::BTreeSet::new();
        if let Ok(entries) = std::fs::read_dir(self.root.join(table)) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(y) = name
                    .strip_prefix("school_year=")
                    .and_then(|y| y.parse().ok())
                {
                    years.insert(y);
                }
            }
        }
        years
    }

    /// The files written so far, for the manifest.
    pub fn files(&self) -> &[OutputFile] {
        &self.files
    }

    /// Writes `file` of partition folder `partition` (e.g. `students/school_year=2027`).
    pub fn write_partition(
        &mut self,
        partition: &str,
        file: &str,
        data: &[u8],
        rows: Option<usize>,
    ) -> Result<()> {
        if !self.partitions.iter().any(|p| p == partition) {
            self.partitions.push(partition.to_string());
        }
        self.write(&format!("{partition}/{file}"), data, rows)
    }

    /// Writes a file at the top of the dataset (`codebook.csv`); `manifest.json` goes last.
    pub fn write_top(&mut self, file: &str, data: &[u8], rows: Option<usize>) -> Result<()> {
        self.top.push(file.to_string());
        self.write(file, data, rows)
    }

    fn write(&mut self, rel: &str, data: &[u8], rows: Option<usize>) -> Result<()> {
        super::guard::check_relative(rel)?;
        super::stop::check(self.files.len())?;
        let path = self.staging.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        }
        std::fs::write(&path, data).map_err(|e| Error::io(format!("writing {rel}"), e))?;
        self.files.push(OutputFile {
            path: rel.to_string(),
            rows,
            bytes: data.len() as u64,
            sha256: sha256_hex(data),
        });
        Ok(())
    }

    /// Moves the partitions, then the top files, into place (module doc), and removes the
    /// staging folder.
    pub fn commit(self, manifest: &[u8]) -> Result<()> {
        super::stop::check(0)?;
        let ctx = |what: &Path| {
            let what = what.display().to_string();
            move |e| Error::io(format!("moving {what} into place"), e)
        };
        std::fs::write(self.staging.join("manifest.json"), manifest)
            .map_err(|e| Error::io("writing manifest.json", e))?;
        flush_tree(&self.staging)?;
        for p in &self.partitions {
            let (new, target) = (self.staging.join(p), self.root.join(p));
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(ctx(parent))?;
            }
            if target.exists() {
                if !exchange(&new, &target).map_err(ctx(&target))? {
                    // No exchange on this file system: the old partition steps aside first.
                    let aside = self.staging.join(format!("{p}.old"));
                    std::fs::rename(&target, &aside).map_err(ctx(&target))?;
                    std::fs::rename(&new, &target).map_err(ctx(&target))?;
                }
            } else {
                std::fs::rename(&new, &target).map_err(ctx(&target))?;
            }
        }
        for f in self.top.iter().map(String::as_str).chain(["manifest.json"]) {
            let target = self.root.join(f);
            std::fs::rename(self.staging.join(f), &target).map_err(ctx(&target))?;
        }
        if let Ok(d) = std::fs::File::open(&self.root) {
            let _ = d.sync_all();
        }
        std::fs::remove_dir_all(&self.staging)
            .map_err(|e| Error::io(format!("removing {}", self.staging.display()), e))
    }
}

impl Drop for Dataset {
    /// A run that failed before `commit` leaves nothing behind.
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(p: &Path) -> String {
        std::fs::read_to_string(p).unwrap()
    }

    #[test]
    fn a_new_year_adds_its_partitions_and_a_rerun_replaces_only_its_own() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ds");
        let mut d = Dataset::open(&root, "research-export").unwrap();
        d.write_partition("t/school_year=2026", "part-0.parquet", b"a", Some(1))
            .unwrap();
        d.write_top("codebook.csv", b"c1", Some(0)).unwrap();
        d.commit(b"{\"job\": \"research-export\"}").unwrap();
        let mut d = Dataset::open(&root, "research-export").unwrap();
        d.write_partition("t/school_year=2027", "part-0.parquet", b"b", Some(1))
            .unwrap();
        d.commit(b"{\"job\": \"research-export\"}").unwrap();
        assert_eq!(read(&root.join("t/school_year=2026/part-0.parquet")), "a");
        assert_eq!(read(&root.join("t/school_year=2027/part-0.parquet")), "b");
        assert_eq!(read(&root.join("codebook.csv")), "c1");
        let d = Dataset::open(&root, "research-export").unwrap();
        assert_eq!(
            d.years_held("t").into_iter().collect::<Vec<_>>(),
            [2026, 2027]
        );
        assert!(d.years_held("u").is_empty());
        drop(d);
        // A year again replaces its partition whole.
        let mut d = Dataset::open(&root, "research-export").unwrap();
        d.write_partition("t/school_year=2027", "part-0.parquet", b"B", Some(1))
            .unwrap();
        d.commit(b"{\"job\": \"research-export\"}").unwrap();
        assert_eq!(read(&root.join("t/school_year=2027/part-0.parquet")), "B");
        assert_eq!(read(&root.join("t/school_year=2026/part-0.parquet")), "a");
        // Nothing but the dataset is left.
        let mut names: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["codebook.csv", "manifest.json", "t"]);
        // A run that fails leaves the dataset as it was.
        let mut d = Dataset::open(&root, "research-export").unwrap();
        d.write_partition("t/school_year=2026", "part-0.parquet", b"X", Some(1))
            .unwrap();
        drop(d);
        assert_eq!(read(&root.join("t/school_year=2026/part-0.parquet")), "a");
        assert!(!std::fs::read_dir(&root).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(STAGING)));
    }

    #[test]
    fn a_folder_that_is_not_a_dataset_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("x.txt"), "x").unwrap();
        let e = Dataset::open(tmp.path(), "research-export").err().unwrap();
        assert!(
            e.to_string().contains("is not a research-export dataset"),
            "{e}"
        );
    }
}
