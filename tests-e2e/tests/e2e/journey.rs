//! The demo journey a newcomer takes, by clicking through the real app (WebKit, its IPC, the demo
//! emulators): connect, preview and run a sync, link an unmatched item, browse, search, open a
//! book, rate it, move it to another shelf, add it to a list, export — with a screenshot of each
//! view. What the backend holds after a click is checked through the same IPC the UI uses.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::desktop::answer_save_dialog;
use crate::support::ui::{Ui, xpath_literal};
use crate::support::{TrayMenu, env, pids_with_arg};

const SECS: fn(u64) -> Duration = Duration::from_secs;

fn count_of(shelves: &Value, kind: &str, id: i64) -> i64 {
    shelves[kind]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["id"] == id))
        .map(|s| s["count"].as_i64().unwrap())
        .unwrap()
}

/// The tray menu of the app WebDriver started: the process launched with `--open-window` (the
/// window WebDriver drives runs in a process of its own, `hardcover-sync-window`).
pub(crate) fn tray_menu() -> TrayMenu {
    let trays: Vec<u32> = pids_with_arg("--open-window")
        .into_iter()
        .filter(|&p| crate::support::program_of(p).ends_with("/hardcover-sync-app"))
        .collect();
    assert_eq!(trays.len(), 1, "exactly one tray process must run for this session: {trays:?}");
    TrayMenu::of_pid(trays[0], SECS(30))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_journey_by_clicking() {
    let env = env();
    let ui = Ui::start(&env, "journey", &["--demo", "--open-window"]).await;

    // Connect from Settings: the demo Hardcover approves the browser sign-in at once.
    let status = ui.call("get_status", json!({})).await;
    assert_eq!(status["demo"], json!(true), "--demo must say so in the status: {status}");
    assert_eq!(status["connected"], json!(false), "a fresh demo starts disconnected");
    // Connecting leads to the books: the window shows Currently Reading, not Settings.
    ui.connect_from_settings().await;
    let status = ui.call("get_status", json!({})).await;
    assert!(status["connected"] == json!(true) && status["username"].is_string(), "Connect must sign in: {status}");
    // The sign-in happened in the window's process; the tray's, which runs the syncs, must know.
    let tray = tray_menu();
    tokio::task::block_in_place(|| {
        tray.wait_for_label("the tray to show the sign-in made in the window", |l| l.starts_with("Connected as"))
    });
    // The library appears as soon as the account is connected, not at the next sync.
    ui.wait_for("the sidebar to count the connected library", SECS(60), || async {
        let n = ui.text("the Want to Read count", "//*[@data-testid='count-status-1']").await;
        (n != "0").then_some(())
    })
    .await;
    ui.click_button("Settings").await;
    ui.wait_text("Connected as", SECS(20)).await;
    ui.shot("settings").await;

    // Sync: a dry-run preview first, then the real run.
    ui.click_button("Sync").await;
    ui.click_button("Preview").await;
    ui.wait_text("Preview of the next sync", SECS(120)).await;
    assert!(ui.page_text().await.contains("dry run · nothing was changed"), "the preview must say it changed nothing");
    assert!(
        ui.call("sync_runs", json!({"limit": 10})).await.as_array().unwrap().iter().all(|r| r["dryRun"] == json!(true)),
        "a preview must not record a real run"
    );
    ui.shot("sync-preview").await;
    ui.click_button("Sync now").await;
    let run = ui
        .wait_for("Sync now to record a run", SECS(180), || async {
            let runs = ui.call("sync_runs", json!({"limit": 10})).await;
            runs.as_array()?.iter().find(|r| r["dryRun"] == json!(false) && !r["finishedAt"].is_null()).cloned()
        })
        .await;
    ui.wait_for("the preview to go once the sync ran", SECS(20), || async {
        (!ui.page_text().await.contains("Preview of the next sync")).then_some(())
    })
    .await;
    assert!(
        run["added"].as_i64().unwrap() + run["progressUpdated"].as_i64().unwrap() + run["finished"].as_i64().unwrap()
            > 0,
        "the first demo sync must push the Audiobookshelf progress to Hardcover: {run}"
    );
    assert_eq!(run["errors"], json!(0), "the demo sync must not fail: {run}");
    // The window's Sync now ran in the tray's process: its status line reports the run.
    let line = tokio::task::block_in_place(|| {
        tray.wait_for_label("the tray to report the run the window asked for", |l| l.starts_with("Last sync"))
    });
    assert!(line.ends_with("updated"), "the tray's line must count what the run changed: {line}");

    // Link an unmatched item: the demo's Audiobookshelf has items tagged with their narrator.
    let unmatched = ui.call("unmatched_items", json!({})).await;
    let before = unmatched.as_array().unwrap().len();
    assert!(before > 0, "the demo must leave items for the user to link: {unmatched}");
    let item = &unmatched[0];
    let title = item["title"].as_str().unwrap().to_owned();
    ui.wait_text(&format!("Unmatched items ({before})"), SECS(20)).await;
    assert_eq!(
        item["authors"],
        json!(["Unknown Narrator"]),
        "an unmatched item must show its author as its server lists it"
    );
    ui.wait_text("Unknown Narrator", SECS(5)).await;
    ui.shot("sync").await;
    ui.click_button(&format!("Link {title}…")).await;
    let search = ui.type_into("Search Hardcover", &title).await;
    search.send_keys("\u{E007}").await.unwrap(); // Enter submits the search form.
    ui.click(
        "the search hit with the item's title",
        &format!(
            "//ul[@aria-label='Books found']//button[.//span[contains(@class,'ht') and normalize-space(.)={}]]",
            xpath_literal(&title)
        ),
    )
    .await;
    // The edition picker lists the book's editions; pick the first real one.
    ui.click("an edition to link", "(//fieldset[contains(@class,'editions')]//input[@type='radio'])[2]").await;
    ui.shot("link").await;
    ui.click_button(&format!("Link to “{title}”")).await;
    ui.wait_text(&format!("Unmatched items ({})", before - 1), SECS(20)).await;
    let after = ui.call("unmatched_items", json!({})).await;
    assert_eq!(after.as_array().unwrap().len(), before - 1, "a linked item must leave the unmatched list: {after}");

    // Needs attention gathers what is left to fix; Stats draws the Read shelf.
    ui.click_button("Needs attention").await;
    ui.wait_text(&format!("Not matched to a Hardcover book ({})", before - 1), SECS(20)).await;
    ui.shot("attention").await;
    ui.click_button("Stats").await;
    let books = ui.text("the year's finished books", "//*[@data-testid='stats-books']").await;
    assert!(books.parse::<u32>().unwrap() > 0, "the demo's Read shelf has books finished this year: {books}");
    ui.find("the chart", "//canvas[starts-with(@aria-label, 'Books finished per month')]").await;
    ui.shot("stats").await;

    // Browse: Currently Reading holds the synced books; list and grid.
    let shelves = ui.call("list_shelves", json!({})).await;
    let reading = count_of(&shelves, "statuses", 2);
    assert!(reading > 0, "Currently Reading must hold the synced books: {shelves}");
    ui.click("the Currently Reading shelf", "//nav//button[starts-with(@aria-label, 'Currently Reading,')]").await;
    ui.wait_text(&format!("{reading} book"), SECS(20)).await;
    let rows = ui.find_all("//*[@role='option']").await;
    assert!(!rows.is_empty(), "the shelf must show its books");
    ui.shot("books").await;
    ui.click_button("Grid").await;
    ui.find("the grid layout", "//*[@data-testid='book-list' and contains(@class, 'grid')]").await;
    ui.shot("books-grid").await;
    ui.click_button("List").await;

    // Search: one word of a book's title narrows the shelf to the books that have it.
    let first_title = ui
        .text(
            "the first row's title",
            "(//*[contains(@class,'row-item')])[1]//div[contains(concat(' ', normalize-space(@class), ' '), ' t ')]",
        )
        .await;
    let word = first_title.split_whitespace().max_by_key(|w| w.len()).unwrap().to_lowercase();
    ui.type_into("Search books by title, author or ISBN", &word).await;
    let shown: Vec<String> = ui
        .wait_for("the search to narrow the list", SECS(10), || async {
            ui.page_text().await.contains(" of ").then_some(())?;
            let v = ui
                .client
                .execute("return [...document.querySelectorAll('[role=option]')].map(e => e.textContent);", vec![])
                .await
                .ok()?;
            Some(v.as_array()?.iter().filter_map(|t| t.as_str().map(str::to_lowercase)).collect())
        })
        .await;
    assert!(
        shown.iter().any(|t| t.contains(&first_title.to_lowercase())),
        "the book the word came from must still be listed: {shown:?}"
    );
    for text in &shown {
        assert!(text.contains(&word), "every row left by a search must contain the word {word:?}: {text:?}");
    }
    ui.shot("search").await;
    let field = ui.find("the search field", "//input[@type='search']").await;
    field.clear().await.unwrap();
    field.send_keys(" \u{E003}").await.unwrap(); // a key event, so the list follows the cleared field

    // Book detail: open the first book, rate it 3.5, move it to Read, add it to a list.
    ui.click("the first book", "(//*[@role='option'])[1]").await;
    let heading = ui.text("the book detail's title", "//h1[@id='detail-title']").await;
    let book_id = ui.find_all("(//*[@role='option'])[1]").await[0].attr("id").await.unwrap().unwrap();
    let book_id: i64 = book_id.trim_start_matches("book-").parse().unwrap();
    ui.shot("detail").await;

    ui.click_button("Rate 3.5 stars").await;
    ui.find("the new rating", "//*[@aria-label='Rating: 3.5 of 5 stars']").await;
    let detail = ui.call("book_detail", json!({"bookId": book_id})).await;
    assert_eq!(detail["rating"], json!(3.5), "a half-star rating clicked in the detail must be saved: {detail}");
    assert_eq!(detail["title"].as_str(), Some(heading.as_str()), "the detail must show the book that was clicked");

    let read_before = count_of(&shelves, "statuses", 3);
    ui.click(
        "the Read option of the shelf menu",
        "//select[@aria-label='Shelf (reading status)']/option[normalize-space(.)='Read']",
    )
    .await;
    ui.wait_for("the book to move to Read", SECS(20), || async {
        let s = ui.call("list_shelves", json!({})).await;
        (count_of(&s, "statuses", 3) == read_before + 1 && count_of(&s, "statuses", 2) == reading - 1).then_some(())
    })
    .await;
    let detail = ui.call("book_detail", json!({"bookId": book_id})).await;
    assert_eq!(detail["statusId"], json!(3), "moving a book to Read must change its status: {detail}");
    ui.wait_for("the moved book to leave the Currently Reading list", SECS(10), || async {
        ui.find_all(&format!("//*[@id='book-{book_id}']")).await.is_empty().then_some(())
    })
    .await;

    let list = shelves["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| !detail["lists"].as_array().unwrap().iter().any(|m| m["listId"] == l["id"]));
    let list = list.unwrap_or_else(|| panic!("the demo must have a list this book is not on: {shelves}")).clone();
    let list_name = list["name"].as_str().unwrap();
    ui.click(
        "the list checkbox",
        &format!("//label[contains(@class,'chk') and normalize-space(.)={}]/input", xpath_literal(list_name)),
    )
    .await;
    ui.wait_for("the book to be added to the list", SECS(20), || async {
        let d = ui.call("book_detail", json!({"bookId": book_id})).await;
        d["lists"].as_array()?.iter().any(|m| m["listId"] == list["id"]).then_some(())
    })
    .await;
    let shelves_after = ui.call("list_shelves", json!({})).await;
    assert_eq!(
        count_of(&shelves_after, "lists", list["id"].as_i64().unwrap()),
        list["count"].as_i64().unwrap() + 1,
        "adding a book to a list must count it there"
    );
    ui.shot("detail-edited").await;
    ui.click_button("Close book details (Esc)").await;

    // Export everything to a Goodreads CSV through the native save dialog.
    ui.click_button("Export…").await;
    ui.click("Everything", "//div[@role='dialog']//label[starts-with(normalize-space(.), 'Everything')]/input").await;
    ui.shot("export").await;
    let csv = env.out.join("journey-export.csv");
    let _ = std::fs::remove_file(&csv);
    ui.click("the dialog's Export button", "//div[@role='dialog']//button[normalize-space(.)='Export…']").await;
    let path = csv.clone();
    tokio::task::spawn_blocking(move || answer_save_dialog("Export books", &path)).await.unwrap();
    ui.wait_text("Exported ", SECS(60)).await;
    let text = std::fs::read_to_string(&csv).expect("the export must write the file chosen in the save dialog");
    assert!(text.starts_with("Book Id,Title,Author,"), "the export must be Goodreads-compatible CSV");
    let total: i64 = shelves_after["statuses"].as_array().unwrap().iter().map(|s| s["count"].as_i64().unwrap()).sum();
    let lines = text.lines().count() as i64;
    assert_eq!(lines, total + 1, "exporting everything must write one line per book on a shelf, plus the header");
    assert!(text.contains(&heading.replace('"', "\"\"")), "the export must contain the book edited above");
    ui.shot("export-done").await;

    ui.close().await;
}
