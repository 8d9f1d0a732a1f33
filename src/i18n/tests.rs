//! The catalogs agree: every language parses, has exactly English's ids, and uses exactly the
//! placeholders English's message uses.

use std::collections::{BTreeMap, BTreeSet};

use fluent_bundle::FluentResource;
use fluent_syntax::ast;

use super::catalog::source;
use super::*;

/// Message id → the `$variables` its value uses.
fn variables_by_id(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let resource = match FluentResource::try_new(source(lang).to_owned()) {
        Ok(resource) => resource,
        Err((_, errors)) => panic!("{} does not parse: {errors:?}", lang.code()),
    };
    let mut found = BTreeMap::new();
    for entry in resource.entries() {
        if let ast::Entry::Message(message) = entry {
            let mut names = BTreeSet::new();
            if let Some(pattern) = &message.value {
                pattern_variables(pattern, &mut names);
            }
            assert!(
                message.attributes.is_empty(),
                "{}: {} has attributes (the lookups read values only)",
                lang.code(),
                message.id.name
            );
            let previous = found.insert(message.id.name.to_owned(), names);
            assert!(
                previous.is_none(),
                "{}: {} twice",
                lang.code(),
                message.id.name
            );
        }
    }
    found
}

fn pattern_variables(pattern: &ast::Pattern<&str>, names: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, names);
        }
    }
}

fn expression_variables(expression: &ast::Expression<&str>, names: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Inline(inline) => inline_variables(inline, names),
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, names);
            for variant in variants {
                pattern_variables(&variant.value, names);
            }
        }
    }
}

fn inline_variables(inline: &ast::InlineExpression<&str>, names: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            names.insert(id.name.to_owned());
        }
        ast::InlineExpression::Placeable { expression } => expression_variables(expression, names),
        _ => {}
    }
}

#[test]
fn every_language_has_exactly_englishs_messages_with_the_same_placeholders() {
    let english = variables_by_id(Lang::En);
    assert!(english.len() > 50, "the English catalog is there");
    let mut problems = Vec::new();
    for lang in Lang::OFFERED.into_iter().skip(1) {
        let theirs = variables_by_id(lang);
        for (id, vars) in &english {
            match theirs.get(id) {
                None => problems.push(format!("{}: missing {id}", lang.code())),
                Some(v) if v != vars => problems.push(format!(
                    "{}: {id} uses {v:?}, English uses {vars:?}",
                    lang.code()
                )),
                Some(_) => {}
            }
        }
        for id in theirs.keys().filter(|id| !english.contains_key(*id)) {
            problems.push(format!("{}: {id} is not in English", lang.code()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_message_formats_without_errors_in_every_language() {
    for lang in Lang::OFFERED {
        for id in message_ids(lang) {
            let id: &'static str = Box::leak(id.into_boxed_str());
            let words = tr_in(lang, id);
            assert!(!words.trim().is_empty(), "{}: {id} is empty", lang.code());
            assert_ne!(words, id, "{}: {id} did not format", lang.code());
        }
    }
}

#[test]
fn placeholders_fill_in_and_plurals_follow_the_count() {
    set_language(Lang::En);
    assert_eq!(
        tr_args("quit-still-to-run", &[("count", 1.into())]),
        "1 action still to run."
    );
    assert_eq!(
        tr_args("quit-still-to-run", &[("count", 3.into())]),
        "3 actions still to run."
    );
    set_language(Lang::De);
    assert_eq!(
        crate::trf!("quit-still-to-run", count = 3),
        "3 Aktionen stehen noch aus."
    );
    set_language(Lang::En);
}

#[test]
fn the_language_is_per_thread_and_a_missing_message_falls_back_to_english_then_the_id() {
    set_language(Lang::De);
    assert_eq!(language(), Lang::De);
    let other = std::thread::Builder::new()
        .name("i18n-test".into())
        .spawn(|| {
            set_language(Lang::Es);
            language()
        })
        .unwrap();
    assert_eq!(other.join().ok(), Some(Lang::Es));
    assert_eq!(language(), Lang::De, "another thread's pick is not ours");
    assert_eq!(tr("no-such-message"), "no-such-message");
    set_language(Lang::Pseudo);
    let wrapped = tr("quit-quit-now");
    assert!(wrapped.starts_with(PSEUDO_OPEN) && wrapped.ends_with(PSEUDO_CLOSE));
    set_language(Lang::En);
}

#[test]
fn os_locales_map_to_our_languages() {
    assert_eq!(Lang::from_locale("de_DE.UTF-8"), Some(Lang::De));
    assert_eq!(Lang::from_locale("de-AT"), Some(Lang::De));
    assert_eq!(Lang::from_locale("es-419"), Some(Lang::Es));
    assert_eq!(Lang::from_locale("pt-PT"), Some(Lang::PtBr));
    assert_eq!(Lang::from_locale("in_ID"), Some(Lang::Id));
    assert_eq!(Lang::from_locale("en-GB"), Some(Lang::En));
    assert_eq!(Lang::from_locale("fr-FR"), None);
    assert_eq!(Lang::from_locale("C"), None);
}

#[test]
fn the_setting_saves_as_its_code_and_unknown_codes_read_as_auto() {
    for lang in Lang::OFFERED {
        let json = serde_json::to_string(&LanguageChoice::Fixed(lang)).unwrap();
        assert_eq!(json, format!("\"{}\"", lang.code()));
        let back: LanguageChoice = serde_json::from_str(&json).unwrap();
        assert_eq!(back, LanguageChoice::Fixed(lang));
    }
    let auto: LanguageChoice = serde_json::from_str("\"auto\"").unwrap();
    assert_eq!(auto, LanguageChoice::Auto);
    let unknown: LanguageChoice = serde_json::from_str("\"tlh\"").unwrap();
    assert_eq!(unknown, LanguageChoice::Auto);
    assert_eq!(
        LanguageChoice::from_code("PT-br"),
        LanguageChoice::Fixed(Lang::PtBr)
    );
}
