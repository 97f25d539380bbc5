//! Links the `dateline` binary as a position-dependent executable with lazy symbol binding, on
//! Linux with glibc. A search process is short: the dynamic loader's work at start-up was a
//! third of a small search's time, most of it relocating a position-independent executable
//! (each relocated page is copied on write) and binding every symbol before `main`. Measured in
//! benches/README.md ("Start-up"). The library, the tests and the proc-macros are unaffected.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.ends_with("-linux-gnu") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
        println!("cargo:rustc-link-arg-bins=-Wl,-z,lazy");
    }
}
