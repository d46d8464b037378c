//! The analysis window on the session: the tiers screen classifies the workspace's whole-history
//! customers put through the parameters' window (`tierbook_core::window::apply`), from the order
//! ledger read once per dataset. The windowed customers are kept for their (window, as-of date), so
//! moving a method's slider reuses them and the classifier's kept facts; changing the window makes
//! new customers, whose fingerprint the classifier notices. The export job applies the same window itself.

use std::sync::Arc;

use tierbook_core::classify::{Classification, ClassifyParams};
use tierbook_core::rhythm;
use tierbook_core::window::{self, Ledger};
use tierbook_core::Customer;

use crate::error::ApiError;
use crate::state::{AppState, Session};

impl Session {
    /// A new dataset: every customer of the workspace; the window's customers and the ledger are
    /// made again on the next classification.
    pub fn set_all_customers(&mut self, customers: Vec<Customer>) {
        self.all_customers = customers;
        self.customers = Vec::new();
        self.classification = None;
        self.has_wordings = false;
        self.windowed_for = None;
        self.window_note = None;
        self.ledger = None;
    }

    /// The current classification with every customer's reason and gap, written now through the
    /// kept classifier when the last classification was tiers only (~20–45 ms at 100k customers,
    /// paid only by what shows them: the drawer, a snapshot). The result is what a full
    /// classification with the same parameters gives (the tiers-only one differs only in the
    /// wordings), so it replaces it. `None` before any classification.
    ///
    /// # Errors
    /// Those of the classification that made the tiers (not expected: it succeeded once).
    pub fn worded(&mut self) -> Result<Option<&Classification>, ApiError> {
        if !self.has_wordings {
            let Some(tiers) = &self.classification else { return Ok(None) };
            let mut full = self.classifier.classify(&self.customers, &tiers.params)?;
            full.notes.splice(0..0, self.window_note.clone());
            debug_assert_eq!(
                (&full.tiers, &full.segments, &full.thresholds),
                (&tiers.tiers, &tiers.segments, &tiers.thresholds)
            );
            self.classification = Some(full);
            self.has_wordings = true;
        }
        Ok(self.classification.as_ref())
    }
}

impl AppState {
    /// Classifies the session's customers in `params`' window, tiers only (no reasons or gaps: the
    /// slider path, `Classifier::classify_tiers`; `Session::worded` adds them where shown); on
    /// success `session.customers` are the customers of the result (the session's classification is
    /// the caller's to set). On failure the session is as it was.
    ///
    /// # Errors
    /// `store` reading the ledger; the core's `no_customers` (none in the window), `invalid_params`.
    pub fn classify_session(&self, session: &mut Session, params: &ClassifyParams) -> Result<Classification, ApiError> {
        let key = (params.window.clone(), params.as_of);
        let made = if session.windowed_for.as_ref() == Some(&key) {
            None
        } else if window::changes(&params.window, params.as_of, &session.all_customers) {
            let ledger = self.ledger(session)?;
            let w = window::apply(&session.all_customers, &ledger, &params.window, params.as_of);
            let note = w.note(&params.window);
            Some((w.customers, Some(note)))
        } else {
            Some((session.all_customers.clone(), None))
        };
        let customers = made.as_ref().map_or(&session.customers, |(c, _)| c);
        // The composite score's rhythm weight needs each classified customer's typical gap: read
        // once per customer list (new customers, from an import or a window, drop the old gaps).
        if made.is_some() {
            session.classifier.set_rhythm(customers, None)?;
        }
        if params.method.uses_rhythm() && !session.classifier.has_rhythm(customers) {
            let days = self.order_days_in(&session.order_days)?;
            session.classifier.set_rhythm(customers, Some(rhythm::typical_gaps(customers, &days)))?;
        }
        let mut classification = session.classifier.classify_tiers(customers, params)?;
        if let Some((customers, note)) = made {
            session.customers = customers;
            session.window_note = note;
            session.windowed_for = Some(key);
        }
        session.has_wordings = false;
        classification.notes.splice(0..0, session.window_note.clone());
        Ok(classification)
    }

    /// The workspace's order ledger, read on first use after an import (the session is locked by
    /// the caller: session before workspace, as everywhere).
    fn ledger(&self, session: &mut Session) -> Result<Arc<Ledger>, ApiError> {
        if let Some(ledger) = &session.ledger {
            return Ok(ledger.clone());
        }
        let ledger = Arc::new(self.with_workspace(|ws| ws.order_ledger())?);
        session.ledger = Some(ledger.clone());
        Ok(ledger)
    }
}
