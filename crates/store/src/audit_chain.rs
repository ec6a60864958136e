//! The audit log's hash chain: every entry of an organization carries its sequence number,
//! the previous entry's hash and its own hash, so a modified, deleted or inserted entry
//! shows when the chain is walked ([`crate::audit_verify`]).
//!
//! An entry's hash is taken in two steps, built here so both backends (and an offline
//! verifier, see the README) agree. Its *content hash* is the lowercase hex SHA-256 of a
//! compact JSON array with a fixed field order:
//!
//! ```text
//! ["switchyard-audit-v1", organization_id, id, task_id|null, task_key, action,
//!  performed_by|null, performed_by_name if performed_by is null else null,
//!  old_value|null, new_value|null, reason, timestamp in UTC microseconds]
//! ```
//!
//! and its *hash* is the lowercase hex SHA-256 of the ASCII text
//! `"<prev_hash>:<seq>:<content hash>"`. The content hash needs nothing of the chain, so it is
//! computed before the chain's head is locked; the link step is simple enough for PostgreSQL
//! to take in the statement that advances the head (one statement while the lock is held).
//!
//! UUIDs are lowercase and hyphenated; object keys are sorted; numbers in values are
//! integers (the events record none other: JSON libraries need not print a fraction alike,
//! so the offline verifier refuses one); in `old_value`/`new_value` the values of
//! [`PERSONAL_KEYS`] are replaced by `null`. The chain commits to people by id, not by
//! name, because an erasure (personal-data request) replaces their names by a pseudonym:
//! names are a display copy of who the id identifies, and rewriting them must not break the
//! chain. The first entry's `prev_hash` is [`GENESIS`].
//!
//! Appends of one organization are serialised by its row in `audit_chain_heads`, locked from
//! the append (just before the commit) to the commit.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};
use serde_json::{Map, Value as Json, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Result, StoreError, Tenant, sql, sql::Params};

/// The `prev_hash` of an organization's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Keys whose values in `old_value`/`new_value` name a person (and that an erasure rewrites):
/// left out of the hash.
pub const PERSONAL_KEYS: [&str; 2] = ["username", "email"];

/// The fields of an entry that its content hash covers.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    pub organization_id: Uuid,
    pub id: Uuid,
    pub task_id: Option<Uuid>,
    pub task_key: &'a str,
    pub action: &'a str,
    pub performed_by: Option<Uuid>,
    pub performed_by_name: &'a str,
    pub old_value: Option<&'a Json>,
    pub new_value: Option<&'a Json>,
    pub reason: &'a str,
    pub timestamp: DateTime<Utc>,
}

/// The bytes an entry's content hash is taken over.
pub fn content_bytes(f: &Fields<'_>) -> Vec<u8> {
    let value = json!([
        "switchyard-audit-v1",
        f.organization_id.to_string(),
        f.id.to_string(),
        f.task_id.map(|t| t.to_string()),
        f.task_key,
        f.action,
        f.performed_by.map(|p| p.to_string()),
        f.performed_by.is_none().then_some(f.performed_by_name),
        f.old_value.map(without_names),
        f.new_value.map(without_names),
        f.reason,
        f.timestamp.timestamp_micros(),
    ]);
    serde_json::to_vec(&value).unwrap_or_default()
}

/// Lowercase hex SHA-256 of [`content_bytes`].
pub fn content_hash(f: &Fields<'_>) -> String {
    hex(&Sha256::digest(content_bytes(f)))
}

/// An entry's hash from its place in the chain and its content hash.
pub fn link_hash(prev_hash: &str, seq: i64, content_hash: &str) -> String {
    hex(&Sha256::digest(format!("{prev_hash}:{seq}:{content_hash}")))
}

/// An entry's hash at `seq` after `prev_hash`.
pub fn entry_hash(f: &Fields<'_>, seq: i64, prev_hash: &str) -> String {
    link_hash(prev_hash, seq, &content_hash(f))
}

/// Lowercase hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A copy of `v` with sorted keys and the values of [`PERSONAL_KEYS`] set to `null`.
fn without_names(v: &Json) -> Json {
    match v {
        Json::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                let value = if PERSONAL_KEYS.contains(&k.as_str()) {
                    Json::Null
                } else {
                    without_names(&map[k])
                };
                out.insert(k.clone(), value);
            }
            Json::Object(out)
        }
        Json::Array(items) => Json::Array(items.iter().map(without_names).collect()),
        other => other.clone(),
    }
}

/// Times as stored: both backends keep microseconds, so hashes are taken over them.
pub fn to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// A position in an organization's chain: the last sequence number and its hash.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

impl Head {
    /// An empty chain.
    pub fn start() -> Head {
        Head {
            seq: 0,
            hash: GENESIS.to_string(),
        }
    }

    /// Links the next entry, given its content hash, and moves on.
    pub fn link(&mut self, content_hash: &str) -> Link {
        let prev_hash = self.hash.clone();
        let seq = self.seq + 1;
        let hash = link_hash(&prev_hash, seq, content_hash);
        self.seq = seq;
        self.hash = hash.clone();
        Link {
            seq,
            prev_hash,
            hash,
        }
    }
}

/// An entry's place in the chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Link {
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
}

/// The chain's head as stored (an organization without entries has none yet).
pub async fn head<C: ConnectionTrait>(c: &C, tenant: Tenant) -> Result<Head> {
    Ok(sql::one(
        c,
        "SELECT seq, hash FROM audit_chain_heads WHERE organization_id = $1",
        vec![tenant.id().into()],
    )
    .await?
    .unwrap_or_else(Head::start))
}

/// Takes the next `n` sequence numbers of the organization's chain and returns where the
/// chain stood before them (the last sequence number and its hash). The head row stays
/// locked until the transaction ends, which serialises this organization's appends (and
/// only this organization's).
pub(crate) async fn advance<C: ConnectionTrait>(c: &C, tenant: Tenant, n: i64) -> Result<Head> {
    sql::one(
        c,
        "INSERT INTO audit_chain_heads (organization_id, seq, hash) VALUES ($1, $2, $3) \
         ON CONFLICT (organization_id) DO UPDATE SET seq = audit_chain_heads.seq + $2 \
         RETURNING seq - $2 AS seq, hash",
        vec![tenant.id().into(), n.into(), GENESIS.into()],
    )
    .await?
    .ok_or_else(|| StoreError::Config("the audit chain head could not be advanced".into()))
}

/// PostgreSQL: a statement that takes the organization's next sequence number and links one
/// entry with content hash `content` at once (the link step in SQL), returning its `seq`,
/// `prev_hash` and `hash` (values pushed onto `p`). Joined with the entry's insert, an
/// append is one statement while the head is locked.
pub(crate) fn link_one_sql(p: &mut Params, tenant: Tenant, content: &str) -> String {
    let org = p.push(tenant.id());
    let first = p.push(link_hash(GENESIS, 1, content));
    let genesis = p.push(GENESIS);
    let content = p.push(content.to_string());
    format!(
        "INSERT INTO audit_chain_heads AS ch (organization_id, seq, hash, prev_hash) \
         VALUES ({org}, 1, {first}, {genesis}) ON CONFLICT (organization_id) DO UPDATE SET \
         seq = ch.seq + 1, prev_hash = ch.hash, \
         hash = encode(sha256(convert_to(ch.hash || ':' || CAST(ch.seq + 1 AS TEXT) || ':' || {content}, 'UTF8')), 'hex') \
         RETURNING seq, prev_hash, hash"
    )
}

/// The `UPDATE` that records the new head hash, its values pushed onto `p`.
pub(crate) fn set_hash_sql(p: &mut Params, tenant: Tenant, hash: &str) -> String {
    format!(
        "UPDATE audit_chain_heads SET hash = {} WHERE organization_id = {}",
        p.push(hash.to_string()),
        p.push(tenant.id())
    )
}

/// Sets the head to ($2, $3) if it stands at ($4, $5) (or is absent and $4 is 0).
pub(crate) const MOVE_HEAD: &str = "INSERT INTO audit_chain_heads (organization_id, seq, hash) \
     VALUES ($1, $2, $3) ON CONFLICT (organization_id) DO UPDATE SET seq = EXCLUDED.seq, \
     hash = EXCLUDED.hash WHERE audit_chain_heads.seq = $4 AND audit_chain_heads.hash = $5";

/// Moves the head from `from` (compare and set) to `to`, for bulk loads that chained their
/// entries themselves. Fails when another append moved it meanwhile.
pub async fn move_head<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    from: &Head,
    to: &Head,
) -> Result<()> {
    if from == to {
        return Ok(());
    }
    let moved = sql::exec(
        c,
        MOVE_HEAD,
        vec![
            tenant.id().into(),
            to.seq.into(),
            to.hash.clone().into(),
            from.seq.into(),
            from.hash.clone().into(),
        ],
    )
    .await?;
    head_moved(moved)
}

/// The outcome of [`MOVE_HEAD`] by the rows it changed: one, or someone appended meanwhile.
pub(crate) fn head_moved(rows: u64) -> Result<()> {
    if rows == 1 {
        Ok(())
    } else {
        Err(StoreError::Config(
            "the organization's audit log changed during the load; load again while it is quiet"
                .into(),
        ))
    }
}

/// Whether the backend joins the head update and the insert in one statement.
pub(crate) fn joins_statements<C: ConnectionTrait>(c: &C) -> bool {
    c.get_database_backend() == DbBackend::Postgres
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(old: Option<&'a Json>, name: &'a str, by: Option<Uuid>) -> Fields<'a> {
        Fields {
            organization_id: Uuid::nil(),
            id: Uuid::from_u128(1),
            task_id: None,
            task_key: "NOVA-0001",
            action: "assigned",
            performed_by: by,
            performed_by_name: name,
            old_value: old,
            new_value: None,
            reason: "",
            timestamp: DateTime::from_timestamp_micros(1_764_504_000_123_456).unwrap(),
        }
    }

    #[test]
    fn content_bytes_have_a_fixed_documented_shape() {
        let old = json!({"username": "alice", "assigned_to": "x"});
        let bytes = content_bytes(&fields(Some(&old), "bob", Some(Uuid::from_u128(2))));
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "[\"switchyard-audit-v1\",\"00000000-0000-0000-0000-000000000000\",\
             \"00000000-0000-0000-0000-000000000001\",null,\"NOVA-0001\",\"assigned\",\
             \"00000000-0000-0000-0000-000000000002\",null,\
             {\"assigned_to\":\"x\",\"username\":null},null,\"\",1764504000123456]"
        );
    }

    #[test]
    fn the_link_step_hashes_prev_seq_and_content_as_text() {
        // sha256("<64 zeros>:1:abc"), as `printf '%s' … | sha256sum` prints it.
        assert_eq!(
            link_hash(GENESIS, 1, "abc"),
            hex(&Sha256::digest(format!("{GENESIS}:1:abc")))
        );
        assert_ne!(link_hash(GENESIS, 1, "abc"), link_hash(GENESIS, 2, "abc"));
    }

    #[test]
    fn names_of_people_do_not_change_the_hash_but_everything_else_does() {
        let by = Some(Uuid::from_u128(2));
        let a = json!({"username": "alice", "assigned_to": "x"});
        let b = json!({"username": "deleted-user-1", "assigned_to": "x"});
        let c = json!({"username": "alice", "assigned_to": "y"});
        let base = content_hash(&fields(Some(&a), "bob", by));
        assert_eq!(base, content_hash(&fields(Some(&b), "deleted-user-2", by)));
        assert_ne!(base, content_hash(&fields(Some(&c), "bob", by)));
        // A system actor's name is not personal data: it is covered.
        assert_ne!(
            content_hash(&fields(None, "SLA sweep", None)),
            content_hash(&fields(None, "someone", None))
        );
    }

    #[test]
    fn linking_moves_the_head_along() {
        let mut head = Head::start();
        let first = head.link("c1");
        assert_eq!((first.seq, first.prev_hash.as_str()), (1, GENESIS));
        let second = head.link("c2");
        assert_eq!((second.seq, second.prev_hash), (2, first.hash));
        assert_eq!(head.seq, 2);
    }
}
