//! Text from files on the terminal. Headers, cells, sheet and file names, customer names and the
//! user's segment names all reach the terminal; a file whose cell holds `ESC [2J` would otherwise
//! clear the screen, `BEL` ring it, and a right-to-left override reorder what the user reads. So
//! everything the CLI prints goes through `clean` (the `say!`/`say_err!` macros), and JSON through `json`.

use std::borrow::Cow;
use std::fmt::Write;

/// True for what a terminal would act on instead of showing: C0 controls other than newline and
/// tab, DEL, C1 controls (both are Unicode's `Cc`) and the bidirectional marks and overrides.
fn acts_on_terminal(ch: char) -> bool {
    (ch.is_control() && ch != '\n' && ch != '\t')
        || matches!(ch, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with each character `acts_on_terminal` replaced by what `escape` writes for it.
fn escaped(text: &str, escape: fn(char, &mut String)) -> Cow<'_, str> {
    if !text.chars().any(acts_on_terminal) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        if acts_on_terminal(ch) {
            escape(ch, &mut out);
        } else {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

/// `text` with every control character shown as a visible escape (`\x1b`, `\u{202e}`), so the user
/// sees that the file holds it and the terminal does nothing with it.
pub(crate) fn clean(text: &str) -> Cow<'_, str> {
    escaped(text, |ch, out| {
        let _ = if u32::from(ch) < 0x100 {
            write!(out, "\\x{:02x}", u32::from(ch))
        } else {
            write!(out, "\\u{{{:04x}}}", u32::from(ch))
        };
    })
}

/// Pretty JSON whose strings carry no raw control character: serde_json already escapes C0, and this
/// escapes DEL, C1 and the bidi controls as `\uXXXX` (valid JSON; such characters only occur inside
/// strings).
pub(crate) fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    escaped(&text, |ch, out| {
        let _ = write!(out, "\\u{:04x}", u32::from(ch));
    })
    .into_owned()
}

/// `println!` for the CLI: the formatted line goes through `term::clean`.
macro_rules! say {
    ($($arg:tt)*) => {
        println!("{}", $crate::term::clean(&format!($($arg)*)))
    };
}

/// `eprintln!` for the CLI: the formatted line goes through `term::clean`.
macro_rules! say_err {
    ($($arg:tt)*) => {
        eprintln!("{}", $crate::term::clean(&format!($($arg)*)))
    };
}

pub(crate) use {say, say_err};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls_and_bidi_overrides_but_keeps_text() {
        assert_eq!(clean("买家\x1b[2J昵称\x07"), "买家\\x1b[2J昵称\\x07");
        assert_eq!(clean("a\u{202E}fdp.exe"), "a\\u{202e}fdp.exe");
        assert_eq!(clean("\u{9b}31m C1"), "\\x9b31m C1");
        assert_eq!(clean("第一行\n\t第二行 ¥1,234"), "第一行\n\t第二行 ¥1,234");
        assert!(matches!(clean("小明"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_strings_escape_what_serde_leaves_raw() {
        let text = json(&serde_json::json!({ "name": "x\u{202E}y\u{7f}\x1b" }));
        assert!(!text.chars().any(acts_on_terminal), "{text:?}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["name"], "x\u{202E}y\u{7f}\x1b");
    }
}
