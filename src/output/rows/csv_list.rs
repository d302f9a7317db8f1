//! Typed rows → a people-facing list (a per-school, per-track or per-center file) as CSV and
//! xlsx: the one way the phases' lists become bytes, with what [`CsvFile`] writes (UTF-8 BOM,
//! a header row, fields quoted where needed, `\n` line ends) and the same cells in a
//! spreadsheet ([`XlsxFile`]: IDs as text, numbers as numbers).
//!
//! A list's rows are a slice of one struct deriving `serde::Serialize` whose fields are the
//! columns of its schema, in its order and under its names. Each cell is written as a frame's
//! CSV (`output::write::csv_bytes`) writes a column of its type: text (a string, a unit enum
//! variant) with the spreadsheet formula guard of data-contract.md "Rules that apply
//! everywhere"; integers as their decimal digits and `bool` as `true`/`false`, as they are;
//! `None` as an empty field. Under Hebrew headers (`--headers`, the default) the header row
//! has the schema's Hebrew names and coded values its Hebrew words. Each file is written
//! without a frame of its own: a national run writes thousands of them.
use super::super::table::OutputTable;
use super::super::write::{people_headers, CsvFile, Headers};
use super::super::xlsx::{XlsxCell, XlsxFile};
use crate::error::{Error, Result};
use crate::table::schema::{ColumnSchema, TableSchema};
use serde::ser::{self, Impossible, Serialize, SerializeStruct, Serializer};
use std::fmt;

/// `rows` as the list `stem` (`stem.csv` and `stem.xlsx`) with the columns of output schema
/// `list` (e.g. `track_list` for `tracks/<track_id>`), which every file of the list shares, in
/// the language of the files people open ([`people_headers`]).
pub fn csv_list<T: Serialize>(stem: &str, list: &str, rows: &[T]) -> Result<OutputTable> {
    let s = crate::table::schema::get(list)
        .ok_or_else(|| Error::Job(format!("list `{stem}`: no schema `{list}` in schemas/")))?;
    let header: Vec<&str> = s.columns.iter().map(|c| c.name.as_str()).collect();
    list_with(stem, &header, Some(s), people_headers(), rows)
}

/// `rows` as the list `stem` with columns `header` (the rows' field names), shown under
/// `schema`'s Hebrew names and words when `headers` is Hebrew. A row whose fields are not the
/// header's columns in order is a programming error, reported with the list and the column.
fn list_with<T: Serialize>(
    stem: &str,
    header: &[&str],
    schema: Option<&TableSchema>,
    headers: Headers,
    rows: &[T],
) -> Result<OutputTable> {
    let hebrew = headers == Headers::Hebrew;
    let columns: Vec<Option<&ColumnSchema>> = (header.iter())
        .map(|n| schema.and_then(|s| s.column(n)))
        .collect();
    let shown: Vec<&str> = (header.iter().zip(&columns))
        .map(|(n, c)| match (hebrew, c) {
            (true, Some(c)) => c.hebrew.as_str(),
            _ => n,
        })
        .collect();
    let sheet = match (hebrew, schema) {
        (true, Some(s)) => s.hebrew.as_str(),
        _ => stem.rsplit('/').next().unwrap_or(stem),
    };
    let mut files = ListFiles {
        csv: CsvFile::new(&shown)?,
        xlsx: XlsxFile::new(sheet, &shown, headers, rows.len())?,
        hebrew,
    };
    for row in rows {
        row.serialize(Row {
            header,
            columns: &columns,
            files: &mut files,
            next: 0,
        })
        .map_err(|e| Error::Job(format!("list `{stem}`: {}", e.0)))?;
        files.csv.end_row()?;
        files.xlsx.end_row();
    }
    OutputTable::list(stem, files.csv, files.xlsx)
}

/// The two files of a list, written cell by cell side by side.
struct ListFiles {
    csv: CsvFile,
    xlsx: XlsxFile,
    /// Coded values in their Hebrew words.
    hebrew: bool,
}

/// A serialization failure; [`csv_list`] adds the list.
#[derive(Debug)]
struct ListError(String);

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ListError {}

impl ser::Error for ListError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ListError(msg.to_string())
    }
}

impl From<Error> for ListError {
    fn from(e: Error) -> Self {
        ListError(e.to_string())
    }
}

type Res<T = ()> = std::result::Result<T, ListError>;

/// One row: a struct whose fields are the header's columns.
struct Row<'r> {
    header: &'r [&'r str],
    /// Each column's schema, when the list has one.
    columns: &'r [Option<&'r ColumnSchema>],
    files: &'r mut ListFiles,
    /// The column the next field must be.
    next: usize,
}

impl SerializeStruct for Row<'_> {
    type Ok = ();
    type Error = ListError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, v: &T) -> Res {
        match self.header.get(self.next) {
            Some(&name) if name == key => {}
            Some(name) => {
                return Err(ListError(format!(
                    "field `{key}` is where the header has column `{name}`"
                )))
            }
            None => {
                return Err(ListError(format!(
                    "field `{key}` is not one of the header's columns"
                )))
            }
        }
        let schema = self.columns.get(self.next).copied().flatten();
        self.next += 1;
        v.serialize(Cell {
            column: key,
            schema,
            files: self.files,
        })
    }

    fn end(self) -> Res {
        match self.header.get(self.next) {
            Some(name) => Err(ListError(format!(
                "the row has no field for column `{name}`"
            ))),
            None => Ok(()),
        }
    }
}

/// Serializes a whole row (a struct); anything else is an error.
macro_rules! not_a_row {
    ($($f:ident($($t:ty),*) -> $ok:ty),* $(,)?) => {$(
        fn $f(self, $(_: $t),*) -> Res<$ok> {
            Err(ListError("a row must be a struct with named fields".into()))
        }
    )*};
}

impl<'r> Serializer for Row<'r> {
    type Ok = ();
    type Error = ListError;
    type SerializeSeq = Impossible<(), ListError>;
    type SerializeTuple = Impossible<(), ListError>;
    type SerializeTupleStruct = Impossible<(), ListError>;
    type SerializeTupleVariant = Impossible<(), ListError>;
    type SerializeMap = Impossible<(), ListError>;
    type SerializeStruct = Row<'r>;
    type SerializeStructVariant = Impossible<(), ListError>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Res<Row<'r>> {
        Ok(self)
    }

    not_a_row!(
        serialize_bool(bool) -> (), serialize_i8(i8) -> (), serialize_i16(i16) -> (),
        serialize_i32(i32) -> (), serialize_i64(i64) -> (), serialize_u8(u8) -> (),
        serialize_u16(u16) -> (), serialize_u32(u32) -> (), serialize_u64(u64) -> (),
        serialize_f32(f32) -> (), serialize_f64(f64) -> (), serialize_char(char) -> (),
        serialize_str(&str) -> (), serialize_bytes(&[u8]) -> (), serialize_none() -> (),
        serialize_unit() -> (), serialize_unit_struct(&'static str) -> (),
        serialize_unit_variant(&'static str, u32, &'static str) -> (),
        serialize_seq(Option<usize>) -> Self::SerializeSeq,
        serialize_tuple(usize) -> Self::SerializeTuple,
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct,
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant,
        serialize_map(Option<usize>) -> Self::SerializeMap,
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant,
    );

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Res {
        Err(ListError("a row must be a struct with named fields".into()))
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, _: &T) -> Res {
        Err(ListError("a row must be a struct with named fields".into()))
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Res {
        Err(ListError("a row must be a struct with named fields".into()))
    }
}

/// One cell of column `column`.
struct Cell<'r> {
    column: &'static str,
    schema: Option<&'r ColumnSchema>,
    files: &'r mut ListFiles,
}

impl Cell<'_> {
    /// An integer: its digits in the CSV, a number in the spreadsheet.
    fn plain(self, v: i128) -> Res {
        self.files.csv.field(v.to_string().as_bytes())?;
        Ok(self.files.xlsx.cell(XlsxCell::Number(v as f64))?)
    }

    fn float(self, v: f64) -> Res {
        self.files.csv.field(v.to_string().as_bytes())?;
        Ok(self.files.xlsx.cell(XlsxCell::Number(v))?)
    }

    fn cannot_hold(&self, what: &str) -> ListError {
        ListError(format!("column `{}` cannot hold {what}", self.column))
    }
}

impl Serializer for Cell<'_> {
    type Ok = ();
    type Error = ListError;
    type SerializeSeq = Impossible<(), ListError>;
    type SerializeTuple = Impossible<(), ListError>;
    type SerializeTupleStruct = Impossible<(), ListError>;
    type SerializeTupleVariant = Impossible<(), ListError>;
    type SerializeMap = Impossible<(), ListError>;
    type SerializeStruct = Impossible<(), ListError>;
    type SerializeStructVariant = Impossible<(), ListError>;

    fn serialize_bool(self, v: bool) -> Res {
        self.files.csv.field(if v { b"true" } else { b"false" })?;
        Ok(self.files.xlsx.cell(XlsxCell::Bool(v))?)
    }
    super::integers_through!(plain);
    fn serialize_u128(self, v: u128) -> Res {
        match i128::try_from(v) {
            Ok(v) => self.plain(v),
            Err(_) => Err(self.cannot_hold("an integer this large")),
        }
    }
    fn serialize_f32(self, v: f32) -> Res {
        self.float(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Res {
        self.float(v)
    }
    fn serialize_char(self, v: char) -> Res {
        let mut buf = [0u8; 4];
        self.serialize_str(v.encode_utf8(&mut buf))
    }
    fn serialize_str(self, v: &str) -> Res {
        let word = match self.schema {
            Some(c) => c.value_for(v, self.files.hebrew),
            None => std::borrow::Cow::Borrowed(v),
        };
        self.files.csv.text(word.as_bytes())?;
        Ok(self.files.xlsx.cell(XlsxCell::Text(&word))?)
    }
    fn serialize_bytes(self, _: &[u8]) -> Res {
        Err(self.cannot_hold("bytes"))
    }
    fn serialize_none(self) -> Res {
        self.files.csv.field(b"")?;
        Ok(self.files.xlsx.cell(XlsxCell::Empty)?)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, v: &T) -> Res {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Res {
        Err(self.cannot_hold("a unit"))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Res {
        Err(self.cannot_hold("a unit struct"))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Res {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, v: &T) -> Res {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Res {
        Err(self.cannot_hold("an enum variant with a value"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Res<Self::SerializeSeq> {
        Err(self.cannot_hold("a sequence"))
    }
    fn serialize_tuple(self, _: usize) -> Res<Self::SerializeTuple> {
        Err(self.cannot_hold("a tuple"))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Res<Self::SerializeTupleStruct> {
        Err(self.cannot_hold("a tuple struct"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Res<Self::SerializeTupleVariant> {
        Err(self.cannot_hold("a tuple variant"))
    }
    fn serialize_map(self, _: Option<usize>) -> Res<Self::SerializeMap> {
        Err(self.cannot_hold("a map"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Res<Self::SerializeStruct> {
        Err(self.cannot_hold("a struct"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Res<Self::SerializeStructVariant> {
        Err(self.cannot_hold("a struct variant"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::write::{csv_bytes, Headers};
    use polars::prelude::*;
    use serde::Serialize;

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Status {
        Final,
    }

    #[derive(Serialize)]
    struct ListRow<'a> {
        student_id: &'a str,
        name: &'a str,
        status: Status,
        grade: i64,
        class_no: Option<u8>,
    }

    /// The list's CSV bytes (its files are the CSV and the xlsx).
    fn bytes(t: OutputTable) -> Vec<u8> {
        let mut files = t.files().unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(paths.len(), 2);
        assert!(
            paths[0].ends_with(".csv") && paths[1].ends_with(".xlsx"),
            "{paths:?}"
        );
        files.remove(0).1
    }

    fn csv_list_with<T: Serialize>(stem: &str, header: &[&str], rows: &[T]) -> Result<OutputTable> {
        list_with(stem, header, None, Headers::English, rows)
    }

    const HEADER: [&str; 5] = ["student_id", "name", "status", "grade", "class_no"];

    #[test]
    fn a_list_has_the_bytes_of_a_frame_of_the_same_cells() {
        let rows = [
            ListRow {
                student_id: "=1+1",
                name: "כהן, \"דנה\"",
                status: Status::Final,
                grade: 3,
                class_no: Some(2),
            },
            ListRow {
                student_id: "000000018",
                name: "",
                status: Status::Final,
                grade: -4,
                class_no: None,
            },
        ];
        let t = csv_list_with("tracks/T1", &HEADER, &rows).unwrap();
        assert_eq!(t.stem, "tracks/T1");
        let got = bytes(t);
        let df = df!(
            "student_id" => ["=1+1", "000000018"],
            "name" => ["כהן, \"דנה\"", ""],
            "status" => ["final", "final"],
            "grade" => [3i64, -4],
            "class_no" => [Some(2i64), None],
        )
        .unwrap();
        let want = csv_bytes(&df, None, Headers::English).unwrap();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            String::from_utf8(want).unwrap()
        );
    }

    #[test]
    fn a_row_that_is_not_the_header_is_an_error_naming_the_list_and_column() {
        let row = [ListRow {
            student_id: "1",
            name: "x",
            status: Status::Final,
            grade: 1,
            class_no: None,
        }];
        let swapped = ["name", "student_id", "status", "grade", "class_no"];
        let e = csv_list_with("centers/C1", &swapped, &row)
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref().is_some_and(|e| e.contains("centers/C1")
                && e.contains("field `student_id` is where the header has column `name`")),
            "{e:?}"
        );
        let longer = ["student_id", "name", "status", "grade", "class_no", "extra"];
        let e = csv_list_with("x", &longer, &row)
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|e| e.contains("no field for column `extra`")),
            "{e:?}"
        );
        let shorter = &HEADER[..4];
        let e = csv_list_with("x", shorter, &row)
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|e| e.contains("`class_no` is not one of")),
            "{e:?}"
        );
    }

    #[derive(Serialize)]
    struct TrackRow<'a> {
        student_id: &'a str,
        first_name: &'a str,
        last_name: &'a str,
        institution_id: &'a str,
        status: &'a str,
        class_no: Option<i64>,
    }

    /// Under Hebrew headers both files have the schema's Hebrew names and words; the IDs are
    /// as they are, and text in the spreadsheet.
    #[test]
    fn hebrew_headers_and_words_in_both_files() {
        let s = crate::table::schema::get("track_list").unwrap();
        let header: Vec<&str> = s.columns.iter().map(|c| c.name.as_str()).collect();
        let rows = [
            TrackRow {
                student_id: "000000018",
                first_name: "נועה",
                last_name: "לוי",
                institution_id: "012345",
                status: "final",
                class_no: Some(1),
            },
            TrackRow {
                student_id: "012345674",
                first_name: "דן",
                last_name: "כהן",
                institution_id: "012345",
                status: "no_seat",
                class_no: None,
            },
        ];
        let t = list_with("tracks/T1", &header, Some(s), Headers::Hebrew, &rows).unwrap();
        let files = t.files().unwrap();
        let csv = String::from_utf8(files[0].1.clone()).unwrap();
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        let hebrew: Vec<&str> = s.columns.iter().map(|c| c.hebrew.as_str()).collect();
        assert_eq!(lines[0], hebrew.join(","));
        assert_eq!(lines[1], "000000018,נועה,לוי,012345,סופי,1");
        assert_eq!(lines[2], "012345674,דן,כהן,012345,אין מקום פנוי,");
        use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
        let mut book: Xlsx<_> =
            open_workbook_from_rs(std::io::Cursor::new(files[1].1.clone())).unwrap();
        let name = book.sheet_names()[0].clone();
        assert_eq!(name, s.hebrew);
        let range = book.worksheet_range(&name).unwrap();
        let cell = |r: u32, c: u32| range.get_value((r, c)).cloned();
        assert_eq!(cell(0, 4), Some(Data::String(hebrew[4].into())));
        assert_eq!(cell(1, 0), Some(Data::String("000000018".into())));
        assert_eq!(cell(1, 3), Some(Data::String("012345".into())));
        assert_eq!(cell(1, 4), Some(Data::String("סופי".into())));
        assert_eq!(cell(1, 5), Some(Data::Float(1.0)));
        assert_eq!(cell(2, 4), Some(Data::String("אין מקום פנוי".into())));
        // In English, the codes.
        let t = list_with("tracks/T1", &header, Some(s), Headers::English, &rows).unwrap();
        let csv = String::from_utf8(t.files().unwrap()[0].1.clone()).unwrap();
        assert!(csv.contains("000000018,נועה,לוי,012345,final,1"), "{csv}");
        assert!(csv
            .trim_start_matches('\u{feff}')
            .starts_with("student_id,"));
    }
}
