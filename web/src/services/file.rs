//! Reading dropped or opened files in slices (with progress), and handing bytes back to the
//! user as downloads or object URLs.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, File, HtmlAnchorElement, Url};

/// Bytes read per slice; progress is reported and the event loop gets a turn after each.
pub const CHUNK: u64 = 2 * 1024 * 1024;
/// Largest file read (the inspector holds it in memory several times over).
pub const MAX_FILE: u64 = 256 * 1024 * 1024;

fn js_error(context: &str, e: wasm_bindgen::JsValue) -> String {
    let detail = e
        .as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"));
    format!("{context}: {detail}")
}

/// Reads a whole file slice by slice, calling `progress` with the bytes read so far after each
/// slice and yielding to the event loop so a progress bar can paint.
pub async fn read_file(file: &File, mut progress: impl FnMut(u64)) -> Result<Vec<u8>, String> {
    let size = file.size();
    if !(size.is_finite() && size >= 0.0) {
        return Err("the file reports no size".into());
    }
    let total = size as u64;
    if total > MAX_FILE {
        return Err(format!(
            "{} is {total} bytes; the inspector reads at most {MAX_FILE}",
            file.name()
        ));
    }
    let mut out = Vec::with_capacity(total as usize);
    let mut offset = 0u64;
    while offset < total {
        let end = (offset + CHUNK).min(total);
        let slice = file
            .slice_with_f64_and_f64(offset as f64, end as f64)
            .map_err(|e| js_error("cannot slice the file", e))?;
        let buffer = JsFuture::from(slice.array_buffer())
            .await
            .map_err(|e| js_error("cannot read the file", e))?;
        out.extend_from_slice(&Uint8Array::new(&buffer).to_vec());
        offset = end;
        progress(offset);
        yew::platform::time::sleep(std::time::Duration::ZERO).await;
    }
    Ok(out)
}

/// A `blob:` URL for some bytes, revoked when dropped.
#[derive(Debug, PartialEq, Eq)]
pub struct ObjectUrl(String);

impl ObjectUrl {
    /// Makes a Blob of `bytes` with media type `mime` and a URL for it.
    pub fn new(bytes: &[u8], mime: &str) -> Result<ObjectUrl, String> {
        let parts = Array::new();
        parts.push(&Uint8Array::from(bytes));
        let options = BlobPropertyBag::new();
        options.set_type(mime);
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
