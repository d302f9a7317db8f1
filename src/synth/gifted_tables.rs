//! The gifted-identification tables: scores, referrals, tracks, centers, requests, interviews.

use super::frames::*;
use super::tables::{World, R};

pub(super) fn stage_a_scores(w: &World) -> R {
    let rows: Vec<_> = w.scores.iter().flat_map(|x| &x.stage_a).collect();
    df(vec![
        s(
            "student_id",
            rows.iter().map(|r| w.sid(r.student)).collect(),
        ),
        int_rep("school_year", w.year, rows.len()),
        s("status", rows.iter().map(|r| r.status).collect()),
        int_opt("score", rows.iter().map(|r| r.score).collect()),
    ])
}

pub(super) fn referrals(w: &World) -> R {
    let rows: Vec<_> = w.scores.iter().flat_map(|x| &x.referrals).collect();
    df(vec![
        s(
            "student_id",
            rows.iter().map(|r| w.sid(r.student)).collect(),
        ),
        int_rep("school_year", w.year, rows.len()),
        s("kind", rows.iter().map(|r| r.kind).collect()),
        s("decision", rows.iter().map(|r| r.decision).collect()),
    ])
}

pub(super) fn stage_b_scores(w: &World) -> R {
    let rows: Vec<_> = w.scores.iter().flat_map(|x| &x.stage_b).collect();
    df(vec![
        s(
            "student_id",
            rows.iter().map(|r| w.sid(r.student)).collect(),
        ),
        int_rep("school_year", w.year, rows.len()),
        s("subtest", rows.iter().map(|r| r.subtest).collect()),
        s("status", rows.iter().map(|r| r.status).collect()),
        int_opt("raw_score", rows.iter().map(|r| r.raw).collect()),
        s("session", rows.iter().map(|r| r.session).collect()),
    ])
}

pub(super) fn gifted_tracks(w: &World) -> R {
    let t = &w.st.tracks;
    let auth = |a: u32| &w.st.authorities[a as usize];
    df(vec![
        s("track_id", t.iter().map(|x| x.id.as_str()).collect()),
        s(
            "authority_id",
            t.iter().map(|x| auth(x.authority).id.as_str()).collect(),
        ),
        s(
            "institution_id",
            t.iter()
                .map(|x| w.st.institutions[x.institution as usize].id.as_str())
                .collect(),
        ),
        s("stage", t.iter().map(|_| "elementary").collect()),
        int("grade", t.iter().map(|x| i64::from(x.grade)).collect()),
        int(
            "n_classes",
            t.iter().map(|x| i64::from(x.n_classes)).collect(),
        ),
        int_opt("capacity_per_class", t.iter().map(|x| x.capacity).collect()),
        int("first_year", t.iter().map(|x| x.first_year).collect()),
        so(
            "registration_zones",
            t.iter().map(|x| x.zones_str(auth(x.authority))).collect(),
        ),
        int(
            "grade_class_count",
            t.iter().map(|x| x.grade_class_count).collect(),
        ),
        int(
            "continuing_boys",
            t.iter().map(|x| x.continuing_boys).collect(),
        ),
        int(
            "continuing_girls",
            t.iter().map(|x| x.continuing_girls).collect(),
        ),
        boolean("boarding", t.iter().map(|_| false).collect()),
    ])
}

pub(super) fn enrichment_centers(w: &World) -> R {
    let (mut id, mut name, mut sector, mut serves) = (vec![], vec![], vec![], vec![]);
    for c in &w.org.centers {
        for &a in &c.serves {
            id.push(c.id.as_str());
            name.push(c.name.as_str());
            sector.push(c.sector.as_str());
            serves.push(w.st.authorities[a as usize].id.as_str());
        }
    }
    df(vec![
        s("center_id", id),
        s("name", name),
        s("sector", sector),
        s("serves_authority_id", serves),
    ])
}

pub(super) fn class_requests(w: &World) -> R {
    let rows: Vec<_> = w.scores.iter().flat_map(|x| &x.requests).collect();
    df(vec![
        s(
            "student_id",
            rows.iter().map(|r| w.sid(r.student)).collect(),
        ),
        int_rep("school_year", w.year, rows.len()),
        s(
            "track_id",
            rows.iter()
                .map(|r| w.st.tracks[r.track as usize].id.as_str())
                .collect(),
        ),
        date(
            "submitted_on",
            rows.iter().map(|r| r.submitted_on).collect(),
        ),
        boolean(
            "neighbor_approval",
            rows.iter().map(|r| r.neighbor_approval).collect(),
        ),
    ])
}

pub(super) fn interviews(w: &World) -> R {
    let rows: Vec<_> = w.scores.iter().flat_map(|x| &x.interviews).collect();
    df(vec![
        s(
            "student_id",
            rows.iter().map(|r| w.sid(r.student)).collect(),
        ),
        s(
            "track_id",
            rows.iter()
                .map(|r| w.st.tracks[r.track as usize].id.as_str())
                .collect(),
        ),
        s("outcome", rows.iter().map(|r| r.outcome).collect()),
    ])
}
