//! Files (profile pictures, later attachments and invoices) in object storage through the
//! `object_store` crate: a local directory by default, any S3-compatible store by URL.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt, stream::BoxStream};
use object_store::{
    ObjectStore, ObjectStoreExt, PutPayload, local::LocalFileSystem, memory::InMemory, path::Path,
};

use crate::{AppError, AppResult};

/// Where files live; cheap to clone.
#[derive(Clone)]
pub struct Files {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    /// What the store is, for the start-up log (never credentials).
    pub description: String,
}

impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

fn unavailable(e: object_store::Error) -> AppError {
    tracing::warn!(error = %e, "file storage failed");
    AppError::Unavailable {
        detail: "File storage is unavailable; nothing was changed.".into(),
        retry_after: 5,
    }
}

impl Files {
    /// Opens `url`: `file:///absolute/dir` (created if missing), `s3://bucket/prefix` (with
    /// `AWS_*` variables for credentials, region and endpoint), `memory://` — or, without a
    /// URL, memory (processes that store no files).
    pub fn open(url: Option<&str>) -> AppResult<Files> {
        let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(Files {
                store: Arc::new(InMemory::new()),
                prefix: Path::default(),
                description: "memory".into(),
            });
        };
        let parsed = url::Url::parse(url)
            .map_err(|e| AppError::Internal(format!("SWITCHYARD_FILES_URL '{url}': {e}")))?;
        if parsed.scheme() == "file" {
            let dir = parsed.to_file_path().map_err(|_| {
                AppError::Internal(format!(
                    "SWITCHYARD_FILES_URL '{url}' is not an absolute path"
                ))
            })?;
            std::fs::create_dir_all(&dir)
                .map_err(|e| AppError::Internal(format!("cannot create {}: {e}", dir.display())))?;
            // Empty directories go with their last file (a deleted task leaves nothing).
            let store = LocalFileSystem::new_with_prefix(&dir)
                .map_err(|e| AppError::Internal(format!("{}: {e}", dir.display())))?
                .with_automatic_cleanup(true);
            return Ok(Files {
                store: Arc::new(store),
                prefix: Path::default(),
                description: format!("directory {}", dir.display()),
            });
        }
        let options: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| k.starts_with("AWS_"))
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        let (store, prefix) = object_store::parse_url_opts(&parsed, options)
            .map_err(|e| AppError::Internal(format!("SWITCHYARD_FILES_URL '{url}': {e}")))?;
        Ok(Files {
            store: Arc::from(store),
            prefix,
            description: format!("{}://{}", parsed.scheme(), parsed.host_str().unwrap_or("")),
        })
    }

    fn path(&self, key: &str) -> Path {
        key.split('/')
            .fold(self.prefix.clone(), |p, part| p.join(part))
    }

    /// Stores `bytes` at `key` (all or nothing).
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> AppResult<()> {
        self.store
            .put(&self.path(key), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    /// The file at `key`, if there is one.
    pub async fn get(&self, key: &str) -> AppResult<Option<Vec<u8>>> {
        match self.store.get(&self.path(key)).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(unavailable)?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// Deletes the file at `key` (nothing when it is already gone).
    pub async fn delete(&self, key: &str) -> AppResult<()> {
        match self.store.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// The file at `key` as a stream of chunks (downloads do not hold whole files in
    /// memory); `None` when there is none. A storage fault mid-stream ends the stream with an
    /// error (the client sees a truncated body, never a wrong one).
    pub async fn stream(
        &self,
        key: &str,
    ) -> AppResult<Option<BoxStream<'static, std::io::Result<Bytes>>>> {
        match self.store.get(&self.path(key)).await {
            Ok(found) => Ok(Some(
                found
                    .into_stream()
                    .map_err(|e| std::io::Error::other(e.to_string()))
                    .boxed(),
            )),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// Deletes every file under `prefix` (a folder: `attachments/<org>/<task>`); returns
    /// how many there were.
    pub async fn delete_prefix(&self, prefix: &str) -> AppResult<usize> {
        let found = self
            .store
            .list(Some(&self.path(prefix)))
            .map_ok(|meta| meta.location)
            .boxed();
        let mut results = self.store.delete_stream(found);
        let mut deleted = 0;
        while let Some(result) = results.next().await {
            match result {
                Ok(_) => deleted += 1,
                // Gone meanwhile (another instance's cleanup): what was wanted.
                Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(unavailable(e)),
            }
        }
        Ok(deleted)
    }
}
