//! `connect --token`, `shelves`, `import`, `export` against the Hardcover emulator.

use std::collections::{BTreeMap, HashMap};

use hardcover_sync_emulators::hardcover::RunningHardcover;

use crate::support::{Sandbox, TOKEN, hardcover};

#[tokio::test]
async fn shelves_json_lists_six_statuses_and_lists_with_emulator_counts() {
    let hc = hardcover(300).await;
    let sb = Sandbox::new(&hc, "");
    let (ok, out, err) = sb.cli(&["connect", "--token", &format!("Bearer {TOKEN}")]).await;
    assert!(ok, "connect --token must accept a token with a Bearer prefix: {err}");
    assert!(out.contains("Connected as reader"), "connect must name the user: {out}");

    let (ok, out, err) = sb.cli(&["shelves", "--json"]).await;
    assert!(ok, "shelves must succeed: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("shelves --json must print JSON");

    let user_id = hc.user_id("reader").unwrap();
    let (want_status, want_lists) = {
        let db = hc.state().db();
        let mut by_status: BTreeMap<i64, i64> = BTreeMap::new();
        for ub in db.user_books_of(user_id) {
            *by_status.entry(ub.status_id).or_default() += 1;
        }
        let lists: HashMap<String, i64> =
            db.lists_of(user_id).iter().map(|l| (l.name.clone(), db.list_books_of(l.id).len() as i64)).collect();
        (by_status, lists)
    };

    let statuses = v["statuses"].as_array().unwrap();
    assert_eq!(statuses.len(), 6, "shelves must list all six reading statuses, empty ones too");
    for s in statuses {
        let id = s["id"].as_i64().unwrap();
        assert_eq!(
            s["count"].as_i64().unwrap(),
            want_status.get(&id).copied().unwrap_or(0),
            "the count of status {id} must equal the emulator's"
        );
    }
    let lists = v["lists"].as_array().unwrap();
    assert_eq!(lists.len(), want_lists.len(), "every list of the user must be shown");
    assert!(want_lists.values().any(|n| *n > 100), "the seeded library must have a list longer than one page");
    for l in lists {
        let name = l["name"].as_str().unwrap();
        assert_eq!(l["count"].as_i64(), want_lists.get(name).copied(), "list {name:?} must show its real size");
    }
}

#[tokio::test]
async fn second_import_is_incremental_and_sees_changes() {
    let hc = hardcover(80).await;
    let sb = Sandbox::new(&hc, "");
    assert!(sb.cli(&["connect", "--token", TOKEN]).await.0);
    let (ok, out, err) = sb.cli(&["import", "--json"]).await;
    assert!(ok, "{err}");
    let first: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(first["full"], false, "connect already read everything: the next import is incremental");

    // Change one book's status behind our back, as the user would on the website.
    let user_id = hc.user_id("reader").unwrap();
    {
        let mut db = hc.state().db();
        let id = db.user_books_of(user_id).iter().find(|u| u.status_id == 1).map(|u| u.id).unwrap();
        let ub = db.user_books.get_mut(&id).unwrap();
        ub.status_id = 4;
        ub.updated_at = "2099-01-01T00:00:00+00:00".into();
    }
    let (ok, out, err) = sb.cli(&["import", "--json"]).await;
    assert!(ok, "{err}");
    let second: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(second["full"], false, "a second import with consistent counts must be incremental");
    assert!(second["user_books_fetched"].as_i64().unwrap() >= 1, "the changed book must be fetched");

    let (_, out, _) = sb.cli(&["shelves", "--json", "--offline"]).await;
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let paused = v["statuses"].as_array().unwrap().iter().find(|s| s["id"] == 4).unwrap()["count"].as_i64().unwrap();
    let want = hc.state().db().user_books_of(user_id).iter().filter(|u| u.status_id == 4).count() as i64;
    assert_eq!(paused, want, "an incremental import must pick up a status change made on Hardcover");
}

#[tokio::test]
async fn export_csv_round_trips_the_emulator_library() {
    let hc = hardcover(120).await;
    let sb = Sandbox::new(&hc, "");
    assert!(sb.cli(&["connect", "--token", TOKEN]).await.0);
    assert!(sb.cli(&["import"]).await.0);
    let file = sb.dir.path().join("export.csv");
    let (ok, _, err) = sb.cli(&["export", "--format", "csv", "--out", file.to_str().unwrap()]).await;
    assert!(ok, "export must succeed: {err}");

    let mut reader = csv::Reader::from_path(&file).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, hardcover_sync::export::GOODREADS_HEADER, "the CSV must use Goodreads' header in its order");
    let mut exported: HashMap<i64, csv::StringRecord> = HashMap::new();
    for rec in reader.records() {
        let rec = rec.unwrap();
        exported.insert(rec[0].parse().unwrap(), rec);
    }

    let user_id = hc.user_id("reader").unwrap();
    let db = hc.state().db();
    let shelved = db.user_books_of(user_id);
    let mut listed: Vec<i64> =
        db.lists_of(user_id).iter().flat_map(|l| db.list_books_of(l.id)).map(|lb| lb.book_id).collect();
    listed.extend(shelved.iter().map(|u| u.book_id));
    listed.sort_unstable();
    listed.dedup();
    assert_eq!(exported.len(), listed.len(), "every shelved or listed book must be exported exactly once");
    let slug =
        |s: i64| ["to-read", "currently-reading", "read", "paused", "did-not-finish", "ignored"][(s - 1) as usize];
    for ub in shelved {
        let rec = exported.get(&ub.book_id).expect("a shelved book must be in the export");
        let book = &db.books[&ub.book_id];
        assert_eq!(&rec[1], book.title.as_str(), "the title must round-trip");
        assert_eq!(&rec[18], slug(ub.status_id), "the exclusive shelf must be the Hardcover status");
        let want_rating = ub.rating.map(|r| (r.round() as i64).to_string()).unwrap_or("0".into());
        assert_eq!(&rec[7], want_rating.as_str(), "the rating must round-trip (whole stars in Goodreads CSV)");
        if let Some(isbn) = ub.edition_id.and_then(|e| db.editions.get(&e)).and_then(|e| e.isbn_13.as_ref()) {
            assert_eq!(&rec[6], format!("=\"{isbn}\"").as_str(), "ISBN13 must be written Goodreads-style");
        }
    }
}

#[tokio::test]
async fn status_without_connection_says_how_to_connect() {
    let hc = hardcover(5).await;
    let sb = Sandbox::new(&hc, "");
    let (ok, out, _) = sb.cli(&["status"]).await;
    assert!(ok);
    assert!(out.contains("Not connected"), "status must say when nothing is connected: {out}");
    let (ok, _, err) = sb.cli(&["shelves"]).await;
    assert!(!ok, "shelves without a connection must fail");
    assert!(err.contains("hardcover-sync connect"), "the error must say how to connect: {err}");
}

#[tokio::test]
async fn help_and_version_answer_on_standard_output_and_a_wrong_flag_on_standard_error() {
    let hc = hardcover(1).await;
    let sb = Sandbox::new(&hc, "");
    let (ok, out, err) = sb.cli(&["--version"]).await;
    assert!(ok, "--version must succeed: {err}");
    assert_eq!(
        out.trim(),
        format!("hardcover-sync {}", env!("CARGO_PKG_VERSION")),
        "--version must print the version on standard output, for scripts and installers"
    );
    let (ok, out, _) = sb.cli(&["--help"]).await;
    assert!(ok && out.contains("Usage:"), "--help must print the usage on standard output: {out}");
    let (ok, out, err) = sb.cli(&["--no-such-flag"]).await;
    assert!(!ok && out.is_empty(), "a wrong flag is an error, never output a script would read: {out}");
    assert!(err.contains("--no-such-flag"), "the error must name the wrong flag: {err}");
}

#[tokio::test]
async fn bad_config_names_key_and_line() {
    let hc = hardcover(1).await;
    let sb = Sandbox::new(&hc, "    colour: blue\n");
    let (ok, _, err) = sb.cli(&["status"]).await;
    assert!(!ok, "an unknown key must be an error");
    assert!(err.contains("colour") && err.contains("line 5"), "the error must name the key and line: {err}");
}

/// Every book id in the user's library on the emulator: shelved or on a list.
fn library_book_ids(hc: &RunningHardcover) -> Vec<i64> {
    let user_id = hc.user_id("reader").unwrap();
    let db = hc.state().db();
    let mut ids: Vec<i64> =
        db.lists_of(user_id).iter().flat_map(|l| db.list_books_of(l.id)).map(|lb| lb.book_id).collect();
    ids.extend(db.user_books_of(user_id).iter().map(|u| u.book_id));
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn csv_book_ids(csv_text: &str) -> Vec<i64> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let mut ids: Vec<i64> = reader.records().map(|r| r.unwrap()[0].parse().unwrap()).collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn connect_then_export_exports_the_whole_library() {
    let hc = hardcover(60).await;
    let sb = Sandbox::new(&hc, "");
    let (ok, out, err) = sb.cli(&["connect", "--token", TOKEN]).await;
    assert!(ok, "connect --token must succeed: {err}");
    assert!(out.contains("Imported"), "connecting must import the library at once and say so: {out}");

    let (ok, out, err) = sb.cli(&["export", "--format", "csv"]).await;
    assert!(ok, "export right after connect must succeed: {err}");
    let want = library_book_ids(&hc);
    let user_id = hc.user_id("reader").unwrap();
    let shelved = hc.state().db().user_books_of(user_id).len();
    assert!(shelved > 10, "the seeded library must have books on the user's shelves: {shelved}");
    assert_eq!(csv_book_ids(&out), want, "export right after connect must hold every book of the library");
}

#[tokio::test]
async fn export_refreshes_the_copy_first_unless_offline() {
    let hc = hardcover(20).await;
    let sb = Sandbox::new(&hc, "");
    assert!(sb.cli(&["connect", "--token", TOKEN]).await.0);
    // A book moved to Paused on the website after connecting.
    let user_id = hc.user_id("reader").unwrap();
    let book_id = {
        let mut db = hc.state().db();
        let id = db.user_books_of(user_id).iter().find(|u| u.status_id == 1).map(|u| u.id).unwrap();
        let ub = db.user_books.get_mut(&id).unwrap();
        ub.status_id = 4;
        ub.updated_at = "2099-01-01T00:00:00+00:00".into();
        ub.book_id
    };
    let shelf_of = |csv_text: &str| {
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let rec = reader.records().map(Result::unwrap).find(|r| r[0] == book_id.to_string()).unwrap();
        rec[18].to_owned()
    };

    let (ok, out, err) = sb.cli(&["export", "--format", "csv", "--offline"]).await;
    assert!(ok, "{err}");
    assert_eq!(shelf_of(&out), "to-read", "--offline must export the local copy as it was");

    let (ok, out, err) = sb.cli(&["export", "--format", "csv"]).await;
    assert!(ok, "{err}");
    assert_eq!(shelf_of(&out), "paused", "export must refresh the local copy first: the book was moved on Hardcover");
}

#[tokio::test]
async fn export_with_no_copy_and_no_connection_says_what_to_do() {
    let hc = hardcover(5).await;
    let sb = Sandbox::new(&hc, "");
    let (ok, out, err) = sb.cli(&["export", "--format", "csv"]).await;
    assert!(!ok, "an export of a library never imported must fail, not write an empty file: {out}");
    assert!(err.contains("hardcover-sync connect"), "the error must say how to fill the copy: {err}");
}

#[tokio::test]
async fn a_damaged_database_is_named_kept_and_rebuilt_from_hardcover() {
    let hc = hardcover(30).await;
    let sb = Sandbox::new(&hc, "");
    assert!(sb.cli(&["connect", "--token", TOKEN]).await.0, "connect");
    let (ok, out, err) = sb.cli(&["shelves", "--json"]).await;
    assert!(ok, "{err}");
    let before: serde_json::Value = serde_json::from_str(&out).unwrap();

    // The disk ate the database.
    let db = sb.data.join("hardcover-sync.sqlite3");
    for leftover in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{leftover}", db.display()));
    }
    let garbage = b"\x00\x01 not SQLite any more ".repeat(512);
    std::fs::write(&db, &garbage).unwrap();

    let (ok, _, err) = sb.cli(&["shelves", "--offline"]).await;
    assert!(!ok, "a damaged database must not be used");
    assert!(err.contains(&db.display().to_string()), "the message must name the file: {err}");
    assert!(err.contains("rebuild-database"), "the message must offer to rebuild from Hardcover: {err}");
    let kept: Vec<_> = std::fs::read_dir(&sb.data)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("hardcover-sync.sqlite3.corrupt-"))
        .collect();
    assert_eq!(kept.len(), 1, "one dated copy of the damaged file must be kept: {kept:?}");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), garbage, "the kept copy is the damaged file as it was");
    assert!(err.contains(&kept[0].display().to_string()), "the message must say where the copy is: {err}");

    let (ok, out, err) = sb.cli(&["rebuild-database"]).await;
    assert!(ok, "rebuilding must succeed: {err}");
    assert!(out.contains("Imported"), "the rebuild imports the library from Hardcover: {out}");
    let (ok, out, err) = sb.cli(&["shelves", "--json", "--offline"]).await;
    assert!(ok, "after the rebuild the local copy works again: {err}");
    let after: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(after["statuses"], before["statuses"], "the rebuilt copy holds the same library");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), garbage, "the damaged copy is still kept after the rebuild");
    let (ok, _, err) = sb.cli(&["rebuild-database"]).await;
    assert!(!ok && err.contains("not damaged"), "a healthy database is never thrown away: {err}");
}

#[tokio::test]
async fn connect_reads_the_token_from_stdin_or_hardcover_token_never_from_the_command_line() {
    use std::process::Stdio;
    use tokio::io::AsyncWriteExt;

    let hc = hardcover(5).await;
    let sb = Sandbox::new(&hc, "");
    let command = |args: &[&str]| {
        let mut cmd = tokio::process::Command::new(crate::support::cli_binary());
        cmd.arg("--config").arg(&sb.config).arg("--data-dir").arg(&sb.data).args(args);
        cmd.env_remove("HARDCOVER_TOKEN").stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
        cmd
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();

    let mut child = command(&["connect", "--token", "-"]).stdin(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(format!("Bearer {TOKEN}\n").as_bytes()).await.unwrap();
    let out = child.wait_with_output().await.unwrap();
    assert!(out.status.success(), "`--token -` must read the token from stdin: {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Connected as reader"), "{}", text(&out.stdout));

    let out = command(&["disconnect"]).output().await.unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = command(&["connect"]).env("HARDCOVER_TOKEN", TOKEN).output().await.unwrap();
    assert!(out.status.success(), "HARDCOVER_TOKEN must be used by `connect`: {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Connected as reader"), "{}", text(&out.stdout));

    let out = command(&["connect", "--token", "-"]).stdin(Stdio::null()).output().await.unwrap();
    assert!(!out.status.success(), "an empty stdin is not a token");
    assert!(
        text(&out.stderr).contains("no token on standard input"),
        "the message says what to do: {}",
        text(&out.stderr)
    );
}
