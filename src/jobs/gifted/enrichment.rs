//! Enrichment-center groups (gifted.md §4 "Enrichment centers"; 0207 §2.8.א.2, §2.8.ב,
//! §2.8.ד.3).
//!
//! Every `gifted` student without a `final` class seat is entitled to the gifted program of the
//! center serving their residence authority (the entitlement stands until a class seat is
//! final); every `excellent` student to its excellent program. Students whose authority no
//! center serves are listed in `unserved`. Per center × grade × program the students, ordered
//! by (institution_id, student_id), are dealt into ceil(n / capacity) consecutive groups whose
//! sizes differ by at most one, so schoolmates stay together.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::placement::{Placement, PlacementStatus, Student};
use super::{Category, Sector};

/// Pipeline key `enrichment_group_capacity` (0207 §2.8.א.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrichmentParams {
    pub group_capacity: i64,
}

impl Default for EnrichmentParams {
    fn default() -> Self {
        EnrichmentParams { group_capacity: 18 }
    }
}

/// One `enrichment_centers` row (one per served authority).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrichmentCenter {
    pub center_id: String,
    pub sector: Sector,
    pub serves_authority_id: String,
}

/// One `enrichment_centers` row as read: a center and one authority it serves (a center
/// serving several authorities has a row for each).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct CenterRow {
    pub center_id: String,
    pub name: String,
    pub sector: Sector,
    pub serves_authority_id: String,
}

/// The centers of `rows`, and each center's name (by id; the last row's name wins when rows
/// of one center disagree).
pub fn centers_of(
    rows: Vec<CenterRow>,
) -> (
    Vec<EnrichmentCenter>,
    std::collections::BTreeMap<String, String>,
) {
    let mut names = std::collections::BTreeMap::new();
    let centers = rows
        .into_iter()
        .map(|r| {
            names.insert(r.center_id.clone(), r.name);
            EnrichmentCenter {
                center_id: r.center_id,
                sector: r.sector,
                serves_authority_id: r.serves_authority_id,
            }
        })
        .collect();
    (centers, names)
}

/// `enrichment_groups.program`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Program {
    Gifted,
    Excellent,
}

impl Program {
    pub fn as_str(self) -> &'static str {
        match self {
            Program::Gifted => "gifted",
            Program::Excellent => "excellent",
        }
    }
}

crate::jobs::serialize_as_str!(Program, UnservedReason);

/// A row of `enrichment_groups`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EnrichmentGroupRow {
    pub student_id: String,
    pub center_id: String,
    pub program: Program,
    /// The student's grade in the results' school year.
    pub grade: i64,
    /// 1-based within (center, grade, program).
    pub group_no: u32,
    /// Extra column: the order students are dealt in is (institution_id, student_id).
    pub institution_id: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnservedReason {
    /// No `enrichment_centers` row serves the student's residence authority.
    NoCenterForAuthority,
}

impl UnservedReason {
    pub fn as_str(self) -> &'static str {
        match self {
            UnservedReason::NoCenterForAuthority => "no_center_for_authority",
        }
    }
}

/// A row of `unserved`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct UnservedRow {
    pub student_id: String,
    pub reason: UnservedReason,
    /// Extra columns: the program the student is entitled to and their authority.
    pub program: Program,
    pub residence_authority_id: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnrichmentOutput {
    /// Sorted by (center_id, grade, program, group_no, institution_id, student_id).
    pub groups: Vec<EnrichmentGroupRow>,
    /// Sorted by student_id.
    pub unserved: Vec<UnservedRow>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnrichmentError {
    InvalidParams(String),
    DuplicateStudent(String),
}

impl fmt::Display for EnrichmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnrichmentError::InvalidParams(m) => write!(f, "invalid enrichment parameters: {m}"),
            EnrichmentError::DuplicateStudent(id) => {
                write!(f, "student {id} has two identification results")
            }
        }
    }
}

impl std::error::Error for EnrichmentError {}

/// Sizes of ceil(n / capacity) groups differing by at most one, larger groups first:
/// 37 at capacity 18 → [13, 12, 12]. `capacity` must be ≥ 1.
pub fn group_sizes(n: usize, capacity: usize) -> Vec<usize> {
    assert!(capacity >= 1, "group capacity must be at least 1");
    let k = n.div_ceil(capacity);
    (0..k).map(|i| n / k + usize::from(i < n % k)).collect()
}

/// Which enrichment center serves whom (gifted.md §3 `program_lists`, §4 "Enrichment
/// centers"; 0207 §2.8.ב): the one rule both the identification's program lists and the
/// placement's enrichment groups use.
pub struct ServingCenters<'c> {
    by_authority: BTreeMap<&'c str, Vec<&'c EnrichmentCenter>>,
}

impl<'c> ServingCenters<'c> {
    pub fn new(centers: &'c [EnrichmentCenter]) -> Self {
        let mut by_authority: BTreeMap<&str, Vec<&EnrichmentCenter>> = BTreeMap::new();
        for c in centers {
            by_authority
                .entry(c.serves_authority_id.as_str())
                .or_default()
                .push(c);
        }
        ServingCenters { by_authority }
    }

    /// The center serving `authority` for a student of `sector`: a center of the student's
    /// sector when there is one, else any serving center; the lowest center_id among them
    /// (whatever the order of the rows).
    pub fn center_for(
        &self,
        authority: &str,
        sector: Option<Sector>,
    ) -> Option<&'c EnrichmentCenter> {
        let all = self.by_authority.get(authority)?;
        let lowest = |it: &mut dyn Iterator<Item = &'c EnrichmentCenter>| {
            it.min_by(|a, b| a.center_id.cmp(&b.center_id))
        };
        lowest(&mut all.iter().copied().filter(|c| Some(c.sector) == sector))
            .or_else(|| lowest(&mut all.iter().copied()))
    }
}

/// 0207 §2.8.ב, §2.8.ד.3 (gifted.md §4 "Enrichment centers"): enrichment groups and `unserved`.
/// `placements` are the placement phase's; only `final` ones end the gifted entitlement.
pub fn enrichment_groups(
    params: &EnrichmentParams,
    students: &[Student],
    placements: &[Placement],
    centers: &[EnrichmentCenter],
) -> Result<EnrichmentOutput, EnrichmentError> {
    let capacity = usize::try_from(params.group_capacity)
        .ok()
        .filter(|&c| c >= 1)
        .ok_or_else(|| {
            EnrichmentError::InvalidParams(format!(
                "enrichment_group_capacity = {} must be at least 1",
                params.group_capacity
            ))
        })?;
    let final_seat: BTreeSet<&str> = placements
        .iter()
        .filter(|p| p.status == PlacementStatus::Final)
        .map(|p| p.student_id.as_str())
        .collect();
    let serving = ServingCenters::new(centers);

    let mut seen = BTreeSet::new();
    type GroupKey<'a> = (&'a str, i64, Program);
    let mut members: BTreeMap<GroupKey, Vec<&Student>> = BTreeMap::new();
    let mut out = EnrichmentOutput::default();
    for s in students {
        if !seen.insert(s.student_id.as_str()) {
            return Err(EnrichmentError::DuplicateStudent(s.student_id.clone()));
        }
        let program = match s.category {
            Category::Gifted if !final_seat.contains(s.student_id.as_str()) => Program::Gifted,
            Category::Excellent => Program::Excellent,
            _ => continue,
        };
        match serving.center_for(&s.residence_authority_id, s.sector) {
            Some(c) => members
                .entry((c.center_id.as_str(), s.grade, program))
                .or_default()
                .push(s),
            None => out.unserved.push(UnservedRow {
                student_id: s.student_id.clone(),
                reason: UnservedReason::NoCenterForAuthority,
                program,
                residence_authority_id: s.residence_authority_id.clone(),
            }),
        }
    }
    for ((center_id, grade, program), mut list) in members {
        list.sort_by(|a, b| {
            (&a.institution_id, &a.student_id).cmp(&(&b.institution_id, &b.student_id))
        });
        let mut rest = list.as_slice();
        for (g, size) in group_sizes(rest.len(), capacity).into_iter().enumerate() {
            let (group, tail) = rest.split_at(size);
            rest = tail;
            for s in group {
                out.groups.push(EnrichmentGroupRow {
                    student_id: s.student_id.clone(),
                    center_id: center_id.to_string(),
                    program,
                    grade,
                    group_no: u32::try_from(g + 1).unwrap_or(u32::MAX),
                    institution_id: s.institution_id.clone(),
                });
            }
        }
    }
    out.unserved.sort_by(|a, b| a.student_id.cmp(&b.student_id));
    Ok(out)
}

#[cfg(test)]
#[path = "tests/enrichment_tests.rs"]
mod tests;
