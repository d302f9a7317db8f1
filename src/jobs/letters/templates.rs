//! Letter templates compiled once per run: one minijinja template per kind and language and
//! the HTML bundle page, from [`sources`](super::sources) (bundled, or overridden with
//! `--templates DIR`).
//!
//! Secrecy is structural (0207 §1.4, §1.5, §2.4.ד, §2.6.ה, §2.12.ג): a template sees only a
//! [`LetterContext`], whose fields are names, dates and school years — none can hold a score,
//! percentile, rank or lottery number — and a template that refers to any other variable is
//! rejected when it is loaded, naming the file and the variable.
//!
//! Grammatical gender (Hebrew and Arabic verbs and adjectives agree with the child): templates
//! write a word that agrees with the child as `{{ by_gender(m="מופנה", f="מופנית") }}`, the
//! only function they get (`by_gender`).
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, State, UndefinedBehavior};

use super::bundle::{BundleContext, BundleLetter, BundleParagraph};
use super::context::{ContextValues, LetterContext};
use super::sources::{sources, template_name, BUNDLE_TEMPLATE};
use super::{Language, LetterKind, LettersError};

/// The letter templates of a run, each compiled once.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
    /// Where each template came from (`bundled` or the override file), for messages.
    origins: BTreeMap<String, String>,
}

impl Templates {
    /// The bundled templates only.
    pub fn bundled() -> Result<Templates, LettersError> {
        Templates::load(None)
    }

    /// The bundled templates, each replaced by `DIR/<lang>/<kind>.txt` (and `DIR/bundle.html`)
    /// when `override_dir` has it ([`sources`](super::sources)). A missing directory, an
    /// unreadable or broken file, a file under `DIR/he` or `DIR/ar` that names no letter kind,
    /// or a template using a variable that is not a [`LetterContext`] field is an error naming
    /// the file.
    pub fn load(override_dir: Option<&Path>) -> Result<Templates, LettersError> {
        let sources = sources(override_dir)?;

        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_syntax(
            SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .build()
                .map_err(|e| LettersError::Syntax(e.to_string()))?,
        );
        env.add_function("by_gender", by_gender);
        let globals: BTreeSet<String> = env.globals().map(|(k, _)| k.to_string()).collect();
        let mut origins = BTreeMap::new();
        for (name, (src, origin)) in sources {
            env.add_template_owned(name.clone(), src)
                .map_err(|e| LettersError::Broken {
                    template: origin_label(&origin, &name),
                    detail: describe(&e),
                })?;
            origins.insert(name, origin);
        }
        let templates = Templates { env, origins };
        templates.check(&globals)?;
        Ok(templates)
    }

    /// Where a template came from: `bundled` or the override file's path.
    pub fn origin(&self, language: Language, kind: LetterKind) -> &str {
        self.origins
            .get(&template_name(language, kind))
            .map(String::as_str)
            .unwrap_or("bundled")
    }

    /// Every letter template only uses context fields, and renders with a sample context (all
    /// optional fields set, and all unset); the bundle template renders a sample bundle.
    fn check(&self, globals: &BTreeSet<String>) -> Result<(), LettersError> {
        for language in Language::ALL {
            for kind in LetterKind::ALL {
                let name = template_name(language, kind);
                let label = origin_label(&self.origins[&name], &name);
                let tmpl = self
                    .env
                    .get_template(&name)
                    .map_err(|e| LettersError::Missing {
                        template: label.clone(),
                        detail: e.to_string(),
                    })?;
                let mut unknown: Vec<String> = tmpl
                    .undeclared_variables(false)
                    .into_iter()
                    .filter(|v| !LetterContext::FIELDS.contains(&v.as_str()))
                    .filter(|v| !globals.contains(v))
                    .collect();
                unknown.sort();
                if !unknown.is_empty() {
                    return Err(LettersError::Forbidden {
                        template: label,
                        variables: unknown,
                    });
                }
                for optional in [true, false] {
                    let ctx = LetterContext::sample(language, optional);
                    self.render_context(language, kind, ctx).map_err(|e| {
                        LettersError::SampleFails {
                            template: label.clone(),
                            detail: e.detail,
                        }
                    })?;
                }
            }
        }
        let sample = BundleContext {
            lang: "he",
            dir: "rtl",
            institution_id: "000000",
            institution_name: "בית ספר הדגמה",
            letters: vec![BundleLetter {
                lang: "he",
                student_id: "000000018",
                kind: "stage_a_referred",
                recipient_name: "רחל לוי",
                address_lines: vec!["הרצל 1".into(), "חיפה".into()],
                paragraphs: vec![
                    BundleParagraph {
                        subject: true,
                        text: "הנדון: <בדיקה>",
                    },
                    BundleParagraph {
                        subject: false,
                        text: "שלום\nרב",
                    },
                ],
            }],
        };
        self.render_bundle(&sample)
            .map_err(|e| LettersError::SampleFails {
                template: origin_label(&self.origins[BUNDLE_TEMPLATE], BUNDLE_TEMPLATE),
                detail: e.to_string(),
            })?;
        Ok(())
    }

    /// Renders one letter; the text is tidied (trailing spaces removed, at most one blank line
    /// in a row, no leading or trailing blank lines).
    pub fn render(
        &self,
        language: Language,
        kind: LetterKind,
        ctx: LetterContext,
    ) -> Result<String, LettersError> {
        self.render_context(language, kind, ctx)
            .map_err(|e| self.render_error(language, kind, e))
    }

    fn render_context(
        &self,
        language: Language,
        kind: LetterKind,
        ctx: LetterContext,
    ) -> Result<String, RenderError> {
        self.render_values_inner(language, kind, ContextValues::from_context(ctx))
    }

    /// [`Templates::render`] with prebuilt values (the fast path of `render_letters`).
    pub(crate) fn render_values(
        &self,
        language: Language,
        kind: LetterKind,
        values: ContextValues,
    ) -> Result<String, LettersError> {
        self.render_values_inner(language, kind, values)
            .map_err(|e| self.render_error(language, kind, e))
    }

    fn render_values_inner(
        &self,
        language: Language,
        kind: LetterKind,
        values: ContextValues,
    ) -> Result<String, RenderError> {
        let tmpl = self
            .env
            .get_template(&template_name(language, kind))
            .map_err(RenderError::from)?;
        let raw = tmpl
            .render(Value::from_object(values))
            .map_err(RenderError::from)?;
        Ok(tidy_text(&raw))
    }

    fn render_error(&self, language: Language, kind: LetterKind, e: RenderError) -> LettersError {
        let name = template_name(language, kind);
        let origin = self
            .origins
            .get(&name)
            .map(String::as_str)
            .unwrap_or("bundled");
        LettersError::Render {
            template: origin_label(origin, &name),
            detail: e.detail,
        }
    }

    /// Renders an HTML bundle page (auto-escaped HTML).
    pub fn render_bundle(&self, ctx: &BundleContext<'_>) -> Result<String, LettersError> {
        let tmpl = self
            .env
            .get_template(BUNDLE_TEMPLATE)
            .map_err(|e| LettersError::BundleMissing(e.to_string()))?;
        tmpl.render(ctx.value()).map_err(|e| LettersError::Render {
            template: origin_label(&self.origins[BUNDLE_TEMPLATE], BUNDLE_TEMPLATE),
            detail: describe(&e),
        })
    }
}

/// `by_gender(m="…", f="…")`: the form of a word that agrees with the child — the `f` text for
/// a girl (`student_gender` is `f`), the `m` text otherwise (a boy, or gender unknown: the
/// masculine is the generic form). Both forms are required and no other argument is taken, so
/// a misspelt `m=`/`f=` fails when the template is loaded, naming the file.
///
/// The forms are read with `peek` and the arguments checked by name, which is what
/// `get` + `assert_all_used` do, without the set of used names `get` builds on every call: a
/// national run calls this ~2 million times.
fn by_gender(state: &State<'_, '_>, forms: Kwargs) -> Result<Value, minijinja::Error> {
    let m: &Value = forms.peek("m")?;
    let f: &Value = forms.peek("f")?;
    if let Some(other) = forms.args().find(|a| !matches!(*a, "m" | "f")) {
        return Err(minijinja::Error::new(
            minijinja::ErrorKind::TooManyArguments,
            format!("unknown keyword argument '{other}'"),
        ));
    }
    let girl = state
        .lookup("student_gender")
        .is_some_and(|g| g.as_str() == Some("f"));
    Ok(if girl { f.clone() } else { m.clone() })
}

struct RenderError {
    detail: String,
}

impl From<minijinja::Error> for RenderError {
    fn from(e: minijinja::Error) -> Self {
        RenderError {
            detail: describe(&e),
        }
    }
}

/// A minijinja error in one line, with the line number when known.
fn describe(e: &minijinja::Error) -> String {
    let mut s = match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    };
    if let Some(line) = e.line() {
        s.push_str(&format!(" (line {line})"));
    }
    s
}

fn origin_label(origin: &str, name: &str) -> String {
    if origin == "bundled" {
        format!("{name} (bundled)")
    } else {
        origin.to_string()
    }
}

/// Trailing spaces removed from every line, at most one blank line in a row, no blank lines
/// at the start or the end.
pub fn tidy_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut blank_run = 0usize;
    for line in raw.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if blank_run > 0 {
                out.push('\n');
            }
        }
        blank_run = 0;
        out.push_str(line);
    }
    out
}
