use super::*;
use crate::sync::fake::FakeHardcover;
use crate::sync::testing::{at, audio_edition, day, item, text_edition};

fn hit(book_id: i64, title: &str, author: &str) -> SearchHit {
    SearchHit { book_id, title: title.into(), authors: vec![author.into()], ..SearchHit::default() }
}

fn fake() -> FakeHardcover {
    FakeHardcover::new(day(2026, 3, 10)).with(|s| {
        s.editions = vec![
            Edition { asin: Some("B003P2WO5E".into()), ..audio_edition(11, 1, Some(160_000)) },
            Edition { isbn_13: Some("9780765326355".into()), ..text_edition(12, 1, Some(1007)) },
            Edition { isbn_13: Some("9780306406157".into()), ..text_edition(22, 2, Some(300)) },
            Edition { isbn_10: Some("0441013597".into()), ..text_edition(32, 3, Some(600)) },
        ];
    })
}

fn identified() -> Vec<SourceItem> {
    let mut a = item("a");
    a.asin = Some("b003p2wo5e".into());
    a.isbn13 = Some("978-0-7653-2635-5".into());
    a.format = Format::Audio;
    let mut b = item("b");
    b.isbn10 = Some("0306406152".into()); // only known to Hardcover as its ISBN-13
    let mut c = item("c");
    c.isbn10 = Some("0441013597".into());
    vec![a, b, c]
}

#[test]
fn isbn10_converts_to_isbn13() {
    assert_eq!(
        crate::identifiers::isbn10_to_13("0-306-40615-2").as_deref(),
        Some("9780306406157"),
        "the check digit must be recomputed"
    );
    assert_eq!(crate::identifiers::isbn10_to_13("9780306406157"), None, "only ISBN-10 converts");
}

#[tokio::test]
async fn identifiers_are_looked_up_in_one_bulk_call_asin_first() {
    let hc = fake();
    let store = Store::open_in_memory().unwrap();
    let report = match_items(&hc, &store, &identified(), DEFAULT_THRESHOLD, 100, at(2026, 3, 10, 9)).await.unwrap();
    let lookups = hc.calls().iter().filter(|c| c.starts_with("editions_by_identifiers")).count();
    assert_eq!(lookups, 1, "all items' identifiers must go in ONE lookup, not one per item: {:?}", hc.calls());
    assert!(!hc.calls().iter().any(|c| c.starts_with("search")), "identified items must not cost a search");
    let methods: Vec<_> = report
        .outcomes
        .iter()
        .map(|o| match o {
            MatchOutcome::Matched { edition_id, method, .. } => (*edition_id, *method),
            other => panic!("every identified item must match, got {other:?}"),
        })
        .collect();
    assert_eq!(
        methods,
        [(Some(11), MatchMethod::Asin), (Some(22), MatchMethod::Isbn10), (Some(32), MatchMethod::Isbn10)],
        "ASIN must win over ISBN-13, and ISBN-10 must also find the edition by its ISBN-13 form"
    );
}

#[tokio::test]
async fn a_known_item_costs_no_lookup() {
    let hc = fake().with(|s| s.hits = vec![hit(9, "Unrelated", "Someone")]);
    let store = Store::open_in_memory().unwrap();
    let mut items = identified();
    items.push(item("unknown"));
    match_items(&hc, &store, &items, DEFAULT_THRESHOLD, 100, at(2026, 3, 10, 9)).await.unwrap();
    let before = hc.calls().len();
    let again = match_items(&hc, &store, &items, DEFAULT_THRESHOLD, 100, at(2026, 3, 11, 9)).await.unwrap();
    assert_eq!(
        hc.calls().len(),
        before,
        "a second sync must ask Hardcover nothing about known items: {:?}",
        hc.calls()
    );
    assert_eq!(again.requests, 0, "reused matches cost no request");
    assert!(
        matches!(again.outcomes[3], MatchOutcome::Unmatched { .. }),
        "an unmatched item stays unmatched (cached) rather than being searched every sync"
    );
}

#[tokio::test]
async fn a_changed_isbn_rematches() {
    let hc = fake();
    let store = Store::open_in_memory().unwrap();
    let mut it = item("x");
    it.isbn13 = Some("9780765326355".into());
    let first =
        match_items(&hc, &store, std::slice::from_ref(&it), DEFAULT_THRESHOLD, 100, at(2026, 3, 10, 9)).await.unwrap();
    assert_eq!(first.outcomes[0].book_id(), Some(1));
    it.isbn13 = Some("9780306406157".into());
    let second =
        match_items(&hc, &store, std::slice::from_ref(&it), DEFAULT_THRESHOLD, 100, at(2026, 3, 11, 9)).await.unwrap();
    assert_eq!(second.outcomes[0].book_id(), Some(2), "a corrected ISBN must re-match, not reuse the stale match");
}

#[tokio::test]
async fn search_takes_a_confident_hit_and_keeps_candidates_otherwise() {
    let store = Store::open_in_memory().unwrap();
    let mut good = item("good");
    good.title = "The Way of Kings: Book One of the Stormlight Archive".into();
    good.authors = vec!["Sanderson, Brandon".into()];
    let hc = FakeHardcover::new(day(2026, 3, 10)).with(|s| {
        s.hits = vec![hit(5, "Words of Radiance", "Brandon Sanderson"), hit(1, "The Way of Kings", "Brandon Sanderson")]
    });
    let r = match_items(&hc, &store, &[good], DEFAULT_THRESHOLD, 100, at(2026, 3, 10, 9)).await.unwrap();
    assert!(
        matches!(r.outcomes[0], MatchOutcome::Matched { book_id: 1, method: MatchMethod::Search, .. }),
        "same title (subtitle aside) and same author in \"Last, First\" order must match: {:?}",
        r.outcomes[0]
    );

    let mut vague = item("vague");
    vague.title = "The Way of Kings".into();
    vague.authors = vec!["Someone Else".into()];
    let r = match_items(&hc, &store, &[vague], DEFAULT_THRESHOLD, 100, at(2026, 3, 10, 9)).await.unwrap();
    match &r.outcomes[0] {
        MatchOutcome::Unmatched { candidates } => {
            assert_eq!(candidates[0].book_id, 1, "candidates must be ranked best first");
            assert!(candidates[0].score < DEFAULT_THRESHOLD);
            let stored = store.match_get("abs", "vague").unwrap().unwrap();
            assert_eq!(stored.candidates.len(), 2, "an unmatched item must keep its candidates for the UI");
        }
        other => panic!("a title with a different author must stay unmatched, got {other:?}"),
    }
}

#[tokio::test]
async fn manual_link_wins_and_unlink_is_not_undone_by_the_next_sync() {
    let hc = fake();
    let store = Store::open_in_memory().unwrap();
    let mut it = item("x");
    it.isbn13 = Some("9780765326355".into());
    link(&store, "abs", "x", 77, Some(770), at(2026, 3, 10, 9)).unwrap();
    let r =
        match_items(&hc, &store, std::slice::from_ref(&it), DEFAULT_THRESHOLD, 100, at(2026, 3, 10, 9)).await.unwrap();
    assert_eq!(r.outcomes[0].book_id(), Some(77), "a manual link must beat an identifier match");
    assert!(hc.calls().is_empty(), "a linked item costs no lookup");

    unlink(&store, "abs", "x", at(2026, 3, 10, 9)).unwrap();
    let r =
        match_items(&hc, &store, std::slice::from_ref(&it), DEFAULT_THRESHOLD, 100, at(2026, 3, 11, 9)).await.unwrap();
    assert_eq!(r.outcomes[0], MatchOutcome::Unlinked, "an unlinked item must not be re-matched to the same wrong book");

    rematch(&store, "abs", "x").unwrap();
    let r =
        match_items(&hc, &store, std::slice::from_ref(&it), DEFAULT_THRESHOLD, 100, at(2026, 3, 12, 9)).await.unwrap();
    assert_eq!(r.outcomes[0].book_id(), Some(1), "after rematch the item is matched afresh");
}

#[test]
fn scoring_prefers_exact_title_and_author() {
    let it = item("s");
    let exact = score(&it, &hit(1, "The Way of Kings (Stormlight Archive #1)", "Sanderson, Brandon"));
    let surname = score(&it, &hit(1, "The Way of Kings", "B. Sanderson"));
    let other_book = score(&it, &hit(2, "The Way of Shadows", "Brent Weeks"));
    let no_author = score(&it, &SearchHit { book_id: 3, title: "The Way of Kings".into(), ..SearchHit::default() });
    assert!(exact >= DEFAULT_THRESHOLD, "same book, reordered author must pass: {exact}");
    assert!(surname >= DEFAULT_THRESHOLD && surname < exact, "a surname-only author match passes but ranks lower");
    assert!(other_book < DEFAULT_THRESHOLD, "a different book must not pass: {other_book}");
    assert!(no_author < DEFAULT_THRESHOLD, "a bare title without an author must not be taken blindly: {no_author}");
}

#[tokio::test]
async fn searches_stop_at_the_budget_and_the_rest_wait_uncached() {
    let hc =
        FakeHardcover::new(day(2026, 3, 10)).with(|s| s.hits = vec![hit(1, "The Way of Kings", "Brandon Sanderson")]);
    let store = Store::open_in_memory().unwrap();
    let items: Vec<SourceItem> = (0..5).map(|i| item(&format!("s{i}"))).collect();
    let r = match_items(&hc, &store, &items, DEFAULT_THRESHOLD, 2, at(2026, 3, 10, 9)).await.unwrap();
    let searches = hc.calls().iter().filter(|c| c.starts_with("search")).count();
    assert_eq!(searches, 2, "no more searches than the budget allows");
    assert_eq!(r.outcomes.iter().filter(|o| **o == MatchOutcome::Deferred).count(), 3);
    assert_eq!(store.match_get("abs", "s4").unwrap(), None, "a deferred item must not be cached as unmatched");
    let r = match_items(&hc, &store, &items, DEFAULT_THRESHOLD, 10, at(2026, 3, 11, 9)).await.unwrap();
    assert!(r.outcomes.iter().all(|o| o.book_id() == Some(1)), "the next sync matches the rest: {:?}", r.outcomes);
}

#[tokio::test]
async fn an_unmatched_item_is_searched_again_after_a_week() {
    let hc = FakeHardcover::new(day(2026, 3, 10));
    let store = Store::open_in_memory().unwrap();
    let items = [item("late")];
    match_items(&hc, &store, &items, DEFAULT_THRESHOLD, 10, at(2026, 3, 1, 9)).await.unwrap();
    hc.state.lock().unwrap().hits = vec![hit(1, "The Way of Kings", "Brandon Sanderson")];
    let r = match_items(&hc, &store, &items, DEFAULT_THRESHOLD, 10, at(2026, 3, 5, 9)).await.unwrap();
    assert!(matches!(r.outcomes[0], MatchOutcome::Unmatched { .. }), "within a week the cached miss is reused");
    let r = match_items(&hc, &store, &items, DEFAULT_THRESHOLD, 10, at(2026, 3, 9, 9)).await.unwrap();
    assert_eq!(r.outcomes[0].book_id(), Some(1), "after a week an unmatched item is searched again");
}
