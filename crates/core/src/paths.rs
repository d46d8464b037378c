//! Which paths name the same file, and the files a workspace consists of.
//!
//! Outputs must never land on an input or on the open workspace; a plain string compare misses
//! `./a.xlsx` vs `a.xlsx`, symlinks, hard links and (on Windows and macOS) `A.xlsx` vs `a.xlsx`. This
//! module is a leaf: `store` and `job` both use it.

use std::path::{Path, PathBuf};

/// The files SQLite keeps beside a workspace `path`: the write-ahead log, its shared-memory index
/// and the rollback journal (`path-wal`, `path-shm`, `path-journal`), and `path` itself first.
pub fn workspace_files(path: &Path) -> Vec<PathBuf> {
    let mut files = vec![path.to_path_buf()];
    files.extend(["-wal", "-shm", "-journal"].map(|suffix| beside(path, suffix)));
    files
}

/// The write-ahead log SQLite keeps beside a workspace `path` (`path-wal`).
pub fn wal_file(path: &Path) -> PathBuf {
    beside(path, "-wal")
}

/// `path` with `suffix` added to its file name.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// True when `a` and `b` are the same file: the same device and inode where both exist (hard links,
/// symlinks, other spellings), else the same absolute path once the existing part is resolved —
/// ignoring case on Windows and macOS, whose file systems usually do.
pub fn same_file(a: &Path, b: &Path) -> bool {
    if let (Some(x), Some(y)) = (identity(a), identity(b)) {
        return x == y;
    }
    let (a, b) = (resolved(a), resolved(b));
    if cfg!(any(windows, target_os = "macos")) {
        a.to_string_lossy().to_lowercase() == b.to_string_lossy().to_lowercase()
    } else {
        a == b
    }
}

#[cfg(unix)]
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(path: &Path) -> Option<PathBuf> {
    // Windows: the canonical path names the file with its real case and no links.
    std::fs::canonicalize(path).ok()
}

/// `path` made absolute with every existing ancestor resolved (symlinks, `..`); for a file that does
/// not exist yet, its folder is resolved and the name kept.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
            resolved(parent).join(name)
        }
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_links_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("订单.xlsx");
        std::fs::write(&a, b"x").unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        assert!(same_file(&a, &sub.join("..").join("订单.xlsx")));
        #[cfg(unix)]
        {
            let hard = dir.path().join("hard.xlsx");
            std::fs::hard_link(&a, &hard).unwrap();
            assert!(same_file(&a, &hard));
            let soft = sub.join("soft.xlsx");
            std::os::unix::fs::symlink(&a, &soft).unwrap();
            assert!(same_file(&soft, &a));
        }
        let missing = dir.path().join("new.xlsx");
        assert!(same_file(&missing, &sub.join("..").join("new.xlsx")));
        assert!(!same_file(&missing, &a));
        let wal = &workspace_files(&a)[1];
        assert!(wal.to_string_lossy().ends_with("订单.xlsx-wal"));
    }
}
