//! `itur run gifted-secondary` and `itur validate gifted-secondary` on the small fixture
//! `fixtures/gifted_secondary/` (gifted.md §5; 0207 §2.9–§4). The fixture's outcomes are
//! worked by hand in `docs/gifted-secondary.md` ("The fixture").
use crate::support::*;
use std::collections::BTreeMap;
use std::path::Path;

fn fixture() -> std::path::PathBuf {
    fixtures().join("gifted_secondary")
}

fn run(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    itur_io("run", "gifted-secondary", input, out, extra)
}

/// A table's rows as maps from column to cell.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut all = read_csv(path).into_iter();
    let header = all.next().unwrap();
    all.map(|r| header.iter().cloned().zip(r).collect())
        .collect()
}

/// The value of `column` in the row of `student` in `table`.
fn cell(out: &Path, table: &str, student: &str, column: &str) -> Option<String> {
    rows(&out.join(format!("{table}.csv")))
        .into_iter()
        .find(|r| r["student_id"] == student)
        .map(|r| r[column].clone())
}

/// Every file under `dir` but the manifest, and its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().unwrap() != "manifest.json" {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn the_fixture_year_is_decided_as_worked_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run(&fixture(), &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for f in [
        "confidential/results.parquet",
        "confidential/norm_table.parquet",
        "confidential/candidates.parquet",
        "cutoffs.csv",
        "interview_invitations.csv",
        "placements.csv",
        "waitlist.csv",
        "application_outcomes.csv",
        "track_summary.csv",
        "enrichment_continuation.csv",
        "exclusions.csv",
        "rejects.csv",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let outcome = |id: &str| {
        (
            cell(&out, "application_outcomes", id, "track_id").unwrap(),
            cell(&out, "application_outcomes", id, "path").unwrap(),
            cell(&out, "application_outcomes", id, "reason").unwrap(),
        )
    };
    let o = |t: &str, p: &str, r: &str| (t.to_string(), p.to_string(), r.to_string());
    assert_eq!(outcome("310000013"), o("T7A", "threshold", ""));
    assert_eq!(outcome("310000062"), o("T7A", "graduate", ""));
    assert_eq!(
        outcome("310000070"),
        o("T7A", "", "graduate_assessment_missing")
    );
    assert_eq!(outcome("310000088"), o("T7A", "", "below_threshold"));
    assert_eq!(outcome("310000096"), o("T7A", "", "incomplete"));
    assert_eq!(outcome("310000104"), o("T7A", "", "not_tested"));
    // A resident of A02 asking for A01's track is directed to A02's one (boarding) track.
    assert_eq!(outcome("310000120"), o("BRD", "threshold", ""));
    // Not taking part: routed like anyone (the track_id is the routed track), no candidate.
    assert_eq!(
        outcome("310000138"),
        o("T7A", "", "institution_not_participating")
    );
    assert_eq!(outcome("310000179"), o("BRD", "confirmed", ""));
    // T7A: 4 seats, quotas 2 + 2. Girl 1 passed (placed, provisional: the girls' list has
    // girl 3 invited); boys 4 and 2 invited; girl 5 and graduate 6 wait for a seat.
    let placements = rows(&out.join("placements.csv"));
    let placed: Vec<(&str, &str, &str, &str)> = placements
        .iter()
        .map(|r| {
            (
                r["student_id"].as_str(),
                r["track_id"].as_str(),
                r["class_no"].as_str(),
                r["status"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        placed,
        vec![
            ("310000179", "BRD", "1", "final"),
            ("310000013", "T7A", "1", "provisional"),
            ("310000146", "T8", "1", "final"),
        ]
    );
    let invited: Vec<String> = rows(&out.join("interview_invitations.csv"))
        .into_iter()
        .map(|r| r["student_id"].clone())
        .collect();
    assert_eq!(
        invited,
        [
            "310000112",
            "310000120",
            "310000021",
            "310000039",
            "310000047",
            "310000161"
        ]
    );
    let waiting: Vec<(String, String)> = rows(&out.join("waitlist.csv"))
        .into_iter()
        .map(|r| (r["student_id"].clone(), r["reason"].clone()))
        .collect();
    let w = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        waiting,
        vec![
            w("310000054", "no_seat"),
            w("310000062", "no_seat"),
            w("310000153", "failed"),
        ]
    );
    let summary = rows(&out.join("track_summary.csv"));
    let t7a = summary.iter().find(|r| r["track_id"] == "T7A").unwrap();
    assert_eq!(t7a["first_round"], "true");
    assert_eq!(t7a["second_class_recommended"], "true");
    assert_eq!(t7a["ranked_selection"], "true");
    assert_eq!(
        (t7a["n_qualified"].as_str(), t7a["n_graduates"].as_str()),
        ("5", "1")
    );
    let t8 = summary.iter().find(|r| r["track_id"] == "T8").unwrap();
    assert_eq!(
        (
            t8["seats"].as_str(),
            t8["girls_quota"].as_str(),
            t8["boys_quota"].as_str()
        ),
        ("5", "3", "2")
    );
    // The track not open yet is ignored.
    assert!(summary.iter().all(|r| r["track_id"] != "T7F"));
    let cont: Vec<String> = rows(&out.join("enrichment_continuation.csv"))
        .into_iter()
        .map(|r| r["student_id"].clone())
        .collect();
    assert_eq!(cont, ["310000013", "310000062", "310000088"]);
    // Exclusions: the other year's application, the non-participating student's scores.
    let ex = rows(&out.join("exclusions.csv"));
    let reasons: Vec<(&str, &str)> = ex
        .iter()
        .map(|r| (r["table"].as_str(), r["reason"].as_str()))
        .collect();
    assert_eq!(
        reasons
            .iter()
            .filter(|r| r.1 == "institution_not_participating")
            .count(),
        3
    );
    assert!(reasons.contains(&("secondary_applications", "other_school_year")));
    // Reference mode: cutoffs have no norm population.
    for r in rows(&out.join("cutoffs.csv")) {
        assert_eq!(r["n_population"], "", "{r:?}");
    }
    // Nothing outside confidential/ carries a score or a rank.
    for f in [
        "placements.csv",
        "waitlist.csv",
        "application_outcomes.csv",
        "track_summary.csv",
    ] {
        let header = &read_csv(&out.join(f))[0];
        for c in ["score", "score_num", "composite", "rank", "lottery_number"] {
            assert!(!header.iter().any(|h| h == c), "{f} has {c}");
        }
    }
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"gifted_secondary\""), "{manifest}");
}

#[test]
fn the_same_inputs_give_the_same_bytes_at_one_thread_and_many() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    assert_eq!(code(&run(&fixture(), &a, &[])), 0);
    let o = itur_io_env(
        "run",
        "gifted-secondary",
        &fixture(),
        &b,
        &[],
        &[("RAYON_NUM_THREADS", "1")],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(tree(&a), tree(&b));
}

#[test]
fn a_track_over_the_class_capacity_is_a_reject_and_three_classes_stop_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_dir(&fixture(), &input);
    let tracks = input.join("secondary_tracks.csv");
    let text = std::fs::read_to_string(&tracks).unwrap();
    // T7F is not open yet: give it 31 seats (capacity_over_limit, a reject).
    std::fs::write(
        &tracks,
        text.replace("T7F,210002,A01,7,1,30,", "T7F,210002,A01,7,1,31,"),
    )
    .unwrap();
    let out = tmp.path().join("v");
    let o = itur_io("validate", "gifted-secondary", &input, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = tmp.path().join("out");
    let o = run(&input, &out, &["--set", "max_reject_share=0.5"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let rejects = rows(&out.join("rejects.csv"));
    assert!(
        rejects
            .iter()
            .any(|r| r["table"] == "secondary_tracks" && r["rule"] == "capacity_over_limit"),
        "{rejects:?}"
    );
    // A second class for T7A: institution 210002 has 3 classes in grade 7 → exit 2.
    std::fs::write(
        &tracks,
        text.replace("T7F,210002,A01,7,1,30,2028", "T7G,210002,A01,7,2,30,2027"),
    )
    .unwrap();
    let o = run(&input, &tmp.path().join("out2"), &[]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("institution 210002") && err.contains("grade 7"),
        "{err}"
    );
}

#[test]
fn a_confirmed_placement_in_an_unknown_track_stops_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_dir(&fixture(), &input);
    let f = input.join("confirmed_placements.csv");
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(&f, text.replace(",BRD,", ",NOPE,")).unwrap();
    let o = run(&input, &tmp.path().join("out"), &[]);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("confirmed_placements"),
        "{}",
        stderr(&o)
    );
}

/// The decimal strings of the lottery numbers of `ids` (gifted.md §4: the first 8 bytes of
/// SHA-256(seed ":" id), big-endian).
fn lottery_numbers(ids: &[&str]) -> Vec<String> {
    use sha2::{Digest, Sha256};
    ids.iter()
        .map(|id| {
            let d = Sha256::digest(format!("itur:{id}").as_bytes());
            let mut b = [0u8; 8];
            b.copy_from_slice(&d[..8]);
            u64::from_be_bytes(b).to_string()
        })
        .collect()
}

#[test]
fn letters_go_to_both_guardians_in_hebrew_and_arabic_and_carry_no_score() {
    // Canary percentiles: raw 95 is tabled at 97.4321 and raw 98 at 99.8765, so every composite
    // and W of the year carries one of these digit runs; none may leave confidential/.
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    copy_dir(&fixture(), &input);
    let f = input.join("norm_tables.csv");
    let text = std::fs::read_to_string(&f).unwrap();
    let planted = text
        .replace(",95,97\n", ",95,97.4321\n")
        .replace(",98,99\n", ",98,99.8765\n");
    assert_ne!(planted, text);
    std::fs::write(&f, planted).unwrap();
    let out = tmp.path().join("out");
    let o = run(&input, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let letters = rows(&out.join("letters.csv"));
    let kinds = |id: &str| -> Vec<String> {
        let mut v: Vec<String> = letters
            .iter()
            .filter(|r| r["student_id"] == id)
            .map(|r| r["kind"].clone())
            .collect();
        v.dedup();
        v
    };
    // §5.11: the result, then the candidate's letter; no placement letter for a provisional
    // placement or a confirmed one.
    assert_eq!(
        kinds("310000039"),
        [
            "secondary_interview_invitation",
            "secondary_threshold_reached"
        ]
    );
    assert_eq!(
        kinds("310000146"),
        ["secondary_placement", "secondary_threshold_reached"]
    );
    assert_eq!(kinds("310000013"), ["secondary_threshold_reached"]);
    assert_eq!(
        kinds("310000054"),
        ["secondary_threshold_reached", "secondary_waitlist"]
    );
    assert_eq!(kinds("310000096"), ["secondary_incomplete"]);
    assert_eq!(kinds("310000088"), ["secondary_threshold_not_reached"]);
    assert_eq!(kinds("310000179"), ["secondary_threshold_not_reached"]);
    // Both guardians: apart → two letters (310000013's father has only an email).
    let of = |id: &str, kind: &str| {
        letters
            .iter()
            .filter(|r| r["student_id"] == id && r["kind"] == kind)
            .count()
    };
    assert_eq!(of("310000013", "secondary_threshold_reached"), 2);
    assert_eq!(of("310000021", "secondary_threshold_reached"), 1);
    // Arabic for the arabic sector.
    let lang = |id: &str| {
        letters
            .iter()
            .find(|r| r["student_id"] == id)
            .map(|r| r["language"].clone())
            .unwrap()
    };
    assert_eq!(
        (lang("310000112").as_str(), lang("310000013").as_str()),
        ("ar", "he")
    );
    assert!(out.join("letters/secondary/210001.html").is_file());
    assert!(out.join("letters/secondary/210003.html").is_file());
    // The canary: no score, composite, W or lottery number outside confidential/ or in the logs.
    let ids = [
        "310000013",
        "310000021",
        "310000039",
        "310000062",
        "310000112",
        "310000146",
    ];
    let mut canaries: Vec<String> = vec![
        "97.4321".into(),
        "9743".into(),
        "99.8765".into(),
        "98765".into(),
    ];
    canaries.extend(lottery_numbers(&ids));
    let mut stack = vec![out.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(&out).unwrap().display().to_string();
            if rel.starts_with("confidential") {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let bytes = std::fs::read(&p).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            for c in &canaries {
                assert!(!text.contains(c.as_str()), "{rel} carries {c}");
            }
        }
    }
    for c in &canaries {
        assert!(!stderr(&o).contains(c.as_str()), "the log carries {c}");
    }
    // confidential/ (skipped above) is written.
    let conf = std::fs::read(out.join("confidential/results.parquet")).unwrap();
    assert!(!conf.is_empty());
}

/// A synthetic year of 30,000 students (a small nation has too few applicants for every path).
#[test]
fn the_synthetic_year_runs_with_zero_rejects() {
    let tmp = tempfile::tempdir().unwrap();
    let year = tmp.path().join("year");
    let o = itur([
        "synth",
        "--job",
        "gifted-secondary",
        "--scale",
        "30000",
        "--seed",
        "1",
        "--out",
        year.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = tmp.path().join("out");
    let started = std::time::Instant::now();
    let o = run(&year, &out, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        started.elapsed().as_secs_f64() < 5.0,
        "{:?}",
        started.elapsed()
    );
    assert_eq!(read_csv(&out.join("rejects.csv")).len(), 1, "no rejects");
    let summary = rows(&out.join("track_summary.csv"));
    assert!(summary.len() >= 10, "{} tracks", summary.len());
    assert!(summary.iter().any(|r| r["first_round"] == "true"));
    let outcomes = rows(&out.join("application_outcomes.csv"));
    for path in ["threshold", "graduate"] {
        assert!(
            outcomes.iter().any(|r| r["path"] == path),
            "no {path} candidate"
        );
    }
    assert!(!rows(&out.join("placements.csv")).is_empty());
    assert!(!rows(&out.join("interview_invitations.csv")).is_empty());
    assert!(!rows(&out.join("enrichment_continuation.csv")).is_empty());
    assert!(out.join("letters.csv").is_file());
    // The same seed gives the same bytes.
    let again = tmp.path().join("again");
    let o = itur([
        "synth",
        "--job",
        "gifted-secondary",
        "--scale",
        "30000",
        "--seed",
        "1",
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(tree(&year), tree(&again));
}

/// `text` (a CSV table) with its data rows in a seeded order; the header stays first.
fn shuffled_csv(text: &str, seed: u64) -> String {
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    let mut rows: Vec<&str> = lines.collect();
    let mut x = seed | 1;
    for i in (1..rows.len()).rev() {
        // xorshift64: enough to scatter the rows.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        rows.swap(i, (x % (i as u64 + 1)) as usize);
    }
    let mut out = String::from(header);
    for r in rows {
        out.push('\n');
        out.push_str(r);
    }
    out.push('\n');
    out
}

#[test]
fn a_synthetic_year_gives_the_same_bytes_at_one_and_two_threads_with_shuffled_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let year = tmp.path().join("year");
    let o = itur([
        "synth",
        "--job",
        "gifted-secondary",
        "--scale",
        "small",
        "--seed",
        "7",
        "--format",
        "csv",
        "--out",
        year.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let shuffled = tmp.path().join("shuffled");
    std::fs::create_dir_all(&shuffled).unwrap();
    for e in std::fs::read_dir(&year).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_owned();
        if p.extension().is_some_and(|x| x == "csv") {
            let text = std::fs::read_to_string(&p).unwrap();
            let s = shuffled_csv(&text, 0x9e37_79b9_7f4a_7c15);
            if text.lines().count() > 3 {
                assert_ne!(s, text, "{}", p.display());
            }
            std::fs::write(shuffled.join(name), s).unwrap();
        }
    }
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let threads = |n: &'static str, input: &Path, out: &Path| {
        let o = itur_io_env(
            "run",
            "gifted-secondary",
            input,
            out,
            &[],
            &[("RAYON_NUM_THREADS", n)],
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    };
    threads("1", &year, &a);
    threads("2", &shuffled, &b);
    // Exclusions name the rows' numbers, which the shuffle changes; everything else is equal.
    let (mut ta, mut tb) = (tree(&a), tree(&b));
    let excluded = |t: &mut BTreeMap<String, Vec<u8>>, out: &Path| {
        t.retain(|k, _| !k.starts_with("exclusions"));
        let mut v: Vec<(String, String, String)> = rows(&out.join("exclusions.csv"))
            .into_iter()
            .map(|r| {
                (
                    r["table"].clone(),
                    r["student_id"].clone(),
                    r["reason"].clone(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(excluded(&mut ta, &a), excluded(&mut tb, &b));
    assert!(ta.contains_key("placements.csv") && ta.contains_key("letters.csv"));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(tb[k] == *v, "{k} differs");
    }
}

#[test]
fn each_track_has_a_list_for_its_school_with_placed_invited_and_waitlisted_by_name_only() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run(&fixture(), &out, &["--headers", "en"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // 0207 §2.12.ב: per track, the students of placements, invitations and the waitlist.
    let mut expected: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (table, status) in [
        ("placements", None),
        ("interview_invitations", Some("invited_to_interview")),
        ("waitlist", None),
    ] {
        for r in rows(&out.join(format!("{table}.csv"))) {
            let s = status.map_or_else(
                || r.get("status").or(r.get("reason")).unwrap().clone(),
                str::to_string,
            );
            expected
                .entry(r["track_id"].clone())
                .or_default()
                .push((r["student_id"].clone(), s));
        }
    }
    assert!(!expected.is_empty(), "the fixture places someone");
    let mut listed = BTreeMap::new();
    for e in std::fs::read_dir(out.join("tracks")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "csv") {
            let track = path.file_stem().unwrap().to_string_lossy().to_string();
            let list = rows(&path);
            for r in &list {
                assert!(
                    !r["first_name"].is_empty(),
                    "{track}: names from the roster"
                );
                for secret in ["rank", "lottery_number", "score", "composite"] {
                    assert!(!r.contains_key(secret), "{track}: {secret}");
                }
            }
            let mut got: Vec<(String, String)> = list
                .iter()
                .map(|r| (r["student_id"].clone(), r["status"].clone()))
                .collect();
            got.sort();
            listed.insert(track, got);
            assert!(path.with_extension("xlsx").is_file());
        }
    }
    for v in expected.values_mut() {
        v.sort();
    }
    assert_eq!(listed, expected);
}

/// docs/inputs.md §5.1: gifted-secondary reads `contacts` and `contact_details` only for its
/// letters' addressees (the students of `secondary_scores` and `secondary_applications`),
/// `run` and `validate` alike. A contacts row of a student the job's tables do not name, with
/// a relation no schema allows, is not read: not rejected, not counted; the fixture's own 34
/// rows are all read.
#[test]
fn contacts_are_read_only_for_the_letters_addressees() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("input");
    copy_dir(&fixture(), &input);
    edit_csv(&input, "contacts", |t| {
        t + "000000018,410000004,רחל,כהן,aunt-in-law,true,true\n"
    });
    for verb in ["run", "validate"] {
        let out = tmp.path().join(verb);
        let o = itur_io(verb, "gifted-secondary", &input, &out, &[]);
        assert_eq!(code(&o), 0, "{verb}: {}", stderr(&o));
        let rejects = read_csv(&out.join("rejects.csv"));
        assert_eq!(rejects.len(), 1, "{verb}: no reject, {rejects:?}");
        let entry = |t: &str| manifest_input(&out, t);
        let contacts = entry("contacts");
        assert_eq!(contacts["rows_in_file"], 35, "{verb}: {contacts}");
        assert_eq!(contacts["rows_read"], 34, "{verb}: {contacts}");
        assert!(contacts["read_for"]
            .as_str()
            .unwrap()
            .contains("addressees"));
        let details = entry("contact_details");
        assert_eq!(details["rows_read"], details["rows_in_file"], "{verb}");
        if verb == "run" {
            let letters = csv_columns(&out.join("letters.csv"), &["student_id"]);
            assert!(!letters.is_empty(), "the addressees' letters are written");
            assert!(letters.iter().all(|id| id != "000000018"));
        }
    }
}
