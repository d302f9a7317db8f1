//! Unit tests of the job, hand-worked at each boundary of the spec.
