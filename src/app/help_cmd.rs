//! `itur completions <shell>` and `itur man`: generated from the clap definitions, so they
//! always match the command line.
use crate::cli::{Cli, CompletionsArgs};
use crate::error::{Error, Result};
use clap::CommandFactory;

pub fn completions(a: &CompletionsArgs) -> Result<()> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "itur", &mut script);
    print(&script, "the completion script")
}

pub fn man() -> Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| Error::io("making the manual page", e))?;
    print(&page, "the manual page")
}

/// Writes to stdout; a reader that stopped early (`| head`) is no failure.
fn print(bytes: &[u8], what: &str) -> Result<()> {
    use std::io::Write;
    match std::io::stdout().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::io(format!("writing {what}"), e))
        }
        _ => Ok(()),
    }
}
