//! Stopping on request: SIGTERM (an orchestrator cancelling a task, `docker stop`, a Kubernetes
//! Job deleted) and SIGINT (Ctrl-C). The first signal is recorded; the run stops at its next
//! file write or before its commit ([`check`]), removes its temporary directory and publishes
//! nothing, and exits 128 + the signal's number (143, 130). A second signal exits at once.
//!
//! Handlers are installed explicitly, so the signals reach itur also as PID 1 of a container
//! without an init process, where the kernel drops signals whose action is the default.
use crate::error::{Error, Result};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The signal that asked the run to stop (0: none).
static SIGNAL: AtomicUsize = AtomicUsize::new(0);
/// Set by the first signal: a second one exits at once.
static ARMED: AtomicBool = AtomicBool::new(false);

/// Testing hook: `ITUR_STOP_AFTER_FILES=N` acts as if SIGTERM arrived once N files are written,
/// so a test can stop a run at an exact point.
const STOP_AFTER_ENV: &str = "ITUR_STOP_AFTER_FILES";

/// Installs the handlers of SIGTERM and SIGINT. Called once, by `main`, before any work.
pub fn install() -> std::io::Result<()> {
    use signal_hook::consts::signal::{SIGINT, SIGTERM};
    use signal_hook::flag;
    for sig in [SIGTERM, SIGINT] {
        // The shutdown goes first: it exits only when an earlier signal armed it.
        flag::register_conditional_shutdown(sig, 128 + sig, &ARMED)?;
        flag::register_usize(sig, &SIGNAL, sig as usize)?;
        flag::register(sig, &ARMED)?;
    }
    Ok(())
}

/// The signal that asked the run to stop, if one did.
pub fn requested() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => i32::try_from(s).ok(),
    }
}

/// Fails with [`Error::Interrupted`] when a signal asked the run to stop, or when the testing
/// hook's count of `files_written` is reached.
pub fn check(files_written: usize) -> Result<()> {
    static STOP_AFTER: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    let hook = || {
        STOP_AFTER
            .get_or_init(|| {
                std::env::var(STOP_AFTER_ENV)
                    .ok()
                    .and_then(|v| v.parse().ok())
            })
            .is_some_and(|n| files_written >= n)
    };
    match requested() {
        Some(signal) => Err(Error::Interrupted { signal }),
        None if hook() => Err(Error::Interrupted {
            signal: signal_hook::consts::signal::SIGTERM,
        }),
        None => Ok(()),
    }
}

/// The name of a stopping signal, for messages.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        signal_hook::consts::signal::SIGTERM => "SIGTERM",
        signal_hook::consts::signal::SIGINT => "SIGINT",
        _ => "a signal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_exit_codes_of_the_stopping_signals() {
        let e = Error::Interrupted { signal: 15 };
        assert_eq!(e.exit_code(), 143);
        assert!(e.to_string().contains("SIGTERM"), "{e}");
        let e = Error::Interrupted { signal: 2 };
        assert_eq!(e.exit_code(), 130);
        assert!(e.to_string().contains("SIGINT"), "{e}");
        assert_eq!(e.kind(), "interrupted");
    }
}
