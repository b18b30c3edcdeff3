//! `sync`, `history`, `link`, `unlink`, `exclude`, `include`: running the sync and steering its matches.

use std::io::Write;

use anyhow::anyhow;

use hardcover_sync::app::{AppError, WhenBusy};
use hardcover_sync::sync::port::PortError;
use hardcover_sync::sync::run::SyncOutcome;
use hardcover_sync::sync::summary::{ItemResult, Summary, SummaryItem};

use crate::{Context, print_json};

pub async fn sync(
    ctx: &Context,
    dry_run: bool,
    json: bool,
    wait: bool,
    all: bool,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    let app = ctx.app()?;
    let observe = &hardcover_sync::sync::observe::ignore;
    let outcome = match app.sync_when(dry_run, WhenBusy::Refuse, observe).await {
        // Said once, so a waiting `--wait` run does not look hung.
        Err(AppError::SyncBusy { pid }) if wait => {
            let who = pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
            eprintln!("Another sync of this data folder is running{who}; waiting for it to finish…");
            app.sync_when(dry_run, WhenBusy::Wait, observe).await?
        }
        other => other?,
    };
    if json {
        let mut v = serde_json::to_value(&outcome.summary)?;
        v["run_id"] = outcome.run_id.into();
        v["stopped"] = outcome.stopped.as_ref().map(ToString::to_string).into();
        print_json(out, &v)?;
    } else {
        print_summary(&outcome.summary, all, out)?;
    }
    match failure(&outcome) {
        Some(message) => Err(anyhow!(message)),
        None => Ok(()),
    }
}

/// Skip reasons that mean "nothing to do": a library of a thousand books would otherwise print a
/// thousand such lines around the few that matter.
const UP_TO_DATE: &[&str] = &["unchanged", "already_finished", "not_on_hardcover", "no_hardcover_progress"];

fn up_to_date(item: &SummaryItem) -> bool {
    item.result == ItemResult::Skipped && item.skip.as_deref().is_some_and(|code| UP_TO_DATE.contains(&code))
}

fn print_summary(s: &Summary, all: bool, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    if s.dry_run {
        writeln!(out, "Dry run: nothing was sent or written. The plan:")?;
    }
    let quiet = if all { 0 } else { s.items.iter().filter(|i| up_to_date(i)).count() };
    for item in s.items.iter().filter(|i| all || !up_to_date(i)) {
        let what = if item.id.is_empty() { item.source.clone() } else { format!("{}/{}", item.source, item.id) };
        let reason = item.reason.as_deref().map(|r| format!(" — {r}")).unwrap_or_default();
        writeln!(out, "  {:<9} {:<10} {what} {}{reason}", item.result.as_str(), item.action.as_str(), item.title)?;
    }
    if quiet > 0 {
        let books = if quiet == 1 { "1 book".to_owned() } else { format!("{quiet} books") };
        writeln!(out, "  … and {books} already up to date (`--all` lists them)")?;
    }
    writeln!(
        out,
        "{}: {} added, {} progress, {} finished, {} rated, {} written back, {} skipped, {} unmatched, {} deferred, {} error(s); {} Hardcover request(s)",
        if s.dry_run { "Would do" } else { "Done" },
        s.added,
        s.progress_updated,
        s.finished,
        s.rated,
        s.written_back,
        s.skipped,
        s.unmatched,
        s.deferred,
        s.errors,
        s.hardcover_requests
    )?;
    Ok(())
}

/// The error to exit with, naming what to fix, when the sync had errors or had to stop.
fn failure(outcome: &SyncOutcome) -> Option<String> {
    let s = &outcome.summary;
    let fix = match &outcome.stopped {
        Some(PortError::Unauthorized) => Some("reconnect Hardcover with `hardcover-sync connect`".to_string()),
        Some(PortError::Offline(_)) => {
            Some("check the network connection and scrobbling.hardcover.api_url, then run the sync again".into())
        }
        Some(PortError::RateLimited { retry_after: Some(wait) }) => Some(format!(
            "Hardcover asked to wait {}, longer than a sync waits by itself: the rest is deferred; run the sync again after {} (nothing was lost)",
            human_wait(*wait),
            resume_at(*wait)
        )),
        Some(PortError::RateLimited { retry_after: None }) => {
            Some("wait for Hardcover's rate limit to reset, then run the sync again (nothing was lost)".into())
        }
        Some(other) => Some(format!("{other}; run the sync again")),
        None => None,
    };
    if s.errors == 0 && fix.is_none() {
        return None;
    }
    let mut reasons: Vec<String> = Vec::new();
    for item in s.items.iter().filter(|i| i.result == ItemResult::Failed) {
        let what = if item.id.is_empty() { item.source.clone() } else { format!("{}/{}", item.source, item.id) };
        let reason = item.reason.as_deref().unwrap_or("failed");
        // A source's own errors already start with its name ("abs: cannot reach …"): say it once.
        let line =
            if reason.starts_with(&format!("{what}: ")) { reason.to_string() } else { format!("{what}: {reason}") };
        if !reasons.contains(&line) {
            reasons.push(line);
        }
    }
    let shown = reasons.iter().take(3).cloned().collect::<Vec<_>>().join("; ");
    let more = reasons.len().saturating_sub(3);
    let more = if more > 0 { format!(" (and {more} more: see `hardcover-sync history`)") } else { String::new() };
    Some(match fix {
        Some(fix) => format!("the sync stopped early: {fix}. {shown}{more}"),
        None => format!("the sync had {} error(s): {shown}{more}", s.errors),
    })
}

fn human_wait(d: std::time::Duration) -> String {
    match d.as_secs() {
        s if s < 120 => format!("{s} s"),
        s if s < 2 * 3600 => format!("{} min", s.div_ceil(60)),
        s => format!("{} h", s.div_ceil(3600)),
    }
}

/// The local time the deferred rest may be sent, e.g. "14:05" (with the date when not today).
fn resume_at(wait: std::time::Duration) -> String {
    let now = chrono::Local::now();
    let at = chrono::TimeDelta::from_std(wait).ok().and_then(|d| now.checked_add_signed(d)).unwrap_or(now);
    if at.date_naive() == now.date_naive() {
        at.format("%H:%M").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M").to_string()
    }
}

pub fn history(ctx: &Context, json: bool, limit: u32, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let rows = ctx.app()?.history(limit)?;
    if json {
        return print_json(out, &rows);
    }
    if rows.is_empty() {
        writeln!(out, "No sync has run yet: run `hardcover-sync sync --dry-run` to see what it would do")?;
    }
    for h in &rows {
        let reason = h.reason.as_deref().map(|r| format!(" — {r}")).unwrap_or_default();
        writeln!(
            out,
            "{} run {:<4} {:<9} {:<10} {}/{} {}{reason}",
            h.at.format("%Y-%m-%d %H:%M"),
            h.run_id,
            h.result,
            h.action,
            h.source,
            h.item_id,
            h.title.as_deref().unwrap_or("")
        )?;
    }
    Ok(())
}

pub fn link(
    ctx: &Context,
    source: &str,
    item: &str,
    book: i64,
    edition: Option<i64>,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    known_source(ctx, source)?;
    ctx.app()?.link(source, item, book, edition)?;
    writeln!(out, "Linked {source}/{item} to Hardcover book {book}; the next sync uses it")?;
    Ok(())
}

pub fn unlink(ctx: &Context, source: &str, item: &str, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    known_source(ctx, source)?;
    ctx.app()?.unlink(source, item)?;
    writeln!(out, "Unlinked {source}/{item}: it is left out of syncs until you link it")?;
    Ok(())
}

/// `exclude` (`never` true) and `include`; with `highlights`, only the item's highlights.
pub fn exclude(
    ctx: &Context,
    source: &str,
    item: &str,
    never: bool,
    highlights: bool,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<()> {
    known_source(ctx, source)?;
    if highlights {
        ctx.app()?.send_highlights(source, item, !never)?;
        if never {
            writeln!(out, "{source}/{item}: its reading is synced, its highlights are not sent")?;
        } else {
            writeln!(out, "{source}/{item}: its highlights are sent again on the next sync")?;
        }
        return Ok(());
    }
    ctx.app()?.exclude(source, item, never)?;
    if never {
        writeln!(out, "Excluded {source}/{item}: it is never synced until you run `include {source} {item}`")?;
    } else {
        writeln!(out, "Included {source}/{item} again: the next sync syncs it")?;
    }
    Ok(())
}

fn known_source(ctx: &Context, source: &str) -> anyhow::Result<()> {
    if ctx.config.sources.iter().any(|s| s.name == source) {
        return Ok(());
    }
    let names: Vec<&str> = ctx.config.sources.iter().map(|s| s.name.as_str()).collect();
    Err(anyhow!("no source named {source:?} in the config (sources: {}); use a source's `name`", names.join(", ")))
}
