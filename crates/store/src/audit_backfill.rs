//! Chains the audit entries written before the hash chain existed (a migration step): per
//! organization, in the order they happened (time, then id), continuing from the chain's
//! head, which then points at the last of them.

use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult};
use uuid::Uuid;

use crate::{Backend, Result, Tenant, audit_chain, audit_verify, sql};

/// Links every unchained entry; returns how many it linked.
pub(crate) async fn chain_existing(tx: &DatabaseTransaction, backend: Backend) -> Result<u64> {
    #[derive(FromQueryResult)]
    struct Org {
        organization_id: Uuid,
    }
    let orgs: Vec<Org> = sql::all(
        tx,
        "SELECT DISTINCT organization_id FROM audit_logs WHERE seq IS NULL",
        vec![],
    )
    .await?;
    if orgs.is_empty() {
        return Ok(0);
    }
    // The append-only trigger refuses every UPDATE; this one sets chain fields only, in the
    // migration's own transaction (the trigger is back before it commits).
    if backend == Backend::Postgres {
        tx.execute_unprepared("ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_append_only")
            .await?;
    }
    let mut linked = 0u64;
    for org in orgs {
        let tenant = Tenant::new(org.organization_id);
        let from = audit_chain::head(tx, tenant).await?;
        let mut head = from.clone();
        loop {
            let page = audit_verify::unchained(tx, tenant, 2000).await?;
            if page.is_empty() {
                break;
            }
            for e in &page {
                let link = head.link(e.fields(0, ""));
                sql::exec(
                    tx,
                    "UPDATE audit_logs SET seq = $2, prev_hash = $3, hash = $4 WHERE id = $1",
                    vec![
                        e.id.into(),
                        link.seq.into(),
                        link.prev_hash.into(),
                        link.hash.into(),
                    ],
                )
                .await?;
            }
            linked += page.len() as u64;
            tracing::info!(linked, "chaining existing audit entries");
        }
        audit_chain::move_head(tx, tenant, &from, &head).await?;
    }
    if backend == Backend::Postgres {
        tx.execute_unprepared("ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_append_only")
            .await?;
    }
    Ok(linked)
}
