//! Job `roster-export` (roster-export.md; source 000): who may receive an owner's roster, and
//! which rows are theirs. Pure functions; the files are written by `app::roster_export`.
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// `owners.commitment_status` (source 000, steps 3–4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Commitment {
    Approved,
    Pending,
    NeedsFix,
    Rejected,
}

impl Commitment {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approved" => Some(Commitment::Approved),
            "pending" => Some(Commitment::Pending),
            "needs_fix" => Some(Commitment::NeedsFix),
            "rejected" => Some(Commitment::Rejected),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Commitment::Approved => "approved",
            Commitment::Pending => "pending",
            Commitment::NeedsFix => "needs_fix",
            Commitment::Rejected => "rejected",
        }
    }
}

/// One `owners` row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Owner {
    pub owner_id: String,
    pub name: String,
    #[serde(rename = "commitment_status")]
    pub status: Commitment,
    /// `commitment_approved_on`: the commitment counts from that day on.
    #[serde(
        rename = "commitment_approved_on",
        default,
        deserialize_with = "crate::rules::date::optional"
    )]
    pub approved_on: Option<NaiveDate>,
    pub signatory_id: String,
}

impl Owner {
    /// roster-export.md "Who may export": the commitment is `approved` with
    /// `commitment_approved_on` ≤ `today` (an approval dated later does not count yet).
    pub fn commitment_in_force(&self, today: NaiveDate) -> Result<(), Refusal> {
        if self.status != Commitment::Approved {
            return Err(Refusal::CommitmentNotApproved(self.status));
        }
        match self.approved_on {
            Some(day) if day <= today => Ok(()),
            approved_on => Err(Refusal::CommitmentNotYetApproved { approved_on }),
        }
    }
}

/// A permission the owner's signatory granted (source 000, step 5). Rows not granted by the
/// signatory never reach here: validation rejects them (`delegation_not_by_signatory`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Delegation {
    pub owner_id: String,
    pub delegate_id: String,
    #[serde(with = "crate::rules::date")]
    pub valid_from: NaiveDate,
    #[serde(default, deserialize_with = "crate::rules::date::optional")]
    pub valid_to: Option<NaiveDate>,
}

impl Delegation {
    pub fn valid_on(&self, d: NaiveDate) -> bool {
        self.valid_from <= d && self.valid_to.is_none_or(|t| d <= t)
    }
}

/// Who the requester is to the owner when the export is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    Signatory,
    Delegate {
        valid_from: NaiveDate,
        valid_to: Option<NaiveDate>,
    },
    /// The scheduled weekly run (`--all-approved`).
    ServiceAccount,
}

impl Grant {
    pub fn as_str(&self) -> &'static str {
        match self {
            Grant::Signatory => "signatory",
            Grant::Delegate { .. } => "delegate",
            Grant::ServiceAccount => "service_account",
        }
    }
}

/// The condition an export request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    UnknownOwner,
    CommitmentNotApproved(Commitment),
    /// Approved, but dated after the day of the run (or with no date).
    CommitmentNotYetApproved {
        approved_on: Option<NaiveDate>,
    },
    DelegationExpired {
        valid_to: NaiveDate,
    },
    DelegationNotYetValid {
        valid_from: NaiveDate,
    },
    NotAuthorized,
}

impl Refusal {
    /// Short machine-readable name, for the audit log.
    pub fn rule(&self) -> &'static str {
        match self {
            Refusal::UnknownOwner => "unknown_owner",
            Refusal::CommitmentNotApproved(_) => "commitment_not_approved",
            Refusal::CommitmentNotYetApproved { .. } => "commitment_not_yet_approved",
            Refusal::DelegationExpired { .. } => "delegation_expired",
            Refusal::DelegationNotYetValid { .. } => "delegation_not_yet_valid",
            Refusal::NotAuthorized => "requester_not_authorized",
        }
    }

    /// One sentence naming the failed condition, judged on `today`.
    pub fn message(&self, owner: &str, requester: &str, today: NaiveDate) -> String {
        match self {
            Refusal::UnknownOwner => format!("owner {owner} is not in the owners table (or its row was rejected)"),
            Refusal::CommitmentNotApproved(s) => format!(
                "owner {owner}'s data-security commitment is {}, not approved",
                s.as_str()
            ),
            Refusal::CommitmentNotYetApproved { approved_on: Some(day) } => format!(
                "owner {owner}'s data-security commitment is approved as of {day}, after today ({today})"
            ),
            Refusal::CommitmentNotYetApproved { approved_on: None } => format!(
                "owner {owner}'s data-security commitment is approved but has no approval date"
            ),
            Refusal::DelegationExpired { valid_to } => format!(
                "{requester}'s delegation from owner {owner} expired on {valid_to} (today is {today})"
            ),
            Refusal::DelegationNotYetValid { valid_from } => format!(
                "{requester}'s delegation from owner {owner} starts on {valid_from} (today is {today})"
            ),
            Refusal::NotAuthorized => format!(
                "{requester} is neither the signatory of owner {owner} nor holds a delegation of it"
            ),
        }
    }
}

/// roster-export.md "Who may export": allowed only when, on `today` (the day of the run, never
/// the `--as-of` label), the owner's commitment is approved with an approval date on or before
/// today, and the requester is its signatory or holds a delegation valid today.
pub fn authorize(
    owner: Option<&Owner>,
    requester: &str,
    today: NaiveDate,
    delegations: &[Delegation],
) -> Result<Grant, Refusal> {
    let owner = owner.ok_or(Refusal::UnknownOwner)?;
    owner.commitment_in_force(today)?;
    if requester == owner.signatory_id {
        return Ok(Grant::Signatory);
    }
    let mine: Vec<&Delegation> = delegations
        .iter()
        .filter(|d| d.owner_id == owner.owner_id && d.delegate_id == requester)
        .collect();
    if let Some(d) = mine.iter().find(|d| d.valid_on(today)) {
        return Ok(Grant::Delegate {
            valid_from: d.valid_from,
            valid_to: d.valid_to,
        });
    }
    // Say why the nearest delegation does not count.
    if let Some(t) = mine
        .iter()
        .filter_map(|d| d.valid_to.filter(|t| *t < today))
        .max()
    {
        return Err(Refusal::DelegationExpired { valid_to: t });
    }
    if let Some(f) = mine
        .iter()
        .map(|d| d.valid_from)
        .filter(|f| *f > today)
        .min()
    {
        return Err(Refusal::DelegationNotYetValid { valid_from: f });
    }
    Err(Refusal::NotAuthorized)
}

/// The owners whose institutions of `stages` entitle them to an export, each with the
/// positions (in `institutions`) of those institutions. Owners are ordered by id.
pub fn entitled_institutions<'a>(
    institutions: &[(&'a str, &'a str, &'a str)],
    stages: &[String],
) -> BTreeMap<&'a str, Vec<usize>> {
    let mut m: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (_, owner, stage)) in institutions.iter().enumerate() {
        if stages.iter().any(|s| s == stage) {
            m.entry(owner).or_default().push(i);
        }
    }
    m
}

/// Row positions of a table grouped by owner, from each row's key and a key → owners map.
pub fn group_rows<'a>(
    keys: impl Iterator<Item = Option<&'a str>>,
    owners_of: &HashMap<&str, Vec<u32>>,
    n_owners: usize,
) -> Vec<Vec<u32>> {
    let mut groups = vec![Vec::new(); n_owners];
    for (i, k) in keys.enumerate() {
        if let Some(os) = k.and_then(|k| owners_of.get(k)) {
            for &o in os {
                groups[o as usize].push(i as u32);
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn owner(status: Commitment) -> Owner {
        Owner {
            owner_id: "N1".into(),
            name: "רשת".into(),
            status,
            approved_on: Some(d("2026-03-01")),
            signatory_id: "000000018".into(),
        }
    }

    #[test]
    fn an_approval_counts_from_its_day_on() {
        let mut o = owner(Commitment::Approved);
        let ds = delegations();
        assert_eq!(
            authorize(Some(&o), "000000018", d("2026-02-28"), &ds),
            Err(Refusal::CommitmentNotYetApproved {
                approved_on: Some(d("2026-03-01"))
            })
        );
        assert_eq!(
            authorize(Some(&o), "000000018", d("2026-03-01"), &ds),
            Ok(Grant::Signatory)
        );
        o.approved_on = None;
        let r = authorize(Some(&o), "000000018", d("2026-03-01"), &ds).unwrap_err();
        assert_eq!(r.rule(), "commitment_not_yet_approved");
        assert!(r
            .message("N1", "000000018", d("2026-03-01"))
            .contains("no approval date"));
    }

    fn delegations() -> Vec<Delegation> {
        vec![
            Delegation {
                owner_id: "N1".into(),
                delegate_id: "123456782".into(),
                valid_from: d("2026-01-01"),
                valid_to: None,
            },
            Delegation {
                owner_id: "N1".into(),
                delegate_id: "039337423".into(),
                valid_from: d("2025-01-01"),
                valid_to: Some(d("2025-12-31")),
            },
            Delegation {
                owner_id: "N2".into(),
                delegate_id: "020000014".into(),
                valid_from: d("2026-01-01"),
                valid_to: None,
            },
            Delegation {
                owner_id: "N1".into(),
                delegate_id: "020000022".into(),
                valid_from: d("2027-01-01"),
                valid_to: None,
            },
        ]
    }

    #[test]
    fn commitment_must_be_approved() {
        let day = d("2026-11-26");
        for s in [
            Commitment::Pending,
            Commitment::NeedsFix,
            Commitment::Rejected,
        ] {
            let r = authorize(Some(&owner(s)), "000000018", day, &delegations());
            assert_eq!(r, Err(Refusal::CommitmentNotApproved(s)));
            assert!(r
                .unwrap_err()
                .message("N1", "000000018", day)
                .contains(s.as_str()));
        }
    }

    #[test]
    fn signatory_and_valid_delegate_are_allowed() {
        let day = d("2026-11-26");
        let o = owner(Commitment::Approved);
        assert_eq!(
            authorize(Some(&o), "000000018", day, &delegations()),
            Ok(Grant::Signatory)
        );
        assert!(matches!(
            authorize(Some(&o), "123456782", day, &delegations()),
            Ok(Grant::Delegate { .. })
        ));
    }

    #[test]
    fn expired_future_foreign_and_stranger_are_refused() {
        let day = d("2026-11-26");
        let o = owner(Commitment::Approved);
        let ds = delegations();
        assert_eq!(
            authorize(Some(&o), "039337423", day, &ds),
            Err(Refusal::DelegationExpired {
                valid_to: d("2025-12-31")
            })
        );
        assert_eq!(
            authorize(Some(&o), "020000022", day, &ds),
            Err(Refusal::DelegationNotYetValid {
                valid_from: d("2027-01-01")
            })
        );
        // A delegation of another owner does not count.
        assert_eq!(
            authorize(Some(&o), "020000014", day, &ds),
            Err(Refusal::NotAuthorized)
        );
        assert_eq!(
            authorize(Some(&o), "020000030", day, &ds),
            Err(Refusal::NotAuthorized)
        );
        assert_eq!(
            authorize(None, "000000018", day, &ds),
            Err(Refusal::UnknownOwner)
        );
    }

    #[test]
    fn delegation_validity_includes_both_ends() {
        let x = &delegations()[1];
        assert!(x.valid_on(d("2025-01-01")));
        assert!(x.valid_on(d("2025-12-31")));
        assert!(!x.valid_on(d("2026-01-01")));
        assert!(!x.valid_on(d("2024-12-31")));
    }

    #[test]
    fn only_listed_stages_entitle() {
        let inst = [
            ("1", "N1", "secondary"),
            ("2", "N1", "elementary"),
            ("3", "N2", "both"),
            ("4", "N1", "both"),
        ];
        let m = entitled_institutions(&inst, &["secondary".into(), "both".into()]);
        assert_eq!(m["N1"], vec![0, 3]);
        assert_eq!(m["N2"], vec![2]);
        assert_eq!(m.len(), 2);
    }
}
