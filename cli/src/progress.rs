//! `progress`: what the reading servers say, before any matching.

use std::io::Write;

use crate::{Context, print_json};

pub async fn progress(
    ctx: &Context,
    only: Option<&str>,
    json: bool,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let app = ctx.app()?;
    if let Some(name) = only
        && !app.config.sources.iter().any(|s| s.name == name)
    {
        let names: Vec<_> = app.config.sources.iter().map(|s| s.name.as_str()).collect();
        anyhow::bail!("no source named {name:?} in the config (sources: {})", names.join(", "));
    }
    if app.config.sources.is_empty() {
        anyhow::bail!("no reading servers configured: add one under `sources:` in {}", app.paths.config_file.display());
    }
    let report = app.progress(only).await;
    if json {
        print_json(out, &report.to_json())?;
    } else {
        for item in &report.items {
            let pct = (item.fraction * 100.0).round();
            let done = if item.is_finished { " ✓ finished" } else { "" };
            writeln!(out, "{:<14} {:>4}%  {}{}", item.source, pct, item.title, done)?;
        }
        for e in &report.errors {
            writeln!(out, "{:<14} error: {}", e.source, e.message)?;
        }
    }
    // Partial success still prints everything; the exit status tells scripts something failed.
    if !report.errors.is_empty() {
        anyhow::bail!("{} source(s) failed", report.errors.len());
    }
    Ok(())
}
