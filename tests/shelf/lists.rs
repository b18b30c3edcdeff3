//! Adding to and removing from lists, long lists included.

use std::collections::BTreeSet;

use hardcover_sync::shelf::{self, ShelfRef};

use super::connected_app;
use crate::support::hardcover;

fn server_list(hc: &hardcover_sync_emulators::hardcover::RunningHardcover, list_id: i64) -> BTreeSet<i64> {
    hc.state().db().list_books_of(list_id).iter().map(|lb| lb.book_id).collect()
}

async fn cached_list(app: &hardcover_sync::app::App, list_id: i64) -> BTreeSet<i64> {
    shelf::books(app, ShelfRef::List(list_id)).await.unwrap().iter().map(|r| r.book_id).collect()
}

#[tokio::test]
async fn add_and_remove_round_trip_on_short_and_long_lists() {
    let hc = hardcover(300).await;
    let (_sb, app) = connected_app(&hc).await;
    let user_id = hc.user_id("reader").unwrap();
    let (club, long, outsider) = {
        let db = hc.state().db();
        let lists = db.lists_of(user_id);
        let club = lists.iter().find(|l| l.name == "Book Club").unwrap().id;
        let long = lists.iter().find(|l| db.list_books_of(l.id).len() > 100).unwrap().id;
        let on_club: BTreeSet<i64> = db.list_books_of(club).iter().map(|lb| lb.book_id).collect();
        let outsider = *db.books.keys().find(|b| !on_club.contains(b)).unwrap();
        (club, long, outsider)
    };

    shelf::add_to_list(&app, outsider, club).await.unwrap();
    assert!(server_list(&hc, club).contains(&outsider), "add_to_list must put the book on the list on Hardcover");
    assert_eq!(
        cached_list(&app, club).await,
        server_list(&hc, club),
        "the cached list must equal Hardcover's after adding"
    );
    let shelves = app.shelves().unwrap();
    let count = shelves.lists.iter().find(|l| l.id == club).unwrap().count;
    assert_eq!(count as usize, server_list(&hc, club).len(), "the cached list count must follow the add");
    let mutations = hc.stats().mutations;
    shelf::add_to_list(&app, outsider, club).await.unwrap();
    assert_eq!(hc.stats().mutations, mutations, "adding a book already on the list must send nothing");
    assert_eq!(
        hc.state().db().list_books_of(club).iter().filter(|lb| lb.book_id == outsider).count(),
        1,
        "a book must be on a list once"
    );

    shelf::remove_from_list(&app, outsider, club).await.unwrap();
    assert!(!server_list(&hc, club).contains(&outsider), "remove_from_list must take the book off on Hardcover");
    assert_eq!(
        cached_list(&app, club).await,
        server_list(&hc, club),
        "the cached list must equal Hardcover's after removing"
    );

    // A row beyond the first 100 of a long list.
    let deep = {
        let db = hc.state().db();
        let mut rows = db.list_books_of(long);
        rows.sort_by_key(|lb| lb.position);
        rows[120].book_id
    };
    let before = server_list(&hc, long).len();
    shelf::remove_from_list(&app, deep, long).await.unwrap();
    assert_eq!(server_list(&hc, long).len(), before - 1, "removing from a long list must remove exactly one row");
    assert_eq!(
        cached_list(&app, long).await,
        server_list(&hc, long),
        "a long list must stay equal to Hardcover's after removing row 121"
    );
    shelf::add_to_list(&app, deep, long).await.unwrap();
    assert_eq!(server_list(&hc, long).len(), before, "adding back must restore the long list's size");
    assert_eq!(
        cached_list(&app, long).await,
        server_list(&hc, long),
        "a long list must stay equal to Hardcover's after adding"
    );

    let err = shelf::add_to_list(&app, outsider, 999_999).await.unwrap_err();
    assert_eq!(err.code(), hardcover_sync::error::ErrorCode::NotFound, "an unknown list must be not_found: {err}");
}

#[tokio::test]
async fn a_book_from_search_can_be_listed_and_shows_offline() {
    let hc = hardcover(300).await;
    let (_sb, app) = connected_app(&hc).await;
    let user_id = hc.user_id("reader").unwrap();
    let (empty, stranger) = {
        let db = hc.state().db();
        let empty = db.lists_of(user_id).iter().find(|l| l.name == "Empty Shelf").unwrap().id;
        let listed: BTreeSet<i64> =
            db.lists_of(user_id).iter().flat_map(|l| db.list_books_of(l.id)).map(|lb| lb.book_id).collect();
        let stranger = *db
            .books
            .keys()
            .find(|b| db.user_book_for(user_id, **b).is_none() && !listed.contains(b))
            .expect("some catalog book is neither shelved nor listed");
        (empty, stranger)
    };
    shelf::add_to_list(&app, stranger, empty).await.unwrap();
    let rows = shelf::books(&app, ShelfRef::List(empty)).await.unwrap();
    assert_eq!(rows.len(), 1, "a book never imported must show on the list it was added to");
    assert_eq!(rows[0].book_id, stranger);
    assert_eq!(rows[0].title, hc.state().db().books[&stranger].title, "its title must be fetched for the cache");
}
