//! The fifteen input tables, built from the generated world, columns in schema order.

use polars::prelude::DataFrame;
use rand::Rng;
use rayon::prelude::*;

use super::frames::*;
use super::names::{AR_GRADE, HE_GRADE, REGIONS, SUBJECTS};
use super::org::Org;
use super::people::{Families, Student};
use super::plan::{ClassKind, Sector, Stage, Structure, Supervision};
use super::scores::Scores;
use super::util::{rng_for, stream, Ids};

pub(super) type R = Result<DataFrame, String>;

pub(super) struct World {
    pub seed: u64,
    pub year: i64,
    pub ids: Ids,
    pub st: Structure,
    pub org: Org,
    pub students: Vec<Student>,
    pub student_ids: Vec<String>,
    /// Per authority, in authority order.
    pub families: Vec<Families>,
    pub scores: Vec<Scores>,
}

impl World {
    pub(super) fn sid(&self, counter: u32) -> &str {
        &self.student_ids[counter as usize]
    }
    fn adult_ids<T: Sync>(&self, rows: &[T], f: impl Fn(&T) -> u32 + Sync) -> Vec<String> {
        rows.par_iter().map(|r| self.ids.adult(f(r))).collect()
    }
}

pub(super) fn institutions(w: &World) -> R {
    let insts = &w.st.institutions;
    let auth = |i: &super::plan::Institution| &w.st.authorities[i.authority as usize];
    df(vec![
        s(
            "institution_id",
            insts.iter().map(|i| i.id.as_str()).collect(),
        ),
        s("name", insts.iter().map(|i| i.name.as_str()).collect()),
        s(
            "owner_id",
            insts
                .iter()
                .map(|i| w.org.owners[i.owner as usize].id.as_str())
                .collect(),
        ),
        s(
            "authority_id",
            insts.iter().map(|i| auth(i).id.as_str()).collect(),
        ),
        s(
            "supervision",
            insts.iter().map(|i| i.supervision.as_str()).collect(),
        ),
        s("stage", insts.iter().map(|i| i.stage.as_str()).collect()),
        s("sector", insts.iter().map(|i| i.sector.as_str()).collect()),
        boolean("screening_opt_in", insts.iter().map(|i| i.opt_in).collect()),
        boolean(
            "screening_opt_out",
            insts.iter().map(|i| i.opt_out).collect(),
        ),
        s(
            "region_id",
            insts.iter().map(|i| REGIONS[auth(i).region]).collect(),
        ),
    ])
}

pub(super) fn classes(w: &World) -> R {
    let (mut id, mut inst_id, mut grade, mut kind, mut desc) =
        (vec![], vec![], vec![], vec![], vec![]);
    let (mut n, mut max, mut min) = (vec![], vec![], vec![]);
    for inst in &w.st.institutions {
        for c in &inst.classes {
            id.push(inst.class_id(c));
            inst_id.push(inst.id.as_str());
            grade.push(i64::from(c.grade));
            let g = usize::from(c.grade) - 1;
            let (k, d, hi, lo) = match (c.kind, inst.sector) {
                (ClassKind::Regular, sector) => {
                    let d = (inst.supervision == Supervision::Official).then(|| match sector {
                        Sector::Hebrew => format!("{}{}", HE_GRADE[g], c.no),
                        Sector::Arabic => format!("الصف {} {}", AR_GRADE[g], c.no),
                    });
                    let hi = if c.grade <= 6 { 34 } else { 40 };
                    ("regular", d, hi, 20)
                }
                (ClassKind::SpecialEd, Sector::Hebrew) => {
                    ("special_ed", Some("כיתת חינוך מיוחד".into()), 14, 6)
                }
                (ClassKind::SpecialEd, Sector::Arabic) => {
                    ("special_ed", Some("صف تربية خاصة".into()), 14, 6)
                }
                (ClassKind::Gifted, Sector::Hebrew) => {
                    ("gifted", Some("כיתת מחוננים".into()), 26, 20)
                }
                (ClassKind::Gifted, Sector::Arabic) => {
                    ("gifted", Some("صف الموهوبين".into()), 26, 20)
                }
            };
            kind.push(k);
            desc.push(d);
            n.push(i64::from(c.size));
            max.push(i64::from(c.size).max(hi));
            min.push(lo);
        }
    }
    df(vec![
        s("class_id", id),
        s("institution_id", inst_id),
        int("grade", grade),
        s("class_type", kind),
        so("description", desc),
        int("n_students", n),
        int("max_students", max),
        int("min_students", min),
    ])
}

pub(super) fn students(w: &World) -> R {
    let st = &w.students;
    let class_ids: Vec<Vec<String>> =
        w.st.institutions
            .iter()
            .map(|i| i.classes.iter().map(|c| i.class_id(c)).collect())
            .collect();
    let auth_id = |a: u32| w.st.authorities[a as usize].id.as_str();
    let n = st.len();
    df(vec![
        s(
            "student_id",
            w.student_ids.iter().map(String::as_str).collect(),
        ),
        s("first_name", st.iter().map(|x| x.first).collect()),
        s("last_name", st.iter().map(|x| x.last).collect()),
        int_rep("school_year", w.year, n),
        date("birth_date", st.iter().map(|x| x.birth).collect()),
        s(
            "gender",
            st.iter()
                .map(|x| if x.female { "f" } else { "m" })
                .collect(),
        ),
        s(
            "institution_id",
            st.iter()
                .map(|x| w.st.institutions[x.inst as usize].id.as_str())
                .collect(),
        ),
        s(
            "class_id",
            st.iter()
                .map(|x| class_ids[x.inst as usize][usize::from(x.class)].as_str())
                .collect(),
        ),
        int("grade", st.iter().map(|x| i64::from(x.grade)).collect()),
        s(
            "residence_authority_id",
            st.iter().map(|x| auth_id(x.residence)).collect(),
        ),
        so(
            "registration_zone",
            st.iter()
                .map(|x| x.zone.map(|z| format!("{}-Z{z}", auth_id(x.residence))))
                .collect(),
        ),
        date_opt(
            "immigration_date",
            st.iter().map(|x| x.immigration).collect(),
        ),
        int_opt("years_abroad", st.iter().map(|x| x.years_abroad).collect()),
    ])
}

/// Study tracks (מגמות): 3–8 per secondary institution.
pub(super) fn tracks(w: &World) -> R {
    let (mut code, mut inst_id, mut name, mut desc, mut quota, mut status) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for (i, inst) in w.st.institutions.iter().enumerate() {
        if inst.stage == Stage::Elementary {
            continue;
        }
        let mut rng = rng_for(w.seed, stream::TRACKS, i as u64);
        let k = rng.gen_range(3..=8);
        let mut subjects: Vec<usize> = (0..SUBJECTS.len()).collect();
        rand::seq::SliceRandom::shuffle(subjects.as_mut_slice(), &mut rng);
        subjects.truncate(k);
        subjects.sort_unstable();
        for j in subjects {
            let (c, he, ar) = SUBJECTS[j];
            code.push(c);
            inst_id.push(inst.id.as_str());
            let nm = if inst.sector == Sector::Hebrew {
                he
            } else {
                ar
            };
            name.push(nm);
            desc.push(rng.gen_bool(0.4).then(|| match inst.sector {
                Sector::Hebrew => format!("מגמת {nm} ברמת 5 יחידות לימוד"),
                Sector::Arabic => format!("تخصص {nm} بمستوى 5 وحدات"),
            }));
            quota.push(rng.gen_range(4..=24) * 5);
            status.push(
                ["approved", "pending", "rejected"]
                    [super::util::weighted(&mut rng, &[0.85, 0.1, 0.05])],
            );
        }
    }
    df(vec![
        s("track_code", code),
        s("institution_id", inst_id),
        s("name", name),
        so("description", desc),
        int("requested_quota", quota),
        s("approval_status", status),
    ])
}

pub(super) fn contacts(w: &World) -> R {
    let rows: Vec<&super::people::ContactRow> =
        w.families.iter().flat_map(|f| &f.contacts).collect();
    df(vec![
        s(
            "student_id",
            rows.iter().map(|r| w.sid(r.student)).collect(),
        ),
        s("contact_id", w.adult_ids(&rows, |r| r.adult)),
        s("first_name", rows.iter().map(|r| r.first).collect()),
        s("last_name", rows.iter().map(|r| r.last).collect()),
        s("relation", rows.iter().map(|r| r.relation).collect()),
        boolean(
            "is_legal_guardian",
            rows.iter().map(|r| r.guardian).collect(),
        ),
        boolean(
            "lives_with_student",
            rows.iter().map(|r| r.lives_with).collect(),
        ),
    ])
}

pub(super) fn contact_details(w: &World) -> R {
    let rows: Vec<&super::people::DetailRow> = w.families.iter().flat_map(|f| &f.details).collect();
    df(vec![
        s("contact_id", w.adult_ids(&rows, |r| r.adult)),
        so("phone", rows.iter().map(|r| r.phone.as_deref()).collect()),
        so("email", rows.iter().map(|r| r.email.as_deref()).collect()),
        so("street", rows.iter().map(|r| r.street).collect()),
        so(
            "house_number",
            rows.iter().map(|r| r.house.as_deref()).collect(),
        ),
        so(
            "city",
            rows.iter()
                .map(|r| r.city.map(|a| w.st.authorities[a as usize].city.as_str()))
                .collect(),
        ),
        so("zip", rows.iter().map(|r| r.zip.as_deref()).collect()),
    ])
}

pub(super) fn owners(w: &World) -> R {
    let o = &w.org.owners;
    df(vec![
        s("owner_id", o.iter().map(|x| x.id.as_str()).collect()),
        s("name", o.iter().map(|x| x.name.as_str()).collect()),
        s("commitment_status", o.iter().map(|x| x.status).collect()),
        date_opt(
            "commitment_approved_on",
            o.iter().map(|x| x.approved_on).collect(),
        ),
        s(
            "signatory_id",
            o.iter().map(|x| w.ids.adult(x.signatory)).collect(),
        ),
    ])
}

pub(super) fn delegations(w: &World) -> R {
    let d = &w.org.delegations;
    let owner = |x: &super::org::Delegation| &w.org.owners[x.owner as usize];
    df(vec![
        s("owner_id", d.iter().map(|x| owner(x).id.as_str()).collect()),
        s(
            "delegate_id",
            d.iter().map(|x| w.ids.adult(x.delegate)).collect(),
        ),
        s(
            "granted_by",
            d.iter().map(|x| w.ids.adult(owner(x).signatory)).collect(),
        ),
        date("valid_from", d.iter().map(|x| x.valid_from).collect()),
        date_opt("valid_to", d.iter().map(|x| x.valid_to).collect()),
    ])
}
