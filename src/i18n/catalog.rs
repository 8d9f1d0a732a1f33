//! The compiled-in catalogs: each language's Fluent resource parsed once, on first use, with its
//! fixed (placeholder-free) messages formatted once and kept for the run.

use std::collections::HashMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use fluent_syntax::ast;

use super::{Lang, Value};

/// What every message starts and ends with in [`Lang::Pseudo`].
pub const PSEUDO_OPEN: char = '‹';
pub const PSEUDO_CLOSE: char = '›';

/// The Fluent source of a language's catalog.
pub(super) fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::En | Lang::Pseudo => include_str!("../../assets/i18n/en.ftl"),
        Lang::De => include_str!("../../assets/i18n/de.ftl"),
        Lang::Es => include_str!("../../assets/i18n/es.ftl"),
        Lang::PtBr => include_str!("../../assets/i18n/pt-BR.ftl"),
        Lang::Id => include_str!("../../assets/i18n/id.ftl"),
    }
}

/// One language, ready to look up.
struct Catalog {
    bundle: FluentBundle<FluentResource>,
    /// Every message formatted without arguments (placeholders show as `{$name}`).
    fixed: HashMap<String, String>,
    pseudo: bool,
}

const LANGS: usize = 6;

fn catalog(lang: Lang) -> &'static Catalog {
    static CATALOGS: [OnceLock<Catalog>; LANGS] = [const { OnceLock::new() }; LANGS];
    CATALOGS[usize::from(lang.index())].get_or_init(|| build(lang))
}

fn build(lang: Lang) -> Catalog {
    let resource = match FluentResource::try_new(source(lang).to_owned()) {
        Ok(resource) => resource,
        Err((resource, errors)) => {
            // Compiled in, so the unit tests catch this; the messages that parsed still work.
            tracing::warn!(language = lang.code(), ?errors, "catalog has Fluent errors");
            resource
        }
    };
    let ids: Vec<String> = ids_of(&resource).map(str::to_owned).collect();
    let locale = match lang {
        Lang::Pseudo => "en",
        other => other.code(),
    };
    let langid = locale
        .parse()
        .unwrap_or(unic_langid::LanguageIdentifier::default());
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // The Unicode isolation marks Fluent puts around placeholders would show as boxes in egui's
    // fonts, and make the English words differ from what tests and users know.
    bundle.set_use_isolating(false);
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::warn!(
            language = lang.code(),
            ?errors,
            "catalog has duplicate messages"
        );
    }
    let pseudo = lang == Lang::Pseudo;
    let mut catalog = Catalog {
        bundle,
        fixed: HashMap::with_capacity(ids.len()),
        pseudo,
    };
    for id in ids {
        let words = format_with(&catalog, &id, None).unwrap_or_default();
        catalog.fixed.insert(id, words);
    }
    catalog
}

/// The ids of the messages in a parsed resource, in file order.
fn ids_of(resource: &FluentResource) -> impl Iterator<Item = &str> {
    resource.entries().filter_map(|entry| match entry {
        ast::Entry::Message(message) => Some(message.id.name),
        _ => None,
    })
}

fn format_with(catalog: &Catalog, id: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
    let message = catalog.bundle.get_message(id)?;
    let pattern = message.value()?;
    let mut errors = Vec::new();
    let words = catalog.bundle.format_pattern(pattern, args, &mut errors);
    Some(if catalog.pseudo {
        format!("{PSEUDO_OPEN}{words}{PSEUDO_CLOSE}")
    } else {
        words.into_owned()
    })
}

/// The fixed words of `id` in `lang`, else English's, else the id.
pub(super) fn fixed(lang: Lang, id: &'static str) -> &'static str {
    if let Some(words) = catalog(lang).fixed.get(id) {
        return words;
    }
    catalog(Lang::En).fixed.get(id).map_or(id, String::as_str)
}

/// `id` in `lang` with `args` filled in, else English's, else the id.
pub(super) fn format(lang: Lang, id: &'static str, args: &[(&'static str, Value<'_>)]) -> String {
    let mut fluent_args = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        fluent_args.set(*name, value.clone());
    }
    format_with(catalog(lang), id, Some(&fluent_args))
        .or_else(|| format_with(catalog(Lang::En), id, Some(&fluent_args)))
        .unwrap_or_else(|| id.to_owned())
}

/// Every message id of `lang`'s catalog, in file order (for the tests that compare catalogs).
pub fn message_ids(lang: Lang) -> Vec<String> {
    match FluentResource::try_new(source(lang).to_owned()) {
        Ok(resource) | Err((resource, _)) => ids_of(&resource).map(str::to_owned).collect(),
    }
}
