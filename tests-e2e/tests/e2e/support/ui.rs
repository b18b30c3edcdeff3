//! The window through WebDriver (tauri-driver → WebKitWebDriver): find, click, type and wait the
//! way a user would, with the accessible names the UI gives its controls.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use super::Env;

/// Open a WebDriver session on a fresh instance of the app started with `app_args`.
async fn webdriver(env: &Env, app_args: Vec<String>) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("wry"));
    caps.insert("tauri:options".into(), json!({"application": env.app, "args": app_args}));
    fantoccini::ClientBuilder::native().capabilities(caps).connect(&env.driver_url).await.unwrap_or_else(|e| {
        panic!("cannot open a WebDriver session at {} (is tauri-driver running?): {e}", env.driver_url)
    })
}

/// Call a command the way the UI does: for setting up a scenario, or for checking what the
/// backend holds after a click.
async fn invoke(client: &Client, cmd: &str, args: Value) -> Value {
    client
        .execute_async(
            "const [cmd, args, done] = arguments;
             window.__TAURI_INTERNALS__.invoke(cmd, args).then(ok => done({ok}), err => done({err}));",
            vec![json!(cmd), args],
        )
        .await
        .unwrap_or_else(|e| panic!("invoking {cmd} from the page failed: {e}"))
}

/// An XPath string literal for any text (XPath 1.0 has no escapes: split on the quote).
pub fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        return format!("'{s}'");
    }
    let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
    format!("concat({})", parts.join(", \"'\", "))
}

pub struct Ui {
    pub client: Client,
    out: PathBuf,
    prefix: String,
    closed: bool,
}

/// A test that fails mid-way must still end its WebDriver session: tauri-driver allows one at a
/// time, and a leftover session (with its app and window) would fail every test after it.
impl Drop for Ui {
    fn drop(&mut self) {
        if self.closed {
            return;
        }
        let client = self.client.clone();
        // Dropped while unwinding out of the test's runtime: close from a runtime of our own (the
        // session task keeps running on the test runtime's workers).
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async { tokio::time::timeout(Duration::from_secs(20), client.close()).await })
        })
        .join();
    }
}

impl Ui {
    pub async fn start(env: &Env, prefix: &str, app_args: &[&str]) -> Self {
        let client = webdriver(env, app_args.iter().map(|s| s.to_string()).collect()).await;
        // Scripts may wait on real HTTP work against the emulators (a first sync, an import).
        client
            .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(Some(Duration::from_secs(180)), None, None))
            .await
            .unwrap();
        Self { client, out: env.out.clone(), prefix: prefix.to_owned(), closed: false }
    }

    pub async fn invoke(&self, cmd: &str, args: Value) -> Value {
        invoke(&self.client, cmd, args).await
    }

    /// Like `invoke`, but the command must succeed; returns its answer.
    pub async fn call(&self, cmd: &str, args: Value) -> Value {
        let v = self.invoke(cmd, args).await;
        v.get("ok").cloned().unwrap_or_else(|| panic!("{cmd} must succeed here: {v}"))
    }

    pub async fn shot(&self, name: &str) -> PathBuf {
        let path = self.out.join(format!("{}-{name}.png", self.prefix));
        std::fs::write(&path, self.client.screenshot().await.unwrap()).unwrap();
        path
    }

    /// Wait for an element matching `xpath` to be present; `what` names it for the failure message.
    pub async fn find(&self, what: &str, xpath: &str) -> Element {
        self.wait_for(what, Duration::from_secs(30), || async { self.client.find(Locator::XPath(xpath)).await.ok() })
            .await
    }

    pub async fn find_all(&self, xpath: &str) -> Vec<Element> {
        self.client.find_all(Locator::XPath(xpath)).await.unwrap_or_default()
    }

    /// Connect from Settings with the browser sign-in (the demo Hardcover approves at once), and
    /// wait for what follows a connection: the window showing Currently Reading.
    pub async fn connect_from_settings(&self) {
        self.click_button("Settings").await;
        self.click_button("Connect via browser").await;
        self.find(
            "the window to go to Currently Reading once connected",
            "//main//h1[normalize-space(.)='Currently Reading']",
        )
        .await;
        // The demo's virtual Kobo is plugged in a few seconds after start, and its prompt then
        // appears above every page, moving what is below it down: wait for it, so that no click
        // of the test lands while the page moves (one did: on the link above the rating stars).
        self.find("the demo's device prompt", "//*[@data-testid='device-prompt']").await;
    }

    /// Click the (first enabled) button whose visible text or accessible name is `name`.
    pub async fn click_button(&self, name: &str) {
        let lit = xpath_literal(name);
        let xpath = format!(
            "//button[not(@disabled)][normalize-space(.)={lit} or @aria-label={lit} or .//span[normalize-space(.)={lit}]]"
        );
        self.click(&format!("the button {name:?}"), &xpath).await;
    }

    pub async fn click(&self, what: &str, xpath: &str) {
        self.settle().await;
        let el = self.find(what, xpath).await;
        // In the middle of the view, away from the toasts in the bottom corner, as a user scrolls.
        self.client
            .execute("arguments[0].scrollIntoView({block: 'center'});", vec![serde_json::to_value(&el).unwrap()])
            .await
            .unwrap();
        el.click().await.unwrap_or_else(|e| panic!("cannot click {what}: {e:?}"));
    }

    /// Wait (up to 2 s) until nothing on the page is moving: a click aims where its target is when
    /// it is sent, and a panel still sliding in (slow on a busy machine) moves it away; a user
    /// would have waited for it. Endless animations (a spinner) do not count.
    pub async fn settle(&self) {
        let until = Instant::now() + Duration::from_secs(2);
        let moving = "return document.getAnimations().filter(a => a.playState === 'running' \
                      && a.effect && a.effect.getTiming().iterations !== Infinity).length";
        while Instant::now() < until {
            match self.client.execute(moving, vec![]).await {
                Ok(n) if n.as_u64() == Some(0) => return,
                Ok(_) => tokio::time::sleep(Duration::from_millis(30)).await,
                // No Web Animations API: nothing to wait for that we can see.
                Err(_) => return,
            }
        }
    }

    /// Replace what the field with accessible name `label` holds by typing `text`, like a user.
    pub async fn type_into(&self, label: &str, text: &str) -> Element {
        let el =
            self.find(&format!("the field {label:?}"), &format!("//*[@aria-label={}]", xpath_literal(label))).await;
        el.click().await.unwrap();
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap();
        el
    }

    /// The text content of the first element matching `xpath`, once it has some. (WebKitWebDriver's
    /// "visible text" comes back empty for some styled elements, so the DOM's textContent is read.)
    pub async fn text(&self, what: &str, xpath: &str) -> String {
        self.wait_for(what, Duration::from_secs(30), || async {
            let v = self
                .client
                .execute(
                    "const n = document.evaluate(arguments[0], document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
                     return n ? n.textContent : null;",
                    vec![json!(xpath)],
                )
                .await
                .ok()?;
            v.as_str().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
        })
        .await
    }

    /// Text of the whole page (what a user can read).
    pub async fn page_text(&self) -> String {
        self.client.find(Locator::Css("body")).await.unwrap().text().await.unwrap_or_default()
    }

    /// Wait until the page shows `text`.
    pub async fn wait_text(&self, text: &str, timeout: Duration) {
        self.wait_for(&format!("the page to show {text:?}"), timeout, || async {
            self.page_text().await.contains(text).then_some(())
        })
        .await
    }

    pub async fn wait_for<T, F, Fut>(&self, what: &str, timeout: Duration, mut f: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let start = Instant::now();
        loop {
            if let Some(v) = f().await {
                return v;
            }
            if start.elapsed() > timeout {
                let path = self.shot(&format!("timeout-{}", what.replace(|c: char| !c.is_alphanumeric(), "-"))).await;
                // CI keeps only the test's output: say what the user saw and what the app complained of.
                let page: String = self.page_text().await.chars().take(1500).collect();
                panic!(
                    "timed out after {timeout:?} waiting for {what} (screenshot: {})\n--- the page said:\n{page}\n--- the app's latest warnings:\n{}",
                    path.display(),
                    super::recent_app_warnings(30)
                );
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// The User Timing measures the page recorded under `name`, in order (see ui/bench/README.md).
    pub async fn measures(&self, name: &str) -> Vec<f64> {
        let v = self
            .client
            .execute(
                "return performance.getEntriesByName(arguments[0], 'measure').map(m => m.duration);",
                vec![json!(name)],
            )
            .await
            .unwrap();
        v.as_array().map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default()
    }

    pub async fn close(mut self) {
        self.closed = true;
        self.client.clone().close().await.unwrap();
    }
}
