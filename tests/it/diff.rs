//! `itur diff OUT_A OUT_B --out DIR` (docs/diff.md): refusals with exit 2, a run against
//! itself, the what-if of `--set thresholds.gifted=96` checked against the composites of
//! `confidential/results` (exact fractions), no ID or score in diff.html, and the same bytes
//! at any thread count.
use crate::support::*;
use polars::prelude::*;
use std::collections::BTreeSet;
use std::path::Path;

fn diff(a: &Path, b: &Path, out: &Path, env: &[(&str, &str)]) -> std::process::Output {
    itur_env(
        [
            "diff",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        env,
    )
}

fn parquet(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

fn texts(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    let s = df
        .column(name)
        .unwrap()
        .as_materialized_series()
        .cast(&DataType::String)
        .unwrap();
    s.str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

fn ints(df: &DataFrame, name: &str) -> Vec<Option<i64>> {
    let s = df
        .column(name)
        .unwrap()
        .as_materialized_series()
        .cast(&DataType::Int64)
        .unwrap();
    s.i64().unwrap().iter().collect()
}

/// One run of fixtures/small, shared by the refusal tests.
fn small_run(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("a");
    let o = run_gifted(&fixtures().join("small"), &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    out
}

#[test]
fn refusals_are_exit_2_with_one_sentence() {
    let tmp = tempfile::tempdir().unwrap();
    let a = small_run(tmp.path());
    // Another job's run: the same output with its manifest's job changed.
    let other = tmp.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    let m = std::fs::read_to_string(a.join("manifest.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&m).unwrap();
    v["job"] = "gifted-secondary".into();
    std::fs::write(other.join("manifest.json"), v.to_string()).unwrap();
    let o = diff(&a, &other, &tmp.path().join("d1"), &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("is a run of gifted-elementary")
            && e.contains("a run of gifted-secondary")
            && e.contains("compares two runs of the same job"),
        "{e}"
    );
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    // A folder without a manifest, on either side.
    let bare = tmp.path().join("bare");
    std::fs::create_dir_all(&bare).unwrap();
    for (x, y, which) in [(&a, &bare, "OUT_B"), (&bare, &a, "OUT_A")] {
        let o = diff(x, y, &tmp.path().join("d2"), &[]);
        assert_eq!(code(&o), 2, "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("{which} {} has no manifest.json", bare.display())),
            "{}",
            stderr(&o)
        );
    }
    // DIR inside a run compared.
    let o = diff(&a, &a, &a.join("diff"), &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("apart from the runs compared"),
        "{}",
        stderr(&o)
    );
    assert!(!a.join("diff").exists());
    assert!(!tmp.path().join("d1").exists() && !tmp.path().join("d2").exists());
}

#[test]
fn a_run_against_itself_has_no_change() {
    let tmp = tempfile::tempdir().unwrap();
    let a = small_run(tmp.path());
    let out = tmp.path().join("d");
    let o = diff(&a, &a, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for t in [
        "changes",
        "summary",
        "parameters",
        "confidential/score_changes",
    ] {
        assert_eq!(
            parquet(&out.join(format!("{t}.parquet"))).height(),
            0,
            "{t}"
        );
    }
    assert_eq!(read_csv(&out.join("changes.csv")).len(), 1);
    assert!(out.join("changes.xlsx").is_file());
    // Confidential changes are Parquet only, inside confidential/.
    assert!(!out.join("confidential/score_changes.csv").exists());
    let page = std::fs::read_to_string(out.join("diff.html")).unwrap();
    assert!(page.contains("<html dir=\"rtl\" lang=\"he\">"));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["command"], "diff");
    assert_eq!(m["job"], "gifted-elementary");
    let dict = read_csv(&out.join("dictionary.csv"));
    for t in ["changes", "summary", "parameters", "score_changes"] {
        assert!(dict.iter().any(|r| r[1] == t), "{t} in dictionary.csv");
    }
}

/// `--set thresholds.gifted=96` on a generated nation: the newly gifted students of
/// `changes` are exactly those whose composite c has 96 ≤ c < 97, computed here from
/// composite_num / composite_den in integers.
#[test]
fn the_what_if_of_threshold_96_makes_gifted_exactly_those_from_96_to_below_97() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("nation");
    let o = itur([
        "synth",
        "--scale",
        "8000",
        "--seed",
        "5",
        "--out",
        input.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let (a, b) = (tmp.path().join("2027"), tmp.path().join("what-if"));
    let o = run_gifted(&input, &a, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run_gifted(&input, &b, &["--set", "thresholds.gifted=96"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = tmp.path().join("diff");
    let o = diff(
        &a,
        &b,
        &out,
        &[("RAYON_NUM_THREADS", "1"), ("POLARS_MAX_THREADS", "1")],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    let results = parquet(&a.join("confidential/results.parquet"));
    let ids = texts(&results, "student_id");
    let (num, den) = (
        ints(&results, "composite_num"),
        ints(&results, "composite_den"),
    );
    let expected: BTreeSet<String> = (0..ids.len())
        .filter(|&i| match (num[i], den[i]) {
            (Some(n), Some(d)) => 96 * d <= n && n < 97 * d,
            _ => false,
        })
        .map(|i| ids[i].clone().unwrap())
        .collect();
    assert!(
        !expected.is_empty(),
        "the nation has composites in [96, 97)"
    );

    let changes = parquet(&out.join("changes.parquet"));
    let (cid, kind, before, after) = (
        texts(&changes, "student_id"),
        texts(&changes, "kind"),
        texts(&changes, "before"),
        texts(&changes, "after"),
    );
    let newly: BTreeSet<String> = (0..cid.len())
        .filter(|&i| {
            kind[i].as_deref() == Some("category")
                && after[i].as_deref() == Some("gifted")
                && before[i].as_deref() != Some("gifted")
        })
        .map(|i| cid[i].clone().unwrap())
        .collect();
    assert_eq!(newly, expected);
    // They were excellent before (96 ≥ 92), and no one lost the category gifted.
    for i in 0..cid.len() {
        if kind[i].as_deref() == Some("category") {
            assert_eq!(before[i].as_deref(), Some("excellent"));
            assert_ne!(before[i].as_deref(), Some("gifted"));
        }
    }
    // Rows sorted by student.
    let mut sorted = cid.clone();
    sorted.sort();
    assert_eq!(sorted, cid);
    // The parameters that differ: the threshold alone.
    let p = read_csv(&out.join("parameters.csv"));
    assert_eq!(
        p,
        [
            vec!["key", "before", "after"],
            vec!["thresholds.gifted", "97.0", "96.0"]
        ]
    );
    // The summary counts the changes.
    let s = parquet(&out.join("summary.parquet"));
    let total: i64 = ints(&s, "students").iter().flatten().sum();
    assert_eq!(total as usize, cid.len());
    // The confidential category changes are the same students; composites did not change.
    let sc = parquet(&out.join("confidential/score_changes.parquet"));
    let (sid, skind) = (texts(&sc, "student_id"), texts(&sc, "kind"));
    let conf: BTreeSet<String> = (0..sid.len())
        .filter(|&i| skind[i].as_deref() == Some("category"))
        .map(|i| sid[i].clone().unwrap())
        .collect();
    assert_eq!(conf, expected);
    assert!(skind.iter().all(|k| k.as_deref() == Some("category")));

    // diff.html: no student ID, no composite, no score; the same bytes at another thread count.
    let page = std::fs::read_to_string(out.join("diff.html")).unwrap();
    let tokens: BTreeSet<&str> = page
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .collect();
    for id in ids.iter().flatten() {
        assert!(
            !tokens.contains(id.as_str()),
            "student ID {id} in diff.html"
        );
    }
    for i in 0..ids.len() {
        if let (Some(n), Some(d)) = (num[i], den[i]) {
            if d > 1 {
                assert!(!page.contains(&format!("{n}/{d}")), "composite {n}/{d}");
            }
        }
    }
    assert!(!page.contains("://") && !page.contains("<script"));
    let again = tmp.path().join("diff2");
    let o = diff(
        &a,
        &b,
        &again,
        &[("RAYON_NUM_THREADS", "2"), ("POLARS_MAX_THREADS", "2")],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let files = |d: &Path| -> Vec<(String, Vec<u8>)> {
        let mut v = Vec::new();
        for sub in ["", "confidential"] {
            for e in std::fs::read_dir(d.join(sub)).unwrap().flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if e.file_type().unwrap().is_file() && name != "manifest.json" {
                    v.push((format!("{sub}/{name}"), std::fs::read(e.path()).unwrap()));
                }
            }
        }
        v.sort();
        v
    };
    assert_eq!(files(&out), files(&again));
    // English on request.
    let en = tmp.path().join("diff-en");
    let o = itur([
        "diff",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        en.to_str().unwrap(),
        "--report-lang",
        "en",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = std::fs::read_to_string(en.join("diff.html")).unwrap();
    assert!(page.contains("<html dir=\"ltr\" lang=\"en\">"));
    // A run's outputs hold no stage A scores: the funnel starts at the referral instead of
    // showing a row of zeros (whose suppression hid a cell of every column).
    assert!(!page.contains("Tested (stage A)"), "an empty stage A row");
    assert!(page.contains("Referred to stage B"));
}
