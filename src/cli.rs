//! Command-line definitions (clap derive) only; `app` runs them.
// The doc comments below are the CLI's help text (`<job>`, `<out>` are placeholders, not HTML).
#![allow(rustdoc::invalid_html_tags)]
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "itur",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("ITUR_GIT_COMMIT"), ")"),
    about = "itur (איתור): the Ministry of Education's yearly placement jobs",
    long_about = "itur reads test scores and rosters (Parquet or CSV), checks them against the \
                  data contract, and computes the yearly placement jobs.\n\nExit codes: 0 success; \
                  1 failure while running; 2 usage or configuration error; 3 request refused; \
                  4 inputs rejected (a malformed file, or more rejected rows than max_reject_share)."
)]
pub struct Cli {
    /// Log format on stderr: human-readable text or JSON lines.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// Only warnings and errors on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// The run's ID in logs and the manifest, e.g. an orchestrator's task run ID for lineage
    /// (letters, digits and `._:-`, at most 128). Default: `ITUR_RUN_ID`, else a new one.
    #[arg(long, global = true, env = "ITUR_RUN_ID")]
    pub run_id: Option<String>,
    /// `run` and `validate`: a run with any warning (rejected rows, a phase skipped, letters
    /// not written …) fails with exit 4 and publishes nothing.
    #[arg(long, global = true)]
    pub strict: bool,
    /// `run`, `validate` and `synth`: also write the run's record (the manifest's layout, with the exit
    /// code, the error and the step reached) to FILE, whether the run succeeds or fails.
    #[arg(long, global = true, value_name = "FILE")]
    pub record: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a job: read and check the inputs, compute, write the outputs atomically.
    Run(RunArgs),
    /// Read and check a job's inputs only; writes rejects and a manifest.
    Validate(ValidateArgs),
    /// Generate a synthetic nation (inputs of every job) that validates with zero rejects.
    Synth(SynthArgs),
    /// List the tables of the data contract, or print one table's schema.
    Schema(SchemaArgs),
    /// Compare two runs of the same job (a what-if run, or last year's): writes the
    /// students' changes, a summary, the parameters that differ and diff.html.
    Diff(DiffArgs),
    /// Print a shell completion script to stdout, e.g.
    /// `itur completions bash > /etc/bash_completion.d/itur`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff) to stdout, e.g. `itur man > itur.1; man ./itur.1`.
    Man,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct PipelineArgs {
    /// Pipeline file with this year's parameters (default: the bundled pipelines/<job>.toml).
    #[arg(long, value_name = "FILE.toml")]
    pub pipeline: Option<PathBuf>,
    /// Override one parameter, e.g. --set thresholds.gifted=96 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// The jobs of the product, named as the spec names them (a job not built yet would be a known
/// name that answers "not implemented in this version", exit code 2: `pipeline::JOBS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Job {
    GiftedElementary,
    GiftedSecondary,
    RetestReview,
    SpecialSessions,
    RosterExport,
    SpecialEdBaskets,
    TeacherLoans,
    ResearchExport,
}

impl Job {
    /// The job's name on the command line and in pipeline files (`gifted-elementary`).
    pub const fn name(self) -> &'static str {
        match self {
            Job::GiftedElementary => "gifted-elementary",
            Job::GiftedSecondary => "gifted-secondary",
            Job::RetestReview => "retest-review",
            Job::SpecialSessions => "special-sessions",
            Job::RosterExport => "roster-export",
            Job::SpecialEdBaskets => "special-ed-baskets",
            Job::TeacherLoans => "teacher-loans",
            Job::ResearchExport => "research-export",
        }
    }

    /// Whether the job writes letters to families (and so takes `--templates`).
    pub const fn writes_letters(self) -> bool {
        matches!(
            self,
            Job::GiftedElementary | Job::GiftedSecondary | Job::RetestReview | Job::SpecialSessions
        )
    }
}

/// The phases of `gifted-elementary` (gifted.md §2–§4): each phase is a run with the inputs of
/// its time; `all` runs each phase whose inputs are present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Phase {
    Screening,
    Identification,
    Placement,
    All,
}

impl Phase {
    /// The phase's name on the command line and in the manifest.
    pub const fn name(self) -> &'static str {
        match self {
            Phase::Screening => "screening",
            Phase::Identification => "identification",
            Phase::Placement => "placement",
            Phase::All => "all",
        }
    }
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The job to run.
    #[arg(value_enum)]
    pub job: Job,
    /// Input directory: one <table>.parquet or <table>.csv per table. research-export: the
    /// output directory of a finished gifted-elementary run, repeatable (one per school year).
    #[arg(long, value_name = "DIR", required = true)]
    pub input: Vec<PathBuf>,
    /// Output directory; replaced atomically when the run succeeds.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Phase of gifted-elementary (default: all).
    #[arg(long, value_enum)]
    pub phase: Option<Phase>,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// Letter templates overriding the bundled ones: DIR/<he|ar>/<kind>.txt (the jobs that
    /// write letters: gifted-elementary, gifted-secondary, retest-review, special-sessions).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// The language of the headers and coded values (categories, programs, reasons) of the
    /// files people open: the spreadsheets (xlsx) and the per-school, per-track and per-center
    /// lists (default: he). The analysts' CSV tables and Parquet keep the English names and
    /// codes. roster-export: the headers of its six files (default: en).
    #[arg(long, value_enum)]
    pub headers: Option<HeaderLang>,
    #[command(flatten)]
    pub export: ExportArgs,
    #[command(flatten)]
    pub research: ResearchArgs,
    /// Language of report.html: Hebrew, right to left (default), or English.
    #[arg(long, value_enum)]
    pub report_lang: Option<ReportLang>,
}

impl RunArgs {
    /// An option the job does not read is refused (a usage error, the message returned), never
    /// ignored: `--templates` given to a job without letters, say, would otherwise look as if
    /// it had applied. The first such option, in the order below, is named.
    pub fn check_options_apply(&self) -> Result<(), String> {
        let job = self.job;
        let with_letters: Vec<&str> = (Job::value_variants().iter())
            .filter(|j| j.writes_letters())
            .map(|j| j.name())
            .collect();
        let refusals: [(bool, String); 5] = [
            (
                job != Job::RosterExport && self.export.any(),
                "--owner, --requested-by, --all-approved, --as-of and --audit-log apply to roster-export only".into(),
            ),
            (
                job != Job::GiftedElementary && self.phase.is_some(),
                format!("--phase applies to gifted-elementary only; {} has no phases", job.name()),
            ),
            (
                !job.writes_letters() && self.templates.is_some(),
                format!(
                    "--templates applies to the jobs that write letters ({}); {} writes none",
                    with_letters.join(", "),
                    job.name()
                ),
            ),
            // research-export writes Parquet panels for researchers: no report.html, no file
            // with headers for people.
            (
                job == Job::ResearchExport && (self.headers.is_some() || self.report_lang.is_some()),
                "--headers and --report-lang do not apply to research-export: it writes no report and no file with headers for people (its codebook.csv names every column in English and Hebrew)".into(),
            ),
            (
                job != Job::ResearchExport && self.research.any(),
                "--key-file and --roster apply to research-export only".into(),
            ),
        ];
        match refusals.into_iter().find(|(refused, _)| *refused) {
            Some((_, message)) => Err(message),
            None => Ok(()),
        }
    }
}

/// Options of `research-export`.
#[derive(Debug, Args)]
pub struct ResearchArgs {
    /// research-export: file holding the pseudonym key (at least 32 bytes, not readable by
    /// others). The key is never written anywhere.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// research-export: the roster directory the runs were made from (default: the input
    /// paths recorded in each run's manifest).
    #[arg(long, value_name = "DIR")]
    pub roster: Option<PathBuf>,
}

impl ResearchArgs {
    pub fn any(&self) -> bool {
        self.key_file.is_some() || self.roster.is_some()
    }
}

/// The language of `report.html`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportLang {
    He,
    En,
}

/// Options of `roster-export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// roster-export: the education owner (owner_id) to export for.
    #[arg(long, value_name = "OWNER_ID", conflicts_with = "all_approved")]
    pub owner: Option<String>,
    /// roster-export: Israeli ID of the person requesting the export.
    #[arg(long, value_name = "ID", requires = "owner")]
    pub requested_by: Option<String>,
    /// roster-export: the scheduled run, for every owner with an approved commitment.
    #[arg(long)]
    pub all_approved: bool,
    /// roster-export: the date that labels the roster snapshot (YYYY-MM-DD, not after today;
    /// default: today, UTC). Who may export is always judged on the day of the run.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// roster-export: the append-only audit log (default: <out>/audit.jsonl).
    #[arg(long, value_name = "PATH")]
    pub audit_log: Option<PathBuf>,
}

impl ExportArgs {
    pub fn any(&self) -> bool {
        self.owner.is_some()
            || self.requested_by.is_some()
            || self.all_approved
            || self.as_of.is_some()
            || self.audit_log.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HeaderLang {
    En,
    He,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The job whose input tables are checked.
    #[arg(value_enum)]
    pub job: Job,
    /// Input directory: one <table>.parquet or <table>.csv per table.
    #[arg(long, value_name = "DIR")]
    pub input: PathBuf,
    /// Where to write rejects and the manifest (default: ./validate-<job>).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SynthFormat {
    Parquet,
    Csv,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// small (≈ 3,000 students), national (≈ 2.4 million), or a number of students (1,500–9,900,000).
    #[arg(long, default_value = "small")]
    pub scale: String,
    /// Seed: the same seed gives the same nation, byte for byte.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// School year of the data (2027 = 2026/27).
    #[arg(long, default_value_t = 2027)]
    pub school_year: i64,
    /// File format of the tables.
    #[arg(long, value_enum, default_value_t = SynthFormat::Parquet)]
    pub format: SynthFormat,
    /// Output directory (an input directory for `itur run`).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The job whose inputs to generate (default: the nation of gifted-elementary and roster-export).
    #[arg(long, value_enum)]
    pub job: Option<Job>,
}

/// `itur diff OUT_A OUT_B --out DIR` (docs/diff.md).
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The output directory of the first run (before).
    #[arg(value_name = "OUT_A")]
    pub a: PathBuf,
    /// The output directory of the second run (after).
    #[arg(value_name = "OUT_B")]
    pub b: PathBuf,
    /// Where to write the comparison; replaced atomically. Not inside OUT_A or OUT_B.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Language of diff.html: Hebrew, right to left (default), or English.
    #[arg(long, value_enum, default_value_t = ReportLang::He)]
    pub report_lang: ReportLang,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Table name; without it, every table is listed.
    pub table: Option<String>,
    /// Print as JSON instead of text: structured, with `schema_version` (the data dictionary).
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Print every table as Markdown (what `docs/tables.md` holds).
    #[arg(long, conflicts_with = "table")]
    pub markdown: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names clap accepts are the names the jobs and phases have everywhere else
    /// (pipeline files, the manifest, the list of the product's jobs).
    #[test]
    fn value_names_are_the_spec_names() {
        for j in Job::value_variants() {
            let v = j.to_possible_value().unwrap();
            assert_eq!(v.get_name(), j.name());
        }
        let jobs: Vec<&str> = Job::value_variants().iter().map(|j| j.name()).collect();
        let known: Vec<&str> = crate::pipeline::JOBS.iter().map(|j| j.0).collect();
        assert_eq!(jobs, known);
        for p in Phase::value_variants() {
            assert_eq!(p.to_possible_value().unwrap().get_name(), p.name());
        }
    }
}
