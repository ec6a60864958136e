//! The schema can be distributed by organization (Citus, `organization_id` as the
//! distribution column): every table is either global (a reference table: organizations,
//! people, tokens, the job queue) or a tenant table with a non-null `organization_id` that
//! leads each of its primary and unique keys, and every foreign key between tenant tables
//! carries it. A new table must be placed in one of the two kinds here, or this test fails.

use sea_orm::{FromQueryResult, Statement};
use switchyard_store::{Backend, Db, migrate};
use switchyard_test_support::FreshDb;

/// Tables that are not per organization: replicated to every node as reference tables (or
/// kept on the coordinator).
const GLOBAL: &[&str] = &[
    "organizations",
    "users",
    "user_two_factor",
    "two_factor_recovery_codes",
    "account_tokens",
    "data_exports",
    "issued_tokens",
    "revoked_tokens",
    "login_failures",
    "rate_limit_hits",
    "jobs",
    "schedule_ticks",
    "schema_migrations",
    // SQLite's erasure window (PostgreSQL uses a transaction setting).
    "audit_erasures",
];

#[derive(Debug, FromQueryResult)]
struct Text {
    v: String,
}

async fn texts(db: &Db, sql: &str) -> Vec<String> {
    Text::find_by_statement(Statement::from_string(
        db.conn().get_database_backend(),
        sql,
    ))
    .all(db.conn())
    .await
    .expect(sql)
    .into_iter()
    .map(|t| t.v)
    .collect()
}

#[tokio::test]
async fn every_table_is_global_or_carries_its_organization_in_every_key() {
    let fresh = FreshDb::new().await;
    let db = fresh.connect(2).await;
    migrate(&db).await.unwrap();
    let (tables, with_org) = match db.backend() {
        Backend::Postgres => (
            texts(
                &db,
                "SELECT table_name::text AS v FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
            )
            .await,
            texts(
                &db,
                "SELECT table_name::text AS v FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND column_name = 'organization_id' \
                   AND is_nullable = 'NO'",
            )
            .await,
        ),
        Backend::Sqlite => (
            texts(
                &db,
                "SELECT name AS v FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%'",
            )
            .await,
            texts(
                &db,
                "SELECT m.name AS v FROM sqlite_master m, pragma_table_info(m.name) c \
                 WHERE m.type = 'table' AND c.name = 'organization_id' AND c.\"notnull\" = 1",
            )
            .await,
        ),
    };
    let tenant: Vec<&String> = tables
        .iter()
        .filter(|t| !GLOBAL.contains(&t.as_str()))
        .collect();
    assert!(tenant.len() >= 15, "{tenant:?}");
    for t in &tenant {
        assert!(
            with_org.contains(t),
            "table {t} has no NOT NULL organization_id: give it one, or list it in GLOBAL"
        );
    }
    if db.backend() != Backend::Postgres {
        return; // SQLite is never distributed; its keys stay as they are.
    }

    // Primary keys and unique constraints or indexes (partial ones too) of tenant tables
    // start with organization_id.
    let keys = texts(
        &db,
        "SELECT t.relname || '.' || i.relname || ' (' || \
                (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attnum = x.indkey[0]) \
                || ')' AS v \
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
         WHERE t.relnamespace = current_schema()::regnamespace AND x.indisunique",
    )
    .await;
    let bad: Vec<&String> = keys
        .iter()
        .filter(|k| {
            let table = k.split('.').next().unwrap_or_default();
            tenant.iter().any(|t| t.as_str() == table) && !k.ends_with("(organization_id)")
        })
        .collect();
    assert!(
        bad.is_empty(),
        "unique keys of tenant tables that do not lead with organization_id: {bad:?}"
    );

    // Foreign keys: between tenant tables they carry organization_id on both sides; from a
    // global table they never point at a tenant table.
    let fks = texts(
        &db,
        "SELECT c.conrelid::regclass::text || '>' || c.confrelid::regclass::text || '>' || \
                pg_get_constraintdef(c.oid) AS v \
         FROM pg_constraint c WHERE c.contype = 'f' \
           AND c.connamespace = current_schema()::regnamespace",
    )
    .await;
    let is_tenant = |t: &str| tenant.iter().any(|x| x.as_str() == t);
    for fk in &fks {
        let mut parts = fk.splitn(3, '>');
        let (from, to, def) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        if is_tenant(from) && is_tenant(to) {
            assert!(
                def.starts_with("FOREIGN KEY (organization_id, ")
                    && def.contains(&format!("REFERENCES {to}(organization_id, ")),
                "{from} -> {to} must carry organization_id: {def}"
            );
        }
        assert!(
            !(GLOBAL.contains(&from) && is_tenant(to)),
            "global table {from} points at tenant table {to}: {def}"
        );
    }
}
