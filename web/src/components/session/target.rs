//! Where the session goes: the in-browser server, the sandbox, a host and port, or a domain's
//! MX (resolved by the relay and shown by preference), and the TLS mode.

use yew::prelude::*;

use super::field::{Field, Select};
use crate::components::i18n::use_lang;
use crate::state::i18n::{tr, trf};
use crate::state::session::live::{MxChoice, RelayStatus, TargetForm, TargetKind, TlsChoice};
use crate::state::session::Action;

/// Properties of [`TargetPicker`].
#[derive(Properties, PartialEq)]
pub struct TargetPickerProps {
    /// The target.
    pub target: TargetForm,
    /// The relay (for the MX answer).
    pub relay: RelayStatus,
    /// Sends actions.
    pub dispatch: Callback<Action>,
}

/// The target picker.
#[function_component(TargetPicker)]
pub fn target_picker(props: &TargetPickerProps) -> Html {
    let lang = use_lang();
    let t = props.target.clone();
    let set = |f: fn(&mut TargetForm, String)| {
        let d = props.dispatch.clone();
        let t = t.clone();
        Callback::from(move |v: String| {
            let mut next = t.clone();
            f(&mut next, v);
            d.emit(Action::SetTarget(next));
        })
    };
    let kinds: Vec<(AttrValue, AttrValue)> = TargetKind::ALL
        .into_iter()
        .map(|k| {
            (
                AttrValue::from(k.value()),
                AttrValue::from(tr(lang, k.label())),
            )
        })
        .collect();
    let tls: Vec<(AttrValue, AttrValue)> = TlsChoice::ALL
        .into_iter()
        .map(|k| {
            (
                AttrValue::from(k.value()),
                AttrValue::from(tr(lang, k.label())),
            )
        })
        .collect();
    let on_resolve = {
        let d = props.dispatch.clone();
        let domain = t.domain.clone();
        Callback::from(move |_: MouseEvent| {
            d.emit(Action::Resolve {
                domain: domain.clone(),
            })
        })
    };
    let pick = |choice: MxChoice| {
        let d = props.dispatch.clone();
        let t = t.clone();
        Callback::from(move |_: Event| {
            let mut next = t.clone();
            next.mx = choice.clone();
            d.emit(Action::SetTarget(next));
        })
    };
    html! {
        <div class="target-picker" role="group" aria-label={tr(lang, "Server")}>
            <div class="inline-fields">
                <Select id="target-kind" label={tr(lang, "Server")} options={kinds} value={t.kind.value()}
                    onchange={set(|t, v| if let Some(k) = TargetKind::from_value(&v) { t.kind = k })} />
                if t.is_relay() {
                    <Select id="target-tls" label={tr(lang, "TLS")} options={tls} value={t.tls.value()}
                        onchange={set(|t, v| if let Some(k) = TlsChoice::from_value(&v) { t.tls = k })} />
                }
            </div>
            if t.kind == TargetKind::HostPort {
                <div class="inline-fields">
                    <Field id="target-host" label={tr(lang, "Host")} placeholder="mail.example.org" value={t.host.clone()} oninput={set(|t, v| t.host = v)} />
                    <Field id="target-port" label={tr(lang, "Port")} value={t.port.clone()} oninput={set(|t, v| t.port = v)} />
                </div>
            }
            if t.kind == TargetKind::Domain {
                <div class="inline-fields">
                    <Field id="target-domain" label={tr(lang, "Domain")} placeholder="example.org" value={t.domain.clone()} oninput={set(|t, v| { t.domain = v; t.mx = MxChoice::Failover; })} />
                    <button type="button" id="target-resolve" onclick={on_resolve}>{ tr(lang, "Look up MX") }</button>
                </div>
                if let Some(domain) = &props.relay.resolving {
                    <p class="muted">{ trf(lang, "Asking the relay for the MX records of {domain}…", &[("domain", domain)]) }</p>
                }
                if let Some((domain, records, implicit)) = &props.relay.resolved {
                    <fieldset class="mx-list" id="mx-list">
                        <legend>{ trf(lang, "Mail exchangers of {domain}, by preference", &[("domain", domain)]) }</legend>
                        if *implicit {
                            <p class="muted">{ tr(lang, "No MX records: the domain itself is the mail exchanger (implicit MX, RFC 5321 §5.1).") }</p>
                        }
                        <label class="check">
                            <input type="radio" name="mx" id="mx-failover" checked={t.mx == MxChoice::Failover} onchange={pick(MxChoice::Failover)} />
                            { " " }{ tr(lang, "Let the relay try them in order (fail over)") }
                        </label>
                        { for records.iter().enumerate().map(|(i, r)| html! {
                            <label class="check">
                                <input type="radio" name="mx" id={format!("mx-{i}")}
                                    checked={t.mx == MxChoice::Exchange(r.exchange.clone())}
                                    onchange={pick(MxChoice::Exchange(r.exchange.clone()))} />
                                { " " }<code>{ r.preference }</code>{ " " }<strong>{ &r.exchange }</strong>
                                <span class="muted">{ format!(" {}", r.addresses.join(", ")) }</span>
                            </label>
                        }) }
                    </fieldset>
                }
            }
            if t.is_relay() {
                <p class="muted">{ tr(lang, "Live: bytes go through mailscope serve's relay to the real server; the transcript shows exactly what was on the wire.") }</p>
            }
        </div>
    }
}
