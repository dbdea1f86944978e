//! A part's decoded body: text, HTML in a locked-down iframe, images, a hex view, download.

use yew::prelude::*;

use crate::components::i18n::use_lang;
use crate::services::file::{self, ImageSrc};
use crate::state::i18n::{key, tr, trf, Lang};
use crate::state::message::inspect::{hex_rows, Doc, InlinedHtml};
use crate::state::message::{Action, BodyTab};

/// The policy put in front of every HTML part: no scripts, no remote loads, inline styles and
/// `data:` images only.
pub const HTML_CSP: &str = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

/// [`HTML_CSP`] once the reader chose to load remote images and styles: still no scripts,
/// frames, fonts or requests of any other kind.
pub const HTML_CSP_REMOTE: &str =
    "default-src 'none'; img-src data: http: https:; style-src 'unsafe-inline' http: https:";

/// Properties of [`PartBodyView`].
#[derive(Properties, PartialEq)]
pub struct PartBodyProps {
    /// The message.
    pub doc: Doc,
    /// The part.
    pub part: usize,
    /// Content or hex.
    pub tab: BodyTab,
    /// Bytes shown in hex.
    pub hex_limit: usize,
    /// Characters of text shown.
    pub text_limit: usize,
    /// Remote images and styles are loaded.
    pub remote_images: bool,
    /// Where actions go.
    pub dispatch: Callback<Action>,
}

/// The HTML document given to the sandboxed iframe (remote loads blocked unless `remote`).
pub fn sandboxed_html(html: &str, remote: bool) -> String {
    let csp = if remote { HTML_CSP_REMOTE } else { HTML_CSP };
    format!("<!DOCTYPE html><meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\"><meta charset=\"utf-8\">{html}")
}

/// The body of the selected part.
#[function_component(PartBodyView)]
pub fn part_body_view(props: &PartBodyProps) -> Html {
    let lang = use_lang();
    let status = use_state(|| None::<String>);
    // Inlining cid: parts base64-encodes them: once per part, not on every render.
    let inlined = use_memo((props.doc.clone(), props.part), |(doc, part)| {
        doc.parts
            .get(*part)
            .filter(|p| p.content_type == "text/html")
            .map(|p| doc.html_with_inline_parts(p.text.as_deref().unwrap_or_default()))
    });
    let doc = &props.doc;
    let Some(part) = doc.parts.get(props.part) else {
        return html! {};
    };
    if part.container {
        return html! {
            <section class="part-body" aria-label={tr(lang, "Body")}>
                <h4>{ trf(lang, "Body: {type}", &[("type", &part.content_type)]) }</h4>
                <p class="muted">{ trf(lang, "Parts in this container: {n}. Pick one in the tree.", &[("n", &part.children.len())]) }</p>
            </section>
        };
    }
    let bytes = doc.body(props.part);
    let tab_button = |tab: BodyTab, label: &'static str| {
        let dispatch = props.dispatch.clone();
        html! {
            <button type="button" role="tab" aria-selected={(props.tab == tab).to_string()}
                onclick={Callback::from(move |_| dispatch.emit(Action::SetBodyTab(tab)))}>{ tr(lang, label) }</button>
        }
    };
    let on_download = {
        let doc = doc.clone();
        let id = props.part;
        let status = status.clone();
        Callback::from(move |_| {
            let Some(p) = doc.parts.get(id) else { return };
            let mime = if p.content_type.starts_with("text/") {
                format!("{}; charset=utf-8", p.content_type)
            } else {
                p.content_type.clone()
            };
            // Text parts are offered in UTF-8 (decoded), everything else as decoded bytes.
            let result = match &p.text {
                Some(t) => file::download(t.as_bytes(), &p.download_name(), &mime),
                None => file::download(doc.body(id), &p.download_name(), &mime),
            };
            status.set(result.err());
        })
    };
    html! {
        <section class="part-body" aria-label={tr(lang, "Body")}>
            <div class="toolbar">
                <h4>{ trf(lang, "Body of {part}", &[("part", &part.label(lang))]) }</h4>
                <span class="muted">{ trf(lang, "{n} bytes decoded from {cte} ({m} bytes)", &[("n", &bytes.len()), ("cte", &part.transfer_encoding), ("m", &part.body_span.len())]) }</span>
                <span role="tablist" class="body-tabs">
                    { tab_button(BodyTab::Content, key("Content")) }
                    { tab_button(BodyTab::Hex, key("Hex")) }
                </span>
                <button type="button" class="download" onclick={on_download}>{ trf(lang, "Download {name}", &[("name", &part.download_name())]) }</button>
            </div>
            if let Some(e) = &*status { <p class="error">{ e }</p> }
            if props.tab == BodyTab::Hex {
                { hex_view(lang, bytes, props.hex_limit, &props.dispatch) }
            } else {
                { content(lang, props, bytes, inlined.as_ref().as_ref()) }
            }
        </section>
    }
}

fn hex_view(lang: Lang, bytes: &[u8], limit: usize, dispatch: &Callback<Action>) -> Html {
    let rows = hex_rows(bytes, limit);
    let dispatch = dispatch.clone();
    html! {
        <>
            <pre class="hex-view">{ rows.join("\n") }</pre>
            if bytes.len() > limit {
                <button type="button" onclick={Callback::from(move |_| dispatch.emit(Action::MoreHex))}>
                    { trf(lang, "Show more ({shown} of {n} bytes shown)", &[("shown", &limit), ("n", &bytes.len())]) }
                </button>
            }
        </>
    }
}

fn content(lang: Lang, props: &PartBodyProps, bytes: &[u8], inlined: Option<&InlinedHtml>) -> Html {
    let Some(part) = props.doc.parts.get(props.part) else {
        return html! {};
    };
    if let Some(prepared) = inlined {
        return html! {
            <>
                <iframe class="html-part" title={trf(lang, "HTML of {part}", &[("part", &part.label(lang))])}
                    sandbox="" referrerpolicy="no-referrer" srcdoc={sandboxed_html(&prepared.html, props.remote_images)} />
                <p class="muted html-note">
                    if props.remote_images {
                        { tr(lang, "Shown in a sandbox: no scripts; remote images and styles are loaded, as you asked.") }
                    } else {
                        { tr(lang, "Shown in a sandbox: no scripts, no remote images or styles.") }
                    }
                    if prepared.inlined > 0 {
                        {" "}<span class="inlined">{ trf(lang, "Inline parts (cid:) shown from this message: {n}.", &[("n", &prepared.inlined)]) }</span>
                    }
                    if prepared.missing > 0 {
                        {" "}<span class="warn">{ trf(lang, "cid: references that name no part of this message: {n}.", &[("n", &prepared.missing)]) }</span>
                    }
                    if prepared.remote > 0 && !props.remote_images {
                        {" "}<span class="blocked">{ trf(lang, "Remote images or styles blocked: {n}.", &[("n", &prepared.remote)]) }</span>
                    }
                </p>
                if prepared.remote > 0 {
                    <p class="muted">
                        <button type="button" id="remote-images" aria-pressed={props.remote_images.to_string()}
                            onclick={{ let (d, on) = (props.dispatch.clone(), !props.remote_images); Callback::from(move |_| d.emit(Action::RemoteImages(on))) }}>
                            { if props.remote_images { tr(lang, "Block remote images again") } else { tr(lang, "Load remote images") } }
                        </button>
                        {" "}{ tr(lang, "Loading them tells the sender's servers that the message was opened, from which address, and when.") }
                    </p>
                }
            </>
        };
    }
    if let Some(text) = &part.text {
        let shown: String = text.chars().take(props.text_limit).collect();
        let cut = shown.len() < text.len();
        let dispatch = props.dispatch.clone();
        return html! {
            <>
                <pre class="text-part" lang="und">{ shown }</pre>
                if cut {
                    <button type="button" onclick={Callback::from(move |_| dispatch.emit(Action::MoreText))}>{ tr(lang, "Show more text") }</button>
                }
            </>
        };
    }
    if part.content_type.starts_with("image/") {
        return html! { <ImagePart doc={props.doc.clone()} part={props.part} /> };
    }
    html! {
        <p class="muted">{ trf(lang, "{n} bytes of {type}: see the Hex tab or download it.", &[("n", &bytes.len()), ("type", &part.content_type)]) }</p>
    }
}

/// Properties of [`ImagePart`].
#[derive(Properties, PartialEq)]
pub struct ImagePartProps {
    /// The message.
    pub doc: Doc,
    /// The image part.
    pub part: usize,
}

/// An image part, shown from a URL that lives as long as the component ([`ImageSrc`]: SVG from a
/// `data:` URL, so that opened in a tab it runs nothing as the page).
#[function_component(ImagePart)]
pub fn image_part(props: &ImagePartProps) -> Html {
    let lang = use_lang();
    let url = use_memo((props.doc.clone(), props.part), |(doc, part)| {
        let mime = doc
            .parts
            .get(*part)
            .map(|p| p.content_type.clone())
            .unwrap_or_default();
        ImageSrc::new(doc.body(*part), &mime)
    });
    match &*url {
        Ok(url) => {
            html! { <img class="image-part" src={url.as_str().to_string()} alt={tr(lang, "image part")} /> }
        }
        Err(e) => html! { <p class="error">{ e }</p> },
    }
}
