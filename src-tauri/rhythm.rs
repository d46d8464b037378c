//! Purchase rhythm and the 本周该联系 contact list for the window: the core's `rhythm` and `contacts`
//! on the session's customers and classification, the order days read once per dataset from the
//! workspace (kept in the session until the next import), the ratio thresholds saved in the workspace
//! under the key the CLI and the export job read.

use std::path::Path;
use std::sync::Arc;

use tierbook_core::contacts::{self, ContactList, ContactOptions};
use tierbook_core::rhythm::{self, OrderDays, Rhythm, RhythmThresholds, Rhythms};
use tierbook_core::{Error, Lang};

use crate::error::ApiError;
use crate::state::{AppState, ReadOnce};
use crate::view::mask_phone;

impl AppState {
    /// The order days of the workspace, read on first use after an import.
    pub(crate) fn order_days(&self) -> Result<Arc<OrderDays>, ApiError> {
        let slot = self.session().order_days.clone();
        self.order_days_in(&slot)
    }

    /// The order days of `slot` (the session's), read now unless the read-ahead or a command has.
    /// Takes the slot rather than the session, so a caller holding the session can use it.
    pub(crate) fn order_days_in(&self, slot: &ReadOnce<OrderDays>) -> Result<Arc<OrderDays>, ApiError> {
        slot.get_or_read(|| self.with_workspace(|ws| ws.order_days()))
    }

    /// The ratio thresholds saved in the workspace, or the defaults (1×, 2×, 4×).
    ///
    /// # Errors
    /// `store`.
    pub fn rhythm_thresholds(&self) -> Result<RhythmThresholds, ApiError> {
        Ok(self.with_workspace(|ws| ws.get_setting(RhythmThresholds::SETTING))?.unwrap_or_default())
    }

    /// Saves the ratio thresholds (also used by the export and `tierbook contacts --workspace`).
    ///
    /// # Errors
    /// `invalid_params` when they are not increasing; `store`.
    pub fn save_rhythm_thresholds(&self, thresholds: RhythmThresholds) -> Result<(), ApiError> {
        thresholds.validate()?;
        self.with_workspace(|ws| ws.set_setting(RhythmThresholds::SETTING, &thresholds))
    }

    /// The rhythm of every session customer at the current classification's as-of date.
    ///
    /// # Errors
    /// `no_customers` before any import; `store`.
    pub fn rhythms(&self) -> Result<Rhythms, ApiError> {
        let thresholds = self.rhythm_thresholds()?;
        let days = self.order_days()?;
        let session = self.session();
        let classification = session.classification.as_ref().ok_or(Error::NoCustomers)?;
        Ok(rhythm::compute(&session.customers, &days, classification.as_of, thresholds)?)
    }

    /// One customer's rhythm and its sentence, when it has one.
    pub fn rhythm_of(&self, key: &str) -> Option<(Rhythm, tierbook_core::Text)> {
        let rhythms = self.rhythms().ok()?;
        let session = self.session();
        let index = session.customers.binary_search_by(|c| c.key.as_str().cmp(key)).ok()?;
        let r = rhythms.get(index)?.clone();
        let text = rhythm::describe(&r);
        Some((r, text))
    }

    /// The contact list of the current classification (phones as stored: the caller masks).
    fn contact_list_raw(&self, options: ContactOptions) -> Result<ContactList, ApiError> {
        let rhythms = self.rhythms()?;
        let playbook = self.settings().playbook;
        let session = self.session();
        let classification = session.classification.as_ref().ok_or(Error::NoCustomers)?;
        Ok(contacts::contact_list(&session.customers, classification, &rhythms, &playbook, options)?)
    }

    /// The contact list for the screen, phones masked (the screen never needs the full number).
    ///
    /// # Errors
    /// `no_customers` before any import; `store`.
    pub fn contact_list(&self, options: ContactOptions) -> Result<ContactList, ApiError> {
        let mut list = self.contact_list_raw(options)?;
        for c in &mut list.contacts {
            c.phone = c.phone.as_deref().map(mask_phone);
        }
        Ok(list)
    }

    /// Writes the contact list as a CSV for tagging tools to `path` (atomically).
    ///
    /// # Errors
    /// `no_customers`; `write`; `store`.
    pub fn export_contacts(
        &self,
        path: &Path,
        options: ContactOptions,
        lang: Lang,
        keep_phones: bool,
    ) -> Result<String, ApiError> {
        let list = self.contact_list_raw(options)?;
        let written = tierbook_core::export::write_contacts_csv(path, &list, lang, keep_phones)?;
        Ok(written.display().to_string())
    }
}
