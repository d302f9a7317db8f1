//! Unit tests of `convert`: each value rule at its boundaries.
use super::*;
use crate::table::schema;

fn run(table: &str, column: &str, values: &[Option<&str>]) -> (Series, Vec<(u64, String)>) {
    let sch = schema::get(table).unwrap();
    let col = sch.column(column).unwrap();
    let s = Series::new(column.into(), values);
    let skip = vec![false; values.len()];
    let (out, rejects) = convert_column(table, col, Some(&s), values.len(), &skip);
    (
        out,
        rejects
            .into_iter()
            .map(|r| (r.row_number, r.rule))
            .collect(),
    )
}

#[test]
fn ints_parse_and_range_check() {
    let (s, r) = run(
        "students",
        "grade",
        &[Some("3"), Some(" 12 "), Some("13"), Some("x"), None],
    );
    assert_eq!(s.dtype(), &DataType::Int64);
    assert_eq!(s.i64().unwrap().get(1), Some(12));
    assert_eq!(
        r,
        vec![
            (3, "range".into()),
            (4, "type_int".into()),
            (5, "required".into())
        ]
    );
}

#[test]
fn optional_int_may_be_empty() {
    let (_, r) = run(
        "stage_a_scores",
        "score",
        &[None, Some("1000"), Some("1001")],
    );
    assert_eq!(r, vec![(3, "range".into())]);
}

#[test]
fn dates_are_strict_iso() {
    let (s, r) = run(
        "students",
        "birth_date",
        &[
            Some("2019-02-28"),
            Some("2019-02-29"),
            Some("28/02/2019"),
            Some("2019-2-28"),
        ],
    );
    assert_eq!(s.dtype(), &DataType::Date);
    let d = days_to_date(s.date().unwrap().physical().get(0).unwrap()).unwrap();
    assert_eq!(d, NaiveDate::from_ymd_opt(2019, 2, 28).unwrap());
    assert_eq!(r.iter().map(|x| x.0).collect::<Vec<_>>(), vec![2, 3, 4]);
    assert!(r.iter().all(|x| x.1 == "type_date"));
}

#[test]
fn bools_accept_true_false_one_zero() {
    let (s, r) = run(
        "contacts",
        "is_legal_guardian",
        &[Some("true"), Some("0"), Some("FALSE"), Some("yes")],
    );
    let ca = s.bool().unwrap();
    assert_eq!(ca.get(0), Some(true));
    assert_eq!(ca.get(1), Some(false));
    assert_eq!(ca.get(2), Some(false));
    assert_eq!(r, vec![(4, "type_bool".into())]);
}

#[test]
fn enums_are_exact_lower_case() {
    let (_, r) = run(
        "students",
        "gender",
        &[Some("m"), Some("f"), Some("M"), Some("x")],
    );
    assert_eq!(r, vec![(3, "enum".into()), (4, "enum".into())]);
}

#[test]
fn ids_keep_leading_zeros_and_check_digit() {
    let (s, r) = run(
        "students",
        "student_id",
        &[
            Some("039337423"),
            Some("000000018"),
            Some("123456789"),
            Some("P1234567"),
        ],
    );
    assert_eq!(s.str().unwrap().get(0), Some("039337423"));
    assert_eq!(s.str().unwrap().get(1), Some("000000018"));
    assert_eq!(r, vec![(3, "israeli_id".into()), (4, "israeli_id".into())]);
}

#[test]
fn digits_and_patterns() {
    let (_, r) = run(
        "institutions",
        "institution_id",
        &[Some("012345"), Some("12345"), Some("1234a6")],
    );
    assert_eq!(r, vec![(2, "digits".into()), (3, "digits".into())]);
    let (_, r) = run(
        "contact_details",
        "zip",
        &[Some("12345"), Some("1234567"), Some("123456"), None],
    );
    assert_eq!(r, vec![(3, "zip".into())]);
    let (_, r) = run(
        "contact_details",
        "email",
        &[Some("a@b.il"), Some("ab.il"), Some("@b")],
    );
    assert_eq!(r, vec![(2, "email".into()), (3, "email".into())]);
    let (_, r) = run(
        "contact_details",
        "phone",
        &[Some("+972-3-555"), Some("03 555")],
    );
    assert_eq!(r, vec![(2, "phone".into())]);
}

#[test]
fn floats_range() {
    let (_, r) = run(
        "norm_tables",
        "percentile",
        &[Some("99.5"), Some("100.1"), Some("nan"), Some("-1")],
    );
    assert_eq!(
        r,
        vec![
            (2, "range".into()),
            (3, "type_float".into()),
            (4, "range".into())
        ]
    );
}

#[test]
fn typed_parquet_columns_are_checked_too() {
    let sch = schema::get("students").unwrap();
    let col = sch.column("grade").unwrap();
    let s = Series::new("grade".into(), &[Some(3i32), Some(0), None]);
    let (out, rejects) = convert_column("students", col, Some(&s), 3, &[false; 3]);
    assert_eq!(out.dtype(), &DataType::Int64);
    let rules: Vec<_> = rejects
        .iter()
        .map(|r| (r.row_number, r.rule.as_str()))
        .collect();
    assert_eq!(rules, vec![(2, "range"), (3, "required")]);
}

/// The rejects of `values` in `table.column`, whole (`convert_column`) and coded
/// (`convert_coded`): both paths must find the same.
fn both_paths(table: &str, column: &str, values: &[Option<&str>]) -> Vec<Reject> {
    let sch = schema::get(table).unwrap();
    let col = sch.column(column).unwrap();
    let s = Series::new(column.into(), values);
    let skip = vec![false; values.len()];
    let (_, whole) = convert_column(table, col, Some(&s), values.len(), &skip);
    let (codes, dict) = crate::table::encode::encode_text(s.str().unwrap());
    let coded = convert_coded(table, col, &codes, &dict, &skip);
    assert_eq!(whole, coded, "{table}.{column}: whole and coded");
    whole
}

fn rules(rejects: &[Reject]) -> Vec<(u64, &str)> {
    rejects
        .iter()
        .map(|r| (r.row_number, r.rule.as_str()))
        .collect()
}

#[test]
fn identifiers_that_name_outputs_must_be_plain_names() {
    let a64 = "a".repeat(64);
    let a65 = "a".repeat(65);
    let values = [
        Some("T1"),
        Some(a64.as_str()),
        Some(a65.as_str()),
        Some(".."),
        Some("../x"),
        Some("a/b"),
        Some("a\\b"),
        Some("a\0b"),
        Some("../../../x"),
        Some("790224-3-1"),
    ];
    let r = both_paths("gifted_tracks", "track_id", &values);
    assert_eq!(
        rules(&r),
        vec![
            (3, "unsafe_identifier"),
            (4, "unsafe_identifier"),
            (5, "unsafe_identifier"),
            (6, "unsafe_identifier"),
            (7, "unsafe_identifier"),
            // NUL is a control character: the text rule comes first.
            (8, "text_control_character"),
            (9, "unsafe_identifier"),
        ]
    );
    assert!(r[1].message.contains("`track_id`"), "{}", r[1].message);
    assert!(r[1].message.contains(crate::rules::identifier::PATTERN));
    assert_eq!(r[1].value, "..");
    for (table, column) in [
        ("enrichment_centers", "center_id"),
        ("owners", "owner_id"),
        ("institutions", "authority_id"),
        ("interviews", "track_id"),
    ] {
        let r = both_paths(table, column, &[Some("audit.jsonl"), Some("OWN-1_a")]);
        assert_eq!(
            rules(&r),
            vec![(1, "unsafe_identifier")],
            "{table}.{column}"
        );
    }
    // A class code stays valid (class_id names no output, and would pass anyway).
    assert!(crate::rules::identifier::is_safe("790224-3-1"));
    let r = both_paths("classes", "class_id", &[Some("790224-3-1")]);
    assert!(r.is_empty());
}

#[test]
fn names_have_at_most_200_characters_other_text_1000() {
    let a200 = "א".repeat(200);
    let a201 = "א".repeat(201);
    let r = both_paths(
        "students",
        "first_name",
        &[Some(a200.as_str()), Some(a201.as_str())],
    );
    assert_eq!(rules(&r), vec![(2, "text_too_long")]);
    assert_eq!(
        r[0].message,
        "`first_name` has 201 characters; at most 200 are allowed"
    );
    // The value shown is cut to 80 characters and "…".
    assert_eq!(r[0].value, format!("{}…", "א".repeat(80)));
    let d1000 = "x".repeat(1000);
    let d1001 = "x".repeat(1001);
    let r = both_paths(
        "classes",
        "description",
        &[Some(d1000.as_str()), Some(d1001.as_str())],
    );
    assert_eq!(rules(&r), vec![(2, "text_too_long")]);
    assert!(r[0].message.contains("at most 1000"));
}

#[test]
fn text_may_not_hold_control_or_bidi_characters() {
    let bad: Vec<String> = [
        '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
        '\u{2068}', '\u{2069}', '\t', '\u{7f}', '\u{85}',
    ]
    .iter()
    .map(|ch| format!("נועה{ch}"))
    .collect();
    let mut values: Vec<Option<&str>> = bad.iter().map(|v| Some(v.as_str())).collect();
    values.push(Some("נועה"));
    let r = both_paths("students", "last_name", &values);
    let want: Vec<(u64, &str)> = (1..=bad.len() as u64)
        .map(|i| (i, "text_control_character"))
        .collect();
    assert_eq!(rules(&r), want);
    assert!(
        r[4].message.contains("U+202E at character 5"),
        "{}",
        r[4].message
    );
    assert_eq!(r[4].value, "נועה<U+202E>");
    // Every text column, an ID's too, has the rule; not an enum (it lists its values).
    let r = both_paths("students", "student_id", &[Some("01000001\t")]);
    assert_eq!(rules(&r), vec![(1, "text_control_character")]);
    let r = both_paths("students", "gender", &[Some("f\u{202e}")]);
    assert_eq!(rules(&r), vec![(1, "enum")]);
    assert_eq!(r[0].value, "f<U+202E>");
}

#[test]
fn israeli_ids_are_padded_to_nine_digits_and_bad_ones_kept_as_written() {
    let values = [
        Some("18"),
        Some("123456782"),
        Some("1234567890"),
        None,
        Some("10000016"),
    ];
    let (s, r) = run("contacts", "student_id", &values);
    let got: Vec<Option<&str>> = s.str().unwrap().iter().collect();
    assert_eq!(
        got,
        [
            Some("000000018"),
            Some("123456782"),
            Some("1234567890"),
            None,
            Some("010000016")
        ]
    );
    assert_eq!(r, vec![(3, "israeli_id".into()), (4, "required".into())]);
    // The reject shows the value as written.
    let rejects = both_paths("students", "student_id", &[Some("1234567890")]);
    assert_eq!(rejects[0].value, "1234567890");
}

#[test]
fn a_column_of_nine_digit_ids_is_not_copied() {
    let sch = schema::get("students").unwrap();
    let col = sch.column("student_id").unwrap();
    let s = Series::new("student_id".into(), &["010000016", "123456782"]);
    let (out, _) = convert_column("students", col, Some(&s), 2, &[false; 2]);
    let (a, b) = (s.str().unwrap(), out.str().unwrap());
    // The same buffers: no value was written anew.
    assert!(std::ptr::eq(
        a.downcast_iter().next().unwrap().views().as_ptr(),
        b.downcast_iter().next().unwrap().views().as_ptr()
    ));
}

#[test]
fn coded_ids_are_normalized_and_values_that_meet_share_one_code() {
    let sch = schema::get("contacts").unwrap();
    let col = sch.column("student_id").unwrap();
    let s = Series::new(
        "student_id".into(),
        &[
            Some("10000016"),
            Some("123456782"),
            None,
            Some("010000016"),
            Some("18"),
            Some("1234567890"),
            Some("000000018"),
        ],
    );
    let (codes, values) = crate::table::encode::encode_text(s.str().unwrap());
    assert_eq!(values.len(), 6);
    let (codes, values) = normalize_coded(col, codes, values);
    let values: Vec<&str> = values.iter().map(|v| v.as_str()).collect();
    // Each distinct value once, in order of first appearance; the bad ID as written.
    assert_eq!(
        values,
        ["010000016", "123456782", "000000018", "1234567890"]
    );
    let codes: Vec<Option<u32>> = codes.iter().collect();
    assert_eq!(
        codes,
        [Some(0), Some(1), None, Some(0), Some(2), Some(3), Some(2)]
    );
    // Nine-digit IDs only: codes and values as they were.
    let s = Series::new("student_id".into(), &["123456782", "010000016"]);
    let (codes, values) = crate::table::encode::encode_text(s.str().unwrap());
    let before = values.clone();
    let (_, after) = normalize_coded(col, codes, values);
    assert!(Arc::ptr_eq(&before, &after));
    // A column of other values is left alone even when they look like short IDs.
    let other = schema::get("classes").unwrap().column("class_id").unwrap();
    let s = Series::new("class_id".into(), &["18"]);
    let (codes, values) = crate::table::encode::encode_text(s.str().unwrap());
    let (_, after) = normalize_coded(other, codes, values);
    assert_eq!(after[0].as_str(), "18");
}
