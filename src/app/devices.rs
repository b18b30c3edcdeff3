//! E-readers on the desk: the devices seen plugged in, the user's choice for each, and which
//! device sources a sync may read now.
//!
//! A device first seen is only planned (dry run) until the user confirms its first sync in the
//! window: its plan lists what would change on Hardcover, and nothing is sent before that. A
//! device source with no device plugged in is not a failure: it is read next time it is.

use chrono::Utc;

use super::{App, AppError};
use crate::sources::device::{self, DeviceKind, Mounted};
use crate::store::devices::DeviceView;
use crate::sync::run::Unavailable;

impl App {
    /// A device is plugged in now (the tray's watcher saw it). A new one is stored unconfirmed.
    pub fn device_plugged(&self, m: &Mounted) -> Result<DeviceView, AppError> {
        Ok(self.store.device_seen(m, Utc::now())?)
    }

    /// Only these devices are plugged in now.
    pub fn devices_plugged_only(&self, ids: &[String]) -> Result<(), AppError> {
        Ok(self.store.devices_connected_only(ids)?)
    }

    /// Every device seen, plugged-in ones first, with the sources that read it.
    pub fn devices(&self) -> Result<Vec<DeviceView>, AppError> {
        let mut all = self.store.devices_all()?;
        for d in &mut all {
            d.sources = self.sources_at(std::path::Path::new(&d.root));
        }
        Ok(all)
    }

    /// The user confirmed the device's first sync (`always`: sync it whenever it is plugged in).
    pub fn confirm_device(&self, id: &str, always: bool) -> Result<bool, AppError> {
        Ok(self.store.device_confirm(id, always)?)
    }

    pub fn forget_device(&self, id: &str) -> Result<bool, AppError> {
        Ok(self.store.device_forget(id)?)
    }

    /// The configured sources that read `device` (a fixed `path` at its folder, or the first
    /// mounted device of their kind).
    pub fn sources_of_device(&self, device: &Mounted) -> Vec<String> {
        self.sources_at(&device.root)
    }

    fn sources_at(&self, root: &std::path::Path) -> Vec<String> {
        self.config
            .sources
            .iter()
            .filter(|s| s.enabled && s.kind.is_device())
            .filter(|s| self.device_root(s).is_some_and(|r| r == root))
            .map(|s| s.name.clone())
            .collect()
    }

    fn device_root(&self, s: &crate::config::SourceConfig) -> Option<std::path::PathBuf> {
        let kind = if s.kind == crate::config::SourceKind::Kobo { DeviceKind::Kobo } else { DeviceKind::Koreader };
        match &s.path {
            Some(p) => Some(p.clone()),
            None => device::find_mounted(&device::mount_parents(), kind).into_iter().next(),
        }
    }

    /// Device sources a sync leaves out: no device plugged in (not an error), or (unless
    /// `dry_run`) a device whose first sync the user has not confirmed yet.
    pub(super) fn held_devices(&self, dry_run: bool) -> Result<Vec<Unavailable>, AppError> {
        let mut held = Vec::new();
        for s in self.config.sources.iter().filter(|s| s.enabled && s.kind.is_device()) {
            let Some(root) = self.device_root(s).filter(|r| r.is_dir()) else {
                held.push(Unavailable::Held { source: s.name.clone(), why: "not plugged in: read when it is".into() });
                continue;
            };
            if dry_run {
                continue;
            }
            let Some(m) = device::identify(&root) else { continue };
            if let Some(d) = self.store.device_get(&m.id)?
                && !d.confirmed
            {
                held.push(Unavailable::Held {
                    source: s.name.clone(),
                    why: format!(
                        "{} was just plugged in: nothing is sent until you confirm its first sync in the window",
                        d.name
                    ),
                });
            }
        }
        Ok(held)
    }

    /// After a sync: how many books each plugged-in device has reading on.
    pub(super) fn count_device_books(&self, summary: &crate::sync::summary::Summary) -> Result<(), AppError> {
        for s in self.config.sources.iter().filter(|s| s.enabled && s.kind.is_device()) {
            let Some(m) = self.device_root(s).and_then(|r| device::identify(&r)) else { continue };
            if self.store.device_get(&m.id)?.is_none() {
                continue;
            }
            let books = summary.items.iter().filter(|i| i.source == s.name && !i.id.is_empty()).count();
            if books > 0 {
                self.store.device_set_books(&m.id, u32::try_from(books).unwrap_or(u32::MAX))?;
            }
        }
        Ok(())
    }
}
