//! The 地区 screen's data: the tier mix by province, each customer's province (the customer list's
//! province filter) and the cohort table, from the workspace and the classification on screen.

use std::collections::BTreeMap;

use serde::Serialize;
use tierbook_core::cohort::CohortTable;
use tierbook_core::region::{self, RegionRow};
use tierbook_core::Error;

use crate::error::ApiError;
use crate::state::AppState;

/// Everything the 地区 screen shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RegionView {
    /// One row per province (most customers first, 未知 last), tiers of the classification on screen.
    pub regions: Vec<RegionRow>,
    /// Customer key → province, for customers whose orders had an address (the others are 未知).
    pub provinces: BTreeMap<String, String>,
    /// Cohorts by first-order month, cut at the classification's as-of date.
    pub cohorts: CohortTable,
}

impl AppState {
    /// The tier mix by province and the cohorts of the workspace.
    ///
    /// # Errors
    /// `no_customers` before any import; `store`.
    pub fn region_view(&self) -> Result<RegionView, ApiError> {
        let as_of = self.session().classification.as_ref().ok_or(Error::NoCustomers)?.as_of;
        let (lookup, cohorts) = self.with_workspace(|ws| Ok((ws.customer_regions()?, ws.cohorts(as_of)?)))?;
        let session = self.session();
        let classification = session.classification.as_ref().ok_or(Error::NoCustomers)?;
        let provinces = session
            .customers
            .iter()
            .filter_map(|c| lookup.get(&c.key).map(|r| (c.key.clone(), r.province.to_string())))
            .collect();
        Ok(RegionView { regions: region::tier_mix(&session.customers, classification, &lookup), provinces, cohorts })
    }
}
