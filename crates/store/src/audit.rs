//! The append-only audit log: entries are inserted with the change they record, never
//! updated or deleted (a PostgreSQL trigger enforces it too).

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::{Page, Result, Tenant, audit_chain, now, sql, sql::Params};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    StateChanged,
    Assigned,
    Commented,
    SlaBreached,
    Deleted,
    Invited,
    InvitationRevoked,
    Joined,
    Deactivated,
    Reactivated,
    DependencyAdded,
    DependencyRemoved,
    CollaboratorAdded,
    CollaboratorRemoved,
    AttachmentAdded,
    AttachmentRemoved,
}

impl Action {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::StateChanged => "state_changed",
            Action::Assigned => "assigned",
            Action::Commented => "commented",
            Action::SlaBreached => "sla_breached",
            Action::Deleted => "deleted",
            Action::Invited => "invited",
            Action::InvitationRevoked => "invitation_revoked",
            Action::Joined => "joined",
            Action::Deactivated => "deactivated",
            Action::Reactivated => "reactivated",
            Action::DependencyAdded => "dependency_added",
            Action::DependencyRemoved => "dependency_removed",
            Action::CollaboratorAdded => "collaborator_added",
            Action::CollaboratorRemoved => "collaborator_removed",
            Action::AttachmentAdded => "attachment_added",
            Action::AttachmentRemoved => "attachment_removed",
        }
    }

    /// Every action, in documentation order.
    pub const ALL: [Action; 18] = [
        Action::Created,
        Action::Updated,
        Action::StateChanged,
        Action::Assigned,
        Action::Commented,
        Action::SlaBreached,
        Action::Deleted,
        Action::Invited,
        Action::InvitationRevoked,
        Action::Joined,
        Action::Deactivated,
        Action::Reactivated,
        Action::DependencyAdded,
        Action::DependencyRemoved,
        Action::CollaboratorAdded,
        Action::CollaboratorRemoved,
        Action::AttachmentAdded,
        Action::AttachmentRemoved,
    ];

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// Who did it: a person (id and name kept, so the entry survives their deletion) or the
/// system (scheduled jobs).
#[derive(Debug, Clone)]
pub enum Actor {
    User { id: Uuid, name: String },
    System,
}

/// An entry to write.
#[derive(Debug, Clone)]
pub struct Entry {
    pub task_id: Option<Uuid>,
    pub task_key: String,
    pub action: Action,
    pub actor: Actor,
    pub old_value: Option<Json>,
    pub new_value: Option<Json>,
    pub reason: String,
}

/// Appends an entry; call it inside the transaction of the change it records.
pub async fn record(c: &DatabaseTransaction, tenant: Tenant, e: Entry) -> Result<()> {
    append_all(c, tenant, vec![(e, now())]).await
}

/// Appends an entry with an explicit time (seeding a believable history).
pub async fn record_at(
    c: &DatabaseTransaction,
    tenant: Tenant,
    e: Entry,
    at: DateTime<Utc>,
) -> Result<()> {
    append_all(c, tenant, vec![(e, at)]).await
}

/// Rows of one combined statement on PostgreSQL (14 parameters each, well under its limit).
const ROWS_PER_STATEMENT: usize = 1000;

/// Appends entries, in order, to the organization's hash chain (see [`audit_chain`]): takes
/// their sequence numbers at once (which locks the chain's head until the transaction
/// ends), hashes them and writes them with the new head. The unit of work calls this just
/// before it commits, so the head — the one row every write of an organization shares — is
/// held for the commit and little else. It needs a transaction: the lock must outlive the
/// statement that takes it.
pub async fn append_all(
    c: &DatabaseTransaction,
    tenant: Tenant,
    entries: Vec<(Entry, DateTime<Utc>)>,
) -> Result<()> {
    let mut rows: Vec<Row> = entries
        .into_iter()
        .map(|(e, at)| Row::new(tenant, e, at))
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let mut p = Params::default();
    if audit_chain::joins_statements(c) && rows.len() == 1 {
        // The usual case: the head is advanced, the entry linked and inserted in one go.
        let row = rows.remove(0);
        let link = audit_chain::link_one_sql(&mut p, tenant, &row.content_hash);
        let insert = insert_linked_sql(&mut p, tenant, row);
        sql::exec(c, &format!("WITH h AS ({link}) {insert}"), p.values).await?;
        return Ok(());
    }
    let mut head = audit_chain::advance(c, tenant, rows.len() as i64).await?;
    for row in &mut rows {
        row.link = head.link(&row.content_hash);
    }
    let set_head = audit_chain::set_hash_sql(&mut p, tenant, &head.hash);
    if audit_chain::joins_statements(c) && rows.len() <= ROWS_PER_STATEMENT {
        let insert = insert_sql(&mut p, tenant, rows);
        sql::exec(
            c,
            &format!("WITH chain_head AS ({set_head}) {insert}"),
            p.values,
        )
        .await?;
        return Ok(());
    }
    sql::exec(c, &set_head, p.values).await?;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut p = Params::default();
        let insert = insert_sql(&mut p, tenant, chunk.to_vec());
        sql::exec(c, &insert, p.values).await?;
    }
    Ok(())
}

/// An entry as it is inserted: its content hashed, its link filled in once the chain's
/// head is known.
#[derive(Clone)]
struct Row {
    id: Uuid,
    task_id: Option<Uuid>,
    task_key: String,
    action: &'static str,
    performed_by: Option<Uuid>,
    performed_by_name: String,
    old_value: Option<Json>,
    new_value: Option<Json>,
    reason: String,
    timestamp: DateTime<Utc>,
    content_hash: String,
    link: audit_chain::Link,
}

impl Row {
    /// `e` at `at`, its content hashed.
    fn new(tenant: Tenant, e: Entry, at: DateTime<Utc>) -> Row {
        let timestamp = audit_chain::to_micros(at);
        let id = Uuid::now_v7();
        let (performed_by, performed_by_name) = match e.actor {
            Actor::User { id, name } => (Some(id), name),
            Actor::System => (None, String::new()),
        };
        let content_hash = audit_chain::content_hash(&audit_chain::Fields {
            organization_id: tenant.id(),
            id,
            task_id: e.task_id,
            task_key: &e.task_key,
            action: e.action.as_str(),
            performed_by,
            performed_by_name: &performed_by_name,
            old_value: e.old_value.as_ref(),
            new_value: e.new_value.as_ref(),
            reason: &e.reason,
            timestamp,
        });
        Row {
            id,
            task_id: e.task_id,
            task_key: e.task_key,
            action: e.action.as_str(),
            performed_by,
            performed_by_name,
            old_value: e.old_value,
            new_value: e.new_value,
            reason: e.reason,
            timestamp,
            content_hash,
            link: audit_chain::Link::default(),
        }
    }

    /// The entry's own values (not its link), pushed onto `p`.
    fn values(self, p: &mut Params, tenant: Tenant) -> (Vec<String>, audit_chain::Link) {
        let json = |v: Option<Json>| sea_orm::Value::Json(v.map(Box::new));
        let values = vec![
            p.push(self.id),
            p.push(tenant.id()),
            p.push(self.task_id),
            p.push(self.task_key),
            p.push(self.action),
            p.push(self.performed_by),
            p.push(self.performed_by_name),
            p.push(json(self.old_value)),
            p.push(json(self.new_value)),
            p.push(self.reason),
            p.push(self.timestamp),
        ];
        (values, self.link)
    }
}

/// The columns of [`insert_sql`], in order (bulk loads write the same).
pub(crate) const COLUMNS: &str = "id, organization_id, task_id, task_key, action, performed_by, \
    performed_by_name, old_value, new_value, reason, timestamp, seq, prev_hash, hash";

/// The `INSERT` of linked entries, their values pushed onto `p` (so it can share a
/// statement).
fn insert_sql(p: &mut Params, tenant: Tenant, rows: Vec<Row>) -> String {
    let tuples: Vec<String> = rows
        .into_iter()
        .map(|r| {
            let (mut values, link) = r.values(p, tenant);
            values.push(p.push(link.seq));
            values.push(p.push(link.prev_hash));
            values.push(p.push(link.hash));
            format!("({})", values.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO audit_logs ({COLUMNS}) VALUES {}",
        tuples.join(", ")
    )
}

/// The `INSERT` of one entry whose link comes from the `WITH h` of [`append_all`].
fn insert_linked_sql(p: &mut Params, tenant: Tenant, row: Row) -> String {
    let (values, _) = row.values(p, tenant);
    format!(
        "INSERT INTO audit_logs ({COLUMNS}) SELECT {}, h.seq, h.prev_hash, h.hash FROM h",
        values.join(", ")
    )
}

/// A stored entry.
#[derive(Debug, Clone, FromQueryResult)]
pub struct AuditRow {
    pub id: Uuid,
    pub task_id: Option<Uuid>,
    pub task_key: String,
    pub task_title: Option<String>,
    pub action: String,
    pub performed_by: Option<Uuid>,
    pub performed_by_name: String,
    pub old_value: Option<Json>,
    pub new_value: Option<Json>,
    pub reason: String,
    pub timestamp: DateTime<Utc>,
}

impl AuditRow {
    /// Who made the change as people read it: the username, or "System" for jobs.
    pub fn actor_name(&self) -> String {
        if self.performed_by.is_none() && self.performed_by_name.is_empty() {
            "System".into()
        } else {
            self.performed_by_name.clone()
        }
    }
}

/// List filters.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub task: Option<Uuid>,
    pub action: Option<String>,
    pub performed_by: Option<Uuid>,
    /// Which tasks' entries the reader may see (set by the use case from the member).
    pub scope: crate::projects::TaskScope,
}

const SELECT: &str = "SELECT a.id, a.task_id, a.task_key, t.title AS task_title, a.action, a.performed_by, \
    a.performed_by_name, a.old_value, a.new_value, a.reason, a.timestamp \
    FROM audit_logs a LEFT JOIN tasks t ON t.id = a.task_id AND t.organization_id = a.organization_id";

/// Entries of the organization, newest first.
pub async fn list<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    f: &AuditFilter,
    page: Page,
) -> Result<(Vec<AuditRow>, u64)> {
    let mut p = Params::default();
    let mut wh = format!("a.organization_id = {}", p.push(tenant.id()));
    if let Some(task) = f.task {
        wh.push_str(&format!(" AND a.task_id = {}", p.push(task)));
    }
    if let Some(action) = &f.action {
        wh.push_str(&format!(" AND a.action = {}", p.push(action.clone())));
    }
    if let Some(by) = f.performed_by {
        wh.push_str(&format!(" AND a.performed_by = {}", p.push(by)));
    }
    if let Some(scope) = crate::projects::audit_scope_sql(tenant, &f.scope, &mut p) {
        wh.push_str(&format!(" AND {scope}"));
    }
    let total = sql::count(
        c,
        &format!("SELECT COUNT(*) FROM audit_logs a WHERE {wh}"),
        p.values.clone(),
    )
    .await?;
    let limit = p.push(page.size as i64);
    let offset = p.push(page.offset() as i64);
    let rows = sql::all(
        c,
        &format!(
            "{SELECT} WHERE {wh} ORDER BY a.timestamp DESC, a.id DESC LIMIT {limit} OFFSET {offset}"
        ),
        p.values,
    )
    .await?;
    Ok((rows, total))
}

/// One entry.
pub async fn get<C: ConnectionTrait>(
    c: &C,
    tenant: Tenant,
    scope: &crate::projects::TaskScope,
    id: Uuid,
) -> Result<Option<AuditRow>> {
    let mut p = Params::default();
    p.push(tenant.id());
    p.push(id);
    let scoped = crate::projects::audit_scope_sql(tenant, scope, &mut p)
        .map(|s| format!(" AND {s}"))
        .unwrap_or_default();
    sql::one(
        c,
        &format!("{SELECT} WHERE a.organization_id = $1 AND a.id = $2{scoped}"),
        p.values,
    )
    .await
}
