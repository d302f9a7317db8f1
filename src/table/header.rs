//! Matching a file's header to its table's schema (`header_columns`), and the columns a reader
//! returns laid out by the schema (`RawColumns`): shared by the CSV and the Parquet readers.
use super::reject::RejectSet;
use super::schema::TableSchema;
use crate::error::{Error, Result};
use polars::prelude::Series;
use std::collections::HashMap;
use std::path::Path;

/// The columns of a file laid out by the schema: `columns[i]` holds schema column i as read
/// (text from CSV, typed or text from Parquet), `None` when an optional column is absent.
pub struct RawColumns {
    pub height: usize,
    pub columns: Vec<Option<Series>>,
    /// Rows already rejected while reading (wrong field count, invalid UTF-8, NUL bytes).
    pub pre_rejects: RejectSet,
    pub warnings: Vec<String>,
}

/// Where each schema column sits in a file's header.
pub struct HeaderLayout {
    pub positions: Vec<Option<usize>>,
    pub warnings: Vec<String>,
}

/// Matches a file's header names to the schema: duplicate names and missing required
/// columns are errors naming them; extra columns are ignored with one warning per file.
/// Linear in the number of names (a header may hold hundreds of thousands).
pub fn header_columns(path: &Path, schema: &TableSchema, names: &[String]) -> Result<HeaderLayout> {
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(names.len());
    for (i, n) in names.iter().enumerate() {
        if let Some(j) = first.insert(n.as_str(), i) {
            return Err(Error::input(
                path,
                format!(
                    "the header names column `{}` twice (columns {} and {}); each column name must be unique",
                    shown_name(n),
                    j + 1,
                    i + 1
                ),
            ));
        }
    }
    let positions: Vec<Option<usize>> = schema
        .columns
        .iter()
        .map(|c| first.get(c.name.as_str()).copied())
        .collect();
    let missing: Vec<&str> = schema
        .columns
        .iter()
        .zip(&positions)
        .filter(|(c, p)| p.is_none() && !c.optional)
        .map(|(c, _)| c.name.as_str())
        .collect();
    if !missing.is_empty() {
        if let Some(hint) = separator_hint(names) {
            return Err(Error::input(path, hint));
        }
        return Err(Error::input(
            path,
            format!(
                "required column{} missing: {} (table `{}` needs {})",
                if missing.len() > 1 { "s" } else { "" },
                missing.join(", "),
                schema.name,
                schema
                    .columns
                    .iter()
                    .filter(|c| !c.optional)
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let extra: Vec<&str> = names
        .iter()
        .filter(|n| schema.column(n).is_none())
        .map(String::as_str)
        .collect();
    Ok(HeaderLayout {
        positions,
        warnings: extra_columns_warning(path, &extra).into_iter().collect(),
    })
}

/// A header read as one or a few columns that hold `;` or tabs: the file was saved with
/// another separator (Excel in a locale whose list separator is `;`, or a tab-separated
/// export). Said instead of a list of "missing" columns that are all there.
fn separator_hint(names: &[String]) -> Option<String> {
    [(';', "semicolon"), ('\t', "tab")]
        .into_iter()
        .find(|(c, _)| names.iter().any(|n| n.contains(*c)))
        .map(|(_, kind)| {
            format!(
                "the header looks {kind}-separated; save the file as comma-separated CSV (CSV UTF-8)"
            )
        })
}

/// How many extra columns one warning names; the rest are counted.
const EXTRA_NAMED: usize = 5;

/// One warning for all the extra columns of a file (none when there are none): `extra column
/// `x` is ignored`, or `N extra columns are ignored: `a`, `b`, … and M more`.
fn extra_columns_warning(path: &Path, extra: &[&str]) -> Option<String> {
    let named: Vec<String> = extra
        .iter()
        .take(EXTRA_NAMED)
        .map(|n| format!("`{}`", shown_name(n)))
        .collect();
    match extra.len() {
        0 => None,
        1 => Some(format!(
            "{}: extra column {} is ignored",
            path.display(),
            named[0]
        )),
        n if n <= EXTRA_NAMED => Some(format!(
            "{}: {n} extra columns are ignored: {}",
            path.display(),
            named.join(", ")
        )),
        n => Some(format!(
            "{}: {n} extra columns are ignored: {} … and {} more",
            path.display(),
            named.join(", "),
            n - EXTRA_NAMED
        )),
    }
}

/// A header name as messages show it: control characters escaped (a message stays one
/// line) and a long name cut to its first 60 characters.
pub(super) fn shown_name(name: &str) -> String {
    const MAX: usize = 60;
    let mut out: String = name
        .chars()
        .take(MAX)
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect();
    if name.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}
