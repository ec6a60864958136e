//! Walking an organization's audit chain (`switchyard audit verify`), reading it in chain
//! order (the export), and the signed checkpoints that make a truncated tail detectable.
//!
//! A checkpoint is (organization, seq, hash, signed_at) with an HMAC-SHA256 signature under
//! a key kept outside the database: whoever can rewrite the tables cannot forge one, so
//! removing or rewriting entries up to a checkpoint's `seq` shows even when the chain was
//! recomputed after the change.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde_json::{Value as Json, json};
use sha2::Sha256;
use uuid::Uuid;

use crate::{
    Result, Tenant,
    audit_chain::{self, Fields, GENESIS, hex},
    sql,
};

/// An entry with its chain fields, in the order the chain links them.
#[derive(Debug, Clone, FromQueryResult)]
pub struct ChainedEntry {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub seq: Option<i64>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
    pub task_id: Option<Uuid>,
    pub task_key: String,
    pub action: String,
    pub performed_by: Option<Uuid>,
    pub performed_by_name: String,
    pub old_value: Option<Json>,
    pub new_value: Option<Json>,
    pub reason: String,
    pub timestamp: DateTime<Utc>,
}

impl ChainedEntry {
    /// The fields its content hash covers.
    pub fn fields(&self) -> Fields<'_> {
        Fields {
            organization_id: self.organization_id,
            id: self.id,
            task_id: self.task_id,
            task_key: &self.task_key,
            action: &self.action,
            performed_by: self.performed_by,
            performed_by_name: &self.performed_by_name,
            old_value: self.old_value.as_ref(),
            new_value: self.new_value.as_ref(),
            reason: &self.reason,
            timestamp: self.timestamp,
        }
    }

    /// The entry as one line of the export (JSON, chain fields included).
    pub fn to_json(&self) -> Json {
        json!({
            "organization": self.organization_id,
            "seq": self.seq,
            "id": self.id,
            "task_id": self.task_id,
            "task_key": self.task_key,
            "action": self.action,
            "performed_by": self.performed_by,
            "performed_by_name": self.performed_by_name,
            "old_value": self.old_value,
            "new_value": self.new_value,
            "reason": self.reason,
            "timestamp": self.timestamp.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "timestamp_us": self.timestamp.timestamp_micros(),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        })
    }
}

const COLUMNS: &str = "id, organization_id, seq, prev_hash, hash, task_id, task_key, action, \
    performed_by, performed_by_name, old_value, new_value, reason, timestamp";

/// Up to `limit` chained entries after `after_seq`, in chain order.
pub async fn entries_after<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    after_seq: i64,
    limit: u64,
) -> Result<Vec<ChainedEntry>> {
    sql::all(
        c,
        &format!(
            "SELECT {COLUMNS} FROM audit_logs WHERE organization_id = $1 AND seq > $2 \
             ORDER BY seq LIMIT $3"
        ),
        vec![tenant.id().into(), after_seq.into(), (limit as i64).into()],
    )
    .await
}

/// Up to `limit` entries that are not in the chain (entries written before the chain
/// existed), oldest first, after the entry at `after` (time, id) when given.
pub(crate) async fn unchained<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u64,
) -> Result<Vec<ChainedEntry>> {
    let mut values = vec![tenant.id().into(), (limit as i64).into()];
    let mut from = String::new();
    if let Some((at, id)) = after {
        from = " AND (timestamp > $3 OR (timestamp = $3 AND id > $4))".into();
        values.push(at.into());
        values.push(id.into());
    }
    sql::all(
        c,
        &format!(
            "SELECT {COLUMNS} FROM audit_logs WHERE organization_id = $1 AND seq IS NULL{from} \
             ORDER BY timestamp, id LIMIT $2"
        ),
        values,
    )
    .await
}

/// A signed checkpoint.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Checkpoint {
    pub organization_id: Uuid,
    pub seq: i64,
    pub hash: String,
    pub signed_at: DateTime<Utc>,
    pub signature: String,
}

/// The checkpoint signing key, derived from the configured secret (so the secret itself
/// never signs anything else's messages).
pub fn checkpoint_key(secret: &[u8]) -> Vec<u8> {
    mac(secret, b"switchyard-audit-checkpoint-key-v1")
}

fn mac(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts any key");
    m.update(message);
    m.finalize().into_bytes().to_vec()
}

/// The signature of a checkpoint: hex HMAC-SHA256 over its canonical JSON array.
pub fn sign(key: &[u8], org: Uuid, seq: i64, hash: &str, signed_at: DateTime<Utc>) -> String {
    let message = json!([
        "switchyard-audit-checkpoint-v1",
        org.to_string(),
        seq,
        hash,
        signed_at.timestamp_micros()
    ]);
    hex(&mac(key, message.to_string().as_bytes()))
}

/// Signs a checkpoint at the head of every organization whose chain grew by `every` entries
/// since its last checkpoint, or grew at all and was last signed before `stale_before`.
/// Returns the checkpoints written.
pub async fn sign_due<C: ConnectionTrait>(
    c: &C,
    key: &[u8],
    every: i64,
    stale_before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<Checkpoint>> {
    #[derive(FromQueryResult)]
    struct Due {
        organization_id: Uuid,
        seq: i64,
        hash: String,
    }
    let due: Vec<Due> = sql::all(
        c,
        "SELECT h.organization_id, h.seq, h.hash FROM audit_chain_heads h \
         LEFT JOIN (SELECT organization_id, MAX(seq) AS seq, MAX(signed_at) AS signed_at \
                    FROM audit_checkpoints GROUP BY organization_id) p \
           ON p.organization_id = h.organization_id \
         WHERE p.seq IS NULL OR (h.seq > p.seq AND (h.seq - p.seq >= $1 OR p.signed_at <= $2))",
        vec![every.into(), stale_before.into()],
    )
    .await?;
    let now = audit_chain::to_micros(now);
    let mut out = Vec::with_capacity(due.len());
    for d in due {
        let signature = sign(key, d.organization_id, d.seq, &d.hash, now);
        // Another instance may have signed the same head a moment ago: only ours is reported.
        let written = sql::exec(
            c,
            "INSERT INTO audit_checkpoints (organization_id, seq, hash, signed_at, signature) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (organization_id, seq) DO NOTHING",
            vec![
                d.organization_id.into(),
                d.seq.into(),
                d.hash.clone().into(),
                now.into(),
                signature.clone().into(),
            ],
        )
        .await?;
        if written == 0 {
            continue;
        }
        out.push(Checkpoint {
            organization_id: d.organization_id,
            seq: d.seq,
            hash: d.hash,
            signed_at: now,
            signature,
        });
    }
    Ok(out)
}

/// What is wrong, at which sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub seq: i64,
    pub what: String,
}

/// The outcome of walking one organization's chain.
#[derive(Debug, Clone)]
pub struct Report {
    pub entries: u64,
    pub checkpoints: u64,
    /// Every problem found, lowest sequence number first (empty: the log verifies).
    pub problems: Vec<Problem>,
}

/// Entries read per query while walking.
const PAGE: u64 = 5000;

/// Walks the organization's chain: every entry must follow the one before it and hash to
/// what it says; no entry may be outside the chain; the head and every signed checkpoint
/// (checked with `key`, from [`checkpoint_key`]) must match the entries they vouch for.
pub async fn verify<C: ConnectionTrait>(c: &C, tenant: Tenant, key: &[u8]) -> Result<Report> {
    let checkpoints: Vec<Checkpoint> = sql::all(
        c,
        "SELECT organization_id, seq, hash, signed_at, signature FROM audit_checkpoints \
         WHERE organization_id = $1 ORDER BY seq",
        vec![tenant.id().into()],
    )
    .await?;
    // Read before the walk, so entries appended meanwhile are simply not looked at (rather
    // than taken for a truncation): the walk stops at this head.
    let head = audit_chain::head(c, tenant).await?;
    let mut problems = Vec::new();
    let vouched: std::collections::HashMap<i64, &str> = checkpoints
        .iter()
        .map(|p| (p.seq, p.hash.as_str()))
        .collect();
    for p in &checkpoints {
        if sign(key, p.organization_id, p.seq, &p.hash, p.signed_at) != p.signature {
            problems.push(Problem {
                seq: p.seq,
                what: format!(
                    "the checkpoint at #{} has an invalid signature (forged, or signed with another key)",
                    p.seq
                ),
            });
        }
    }
    let (mut expected, mut prev, mut entries) = (1i64, GENESIS.to_string(), 0u64);
    loop {
        let page = entries_after(c, tenant, expected - 1, PAGE).await?;
        let done = (page.len() as u64) < PAGE;
        for e in page
            .iter()
            .take_while(|e| e.seq.unwrap_or_default() <= head.seq)
        {
            entries += 1;
            let seq = e.seq.unwrap_or_default();
            if seq != expected {
                problems.push(Problem {
                    seq: expected,
                    what: if seq == expected + 1 {
                        format!("entry #{expected} is missing (deleted)")
                    } else {
                        format!("entries #{expected} to #{} are missing (deleted)", seq - 1)
                    },
                });
            } else if e.prev_hash.as_deref() != Some(prev.as_str()) {
                problems.push(Problem {
                    seq,
                    what: format!(
                        "entry #{seq} does not follow entry #{}: an entry was inserted or removed before it",
                        seq - 1
                    ),
                });
            }
            let own = e.prev_hash.as_deref().unwrap_or_default();
            if e.hash.as_deref() != Some(audit_chain::entry_hash(&e.fields(), seq, own).as_str()) {
                problems.push(Problem {
                    seq,
                    what: format!("entry #{seq} was modified"),
                });
            }
            if let Some(signed) = vouched.get(&seq)
                && e.hash.as_deref() != Some(*signed)
            {
                problems.push(Problem {
                    seq,
                    what: format!(
                        "entry #{seq} differs from its signed checkpoint: the chain was rewritten up to here"
                    ),
                });
            }
            prev = e.hash.clone().unwrap_or_default();
            expected = seq + 1;
        }
        if done || expected > head.seq {
            break;
        }
    }
    let last = expected - 1;
    if let Some(outside) = unchained(c, tenant, None, 1).await?.first() {
        problems.push(Problem {
            seq: last + 1,
            what: format!(
                "entry {} is outside the chain (inserted without a sequence number)",
                outside.id
            ),
        });
    }
    let top = checkpoints.last().map_or(0, |p| p.seq).max(head.seq);
    if top > last {
        problems.push(Problem {
            seq: last + 1,
            what: format!(
                "entries #{} to #{top} are missing: the log was truncated after #{last}",
                last + 1
            ),
        });
    } else if head.seq != last || head.hash != prev {
        problems.push(Problem {
            seq: last,
            what: format!("the chain's head does not match entry #{last}"),
        });
    }
    // Entries past the head: legitimate ones were appended since the head was read, and
    // their commit moved the head too, so a head read after them is at least as far.
    if let Some(beyond) = entries_after(c, tenant, head.seq, 1).await?.first() {
        let now = audit_chain::head(c, tenant).await?;
        let seq = beyond.seq.unwrap_or_default();
        if seq > now.seq {
            problems.push(Problem {
                seq,
                what: format!("entry #{seq} lies beyond the chain's head (#{})", now.seq),
            });
        }
    }
    problems.sort_by_key(|p| p.seq);
    Ok(Report {
        entries,
        checkpoints: checkpoints.len() as u64,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_signature_depends_on_every_field_and_the_key() {
        let at = DateTime::from_timestamp_micros(1_764_504_000_000_000).unwrap();
        let key = checkpoint_key(b"0123456789abcdef0123456789abcdef");
        let base = sign(&key, Uuid::nil(), 10, "ab", at);
        assert_eq!(base.len(), 64);
        assert_ne!(base, sign(&key, Uuid::nil(), 11, "ab", at));
        assert_ne!(base, sign(&key, Uuid::nil(), 10, "ac", at));
        assert_ne!(
            base,
            sign(&checkpoint_key(b"another key"), Uuid::nil(), 10, "ab", at)
        );
    }
}
