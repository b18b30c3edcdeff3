//! The HTTP side of the `oauth2` crate, over our reqwest client.

use std::time::Duration;

use oauth2::{HttpRequest, HttpResponse};

/// A client for OAuth endpoints. Redirects are never followed: a token endpoint that redirects
/// could forward the code or refresh token somewhere else (the `oauth2` crate's own advice).
pub fn oauth_http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(crate::USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a reqwest client with static settings builds")
}

/// One request for `oauth2`'s async client interface.
pub(crate) async fn send(client: &reqwest::Client, request: HttpRequest) -> Result<HttpResponse, reqwest::Error> {
    let request = reqwest::Request::try_from(request)?;
    let response = client.execute(request).await?;
    let mut out = oauth2::http::Response::builder().status(response.status());
    if let Some(headers) = out.headers_mut() {
        *headers = response.headers().clone();
    }
    let body = response.bytes().await?.to_vec();
    Ok(out.body(body).expect("status and headers come from a valid response"))
}

/// `oauth2`'s async HTTP client: any `Fn(HttpRequest) -> Future`.
pub(crate) fn async_client(
    client: &reqwest::Client,
) -> impl Fn(HttpRequest) -> futures::future::BoxFuture<'static, Result<HttpResponse, reqwest::Error>> + use<> {
    let client = client.clone();
    move |request| {
        let client = client.clone();
        Box::pin(async move { send(&client, request).await })
    }
}
