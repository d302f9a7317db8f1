//! Typed settings of `roster-export` (roster-export.md).
use super::source::{typed, PipelineSource};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RosterExport {
    pub job: String,
    pub max_reject_share: f64,
    pub export_stages: Vec<String>,
    pub service_account: String,
}

impl RosterExport {
    pub fn from_source(src: &PipelineSource) -> Result<Self> {
        let s: RosterExport = typed(src)?;
        if !(0.0..=1.0).contains(&s.max_reject_share) {
            return Err(Error::Config(format!(
                "max_reject_share = {} must be between 0 and 1",
                s.max_reject_share
            )));
        }
        for st in &s.export_stages {
            if !["elementary", "secondary", "both"].contains(&st.as_str()) {
                return Err(Error::Config(format!(
                    "export_stages lists `{st}`; stages are elementary, secondary, both"
                )));
            }
        }
        if s.service_account.trim().is_empty() {
            return Err(Error::Config("service_account must not be empty".into()));
        }
        Ok(s)
    }
}
