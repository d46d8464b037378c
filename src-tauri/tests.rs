//! Commands called through the real IPC path on Tauri's mock runtime (no window, no display):
//! the real `tauri.conf.json` and capabilities, arguments as the UI sends them (camelCase JSON).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

use crate::state::AppState;

/// An app on the mock runtime whose data folder is a fresh temp dir.
struct TestApp {
    _app: tauri::App<tauri::test::MockRuntime>,
    window: WebviewWindow<tauri::test::MockRuntime>,
    dir: tempfile::TempDir,
}

fn app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let app = mock_builder()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(crate::commands::handler())
        .build(tauri::generate_context!())
        .unwrap();
    app.manage(AppState::load(data, crate::session::default_settings));
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    TestApp { _app: app, window, dir }
}

impl TestApp {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let response = get_ipc_response(
            &self.window,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        );
        response.map(|body| body.deserialize::<Value>().unwrap())
    }
}

#[test]
fn classify_before_any_import_returns_the_no_customers_error_with_a_code_and_a_message() {
    let app = app();
    let err = app.call("classify", json!({ "params": crate::session::default_settings().default_params })).unwrap_err();
    assert_eq!(err["code"], "no_customers");
    assert!(err["message"].as_str().unwrap().contains("请先导入"), "{err}");
    assert!(err["details"].is_object());
}

#[test]
fn importing_an_empty_file_returns_its_code_and_names_the_file_in_details() {
    let app = app();
    let path = app.dir.path().join("空文件.xlsx");
    std::fs::write(&path, b"").unwrap();
    let err = app
        .call("import_sources", json!({ "paths": [path], "options": {}, "onProgress": "__CHANNEL__:7" }))
        .unwrap_err();
    assert_eq!(err["code"], "empty_file", "{err}");
    assert_eq!(err["details"]["path"], path.display().to_string());
}

#[test]
fn app_info_before_an_import_has_no_data_and_the_version_of_the_package() {
    let app = app();
    let info = app.call("app_info", json!({})).unwrap();
    assert_eq!(info["has_data"], false);
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["current_file"], Value::Null);
}

/// The workspace file of a test app's data folder, opened as a second connection (as the CLI would).
fn workspace_of(app: &TestApp) -> tierbook_core::store::Workspace {
    tierbook_core::store::Workspace::open(&app.dir.path().join("data").join("workspace.tierbook")).unwrap()
}

/// The settings the UI would send after the user edited tier A's action and a few other fields.
fn edited_settings(app: &TestApp, action: &str) -> Value {
    let mut settings = app.call("get_settings", json!({})).unwrap();
    settings["lang"] = json!("en");
    settings["segment_names"] = json!({ "一般发展客户": "新客户" });
    settings["skip_zero_amount"] = json!(true);
    settings["playbook"]["tiers"]["A"]["action"]["zh"] = json!(action);
    settings
}

#[test]
fn saved_settings_and_an_edited_playbook_live_in_the_workspace_and_survive_a_restart() {
    let app = app();
    let settings = edited_settings(&app, "店主亲自打电话致谢");
    app.call("save_settings", json!({ "settings": settings })).unwrap();
    assert_eq!(app.call("get_settings", json!({})).unwrap(), settings);

    // The workspace file itself holds them: the playbook in its table, the rest under one key.
    let ws = workspace_of(&app);
    let playbook = ws.playbook().unwrap();
    assert_eq!(playbook.tiers[&tierbook_core::Tier::A].action.zh, "店主亲自打电话致谢");
    let stored: Value = ws.get_setting(crate::settings::SETTINGS_KEY).unwrap().unwrap();
    assert_eq!(stored["lang"], "en");
    assert_eq!(stored["segment_names"], settings["segment_names"]);
    assert!(!app.dir.path().join("data").join("settings.json").exists(), "no settings file beside the workspace");

    // A new app on the same data folder reads them back.
    let again = AppState::load(app.dir.path().join("data"), crate::session::default_settings);
    assert_eq!(serde_json::to_value(again.settings()).unwrap(), settings);
}

#[test]
fn an_old_settings_json_is_imported_into_the_workspace_once_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let mut old = crate::session::default_settings();
    old.lang = tierbook_core::Lang::En;
    if let Some(a) = old.playbook.tiers.get_mut(&tierbook_core::Tier::A) {
        a.action.zh = "老版本里改过的动作".into();
    }
    let legacy = data.join("settings.json");
    let legacy_bytes = serde_json::to_vec_pretty(&old).unwrap();
    std::fs::write(&legacy, &legacy_bytes).unwrap();

    let first = AppState::load(data.clone(), crate::session::default_settings);
    assert_eq!(first.settings(), old);
    let ws = tierbook_core::store::Workspace::open(&first.workspace_path()).unwrap();
    assert_eq!(ws.playbook().unwrap(), old.playbook);
    drop(ws);

    // Settings saved afterwards win over the old file at the next start; the file is not touched.
    let mut newer = old.clone();
    newer.lang = tierbook_core::Lang::Zh;
    first.save_settings(newer.clone()).unwrap();
    let second = AppState::load(data, crate::session::default_settings);
    assert_eq!(second.settings(), newer);
    assert_eq!(std::fs::read(&legacy).unwrap(), legacy_bytes);
}

#[test]
fn a_stored_setting_another_version_wrote_differently_falls_back_alone_and_keeps_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let mut ws = tierbook_core::store::Workspace::open(&data.join("workspace.tierbook")).unwrap();
    let stored = json!({ "lang": "klingon", "segment_names": { "重要价值客户": "金牌客户" }, "future_field": 1 });
    ws.set_setting(crate::settings::SETTINGS_KEY, &stored).unwrap();
    drop(ws);

    let settings = AppState::load(data, crate::session::default_settings).settings();
    let defaults = crate::session::default_settings();
    assert_eq!(settings.lang, defaults.lang);
    assert_eq!(settings.default_params, defaults.default_params);
    assert_eq!(settings.segment_names.get("重要价值客户").map(String::as_str), Some("金牌客户"));
}

#[test]
fn a_customer_detail_for_an_unknown_key_before_import_says_there_is_no_data() {
    let app = app();
    let err = app.call("customer_detail", json!({ "key": "nobody" })).unwrap_err();
    assert_eq!(err["code"], "no_customers");
}

/// The core's own answer for `path`: customers and per-tier counts with `params`.
fn core_counts(
    path: &std::path::Path,
    params: &tierbook_core::classify::ClassifyParams,
) -> (usize, Vec<(String, u64)>) {
    let dataset =
        tierbook_core::import::import_files(&[path.to_path_buf()], &Default::default(), &tierbook_core::NoProgress)
            .unwrap();
    let customers = tierbook_core::customers::aggregate(&dataset.orders);
    let classification = tierbook_core::classify::classify(&customers, params).unwrap();
    (customers.len(), classification.tiers.iter().map(|g| (g.group.clone(), g.customers)).collect())
}

fn tier_counts(view: &Value) -> Vec<(String, u64)> {
    view["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["group"].as_str().unwrap().to_string(), g["customers"].as_u64().unwrap()))
        .collect()
}

#[test]
fn importing_a_generated_export_classifies_it_as_the_core_does_and_lists_every_customer() {
    let app = app();
    let path = app.dir.path().join("微信小店订单.xlsx");
    tierbook_core::generate::sample_workbook(&path).unwrap();
    let defaults = tierbook_core::classify::ClassifyParams::default();
    let (customers, tiers) = core_counts(&path, &defaults);

    let outcome =
        app.call("import_sources", json!({ "paths": [path], "options": {}, "onProgress": "__CHANNEL__:1" })).unwrap();
    assert_eq!(outcome["customers"].as_u64(), Some(customers as u64));
    assert!(outcome["new_orders"].as_u64().unwrap() > 0);
    assert_eq!(tier_counts(&outcome["view"]), tiers);

    let rows = app.call("customer_rows", json!({})).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), customers);
    assert!(rows[0]["action"]["zh"].as_str().is_some_and(|a| !a.is_empty()));

    let info = app.call("app_info", json!({})).unwrap();
    assert_eq!(info["has_data"], true);
    assert_eq!(info["current_file"], path.display().to_string());

    // Re-tiering with another method gives the core's counts for that method, without re-importing.
    let cube = tierbook_core::classify::ClassifyParams {
        method: tierbook_core::classify::Method::RfmCube { basis: tierbook_core::classify::CubeBasis::Mean },
        ..defaults
    };
    let view = app.call("classify", json!({ "params": cube })).unwrap();
    assert_eq!(tier_counts(&view), core_counts(&path, &cube).1);

    let key = rows[0]["key"].as_str().unwrap();
    let detail = app.call("customer_detail", json!({ "key": key })).unwrap();
    assert_eq!(detail["row"]["key"], key);
    assert_eq!(detail["orders"].as_array().unwrap().len() as u64, rows[0]["orders"].as_u64().unwrap());
}

#[test]
fn zero_amount_orders_keep_their_customers_unless_the_setting_leaves_them_out() {
    let csv = "订单号,买家ID,下单时间,实付金额\n1,paying,2025-03-01,88.00\n2,gift_only,2025-03-02,0.00\n";
    for (skip, customers) in [(false, 2), (true, 1)] {
        let app = app();
        let path = app.dir.path().join("订单.csv");
        std::fs::write(&path, csv).unwrap();
        let mut settings = app.call("get_settings", json!({})).unwrap();
        settings["skip_zero_amount"] = json!(skip);
        app.call("save_settings", json!({ "settings": settings })).unwrap();
        let outcome = app
            .call("import_sources", json!({ "paths": [path], "options": {}, "onProgress": "__CHANNEL__:1" }))
            .unwrap();
        assert_eq!(outcome["customers"], customers, "skip_zero_amount = {skip}");
        let code = if skip { "zero_amount_orders_left_out" } else { "zero_amount_orders" };
        let warnings = outcome["reports"][0]["warnings"].as_array().unwrap();
        assert!(warnings.iter().any(|w| w["code"] == code), "{warnings:?}");
    }
}

#[test]
fn the_same_file_imported_twice_adds_nothing_and_two_snapshots_compare() {
    let app = app();
    let path = app.dir.path().join("订单.xlsx");
    tierbook_core::generate::sample_workbook(&path).unwrap();
    let args = json!({ "paths": [path], "options": {}, "onProgress": "__CHANNEL__:1" });
    let first = app.call("import_sources", args.clone()).unwrap();
    let old = app.call("save_snapshot", json!({ "label": "一月" })).unwrap();
    let again = app.call("import_sources", args).unwrap();
    assert_eq!(again["new_orders"], 0);
    assert_eq!(again["unchanged_files"].as_array().unwrap().len(), 1);
    assert_eq!(again["customers"], first["customers"]);
    let new = app.call("save_snapshot", json!({ "label": null })).unwrap();
    assert_eq!(app.call("list_snapshots", json!({})).unwrap().as_array().unwrap().len(), 2);
    let migration = app.call("compare_snapshots", json!({ "old": old["id"], "new": new["id"] })).unwrap();
    // Same data both times: nobody moved, appeared or left.
    assert_eq!(migration["upgraded"].as_array().unwrap().len(), 0);
    assert_eq!(migration["new"].as_array().unwrap().len(), 0);
    assert_eq!(migration["lost"].as_array().unwrap().len(), 0);
    assert_eq!(app.call("list_sources", json!({})).unwrap().as_array().unwrap().len(), 1);
}

#[test]
fn exporting_writes_the_workbook_and_csv_per_tier_beside_it() {
    let app = app();
    let path = app.dir.path().join("订单.xlsx");
    tierbook_core::generate::sample_workbook(&path).unwrap();
    app.call("open_sample", json!({ "onProgress": "__CHANNEL__:1" })).unwrap();
    let target = app.dir.path().join("客户分层.xlsx");
    let outcome = app
        .call("export_workbook", json!({ "path": target, "options": {}, "csv": true, "onProgress": "__CHANNEL__:2" }))
        .unwrap();
    assert!(target.is_file());
    assert_eq!(outcome["path"], target.display().to_string());
    let csv = outcome["csv_files"].as_array().unwrap();
    assert!(!csv.is_empty());
    assert!(csv.iter().all(|f| std::path::Path::new(f.as_str().unwrap()).is_file()));
}

/// Every sheet of the workbook at `path`, each cell as text.
fn workbook_texts(path: &std::path::Path) -> Vec<(String, Vec<Vec<String>>)> {
    use calamine::{open_workbook_auto, Reader};
    let mut workbook = open_workbook_auto(path).unwrap();
    let names = workbook.sheet_names();
    let sheet = |name: String| {
        let range = workbook.worksheet_range(&name).unwrap();
        let rows = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        (name, rows)
    };
    names.into_iter().map(sheet).collect()
}

/// Column `header`'s text cells of sheet `sheet` in the workbook at `path` (header in the first row).
fn sheet_column(path: &std::path::Path, sheet: &str, header: &str) -> Vec<String> {
    use calamine::{open_workbook_auto, Data, Reader};
    let mut workbook = open_workbook_auto(path).unwrap();
    let range = workbook.worksheet_range(sheet).unwrap();
    let mut rows = range.rows();
    let col = rows.next().unwrap().iter().position(|c| c == &Data::String(header.into())).unwrap();
    rows.map(|r| r.get(col).map(|c| c.to_string()).unwrap_or_default()).collect()
}

#[test]
fn an_export_after_editing_the_playbook_carries_the_edited_action_even_after_a_restart() {
    let app = app();
    app.call("open_sample", json!({ "onProgress": "__CHANNEL__:1" })).unwrap();
    let mut settings = app.call("get_settings", json!({})).unwrap();
    settings["playbook"]["tiers"]["A"]["action"]["zh"] = json!("店主亲自打电话致谢");
    app.call("save_settings", json!({ "settings": settings })).unwrap();

    let target = app.dir.path().join("客户分层.xlsx");
    let args = json!({ "path": target, "options": {}, "csv": false, "onProgress": "__CHANNEL__:2" });
    app.call("export_workbook", args).unwrap();
    let actions = sheet_column(&target, "A类客户", "建议动作");
    assert!(!actions.is_empty());
    assert!(actions.iter().all(|a| a == "店主亲自打电话致谢"), "{actions:?}");
    // The other tiers keep the default actions.
    let default_b = &tierbook_core::playbook::Playbook::default().tiers[&tierbook_core::Tier::B].action.zh;
    assert!(sheet_column(&target, "B类客户", "建议动作").iter().all(|a| a == default_b));

    // After a restart the workspace's playbook is still the one used.
    let again = AppState::load(app.dir.path().join("data"), crate::session::default_settings);
    again.reload().unwrap();
    let second = app.dir.path().join("重启后.xlsx");
    again.export(&second, &Default::default(), false, &tierbook_core::NoProgress).unwrap();
    assert!(sheet_column(&second, "A类客户", "建议动作").iter().all(|a| a == "店主亲自打电话致谢"));
}

/// The `tierbook` command line, built by cargo into this target directory once per test run. The app
/// package cannot name another package's binary, so the test asks cargo for it (as `escargot` does).
fn cli() -> std::path::PathBuf {
    static BUILT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            // target/<profile>/deps/<this test> → target/<profile>/tierbook
            let profile_dir = std::env::current_exe().unwrap().parent().unwrap().parent().unwrap().to_path_buf();
            let mut build = std::process::Command::new(env!("CARGO"));
            build.args(["build", "--quiet", "-p", "tierbook", "--bin", "tierbook", "--manifest-path"]);
            build.arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"));
            if profile_dir.file_name().is_some_and(|n| n == "release") {
                build.arg("--release");
            }
            assert!(build.status().unwrap().success(), "cargo build -p tierbook failed");
            profile_dir.join(format!("tierbook{}", std::env::consts::EXE_SUFFIX))
        })
        .clone()
}

/// Customer key → (tier, segment), from the app's customer rows or the CLI's `--json` assignments.
fn tiers_by_customer(rows: &Value) -> BTreeMap<String, (Value, Value)> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap().to_string(), (r["tier"].clone(), r["segment"].clone())))
        .collect()
}

/// For each of the eight methods with the catalogue's defaults (what the UI sends when the user picks
/// the method: `ui/src/logic/methods.test.ts` checks its builder against the same catalogue), the app's
/// `classify` on `file` and `tierbook classify --method … --json` put every customer in the same tier
/// and segment. ABC by profit needs costs, which neither file has: both refuse it with `no_cost`.
fn assert_app_and_cli_agree(app: &TestApp, file: &std::path::Path) {
    let catalogue: Value = app.call("catalogue", json!({})).unwrap();
    let settings = app.call("get_settings", json!({})).unwrap();
    // The UI lays the saved segment tiers over the catalogue's; a fresh app saves the same ones.
    assert_eq!(settings["default_params"]["segment_tiers"], catalogue["segment_tiers"]);
    let cli_methods =
        ["abc", "abc-customers", "thresholds", "rfm", "rfm-cube", "rfm-segments", "composite", "abc-profit"];
    let methods = catalogue["methods"].as_array().unwrap();
    assert_eq!(methods.len(), cli_methods.len());
    for (info, cli_method) in methods.iter().zip(cli_methods) {
        let params = json!({
            "method": info["default"],
            "as_of": null,
            "segment_tiers": catalogue["segment_tiers"],
            "segment_names": settings["segment_names"],
        });
        let classified = app.call("classify", json!({ "params": params }));
        let out = app.dir.path().join(format!("{cli_method}.xlsx"));
        let run = std::process::Command::new(cli())
            .args(["classify", "--json", "--method", cli_method, "--out"])
            .arg(&out)
            .arg(file)
            .output()
            .unwrap();
        if cli_method == "abc-profit" {
            assert_eq!(classified.unwrap_err()["code"], "no_cost", "the app refuses ABC by profit without costs");
            assert_eq!(run.status.code(), Some(3), "the CLI refuses it too");
            assert!(String::from_utf8_lossy(&run.stderr).contains("no_cost"));
            continue;
        }
        classified.unwrap();
        let in_app = tiers_by_customer(&app.call("customer_rows", json!({})).unwrap());
        assert!(run.status.success(), "{cli_method}: {}", String::from_utf8_lossy(&run.stderr));
        let json: Value = serde_json::from_slice(&run.stdout).unwrap();
        assert_eq!(json["method"], info["default"], "--method {cli_method} uses the catalogue's defaults");
        let in_cli = tiers_by_customer(&json["assignments"]);

        assert!(in_app.len() > 100, "{cli_method}: {} customers", in_app.len());
        assert_eq!(in_app.len(), in_cli.len(), "{cli_method}: customers");
        let differ: Vec<_> = in_app.iter().filter(|(key, v)| in_cli.get(*key) != Some(v)).take(5).collect();
        assert!(differ.is_empty(), "{cli_method}: app and CLI disagree on {differ:?}");
        if ["rfm-cube", "rfm-segments"].contains(&cli_method) {
            assert!(
                in_app.values().all(|(_, segment)| segment.is_string()),
                "{cli_method}: every customer has a segment"
            );
        }
        // The move above classified tiers only; the drawer writes the wordings it shows. They are the
        // CLI's, as its workbook's tier sheets print them (every 7th customer, every tier).
        let in_book = wordings_by_customer(&out);
        assert_eq!(in_book.len(), in_cli.len(), "{cli_method}: every customer is on a tier sheet");
        for key in in_app.keys().step_by(7) {
            let detail = app.call("customer_detail", json!({ "key": key })).unwrap();
            let shown = (
                detail["reason"]["zh"].as_str().unwrap().to_string(),
                detail["gap"]["zh"].as_str().unwrap_or_default().to_string(),
            );
            assert!(!shown.0.is_empty(), "{cli_method}: {key} has a reason");
            assert_eq!(Some(&shown), in_book.get(key), "{cli_method}: {key}'s reason and gap");
        }
    }
}

/// Customer key → (reason, gap) from the tier sheets (A类客户 … D类客户) of a workbook in Chinese.
fn wordings_by_customer(path: &std::path::Path) -> BTreeMap<String, (String, String)> {
    use calamine::{open_workbook_auto, Reader};
    let sheets = open_workbook_auto(path).unwrap().sheet_names();
    let mut all = BTreeMap::new();
    for sheet in sheets.iter().filter(|s| s.len() == "A类客户".len() && s.ends_with("类客户")) {
        let keys = sheet_column(path, sheet, "客户ID");
        let reasons = sheet_column(path, sheet, "原因");
        let gaps = sheet_column(path, sheet, "距下一层差距");
        all.extend(keys.into_iter().zip(reasons.into_iter().zip(gaps)));
    }
    all
}

#[test]
fn the_app_and_the_cli_agree_on_every_customer_of_the_sample_for_all_eight_methods() {
    let app = app();
    let outcome = app.call("open_sample", json!({ "onProgress": "__CHANNEL__:3" })).unwrap();
    let sample = std::path::PathBuf::from(outcome["files"][0].as_str().unwrap());
    assert_app_and_cli_agree(&app, &sample);
}

#[test]
fn the_app_and_the_cli_agree_on_every_customer_of_a_generated_export_for_all_eight_methods() {
    let app = app();
    let path = app.dir.path().join("淘宝订单.csv");
    let generate = std::process::Command::new(cli())
        .args(["generate", "--layout", "taobao", "--orders", "4000", "--seed", "8", "--format", "csv", "--out"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(generate.status.success(), "{}", String::from_utf8_lossy(&generate.stderr));
    app.call("import_sources", json!({ "paths": [path], "options": {}, "onProgress": "__CHANNEL__:4" })).unwrap();
    assert_app_and_cli_agree(&app, &path);
}

#[test]
fn an_export_onto_the_workspace_its_wal_or_an_imported_file_is_refused_and_writes_nothing() {
    let app = app();
    app.call("open_sample", json!({ "onProgress": "__CHANNEL__:1" })).unwrap();
    let data = app.dir.path().join("data");
    let workspace = data.join("workspace.tierbook");
    let sample = std::path::PathBuf::from(app.call("list_sources", json!({})).unwrap()[0]["path"].as_str().unwrap());
    let read = |p: &std::path::Path| std::fs::read(p).unwrap_or_default();
    // The workspace file's own bytes may change meanwhile: the import's checkpoint copies its log
    // into it on a thread of its own. What it holds, the sample's bytes and the folder may not.
    let snapshot = || {
        let view = app.call("current_view", json!({})).unwrap();
        (view, read(&sample), std::fs::read_dir(&data).unwrap().count())
    };
    let before = snapshot();
    let wal = data.join("workspace.tierbook-wal");
    for (target, names) in [
        (workspace.clone(), ["workspace.tierbook", "工作区"]),
        (wal, ["workspace.tierbook-wal", "工作区"]),
        (data.join(".").join(sample.file_name().unwrap()), ["示例数据-微信小店订单.xlsx", "已导入"]),
    ] {
        let args = json!({ "path": target, "options": {}, "csv": true, "onProgress": "__CHANNEL__:2" });
        let err = app.call("export_workbook", args).unwrap_err();
        assert_eq!(err["code"], "output_is_input", "{err}");
        let message = err["message"].as_str().unwrap();
        for name in names {
            assert!(message.contains(name), "{message}");
        }
        assert_eq!(err["details"]["path"], target.display().to_string());
    }
    assert!(before == snapshot(), "the workspace, the sample or the data folder changed");
    // Neither the workspace nor its log became a workbook: both are still SQLite's.
    assert!(read(&workspace).starts_with(b"SQLite format 3\0"));
    let log = read(&data.join("workspace.tierbook-wal"));
    assert!(log.is_empty() || log.starts_with(&[0x37, 0x7f, 0x06]), "the log is no longer SQLite's");
}

// ---- shops (branch `shops`): several workspaces, switching, backup and restore ----

fn import_sample(app: &TestApp) -> Value {
    let path = app.dir.path().join("订单.xlsx");
    tierbook_core::generate::sample_workbook(&path).unwrap();
    app.call("import_sources", json!({ "paths": [path], "options": {}, "onProgress": "__CHANNEL__:1" })).unwrap()
}

/// At start the workspace's customers are read beside the open's check of the whole file
/// (`AppState::start`): the session is the one a plain reload makes. A workspace the open refuses
/// (a damaged page under a header that still says "current") shows its error and no customers, and
/// nothing is written to it.
#[test]
fn the_start_reads_the_customers_beside_the_open_and_uses_them_only_once_the_open_succeeds() {
    let app = app();
    import_sample(&app);
    let data = app.dir.path().join("data");
    let view = |state: &AppState| serde_json::to_value(state.current_view().unwrap()).unwrap();
    let plain = AppState::load(data.clone(), crate::session::default_settings);
    plain.reload().unwrap();
    let started = AppState::starting(data.clone(), crate::session::default_settings());
    assert!(started.read_early().is_some(), "a workspace of this version is read beside the open");
    started.start().unwrap();
    assert_eq!(view(&started), view(&plain));
    assert!(!tier_counts(&view(&started)).is_empty());
    // Every state closed (the app's too), its log checkpointed into the file; the folder kept.
    let TestApp { _app, window, dir: _dir } = app;
    drop((plain, started, window, _app));

    // The same workspace with garbage over its last pages.
    let state = AppState::starting(data.clone(), crate::session::default_settings());
    let path = state.workspace_path();
    drop(state);
    let mut bytes = std::fs::read(&path).unwrap();
    let size = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    let pages = bytes.len() / size;
    assert!(pages > 8, "{pages} pages");
    let mut x = 0x2545_f491_u32;
    for byte in &mut bytes[(pages - 3) * size..] {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *byte = x as u8;
    }
    std::fs::write(&path, &bytes).unwrap();
    assert!(tierbook_core::store::Workspace::is_current_version(&path), "the header still says current");
    let damaged = AppState::starting(data, crate::session::default_settings());
    assert!(damaged.start().is_err());
    let error = damaged.session_now().open_error.clone().expect("the open's error is kept for the window");
    assert_eq!(serde_json::to_value(&error).unwrap()["code"], "workspace_damaged");
    assert!(damaged.session_now().all_customers.is_empty());
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the damaged workspace was written to");
}

fn shop_files(list: &Value) -> Vec<(String, bool)> {
    list["shops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["file"].as_str().unwrap().to_string(), s["current"].as_bool().unwrap()))
        .collect()
}

#[test]
fn a_second_shop_is_created_switched_to_and_back_each_with_its_own_data_and_settings() {
    let app = app();
    let imported = import_sample(&app);
    let info = app.call("app_info", json!({})).unwrap();
    assert_eq!(
        (info["shop_name"].as_str(), info["shop_file"].as_str()),
        (Some("我的店铺"), Some("workspace.tierbook"))
    );

    let created = app.call("create_shop", json!({ "name": "抖音小店" })).unwrap();
    assert_eq!(created["file"], "抖音小店.tierbook");
    let taken = app.call("create_shop", json!({ "name": "抖音小店" })).unwrap_err();
    assert_eq!(taken["code"], "shop_name_taken", "{taken}");

    let list = app.call("switch_shop", json!({ "file": "抖音小店.tierbook" })).unwrap();
    assert_eq!(shop_files(&list), [("抖音小店.tierbook".to_string(), true), ("workspace.tierbook".to_string(), false)]);
    let info = app.call("app_info", json!({})).unwrap();
    assert_eq!((info["shop_name"].as_str(), info["has_data"].as_bool()), (Some("抖音小店"), Some(false)));
    assert_eq!(app.call("customer_rows", json!({})).unwrap_err()["code"], "no_customers");
    // Settings belong to the shop: English here leaves the first shop in Chinese.
    let mut settings = app.call("get_settings", json!({})).unwrap();
    settings["lang"] = json!("en");
    app.call("save_settings", json!({ "settings": settings })).unwrap();

    let list = app.call("switch_shop", json!({ "file": "workspace.tierbook" })).unwrap();
    assert_eq!(shop_files(&list)[0], ("workspace.tierbook".to_string(), true), "recently opened first");
    let info = app.call("app_info", json!({})).unwrap();
    assert_eq!((info["has_data"].as_bool(), info["lang"].as_str()), (Some(true), Some("zh")));
    let rows = app.call("customer_rows", json!({})).unwrap();
    assert_eq!(rows.as_array().unwrap().len() as u64, imported["customers"].as_u64().unwrap());

    // A restart opens the shop that was open last.
    app.call("switch_shop", json!({ "file": "抖音小店.tierbook" })).unwrap();
    let again = AppState::load(app.dir.path().join("data"), crate::session::default_settings);
    assert_eq!(again.shop_file(), "抖音小店.tierbook");
    assert_eq!(again.settings().lang, tierbook_core::Lang::En);

    for file in ["../workspace.tierbook", "nope.tierbook"] {
        assert_eq!(app.call("switch_shop", json!({ "file": file })).unwrap_err()["code"], "workspace_not_found");
    }
}

#[test]
fn renaming_the_open_shop_keeps_its_data_and_it_stays_open() {
    let app = app();
    app.call("create_shop", json!({ "name": "分店" })).unwrap();
    app.call("switch_shop", json!({ "file": "分店.tierbook" })).unwrap();
    let imported = import_sample(&app);
    let renamed = app.call("rename_shop", json!({ "file": "分店.tierbook", "name": "城东店" })).unwrap();
    assert_eq!((renamed["name"].as_str(), renamed["file"].as_str()), (Some("城东店"), Some("城东店.tierbook")));
    let info = app.call("app_info", json!({})).unwrap();
    assert_eq!((info["shop_name"].as_str(), info["shop_file"].as_str()), (Some("城东店"), Some("城东店.tierbook")));
    assert_eq!(app.call("list_sources", json!({})).unwrap().as_array().unwrap().len(), 1);
    assert_eq!(
        app.call("customer_rows", json!({})).unwrap().as_array().unwrap().len() as u64,
        imported["customers"].as_u64().unwrap()
    );
    let bad = app.call("rename_shop", json!({ "file": "城东店.tierbook", "name": "  " })).unwrap_err();
    assert_eq!(bad["code"], "invalid_shop_name");
}

#[test]
fn a_shop_is_backed_up_and_restored_as_a_new_shop_or_over_the_open_one_keeping_a_copy() {
    let app = app();
    let imported = import_sample(&app);
    let backup = app.dir.path().join("我的店铺-备份.tierbook");
    app.call("backup_shop", json!({ "path": backup })).unwrap();
    // Never over a shop's workspace, the open one or another (its bytes stay as they were).
    app.call("create_shop", json!({ "name": "别的店" })).unwrap();
    let other = app.dir.path().join("data").join("别的店.tierbook");
    let other_bytes = std::fs::read(&other).unwrap();
    for target in [other.clone(), app.dir.path().join("data").join("workspace.tierbook-wal")] {
        let err = app.call("backup_shop", json!({ "path": target })).unwrap_err();
        assert_eq!(err["code"], "output_is_input", "{err}");
    }
    assert_eq!(std::fs::read(&other).unwrap(), other_bytes);

    let restored = app.call("restore_shop", json!({ "from": backup, "name": null, "replaceCurrent": false })).unwrap();
    assert_eq!(restored["shop"]["name"], "我的店铺（恢复）");
    assert_eq!(restored["outcome"]["info"]["customers"], imported["customers"]);
    assert_eq!(restored["outcome"]["kept"], Value::Null);

    // A new, empty shop opened, then replaced by the backup: a copy of it is kept beside it.
    app.call("create_shop", json!({ "name": "空店" })).unwrap();
    app.call("switch_shop", json!({ "file": "空店.tierbook" })).unwrap();
    let replaced = app.call("restore_shop", json!({ "from": backup, "name": null, "replaceCurrent": true })).unwrap();
    let kept = replaced["outcome"]["kept"].as_str().unwrap().to_string();
    assert!(kept.ends_with(".bak") && std::path::Path::new(&kept).exists(), "{kept}");
    let info = app.call("app_info", json!({})).unwrap();
    assert_eq!((info["shop_file"].as_str(), info["has_data"].as_bool()), (Some("空店.tierbook"), Some(true)));
    assert_eq!(
        app.call("customer_rows", json!({})).unwrap().as_array().unwrap().len() as u64,
        imported["customers"].as_u64().unwrap()
    );

    // Not a backup: refused with its own code and a Chinese message; the open shop is untouched.
    let csv = app.dir.path().join("订单.csv");
    std::fs::write(&csv, "订单号,买家ID,实付金额\n1,a,10\n").unwrap();
    for replace in [false, true] {
        let err = app.call("restore_shop", json!({ "from": csv, "name": "x", "replaceCurrent": replace })).unwrap_err();
        assert_eq!(err["code"], "not_a_backup", "{err}");
        assert!(err["message"].as_str().unwrap().contains("不是 TierBook 备份文件"), "{err}");
    }
    assert_eq!(app.call("app_info", json!({})).unwrap()["has_data"], true);
}

#[test]
fn a_shop_is_not_switched_renamed_or_replaced_while_a_command_holds_the_workspace() {
    let app = app();
    app.call("create_shop", json!({ "name": "分店" })).unwrap();
    let state = app._app.state::<AppState>().inner().clone();
    let held = state.with_workspace(|_| {
        let switch = state.switch_shop("分店.tierbook").unwrap_err();
        let rename = state.rename_shop("workspace.tierbook", "总店").unwrap_err();
        Ok((switch.code, rename.code))
    });
    assert_eq!(held.unwrap(), (tierbook_core::ErrorCode::Busy, tierbook_core::ErrorCode::Busy));
    assert_eq!(state.shop_file(), "workspace.tierbook");
}

#[test]
fn the_contact_list_is_the_cores_on_the_workspace_with_phones_masked_and_saved_ratios() {
    use tierbook_core::contacts::{contact_list, ContactOptions, Period};
    use tierbook_core::rhythm::{compute, RhythmThresholds};

    let app = app();
    app.call("open_sample", json!({ "onProgress": "__CHANNEL__:7" })).unwrap();
    let options = json!({ "period": "2weeks", "include_lapsed": false });
    let shown = app.call("contact_list", json!({ "options": options })).unwrap();

    // The core on the same workspace, as the CLI computes it.
    let ws = workspace_of(&app);
    let customers = ws.customers().unwrap();
    let class =
        tierbook_core::classify::classify(&customers, &crate::session::default_settings().default_params).unwrap();
    let rhythms = compute(&customers, &ws.order_days().unwrap(), class.as_of, RhythmThresholds::default()).unwrap();
    let opts = ContactOptions { period: Period::TwoWeeks, include_lapsed: false };
    let want = contact_list(&customers, &class, &rhythms, &ws.playbook().unwrap(), opts).unwrap();
    let keys: Vec<&str> = shown["contacts"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap()).collect();
    assert!(!keys.is_empty());
    assert_eq!(keys, want.keys());
    assert!(shown["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["phone"].is_null() || c["phone"].as_str().unwrap().contains("****")));

    // Every customer row carries its rhythm (the sample has repeat buyers, so one-time buyers get the shop's).
    let rows = app.call("customer_rows", json!({})).unwrap();
    assert!(rows.as_array().unwrap().iter().all(|r| r["rhythm"]["gap_days"].as_f64().unwrap() >= 1.0));
    let first = &keys[0];
    let detail = app.call("customer_detail", json!({ "key": first })).unwrap();
    assert!(detail["rhythm_text"]["zh"].as_str().unwrap().contains("天未下单"), "{detail}");

    // Ratios out of order are refused; lower ones are saved in the workspace and lengthen the list.
    let bad = app.call("save_rhythm_thresholds", json!({ "thresholds": { "due": 2, "at_risk": 1, "lapsed": 4 } }));
    assert_eq!(bad.unwrap_err()["code"], "invalid_params");
    let eager = json!({ "due": 0.5, "at_risk": 2.0, "lapsed": 4.0 });
    app.call("save_rhythm_thresholds", json!({ "thresholds": eager })).unwrap();
    assert_eq!(app.call("rhythm_thresholds", json!({})).unwrap(), eager);
    let stored: RhythmThresholds = workspace_of(&app).get_setting(RhythmThresholds::SETTING).unwrap().unwrap();
    assert_eq!(stored.due, 0.5);
    let longer = app.call("contact_list", json!({ "options": options })).unwrap();
    assert!(longer["contacts"].as_array().unwrap().len() > keys.len());

    // The CSV for tagging tools, with full phones when asked.
    let csv = app.dir.path().join("名单.csv");
    let written = app.call("export_contacts", json!({ "path": csv, "options": options, "keepPhones": true })).unwrap();
    assert_eq!(written, json!(csv.display().to_string()));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), longer["contacts"].as_array().unwrap().len() + 1);
    assert!(!text.contains("****"));
}

#[test]
fn a_campaign_for_a_tier_with_a_holdout_is_stored_and_reported_and_rows_carry_their_tier_history() {
    let app = app();
    let path = app.dir.path().join("订单.xlsx");
    tierbook_core::generate::sample_workbook(&path).unwrap();
    app.call("import_sources", json!({ "paths": [path], "options": {}, "onProgress": "__CHANNEL__:1" })).unwrap();
    let rows = app.call("customer_rows", json!({})).unwrap();
    let in_a = rows.as_array().unwrap().iter().filter(|r| r["tier"] == "A").count() as u64;
    // One snapshot only: no previous tier yet.
    assert!(rows.as_array().unwrap().iter().all(|r| r["previous_tier"].is_null() && r["dropped"] == false));

    let spec = json!({ "name": "双12回访", "date": "2025-12-01", "channel": "企业微信", "cost_per_contact": 2000,
                       "holdout_share": 0.2, "seed": 7, "audience": "" });
    let created =
        app.call("create_campaign", json!({ "spec": spec, "audience": { "kind": "tier", "value": "A" } })).unwrap();
    let held = (in_a as f64 * 0.2).round() as u64;
    assert_eq!((created["contacted"].as_u64(), created["holdout"].as_u64()), (Some(in_a - held), Some(held)));
    assert_eq!(created["spec"]["audience"], "A类");
    let listed = app.call("list_campaigns", json!({})).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let report = app.call("campaign_report", json!({ "id": created["id"], "windowDays": 30 })).unwrap();
    assert_eq!(report["contacted"]["customers"].as_u64(), Some(in_a - held));
    assert_eq!(report["cost"].as_u64(), Some((in_a - held) * 2000));
    let bad = app.call("create_campaign", json!({ "spec": spec, "audience": { "kind": "keys", "value": ["nobody"] } }));
    assert_eq!(bad.unwrap_err()["code"], "invalid_params");
    app.call("delete_campaign", json!({ "id": created["id"] })).unwrap();
    assert!(app.call("list_campaigns", json!({})).unwrap().as_array().unwrap().is_empty());

    // A saved snapshot, then another method: rows whose tier differs from the snapshot carry it.
    app.call("save_snapshot", json!({ "label": null })).unwrap();
    let cube = tierbook_core::classify::ClassifyParams {
        method: tierbook_core::classify::Method::RfmCube { basis: tierbook_core::classify::CubeBasis::Mean },
        ..Default::default()
    };
    app.call("classify", json!({ "params": cube })).unwrap();
    let after = app.call("customer_rows", json!({})).unwrap();
    let before: BTreeMap<&str, &Value> =
        rows.as_array().unwrap().iter().map(|r| (r["key"].as_str().unwrap(), &r["tier"])).collect();
    let mut dropped = 0;
    for r in after.as_array().unwrap() {
        let prev = before[r["key"].as_str().unwrap()];
        assert_eq!(&r["previous_tier"], prev, "{r}");
        let fell = prev.as_str().unwrap() < r["tier"].as_str().unwrap();
        assert_eq!(r["dropped"], fell);
        dropped += u32::from(fell);
        assert_eq!(r["tier_changed_on"].is_null(), prev == &r["tier"], "{r}");
    }
    assert!(dropped > 0);
    let key = after[0]["key"].as_str().unwrap();
    let detail = app.call("customer_detail", json!({ "key": key })).unwrap();
    assert_eq!(detail["row"]["previous_tier"], after[0]["previous_tier"]);
}

#[test]
fn a_composite_score_with_a_rhythm_weight_uses_the_workspaces_order_days() {
    use tierbook_core::classify::{classify_with_rhythm, ClassifyParams, Method, Weights};
    use tierbook_core::rhythm::typical_gaps;

    let app = app();
    app.call("open_sample", json!({ "onProgress": "__CHANNEL__:9" })).unwrap();
    let weights = Weights { value: 0.4, frequency: 0.2, recency: 0.2, interactions: 0.0, rhythm: Some(0.2) };
    let params =
        ClassifyParams { method: Method::Composite { weights, a_min: 70.0, b_min: 40.0 }, ..Default::default() };
    let view = app.call("classify", json!({ "params": params })).unwrap();

    // The core with the gaps from the same workspace's order days.
    let ws = workspace_of(&app);
    let customers = ws.customers().unwrap();
    let gaps = typical_gaps(&customers, &ws.order_days().unwrap());
    let want = classify_with_rhythm(&customers, &params, &gaps).unwrap();
    let counts = |tiers: &serde_json::Value| -> Vec<(String, u64)> {
        tiers
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["group"].as_str().unwrap().into(), t["customers"].as_u64().unwrap()))
            .collect()
    };
    assert_eq!(counts(&view["tiers"]), counts(&serde_json::to_value(&want.tiers).unwrap()));
    let names: Vec<&str> =
        view["thresholds"].as_array().unwrap().iter().map(|t| t["name"]["zh"].as_str().unwrap()).collect();
    assert!(names.iter().any(|n| n.contains("回购节奏")), "{names:?}");
    // Without the gaps the weight would have been shared out, with a note; here it was used.
    assert!(!view["notes"].to_string().contains("回购节奏权重按比例分给"));
    let rows = app.call("customer_rows", json!({})).unwrap();
    let first = &rows.as_array().unwrap()[0];
    let i = customers.binary_search_by(|c| c.key.as_str().cmp(first["key"].as_str().unwrap())).unwrap();
    assert_eq!(first["tier"], serde_json::to_value(want.assignments[i].tier).unwrap());
}

/// Per customer key: (tier, segment, recency, [R, F, M] scores, orders) of `customer_rows`.
fn window_rows(rows: &Value) -> BTreeMap<String, (Value, Value, i64, [u64; 3], u64)> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_u64().unwrap();
            let row = (
                r["tier"].clone(),
                r["segment"].clone(),
                r["recency_days"].as_i64().unwrap(),
                [n("r_score"), n("f_score"), n("m_score")],
                n("orders"),
            );
            (r["key"].as_str().unwrap().to_string(), row)
        })
        .collect()
}

#[test]
fn the_app_classifies_in_the_chosen_window_with_the_users_cut_points() {
    use tierbook_core::classify::{ClassifyParams, Method};
    use tierbook_core::generate::{generate, sample_options, GenerateOptions};
    use tierbook_core::window::{Outside, ScoreCuts, Span, Window};
    let app = app();
    let path = app.dir.path().join("全年订单.xlsx");
    tierbook_core::generate::sample_workbook(&path).unwrap();
    // The same shop's export of the first half only, written by the generator: the truth for `to`.
    let half = app.dir.path().join("上半年订单.xlsx");
    let to = chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
    generate(&half, &GenerateOptions { rows_to: Some(to), ..sample_options() }).unwrap();
    app.call("import_sources", json!({ "paths": [path], "options": {}, "onProgress": "__CHANNEL__:1" })).unwrap();
    let all = app.call("customer_rows", json!({})).unwrap().as_array().unwrap().len();

    let method = Method::RfmScores { bins: 5, a_min: 12, b_min: 8 };
    let window = Window { span: Span::Range { from: None, to: Some(to) }, outside: Outside::Drop };
    let params = ClassifyParams { method: method.clone(), as_of: Some(to), window, ..Default::default() };
    let view = app.call("classify", json!({ "params": params })).unwrap();
    let truth = ClassifyParams { method: method.clone(), as_of: Some(to), ..Default::default() };
    let (customers, tiers) = core_counts(&half, &truth);
    assert_eq!(tier_counts(&view), tiers);
    let rows = app.call("customer_rows", json!({})).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), customers);
    assert!(customers < all);
    assert!(view["notes"][0]["zh"].as_str().unwrap().starts_with("分析窗口"), "{}", view["notes"][0]);

    // The user's cut points: every row's scores follow "R ≤ cut, F/M ≥ cut" from its own values.
    let cuts = ScoreCuts {
        r: vec![30.0, 90.0, 180.0, 365.0],
        f: vec![2.0, 3.0, 5.0, 10.0],
        m: vec![100.0, 500.0, 1000.0, 5000.0],
    };
    let own = ClassifyParams { score_cuts: cuts.clone(), ..params.clone() };
    app.call("classify", json!({ "params": own })).unwrap();
    let rows = app.call("customer_rows", json!({})).unwrap();
    for r in rows.as_array().unwrap() {
        let (days, orders, yuan) =
            (r["recency_days"].as_f64().unwrap(), r["orders"].as_f64().unwrap(), r["revenue"].as_f64().unwrap());
        let r_want = 1 + cuts.r.iter().filter(|c| days <= **c).count() as u64;
        let f_want = 1 + cuts.f.iter().filter(|c| orders >= **c).count() as u64;
        let m_want = 1 + cuts.m.iter().filter(|c| yuan >= **c).count() as u64;
        assert_eq!(
            [r["r_score"].as_u64(), r["f_score"].as_u64(), r["m_score"].as_u64()],
            [Some(r_want), Some(f_want), Some(m_want)],
            "{r}"
        );
    }

    // Grouped, then back to every order: the rows follow, the inside customers keep their numbers.
    let grouped = ClassifyParams { window: Window { outside: Outside::Group, ..Window::months(3) }, ..params.clone() };
    let drop = ClassifyParams { window: Window::months(3), ..params.clone() };
    app.call("classify", json!({ "params": drop })).unwrap();
    let dropped = window_rows(&app.call("customer_rows", json!({})).unwrap());
    let view = app.call("classify", json!({ "params": grouped })).unwrap();
    let with_group = window_rows(&app.call("customer_rows", json!({})).unwrap());
    let outside: Vec<_> = with_group.iter().filter(|(k, _)| !dropped.contains_key(*k)).collect();
    assert!(!outside.is_empty());
    assert!(outside.iter().all(|(_, r)| r.0 == "D" && r.1 == tierbook_core::classify::OUTSIDE && r.4 == 0));
    assert!(dropped.iter().all(|(k, r)| &with_group[k] == r));
    let d = tier_counts(&view).into_iter().find(|(g, _)| g == "D").unwrap().1;
    assert_eq!(d, outside.len() as u64);
    app.call("classify", json!({ "params": ClassifyParams { method, ..Default::default() } })).unwrap();
    assert_eq!(app.call("customer_rows", json!({})).unwrap().as_array().unwrap().len(), all);
}

/// `--json` assignments of `tierbook classify --method abc-profit` on `file` (plus `extra` arguments).
fn cli_profit_tiers(
    app: &TestApp,
    file: &std::path::Path,
    extra: &[&std::ffi::OsStr],
) -> BTreeMap<String, (Value, Value)> {
    let out = app.dir.path().join("利润.xlsx");
    let run = std::process::Command::new(cli())
        .args(["classify", "--json", "--method", "abc-profit", "--out"])
        .arg(&out)
        .arg(file)
        .args(extra)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let json: Value = serde_json::from_slice(&run.stdout).unwrap();
    tiers_by_customer(&json["assignments"])
}

/// The catalogue's ABC by profit, as the UI sends it.
fn profit_params(app: &TestApp) -> Value {
    let catalogue: Value = app.call("catalogue", json!({})).unwrap();
    let info = catalogue["methods"].as_array().unwrap().iter().find(|m| m["default"]["kind"] == "abc_profit").unwrap();
    let settings = app.call("get_settings", json!({})).unwrap();
    json!({
        "method": info["default"],
        "as_of": null,
        "segment_tiers": catalogue["segment_tiers"],
        "segment_names": settings["segment_names"],
    })
}

/// Schema v6 in the app: an item-level export with costs imported into the workspace gives the 商品
/// screen, the bought-filter (the same customers as `tierbook customers --bought`) and ABC by profit
/// (the same tiers as the CLI on the file alone).
/// Generates a 淘宝 item-level export with each item's cost (CSV) and imports it; returns its path.
fn import_taobao_with_costs(app: &TestApp, orders: u32, seed: u32) -> std::path::PathBuf {
    let path = app.dir.path().join("淘宝明细.csv");
    let generate = std::process::Command::new(cli())
        .args(["generate", "--layout", "taobao", "--orders", &orders.to_string(), "--seed", &seed.to_string()])
        .args(["--format", "csv", "--plain", "--item-costs", "--out"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(generate.status.success(), "{}", String::from_utf8_lossy(&generate.stderr));
    app.call("import_sources", json!({ "paths": [&path], "options": {}, "onProgress": "__CHANNEL__:5" })).unwrap();
    path
}

#[test]
fn after_an_import_the_products_and_order_days_are_read_ahead_and_the_drawer_uses_that_read() {
    let app = app();
    import_taobao_with_costs(&app, 3000, 5);
    let state = app._app.state::<AppState>();
    state.finish_reading_ahead();
    let (days, products) = {
        let session = state.session();
        (session.order_days.clone(), session.products.clone())
    };
    let read = products.peek().expect("the products were read ahead");
    assert!(days.peek().is_some(), "the order days were read ahead");
    let direct = workspace_of(&app).products().unwrap();
    assert!(!direct.lookup.is_empty());
    assert_eq!((&read.lookup, &read.profits, read.costs), (&direct.lookup, &direct.profits, direct.costs));

    // The drawer and the 商品 screen use that read: the same value, not one of their own.
    let rows = app.call("customer_rows", json!({})).unwrap();
    let key = rows[0]["key"].as_str().unwrap().to_string();
    let detail = app.call("customer_detail", json!({ "key": key })).unwrap();
    assert!(detail["favourites"].as_array().is_some_and(|f| !f.is_empty()), "{detail}");
    app.call("product_view", json!({})).unwrap();
    let session = state.session();
    assert!(Arc::ptr_eq(&session.products.peek().unwrap(), &read));
    assert!(Arc::ptr_eq(&session.order_days.peek().unwrap(), &days.peek().unwrap()));
    let params = session.classification.as_ref().unwrap().params.clone();
    drop(session);

    // The export uses that read too, and writes what the job reading the workspace itself writes.
    let target = app.dir.path().join("客户分层.xlsx");
    app.call("export_workbook", json!({ "path": target, "options": {}, "csv": false, "onProgress": "__CHANNEL__:2" }))
        .unwrap();
    let direct = app.dir.path().join("直接.xlsx");
    let outputs = tierbook_core::job::Outputs { workbook: direct.clone(), csv_dir: None, options: Default::default() };
    let import = tierbook_core::import::ImportOptions::default();
    let at = chrono::Local::now().naive_local();
    let job = tierbook_core::job::Job {
        files: &[],
        import: &import,
        imported_at: at,
        params: &params,
        save_snapshot: false,
        outputs: &outputs,
        costs: None,
    };
    tierbook_core::job::run(&job, Some(&mut workspace_of(&app)), &tierbook_core::NoProgress).unwrap();
    assert_eq!(workbook_texts(&target), workbook_texts(&direct));

    // A command that closes the workspace stops a read ahead first (on Windows an open connection
    // would keep the file from being renamed); the shop stays as it was.
    state.reload().unwrap();
    assert_eq!(state.reading_ahead(), 1);
    let file = state.shop_file();
    let renamed = app.call("rename_shop", json!({ "file": file, "name": "茶叶小铺" })).unwrap();
    assert_eq!(state.reading_ahead(), 0);
    assert_eq!(renamed["name"], "茶叶小铺");
    assert_eq!(app.call("customer_rows", json!({})).unwrap().as_array().unwrap().len(), rows.as_array().unwrap().len());
}

#[test]
fn products_the_bought_filter_and_profit_abc_in_the_app_agree_with_the_cli() {
    let app = app();
    let path = import_taobao_with_costs(&app, 1500, 21);

    let view = app.call("product_view", json!({})).unwrap();
    let tiers = view["tiers"].as_array().unwrap();
    assert_eq!(tiers[0]["tier"], "A");
    for t in tiers {
        for (list, field) in [("by_customers", "customers"), ("by_orders", "orders"), ("by_revenue", "revenue")] {
            let values: Vec<f64> = t[list].as_array().unwrap().iter().map(|r| r[field].as_f64().unwrap()).collect();
            assert!(!values.is_empty() && values.len() <= 10, "{list}: {values:?}");
            assert!(values.windows(2).all(|w| w[0] >= w[1]), "{list} ranked: {values:?}");
        }
    }
    assert_eq!(view["profit_known"], true);

    let keys = app.call("bought_keys", json!({ "text": "茶" })).unwrap();
    let run = std::process::Command::new(cli())
        .args(["customers", "--bought", "茶", "--limit", "0"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let cli_count: usize = stdout.split("客户: ").nth(1).and_then(|s| s.split(" / ").next()).unwrap().parse().unwrap();
    assert!(cli_count > 0);
    assert_eq!(keys.as_array().unwrap().len(), cli_count);

    app.call("classify", json!({ "params": profit_params(&app) })).unwrap();
    let in_app = tiers_by_customer(&app.call("customer_rows", json!({})).unwrap());
    assert_eq!(in_app, cli_profit_tiers(&app, &path, &[]));
    let first = keys[0].as_str().unwrap();
    let detail = app.call("customer_detail", json!({ "key": first })).unwrap();
    assert!(!detail["favourites"].as_array().unwrap().is_empty());
    assert!(detail["profit"].is_number());
}

/// Costs typed in the app are kept in the workspace and make ABC by profit work: the same tiers as the
/// CLI gives the file plus a cost table with those costs.
#[test]
fn unit_costs_typed_in_the_app_make_profit_abc_work_as_a_cost_table_does_in_the_cli() {
    let app = app();
    let path = app.dir.path().join("淘宝订单.csv");
    let generate = std::process::Command::new(cli())
        .args(["generate", "--layout", "taobao", "--orders", "1200", "--seed", "4", "--format", "csv", "--plain"])
        .arg("--out")
        .arg(&path)
        .output()
        .unwrap();
    assert!(generate.status.success(), "{}", String::from_utf8_lossy(&generate.stderr));
    app.call("import_sources", json!({ "paths": [path], "options": {}, "onProgress": "__CHANNEL__:6" })).unwrap();
    assert_eq!(app.call("classify", json!({ "params": profit_params(&app) })).unwrap_err()["code"], "no_cost");

    let products = app.call("product_costs", json!({})).unwrap();
    let products = products.as_array().unwrap();
    assert!(products.len() > 5);
    assert!(products.iter().all(|p| p["unit_cost"].is_null() && p["cost_in_export"] == false));
    // Each product costs (its position + 1) × 3.00 yuan; the same as a cost table for the CLI.
    let mut table = String::from("商品名称,成本价\n");
    for (i, p) in products.iter().enumerate() {
        let fen = (i as i64 + 1) * 300;
        let after =
            app.call("set_unit_cost", json!({ "product": p["product"], "sku": p["sku"], "unitCost": fen })).unwrap();
        assert_eq!(after.as_array().unwrap().iter().find(|q| q["product"] == p["product"]).unwrap()["unit_cost"], fen);
        table.push_str(&format!("{},{}.{:02}\n", p["product"].as_str().unwrap(), fen / 100, fen % 100));
    }
    let refused = app.call("set_unit_cost", json!({ "product": products[0]["product"], "sku": null, "unitCost": -1 }));
    assert_eq!(refused.unwrap_err()["code"], "invalid_params");
    let table_path = app.dir.path().join("成本表.csv");
    std::fs::write(&table_path, table).unwrap();

    app.call("classify", json!({ "params": profit_params(&app) })).unwrap();
    let in_app = tiers_by_customer(&app.call("customer_rows", json!({})).unwrap());
    let cli = cli_profit_tiers(&app, &path, &["--cost-table".as_ref(), table_path.as_os_str()]);
    assert!(in_app.len() > 100);
    assert_eq!(in_app, cli);
    let view = app.call("current_view", json!({})).unwrap();
    assert!(!view["profits"].as_array().unwrap().is_empty(), "profit per tier once costs are known");
}
