//! Status and rating changes reach Hardcover and the cache shows what Hardcover then holds.

use hardcover_sync::shelf::{self, ShelfRef};

use super::{connected_app, open_app};
use crate::support::{Sandbox, hardcover};

#[tokio::test]
async fn set_status_on_a_new_book_adds_it_with_the_servers_own_read() {
    let hc = hardcover(80).await;
    let (_sb, app) = connected_app(&hc).await;
    let user_id = hc.user_id("reader").unwrap();
    let book_id = {
        let db = hc.state().db();
        *db.books.keys().find(|b| db.user_book_for(user_id, **b).is_none()).expect("some catalog book is not shelved")
    };

    let row = shelf::set_status(&app, book_id, 2).await.unwrap();
    let (ub_id, server_reads) = {
        let db = hc.state().db();
        let ub = db.user_book_for(user_id, book_id).expect("set_status must add the book to the library");
        assert_eq!(ub.status_id, 2, "the new user_book must have the chosen status");
        let reads: Vec<(i64, bool)> = db.reads_of(ub.id).iter().map(|r| (r.id, r.is_open())).collect();
        (ub.id, reads)
    };
    assert_eq!(server_reads.len(), 1, "Hardcover opens exactly one read for Currently Reading; we must add none");
    assert!(server_reads[0].1, "the automatic read must be open");
    assert_eq!(row.user_book_id, Some(ub_id), "the returned row must carry the new user_book id");
    assert_eq!(row.status_id, Some(2));

    let d = shelf::book_detail(&app, book_id).await.unwrap();
    assert_eq!(
        d.reads.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![server_reads[0].0],
        "the cache must show the server's automatic read, and only it"
    );
    let shelf2 = shelf::books(&app, ShelfRef::Status(2)).await.unwrap();
    assert!(
        shelf2.iter().any(|r| r.book_id == book_id),
        "the Currently Reading shelf must show the added book at once"
    );
}

#[tokio::test]
async fn read_on_a_currently_reading_book_leaves_one_read_and_the_same_edition() {
    let hc = hardcover(200).await;
    let (_sb, app) = connected_app(&hc).await;
    let user_id = hc.user_id("reader").unwrap();
    let (book_id, ub_id, edition_id, open_read) = {
        let db = hc.state().db();
        let ub = db
            .user_books_of(user_id)
            .into_iter()
            .find(|u| u.status_id == 2 && u.edition_id.is_some() && db.reads_of(u.id).len() == 1)
            .expect("the seed has a Currently Reading book with an edition and one read");
        (ub.book_id, ub.id, ub.edition_id, db.reads_of(ub.id)[0].id)
    };
    let mutations = hc.stats().mutations;

    let row = shelf::set_status(&app, book_id, 3).await.unwrap();
    assert_eq!(hc.stats().mutations - mutations, 1, "a status change must be exactly one mutation (no read inserted)");
    let (reads, server_edition) = {
        let db = hc.state().db();
        let reads: Vec<(i64, bool)> = db.reads_of(ub_id).iter().map(|r| (r.id, r.finished_at.is_some())).collect();
        (reads, db.user_books[&ub_id].edition_id)
    };
    assert_eq!(reads, vec![(open_read, true)], "moving to Read must close the open read, leaving exactly one");
    assert_eq!(server_edition, edition_id, "a status change must never change the edition on Hardcover");
    assert_eq!(row.status_id, Some(3));
    assert_eq!(row.progress, Some(100.0), "a finished latest read shows as 100 %");
    assert!(row.finished_at.is_some(), "the row must show the finish date Hardcover set");
    let d = shelf::book_detail(&app, book_id).await.unwrap();
    assert_eq!(d.edition.map(|e| e.id), edition_id, "the cached edition must be unchanged after a status change");
    assert_eq!(d.reads.len(), 1, "the cache must hold exactly the one read Hardcover has");
    assert_eq!(d.reads[0].id, open_read);
}

#[tokio::test]
async fn rating_halves_round_trip_and_none_clears() {
    let hc = hardcover(80).await;
    let (_sb, app) = connected_app(&hc).await;
    let user_id = hc.user_id("reader").unwrap();
    let (book_id, ub_id) = {
        let db = hc.state().db();
        let ub = db.user_books_of(user_id).into_iter().find(|u| u.status_id == 3).unwrap();
        (ub.book_id, ub.id)
    };
    for r in [0.5, 3.5, 5.0] {
        let row = shelf::set_rating(&app, book_id, Some(r)).await.unwrap();
        assert_eq!(hc.state().db().user_books[&ub_id].rating, Some(r), "Hardcover must hold rating {r}");
        assert_eq!(row.rating, Some(r), "the returned row must show rating {r}");
        let cached = shelf::books(&app, ShelfRef::Status(3)).await.unwrap();
        assert_eq!(
            cached.iter().find(|x| x.book_id == book_id).unwrap().rating,
            Some(r),
            "the cache must show rating {r}"
        );
    }
    let row = shelf::set_rating(&app, book_id, None).await.unwrap();
    assert_eq!(hc.state().db().user_books[&ub_id].rating, None, "None must clear the rating on Hardcover");
    assert_eq!(row.rating, None, "None must clear the rating in the cache");

    let mutations = hc.stats().mutations;
    for bad in [4.3, 0.0, 6.0] {
        let err = shelf::set_rating(&app, book_id, Some(bad)).await.unwrap_err();
        assert_eq!(
            err.code(),
            hardcover_sync::error::ErrorCode::InvalidInput,
            "rating {bad} must be refused as invalid input: {err}"
        );
    }
    assert_eq!(hc.stats().mutations, mutations, "a refused rating must not reach Hardcover");

    let unshelved = {
        let db = hc.state().db();
        *db.books.keys().find(|b| db.user_book_for(user_id, **b).is_none()).unwrap()
    };
    let err = shelf::set_rating(&app, unshelved, Some(4.0)).await.unwrap_err();
    assert_eq!(
        err.code(),
        hardcover_sync::error::ErrorCode::NotFound,
        "rating a book not in the library must say so: {err}"
    );
}

#[tokio::test]
async fn writes_without_a_connection_say_not_connected() {
    let hc = hardcover(10).await;
    let sb = Sandbox::new(&hc, "");
    let app = open_app(&sb);
    let err = shelf::set_status(&app, 1, 1).await.unwrap_err();
    assert_eq!(
        err.code(),
        hardcover_sync::error::ErrorCode::NotConnected,
        "a write before connecting must be not_connected: {err}"
    );
    let err = shelf::set_status(&app, 1, 9).await.unwrap_err();
    assert_eq!(
        err.code(),
        hardcover_sync::error::ErrorCode::InvalidInput,
        "status 9 must be refused before anything else: {err}"
    );
}

#[tokio::test]
async fn a_book_deleted_on_the_website_is_added_again_not_failed() {
    let hc = hardcover(60).await;
    let (_sb, app) = connected_app(&hc).await;
    let user_id = hc.user_id("reader").unwrap();
    let (book_id, old_ub) = {
        let mut db = hc.state().db();
        let ub = db.user_books_of(user_id).into_iter().find(|u| u.status_id == 1).unwrap().clone();
        // The user removes the book on the website; our cache still has it.
        db.user_books.remove(&ub.id);
        db.reads.retain(|_, r| r.user_book_id != ub.id);
        (ub.book_id, ub.id)
    };
    let row = shelf::set_status(&app, book_id, 4).await.unwrap();
    let now = hc.state().db().user_book_for(user_id, book_id).map(|u| (u.id, u.status_id));
    let (new_id, status) = now.expect("a status change on a book deleted remotely must add it again");
    assert_ne!(new_id, old_ub, "a new user_book is made for it");
    assert_eq!(status, 4);
    assert_eq!(row.user_book_id, Some(new_id), "the cache must follow Hardcover's new user_book, not the stale one");
    let on_want = shelf::books(&app, ShelfRef::Status(1)).await.unwrap();
    assert!(!on_want.iter().any(|r| r.book_id == book_id), "the stale cached row must be gone from its old shelf");
}

#[tokio::test]
async fn detail_of_a_search_hit_is_fetched_once_then_cached() {
    let hc = hardcover(60).await;
    let (_sb, app) = connected_app(&hc).await;
    let user_id = hc.user_id("reader").unwrap();
    let (book_id, title) = {
        let db = hc.state().db();
        let listed: std::collections::BTreeSet<i64> =
            db.lists_of(user_id).iter().flat_map(|l| db.list_books_of(l.id)).map(|lb| lb.book_id).collect();
        let b =
            db.books.values().find(|b| db.user_book_for(user_id, b.id).is_none() && !listed.contains(&b.id)).unwrap();
        (b.id, b.title.clone())
    };
    let d = shelf::book_detail(&app, book_id).await.unwrap();
    assert_eq!(d.row.title, title, "a book not in the cache must be fetched for its detail");
    assert_eq!(d.row.status_id, None, "a book the user does not have has no status");
    let requests = hc.stats().requests;
    shelf::book_detail(&app, book_id).await.unwrap();
    assert_eq!(hc.stats().requests, requests, "a second detail must come from the cache");
}
