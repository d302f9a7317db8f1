//! Students (one RNG per institution) and their families: contacts and contact details (one RNG
//! per authority, since siblings attend different schools of their authority).

use rand::seq::SliceRandom;
use rand::Rng;

use super::names::*;
use super::plan::{Authority, Institution, Sector};
use super::util::{days, normal, pick, rng_for, stream, weighted, SynthRng};

#[derive(Clone, Debug)]
pub(super) struct Student {
    pub inst: u32,
    pub sector: Sector,
    /// Index of the class inside its institution.
    pub class: u16,
    pub grade: u8,
    pub female: bool,
    pub first: &'static str,
    pub last: &'static str,
    pub birth: i32,
    pub residence: u32,
    pub zone: Option<u8>,
    pub immigration: Option<i32>,
    pub years_abroad: Option<i64>,
    /// Latent ability (standard normal), drives stage A and stage B scores.
    pub ability: f32,
}

pub(super) struct ContactRow {
    pub student: u32,
    pub adult: u32,
    pub first: &'static str,
    pub last: &'static str,
    pub relation: &'static str,
    pub guardian: bool,
    pub lives_with: bool,
}

pub(super) struct DetailRow {
    pub adult: u32,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub street: Option<&'static str>,
    pub house: Option<String>,
    /// Authority whose town is the address's city.
    pub city: Option<u32>,
    pub zip: Option<String>,
}

#[derive(Default)]
pub(super) struct Families {
    pub contacts: Vec<ContactRow>,
    pub details: Vec<DetailRow>,
}

/// The students of one institution, class by class (counters follow `first_student`).
pub(super) fn students_of(seed: u64, idx: usize, inst: &Institution, year: i64) -> Vec<Student> {
    let mut rng = rng_for(seed, stream::STUDENTS, idx as u64);
    let y0 = year as i32 - 1;
    let mut out = Vec::with_capacity(inst.n_students as usize);
    for (ci, c) in inst.classes.iter().enumerate() {
        for _ in 0..c.size {
            let female = rng.gen_bool(0.5);
            let first = match (inst.sector, female) {
                (Sector::Hebrew, false) => pick(&mut rng, HE_MALE),
                (Sector::Hebrew, true) => pick(&mut rng, HE_FEMALE),
                (Sector::Arabic, false) => pick(&mut rng, AR_MALE),
                (Sector::Arabic, true) => pick(&mut rng, AR_FEMALE),
            };
            // Aged 5 + grade on 1 September of y0; a few held back or skipped ahead a year.
            let age = i32::from(c.grade) + 5 + [0, 1, -1][weighted(&mut rng, &[0.96, 0.03, 0.01])];
            let birth = days(y0 - age, 9, 1) - rng.gen_range(0..365);
            let imm_p = if inst.sector == Sector::Hebrew {
                0.03
            } else {
                0.002
            };
            let immigration = rng.gen_bool(imm_p).then(|| {
                let lo = birth + 365;
                let hi = days(y0, 8, 31);
                rng.gen_range(lo..hi.max(lo + 1))
            });
            let years_abroad = rng.gen_bool(0.015).then(|| rng.gen_range(1..=8));
            out.push(Student {
                inst: idx as u32,
                sector: inst.sector,
                class: ci as u16,
                grade: c.grade,
                female,
                first,
                last: "",
                birth,
                residence: inst.authority,
                zone: None,
                immigration,
                years_abroad,
                ability: normal(&mut rng) as f32,
            });
        }
    }
    out
}

fn phone(rng: &mut SynthRng) -> String {
    let p = pick(rng, &["050", "052", "053", "054", "055", "058"]);
    let n: u32 = rng.gen_range(2_000_000..10_000_000);
    if rng.gen_bool(0.03) {
        format!("+972-{}-{n}", &p[1..])
    } else {
        format!("{p}-{n}")
    }
}

fn email(rng: &mut SynthRng) -> String {
    format!(
        "{}{}@{}",
        pick(rng, LATIN_HANDLES),
        rng.gen_range(1..9999),
        pick(rng, EMAIL_DOMAINS)
    )
}

struct Address {
    street: &'static str,
    house: String,
    city: u32,
    zip: String,
}

fn address(rng: &mut SynthRng, auths: &[Authority], a: u32) -> Address {
    let auth = &auths[a as usize];
    let street = match auth.sector {
        Sector::Hebrew => pick(rng, HE_STREETS),
        Sector::Arabic => pick(rng, AR_STREETS),
    };
    let mut house = rng.gen_range(1..=120).to_string();
    if auth.sector == Sector::Hebrew && rng.gen_bool(0.05) {
        house.push('א');
    }
    let zip = format!("{:03}{:04}", auth.zip_prefix, rng.gen_range(0..10_000));
    Address {
        street,
        house,
        city: a,
        zip,
    }
}

/// A family contact: adult counter, first and last name, relation, legal guardian, lives with
/// the student.
type Member = (u32, &'static str, &'static str, &'static str, bool, bool);

/// How a family's guardians can be reached.
#[derive(Clone, Copy, PartialEq)]
enum Reach {
    Normal,
    EmailOnly,
    Unreachable,
}

/// Groups the students of one authority (a contiguous slice starting at counter `first`) into
/// families, fills their last names and residence, and writes contacts in student order.
pub(super) fn families(
    seed: u64,
    a: usize,
    auths: &[Authority],
    students: &mut [Student],
    first: u32,
) -> Families {
    let mut rng = rng_for(seed, stream::FAMILIES, a as u64);
    // family of each student, and per family: (members in student order)
    let mut fam_of = vec![u32::MAX; students.len()];
    let mut fam_members: Vec<Vec<u32>> = Vec::new();
    for sector in [Sector::Hebrew, Sector::Arabic] {
        let mut idx: Vec<u32> = (0..students.len() as u32)
            .filter(|&i| students[i as usize].sector == sector)
            .collect();
        idx.shuffle(&mut rng);
        let mut rest = &idx[..];
        while !rest.is_empty() {
            let k = (weighted(&mut rng, &[0.45, 0.35, 0.15, 0.05]) + 1).min(rest.len());
            for &i in &rest[..k] {
                fam_of[i as usize] = fam_members.len() as u32;
            }
            fam_members.push(rest[..k].to_vec());
            rest = &rest[k..];
        }
    }
    let n_fam = fam_members.len() as u32;
    let mut out = Families::default();
    let mut emitted: Vec<Vec<Member>> = vec![Vec::new(); n_fam as usize];
    let mut seen = vec![false; n_fam as usize];
    // Families are drawn in order of their first member, so output order is stable.
    for i in 0..students.len() {
        let f = fam_of[i] as usize;
        if !seen[f] {
            seen[f] = true;
            let sector = students[i].sector;
            let last = match sector {
                Sector::Hebrew => pick(&mut rng, HE_LAST),
                Sector::Arabic => pick(&mut rng, AR_LAST),
            };
            let auth = &auths[a];
            let residence = if rng.gen_bool(0.07) {
                pick(&mut rng, &auth.neighbours)
            } else {
                a as u32
            };
            let zones = auths[residence as usize].zones;
            let zone = (zones > 0 && rng.gen_bool(0.97)).then(|| rng.gen_range(1..=zones));
            // Contacts: adult counters 3·(first + f) + {0, 1, 2}.
            let base = 3 * (first + f as u32);
            let (m_first, f_first) = match sector {
                Sector::Hebrew => (pick(&mut rng, HE_FEMALE), pick(&mut rng, HE_MALE)),
                Sector::Arabic => (pick(&mut rng, AR_FEMALE), pick(&mut rng, AR_MALE)),
            };
            let lasts: &[&'static str] = if sector == Sector::Hebrew {
                HE_LAST
            } else {
                AR_LAST
            };
            let m_last = if rng.gen_bool(0.1) {
                pick(&mut rng, lasts)
            } else {
                last
            };
            let reach = match weighted(&mut rng, &[0.977, 0.02, 0.003]) {
                0 => Reach::Normal,
                1 => Reach::EmailOnly,
                _ => Reach::Unreachable,
            };
            let home = address(&mut rng, auths, residence);
            let mut members = Vec::new();
            match weighted(&mut rng, &[0.94 * 0.872, 0.94 * 0.128, 0.06]) {
                0 => {
                    members.push((base, m_first, m_last, "mother", true, true));
                    members.push((base + 1, f_first, last, "father", true, true));
                }
                1 => {
                    // Guardians living apart: usually the father has his own address.
                    let mother_apart = rng.gen_bool(0.25);
                    members.push((base, m_first, m_last, "mother", true, !mother_apart));
                    members.push((base + 1, f_first, last, "father", true, mother_apart));
                }
                _ => match weighted(&mut rng, &[0.7, 0.2, 0.1]) {
                    0 => members.push((base, m_first, m_last, "mother", true, true)),
                    1 => members.push((base + 1, f_first, last, "father", true, true)),
                    _ => {
                        members.push((base, m_first, pick(&mut rng, lasts), "guardian", true, true))
                    }
                },
            }
            if rng.gen_bool(0.03) {
                let g = if rng.gen_bool(0.5) { m_first } else { f_first };
                members.push((
                    base + 2,
                    g,
                    pick(&mut rng, lasts),
                    "other",
                    false,
                    rng.gen_bool(0.3),
                ));
            }
            for &(adult, _, _, _, guardian, lives_with) in &members {
                let mut d = DetailRow {
                    adult,
                    phone: None,
                    email: None,
                    street: None,
                    house: None,
                    city: None,
                    zip: None,
                };
                if reach == Reach::Unreachable && guardian {
                    d.phone = Some(phone(&mut rng));
                } else {
                    d.phone = rng.gen_bool(0.96).then(|| phone(&mut rng));
                    d.email =
                        (reach == Reach::EmailOnly || rng.gen_bool(0.55)).then(|| email(&mut rng));
                    if reach == Reach::Normal || !guardian {
                        let ad = if lives_with {
                            home_clone(&home)
                        } else {
                            own_address(&mut rng, auths, residence, a)
                        };
                        d.street = Some(ad.street);
                        d.house = Some(ad.house);
                        d.city = Some(ad.city);
                        d.zip = Some(ad.zip);
                    }
                }
                out.details.push(d);
            }
            emitted[f] = members;
            for &j in &fam_members[f] {
                let s = &mut students[j as usize];
                (s.last, s.residence, s.zone) = (last, residence, zone);
            }
        }
        for &(adult, cf, cl, relation, guardian, lives_with) in &emitted[f] {
            out.contacts.push(ContactRow {
                student: first + i as u32,
                adult,
                first: cf,
                last: cl,
                relation,
                guardian,
                lives_with,
            });
        }
    }
    out
}

fn home_clone(h: &Address) -> Address {
    Address {
        street: h.street,
        house: h.house.clone(),
        city: h.city,
        zip: h.zip.clone(),
    }
}

/// The address of a guardian living apart: another street, sometimes another town.
fn own_address(
    rng: &mut SynthRng,
    auths: &[Authority],
    residence: u32,
    school_auth: usize,
) -> Address {
    let town = if rng.gen_bool(0.3) {
        pick(rng, &auths[school_auth].neighbours)
    } else {
        residence
    };
    address(rng, auths, town)
}
