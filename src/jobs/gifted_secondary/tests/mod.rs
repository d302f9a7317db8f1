//! Tests of `gifted-secondary` beside its rules; the walk's in `walk_tests.rs`, the properties in
//! `props.rs`.
mod props;
