//! `status`, `connect`, `disconnect`.

use std::io::Write;
use std::sync::Arc;

use hardcover_sync::auth::{BrowserOptions, DeviceCode, DeviceOptions, system_opener};
use hardcover_sync::secret::Secret;

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
    let token = match token.as_deref() {
        Some("-") => Some(token_from_stdin()?),
        Some(_) => token.map(Secret::new),
        None if !device => std::env::var(TOKEN_ENV).ok().filter(|t| !t.trim().is_empty()).map(Secret::new),
        None => None,
    };
    let account = if let Some(token) = token {
        app.connect_token(token.expose()).await?
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

/// Where `connect` finds a personal token when `--token` is not given: kept out of the process
/// list and the shell history, unlike an argument.
pub const TOKEN_ENV: &str = "HARDCOVER_TOKEN";

/// `--token -`: the token is the first line of standard input (`pass hardcover | hardcover-sync
/// connect --token -`).
fn token_from_stdin() -> anyhow::Result<Secret> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| anyhow::anyhow!("cannot read the token from standard input: {e}"))?;
    let token = Secret::new(line.trim());
    anyhow::ensure!(
        !token.is_empty(),
        "no token on standard input: pipe it in (`… | hardcover-sync connect --token -`) or set {TOKEN_ENV}"
    );
    Ok(token)
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
