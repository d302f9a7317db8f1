//! The xlsx round trip: what a spreadsheet reads back is what was written, with the IDs and
//! class IDs as text, Hebrew headers and words, and the same bytes every time.
use super::*;
use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};

/// The first sheet's name and cells.
fn read_back(bytes: &[u8]) -> (String, Vec<Vec<Data>>) {
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    (name, range.rows().map(<[Data]>::to_vec).collect())
}

fn text(d: &Data) -> &str {
    match d {
        Data::String(s) => s,
        other => panic!("not a text cell: {other:?}"),
    }
}

/// A school list as its schema describes it: an ID with a leading zero, a class ID that
/// looks like a date, a category code.
fn school_list() -> DataFrame {
    df![
        "institution_id" => ["012345", "012345"],
        "institution_name" => ["אלון", "אלון"],
        "student_id" => ["000000018", "012345674"],
        "first_name" => ["נועה", "דן"],
        "last_name" => ["לוי", "כהן"],
        "class_id" => ["790224-3-1", "1-2"],
        "grade" => [3i64, 3],
        "category" => ["gifted", "excellent"],
        "program" => ["gifted", "excellent"],
    ]
    .unwrap()
}

#[test]
fn ids_stay_text_and_headers_and_codes_are_hebrew() {
    let schema = crate::table::schema::get("school_lists");
    let (bytes, rows) =
        xlsx_bytes(&school_list(), "school_lists", schema, Headers::Hebrew).unwrap();
    assert_eq!(rows, 2);
    let (sheet, cells) = read_back(&bytes);
    assert_eq!(sheet, schema.unwrap().hebrew);
    let header: Vec<&str> = cells[0].iter().map(text).collect();
    assert_eq!(header[2], "מספר זהות תלמיד");
    assert_eq!(
        header[7],
        schema.unwrap().column("category").unwrap().hebrew
    );
    assert_eq!(
        text(&cells[1][0]),
        "012345",
        "leading zero of an institution ID"
    );
    assert_eq!(
        text(&cells[1][2]),
        "000000018",
        "leading zeros of a student ID"
    );
    assert_eq!(
        text(&cells[1][5]),
        "790224-3-1",
        "a class ID stays text, not a date"
    );
    assert_eq!(text(&cells[2][5]), "1-2");
    assert_eq!(cells[1][6], Data::Float(3.0), "a grade is a number");
    assert_eq!(text(&cells[1][7]), "מחונן");
    assert_eq!(text(&cells[2][7]), "מצטיין");
    assert_eq!(text(&cells[2][8]), "מצטיינים");
}

#[test]
fn english_headers_keep_the_codes() {
    let schema = crate::table::schema::get("school_lists");
    let (bytes, _) = xlsx_bytes(&school_list(), "school_lists", schema, Headers::English).unwrap();
    let (sheet, cells) = read_back(&bytes);
    assert_eq!(sheet, "school_lists");
    assert_eq!(text(&cells[0][2]), "student_id");
    assert_eq!(text(&cells[1][7]), "gifted");
    assert_eq!(text(&cells[1][2]), "000000018");
}

#[test]
fn the_same_rows_give_the_same_bytes() {
    let schema = crate::table::schema::get("school_lists");
    let a = xlsx_bytes(&school_list(), "school_lists", schema, Headers::Hebrew).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let b = xlsx_bytes(&school_list(), "school_lists", schema, Headers::Hebrew).unwrap();
    assert!(a.0 == b.0, "a second later, the same bytes");
}

/// Dates are dates, booleans booleans, empty cells empty, lists joined by `;`.
#[test]
fn typed_cells() {
    let mut file = XlsxFile::new("t", &["a", "b", "c", "d"], Headers::English, 3).unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
    for cell in [
        XlsxCell::Date(day),
        XlsxCell::Bool(true),
        XlsxCell::Empty,
        XlsxCell::Text("score;appeal"),
    ] {
        file.cell(cell).unwrap();
    }
    file.end_row();
    let (bytes, rows) = file.finish().unwrap();
    assert_eq!(rows, 1);
    let (_, cells) = read_back(&bytes);
    match &cells[1][0] {
        Data::DateTime(d) => assert_eq!(d.as_f64(), 46081.0, "2026-02-28 as Excel's day number"),
        other => panic!("not a date: {other:?}"),
    }
    assert_eq!(cells[1][1], Data::Bool(true));
    assert_eq!(cells[1][2], Data::Empty);
    assert_eq!(text(&cells[1][3]), "score;appeal");
}

#[test]
fn sheet_names_excel_accepts() {
    assert_eq!(sheet_name("a/b:c"), "abc");
    assert_eq!(sheet_name("x".repeat(40).as_str()).len(), 31);
    assert_eq!(sheet_name("[]"), "sheet");
}

/// A sheet of `STREAMED_FROM` rows is written in constant-memory mode (inline text, rows
/// streamed): it reads back cell for cell, IDs with their leading zeros and class IDs as
/// text, the Hebrew headers and words as in a small sheet, and the same bytes every time.
#[test]
fn a_national_sized_sheet_reads_back_cell_for_cell() {
    let schema = crate::table::schema::get("school_lists");
    let n = STREAMED_FROM;
    let ids: Vec<String> = (0..n).map(|i| format!("{i:09}")).collect();
    let classes: Vec<String> = (0..n).map(|i| format!("7902{:02}-3-1", i % 30)).collect();
    let small = school_list();
    let mut big = small.clone();
    for _ in 1..n / 2 {
        big.vstack_mut(&small).unwrap();
    }
    big.with_column(Column::new("student_id".into(), ids.clone()))
        .unwrap();
    big.with_column(Column::new("class_id".into(), classes.clone()))
        .unwrap();
    assert_eq!(big.height(), n);
    let (bytes, rows) = xlsx_bytes(&big, "school_lists", schema, Headers::Hebrew).unwrap();
    assert_eq!(rows, n);
    let (name, cells) = read_back(&bytes);
    let (small_name, small_cells) = read_back(
        &xlsx_bytes(&small, "school_lists", schema, Headers::Hebrew)
            .unwrap()
            .0,
    );
    assert_eq!(name, small_name);
    assert_eq!(cells[0], small_cells[0], "the same Hebrew headers");
    assert_eq!(cells.len(), n + 1);
    for (i, row) in cells[1..].iter().enumerate() {
        assert_eq!(text(&row[2]), ids[i]);
        assert_eq!(text(&row[5]), classes[i]);
        assert_eq!(row[7], small_cells[1 + i % 2][7], "category in Hebrew");
    }
    let again = xlsx_bytes(&big, "school_lists", schema, Headers::Hebrew).unwrap();
    assert_eq!(bytes, again.0);
    // The archive's file names are stored as they are: the streamed sheet's text is inline,
    // the small sheet's in a shared-string part.
    let has_shared = |b: &[u8]| b.windows(20).any(|w| w == b"xl/sharedStrings.xml");
    assert!(!has_shared(&bytes));
    let small_bytes = xlsx_bytes(&small, "school_lists", schema, Headers::Hebrew).unwrap();
    assert!(has_shared(&small_bytes.0));
}
