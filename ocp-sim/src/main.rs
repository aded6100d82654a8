//! `ocp-sim`: the simulator as its own binary (bridgectl carries the same entry point).

fn main() -> anyhow::Result<()> {
    ocp_sim::entry::run(std::env::args_os())
}
