//! Campaigns in the app (the 营销 screen) and each customer's tier history in the customer list:
//! the steps behind the campaign commands (`commands.rs`), over the core's `campaign` and
//! `Workspace` campaign methods. A tier or segment audience is looked up in the classification the
//! window shows.

use tierbook_core::campaign::{self, Audience, Campaign, CampaignReport, CampaignSpec};
use tierbook_core::Error;

use crate::error::ApiError;
use crate::state::AppState;
use crate::view::CustomerRow;

impl AppState {
    /// Every campaign of the workspace, newest first.
    ///
    /// # Errors
    /// `store`.
    pub fn campaigns(&self) -> Result<Vec<Campaign>, ApiError> {
        self.with_workspace(|ws| ws.campaigns())
    }

    /// Creates a campaign for `audience`: keys as given, a tier or segment of the current
    /// classification. A seed of `None` is derived from the name and date (`campaign::default_seed`);
    /// an empty `audience` text is filled in from the audience.
    ///
    /// # Errors
    /// `no_customers` before any import; `invalid_params` (empty audience, bad share, unknown keys).
    pub fn create_campaign(&self, mut spec: CampaignSpec, audience: Audience) -> Result<Campaign, ApiError> {
        let keys = match &audience {
            Audience::Keys(keys) => keys.clone(),
            _ => {
                let session = self.session();
                let classification = session.classification.as_ref().ok_or(Error::NoCustomers)?;
                campaign::audience_keys(&audience, &session.customers, classification)?
            }
        };
        if spec.audience.trim().is_empty() {
            let mut unique = keys.clone();
            unique.sort();
            unique.dedup();
            spec.audience = audience.describe(unique.len());
        }
        self.with_workspace(|ws| ws.create_campaign(&spec, &keys))
    }

    /// The report of campaign `id` over `window_days` days.
    ///
    /// # Errors
    /// `invalid_params` for an unknown campaign or window; `store`.
    pub fn campaign_report(&self, id: i64, window_days: u32) -> Result<CampaignReport, ApiError> {
        self.with_workspace(|ws| ws.campaign_report(id, window_days))
    }

    /// Deletes campaign `id`.
    ///
    /// # Errors
    /// `invalid_params` for an unknown campaign; `store`.
    pub fn delete_campaign(&self, id: i64) -> Result<(), ApiError> {
        self.with_workspace(|ws| ws.delete_campaign(id))
    }

    /// Fills in each row's previous tier, last tier change and drop from the workspace's snapshots
    /// followed by the classification the window shows.
    ///
    /// # Errors
    /// `no_customers` before any import; `store`.
    pub fn add_tier_history(&self, rows: &mut [CustomerRow]) -> Result<(), ApiError> {
        let session = self.session();
        let classification = session.classification.as_ref().ok_or(Error::NoCustomers)?;
        // Kept by the workspace between calls: each row (or the drawer's one) is looked up, not
        // every customer's history made again.
        let saved = self.with_workspace(|ws| ws.saved_tiers())?;
        let current = saved.against(&session.customers, classification);
        for row in rows {
            let change = current.change(&row.key, row.tier);
            row.previous_tier = change.previous;
            row.tier_changed_on = change.changed_on;
            row.dropped = change.dropped;
        }
        Ok(())
    }
}
