//! One integration-test binary: it runs the real `itur` CLI in temporary directories.
mod atomic;
mod bad_inputs;
mod cli;
mod coded;
mod gifted;
mod letters;
mod regen;
mod roster;
mod support;
