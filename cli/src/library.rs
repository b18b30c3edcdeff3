//! `shelves`, `import`, `export`: the user's Hardcover library and its local copy.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;

use hardcover_sync::app::AppError;
use hardcover_sync::export::{ExportFormat, status_id_for};
use hardcover_sync::import::last_import;
use hardcover_sync::store::library::Selection;

use crate::{Context, print_json};

pub async fn shelves(ctx: &Context, json: bool, offline: bool, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let app = ctx.app()?;
    let shelves = if offline {
        let mut s = app.shelves()?;
        s.offline = true;
        s
    } else {
        // A script asking for shelves without a connection has a setup problem: say so, instead
        // of printing an empty library.
        if !app.connection().await.connected {
            return Err(AppError::NotConnected.into());
        }
        let s = app.shelves_fresh().await?;
        if s.offline {
            eprintln!("warning: Hardcover cannot be reached; showing the local copy");
        }
        s
    };
    if json {
        return print_json(out, &shelves);
    }
    writeln!(out, "Statuses")?;
    for s in &shelves.statuses {
        writeln!(out, "  {:<20} {:>6}", s.name, s.count)?;
    }
    writeln!(out, "Lists")?;
    if shelves.lists.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for l in &shelves.lists {
        writeln!(out, "  {:<20} {:>6}", l.name, l.count)?;
    }
    if let Some(at) = &shelves.updated_at {
        writeln!(out, "Updated {at}{}", if shelves.offline { " (offline: local copy)" } else { "" })?;
    }
    Ok(())
}

pub async fn import(ctx: &Context, full: bool, json: bool, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let report = ctx.app()?.refresh_library(full).await?;
    if json {
        return print_json(out, &report);
    }
    writeln!(
        out,
        "Imported {} book(s){} and {} list(s)",
        report.user_books_fetched,
        if report.full { " (full)" } else { " changed since the last import" },
        report.lists
    )?;
    Ok(())
}

/// After `Store::open` reported the database damaged: put it aside, start a fresh one and fill
/// it from Hardcover. Refused on a healthy database, whose matches and history would be lost.
pub async fn rebuild_database(ctx: &Context, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let path = ctx.paths.database();
    match hardcover_sync::store::Store::open(&path) {
        Ok(_) => anyhow::bail!("the database {} is not damaged: there is nothing to rebuild", path.display()),
        Err(hardcover_sync::store::StoreError::Damaged { .. }) => {}
        Err(other) => return Err(other.into()),
    }
    drop(hardcover_sync::store::Store::rebuild(&path)?);
    writeln!(out, "Started a fresh database at {}; the damaged one is kept beside it", path.display())?;
    let app = ctx.app()?;
    if !app.connection().await.connected {
        writeln!(out, "Connect Hardcover (`hardcover-sync connect`) to bring your library into it")?;
        return Ok(());
    }
    import(ctx, true, false, out).await
}

pub struct ExportArgs<'a> {
    pub shelves: &'a [String],
    pub lists: &'a [String],
    pub format: ExportFormat,
    pub file: Option<PathBuf>,
    /// Skip the refresh: export the local copy as it is.
    pub offline: bool,
}

pub async fn export(ctx: &Context, args: ExportArgs<'_>, out: &mut (dyn Write + Send)) -> anyhow::Result<()> {
    let ExportArgs { shelves, lists, format, file, offline } = args;
    let app = ctx.app()?;
    if !offline {
        refresh_before_export(app).await?;
    }
    let store = app.store();
    let mut selection = Selection { all: shelves.is_empty() && lists.is_empty(), ..Selection::default() };
    for s in shelves {
        let id = status_id_for(s).with_context(|| {
            format!("unknown shelf {s:?}: use want-to-read, currently-reading, read, paused, did-not-finish or ignored")
        })?;
        selection.status_ids.push(id);
    }
    let known = store.lists()?;
    for name in lists {
        let list = known
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(name) || l.slug.as_deref() == Some(name.as_str()))
            .with_context(|| {
                let names: Vec<_> = known.iter().map(|l| l.name.as_str()).collect();
                format!(
                    "no list named {name:?} in the local copy (lists: {}); run `hardcover-sync import` if it is new",
                    names.join(", ")
                )
            })?;
        selection.list_ids.push(list.id);
    }
    let mut noop = |_: usize, _: usize| {};
    match file {
        Some(path) => {
            // Write beside the target and rename, so a failed export never leaves half a file.
            let tmp = path.with_extension("partial");
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?,
            );
            let n = hardcover_sync::export::export(store, &selection, format, &mut f, &mut noop)?;
            f.flush()?;
            drop(f);
            std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("Exported {n} book(s) to {}", path.display());
        }
        None => {
            hardcover_sync::export::export(store, &selection, format, out, &mut noop)?;
        }
    }
    Ok(())
}

/// Bring the local copy up to date before an export, so it holds what Hardcover holds now. When
/// that cannot be done, the export goes on from the copy and says how old it is; with no copy at
/// all there is nothing to export, which is an error naming the fix rather than an empty file.
async fn refresh_before_export(app: &hardcover_sync::app::App) -> anyhow::Result<()> {
    let why = if app.connection().await.connected {
        match app.refresh_library(false).await {
            Ok(_) => return Ok(()),
            Err(e) => e.to_string(),
        }
    } else {
        "not connected to Hardcover".to_owned()
    };
    match last_import(app.store())? {
        Some(at) => {
            eprintln!(
                "warning: the local copy could not be refreshed ({why}); exporting it as it was {}",
                copy_age(&at, chrono::Utc::now())
            );
            Ok(())
        }
        None => anyhow::bail!(
            "nothing to export: your library was never imported ({why}). Run `hardcover-sync connect`, then export again"
        ),
    }
}

/// "3 days ago (2026-12-02 10:00 UTC)": when the local copy was last brought up to date.
fn copy_age(updated_at: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    let Ok(at) = chrono::DateTime::parse_from_rfc3339(updated_at) else {
        return format!("at {updated_at}");
    };
    let at = at.with_timezone(&chrono::Utc);
    let minutes = (now - at).num_minutes().max(0);
    let ago = match minutes {
        0 => "just now".to_owned(),
        1..=59 => format!("{minutes} min ago"),
        60..=2879 => format!("{} h ago", minutes / 60),
        _ => format!("{} days ago", minutes / 1440),
    };
    format!("{ago} ({})", at.format("%Y-%m-%d %H:%M UTC"))
}

#[cfg(test)]
mod tests {
    use super::copy_age;

    #[test]
    fn the_copy_s_age_is_said_in_words_with_its_date() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-05T12:00:00Z").unwrap().to_utc();
        assert_eq!(copy_age("2026-12-05T11:58:00Z", now), "2 min ago (2026-12-05 11:58 UTC)");
        assert_eq!(copy_age("2026-12-05T07:00:00Z", now), "5 h ago (2026-12-05 07:00 UTC)");
        assert_eq!(copy_age("2026-12-02T10:00:00Z", now), "3 days ago (2026-12-02 10:00 UTC)");
        assert_eq!(copy_age("yesterday", now), "at yesterday", "an unreadable date is shown as stored");
    }
}
