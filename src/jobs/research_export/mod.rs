//! `research-export` (issue #19, docs/research-export.md): the dataset a research data centre
//! would release from finished gifted-elementary runs. Every person ID becomes a keyed
//! pseudonym (`pseudonym`, §2); the tables keep what research needs and nothing that names a
//! person (`tables`, §3); open counts are published with their small cells suppressed
//! (`aggregates`, `suppress`, §5). Pure functions: the command (`app::research_export`)
//! reads the runs and writes the partitions.
pub mod aggregates;
pub mod pseudonym;
pub mod suppress;
pub mod tables;
