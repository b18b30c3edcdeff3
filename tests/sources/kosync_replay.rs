//! Every exchange recorded with the reference KOReader sync server (`../shared/samples/kosync/`,
//! koreader-sync-server behind nginx) replayed against our emulator, in order: same status, same
//! content type, same body. The recordings share state (a user registered in one is used later,
//! a PUT is read back by the next GET), so they run as one session.

use std::path::Path;

use hardcover_sync_emulators::kosync::KosyncEmulator;
use serde_json::Value;

struct Exchange {
    file: String,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Value,
    status: u16,
    content_type: String,
    body_raw: String,
    body_json: Value,
}

fn load(dir: &Path) -> Vec<Exchange> {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .expect("the kosync samples folder is readable")
        .map(|e| e.expect("folder entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && !n.starts_with('_'))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(dir.join(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
            let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} is not JSON: {e}"));
            let req = &v["request"];
            let headers = req["headers"]
                .as_array()
                .unwrap_or_else(|| panic!("{file}: request.headers"))
                .iter()
                .map(|h| {
                    let (k, v) = h.as_str().and_then(|h| h.split_once(':')).expect("a `Name: value` header");
                    (k.trim().to_owned(), v.trim().to_owned())
                })
                .collect();
            let content_type = v["response_headers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .find_map(|h| h.strip_prefix("Content-Type: "))
                .unwrap_or_default()
                .to_owned();
            Exchange {
                method: req["method"].as_str().expect("method").to_owned(),
                path: req["path"].as_str().expect("path").to_owned(),
                headers,
                body: req["body"].clone(),
                status: v["status"].as_u64().expect("status") as u16,
                content_type,
                body_raw: v["body_raw"].as_str().expect("body_raw").to_owned(),
                body_json: v["body"].clone(),
                file,
            }
        })
        .collect()
}

#[tokio::test]
async fn emulator_answers_every_recorded_exchange_like_the_reference_server() {
    let Some(dir) = super::shared("samples/kosync") else { return };
    let index: Value =
        serde_json::from_slice(&std::fs::read(dir.join("_index.json")).expect("_index.json")).expect("_index.json");
    let exchanges = load(&dir);
    assert_eq!(
        exchanges.len(),
        index["exchanges"].as_array().expect("_index.json lists exchanges").len(),
        "every exchange _index.json lists must be replayed"
    );

    // The recordings were made as the user `holdout`, registered beforehand with md5("holdoutpass").
    let emu = KosyncEmulator::builder().user("holdout", "holdoutpass").start().await.unwrap();
    let client = reqwest::Client::new();
    let mut mismatches = Vec::new();
    for x in &exchanges {
        // The server sets `timestamp` from its clock: replay on the recorded clock.
        if let Some(t) = x.body_json.get("timestamp").and_then(Value::as_i64) {
            emu.set_now(Some(t));
        }
        let method = reqwest::Method::from_bytes(x.method.as_bytes()).unwrap();
        let mut rb = client.request(method, format!("{}{}", emu.base_url(), x.path));
        for (k, v) in &x.headers {
            // `Accept:` with no value is how the recording removed the header; an empty value
            // also keeps reqwest from adding its default `*/*`.
            rb = rb.header(k.as_str(), v.as_str());
        }
        rb = match &x.body {
            Value::Null => rb,
            // A string is a raw body (the malformed JSON exchange).
            Value::String(raw) => rb.header("Content-Type", "application/json").body(raw.clone()),
            json => rb.json(json),
        };
        let resp = rb.send().await.unwrap_or_else(|e| panic!("{}: {e}", x.file));
        let status = resp.status().as_u16();
        let content_type =
            resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let raw = resp.text().await.unwrap();
        let body_matches = if x.body_json.is_null() {
            raw == x.body_raw
        } else {
            serde_json::from_str::<Value>(&raw).is_ok_and(|got| got == x.body_json)
        };
        if status != x.status || content_type != x.content_type || !body_matches {
            mismatches.push(format!(
                "{} {} {}: recorded {} {} {}, emulator {} {} {}",
                x.file, x.method, x.path, x.status, x.content_type, x.body_raw, status, content_type, raw
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "the emulator must answer each recorded exchange as the reference server did ({} of {} differ):\n{}",
        mismatches.len(),
        exchanges.len(),
        mismatches.join("\n")
    );
    assert!(exchanges.len() >= 51, "all 51 recorded exchanges were replayed, not {}", exchanges.len());
}
