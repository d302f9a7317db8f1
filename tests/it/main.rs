//! One integration-test binary: it runs the real `itur` CLI in temporary directories.
mod atomic;
mod bad_inputs;
mod cli;
mod coded;
mod export_audit;
mod formula_cells;
mod fuzz;
mod gifted;
mod golden;
mod letters;
mod out_guard;
mod reading;
mod regen;
mod roster;
mod rules;
mod stop_lock;
mod support;
