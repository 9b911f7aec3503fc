//! A minimal Server-Sent Events client over a real HTTP response, for tests.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

/// A minimal Server-Sent Events reader over a real HTTP response.
pub struct SseClient {
    body: futures_util::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buffer: String,
}

impl SseClient {
    pub async fn connect(addr: SocketAddr, path: &str, cookie: &str) -> Self {
        Self::connect_url(&format!("http://{addr}{path}"), cookie).await
    }

    /// Opens the stream at `url` (any server, any process) with a session cookie.
    pub async fn connect_url(url: &str, cookie: &str) -> Self {
        let res = reqwest::Client::new()
            .get(url)
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), reqwest::StatusCode::OK, "{url}");
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        Self {
            body: res.bytes_stream().boxed(),
            buffer: String::new(),
        }
    }

    /// The next event (name and JSON data), skipping keep-alive comments. Fails the test if
    /// none arrives within ten seconds.
    pub async fn next(&mut self) -> (String, Value) {
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let frame: String = self.buffer.drain(..end + 2).collect();
                    let mut name = None;
                    let mut data = String::new();
                    for line in frame.lines() {
                        if let Some(v) = line.strip_prefix("event:") {
                            name = Some(v.trim().to_owned());
                        } else if let Some(v) = line.strip_prefix("data:") {
                            data.push_str(v.trim_start());
                        }
                    }
                    if let Some(name) = name {
                        return (name, serde_json::from_str(&data).unwrap());
                    }
                    continue;
                }
                let chunk = self.body.next().await.expect("stream ended").unwrap();
                self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
            }
        })
        .await
        .expect("an event within ten seconds")
    }

    /// Waits until the server ends the stream (events before the end are skipped).
    pub async fn ended(&mut self) {
        tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(chunk) = self.body.next().await {
                if chunk.is_err() {
                    break;
                }
            }
        })
        .await
        .expect("the stream ends within ten seconds");
    }

    /// Skips events until one named `name` whose data satisfies `pred`.
    pub async fn until(&mut self, name: &str, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let (event, data) = self.next().await;
            if event == name && pred(&data) {
                return data;
            }
        }
    }
}
