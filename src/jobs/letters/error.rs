//! The errors of the letters module. Each prints as the one sentence the command line shows;
//! the app maps them to its errors and exit codes (a template or letter date that cannot be
//! used is a usage error, a letter that cannot be written a failure of the run).
use std::path::PathBuf;

use super::LetterKind;

/// Why letter templates cannot be loaded or a letter cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum LettersError {
    /// A letter date of the pipeline file that is no date.
    #[error("{name} = {value:?}: not a date of the form YYYY-MM-DD")]
    NotADate { name: String, value: String },
    /// `--templates DIR` names no directory.
    #[error(
        "letter template directory {} does not exist or is not a directory",
        dir.display()
    )]
    NoTemplateDir { dir: PathBuf },
    /// `DIR/he` or `DIR/ar` cannot be listed.
    #[error("letter template directory {} cannot be read: {source}", dir.display())]
    TemplateDirUnreadable {
        dir: PathBuf,
        source: std::io::Error,
    },
    /// A file under `DIR/he` or `DIR/ar` that names no letter kind.
    #[error(
        "letter template override {} names no letter kind (expected <kind>.txt with kind one of: {})",
        path.display(),
        LetterKind::ALL.map(LetterKind::as_str).join(", ")
    )]
    NotAKind { path: PathBuf },
    /// An override file that cannot be read.
    #[error("letter template override {} cannot be read: {source}", path.display())]
    OverrideUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The template syntax settings are refused by the engine.
    #[error("letter template syntax: {0}")]
    Syntax(String),
    /// A template that does not compile; `template` names it (its file, or `… (bundled)`).
    #[error("letter template {template} is broken: {detail}")]
    Broken { template: String, detail: String },
    /// A template that cannot be found once loaded.
    #[error("letter template {template}: {detail}")]
    Missing { template: String, detail: String },
    /// A template that uses variables a letter may not contain (0207 §2.6.ה, §2.12.ג).
    #[error(
        "letter template {template} uses {}, which a letter cannot contain (a letter may use only: {})",
        variables.join(", "),
        super::LetterContext::FIELDS.join(", ")
    )]
    Forbidden {
        template: String,
        variables: Vec<String>,
    },
    /// A template that fails to render the sample letter or bundle when it is loaded.
    #[error("letter template {template} fails to render: {detail}")]
    SampleFails { template: String, detail: String },
    /// A template that fails to render a letter or a bundle of the run.
    #[error("letter template {template} fails to render: {detail}")]
    Render { template: String, detail: String },
    /// The bundle template cannot be found.
    #[error("bundle template: {0}")]
    BundleMissing(String),
    /// A letter request without the extra field its kind needs.
    #[error("letter {kind} for student {student_id} needs {field}")]
    MissingExtra {
        kind: LetterKind,
        student_id: String,
        field: &'static str,
    },
    /// A student whose institution is not in `institutions`.
    #[error("student {student_id}'s institution {institution_id} is not in institutions")]
    UnknownInstitution {
        student_id: String,
        institution_id: String,
    },
}

impl LettersError {
    /// A problem of the run's configuration (templates, letter dates) rather than of the run.
    pub fn is_config(&self) -> bool {
        !matches!(
            self,
            LettersError::Syntax(_)
                | LettersError::Render { .. }
                | LettersError::BundleMissing(_)
                | LettersError::MissingExtra { .. }
                | LettersError::UnknownInstitution { .. }
        )
    }
}
