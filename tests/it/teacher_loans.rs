//! `itur run teacher-loans` and `itur validate teacher-loans` on the small fixture
//! `fixtures/teacher-loans/` (teacher-loans.md; circular 004).
use crate::support::*;
use std::collections::BTreeMap;
use std::path::Path;

fn fixture() -> std::path::PathBuf {
    fixtures().join("teacher-loans")
}

fn run(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    itur_io("run", "teacher-loans", input, out, extra)
}

/// Every file under `dir` (recursively) and its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// A table's rows as maps from column to cell.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut all = read_csv(path).into_iter();
    let header = all.next().unwrap();
    all.map(|r| header.iter().cloned().zip(r).collect())
        .collect()
}

#[test]
fn runs_on_the_fixture_and_writes_every_table() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run(&fixture(), &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for f in [
        "confidential/approvals.parquet",
        "confidential/approvals.csv",
        "confidential/rejections.parquet",
        "confidential/ranking.parquet",
        "confidential/regular_amounts.parquet",
        "college_lists.csv",
        "budget_summary.csv",
        "confidential/colleges/levinsky.csv",
        "confidential/colleges/open_u.csv",
        "rejects.csv",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // No budget line is overspent, to the shekel.
    for r in rows(&out.join("budget_summary.csv")) {
        let n = |c: &str| r[c].parse::<i64>().unwrap();
        assert!(n("allocated") <= n("available"), "{r:?}");
        assert_eq!(n("remaining"), n("available") - n("allocated"));
    }
    // §A.7: 549 on the secondary track fails, 550 passes.
    let rejections = rows(&out.join("confidential/rejections.csv"));
    let reasons = |id: &str, item: &str| {
        rejections
            .iter()
            .find(|r| r["applicant_id"] == id && r["item"] == item)
            .map(|r| r["reasons"].clone())
    };
    assert_eq!(
        reasons("100007145", "preferred_loan").as_deref(),
        Some("score_below_minimum")
    );
    let approvals = rows(&out.join("confidential/approvals.csv"));
    let approved = |id: &str| approvals.iter().find(|r| r["applicant_id"] == id);
    assert_eq!(approved("100007079").unwrap()["loan_kind"], "preferred");
    // A passport-free fixture: nothing rejected; the college lists name only approvals.
    assert_eq!(read_csv(&out.join("rejects.csv")).len(), 1);
    let list = read_csv(&out.join("confidential/colleges/kaye.csv"));
    let n_kaye = approvals
        .iter()
        .filter(|r| r["college_id"] == "kaye")
        .count();
    assert_eq!(list.len(), n_kaye + 1);
    // Every approval names its college's list; nothing outside confidential/ names anyone.
    let public = std::fs::read_to_string(out.join("college_lists.csv")).unwrap();
    assert!(!public.contains("100007079"));
}

#[test]
fn validate_writes_the_rejects_of_a_passport_number() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_dir(&fixture(), &input);
    // §A.5: a passport number is not an Israeli ID.
    edit_csv(&input, "loan_applications", |t| {
        t.replacen("100007079,", "P12345678,", 1)
    });
    let out = tmp.path().join("validated");
    let o = itur_io("validate", "teacher-loans", &input, &out, &[]);
    // 1 of 28 rows is above the 1% share: exit 4, with the rejects written.
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    let rejects = rows(&out.join("rejects.csv"));
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0]["rule"], "israeli_id");
    assert_eq!(rejects[0]["column"], "applicant_id");
    assert_eq!(rejects[0]["row_number"], "1");
    // A run with a higher share goes on without the row.
    let out = tmp.path().join("out");
    let o = run(&input, &out, &["--set", "max_reject_share=0.1"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let approvals = std::fs::read_to_string(out.join("confidential/approvals.csv")).unwrap();
    assert!(!approvals.contains("P12345678") && !approvals.contains("100007079"));
    let lists = rows(&out.join("college_lists.csv"));
    let levinsky = lists
        .iter()
        .find(|r| r["college_id"] == "levinsky")
        .unwrap();
    assert_eq!(levinsky["n_applicants"], "15");
}

#[test]
fn an_unknown_program_is_an_enum_reject_and_a_missing_budget_line_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_dir(&fixture(), &input);
    edit_csv(&input, "loan_applications", |t| {
        t.replacen(",trump,", ",astronauts,", 1)
    });
    let out = tmp.path().join("out");
    let o = run(&input, &out, &["--set", "max_reject_share=0.1"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let rejects = rows(&out.join("rejects.csv"));
    assert_eq!(rejects[0]["rule"], "enum");
    assert_eq!(rejects[0]["column"], "program");
    // Without the pais line: a configuration error (exit 2), --out untouched.
    std::fs::write(input.join("budget.csv"), "line,amount\nloans,60000\n").unwrap();
    let out2 = tmp.path().join("out2");
    let o = run(&input, &out2, &["--set", "max_reject_share=0.1"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("no `pais` line"), "{}", stderr(&o));
    assert!(!out2.exists());
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    assert_eq!(code(&run(&fixture(), &a, &[])), 0);
    let o = itur_io_env(
        "run",
        "teacher-loans",
        &fixture(),
        &b,
        &[],
        &[("RAYON_NUM_THREADS", "1")],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let (mut ta, mut tb) = (tree(&a), tree(&b));
    // The manifest holds times and a run id.
    ta.remove("manifest.json");
    tb.remove("manifest.json");
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(tb[k] == *v, "{k} differs");
    }
}

#[test]
fn allocation_stop_and_a_small_budget_change_the_walk() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_dir(&fixture(), &input);
    // In lottery order the preferred list asks 5,800, 5,800, 14,000, 5,800, 18,000, 5,800:
    // of 25,000, the 14,000 does not fit in the 13,400 left; with `skip` the next two 5,800
    // do (23,200 in all), with `stop` nothing after it.
    std::fs::write(
        input.join("budget.csv"),
        "line,amount\nloans,25000\npais,20000\n",
    )
    .unwrap();
    let (skip, stop) = (tmp.path().join("skip"), tmp.path().join("stop"));
    let lottery = "preferred.ranking=[\"lottery\"]";
    let o = run(&input, &skip, &["--set", lottery]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(
        &input,
        &stop,
        &["--set", lottery, "--set", "allocation=stop"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let granted = |dir: &Path| -> i64 {
        rows(&dir.join("budget_summary.csv"))
            .iter()
            .find(|r| r["line"] == "preferred_loans")
            .map(|r| r["n_granted"].parse().unwrap())
            .unwrap()
    };
    assert_eq!((granted(&skip), granted(&stop)), (4, 2));
    let allocated = rows(&skip.join("budget_summary.csv"))
        .into_iter()
        .find(|r| r["line"] == "preferred_loans")
        .map(|r| r["allocated"].clone());
    assert_eq!(allocated.as_deref(), Some("23200"));
}

#[test]
fn synth_makes_a_year_that_runs_with_zero_rejects_and_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let synth = |dir: &Path| {
        let o = itur([
            "synth",
            "--job",
            "teacher-loans",
            "--scale",
            "small",
            "--seed",
            "7",
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    };
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    synth(&a);
    synth(&b);
    let data = |d: &Path| {
        let mut t = tree(d);
        t.remove("manifest.json");
        t
    };
    assert!(data(&a) == data(&b), "the same seed gives the same bytes");
    let out = tmp.path().join("out");
    let o = run(&a, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(read_csv(&out.join("rejects.csv")).len(), 1, "no rejects");
    let lists = rows(&out.join("college_lists.csv"));
    assert_eq!(lists.len(), 25);
    let applicants: i64 = lists
        .iter()
        .map(|r| r["n_applicants"].parse::<i64>().unwrap())
        .sum();
    assert_eq!(applicants, 2_000);
    // The Pais line runs out mid-list; no line is overspent.
    let budget = rows(&out.join("budget_summary.csv"));
    for r in &budget {
        let n = |c: &str| r[c].parse::<i64>().unwrap();
        assert!(n("allocated") <= n("available"));
    }
    let rejections = std::fs::read_to_string(out.join("confidential/rejections.csv")).unwrap();
    assert!(rejections.contains("scholarship,1,budget_exhausted"));
}
