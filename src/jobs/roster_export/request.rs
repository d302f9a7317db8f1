//! The request of a `roster-export` run (roster-export.md "Who may export"): one owner on
//! request, or the scheduled weekly run, and the `--as-of` label of the roster snapshot.
use chrono::NaiveDate;

use super::ExportError;
use crate::rules::israeli_id;

/// What is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `--owner O --requested-by P`: one owner, on request.
    One { owner: String, requester: String },
    /// `--all-approved`: the scheduled weekly run for every owner whose commitment is in force.
    AllApproved,
}

impl Request {
    /// A request for `owner` by `requested_by`, read as the requester's Israeli ID in its
    /// 9-digit form, as the owners' table holds it (README "roster-export": `18` and
    /// `000000018` are the same person). A value that is no Israeli ID is kept as given: it
    /// matches no signatory or delegate, so it is refused (and audited) as not authorized.
    pub fn on_request(owner: &str, requested_by: &str) -> Request {
        Request::One {
            owner: owner.to_string(),
            requester: israeli_id::normalized(requested_by)
                .map_or_else(|_| requested_by.to_string(), |id| id.into_owned()),
        }
    }

    /// The `mode` of the audit log and the owners' manifests.
    pub fn mode(&self) -> &'static str {
        match self {
            Request::One { .. } => "on_request",
            Request::AllApproved => "all_approved",
        }
    }

    /// Who asks: the requester, or for the scheduled run the pipeline's `service_account`.
    pub fn requester<'a>(&'a self, service_account: &'a str) -> &'a str {
        match self {
            Request::One { requester, .. } => requester,
            Request::AllApproved => service_account,
        }
    }

    /// The owner of the audit line of a request that failed before any owner was chosen:
    /// the requested owner, or `*` for the scheduled run.
    pub fn audited_owner(&self) -> &str {
        match self {
            Request::One { owner, .. } => owner,
            Request::AllApproved => "*",
        }
    }
}

/// The snapshot date an export is labelled with (roster-export.md "Who may export"): `--as-of`
/// only labels the roster snapshot and never changes who may export; without it the label is
/// `today`, and a date after `today` is a usage error.
pub fn as_of(arg: Option<&str>, today: NaiveDate) -> Result<NaiveDate, ExportError> {
    let Some(s) = arg else { return Ok(today) };
    let d = crate::rules::date::parse_iso(s).ok_or_else(|| ExportError::AsOfNotADate(s.into()))?;
    if d > today {
        return Err(ExportError::AsOfAfterToday { as_of: d, today });
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// roster-export.md "Who may export": `--as-of` is at most today; without it, today.
    #[test]
    fn as_of_labels_a_day_up_to_today() {
        let today = d("2026-12-05");
        assert_eq!(as_of(None, today).unwrap(), today);
        assert_eq!(as_of(Some("2026-12-05"), today).unwrap(), today);
        assert_eq!(as_of(Some("2026-11-01"), today).unwrap(), d("2026-11-01"));
        let e = as_of(Some("2026-12-06"), today).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--as-of 2026-12-06 is after today (2026-12-05); --as-of labels the roster \
             snapshot and cannot be in the future"
        );
        assert!(e.is_usage());
        let e = as_of(Some("2026-13-01"), today).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--as-of 2026-13-01: expected a date YYYY-MM-DD"
        );
        assert!(e.is_usage());
    }

    /// README "roster-export": `--requested-by` is read in its 9-digit form; a value that is
    /// no Israeli ID stays as given (and is then refused as not authorized).
    #[test]
    fn the_requester_is_read_in_its_nine_digit_form() {
        let r = Request::on_request("N1", "18");
        assert_eq!(r.requester("svc"), "000000018");
        assert_eq!(r.mode(), "on_request");
        assert_eq!(r.audited_owner(), "N1");
        assert_eq!(Request::on_request("N1", "12").requester("svc"), "12");
        assert_eq!(Request::AllApproved.requester("svc"), "svc");
        assert_eq!(Request::AllApproved.mode(), "all_approved");
        assert_eq!(Request::AllApproved.audited_owner(), "*");
    }
}
