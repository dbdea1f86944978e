//! The Tools view: encoders, decoders and lookups, each a call into the core.

pub mod bytes;
pub mod reply;
pub mod words;

use yew::prelude::*;

use bytes::{AuthTool, Base64Tool, CodeTool, DotTool, TransferTool};
use reply::ReplyTool;
use words::WordsTool;

/// Every tool.
#[function_component(ToolsView)]
pub fn tools_view() -> Html {
    html! {
        <div class="tools-grid">
            <ReplyTool />
            <CodeTool />
            <WordsTool />
            <Base64Tool />
            <TransferTool />
            <DotTool />
            <AuthTool />
        </div>
    }
}
