//! The operations in `graphql/*.graphql`, typed by graphql_client at compile time against our
//! schema subset (`graphql/schema.graphql`). Only `convert`, `client` and `batch` look inside.
#![allow(non_camel_case_types, clippy::upper_case_acronyms)]

use graphql_client::GraphQLQuery;

// Custom scalars, looked up by name by the derive (only those our selections use; `bigint`
// is in the schema subset for `images.id` but nothing selects it).
pub type citext = String;
pub type date = chrono::NaiveDate;
pub type float8 = super::scalars::LenientF64;
pub type json = serde_json::Value;
pub type jsonb = serde_json::Value;
pub type numeric = super::scalars::LenientF64;
/// Kept as text and parsed leniently in `convert`: a format surprise must not fail a page.
pub type timestamptz = String;

// `skip_serializing_none`: an unset filter must be absent, never `null` (Hasura reads
// `{_eq: null}` as "no condition" and would return every row). Written out per operation because
// the derive cannot read a `query_path` coming from a macro.

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "graphql/schema.graphql",
    query_path = "graphql/me.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone, Default",
    skip_serializing_none
)]
pub struct Me;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "graphql/schema.graphql",
    query_path = "graphql/user_books.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone, Default",
    skip_serializing_none
)]
pub struct UserBooks;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "graphql/schema.graphql",
    query_path = "graphql/lists.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone, Default",
    skip_serializing_none
)]
pub struct Lists;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "graphql/schema.graphql",
    query_path = "graphql/list_books.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone, Default",
    skip_serializing_none
)]
pub struct ListBooks;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "graphql/schema.graphql",
    query_path = "graphql/editions.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone, Default",
    skip_serializing_none
)]
pub struct Editions;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "graphql/schema.graphql",
    query_path = "graphql/search.graphql",
    response_derives = "Debug, Clone",
    variables_derives = "Debug, Clone, Default",
    skip_serializing_none
)]
pub struct Search;
