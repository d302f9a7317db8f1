//! The typed input rows of `roster-export` (roster-export.md "Inputs"): `owners`,
//! `delegations` and the three columns of `institutions` that decide an owner's export, each
//! deserialized from its validated table by `crate::table::rows` (fields matched to columns by
//! name). The large tables (`students`, `contacts`, `contact_details`, `classes`, `tracks`) are
//! read only by their key columns, as they are (see [`super::select::TableKeys`]).
use crate::table::validate::TableNeed;
use chrono::NaiveDate;

/// The tables the job reads, all required (roster-export.md "Inputs").
pub const TABLES: [TableNeed; 8] = [
    TableNeed::new("owners", true),
    TableNeed::new("institutions", true),
    TableNeed::new("classes", true),
    TableNeed::new("students", true),
    TableNeed::new("tracks", true),
    TableNeed::new("contacts", true),
    TableNeed::new("contact_details", true),
    TableNeed::new("delegations", true),
];

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

/// The columns of one `institutions` row that decide whose export it belongs to
/// (roster-export.md "The six files").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
pub struct Institution<'a> {
    pub institution_id: Option<&'a str>,
    pub owner_id: Option<&'a str>,
    pub stage: Option<&'a str>,
}
