//! gifted.md §5.3–§5.9 over the whole year: each application's path or reason, each track's
//! ranked candidates, its walk and classes, and its summary. Pure: the facts of each applicant
//! come in as plain values.
use super::candidates::{eligibility, rank_key, with_route, Facts, Path, Reason};
use super::inputs::Track;
use super::paths::{is_exempt, is_graduate, rubric};
use super::read::Read;
use super::routing::{route, Applicant as Routed};
use super::seats::{seats, Seats};
use super::summary::{summarize, TrackSummary};
use super::walk::{walk_track, Decision, Walker};
use super::Params;
use crate::jobs::gifted::placement::{Gender, PlacementStatus, WaitReason};
use crate::jobs::gifted::{Category, Sector};
use crate::rules::fraction::Ratio;
use crate::rules::lottery::lottery_number;
use std::collections::BTreeMap;

/// An applicant's roster facts and test result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applicant {
    pub student_id: String,
    pub grade: i64,
    pub gender: Gender,
    pub sector: Sector,
    pub participating: bool,
    pub residence_authority_id: String,
    pub registration_zone: Option<String>,
    pub requested_track_id: Option<String>,
    pub identified_school_year: Option<i64>,
    /// Category and exact composite of the student's `results` row.
    pub result: Option<(Category, Option<Ratio>)>,
}

/// A row of `application_outcomes` (gifted.md §5.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationOutcome {
    pub student_id: String,
    pub track_id: Option<String>,
    pub path: Option<Path>,
    pub reason: Option<Reason>,
}

/// A ranked candidate of a track and what the walk decided (`confidential/candidates`,
/// `placements`, `interview_invitations`, `waitlist`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ranked {
    pub student_id: String,
    pub track_id: String,
    pub grade: i64,
    pub gender: Gender,
    pub path: Path,
    pub score: Option<Ratio>,
    pub lottery: u64,
    pub rank: u32,
    pub decision: Decision,
}

/// A placement (new or confirmed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    pub student_id: String,
    pub track_id: String,
    pub grade: i64,
    pub class_no: u8,
    pub gender: Gender,
    pub status: PlacementStatus,
    pub confirmed: bool,
}

/// Everything admission decided, each list sorted by its output's keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Admission {
    /// By student_id.
    pub outcomes: Vec<ApplicationOutcome>,
    /// By (track_id, grade, rank).
    pub ranked: Vec<Ranked>,
    /// By (track_id, class_no, student_id).
    pub placements: Vec<Placed>,
    /// By (track_id, grade).
    pub summaries: Vec<TrackSummary>,
}

impl Admission {
    pub fn waitlisted(&self) -> impl Iterator<Item = (&Ranked, WaitReason)> {
        self.ranked.iter().filter_map(|r| match r.decision {
            Decision::Waitlisted(w) => Some((r, w)),
            _ => None,
        })
    }
}

/// A candidate of a track: the applicant, their path and score.
type Candidacy<'a> = (&'a Applicant, Path, Option<Ratio>);

/// gifted.md §5.3 and §5.5: an applicant's eligibility.
fn facts(params: &Params, year: i64, a: &Applicant, read: &Read) -> Facts {
    let history: Vec<_> = read
        .history
        .get(&a.student_id)
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    Facts {
        participating: a.participating,
        grade_tested: params.test_grades.contains(&a.grade),
        exempt: is_exempt(params, year, a.identified_school_year, &history),
        result: a.result,
        graduate: is_graduate(year, &history),
        rubric: read.assessments.get(&a.student_id).map(rubric),
    }
}

/// gifted.md §5.3–§5.9 for the year Y.
pub fn admit(params: &Params, year: i64, applicants: &[Applicant], read: &Read) -> Admission {
    let tracks = &read.tracks;
    let mut out = Admission::default();
    // Candidates per track index: (applicant, path, score).
    let mut per_track: BTreeMap<usize, Vec<Candidacy>> = BTreeMap::new();
    for a in applicants {
        if let Some(track_id) = read.confirmed_track.get(&a.student_id) {
            out.outcomes.push(ApplicationOutcome {
                student_id: a.student_id.clone(),
                track_id: Some(track_id.clone()),
                path: Some(Path::Confirmed),
                reason: None,
            });
            continue;
        }
        let e = eligibility(params, &facts(params, year, a, read));
        let r = route(
            &Routed {
                grade: a.grade,
                sector: a.sector,
                residence_authority_id: &a.residence_authority_id,
                registration_zone: a.registration_zone.as_deref(),
                requested_track_id: a.requested_track_id.as_deref(),
            },
            tracks,
        );
        let (track, e) = with_route(e, r);
        if let (Some(k), Ok((path, score))) = (track, e) {
            per_track.entry(k).or_default().push((a, path, score));
        }
        out.outcomes.push(ApplicationOutcome {
            student_id: a.student_id.clone(),
            track_id: track.map(|k| tracks[k].track_id.clone()),
            path: e.ok().map(|(p, _)| p),
            reason: e.err(),
        });
    }
    out.outcomes.sort_by(|a, b| a.student_id.cmp(&b.student_id));
    for (k, track) in tracks.iter().enumerate() {
        let key = (track.track_id.clone(), track.grade);
        let confirmed = read.confirmed.get(&key).map_or(&[][..], Vec::as_slice);
        let s = seats(track, confirmed);
        let cands = per_track.remove(&k).unwrap_or_default();
        let q = run_track(params, track, &s, confirmed, cands, read, &mut out);
        let n_qualified = out
            .ranked
            .iter()
            .filter(|r| r.track_id == track.track_id && r.grade == track.grade)
            .filter(|r| r.path != Path::Graduate)
            .count() as i64;
        let n_graduates = out
            .ranked
            .iter()
            .filter(|r| r.track_id == track.track_id && r.grade == track.grade)
            .count() as i64
            - n_qualified;
        out.summaries
            .push(summarize(year, track, &s, q, n_qualified, n_graduates));
    }
    out.placements.sort_by(|a, b| {
        (&a.track_id, a.class_no, &a.student_id).cmp(&(&b.track_id, b.class_no, &b.student_id))
    });
    out
}

/// One track: its confirmed placements as given, its candidates ranked (gifted.md §5.6) and
/// walked (§5.7–§5.8). Returns step 1's quotas.
fn run_track(
    params: &Params,
    track: &Track,
    s: &Seats,
    confirmed: &[super::seats::ConfirmedSeat],
    cands: Vec<Candidacy>,
    read: &Read,
    out: &mut Admission,
) -> (i64, i64) {
    for c in confirmed {
        out.placements.push(Placed {
            student_id: c.student_id.clone(),
            track_id: track.track_id.clone(),
            grade: track.grade,
            class_no: c.class_no,
            gender: c.gender,
            status: PlacementStatus::Final,
            confirmed: true,
        });
    }
    let mut ranked: Vec<(&Applicant, Path, Option<Ratio>, u64)> = cands
        .into_iter()
        .map(|(a, p, sc)| {
            (
                a,
                p,
                sc,
                lottery_number(&params.lottery_seed, &a.student_id),
            )
        })
        .collect();
    ranked.sort_by(|x, y| {
        rank_key(x.1, x.2, x.3, &x.0.student_id).cmp(&rank_key(y.1, y.2, y.3, &y.0.student_id))
    });
    let walkers: Vec<Walker> = ranked
        .iter()
        .map(|&(a, path, _, _)| Walker {
            gender: a.gender,
            path,
            interview: read
                .interviews
                .get(&(a.student_id.clone(), track.track_id.clone()))
                .copied(),
        })
        .collect();
    let held = |g: Gender| confirmed.iter().filter(|c| c.gender == g).count() as i64;
    let w = walk_track(
        params.gender_policy,
        s,
        track.n_classes,
        (held(Gender::Female), held(Gender::Male)),
        &walkers,
    );
    for (i, ((a, path, score, lottery), decision)) in
        ranked.into_iter().zip(w.decisions).enumerate()
    {
        if let Decision::Placed { class_no, status } = decision {
            out.placements.push(Placed {
                student_id: a.student_id.clone(),
                track_id: track.track_id.clone(),
                grade: track.grade,
                class_no,
                gender: a.gender,
                status,
                confirmed: false,
            });
        }
        out.ranked.push(Ranked {
            student_id: a.student_id.clone(),
            track_id: track.track_id.clone(),
            grade: track.grade,
            gender: a.gender,
            path,
            score,
            lottery,
            rank: u32::try_from(i + 1).unwrap_or(u32::MAX),
            decision,
        });
    }
    (w.girls_quota, w.boys_quota)
}
