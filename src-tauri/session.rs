//! The steps behind the commands: import → aggregate → classify with the saved defaults, re-classify,
//! export. Each step calls the core and keeps the result in the session; the commands only adapt.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tierbook_core::classify::{self, ClassifyParams, Method};
use tierbook_core::export::{self, ExportInput, ExportOptions};
use tierbook_core::import::{self, ImportOptions, ImportReport};
use tierbook_core::playbook::Playbook;
use tierbook_core::{customers, Error, Progress, Stage, Tier};

use crate::error::ApiError;
use crate::state::{AppState, Session};
use crate::view::{self, CustomerDetail, CustomerRow, Settings, TierView};

/// What an import did, and the tiers it led to.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ImportOutcome {
    /// The files imported (full paths).
    pub files: Vec<String>,
    /// One report per file.
    pub reports: Vec<ImportReport>,
    /// Valid orders in the session after the import.
    pub orders: u64,
    pub customers: u64,
    /// The classification with the saved default parameters.
    pub view: TierView,
}

/// Where the export went.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ExportOutcome {
    pub path: String,
    /// CSV per tier, when asked for.
    pub csv_files: Vec<String>,
}

/// The segment → tier mapping of DESIGN §5: 重要价值/重要保持 → A, 重要发展/重要挽留/一般价值 → B, the rest C;
/// for the English scheme the loyal and valuable segments → A, the ones worth winning back → B.
pub fn default_segment_tiers() -> BTreeMap<String, Tier> {
    let a = ["重要价值客户", "重要保持客户", "Champions", "Loyal Customers", "Can't Lose Them"];
    let b = [
        "重要发展客户",
        "重要挽留客户",
        "一般价值客户",
        "Potential Loyalist",
        "New Customers",
        "Promising",
        "Need Attention",
        "At Risk",
    ];
    let c = ["一般发展客户", "一般保持客户", "一般挽留客户", "About To Sleep", "Hibernating", "Lost", "Others"];
    let mut map = BTreeMap::new();
    for (tier, names) in [(Tier::A, &a[..]), (Tier::B, &b[..]), (Tier::C, &c[..])] {
        for name in names {
            map.insert((*name).to_string(), tier);
        }
    }
    map
}

/// The first-run settings: ABC by revenue 80/95 (the method every seed article starts from).
pub fn default_settings() -> Settings {
    Settings {
        lang: tierbook_core::Lang::Zh,
        default_params: ClassifyParams {
            method: Method::AbcRevenue { a_pct: 80.0, b_pct: 95.0 },
            as_of: None,
            segment_tiers: default_segment_tiers(),
            segment_names: BTreeMap::new(),
        },
        playbook: Playbook::default(),
        status_rules: default_status_rules(),
        segment_names: BTreeMap::new(),
    }
}

/// DESIGN §4's status table until the core exports its own default (then this goes).
fn default_status_rules() -> tierbook_core::orders::StatusRules {
    use tierbook_core::orders::{Effect, StatusRule, StatusRules};
    let rule = |pattern: &str, effect| StatusRule { pattern: pattern.to_string(), effect };
    StatusRules {
        rules: vec![
            rule("退款成功", Effect::Refunded),
            rule("已退款", Effect::Refunded),
            rule("关闭", Effect::Exclude),
            rule("取消", Effect::Exclude),
            rule("待付款", Effect::Exclude),
            rule("等待买家付款", Effect::Exclude),
            rule("未付款", Effect::Exclude),
        ],
    }
}

/// The user's segment names apply to every method unless the parameters name a segment themselves.
fn with_settings_names(mut params: ClassifyParams, settings: &Settings) -> ClassifyParams {
    for (canonical, shown) in &settings.segment_names {
        params.segment_names.entry(canonical.clone()).or_insert_with(|| shown.clone());
    }
    params
}

impl AppState {
    /// Imports `paths` as the session's data and classifies it with the saved default parameters.
    ///
    /// # Errors
    /// The core's import errors (naming the file), `cancelled`, or a classification error.
    pub fn import(
        &self,
        paths: Vec<PathBuf>,
        mut options: ImportOptions,
        progress: &dyn Progress,
    ) -> Result<ImportOutcome, ApiError> {
        let settings = self.settings();
        if options.rules.is_none() {
            options.rules = Some(settings.status_rules.clone());
        }
        let dataset = import::import_files(&paths, &options, progress)?;
        progress.report(Stage::Classifying, 0, 0);
        let customers = customers::aggregate(&dataset.orders);
        let params = with_settings_names(settings.default_params.clone(), &settings);
        let classification = classify::classify(&customers, &params)?;
        progress.report(Stage::Classifying, 1, 1);
        let outcome = ImportOutcome {
            files: paths.iter().map(|p| p.display().to_string()).collect(),
            reports: dataset.reports.clone(),
            orders: dataset.orders.len() as u64,
            customers: customers.len() as u64,
            view: view::tier_view(&customers, &classification, &settings.playbook),
        };
        self.remember(&paths, chrono::Utc::now());
        *self.session_now() = Session {
            current_file: paths.last().cloned(),
            dataset,
            customers,
            classification: Some(classification),
            open_error: None,
        };
        Ok(outcome)
    }

    /// Writes the built-in sample (a generated 微信小店 export) into the data folder.
    ///
    /// # Errors
    /// `write` when the data folder is not writable.
    pub fn write_sample(&self) -> Result<PathBuf, ApiError> {
        let path = self.data_dir().join("示例数据-微信小店订单.xlsx");
        Err(ApiError::new("not_available", "示例数据尚未就绪。").with("path", path.display().to_string()))
    }

    /// Imports the files given on the command line ("打开方式 → TierBook", the test suite), holding
    /// every other command until it is done. A failure is kept for the window to show.
    pub fn import_at_start(&self, paths: Vec<PathBuf>) {
        let result = self.import(paths, ImportOptions::default(), &tierbook_core::NoProgress);
        if let Err(err) = result {
            self.session_now().open_error = Some(err);
        }
        self.set_ready();
    }

    /// Re-classifies the session's customers with `params` (no file is read again).
    ///
    /// # Errors
    /// `no_customers` before any import; `invalid_params`.
    pub fn classify(&self, params: ClassifyParams) -> Result<TierView, ApiError> {
        let settings = self.settings();
        let params = with_settings_names(params, &settings);
        let mut session = self.session();
        if session.customers.is_empty() {
            return Err(Error::NoCustomers.into());
        }
        let classification = classify::classify(&session.customers, &params)?;
        let view = view::tier_view(&session.customers, &classification, &settings.playbook);
        session.classification = Some(classification);
        Ok(view)
    }

    /// The current tiers screen, for a window that was reloaded.
    ///
    /// # Errors
    /// `no_customers` before any import.
    pub fn current_view(&self) -> Result<TierView, ApiError> {
        let settings = self.settings();
        let session = self.session();
        let classification = session.classification.as_ref().ok_or(Error::NoCustomers)?;
        Ok(view::tier_view(&session.customers, classification, &settings.playbook))
    }

    /// Every customer of the current classification.
    ///
    /// # Errors
    /// `no_customers` before any import.
    pub fn customer_rows(&self) -> Result<Vec<CustomerRow>, ApiError> {
        let playbook = self.settings().playbook;
        let session = self.session();
        let classification = session.classification.as_ref().ok_or(Error::NoCustomers)?;
        Ok(view::customer_rows(&session.customers, classification, &playbook))
    }

    /// One customer's detail.
    ///
    /// # Errors
    /// `no_customers` before any import; `customer_not_found` for an unknown key.
    pub fn customer_detail(&self, key: &str) -> Result<CustomerDetail, ApiError> {
        let playbook = self.settings().playbook;
        let session = self.session();
        let classification = session.classification.as_ref().ok_or(Error::NoCustomers)?;
        view::customer_detail(key, &session.customers, &session.dataset.orders, classification, &playbook).ok_or_else(
            || {
                ApiError::new("customer_not_found", format!("找不到客户“{key}”。数据可能已重新导入，请刷新客户列表。"))
                    .with("key", key)
            },
        )
    }

    /// Writes the tiered workbook of the current classification to `path`, and CSV per tier into a
    /// folder beside it when `csv` is set.
    ///
    /// # Errors
    /// `no_customers` before any import; `write`; `cancelled`.
    pub fn export(
        &self,
        path: &Path,
        options: &ExportOptions,
        csv: bool,
        progress: &dyn Progress,
    ) -> Result<ExportOutcome, ApiError> {
        let playbook = self.settings().playbook;
        let session = self.session();
        let classification = session.classification.as_ref().ok_or(Error::NoCustomers)?;
        let input = ExportInput {
            customers: &session.customers,
            classification,
            playbook: &playbook,
            reports: &session.dataset.reports,
            migration: None,
        };
        export::write_workbook(path, &input, options, progress)?;
        let csv_files = if csv {
            let dir = csv_dir(path);
            std::fs::create_dir_all(&dir).map_err(|e| Error::Write { path: dir.clone(), detail: e.to_string() })?;
            export::write_csv_per_tier(&dir, &input, options)?
        } else {
            Vec::new()
        };
        Ok(ExportOutcome {
            path: path.display().to_string(),
            csv_files: csv_files.iter().map(|p| p.display().to_string()).collect(),
        })
    }
}

/// `客户分层.xlsx` → `客户分层_CSV/` beside it, so repeated exports do not mix their CSV files.
fn csv_dir(workbook: &Path) -> PathBuf {
    let stem = workbook.file_stem().map_or("TierBook".into(), |s| s.to_string_lossy().into_owned());
    workbook.with_file_name(format!("{stem}_CSV"))
}
