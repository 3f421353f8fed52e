//! Server-sent events read off a relay's stream, as a browser's `EventSource` reads them.

use serde_json::Value;

/// One server-sent event; `data` parsed as JSON.
#[derive(Debug, Clone)]
pub struct Sse {
    pub id: Option<String>,
    pub event: String,
    pub data: Value,
}

/// Reads server-sent events until `until` says stop (or the stream ends); heartbeats
/// (comment lines) are skipped. A 20 s guard turns a hang into a failure.
pub async fn read_events(
    response: reqwest::Response,
    mut until: impl FnMut(&Sse) -> bool,
) -> Vec<Sse> {
    use futures_util::StreamExt;
    let mut bytes = response.bytes_stream();
    let mut buffer = String::new();
    let mut out = Vec::new();
    let read = async {
        while let Some(chunk) = bytes.next().await {
            buffer.push_str(&String::from_utf8_lossy(&chunk.expect("a chunk")));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                let mut event = Sse {
                    id: None,
                    event: "message".into(),
                    data: Value::Null,
                };
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        event.id = Some(v.trim().into());
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event.event = v.trim().into();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if data.is_empty() {
                    continue;
                }
                event.data = serde_json::from_str(&data).expect("JSON data");
                let done = until(&event);
                out.push(event);
                if done {
                    return;
                }
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), read)
        .await
        .expect("the stream stalled");
    out
}

/// The connection status a `status` event names ("" for other events).
pub fn status_of(e: &Sse) -> &str {
    e.data["connection_status"].as_str().unwrap_or("")
}
