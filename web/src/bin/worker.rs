//! The worker: a Web Worker (built by Trunk as `worker`, started by the page the first time it
//! needs it) that does the page's heavy work off its main thread. Everything is in
//! `mailscope_web::worker`; the protocol is `mailscope_web::worker::protocol`.

#[cfg(target_arch = "wasm32")]
fn main() {
    mailscope_web::worker::start();
}

/// Natively there is nothing to run: the worker exists only in the browser.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
