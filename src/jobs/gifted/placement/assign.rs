//! Which track a requester is a candidate of (gifted.md §4 "Candidates", "Two classes";
//! 0207 §2.2.ג, §2.8.ג.3, §2.8.ג.4, §2.8.ד.1), and why a request does not count.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    Assignment, AuditRow, Category, ClassRequest, NotCandidateReason, Outcome, RequestOutcomeRow,
    Rule, Student, Track,
};

/// A gifted student's candidacy in one track (index into the sorted tracks).
#[derive(Clone, Debug)]
pub(super) struct Candidacy<'a> {
    pub student: &'a Student,
    pub track: usize,
    pub resident: bool,
    pub assignment: Assignment,
    pub requested_track_id: String,
}

#[derive(Debug, Default)]
pub(super) struct Assigned<'a> {
    /// Sorted by student_id; at most one per student.
    pub candidates: Vec<Candidacy<'a>>,
    /// Every request's outcome: candidate (of which track) or not, and why not.
    pub outcomes: Vec<RequestOutcomeRow>,
    /// Rows of requests that do not count.
    pub audit: Vec<AuditRow>,
}

fn refusal(
    student_id: &str,
    track_id: &str,
    student: Option<&Student>,
    outcome: Outcome,
    rule: Rule,
    detail: String,
) -> AuditRow {
    AuditRow {
        gender: student.map(|s| s.gender),
        category: student.map(|s| s.category),
        composite: student.and_then(|s| s.composite),
        ..AuditRow::decision(student_id, track_id, outcome, rule, detail)
    }
}

/// A non-resident's request, judged against §2.8.ג.4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Standing {
    /// Track in its second year or later and both authorities approved.
    Eligible,
    FirstYear,
    NoApproval,
    /// No track with that id for the student's next grade.
    Missing,
}

impl Standing {
    /// Why a request of this standing makes no candidate; `track_known`: the requested
    /// track exists for some grade (so the request is of the wrong grade).
    fn reason(self, track_known: bool) -> NotCandidateReason {
        match self {
            Standing::FirstYear => NotCandidateReason::NonResidentFirstYear,
            Standing::NoApproval => NotCandidateReason::NonResidentNoApproval,
            Standing::Missing if track_known => NotCandidateReason::WrongGrade,
            Standing::Eligible | Standing::Missing => NotCandidateReason::NoTrack,
        }
    }

    fn rule(self) -> Rule {
        match self {
            Standing::Eligible => Rule::RequestSuperseded,
            Standing::FirstYear => Rule::NonResidentFirstYear,
            Standing::NoApproval => Rule::NonResidentNoApproval,
            Standing::Missing => Rule::NoTrackForGrade,
        }
    }
}

struct Index<'t> {
    tracks: &'t [&'t Track],
    /// (track_id, grade) → index.
    by_key: BTreeMap<(&'t str, i64), usize>,
    /// (authority_id, grade) → indices sorted by track_id.
    by_authority: BTreeMap<(&'t str, i64), Vec<usize>>,
    /// Every track_id, of any grade.
    ids: BTreeSet<&'t str>,
}

impl<'t> Index<'t> {
    fn new(tracks: &'t [&'t Track]) -> Index<'t> {
        let mut by_key = BTreeMap::new();
        let mut by_authority: BTreeMap<(&str, i64), Vec<usize>> = BTreeMap::new();
        for (k, t) in tracks.iter().enumerate() {
            by_key.insert((t.track_id.as_str(), t.grade), k);
            by_authority
                .entry((t.authority_id.as_str(), t.grade))
                .or_default()
                .push(k);
        }
        Index {
            tracks,
            by_key,
            by_authority,
            ids: tracks.iter().map(|t| t.track_id.as_str()).collect(),
        }
    }
}

/// Requests of one student grouped by this year / other years; this year's sorted by
/// (submitted_on, track_id) with one request per track_id (the earliest).
fn split_requests<'r>(
    s: &Student,
    reqs: &[&'r ClassRequest],
) -> (Vec<&'r ClassRequest>, Vec<&'r ClassRequest>) {
    let (mut now, other): (Vec<&ClassRequest>, Vec<&ClassRequest>) =
        reqs.iter().partition(|r| r.school_year == s.school_year);
    now.sort_by(|a, b| {
        (a.submitted_on, &a.track_id, !a.neighbor_approval).cmp(&(
            b.submitted_on,
            &b.track_id,
            !b.neighbor_approval,
        ))
    });
    let mut seen = BTreeSet::new();
    now.retain(|r| seen.insert(r.track_id.as_str()));
    (now, other)
}

/// 0207 §2.8.ג.3 (gifted.md §4 "Two classes"): a resident of an authority with tracks for the
/// grade is a candidate of its track whatever they requested; with tracks in two schools, the
/// one listing their registration zone, else the one they requested; else `None`: routing is
/// undecided, the authority decides (`routing_undecided`).
fn resident_track(
    s: &Student,
    idx: &Index,
    local: &[usize],
    reqs: &[&ClassRequest],
) -> Option<(usize, Assignment, String)> {
    let requested_local = reqs.iter().find_map(|r| {
        local
            .iter()
            .copied()
            .find(|&k| idx.tracks[k].track_id == r.track_id)
            .map(|k| (k, r.track_id.clone()))
    });
    let first_request = reqs[0].track_id.clone();
    if let [only] = local {
        return Some(match requested_local {
            Some((k, id)) => (k, Assignment::ResidentOwnTrack, id),
            None => (*only, Assignment::ResidentRedirected, first_request),
        });
    }
    if let Some(zone) = &s.registration_zone {
        let by_zone: Vec<usize> = local
            .iter()
            .copied()
            .filter(|&k| idx.tracks[k].registration_zones.contains(zone))
            .collect();
        if let [k] = by_zone[..] {
            let requested = requested_local.map_or(first_request, |(_, id)| id);
            return Some((k, Assignment::ResidentZone, requested));
        }
    }
    requested_local.map(|(k, id)| (k, Assignment::ResidentRequested, id))
}

fn standing(s: &Student, idx: &Index, r: &ClassRequest) -> (Standing, Option<usize>) {
    match idx.by_key.get(&(r.track_id.as_str(), s.grade + 1)) {
        None => (Standing::Missing, None),
        Some(&k) => {
            let t = idx.tracks[k];
            let st = if s.school_year <= t.first_year {
                Standing::FirstYear
            } else if !r.neighbor_approval {
                Standing::NoApproval
            } else {
                Standing::Eligible
            };
            (st, Some(k))
        }
    }
}

fn standing_detail(s: &Student, idx: &Index, r: &ClassRequest, st: Standing) -> String {
    let grade = s.grade + 1;
    let auth = &s.residence_authority_id;
    match st {
        Standing::Missing => format!(
            "authority {auth} has no gifted track for grade {grade}, and track {} has none for grade {grade}",
            r.track_id
        ),
        Standing::FirstYear => format!(
            "non-resident (authority {auth}); track {} opened in {} and results are of {}: non-residents only from the track's second year (0207 §2.8.ג.4)",
            r.track_id, idx.by_key.get(&(r.track_id.as_str(), grade)).map_or(0, |&k| idx.tracks[k].first_year), s.school_year
        ),
        Standing::NoApproval => format!(
            "non-resident (authority {auth}) without the approval of both authorities for track {} (0207 §2.8.ג.4)",
            r.track_id
        ),
        Standing::Eligible => format!(
            "non-resident (authority {auth}), track {} approved by both authorities",
            r.track_id
        ),
    }
}

/// 0207 §2.8.ג.4: a non-resident is a candidate of the earliest requested track that is in its
/// second year or later with both authorities' approval; else not placed, on the earliest
/// request that names a track for their grade (else the earliest request).
fn non_resident<'a>(s: &'a Student, idx: &Index, reqs: &[&ClassRequest], out: &mut Assigned<'a>) {
    let judged: Vec<(&ClassRequest, Standing, Option<usize>)> = reqs
        .iter()
        .map(|r| {
            let (st, k) = standing(s, idx, r);
            (*r, st, k)
        })
        .collect();
    // Eligible first, then ineligible with a track, then missing; earliest within each.
    let chosen = (0..judged.len())
        .min_by_key(|&i| {
            let rank = match judged[i].1 {
                Standing::Eligible => 0,
                Standing::FirstYear | Standing::NoApproval => 1,
                Standing::Missing => 2,
            };
            (rank, i)
        })
        .expect("at least one request");
    let (r, st, k) = judged[chosen];
    // Each request's answer: an eligible one counts for the candidacy (the earliest track);
    // any other says why it makes no candidate.
    let candidacy = match (st, k) {
        (Standing::Eligible, Some(k)) => Some(idx.tracks[k].track_id.as_str()),
        _ => None,
    };
    for &(req, rst, _) in &judged {
        out.outcomes.push(match (rst, candidacy) {
            (Standing::Eligible, Some(track)) => {
                RequestOutcomeRow::candidate(&s.student_id, &req.track_id, track)
            }
            _ => RequestOutcomeRow::not_candidate(
                &s.student_id,
                &req.track_id,
                rst.reason(idx.ids.contains(req.track_id.as_str())),
            ),
        });
    }
    if let (Standing::Eligible, Some(k)) = (st, k) {
        out.candidates.push(Candidacy {
            student: s,
            track: k,
            resident: false,
            assignment: Assignment::NonResidentApproved,
            requested_track_id: r.track_id.clone(),
        });
    } else {
        out.audit.push(refusal(
            &s.student_id,
            &r.track_id,
            Some(s),
            Outcome::NotCandidate,
            st.rule(),
            standing_detail(s, idx, r, st),
        ));
    }
    for (i, &(other, ost, _)) in judged.iter().enumerate() {
        if i == chosen {
            continue;
        }
        let (rule, detail) = if st == Standing::Eligible {
            (
                Rule::RequestSuperseded,
                format!(
                    "the earlier eligible request for track {} counts; {}",
                    r.track_id,
                    standing_detail(s, idx, other, ost)
                ),
            )
        } else {
            (ost.rule(), standing_detail(s, idx, other, ost))
        };
        out.audit.push(refusal(
            &s.student_id,
            &other.track_id,
            Some(s),
            Outcome::NotCandidate,
            rule,
            detail,
        ));
    }
}

/// Every request ends as a candidacy or an audit row, and has its row in `outcomes`: nothing
/// is dropped.
pub(super) fn assign<'a>(
    by_id: &BTreeMap<&str, &'a Student>,
    tracks: &[&Track],
    requests: &[ClassRequest],
    confirmed: &BTreeMap<&str, &str>,
) -> Assigned<'a> {
    let idx = Index::new(tracks);
    let mut per_student: BTreeMap<&str, Vec<&ClassRequest>> = BTreeMap::new();
    for r in requests {
        per_student
            .entry(r.student_id.as_str())
            .or_default()
            .push(r);
    }
    let mut out = Assigned::default();
    for (id, reqs) in per_student {
        // gifted.md §4: a confirmed student keeps their placement and is no candidate.
        if let Some(&track) = confirmed.get(id) {
            let ids: BTreeSet<&str> = reqs.iter().map(|r| r.track_id.as_str()).collect();
            for t in ids {
                out.outcomes
                    .push(RequestOutcomeRow::confirmed(id, t, track));
            }
            continue;
        }
        let Some(&s) = by_id.get(id) else {
            let ids: BTreeSet<&str> = reqs.iter().map(|r| r.track_id.as_str()).collect();
            for t in ids {
                out.outcomes.push(RequestOutcomeRow::not_candidate(
                    id,
                    t,
                    NotCandidateReason::NotGifted,
                ));
                out.audit.push(refusal(
                    id,
                    t,
                    None,
                    Outcome::NotCandidate,
                    Rule::NoResults,
                    "the student has no identification result".into(),
                ));
            }
            continue;
        };
        let (now, other) = split_requests(s, &reqs);
        let other_ids: BTreeSet<(&str, i64)> = other
            .iter()
            .map(|r| (r.track_id.as_str(), r.school_year))
            .collect();
        for (t, year) in other_ids {
            out.audit.push(refusal(
                id,
                t,
                Some(s),
                Outcome::NotCandidate,
                Rule::RequestOtherYear,
                format!(
                    "request of school year {year}; the results are of {}",
                    s.school_year
                ),
            ));
        }
        if now.is_empty() {
            continue;
        }
        if s.category != Category::Gifted {
            for r in &now {
                out.outcomes.push(RequestOutcomeRow::not_candidate(
                    id,
                    &r.track_id,
                    NotCandidateReason::NotGifted,
                ));
                out.audit.push(refusal(
                    id,
                    &r.track_id,
                    Some(s),
                    Outcome::NotCandidate,
                    Rule::NotGifted,
                    format!(
                        "category {}: a gifted class needs category gifted (0207 §2.2.א)",
                        s.category.as_str()
                    ),
                ));
            }
            continue;
        }
        let local = idx
            .by_authority
            .get(&(s.residence_authority_id.as_str(), s.grade + 1))
            .cloned()
            .unwrap_or_default();
        if local.is_empty() {
            non_resident(s, &idx, &now, &mut out);
        } else if let Some((track, assignment, requested_track_id)) =
            resident_track(s, &idx, &local, &now)
        {
            for r in &now {
                let counted = idx.tracks[track].track_id.as_str();
                out.outcomes
                    .push(RequestOutcomeRow::candidate(id, &r.track_id, counted));
            }
            out.candidates.push(Candidacy {
                student: s,
                track,
                resident: true,
                assignment,
                requested_track_id,
            });
        } else {
            let tracks: Vec<&str> = local
                .iter()
                .map(|&k| idx.tracks[k].track_id.as_str())
                .collect();
            for r in &now {
                out.outcomes.push(RequestOutcomeRow::not_candidate(
                    id,
                    &r.track_id,
                    NotCandidateReason::RoutingUndecided,
                ));
                out.audit.push(refusal(
                    id,
                    &r.track_id,
                    Some(s),
                    Outcome::NotCandidate,
                    Rule::RoutingUndecided,
                    format!(
                        "authority {} has tracks {} for grade {}; neither the registration zone nor the request picks one (0207 §2.8.ג.3): the authority decides",
                        s.residence_authority_id,
                        tracks.join(", "),
                        s.grade + 1
                    ),
                ));
            }
        }
    }
    out
}
