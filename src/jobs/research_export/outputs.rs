//! The tables of a school year's partition as Parquet (docs/research-export.md §4): each
//! table's columns, in its schema's order, read straight from its typed rows
//! (`output::parquet::rows_parquet_bytes`) — no frame is built for the national tables. The
//! bytes are those of the rows' frame through the schema (`output::rows::Layout`), which the
//! tests below check table by table.
use super::pseudonym::Pid;
use super::tables::{EnrichmentOut, Ordered, PlacementOut, StageAOut, StageBOut, StudentOut};
use crate::error::{Error, Result};
use crate::output::parquet::{rows_parquet_bytes, Cells};

/// A column: its name and how each row gives its cell.
pub type Column<R> = (&'static str, Cells<R>);

/// A table's columns.
pub type Columns<R> = Vec<Column<R>>;

fn pid(p: &Option<Pid>) -> Option<&[u8]> {
    p.as_ref().map(Pid::bytes)
}

/// `research_students`.
pub fn students<'a>() -> Columns<StudentOut<'a>> {
    let columns: [Column<StudentOut<'a>>; 13] = [
        ("student_pid", Cells::Hex(|r| Some(r.student_pid.bytes()))),
        ("birth_year", Cells::Int(|r| Some(i64::from(r.birth_year)))),
        (
            "birth_month",
            Cells::Int(|r| Some(i64::from(r.birth_month))),
        ),
        ("gender", Cells::Text(|r| Some(r.gender))),
        ("grade", Cells::Int(|r| Some(r.grade))),
        ("institution_id", Cells::Text(|r| Some(r.institution_id))),
        ("authority_id", Cells::Text(|r| r.authority_id)),
        ("supervision", Cells::Text(|r| r.supervision)),
        ("sector", Cells::Text(|r| r.sector)),
        ("region_id", Cells::Text(|r| r.region_id)),
        (
            "residence_authority_id",
            Cells::Text(|r| Some(r.residence_authority_id)),
        ),
        (
            "immigration_year",
            Cells::Int(|r| r.immigration_year.map(i64::from)),
        ),
        ("years_abroad", Cells::Int(|r| r.years_abroad)),
    ];
    columns.into()
}

/// `research_stage_a`.
pub fn stage_a<'a>() -> Columns<StageAOut<'a>> {
    let columns: [Column<StageAOut<'a>>; 3] = [
        ("student_pid", Cells::Hex(|r| Some(r.student_pid.bytes()))),
        ("status", Cells::Text(|r| Some(r.status))),
        ("score", Cells::Int(|r| r.score)),
    ];
    columns.into()
}

/// `research_stage_b`.
pub fn stage_b<'a>() -> Columns<StageBOut<'a>> {
    let columns: [Column<StageBOut<'a>>; 5] = [
        ("student_pid", Cells::Hex(|r| Some(r.student_pid.bytes()))),
        ("subtest", Cells::Text(|r| Some(r.subtest))),
        ("status", Cells::Text(|r| Some(r.status))),
        ("raw_score", Cells::Int(|r| r.raw_score)),
        ("session", Cells::Text(|r| r.session)),
    ];
    columns.into()
}

/// `research_placements`.
pub fn placements<'a>() -> Columns<PlacementOut<'a>> {
    let columns: [Column<PlacementOut<'a>>; 5] = [
        ("student_pid", Cells::Hex(|r| pid(&r.student_pid))),
        ("track_id", Cells::Text(|r| r.track_id)),
        ("class_no", Cells::Int(|r| r.class_no)),
        ("gender", Cells::Text(|r| r.gender)),
        ("status", Cells::Text(|r| r.status)),
    ];
    columns.into()
}

/// `research_enrichment`.
pub fn enrichment<'a>() -> Columns<EnrichmentOut<'a>> {
    let columns: [Column<EnrichmentOut<'a>>; 6] = [
        ("student_pid", Cells::Hex(|r| pid(&r.student_pid))),
        ("center_id", Cells::Text(|r| r.center_id)),
        ("program", Cells::Text(|r| r.program)),
        ("grade", Cells::Int(|r| r.grade)),
        ("group_no", Cells::Int(|r| r.group_no)),
        ("institution_id", Cells::Text(|r| r.institution_id)),
    ];
    columns.into()
}

/// The Parquet file of `table`'s rows in their order, described by `schema`, whose columns
/// `columns` must be, in its order (else an error naming the table: a programming error).
pub fn parquet<R: Sync>(
    table: &Ordered<R>,
    columns: &Columns<R>,
    schema: &'static str,
) -> Result<Vec<u8>> {
    let s = crate::table::schema::get(schema)
        .ok_or_else(|| Error::Job(format!("no schema `{schema}`")))?;
    let named: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
    let listed: Vec<&str> = s.columns.iter().map(|c| c.name.as_str()).collect();
    if named != listed {
        return Err(Error::Job(format!(
            "research-export: the columns of `{schema}` are {} in its schema, {} in the export",
            listed.join(", "),
            named.join(", ")
        )));
    }
    rows_parquet_bytes(&table.in_order(), columns, Some(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::research_export::pseudonym::Pseudonymizer;
    use crate::output::parquet::parquet_bytes;
    use crate::output::rows::Layout;
    use serde::Serialize;

    fn key() -> Pseudonymizer {
        Pseudonymizer::new(&[9u8; 32]).unwrap()
    }

    /// The bytes of the direct path equal those of the frame through the schema.
    fn same_bytes<R: Sync + Serialize>(rows: Vec<R>, columns: Columns<R>, schema: &'static str) {
        let table = Ordered::by(rows, |_| 0).unwrap();
        let direct = parquet(&table, &columns, schema).unwrap();
        let frame = Layout::of(schema)
            .unwrap()
            .frame(&table.in_order())
            .unwrap();
        let s = crate::table::schema::get(schema).unwrap();
        assert_eq!(direct, parquet_bytes(&frame, Some(s)).unwrap(), "{schema}");
    }

    fn student(i: usize) -> StudentOut<'static> {
        StudentOut {
            student_pid: key().pid(&format!("{i:09}")),
            birth_year: 2018 + (i % 3) as i32,
            birth_month: 1 + (i % 12) as u32,
            gender: if i.is_multiple_of(2) { "f" } else { "m" },
            grade: 2,
            institution_id: "100001",
            authority_id: (!i.is_multiple_of(5)).then_some("A7"),
            supervision: (!i.is_multiple_of(5)).then_some("official"),
            sector: (!i.is_multiple_of(5)).then_some("arabic"),
            region_id: (!i.is_multiple_of(5)).then_some("north"),
            residence_authority_id: "A1",
            immigration_year: i.is_multiple_of(7).then_some(2021),
            years_abroad: i.is_multiple_of(11).then_some(3),
        }
    }

    #[test]
    fn students_over_two_batches_and_none_are_written_as_their_frame() {
        // 70,000 rows: two batches of the writer (65,536 and the rest).
        same_bytes(
            (0..70_000).map(student).collect(),
            students(),
            "research_students",
        );
        same_bytes(Vec::new(), students(), "research_students");
    }

    #[test]
    fn every_other_table_is_written_as_its_frame() {
        let stage_a_rows = (0..50)
            .map(|i| StageAOut {
                student_pid: key().pid(&format!("{i:09}")),
                status: "tested",
                score: (i % 4 != 0).then_some(600 + i as i64),
            })
            .collect();
        same_bytes(stage_a_rows, stage_a(), "research_stage_a");
        let stage_b_rows = (0..50)
            .map(|i| StageBOut {
                student_pid: key().pid(&format!("{i:09}")),
                subtest: "verbal",
                status: "tested",
                raw_score: Some(i as i64),
                session: (i % 3 == 0).then_some("regular"),
            })
            .collect();
        same_bytes(stage_b_rows, stage_b(), "research_stage_b");
        let placement_rows = (0..50)
            .map(|i| PlacementOut {
                student_pid: (i % 9 != 0).then(|| key().pid(&format!("{i:09}"))),
                track_id: Some("T1"),
                class_no: Some(1),
                gender: None,
                status: Some("placed"),
            })
            .collect();
        same_bytes(placement_rows, placements(), "research_placements");
        let enrichment_rows = (0..50)
            .map(|i| EnrichmentOut {
                student_pid: Some(key().pid(&format!("{i:09}"))),
                center_id: Some("C1"),
                program: Some("gifted"),
                grade: Some(3),
                group_no: (i % 2 == 0).then_some(1),
                institution_id: Some("100001"),
            })
            .collect();
        same_bytes(enrichment_rows, enrichment(), "research_enrichment");
    }

    #[test]
    fn columns_out_of_the_schema_are_an_error() {
        let mut cols = stage_a();
        cols.swap(1, 2);
        let t = Ordered::by(Vec::<StageAOut>::new(), |_| 0).unwrap();
        let e = parquet(&t, &cols, "research_stage_a")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("research_stage_a") && e.contains("status, score"),
            "{e}"
        );
    }
}
