//! Class requests (gifted-elementary issue #25, item 2; gifted.md §4): every accepted class
//! request is answered in `request_outcomes`; the waitlist holds candidates only; a request
//! that makes no candidate gets a letter that says why.
use crate::support::*;

/// On `fixtures/small` (a non-resident without both authorities' approval, and requests of
/// students who are not gifted): each class request has one row in `request_outcomes`, no
/// non-candidate is on the waitlist, and the non-resident's family gets a
/// `placement_request_not_candidate` letter with the reason in words.
#[test]
fn every_class_request_is_answered_and_the_waitlist_holds_candidates_only() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run_gifted(&fixtures().join("small"), &out, &["--phase", "all"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let requests = &m["reconciliation"]["input.class_requests"];
    let answered = read_csv(&out.join("request_outcomes.csv"));
    assert_eq!(
        answered[0],
        [
            "student_id",
            "school_year",
            "requested_track_id",
            "track_id",
            "outcome",
            "reason"
        ]
    );
    assert_eq!(
        (answered.len() - 1) as u64,
        requests["rows_accepted"].as_u64().unwrap(),
        "one answer per accepted request"
    );
    let refused: Vec<&Vec<String>> = answered[1..]
        .iter()
        .filter(|r| r[5] == "non_resident_no_approval")
        .collect();
    assert_eq!(refused.len(), 1, "{answered:?}");
    let (id, outcome, track) = (&refused[0][0], &refused[0][4], &refused[0][3]);
    assert_eq!((outcome.as_str(), track.as_str()), ("not_candidate", ""));
    // Candidates only on the waitlist: no student whose requests made no candidate.
    let candidates: Vec<&String> = answered[1..]
        .iter()
        .filter(|r| r[4] == "candidate")
        .map(|r| &r[0])
        .collect();
    let waitlist = read_csv(&out.join("waitlist.csv"));
    assert!(waitlist[1..].iter().all(|w| candidates.contains(&&w[0])));
    // The letter says why, in words, and never on a waitlist letter.
    let letters = read_csv(&out.join("letters.csv"));
    let theirs: Vec<&Vec<String>> = letters[1..].iter().filter(|l| &l[0] == id).collect();
    let refusal = theirs
        .iter()
        .find(|l| l[2] == "placement_request_not_candidate")
        .expect("a refusal letter");
    let text = refusal.last().unwrap();
    assert!(
        text.contains("אישורן של שתי הרשויות") || text.contains("موافقة السلطتين"),
        "{text}"
    );
    assert!(theirs.iter().all(|l| l[2] != "not_placed_waitlist"));
}

/// gifted.md §4, issue #25 item 4: the final placements of a run, fed back as
/// `confirmed_placements` (as written, extra columns and all), stand in the next run — same
/// track and class, no second class letter — and a confirmed row naming a track that does not
/// exist stops the run (exit 4) and publishes nothing.
#[test]
fn final_placements_fed_back_are_kept_and_a_bad_one_stops_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (first, input, finals, csv) = finals_fed_back(tmp.path());
    assert!(!finals.is_empty(), "the fixture has final placements");
    let second = tmp.path().join("second");
    let o = run_gifted(&input, &second, &["--phase", "all"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let again = read_csv(&second.join("placements.csv"));
    for r in &finals {
        assert!(again.contains(r), "{r:?} kept as it was");
    }
    let answers = read_csv(&second.join("request_outcomes.csv"));
    for r in &finals {
        assert!(answers
            .iter()
            .any(|a| a[0] == r[0] && a[3] == r[2] && a[4] == "confirmed"));
    }
    let letters = read_csv(&second.join("letters.csv"));
    assert!(letters[1..]
        .iter()
        .all(|l| !(l[2] == "placement_class" && finals.iter().any(|r| r[0] == l[0]))));

    // A confirmed row of another school year is another year's placement: an exclusion
    // (`other_school_year`), and its student is not held as confirmed.
    let year = &finals[0][1];
    let other = (year.parse::<i64>().unwrap() - 1).to_string();
    let lines: Vec<String> = csv.lines().map(str::to_string).collect();
    let mut shifted = lines[0].clone() + "\n";
    shifted.push_str(&(lines[1].replacen(&format!(",{year},"), &format!(",{other},"), 1) + "\n"));
    for l in &lines[2..] {
        shifted.push_str(&(l.clone() + "\n"));
    }
    std::fs::write(input.join("confirmed_placements.csv"), &shifted).unwrap();
    let third = tmp.path().join("third");
    let o = run_gifted(&input, &third, &["--phase", "all"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let excluded = read_csv(&third.join("exclusions.csv"));
    assert!(
        excluded[1..].contains(&vec![
            "confirmed_placements".to_string(),
            "1".to_string(),
            finals[0][0].clone(),
            "other_school_year".to_string()
        ]),
        "{excluded:?}"
    );
    let answers = read_csv(&third.join("request_outcomes.csv"));
    assert!(!answers
        .iter()
        .any(|a| a[0] == finals[0][0] && a[3] == "confirmed"));

    // A class beyond the track's classes (`class_no_out_of_range`): exit 4 as well.
    let tracks = read_csv(&first.join("placement_tracks.csv"));
    let one_class = tracks[1..]
        .iter()
        .find(|t| t[0] == finals[0][2])
        .is_some_and(|t| t[4] == "1");
    assert!(
        one_class,
        "the fixture's first final placement is in a one-class track"
    );
    let row = finals[0].join(",");
    let mut beyond = finals[0].clone();
    beyond[3] = "2".into();
    let bad = csv.replacen(&row, &beyond.join(","), 1);
    std::fs::write(input.join("confirmed_placements.csv"), bad).unwrap();
    let o = run_gifted(&input, &tmp.path().join("beyond"), &["--phase", "all"]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("class_no_out_of_range"),
        "{}",
        stderr(&o)
    );

    // A confirmed placement in a track that does not exist: exit 4, the output as it was.
    let bad = csv.replacen(&finals[0][2], "GT-NOPE-1", 1);
    std::fs::write(input.join("confirmed_placements.csv"), bad).unwrap();
    let before = std::fs::read(second.join("manifest.json")).unwrap();
    let o = run_gifted(&input, &second, &["--phase", "all"]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("confirmed_placements"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(second.join("manifest.json")).unwrap(), before);
}

/// gifted.md §4: a confirmed student no longer gifted keeps the final placement, and the
/// manifest says how many there are, by track, without naming anyone: a warning (read by
/// orchestrators, kept in logs) carries no student ID.
#[test]
fn confirmed_students_no_longer_gifted_are_counted_without_their_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, input, finals, _) = finals_fed_back(tmp.path());
    // A higher threshold: some of last run's gifted students are gifted no more.
    let second = tmp.path().join("second");
    let set = ["--phase", "all", "--set", "thresholds.gifted=99.5"];
    let o = run_gifted(&input, &second, &set);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    use polars::prelude::{ParquetReader, SerReader};
    let path = second.join("confidential/results.parquet");
    let results = ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap();
    let ids = results.column("student_id").unwrap().str().unwrap().clone();
    let cats = results.column("category").unwrap().str().unwrap().clone();
    let gifted: std::collections::BTreeSet<&str> = (ids.iter().zip(cats.iter()))
        .filter(|(_, c)| *c == Some("gifted"))
        .filter_map(|(id, _)| id)
        .collect();
    let not_gifted: Vec<&Vec<String>> = finals
        .iter()
        .filter(|f| !gifted.contains(f[0].as_str()))
        .collect();
    assert!(
        !not_gifted.is_empty(),
        "the higher threshold makes some not gifted"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(second.join("manifest.json")).unwrap()).unwrap();
    let warnings: Vec<&str> = manifest["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w.as_str())
        .filter(|w| w.starts_with("confirmed_placements:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains(&format!("{} confirmed student(s)", not_gifted.len())),
        "{}",
        warnings[0]
    );
    for f in &finals {
        assert!(!warnings[0].contains(f[0].as_str()), "{}", warnings[0]);
        assert!(!stderr(&o).contains(f[0].as_str()), "an ID in the log");
    }
    // They keep their placements.
    let again = read_csv(&second.join("placements.csv"));
    for f in not_gifted {
        assert!(again.contains(f), "{f:?} kept");
    }
}

/// A run of fixtures/small `--phase all` in `tmp/first`, and its input copied to `tmp/in` with
/// the run's final placements fed back as `confirmed_placements.csv` (as written): the two
/// folders, the final rows and the CSV text.
fn finals_fed_back(
    tmp: &std::path::Path,
) -> (
    std::path::PathBuf,
    std::path::PathBuf,
    Vec<Vec<String>>,
    String,
) {
    let first = tmp.join("first");
    let o = run_gifted(&fixtures().join("small"), &first, &["--phase", "all"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let placements = read_csv(&first.join("placements.csv"));
    let finals: Vec<Vec<String>> = (placements[1..].iter())
        .filter(|r| r[5] == "final")
        .cloned()
        .collect();
    let input = tmp.join("in");
    copy_dir(&fixtures().join("small"), &input);
    let mut csv = placements[0].join(",") + "\n";
    for r in &finals {
        csv.push_str(&(r.join(",") + "\n"));
    }
    std::fs::write(input.join("confirmed_placements.csv"), &csv).unwrap();
    (first, input, finals, csv)
}
