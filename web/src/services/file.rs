//! Reading dropped or opened files in slices (with progress), and handing bytes back to the
//! user as downloads or object URLs.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, File, HtmlAnchorElement, Url};

use crate::state::message::FileError;

/// Bytes read per slice; progress is reported and the event loop gets a turn after each.
pub const CHUNK: u64 = 2 * 1024 * 1024;
/// Largest file read (the inspector holds it in memory several times over).
pub const MAX_FILE: u64 = 256 * 1024 * 1024;

/// The text of a JavaScript error (a string, an `Error`'s message, or its debug form).
pub fn js_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

fn js_error(context: &str, e: JsValue) -> String {
    format!("{context}: {}", js_text(&e))
}

/// A file cut into [`CHUNK`]-sized slices, read one after the other: on the page with
/// [`read_file`] (async), in the worker with `FileReaderSync`. Both read through this, so
/// the size checks and the slicing are written once.
pub struct Slices {
    file: File,
    offset: u64,
    total: u64,
    /// The bytes read so far.
    pub bytes: Vec<u8>,
}

impl Slices {
    /// Checks the file's size (known, at most [`MAX_FILE`]) and prepares to read it.
    pub fn new(file: &File) -> Result<Slices, FileError> {
        let size = file.size();
        if !(size.is_finite() && size >= 0.0) {
            return Err(FileError::NoSize);
        }
        let total = size as u64;
        if total > MAX_FILE {
            return Err(FileError::TooLarge {
                name: file.name(),
                size: total,
                max: MAX_FILE,
            });
        }
        Ok(Slices {
            file: file.clone(),
            offset: 0,
            total,
            bytes: Vec::with_capacity(total as usize),
        })
    }

    /// The file's size.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The next slice to read, or `None` when all was read.
    pub fn next_slice(&self) -> Result<Option<Blob>, FileError> {
        if self.offset >= self.total {
            return Ok(None);
        }
        let end = (self.offset + CHUNK).min(self.total);
        self.file
            .slice_with_f64_and_f64(self.offset as f64, end as f64)
            .map(Some)
            .map_err(|e| FileError::Unreadable {
                detail: js_text(&e),
            })
    }

    /// Takes the bytes of the slice [`Slices::next_slice`] gave; returns the bytes read so far.
    pub fn push(&mut self, buffer: &JsValue) -> u64 {
        let chunk = Uint8Array::new(buffer).to_vec();
        self.offset = (self.offset + CHUNK).min(self.total);
        self.bytes.extend_from_slice(&chunk);
        self.offset
    }
}

/// Reads a whole file slice by slice, calling `progress` with the bytes read so far after each
/// slice and yielding to the event loop so a progress bar can paint.
pub async fn read_file(file: &File, mut progress: impl FnMut(u64)) -> Result<Vec<u8>, FileError> {
    let mut slices = Slices::new(file)?;
    while let Some(slice) = slices.next_slice()? {
        let buffer =
            JsFuture::from(slice.array_buffer())
                .await
                .map_err(|e| FileError::Unreadable {
                    detail: js_text(&e),
                })?;
        progress(slices.push(&buffer));
        yew::platform::time::sleep(std::time::Duration::ZERO).await;
    }
    Ok(slices.bytes)
}
/// The media type a `blob:` URL of a message's bytes may carry.
///
/// A `blob:` URL has the page's origin: opened in a tab (a link, "open image in new tab",
/// `window.open`) a document of an active type (SVG, HTML, XHTML, XML, PDF, …) would run the
/// message's script as the page and read its session storage, relay token included. Only types
/// a browser shows without running anything keep their type — raster images, audio, video,
/// plain text; everything else becomes `application/octet-stream`, which a browser downloads.
pub fn passive_type(mime: &str) -> &str {
    let essence = mime.split(';').next().unwrap_or("").trim();
    let passive = [
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/avif",
        "image/bmp",
        "image/x-icon",
        "image/vnd.microsoft.icon",
        "text/plain",
    ]
    .iter()
    .any(|t| essence.eq_ignore_ascii_case(t))
        || ["audio/", "video/"]
            .iter()
            .any(|p| essence.len() > p.len() && essence[..p.len()].eq_ignore_ascii_case(p));
    if passive {
        mime
    } else {
        "application/octet-stream"
    }
}

/// Where an `<img>` shows an image part from: a `blob:` URL for raster images; a `data:` URL
/// for SVG, which an `<img>` shows without running its script and which, opened in a tab, is
/// a document of its own opaque origin, not the page's (see [`passive_type`]).
#[derive(Debug, PartialEq, Eq)]
pub enum ImageSrc {
    /// A raster image.
    Object(ObjectUrl),
    /// An SVG image.
    Data(String),
}

impl ImageSrc {
    /// The source for `bytes` of media type `mime`.
    pub fn new(bytes: &[u8], mime: &str) -> Result<ImageSrc, String> {
        let essence = mime.split(';').next().unwrap_or("").trim();
        if essence.eq_ignore_ascii_case("image/svg+xml") {
            let data = mailscope_core::codec::base64::encode(bytes);
            Ok(ImageSrc::Data(format!("data:image/svg+xml;base64,{data}")))
        } else {
            ObjectUrl::new(bytes, mime).map(ImageSrc::Object)
        }
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        match self {
            ImageSrc::Object(url) => url.as_str(),
            ImageSrc::Data(url) => url,
        }
    }
}

/// A `blob:` URL for some bytes, revoked when dropped.
#[derive(Debug, PartialEq, Eq)]
pub struct ObjectUrl(String);

impl ObjectUrl {
    /// Makes a Blob of `bytes` and a URL for it, with media type `mime` if it is passive and
    /// `application/octet-stream` otherwise ([`passive_type`]).
    pub fn new(bytes: &[u8], mime: &str) -> Result<ObjectUrl, String> {
        let parts = Array::new();
        parts.push(&Uint8Array::from(bytes));
        let options = BlobPropertyBag::new();
        options.set_type(passive_type(mime));
        let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)
            .map_err(|e| js_error("cannot make a blob", e))?;
        Url::create_object_url_with_blob(&blob)
            .map(ObjectUrl)
            .map_err(|e| js_error("cannot make a URL", e))
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Drop for ObjectUrl {
    fn drop(&mut self) {
        let _ = Url::revoke_object_url(&self.0);
    }
}

/// Offers `bytes` as a download named `filename`.
pub fn download(bytes: &[u8], filename: &str, mime: &str) -> Result<(), String> {
    let url = ObjectUrl::new(bytes, mime)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let anchor: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| js_error("cannot make a link", e))?
        .dyn_into()
        .map_err(|_| "not an anchor".to_string())?;
    anchor.set_href(url.as_str());
    anchor.set_download(filename);
    anchor.click();
    // The click has started the download; revoking the URL now is allowed by the File API
    // (the fetch holds the blob), but some browsers are slow: keep it a moment longer.
    yew::platform::spawn_local(async move {
        yew::platform::time::sleep(std::time::Duration::from_secs(30)).await;
        drop(url);
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::passive_type;

    #[test]
    fn only_passive_types_keep_their_type_in_blob_urls() {
        for (mime, want) in [
            ("image/png", "image/png"),
            ("IMAGE/JPEG", "IMAGE/JPEG"),
            ("text/plain; charset=utf-8", "text/plain; charset=utf-8"),
            ("audio/ogg", "audio/ogg"),
            ("video/mp4", "video/mp4"),
            ("image/svg+xml", "application/octet-stream"),
            ("Image/SVG+XML; charset=utf-8", "application/octet-stream"),
            ("text/html; charset=utf-8", "application/octet-stream"),
            ("application/xhtml+xml", "application/octet-stream"),
            ("text/xml", "application/octet-stream"),
            ("application/xml", "application/octet-stream"),
            ("application/pdf", "application/octet-stream"),
            ("message/rfc822", "application/octet-stream"),
            ("multipart/related", "application/octet-stream"),
            ("audio/", "application/octet-stream"),
            ("", "application/octet-stream"),
        ] {
            assert_eq!(passive_type(mime), want, "{mime:?}");
        }
    }
}
