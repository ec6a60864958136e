//! Operator-created accounts (`switchyard create-superuser`).

use uuid::Uuid;

use crate::{Db, Result, StoreError, Tenant, commit, sql, users};

/// Creates a superuser account, as admin of the organization `org_slug` when given.
pub async fn create(
    db: &Db,
    username: &str,
    email: &str,
    password_hash: &str,
    org_slug: Option<&str>,
) -> Result<Uuid> {
    #[derive(sea_orm::FromQueryResult)]
    struct Org {
        id: Uuid,
        allowed_roles: crate::StrList,
    }
    let tx = db.begin_write().await?;
    let org: Option<Org> = match org_slug {
        Some(slug) => Some(
            sql::one(
                &tx,
                "SELECT id, allowed_roles FROM organizations WHERE slug = $1",
                vec![slug.into()],
            )
            .await?
            .ok_or_else(|| StoreError::Config(format!("no organization with slug '{slug}'")))?,
        ),
        None => None,
    };
    let id = users::create(
        &tx,
        users::NewUser {
            username: username.to_string(),
            email: email.to_string(),
            password_hash: password_hash.to_string(),
            skills: Vec::new(),
            is_superuser: true,
        },
    )
    .await?;
    if let Some(org) = org {
        let role = org
            .allowed_roles
            .0
            .first()
            .cloned()
            .unwrap_or_else(|| "admin".into());
        users::add_membership(&tx, Tenant::new(org.id), id, &role, 5).await?;
    }
    commit(tx).await?;
    Ok(id)
}
