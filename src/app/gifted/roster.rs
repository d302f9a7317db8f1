//! The roster as the gifted phases see it: each student with their institution's sector and
//! whether it takes part (gifted.md §1).
use crate::app::frame::{bools, strs};
use crate::error::{Error, Result};
use crate::jobs::gifted::participation::{institution_participates, NonParticipation, Supervision};
use crate::jobs::gifted::Sector;
use crate::rules::text_order::sort_by_text;
use crate::table::validate::{digits_key, key_length, key_text, par_row_ranges, TextColumn};
use crate::table::{InputSet, Table};
use foldhash::{HashMap as FastMap, HashMapExt};
use polars::prelude::{
    ChunkedArray, IdxSize, PlHashMap, PlSmallStr, PolarsNumericType, StaticArray,
};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// The columns of `students` the gifted phases read.
pub const COLUMNS: &[&str] = &[
    "student_id",
    "first_name",
    "last_name",
    "school_year",
    "gender",
    "institution_id",
    "class_id",
    "grade",
    "residence_authority_id",
    "registration_zone",
];

/// An institution's facts the gifted job needs.
#[derive(Debug, Clone)]
pub struct Institution {
    pub name: String,
    pub authority_id: String,
    pub region_id: String,
    pub sector: Sector,
    pub participation: Result<(), NonParticipation>,
}

/// One enrolled student.
/// Texts are small strings (held inline up to 24 bytes: no allocation per field).
#[derive(Debug, Clone, Default)]
pub struct Student {
    pub student_id: Text,
    pub first_name: Text,
    pub last_name: Text,
    pub school_year: i64,
    pub gender: Text,
    pub institution_id: Text,
    pub class_id: Text,
    pub grade: i64,
    pub residence_authority_id: Text,
    pub registration_zone: Option<Text>,
    /// The institution's sector and whether it takes part (from `Roster::institutions`).
    pub sector: Sector,
    pub participating: bool,
    /// The row of `stage_a_scores` that names the student (its last, as the phases read
    /// them), when one does.
    pub stage_a_row: Option<u32>,
}

/// The value of a named ID that no stage A row names (`load`'s `named`).
pub const NO_ROW: u32 = u32::MAX;

/// A student's text field.
pub type Text = PlSmallStr;

pub struct Roster {
    /// Every enrolled student counted by whether their institution takes part (and why not).
    pub participation: BTreeMap<String, i64>,
    /// Participating students enrolled, by (school_year, sector, grade): the cohorts norms
    /// count (gifted.md §3, `population = cohort_enrollment`).
    pub census: BTreeMap<(i64, Sector, i64), u64>,
    pub institutions: FastMap<String, Institution>,
    /// The students the phases named, in `student_id` order.
    pub students: Vec<Student>,
    /// Where each student with an ID of digits is in `students`, by the ID's `digits_key`.
    index: FastMap<u64, u32>,
}

impl Roster {
    pub fn institution(&self, s: &Student) -> &Institution {
        // References are validated: every accepted student's institution exists.
        &self.institutions[s.institution_id.as_str()]
    }

    pub fn student(&self, id: &str) -> Option<&Student> {
        self.position(id).map(|i| &self.students[i])
    }

    /// Where the student `id` is in `students`.
    pub fn position(&self, id: &str) -> Option<usize> {
        match digits_key(id) {
            Some(key) => self.index.get(&key).map(|&i| i as usize),
            // Other IDs (never valid Israeli IDs) are found in the students' id order.
            None => self
                .students
                .binary_search_by(|s| s.student_id.as_str().cmp(id))
                .ok(),
        }
    }

    pub fn participates(&self, s: &Student) -> bool {
        self.institution(s).participation.is_ok()
    }
}

/// Loads institutions, counts every enrolled student (participation, cohorts), and keeps the
/// students `named` by the phases' tables: of a nation's 2.4 million, a few hundred thousand.
/// Each named ID maps to the stage A row that names it (`NO_ROW`: none), kept with the student.
pub fn load(inputs: &InputSet, named: &IdMap<u32>) -> Result<Roster> {
    let missing = |t: &str| Error::Job(format!("table `{t}` was not read"));
    let it = inputs
        .get("institutions")
        .ok_or_else(|| missing("institutions"))?;
    let mut institutions = FastMap::with_capacity(it.df.height());
    let cols = strs(it, "institution_id")?
        .zip(strs(it, "name")?)
        .zip(strs(it, "authority_id")?)
        .zip(strs(it, "region_id")?)
        .zip(strs(it, "sector")?)
        .zip(strs(it, "supervision")?)
        .zip(bools(it, "screening_opt_in")?)
        .zip(bools(it, "screening_opt_out")?);
    for (((((((id, name), auth), region), sector), sup), opt_in), opt_out) in cols {
        let sector = sector.and_then(Sector::parse).unwrap_or(Sector::Hebrew);
        let sup = sup
            .and_then(Supervision::parse)
            .unwrap_or(Supervision::Unrecognized);
        institutions.insert(
            id.unwrap_or_default().to_string(),
            Institution {
                name: name.unwrap_or_default().to_string(),
                authority_id: auth.unwrap_or_default().to_string(),
                region_id: region.unwrap_or_default().to_string(),
                sector,
                participation: institution_participates(
                    sup,
                    opt_in.unwrap_or(false),
                    opt_out.unwrap_or(false),
                ),
            },
        );
    }
    let st = inputs.get("students").ok_or_else(|| missing("students"))?;
    // One pass over the enrolment, in row ranges over the threads: counts per institution and
    // cohort, and the rows to keep.
    let index: PlHashMap<&str, usize> = institutions
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let facts: Vec<(Sector, bool, String)> = institutions
        .values()
        .map(|x| {
            let key = match &x.participation {
                Ok(()) => "taking_part".to_string(),
                Err(np) => format!("{}:{}", np.reason(), np.rule.as_str()),
            };
            (x.sector, x.participation.is_ok(), key)
        })
        .collect();
    // Named students by their IDs' exact digit keys (IDs are validated digit strings), behind
    // a bit filter; any other text is looked up as it is.
    let named_filter = KeyFilter::of(named.digit_keys());
    let column = |name: &str| {
        st.df
            .column(name)
            .map(|c| c.as_materialized_series().clone())
            .map_err(|e| Error::Job(format!("students.{name}: {e}")))
    };
    let (grades, years) = (column("grade")?, column("school_year")?);
    let typed = |e: polars::prelude::PolarsError| Error::Job(format!("students: {e}"));
    let (grades, years) = (grades.i64().map_err(typed)?, years.i64().map_err(typed)?);
    // Validation keeps each row's ID as its digit key when every ID is a digit string (any
    // valid Israeli ID): then the IDs' text is not read here (it may not even be held).
    let row_keys = st.row_keys();
    let ids = match (row_keys, st.text("student_id")) {
        (Some(_), _) => None,
        (None, Ok(TextColumn::Plain(ids))) => Some(ids),
        (None, Ok(TextColumn::Coded(..))) => {
            return Err(Error::Job("students.student_id is coded".into()))
        }
        (None, Err(e)) => return Err(e),
    };
    // A coded roster's institutions are looked up once per distinct value.
    let insts = st.text("institution_id")?;
    let coded_slots: Vec<Option<usize>> = match insts {
        TextColumn::Coded(_, values) => values
            .iter()
            .map(|v| index.get(v.as_str()).copied())
            .collect(),
        TextColumn::Plain(_) => Vec::new(),
    };
    let n = st.df.height();
    let parts: Vec<Pass> = par_row_ranges(n)
        .map(|(start, len)| {
            let (o, l) = (start as i64, len);
            let mut pass = Pass {
                per_institution: vec![0; facts.len()],
                ..Pass::default()
            };
            let mut run: Option<((i64, usize, i64), u64)> = None;
            let keys = row_keys.map(|k| &k[start..start + len]);
            let ids = ids.map(|ids| ids.slice(o, l));
            let grades = grades.slice(o, l);
            let years = years.slice(o, l);
            // Each row's institution: `Some(None)` when it is not one of `institutions`. Codes
            // of the range held in one chunk without missing values are read in place;
            // others are listed first.
            let coded_range = match insts {
                TextColumn::Coded(codes, _) => Some(codes.slice(o, l)),
                TextColumn::Plain(_) => None,
            };
            let in_place = coded_range.as_ref().and_then(|c| c.cont_slice().ok());
            let listed: Vec<Option<Option<usize>>> = match (in_place, insts) {
                (Some(_), _) => Vec::new(),
                (None, TextColumn::Coded(codes, _)) => codes
                    .slice(o, l)
                    .iter()
                    .map(|c| c.map(|c| coded_slots[c as usize]))
                    .collect(),
                (None, TextColumn::Plain(insts)) => {
                    // Rosters come grouped by institution: remember the last lookup.
                    let mut last: Option<(&str, Option<usize>)> = None;
                    insts
                        .slice(o, l)
                        .iter()
                        .map(|inst| {
                            inst.map(|inst| match last {
                                Some((l, k)) if l == inst => k,
                                _ => {
                                    let k = index.get(inst).copied();
                                    last = Some((inst, k));
                                    k
                                }
                            })
                        })
                        .collect()
                }
            };
            let slot_of = |j: usize| match in_place {
                Some(codes) => Some(coded_slots[codes[j] as usize]),
                None => listed[j],
            };
            // Each row's ID: its digit key (validation's, or from its text), or its text.
            let listed_ids: Vec<Option<Id>> = match (keys, &ids) {
                (None, Some(ids)) => (ids.iter())
                    .map(|v| v.map(|v| digits_key(v).map_or(Id::Text(v), Id::Key)))
                    .collect(),
                _ => Vec::new(),
            };
            let id_of = |j: usize| match keys {
                Some(keys) => Some(Id::Key(keys[j])),
                None => listed_ids[j],
            };
            for (j, (grade, year)) in grades.iter().zip(years.iter()).enumerate() {
                let (Some(id), Some(slot), Some(grade), Some(year)) =
                    (id_of(j), slot_of(j), grade, year)
                else {
                    continue;
                };
                let Some(k) = slot else {
                    pass.unknown += 1;
                    continue;
                };
                pass.per_institution[k] += 1;
                if facts[k].1 {
                    // Rows of a cohort come together: counted in a run, added at its end.
                    match &mut run {
                        Some((key, n)) if *key == (year, k, grade) => *n += 1,
                        _ => {
                            if let Some((key, n)) = run.replace(((year, k, grade), 1)) {
                                *pass.cohort.entry(key).or_insert(0) += n;
                            }
                        }
                    }
                }
                let wanted = match id {
                    Id::Key(key) if named_filter.may_hold(key) => named.get_digits(key),
                    Id::Key(_) => None,
                    Id::Text(id) => named.text.get(id),
                };
                if let Some(&row) = wanted {
                    pass.rows.push((start + j) as IdxSize);
                    pass.stage_a.push(row);
                }
            }
            if let Some((key, n)) = run {
                *pass.cohort.entry(key).or_insert(0) += n;
            }
            pass
        })
        .collect();
    drop(index);
    let mut per_institution = vec![0i64; facts.len()];
    let mut cohort: PlHashMap<(i64, usize, i64), u64> = PlHashMap::default();
    let mut rows: Vec<IdxSize> = Vec::new();
    let mut stage_a: Vec<u32> = Vec::new();
    let mut unknown = 0i64;
    for part in parts {
        for (total, n) in per_institution.iter_mut().zip(part.per_institution) {
            *total += n;
        }
        for (key, n) in part.cohort {
            *cohort.entry(key).or_insert(0) += n;
        }
        rows.extend(part.rows);
        stage_a.extend(part.stage_a);
        unknown += part.unknown;
    }
    let mut census: BTreeMap<(i64, Sector, i64), u64> = BTreeMap::new();
    for ((year, k, grade), n) in cohort {
        *census.entry((year, facts[k].0, grade)).or_insert(0) += n;
    }
    let mut participation: BTreeMap<String, i64> = BTreeMap::new();
    for (k, n) in per_institution.into_iter().enumerate() {
        if n > 0 {
            *participation.entry(facts[k].2.clone()).or_insert(0) += n;
        }
    }
    if unknown > 0 {
        participation.insert("institution_unknown".into(), unknown);
    }
    // Gather the kept rows only (a phase keeps a few hundred thousand of 2.4 million), in
    // row order, then put them in student_id order (the order of the phases' outputs).
    let students = students_of(st, &rows, &stage_a, &institutions)?;
    let mut index = FastMap::with_capacity(students.len());
    index.extend(
        students
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((digits_key(&s.student_id)?, i as u32))),
    );
    participation.insert("students".into(), st.df.height() as i64);
    Ok(Roster {
        participation,
        census,
        institutions,
        students,
        index,
    })
}

/// A map keyed by student ID: IDs of digits (every valid Israeli ID) by their exact integer
/// key, in two halves by the key's parity (`build` fills them on two threads), any other text
/// as it is.
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
            None => self.text.get(id),
        }
    }

    /// The value of the ID whose `digits_key` is `key`.
    pub fn get_digits(&self, key: u64) -> Option<&V> {
        self.digits[half(key)].get(&key)
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

/// What one range of the roster pass counted and kept.
#[derive(Default)]
struct Pass {
    per_institution: Vec<i64>,
    cohort: PlHashMap<(i64, usize, i64), u64>,
    rows: Vec<IdxSize>,
    /// Each kept row's stage A row (`NO_ROW`: none).
    stage_a: Vec<u32>,
    unknown: i64,
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
fn walk_text(col: TextColumn, rows: &[IdxSize], mut f: impl FnMut(usize, Option<Text>)) {
    match col {
        TextColumn::Coded(codes, values) => walk(codes, rows, |k, c| {
            f(k, c.map(|c| values[c as usize].clone()))
        }),
        TextColumn::Plain(ca) => walk_arrays(
            ca.downcast_iter(),
            |a| a.len(),
            rows,
            |k, at| f(k, at.and_then(|(a, i)| a.get(i)).map(Text::from)),
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

/// The kept rows of `students` (`rows`, ascending) as `Student`s in student_id order (the
/// order of the phases' outputs), with their institution's sector and participation. The IDs
/// are gathered and sorted first; every other column is then walked in row order, each value
/// written to its student's place.
fn students_of(
    st: &Table,
    rows: &[IdxSize],
    stage_a: &[u32],
    institutions: &FastMap<String, Institution>,
) -> Result<Vec<Student>> {
    let typed = |e: polars::prelude::PolarsError| Error::Job(format!("students: {e}"));
    let ints = |name: &str| {
        st.df
            .column(name)
            .map_err(typed)
            .and_then(|c| c.as_materialized_series().i64().cloned().map_err(typed))
    };
    // The kept rows in student_id order (k: the k-th kept row), with their IDs' text.
    let order = ids_in_order(st, rows)?;
    // place[k]: where the k-th row goes.
    let mut place = vec![0u32; rows.len()];
    let mut sorted_ids: Vec<(Text, Option<u32>)> = Vec::with_capacity(rows.len());
    for (at, (k, id)) in order.into_iter().enumerate() {
        place[k as usize] = at as u32;
        let row = stage_a[k as usize];
        let row = (row != NO_ROW).then_some(row);
        sorted_ids.push((id, row));
    }
    // Every other column is gathered on its own (the columns in parallel), each value put
    // at its student's place; the students are then made in order.
    const TEXTS: [&str; 7] = [
        "first_name",
        "last_name",
        "gender",
        "institution_id",
        "class_id",
        "residence_authority_id",
        "registration_zone",
    ];
    let gather_text = |name: &str| -> Result<Gathered> {
        Ok(match st.text(name)? {
            // Codes (4 bytes a row) are gathered, not the texts they stand for.
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
    };
    let gather_int = |name: &str| -> Result<Vec<i64>> {
        let mut out = vec![0; rows.len()];
        walk(&ints(name)?, rows, |k, v| {
            out[place[k] as usize] = v.unwrap_or_default()
        });
        Ok(out)
    };
    let (texts, (years, grades)) = rayon::join(
        || {
            TEXTS
                .par_iter()
                .map(|name| gather_text(name))
                .collect::<Result<Vec<_>>>()
        },
        || rayon::join(|| gather_int("school_year"), || gather_int("grade")),
    );
    let (texts, years, grades) = (texts?, years?, grades?);
    // The students are made in order over the threads, straight into their vector.
    let students = sorted_ids
        .into_par_iter()
        .zip(years)
        .zip(grades)
        .enumerate()
        .map(|(i, (((student_id, stage_a_row), school_year), grade))| {
            let text = |c: usize| texts[c].get(i);
            let institution_id = text(3).unwrap_or_default();
            let (sector, participating) = institutions
                .get(institution_id.as_str())
                .map_or((Sector::default(), false), |inst| {
                    (inst.sector, inst.participation.is_ok())
                });
            Student {
                student_id,
                first_name: text(0).unwrap_or_default(),
                last_name: text(1).unwrap_or_default(),
                gender: text(2).unwrap_or_default(),
                institution_id,
                class_id: text(4).unwrap_or_default(),
                residence_authority_id: text(5).unwrap_or_default(),
                registration_zone: text(6).filter(|z| !z.is_empty()),
                school_year,
                grade,
                stage_a_row,
                sector,
                participating,
            }
        })
        .collect();
    Ok(students)
}

/// The kept rows (`rows`, ascending) in student_id order, as (k, ID) for the k-th kept row.
/// IDs held as digit keys of one length (as valid IDs written with nine digits are) are in
/// text order when in key order: they are sorted as integers, and written out in that order.
fn ids_in_order(st: &Table, rows: &[IdxSize]) -> Result<Vec<(u32, Text)>> {
    if let Some(keys) = st.row_keys() {
        let mut keyed: Vec<(u64, u32)> = (rows.iter().enumerate())
            .map(|(k, &r)| (keys[r as usize], k as u32))
            .collect();
        if (keyed.windows(2)).all(|w| key_length(w[0].0) == key_length(w[1].0)) {
            keyed.par_sort_unstable();
            return Ok(keyed
                .into_iter()
                .map(|(key, k)| (k, key_text(key)))
                .collect());
        }
    }
    let mut ids: Vec<Text> = Vec::with_capacity(rows.len());
    match st.row_keys() {
        Some(keys) => ids.extend(rows.iter().map(|&r| key_text(keys[r as usize]))),
        None => walk_text(st.text("student_id")?, rows, |_, v| {
            ids.push(v.unwrap_or_default())
        }),
    }
    let mut by_id: Vec<(&str, u32)> = (ids.iter().enumerate())
        .map(|(k, id)| (id.as_str(), k as u32))
        .collect();
    sort_by_text(&mut by_id, |x| x.0, |a, b| a.1.cmp(&b.1));
    let order: Vec<u32> = by_id.into_iter().map(|(_, k)| k).collect();
    Ok(order
        .into_iter()
        .map(|k| (k, std::mem::take(&mut ids[k as usize])))
        .collect())
}

/// A missing value among gathered codes.
const NO_CODE: u32 = u32::MAX;

/// A text column's values at the kept rows (in student order): dictionary codes, or texts.
enum Gathered<'a> {
    Codes(Vec<u32>, &'a [PlSmallStr]),
    Texts(Vec<Option<Text>>),
}

impl Gathered<'_> {
    fn get(&self, i: usize) -> Option<Text> {
        match self {
            Gathered::Codes(codes, values) => {
                let c = codes[i];
                (c != NO_CODE).then(|| values[c as usize].clone())
            }
            Gathered::Texts(texts) => texts[i].clone(),
        }
    }
}

/// A bit per hash of the named keys (512 KiB, cache-resident): most of a roster's 2.4 million
/// IDs are not named, and this answers "surely not" without probing the set.
struct KeyFilter(Vec<u64>);

/// A student ID in the roster pass: its exact digit key, or its text when it is not a digit
/// string.
#[derive(Clone, Copy)]
enum Id<'a> {
    Key(u64),
    Text(&'a str),
}

impl KeyFilter {
    const BITS: u32 = 22;

    fn slot(key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - Self::BITS)) as usize
    }

    fn of(keys: impl IntoIterator<Item = u64>) -> Self {
        let mut bits = vec![0u64; (1 << Self::BITS) / 64];
        for k in keys {
            let s = Self::slot(k);
            bits[s / 64] |= 1 << (s % 64);
        }
        KeyFilter(bits)
    }

    fn may_hold(&self, key: u64) -> bool {
        let s = Self::slot(key);
        self.0[s / 64] & (1 << (s % 64)) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use foldhash::HashSet as FastSet;

    #[test]
    fn id_map_tells_apart_leading_zeros_and_text() {
        let mut m = IdMap::with_capacity(4);
        m.insert("012345678", 1);
        m.insert("12345678", 2);
        m.insert("A-17", 3);
        assert_eq!(m.get("012345678"), Some(&1));
        assert_eq!(m.get("12345678"), Some(&2));
        assert_eq!(m.get("A-17"), Some(&3));
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
    fn roster_finds_students_by_digit_and_text_ids() {
        let mut ids = vec!["0123", "123", "A-1", "B", "999999999", "Z9"];
        ids.sort_unstable();
        let students: Vec<Student> = ids
            .iter()
            .map(|&id| Student {
                student_id: id.into(),
                ..Student::default()
            })
            .collect();
        let index = students
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((digits_key(&s.student_id)?, i as u32)))
            .collect();
        let roster = Roster {
            participation: BTreeMap::new(),
            census: BTreeMap::new(),
            institutions: FastMap::new(),
            students,
            index,
        };
        for id in ids {
            assert_eq!(roster.student(id).map(|s| s.student_id.as_str()), Some(id));
        }
        for id in ["00123", "12", "a-1", "", "Z", "1234567890"] {
            assert!(roster.student(id).is_none(), "{id}");
        }
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
}
