//! Shareable links ([`crate::state::share`]): the "Copy link" button, the notice a shared link
//! shows when it is opened, and the hook that hands the shared content to a view.

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::components::route::use_route;
use crate::state::error::Shown;
use crate::state::i18n::{tr, trf};
use crate::state::message::Doc;
use crate::state::share::{self, ShareError, ShareKind, MAX_CONTENT_BYTES};

/// Calls `open` with the content of a shared link of `kind` in the URL: once when the
/// component mounts, and again whenever the fragment changes to another link. The `share=`
/// parameter stays in the URL, so a reload opens it again.
#[hook]
pub fn use_share_restore(kind: ShareKind, open: Callback<Vec<u8>>) {
    let fragment = use_route().fragment;
    use_effect_with(fragment, move |fragment| {
        if let Some(Ok(shared)) = share::from_fragment(fragment) {
            if shared.kind == kind {
                open.emit(shared.content);
            }
        }
    });
}

/// What to share. Compared by identity (messages can be large).
#[derive(Clone)]
pub enum ShareSource {
    /// Text, such as a transcript's S:/C: lines.
    Text(AttrValue),
    /// Bytes, such as a composed message.
    Bytes(Rc<Vec<u8>>),
    /// An opened message.
    Doc(Doc),
}

impl PartialEq for ShareSource {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ShareSource::Text(a), ShareSource::Text(b)) => a == b,
            (ShareSource::Bytes(a), ShareSource::Bytes(b)) => Rc::ptr_eq(a, b),
            (ShareSource::Doc(a), ShareSource::Doc(b)) => a == b,
            _ => false,
        }
    }
}

impl ShareSource {
    fn bytes(&self) -> &[u8] {
        match self {
            ShareSource::Text(t) => t.as_bytes(),
            ShareSource::Bytes(b) => b,
            ShareSource::Doc(d) => &d.input,
        }
    }
}

/// Says what a shared link in the URL opened, or why it could not be opened.
#[function_component(ShareNotice)]
pub fn share_notice() -> Html {
    let lang = use_lang();
    let fragment = use_route().fragment;
    match share::from_fragment(&fragment) {
        None => html! {},
        Some(Ok(shared)) => {
            let text = match shared.kind {
                ShareKind::Transcript => tr(
                    lang,
                    "Opened the transcript shared in this link in the Import tab below.",
                ),
                ShareKind::Message => tr(lang, "Opened the message shared in this link."),
            };
            html! { <p class="share-notice" id="share-notice" role="status">{ text }</p> }
        }
        Some(Err(e)) => html! {
            <div class="share-notice">
                <ErrorNote id="share-error" error={Shown::of(&e, lang)} />
            </div>
        },
    }
}

/// Properties of [`ShareButton`].
#[derive(Properties, PartialEq)]
pub struct ShareButtonProps {
    /// What the content is.
    pub kind: ShareKind,
    /// The content.
    pub source: ShareSource,
    /// The button's id; the link field is `<id>-link`.
    pub id: AttrValue,
}

/// What the last click made.
#[derive(Clone, PartialEq)]
struct Made {
    link: Result<String, ShareError>,
    auth: bool,
    copied: Option<bool>,
}

/// Copies `text` with the Clipboard API; `false` when it is missing or refused.
pub(crate) async fn copy(text: String) -> bool {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return false;
    };
    // `navigator.clipboard` is undefined outside secure contexts.
    let present = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .map(|c| !c.is_undefined() && !c.is_null())
        .unwrap_or(false);
    if !present {
        return false;
    }
    let clipboard = navigator.clipboard();
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text))
        .await
        .is_ok()
}

/// "Copy link": builds a link holding the whole content, copies it, and shows it in a
/// read-only field (for when the clipboard is refused).
#[function_component(ShareButton)]
pub fn share_button(props: &ShareButtonProps) -> Html {
    let lang = use_lang();
    let made = use_state(|| None::<Made>);
    {
        // A link made for other content would be stale.
        let made = made.clone();
        use_effect_with(props.source.clone(), move |_| made.set(None));
    }
    let onclick = {
        let made = made.clone();
        let kind = props.kind;
        let source = props.source.clone();
        Callback::from(move |_: MouseEvent| {
            let bytes = source.bytes();
            let href = web_sys::window()
                .and_then(|w| w.location().href().ok())
                .unwrap_or_default();
            let link = share::link(&href, kind, bytes);
            let auth = link.is_ok() && kind == ShareKind::Transcript && share::reveals_auth(bytes);
            let first = Made {
                link,
                auth,
                copied: None,
            };
            made.set(Some(first.clone()));
            if let Ok(text) = first.link.clone() {
                let made = made.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let copied = copy(text).await;
                    made.set(Some(Made {
                        copied: Some(copied),
                        ..first
                    }));
                });
            }
        })
    };
    let select = Callback::from(|e: FocusEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        input.select();
    });
    let link_id = format!("{}-link", props.id);
    let too_big = props.source.bytes().len() > MAX_CONTENT_BYTES;
    html! {
        <div class="share">
            <button type="button" id={props.id.clone()} {onclick}
                title={too_big.then(|| tr(lang, "Too large for a link: export the file instead."))}>
                { tr(lang, "Copy link") }
            </button>
            if let Some(m) = &*made {
                <div class="share-result">
                    { match &m.link {
                        Ok(link) => html! {
                            <>
                                <label for={link_id.clone()}>{ trf(lang, "Link ({n} characters)", &[("n", &link.len())]) }</label>
                                <input id={link_id.clone()} class="share-link" type="text" readonly=true
                                    value={link.clone()} onfocus={select} spellcheck="false" />
                                <p class="muted share-note">
                                    { tr(lang, "The link holds the whole content; nothing is uploaded.") }
                                    {" "}
                                    { match m.copied {
                                        Some(true) => tr(lang, "Copied to the clipboard."),
                                        Some(false) => tr(lang, "The clipboard is not available: select the link and copy it."),
                                        None => "",
                                    } }
                                </p>
                                if m.auth {
                                    <p class="warn share-auth" role="alert">
                                        { tr(lang, "This transcript includes an AUTH exchange: the link reveals the credentials, which base64 only encodes.") }
                                    </p>
                                }
                            </>
                        },
                        Err(e) => html! { <ErrorNote error={Shown::of(e, lang)} /> },
                    } }
                </div>
            }
        </div>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::wasm_bindgen_test;
    use web_sys::{Element, HtmlInputElement};

    use super::*;
    use crate::components::test_support::{click, mount_with, wait_until};

    #[derive(Properties, PartialEq)]
    struct Two {
        transcript: AttrValue,
        message: Rc<Vec<u8>>,
    }

    #[function_component(Harness)]
    fn harness(props: &Two) -> Html {
        html! {
            <>
                <ShareButton kind={ShareKind::Transcript} source={ShareSource::Text(props.transcript.clone())} id="t-share" />
                <ShareButton kind={ShareKind::Message} source={ShareSource::Bytes(props.message.clone())} id="m-share" />
            </>
        }
    }

    fn text(root: &Element, css: &str) -> Option<String> {
        root.query_selector(css)
            .ok()
            .flatten()
            .map(|e| e.text_content().unwrap_or_default())
    }

    #[wasm_bindgen_test]
    async fn links_warnings_and_the_size_limit() {
        let props = Two {
            transcript:
                "S: 220 x\nC: EHLO c\nS: 250 AUTH PLAIN\nC: AUTH PLAIN AGEAYg==\nS: 235 ok\n".into(),
            message: Rc::new(vec![b'a'; MAX_CONTENT_BYTES + 2048]),
        };
        let root = mount_with::<Harness>(props);
        wait_until("the buttons", String::new, || {
            text(&root, "#m-share").is_some()
        })
        .await;
        assert!(
            text(&root, ".share-result").is_none(),
            "nothing before a click"
        );

        click(&root, "#t-share").await;
        wait_until("the link", String::new, || {
            text(&root, "#t-share-link").is_some()
        })
        .await;
        let link: HtmlInputElement = root
            .query_selector("#t-share-link")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into().ok())
            .expect("link field");
        let value = link.value();
        assert!(value.contains("#/session?share=v1.t"), "link: {value}");
        assert!(!value.contains("token"), "no token: {value}");
        let decoded = share::from_fragment(value.split_once('#').map_or("", |p| p.1));
        assert!(
            matches!(decoded, Some(Ok(_))),
            "the link decodes: {decoded:?}"
        );
        let warning = text(&root, ".share-auth").unwrap_or_default();
        assert!(warning.contains("AUTH"), "AUTH warning: {warning:?}");

        click(&root, "#m-share").await;
        wait_until("the size error", String::new, || {
            text(&root, "#m-share ~ .share-result .error").is_some()
        })
        .await;
        let error = text(&root, "#m-share ~ .share-result .error").unwrap_or_default();
        assert_eq!(
            error,
            "Too large to share as a link: 34 KB, the limit is 32 KB — export the file instead."
        );
        assert!(root
            .query_selector("#m-share-link")
            .ok()
            .flatten()
            .is_none());
        root.remove();
    }
}
