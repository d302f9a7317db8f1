//! Who takes part in identification (gifted.md §1; 0207 §1.8, §1.9, §2.1).

use std::fmt;

/// Supervision status of an institution (data-contract.md `institutions.supervision`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Supervision {
    Official,
    RecognizedUnofficial,
    Exempt,
    Unrecognized,
}

impl Supervision {
    pub fn parse(s: &str) -> Option<Supervision> {
        match s {
            "official" => Some(Supervision::Official),
            "recognized_unofficial" => Some(Supervision::RecognizedUnofficial),
            "exempt" => Some(Supervision::Exempt),
            "unrecognized" => Some(Supervision::Unrecognized),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Supervision::Official => "official",
            Supervision::RecognizedUnofficial => "recognized_unofficial",
            Supervision::Exempt => "exempt",
            Supervision::Unrecognized => "unrecognized",
        }
    }
}

/// The rule that kept an institution out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NonParticipationRule {
    /// 0207 §2.1.א.3: an official school approved not to take part (`screening_opt_out`).
    OfficialOptedOut,
    /// 0207 §2.1.ב: a recognized unofficial school takes part only when approved to.
    RecognizedUnofficialNotOptedIn,
    /// 0207 §1.9: exempt institutions do not take part.
    Exempt,
    /// 0207 §1.9: unrecognized institutions do not take part.
    Unrecognized,
}

impl NonParticipationRule {
    /// Machine name of the rule, for reconciliation and audit.
    pub fn as_str(self) -> &'static str {
        match self {
            NonParticipationRule::OfficialOptedOut => "official_opted_out",
            NonParticipationRule::RecognizedUnofficialNotOptedIn => {
                "recognized_unofficial_not_opted_in"
            }
            NonParticipationRule::Exempt => "exempt_institution",
            NonParticipationRule::Unrecognized => "unrecognized_institution",
        }
    }

    /// The section of 0207 the rule comes from.
    pub fn section(self) -> &'static str {
        match self {
            NonParticipationRule::OfficialOptedOut => "0207 §2.1.א.3",
            NonParticipationRule::RecognizedUnofficialNotOptedIn => "0207 §2.1.ב",
            NonParticipationRule::Exempt | NonParticipationRule::Unrecognized => "0207 §1.9",
        }
    }
}

/// An institution that does not take part; its students get no letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonParticipation {
    pub rule: NonParticipationRule,
}

impl NonParticipation {
    /// The reconciliation reason of gifted.md §1.
    pub const REASON: &'static str = "institution_not_participating";

    pub fn reason(&self) -> &'static str {
        Self::REASON
    }
}

impl fmt::Display for NonParticipation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}, {})",
            Self::REASON,
            self.rule.as_str(),
            self.rule.section()
        )
    }
}

/// 0207 §1.9, §2.1 (gifted.md §1): `official` institutions take part unless they opted out
/// (§2.1.א.3); `recognized_unofficial` ones only when they opted in (§2.1.ב); `exempt` and
/// `unrecognized` ones never (§1.9). A missing opt-in/opt-out flag should be passed as `false`.
pub fn institution_participates(
    supervision: Supervision,
    opt_in: bool,
    opt_out: bool,
) -> Result<(), NonParticipation> {
    let rule = match supervision {
        Supervision::Official if !opt_out => return Ok(()),
        Supervision::Official => NonParticipationRule::OfficialOptedOut,
        Supervision::RecognizedUnofficial if opt_in => return Ok(()),
        Supervision::RecognizedUnofficial => NonParticipationRule::RecognizedUnofficialNotOptedIn,
        Supervision::Exempt => NonParticipationRule::Exempt,
        Supervision::Unrecognized => NonParticipationRule::Unrecognized,
    };
    Err(NonParticipation { rule })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(s: Supervision, opt_in: bool, opt_out: bool) -> Option<NonParticipationRule> {
        institution_participates(s, opt_in, opt_out)
            .err()
            .map(|e| e.rule)
    }

    #[test]
    fn official_takes_part_unless_opted_out() {
        assert_eq!(rule(Supervision::Official, false, false), None);
        assert_eq!(rule(Supervision::Official, true, false), None);
        assert_eq!(
            rule(Supervision::Official, false, true),
            Some(NonParticipationRule::OfficialOptedOut)
        );
    }

    #[test]
    fn recognized_unofficial_only_with_opt_in() {
        assert_eq!(
            rule(Supervision::RecognizedUnofficial, false, false),
            Some(NonParticipationRule::RecognizedUnofficialNotOptedIn)
        );
        assert_eq!(rule(Supervision::RecognizedUnofficial, true, false), None);
    }

    #[test]
    fn exempt_and_unrecognized_never() {
        for (opt_in, opt_out) in [(false, false), (true, false), (true, true)] {
            assert_eq!(
                rule(Supervision::Exempt, opt_in, opt_out),
                Some(NonParticipationRule::Exempt)
            );
            assert_eq!(
                rule(Supervision::Unrecognized, opt_in, opt_out),
                Some(NonParticipationRule::Unrecognized)
            );
        }
        let e = institution_participates(Supervision::Exempt, true, false).unwrap_err();
        assert_eq!(e.reason(), "institution_not_participating");
        assert_eq!(
            Supervision::parse("recognized_unofficial"),
            Some(Supervision::RecognizedUnofficial)
        );
        assert_eq!(Supervision::parse("private"), None);
    }
}
