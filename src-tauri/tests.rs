//! Commands called through the real IPC path on Tauri's mock runtime (no window, no display):
//! the real `tauri.conf.json` and capabilities, arguments as the UI sends them (camelCase JSON).

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

#[test]
fn saved_settings_come_back_and_survive_a_restart() {
    let app = app();
    let mut settings = app.call("get_settings", json!({})).unwrap();
    settings["lang"] = json!("en");
    settings["segment_names"] = json!({ "一般发展客户": "新客户" });
    app.call("save_settings", json!({ "settings": settings })).unwrap();
    assert_eq!(app.call("get_settings", json!({})).unwrap(), settings);
    // A new app on the same data folder reads them back.
    let again = AppState::load(app.dir.path().join("data"), crate::session::default_settings);
    assert_eq!(serde_json::to_value(again.settings()).unwrap(), settings);
}

#[test]
fn a_customer_detail_for_an_unknown_key_before_import_says_there_is_no_data() {
    let app = app();
    let err = app.call("customer_detail", json!({ "key": "nobody" })).unwrap_err();
    assert_eq!(err["code"], "no_customers");
}
