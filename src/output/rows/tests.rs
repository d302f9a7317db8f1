use super::*;
use chrono::NaiveDate;
use serde::Serialize;

/// `class_requests`: str, int, str, date, bool.
#[derive(Serialize)]
struct Request<'a> {
    student_id: &'a str,
    school_year: u16,
    track_id: Option<String>,
    #[serde(with = "crate::rules::date")]
    submitted_on: NaiveDate,
    neighbor_approval: bool,
}

#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Status {
    Final,
}

/// `placements`: a bool and an integer into its text columns, a unit enum as its name.
#[derive(Serialize)]
struct Placement {
    student_id: u64,
    school_year: u16,
    track_id: bool,
    class_no: Option<u8>,
    gender: char,
    status: Status,
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

#[test]
fn columns_take_the_schemas_names_order_and_types_whatever_the_fields_rust_types() {
    let rows = [
        Request {
            student_id: "000000018",
            school_year: 2027,
            track_id: Some("T1".into()),
            submitted_on: day(2027, 3, 1),
            neighbor_approval: true,
        },
        Request {
            student_id: "000000026",
            school_year: 2027,
            track_id: None,
            submitted_on: day(1969, 12, 31),
            neighbor_approval: false,
        },
    ];
    let df = Layout::of("class_requests").unwrap().frame(&rows).unwrap();
    let want = df!(
        "student_id" => ["000000018", "000000026"],
        "school_year" => [2027i64, 2027],
        "track_id" => [Some("T1"), None],
        "submitted_on" => [Some(20_878i32), Some(-1)],
        "neighbor_approval" => [true, false],
    )
    .unwrap();
    let mut want = want;
    want.with_column(
        want.column("submitted_on")
            .unwrap()
            .as_materialized_series()
            .clone()
            .into_date()
            .into_column(),
    )
    .unwrap();
    assert_eq!(df.schema(), want.schema());
    assert!(df.equals_missing(&want), "{df}\n{want}");

    let df = Layout::of("placements")
        .unwrap()
        .frame(&[Placement {
            student_id: 18,
            school_year: 2027,
            track_id: true,
            class_no: None,
            gender: 'f',
            status: Status::Final,
        }])
        .unwrap();
    let want = df!(
        "student_id" => ["18"],
        "school_year" => [2027i64],
        "track_id" => ["true"],
        "class_no" => [None::<i64>],
        "gender" => ["f"],
        "status" => ["final"],
    )
    .unwrap();
    assert!(df.equals_missing(&want), "{df}");
    assert_eq!(df.schema(), want.schema());
}

#[test]
fn no_rows_still_make_every_column_with_its_type() {
    let df = Layout::of("class_requests")
        .unwrap()
        .frame::<Request>(&[])
        .unwrap();
    let types: Vec<String> = df.dtypes().iter().map(|t| t.to_string()).collect();
    assert_eq!(types, ["str", "i64", "str", "date", "bool"]);
    assert_eq!(df.height(), 0);
}

#[derive(Serialize)]
struct Fraction {
    norm_group: &'static str,
    subtest: &'static str,
    raw_score: i64,
    n_at_score: u64,
    n_below: usize,
    percentile: f64,
    percentile_num: i128,
    percentile_den: Option<i128>,
}

fn fraction(num: i128) -> Fraction {
    Fraction {
        norm_group: "2027/2",
        subtest: "math",
        raw_score: 10,
        n_at_score: 1,
        n_below: 2,
        percentile: 50.0,
        percentile_num: num,
        percentile_den: None,
    }
}

#[test]
fn exact_integers_beyond_i64_turn_their_column_into_text_and_others_stay_int64() {
    let layout = Layout::of("norm_table").unwrap();
    let df = layout.frame(&[fraction(3), fraction(-4)]).unwrap();
    let num = df.column("percentile_num").unwrap();
    assert_eq!(num.dtype(), &DataType::Int64);
    assert_eq!(
        df.column("percentile_den").unwrap().dtype(),
        &DataType::Int64
    );
    let big = i128::from(i64::MAX) + 1;
    let df = layout.frame(&[fraction(3), fraction(big)]).unwrap();
    let num = df.column("percentile_num").unwrap();
    assert_eq!(num.dtype(), &DataType::String);
    let text: Vec<Option<&str>> = num.str().unwrap().iter().collect();
    assert_eq!(text, [Some("3"), Some("9223372036854775808")]);
    assert_eq!(df.column("n_below").unwrap().dtype(), &DataType::Int64);
}

/// `cutoffs` with its per-subtest columns.
#[derive(Serialize)]
struct Cutoff {
    norm_group: String,
    n_population: u64,
    n_tested: u64,
    n_gifted: u64,
    n_excellent: u64,
    subtests: Vec<Option<SubtestCutoff>>,
}

#[derive(Serialize)]
struct SubtestCutoff {
    n_tested: u64,
    gifted_raw: Option<i64>,
    excellent_raw: Option<i64>,
}

fn cutoff(subtests: Vec<Option<SubtestCutoff>>) -> Cutoff {
    Cutoff {
        norm_group: "2027/2".into(),
        n_population: 10,
        n_tested: 9,
        n_gifted: 1,
        n_excellent: 2,
        subtests,
    }
}

#[test]
fn per_subtest_columns_go_where_the_table_says_named_by_the_settings() {
    let layout = Layout::of("cutoffs")
        .unwrap()
        .with_subtests(&["math", "verbal"]);
    let some = |n: u64| {
        Some(SubtestCutoff {
            n_tested: n,
            gifted_raw: Some(30),
            excellent_raw: None,
        })
    };
    let df = layout.frame(&[cutoff(vec![some(9), None])]).unwrap();
    let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "norm_group",
            "n_population",
            "n_tested",
            "n_gifted",
            "n_excellent",
            "math_n_tested",
            "math_gifted_raw",
            "math_excellent_raw",
            "verbal_n_tested",
            "verbal_gifted_raw",
            "verbal_excellent_raw",
        ]
    );
    let row: Vec<String> = df
        .columns()
        .iter()
        .map(|c| c.get(0).unwrap().to_string())
        .collect();
    assert_eq!(row[5..], ["9", "30", "null", "null", "null", "null"]);
    assert!(df.dtypes()[5..].iter().all(|t| *t == DataType::Int64));

    // `results`: the percentiles come between `grade` and `composite`.
    let results = Layout::of("results").unwrap().with_subtests(&["math"]);
    let names: Vec<&str> = results.names();
    assert_eq!(names[6..9], ["sector", "math_percentile", "composite"]);

    // As many elements as subtests.
    let e = layout.frame(&[cutoff(vec![some(9)])]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "output table `cutoffs`: field `subtests` has 1 elements for the 2 subtests of the layout"
    );
}

#[test]
fn a_field_the_schema_lacks_a_column_without_field_or_a_wrong_type_names_table_and_column() {
    #[derive(Serialize)]
    struct Extra {
        student_id: &'static str,
        track_id: &'static str,
        gender: &'static str,
    }
    #[derive(Serialize)]
    struct Short {
        student_id: &'static str,
        track_id: &'static str,
    }
    #[derive(Serialize)]
    struct Swapped {
        track_id: &'static str,
        student_id: &'static str,
        gender: &'static str,
    }
    #[derive(Serialize)]
    struct Unknown {
        student_id: &'static str,
        track: &'static str,
    }
    #[derive(Serialize)]
    struct Float {
        student_id: &'static str,
        school_year: i64,
        track_id: &'static str,
        class_no: f64,
    }
    let err = |e: Result<DataFrame>| e.unwrap_err().to_string();
    let waitlist = Layout::of("waitlist").unwrap().in_year(2027);
    assert_eq!(
        err(waitlist.frame(&[Short {
            student_id: "1",
            track_id: "t"
        }])),
        "output table `waitlist`: column `reason` has no field in the row"
    );
    assert_eq!(
        err(waitlist.frame(&[Extra {
            student_id: "1",
            track_id: "t",
            gender: "f"
        }])),
        "output table `waitlist`: field `gender` is not a column of the schema"
    );
    assert_eq!(
        err(waitlist.frame(&[Unknown {
            student_id: "1",
            track: "t"
        }])),
        "output table `waitlist`: field `track` is not a column of the schema"
    );
    let invitations = Layout::of("interview_invitations").unwrap().in_year(2027);
    assert_eq!(
        err(invitations.frame(&[Swapped {
            track_id: "t",
            student_id: "1",
            gender: "f"
        }])),
        "output table `interview_invitations`: field `track_id` comes where the schema has column \
         `student_id` (a row's fields follow the schema's order)"
    );
    assert_eq!(
        err(Layout::of("placements").unwrap().frame(&[Float {
            student_id: "1",
            school_year: 2027,
            track_id: "t",
            class_no: 1.0
        }])),
        "output table `placements`: column `class_no` is of type int and cannot hold a float"
    );
    assert_eq!(
        err(Layout::of("no_such_table").map(|_| DataFrame::empty())),
        "output table `no_such_table` has no schema in schemas/"
    );
}

#[test]
fn a_layout_in_a_year_fills_school_year_where_the_schema_has_it() {
    #[derive(Serialize)]
    struct Wait {
        student_id: &'static str,
        track_id: &'static str,
        reason: &'static str,
    }
    let rows = [
        Wait {
            student_id: "000000018",
            track_id: "T1",
            reason: "no_seat",
        },
        Wait {
            student_id: "000000026",
            track_id: "T2",
            reason: "failed",
        },
    ];
    let layout = Layout::of("waitlist").unwrap().in_year(2031);
    assert_eq!(
        layout.names(),
        ["student_id", "school_year", "track_id", "reason"]
    );
    let df = layout.frame(&rows).unwrap();
    let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
    assert_eq!(names, layout.names());
    let years = df.column("school_year").unwrap().i64().unwrap();
    assert_eq!((years.get(0), years.get(1)), (Some(2031), Some(2031)));
    assert_eq!(
        df.column("reason").unwrap().str().unwrap().get(1),
        Some("failed")
    );
    // Without `in_year` the rows must carry the year themselves.
    let e = Layout::of("waitlist").unwrap().frame(&rows).unwrap_err();
    assert!(e.to_string().contains("column `school_year`"), "{e}");
    // A table without `school_year` is left as it is.
    let tracks = Layout::of("placement_tracks").unwrap();
    assert_eq!(tracks.clone().in_year(2031).names(), tracks.names());
}

/// The cost of the mechanism at the national size of `stage_b_invitations` (~150,000 rows),
/// against the same columns built by hand as before (`Column::new` from vectors):
/// `cargo test --release --lib rows_cost -- --ignored --nocapture`.
#[test]
#[ignore]
fn rows_cost_about_what_hand_built_columns_cost() {
    #[derive(Serialize)]
    struct Invitation {
        student_id: String,
        school_year: i64,
        institution_id: String,
        class_id: String,
        grade: i64,
        sector: &'static str,
        region_id: &'static str,
        reasons: &'static str,
    }
    let rows: Vec<Invitation> = (0..150_000)
        .map(|i| Invitation {
            student_id: format!("{:09}", 100_000_000 + i),
            school_year: 2027,
            institution_id: format!("{:06}", 100_000 + i / 40),
            class_id: format!("{:06}-{}", 100_000 + i / 40, i % 3),
            grade: 2,
            sector: "hebrew",
            region_id: "north",
            reasons: "score",
        })
        .collect();
    let layout = Layout::of("stage_b_invitations").unwrap();
    let best = |f: &dyn Fn() -> DataFrame| {
        (0..5)
            .map(|_| {
                let t = std::time::Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .min()
            .unwrap()
    };
    let by_rows = best(&|| layout.frame(&rows).unwrap());
    let by_hand = best(&|| by_hand_frame(&rows));
    println!("150,000 rows: through output::rows {by_rows:?}, by hand {by_hand:?}");
    assert!(layout.frame(&rows).unwrap().equals(&by_hand_frame(&rows)));

    fn by_hand_frame(rows: &[Invitation]) -> DataFrame {
        let s = |f: fn(&Invitation) -> &str| -> Vec<&str> { rows.iter().map(f).collect() };
        DataFrame::new(
            rows.len(),
            vec![
                Column::new("student_id".into(), s(|r| &r.student_id)),
                Column::new(
                    "school_year".into(),
                    rows.iter().map(|r| r.school_year).collect::<Vec<_>>(),
                ),
                Column::new("institution_id".into(), s(|r| &r.institution_id)),
                Column::new("class_id".into(), s(|r| &r.class_id)),
                Column::new(
                    "grade".into(),
                    rows.iter().map(|r| r.grade).collect::<Vec<_>>(),
                ),
                Column::new("sector".into(), s(|r| r.sector)),
                Column::new("region_id".into(), s(|r| r.region_id)),
                Column::new("reasons".into(), s(|r| r.reasons)),
            ],
        )
        .unwrap()
    }
}
