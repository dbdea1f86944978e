//! The interface language as a Yew context, and the switch in the header.

use yew::prelude::*;

use mailscope_core::i18n::Piece;

use crate::services::lang_pack;
use crate::state::error::UserError;
use crate::state::i18n::{is_ready, key, tr, trf, Lang, PackLoad};

/// What the context carries: the language and how to change it.
#[derive(Clone, PartialEq)]
pub struct LangContext {
    /// The language shown: the chosen one once its text is in, English until then.
    pub lang: Lang,
    /// The language chosen (remembered, shown in the switch).
    pub chosen: Lang,
    /// Where the chosen language's pack stands.
    pub pack: PackLoad,
    /// Switches the language (remembered for the next visit).
    pub set: Callback<Lang>,
}

/// The language in use, for `tr(lang, …)`; English outside a provider (component tests).
#[hook]
pub fn use_lang() -> Lang {
    use_context::<LangContext>()
        .map(|c| c.lang)
        .unwrap_or_default()
}

/// Where the text of `chosen` stands: ready, or its pack loading (started here when it is not
/// installed yet, in the page's build) or failed. `Loading` from the first render when the pack
/// is not in, so nothing is rendered in English meanwhile by mistake.
#[hook]
pub fn use_lang_pack(chosen: Lang) -> PackLoad {
    let pack = use_state(|| {
        if is_ready(chosen) {
            PackLoad::Ready
        } else {
            PackLoad::Loading
        }
    });
    {
        let pack = pack.clone();
        use_effect_with(chosen, move |&chosen| {
            if is_ready(chosen) {
                pack.set(PackLoad::Ready);
            } else {
                pack.set(PackLoad::Loading);
                yew::platform::spawn_local(async move {
                    pack.set(match lang_pack::load(chosen).await {
                        Ok(()) => PackLoad::Ready,
                        Err(e) => PackLoad::Failed(e),
                    });
                });
            }
        });
    }
    (*pack).clone()
}

/// The English name of `lang`, to translate with [`tr`] in the pack's status.
fn english_name(lang: Lang) -> &'static str {
    match lang {
        Lang::En => key("English"),
        Lang::Ko => key("Korean"),
    }
}

/// The language picker; while the chosen language's pack loads it says so, and if it cannot
/// be loaded, why (the page stays English).
#[function_component(LangSwitch)]
pub fn lang_switch() -> Html {
    let Some(context) = use_context::<LangContext>() else {
        return html! {};
    };
    let lang = context.lang;
    let chosen = context.chosen;
    let language = tr(lang, english_name(chosen));
    let status = match &context.pack {
        PackLoad::Ready => html! {},
        PackLoad::Loading => html! {
            <span id="lang-status" class="lang-status muted" role="status">
                { trf(lang, "Loading {language}…", &[("language", &language)]) }
            </span>
        },
        PackLoad::Failed(error) => html! {
            <span id="lang-status" class="lang-status error" role="alert" title={error.next_step(lang)}>
                { trf(lang, "{language} text could not be loaded: {error} — showing English",
                      &[("language", &language), ("error", &error.what(lang))]) }
            </span>
        },
    };
    let onchange = {
        let set = context.set.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            if let Some(next) = Lang::from_tag(&value) {
                set.emit(next);
            }
        })
    };
    html! {
        <>
        <label class="lang-switch">
            <span class="visually-hidden">{ tr(lang, "Language") }</span>
            <select id="lang-switch" {onchange} aria-label={tr(lang, "Language")}>
                { for Lang::ALL.into_iter().map(|l| html! {
                    <option value={l.tag()} selected={l == chosen} lang={l.tag()}>{ l.name() }</option>
                }) }
            </select>
        </label>
        { status }
        </>
    }
}

/// [`trf`] as markup: the template in `lang` with each value in place, the values marked as
/// data (`data-data`: shown as they are in every language, such as a user name or a code).
pub fn filled(lang: Lang, template: &'static str, args: &[(&str, Html)]) -> Html {
    let names: Vec<&str> = args.iter().map(|(n, _)| *n).collect();
    html! {
        <>{ for mailscope_core::i18n::pieces(tr(lang, template), &names).into_iter().map(|p| match p {
            Piece::Text(t) => html! { { t } },
            Piece::Hole(i) => args.get(i).map(|(_, v)| v.clone()).unwrap_or_default(),
        }) }</>
    }
}

/// A value in [`filled`] text: shown as it is, marked as data.
pub fn datum(value: impl std::fmt::Display) -> Html {
    html! { <span class="value" data-data="">{ value.to_string() }</span> }
}

/// Properties of [`LintItem`].
#[derive(Properties, PartialEq)]
pub struct LintItemProps {
    /// The finding.
    pub lint: mailscope_core::lint::Lint,
}

/// One finding in a list: in English the core's specific message; in another language the
/// core's translated summary of the lint as the main line and the specific message, translated
/// by the core with its values kept ([`lint_message`](mailscope_core::i18n::lint_message)),
/// under it.
#[function_component(LintItem)]
pub fn lint_item(props: &LintItemProps) -> Html {
    let lang = use_lang();
    let lint = &props.lint;
    let summary = (lang != Lang::En)
        .then(|| mailscope_core::i18n::lint_summary(lang, &lint.code))
        .flatten();
    let reference = (!lint.message.contains(&*lint.reference)).then(|| {
        html! {
            <span class="muted">{" ("}{ lint.reference.to_string() }{")"}</span>
        }
    });
    html! {
        <li class={classes!("lint", lint.severity.as_str())}>
            <code class="lint-code">{ lint.code.to_string() }</code>{" "}
            if let Some(summary) = summary {
                <span class="lint-summary">{ summary }</span>
                { reference }
                <span class="lint-detail">{ mailscope_core::i18n::lint_message(lang, lint) }</span>
            } else {
                <span class="lint-message">{ &lint.message }</span>
                { reference }
            }
        </li>
    }
}
