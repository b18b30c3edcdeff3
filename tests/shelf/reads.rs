//! Listings and details come from the cache and agree with what Hardcover holds.

use std::collections::BTreeSet;

use hardcover_sync::shelf::{self, ShelfRef};

use super::connected_app;
use crate::support::hardcover;

#[tokio::test]
async fn books_per_status_and_list_match_the_emulator() {
    let hc = hardcover(300).await;
    let (_sb, app) = connected_app(&hc).await;
    let user_id = hc.user_id("reader").unwrap();

    for status in 1..=6 {
        let rows = shelf::books(&app, ShelfRef::Status(status)).await.unwrap();
        let got: BTreeSet<i64> = rows.iter().map(|r| r.book_id).collect();
        let db = hc.state().db();
        let want: BTreeSet<i64> =
            db.user_books_of(user_id).iter().filter(|u| u.status_id == status).map(|u| u.book_id).collect();
        assert_eq!(got, want, "status shelf {status} must hold exactly the emulator's books with that status");
        for r in &rows {
            let ub = db.user_book_for(user_id, r.book_id).unwrap();
            assert_eq!(r.user_book_id, Some(ub.id), "a row must carry Hardcover's user_book id");
            assert_eq!(r.rating, ub.rating, "a row must carry Hardcover's rating");
            assert_eq!(r.title, db.books[&r.book_id].title, "a row must carry the book's title");
        }
    }

    let lists: Vec<(i64, BTreeSet<i64>)> = {
        let db = hc.state().db();
        db.lists_of(user_id)
            .iter()
            .map(|l| (l.id, db.list_books_of(l.id).iter().map(|lb| lb.book_id).collect()))
            .collect()
    };
    assert!(lists.iter().any(|(_, b)| b.len() > 100), "the seeded library must have a list longer than one page");
    for (id, want) in lists {
        let rows = shelf::books(&app, ShelfRef::List(id)).await.unwrap();
        assert_eq!(rows.len(), want.len(), "list {id} must show every row, beyond Hardcover's 100-row pages");
        let got: BTreeSet<i64> = rows.iter().map(|r| r.book_id).collect();
        assert_eq!(got, want, "list {id} must hold exactly the emulator's books");
        assert!(rows.iter().all(|r| r.list_ids.contains(&id)), "a listed row must name the list it is on");
    }
}

#[tokio::test]
async fn detail_shows_edition_reads_and_named_lists() {
    let hc = hardcover(120).await;
    let (_sb, app) = connected_app(&hc).await;
    let user_id = hc.user_id("reader").unwrap();
    let (book_id, edition_id, read_ids, list_rows) = {
        let db = hc.state().db();
        let ub = db
            .user_books_of(user_id)
            .into_iter()
            .find(|u| {
                u.edition_id.is_some()
                    && !db.reads_of(u.id).is_empty()
                    && db
                        .lists_of(user_id)
                        .iter()
                        .any(|l| db.list_books_of(l.id).iter().any(|lb| lb.book_id == u.book_id))
            })
            .expect("the seed must have a listed book with an edition and reads");
        let mut reads: Vec<i64> = db.reads_of(ub.id).iter().map(|r| r.id).collect();
        reads.sort_unstable_by(|a, b| b.cmp(a));
        let lists: BTreeSet<(i64, i64, String)> = db
            .lists_of(user_id)
            .iter()
            .flat_map(|l| {
                db.list_books_of(l.id)
                    .into_iter()
                    .filter(|lb| lb.book_id == ub.book_id)
                    .map(|lb| (l.id, lb.id, l.name.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        (ub.book_id, ub.edition_id, reads, lists)
    };
    let d = shelf::book_detail(&app, book_id).await.unwrap();
    assert_eq!(d.edition.as_ref().map(|e| e.id), edition_id, "the detail must show the user's own edition");
    assert_eq!(
        d.reads.iter().map(|r| r.id).collect::<Vec<_>>(),
        read_ids,
        "the detail must show Hardcover's reads, newest first"
    );
    let got: BTreeSet<(i64, i64, String)> =
        d.lists.iter().map(|l| (l.list_id, l.list_book_id, l.name.clone())).collect();
    assert_eq!(got, list_rows, "the detail must name each list with the row id needed to remove the book");
    let err = shelf::book_detail(&app, 987_654_321).await.unwrap_err();
    assert_eq!(err.code(), hardcover_sync::error::ErrorCode::NotFound, "an unknown book must be not_found: {err}");
}

#[tokio::test]
async fn search_returns_hits_and_editions_belong_to_the_book() {
    let hc = hardcover(60).await;
    let (_sb, app) = connected_app(&hc).await;
    let (book_id, title, edition_ids) = {
        let db = hc.state().db();
        let b = db.books.values().next().unwrap();
        let eds: BTreeSet<i64> = db.editions_of(b.id).iter().map(|e| e.id).collect();
        (b.id, b.title.clone(), eds)
    };
    let before = hc.stats().field("search");
    let hits = shelf::search(&app, &title).await.unwrap();
    assert!(
        hits.iter().any(|h| h.book_id == book_id && h.title == title),
        "searching a title must find that book: {hits:?}"
    );
    assert_eq!(hc.stats().field("search") - before, 1, "a search must cost exactly one request");
    assert_eq!(
        shelf::search(&app, "   ").await.unwrap_err().code(),
        hardcover_sync::error::ErrorCode::InvalidInput,
        "an empty search must be refused before Hardcover is asked"
    );

    let editions = shelf::editions(&app, book_id).await.unwrap();
    let got: BTreeSet<i64> = editions.iter().map(|e| e.id).collect();
    assert_eq!(got, edition_ids, "editions must be exactly the book's editions");
    assert!(editions.iter().all(|e| e.format.is_some()), "every seeded edition has a known format");
}
