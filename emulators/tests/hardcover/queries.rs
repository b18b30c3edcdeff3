//! Reads: `me`, where/order/paging, projection, aggregates, search, covers, Hasura errors.

use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn me_is_a_list_holding_the_caller() {
    let hc = start().await;
    let a = gql(&hc, "query { me { id username __typename } }", json!({})).await;
    let me = a.data()["me"].as_array().expect("me must be a LIST of users");
    assert_eq!(me.len(), 1, "me must hold exactly the caller");
    assert_eq!(me[0]["username"], "reader", "me must be the token's user");
    assert_eq!(me[0]["__typename"], "users", "__typename must name the Hasura type");
    let other = gql_as(&hc, OTHER_TOKEN, "{ me { username } }", json!({})).await;
    assert_eq!(other.data()["me"][0]["username"], "other", "another token sees its own user");
}

#[tokio::test]
async fn unknown_fields_are_hasura_validation_errors() {
    let hc = start().await;
    let a = gql(&hc, "{ nope { id } }", json!({})).await;
    assert_eq!(a.status, 200, "Hasura reports unknown fields with HTTP 200");
    assert_eq!(a.error_message(), "field 'nope' not found in type: 'query_root'", "the message names field and type");
    assert_eq!(a.body["errors"][0]["extensions"]["code"], "validation-failed", "the code is validation-failed");
    let b = gql(&hc, "{ books(limit: 1) { id no_such_column } }", json!({})).await;
    assert_eq!(
        b.error_message(),
        "field 'no_such_column' not found in type: 'books'",
        "unknown columns are errors, not nulls"
    );
    let c = gql(&hc, "query { me { id }", json!({})).await;
    assert_eq!(c.status, 400, "a syntax error is HTTP 400");
    assert_eq!(c.body["error"], "invalid_query", "a syntax error says invalid_query");
}

#[tokio::test]
async fn user_books_filter_by_status_and_nested_relations() {
    let hc = start().await;
    let reader = hc.user_id("reader").unwrap();
    let q = "query($uid: Int!, $s: Int!) { user_books(where: {user_id: {_eq: $uid}, status_id: {_eq: $s}}, order_by: {id: asc}) { id status_id book { id title } } }";
    let a = gql(&hc, q, json!({"uid": reader, "s": 3})).await;
    let rows = a.data()["user_books"].as_array().unwrap().clone();
    let expected = hc.state().db().user_books_of(reader).iter().filter(|u| u.status_id == 3).count();
    assert_eq!(rows.len(), expected, "status_id _eq 3 must return exactly the Read user_books");
    assert!(rows.iter().all(|r| r["status_id"] == 3), "every row must have status 3");
    let title = rows[0]["book"]["title"].as_str().unwrap().to_string();
    let nested = gql(
        &hc,
        "query($t: String!) { user_books(where: {book: {title: {_eq: $t}}}) { book { title } } }",
        json!({"t": title}),
    )
    .await;
    let hits = nested.data()["user_books"].as_array().unwrap();
    assert_eq!(hits.len(), 1, "a condition on the book relationship must filter user_books");
    assert_eq!(hits[0]["book"]["title"], title.as_str(), "the nested filter keeps the matching book");
    let not = gql(
        &hc,
        "{ user_books_aggregate(where: {_not: {status_id: {_in: [1,2,3,4,5]}}}) { aggregate { count } } }",
        json!({}),
    )
    .await;
    let ignored = hc.state().db().user_books_of(reader).iter().filter(|u| u.status_id == 6).count();
    assert_eq!(
        not.data()["user_books_aggregate"]["aggregate"]["count"],
        json!(ignored),
        "_not/_in must leave only status 6"
    );
}

#[tokio::test]
async fn editions_are_found_by_isbn_10_or_13_and_by_asin() {
    let hc = start().await;
    let (isbn13, isbn10, asin, audio_id) = {
        let db = hc.state().db();
        let p = db.editions.values().find(|e| e.isbn_10.is_some()).unwrap();
        let other = db.editions.values().find(|e| e.isbn_10.is_some() && e.id != p.id).unwrap();
        let audio = db.editions.values().find(|e| e.reading_format_id == 2).unwrap();
        (p.isbn_13.clone().unwrap(), other.isbn_10.clone().unwrap(), audio.asin.clone().unwrap(), audio.id)
    };
    let q = "query($isbns: [String!]) { editions(where: {_or: [{isbn_13: {_in: $isbns}}, {isbn_10: {_in: $isbns}}]}) { id isbn_13 isbn_10 reading_format { format } } }";
    let a = gql(&hc, q, json!({"isbns": [isbn13, isbn10, "9780000000000"]})).await;
    let eds = a.data()["editions"].as_array().unwrap();
    assert_eq!(eds.len(), 2, "one edition per known ISBN, whichever kind it is, and none for the unknown one");
    assert!(
        eds.iter().any(|e| e["isbn_13"] == isbn13.as_str()) && eds.iter().any(|e| e["isbn_10"] == isbn10.as_str()),
        "both ISBNs found"
    );
    let b = gql(
        &hc,
        "query($a: [String!]) { editions(where: {asin: {_in: $a}}) { id audio_seconds reading_format_id } }",
        json!({"a": [asin]}),
    )
    .await;
    assert_eq!(b.data()["editions"][0]["id"], json!(audio_id), "an ASIN finds its audio edition");
    assert!(b.data()["editions"][0]["audio_seconds"].as_i64().unwrap() > 0, "audio editions have a duration");
    let book = hc.state().db().editions[&audio_id].book_id;
    let by_book =
        gql(&hc, "query($b: Int!) { editions(where: {book_id: {_eq: $b}}) { id } }", json!({"b": book})).await;
    let expected = hc.state().db().editions_of(book).len();
    assert_eq!(
        by_book.data()["editions"].as_array().unwrap().len(),
        expected,
        "other conditions still filter every edition"
    );
    let none = gql(&hc, "{ editions(where: {isbn_13: {_in: []}}) { id } }", json!({})).await;
    assert_eq!(none.data()["editions"], json!([]), "an empty _in matches nothing");
}

#[tokio::test]
async fn long_lists_page_with_limit_and_offset() {
    let hc = start().await;
    let a = gql(&hc, "{ lists(where: {name: {_eq: \"Everything I Own\"}}) { id books_count } }", json!({})).await;
    let list = &a.data()["lists"][0];
    let total = list["books_count"].as_i64().unwrap();
    assert!(total > 100, "the seeded long list must exceed one 100-row page, has {total}");
    let mut seen = Vec::new();
    for page in 0.. {
        let q = "query($l: Int!, $o: Int!) { list_books(where: {list_id: {_eq: $l}}, order_by: {position: asc}, limit: 100, offset: $o) { id position book { id } } }";
        let p = gql(&hc, q, json!({"l": list["id"], "o": page * 100})).await;
        let rows = p.data()["list_books"].as_array().unwrap().clone();
        assert!(rows.len() <= 100, "a page holds at most the limit");
        if rows.is_empty() {
            break;
        }
        seen.extend(rows.iter().map(|r| r["position"].as_i64().unwrap()));
    }
    assert_eq!(seen.len() as i64, total, "paging must visit every list row exactly once");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "order_by position asc must hold across pages");
    let d = gql(&hc, "query($l: Int!) { lists_by_pk(id: $l) { list_books(order_by: {position: desc}, limit: 2) { position } list_books_aggregate { aggregate { count } } } }", json!({"l": list["id"]})).await;
    let lb = &d.data()["lists_by_pk"];
    assert_eq!(lb["list_books"][0]["position"], json!(total), "desc order starts at the last position");
    assert_eq!(lb["list_books_aggregate"]["aggregate"]["count"], json!(total), "a nested aggregate counts every row");
}

#[tokio::test]
async fn aliases_nesting_and_jsonb_paths_are_projected() {
    let hc = start().await;
    let q = "{ first: books(limit: 1, order_by: {id: asc}) { bookId: id cached_image(path: \"url\") image { url } contributions { author { name } } cached_contributors editions(limit: 1) { reading_format { format } } } }";
    let a = gql(&hc, q, json!({})).await;
    let b = &a.data()["first"][0];
    assert!(b["bookId"].is_i64(), "an alias renames the key");
    let url = b["image"]["url"].as_str().unwrap();
    assert_eq!(b["cached_image"], json!(url), "cached_image(path:\"url\") must equal image.url");
    assert!(
        url.starts_with(&hc.base_url()) && url.ends_with(".png"),
        "covers are served by the emulator itself: {url}"
    );
    let name = &b["contributions"][0]["author"]["name"];
    assert!(name.is_string(), "contributions.author.name is a string");
    assert_eq!(&b["cached_contributors"][0]["author"]["name"], name, "cached_contributors agree with contributions");
    assert!(b["editions"][0]["reading_format"]["format"].is_string(), "edition.reading_format.format is projected");
    let png = reqwest::get(url).await.unwrap();
    assert_eq!(png.headers()["content-type"], "image/png", "the cover URL serves a PNG");
    assert_eq!(&png.bytes().await.unwrap()[1..4], b"PNG", "the cover body is a PNG");
}

#[tokio::test]
async fn disabled_operators_are_refused() {
    let hc = start().await;
    let a = gql(&hc, "{ books(where: {title: {_ilike: \"%garden%\"}}) { id } }", json!({})).await;
    assert!(a.body.get("data").is_none(), "a query with a disabled operator must not run");
    assert!(a.error_message().contains("_ilike"), "the error must name the disabled operator: {}", a.body);
    let b = gql(&hc, "query($w: books_bool_exp) { books(where: $w) { id } }", json!({"w": {"title": {"_regex": "x"}}}))
        .await;
    assert!(b.error_message().contains("_regex"), "disabled operators hidden in variables are refused too: {}", b.body);
}

#[tokio::test]
async fn users_only_see_their_own_library() {
    let hc = start().await;
    let reader = hc.user_id("reader").unwrap();
    let a = gql_as(
        &hc,
        OTHER_TOKEN,
        "query($u: Int!) { user_books(where: {user_id: {_eq: $u}}) { id } lists(where: {user_id: {_eq: $u}}) { id } }",
        json!({"u": reader}),
    )
    .await;
    assert_eq!(a.data()["user_books"], json!([]), "another user's user_books must be invisible");
    assert_eq!(a.data()["lists"], json!([]), "another user's lists must be invisible");
    let read_id = {
        let db = hc.state().db();
        db.reads
            .values()
            .find(|r| db.user_book_owner(r.user_book_id) == Some(reader))
            .map(|r| r.id)
            .expect("reader has reads")
    };
    let b =
        gql_as(&hc, OTHER_TOKEN, "query($id: Int!) { user_book_reads_by_pk(id: $id) { id } }", json!({"id": read_id}))
            .await;
    assert_eq!(b.data()["user_book_reads_by_pk"], Value::Null, "another user's read must be invisible by primary key");
}

#[tokio::test]
async fn search_matches_title_and_author_tokens_typesense_style() {
    let hc = start().await;
    let (title, author, id) = {
        let db = hc.state().db();
        let b = db.books.values().next().unwrap();
        (b.title.clone(), db.authors[&b.author_ids[0]].name.clone(), b.id)
    };
    let q =
        "query($q: String!) { search(query: $q, query_type: \"Book\", per_page: 5, page: 1) { ids results error } }";
    let a = gql(&hc, q, json!({"q": format!("{title} {author}")})).await;
    let s = &a.data()["search"];
    assert_eq!(s["error"], Value::Null, "a good search has no error");
    assert!(s["ids"].as_array().unwrap().contains(&json!(id)), "searching title + author must find the book");
    let doc = &s["results"]["hits"][0]["document"];
    assert_eq!(doc["id"], json!(id.to_string()), "Typesense document ids are strings");
    assert!(doc["author_names"].as_array().unwrap().contains(&json!(author)), "documents carry author_names");
    assert!(doc["isbns"].is_array() && doc["image"]["url"].is_string(), "documents carry isbns and image.url");
    assert!(s["results"]["found"].as_u64().unwrap() >= 1, "results.found counts matches");
    let empty = gql(&hc, q, json!({"q": "  "})).await;
    assert_eq!(empty.status, 200, "a rejected search is still HTTP 200");
    assert_eq!(empty.data()["search"]["results"], Value::Null, "a rejected search has null results");
    assert!(empty.data()["search"]["error"].is_string(), "a rejected search explains itself in error");
}
