//! Typed settings of `research-export` (docs/research-export.md).
use super::source::{typed, PipelineSource};
use super::values::Share;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResearchExport {
    pub job: String,
    pub max_reject_share: Share,
    /// Smallest published count of `aggregates/` (§5).
    pub min_cell: u64,
}

impl ResearchExport {
    pub fn from_source(src: &PipelineSource) -> Result<Self> {
        let s: ResearchExport = typed(src)?;
        if s.min_cell < 1 {
            return Err(Error::config(
                "min_cell",
                src.value_text("min_cell"),
                "must be 1 or more",
            ));
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::source::load;

    #[test]
    fn bundled_settings_and_min_cell_override() {
        let s = ResearchExport::from_source(&load("research-export", None, &[]).unwrap()).unwrap();
        assert_eq!(s.min_cell, 10);
        let src = load("research-export", None, &["min_cell=5".into()]).unwrap();
        assert_eq!(ResearchExport::from_source(&src).unwrap().min_cell, 5);
        let src = load("research-export", None, &["min_cell=0".into()]).unwrap();
        let e = ResearchExport::from_source(&src).unwrap_err().to_string();
        assert!(e.contains("min_cell") && e.contains("1 or more"), "{e}");
        let src = load("research-export", None, &["min_cell=-3".into()]).unwrap();
        assert!(ResearchExport::from_source(&src).is_err());
    }
}
