//! Shops (店铺): the workspaces of the data folder, one SQLite file each, created, listed, renamed,
//! switched, backed up and restored by the core (`store::shops`, `store::backup`); this module keeps
//! which one is open and the recently opened ones (`shops.json`, about this machine like the recent
//! files), and swaps the open workspace only while no command uses it (`AppState::workspace_slot`:
//! `busy` otherwise). The old workspace is closed — its lock released — before the next is taken.

use std::path::Path;

use chrono::Utc;
use serde::Serialize;
use tierbook_core::store::backup::{self, Existing, RestoreOutcome};
use tierbook_core::store::{shops, ShopInfo, Workspace};

use crate::error::ApiError;
use crate::state::{read_json, write_json, AppState, Session, ShopsFile, SHOPS_FILE};

/// One shop as the switcher lists it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ShopEntry {
    /// The display name.
    pub name: String,
    /// The workspace file name in the data folder: what the commands take.
    pub file: String,
    pub size: u64,
    /// False when the file cannot be read as a workspace (opening it says why).
    pub readable: bool,
    /// The open one.
    pub current: bool,
    /// When it was last opened on this machine (RFC 3339, UTC), if ever.
    pub opened_at: Option<String>,
}

/// The shops, recently opened first (never-opened ones after, by name).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ShopList {
    pub current: String,
    pub shops: Vec<ShopEntry>,
}

/// What a restore did, and the shop it restored into.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ShopRestore {
    pub shop: ShopInfo,
    pub outcome: RestoreOutcome,
}

/// How many shops' last-opened times to remember.
const RECENT_MAX: usize = 20;

impl AppState {
    /// The open shop's display name, read through a connection of its own so that it never waits
    /// for an import holding the workspace.
    pub fn shop_name(&self) -> String {
        shops::describe(&self.workspace_path()).map_or_else(|_| self.shop_file(), |s| s.name)
    }

    /// Every shop of the data folder, the open one marked, recently opened first.
    ///
    /// # Errors
    /// `io` when the data folder cannot be read.
    pub fn shops(&self) -> Result<ShopList, ApiError> {
        let current = self.shop_file();
        let saved: ShopsFile = read_json(&self.data_dir().join(SHOPS_FILE)).unwrap_or_default();
        let mut found = shops::list(self.data_dir())?;
        if !found.iter().any(|s| s.file == current) {
            // The open workspace exists once written; list it even before that.
            found.push(ShopInfo { name: self.shop_name(), file: current.clone(), size: 0, readable: true });
        }
        let mut list: Vec<ShopEntry> = found
            .into_iter()
            .map(|s| ShopEntry {
                current: s.file == current,
                opened_at: saved.opened.iter().find(|(f, _)| *f == s.file).map(|(_, at)| at.clone()),
                name: s.name,
                file: s.file,
                size: s.size,
                readable: s.readable,
            })
            .collect();
        // Newest first; the list from the core is already by name, and the sort is stable.
        list.sort_by(|a, b| b.opened_at.cmp(&a.opened_at));
        Ok(ShopList { current, shops: list })
    }

    /// Creates an empty shop called `name` (it is not opened).
    ///
    /// # Errors
    /// `invalid_shop_name`, `shop_name_taken`, `write`.
    pub fn create_shop(&self, name: &str) -> Result<ShopInfo, ApiError> {
        Ok(shops::create(self.data_dir(), name)?)
    }

    /// Opens the shop `file` in place of the current one and loads what it holds (its settings, its
    /// customers classified with its saved method). The current one stays open when `file` cannot be.
    ///
    /// # Errors
    /// `busy` while a command uses the workspace; `workspace_not_found`; the errors of opening a
    /// workspace (`not_a_workspace`, `workspace_damaged`, `workspace_too_new`).
    pub fn switch_shop(&self, file: &str) -> Result<(), ApiError> {
        let path = shops::path_of(self.data_dir(), file)?;
        let mut slot = self.workspace_slot()?;
        // Open the next one before letting go of the current: a failure leaves everything as it was.
        let mut next = Workspace::open(&path)?;
        let settings = crate::settings::load(&mut next, None, crate::session::default_settings())?;
        // Dropping the old workspace closes it (checkpoint, lock released) before the swap is visible.
        *slot = Some(next);
        self.set_open_shop(file.to_string(), settings);
        drop(slot);
        *self.session_now() = Session::default();
        self.remember_shop(file);
        self.reload()
    }

    /// Renames the shop `file` (its stored name; its file when safe, see `store::shops::rename`). The
    /// open shop is closed for the rename and opened again. Returns the shop as it is now.
    ///
    /// # Errors
    /// `busy`; `workspace_not_found`; `invalid_shop_name`; `shop_name_taken`; `store`.
    pub fn rename_shop(&self, file: &str, name: &str) -> Result<ShopInfo, ApiError> {
        if file != self.shop_file() {
            let renamed = shops::rename(self.data_dir(), file, name)?;
            self.forget_shop_file(file, &renamed.file);
            return Ok(renamed);
        }
        let mut slot = self.workspace_slot()?;
        *slot = None;
        let renamed = shops::rename(self.data_dir(), file, name);
        let now_file = renamed.as_ref().map_or(file.to_string(), |s| s.file.clone());
        // Whatever the rename did, the shop is opened again under the name its file has now.
        *slot = Some(Workspace::open(&self.data_dir().join(&now_file))?);
        drop(slot);
        let settings = self.settings();
        self.set_open_shop(now_file.clone(), settings);
        self.forget_shop_file(file, &now_file);
        Ok(renamed?)
    }

    /// Backs the open shop up to `path` (SQLite's online backup: consistent, one file).
    ///
    /// # Errors
    /// `output_is_input` for a shop's workspace file (or its companions); `write` (an unwritable folder).
    pub fn backup_shop(&self, path: &Path) -> Result<String, ApiError> {
        // The save dialog lets the user confirm overwriting any file; never another shop's workspace.
        for shop in shops::list(self.data_dir())? {
            let workspace = self.data_dir().join(&shop.file);
            if tierbook_core::paths::workspace_files(&workspace)
                .iter()
                .any(|f| tierbook_core::paths::same_file(path, f))
            {
                return Err(tierbook_core::Error::OutputIsInput {
                    output: path.to_path_buf(),
                    input: workspace,
                    what: format!("店铺“{}”的工作区", shop.name),
                }
                .into());
            }
        }
        let shown = self.shop_name();
        self.with_workspace(|ws| {
            // A never-named shop gets the name it is shown with, so its backup restores under it.
            if ws.shop_name()?.is_none() {
                ws.set_shop_name(&shown)?;
            }
            ws.backup_to(path)
        })?;
        Ok(path.display().to_string())
    }

    /// Restores the backup at `from`: as a new shop (`name`, or the name stored in the backup), or,
    /// with `replace_current`, over the open shop after a copy of it was saved beside it (`.bak`),
    /// which is then opened again with what the backup holds.
    ///
    /// # Errors
    /// `not_a_backup`, `backup_too_new`, `backup_damaged` (nothing written); `busy`;
    /// `shop_name_taken`, `invalid_shop_name`; `write`.
    pub fn restore_shop(
        &self,
        from: &Path,
        name: Option<&str>,
        replace_current: bool,
    ) -> Result<ShopRestore, ApiError> {
        if !replace_current {
            let (shop, outcome) = shops::restore_new(self.data_dir(), from, name)?;
            return Ok(ShopRestore { shop, outcome });
        }
        // Check the backup before closing anything: a refused file costs the user nothing.
        backup::inspect(from)?;
        let file = self.shop_file();
        let path = self.workspace_path();
        let mut slot = self.workspace_slot()?;
        *slot = None;
        let keep = backup::safety_copy_path(&path, chrono::Local::now().naive_local());
        let restored = backup::restore(from, &path, Existing::ReplaceKeeping(&keep));
        // Reopen the shop whether or not the restore went through (it is the old one on failure).
        let mut ws = Workspace::open(&path)?;
        let settings = crate::settings::load(&mut ws, None, crate::session::default_settings())?;
        *slot = Some(ws);
        drop(slot);
        self.set_open_shop(file.clone(), settings);
        *self.session_now() = Session::default();
        self.reload()?;
        let outcome = restored?;
        let shop = shops::list(self.data_dir())?.into_iter().find(|s| s.file == file).unwrap_or(ShopInfo {
            name: self.shop_name(),
            file,
            size: 0,
            readable: true,
        });
        Ok(ShopRestore { shop, outcome })
    }

    /// Marks `file` as the open shop, opened now (at start and on every switch).
    pub(crate) fn remember_shop(&self, file: &str) {
        let path = self.data_dir().join(SHOPS_FILE);
        let mut saved: ShopsFile = read_json(&path).unwrap_or_default();
        saved.opened.retain(|(f, _)| f != file);
        saved.opened.insert(0, (file.to_string(), Utc::now().to_rfc3339()));
        saved.opened.truncate(RECENT_MAX);
        saved.current = Some(file.to_string());
        // Losing the list only costs the order of the switcher; not worth an error.
        let _ = write_json(&path, &saved);
    }

    /// After a rename moved `old` to `new`: the remembered entries follow the file.
    fn forget_shop_file(&self, old: &str, new: &str) {
        if old == new {
            return;
        }
        let path = self.data_dir().join(SHOPS_FILE);
        let mut saved: ShopsFile = read_json(&path).unwrap_or_default();
        for (file, _) in &mut saved.opened {
            if file == old {
                *file = new.to_string();
            }
        }
        if saved.current.as_deref() == Some(old) {
            saved.current = Some(new.to_string());
        }
        let _ = write_json(&path, &saved);
    }
}
