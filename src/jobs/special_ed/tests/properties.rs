//! Property tests: the totals are the exact sums of the entitlements; the compliance checks
//! never change an entitlement; the same records give the same result.
use super::*;
use crate::jobs::special_ed::outputs::all_totals;
// With min_cell 0 nothing is suppressed: the public rows are the exact totals.
use crate::jobs::special_ed::{compute, Computed};
use proptest::prelude::*;

/// What a meeting's compliance depends on and its entitlement does not.
#[derive(Debug, Clone)]
struct Conduct {
    members: Vec<Role>,
    invitation_days: u64,
    decision_days: Option<u64>,
    referred_day: u64,
    proof: bool,
}

fn conduct() -> impl Strategy<Value = Conduct> {
    (
        proptest::sample::subsequence(Role::ALL.to_vec(), 0..=6),
        0u64..30,
        proptest::option::of(0u64..30),
        0u64..250,
        any::<bool>(),
    )
        .prop_map(
            |(members, invitation_days, decision_days, referred_day, proof)| Conduct {
                members,
                invitation_days,
                decision_days,
                referred_day,
                proof,
            },
        )
}

/// One decision's substance: eligible, level, basket in hundredths, stage, choice, split.
type Substance = (bool, u8, i64, u8, u8, Option<(i64, i64, i64)>);

fn substance() -> impl Strategy<Value = Substance> {
    (
        prop::bool::weighted(0.9),
        1u8..=4,
        0i64..2000,
        0u8..4,
        0u8..4,
        proptest::option::of((0i64..1000, 0i64..1000, 0i64..5000)),
    )
}

const STAGES: [Stage; 4] = [
    Stage::Kindergarten,
    Stage::Elementary,
    Stage::Middle,
    Stage::High,
];

/// One student: authority, disability (0 = other), and their meetings (day of the season,
/// exceptional, the decision, the conduct).
type Student = (u8, u8, Vec<(u16, bool, Substance, Conduct)>);

fn build(students: &[Student], lawful: bool) -> Records {
    let mut recs = Records::default();
    for (i, (authority, disability, meetings)) in students.iter().enumerate() {
        let student = format!("S{i}");
        let mut r = referral();
        r.student_id = student.clone();
        r.authority_id = format!("A{authority}");
        r.institution_id = format!("10000{}", authority % 3);
        r.disability = if *disability == 0 {
            Disability::Other
        } else {
            Disability::Autism
        };
        let first = meetings.first().map(|m| &m.3);
        if let (false, Some(c)) = (lawful, first) {
            r.referred_on = ymd(2026, 9, 1) + chrono::Days::new(c.referred_day);
            r.diagnosis_in_progress_proof_on = c.proof.then(|| ymd(2027, 3, 1));
        }
        recs.referrals.push(r);
        for (j, (day, exceptional, s, c)) in meetings.iter().enumerate() {
            let id = format!("{student}-{j}");
            let mut m = meeting(&id);
            m.student_id = student.clone();
            m.meeting_date = ymd(2026, 10, 1) + chrono::Days::new(u64::from(*day));
            m.exceptional = *exceptional;
            m.invitation_sent_on = m.meeting_date - chrono::Days::new(20);
            m.decision_sent_on = Some(m.meeting_date + chrono::Days::new(3));
            if !lawful {
                m.members_present = c.members.clone();
                m.invitation_sent_on = m.meeting_date - chrono::Days::new(c.invitation_days);
                m.decision_sent_on = c
                    .decision_days
                    .map(|n| m.meeting_date + chrono::Days::new(n));
            }
            let (eligible, level, hundredths, stage, choice, split) = *s;
            let mut d = decision(&id);
            d.eligible = eligible;
            d.functioning_level = eligible.then_some(level);
            d.basket_hours = eligible.then(|| Ratio::new(i128::from(hundredths), 100));
            d.education_stage = STAGES[usize::from(stage)];
            d.parents_choice = [
                Some(Choice::Integration),
                Some(Choice::SpecialClass),
                Some(Choice::SpecialSchool),
                None,
            ][usize::from(choice)];
            d.parents_choice_on = d
                .parents_choice
                .map(|_| m.meeting_date + chrono::Days::new(30));
            d.split = split.map(|(t, th, a)| Split {
                teaching: Ratio::new(i128::from(t), 100),
                therapy: Ratio::new(i128::from(th), 100),
                aide: Ratio::new(i128::from(a), 100),
            });
            recs.meetings.push(m);
            recs.decisions.push(d);
        }
    }
    recs
}

fn students() -> impl Strategy<Value = Vec<Student>> {
    prop::collection::vec(
        (
            0u8..4,
            0u8..2,
            prop::collection::vec(
                (0u16..330, prop::bool::weighted(0.1), substance(), conduct()),
                1..3,
            ),
        ),
        1..40,
    )
}

fn run(recs: &Records) -> Computed {
    compute(&params(), ymd(2027, 9, 1), recs).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn totals_are_the_exact_sums_of_the_entitlements(s in students()) {
        let c = run(&build(&s, false));
        let (by_institution, by_authority) = all_totals(&c.entitlements, 0);
        for (rows, unit) in [(by_institution, 0), (by_authority.iter().map(|p| super::super::totals::Totals {
            implementation_year: p.implementation_year,
            unit: p.unit.clone(),
            n_students: p.n_students.unwrap_or(0),
            n_level: p.n_level.map(|n| n.unwrap_or(0)),
            n_integration: p.n_integration.unwrap_or(0),
            basket_hours: p.basket_hours,
            aide_hours_equivalent: p.aide_hours_equivalent,
            guidance_hours: p.guidance_hours.unwrap_or(Ratio::ZERO),
        }).collect(), 1)] {
            let mut n = 0;
            for t in &rows {
                let mine: Vec<_> = c.entitlements.iter().filter(|e| {
                    e.implementation_year == t.implementation_year
                        && if unit == 0 { e.institution_id == t.unit } else { e.authority_id == t.unit }
                }).collect();
                n += mine.len();
                prop_assert_eq!(t.n_students, mine.len() as i64);
                prop_assert_eq!(t.basket_hours, mine.iter().map(|e| e.basket_hours).sum::<Ratio>());
                prop_assert_eq!(t.aide_hours_equivalent, mine.iter().map(|e| e.aide_hours_equivalent).sum::<Ratio>());
                prop_assert_eq!(t.guidance_hours, mine.iter().map(|e| e.guidance_hours).sum::<Ratio>());
                prop_assert_eq!(t.n_level.iter().sum::<i64>(), t.n_students);
            }
            prop_assert_eq!(n, c.entitlements.len());
        }
    }

    #[test]
    fn violations_never_change_an_entitlement(s in students()) {
        let with = run(&build(&s, false));
        let without = run(&build(&s, true));
        prop_assert_eq!(&with.entitlements, &without.entitlements);
        // The same records give the same result.
        prop_assert_eq!(run(&build(&s, false)), with);
    }
}
