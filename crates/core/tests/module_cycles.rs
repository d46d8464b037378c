//! No import circles between the modules of any crate in the workspace (the core, the CLI, the app).
//!
//! A small reader of Rust source, enough for this code base: it follows `mod` declarations from each
//! crate root, and takes as a module's dependencies every path it names through `crate::`, `super::`,
//! `self::` or one of its own child modules (in `use` trees and in code). A path is resolved to the
//! deepest module it names, following `use` re-exports (`crate::Error` is `error`). A `pub use` is a
//! path to the item, not a use of it: it counts only when the module's own code names the item.
//! Comments, string and char literals and `#[cfg(test)]` modules are left out. A module that uses its
//! parent and is used by it counts as a circle too: what both need goes in a module below both.
//!
//! Why not cargo-modules: it builds the crate graph through rust-analyzer, minutes of compiling and
//! seconds per run on this machine; this reads ~25k lines in milliseconds.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The crate roots of the workspace, relative to the workspace root.
const CRATE_ROOTS: &[&str] = &["crates/core/src/lib.rs", "crates/cli/src/main.rs", "src-tauri/lib.rs"];

/// Circles being taken apart on other branches: (crate root, the modules it may span, why). A
/// pattern `a::*` also matches `a`'s descendants. Once the circle is gone the entry must go too (the
/// test says so), so that nothing new hides behind it.
const KNOWN_CIRCLES: &[(&str, &[&str], &str)] = &[(
    "crates/cli/src/main.rs",
    &["classify", "history"],
    "CLI classify ↔ history: one core workspace job (issue 8, item 4)",
)];

#[test]
fn no_module_depends_on_itself_through_others() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap();
    let mut report = String::new();
    for root in CRATE_ROOTS {
        let graph = Graph::load(&workspace.join(root));
        assert!(
            graph.modules.len() > 3,
            "{root}: too few modules found ({}); is the reader broken?",
            graph.modules.len()
        );
        let mut known_seen = [false; KNOWN_CIRCLES.len()];
        for cycle in graph.cycles() {
            let matches = |pattern: &&str, m: &String| match pattern.strip_suffix("::*") {
                Some(prefix) => m.starts_with(&format!("{prefix}::")),
                None => m == pattern,
            };
            let known = KNOWN_CIRCLES
                .iter()
                .position(|(r, allowed, _)| r == root && cycle.iter().all(|m| allowed.iter().any(|p| matches(p, m))));
            if let Some(k) = known {
                known_seen[k] = true;
                continue;
            }
            let shown: Vec<&str> = cycle.iter().map(|m| display(m)).collect();
            report.push_str(&format!("{root}: modules in a circle: {}\n", shown.join(" ↔ ")));
            for (from, to, place) in graph.edges_within(&cycle) {
                let place = place.strip_prefix(&format!("{}/", workspace.display())).unwrap_or(&place).to_string();
                report.push_str(&format!("    {} → {}   ({place})\n", display(&from), display(&to)));
            }
        }
        for (k, (r, allowed, why)) in KNOWN_CIRCLES.iter().enumerate() {
            if r == root && !known_seen[k] {
                report.push_str(&format!(
                    "{root}: no circle left within {allowed:?} ({why}): remove it from KNOWN_CIRCLES\n"
                ));
            }
        }
    }
    assert!(
        report.is_empty(),
        "import circles between modules (move what both sides need into a module below them):\n{report}"
    );
}

/// A module's path for people: the root is `crate`.
fn display(module: &str) -> &str {
    if module.is_empty() {
        "crate"
    } else {
        module
    }
}

#[test]
fn the_reader_finds_circles_and_resolves_paths() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write("lib.rs", "mod a;\npub mod b;\nmod c;\npub use b::Thing;\n#[cfg(test)]\nmod tests { use crate::a::*; }\n");
    // `a` → `b` through the root's re-export; `b` → `a::inner` in a use tree; `c` only in comments and strings.
    write(
        "a.rs",
        "// crate::c::X\npub mod inner;\nfn f() -> crate::Thing { let _ = \"crate::c\"; let _ = '\"'; todo!() }\n",
    );
    write("a/inner.rs", "pub struct Y;\n");
    write(
        "b.rs",
        "use crate::{a::{inner::Y, self}, c as _};\npub struct Thing;\nmod deep { use super::super::c::Z; }\n",
    );
    write("c.rs", "pub struct X; pub struct Z;\n");
    let graph = Graph::load(&dir.path().join("lib.rs"));
    let deps =
        |m: &str| graph.edges.iter().filter(|(f, ..)| f == m).map(|(_, t, _)| t.as_str()).collect::<BTreeSet<_>>();
    assert_eq!(deps("a"), BTreeSet::from(["b"]));
    assert_eq!(deps("b"), BTreeSet::from(["a", "a::inner", "c"]));
    assert_eq!(deps("b::deep"), BTreeSet::from(["c"]));
    assert!(!graph.modules.contains_key("tests"), "cfg(test) modules are left out");
    assert_eq!(graph.cycles(), vec![vec!["a".to_string(), "b".to_string()]]);
}

/// One module: its path from the crate root (`""` for the root), its code with comments, literals
/// and child module bodies blanked, and what its `pub use`s re-export.
struct Module {
    code: String,
    file: PathBuf,
    children: BTreeSet<String>,
    /// Name brought in by a `use` (visible to the module's descendants, and to all when `pub`) →
    /// the path from the crate root it stands for.
    imports: BTreeMap<String, Vec<String>>,
}

struct Graph {
    modules: BTreeMap<String, Module>,
    /// (from, to, where) with module paths like `export::workbook`.
    edges: Vec<(String, String, String)>,
}

impl Graph {
    fn load(root: &Path) -> Graph {
        let mut graph = Graph { modules: BTreeMap::new(), edges: Vec::new() };
        let code = blank_literals(&fs::read_to_string(root).unwrap_or_else(|e| panic!("{}: {e}", root.display())));
        graph.add(Vec::new(), &code, root, root.parent().unwrap());
        let names: Vec<String> = graph.modules.keys().cloned().collect();
        for name in names {
            graph.collect_edges(&name);
        }
        graph.edges.sort();
        graph.edges.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        graph
    }

    /// Adds the module at `path` with source `code` (from `file`), whose child files live in `dir`.
    fn add(&mut self, path: Vec<String>, code: &str, file: &Path, dir: &Path) {
        let mut own = String::with_capacity(code.len());
        let mut children = BTreeSet::new();
        let mut rest = code;
        while let Some((before, name, kind, after)) = next_mod(rest) {
            let test_only = before.trim_end().ends_with("#[cfg(test)]");
            own.push_str(before);
            let mut child = path.clone();
            child.push(name.to_string());
            match kind {
                ModKind::File => {
                    rest = after;
                    if !test_only {
                        let child_file = [dir.join(format!("{name}.rs")), dir.join(name).join("mod.rs")]
                            .into_iter()
                            .find(|p| p.exists())
                            .unwrap_or_else(|| panic!("{}: no file for `mod {name};`", file.display()));
                        let child_code = blank_literals(&fs::read_to_string(&child_file).unwrap());
                        self.add(child.clone(), &child_code, &child_file, &dir.join(name));
                    }
                }
                ModKind::Inline => {
                    let end = matching_brace(after);
                    if !test_only {
                        self.add(child.clone(), &after[..end], file, &dir.join(name));
                    }
                    own.push_str(&" ".repeat(end));
                    rest = &after[end..];
                }
            }
            if !test_only {
                children.insert(name.to_string());
            }
        }
        own.push_str(rest);
        let mut module = Module { code: own, file: file.to_path_buf(), children, imports: BTreeMap::new() };
        for (_, tree, _) in use_statements(&module.code) {
            for (segments, alias) in expand_use_tree(&tree) {
                if let Some(abs) = absolute(&path, &module.children, &segments) {
                    let name = alias.unwrap_or_else(|| segments.last().cloned().unwrap_or_default());
                    if name != "_" && name != "*" {
                        module.imports.insert(name, abs);
                    }
                }
            }
        }
        self.modules.insert(path.join("::"), module);
    }

    fn collect_edges(&mut self, name: &str) {
        let path: Vec<String> = if name.is_empty() { Vec::new() } else { name.split("::").map(String::from).collect() };
        let module = &self.modules[name];
        let mut code = module.code.clone();
        let mut found = Vec::new();
        let uses = use_statements(&module.code);
        for (_, _, range) in &uses {
            code.replace_range(range.clone(), &" ".repeat(range.len()));
        }
        for (is_pub, tree, _) in &uses {
            for (segments, alias) in expand_use_tree(tree) {
                let name = alias.as_deref().or(segments.last().map(String::as_str)).unwrap_or_default();
                if !is_pub || name == "*" || names_identifier(&code, name) {
                    found.push(segments);
                }
            }
        }
        found.extend(inline_paths(&code, &module.children));
        let mut edges = Vec::new();
        for segments in found {
            let Some(abs) = absolute(&path, &module.children, &segments) else { continue };
            let target = self.resolve(&abs);
            if target != name {
                let text = segments.join("::");
                edges.push((name.to_string(), target, format!("{}: {text}", module.file.display())));
            }
        }
        self.edges.extend(edges);
    }

    /// The deepest module `abs` (a path from the crate root) names, through re-exports.
    fn resolve(&self, abs: &[String]) -> String {
        let mut current: Vec<String> = Vec::new();
        let mut hops = 0;
        let mut i = 0;
        let mut abs = abs.to_vec();
        while i < abs.len() {
            let module = &self.modules[&current.join("::")];
            let segment = &abs[i];
            if module.children.contains(segment) {
                current.push(segment.clone());
                i += 1;
            } else if let (Some(target), true) = (module.imports.get(segment), hops < 16) {
                hops += 1;
                let mut next = target.clone();
                next.extend_from_slice(&abs[i + 1..]);
                abs = next;
                current.clear();
                i = 0;
            } else {
                break;
            }
        }
        current.join("::")
    }

    /// Strongly connected groups of two or more modules, each sorted, in name order.
    fn cycles(&self) -> Vec<Vec<String>> {
        let names: Vec<&String> = self.modules.keys().collect();
        let index = |n: &str| names.iter().position(|x| *x == n).unwrap();
        let mut next: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
        for (from, to, _) in &self.edges {
            next[index(from)].push(index(to));
        }
        let reach = |start: usize| {
            let mut seen = vec![false; names.len()];
            let mut stack = vec![start];
            while let Some(n) = stack.pop() {
                for &m in &next[n] {
                    if !seen[m] {
                        seen[m] = true;
                        stack.push(m);
                    }
                }
            }
            seen
        };
        let reachable: Vec<Vec<bool>> = (0..names.len()).map(reach).collect();
        let mut groups: BTreeSet<Vec<String>> = BTreeSet::new();
        for (a, from_a) in reachable.iter().enumerate() {
            let group: Vec<String> =
                (0..names.len()).filter(|&b| from_a[b] && reachable[b][a]).map(|b| names[b].clone()).collect();
            if group.len() > 1 {
                groups.insert(group);
            }
        }
        groups.into_iter().collect()
    }

    fn edges_within(&self, group: &[String]) -> Vec<(String, String, String)> {
        self.edges.iter().filter(|(f, t, _)| group.contains(f) && group.contains(t)).cloned().collect()
    }
}

enum ModKind {
    File,
    Inline,
}

/// The next `mod name;` or `mod name {` in `code`: (text before it, name, kind, text after `;`/`{`).
fn next_mod(code: &str) -> Option<(&str, &str, ModKind, &str)> {
    let bytes = code.as_bytes();
    let mut from = 0;
    while let Some(at) = code[from..].find("mod ").map(|i| i + from) {
        from = at + 4;
        if at > 0 && is_ident_byte(bytes[at - 1]) {
            continue;
        }
        let rest = code[at + 4..].trim_start();
        let name_len = rest.bytes().take_while(|&b| is_ident_byte(b)).count();
        if name_len == 0 {
            continue;
        }
        let name = &rest[..name_len];
        let after_name = rest[name_len..].trim_start();
        let start = code.len() - after_name.len() + 1;
        match after_name.as_bytes().first() {
            Some(b';') => return Some((&code[..at], name, ModKind::File, &code[start..])),
            Some(b'{') => return Some((&code[..at], name, ModKind::Inline, &code[start..])),
            _ => continue,
        }
    }
    None
}

/// The length of `code` up to (not including) the `}` closing a block whose `{` came just before.
fn matching_brace(code: &str) -> usize {
    let mut depth = 1usize;
    for (i, b) in code.bytes().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// True when `name` occurs in `code` as a whole identifier.
fn names_identifier(code: &str, name: &str) -> bool {
    let bytes = code.as_bytes();
    code.match_indices(name).any(|(at, _)| {
        let end = at + name.len();
        (at == 0 || !is_ident_byte(bytes[at - 1])) && (end == bytes.len() || !is_ident_byte(bytes[end]))
    })
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Every `use …;` of `code`: (whether it is `pub`, the tree text after `use`, where it is).
fn use_statements(code: &str) -> Vec<(bool, String, std::ops::Range<usize>)> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("use ").map(|i| i + from) {
        from = at + 4;
        if at > 0 && (is_ident_byte(bytes[at - 1]) || bytes[at - 1] == b':') {
            continue;
        }
        let Some(end) = code[at..].find(';') else { break };
        let before = code[..at].trim_end();
        let is_pub = before.ends_with("pub")
            || (before.ends_with(')') && before.rfind("pub(").is_some_and(|p| before[p..].len() < 16));
        let tree = code[at + 4..at + end].split_whitespace().collect::<Vec<_>>().join(" ");
        out.push((is_pub, tree, at..at + end + 1));
        from = at + end;
    }
    out
}

/// A use tree as flat paths with their alias: `crate::{a::{b, c as d}, e}` → `crate::a::b`, `crate::a::c` (d), `crate::e`.
fn expand_use_tree(tree: &str) -> Vec<(Vec<String>, Option<String>)> {
    fn walk(tree: &str, prefix: &[String], out: &mut Vec<(Vec<String>, Option<String>)>) {
        let tree = tree.trim();
        if let Some(open) = tree.find('{') {
            let mut prefix = prefix.to_vec();
            prefix.extend(tree[..open].split("::").map(str::trim).filter(|s| !s.is_empty()).map(String::from));
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        walk(&inner[start..i], &prefix, out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            walk(&inner[start..], &prefix, out);
            return;
        }
        if tree.is_empty() {
            return;
        }
        let (path, alias) = match tree.split_once(" as ") {
            Some((p, a)) => (p, Some(a.trim().to_string())),
            None => (tree, None),
        };
        let mut segments = prefix.to_vec();
        segments.extend(path.split("::").map(str::trim).filter(|s| !s.is_empty()).map(String::from));
        if segments.last().is_some_and(|s| s == "self") {
            segments.pop();
        }
        out.push((segments, alias));
    }
    let mut out = Vec::new();
    walk(tree, &[], &mut out);
    out
}

/// Paths in code (outside `use`) that start with `crate`, `super`, `self` or a child module's name.
fn inline_paths(code: &str, children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !is_ident_byte(bytes[i]) || (i > 0 && (is_ident_byte(bytes[i - 1]) || bytes[i - 1] == b':')) {
            i += 1;
            continue;
        }
        let mut segments = Vec::new();
        let mut j = i;
        loop {
            let len = bytes[j..].iter().take_while(|&&b| is_ident_byte(b)).count();
            segments.push(code[j..j + len].to_string());
            j += len;
            if code[j..].starts_with("::") && bytes.get(j + 2).is_some_and(|&b| is_ident_byte(b)) {
                j += 2;
            } else {
                break;
            }
        }
        let first = segments[0].as_str();
        if segments.len() > 1 && (matches!(first, "crate" | "super" | "self") || children.contains(first)) {
            out.push(segments);
        }
        i = j.max(i + 1);
    }
    out
}

/// `segments` as a path from the crate root, seen from module `path` with `children`; `None` for
/// paths into other crates.
fn absolute(path: &[String], children: &BTreeSet<String>, segments: &[String]) -> Option<Vec<String>> {
    let first = segments.first()?;
    match first.as_str() {
        "crate" => Some(segments[1..].to_vec()),
        "super" | "self" => {
            let mut base = path.to_vec();
            let mut rest = segments;
            while let Some(s) = rest.first() {
                match s.as_str() {
                    "super" => {
                        base.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                rest = &rest[1..];
            }
            base.extend_from_slice(rest);
            Some(base)
        }
        name if children.contains(name) => {
            let mut base = path.to_vec();
            base.extend_from_slice(segments);
            Some(base)
        }
        _ => None,
    }
}

/// `text` with comments, string literals and char literals replaced by spaces (newlines kept).
fn blank_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if (c == 'r' || (c == 'b' && next == Some('r')))
            && (i == 0 || !is_ident_char(chars[i - 1]))
            && raw_string_hashes(&chars[i + if c == 'b' { 2 } else { 1 }..]).is_some()
        {
            let skip = if c == 'b' { 2 } else { 1 };
            let hashes = raw_string_hashes(&chars[i + skip..]).unwrap();
            let mut j = i + skip + hashes + 1;
            let closing: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            while j < chars.len() && !chars[j..].starts_with(&closing) {
                j += 1;
            }
            let end = (j + closing.len()).min(chars.len());
            out.extend(chars[i..end].iter().map(|&c| blank(c)));
            out.push_str("\"\"");
            i = end;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(chars.len());
            out.extend(chars[i..end].iter().map(|&c| blank(c)));
            i = end;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a): only the former is blanked.
            let end = if next == Some('\\') {
                chars[i + 2..].iter().position(|&c| c == '\'').map(|p| i + 2 + p + 1)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 3)
            } else {
                None
            };
            match end {
                Some(end) => {
                    out.extend(chars[i..end].iter().map(|&c| blank(c)));
                    i = end;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// For text just after an `r` (or `br`): the number of `#` of a raw string opening there.
fn raw_string_hashes(chars: &[char]) -> Option<usize> {
    let hashes = chars.iter().take_while(|&&c| c == '#').count();
    (chars.get(hashes) == Some(&'"')).then_some(hashes)
}
