//! Letters on the hand-made tiny nation: every legal guardian, one letter per address, email
//! rows, undeliverable students, Arabic for the arabic sector; bundles one per school.
use crate::support::*;

#[test]
fn tiny_screening_letters_reach_every_guardian() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("input");
    copy_dir(&fixtures().join("tiny"), &input);
    std::fs::write(
        input.join("stage_a_scores.csv"),
        "student_id,school_year,status,score\n010000016,2027,tested,700\n010000024,2027,tested,400\n010000032,2027,tested,650\n010000040,2027,tested,800\n010000057,2027,tested,300\n010000065,2027,tested,900\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = run_gifted(&input, &out, &["--phase", "screening"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let letters = read_csv(&out.join("letters.csv"));
    let h = &letters[0];
    let c = |n: &str| {
        h.iter()
            .position(|x| x == n)
            .unwrap_or_else(|| panic!("no column {n}"))
    };
    let rows_of = |id: &str| {
        letters
            .iter()
            .skip(1)
            .filter(|r| r[c("student_id")] == id)
            .cloned()
            .collect::<Vec<_>>()
    };
    // Guardians apart: one letter each.
    let apart = rows_of("010000016");
    assert_eq!(apart.len(), 2, "{apart:?}");
    // Guardians at one address: one letter addressed to both.
    let together = rows_of("010000024");
    assert_eq!(together.len(), 1);
    assert!(
        together[0][c("recipient_name")].contains("שרה לוי")
            && together[0][c("recipient_name")].contains("משה לוי")
    );
    assert_eq!(
        together[0][c("recipient_contact_ids")],
        "020000030;020000048"
    );
    // A guardian with an email only.
    let email = rows_of("010000032");
    assert_eq!(email.len(), 1);
    assert_eq!(email[0][c("channel")], "email");
    assert_eq!(email[0][c("email")], "anna@example.org");
    // Arabic sector: Arabic text.
    let arabic = rows_of("010000040");
    assert_eq!(arabic.len(), 1, "both parents at one address");
    assert_eq!(arabic[0][c("language")], "ar");
    assert!(arabic[0][c("text")]
        .chars()
        .any(|ch| ('\u{0600}'..='\u{06FF}').contains(&ch)));
    // A father with a phone only: nobody to write to.
    assert!(rows_of("010000057").is_empty());
    let und = read_csv(&out.join("undeliverable.csv"));
    assert!(
        und.iter()
            .any(|r| r[0] == "010000057" && r[3] == "no_address_or_email"),
        "{und:?}"
    );
    // A school that does not take part: no letter.
    assert!(rows_of("010000065").is_empty());
    // Referred or not, never the score.
    for r in letters.iter().skip(1) {
        for score in ["700", "400", "650", "800", "300", "900"] {
            assert!(
                !r[c("text")]
                    .split(|ch: char| !ch.is_ascii_digit())
                    .any(|t| t == score),
                "score {score} in a letter"
            );
        }
    }
    // One print bundle per school, right to left.
    let html = std::fs::read_to_string(out.join("letters/screening/110001.html")).unwrap();
    assert!(html.contains("dir=\"rtl\""));
    assert!(
        html.matches("נועה").count() >= 2,
        "the student is named in both parents' letters"
    );
}

/// docs/inputs.md §5.1: gifted-elementary reads `contacts` and `contact_details` only for its
/// letters' addressees, `run` and `validate` alike. Stage A names two of the tiny nation's
/// students: their 4 contact rows and those contacts' 4 details are read (of 10 each). A broken
/// phone of a named student's guardian (file row 1) is rejected with its file row; the same
/// break for an unnamed student's guardian (file row 5) is not read, so not rejected.
#[test]
fn contacts_are_read_only_for_the_letters_addressees() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("input");
    copy_dir(&fixtures().join("tiny"), &input);
    std::fs::write(
        input.join("stage_a_scores.csv"),
        "student_id,school_year,status,score\n010000016,2027,tested,700\n10000024,2027,tested,400\n",
    )
    .unwrap();
    let details = std::fs::read_to_string(input.join("contact_details.csv")).unwrap();
    let details = details
        .replace("020000014,050-1234567", "020000014,no phone")
        .replace("020000055,,anna", "020000055,no phone,anna");
    std::fs::write(input.join("contact_details.csv"), details).unwrap();
    for verb in ["run", "validate"] {
        let out = tmp.path().join(verb);
        // One rejected detail of four read is above the default 1% share.
        let mut extra = vec!["--set", "max_reject_share=0.5"];
        if verb == "run" {
            extra.extend(["--phase", "screening"]);
        }
        let o = itur_io(verb, "gifted-elementary", &input, &out, &extra);
        assert_eq!(code(&o), 0, "{verb}: {}", stderr(&o));
        let rejects = read_csv(&out.join("rejects.csv"));
        let h = &rejects[0];
        let c = |n: &str| h.iter().position(|x| x == n).unwrap();
        let rows: Vec<(&str, &str, &str)> = (rejects.iter().skip(1))
            .map(|r| {
                (
                    r[c("table")].as_str(),
                    r[c("row_number")].as_str(),
                    r[c("column")].as_str(),
                )
            })
            .collect();
        assert_eq!(rows, [("contact_details", "1", "phone")], "{verb}");
        let entry = |t: &str| manifest_input(&out, t);
        for (t, read) in [("contacts", 4), ("contact_details", 4)] {
            let e = entry(t);
            assert_eq!(e["rows_in_file"], 10, "{verb} {t}: {e}");
            assert_eq!(e["rows_read"], read, "{verb} {t}: {e}");
            assert!(e["read_for"].as_str().unwrap().contains("addressees"));
        }
        assert!(entry("students").get("rows_in_file").is_none());
        if verb == "run" {
            // The named students' letters are there; the broken detail's guardian is not
            // written to, her co-guardian is.
            let letters = csv_columns(&out.join("letters.csv"), &["student_id"]);
            assert!(
                letters.iter().any(|s| s.contains("010000016")),
                "{letters:?}"
            );
            assert!(
                letters.iter().any(|s| s.contains("010000024")),
                "{letters:?}"
            );
        }
    }
}
