//! `status`, `connect`, `disconnect`.

use std::io::Write;
use std::sync::Arc;

use hardcover_sync::auth::{BrowserOptions, DeviceCode, DeviceOptions, system_opener};

use crate::{Context, print_json};

pub async fn status(ctx: &Context, json: bool, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let c = ctx.app()?.connection().await;
    if json {
        return print_json(out, &c);
    }
    match (&c.username, c.connected) {
        (Some(name), true) => writeln!(out, "Connected as {name} (user {})", c.user_id.unwrap_or_default())?,
        (None, true) => writeln!(out, "Connected")?,
        _ => writeln!(out, "Not connected: run `hardcover-sync connect`")?,
    }
    writeln!(out, "Token store: {}", c.token_store)?;
    if let Some(exp) = c.expires_at {
        writeln!(out, "Token expires: {}", exp.to_rfc3339())?;
    }
    if let Some(reason) = &c.reconnect_needed {
        writeln!(out, "Reconnect needed: {reason}")?;
    }
    Ok(())
}

pub async fn connect(
    ctx: &Context,
    token: Option<String>,
    device: bool,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let app = ctx.app()?;
    let account = if let Some(token) = token {
        app.connect_token(&token).await?
    } else if device {
        let show = Arc::new(|code: &DeviceCode| {
            eprintln!(
                "To connect Hardcover Sync, open {} and enter the code {}",
                code.verification_uri_complete.as_deref().unwrap_or(&code.verification_uri),
                code.user_code
            );
        });
        app.auth().connect_device(DeviceOptions::new(show), &app.probe()).await?
    } else {
        app.auth().connect_browser(BrowserOptions::new(system_opener()), &app.probe()).await?
    };
    writeln!(out, "Connected as {}", account.username)?;
    Ok(())
}

pub async fn disconnect(ctx: &Context, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let outcome = ctx.app()?.auth().disconnect().await?;
    if outcome.revoked {
        writeln!(out, "Disconnected: Hardcover revoked the sign-in and it was deleted from this computer")?;
    } else {
        writeln!(out, "Disconnected")?;
    }
    if let Some(note) = outcome.note {
        writeln!(out, "Note: {note}")?;
    }
    Ok(())
}
