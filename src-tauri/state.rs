//! What the app holds between commands: the open shop's workspace (the core's SQLite store in the
//! app data folder: sources, orders, snapshots, settings and the edited playbook; `shops.rs` switches
//! it), the customers and their
//! current classification, a copy of the workspace's settings, the recent files (JSON beside the
//! workspace: they are about this machine), and the cancel flag of the running job.
//!
//! Re-classifying reuses the customers held here and never re-reads a file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tierbook_core::classify::Classification;
use tierbook_core::store::{shops, Workspace};
use tierbook_core::{Cancel, Customer, ErrorCode};

use crate::error::ApiError;
use crate::view::Settings;

/// The workspace's customers and their current classification.
#[derive(Default)]
pub struct Session {
    /// The customers of the current classification, sorted by key: `all_customers` put through
    /// its analysis window (`window.rs`), or all of them.
    pub customers: Vec<Customer>,
    /// All customers of the workspace (whole history), sorted by key.
    pub all_customers: Vec<Customer>,
    /// The (window, as-of date) `customers` were made for, and what the window did.
    pub windowed_for: Option<(tierbook_core::window::Window, Option<chrono::NaiveDate>)>,
    pub window_note: Option<tierbook_core::Text>,
    /// The workspace's order ledger for analysis windows, read on first use, dropped on import.
    pub ledger: Option<Arc<tierbook_core::window::Ledger>>,
    /// The tiers screen's classification. A re-classification is tiers only (the slider path: no
    /// reasons or gaps); `Session::worded` writes the wordings when something shows them.
    pub classification: Option<Classification>,
    /// Whether `classification` carries every customer's reason and gap.
    pub has_wordings: bool,
    /// The file shown in the window title (the last one imported).
    pub current_file: Option<PathBuf>,
    /// Why the files given on the command line could not be opened, for the UI to show.
    pub open_error: Option<ApiError>,
    /// Keeps what no parameter changes (R/F/M columns, scores, the revenue order) for `customers`,
    /// so a re-classification recomputes only the method's own cut. It notices new customers itself.
    pub classifier: tierbook_core::classify::Classifier,
    /// The workspace's order days for the purchase rhythm (the customer list, the drawer, 本周该联系),
    /// read ahead after the tiers are shown (`AppState::read_ahead`) or on first use; a new slot after an
    /// import.
    pub order_days: ReadOnce<tierbook_core::rhythm::OrderDays>,
    /// What the workspace's order items say (products, profit) for the drawer, the 商品 screen and the
    /// bought filter, read as `order_days` is (the customers' profit is read with the customers,
    /// `Workspace::customers_with_profit`); a new slot after an import or a cost-table change.
    pub products: ReadOnce<tierbook_core::store::StoredProducts>,
}

impl Session {
    /// A new dataset (an import, a reload): what was read of the old one is dropped, and a read still
    /// running for it lands in slots nobody holds any more.
    pub fn forget_reads(&mut self) {
        self.order_days = ReadOnce::default();
        self.products = ReadOnce::default();
    }
}

/// A value read from the workspace once per dataset: by whoever needs it first, the read-ahead thread
/// or a command; whoever comes second waits for that read rather than doing it again. A reset puts a
/// new slot in the session, so a read still running for the old one cannot leave stale data there.
pub struct ReadOnce<T>(Arc<Mutex<Option<Arc<T>>>>);

impl<T> Default for ReadOnce<T> {
    fn default() -> Self {
        ReadOnce(Arc::new(Mutex::new(None)))
    }
}

impl<T> Clone for ReadOnce<T> {
    fn clone(&self) -> Self {
        ReadOnce(Arc::clone(&self.0))
    }
}

impl<T> ReadOnce<T> {
    /// The value, read by `read` when nobody has read it yet. A failed read leaves the slot empty
    /// for the next caller.
    pub fn get_or_read<E>(&self, read: impl FnOnce() -> Result<T, E>) -> Result<Arc<T>, E> {
        let mut slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(value) = slot.as_ref() {
            return Ok(Arc::clone(value));
        }
        let value = Arc::new(read()?);
        *slot = Some(Arc::clone(&value));
        Ok(value)
    }
}

impl<T> ReadOnce<T> {
    /// The value if it was read; `None` while it is being read (without waiting for that).
    pub fn ready(&self) -> Option<Arc<T>> {
        match self.0.try_lock() {
            Ok(slot) => slot.clone(),
            Err(std::sync::TryLockError::Poisoned(e)) => e.into_inner().clone(),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }
}

#[cfg(test)]
impl<T> ReadOnce<T> {
    /// The value if it was read, without reading it (waiting for a read under way).
    pub fn peek(&self) -> Option<Arc<T>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// How long a read-ahead waits before it reads (see `AppState::read_ahead`).
const READ_AHEAD_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// A read-ahead thread and how to stop it.
struct ReadAhead {
    stop: Arc<StopReading>,
    thread: std::thread::JoinHandle<()>,
}

/// Asks a read-ahead thread to stop: before it opens its connection, between its reads, or, through
/// SQLite's interrupt, inside one (the statement then fails and the thread ends without a value).
#[derive(Default)]
struct StopReading {
    asked: std::sync::atomic::AtomicBool,
    /// Interrupts the statement the thread's connection runs, once it has one.
    interrupt: Mutex<Option<Box<dyn Fn() + Send + Sync>>>,
}

impl StopReading {
    fn ask(&self) {
        let interrupt = self.interrupt.lock().unwrap_or_else(|e| e.into_inner());
        self.asked.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(interrupt) = interrupt.as_ref() {
            interrupt();
        }
    }

    fn asked(&self) -> bool {
        self.asked.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Keeps `reader`'s interrupt for `ask`; false when a stop was asked already.
    fn watch(&self, reader: &Workspace) -> bool {
        let handle = reader.interrupt_handle();
        let mut interrupt = self.interrupt.lock().unwrap_or_else(|e| e.into_inner());
        *interrupt = Some(Box::new(move || handle.interrupt()));
        !self.asked()
    }
}

/// A file the user opened before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RecentFile {
    pub path: String,
    pub name: String,
    /// RFC 3339, UTC.
    pub opened_at: String,
}

/// Shared app state; cheap to clone into worker threads.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    data_dir: PathBuf,
    /// The open shop's workspace file name in `data_dir` (`shops.json` remembers it across starts).
    shop_file: Mutex<String>,
    /// `None` when the workspace file could not be opened (the error is in the session).
    workspace: Mutex<Option<Workspace>>,
    session: Mutex<Session>,
    /// The workspace's settings as last read or saved; kept here so reading them never waits for an
    /// import holding the workspace.
    settings: Mutex<Settings>,
    job: Mutex<Cancel>,
    /// Closed while the start-up worker opens the workspace (with its integrity check) and reads its
    /// settings: the window is created meanwhile, and whatever needs either waits for it.
    opened: Gate,
    /// Closed while files given on the command line are being imported: commands wait for them, so the
    /// window's first look already shows the opened file.
    ready: Gate,
    /// Threads reading ahead on connections of their own (`read_ahead`): stopped before the
    /// workspace file is closed, renamed or replaced.
    reading_ahead: Mutex<Vec<ReadAhead>>,
}

/// A flag threads wait on until it is set.
struct Gate {
    open: Mutex<bool>,
    changed: Condvar,
}

impl Gate {
    fn new(open: bool) -> Self {
        Gate { open: Mutex::new(open), changed: Condvar::new() }
    }

    fn wait(&self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        while !*open {
            open = self.changed.wait(open).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn set(&self, open: bool) {
        *self.open.lock().unwrap_or_else(|e| e.into_inner()) = open;
        self.changed.notify_all();
    }
}

/// How many recent files to remember.
const RECENT_MAX: usize = 10;

impl AppState {
    /// State on the workspace in `data_dir` (created when missing), with the settings it holds.
    /// A `settings.json` left by an earlier version is imported into a workspace that has none.
    pub fn load(data_dir: PathBuf, default_settings: impl FnOnce() -> Settings) -> Self {
        let state = AppState::starting(data_dir, default_settings());
        state.open_workspace();
        state
    }

    /// State whose workspace is not open yet (`open_workspace` opens it): everything that needs the
    /// workspace or its settings waits until then. Reads only the small `shops.json`, so the window
    /// can be created at once.
    pub fn starting(data_dir: PathBuf, defaults: Settings) -> Self {
        let _ = std::fs::create_dir_all(&data_dir);
        let shop_file = last_open_shop(&data_dir);
        AppState {
            inner: Arc::new(Inner {
                data_dir,
                shop_file: Mutex::new(shop_file),
                workspace: Mutex::new(None),
                session: Mutex::new(Session::default()),
                settings: Mutex::new(defaults),
                job: Mutex::new(Cancel::new()),
                opened: Gate::new(false),
                ready: Gate::new(true),
                reading_ahead: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Opens the shop's workspace (`Workspace::open` checks the whole file: ~0.1–0.7 s) and reads
    /// its settings, then lets waiting commands through. A failure is kept for the window to show.
    pub fn open_workspace(&self) {
        let data_dir = self.data_dir();
        let shop_file = self.shop_file();
        // The old settings file belonged to the one workspace there was. A missing or unreadable
        // one (or a newer format) is simply not imported.
        let legacy: Option<Settings> =
            if shop_file == WORKSPACE_FILE { read_json(&data_dir.join(LEGACY_SETTINGS_FILE)) } else { None };
        let defaults = self.inner.settings.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let (workspace, settings, error) = match Workspace::open(&data_dir.join(&shop_file)) {
            Ok(mut ws) => match crate::settings::load(&mut ws, legacy, defaults.clone()) {
                Ok(settings) => (Some(ws), settings, None),
                Err(err) => (Some(ws), defaults, Some(err.into())),
            },
            // Without a workspace nothing can be saved; show the old file's settings meanwhile.
            Err(err) => (None, legacy.unwrap_or(defaults), Some(err.into())),
        };
        *self.inner.workspace.lock().unwrap_or_else(|e| e.into_inner()) = workspace;
        *self.inner.settings.lock().unwrap_or_else(|e| e.into_inner()) = settings;
        if error.is_some() {
            self.session_now().open_error = error;
        }
        self.inner.opened.set(true);
    }

    /// The start's work once the window is on its way: the workspace opened (and checked) and the
    /// last session brought back from it, its customers read beside the check (`read_early`).
    ///
    /// # Errors
    /// Those of `reload_with` (the open's own failure is kept for the window, `open_workspace`).
    pub fn start(&self) -> Result<(), ApiError> {
        let early = self.read_early();
        self.open_workspace();
        self.reload_with(early.and_then(|read| read.join().ok()).and_then(Result::ok))
    }

    /// At start, the last workspace's customers read on a thread and a connection of their own
    /// (`Workspace::reader`) while `open_workspace` checks the whole file: ~0.2 s each at 240k
    /// customers, which were one after the other. Only for a workspace of this build's version (an
    /// older one is upgraded by the open first); `reload_with` uses what was read only once the open
    /// has succeeded, so a file the check refuses shows its error, not its customers.
    pub(crate) fn read_early(&self) -> Option<std::thread::JoinHandle<tierbook_core::Result<Vec<Customer>>>> {
        let path = self.workspace_path();
        if !Workspace::is_current_version(&path) {
            return None;
        }
        let read = move || Workspace::reader(&path)?.customers_with_profit(&tierbook_core::NoProgress);
        std::thread::Builder::new().name("read early".into()).spawn(read).ok()
    }

    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    pub fn workspace_path(&self) -> PathBuf {
        self.inner.data_dir.join(self.shop_file())
    }

    /// The open shop's workspace file name (in the data folder).
    pub fn shop_file(&self) -> String {
        self.inner.shop_file.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The workspace slot for closing or swapping the open workspace, or `busy` when a command is
    /// using it (an import, an export): a shop is never switched under a running job.
    ///
    /// # Errors
    /// `busy`.
    pub(crate) fn workspace_slot(&self) -> Result<MutexGuard<'_, Option<Workspace>>, ApiError> {
        self.inner.opened.wait();
        // Their connections keep the file open (a rename on Windows would fail): they stop at once.
        self.stop_reading_ahead();
        match self.inner.workspace.try_lock() {
            Ok(guard) => Ok(guard),
            Err(std::sync::TryLockError::Poisoned(e)) => Ok(e.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => {
                Err(ApiError::new(ErrorCode::Busy, "正在导入、导出或备份，请等它完成后再切换、重命名或恢复店铺。"))
            }
        }
    }

    /// Reads what the screens after the tiers read on first use — the order days (the customer list,
    /// the drawer's rhythm) and the products (the drawer, 商品, the bought filter) — on a thread with
    /// a connection of its own, so that the first click does not wait for a scan of every order
    /// (~0.2 s and ~0.8 s at 400k orders in a release build, ~4x that in a debug one). Nothing is
    /// shown or reported: a failed read leaves the value to be read, and its error to be shown, on
    /// first use. Commands that need a value meanwhile wait for this read instead of repeating it.
    pub(crate) fn read_ahead(&self) {
        let (days, products) = {
            let session = self.session_now();
            if session.all_customers.is_empty() {
                return;
            }
            (session.order_days.clone(), session.products.clone())
        };
        let path = self.workspace_path();
        let stop = Arc::new(StopReading::default());
        let stopped = Arc::clone(&stop);
        // The connection is opened on the thread too: the command that started it returns at once.
        let read = move || {
            // Only what the window leaves idle: painting the tiers, an import or a slider move comes
            // first (a debug build reads 400k orders for ~4 s of one core). A command that needs a
            // value waits for this thread, which then has the cores to itself.
            let _ = thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Min);
            // And not while the window takes in and paints what the command that started it returned
            // (the tier view of 100k customers: a few hundred ms in a debug build). A stop wakes the
            // thread (`stop_reading_ahead`).
            std::thread::park_timeout(READ_AHEAD_AFTER);
            if stopped.asked() {
                return;
            }
            let Ok(reader) = Workspace::reader(&path) else { return };
            if !stopped.watch(&reader) {
                return;
            }
            let _ = days.get_or_read(|| reader.order_days());
            if !stopped.asked() {
                let _ = products.get_or_read(|| reader.products());
            }
        };
        let mut running = self.inner.reading_ahead.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|r| !r.thread.is_finished());
        if let Ok(thread) = std::thread::Builder::new().name("read ahead".into()).spawn(read) {
            running.push(ReadAhead { stop, thread });
        }
    }

    /// Stops every read-ahead thread and waits for it (SQLite stops at its next step).
    pub(crate) fn stop_reading_ahead(&self) {
        let running = std::mem::take(&mut *self.inner.reading_ahead.lock().unwrap_or_else(|e| e.into_inner()));
        for r in running {
            r.stop.ask();
            r.thread.thread().unpark();
            let _ = r.thread.join();
        }
    }

    /// Waits for the read-ahead threads to finish on their own.
    #[cfg(test)]
    pub(crate) fn finish_reading_ahead(&self) {
        let running = std::mem::take(&mut *self.inner.reading_ahead.lock().unwrap_or_else(|e| e.into_inner()));
        running.into_iter().for_each(|r| r.thread.join().unwrap());
    }

    /// Whether a read-ahead thread is still registered (none after `stop_reading_ahead`).
    #[cfg(test)]
    pub(crate) fn reading_ahead(&self) -> usize {
        self.inner.reading_ahead.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Records that `file` is the open shop, with `settings` read from its workspace.
    pub(crate) fn set_open_shop(&self, file: String, settings: Settings) {
        *self.inner.shop_file.lock().unwrap_or_else(|e| e.into_inner()) = file;
        *self.inner.settings.lock().unwrap_or_else(|e| e.into_inner()) = settings;
    }

    /// Runs `f` on the open workspace (one writer at a time).
    ///
    /// # Errors
    /// `not_a_workspace`/`workspace_too_new` when it could not be opened; whatever `f` returns.
    pub fn with_workspace<T>(&self, f: impl FnOnce(&mut Workspace) -> tierbook_core::Result<T>) -> Result<T, ApiError> {
        self.inner.opened.wait();
        let mut guard = self.inner.workspace.lock().unwrap_or_else(|e| e.into_inner());
        match guard.as_mut() {
            Some(ws) => Ok(f(ws)?),
            None => Err(Workspace::open(&self.workspace_path())
                .err()
                .map_or_else(|| ApiError::new(ErrorCode::Store, "工作区未能打开，请重启 TierBook。"), ApiError::from)),
        }
    }

    /// The session, once a start-up import is over; a panic in another command must not lock the user
    /// out, so poisoning is ignored.
    pub fn session(&self) -> MutexGuard<'_, Session> {
        self.inner.ready.wait();
        self.session_now()
    }

    /// The session without waiting for a start-up import (used by that import itself).
    pub(crate) fn session_now(&self) -> MutexGuard<'_, Session> {
        self.inner.session.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks the session busy with a start-up import until `set_ready` is called.
    pub fn set_busy(&self) {
        self.inner.ready.set(false);
    }

    pub fn set_ready(&self) {
        self.inner.ready.set(true);
    }

    /// The settings, once the workspace they live in is open (at start, on a worker).
    pub fn settings(&self) -> Settings {
        self.inner.opened.wait();
        self.inner.settings.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the settings and saves them (the playbook included) into the workspace.
    ///
    /// # Errors
    /// `store` when the workspace cannot be written or was not opened.
    pub fn save_settings(&self, settings: Settings) -> Result<(), ApiError> {
        self.with_workspace(|ws| crate::settings::save(ws, &settings))?;
        *self.inner.settings.lock().unwrap_or_else(|e| e.into_inner()) = settings;
        Ok(())
    }

    /// A fresh cancel flag for a new job; `cancel_job` sets it.
    pub fn start_job(&self) -> Cancel {
        let cancel = Cancel::new();
        *self.inner.job.lock().unwrap_or_else(|e| e.into_inner()) = cancel.clone();
        cancel
    }

    pub fn cancel_job(&self) {
        self.inner.job.lock().unwrap_or_else(|e| e.into_inner()).cancel();
    }

    /// Recent files that still exist, newest first.
    pub fn recent_files(&self) -> Vec<RecentFile> {
        let list: Vec<RecentFile> = read_json(&self.inner.data_dir.join(RECENT_FILE)).unwrap_or_default();
        list.into_iter().filter(|f| Path::new(&f.path).exists()).collect()
    }

    /// Puts `paths` at the top of the recent files.
    pub fn remember(&self, paths: &[PathBuf], now: DateTime<Utc>) {
        let mut list: Vec<RecentFile> = read_json(&self.inner.data_dir.join(RECENT_FILE)).unwrap_or_default();
        for path in paths {
            let path_text = path.display().to_string();
            list.retain(|f| f.path != path_text);
            let name = path.file_name().map_or(path_text.clone(), |n| n.to_string_lossy().into_owned());
            list.insert(0, RecentFile { path: path_text, name, opened_at: now.to_rfc3339() });
        }
        list.truncate(RECENT_MAX);
        // Losing the recent list is not worth an error in the user's face.
        let _ = write_json(&self.inner.data_dir.join(RECENT_FILE), &list);
    }
}

/// `shops.json`: the open shop and when each was last opened (written by `AppState::remember_shop`).
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct ShopsFile {
    pub(crate) current: Option<String>,
    /// (file, RFC 3339 time), most recent first.
    #[serde(default)]
    pub(crate) opened: Vec<(String, String)>,
}

/// Beside the workspaces, about this machine like the recent files.
pub(crate) const SHOPS_FILE: &str = "shops.json";

/// The shop to open at start: the one open last time when it is still there, else the default file.
fn last_open_shop(data_dir: &Path) -> String {
    let saved: ShopsFile = read_json(&data_dir.join(SHOPS_FILE)).unwrap_or_default();
    saved
        .current
        .filter(|file| shops::path_of(data_dir, file).is_ok())
        .unwrap_or_else(|| shops::DEFAULT_FILE.to_string())
}

/// Where versions before the workspace kept the settings; read once for the import, never written.
const LEGACY_SETTINGS_FILE: &str = "settings.json";
const WORKSPACE_FILE: &str = tierbook_core::store::shops::DEFAULT_FILE;
const RECENT_FILE: &str = "recent.json";

pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Writes through a temp file and a rename, so a crash never leaves half a file.
pub(crate) fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), ApiError> {
    let failed = |detail: String| {
        ApiError::new(ErrorCode::Write, format!("无法保存 {}：{detail}。请确认应用数据文件夹可写。", path.display()))
            .with("path", path.display().to_string())
    };
    let json = serde_json::to_vec_pretty(value).map_err(|e| failed(e.to_string()))?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, json).map_err(|e| failed(e.to_string()))?;
    std::fs::rename(&tmp, path).map_err(|e| failed(e.to_string()))
}
