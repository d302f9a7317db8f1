//! Who may receive an owner's roster (roster-export.md "Who may export"; source 000, steps
//! 3–5): the owner's data-security commitment in force on the day of the run, and a requester
//! who is its signatory or holds a delegation valid that day.
use chrono::NaiveDate;

use super::inputs::{Commitment, Delegation, Owner};
use super::request::Request;

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

/// The owners a request exports, each with the grant it is exported under, judged on `today`
/// (roster-export.md "Who may export"): on request, the one owner if [`authorize`] allows it;
/// the scheduled run (`--all-approved`), every owner whose commitment is in force, as the
/// service account, in the order of `owners`.
pub fn grants<'o>(
    request: &Request,
    owners: &'o [Owner],
    delegations: &[Delegation],
    today: NaiveDate,
) -> Result<Vec<(&'o Owner, Grant)>, Refusal> {
    match request {
        Request::One { owner, requester } => {
            let o = owners.iter().find(|x| &x.owner_id == owner);
            let grant = authorize(o, requester, today, delegations)?;
            let o = o.ok_or(Refusal::UnknownOwner)?;
            Ok(vec![(o, grant)])
        }
        Request::AllApproved => Ok(owners
            .iter()
            .filter(|o| o.commitment_in_force(today).is_ok())
            .map(|o| (o, Grant::ServiceAccount))
            .collect()),
    }
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

    /// roster-export.md "Who may export": on request, only the named owner, and only when
    /// authorized; the scheduled run takes every owner whose commitment is in force today
    /// (approved on or before today), as the service account.
    #[test]
    fn a_request_exports_its_owner_and_the_scheduled_run_every_owner_in_force() {
        let day = d("2026-11-26");
        let mut later = owner(Commitment::Approved);
        later.owner_id = "N2".into();
        later.approved_on = Some(d("2026-11-27"));
        let mut pending = owner(Commitment::Pending);
        pending.owner_id = "N3".into();
        let mut today = owner(Commitment::Approved);
        today.owner_id = "N4".into();
        today.approved_on = Some(day);
        let owners = vec![owner(Commitment::Approved), later, pending, today];
        let ds = delegations();
        let all = grants(&Request::AllApproved, &owners, &ds, day).unwrap();
        let ids: Vec<&str> = all.iter().map(|(o, _)| o.owner_id.as_str()).collect();
        assert_eq!(ids, ["N1", "N4"]);
        assert!(all.iter().all(|(_, g)| *g == Grant::ServiceAccount));

        let one = |owner: &str, requester: &str| Request::One {
            owner: owner.into(),
            requester: requester.into(),
        };
        let got = grants(&one("N1", "123456782"), &owners, &ds, day).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0.owner_id, "N1");
        assert_eq!(got[0].1.as_str(), "delegate");
        assert_eq!(
            grants(&one("N2", "000000018"), &owners, &ds, day).unwrap_err(),
            Refusal::CommitmentNotYetApproved {
                approved_on: Some(d("2026-11-27"))
            }
        );
        assert_eq!(
            grants(&one("N9", "000000018"), &owners, &ds, day).unwrap_err(),
            Refusal::UnknownOwner
        );
    }
}
