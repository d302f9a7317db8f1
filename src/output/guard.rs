//! What the writer refuses, whatever the data or the command line says (data-contract.md,
//! "Rules that apply everywhere" and "Outputs"; roster-export.md "Audit"):
//! - a path inside an output that is absolute or has a component other than a plain name, so
//!   no value from the data can write outside the output directory (defence in depth: the
//!   identifiers that name files are already checked when they are read);
//! - an `--out` that is a symbolic link, or that names no folder of its own (`out/.`);
//! - replacing, deleting or writing over a directory or file that holds an audit log.
use crate::error::{Error, Result};
use std::path::{Component, Path, PathBuf};

/// The longest file or folder name the writer makes (the usual file-system limit).
pub const MAX_NAME_BYTES: usize = 255;

/// Checks a path inside an output (`schools/110001/school_list.csv`): relative, `/`-separated,
/// each component a plain name — not empty, not `.` or `..`, no `\`, NUL or other control
/// character, at most 255 bytes.
pub fn check_relative(rel: &str) -> Result<()> {
    let refuse = |why: String| {
        Err(Error::Job(format!(
            "refusing to write the output file `{}`: {why}; output paths are plain names inside the output directory",
            rel.escape_debug()
        )))
    };
    if rel.is_empty() {
        return refuse("the path is empty".into());
    }
    if rel.starts_with('/') {
        return refuse("the path is absolute".into());
    }
    for part in rel.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return refuse(format!("`{part}` is not a file or folder name"));
        }
        if part.len() > MAX_NAME_BYTES {
            return refuse(format!(
                "a name of {} bytes is longer than {MAX_NAME_BYTES}",
                part.len()
            ));
        }
        if let Some(c) = part.chars().find(|&c| c == '\\' || c.is_control()) {
            return refuse(format!("the name holds the character {c:?}"));
        }
    }
    Ok(())
}

/// Checks an `--out` directory before any work: it must name a folder of its own (not `.`,
/// `..` or a path ending in them) and must not be a symbolic link (itur replaces `--out` as a
/// whole; following a link would empty its target, so a link is refused — point `--out` at the
/// real directory).
pub fn check_out(out: &Path) -> Result<()> {
    // `Path::components` drops a trailing `.` (`out/.` reads as `out`): look at the text too.
    let text = out.as_os_str().as_encoded_bytes();
    let trailing_dot =
        [b".".as_slice(), b"./"].contains(&text) || text.ends_with(b"/.") || text.ends_with(b"/./");
    let last = out.components().next_back();
    if trailing_dot || !matches!(last, Some(Component::Normal(_))) {
        return Err(Error::Usage(format!(
            "--out {} does not name a directory of its own; give the directory's name (e.g. --out runs/2027)",
            out.display()
        )));
    }
    if out
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(Error::Usage(format!(
            "--out {} is a symbolic link; itur replaces --out as a whole and does not follow links: give the real directory",
            out.display()
        )));
    }
    Ok(())
}

/// True when `path` is an itur audit log: named `audit.jsonl`, or a `.jsonl` file whose first
/// line is an audit record (as roster-export writes them).
fn is_audit_log(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy());
    if name.as_deref() == Some("audit.jsonl") {
        return true;
    }
    path.extension().is_some_and(|e| e == "jsonl") && is_audit_log_file(path)
}

/// True when the first line of the file at `path` is an audit record: a JSON object with a
/// `decision`.
pub fn is_audit_log_file(path: &Path) -> bool {
    use std::io::{BufRead, Read};
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    let mut first = String::new();
    let mut r = std::io::BufReader::new(f).take(64 * 1024);
    if r.read_line(&mut first).is_err() {
        return false;
    }
    serde_json::from_str::<serde_json::Value>(&first).is_ok_and(|v| v.get("decision").is_some())
}

/// The first audit log found in the tree at `dir` (not following symbolic links).
pub fn audit_log_in(dir: &Path) -> Option<PathBuf> {
    let meta = dir.symlink_metadata().ok()?;
    if meta.is_file() {
        return is_audit_log(dir).then(|| dir.to_path_buf());
    }
    if !meta.is_dir() {
        return None;
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(t) = e.file_type() else { continue };
            let p = e.path();
            if t.is_dir() {
                stack.push(p);
            } else if t.is_file() && is_audit_log(&p) {
                return Some(p);
            }
        }
    }
    None
}

/// Refuses to replace or write over `target` when it is or holds an audit log (exit 2).
pub fn refuse_audit_log(target: &Path, what: &str) -> Result<()> {
    match audit_log_in(target) {
        Some(log) => Err(Error::Usage(format!(
            "{what} {} holds the audit log {}; itur never deletes, replaces or writes over an audit log: choose another directory",
            target.display(),
            log.display()
        ))),
        None => Ok(()),
    }
}

/// `path` made absolute, with `.` and `..` resolved and the symbolic links of its existing
/// part followed, so two spellings of one place compare equal.
pub fn resolved(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    // The longest existing ancestor, canonicalized; the rest appended as written.
    let mut rest = Vec::new();
    let mut cur = abs.as_path();
    loop {
        if let Ok(c) = cur.canonicalize() {
            let mut out = c;
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::CurDir => {}
                    p => out.push(p),
                }
            }
            return out;
        }
        match (cur.parent(), cur.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                cur = parent;
            }
            _ => return abs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_relative_paths_are_accepted() {
        for p in [
            "manifest.json",
            "confidential/results.parquet",
            "schools/110001/school_list.csv",
            "tracks/T-1.csv",
            "letters/screening/110001.html",
        ] {
            assert!(check_relative(p).is_ok(), "{p}");
        }
    }

    #[test]
    fn paths_leaving_the_directory_or_not_plain_are_refused() {
        let long = "a".repeat(MAX_NAME_BYTES + 1);
        let long_path = format!("tracks/{long}.csv");
        for p in [
            "",
            "/etc/passwd",
            "../x.csv",
            "tracks/../../x.csv",
            "tracks/../placements.csv",
            "./a.csv",
            "tracks//a.csv",
            "tracks/a\\..\\b.csv",
            "tracks/a\0b.csv",
            "tracks/a\nb.csv",
            long_path.as_str(),
        ] {
            let e = check_relative(p).expect_err(p);
            assert!(e.to_string().contains("refusing to write"), "{e}");
        }
        let exactly = format!("tracks/{}", "a".repeat(MAX_NAME_BYTES));
        assert!(check_relative(&exactly).is_ok());
    }

    #[test]
    fn out_must_name_a_directory_and_not_be_a_link() {
        let tmp = tempfile::tempdir().unwrap();
        for p in ["out/.", "out/./", "out/..", ".", "./", "..", "/"] {
            let e = check_out(&tmp.path().join(p)).expect_err(p);
            assert_eq!(e.exit_code(), 2, "{p}");
        }
        assert!(check_out(&tmp.path().join("out")).is_ok());
        let real = tmp.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let e = check_out(&link).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
    }

    #[test]
    fn audit_logs_are_found_by_name_or_by_their_first_line() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("run");
        std::fs::create_dir_all(d.join("owner")).unwrap();
        std::fs::write(d.join("manifest.json"), "{}").unwrap();
        std::fs::write(d.join("notes.jsonl"), "{\"a\":1}\n").unwrap();
        assert_eq!(audit_log_in(&d), None);
        assert!(refuse_audit_log(&d, "--out").is_ok());
        std::fs::write(
            d.join("owner/log.jsonl"),
            "{\"decision\":\"allowed\",\"run_id\":\"x\"}\n",
        )
        .unwrap();
        assert_eq!(audit_log_in(&d), Some(d.join("owner/log.jsonl")));
        let e = refuse_audit_log(&d, "--out").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        std::fs::remove_file(d.join("owner/log.jsonl")).unwrap();
        std::fs::write(d.join("audit.jsonl"), "").unwrap();
        assert_eq!(audit_log_in(&d), Some(d.join("audit.jsonl")));
        // A file itself.
        assert!(refuse_audit_log(&d.join("audit.jsonl"), "--audit-log").is_err());
    }

    #[test]
    fn resolved_paths_compare_equal_whatever_the_spelling() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("a")).unwrap();
        let one = resolved(&tmp.path().join("a/./b/../c/x.jsonl"));
        let two = resolved(&tmp.path().join("a/c/x.jsonl"));
        assert_eq!(one, two);
        assert!(one.starts_with(resolved(tmp.path())));
    }
}
