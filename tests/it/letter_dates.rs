//! Letter dates fit the year of the data (issue #16 item 5): the bundled pipeline's months and
//! days land in the school year of the roster, and an explicit date of another year is
//! refused with exit 2, naming the parameter.
use crate::support::*;

#[test]
fn a_2029_nation_gets_2029_letter_dates_and_an_explicit_2026_date_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let nation = tmp.path().join("n2029");
    let o = itur([
        "synth",
        "--scale",
        "small",
        "--seed",
        "1",
        "--school-year",
        "2029",
        "--out",
        nation.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = tmp.path().join("out");
    let o = run_gifted(&nation, &out, &["--phase", "screening"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let letters = read_csv(&out.join("letters.csv"));
    let text = letters[0].iter().position(|c| c == "text").unwrap();
    assert!(letters.len() > 1);
    for row in &letters[1..] {
        // 20 November of 2028, the first term of school year 2029 (2028/29), and the appeal
        // deadline of 31 December 2028 where the letter has one.
        let date = ["20 בנובמבר 2028", "20 تشرين الثاني 2028"];
        assert!(
            date.iter().any(|d| row[text].starts_with(d)),
            "{}",
            row[text]
        );
        assert!(!row[text].contains("2026"), "{}", row[text]);
    }
    // The old way: an explicit date of 2026 on 2029 data.
    let o = run_gifted(
        &nation,
        &tmp.path().join("out2"),
        &[
            "--phase",
            "screening",
            "--set",
            "letters.screening.appeal_by=2026-12-31",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("letters.screening.appeal_by = \"2026-12-31\": 2026-12-31 is outside the school year of the data"),
        "{}",
        stderr(&o)
    );
    assert!(!tmp.path().join("out2").exists());
}
