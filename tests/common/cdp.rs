//! A minimal Chrome DevTools Protocol client over the browser's WebSocket: enough to open a
//! page in headless Chromium, type, press keys and read the DOM. Written for these tests
//! instead of pulling in a WebDriver stack.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

pub struct Browser {
    child: Child,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    session: String,
    next_id: u64,
    /// The URLs the page requested since the last [`Browser::take_requests`], once
    /// [`Browser::record_requests`] turned recording on.
    requests: Option<Vec<String>>,
    _profile: tempfile::TempDir,
}

pub fn chromium_binary() -> String {
    let binary = std::env::var("GUIDEBOOK_CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let found = Command::new(&binary)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "MISSING BROWSER: `{binary}` did not run. Browser tests need Debian's chromium \
         (apt-get install -y chromium), which .ci/run installs; or set GUIDEBOOK_CHROMIUM."
    );
    binary
}

impl Browser {
    /// Starts headless Chromium with a fresh profile and opens one blank tab.
    pub fn launch() -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let child = Command::new(chromium_binary())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--remote-debugging-port=0",
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        let endpoint = wait_for_endpoint(profile.path());
        let (socket, _) = tungstenite::connect(endpoint.as_str()).expect("connect to DevTools");
        let mut browser = Browser {
            child,
            socket,
            session: String::new(),
            next_id: 0,
            requests: None,
            _profile: profile,
        };
        let target = browser.call(None, "Target.createTarget", json!({ "url": "about:blank" }));
        let target_id = target["targetId"].as_str().expect("target id").to_string();
        let attached = browser.call(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        );
        browser.session = attached["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        browser
    }

    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::Text(message.to_string().into()))
            .expect("send to DevTools");
        loop {
            let reply = self.socket.read().expect("read from DevTools");
            let Message::Text(text) = reply else { continue };
            let value: Value = serde_json::from_str(&text).expect("DevTools JSON");
            if let (Some(requests), Some("Network.requestWillBeSent")) =
                (self.requests.as_mut(), value["method"].as_str())
            {
                let url = value["params"]["request"]["url"]
                    .as_str()
                    .unwrap_or_default();
                requests.push(url.to_string());
            }
            if value["id"] == id {
                assert!(value.get("error").is_none(), "{method} failed: {value}");
                return value["result"].clone();
            }
        }
    }

    /// From now on, notes every URL the page requests, with the browser's cache off (each page
    /// is a first visit).
    pub fn record_requests(&mut self) {
        self.page("Network.enable", json!({}));
        self.page("Network.setCacheDisabled", json!({ "cacheDisabled": true }));
        self.requests = Some(Vec::new());
    }

    /// The URLs requested since the last call (events read up to a round trip made now, so
    /// every request the page made before this call is in).
    pub fn take_requests(&mut self) -> Vec<String> {
        self.eval("0");
        self.requests
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Inserts text at the caret in one input event, as a paste does.
    pub fn paste_text(&mut self, text: &str) {
        self.page("Input.insertText", json!({ "text": text }));
    }

    /// Calls a method on the page.
    pub fn page(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.call(Some(&session), method, params)
    }

    pub fn navigate(&mut self, url: &str) {
        self.page("Page.navigate", json!({ "url": url }));
        self.wait_for(
            "document.readyState === 'complete' && location.href !== 'about:blank'",
            Duration::from_secs(10),
        );
    }

    /// Evaluates `expression` in the page and returns its (JSON) value.
    pub fn eval(&mut self, expression: &str) -> Value {
        let result = self.page(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        result["result"]["value"].clone()
    }

    /// Polls `expression` until it is truthy; panics after `timeout`.
    pub fn wait_for(&mut self, expression: &str, timeout: Duration) -> Value {
        let start = Instant::now();
        loop {
            let value = self.eval(&format!(
                "(function(){{ try {{ return {expression}; }} catch (e) {{ return null; }} }})()"
            ));
            if !(value.is_null() || value == false || value == "" || value == 0) {
                return value;
            }
            assert!(
                start.elapsed() < timeout,
                "timed out waiting for: {expression}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types text into the focused element, as a user would.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let s = c.to_string();
            self.page(
                "Input.dispatchKeyEvent",
                json!({ "type": "keyDown", "text": s, "key": s }),
            );
            self.page(
                "Input.dispatchKeyEvent",
                json!({ "type": "keyUp", "key": s }),
            );
        }
    }

    /// Presses a named key (`ArrowDown`, `Enter`, `Escape`, `/`).
    pub fn press(&mut self, key: &str) {
        let (code, text) = match key {
            "ArrowDown" => (40, ""),
            "ArrowUp" => (38, ""),
            "Enter" => (13, "\r"),
            "Escape" => (27, ""),
            "/" => (191, "/"),
            _ => (0, key),
        };
        let mut down = json!({ "type": "keyDown", "key": key, "windowsVirtualKeyCode": code });
        if !text.is_empty() {
            down["text"] = json!(text);
        }
        self.page("Input.dispatchKeyEvent", down);
        self.page(
            "Input.dispatchKeyEvent",
            json!({ "type": "keyUp", "key": key, "windowsVirtualKeyCode": code }),
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Chromium writes its DevTools port and browser path into the profile once it listens.
fn wait_for_endpoint(profile: &Path) -> String {
    let file = profile.join("DevToolsActivePort");
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(&file) {
            let mut lines = text.lines();
            if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                return format!("ws://127.0.0.1:{port}{path}");
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "chromium did not open DevTools"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
