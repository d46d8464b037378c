//! The user's settings as the workspace stores them, so they travel with the workspace file and its
//! backup: the playbook in the workspace's playbook table (`Workspace::save_playbook`), everything
//! else under one settings key (`app_settings`).
//!
//! Also imports, once, the `settings.json` that earlier versions kept beside the workspace. The
//! recent-files list deliberately stays a JSON file: it is about this machine, not the shop.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use tierbook_core::classify::ClassifyParams;
use tierbook_core::orders::StatusRules;
use tierbook_core::playbook::Playbook;
use tierbook_core::store::Workspace;
use tierbook_core::Lang;

use crate::view::Settings;

/// The settings key holding everything but the playbook.
pub const SETTINGS_KEY: &str = "app_settings";

/// What `SETTINGS_KEY` holds: `Settings` without the playbook (which has its own table).
#[derive(Serialize)]
struct StoredSettings<'a> {
    lang: &'a Lang,
    default_params: &'a ClassifyParams,
    status_rules: &'a StatusRules,
    segment_names: &'a BTreeMap<String, String>,
    skip_zero_amount: bool,
}

/// The settings saved in `ws`, each field falling back to `defaults` when never saved or no longer
/// readable (a field written by another version must not cost the user the others). When the
/// workspace has none yet and `legacy` (the old `settings.json`) exists, it is imported first; the
/// file itself is left alone.
///
/// # Errors
/// `Store` when the workspace cannot be read or written.
pub fn load(ws: &mut Workspace, legacy: Option<Settings>, defaults: Settings) -> tierbook_core::Result<Settings> {
    let stored: Option<Value> = ws.get_setting(SETTINGS_KEY)?;
    let stored = match (stored, legacy) {
        (Some(stored), _) => stored,
        (None, Some(legacy)) => return import_legacy(ws, legacy),
        (None, None) => Value::Null,
    };
    let field = |name: &str| stored.get(name).cloned();
    let mut settings = defaults;
    settings.playbook = ws.playbook()?;
    if let Some(lang) = field("lang").and_then(|v| serde_json::from_value(v).ok()) {
        settings.lang = lang;
    }
    if let Some(params) = field("default_params").and_then(|v| serde_json::from_value(v).ok()) {
        settings.default_params = params;
    }
    if let Some(rules) = field("status_rules").and_then(|v| serde_json::from_value(v).ok()) {
        settings.status_rules = rules;
    }
    if let Some(names) = field("segment_names").and_then(|v| serde_json::from_value(v).ok()) {
        settings.segment_names = names;
    }
    if let Some(skip) = field("skip_zero_amount").and_then(|v| serde_json::from_value(v).ok()) {
        settings.skip_zero_amount = skip;
    }
    Ok(settings)
}

/// Saves `settings` into `ws`: the playbook first, then the rest.
///
/// # Errors
/// `Store` when the workspace cannot be written.
pub fn save(ws: &mut Workspace, settings: &Settings) -> tierbook_core::Result<()> {
    ws.save_playbook(&settings.playbook)?;
    let stored = StoredSettings {
        lang: &settings.lang,
        default_params: &settings.default_params,
        status_rules: &settings.status_rules,
        segment_names: &settings.segment_names,
        skip_zero_amount: settings.skip_zero_amount,
    };
    ws.set_setting(SETTINGS_KEY, &stored)
}

/// Copies the old file's settings into the workspace. A playbook already edited in the workspace
/// (e.g. with the CLI) wins over the old file's.
fn import_legacy(ws: &mut Workspace, mut settings: Settings) -> tierbook_core::Result<Settings> {
    let current = ws.playbook()?;
    if current != Playbook::default() {
        settings.playbook = current;
    }
    save(ws, &settings)?;
    Ok(settings)
}
