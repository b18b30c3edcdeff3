//! What the authorization server remembers between requests: codes, refresh-token chains and
//! device codes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use rand::Rng;

use super::OAuthState;
use crate::hardcover::tokens::Grant;

pub(crate) struct Code {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: String,
    pub scopes: Vec<String>,
    pub expires_at: Instant,
    /// Set once exchanged; a replay revokes what the first exchange issued (RFC 6749 §4.1.2).
    pub chain: Option<u64>,
}

struct Refresh {
    chain: u64,
    user_id: i64,
    client_id: String,
    scopes: Vec<String>,
    expires_at: SystemTime,
    used: bool,
}

pub(crate) struct DeviceCode {
    pub user_code: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub expires_at: Instant,
    pub approved: bool,
    pub polls: u32,
}

#[derive(Default)]
struct Inner {
    codes: HashMap<String, Code>,
    refresh: HashMap<String, Refresh>,
    /// Access tokens issued per chain, to revoke them with the chain.
    chain_access: HashMap<u64, Vec<String>>,
    devices: HashMap<String, DeviceCode>,
    next_chain: u64,
}

#[derive(Clone, Default)]
pub struct Grants {
    inner: Arc<Mutex<Inner>>,
}

/// What a token request yields.
pub(crate) struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    pub scopes: Vec<String>,
}

pub(crate) enum RefreshError {
    Invalid,
    /// An already-rotated refresh token came back: the chain is revoked.
    Reused,
}

pub(crate) fn random_token(prefix: &str) -> String {
    let bytes: [u8; 20] = rand::thread_rng().r#gen();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{hex}")
}

impl Grants {
    pub(crate) fn add_code(&self, code: String, c: Code) {
        self.inner.lock().unwrap().codes.insert(code, c);
    }

    /// Take a code for exchange. `Err(Some(chain))` for a replay (the caller revokes the chain).
    pub(crate) fn use_code(&self, code: &str, f: impl FnOnce(&Code) -> bool) -> Result<Code, Option<u64>> {
        let mut inner = self.inner.lock().unwrap();
        let c = inner.codes.get_mut(code).ok_or(None)?;
        if let Some(chain) = c.chain {
            return Err(Some(chain));
        }
        if !f(c) {
            return Err(None);
        }
        let chain = inner.next_chain;
        inner.next_chain += 1;
        let c = inner.codes.get_mut(code).expect("present");
        c.chain = Some(chain);
        Ok(Code {
            client_id: c.client_id.clone(),
            redirect_uri: c.redirect_uri.clone(),
            challenge: c.challenge.clone(),
            scopes: c.scopes.clone(),
            expires_at: c.expires_at,
            chain: Some(chain),
        })
    }

    pub(crate) fn new_chain(&self) -> u64 {
        let mut inner = self.inner.lock().unwrap();
        inner.next_chain += 1;
        inner.next_chain - 1
    }

    /// Issue an access + refresh token pair on `chain`.
    pub(crate) fn issue(&self, st: &OAuthState, chain: u64, client_id: &str, scopes: Vec<String>) -> Issued {
        let knobs = st.knobs();
        let access = random_token("hc_at_");
        let refresh = random_token("hc_rt_");
        st.registry.insert(
            access.clone(),
            Grant {
                user_id: st.user_id,
                scopes: scopes.clone(),
                expires_at: Some(SystemTime::now() + knobs.access_ttl),
            },
        );
        let mut inner = self.inner.lock().unwrap();
        inner.chain_access.entry(chain).or_default().push(access.clone());
        inner.refresh.insert(
            refresh.clone(),
            Refresh {
                chain,
                user_id: st.user_id,
                client_id: client_id.to_owned(),
                scopes: scopes.clone(),
                expires_at: SystemTime::now() + knobs.refresh_ttl,
                used: false,
            },
        );
        Issued { access_token: access, refresh_token: refresh, expires_in: knobs.access_ttl.as_secs(), scopes }
    }

    /// Rotate `token`: mark it used and return its chain and scopes. Reuse revokes the chain.
    pub(crate) fn rotate(
        &self,
        st: &OAuthState,
        token: &str,
        client_id: &str,
    ) -> Result<(u64, Vec<String>), RefreshError> {
        let chain = {
            let mut inner = self.inner.lock().unwrap();
            let r = inner.refresh.get_mut(token).ok_or(RefreshError::Invalid)?;
            if r.client_id != client_id || r.user_id != st.user_id || r.expires_at <= SystemTime::now() {
                return Err(RefreshError::Invalid);
            }
            if !r.used {
                r.used = true;
                return Ok((r.chain, r.scopes.clone()));
            }
            r.chain
        };
        self.revoke_chain(st, chain);
        Err(RefreshError::Reused)
    }

    /// Revoke every access and refresh token of `chain`.
    pub(crate) fn revoke_chain(&self, st: &OAuthState, chain: u64) {
        let mut inner = self.inner.lock().unwrap();
        inner.refresh.retain(|_, r| r.chain != chain);
        for at in inner.chain_access.remove(&chain).unwrap_or_default() {
            st.registry.revoke(&at);
        }
    }

    /// Revoke every chain: the user removed the app's access on hardcover.app.
    pub(crate) fn revoke_all(&self, st: &OAuthState) {
        let chains: Vec<u64> = {
            let inner = self.inner.lock().unwrap();
            inner.refresh.values().map(|r| r.chain).chain(inner.chain_access.keys().copied()).collect()
        };
        for c in chains {
            self.revoke_chain(st, c);
        }
    }

    /// Revoke a refresh token (and its chain). False when unknown.
    pub(crate) fn revoke_refresh(&self, st: &OAuthState, token: &str) -> bool {
        let chain = self.inner.lock().unwrap().refresh.get(token).map(|r| r.chain);
        match chain {
            Some(c) => {
                self.revoke_chain(st, c);
                true
            }
            None => false,
        }
    }

    pub(crate) fn refresh_is_live(&self, token: &str) -> bool {
        self.inner.lock().unwrap().refresh.get(token).is_some_and(|r| !r.used && r.expires_at > SystemTime::now())
    }

    pub(crate) fn add_device(&self, device_code: String, d: DeviceCode) {
        self.inner.lock().unwrap().devices.insert(device_code, d);
    }

    pub(crate) fn approve_device(&self, user_code: &str) -> bool {
        let mut inner = self.inner.lock().unwrap();
        match inner.devices.values_mut().find(|d| d.user_code == user_code) {
            Some(d) => {
                d.approved = true;
                true
            }
            None => false,
        }
    }

    /// Look at (and count a poll of) a device code.
    pub(crate) fn with_device<T>(&self, device_code: &str, f: impl FnOnce(&mut DeviceCode) -> T) -> Option<T> {
        self.inner.lock().unwrap().devices.get_mut(device_code).map(f)
    }

    pub(crate) fn remove_device(&self, device_code: &str) {
        self.inner.lock().unwrap().devices.remove(device_code);
    }
}
