//! TierBook's desktop shell: Tauri commands over `tierbook-core`, app state, progress channels.
//!
//! Nothing here reads spreadsheets, classifies or writes workbooks: the core does, and this crate
//! deliberately does not depend on calamine, rust_xlsxwriter or rusqlite.

pub mod campaigns;
pub mod commands;
pub mod error;
pub mod products;
pub mod progress;
pub mod regions;
pub mod rendering;
pub mod rhythm;
pub mod session;
pub mod settings;
pub mod shops;
pub mod state;
pub mod view;
pub mod window;

#[cfg(test)]
mod bindings;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use tauri::Manager;

use crate::state::AppState;

/// Plugins and commands, shared by `run()` and the mock-runtime tests.
pub fn setup<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(commands::handler())
        .setup(|app| {
            rendering::apply(app.handle());
            let state = AppState::starting(commands::data_dir(app.handle()), session::default_settings());
            state.remember_shop(&state.shop_file());
            // The workspace is opened (with its integrity check over the whole file) and the last
            // session comes back from it (loading and classifying its customers: ~1 s at 100k) on a
            // worker, while the window and its page start: commands that need the workspace, its
            // settings or the session wait for them (`AppState::with_workspace`, `settings`,
            // `session`). A failure is shown, not fatal.
            state.set_busy();
            let files = files_to_open(std::env::args_os().skip(1));
            let worker = state.clone();
            let handle = app.handle().clone();
            std::thread::spawn(move || {
                if let Err(err) = worker.start() {
                    worker.session_now().open_error = Some(err);
                }
                if files.is_empty() {
                    worker.set_ready();
                    return;
                }
                let title = files.last().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned());
                worker.import_at_start(files);
                if let (Some(window), Some(name)) = (handle.get_webview_window("main"), title) {
                    let _ = window.set_title(&format!("客户分层助手 TierBook — {name}"));
                }
            });
            app.manage(state);
            Ok(())
        })
}

/// Files passed on the command line (the file manager's "open with", the end-to-end suite): existing
/// paths only, so flags the platform adds are ignored.
fn files_to_open(args: impl Iterator<Item = std::ffi::OsString>) -> Vec<PathBuf> {
    args.map(PathBuf::from).filter(|p| p.is_file()).collect()
}

/// Starts the app.
pub fn run() {
    setup(tauri::Builder::default()).run(tauri::generate_context!()).expect("error while running tauri application");
}
