//! Assembling the manifest of a run.
use crate::error::exit;
use crate::jobs::JobReport;
use crate::output::manifest::{ExitStatus, InputEntry, Manifest, PipelineEntry, SCHEMA_VERSION};
use crate::output::{OutputDir, OutputFile};
use crate::pipeline::PipelineSource;
use chrono::{DateTime, SecondsFormat, Utc};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// `--strict`: warnings fail the run.
static STRICT: AtomicBool = AtomicBool::new(false);

/// Sets `--strict` for the runs of this process.
pub fn set_strict(strict: bool) {
    STRICT.store(strict, Ordering::Relaxed);
}

/// What the run section of `report.html` needs of the pipeline and the inputs.
#[derive(Default)]
pub struct ReportFacts {
    pub min_cell: u64,
    pub differing: Vec<(String, String, String)>,
    pub reject_rules: Vec<crate::report::RuleCount>,
}

/// What a command knows about its run so far.
pub struct RunRecord {
    pub job: String,
    pub command: String,
    pub phase: Option<String>,
    pub started: DateTime<Utc>,
    pub clock: Instant,
    pub run_id: String,
    pub pipeline: Option<PipelineEntry>,
    pub inputs: Vec<InputEntry>,
    /// What the job (and the command around it) reported: steps, phases, counts, warnings.
    pub report: JobReport,
    /// The job's sections of `report.html`, fed the job's frames as they are made.
    pub sections: crate::report::Sections,
    /// What the run section of `report.html` shows besides the record's own fields.
    pub report_facts: ReportFacts,
    /// Set once `finish` has published the manifest.
    done: bool,
}

impl RunRecord {
    pub fn start(job: &str, command: &str, phase: Option<&str>) -> Self {
        let run_id = super::logging::run_id();
        tracing::info!(job, command, run_id = %run_id, "itur {} {job}", command);
        let mut r = Self::start_quietly(job, command);
        r.phase = phase.map(str::to_string);
        r
    }

    fn start_quietly(job: &str, command: &str) -> Self {
        let started = Utc::now();
        let run_id = super::logging::run_id().to_string();
        RunRecord {
            job: job.to_string(),
            command: command.to_string(),
            phase: None,
            started,
            clock: Instant::now(),
            run_id,
            pipeline: None,
            inputs: Vec::new(),
            report: JobReport::default(),
            sections: crate::report::Sections::default(),
            report_facts: ReportFacts {
                min_cell: crate::report::DEFAULT_MIN_CELL,
                ..Default::default()
            },
            done: false,
        }
    }

    pub fn set_pipeline(&mut self, src: &PipelineSource, parameters: serde_json::Value) {
        // `source::load` has checked `[report]` already.
        self.report_facts.min_cell =
            crate::report::min_cell(src).unwrap_or(crate::report::DEFAULT_MIN_CELL);
        self.report_facts.differing = crate::report::differing(src, &self.job);
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
            schema_version: SCHEMA_VERSION,
            job: self.job.clone(),
            command: self.command.clone(),
            phase: self.phase.clone(),
            phases: self.report.phases.clone(),
            tool: "itur".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            git_commit: env!("ITUR_GIT_COMMIT").into(),
            argv: std::env::args().collect(),
            run_id: self.run_id.clone(),
            started_at: self.started.to_rfc3339_opts(SecondsFormat::Millis, true),
            finished_at: finished.to_rfc3339_opts(SecondsFormat::Millis, true),
            duration_millis: self.clock.elapsed().as_millis(),
            pipeline: self.pipeline.clone(),
            inputs: self.inputs.clone(),
            outputs: outputs.to_vec(),
            reconciliation: self.report.reconciliation.clone(),
            warnings: self.report.warnings.clone(),
            timings: self.report.steps.timings.clone(),
            exit: ExitStatus {
                code,
                status: if code == 0 {
                    "success".into()
                } else {
                    "failed".into()
                },
                message,
                kind: None,
                step: None,
            },
        }
    }

    /// What the report's run section shows: the record without its times and IDs.
    pub fn report_facts(&self) -> crate::report::RunFacts {
        crate::report::RunFacts {
            job: self.job.clone(),
            phase: self.phase.clone(),
            phases: self.report.phases.clone(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            differing: self.report_facts.differing.clone(),
            overrides: self
                .pipeline
                .as_ref()
                .map(|p| p.overrides.clone())
                .unwrap_or_default(),
            inputs: self.inputs.clone(),
            reject_rules: self.report_facts.reject_rules.clone(),
            warnings: self.report.warnings.clone(),
        }
    }

    /// `report.html` of the run, in the language of `--report-lang`.
    pub fn report_html(&self) -> crate::error::Result<Vec<u8>> {
        crate::report::render(
            &self.report_facts(),
            &self.sections,
            crate::report::lang(),
            self.report_facts.min_cell,
        )
    }

    /// Under `--strict`, the failure a run with warnings ends in.
    fn strict_failure(&self) -> Option<crate::error::Error> {
        let first = self.report.warnings.first()?;
        STRICT
            .load(Ordering::Relaxed)
            .then(|| crate::error::Error::Strict {
                warnings: self.report.warnings.len(),
                first: first.clone(),
            })
    }

    /// Writes `manifest.json` and moves the output directory into place. Under `--strict` a
    /// run with warnings publishes nothing and fails (exit 4); `validate` still publishes its
    /// report of rejects, with the failure in its manifest.
    pub fn finish(
        mut self,
        mut out: OutputDir,
        code: i32,
        message: Option<String>,
    ) -> crate::error::Result<()> {
        let mut strict = if code == 0 {
            self.strict_failure()
        } else {
            None
        };
        if let Some(e) = strict.take_if(|_| self.command != "validate") {
            return Err(e);
        }
        let (code, message) = match &strict {
            Some(e) => (e.exit_code(), Some(e.to_string())),
            None => (code, message),
        };
        if let Some((bytes, rows)) = crate::output::dictionary::csv(out.files(), &self.job)? {
            out.write_bytes(crate::output::dictionary::FILE, &bytes, Some(rows))?;
        }
        // Every run's report (docs/report.md); `validate` and `synth` are no runs.
        if self.command == "run" {
            let (html, timing) = crate::steps::timed("report", true, || self.report_html());
            self.report.steps.record(timing);
            out.write_bytes(crate::report::FILE, &html?, None)?;
        }
        let manifest = self.manifest(out.files(), code, message);
        out.write_bytes("manifest.json", &manifest.to_json(), None)?;
        let path = out.final_path().display().to_string();
        out.commit()?;
        keep(manifest);
        self.done = true;
        tracing::info!(out = %path, "wrote {path} ({} ms)", self.clock.elapsed().as_millis());
        strict.map_or(Ok(()), Err)
    }
}

/// The record of this process's run: the manifest it published, or what a run that failed
/// knew when it stopped (kept by `Drop`).
static LAST: Mutex<Option<Manifest>> = Mutex::new(None);

fn keep(m: Manifest) {
    *LAST.lock().unwrap_or_else(|e| e.into_inner()) = Some(m);
}

impl Drop for RunRecord {
    fn drop(&mut self) {
        if !self.done {
            keep(self.manifest(&[], exit::FAILURE, None));
        }
    }
}

/// The record of the run that ends with `result` (`--record FILE`, and the last JSON line):
/// the manifest's layout, with the exit code, the error's kind and message and the step it
/// stopped in when it failed. A command that failed before its run started (a usage error)
/// gets a record of the command line alone.
pub fn final_record(job: &str, command: &str, result: &crate::error::Result<()>) -> Manifest {
    let kept = LAST.lock().unwrap_or_else(|e| e.into_inner()).take();
    let mut m = kept.unwrap_or_else(|| {
        let mut r = RunRecord::start_quietly(job, command);
        r.done = true;
        r.manifest(&[], exit::FAILURE, None)
    });
    match result {
        // A command that wrote its manifest itself (roster-export's run manifest).
        Ok(()) if m.exit.code != 0 => {
            m.exit.code = 0;
            m.exit.status = "success".into();
        }
        Ok(()) => {}
        Err(e) => {
            m.exit = ExitStatus {
                code: e.exit_code(),
                status: "failed".into(),
                message: Some(e.to_string()),
                kind: Some(e.kind().into()),
                step: crate::steps::current_step(),
            };
            m.finished_at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        }
    }
    m
}
