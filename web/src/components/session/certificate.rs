//! The relay's `tls` report as a certificate panel, with the choice to continue or close when
//! the certificate did not verify.

use yew::prelude::*;

use super::now_ms;
use crate::components::i18n::use_lang;
use crate::state::i18n::{tr, trf};
use crate::state::session::certificate::TlsInfo;
use crate::state::session::Action;

/// Properties of [`CertificatePanel`].
#[derive(Properties, PartialEq)]
pub struct CertificatePanelProps {
    /// The report.
    pub info: TlsInfo,
    /// Whether the decision is still open.
    pub awaiting: bool,
    /// Sends actions.
    pub dispatch: Callback<Action>,
}

/// The certificate panel.
#[function_component(CertificatePanel)]
pub fn certificate_panel(props: &CertificatePanelProps) -> Html {
    let lang = use_lang();
    let info = &props.info;
    let rows = info.rows(now_ms());
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
        <section class={classes!("panel", "cert-panel", if info.verified { "ok" } else { "bad" })} id="cert-panel"
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
                        if let Some(e) = &info.verify_error { <span>{ format!(" — {e}") }</span> }
                    }
                </dd>
            </dl>
            if !info.verified {
                <div class="cert-warning" role="alert" id="cert-warning">
                    <p><strong>{ tr(lang, "This certificate is not trusted.") }</strong>{ " " }
                        { tr(lang, "Anyone between the relay and the server could present it; a self-signed test server (like the sandbox) does too. The handshake still proves the server holds this certificate's key.") }</p>
                    if props.awaiting {
                        <p>{ tr(lang, "Nothing more is sent until you choose.") }</p>
                        <div class="button-row">
                            <button type="button" id="cert-continue" class="danger" onclick={decide(true)}>{ tr(lang, "Continue anyway") }</button>
                            <button type="button" id="cert-close" onclick={decide(false)}>{ tr(lang, "Close the connection") }</button>
                        </div>
                    }
                </div>
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
    use mailscope_core::relay::Certificate;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::components::test_support::{mount_with, wait_until};

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
            verify_error: Some("certificate expired".into()),
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
        assert!(text.contains("certificate expired"), "verify_error: {text}");
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
