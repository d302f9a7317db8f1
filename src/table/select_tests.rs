use super::*;

/// A text column filtered down to a few rows holds those rows' text only, the same values.
#[test]
fn kept_text_holds_only_the_rows_kept() {
    let long = |i: usize| format!("רחוב הנביאים {i:06} דירה 12");
    let ca: StringChunked = (0..1_000).map(|i| Some(long(i))).collect();
    let mask: BooleanChunked = (0..1_000).map(|i| i % 100 == 7).collect();
    let filtered = ca.into_series().filter(&mask).unwrap();
    let buffers = |s: &Series| -> usize {
        s.str()
            .unwrap()
            .downcast_iter()
            .map(|a| a.total_buffer_len())
            .sum()
    };
    let one = long(0).len();
    // polars filters the views: the buffers still hold every row's text.
    assert!(buffers(&filtered) >= 1_000 * one, "{}", buffers(&filtered));
    let expected: Vec<String> = (0..1_000).filter(|i| i % 100 == 7).map(long).collect();
    let text = filtered.str().unwrap().clone();
    drop(filtered);
    let kept = kept_text(text);
    assert!(buffers(&kept) <= 10 * one, "{}", buffers(&kept));
    let values: Vec<&str> = kept.str().unwrap().iter().map(Option::unwrap).collect();
    assert_eq!(values, expected);
}

/// An ID's 4-byte number is that of its 9-digit form, and what an `IdColumn` holds of
/// its key; a value that is no valid ID has none.
#[test]
fn an_id_number_is_that_of_the_9_digit_form() {
    assert_eq!(id_number("010000016"), Some(10_000_016));
    assert_eq!(id_number("10000016"), Some(10_000_016));
    assert_eq!(id_number("18"), Some(18));
    for bad in ["123456789", "", "x18", "1000000016"] {
        assert_eq!(id_number(bad), None, "{bad}");
    }
    for id in ["010000016", "18", "999999998"] {
        let column: IdColumn = [id_key(id)].into_iter().collect();
        assert_eq!(column.0, [id_number(id).unwrap()]);
    }
}

#[test]
fn an_id_is_keyed_by_its_nine_digit_form() {
    assert_eq!(id_key("10000016"), id_key("010000016"));
    assert!(id_key("010000016").is_some());
    assert_eq!(id_key("010000017"), None, "wrong check digit");
    assert_eq!(id_key(""), None);
    assert_eq!(id_key(" 010000016"), None, "not trimmed, as validation");
}

/// A Parquet reference table is decoded a column at a time: the picked rows of every
/// column come out as a whole read would give them, with their file row numbers, and a
/// reference table without a pick is read whole.
#[test]
fn a_parquet_reference_table_read_a_column_at_a_time_keeps_the_picked_rows() {
    use crate::table::validate::{load_inputs_selecting, TableNeed};
    let dir = tempfile::tempdir().unwrap();
    let sch = crate::table::schema::get("contact_details").unwrap();
    let ids = ["000000018", "010000016", "000000026", "010000016"];
    let phones = ["050-1111111", "050-2222222", "050-3333333", "050-4444444"];
    let columns: Vec<Column> = (sch.columns.iter())
        .map(|c| match c.name.as_str() {
            "contact_id" => Column::new("contact_id".into(), ids),
            "phone" => Column::new("phone".into(), phones),
            n => Column::new(n.into(), [None::<&str>; 4]),
        })
        .collect();
    let mut df = DataFrame::new(4, columns).unwrap();
    let file = std::fs::File::create(dir.path().join("contact_details.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
    let needs = [TableNeed::new("contact_details", true).reference()];
    let pick = |probe: &Probe| -> Result<Selection> {
        assert!(probe.has("contact_details"));
        let read = probe.ids("contact_details", "contact_id").unwrap();
        assert_eq!(read.len(), 4, "the probe sees every row's ID");
        let ids = IdSet::new(vec![id_key("010000016").unwrap()]);
        let pick = Pick {
            by: vec![("contact_id", ids)],
            read_for: "one contact",
        };
        Ok([("contact_details", pick)].into_iter().collect())
    };
    let set = load_inputs_selecting(dir.path(), &needs, &BTreeMap::new(), &pick).unwrap();
    let t = set.table("contact_details").unwrap();
    assert_eq!(
        (t.rows_read, t.rows_rejected),
        (2, 1),
        "row 4 repeats row 2"
    );
    assert_eq!(t.row_numbers().collect::<Vec<_>>(), [2]);
    let phone: Vec<Option<&str>> = t.text("phone").unwrap().iter().collect();
    assert_eq!(phone, [Some("050-2222222")]);
    // No pick: every row of every column.
    let none = |_: &Probe| -> Result<Selection> { Ok(Selection::new()) };
    let set = load_inputs_selecting(dir.path(), &needs, &BTreeMap::new(), &none).unwrap();
    let t = set.table("contact_details").unwrap();
    assert_eq!(
        (t.rows_read, t.rows_rejected, t.read_only.clone()),
        (4, 1, None)
    );
    let phone: Vec<Option<&str>> = t.text("phone").unwrap().iter().collect();
    assert_eq!(
        phone,
        phones[..3].iter().map(|p| Some(*p)).collect::<Vec<_>>()
    );
}

/// Issue #24: a reference table of several row groups is keyed and filtered a part at a
/// time (`RawTable::column_parts`); the rows picked on either side of a part's edge are
/// read with their own values and file rows.
#[test]
fn a_reference_table_of_several_parts_keeps_the_picked_rows_of_each() {
    use crate::table::validate::{load_inputs_selecting, TableNeed};
    let dir = tempfile::tempdir().unwrap();
    let sch = crate::table::schema::get("contact_details").unwrap();
    let n = 600_000;
    let picked = [
        (0, "000000018"),
        (399_999, "000000026"),
        (400_000, "000000034"),
        (599_999, "000000042"),
    ];
    let mut ids: Vec<String> = (0..n).map(|i| format!("x{i}")).collect();
    for (row, id) in picked {
        ids[row] = id.to_string();
    }
    let phones: Vec<String> = (0..n).map(|i| format!("050-{i:07}")).collect();
    let columns: Vec<Column> = (sch.columns.iter())
        .map(|c| match c.name.as_str() {
            "contact_id" => Column::new("contact_id".into(), &ids),
            "phone" => Column::new("phone".into(), &phones),
            name => Column::new(name.into(), vec![None::<&str>; n]),
        })
        .collect();
    let mut df = DataFrame::new(n, columns).unwrap();
    let path = dir.path().join("contact_details.parquet");
    let file = std::fs::File::create(&path).unwrap();
    ParquetWriter::new(file)
        .with_row_group_size(Some(200_000))
        .finish(&mut df)
        .unwrap();
    let parts = crate::table::parquet_read::row_parts(&std::fs::read(&path).unwrap());
    assert_eq!(parts, Some(vec![(0, 400_000), (400_000, 200_000)]));
    let needs = [TableNeed::new("contact_details", true).reference()];
    let pick = |probe: &Probe| -> Result<Selection> {
        let read = probe.ids("contact_details", "contact_id").unwrap();
        assert_eq!(read.len(), n);
        assert_eq!(read.get(400_000), id_key("000000034"));
        assert_eq!(read.get(1), None, "x1 is no ID");
        let ids = IdSet::new(picked.iter().map(|(_, id)| id_key(id).unwrap()).collect());
        let pick = Pick {
            by: vec![("contact_id", ids)],
            read_for: "four contacts",
        };
        Ok([("contact_details", pick)].into_iter().collect())
    };
    let set = load_inputs_selecting(dir.path(), &needs, &BTreeMap::new(), &pick).unwrap();
    let t = set.table("contact_details").unwrap();
    assert_eq!((t.rows_read, t.rows_rejected), (4, 0));
    assert_eq!(
        t.row_numbers().collect::<Vec<_>>(),
        [1, 400_000, 400_001, 600_000]
    );
    let phone: Vec<Option<&str>> = t.text("phone").unwrap().iter().collect();
    let want: Vec<String> = picked.iter().map(|(r, _)| format!("050-{r:07}")).collect();
    assert_eq!(
        phone,
        want.iter().map(|p| Some(p.as_str())).collect::<Vec<_>>()
    );
}

/// A reference table read for one ID, worked by hand: row 1 is the ID's; row 2 another
/// ID's, its phone broken (not read, so not rejected); row 3 cannot be read as CSV (read
/// and rejected: whose it is cannot be told); rows 4 and 5 are the ID again, the second in
/// its 8-digit form (read: duplicate keys of row 1).
#[test]
fn a_reference_table_reads_every_row_of_a_picked_id_and_keeps_its_row_numbers() {
    use crate::table::validate::{load_inputs_selecting, TableNeed};
    let dir = tempfile::tempdir().unwrap();
    let text = "contact_id,phone,email,street,house_number,city,zip\n\
                010000016,050-1,,,,,\n\
                000000018,no phone,,,,,\n\
                only,two\n\
                010000016,050-2,,,,,\n\
                10000016,050-3,,,,,\n";
    std::fs::write(dir.path().join("contact_details.csv"), text).unwrap();
    let needs = [TableNeed::new("contact_details", true).reference()];
    let select = |_: &Probe| -> Result<Selection> {
        let ids = IdSet::new(vec![id_key("010000016").unwrap()]);
        let pick = Pick {
            by: vec![("contact_id", ids)],
            read_for: "the named contacts",
        };
        Ok([("contact_details", pick)].into_iter().collect())
    };
    let set = load_inputs_selecting(dir.path(), &needs, &BTreeMap::new(), &select).unwrap();
    let t = set.table("contact_details").unwrap();
    assert_eq!(
        t.read_only,
        Some(crate::table::types::ReadOnly {
            rows_in_file: 5,
            read_for: "the named contacts"
        })
    );
    assert_eq!((t.rows_read, t.rows_rejected, t.rows_accepted()), (4, 3, 1));
    assert_eq!(t.row_numbers().collect::<Vec<_>>(), [1]);
    let rejects: Vec<(u64, &str, &str)> = (set.rejects.iter())
        .map(|r| (r.row_number, r.rule.as_str(), r.message.as_str()))
        .collect();
    assert_eq!(rejects.len(), 3, "{rejects:?}");
    assert_eq!((rejects[0].0, rejects[0].1), (3, "field_count"));
    assert_eq!(
        rejects[1..],
        [
            (
                4,
                "duplicate_key",
                "the key (contact_id) repeats data row 1"
            ),
            (
                5,
                "duplicate_key",
                "the key (contact_id) repeats data row 1"
            ),
        ]
    );
    // Without a selection the same need reads every row (row 2's phone is rejected).
    let all = crate::table::validate::load_inputs(dir.path(), &needs, &BTreeMap::new());
    let all = all.unwrap();
    let t = all.table("contact_details").unwrap();
    assert_eq!((t.rows_read, t.read_only.clone()), (5, None));
    assert!(all.rejects.iter().any(|r| r.row_number == 2));
}
