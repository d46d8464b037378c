//! Shops: several workspaces in one folder (the app's data folder), one SQLite file `*.tierbook`
//! each, known to the user by the display name stored inside (`meta.shop_name`, see
//! `Workspace::shop_name`). Creating never overwrites a file; renaming changes the stored name and
//! moves the file only when that is safe (a free file name, nobody else holding it open, a file
//! system that can link), so a rename can never lose data.
//!
//! The caller decides which shop is open and closes it before renaming its file; this module only
//! touches files (no clock, no app state).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::backup::{self, Existing, RestoreOutcome};
use super::schema::APPLICATION_ID;
use super::Workspace;
use crate::error::{Error, Result};

/// The extension of a shop's workspace file.
pub const SHOP_EXTENSION: &str = "tierbook";
/// The workspace file of the first shop (the one versions before named shops used).
pub const DEFAULT_FILE: &str = "workspace.tierbook";
/// The name shown for a workspace that was never named.
pub const DEFAULT_SHOP_NAME: &str = "我的店铺";
/// The longest shop name, in characters.
pub const MAX_NAME_CHARS: usize = 40;

/// One shop of a folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ShopInfo {
    /// The display name (stored in the workspace; `DEFAULT_SHOP_NAME` or the file's stem when unnamed).
    pub name: String,
    /// The workspace's file name inside the folder, e.g. `旗舰店.tierbook`: the shop's identity.
    pub file: String,
    /// The file's size in bytes.
    pub size: u64,
    /// False when the file could not be read as a TierBook workspace (damaged, newer, foreign): it
    /// is listed so the user sees it, and opening it says why.
    pub readable: bool,
}

/// The name trimmed, or why it cannot be used (empty, longer than `MAX_NAME_CHARS`, control characters).
///
/// # Errors
/// `InvalidShopName`.
pub fn validate_name(name: &str) -> Result<String> {
    let trimmed = name.trim();
    let refuse = |detail: &str| Error::InvalidShopName { name: name.to_string(), detail: detail.into() };
    if trimmed.is_empty() {
        return Err(refuse("名称是空的 / the name is empty"));
    }
    if trimmed.chars().count() > MAX_NAME_CHARS {
        return Err(refuse(&format!("超过 {MAX_NAME_CHARS} 个字 / longer than {MAX_NAME_CHARS} characters")));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(refuse("含有换行或其他控制字符 / contains a line break or control character"));
    }
    Ok(trimmed.to_string())
}

/// A file name for a shop called `name` (characters no file system accepts replaced by `_`,
/// Windows' reserved device names avoided), without checking whether it exists.
pub fn file_name_for(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if c.is_control() || "<>:\"/\\|?*".contains(c) { '_' } else { c }).take(60).collect();
    let mut stem = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace()).to_string();
    if stem.is_empty() {
        stem = "店铺".into();
    }
    let upper = stem.to_ascii_uppercase();
    let reserved = ["CON", "PRN", "AUX", "NUL"].contains(&upper.as_str())
        || ((upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.len() == 4
            && upper.as_bytes()[3].is_ascii_digit());
    if reserved {
        stem.insert(0, '_');
    }
    format!("{stem}.{SHOP_EXTENSION}")
}

/// The path of the shop `file` in `dir`. `file` must be a plain `*.tierbook` file name (no folder,
/// so a caller's argument cannot reach outside `dir`) of a file that exists.
///
/// # Errors
/// `WorkspaceNotFound`.
pub fn path_of(dir: &Path, file: &str) -> Result<PathBuf> {
    let path = dir.join(file);
    let plain = Path::new(file).file_name().is_some_and(|n| n == file)
        && !file.starts_with('.')
        && file.ends_with(&format!(".{SHOP_EXTENSION}"));
    if !plain || !path.is_file() {
        return Err(Error::WorkspaceNotFound { path });
    }
    Ok(path)
}

/// Every shop in `dir`, by name (files starting with `.` are staging files and are skipped).
///
/// # Errors
/// `Io` when the folder cannot be read (a missing folder has no shops).
pub fn list(dir: &Path) -> Result<Vec<ShopInfo>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::Io { path: dir.to_path_buf(), source: e }),
    };
    let mut shops = Vec::new();
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if path_of(dir, &file).is_err() {
            continue;
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        let (name, readable) = match read_name(&entry.path()) {
            Some(name) => (name.unwrap_or_else(|| default_name(&file)), true),
            None => (default_name(&file), false),
        };
        shops.push(ShopInfo { name, file, size, readable });
    }
    shops.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.file.cmp(&b.file)));
    Ok(shops)
}

/// Creates a new, empty shop called `name` in `dir` (created when missing) and returns it.
///
/// # Errors
/// `InvalidShopName`, `ShopNameTaken`, `Write` when the folder is not writable, `Store`.
pub fn create(dir: &Path, name: &str) -> Result<ShopInfo> {
    let name = validate_name(name)?;
    let shops = list(dir)?;
    ensure_free(&shops, &name, None)?;
    let write_err = |path: &Path, e: std::io::Error| Error::Write { path: path.to_path_buf(), detail: e.to_string() };
    std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
    // Claim the file name atomically: a file that appeared meanwhile is never opened or written.
    let path = loop {
        let path = free_path(dir, &file_name_for(&name));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(_) => break path,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(write_err(&path, e)),
        }
    };
    let named = Workspace::open(&path).and_then(|mut ws| ws.set_shop_name(&name));
    if let Err(e) = named {
        for file in crate::paths::workspace_files(&path) {
            let _ = std::fs::remove_file(file);
        }
        return Err(e);
    }
    describe(&path)
}

/// Renames the shop `file` in `dir` to `name`: the stored name always; the file too when the new
/// file name is free, the workspace has no companion files left (nobody holds it open) and the file
/// system can make a hard link (a link, then the old name removed: never an overwrite). The default
/// workspace keeps its file name. The caller closes the workspace first.
///
/// # Errors
/// `WorkspaceNotFound`, `InvalidShopName`, `ShopNameTaken`, the errors of `Workspace::open`, `Store`.
pub fn rename(dir: &Path, file: &str, name: &str) -> Result<ShopInfo> {
    let path = path_of(dir, file)?;
    let name = validate_name(name)?;
    ensure_free(&list(dir)?, &name, Some(file))?;
    Workspace::open(&path)?.set_shop_name(&name)?;
    if file == DEFAULT_FILE || crate::paths::workspace_files(&path).iter().skip(1).any(|c| c.exists()) {
        return describe(&path);
    }
    let wanted = dir.join(file_name_for(&name));
    if crate::paths::same_file(&wanted, &path) {
        return describe(&path);
    }
    let target = free_path(dir, &file_name_for(&name));
    if std::fs::hard_link(&path, &target).is_err() {
        return describe(&path);
    }
    if std::fs::remove_file(&path).is_err() {
        // Two names for one file would list the shop twice: keep the old name only.
        let _ = std::fs::remove_file(&target);
        return describe(&path);
    }
    describe(&target)
}

/// Restores the backup `from` as a new shop in `dir` called `name`, or, without a name, by the name
/// stored in the backup (else the backup file's stem), with "（恢复）" added when a shop already has
/// it. Nothing existing is touched (see `backup::restore`).
///
/// # Errors
/// `InvalidShopName`, `ShopNameTaken` (for a `name` given), those of `backup::restore`.
pub fn restore_new(dir: &Path, from: &Path, name: Option<&str>) -> Result<(ShopInfo, RestoreOutcome)> {
    let shops = list(dir)?;
    let name = match name {
        Some(name) => {
            let name = validate_name(name)?;
            ensure_free(&shops, &name, None)?;
            name
        }
        None => {
            let stored = read_name(from).flatten();
            let stem = || from.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let base: String = stored.unwrap_or_else(stem).chars().filter(|c| !c.is_control()).take(32).collect();
            let base = validate_name(&base).unwrap_or_else(|_| DEFAULT_SHOP_NAME.into());
            unused_name(&shops, &base)
        }
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::Write { path: dir.to_path_buf(), detail: e.to_string() })?;
    let path = free_path(dir, &file_name_for(&name));
    let outcome = backup::restore(from, &path, Existing::Refuse)?;
    Workspace::open(&path)?.set_shop_name(&name)?;
    Ok((describe(&path)?, outcome))
}

/// `base`, or `base（恢复）`, `base（恢复 2）` … for the first name no shop has.
fn unused_name(shops: &[ShopInfo], base: &str) -> String {
    let mut name = base.to_string();
    let mut n = 1;
    while ensure_free(shops, &name, None).is_err() {
        name = if n == 1 { format!("{base}（恢复）") } else { format!("{base}（恢复 {n}）") };
        n += 1;
    }
    name
}

/// The shop at `path` as `list` shows it (read through its own read-only connection).
///
/// # Errors
/// None today (an unreadable file is described as such); `Result` for what may come.
pub fn describe(path: &Path) -> Result<ShopInfo> {
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let (name, readable) = match read_name(path) {
        Some(name) => (name.unwrap_or_else(|| default_name(&file)), true),
        None => (default_name(&file), false),
    };
    Ok(ShopInfo { name, file, size, readable })
}

/// The name shown for an unnamed workspace: `DEFAULT_SHOP_NAME` for the default file, else its stem.
fn default_name(file: &str) -> String {
    if file == DEFAULT_FILE {
        return DEFAULT_SHOP_NAME.into();
    }
    file.strip_suffix(&format!(".{SHOP_EXTENSION}")).unwrap_or(file).to_string()
}

/// `ShopNameTaken` when a shop other than `except` is already called `name` (ignoring case).
fn ensure_free(shops: &[ShopInfo], name: &str, except: Option<&str>) -> Result<()> {
    let lower = name.to_lowercase();
    if shops.iter().any(|s| Some(s.file.as_str()) != except && s.name.to_lowercase() == lower) {
        return Err(Error::ShopNameTaken { name: name.to_string() });
    }
    Ok(())
}

/// `dir/file`, or `dir/stem-2.tierbook`, `-3` … for the first that does not exist.
fn free_path(dir: &Path, file: &str) -> PathBuf {
    let stem = file.strip_suffix(&format!(".{SHOP_EXTENSION}")).unwrap_or(file);
    let mut path = dir.join(file);
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem}-{n}.{SHOP_EXTENSION}"));
        n += 1;
    }
    path
}

/// The stored name of the workspace at `path` read without writing to it: `Some(None)` for a
/// workspace never named, `None` when it is not a readable TierBook workspace.
fn read_name(path: &Path) -> Option<Option<String>> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).ok()?;
    let app: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).ok()?;
    if app != APPLICATION_ID {
        // An empty file (a shop being created) is not listed as unreadable by accident: it has no id yet.
        return std::fs::metadata(path).is_ok_and(|m| m.len() == 0).then_some(None);
    }
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [SHOP_NAME_KEY], |r| r.get(0)).optional().ok()
}

/// The meta key of the shop's display name.
const SHOP_NAME_KEY: &str = "shop_name";

impl Workspace {
    /// The shop's display name (`meta.shop_name`), `None` when never named.
    ///
    /// # Errors
    /// `Store`.
    pub fn shop_name(&self) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM meta WHERE key = ?1", [SHOP_NAME_KEY], |r| r.get(0)).optional()?)
    }

    /// Names the shop (kept in the workspace, so a backup and a renamed file keep it).
    ///
    /// # Errors
    /// `Store`.
    pub fn set_shop_name(&mut self, name: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (SHOP_NAME_KEY, name),
        )?;
        Ok(())
    }
}
