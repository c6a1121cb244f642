//! Rebuilds when a file under `locales/` is added or removed: `static_loader!` in src/i18n.rs embeds
//! the .ftl files it finds at compile time (edits to existing files are tracked through include_str!).

fn main() {
    println!("cargo:rerun-if-changed=locales");
}
