//! `itur schema [TABLE] [--json | --markdown]`: the data contract as the binary knows it (`table::describe`).
use crate::cli::SchemaArgs;
use crate::error::{Error, Result};
use crate::table::describe::{dictionary_json, markdown, overview, table_json, table_text};
use crate::table::schema;

/// Prints the schema(s) asked for; a closed pipe, as in `itur schema | head`, is not an error.
pub fn run(a: &SchemaArgs) -> Result<()> {
    let text = match &a.table {
        None if a.json => {
            serde_json::to_string_pretty(&dictionary_json()).unwrap_or_default() + "\n"
        }
        None if a.markdown => markdown(),
        None => overview(),
        Some(name) => {
            let s = schema::get(name).ok_or_else(|| {
                Error::Usage(format!(
                    "unknown table `{name}`; tables are: {}",
                    schema::all()
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            match a.json {
                true => serde_json::to_string_pretty(&table_json(s)).unwrap_or_default() + "\n",
                false => table_text(s),
            }
        }
    };
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    Ok(())
}
