//! The pass over the national roster (gifted.md §1, §3): institutions as typed rows, then every
//! enrolled student counted (participation, cohorts) in row ranges over the threads, and the
//! students the phases name kept — gathered column by column, in student_id order.
use super::{
    census, participation, stage_a_entries, Counted, Institution, Roster, Student, Text, NO_ROW,
};
use crate::error::{Error, Result};
use crate::jobs::gifted::inputs::InstitutionRow;
use crate::jobs::gifted::Sector;
use crate::rules::digit_key::digits_key;
use crate::table::id_index::{
    gather_int, gather_text, ids_in_order, Gathered, Id, IdMap, KeyFilter,
};
use crate::table::par::par_row_ranges;
use crate::table::rows::rows;
use crate::table::types::TextColumn;
use crate::table::{InputSet, Table};
use foldhash::{HashMap as FastMap, HashMapExt};
use polars::prelude::{IdxSize, Int64Chunked, PlHashMap};
use rayon::prelude::*;

/// An integer column of `t`.
fn int_column<'a>(t: &'a Table, name: &str) -> Result<&'a Int64Chunked> {
    t.df.column(name)
        .map_err(|e| Error::Job(format!("column `{name}`: {e}")))?
        .as_materialized_series()
        .i64()
        .map_err(|e| Error::Job(format!("{}.{name}: {e}", t.schema.name)))
}

/// The students named by the phases' tables, each with the stage A row screening reads for
/// them ([`stage_a_entries`]; `NO_ROW`: none), so that screening needs no lookup of its own:
/// the IDs of `stage_a_scores`, then of `referrals`, `stage_b_scores` and `results` (those
/// name a student without giving them a row). The roster keeps only these students.
pub fn named_students(inputs: &InputSet) -> Result<IdMap<'_, u32>> {
    // (ID, value, whether it replaces an earlier value), in the order they are put in the map.
    let mut naming: Vec<(&str, u32, bool)> = Vec::with_capacity(1 << 18);
    if let Some(t) = inputs.get("stage_a_scores") {
        let rows = (t.text("student_id")?.iter())
            .zip(int_column(t, "school_year")?.iter())
            .zip(t.text("status")?.iter())
            .map(|((id, year), status)| (id, year, status));
        stage_a_entries(rows, &mut naming);
    }
    for table in ["referrals", "stage_b_scores", "results"] {
        if let Some(t) = inputs.get(table) {
            for id in t.text("student_id")?.iter().flatten() {
                naming.push((id, NO_ROW, false));
            }
        }
    }
    Ok(IdMap::build(&naming))
}

/// What one range of the roster pass counted and kept.
#[derive(Default)]
struct Pass {
    per_institution: Vec<i64>,
    /// Enrolled students by (school_year, institution, grade).
    cohort: PlHashMap<(i64, usize, i64), u64>,
    rows: Vec<IdxSize>,
    /// Each kept row's stage A row (`NO_ROW`: none).
    stage_a: Vec<u32>,
    unknown: i64,
}

/// Loads institutions, counts every enrolled student (participation, cohorts), and keeps the
/// students `named` by the phases' tables: of a nation's 2.4 million, a few hundred thousand.
/// Each named ID maps to the stage A row that is the student's (`NO_ROW`: none), kept with
/// the student.
pub fn load(inputs: &InputSet, named: &IdMap<u32>) -> Result<Roster> {
    let it = inputs.table("institutions")?;
    let mut institutions = FastMap::with_capacity(it.df.height());
    for row in rows::<InstitutionRow>(it)? {
        let (id, institution) = row.institution();
        institutions.insert(id, institution);
    }
    let st = inputs.table("students")?;
    // One pass over the enrolment, in row ranges over the threads: counts per institution and
    // cohort, and the rows to keep.
    let index: PlHashMap<&str, usize> = institutions
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let facts: Vec<Counted> = institutions.values().map(Counted::of).collect();
    // Named students by their IDs' exact digit keys (IDs are validated digit strings), behind
    // a bit filter; any other text is looked up as it is.
    let named_filter = KeyFilter::of(named.digit_keys());
    let (grades, years) = (int_column(st, "grade")?, int_column(st, "school_year")?);
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
                // Rows of a cohort come together: counted in a run, added at its end. Every
                // enrolled student is counted; `census` keeps those who take part.
                match &mut run {
                    Some((key, n)) if *key == (year, k, grade) => *n += 1,
                    _ => {
                        if let Some((key, n)) = run.replace(((year, k, grade), 1)) {
                            *pass.cohort.entry(key).or_insert(0) += n;
                        }
                    }
                }
                let wanted = match id {
                    Id::Key(key) if named_filter.may_hold(key) => named.get_digits(key),
                    Id::Key(_) => None,
                    Id::Text(id) => named.get_text(id),
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
    let census = census(cohort, &facts);
    let participation = participation(&per_institution, &facts, unknown, n as i64);
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
    Ok(Roster {
        participation,
        census,
        institutions,
        students,
        index,
    })
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
    // The kept rows in student_id order (k: the k-th kept row), with their IDs' text.
    let order = ids_in_order(st, "student_id", rows)?;
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
    let (texts, (years, grades)) = rayon::join(
        || {
            TEXTS
                .par_iter()
                .map(|name| gather_text(st, name, rows, &place))
                .collect::<Result<Vec<Gathered>>>()
        },
        || {
            rayon::join(
                || gather_int(st, "school_year", rows, &place),
                || gather_int(st, "grade", rows, &place),
            )
        },
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
