//! The interview-wave walk and the dealing of placed students to a track's classes, shared by
//! `gifted-elementary` (gifted.md §4 "Interview waves", "Two classes"; 0207 §2.8.ד.2) and
//! `gifted-secondary` (gifted.md §5.7, §5.8; 0207 §4.4, §4.6, §4.3).
//!
//! A list is walked in rank order counting committed = placed + invited: a `passed` interview
//! is placed while committed < the list's seats, `failed` and `no_show` wait with that reason,
//! and a candidate without an interview is invited while committed < seats. Which lists there
//! are and how many seats each has is the job's own rule.
use super::placement::{Gender, InterviewOutcome, ListKind};

/// What one list's walk decided for one candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Placed,
    Invited,
    Failed,
    NoShow,
    NoSeat,
}

impl Step {
    pub fn words(self) -> &'static str {
        match self {
            Step::Placed => "interview passed, placed",
            Step::Invited => "not interviewed yet, invited",
            Step::Failed => "interview failed",
            Step::NoShow => "did not come to the interview",
            Step::NoSeat => "no seat left",
        }
    }
}

/// One candidate's turn in one list's walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Walked {
    pub list: ListKind,
    pub rank: u32,
    pub seats: i64,
    pub committed_before: i64,
    pub step: Step,
}

impl Walked {
    pub fn describe(&self) -> String {
        format!(
            "{} list: rank {}, {} seats, {} committed before: {}",
            self.list.as_str(),
            self.rank,
            self.seats,
            self.committed_before,
            self.step.words()
        )
    }
}

/// A list's walk: each member's step, how many it committed and whether an invitation is
/// pending (then the list's placements are provisional).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk {
    pub steps: Vec<(usize, Walked)>,
    pub committed: i64,
    pub pending: bool,
}

impl Walk {
    /// How many of the walk's members `counted` selects were committed (placed or invited).
    pub fn committed_where(&self, counted: impl Fn(usize) -> bool) -> i64 {
        self.steps
            .iter()
            .filter(|(i, w)| matches!(w.step, Step::Placed | Step::Invited) && counted(*i))
            .count() as i64
    }
}

/// gifted.md §4 "Interview waves" (§5.7 for secondary): walk `members` (candidate index, rank
/// in this list) in order over `seats`, counting committed = placed + invited; `interview(i)`
/// is candidate i's outcome, when there is one.
pub fn walk(
    list: ListKind,
    members: &[(usize, u32)],
    seats: i64,
    interview: impl Fn(usize) -> Option<InterviewOutcome>,
) -> Walk {
    let mut committed = 0;
    let mut pending = false;
    let mut steps = Vec::with_capacity(members.len());
    for &(i, rank) in members {
        let committed_before = committed;
        let free = committed < seats;
        let step = match interview(i) {
            Some(InterviewOutcome::Passed) if free => Step::Placed,
            Some(InterviewOutcome::Failed) => Step::Failed,
            Some(InterviewOutcome::NoShow) => Step::NoShow,
            None if free => Step::Invited,
            _ => Step::NoSeat,
        };
        if matches!(step, Step::Placed | Step::Invited) {
            committed += 1;
        }
        pending |= step == Step::Invited;
        steps.push((
            i,
            Walked {
                list,
                rank,
                seats,
                committed_before,
                step,
            },
        ));
    }
    Walk {
        steps,
        committed,
        pending,
    }
}

/// gifted.md §4 "Two classes" (§5.8): the `nth` girl (0-based) goes to class 1 when nth is
/// even and class 2 when odd; the `nth` boy to class 2 when even and class 1 when odd (round
/// robin with that offset for any n_classes).
pub fn class_of(gender: Gender, nth: i64, n_classes: i64) -> u8 {
    let n = n_classes.max(1);
    let k = match gender {
        Gender::Female => nth.rem_euclid(n),
        Gender::Male => (nth + 1).rem_euclid(n),
    };
    u8::try_from(k + 1).unwrap_or(u8::MAX)
}

/// gifted.md §4 "Two classes" (§5.8): the class dealt (`dealt`, 1-based), or, when it is full
/// (`in_class[k]` students held of `capacity`), the next class with room; counted in
/// `in_class`.
pub fn class_with_room(dealt: u8, in_class: &mut [i64], capacity: i64) -> u8 {
    let n = in_class.len();
    let first = usize::from(dealt.max(1)) - 1;
    let k = (0..n)
        .map(|step| (first + step) % n)
        .find(|&k| in_class[k] < capacity)
        .unwrap_or(first % n);
    in_class[k] += 1;
    u8::try_from(k + 1).unwrap_or(u8::MAX)
}

/// gifted.md §4 "Separate lists" and §5.7 "Balanced walk": the seats one gender's list may
/// take when a class full of `full` students already holds `held` of that gender and `seats`
/// are to be given: min(seats, max(0, floor(full/2) − held)).
pub fn balanced_quota(full: i64, held: i64, seats: i64) -> i64 {
    (full.div_euclid(2) - held).max(0).min(seats)
}
