//! Benchmarks of the shelf browser on a 10,000-book demo library, in the real app (figures, not
//! timed tests: they are printed and written to `bench.txt` in the output dir; only that they were
//! measured is asserted). Recorded in docs/benchmarks.md.

use std::io::Write;
use std::time::Duration;

use serde_json::json;

use crate::support::ui::{Ui, xpath_literal};
use crate::support::{AppProcess, TrayMenu, close_window_and_wait, env, wait_for};

const BOOKS: &str = "10000";
const SECS: fn(u64) -> Duration = Duration::from_secs;

pub fn record(env: &crate::support::Env, line: &str) {
    println!("BENCH {line}");
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(env.out.join("bench.txt")).unwrap();
    writeln!(f, "{line}").unwrap();
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

/// The `n`th "first rows on screen N ms" the shell logged (one per window opened).
fn first_rows_ms(log: &std::path::Path, n: usize) -> Option<f64> {
    let text = std::fs::read_to_string(log).ok()?;
    let marker = "first rows on screen ";
    let line = text.lines().filter(|l| l.contains(marker)).nth(n)?;
    let rest = &line[line.find(marker)? + marker.len()..];
    rest.split_whitespace().next()?.parse().ok()
}

/// "Open shelves…" in the tray → the window's first rows on screen, as the shell measures it from
/// the menu click to the page's report. The first open also imports the whole library.
#[test]
fn bench_open_shelves_with_10000_books() {
    let env = env();
    let mut app = AppProcess::start(&env, "bench-open", &["--demo", "--demo-books", BOOKS]);
    let menu = TrayMenu::of_pid(app.pid(), SECS(180));
    menu.click("Connect Hardcover…");
    wait_for(SECS(60), "the demo sign-in to complete", || {
        menu.labels().into_iter().find(|l| l.starts_with("Connected as"))
    });
    let log = env.out.join("bench-open-app.log");
    let mut opens = Vec::new();
    for i in 0..4 {
        menu.click("Open shelves…");
        let ms = wait_for(SECS(600), "the window to report its first rows", || first_rows_ms(&log, i));
        opens.push(ms);
        std::thread::sleep(SECS(1));
        close_window_and_wait(crate::WINDOW_TITLE, "the window to close");
    }
    assert!(app.is_running(), "the app must keep running in the tray between windows");
    record(
        &env,
        &format!(
            "open-shelves books={BOOKS}: first open {:.0} ms (includes importing the library); later opens {:?} ms, median {:.0} ms",
            opens[0],
            &opens[1..],
            median(&opens[1..])
        ),
    );
}

/// Switching to the biggest shelf and typing in search, timed by the page's User Timing marks
/// (event → the next frame after the DOM changed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_search_with_10000_books() {
    let env = env();
    let ui = Ui::start(&env, "bench", &["--demo", "--demo-books", BOOKS, "--open-window"]).await;
    ui.call("connect_browser", json!({})).await;
    ui.call("refresh_library", json!({})).await;
    ui.client.refresh().await.unwrap();

    let shelves = ui.call("list_shelves", json!({})).await;
    let total: i64 = shelves["statuses"].as_array().unwrap().iter().map(|s| s["count"].as_i64().unwrap()).sum();
    assert_eq!(total.to_string(), BOOKS, "the benchmark library must hold {BOOKS} books");
    let biggest = shelves["statuses"].as_array().unwrap().iter().max_by_key(|s| s["count"].as_i64()).unwrap().clone();
    let (name, count) = (biggest["name"].as_str().unwrap(), biggest["count"].as_i64().unwrap());

    let opened_before = ui.measures("shelf-open-to-first-frame").await.len();
    ui.click(
        "the biggest shelf",
        &format!("//nav//button[starts-with(@aria-label, {})]", xpath_literal(&format!("{name},"))),
    )
    .await;
    let shelf_ms = ui
        .wait_for("the biggest shelf's rows", SECS(60), || async {
            let m = ui.measures("shelf-open-to-first-frame").await;
            (m.len() > opened_before).then(|| *m.last().unwrap())
        })
        .await;

    let field = ui.find("the search field", "//input[@type='search']").await;
    field.click().await.unwrap();
    let query = "the s";
    for ch in query.chars() {
        field.send_keys(&ch.to_string()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let keys = ui.measures("search-keystroke-to-frame").await;
    assert_eq!(keys.len(), query.len(), "every keystroke must be measured");
    ui.wait_text(" of ", SECS(10)).await;
    ui.shot("search-10000").await;
    record(
        &env,
        &format!(
            "shelf switch books={BOOKS} shelf={name:?} rows={count}: {shelf_ms:.0} ms to first frame; search keystroke → frame {:?} ms, median {:.0} ms, max {:.0} ms",
            keys.iter().map(|k| k.round()).collect::<Vec<_>>(),
            median(&keys),
            keys.iter().cloned().fold(0.0, f64::max)
        ),
    );
    ui.close().await;
}
