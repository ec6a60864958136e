//! Personal-data requests: what the store holds about one person (for an export), the
//! exports themselves, and erasure (the person's identifying fields replaced by a pseudonym,
//! their audit entries and comments kept and attributed to it).

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::{Result, now, sql};

/// An export as its owner sees it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct ExportRow {
    pub id: Uuid,
    pub user_id: Uuid,
    /// `pending`, `ready` or `failed`.
    pub status: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// Records a pending export of `user_id`'s data.
pub async fn create_export<C: ConnectionTrait>(c: &C, user_id: Uuid) -> Result<Uuid> {
    let id = Uuid::now_v7();
    sql::exec(
        c,
        "INSERT INTO data_exports (id, user_id, status, created_at) VALUES ($1, $2, 'pending', $3)",
        vec![id.into(), user_id.into(), now().into()],
    )
    .await?;
    Ok(id)
}

/// One of the user's exports (another person's is not found).
pub async fn get_export<C: ConnectionTrait>(
    c: &C,
    user_id: Uuid,
    id: Uuid,
) -> Result<Option<ExportRow>> {
    sql::one(
        c,
        "SELECT id, user_id, status, expires_at, created_at, completed_at FROM data_exports WHERE user_id = $1 AND id = $2",
        vec![user_id.into(), id.into()],
    )
    .await
}

/// The archive of a ready export of the user.
pub async fn archive<C: ConnectionTrait>(c: &C, user_id: Uuid, id: Uuid) -> Result<Option<String>> {
    #[derive(FromQueryResult)]
    struct R {
        archive: Option<String>,
    }
    let row: Option<R> = sql::one(
        c,
        "SELECT archive FROM data_exports WHERE user_id = $1 AND id = $2 AND status = 'ready'",
        vec![user_id.into(), id.into()],
    )
    .await?;
    Ok(row.and_then(|r| r.archive))
}

/// The owner of a pending export (for the job that builds it).
pub async fn pending_owner<C: ConnectionTrait>(c: &C, id: Uuid) -> Result<Option<Uuid>> {
    #[derive(FromQueryResult)]
    struct R {
        user_id: Uuid,
    }
    let row: Option<R> = sql::one(
        c,
        "SELECT user_id FROM data_exports WHERE id = $1 AND status = 'pending'",
        vec![id.into()],
    )
    .await?;
    Ok(row.map(|r| r.user_id))
}

/// Stores the built archive; downloadable until `expires_at`.
pub async fn finish_export<C: ConnectionTrait>(
    c: &C,
    id: Uuid,
    archive: &str,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    sql::exec(
        c,
        "UPDATE data_exports SET status = 'ready', archive = $2, expires_at = $3, completed_at = $4 WHERE id = $1",
        vec![id.into(), archive.into(), expires_at.into(), now().into()],
    )
    .await?;
    Ok(())
}

/// Gives up on an export (the job ran out of attempts); the error is for operators.
pub async fn fail_export<C: ConnectionTrait>(c: &C, id: Uuid, error: &str) -> Result<()> {
    sql::exec(
        c,
        "UPDATE data_exports SET status = 'failed', error = $2, completed_at = $3 WHERE id = $1 AND status = 'pending'",
        vec![id.into(), error.into(), now().into()],
    )
    .await?;
    Ok(())
}

/// Forgets exports that expired before `at`.
pub async fn purge_exports<C: ConnectionTrait>(c: &C, at: DateTime<Utc>) -> Result<u64> {
    sql::exec(
        c,
        "DELETE FROM data_exports WHERE expires_at < $1",
        vec![at.into()],
    )
    .await
}

/// Rows of one query about the person, as JSON objects (the export's sections).
async fn section<C: ConnectionTrait>(
    c: &C,
    query: &str,
    values: Vec<sea_orm::Value>,
) -> Result<Vec<Json>> {
    #[derive(FromQueryResult)]
    struct R {
        item: Json,
    }
    let json = match c.get_database_backend() {
        DbBackend::Postgres => format!("SELECT row_to_json(x)::jsonb AS item FROM ({query}) x"),
        _ => query.to_string(),
    };
    let rows: Vec<R> = sql::all(c, &json, values).await?;
    Ok(rows.into_iter().map(|r| r.item).collect())
}

/// The organizations whose data an export may carry (`$1` the person, `$2` whether the
/// request's sign-in passed a second factor): current, active memberships, and of those
/// that require two-factor sign-in only when it did.
const ORGS: &str = "(SELECT m2.organization_id FROM memberships m2 JOIN organizations o2 ON o2.id = m2.organization_id \
    WHERE m2.user_id = $1 AND m2.deactivated_at IS NULL AND (o2.require_two_factor = FALSE OR $2 = TRUE))";

/// Everything the store holds about `user_id` in the organizations it may show, by section.
pub async fn collect<C: ConnectionTrait>(
    c: &C,
    user_id: Uuid,
    second_factor: bool,
) -> Result<Vec<(&'static str, Vec<Json>)>> {
    let pg = c.get_database_backend() == DbBackend::Postgres;
    let one = || vec![sea_orm::Value::from(user_id)];
    let two = || vec![sea_orm::Value::from(user_id), second_factor.into()];
    // One statement per backend: PostgreSQL builds objects with row_to_json, SQLite with
    // json_object (its uuids are blobs, shown as hex).
    let profile = if pg {
        "SELECT id, username, email, skills, created_at AS date_joined FROM users WHERE id = $1"
            .to_string()
    } else {
        "SELECT json_object('id', lower(hex(id)), 'username', username, 'email', email, 'skills', json(skills), \
         'date_joined', created_at) AS item FROM users WHERE id = $1"
            .to_string()
    };
    let memberships = if pg {
        "SELECT o.name AS organization, o.slug, m.role, m.max_concurrent_tasks, m.created_at AS joined_at, \
         m.deactivated_at FROM memberships m JOIN organizations o ON o.id = m.organization_id WHERE m.user_id = $1"
            .to_string()
    } else {
        "SELECT json_object('organization', o.name, 'slug', o.slug, 'role', m.role, 'max_concurrent_tasks', \
         m.max_concurrent_tasks, 'joined_at', m.created_at, 'deactivated_at', m.deactivated_at) AS item \
         FROM memberships m JOIN organizations o ON o.id = m.organization_id WHERE m.user_id = $1"
            .to_string()
    };
    let tasks = if pg {
        format!(
            "SELECT t.task_key, t.title, t.description, t.current_state, t.priority, t.task_type, t.created_at, \
             (t.created_by = $1) AS created_by_you, (t.assigned_to = $1) AS assigned_to_you FROM tasks t \
             WHERE (t.created_by = $1 OR t.assigned_to = $1) AND t.organization_id IN {ORGS} ORDER BY t.created_at"
        )
    } else {
        format!(
            "SELECT json_object('task_key', t.task_key, 'title', t.title, 'description', t.description, \
             'current_state', t.current_state, 'priority', t.priority, 'task_type', t.task_type, 'created_at', t.created_at, \
             'created_by_you', json(CASE WHEN t.created_by = $1 THEN 'true' ELSE 'false' END), \
             'assigned_to_you', json(CASE WHEN t.assigned_to = $1 THEN 'true' ELSE 'false' END)) AS item \
             FROM tasks t WHERE (t.created_by = $1 OR t.assigned_to = $1) AND t.organization_id IN {ORGS} ORDER BY t.created_at"
        )
    };
    let comments = if pg {
        format!(
            "SELECT t.task_key, c.content, c.created_at, c.updated_at FROM comments c JOIN tasks t ON t.organization_id = c.organization_id AND t.id = c.task_id \
             WHERE c.author_id = $1 AND c.organization_id IN {ORGS} ORDER BY c.created_at"
        )
    } else {
        format!(
            "SELECT json_object('task_key', t.task_key, 'content', c.content, 'created_at', c.created_at, \
             'updated_at', c.updated_at) AS item FROM comments c JOIN tasks t ON t.organization_id = c.organization_id AND t.id = c.task_id \
             WHERE c.author_id = $1 AND c.organization_id IN {ORGS} ORDER BY c.created_at"
        )
    };
    // Entries by the person, or whose values carry their id (assignments to them …).
    let mention = if pg {
        "CAST($1 AS TEXT)".to_string()
    } else {
        "$3".to_string()
    };
    let audit = if pg {
        format!(
            "SELECT a.task_key, a.action, a.performed_by_name, a.old_value, a.new_value, a.reason, a.timestamp \
             FROM audit_logs a WHERE a.organization_id IN {ORGS} AND (a.performed_by = $1 \
             OR CAST(a.new_value AS TEXT) LIKE '%' || {mention} || '%' OR CAST(a.old_value AS TEXT) LIKE '%' || {mention} || '%') \
             ORDER BY a.timestamp"
        )
    } else {
        format!(
            "SELECT json_object('task_key', a.task_key, 'action', a.action, 'performed_by_name', a.performed_by_name, \
             'old_value', json(a.old_value), 'new_value', json(a.new_value), 'reason', a.reason, 'timestamp', a.timestamp) AS item \
             FROM audit_logs a WHERE a.organization_id IN {ORGS} AND (a.performed_by = $1 \
             OR a.new_value LIKE '%' || {mention} || '%' OR a.old_value LIKE '%' || {mention} || '%') ORDER BY a.timestamp"
        )
    };
    let mut audit_values = two();
    if !pg {
        // SQLite keeps uuids as blobs; values carry the text form.
        audit_values.push(user_id.to_string().into());
    }
    Ok(vec![
        ("profile", section(c, &profile, one()).await?),
        ("memberships", section(c, &memberships, one()).await?),
        ("tasks", section(c, &tasks, two()).await?),
        ("comments", section(c, &comments, two()).await?),
        ("audit_entries", section(c, &audit, audit_values).await?),
    ])
}

/// What erasure replaces: the person's current username and email.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Identity {
    pub username: String,
    pub email: String,
}

/// The person's current username and email.
pub async fn identity<C: ConnectionTrait>(c: &C, user_id: Uuid) -> Result<Option<Identity>> {
    sql::one(
        c,
        "SELECT username, email FROM users WHERE id = $1",
        vec![user_id.into()],
    )
    .await
}

/// Replaces the person's identifying fields by `pseudonym` and makes the account unusable:
/// no email, skills, picture or password; inactive; every session ended; their two-factor
/// record, emailed tokens, exports, notifications and preferences gone; their name in
/// others' notifications replaced. (The caller deletes the picture's file.)
pub async fn erase_account<C: ConnectionTrait>(
    c: &C,
    user_id: Uuid,
    pseudonym: &str,
    unusable_hash: &str,
) -> Result<()> {
    // Notifications others received about what the person did start with their name.
    if let Some(old) = identity(c, user_id).await? {
        sql::exec(
            c,
            "UPDATE notifications SET message = $2 || SUBSTR(message, CAST($4 AS INTEGER)) \
             WHERE actor_id = $1 AND SUBSTR(message, 1, CAST($5 AS INTEGER)) = $3",
            vec![
                user_id.into(),
                pseudonym.into(),
                old.username.clone().into(),
                (old.username.chars().count() as i64 + 1).into(),
                (old.username.chars().count() as i64).into(),
            ],
        )
        .await?;
    }
    sql::exec(
        c,
        "UPDATE notifications SET actor_name = $2 WHERE actor_id = $1",
        vec![user_id.into(), pseudonym.into()],
    )
    .await?;
    sql::exec(
        c,
        "UPDATE users SET username = $2, email = '', skills = $3, password_hash = $4, is_active = $5, \
         avatar_key = NULL, session_epoch = session_epoch + 1, version = version + 1, updated_at = $6 WHERE id = $1",
        vec![
            user_id.into(),
            pseudonym.into(),
            crate::StrList(Vec::new()).into(),
            unusable_hash.into(),
            false.into(),
            now().into(),
        ],
    )
    .await?;
    for table in [
        "user_two_factor",
        "two_factor_recovery_codes",
        "account_tokens",
        "data_exports",
        "notifications",
        "notification_preferences",
    ] {
        sql::exec(
            c,
            &format!("DELETE FROM {table} WHERE user_id = $1"),
            vec![user_id.into()],
        )
        .await?;
    }
    sql::exec(
        c,
        "UPDATE comments SET author_name = $2 WHERE author_id = $1",
        vec![user_id.into(), pseudonym.into()],
    )
    .await?;
    Ok(())
}

/// An audit entry whose names an erasure rewrites.
#[derive(Debug, Clone, FromQueryResult)]
pub struct NamedEntry {
    pub id: Uuid,
    pub performed_by_name: String,
    pub old_value: Option<Json>,
    pub new_value: Option<Json>,
}

/// The organization's entries performed by the person or whose values carry their id.
pub async fn entries_naming<C: ConnectionTrait>(
    c: &C,
    tenant: crate::Tenant,
    user_id: Uuid,
) -> Result<Vec<NamedEntry>> {
    let pattern = format!("%{user_id}%");
    sql::all(
        c,
        "SELECT id, performed_by_name, old_value, new_value FROM audit_logs \
         WHERE organization_id = $1 AND (performed_by = $2 OR CAST(old_value AS TEXT) LIKE $3 \
         OR CAST(new_value AS TEXT) LIKE $3)",
        vec![tenant.id().into(), user_id.into(), pattern.into()],
    )
    .await
}

/// Replaces the person's email in the organization's invitations and their name as inviter.
pub async fn erase_invitations<C: ConnectionTrait>(
    c: &C,
    tenant: crate::Tenant,
    user_id: Uuid,
    email: &str,
    pseudonym: &str,
) -> Result<()> {
    if !email.is_empty() {
        sql::exec(
            c,
            "UPDATE invitations SET email = $3 WHERE organization_id = $1 AND email = LOWER($2)",
            vec![tenant.id().into(), email.into(), pseudonym.into()],
        )
        .await?;
    }
    sql::exec(
        c,
        "UPDATE invitations SET invited_by_name = $3 WHERE organization_id = $1 AND invited_by = $2",
        vec![tenant.id().into(), user_id.into(), pseudonym.into()],
    )
    .await?;
    Ok(())
}

/// Rewrites one entry's names (only inside an erasure: on PostgreSQL the append-only
/// trigger lets exactly these columns change while `switchyard.erasing` is set).
pub async fn rewrite_entry<C: ConnectionTrait>(
    c: &C,
    tenant: crate::Tenant,
    e: &NamedEntry,
) -> Result<()> {
    let json = |v: &Option<Json>| sea_orm::Value::Json(v.clone().map(Box::new));
    sql::exec(
        c,
        "UPDATE audit_logs SET performed_by_name = $2, old_value = $3, new_value = $4 \
         WHERE id = $1 AND organization_id = $5",
        vec![
            e.id.into(),
            e.performed_by_name.as_str().into(),
            json(&e.old_value),
            json(&e.new_value),
            tenant.id().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Opens the erasure window for this transaction: the append-only triggers then let the
/// names in this person's entries change (PostgreSQL: a transaction setting; SQLite: a row
/// that [`close_erasure`] removes before the commit).
pub async fn allow_erasure<C: ConnectionTrait>(c: &C, user_id: Uuid) -> Result<()> {
    if c.get_database_backend() == DbBackend::Postgres {
        sql::exec(
            c,
            "SELECT set_config('switchyard.erasing', $1, true)",
            vec![user_id.to_string().into()],
        )
        .await?;
    } else {
        sql::exec(
            c,
            "INSERT INTO audit_erasures (user_id, user_text) VALUES ($1, $2)",
            vec![user_id.into(), user_id.to_string().into()],
        )
        .await?;
    }
    Ok(())
}

/// Closes the erasure window opened by [`allow_erasure`].
pub async fn close_erasure<C: ConnectionTrait>(c: &C, user_id: Uuid) -> Result<()> {
    if c.get_database_backend() == DbBackend::Postgres {
        sql::exec(
            c,
            "SELECT set_config('switchyard.erasing', '', true)",
            vec![],
        )
        .await?;
    } else {
        sql::exec(
            c,
            "DELETE FROM audit_erasures WHERE user_id = $1",
            vec![user_id.into()],
        )
        .await?;
    }
    Ok(())
}
