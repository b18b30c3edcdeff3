//! The window shows the local copy at once and redraws only when a refresh changed it.

use hardcover_sync::shelf;

use super::connected_app;
use crate::support::hardcover;

fn count(shelves: &hardcover_sync::app::Shelves, status: i64) -> i64 {
    shelves.statuses.iter().find(|s| s.id == status).map(|s| s.count).expect("every status is listed")
}

#[tokio::test]
async fn a_refresh_says_whether_the_local_copy_changed() {
    let hc = hardcover(60).await;
    let (_sb, app) = connected_app(&hc).await;
    let (before, changed) = app.shelves_refreshed().await.unwrap();
    assert!(!changed, "a refresh right after an import must find nothing new, so the window does not redraw");

    // The user moves a book on another device (another app on the same account).
    let (_sb2, elsewhere) = connected_app(&hc).await;
    let user_id = hc.user_id("reader").unwrap();
    let book_id = {
        let db = hc.state().db();
        db.user_books_of(user_id)
            .into_iter()
            .find(|u| u.status_id == 1)
            .expect("the seed has Want to Read books")
            .book_id
    };
    shelf::set_status(&elsewhere, book_id, 4).await.unwrap();

    let (after, changed) = app.shelves_refreshed().await.unwrap();
    assert!(changed, "a change made on another device must be reported, so the window redraws");
    assert_eq!(
        (count(&after, 1), count(&after, 4)),
        (count(&before, 1) - 1, count(&before, 4) + 1),
        "the refreshed shelves must count the moved book on its new shelf"
    );
}
