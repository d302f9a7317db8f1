//! The commands behind the CLI: one `run` function per subcommand.
pub mod frame;
pub mod gifted;
pub mod heap;
pub mod help_cmd;
pub mod inputs;
pub mod logging;
pub mod record;
pub mod roster_export;
pub mod run;
pub mod schema_cmd;
pub mod steps;
pub mod synth_cmd;
pub mod validate;

use crate::cli::{Cli, Command};
use crate::error::Result;

/// Runs the parsed command line.
pub fn dispatch(cli: &Cli) -> Result<()> {
    record::set_strict(cli.strict);
    match &cli.command {
        Command::Run(a) => run::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Synth(a) => synth_cmd::run(a),
        Command::Schema(a) => schema_cmd::run(a),
        Command::Completions(a) => help_cmd::completions(a),
        Command::Man => help_cmd::man(),
    }
}
