//! Email: messages rendered from the templates in `crates/app/templates` (a plain-text and an
//! HTML part; values are escaped in HTML, no user HTML is ever sent), queued as `email` jobs
//! in the transaction of the change they announce, and sent over SMTP by the job handler.
//! Without SMTP configured, messages are written to the log.

use std::sync::Arc;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
    transport::smtp::PoolConfig,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Digest;
use switchyard_store::jobs::NewJob;
use uuid::Uuid;

use crate::{
    App, AppError, AppResult,
    jobs::{Handlers, JobFailure},
};

/// The job kind that sends one email.
pub const EMAIL: &str = "email";

/// An email ready to send (the job's payload).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Fixed per event, so a retried send is recognisable as the same message.
    pub message_id: String,
}

/// SMTP connections kept open per process (one per job a worker runs at once).
pub const SEND_CONNECTIONS: u32 = 16;

/// How email leaves the process.
#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: Arc<AsyncSmtpTransport<Tokio1Executor>>,
        from: Mailbox,
    },
    /// No SMTP configured: each message is logged.
    Log,
}

impl Mailer {
    /// SMTP when `smtp_url` is set (a pooled transport), else the log.
    pub fn new(smtp_url: Option<&str>, from: &str) -> AppResult<Mailer> {
        let Some(url) = smtp_url else {
            return Ok(Mailer::Log);
        };
        // Well inside the worker's 60 s lease, so a hung server cannot outlive the claim
        // and have a second worker send the same message meanwhile.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| AppError::Internal(format!("SWITCHYARD_SMTP_URL: {e}")))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            // As many connections as a worker runs jobs at once: lettre 0.11 leaves Nagle on,
            // which costs ~40 ms a message on each connection (delayed ACK), so throughput
            // comes from sending side by side rather than from one fast connection.
            .pool_config(PoolConfig::new().max_size(SEND_CONNECTIONS))
            .build();
        let from = from
            .parse()
            .map_err(|e| AppError::Internal(format!("SWITCHYARD_MAIL_FROM: {e}")))?;
        Ok(Mailer::Smtp {
            transport: Arc::new(transport),
            from,
        })
    }

    /// Sends one email. A 4xx reply or a connection failure is worth a retry; a 5xx reply
    /// is permanent (the server's reply is kept as the job's error).
    pub async fn send(&self, email: &Email) -> Result<(), JobFailure> {
        let Mailer::Smtp { transport, from } = self else {
            tracing::info!(to = %email.to, subject = %email.subject, message_id = %email.message_id,
                "email (no SMTP configured):\n{}", redact_tokens(&email.text));
            return Ok(());
        };
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|e| JobFailure::Permanent(format!("bad recipient '{}': {e}", email.to)))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(email.subject.clone())
            .message_id(Some(email.message_id.clone()))
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .map_err(|e| JobFailure::Permanent(format!("cannot build the message: {e}")))?;
        match transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(JobFailure::Permanent(e.to_string())),
            Err(e) => Err(JobFailure::Transient(e.to_string())),
        }
    }
}

/// The text with every link token (`#token=…`) blanked: links that sign someone in or
/// reset a password must not land in a log.
fn redact_tokens(text: &str) -> String {
    const MARK: &str = "#token=";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(MARK) {
        out.push_str(&rest[..i + MARK.len()]);
        out.push_str("[redacted]");
        rest = rest[i + MARK.len()..]
            .trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    }
    out.push_str(rest);
    out
}

/// The handler of `email` jobs.
pub fn handlers(handlers: Handlers) -> Handlers {
    handlers.on(EMAIL, |app: App, job| async move {
        let email: Email = serde_json::from_value(job.payload)
            .map_err(|e| JobFailure::Permanent(format!("bad email payload: {e}")))?;
        app.mailer.send(&email).await
    })
}

/// Escapes text for HTML.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Fills `{{name}}` placeholders; `html` escapes the values.
fn render(template: &str, values: &[(&str, &str)], html: bool) -> String {
    values.iter().fold(template.to_string(), |out, (k, v)| {
        let v = if html { escape(v) } else { v.to_string() };
        out.replace(&format!("{{{{{k}}}}}"), &v)
    })
}

/// Which task notice to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// "A task was assigned to you".
    Assigned,
    /// "A comment was added on a task assigned to you".
    Commented,
    /// "You were mentioned" (in a comment or a task's description).
    Mentioned,
}

impl Notice {
    /// The template's name, also part of the Message-ID and the job's dedupe key.
    fn name(self) -> &'static str {
        match self {
            Notice::Assigned => "task_assigned",
            Notice::Commented => "comment_added",
            Notice::Mentioned => "mentioned",
        }
    }
}

/// A notification about a task to one person.
pub struct TaskNotice<'a> {
    pub notice: Notice,
    pub to_email: &'a str,
    pub to_name: &'a str,
    pub actor: &'a str,
    pub task_key: &'a str,
    pub title: &'a str,
    pub comment: &'a str,
    /// The event it announces: the message id and the job's dedupe key derive from it.
    pub event_id: Uuid,
    pub organization_id: Uuid,
}

/// The `email` job for a task notice.
pub fn task_email(app: &App, n: &TaskNotice) -> NewJob {
    let (text, html, subject) = match n.notice {
        Notice::Commented => (
            include_str!("../templates/comment_added.txt"),
            include_str!("../templates/comment_added.html"),
            format!("[{}] New comment on {}", n.task_key, n.title),
        ),
        Notice::Mentioned => (
            include_str!("../templates/mentioned.txt"),
            include_str!("../templates/mentioned.html"),
            format!("[{}] {} mentioned you: {}", n.task_key, n.actor, n.title),
        ),
        Notice::Assigned => (
            include_str!("../templates/task_assigned.txt"),
            include_str!("../templates/task_assigned.html"),
            format!("[{}] Assigned to you: {}", n.task_key, n.title),
        ),
    };
    let link = format!(
        "{}/tasks/{}",
        app.settings.public_url.trim_end_matches('/'),
        n.task_key
    );
    let values = [
        ("recipient", n.to_name),
        ("actor", n.actor),
        ("task_key", n.task_key),
        ("title", n.title),
        ("comment", n.comment),
        ("link", link.as_str()),
    ];
    let domain = mail_domain(app);
    // One event may notify several people (a comment mentioning two): each message has
    // its own id and job.
    let to = sha2::Sha256::digest(n.to_email.to_ascii_lowercase().as_bytes());
    let to = format!("{to:x}");
    let to = &to[..12];
    let email = Email {
        to: n.to_email.to_string(),
        subject,
        text: render(text, &values, false),
        html: render(html, &values, true),
        message_id: format!("<{}.{}.{to}@{domain}>", n.notice.name(), n.event_id),
    };
    NewJob {
        kind: EMAIL.into(),
        payload: json!(email),
        organization_id: Some(n.organization_id),
        run_at: app.clock.now(),
        max_attempts: 8,
        dedupe_key: Some(format!("email:{}:{}:{to}", n.notice.name(), n.event_id)),
    }
}

/// An email about a person's account (an invitation, a password reset). It carries a
/// single-use link, so it is built and sent by the job that mints the link's token: the
/// token exists only in memory and in the message, never in a job payload.
pub struct AccountEmail<'a> {
    /// The template's purpose, part of the Message-ID.
    pub purpose: &'a str,
    pub to_email: &'a str,
    pub to_name: &'a str,
    pub subject: String,
    pub message: String,
    /// The call to action and the path it opens (below the public URL).
    pub action: &'a str,
    pub path: String,
    pub footer: &'a str,
    /// Unique per message (a token's hash).
    pub unique: String,
}

/// The message of an account email.
pub fn account_message(app: &App, e: &AccountEmail) -> Email {
    let link = format!(
        "{}{}",
        app.settings.public_url.trim_end_matches('/'),
        e.path
    );
    let values = [
        ("recipient", e.to_name),
        ("message", e.message.as_str()),
        ("action", e.action),
        ("link", link.as_str()),
        ("footer", e.footer),
    ];
    Email {
        to: e.to_email.to_string(),
        subject: e.subject.clone(),
        text: render(include_str!("../templates/account.txt"), &values, false),
        html: render(include_str!("../templates/account.html"), &values, true),
        message_id: format!("<{}.{}@{}>", e.purpose, e.unique, mail_domain(app)),
    }
}

/// The `email` job for a prepared message that carries no secret (a security notice).
pub fn email_job(app: &App, email: Email, organization_id: Option<Uuid>, unique: &str) -> NewJob {
    NewJob {
        kind: EMAIL.into(),
        dedupe_key: Some(format!("email:notice:{unique}")),
        payload: json!(email),
        organization_id,
        run_at: app.clock.now(),
        max_attempts: 8,
    }
}

/// The domain of the sender address, for Message-IDs.
fn mail_domain(app: &App) -> &str {
    app.settings
        .mail_from
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('>'))
        .unwrap_or("switchyard")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_emails_carry_no_link_tokens() {
        let text = "Open https://x.test/reset-password#token=Ab-_9z then\nor #token=Q.";
        assert_eq!(
            redact_tokens(text),
            "Open https://x.test/reset-password#token=[redacted] then\nor #token=[redacted]."
        );
    }

    #[test]
    fn html_values_are_escaped_and_text_values_are_not() {
        let t = "<p>{{title}}</p>";
        assert_eq!(
            render(t, &[("title", "<b>&\"x'")], true),
            "<p>&lt;b&gt;&amp;&quot;x&#39;</p>"
        );
        assert_eq!(render("{{title}}", &[("title", "<b>")], false), "<b>");
    }
}
