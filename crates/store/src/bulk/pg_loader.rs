//! Bulk loading on PostgreSQL: every row through `COPY`, all in one transaction. When the
//! load is at least as large as what the tables already hold, the loaded tables' secondary
//! indexes, foreign keys and the task table's own triggers are set aside first and restored
//! once at the end.
//!
//! Measured at a million tasks (this repository's benchmark machine): row-by-row index
//! upkeep of ~20 indexes (three trigram GIN) made the load take minutes; building them
//! afterwards sorts each once (~60 s). Per-row foreign-key checks took 44 s of an 80 s
//! `COPY`, against a few seconds for one validating join per key at the end; the tally
//! triggers' transition tables another 9 s, against one recount (`tallies::rebuild`).
//!
//! All of it happens inside the load's transaction, so a failed or interrupted load leaves
//! the schema exactly as it was. The price: dropping an index or a key locks the tables
//! until the commit, so other sessions wait — this is for seeding and imports, not for a
//! live organization's neighbours at peak time.

use sea_orm::sqlx::{self, AssertSqlSafe, Postgres, Row};

use super::{SeedAudit, SeedComment, SeedTask, copy_text::CopyText};
use crate::{Db, Result, StoreError, Tenant};

/// The tables a seed writes, in the order their rows are copied.
const TABLES: [&str; 3] = ["tasks", "audit_logs", "comments"];

/// An open bulk load. Dropping it without [`PgLoader::finish`] rolls everything back,
/// indexes included.
pub struct PgLoader {
    tx: sqlx::Transaction<'static, Postgres>,
    /// (what, statement) to run at the end to put back what was set aside.
    restore: Vec<(String, String)>,
}

impl PgLoader {
    /// Starts the load's transaction. `incoming_tasks` decides whether setting indexes, keys
    /// and triggers aside pays: it does when at least as many tasks arrive as exist.
    pub async fn begin(db: &Db, incoming_tasks: u64) -> Result<PgLoader> {
        if db.backend() != crate::Backend::Postgres {
            return Err(StoreError::Config(
                "the COPY loader needs PostgreSQL; load SQLite with bulk::insert_tasks".into(),
            ));
        }
        let mut tx = db.conn().get_postgres_connection_pool().begin().await?;
        // Seeded rows can be loaded again, so the commit need not wait for the WAL flush;
        // index builds get room to sort in memory.
        sqlx::raw_sql(
            "SET LOCAL synchronous_commit = off; SET LOCAL maintenance_work_mem = '512MB'",
        )
        .execute(&mut *tx)
        .await?;
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks")
            .fetch_one(&mut *tx)
            .await?;
        let mut restore = Vec::new();
        if incoming_tasks as i64 >= existing {
            let tables = TABLES.map(String::from).to_vec();
            let set_aside = sqlx::query(
                "SELECT t.relname::text AS tbl, i.relname::text AS name, \
                        'DROP INDEX ' || quote_ident(i.relname) AS drop_sql, \
                        pg_get_indexdef(i.oid) AS restore_sql \
                 FROM pg_index x \
                 JOIN pg_class i ON i.oid = x.indexrelid \
                 JOIN pg_class t ON t.oid = x.indrelid \
                 WHERE t.relname = ANY($1) AND t.relnamespace = current_schema()::regnamespace \
                   AND NOT x.indisunique AND NOT x.indisprimary \
                 UNION ALL \
                 SELECT t.relname::text, c.conname::text, \
                        'ALTER TABLE ' || quote_ident(t.relname) || ' DROP CONSTRAINT ' || quote_ident(c.conname), \
                        'ALTER TABLE ' || quote_ident(t.relname) || ' ADD CONSTRAINT ' || quote_ident(c.conname) \
                          || ' ' || pg_get_constraintdef(c.oid) \
                 FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
                 WHERE c.contype = 'f' AND t.relname = ANY($1) \
                   AND t.relnamespace = current_schema()::regnamespace \
                 ORDER BY 1, 2",
            )
            .bind(&tables)
            .fetch_all(&mut *tx)
            .await?;
            for row in set_aside {
                let table: String = row.try_get("tbl")?;
                let name: String = row.try_get("name")?;
                let drop_sql: String = row.try_get("drop_sql")?;
                sqlx::raw_sql(AssertSqlSafe(drop_sql))
                    .execute(&mut *tx)
                    .await?;
                restore.push((format!("{table}.{name}"), row.try_get("restore_sql")?));
            }
            // The tally triggers: `finish`'s caller recounts with `tallies::rebuild`.
            sqlx::raw_sql("ALTER TABLE tasks DISABLE TRIGGER USER")
                .execute(&mut *tx)
                .await?;
            restore.push((
                "tasks triggers".to_string(),
                "ALTER TABLE tasks ENABLE TRIGGER USER".to_string(),
            ));
        }
        Ok(PgLoader { tx, restore })
    }

    /// How many steps [`PgLoader::finish`] will take.
    pub fn steps_to_finish(&self) -> usize {
        self.restore.len()
    }

    /// Copies one batch.
    pub async fn write(&mut self, batch: &CopyBatch) -> Result<()> {
        self.copy(
            "COPY tasks (id, organization_id, task_key, title, description, workflow_id, current_state, \
             priority, task_type, tags, team_id, assigned_to, created_by, due_date, sla_breached, \
             resolved_at, created_at, updated_at, project_id) FROM STDIN",
            &batch.tasks,
        )
        .await?;
        self.copy(
            "COPY audit_logs (id, organization_id, task_id, task_key, action, performed_by, \
             performed_by_name, old_value, new_value, reason, timestamp, seq, prev_hash, hash) \
             FROM STDIN",
            &batch.audit,
        )
        .await?;
        self.copy(
            "COPY comments (id, organization_id, task_id, author_id, author_name, content, \
             created_at, updated_at) FROM STDIN",
            &batch.comments,
        )
        .await
    }

    /// Records where the organization's audit chain ends after the copied entries (compare
    /// and set from `from`, in the load's transaction).
    pub async fn move_audit_head(
        &mut self,
        tenant: Tenant,
        from: &crate::audit_chain::Head,
        to: &crate::audit_chain::Head,
    ) -> Result<()> {
        if from == to {
            return Ok(());
        }
        let moved = sqlx::query(crate::audit_chain::MOVE_HEAD)
            .bind(tenant.id())
            .bind(to.seq)
            .bind(&to.hash)
            .bind(from.seq)
            .bind(&from.hash)
            .execute(&mut *self.tx)
            .await?
            .rows_affected();
        crate::audit_chain::head_moved(moved)
    }

    async fn copy(&mut self, statement: &'static str, rows: &CopyText) -> Result<()> {
        if rows.bytes().is_empty() {
            return Ok(());
        }
        let mut copy = self.tx.copy_in_raw(statement).await?;
        if let Err(e) = copy.send(rows.bytes()).await {
            copy.abort(e.to_string()).await.ok();
            return Err(e.into());
        }
        copy.finish().await?;
        Ok(())
    }

    /// Restores what was set aside and commits. `progress` hears about each step as it starts
    /// and as it ends: restoring takes about as long as copying, so callers show it.
    pub async fn finish(mut self, mut progress: impl FnMut(RestoreStep<'_>)) -> Result<()> {
        let steps = self.restore.len();
        for (i, (what, statement)) in self.restore.iter().enumerate() {
            progress(RestoreStep::Started {
                number: i + 1,
                of: steps,
                what,
            });
            let started = std::time::Instant::now();
            sqlx::raw_sql(AssertSqlSafe(statement.clone()))
                .execute(&mut *self.tx)
                .await?;
            progress(RestoreStep::Done(started.elapsed()));
        }
        self.tx.commit().await.map_err(StoreError::from)
    }
}

/// Progress of [`PgLoader::finish`].
#[derive(Debug)]
pub enum RestoreStep<'a> {
    /// Step `number` of `of` begins: `what` is "table.index_or_key" or "tasks triggers".
    Started {
        number: usize,
        of: usize,
        what: &'a str,
    },
    /// The step begun last is done, after this long.
    Done(std::time::Duration),
}

/// Tasks with their audit entries and comments, encoded for [`PgLoader::write`]. Encoding is
/// CPU work: do it off the thread that talks to the database, so it overlaps the `COPY`.
#[derive(Debug)]
pub struct CopyBatch {
    tasks: CopyText,
    audit: CopyText,
    comments: CopyText,
}

impl CopyBatch {
    /// Encodes rows of `tenant`, in the column order of [`PgLoader::write`]'s statements.
    pub fn new(
        tenant: Tenant,
        tasks: &[SeedTask],
        audit: &[SeedAudit],
        comments: &[SeedComment],
    ) -> CopyBatch {
        let org = Some(tenant.id());
        let mut batch = CopyBatch {
            tasks: CopyText::default(),
            audit: CopyText::default(),
            comments: CopyText::default(),
        };
        for t in tasks {
            batch
                .tasks
                .uuid(Some(t.id))
                .uuid(org)
                .text(&t.task_key)
                .text(&t.title)
                .text(&t.description)
                .uuid(Some(t.workflow_id))
                .text(&t.current_state)
                .text(&t.priority)
                .text(&t.task_type)
                .json(Some(&serde_json::json!(t.tags)))
                .uuid(t.team_id)
                .uuid(t.assigned_to)
                .uuid(t.created_by)
                .ts(t.due_date)
                .bool(t.sla_breached)
                .ts(t.resolved_at)
                .ts(Some(t.created_at))
                .ts(Some(t.created_at))
                .uuid(t.project_id)
                .end_row();
        }
        for e in audit {
            batch
                .audit
                .uuid(Some(e.id))
                .uuid(org)
                .uuid(Some(e.task_id))
                .text(&e.task_key)
                .text(e.action)
                .uuid(e.performed_by)
                .text(&e.performed_by_name)
                .json(e.old_value.as_ref())
                .json(e.new_value.as_ref())
                .text(&e.reason)
                .ts(Some(e.timestamp))
                .int(e.link.seq)
                .text(&e.link.prev_hash)
                .text(&e.link.hash)
                .end_row();
        }
        for m in comments {
            batch
                .comments
                .uuid(Some(uuid::Uuid::now_v7()))
                .uuid(org)
                .uuid(Some(m.task_id))
                .uuid(Some(m.author_id))
                .text(&m.author_name)
                .text(&m.content)
                .ts(Some(m.created_at))
                .ts(Some(m.created_at))
                .end_row();
        }
        batch
    }
}
