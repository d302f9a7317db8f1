//! Adapted sessions (gifted.md §6.2; 0207 §6.1.יד.1). The students with the outcome
//! `adapted_session` are grouped by (stage, sector of their institution, region,
//! accommodations): students with the same set of kinds share sessions, any other set gets
//! sessions of its own. A group of n students gets s = ceil(n / size) sessions; ordered by
//! student_id, the students are dealt contiguously, the first n mod s sessions taking one
//! student more than the rest (11 → 4, 4, 3; 10 → 5, 5; 6 → 3, 3). A group whose kinds include
//! `separate_room` gets one session per student: a separate room is not shared.
use super::accommodation::{Outcome, Rule};
use super::inputs::SEPARATE_ROOM;
use crate::jobs::gifted::Sector;
use crate::jobs::gifted_requests::Stage;
use std::collections::BTreeMap;

/// What a group of students shares.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Group {
    pub stage: Stage,
    pub sector: Sector,
    pub region_id: String,
    /// The kinds, sorted and `;`-joined.
    pub accommodations: String,
}

impl Group {
    /// A group whose students each sit alone.
    pub fn separate_room(&self) -> bool {
        self.accommodations.split(';').any(|k| k == SEPARATE_ROOM)
    }
}

/// One student's seat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    pub group: Group,
    pub student_id: String,
    /// 1..s within the group.
    pub session_no: usize,
    pub session_size: usize,
}

/// The groups of the `adapted_session` outcomes, each with its students in ID order.
pub fn groups(outcomes: &[Outcome]) -> BTreeMap<Group, Vec<String>> {
    let mut g: BTreeMap<Group, Vec<String>> = BTreeMap::new();
    for o in outcomes.iter().filter(|o| o.rule == Rule::Approved) {
        let key = Group {
            stage: o.stage,
            sector: o.sector,
            region_id: o.region_id.clone(),
            accommodations: o.kinds.join(";"),
        };
        g.entry(key).or_default().push(o.student_id.clone());
    }
    for students in g.values_mut() {
        students.sort();
    }
    g
}

/// The sizes of the sessions of a group of `n` students, at most `size` each (size ≥ 1):
/// ceil(n / size) sessions, the first n mod s one student larger.
pub fn session_sizes(n: usize, size: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let s = n.div_ceil(size.max(1));
    let (base, extra) = (n / s, n % s);
    (0..s).map(|k| base + usize::from(k < extra)).collect()
}

/// Every student's seat, by (stage, sector, region_id, accommodations, session_no,
/// student_id).
pub fn deal(size: usize, groups: &BTreeMap<Group, Vec<String>>) -> Vec<Seat> {
    let mut seats = Vec::new();
    for (group, students) in groups {
        let sizes = if group.separate_room() {
            vec![1; students.len()]
        } else {
            session_sizes(students.len(), size)
        };
        let mut next = students.iter();
        for (k, &n) in sizes.iter().enumerate() {
            for id in next.by_ref().take(n) {
                seats.push(Seat {
                    group: group.clone(),
                    student_id: id.clone(),
                    session_no: k + 1,
                    session_size: n,
                });
            }
        }
    }
    // The output's order, on the texts the table shows (`arabic` before `hebrew`).
    seats.sort_by(|a, b| {
        let key = |s: &Seat| {
            (
                s.group.stage,
                s.group.sector.as_str(),
                s.group.region_id.clone(),
                s.group.accommodations.clone(),
                s.session_no,
                s.student_id.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    seats
}
