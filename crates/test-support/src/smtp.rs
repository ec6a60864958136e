//! A local SMTP sink for tests: it speaks enough SMTP for a real client (lettre), records
//! each message, and can be told to refuse the next transactions with a given reply code.

use std::{
    collections::VecDeque,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

/// A message the sink accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The raw message (headers and body) as sent after DATA.
    pub data: String,
}

impl Received {
    /// The `Message-ID` header's value, if the message has one.
    pub fn message_id(&self) -> Option<&str> {
        self.data.lines().find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("message-id")
                .then(|| value.trim())
        })
    }
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    refusals: VecDeque<u16>,
    /// Transactions still to hold without a reply after their data arrived.
    stalls: usize,
    stalled: Vec<Received>,
}

/// The sink; stops when dropped.
pub struct SmtpSink {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    /// Listens on an ephemeral loopback port.
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind sink");
        let addr = listener.local_addr().expect("sink addr");
        let state: Arc<Mutex<State>> = Arc::default();
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, shared.clone()));
            }
        });
        SmtpSink { addr, state, task }
    }

    /// `smtp://127.0.0.1:<port>` (plain SMTP, no TLS: loopback only).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Answers the next `times` transactions' `MAIL FROM` with `code` (421: try later; 550:
    /// refused for good).
    pub fn refuse_next(&self, code: u16, times: usize) {
        let mut s = self.state.lock().unwrap();
        s.refusals.extend(std::iter::repeat_n(code, times));
    }

    /// Receives the next `times` messages' data but never answers it (the client waits, as
    /// on a hung server): a sender can be killed while it holds its job.
    pub fn stall_next(&self, times: usize) {
        self.state.lock().unwrap().stalls += times;
    }

    /// The messages received but left unanswered by [`SmtpSink::stall_next`].
    pub fn stalled(&self) -> Vec<Received> {
        self.state.lock().unwrap().stalled.clone()
    }

    /// How many messages were accepted so far (cheaper than [`SmtpSink::received`]).
    pub fn received_count(&self) -> usize {
        self.state.lock().unwrap().received.len()
    }

    /// The messages accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(socket: tokio::net::TcpStream, state: Arc<Mutex<State>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    let reply = |text: String| format!("{text}\r\n").into_bytes();
    let _ = write.write_all(&reply("220 sink ESMTP".into())).await;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        let answer = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            "250-sink\r\n250 8BITMIME".to_string()
        } else if upper.starts_with("MAIL FROM:") {
            let refusal = state.lock().unwrap().refusals.pop_front();
            match refusal {
                Some(code) => format!("{code} refused by the test sink"),
                None => {
                    from = command[10..].trim().to_string();
                    to.clear();
                    "250 OK".to_string()
                }
            }
        } else if upper.starts_with("RCPT TO:") {
            to.push(command[8..].trim().to_string());
            "250 OK".to_string()
        } else if upper == "DATA" {
            let _ = write.write_all(&reply("354 go ahead".into())).await;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            let message = Received {
                from: from.clone(),
                to: to.clone(),
                data,
            };
            let stall = {
                let mut s = state.lock().unwrap();
                let stall = s.stalls > 0;
                if stall {
                    s.stalls -= 1;
                    s.stalled.push(message);
                } else {
                    s.received.push(message);
                }
                stall
            };
            if stall {
                // Hold the client until it gives up or dies.
                let _ = lines.read_line(&mut line).await;
                return;
            }
            "250 accepted".to_string()
        } else if upper == "QUIT" {
            let _ = write.write_all(&reply("221 bye".into())).await;
            return;
        } else {
            // RSET, NOOP and anything else.
            "250 OK".to_string()
        };
        if write.write_all(&reply(answer)).await.is_err() {
            return;
        }
    }
}
