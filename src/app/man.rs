//! `mitchell man`: the roff man page, generated from the command line definition by
//! clap_mangen (`mitchell man | man -l -` reads it; install it as `man1/mitchell.1`).

use clap::CommandFactory as _;

use crate::cli::Cli;
use crate::error::ExitStatus;
use crate::output::Output;

pub fn run(out: &mut Output) -> anyhow::Result<ExitStatus> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    out.print(&String::from_utf8_lossy(&page))?;
    Ok(ExitStatus::Success)
}
