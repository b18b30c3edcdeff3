//! Placeholder until the desktop shell lands.

fn main() {}
