//! The unit of work: one transaction per use case, the events it records, and the hooks
//! that run once it committed.
//!
//! Recording an event writes its outbox row at once and its audit entry (when it has one)
//! just before the commit, in the same transaction as the change itself: they commit
//! together or not at all. Audit entries come last because joining an organization's hash
//! chain locks the chain's head, a row every write of that organization shares: taken last,
//! it is held for the commit alone, and never before another row lock (no lock-order
//! cycles). Hooks run only after the commit returned success, so nothing leaves the process
//! for a change that did not happen.

use chrono::{DateTime, Utc};
use switchyard_store::{DatabaseTransaction, Tenant, audit, jobs, locks, outbox};
use uuid::Uuid;

use crate::{Actor, App, AppError, AppResult, Event};

/// An event as the unit of work wrote it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The outbox row's id.
    pub id: Uuid,
    pub tenant: Tenant,
    pub actor: Actor,
    pub event: Event,
    pub at: DateTime<Utc>,
}

/// Owns begin and commit of one use case. Dropping it without [`UnitOfWork::commit`] rolls
/// everything back, events included.
pub struct UnitOfWork {
    tx: DatabaseTransaction,
    app: App,
    recorded: Vec<Recorded>,
    /// Audit entries to append at the commit, in the order they were recorded.
    audit: Vec<(Tenant, audit::Entry, DateTime<Utc>)>,
}

impl UnitOfWork {
    /// Starts a write transaction (on SQLite it takes the write lock at once).
    pub async fn begin(app: &App) -> AppResult<UnitOfWork> {
        Ok(UnitOfWork {
            tx: app.db.begin_write().await?,
            app: app.clone(),
            recorded: Vec::new(),
            audit: Vec::new(),
        })
    }

    /// The application this unit of work runs in.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// The transaction, for store calls.
    pub fn tx(&self) -> &DatabaseTransaction {
        &self.tx
    }

    /// Locks a row of the tenant for a read–modify–write (see [`locks`]); an absent row is
    /// [`AppError::NotFound`].
    pub async fn lock(&self, tenant: Tenant, row: locks::Row, id: Uuid) -> AppResult<()> {
        if locks::lock(&self.tx, tenant, row, id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Records that `actor` caused `event`: writes its outbox row in this transaction, and its
    /// audit entry (if it has one) at the commit. Returns the event's id (its outbox row's).
    pub async fn record(&mut self, actor: impl Into<Actor>, event: Event) -> AppResult<Uuid> {
        let actor = actor.into();
        let tenant = actor.tenant();
        let at = switchyard_store::now();
        if let Some(entry) = event.audit_entry(actor.audit()) {
            self.audit.push((tenant, entry, at));
        }
        let id = outbox::append(
            &self.tx,
            tenant,
            outbox::NewMessage {
                kind: event.kind(),
                payload: event.payload(),
                actor_id: actor.user_id(),
                actor_name: actor.name().to_string(),
                created_at: at,
            },
        )
        .await?;
        crate::notifications::for_event(self, &actor, id, &event, at).await?;
        self.recorded.push(Recorded {
            id,
            tenant,
            actor,
            event,
            at,
        });
        Ok(id)
    }

    /// Enqueues a background job in this transaction: it exists exactly if the change commits.
    /// `None` when a job with the same dedupe key exists already.
    pub async fn enqueue(&self, job: jobs::NewJob) -> AppResult<Option<Uuid>> {
        let kind = job.kind.clone();
        let id = jobs::enqueue(&self.tx, job, self.app.clock.now()).await?;
        // Counted when written; a job whose change then rolls back is counted too (the
        // counter shows rates, it does not reconcile).
        metrics::counter!("jobs_enqueued_total", "kind" => kind).increment(1);
        Ok(id)
    }

    /// Appends the audit entries, commits, then runs the application's after-commit hooks
    /// with the recorded events.
    pub async fn commit(mut self) -> AppResult<Vec<Recorded>> {
        // One append per organization, in a fixed order (two units of work that both span
        // organizations lock their chain heads in the same order).
        let mut entries = std::mem::take(&mut self.audit);
        entries.sort_by_key(|(tenant, _, _)| tenant.id());
        for group in entries.chunk_by(|a, b| a.0 == b.0) {
            let batch = group.iter().map(|(_, e, at)| (e.clone(), *at)).collect();
            audit::append_all(&self.tx, group[0].0, batch).await?;
        }
        switchyard_store::commit(self.tx).await?;
        if !self.recorded.is_empty() {
            for hook in self.app.hooks.iter() {
                hook.after_commit(&self.recorded);
            }
        }
        Ok(self.recorded)
    }
}

impl From<&Actor> for Actor {
    fn from(a: &Actor) -> Self {
        a.clone()
    }
}
