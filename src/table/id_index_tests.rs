use super::*;
use foldhash::HashSet as FastSet;
use polars::prelude::{StringChunked, UInt32Chunked};

#[test]
fn id_map_tells_apart_leading_zeros_and_text() {
    let mut m = IdMap::with_capacity(4);
    m.insert("012345678", 1);
    m.insert("12345678", 2);
    m.insert("A-17", 3);
    assert_eq!(m.get("012345678"), Some(&1));
    assert_eq!(m.get("12345678"), Some(&2));
    assert_eq!(m.get("A-17"), Some(&3));
    assert_eq!(m.get_text("A-17"), Some(&3));
    assert_eq!(m.get("0012345678"), None);
    assert_eq!(m.get("a-17"), None);
    // A value already there stays; a new ID gets one.
    m.insert_if_absent("012345678", 9);
    m.insert_if_absent("A-17", 9);
    m.insert_if_absent("7", 9);
    assert_eq!(m.get("012345678"), Some(&1));
    assert_eq!(m.get("A-17"), Some(&3));
    assert_eq!(m.get("7"), Some(&9));
    assert_eq!(m.len(), 4);
}

#[test]
fn id_map_build_is_inserting_the_entries_in_order() {
    // IDs repeat (odd and even keys, text, leading zeros), replacing or not.
    let ids: Vec<String> = (0..3000u32)
        .map(|i| match i % 7 {
            0 => format!("T-{}", i % 50),
            1 => format!("0{}", (i * 7919) % 400),
            _ => format!("{}", (i * 7919) % 900),
        })
        .collect();
    let entries: Vec<(&str, u32, bool)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i as u32, i % 3 != 0))
        .collect();
    let mut want = IdMap::with_capacity(16);
    for &(id, v, replace) in &entries {
        match replace {
            true => want.insert(id, v),
            false => want.insert_if_absent(id, v),
        }
    }
    let got = IdMap::build(&entries);
    assert_eq!(got.len(), want.len());
    assert!(got.digits[0].len() > 100 && got.digits[1].len() > 100 && got.text.len() == 50);
    for id in &ids {
        assert_eq!(got.get(id), want.get(id), "{id}");
    }
    assert_eq!(got.get("901"), None);
    assert!(IdMap::<u32>::build(&[]).is_empty());
}

#[test]
fn key_filter_holds_every_key_and_rejects_most_others() {
    let keys: FastSet<u64> = (0..161_769u64)
        .map(|i| digits_key(&format!("{:09}", 100_000_000 + i * 7)).unwrap())
        .collect();
    let f = KeyFilter::of(keys.iter().copied());
    assert!(keys.iter().all(|&k| f.may_hold(k)));
    let others = (0..100_000u64)
        .map(|i| digits_key(&format!("{:09}", 500_000_000 + i * 3)).unwrap())
        .filter(|&k| f.may_hold(k))
        .count();
    assert!(
        others < 10_000,
        "{others} of 100,000 other keys pass the filter"
    );
}

/// Rows falling in every chunk of a column (the first and last row of a chunk, missing
/// values) are read as the column holds them, plain and coded.
#[test]
fn walking_rows_reads_each_chunk_in_turn() {
    let value = |i: u32| (i % 5 != 3).then(|| format!("v{i}"));
    let mut plain: StringChunked = (0..7).map(value).collect();
    plain
        .append(&(7..8).map(value).collect::<StringChunked>())
        .unwrap();
    plain
        .append(&(8..20).map(value).collect::<StringChunked>())
        .unwrap();
    assert_eq!(plain.chunks().len(), 3);
    let rows: Vec<IdxSize> = vec![0, 3, 6, 7, 8, 13, 19];
    let want: Vec<Option<PlSmallStr>> = rows
        .iter()
        .map(|&r| value(r).map(PlSmallStr::from))
        .collect();
    let mut got = vec![None; rows.len()];
    walk_text(TextColumn::Plain(&plain), &rows, |k, v| got[k] = v);
    assert_eq!(got, want);
    // The same column as codes into its values.
    let values: Vec<PlSmallStr> = (0..20).map(|i| format!("v{i}").into()).collect();
    let mut codes: UInt32Chunked = (0..7u32).map(|i| (i % 5 != 3).then_some(i)).collect();
    codes
        .append(&(7..20u32).map(|i| (i % 5 != 3).then_some(i)).collect())
        .unwrap();
    let mut got = vec![None; rows.len()];
    walk_text(TextColumn::Coded(&codes, &values), &rows, |k, v| got[k] = v);
    assert_eq!(got, want);
}

/// IDs of one length are put in order by their keys; IDs of several lengths by their text
/// ("10" before "9", "007" before "7"), never by their numbers.
#[test]
fn ids_come_in_text_order() {
    let key = |s: &str| digits_key(s).unwrap();
    let one_length = vec![(key("300"), 0), (key("007"), 1), (key("100"), 2)];
    let texts = |v: Vec<(u32, PlSmallStr)>| -> Vec<(u32, String)> {
        v.into_iter().map(|(k, t)| (k, t.to_string())).collect()
    };
    assert_eq!(
        texts(keys_in_order(one_length).unwrap()),
        [(1, "007".into()), (2, "100".into()), (0, "300".into())]
    );
    assert!(keys_in_order(vec![(key("9"), 0), (key("10"), 1)]).is_none());
    let ids: Vec<PlSmallStr> = ["9", "10", "7", "007", "A-1", "10"]
        .into_iter()
        .map(PlSmallStr::from)
        .collect();
    let order: Vec<u32> = texts_in_order(ids).into_iter().map(|(k, _)| k).collect();
    assert_eq!(order, [3, 1, 5, 2, 0, 4]);
}
