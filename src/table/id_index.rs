//! Finding and gathering a few rows of a national table by ID: the machinery under a job's
//! roster (`jobs::gifted::roster`), which keeps the few hundred thousand students a run names
//! out of 2.4 million. Nothing here knows a job: the rules of who is kept and counted are the
//! job's.
//!
//! - [`IdMap`]: a map keyed by ID text; IDs of digits (every valid Israeli ID) by their exact
//!   digit key (`rules::digit_key`), any other text as it is.
//! - [`KeyFilter`]: a bit per hash of a set of digit keys, answering "surely not" for most keys
//!   outside it without probing the set.
//! - [`Id`]: one row's ID in a pass over a table, as its digit key or its text.
//! - [`gather_text`], [`gather_int`]: a column's values at kept rows (ascending), each written
//!   to its place, walking the column's chunks once.
//! - [`ids_in_order`]: kept rows in the text order of their IDs (digit keys of one length are
//!   sorted as integers; otherwise the IDs' text is sorted).
use super::types::{Table, TextColumn};
use crate::error::{Error, Result};
use crate::rules::digit_key::{digits_key, key_length, key_text};
use crate::rules::text_order::sort_by_text;
use foldhash::{HashMap as FastMap, HashMapExt};
use polars::prelude::{ChunkedArray, IdxSize, PlSmallStr, PolarsNumericType, StaticArray};
use rayon::prelude::*;

/// A map keyed by ID: IDs of digits (every valid Israeli ID) by their exact integer key, in
/// two halves by the key's parity (`build` fills them on two threads), any other text as it
/// is. `"012345678"` and `"12345678"` are different keys.
pub struct IdMap<'a, V> {
    digits: [FastMap<u64, V>; 2],
    text: FastMap<&'a str, V>,
}

/// The half of `IdMap::digits` holding `key`.
fn half(key: u64) -> usize {
    (key & 1) as usize
}

/// Puts `v` for `k`: in place of an earlier value (`replace`), or only when there is none.
fn put<K: std::hash::Hash + Eq, V>(map: &mut FastMap<K, V>, k: K, v: V, replace: bool) {
    if replace {
        map.insert(k, v);
    } else {
        map.entry(k).or_insert(v);
    }
}

impl<'a, V> IdMap<'a, V> {
    pub fn with_capacity(n: usize) -> Self {
        IdMap {
            digits: [FastMap::with_capacity(n / 2), FastMap::with_capacity(n / 2)],
            text: FastMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.digits[0].len() + self.digits[1].len() + self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Inserts `v` for `id` unless `id` has a value already.
    pub fn insert_if_absent(&mut self, id: &'a str, v: V) {
        self.put(id, v, false);
    }

    pub fn insert(&mut self, id: &'a str, v: V) {
        self.put(id, v, true);
    }

    fn put(&mut self, id: &'a str, v: V, replace: bool) {
        match digits_key(id) {
            Some(k) => put(&mut self.digits[half(k)], k, v, replace),
            None => put(&mut self.text, id, v, replace),
        }
    }

    pub fn get(&self, id: &str) -> Option<&V> {
        match digits_key(id) {
            Some(k) => self.get_digits(k),
            None => self.get_text(id),
        }
    }

    /// The value of the ID whose `digits_key` is `key`.
    pub fn get_digits(&self, key: u64) -> Option<&V> {
        self.digits[half(key)].get(&key)
    }

    /// The value of an ID that is not a digit string (`digits_key` is `None`), by its text.
    pub fn get_text(&self, id: &str) -> Option<&V> {
        self.text.get(id)
    }

    /// Every digit ID's key.
    pub fn digit_keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.digits.iter().flat_map(|m| m.keys().copied())
    }
}

impl<'a, V: Copy + Send + Sync> IdMap<'a, V> {
    /// The map that inserting `entries` (ID, value, whether it replaces an ID's earlier
    /// value) one after the other gives; each half of the digit keys is filled on a thread of
    /// its own (a national run names ~250,000 IDs, each insert a cache miss).
    pub fn build(entries: &[(&'a str, V, bool)]) -> Self {
        let fill = |h: usize| {
            let mut digits = FastMap::with_capacity(entries.len() / 2 + entries.len() / 16);
            let mut text = FastMap::new();
            for &(id, v, replace) in entries {
                match digits_key(id) {
                    Some(k) if half(k) == h => put(&mut digits, k, v, replace),
                    None if h == 0 => put(&mut text, id, v, replace),
                    _ => {}
                }
            }
            (digits, text)
        };
        let ((even, text), (odd, _)) = rayon::join(|| fill(0), || fill(1));
        IdMap {
            digits: [even, odd],
            text,
        }
    }
}

/// A bit per hash of a set of digit keys (512 KiB, cache-resident): most of a roster's 2.4
/// million IDs are not named, and this answers "surely not" without probing the set.
pub struct KeyFilter(Vec<u64>);

impl KeyFilter {
    const BITS: u32 = 22;

    fn slot(key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - Self::BITS)) as usize
    }

    /// The filter of `keys`.
    pub fn of(keys: impl IntoIterator<Item = u64>) -> Self {
        let mut bits = vec![0u64; (1 << Self::BITS) / 64];
        for k in keys {
            let s = Self::slot(k);
            bits[s / 64] |= 1 << (s % 64);
        }
        KeyFilter(bits)
    }

    /// `false` only when `key` is surely not one of the filter's keys.
    pub fn may_hold(&self, key: u64) -> bool {
        let s = Self::slot(key);
        self.0[s / 64] & (1 << (s % 64)) != 0
    }
}

/// An ID in a pass over a table: its exact digit key, or its text when it is not a digit
/// string.
#[derive(Clone, Copy)]
pub enum Id<'a> {
    Key(u64),
    Text(&'a str),
}

/// Calls `f(k, at)` for the k-th of `rows` (ascending) with the array holding it and its
/// index there, walking the arrays in order.
fn walk_arrays<'a, A: 'a>(
    arrays: impl Iterator<Item = &'a A>,
    len: impl Fn(&A) -> usize,
    rows: &[IdxSize],
    mut f: impl FnMut(usize, Option<(&'a A, usize)>),
) {
    let mut arrays = arrays;
    let (mut arr, mut start) = (arrays.next(), 0usize);
    for (k, &r) in rows.iter().enumerate() {
        let r = r as usize;
        while let Some(a) = arr.filter(|a| r >= start + len(a)) {
            start += len(a);
            arr = arrays.next();
        }
        f(k, arr.map(|a| (a, r - start)));
    }
}

/// Calls `f(k, value)` for the k-th of `rows` (ascending) of a text column.
fn walk_text(col: TextColumn, rows: &[IdxSize], mut f: impl FnMut(usize, Option<PlSmallStr>)) {
    match col {
        TextColumn::Coded(codes, values) => walk(codes, rows, |k, c| {
            f(k, c.map(|c| values[c as usize].clone()))
        }),
        TextColumn::Plain(ca) => walk_arrays(
            ca.downcast_iter(),
            |a| a.len(),
            rows,
            |k, at| f(k, at.and_then(|(a, i)| a.get(i)).map(PlSmallStr::from)),
        ),
    }
}

/// As `walk_text`, for a numeric column.
fn walk<T: PolarsNumericType>(
    ca: &ChunkedArray<T>,
    rows: &[IdxSize],
    mut f: impl FnMut(usize, Option<T::Native>),
) {
    walk_arrays(
        ca.downcast_iter(),
        |a| a.len(),
        rows,
        |k, at| f(k, at.and_then(|(a, i)| a.get(i))),
    );
}

/// A missing value among gathered codes.
const NO_CODE: u32 = u32::MAX;

/// A text column's values at the kept rows (in the order of their places): dictionary codes
/// (4 bytes a row, not the texts they stand for), or texts.
pub enum Gathered<'a> {
    Codes(Vec<u32>, &'a [PlSmallStr]),
    Texts(Vec<Option<PlSmallStr>>),
}

impl Gathered<'_> {
    /// The value at place `i`.
    pub fn get(&self, i: usize) -> Option<PlSmallStr> {
        match self {
            Gathered::Codes(codes, values) => {
                let c = codes[i];
                (c != NO_CODE).then(|| values[c as usize].clone())
            }
            Gathered::Texts(texts) => texts[i].clone(),
        }
    }
}

/// The values of text column `name` of `t` at `rows` (ascending), the k-th row's value at
/// place `place[k]`.
pub fn gather_text<'t>(
    t: &'t Table,
    name: &str,
    rows: &[IdxSize],
    place: &[u32],
) -> Result<Gathered<'t>> {
    Ok(match t.text(name)? {
        TextColumn::Coded(codes, values) => {
            let mut out = vec![NO_CODE; rows.len()];
            walk(codes, rows, |k, c| {
                out[place[k] as usize] = c.unwrap_or(NO_CODE)
            });
            Gathered::Codes(out, values)
        }
        plain => {
            let mut out = vec![None; rows.len()];
            walk_text(plain, rows, |k, v| out[place[k] as usize] = v);
            Gathered::Texts(out)
        }
    })
}

/// As [`gather_text`], for an integer column (a missing value as 0).
pub fn gather_int(t: &Table, name: &str, rows: &[IdxSize], place: &[u32]) -> Result<Vec<i64>> {
    let typed = |e: polars::prelude::PolarsError| Error::Job(format!("{}: {e}", t.schema.name));
    let ca =
        t.df.column(name)
            .map_err(typed)
            .and_then(|c| c.as_materialized_series().i64().cloned().map_err(typed))?;
    let mut out = vec![0; rows.len()];
    walk(&ca, rows, |k, v| {
        out[place[k] as usize] = v.unwrap_or_default()
    });
    Ok(out)
}

/// The kept rows (`rows`, ascending) of `t` in the text order of their IDs (`column`, the
/// table's one-column key), as (k, ID) for the k-th kept row. IDs held as digit keys of one
/// length (as valid IDs written with nine digits are) are in text order when in key order:
/// they are sorted as integers, and written out in that order.
pub fn ids_in_order(t: &Table, column: &str, rows: &[IdxSize]) -> Result<Vec<(u32, PlSmallStr)>> {
    if let Some(keys) = t.row_keys() {
        let keyed: Vec<(u64, u32)> = (rows.iter().enumerate())
            .map(|(k, &r)| (keys[r as usize], k as u32))
            .collect();
        if let Some(order) = keys_in_order(keyed) {
            return Ok(order);
        }
    }
    let mut ids: Vec<PlSmallStr> = Vec::with_capacity(rows.len());
    match t.row_keys() {
        Some(keys) => ids.extend(rows.iter().map(|&r| key_text(keys[r as usize]))),
        None => walk_text(t.text(column)?, rows, |_, v| {
            ids.push(v.unwrap_or_default())
        }),
    }
    Ok(texts_in_order(ids))
}

/// (key, k) pairs in the text order of the keys, as (k, text): `None` unless every key has
/// the same length (then integer order is text order).
fn keys_in_order(mut keyed: Vec<(u64, u32)>) -> Option<Vec<(u32, PlSmallStr)>> {
    if !(keyed.windows(2)).all(|w| key_length(w[0].0) == key_length(w[1].0)) {
        return None;
    }
    keyed.par_sort_unstable();
    Some(
        keyed
            .into_iter()
            .map(|(key, k)| (k, key_text(key)))
            .collect(),
    )
}

/// The k-th of `ids` as (k, ID), in text order (equal IDs by k): the fallback for IDs of
/// several lengths or that are not digit strings.
fn texts_in_order(mut ids: Vec<PlSmallStr>) -> Vec<(u32, PlSmallStr)> {
    let mut by_id: Vec<(&str, u32)> = (ids.iter().enumerate())
        .map(|(k, id)| (id.as_str(), k as u32))
        .collect();
    sort_by_text(&mut by_id, |x| x.0, |a, b| a.1.cmp(&b.1));
    let order: Vec<u32> = by_id.into_iter().map(|(_, k)| k).collect();
    order
        .into_iter()
        .map(|k| (k, std::mem::take(&mut ids[k as usize])))
        .collect()
}

#[cfg(test)]
#[path = "id_index_tests.rs"]
mod tests;
