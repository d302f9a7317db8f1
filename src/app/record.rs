//! Assembling the manifest of a run.
use super::steps::Steps;
use crate::output::manifest::{ExitStatus, InputEntry, Manifest, PipelineEntry};
use crate::output::{OutputDir, OutputFile};
use crate::pipeline::PipelineSource;
use chrono::{DateTime, SecondsFormat, Utc};
use std::collections::BTreeMap;
use std::time::Instant;

/// What a command knows about its run so far.
pub struct RunRecord {
    pub job: String,
    pub command: String,
    pub phase: Option<String>,
    pub started: DateTime<Utc>,
    pub clock: Instant,
    pub run_id: String,
    pub steps: Steps,
    pub pipeline: Option<PipelineEntry>,
    pub inputs: Vec<InputEntry>,
    pub reconciliation: BTreeMap<String, BTreeMap<String, i64>>,
    pub warnings: Vec<String>,
}

impl RunRecord {
    pub fn start(job: &str, command: &str, phase: Option<&str>) -> Self {
        let started = Utc::now();
        let run_id = super::logging::run_id().to_string();
        tracing::info!(job, command, run_id = %run_id, "itur {} {job}", command);
        RunRecord {
            job: job.to_string(),
            command: command.to_string(),
            phase: phase.map(str::to_string),
            started,
            clock: Instant::now(),
            run_id,
            steps: Steps::default(),
            pipeline: None,
            inputs: Vec::new(),
            reconciliation: BTreeMap::new(),
            warnings: Vec::new(),
        }
    }

    pub fn set_pipeline(&mut self, src: &PipelineSource, parameters: serde_json::Value) {
        self.pipeline = Some(PipelineEntry {
            path: src.path.clone(),
            sha256: src.sha256.clone(),
            overrides: src.overrides.clone(),
            parameters,
        });
    }

    /// The manifest for the outputs written so far, ending with `code`.
    pub fn manifest(&self, outputs: &[OutputFile], code: i32, message: Option<String>) -> Manifest {
        let finished = Utc::now();
        Manifest {
            job: self.job.clone(),
            command: self.command.clone(),
            phase: self.phase.clone(),
            tool: "itur".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            run_id: self.run_id.clone(),
            started_at: self.started.to_rfc3339_opts(SecondsFormat::Millis, true),
            finished_at: finished.to_rfc3339_opts(SecondsFormat::Millis, true),
            duration_millis: self.clock.elapsed().as_millis(),
            pipeline: self.pipeline.clone(),
            inputs: self.inputs.clone(),
            outputs: outputs.to_vec(),
            reconciliation: self.reconciliation.clone(),
            warnings: self.warnings.clone(),
            timings: self.steps.timings.clone(),
            exit: ExitStatus {
                code,
                status: if code == 0 {
                    "success".into()
                } else {
                    "failed".into()
                },
                message,
            },
        }
    }

    /// Writes `manifest.json` and moves the output directory into place.
    pub fn finish(
        self,
        mut out: OutputDir,
        code: i32,
        message: Option<String>,
    ) -> crate::error::Result<()> {
        let manifest = self.manifest(out.files(), code, message);
        out.write_bytes("manifest.json", &manifest.to_json(), None)?;
        let path = out.final_path().display().to_string();
        out.commit()?;
        tracing::info!(out = %path, "wrote {path} ({} ms)", self.clock.elapsed().as_millis());
        Ok(())
    }
}
