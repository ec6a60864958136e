//! Profile pictures: an upload is decoded (PNG, JPEG or WebP only, with limits that stop
//! decompression bombs), cropped and scaled to 256×256 and re-encoded as PNG — so no
//! metadata, script or polyglot survives — then stored through [`crate::files::Files`].

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits, imageops::FilterType};
use switchyard_store::users;
use uuid::Uuid;

use crate::{App, AppError, AppResult, Caller, Member, UnitOfWork};

/// The largest upload accepted.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// The side of the stored square picture.
pub const SIDE: u32 = 256;
/// The largest picture decoded (width or height), and the memory a decode may use.
const MAX_SIDE: u32 = 8192;
const MAX_ALLOC: u64 = 128 * 1024 * 1024;

fn not_an_image() -> AppError {
    AppError::field("file", "Upload a PNG, JPEG or WebP image of at most 2 MB.")
}

/// Decodes, squares and re-encodes an upload; refuses anything that is not a picture.
pub fn normalize(bytes: &[u8]) -> AppResult<Vec<u8>> {
    if bytes.is_empty() || bytes.len() > MAX_BYTES {
        return Err(not_an_image());
    }
    let format = image::guess_format(bytes).map_err(|_| not_an_image())?;
    if !matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP
    ) {
        return Err(not_an_image());
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let picture = reader.decode().map_err(|e| {
        AppError::field(
            "file",
            match e {
                image::ImageError::Limits(_) => {
                    "The image is too large to process (at most 8192×8192 pixels).".to_string()
                }
                _ => "The file is not a readable PNG, JPEG or WebP image.".to_string(),
            },
        )
    })?;
    let square = picture.resize_to_fill(SIDE, SIDE, FilterType::Lanczos3);
    let mut out = Vec::new();
    square
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .map_err(|e| AppError::Internal(format!("encoding a picture: {e}")))?;
    Ok(out)
}

/// Replaces the caller's profile picture.
pub async fn set(state: &App, caller: &Caller, upload: Vec<u8>) -> AppResult<()> {
    crate::throttle::check(state, &format!("avatar:{}", caller.user_id), 30, 3600).await?;
    let png = tokio::task::spawn_blocking(move || normalize(&upload))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let key = format!("avatars/{}/{}.png", caller.user_id, Uuid::now_v7().simple());
    // Stored first: a failed commit leaves an orphan file, never a key without a file.
    state.files.put(&key, png).await?;
    let uow = UnitOfWork::begin(state).await?;
    let old = users::set_avatar_key(uow.tx(), caller.user_id, Some(&key)).await?;
    uow.commit().await?;
    if let Some(old) = old {
        state.files.delete(&old).await.ok();
    }
    Ok(())
}

/// Removes the caller's profile picture.
pub async fn delete(state: &App, caller: &Caller) -> AppResult<()> {
    let uow = UnitOfWork::begin(state).await?;
    let old = users::set_avatar_key(uow.tx(), caller.user_id, None).await?;
    uow.commit().await?;
    match old {
        Some(old) => state.files.delete(&old).await,
        None => Err(AppError::NotFound),
    }
}

/// A member's picture, for people of the same organization: the PNG and its ETag.
pub async fn get(state: &App, member: &Member, user_id: Uuid) -> AppResult<(Vec<u8>, String)> {
    let user = users::get(state.db.conn(), member.tenant, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let key = user.avatar_key.ok_or(AppError::NotFound)?;
    let bytes = state.files.get(&key).await?.ok_or(AppError::NotFound)?;
    let etag = key
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .trim_end_matches(".png")
        .to_string();
    Ok((bytes, etag))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(width, height, image::Rgb([200, 30, 30]));
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn pictures_become_256_pixel_squares_and_anything_else_is_refused() {
        let out = normalize(&png(640, 480)).unwrap();
        let back = image::load_from_memory(&out).unwrap();
        assert_eq!((back.width(), back.height()), (256, 256));
        assert!(normalize(b"<?php echo 'hi'; ?>").is_err());
        assert!(normalize(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>").is_err());
        assert!(normalize(&[]).is_err());
    }

    #[test]
    fn a_header_claiming_a_huge_picture_is_refused_without_decoding_it() {
        // A valid PNG whose IHDR claims 50,000 × 50,000 pixels (a decompression bomb's header).
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&50_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&50_000u32.to_be_bytes());
        let err = normalize(&bomb).unwrap_err().to_string();
        assert!(
            err.contains("too large") || err.contains("not a readable"),
            "{err}"
        );
    }
}
