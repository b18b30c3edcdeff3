//! `hardcover-sync-emulator`: run the emulators by hand (demo mode, manual testing).

fn main() {
    eprintln!("hardcover-sync-emulator: nothing to run yet");
}
