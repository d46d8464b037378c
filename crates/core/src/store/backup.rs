//! Restoring a workspace from a backup file (`Workspace::backup_to` writes them).
//!
//! A restore never writes a byte outside a staging file until the backup has proven to be a sound
//! TierBook workspace of a version this build knows: the file is copied with SQLite's online backup
//! API into a temporary file beside the target, opened there (migrated when older, so the restored
//! workspace is at this build's schema), checked with `PRAGMA integrity_check`, and only then put in
//! place — next to nothing (no clobbering), or over an existing workspace only when the caller said
//! so, and after that workspace was itself backed up.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};

use super::schema::{APPLICATION_ID, LATEST_VERSION};
use super::Workspace;
use crate::error::{Error, Result};

/// What a backup file holds, read from it after it passed every check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupInfo {
    /// The shop's display name stored in the workspace, if it has one.
    pub shop_name: Option<String>,
    /// The schema version the backup was written with (restoring upgrades it to this build's).
    pub version: i64,
    /// Imported files.
    pub sources: u64,
    /// Stored orders.
    pub orders: u64,
    /// Customers with at least one order.
    pub customers: u64,
    /// Saved classification snapshots.
    pub snapshots: u64,
}

/// What a restore does when the target workspace already exists.
#[derive(Clone, Copy, Debug)]
pub enum Existing<'a> {
    /// Refuse with `WorkspaceExists` (the target is never touched).
    Refuse,
    /// Back the existing workspace up to this path first (which must not exist), then replace it.
    ReplaceKeeping(&'a Path),
}

/// What `restore` did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RestoreOutcome {
    /// The restored workspace file.
    pub path: String,
    /// Where the replaced workspace was backed up first (only when one was replaced).
    pub kept: Option<String>,
    /// What the restored workspace holds.
    pub info: BackupInfo,
}

/// Checks that `path` is a TierBook backup this build can restore, without writing anything: SQLite's
/// magic, our `application_id`, a version not newer than this build, a full integrity check. Returns
/// what it holds.
///
/// # Errors
/// `NotABackup` (not SQLite, empty, another program's database, a folder), `BackupTooNew`,
/// `BackupDamaged` (cut off, fails the integrity check), `Io` when it cannot be read.
pub fn inspect(path: &Path) -> Result<BackupInfo> {
    let dir = tempfile::tempdir().map_err(|e| Error::Io { path: std::env::temp_dir(), source: e })?;
    let staged = dir.path().join("inspect.tierbook");
    stage(path, &staged)
}

/// Restores the backup at `from` into the workspace file `to` (see the module documentation for
/// the order of checks). `to`'s folder must exist.
///
/// # Errors
/// Those of [`inspect`]; `WorkspaceExists` when `to` exists and `existing` is `Refuse` (nothing is
/// written); `OutputIsInput` when `from` is `to`; `Write` when the staging file, the safety copy or
/// the final rename cannot be written (the target is then as it was).
pub fn restore(from: &Path, to: &Path, existing: Existing<'_>) -> Result<RestoreOutcome> {
    if crate::paths::same_file(from, to) {
        return Err(Error::OutputIsInput {
            output: to.to_path_buf(),
            input: from.to_path_buf(),
            what: "要恢复的备份文件".into(),
        });
    }
    if to.exists() && matches!(existing, Existing::Refuse) {
        return Err(Error::WorkspaceExists { path: to.to_path_buf() });
    }
    let write_err = |path: &Path, detail: String| Error::Write { path: path.to_path_buf(), detail };
    let folder = match to.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = to.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(".restoring")
        .tempfile_in(&folder)
        .map_err(|e| write_err(to, e.to_string()))?
        .into_temp_path();
    let info = stage(from, &staging)?;

    let kept = match existing {
        Existing::ReplaceKeeping(keep) if to.exists() => {
            keep_copy(to, keep)?;
            // A stale write-ahead log of the old file would be replayed into the restored one.
            for companion in crate::paths::workspace_files(to).iter().skip(1) {
                match std::fs::remove_file(companion) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(write_err(companion, e.to_string())),
                }
            }
            staging.persist(to).map_err(|e| write_err(to, e.error.to_string()))?;
            Some(keep.display().to_string())
        }
        _ => {
            staging.persist_noclobber(to).map_err(|e| {
                if to.exists() {
                    Error::WorkspaceExists { path: to.to_path_buf() }
                } else {
                    write_err(to, e.error.to_string())
                }
            })?;
            None
        }
    };
    Ok(RestoreOutcome { path: to.display().to_string(), kept, info })
}

/// A path beside `workspace` for the automatic copy taken before a replace, e.g.
/// `店铺.tierbook.20250301-093000.bak`, that does not exist yet (`.bak`, so it is not listed as a shop).
pub fn safety_copy_path(workspace: &Path, at: NaiveDateTime) -> PathBuf {
    let name = workspace.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let stamp = at.format("%Y%m%d-%H%M%S");
    let mut candidate = workspace.with_file_name(format!("{name}.{stamp}.bak"));
    let mut n = 2;
    while candidate.exists() {
        candidate = workspace.with_file_name(format!("{name}.{stamp}-{n}.bak"));
        n += 1;
    }
    candidate
}

/// Copies the workspace at `to` to `keep` before it is replaced: through SQLite when it opens as a
/// workspace (the log's committed pages included), else byte for byte with its log (a damaged file
/// is kept as it is — never lose a byte).
fn keep_copy(to: &Path, keep: &Path) -> Result<()> {
    if keep.exists() {
        return Err(Error::WorkspaceExists { path: keep.to_path_buf() });
    }
    if let Ok(ws) = Workspace::open(to) {
        return ws.backup_to(keep);
    }
    let copy = |from: &Path, into: &Path| {
        std::fs::copy(from, into)
            .map(|_| ())
            .map_err(|e| Error::Write { path: into.to_path_buf(), detail: e.to_string() })
    };
    copy(to, keep)?;
    let wal = &crate::paths::workspace_files(to)[1];
    if wal.exists() {
        copy(wal, &crate::paths::workspace_files(keep)[1])?;
    }
    Ok(())
}

/// Copies the backup `from` into `staged` and proves it sound there; `staged` ends as a
/// self-contained workspace at this build's schema (rollback journal, no companion files).
fn stage(from: &Path, staged: &Path) -> Result<BackupInfo> {
    let version = header(from)?;
    let damaged = |detail: String| Error::BackupDamaged { path: from.to_path_buf(), detail };
    let copied = (|| -> rusqlite::Result<()> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let src = Connection::open_with_flags(from, flags)?;
        let mut dst = Connection::open(staged)?;
        rusqlite::backup::Backup::new(&src, &mut dst)?.run_to_completion(1024, std::time::Duration::ZERO, None)?;
        // The copy keeps the source's header, WAL flag included: make it one file before opening it.
        let _mode: String = dst.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))?;
        dst.close().map_err(|(_, e)| e)
    })();
    copied.map_err(|e| damaged(e.to_string()))?;
    let ws = Workspace::open(staged).map_err(|e| match e {
        Error::WorkspaceTooNew { found, supported, .. } => {
            Error::BackupTooNew { path: from.to_path_buf(), found, supported }
        }
        Error::NotAWorkspace { detail, .. } => Error::NotABackup { path: from.to_path_buf(), detail },
        Error::WorkspaceDamaged { detail, .. } => damaged(detail),
        other => damaged(other.to_string()),
    })?;
    ws.check_integrity().map_err(|e| damaged(e.to_string()))?;
    let count = |sql: &str| -> Result<u64> { Ok(ws.conn.query_row(sql, [], |r| r.get(0))?) };
    let info = BackupInfo {
        shop_name: ws.shop_name()?,
        version,
        sources: count("SELECT count(*) FROM sources")?,
        orders: super::order_blocks::count(&ws.conn)?,
        customers: count("SELECT count(*) FROM customers WHERE orders > 0")?,
        snapshots: count("SELECT count(*) FROM snapshots")?,
    };
    let _mode: String = ws.conn.pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get(0))?;
    drop(ws);
    Ok(info)
}

/// Reads whose file `path` is without writing to it: SQLite's magic, `application_id` and version.
fn header(path: &Path) -> Result<i64> {
    let not_backup = |detail: &str| Error::NotABackup { path: path.to_path_buf(), detail: detail.into() };
    let meta = std::fs::metadata(path).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?;
    if meta.is_dir() {
        return Err(not_backup("这是一个文件夹 / this is a folder"));
    }
    if meta.len() == 0 {
        return Err(not_backup("文件是空的 / the file is empty"));
    }
    let mut head = [0u8; 100];
    let read = {
        use std::io::Read;
        let mut file = std::fs::File::open(path).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?;
        file.read(&mut head).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?
    };
    if read < 16 || &head[..16] != b"SQLite format 3\0" {
        return Err(not_backup("文件不是 SQLite 数据库 / not a SQLite database"));
    }
    // One of ours (the header's application_id) that lost its end: said before SQLite reads it.
    let ours = be32(&head, 68).is_some_and(|id| id.cast_signed() == APPLICATION_ID);
    if let Some(whole) = whole_size(&head[..read]).filter(|&whole| ours && meta.len() < whole) {
        let found = meta.len();
        return Err(Error::BackupDamaged {
            path: path.to_path_buf(),
            detail: format!("文件不完整：应有 {whole} 字节，只有 {found} 字节 / the file is cut short: {whole} bytes expected, {found} found"),
        });
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let damaged = |e: rusqlite::Error| Error::BackupDamaged { path: path.to_path_buf(), detail: e.to_string() };
    let conn = Connection::open_with_flags(path, flags).map_err(damaged)?;
    let app: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).map_err(damaged)?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(damaged)?;
    if app != APPLICATION_ID {
        return Err(not_backup(&format!(
            "这是其他程序的 SQLite 数据库（application_id = {app:#x}）/ a SQLite database of another program"
        )));
    }
    if version > LATEST_VERSION {
        return Err(Error::BackupTooNew { path: path.to_path_buf(), found: version, supported: LATEST_VERSION });
    }
    Ok(version)
}

/// The size of the database a SQLite header describes (page size × pages), when the header says so:
/// its page count is valid only while the change counter equals the "version valid for" number. A
/// file shorter than that lost its end. SQLite does not always notice: it reads a short last page
/// as zeros, and a 16 KiB page cut inside its free space passes the integrity check (a backup cut
/// 4 KiB short restored "fine" once workspaces got 16 KiB pages). Checked here, before SQLite reads it.
fn whole_size(head: &[u8]) -> Option<u64> {
    let page_size = match head.get(16..18).map(|b| u16::from_be_bytes([b[0], b[1]]))? {
        1 => 65536,
        n => u64::from(n),
    };
    let (counter, pages, valid_for) = (be32(head, 24)?, be32(head, 28)?, be32(head, 92)?);
    (counter == valid_for && pages > 0).then(|| page_size * u64::from(pages))
}

/// The big-endian 32-bit field of a SQLite header at `at`, when the header is that long.
fn be32(head: &[u8], at: usize) -> Option<u32> {
    head.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}
