//! The relay's `tls` report as a certificate panel, with the choice to continue or close when
//! the certificate did not verify.

use yew::prelude::*;

use yew::platform::spawn_local;

use super::now_ms;
use crate::components::error::ErrorNote;
use crate::components::i18n::use_lang;
use crate::services::api;
use crate::services::file::download;
use crate::state::error::Shown;
use crate::state::i18n::{tr, trf};
use crate::state::mailbox::ApiError;
use crate::state::session::certificate::TlsInfo;
use crate::state::session::Action;

/// Properties of [`CertificatePanel`].
#[derive(Properties, PartialEq)]
pub struct CertificatePanelProps {
    /// The report.
    pub info: TlsInfo,
    /// Whether the decision is still open.
    pub awaiting: bool,
    /// The session goes to the sandbox of `mailscope serve` (its certificate can be
    /// downloaded).
    pub sandbox: bool,
    /// Sends actions.
    pub dispatch: Callback<Action>,
}

/// The certificate panel.
#[function_component(CertificatePanel)]
pub fn certificate_panel(props: &CertificatePanelProps) -> Html {
    let lang = use_lang();
    let info = &props.info;
    let rows = info.rows(now_ms());
    let failed = use_state(|| None::<ApiError>);
    let on_download = {
        let failed = failed.clone();
        Callback::from(move |_: MouseEvent| {
            let failed = failed.clone();
            spawn_local(async move {
                let Some(token) = api::relay_token() else {
                    failed.set(Some(ApiError::NoToken));
                    return;
                };
                let saved = api::sandbox_certificate(&token).await.and_then(|pem| {
                    download(&pem, "sandbox.mailscope.test.pem", "application/x-pem-file")
                        .map_err(ApiError::Other)
                });
                failed.set(saved.err());
            });
        })
    };
    let trust = {
        let d = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.emit(Action::TrustCertificate { now: now_ms() }))
    };
    let forget = {
        let d = props.dispatch.clone();
        let sha256 = info
            .chain
            .first()
            .map(|c| c.sha256.clone())
            .unwrap_or_default();
        Callback::from(move |_: MouseEvent| {
            d.emit(Action::ForgetCertificate {
                sha256: sha256.clone(),
            })
        })
    };
    let decide = |go_on: bool| {
        let d = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            d.emit(Action::Trust {
                go_on,
                now: now_ms(),
            })
        })
    };
    html! {
        <section class={classes!("panel", "cert-panel", if info.verified { "ok" } else if info.pinned { "pinned" } else { "bad" })} id="cert-panel"
            data-verified={info.verified.to_string()} aria-label={tr(lang, "TLS certificate")}>
            <h3>{ tr(lang, "TLS certificate") }</h3>
            <dl class="cert-facts">
                <dt>{ tr(lang, "Protocol") }</dt><dd>{ &info.version }</dd>
                <dt>{ tr(lang, "Cipher suite") }</dt><dd><code>{ &info.cipher }</code></dd>
                <dt>{ tr(lang, "SNI sent") }</dt><dd>{ info.sni.clone().unwrap_or_else(|| tr(lang, "none (an IP address, RFC 6066 §3)").to_string()) }</dd>
                <dt>{ tr(lang, "Verified") }</dt>
                <dd id="cert-verified">
                    if info.verified { <strong class="ok">{ tr(lang, "yes: the chain verified for this name") }</strong> }
                    else {
                        <strong class="bad">{ tr(lang, "no") }</strong>
                        if let Some(f) = &info.failure { <span>{ format!(" — {}", f.render(lang)) }</span> }
                    }
                </dd>
            </dl>
            if info.pinned {
                <div class="cert-pinned" id="cert-pinned">
                    <p><strong>{ tr(lang, "Trusted by you.") }</strong>{ " " }
                        { tr(lang, "You chose to trust exactly this certificate for this server on this browser, so the session went on without asking.") }</p>
                    <div class="button-row">
                        <button type="button" id="cert-forget" onclick={forget}>{ tr(lang, "Stop trusting it") }</button>
                    </div>
                </div>
            } else if !info.verified {
                <div class="cert-warning" role="alert" id="cert-warning">
                    <p><strong>{ tr(lang, "This certificate is not trusted.") }</strong>{ " " }
                        { tr(lang, "Anyone between the relay and the server could present it; a self-signed test server (like the sandbox) does too. The handshake still proves the server holds this certificate's key.") }</p>
                    if props.awaiting {
                        <p>{ tr(lang, "Nothing more is sent until you choose. Trusting this certificate remembers exactly this one (its SHA-256 fingerprint below) for this server on this browser, so the next sessions go on without asking, as swaks or mailscope send do when given the server's own certificate to trust.") }</p>
                        <div class="button-row">
                            <button type="button" id="cert-continue" class="danger" onclick={decide(true)}>{ tr(lang, "Continue this once") }</button>
                            <button type="button" id="cert-trust" onclick={trust}>{ tr(lang, "Trust this certificate") }</button>
                            <button type="button" id="cert-close" onclick={decide(false)}>{ tr(lang, "Close the connection") }</button>
                        </div>
                    }
                </div>
            }
            if props.sandbox {
                <p class="muted">
                    <button type="button" id="cert-download" onclick={on_download}>{ tr(lang, "Download the sandbox's certificate (PEM)") }</button>
                    {" "}{ tr(lang, "to verify the sandbox from other tools: it is the certificate to trust.") }
                </p>
                if let Some(e) = &*failed { <ErrorNote error={Shown::of(e, lang)} /> }
            }
            <ol class="cert-chain">
                { for rows.iter().enumerate().map(|(i, row)| {
                    let c = &row.cert;
                    html! {
                        <li class="cert">
                            <h4>{ if i == 0 { tr(lang, "Server certificate") } else { tr(lang, "Issuer certificate") } }
                                if row.self_issued { <span class="badge">{ tr(lang, "self-issued") }</span> }</h4>
                            <dl>
                                <dt>{ tr(lang, "Subject") }</dt><dd><code>{ &c.subject }</code></dd>
                                <dt>{ tr(lang, "Issuer") }</dt><dd><code>{ &c.issuer }</code></dd>
                                <dt>{ tr(lang, "Valid") }</dt>
                                <dd>{ trf(lang, "{from} to {to}", &[("from", &c.not_before), ("to", &c.not_after)]) }{ " " }
                                    <span class={classes!("validity", row.validity.class())}>{ tr(lang, row.validity.label()) }</span></dd>
                                <dt>{ tr(lang, "Names (SAN)") }</dt><dd>{ for c.sans.iter().map(|n| html! { <code class="san">{ n }</code> }) }</dd>
                                <dt>{ "SHA-256" }</dt><dd><code class="fingerprint">{ &c.sha256 }</code></dd>
                            </dl>
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use mailscope_core::relay::{Certificate, VerifyKind};
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::components::test_support::{mount_with, wait_until};
    use crate::state::session::certificate::VerifyFailure;

    #[wasm_bindgen_test]
    async fn an_expired_untrusted_certificate_asks_before_going_on() {
        let info = TlsInfo {
            version: "TLSv1.2".into(),
            cipher: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".into(),
            sni: Some("mx.example.org".into()),
            chain: vec![Certificate {
                subject: "CN=mx.example.org".into(),
                issuer: "CN=Old CA".into(),
                not_before: "2001-01-01T00:00:00Z".into(),
                not_after: "2002-01-01T00:00:00Z".into(),
                sans: vec!["mx.example.org".into()],
                sha256: "01:02".into(),
            }],
            verified: false,
            failure: Some(VerifyFailure {
                kind: Some(VerifyKind::Expired),
                name: "mx.example.org".into(),
                words: "the certificate has expired".into(),
            }),
            pinned: false,
        };
        let decided = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let log = decided.clone();
        let dispatch = Callback::from(move |a: Action| {
            if let Action::Trust { go_on, .. } = a {
                log.borrow_mut().push(go_on);
            }
        });
        let root = mount_with::<CertificatePanel>(CertificatePanelProps {
            info,
            awaiting: true,
            sandbox: false,
            dispatch,
        });
        wait_until("the panel", String::new, || {
            root.query_selector("#cert-close").ok().flatten().is_some()
        })
        .await;
        let text = root.text_content().unwrap_or_default();
        assert!(
            text.contains("expired"),
            "validity judged by the clock: {text}"
        );
        assert!(
            text.contains("the certificate has expired"),
            "failure: {text}"
        );
        assert!(text.contains("not trusted"), "{text}");
        let button = root
            .query_selector("#cert-close")
            .ok()
            .flatten()
            .expect("a close button");
        wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(button)
            .expect("html element")
            .click();
        assert_eq!(*decided.borrow(), vec![false], "close chosen");
        root.remove();
    }
}
