//! Gifted identification data of one authority: stage A, referrals, stage B, class requests and
//! interviews. One RNG per authority.

use rand::Rng;

use super::people::Student;
use super::plan::{Institution, Track};
use super::util::{days, normal, pick, rng_for, stream, weighted, SynthRng};

pub(super) const SUBTESTS: [&str; 3] = ["math", "verbal", "figural"];

pub(super) struct StageA {
    pub student: u32,
    pub status: &'static str,
    pub score: Option<i64>,
}

pub(super) struct Referral {
    pub student: u32,
    pub kind: &'static str,
    pub decision: &'static str,
}

pub(super) struct StageB {
    pub student: u32,
    pub subtest: &'static str,
    pub status: &'static str,
    pub raw: Option<i64>,
    pub session: &'static str,
}

pub(super) struct Request {
    pub student: u32,
    pub track: u32,
    pub submitted_on: i32,
    pub neighbor_approval: bool,
}

pub(super) struct Interview {
    pub student: u32,
    pub track: u32,
    pub outcome: &'static str,
}

#[derive(Default)]
pub(super) struct Scores {
    pub stage_a: Vec<StageA>,
    pub referrals: Vec<Referral>,
    pub stage_b: Vec<StageB>,
    pub requests: Vec<Request>,
    pub interviews: Vec<Interview>,
}

/// Context shared by every authority.
pub(super) struct Ctx<'a> {
    pub seed: u64,
    pub year: i64,
    pub insts: &'a [Institution],
    pub tracks: &'a [Track],
    /// Neighbours of each authority.
    pub neighbours: Vec<&'a [u32]>,
    /// Authority that gets one referral of each decision, so every case exists at any scale.
    pub showcase: usize,
}

/// `students` is the authority's slice, starting at counter `first`; `insts` the range of its
/// institutions.
pub(super) fn scores(
    ctx: &Ctx,
    a: usize,
    insts: std::ops::Range<usize>,
    students: &[Student],
    first: u32,
) -> Scores {
    let mut rng = rng_for(ctx.seed, stream::SCORES, a as u64);
    let mut out = Scores::default();
    let mut start = 0usize;
    let mut forced = if a == ctx.showcase {
        vec![
            ("appeal", "pending"),
            ("principal", "rejected"),
            ("appeal", "approved"),
            ("principal", "approved"),
        ]
    } else {
        Vec::new()
    };
    for i in insts {
        let inst = &ctx.insts[i];
        let n = inst.n_students as usize;
        let local = &students[start..start + n];
        let offset = first + start as u32;
        start += n;
        if !inst.participates() {
            continue;
        }
        let g = inst.sector.tested_grade();
        let mut k = 0usize;
        while k < local.len() {
            let mut e = k;
            while e < local.len() && local[e].class == local[k].class {
                e += 1;
            }
            if local[k].grade == g {
                let cls = &local[k..e];
                class_scores(ctx, &mut rng, cls, offset + k as u32, &mut forced, &mut out);
            }
            k = e;
        }
    }
    out
}

fn class_scores(
    ctx: &Ctx,
    rng: &mut SynthRng,
    class: &[Student],
    first: u32,
    forced: &mut Vec<(&'static str, &'static str)>,
    out: &mut Scores,
) {
    let mut tested = Vec::new();
    let mut statuses = Vec::with_capacity(class.len());
    for (j, s) in class.iter().enumerate() {
        let status = ["tested", "absent", "opted_out"][weighted(rng, &[0.95, 0.04, 0.01])];
        let score = (status == "tested").then(|| {
            let x = 500.0 + 160.0 * (0.85 * f64::from(s.ability) + 0.53 * normal(rng));
            (x.round() as i64).clamp(0, 1000)
        });
        if let Some(sc) = score {
            tested.push(sc);
        }
        statuses.push(status);
        out.stage_a.push(StageA {
            student: first + j as u32,
            status,
            score,
        });
    }
    // Referred by score: the top 15% of the class, ties at the boundary included.
    tested.sort_unstable_by(|a, b| b.cmp(a));
    let cut =
        (!tested.is_empty()).then(|| tested[(tested.len() as f64 * 0.15).ceil() as usize - 1]);
    for (j, s) in class.iter().enumerate() {
        let by_score = matches!((out.stage_a[out.stage_a.len() - class.len() + j].score, cut), (Some(x), Some(c)) if x >= c);
        let mut invited = by_score;
        if !by_score && statuses[j] != "opted_out" && (!forced.is_empty() || rng.gen_bool(0.012)) {
            let (kind, decision) = forced.pop().unwrap_or_else(|| {
                let kind = if rng.gen_bool(0.75) {
                    "principal"
                } else {
                    "appeal"
                };
                (
                    kind,
                    ["approved", "rejected", "pending"][weighted(rng, &[0.6, 0.25, 0.15])],
                )
            });
            out.referrals.push(Referral {
                student: first + j as u32,
                kind,
                decision,
            });
            invited = decision == "approved";
        }
        if invited && rng.gen_bool(0.97) {
            stage_b(ctx, rng, s, first + j as u32, out);
        }
    }
}

fn stage_b(ctx: &Ctx, rng: &mut SynthRng, s: &Student, id: u32, out: &mut Scores) {
    let session = match weighted(rng, &[0.94, 0.04, 0.02]) {
        0 if s.immigration.is_some() && rng.gen_bool(0.5) => "language",
        0 => "regular",
        1 => "adapted",
        _ => "language",
    };
    // 0: all completed; 1: absent from all; 2: absent from one; 3: removed during one.
    let case = weighted(rng, &[0.968, 0.02, 0.01, 0.002]);
    let odd = rng.gen_range(0..3);
    let mut completed = true;
    for (k, subtest) in SUBTESTS.iter().enumerate() {
        let status = match case {
            1 => "absent",
            2 if k == odd => "absent",
            3 if k == odd => "removed_for_conduct",
            _ => "completed",
        };
        completed &= status == "completed";
        let raw = (status == "completed").then(|| {
            let x = 30.0 + 10.0 * (0.75 * f64::from(s.ability) + 0.66 * normal(rng));
            (x.round() as i64).clamp(0, 60)
        });
        out.stage_b.push(StageB {
            student: id,
            subtest,
            status,
            raw,
            session,
        });
    }
    let p = if s.ability >= 1.55 { 0.85 } else { 0.08 };
    if completed && rng.gen_bool(p) {
        request(ctx, rng, s, id, out);
    }
}

fn request(ctx: &Ctx, rng: &mut SynthRng, s: &Student, id: u32, out: &mut Scores) {
    let grade = s.grade + 1;
    let of = |a: u32| -> Vec<u32> {
        (0..ctx.tracks.len() as u32)
            .filter(|&t| {
                ctx.tracks[t as usize].authority == a && ctx.tracks[t as usize].grade == grade
            })
            .collect()
    };
    let own = of(s.residence);
    let elsewhere = || -> Vec<u32> {
        let near: Vec<u32> = ctx.neighbours[s.residence as usize]
            .iter()
            .flat_map(|&a| of(a))
            .collect();
        if !near.is_empty() {
            return near;
        }
        (0..ctx.tracks.len() as u32)
            .filter(|&t| {
                ctx.tracks[t as usize].authority != s.residence
                    && ctx.tracks[t as usize].grade == grade
            })
            .collect()
    };
    let submitted_on = days(ctx.year as i32, 6, 1) + rng.gen_range(0..45);
    let (requested, effective, neighbor_approval) = if !own.is_empty() {
        let by_zone = own.iter().copied().find(|&t| {
            s.zone
                .is_some_and(|z| ctx.tracks[t as usize].zones.contains(&z))
        });
        let effective = match by_zone {
            Some(t) if rng.gen_bool(0.85) => t,
            _ => pick(rng, &own),
        };
        let other = elsewhere();
        if !other.is_empty() && rng.gen_bool(0.05) {
            (pick(rng, &other), effective, false)
        } else {
            (effective, effective, false)
        }
    } else {
        let other = elsewhere();
        if other.is_empty() || !rng.gen_bool(0.35) {
            return;
        }
        let t = pick(rng, &other);
        (t, t, rng.gen_bool(0.3))
    };
    out.requests.push(Request {
        student: id,
        track: requested,
        submitted_on,
        neighbor_approval,
    });
    if rng.gen_bool(0.6) {
        let outcome = ["passed", "failed", "no_show"][weighted(rng, &[0.8, 0.12, 0.08])];
        out.interviews.push(Interview {
            student: id,
            track: effective,
            outcome,
        });
    }
}
