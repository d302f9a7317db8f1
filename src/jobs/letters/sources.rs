//! Where the letter templates come from: the set bundled into the binary from
//! `templates/letters/<lang>/<kind>.txt` and `templates/letters/bundle.html`, and the files of
//! a `--templates DIR` that override them file by file (`DIR/<lang>/<kind>.txt` replaces one
//! letter, `DIR/bundle.html` the bundle page).
//!
//! Reading the override directory is the only file I/O of the letters module; it is kept here,
//! apart from the pure rules, with errors of the module's own type.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Language, LetterKind, LettersError};

macro_rules! bundled {
    ($lang:literal, $kind:literal) => {
        (
            $lang,
            $kind,
            include_str!(concat!(
                "../../../templates/letters/",
                $lang,
                "/",
                $kind,
                ".txt"
            )),
        )
    };
}

macro_rules! bundled_all {
    ($($kind:literal),* $(,)?) => {
        [$(bundled!("he", $kind), bundled!("ar", $kind)),*]
    };
}

/// The templates shipped with the project: (language, kind, source).
const BUNDLED: [(&str, &str, &str); 50] = bundled_all![
    "stage_a_referred",
    "stage_a_not_referred",
    "stage_a_absent",
    "stage_b_gifted",
    "stage_b_excellent",
    "stage_b_not_eligible",
    "stage_b_incomplete",
    "interview_invitation",
    "placement_class",
    "placement_enrichment_gifted",
    "placement_enrichment_excellent",
    "not_placed_waitlist",
    "placement_request_not_candidate",
    "retest_decision",
    "absence_decision",
    "accommodation_outcome",
    "language_decision",
    "secondary_threshold_reached",
    "secondary_threshold_not_reached",
    "secondary_incomplete",
    "secondary_removed",
    "secondary_interview_invitation",
    "secondary_placement",
    "secondary_exempt_placement",
    "secondary_waitlist",
];

const BUNDLED_BUNDLE: &str = include_str!("../../../templates/letters/bundle.html");

/// The name of the HTML bundle template.
pub const BUNDLE_TEMPLATE: &str = "bundle.html";

/// The source of every template of a run: (name → (text, origin)), origin `bundled` or the
/// path of the override file that replaced it. The bundled templates, each replaced by
/// `DIR/<lang>/<kind>.txt` (and `DIR/bundle.html`) when `override_dir` has it; a missing
/// directory, an unreadable file, or a file under `DIR/he` or `DIR/ar` that names no letter
/// kind is an error naming it.
pub(crate) fn sources(
    override_dir: Option<&Path>,
) -> Result<BTreeMap<String, (String, String)>, LettersError> {
    let mut sources: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (lang, kind, src) in BUNDLED {
        let name = format!("{lang}/{kind}.txt");
        sources.insert(name, (src.to_string(), "bundled".to_string()));
    }
    sources.insert(
        BUNDLE_TEMPLATE.to_string(),
        (BUNDLED_BUNDLE.to_string(), "bundled".to_string()),
    );

    if let Some(dir) = override_dir {
        for (name, path) in override_files(dir)? {
            let src = std::fs::read_to_string(&path).map_err(|source| {
                LettersError::OverrideUnreadable {
                    path: path.clone(),
                    source,
                }
            })?;
            sources.insert(name, (src, path.display().to_string()));
        }
    }
    Ok(sources)
}

/// The template name of a kind and language: `he/stage_a_referred.txt`.
pub fn template_name(language: Language, kind: LetterKind) -> String {
    format!("{}/{}.txt", language.as_str(), kind.as_str())
}

/// The override files of `dir`: (template name, path). Errors name the offending path.
fn override_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, LettersError> {
    if !dir.is_dir() {
        return Err(LettersError::NoTemplateDir {
            dir: dir.to_path_buf(),
        });
    }
    let mut out = Vec::new();
    let bundle = dir.join(BUNDLE_TEMPLATE);
    if bundle.is_file() {
        out.push((BUNDLE_TEMPLATE.to_string(), bundle));
    }
    for language in Language::ALL {
        let sub = dir.join(language.as_str());
        if !sub.exists() {
            continue;
        }
        let unreadable = |source| LettersError::TemplateDirUnreadable {
            dir: sub.clone(),
            source,
        };
        let entries = std::fs::read_dir(&sub).map_err(unreadable)?;
        let mut paths: Vec<PathBuf> = Vec::new();
        for entry in entries {
            let entry = entry.map_err(unreadable)?;
            paths.push(entry.path());
        }
        paths.sort();
        for path in paths {
            let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
            if file.starts_with('.') {
                continue;
            }
            let kind = file.strip_suffix(".txt").and_then(LetterKind::parse);
            match kind {
                Some(kind) => out.push((template_name(language, kind), path)),
                None => return Err(LettersError::NotAKind { path }),
            }
        }
    }
    Ok(out)
}
