//! How much memory the machine can spare, for work done on a guess: the window the tray starts
//! ahead as its menu opens (`tray::window_process`) costs a WebKit process (~400 MiB RSS) that
//! the user may never look at.

/// The memory a machine must have available for the tray to start the window on a guess: the
/// window's processes (~400 MiB) and room to spare, so that a look at the menu never pushes a
/// busy machine into swap. Below it, "Open shelves…" starts the window when clicked, as before.
pub const NEEDED_AHEAD: u64 = 1024 * 1024 * 1024;

/// Bytes the kernel says can be given to a new process without swapping (`MemAvailable`), or
/// `None` where that is unknown: on Windows and macOS (asking them needs a system call the
/// workspace's `unsafe_code = "forbid"` rules out), or a kernel older than 3.14.
pub fn available() -> Option<u64> {
    if cfg!(target_os = "linux") {
        std::fs::read_to_string("/proc/meminfo").ok().as_deref().and_then(available_in)
    } else {
        None
    }
}

/// `MemAvailable` from the text of `/proc/meminfo` ("MemAvailable:  8123456 kB").
pub fn available_in(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find_map(|l| l.strip_prefix("MemAvailable:"))?;
    let mut words = line.split_whitespace();
    let amount: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") => amount.checked_mul(1024),
        // The kernel has only ever written kB: another unit is not a figure to act on.
        _ => None,
    }
}

/// Whether to start the window on a guess with `available` bytes free: yes when unknown (the
/// window is then started as it would be on a click, a little sooner).
pub fn can_spare_for_ahead(available: Option<u64>) -> bool {
    available.is_none_or(|bytes| bytes >= NEEDED_AHEAD)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMINFO: &str = "MemTotal:       24598456 kB\nMemFree:         1021916 kB\n\
                           MemAvailable:   20417812 kB\nBuffers:          311572 kB\n";

    #[test]
    fn reads_mem_available_in_bytes() {
        assert_eq!(available_in(MEMINFO), Some(20_417_812 * 1024), "MemAvailable is given in kB");
    }

    #[test]
    fn an_unreadable_meminfo_gives_no_figure() {
        for text in
            ["", "MemTotal: 100 kB\n", "MemAvailable: lots kB\n", "MemAvailable: 100 MB\n", "MemAvailable: 100\n"]
        {
            assert_eq!(available_in(text), None, "no figure must be made up from {text:?}");
        }
    }

    #[test]
    fn the_window_is_started_ahead_only_with_memory_to_spare() {
        assert!(can_spare_for_ahead(Some(8 * NEEDED_AHEAD)), "a machine with plenty free starts the window ahead");
        assert!(
            !can_spare_for_ahead(Some(NEEDED_AHEAD - 1)),
            "a machine short of memory must not start WebKit on a guess"
        );
        assert!(can_spare_for_ahead(None), "where the figure is unknown, the window is started ahead as before");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_machine_reports_its_available_memory() {
        let bytes = available().expect("Linux has had MemAvailable in /proc/meminfo since 3.14");
        assert!(bytes > 0, "a running machine has some memory available");
    }
}
