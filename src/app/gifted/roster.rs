//! The roster as the gifted phases see it: each student with their institution's sector and
//! whether it takes part (gifted.md §1).
use crate::app::frame::{bools, ints, strs};
use crate::error::{Error, Result};
use crate::jobs::gifted::participation::{institution_participates, NonParticipation, Supervision};
use crate::jobs::gifted::Sector;
use crate::table::InputSet;
use polars::prelude::{PlHashMap, PlHashSet};
use std::collections::{BTreeMap, HashMap};

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
#[derive(Debug, Clone)]
pub struct Student {
    pub student_id: String,
    pub first_name: String,
    pub last_name: String,
    pub school_year: i64,
    pub gender: String,
    pub institution_id: String,
    pub class_id: String,
    pub grade: i64,
    pub residence_authority_id: String,
    pub registration_zone: Option<String>,
}

pub struct Roster {
    /// Every enrolled student counted by whether their institution takes part (and why not).
    pub participation: BTreeMap<String, i64>,
    /// Participating students enrolled, by (school_year, sector, grade): the cohorts norms
    /// count (gifted.md §3, `population = cohort_enrollment`).
    pub census: BTreeMap<(i64, Sector, i64), u64>,
    pub institutions: HashMap<String, Institution>,
    pub students: Vec<Student>,
    pub index: HashMap<String, usize>,
}

impl Roster {
    pub fn institution(&self, s: &Student) -> &Institution {
        // References are validated: every accepted student's institution exists.
        &self.institutions[&s.institution_id]
    }

    pub fn student(&self, id: &str) -> Option<&Student> {
        self.index.get(id).map(|&i| &self.students[i])
    }

    pub fn participates(&self, s: &Student) -> bool {
        self.institution(s).participation.is_ok()
    }
}

/// Loads institutions, counts every enrolled student (participation, cohorts), and keeps the
/// students `named` by the phases' tables: of a nation's 2.4 million, a few hundred thousand.
pub fn load(inputs: &InputSet, named: &PlHashSet<&str>) -> Result<Roster> {
    let missing = |t: &str| Error::Job(format!("table `{t}` was not read"));
    let it = inputs
        .get("institutions")
        .ok_or_else(|| missing("institutions"))?;
    let mut institutions = HashMap::with_capacity(it.df.height());
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
    let mut students = Vec::new();
    // One pass over the enrolment: counts per institution and cohort, and the rows to keep.
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
    let mut per_institution = vec![0i64; facts.len()];
    let mut census: BTreeMap<(i64, Sector, i64), u64> = BTreeMap::new();
    let mut cohort: PlHashMap<(i64, usize, i64), u64> = PlHashMap::default();
    let cols = strs(st, "student_id")?
        .zip(strs(st, "institution_id")?)
        .zip(ints(st, "grade")?)
        .zip(ints(st, "school_year")?)
        .enumerate();
    let mut rows = Vec::new();
    let mut unknown = 0i64;
    // Rosters come grouped by institution: remember the last lookup.
    let mut last: Option<(&str, usize)> = None;
    for (i, (((id, inst), grade), year)) in cols {
        let (Some(id), Some(inst), Some(grade), Some(year)) = (id, inst, grade, year) else {
            continue;
        };
        let k = match last {
            Some((l, k)) if l == inst => k,
            _ => match index.get(inst) {
                Some(&k) => {
                    last = Some((inst, k));
                    k
                }
                None => {
                    unknown += 1;
                    continue;
                }
            },
        };
        per_institution[k] += 1;
        let (_, taking_part, _) = &facts[k];
        if *taking_part {
            *cohort.entry((year, k, grade)).or_insert(0) += 1;
        }
        if named.contains(id) {
            rows.push(i);
        }
    }
    drop(index);
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
    // Gather the kept rows only (a phase keeps a few hundred thousand of 2.4 million).
    let idx = polars::prelude::IdxCa::from_vec(
        "".into(),
        rows.iter()
            .map(|&i| i as polars::prelude::IdxSize)
            .collect(),
    );
    let kept = st
        .df
        .take(&idx)
        .map_err(|e| Error::Job(format!("selecting students: {e}")))?;
    let kept = crate::table::Table {
        df: kept,
        row_numbers: Vec::new(),
        ..st.clone_empty()
    };
    let cols = strs(&kept, "student_id")?
        .zip(strs(&kept, "first_name")?)
        .zip(strs(&kept, "last_name")?)
        .zip(ints(&kept, "school_year")?)
        .zip(strs(&kept, "gender")?)
        .zip(strs(&kept, "institution_id")?)
        .zip(strs(&kept, "class_id")?)
        .zip(ints(&kept, "grade")?)
        .zip(strs(&kept, "residence_authority_id")?)
        .zip(strs(&kept, "registration_zone")?);
    let owned = |v: Option<&str>| v.unwrap_or_default().to_string();
    students.reserve(rows.len());
    for (((((((((id, first), last), year), gender), inst), class), grade), res), zone) in cols {
        students.push(Student {
            student_id: owned(id),
            first_name: owned(first),
            last_name: owned(last),
            school_year: year.unwrap_or_default(),
            gender: owned(gender),
            institution_id: owned(inst),
            class_id: owned(class),
            grade: grade.unwrap_or_default(),
            residence_authority_id: owned(res),
            registration_zone: zone.filter(|z| !z.is_empty()).map(str::to_string),
        });
    }
    let index = students
        .iter()
        .enumerate()
        .map(|(i, s)| (s.student_id.clone(), i))
        .collect();
    participation.insert("students".into(), st.df.height() as i64);
    Ok(Roster {
        participation,
        census,
        institutions,
        students,
        index,
    })
}
