//! Server-sent events (the `text/event-stream` format), split into events as chunks arrive,
//! and what a relay's member events mean to a flow.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// `message` unless the stream named it.
    pub event: String,
    pub data: String,
    /// The stream's last event id so far (it carries over to later events).
    pub id: Option<String>,
}

/// Feeds chunks in, takes whole events out; a line cut between chunks waits for the rest.
#[derive(Debug, Default)]
pub struct SseParser {
    pending: String,
    event: String,
    data: Vec<String>,
    last_id: Option<String>,
    /// The previous chunk ended in `\r`: a `\n` starting this one belongs to it.
    after_cr: bool,
}

impl SseParser {
    pub fn feed(&mut self, chunk: &str) -> Vec<SseEvent> {
        let mut chunk = chunk;
        if self.after_cr {
            chunk = chunk.strip_prefix('\n').unwrap_or(chunk);
            self.after_cr = false;
        }
        self.pending.push_str(chunk);
        let mut out = Vec::new();
        while let Some(end) = self.pending.find(['\n', '\r']) {
            // `get`, not indexing: `end` is a boundary, and indexing's failure path would
            // bring `str`'s panic formatting into the .wasm.
            let line: String = self.pending.get(..end).unwrap_or_default().to_string();
            let rest = self.pending.get(end..).unwrap_or_default();
            let skip = if rest.starts_with("\r\n") {
                2
            } else if rest == "\r" {
                // Maybe the first half of a \r\n cut by the chunking.
                self.after_cr = true;
                1
            } else {
                1
            };
            self.pending.drain(..end + skip);
            self.line(&line, &mut out);
        }
        out
    }

    fn line(&mut self, line: &str, out: &mut Vec<SseEvent>) {
        if line.is_empty() {
            if !self.data.is_empty() {
                out.push(SseEvent {
                    event: if self.event.is_empty() {
                        "message".into()
                    } else {
                        std::mem::take(&mut self.event)
                    },
                    data: self.data.join("\n"),
                    id: self.last_id.clone(),
                });
            }
            self.data.clear();
            self.event.clear();
            return;
        }
        if line.starts_with(':') {
            return; // A comment: the relay's heartbeat.
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = value.to_string(),
            "data" => self.data.push(value.to_string()),
            "id" if !value.contains('\0') => self.last_id = Some(value.to_string()),
            _ => {}
        }
    }

    /// The id to resume from (`Last-Event-ID`).
    pub fn last_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }
}

use crate::status::ConnectionStatus;

/// What the relay's event stream tells a flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Push {
    /// The stream is open: changes will be pushed.
    Up,
    /// The stream broke or closed: poll until it is back.
    Down,
    /// The member's connection status when the stream opened, and whether a run was going.
    Now {
        connection_status: ConnectionStatus,
        is_being_aggregated: bool,
    },
    /// A change of the member's connection status.
    Status(ConnectionStatus),
    /// A standard aggregation (or extended history) completed.
    Aggregated,
}

impl Push {
    /// A stream event by its name and, for `status`, the connection status its data names
    /// and, for the first (`current`) one, whether a run was going.
    pub fn of(
        event: &str,
        connection_status: Option<String>,
        current: Option<bool>,
    ) -> Option<Push> {
        match event {
            "status" => {
                let status = connection_status
                    .filter(|s| !s.is_empty())
                    .map(|s| ConnectionStatus::parse(&s))?;
                Some(match current {
                    Some(is_being_aggregated) => Push::Now {
                        connection_status: status,
                        is_being_aggregated,
                    },
                    None => Push::Status(status),
                })
            }
            "aggregated" => Some(Push::Aggregated),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_any_chunking() {
        let stream = "id: 7\nevent: status\ndata: {\"connection_status\":\"CREATED\"}\n\n: heartbeat\n\nid:8\r\nevent:aggregated\r\ndata:{}\r\n\r\ndata: a\ndata: b\n\n";
        let whole = SseParser::default().feed(stream);
        assert_eq!(whole.len(), 3);
        assert_eq!(whole[0].event, "status");
        assert_eq!(whole[0].id.as_deref(), Some("7"));
        assert_eq!(whole[0].data, "{\"connection_status\":\"CREATED\"}");
        assert_eq!(whole[1].event, "aggregated");
        assert_eq!(whole[1].id.as_deref(), Some("8"));
        assert_eq!(whole[2].event, "message");
        assert_eq!(whole[2].data, "a\nb");
        assert_eq!(whole[2].id.as_deref(), Some("8"), "an id carries over");
        // Every split point gives the same events.
        for cut in 0..stream.len() {
            if !stream.is_char_boundary(cut) {
                continue;
            }
            let mut p = SseParser::default();
            let mut got = p.feed(&stream[..cut]);
            got.extend(p.feed(&stream[cut..]));
            assert_eq!(got, whole, "cut at {cut}");
        }
        // One byte at a time too.
        let mut p = SseParser::default();
        let got: Vec<SseEvent> = stream
            .chars()
            .flat_map(|c| p.feed(&c.to_string()))
            .collect();
        assert_eq!(got, whole);
        assert_eq!(p.last_id(), Some("8"));
    }

    #[test]
    fn pushes_from_events() {
        assert_eq!(
            Push::of("status", Some("CHALLENGED".into()), None),
            Some(Push::Status("CHALLENGED".into()))
        );
        assert_eq!(
            Push::of("status", Some("CONNECTED".into()), Some(true)),
            Some(Push::Now {
                connection_status: "CONNECTED".into(),
                is_being_aggregated: true
            })
        );
        assert_eq!(Push::of("status", None, None), None);
        assert_eq!(Push::of("aggregated", None, None), Some(Push::Aggregated));
        assert_eq!(Push::of("message", Some("X".into()), None), None);
    }
}
