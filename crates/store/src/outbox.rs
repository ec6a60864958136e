//! The outbox: one row per domain event, written in the transaction of the change it
//! describes, so background work can never see a change that did not commit nor miss one
//! that did.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::{Result, Tenant, sql, sql::Params};

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

/// Appends an event inside the transaction of the change (its audit entry, when it has one,
/// joins the audit chain at the commit: [`crate::audit::append_all`]).
pub async fn append<C: ConnectionTrait>(c: &C, tenant: Tenant, m: NewMessage) -> Result<Uuid> {
    let mut p = Params::default();
    let id = Uuid::now_v7();
    let values = [
        p.push(id),
        p.push(tenant.id()),
        p.push(m.kind),
        p.push(sea_orm::Value::Json(Some(Box::new(m.payload)))),
        p.push(m.actor_id),
        p.push(m.actor_name),
        p.push(m.created_at),
    ];
    let insert = format!(
        "INSERT INTO outbox (id, organization_id, kind, payload, actor_id, actor_name, created_at) \
         VALUES ({})",
        values.join(", ")
    );
    sql::exec(c, &insert, p.values).await?;
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
