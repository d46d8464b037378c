//! How the page is drawn on Linux.
//!
//! WebKitGTK composites the page with OpenGL. Without a usable GPU (a virtual machine, a remote
//! desktop, an old office PC's driver, Xvfb) that GL is Mesa's llvmpipe on the CPU, and compositing
//! a whole window through it made every scrolled frame of the customer table cost 95–130 ms at
//! 101k customers (a frozen copy of the same table with no Vue at all: 95 ms), while a frame
//! standing still took 16 ms. With hardware acceleration off, WebKit paints the changed area
//! itself: the same scroll ran at 12–16 ms p50, 21 ms p99 (docs/benchmarks.md, "The customer
//! table: compositing"). Nothing on TierBook's pages needs a GPU (ECharts draws on a 2D canvas, no
//! WebGL, no 3D transforms), so the app paints on the CPU everywhere.
//!
//! `TIERBOOK_GPU=1` keeps WebKit's GPU compositing, for a machine where it turns out better.

use tauri::{Manager, Runtime};

/// The environment variable that keeps GPU compositing.
pub const GPU_ENV: &str = "TIERBOOK_GPU";

/// Whether the web view should paint on the CPU, given `TIERBOOK_GPU`'s value.
pub fn paint_on_cpu(gpu: Option<&std::ffi::OsStr>) -> bool {
    !matches!(gpu.and_then(|v| v.to_str()).map(str::trim), Some("1" | "true" | "yes"))
}

/// Applies the choice to the main window's web view (before its page is drawn: called from setup).
pub fn apply<R: Runtime>(app: &tauri::AppHandle<R>) {
    if !paint_on_cpu(std::env::var_os(GPU_ENV).as_deref()) {
        return;
    }
    let Some(window) = app.get_webview_window("main") else { return };
    #[cfg(target_os = "linux")]
    let _ = window.with_webview(|webview| {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
        if let Some(settings) = webview.inner().settings() {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

#[cfg(test)]
mod tests {
    use super::paint_on_cpu;
    use std::ffi::OsStr;

    #[test]
    fn the_cpu_paints_unless_the_gpu_is_asked_for() {
        assert!(paint_on_cpu(None));
        assert!(paint_on_cpu(Some(OsStr::new(""))));
        assert!(paint_on_cpu(Some(OsStr::new("0"))));
        assert!(!paint_on_cpu(Some(OsStr::new("1"))));
        assert!(!paint_on_cpu(Some(OsStr::new(" yes "))));
    }
}
