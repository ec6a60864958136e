//! Chains the audit entries written before the hash chain existed (a migration step): per
//! organization, in the order they happened (time, then id), continuing from the chain's
//! head, which then points at the last of them.

use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult};
use uuid::Uuid;

use crate::{
    Backend, Result, Tenant,
    audit_chain::{self, Link},
    audit_verify, sql,
    sql::Params,
};

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
        let mut after = None;
        loop {
            let page = audit_verify::unchained(tx, tenant, after, 2000).await?;
            let Some(last) = page.last() else {
                break;
            };
            after = Some((last.timestamp, last.id));
            let links: Vec<(Uuid, Link)> = page
                .iter()
                .map(|e| (e.id, head.link(&audit_chain::content_hash(&e.fields()))))
                .collect();
            write_links(tx, backend, tenant, links).await?;
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

/// Sets the chain fields of a page of entries: one statement on PostgreSQL (a join with a
/// `VALUES` list), one per entry on SQLite (no network between them).
async fn write_links(
    tx: &DatabaseTransaction,
    backend: Backend,
    tenant: Tenant,
    links: Vec<(Uuid, Link)>,
) -> Result<()> {
    if backend == Backend::Postgres {
        let mut p = Params::default();
        let org = p.push(tenant.id());
        let rows: Vec<String> = links
            .into_iter()
            .map(|(id, l)| {
                format!(
                    "({}::uuid, {}::bigint, {}::varchar, {}::varchar)",
                    p.push(id),
                    p.push(l.seq),
                    p.push(l.prev_hash),
                    p.push(l.hash)
                )
            })
            .collect();
        let statement = format!(
            "UPDATE audit_logs AS a SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash \
             FROM (VALUES {}) AS v(id, seq, prev_hash, hash) \
             WHERE a.organization_id = {org} AND a.id = v.id",
            rows.join(", ")
        );
        sql::exec(tx, &statement, p.values).await?;
        return Ok(());
    }
    for (id, l) in links {
        sql::exec(
            tx,
            "UPDATE audit_logs SET seq = $2, prev_hash = $3, hash = $4 \
             WHERE id = $1 AND organization_id = $5",
            vec![
                id.into(),
                l.seq.into(),
                l.prev_hash.into(),
                l.hash.into(),
                tenant.id().into(),
            ],
        )
        .await?;
    }
    Ok(())
}
