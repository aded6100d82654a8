//! `demo-app`: the app as its own binary (bridgectl carries the same entry point).

fn main() -> std::process::ExitCode {
    demo_app::entry::run()
}
