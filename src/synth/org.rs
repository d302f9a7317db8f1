//! Education owners (with their data-security commitment), delegations, enrichment centers.

use rand::seq::SliceRandom;
use rand::Rng;

use super::names::{ASSOCIATION_STEMS, NETWORKS};
use super::plan::{Authority, Institution, Sector, Stage, Supervision, Track};
use super::util::{rng_for, stream, weighted, SynthRng};

pub(super) const STATUSES: [&str; 4] = ["approved", "pending", "needs_fix", "rejected"];

pub(super) struct Owner {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub approved_on: Option<i32>,
    /// Adult counter of the signatory.
    pub signatory: u32,
}

pub(super) struct Delegation {
    pub owner: u32,
    pub delegate: u32,
    pub valid_from: i32,
    pub valid_to: Option<i32>,
}

pub(super) struct Center {
    pub id: String,
    pub name: String,
    pub sector: Sector,
    pub serves: Vec<u32>,
}

pub(super) struct Org {
    pub owners: Vec<Owner>,
    pub delegations: Vec<Delegation>,
    pub centers: Vec<Center>,
}

fn status(rng: &mut SynthRng, w: &[f64]) -> &'static str {
    STATUSES[weighted(rng, w)]
}

/// Builds owners and assigns `Institution::owner`. `first_adult` is the first adult counter not
/// used by families; `sep1` the first day of the school year.
pub(super) fn build(
    seed: u64,
    auths: &[Authority],
    insts: &mut [Institution],
    tracks: &[Track],
    first_adult: u32,
    sep1: i32,
) -> Org {
    let mut rng = rng_for(seed, stream::OWNERS, 0);
    let n_net = ((NETWORKS.len() as f64 * insts.len() as f64 / 4800.0).round() as usize)
        .clamp(3, NETWORKS.len());
    let n_state = n_net.div_ceil(2);
    let mut owners: Vec<Owner> = Vec::new();
    let mut adult = first_adult;
    let mut new_owner = |owners: &mut Vec<Owner>, name: String, w: &[f64], rng: &mut SynthRng| {
        let st = status(rng, w);
        owners.push(Owner {
            id: format!("OW{:05}", owners.len() + 1),
            name,
            status: st,
            approved_on: (st == "approved").then(|| sep1 - rng.gen_range(20..1100)),
            signatory: adult,
        });
        adult += 1;
        owners.len() as u32 - 1
    };
    for a in auths {
        let city = match a.sector {
            Sector::Hebrew => a.rank < 40,
            Sector::Arabic => a.rank < 12,
        };
        let kind = if city {
            "עיריית"
        } else {
            "מועצה מקומית"
        };
        new_owner(
            &mut owners,
            format!("{kind} {}", a.name_he),
            &[0.88, 0.06, 0.04, 0.02],
            &mut rng,
        );
    }
    let nets: Vec<u32> = NETWORKS[..n_net]
        .iter()
        .map(|n| {
            new_owner(
                &mut owners,
                n.to_string(),
                &[0.9, 0.05, 0.03, 0.02],
                &mut rng,
            )
        })
        .collect();
    let (state_nets, private_nets) = nets.split_at(n_state);
    let private_w = [0.7, 0.14, 0.1, 0.06];
    let mut last_private: Vec<Option<u32>> = vec![None; auths.len()];
    for inst in insts.iter_mut() {
        let a = inst.authority as usize;
        let r: f64 = rng.gen();
        inst.owner = match (inst.supervision, inst.stage) {
            (Supervision::Official, Stage::Elementary) if r < 0.94 => a as u32,
            (Supervision::Official, Stage::Elementary) => *state_nets.choose(&mut rng).unwrap(),
            (Supervision::Official, _) if r < 0.5 => a as u32,
            (Supervision::Official, _) if r < 0.95 => *state_nets.choose(&mut rng).unwrap(),
            _ if inst.supervision != Supervision::Official && r < 0.35 => {
                *private_nets.choose(&mut rng).unwrap()
            }
            _ => match last_private[a] {
                Some(o) if rng.gen_bool(0.3) => o,
                _ => {
                    let stem = ASSOCIATION_STEMS[rng.gen_range(0..ASSOCIATION_STEMS.len())];
                    let o = new_owner(
                        &mut owners,
                        format!("עמותת {stem} {}", auths[a].name_he),
                        &private_w,
                        &mut rng,
                    );
                    last_private[a] = Some(o);
                    o
                }
            },
        };
    }
    // Every status occurs, even in a small nation: the last approved owners (there are many)
    // take the missing ones.
    for st in &STATUSES[1..] {
        if !owners.iter().any(|o| o.status == *st) {
            if let Some(o) = owners.iter_mut().rev().find(|o| o.status == "approved") {
                (o.status, o.approved_on) = (st, None);
            }
        }
    }
    let mut delegations = Vec::new();
    for (o, _) in owners.iter().enumerate() {
        let n = weighted(&mut rng, &[0.25, 0.3, 0.25, 0.12, 0.08]);
        for _ in 0..n {
            let valid_from = sep1 - rng.gen_range(0..1200);
            let valid_to = (!rng.gen_bool(0.35)).then(|| valid_from + rng.gen_range(90..900));
            delegations.push(Delegation {
                owner: o as u32,
                delegate: adult,
                valid_from,
                valid_to,
            });
            adult += 1;
        }
    }
    if let Some(d) = delegations.first_mut() {
        // At least one expired and one open-ended delegation.
        d.valid_to = Some(d.valid_from.min(sep1 - 200) + 100);
        d.valid_from = d.valid_from.min(sep1 - 200);
    }
    if let Some(d) = delegations.last_mut() {
        d.valid_to = None;
    }
    let centers = centers(&mut rng, auths, tracks);
    Org {
        owners,
        delegations,
        centers,
    }
}

/// Centers group the authorities of one sector and region, two to six each; a few authorities
/// (without gifted tracks) are served by no center.
fn centers(rng: &mut SynthRng, auths: &[Authority], tracks: &[Track]) -> Vec<Center> {
    let has_track = |a: usize| tracks.iter().any(|t| t.authority as usize == a);
    let mut pool: Vec<usize> = (0..auths.len()).filter(|&a| !has_track(a)).collect();
    pool.shuffle(rng);
    let n_unserved = ((auths.len() as f64 * 0.05).round() as usize)
        .max(1)
        .min(pool.len());
    let unserved = &pool[..n_unserved];
    let mut out = Vec::new();
    for sector in [Sector::Hebrew, Sector::Arabic] {
        for region in 0..super::names::REGIONS.len() {
            let group: Vec<u32> = (0..auths.len())
                .filter(|&a| {
                    auths[a].sector == sector && auths[a].region == region && !unserved.contains(&a)
                })
                .map(|a| a as u32)
                .collect();
            let mut rest = &group[..];
            while !rest.is_empty() {
                let k = rng.gen_range(2..=6).min(rest.len());
                let (serves, tail) = rest.split_at(k);
                rest = tail;
                let head = &auths[serves[0] as usize];
                let name = match sector {
                    Sector::Hebrew => format!("מרכז העשרה למחוננים {}", head.city),
                    Sector::Arabic => format!("مركز إثراء الموهوبين {}", head.city),
                };
                out.push(Center {
                    id: format!("EC{:03}", out.len() + 1),
                    name,
                    sector,
                    serves: serves.to_vec(),
                });
            }
        }
    }
    out
}
