//! `itur synth`: write a synthetic nation as an input directory.
use super::record::RunRecord;
use crate::cli::{SynthArgs, SynthFormat};
use crate::error::{Error, Result};
use crate::output::write::{table_files, Formats};
use crate::output::OutputDir;
use crate::synth::{generate, SynthConfig};

pub fn parse_scale(s: &str) -> Result<usize> {
    match s {
        "small" => Ok(SynthConfig::SMALL),
        "national" => Ok(SynthConfig::NATIONAL),
        n => n
            .replace('_', "")
            .parse::<usize>()
            .ok()
            .filter(|n| (1_500..=9_900_000).contains(n))
            .ok_or_else(|| {
                Error::Usage(format!(
                    "--scale {s}: expected small, national or a number of students from 1,500 to 9,900,000"
                ))
            }),
    }
}

pub fn run(a: &SynthArgs) -> Result<()> {
    let students = parse_scale(&a.scale)?;
    crate::output::OutputDir::check_target(&a.out, Some("synth"))?;
    let cfg = SynthConfig {
        students,
        seed: a.seed,
        school_year: a.school_year,
    };
    let mut rec = RunRecord::start("synth", "synth", None);
    let tables = rec
        .report
        .steps
        .run("generate", || match a.job {
            Some(crate::cli::Job::GiftedSecondary) => {
                crate::synth::gifted_secondary::generate(&cfg)
            }
            Some(crate::cli::Job::SpecialEdBaskets) => crate::synth::special_ed::generate(&cfg),
            Some(crate::cli::Job::TeacherLoans) => crate::synth::teacher_loans::generate(&cfg),
            Some(crate::cli::Job::RetestReview) => crate::synth::requests::retest_review(&cfg),
            Some(crate::cli::Job::SpecialSessions) => {
                crate::synth::requests::special_sessions(&cfg)
            }
            _ => generate(&cfg),
        })
        .map_err(|e| Error::Job(format!("generating the synthetic nation: {e}")))?;
    let mut out = OutputDir::create_for(&a.out, Some("synth"))?;
    rec.report.steps.run("write tables", || -> Result<()> {
        for t in tables {
            let rows = t.df.height();
            let formats = match a.format {
                SynthFormat::Parquet => Formats::Parquet,
                SynthFormat::Csv => Formats::CsvData,
            };
            // One file at a time, so a run killed while writing stops between files.
            for (path, bytes, rows) in table_files(t.name, &t.df, formats)? {
                out.write_bytes(&path, &bytes, rows)?;
            }
            tracing::info!(table = t.name, rows, "{}: {rows} rows", t.name);
        }
        Ok(())
    })?;
    rec.report.reconciliation.insert(
        "synth".into(),
        [
            ("students".to_string(), students as i64),
            ("seed".to_string(), a.seed as i64),
            ("school_year".to_string(), a.school_year),
        ]
        .into_iter()
        .collect(),
    );
    rec.finish(out, 0, None)
}
