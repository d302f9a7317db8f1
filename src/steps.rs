//! Steps of a run: each is a tracing span (its duration logged when it closes), a timing in
//! the manifest, and, on a terminal, a spinner while it runs. Jobs time their own steps
//! (`jobs::JobReport::steps`); the command line decides whether spinners are drawn.
use crate::memory::memory_mib;
use crate::output::manifest::StepTiming;
use indicatif::{ProgressBar, ProgressStyle};
use std::time::{Duration, Instant};

/// Whether steps may draw a spinner (text logs on a terminal only; set by the logging).
static SPINNERS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Lets steps draw a spinner (never beside JSON lines or in a pipe).
pub fn set_spinners(on: bool) {
    SPINNERS.store(on, std::sync::atomic::Ordering::Relaxed);
}

fn spinners() -> bool {
    SPINNERS.load(std::sync::atomic::Ordering::Relaxed)
}

/// The step the run entered last (for the record of a run that fails).
static STEP: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// The step the run entered last, if any.
pub fn current_step() -> Option<String> {
    STEP.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Progress of a long step on a terminal ("screening letters 1,204/4,571 schools"): a bar
/// where steps may draw spinners, nothing in a pipe or beside JSON logs. The bar appears when
/// the total is first known.
pub struct Progress {
    /// The step's name and the unit counted, when a bar may be drawn.
    label: Option<(String, String)>,
    bar: std::cell::OnceCell<ProgressBar>,
}

impl Progress {
    /// Progress of step `name`, counted in `unit`s.
    pub fn new(name: &str, unit: &str) -> Self {
        Progress {
            label: spinners().then(|| (name.to_string(), unit.to_string())),
            bar: std::cell::OnceCell::new(),
        }
    }

    /// `done` of `total` units are done.
    pub fn at(&self, done: usize, total: usize) {
        let Some((name, unit)) = &self.label else {
            return;
        };
        let pb = self.bar.get_or_init(|| {
            let pb = ProgressBar::new(total as u64);
            pb.set_style(
                ProgressStyle::with_template(&format!(
                    "{{bar:30}} {{msg}} {{pos}}/{{len}} {unit} {{elapsed}}"
                ))
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            pb.set_message(name.clone());
            pb
        });
        pb.set_length(total as u64);
        pb.set_position(done as u64);
    }

    /// Removes the bar.
    pub fn finish(self) {
        if let Some(pb) = self.bar.into_inner() {
            pb.finish_and_clear();
        }
    }
}

#[derive(Default)]
pub struct Steps {
    pub timings: Vec<StepTiming>,
}

impl Steps {
    pub fn run<T>(&mut self, name: &str, f: impl FnOnce() -> T) -> T {
        let (out, timing) = timed(name, true, f);
        self.timings.push(timing);
        out
    }

    /// Records a step timed with `timed` (e.g. on another thread).
    pub fn record(&mut self, timing: StepTiming) {
        self.timings.push(timing);
    }
}

/// Runs step `name`: a span, its duration logged, and (when `spinner`, on a terminal) a
/// spinner while it runs. Steps running side by side show no spinner (they would share a
/// line).
pub fn timed<T>(name: &str, spinner: bool, f: impl FnOnce() -> T) -> (T, StepTiming) {
    *STEP.lock().unwrap_or_else(|e| e.into_inner()) = Some(name.to_string());
    let span = tracing::info_span!("step", step = name);
    let _enter = span.enter();
    let spinner = (spinner && spinners()).then(|| {
        let pb = ProgressBar::new_spinner();
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb.set_message(name.to_string());
        pb.enable_steady_tick(Duration::from_millis(120));
        pb
    });
    let start = Instant::now();
    let out = f();
    // What the step freed goes back to the system before the next one builds its own.
    crate::memory::give_back();
    if let Some(pb) = spinner {
        pb.finish_and_clear();
    }
    let millis = start.elapsed().as_millis();
    tracing::info!(millis = millis as u64, "{name}: {millis} ms");
    if tracing::enabled!(tracing::Level::DEBUG) {
        if let Some((rss, peak)) = memory_mib() {
            tracing::debug!(rss_mib = rss, peak_mib = peak, "after {name}");
        }
    }
    let timing = StepTiming {
        step: name.to_string(),
        millis,
    };
    (out, timing)
}
