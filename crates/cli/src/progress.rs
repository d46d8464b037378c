//! A progress bar on stderr for long imports and exports (hidden when stderr is not a terminal),
//! and Ctrl+C turned into the core's cancellation (a second Ctrl+C exits at once with 130).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tierbook_core::{Lang, Progress, Stage};

use crate::lang::tr;

/// The bar plus the Ctrl+C flag.
pub(crate) struct Bar {
    bar: ProgressBar,
    stage: Mutex<Option<Stage>>,
    interrupted: Arc<AtomicBool>,
    lang: Lang,
}

impl Bar {
    /// A bar that draws only when stderr is a terminal.
    pub(crate) fn new(lang: Lang) -> Bar {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr_with_hz(10)
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        let interrupted = Arc::new(AtomicBool::new(false));
        #[cfg(unix)]
        {
            use signal_hook::consts::SIGINT;
            // Order matters: the conditional exit sees the flag set by the first Ctrl+C.
            let _ = signal_hook::flag::register_conditional_shutdown(SIGINT, 130, Arc::clone(&interrupted));
            let _ = signal_hook::flag::register(SIGINT, Arc::clone(&interrupted));
        }
        Bar { bar, stage: Mutex::new(None), interrupted, lang }
    }

    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }

    fn stage_name(&self, stage: Stage) -> &'static str {
        match stage {
            Stage::Reading => tr(self.lang, "读取", "reading"),
            Stage::Classifying => tr(self.lang, "分层", "classifying"),
            Stage::Exporting => tr(self.lang, "导出", "exporting"),
            Stage::Saving => tr(self.lang, "保存", "saving"),
            Stage::Customers => tr(self.lang, "更新客户", "updating customers"),
            Stage::Packing => tr(self.lang, "打包 (KB)", "packing (KB)"),
        }
    }
}

impl Progress for Bar {
    fn report(&self, stage: Stage, done: u64, total: u64) {
        if let Ok(mut current) = self.stage.lock() {
            if *current != Some(stage) {
                *current = Some(stage);
                let style = if total > 0 {
                    ProgressStyle::with_template("{msg:>6} [{bar:40}] {percent:>3}% {elapsed}")
                } else {
                    ProgressStyle::with_template("{msg:>6} {spinner} {pos} {elapsed}")
                };
                if let Ok(style) = style {
                    self.bar.set_style(style.progress_chars("=> "));
                }
                self.bar.set_message(self.stage_name(stage));
                self.bar.reset();
                self.bar.enable_steady_tick(Duration::from_millis(200));
            }
        }
        if total > 0 {
            self.bar.set_length(total);
        }
        self.bar.set_position(done);
    }

    fn cancelled(&self) -> bool {
        self.interrupted.load(Ordering::Relaxed)
    }
}
