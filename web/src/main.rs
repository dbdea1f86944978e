//! Entry point of the browser bundle built by Trunk.

fn main() {
    mailscope_web::start();
}
