//! Every user-facing text, Bahasa Indonesia first and English second, in one Fluent catalogue:
//! `locales/id/*.ftl` and `locales/en/*.ftl`, embedded in the binary at compile time.
//!
//! Code names a message by its id (`l.text("form-title")`, `l.text_with("wa-party-ack", &[("n",
//! &n)])`, `page.t("form-title")` in templates). A message missing in English falls back to
//! Indonesian, and one missing in both to its id: a lookup never panics. The tests below make a
//! missing message impossible: both languages hold the same ids with the same variables, and every
//! id the sources use exists.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::{LazyLock, PoisonError, RwLock};

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "id",
        // No Unicode isolation marks (U+2068/U+2069) around placeables: pages, chat messages and
        // CLI output carry exactly the characters written in the catalogue.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static ID: LazyLock<LanguageIdentifier> = LazyLock::new(|| fluent_templates::langid!("id"));
static EN: LazyLock<LanguageIdentifier> = LazyLock::new(|| fluent_templates::langid!("en"));

/// Messages without variables, formatted once per language and kept for the life of the process
/// (a bounded set: one entry per message id the code names), so that `text` can lend `&'static str`.
static PLAIN: LazyLock<[RwLock<HashMap<&'static str, &'static str>>; 2]> =
    LazyLock::new(|| [RwLock::default(), RwLock::default()]);

pub use crate::protocol::Lang;

impl Lang {
    fn langid(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Id => &ID,
            Lang::En => &EN,
        }
    }

    /// The message `id` in this language (a message without variables).
    pub(crate) fn text(self, id: &'static str) -> &'static str {
        let cache = &PLAIN[self as usize];
        if let Some(s) = cache.read().unwrap_or_else(PoisonError::into_inner).get(id) {
            return s;
        }
        let s: &'static str = match LOCALES.try_lookup(self.langid(), id) {
            Some(s) => Box::leak(s.into_boxed_str()),
            None => id,
        };
        cache
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, s);
        s
    }

    /// The message `id` in this language with its variables, e.g. `&[("n", &3)]`.
    pub(crate) fn text_with(self, id: &str, args: &[(&str, &dyn Display)]) -> String {
        let args = args
            .iter()
            .map(|(name, value)| {
                (
                    std::borrow::Cow::Owned((*name).to_owned()),
                    FluentValue::from(value.to_string()),
                )
            })
            .collect::<HashMap<_, _>>();
        LOCALES
            .try_lookup_with_args(self.langid(), id, &args)
            .unwrap_or_else(|| id.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    use fluent_syntax::ast;

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                files(&path, ext, out);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push(path);
            }
        }
        out.sort();
    }

    fn variables_of(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                expression_vars(expression, out);
            }
        }
    }

    fn expression_vars(expression: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
        match expression {
            ast::Expression::Inline(inline) => inline_vars(inline, out),
            ast::Expression::Select { selector, variants } => {
                inline_vars(selector, out);
                for v in variants {
                    variables_of(&v.value, out);
                }
            }
        }
    }

    fn inline_vars(inline: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match inline {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_owned());
            }
            ast::InlineExpression::Placeable { expression } => expression_vars(expression, out),
            _ => {}
        }
    }

    /// Every message of one language: id → (file, variables). Fails on parse errors and on an id
    /// defined twice (which would make the bundle refuse the second file).
    fn catalogue(lang: &str) -> BTreeMap<String, (String, BTreeSet<String>)> {
        let mut paths = Vec::new();
        files(&root().join("locales").join(lang), "ftl", &mut paths);
        assert!(!paths.is_empty(), "no .ftl files for {lang}");
        let mut messages = BTreeMap::new();
        for path in paths {
            let name = path.display().to_string();
            let source = std::fs::read_to_string(&path).unwrap_or_default();
            let resource = match fluent_syntax::parser::parse(source.as_str()) {
                Ok(r) => r,
                Err((_, errors)) => panic!("{name} does not parse: {errors:?}"),
            };
            for entry in &resource.body {
                match entry {
                    ast::Entry::Message(m) => {
                        let mut vars = BTreeSet::new();
                        if let Some(value) = &m.value {
                            variables_of(value, &mut vars);
                        }
                        assert!(m.value.is_some(), "{name}: {} has no value", m.id.name);
                        let before =
                            messages.insert(m.id.name.to_owned(), (name.clone(), vars.clone()));
                        assert!(before.is_none(), "{name}: {} defined twice", m.id.name);
                    }
                    ast::Entry::Junk { content } => panic!("{name}: junk {content:?}"),
                    _ => {}
                }
            }
        }
        messages
    }

    /// Message ids named in the sources: `.text("…")`, `.text_with("…"`, and `page.t("…")` in templates.
    fn used_ids() -> BTreeMap<String, String> {
        let mut paths = Vec::new();
        files(&root().join("src"), "rs", &mut paths);
        files(&root().join("templates"), "html", &mut paths);
        let mut used = BTreeMap::new();
        for path in paths {
            let source = std::fs::read_to_string(&path).unwrap_or_default();
            if path.ends_with("src/i18n.rs") {
                continue; // this file's own examples
            }
            // (call, what follows the id): `c.text("evidence", …)` in report.rs is another `text`.
            for (call, end) in [(".text(", "\")"), (".t(", "\")"), (".text_with(", "\",")] {
                for (at, _) in source.match_indices(call) {
                    let Some(rest) = source[at + call.len()..].trim_start().strip_prefix('"')
                    else {
                        continue;
                    };
                    let id = rest.split('"').next().unwrap_or("");
                    if rest[id.len()..].starts_with(end) {
                        used.insert(id.to_owned(), path.display().to_string());
                    }
                }
            }
        }
        used
    }

    #[test]
    fn every_ftl_file_parses_and_defines_each_id_once() {
        assert!(catalogue("id").len() > 100);
        assert!(catalogue("en").len() > 100);
    }

    #[test]
    fn both_languages_hold_the_same_messages_with_the_same_variables() {
        let id = catalogue("id");
        let en = catalogue("en");
        for (key, (file, vars)) in &id {
            match en.get(key) {
                None => panic!("{key} ({file}) has no English translation"),
                Some((_, en_vars)) => assert_eq!(vars, en_vars, "{key}: variables differ"),
            }
        }
        for (key, (file, _)) in &en {
            assert!(
                id.contains_key(key),
                "{key} ({file}) has no Indonesian text"
            );
        }
    }

    #[test]
    fn every_message_the_sources_name_exists() {
        let id = catalogue("id");
        let used = used_ids();
        assert!(
            used.len() > 100,
            "the scanner found only {} ids",
            used.len()
        );
        for (key, file) in &used {
            assert!(
                id.contains_key(key),
                "{file} names {key}, which is not in locales/"
            );
        }
        for c in crate::intake::report::CATEGORIES {
            for key in [c.label_id, c.title_id] {
                assert!(id.contains_key(key), "category {} names {key}", c.code);
            }
        }
    }

    #[test]
    fn every_message_is_used() {
        let mut sources = String::new();
        let mut paths = Vec::new();
        files(&root().join("src"), "rs", &mut paths);
        files(&root().join("templates"), "html", &mut paths);
        for path in paths {
            sources.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
        }
        for key in catalogue("id").keys() {
            assert!(
                sources.contains(&format!("\"{key}\"")),
                "{key} is never used"
            );
        }
    }

    #[test]
    fn lookups_fall_back_and_never_isolate() {
        assert_eq!(Lang::Id.text("no-such-message"), "no-such-message");
        assert_eq!(
            Lang::En.text_with("no-such-message", &[]),
            "no-such-message"
        );
        for l in [Lang::Id, Lang::En] {
            let s = l.text_with("wa-party-ack", &[("n", &3)]);
            assert!(s.contains('3') && !s.contains('\u{2068}') && !s.contains('\u{2069}'));
        }
    }
}
