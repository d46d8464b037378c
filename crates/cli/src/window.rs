//! The analysis-window and score-cut flags shared by `tierbook classify`: `--from`, `--to`,
//! `--window 12m`, `--outside drop|group`, `--r-cuts`, `--f-cuts`, `--m-cuts`, mapped onto
//! `tierbook_core::window::{Window, ScoreCuts}` (the core checks them with the rest of the parameters);
//! their help text is part of `classify::AFTER_HELP`.

use chrono::NaiveDate;
use clap::ValueEnum;
use tierbook_core::window::{Outside, ScoreCuts, Span, Window};
use tierbook_core::{Error, Result};

#[derive(clap::Args, Debug, Default)]
pub(crate) struct WindowArgs {
    /// 分析窗口：最近 N 个月，如 3m、6m、12m；all 为全部（默认）/ analysis window: last N months, or all
    #[arg(long)]
    pub(crate) window: Option<String>,
    /// 窗口开始日期 YYYY-MM-DD（含）/ first day of a custom window (included)
    #[arg(long)]
    pub(crate) from: Option<NaiveDate>,
    /// 窗口结束日期 YYYY-MM-DD（含），也是基准日 / last day of a custom window (included), also the as-of date
    #[arg(long)]
    pub(crate) to: Option<NaiveDate>,
    /// 窗口内没有订单的客户：drop 不计入（默认），group 单列为 D 类 / customers with no order in the window
    #[arg(long, value_enum)]
    pub(crate) outside: Option<OutsideArg>,
    /// R 的自定义分界值（天），如 30,90,180,365 / own R cut points in days
    #[arg(long)]
    pub(crate) r_cuts: Option<String>,
    /// F 的自定义分界值（单），如 2,3,5,10 / own F cut points in orders
    #[arg(long)]
    pub(crate) f_cuts: Option<String>,
    /// M 的自定义分界值（元），如 100,500,1000,5000 / own M cut points in yuan
    #[arg(long)]
    pub(crate) m_cuts: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum OutsideArg {
    Drop,
    Group,
}

impl WindowArgs {
    /// The window the flags ask for.
    ///
    /// # Errors
    /// `InvalidParams` for `--window` that is not `Nm` or `all`, or given together with `--from`/`--to`.
    pub(crate) fn window(&self) -> Result<Window> {
        let span = match (self.window.as_deref().map(str::trim), self.from, self.to) {
            (None, None, None) => Span::All,
            (None, from, to) => Span::Range { from, to },
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(Error::InvalidParams(
                    "--window 与 --from/--to 只能选一种。/ Give either --window or --from/--to, not both.".into(),
                ))
            }
            (Some(w), None, None) => months(w)?,
        };
        let outside = match self.outside {
            Some(OutsideArg::Group) => Outside::Group,
            Some(OutsideArg::Drop) | None => Outside::Drop,
        };
        Ok(Window { span, outside })
    }

    /// The user's own cut points.
    ///
    /// # Errors
    /// `InvalidParams` for a list that is not comma-separated numbers.
    pub(crate) fn score_cuts(&self) -> Result<ScoreCuts> {
        let list = |flag: &str, text: &Option<String>| text.as_deref().map_or(Ok(Vec::new()), |t| numbers(flag, t));
        Ok(ScoreCuts {
            r: list("--r-cuts", &self.r_cuts)?,
            f: list("--f-cuts", &self.f_cuts)?,
            m: list("--m-cuts", &self.m_cuts)?,
        })
    }
}

/// "12m" (or "12", "12个月") → the last 12 months; "all" → every order.
fn months(text: &str) -> Result<Span> {
    if text.eq_ignore_ascii_case("all") || text == "全部" {
        return Ok(Span::All);
    }
    let digits = text.trim_end_matches("个月").trim_end_matches(['m', 'M']);
    digits.parse::<u32>().map(|months| Span::Months { months }).map_err(|_| {
        Error::InvalidParams(format!(
            "--window “{text}” 应为月数加 m，如 3m、6m、12m，或 all。/ --window needs months such as 12m, or all."
        ))
    })
}

fn numbers(flag: &str, text: &str) -> Result<Vec<f64>> {
    text.split([',', '，', '/'])
        .map(|s| s.trim().trim_start_matches('¥').parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| {
            Error::InvalidParams(format!(
                "{flag} “{text}” 应为用逗号分隔的数字，如 30,90,180,365。/ {flag} needs comma-separated numbers."
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_flags_map_onto_the_core_window() {
        let a = WindowArgs { window: Some("12m".into()), ..WindowArgs::default() };
        assert_eq!(a.window().unwrap(), Window::months(12));
        let d: NaiveDate = "2025-03-31".parse().unwrap();
        let a = WindowArgs { to: Some(d), outside: Some(OutsideArg::Group), ..WindowArgs::default() };
        assert_eq!(
            a.window().unwrap(),
            Window { span: Span::Range { from: None, to: Some(d) }, outside: Outside::Group }
        );
        assert!(WindowArgs { window: Some("12m".into()), to: Some(d), ..WindowArgs::default() }.window().is_err());
        assert!(WindowArgs { window: Some("twelve".into()), ..WindowArgs::default() }.window().is_err());
        assert_eq!(WindowArgs::default().window().unwrap(), Window::default());
    }

    #[test]
    fn cut_lists_accept_full_width_commas_and_refuse_words() {
        let a = WindowArgs {
            r_cuts: Some("30，90,180, 365".into()),
            m_cuts: Some("¥100,500".into()),
            ..WindowArgs::default()
        };
        let c = a.score_cuts().unwrap();
        assert_eq!(c.r, [30.0, 90.0, 180.0, 365.0]);
        assert_eq!(c.m, [100.0, 500.0]);
        assert!(c.f.is_empty());
        assert!(WindowArgs { f_cuts: Some("2,三".into()), ..WindowArgs::default() }.score_cuts().is_err());
    }
}
