//! The `sync` command itself: dry run, JSON shape, exit codes, history.

use hardcover_sync_emulators::hardcover::Limits;

use super::*;

#[tokio::test]
async fn dry_run_prints_the_plan_and_changes_nothing() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let a = editions(&hc, 1, audio).remove(0);
    let t = editions(&hc, 1, paper).remove(0);
    let books = vec![source_book(&hc, &a, 0.4, "2026-10-01"), finished_book(&hc, &t, "2026-09-01", "2026-09-09")];
    let w = World::start(hc, books, TO_HARDCOVER).await;
    let (ok, summary, err) = w.sync(&["--dry-run"]).await;
    assert!(ok, "a dry run must succeed: {err}");
    assert_eq!(summary["dry_run"], true);
    for key in ["added", "progress_updated", "finished", "rated", "written_back", "skipped", "unmatched", "errors"] {
        assert!(summary[key].is_u64(), "the JSON summary must count {key}: {summary:#}");
    }
    assert!(summary["hardcover_requests"].is_u64(), "the JSON summary must count Hardcover requests");
    assert_eq!(summary["added"], 2, "the plan must show both adds: {summary:#}");
    for item in summary["items"].as_array().unwrap() {
        for key in ["source", "id", "action", "result", "reason"] {
            assert!(item.get(key).is_some(), "every item must carry {key}: {item}");
        }
        assert_eq!(item["result"], "planned", "a dry run only plans: {item}");
    }
    assert_eq!(w.mutation_fields(), 0, "a dry run must not send a single mutation");
    assert!(w.hc.state().db().user_books_of(w.user).is_empty(), "a dry run must leave Hardcover unchanged");
    assert!(!w.abs.requests().iter().any(|r| r.starts_with("PATCH")), "a dry run must not write to the source");
    let (ok, out, _) = w.sb.cli(&["sync", "--dry-run"]).await;
    assert!(ok && out.contains("Dry run"), "the human dry run says so: {out}");
    // Nothing was remembered either: the real sync still does everything.
    let summary = w.sync_ok().await;
    assert_eq!(summary["added"], 2, "after a dry run the real sync does the whole plan: {summary:#}");

    // Now both are up to date: counted in one line, not listed, unless asked for.
    let (ok, out, err) = w.sb.cli(&["sync", "--dry-run"]).await;
    assert!(ok, "{err}");
    assert!(out.contains("… and 2 books already up to date"), "up-to-date books are counted in one line: {out}");
    assert!(!out.contains("unchanged"), "up-to-date books are not listed one by one by default: {out}");
    let (ok, out, err) = w.sb.cli(&["sync", "--dry-run", "--all"]).await;
    assert!(ok, "{err}");
    assert_eq!(out.matches("unchanged").count(), 2, "`--all` lists every book, the up-to-date ones too: {out}");
}

#[tokio::test]
async fn sync_with_errors_exits_non_zero_naming_what_to_fix() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let sb = crate::support::Sandbox::new(
        &hc,
        "sources:\n  - kind: audiobookshelf\n    name: abs\n    url: http://127.0.0.1:9\n    api_key: k\n",
    );
    assert!(sb.cli(&["connect", "--token", TOKEN]).await.0);
    let (ok, out, err) = sb.cli(&["sync", "--json"]).await;
    assert!(!ok, "a sync whose source is unreachable must exit non-zero: {out}");
    assert!(
        err.contains("abs") && err.contains("is the server running, and is the port right?"),
        "the message must name the source and the fix: {err}"
    );
    assert!(!err.contains("abs: abs:"), "the message must name the source once: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["errors"], 1, "the error is counted: {v:#}");

    // The token loses `write:library` after connecting: the sync says to reconnect.
    let user = hc.user_id("reader").unwrap();
    let t = editions(&hc, 1, paper).remove(0);
    let book = source_book(&hc, &t, 0.4, "2026-10-01");
    let w = World::start(hc, vec![book], TO_HARDCOVER).await;
    w.hc.tokens().insert_personal(TOKEN, user, &["read:me:content", "read:catalog", "read:library"]);
    let (ok, _, err) = w.sync(&[]).await;
    assert!(!ok, "a sync that cannot write must fail");
    assert!(err.contains("reconnect"), "a missing scope must ask to reconnect: {err}");

    // The long-lived core (the tray's) latches "reconnect needed" for the UI.
    let paths = hardcover_sync::paths::AppPaths::resolve(Some(&w.sb.config), Some(&w.sb.data)).unwrap();
    let config = hardcover_sync::config::Config::load(&paths.config_file).unwrap();
    let app = hardcover_sync::app::App::open(paths, config).unwrap();
    let outcome = app.sync(false).await.unwrap();
    assert!(outcome.stopped.is_some(), "the sync stops on a missing scope");
    let reason = app.connection().await.reconnect_needed;
    assert!(
        reason.as_deref().is_some_and(|r| r.contains("write:library")),
        "a missing scope must mark the session as needing a reconnect, naming the scope: {reason:?}"
    );
}

#[tokio::test]
async fn history_lists_what_each_sync_did() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let t = editions(&hc, 2, paper);
    let books = t.iter().map(|e| source_book(&hc, e, 0.5, "2026-10-01")).collect();
    let w = World::start(hc, books, TO_HARDCOVER).await;
    w.sync_ok().await;
    let (ok, out, err) = w.sb.cli(&["history", "--json", "--limit", "5"]).await;
    assert!(ok, "{err}");
    let rows: Value = serde_json::from_str(&out).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2, "one history row per item: {rows:?}");
    for r in rows {
        assert_eq!(r["action"], "add", "history records the action: {r}");
        assert_eq!(r["result"], "ok", "and its result: {r}");
        let book = r["book_id"].as_i64().unwrap();
        assert!(w.user_book(book).is_some(), "a history row's book must really be on the shelf");
    }
}

#[tokio::test]
async fn a_sync_that_changed_the_shelf_refreshes_the_imported_library_copy() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let t = editions(&hc, 2, paper);
    let books = t.iter().map(|e| finished_book(&hc, e, "2026-05-01", "2026-05-09")).collect();
    let w = World::start(hc, books, TO_HARDCOVER).await;
    let (ok, _, err) = w.sb.cli(&["import"]).await;
    assert!(ok, "{err}");
    w.sync_ok().await;
    let (ok, out, err) = w.sb.cli(&["shelves", "--json", "--offline"]).await;
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let read = v["statuses"].as_array().unwrap().iter().find(|s| s["id"] == 3).unwrap()["count"].clone();
    assert_eq!(read, 2, "the local copy must show the two books the sync finished, without another import: {v:#}");
}
