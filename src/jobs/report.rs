//! What a job tells its run besides its tables: the steps it timed, which phases ran, its
//! counts for the reconciliation and its warnings. The command line (`app::record`) puts
//! them into the manifest; a job never sees the run record itself.
use crate::output::manifest::PhaseEntry;
use crate::steps::Steps;
use std::collections::BTreeMap;

/// Counts per topic (`screening`, `letters`, a table's name …), as the manifest's
/// `reconciliation` holds them.
pub type Counts = BTreeMap<String, BTreeMap<String, i64>>;

#[derive(Default)]
pub struct JobReport {
    /// Each step's timing, in the order the steps ended.
    pub steps: Steps,
    /// The phases the run was asked for, each ran or skipped with the reason.
    pub phases: Vec<PhaseEntry>,
    pub reconciliation: Counts,
    pub warnings: Vec<String>,
}

impl JobReport {
    /// Records a warning: a WARN line now, and the manifest's `warnings`.
    pub fn warn(&mut self, warning: String) {
        tracing::warn!("{warning}");
        self.warnings.push(warning);
    }
}
