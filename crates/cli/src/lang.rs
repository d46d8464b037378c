//! The user's language: `tr` picks the sentence. A leaf every subcommand uses (and the reason it is not
//! in `main.rs`: the subcommands would then depend on the file that dispatches to them).

use tierbook_core::Lang;

/// Picks the sentence in the user's language.
pub(crate) fn tr<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}
