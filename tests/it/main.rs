//! One integration-test binary: it runs the real `itur` CLI in temporary directories.
mod bad_inputs;
mod cli;
mod support;
