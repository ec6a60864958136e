//! The outbox: one row per domain event, written in the transaction of the change it
//! describes, so background work can never see a change that did not commit nor miss one
//! that did.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::{Result, Tenant, sql};

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub kind: &'static str,
    pub payload: Json,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub created_at: DateTime<Utc>,
}

/// A stored event.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Message {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub kind: String,
    pub payload: Json,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub created_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

/// Appends an event; call it inside the transaction of the change.
pub async fn append<C: ConnectionTrait>(c: &C, tenant: Tenant, m: NewMessage) -> Result<Uuid> {
    let id = Uuid::now_v7();
    sql::exec(
        c,
        "INSERT INTO outbox (id, organization_id, kind, payload, actor_id, actor_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        vec![
            id.into(),
            tenant.id().into(),
            m.kind.into(),
            sea_orm::Value::Json(Some(Box::new(m.payload))),
            m.actor_id.into(),
            m.actor_name.into(),
            m.created_at.into(),
        ],
    )
    .await?;
    Ok(id)
}

/// The oldest unprocessed events, at most `limit`, across organizations (for the worker).
pub async fn pending<C: ConnectionTrait>(c: &C, limit: u64) -> Result<Vec<Message>> {
    sql::all(
        c,
        "SELECT id, organization_id, kind, payload, actor_id, actor_name, created_at, processed_at \
         FROM outbox WHERE processed_at IS NULL ORDER BY created_at, id LIMIT $1",
        vec![(limit as i64).into()],
    )
    .await
}

/// An organization's events, oldest first (tests and diagnostics).
pub async fn for_tenant<C: ConnectionTrait>(c: &C, tenant: Tenant) -> Result<Vec<Message>> {
    sql::all(
        c,
        "SELECT id, organization_id, kind, payload, actor_id, actor_name, created_at, processed_at \
         FROM outbox WHERE organization_id = $1 ORDER BY created_at, id",
        vec![tenant.id().into()],
    )
    .await
}

/// Marks events as handled; returns how many were still pending.
pub async fn mark_processed<C: ConnectionTrait>(
    c: &C,
    ids: &[Uuid],
    at: DateTime<Utc>,
) -> Result<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut p = sql::Params::default();
    let at = p.push(at);
    let list = p.list(ids);
    sql::exec(
        c,
        &format!(
            "UPDATE outbox SET processed_at = {at} WHERE processed_at IS NULL AND id IN {list}"
        ),
        p.values,
    )
    .await
}

/// How many events wait to be handled (all organizations).
pub async fn pending_count<C: ConnectionTrait>(c: &C) -> Result<u64> {
    sql::count(
        c,
        "SELECT COUNT(*) FROM outbox WHERE processed_at IS NULL",
        vec![],
    )
    .await
}
