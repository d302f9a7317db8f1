//! Typed settings of `roster-export` (roster-export.md).
use super::source::{typed, PipelineSource};
use super::values::Share;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RosterExport {
    pub job: String,
    pub max_reject_share: Share,
    pub export_stages: Vec<String>,
    pub service_account: String,
}

impl RosterExport {
    pub fn from_source(src: &PipelineSource) -> Result<Self> {
        let s: RosterExport = typed(src)?;
        for st in &s.export_stages {
            if !["elementary", "secondary", "both"].contains(&st.as_str()) {
                return Err(Error::config(
                    "export_stages",
                    src.value_text("export_stages"),
                    format!("lists `{st}`; stages are elementary, secondary, both"),
                ));
            }
        }
        if s.service_account.trim().is_empty() {
            return Err(Error::config(
                "service_account",
                src.value_text("service_account"),
                "must not be empty",
            ));
        }
        Ok(s)
    }
}
