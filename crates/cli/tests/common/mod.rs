//! Running the `passerelle` binary as an operator does, for the command-line tests.
#![allow(dead_code)]

use std::process::Command;

/// The binary, without the environment of the machine's own installation.
pub fn passerelle() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_passerelle"));
    command
        .env_remove("PASSERELLE_DATABASE_URL")
        .env_remove("PASSERELLE_DATA_DIR")
        .env("PASSERELLE_LOG", "warn");
    command
}

/// Runs to completion; returns (exit success, stdout, stderr).
pub fn run(command: &mut Command) -> (bool, String, String) {
    let output = command.output().expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
