//! Typed rows of the gifted job's input tables, read from validated tables by the one shared
//! mechanism (`crate::table::rows`: fields matched to columns by name), and what each row
//! means to the job (data-contract.md `institutions`).
//!
//! The rows of the other tables live beside the step that reads them: `stage_a_scores` and
//! `referrals` in [`super::screening`] ([`super::screening::StageARow`],
//! [`super::screening::ReferralRow`]), the placement tables in [`super::placement`]. The
//! `students` roster is read by its own tuned pass ([`super::roster::load`]), not row by row.
use super::participation::{institution_participates, Supervision};
use super::roster::Institution;
use super::Sector;
use serde::Deserialize;

/// One `institutions` row as the gifted job reads it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct InstitutionRow<'a> {
    pub institution_id: &'a str,
    pub name: &'a str,
    pub authority_id: &'a str,
    pub region_id: &'a str,
    pub sector: Sector,
    pub supervision: Supervision,
    pub screening_opt_in: bool,
    pub screening_opt_out: bool,
}

impl InstitutionRow<'_> {
    /// The institution's ID and facts, with whether it takes part (gifted.md §1; 0207 §1.9,
    /// §2.1: [`institution_participates`]).
    pub fn institution(&self) -> (String, Institution) {
        (
            self.institution_id.to_string(),
            Institution {
                name: self.name.to_string(),
                authority_id: self.authority_id.to_string(),
                region_id: self.region_id.to_string(),
                sector: self.sector,
                participation: institution_participates(
                    self.supervision,
                    self.screening_opt_in,
                    self.screening_opt_out,
                ),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::gifted::participation::NonParticipationRule;

    #[test]
    fn an_institution_row_says_whether_it_takes_part() {
        let row = |supervision, opt_in, opt_out| InstitutionRow {
            institution_id: "410001",
            name: "Ha-Alon",
            authority_id: "A1",
            region_id: "north",
            sector: Sector::Arabic,
            supervision,
            screening_opt_in: opt_in,
            screening_opt_out: opt_out,
        };
        let (id, inst) = row(Supervision::Official, false, false).institution();
        assert_eq!((id.as_str(), inst.name.as_str()), ("410001", "Ha-Alon"));
        assert_eq!(
            (inst.authority_id.as_str(), inst.region_id.as_str()),
            ("A1", "north")
        );
        assert_eq!(inst.sector, Sector::Arabic);
        assert!(inst.participation.is_ok());
        // 0207 §2.1.א.3 and §2.1.ב: the flags are read from their own columns.
        let out = |s, i, o| {
            row(s, i, o)
                .institution()
                .1
                .participation
                .err()
                .map(|e| e.rule)
        };
        assert_eq!(
            out(Supervision::Official, false, true),
            Some(NonParticipationRule::OfficialOptedOut)
        );
        assert_eq!(out(Supervision::RecognizedUnofficial, true, false), None);
        assert_eq!(
            out(Supervision::RecognizedUnofficial, false, true),
            Some(NonParticipationRule::RecognizedUnofficialNotOptedIn)
        );
    }
}
