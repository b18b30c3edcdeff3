//! Sign-in: connecting to Hardcover (pasted token, browser), disconnecting, and the connection
//! state the status shows.

use super::*;

impl Core {
    /// Read the connection state from auth (no request to Hardcover) into the copy `status()`
    /// shows, and tell the shell when it changed.
    pub async fn refresh_connection(&self) {
        let fresh = match self.app() {
            Ok(app) => Some(app.connection().await),
            Err(_) => None,
        };
        if let Some(Connection { connected: false, reconnect_needed: Some(why), .. }) = &fresh {
            tracing::warn!("the Hardcover sign-in cannot be read: {why}");
        }
        // Said once, when a connected account turns to needing a new sign-in (a rejected token,
        // a refused renewal), not on every look while it stays so.
        let needs = |c: &Option<Connection>| match c {
            Some(Connection { connected: true, reconnect_needed: Some(why), .. }) => Some(why.clone()),
            _ => None,
        };
        let (changed, newly_needed) = {
            let mut c = self.connection.write().unwrap_or_else(|p| p.into_inner());
            let changed = *c != fresh;
            let newly_needed = if needs(&c).is_none() { needs(&fresh) } else { None };
            *c = fresh;
            (changed, newly_needed)
        };
        if changed {
            (self.events)(CoreEvent::StatusChanged);
        }
        if let Some(reason) = newly_needed {
            (self.events)(CoreEvent::ReconnectNeeded { reason });
        }
    }

    /// Check a pasted personal token with Hardcover and keep it. The token never comes back out.
    pub async fn connect_token(&self, raw: &str) -> IpcResult<AppStatus> {
        let app = self.app()?;
        let account = app.connect_token(raw).await?;
        tracing::info!(user_id = account.user_id, "connected to Hardcover with a personal token");
        self.refresh_connection().await;
        Ok(self.status())
    }

    /// Run the browser sign-in (authorization code + PKCE, loopback redirect); resolves when the
    /// user finished, cancelled ([`Core::cancel_connect`]) or the flow timed out.
    pub async fn connect_browser(&self, opener: Opener) -> IpcResult<AppStatus> {
        let app = self.app()?;
        let mut opts = BrowserOptions::new(opener);
        // The page is opened by the opener; the URL is only logged (it carries no secret, only
        // the PKCE challenge and state) for a user whose browser did not open.
        // The URL carries the sign-in's `state`: only at debug level.
        opts.show_url = Arc::new(|url| tracing::debug!("sign-in page: {url}"));
        {
            let mut pending = self.connecting.lock().unwrap_or_else(|p| p.into_inner());
            if pending.is_some() {
                return Err(IpcError::new(ErrorCode::Busy, "a sign-in is already waiting in the browser"));
            }
            *pending = Some(opts.cancel.clone());
        }
        let result = app.auth().connect_browser(opts, &app.probe()).await;
        *self.connecting.lock().unwrap_or_else(|p| p.into_inner()) = None;
        let account = result?;
        tracing::info!(user_id = account.user_id, "connected to Hardcover in the browser");
        self.refresh_connection().await;
        Ok(self.status())
    }

    /// Stop a browser sign-in that is waiting; true when there was one.
    pub fn cancel_connect(&self) -> bool {
        match self.connecting.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// Revoke (where Hardcover allows) and delete the tokens; returns the note for the user.
    pub async fn disconnect(&self) -> IpcResult<hardcover_sync::auth::Disconnected> {
        let app = self.app()?;
        let out = app.auth().disconnect().await?;
        tracing::info!(revoked = out.revoked, "disconnected from Hardcover");
        self.refresh_connection().await;
        Ok(out)
    }
}
