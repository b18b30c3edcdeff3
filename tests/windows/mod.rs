//! The Windows build of the CLI, run under Wine against the emulators on this machine: connect
//! with a token kept in Windows' Credential Manager, shelves, a sync of an Audiobookshelf library,
//! export, disconnect. Paths are given the Windows way (drive letter, backslashes). The tray's
//! single-instance handover, a Kobo on a drive letter, and the installer: installed, then
//! uninstalled while the tray runs.
//!
//! Run by `scripts/windows.sh`, which cross-builds the CLI, the tray and the window for
//! `x86_64-pc-windows-gnu`, packages them into the installer, prepares a Wine prefix and names them
//! in the environment. `cargo test` alone lists these tests as ignored.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use hardcover_sync_emulators::audiobookshelf::AbsEmulator;
use hardcover_sync_emulators::hardcover::Limits;
use tokio::io::AsyncWriteExt;

use crate::support::TOKEN;
use crate::sync::{audio, day, editions, finished_book, hardcover_with, paper, source_book};

/// The Windows CLI that scripts/windows.sh built.
fn windows_cli() -> PathBuf {
    let exe = std::env::var_os("HARDCOVER_SYNC_WINDOWS_CLI")
        .expect("HARDCOVER_SYNC_WINDOWS_CLI is not set: run the Windows tests with scripts/windows.sh");
    let exe = PathBuf::from(exe);
    assert!(exe.is_file(), "the Windows CLI {} does not exist: run scripts/windows.sh", exe.display());
    exe
}

/// `wine PROGRAM`, quiet, without a terminal's input, ended with the test.
fn wine(program: impl AsRef<OsStr>) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new("wine");
    cmd.arg(program).env("WINEDEBUG", "-all").stdin(Stdio::null()).kill_on_drop(true);
    cmd
}

/// Trays in the same Wine prefix are one user's: a second would hand over to the first. The tests
/// that start one take turns.
static ONE_TRAY_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A path of this machine as a Windows program under Wine names it: drive Z: is `/`.
fn windows_path(p: &Path) -> String {
    format!("Z:{}", p.display()).replace('/', "\\")
}

struct WindowsCli {
    exe: PathBuf,
    config: String,
    data: String,
}

impl WindowsCli {
    /// Run `hardcover-sync.exe --config … --data-dir … ARGS` under Wine; (success, stdout, stderr).
    async fn run(&self, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
        let mut cmd = wine(&self.exe);
        cmd.args(["--config", &self.config, "--data-dir", &self.data])
            .args(args)
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("wine must run (scripts/setup.sh --test installs it)");
        if let Some(text) = stdin {
            let mut pipe = child.stdin.take().unwrap();
            pipe.write_all(text.as_bytes()).await.unwrap();
        }
        let out = tokio::time::timeout(std::time::Duration::from_secs(120), child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("hardcover-sync.exe {args:?} did not finish in 2 minutes under Wine"))
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Windows build and Wine: run by scripts/windows.sh"]
async fn the_windows_cli_connects_syncs_and_exports_under_wine() {
    let exe = windows_cli();
    let hc = hardcover_with(Limits::unlimited()).await;
    let a = editions(&hc, 1, audio).remove(0);
    let t = editions(&hc, 1, paper).remove(0);
    let abs = AbsEmulator::builder()
        .books(vec![source_book(&hc, &a, 0.4, "2026-10-01"), finished_book(&hc, &t, "2026-09-01", "2026-09-20")])
        .start()
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    let data = dir.path().join("data");
    std::fs::write(
        &config,
        format!(
            "scrobbling:\n  hardcover:\n    api_url: {}\n    token_store: keyring\n    sync:\n      direction: to_hardcover\nsources:\n  - kind: audiobookshelf\n    name: abs\n    url: {}\n    api_key: abs-test-key\n",
            hc.graphql_url(),
            abs.base_url()
        ),
    )
    .unwrap();
    let cli = WindowsCli { exe, config: windows_path(&config), data: windows_path(&data) };

    let (ok, out, err) = cli.run(&["connect", "--token", "-"], Some(TOKEN)).await;
    assert!(ok, "connect --token - must accept the token on standard input on Windows: {err}{out}");
    assert!(out.contains("Connected as reader"), "connect must name the user: {out}");
    assert!(
        !data.join("tokens.json").exists(),
        "with token_store: keyring the token must go to Credential Manager, not a file"
    );

    // A second process finds the token again: it was kept in Credential Manager.
    let (ok, out, err) = cli.run(&["status"], None).await;
    assert!(ok && out.contains("reader"), "status must find the token kept in Credential Manager: {err}{out}");

    let (ok, out, err) = cli.run(&["shelves", "--json"], None).await;
    assert!(ok, "shelves must work on Windows: {err}");
    let shelves: serde_json::Value = serde_json::from_str(&out).expect("shelves --json must print JSON");
    assert_eq!(shelves["statuses"].as_array().map(Vec::len), Some(6), "all six statuses must be listed: {out}");

    let (ok, out, err) = cli.run(&["sync", "--json"], None).await;
    assert!(ok, "a sync must succeed on Windows: {err}{out}");
    let user = hc.user_id("reader").unwrap();
    {
        let db = hc.state().db();
        let ubs = db.user_books_of(user);
        let listening = ubs.iter().find(|u| u.book_id == a.book_id).expect("the audiobook must be added to Hardcover");
        let reads = db.reads_of(listening.id);
        let read = reads.last().expect("the audiobook must have a read");
        let want = (a.audio_seconds.unwrap() as f64 * 0.4).round() as i64;
        assert!(
            read.progress_seconds.is_some_and(|s| (s - want).abs() <= 1),
            "an audiobook's progress must be sent in seconds of its edition: {read:?}, want {want}"
        );
        let finished = ubs.iter().find(|u| u.book_id == t.book_id).expect("the finished book must be added");
        assert_eq!(finished.status_id, 3, "a finished book must be Read on Hardcover");
        let read = db.reads_of(finished.id);
        assert_eq!(
            read.last().and_then(|r| r.finished_at),
            Some(day("2026-09-20")),
            "a finished read must keep the source's finish date"
        );
    }

    let csv = dir.path().join("export.csv");
    let (ok, out, err) = cli.run(&["export", "--format", "csv", "--out", &windows_path(&csv)], None).await;
    assert!(ok, "export must write to a Windows path: {err}{out}");
    let text = std::fs::read_to_string(&csv).expect("the export must be written where --out said");
    let books = hc.state().db().user_books_of(user).len();
    assert_eq!(text.lines().count(), books + 1, "the export must hold every book of the library and a header");

    let (ok, _, err) = cli.run(&["disconnect"], None).await;
    assert!(ok, "disconnect must succeed on Windows: {err}");
    let (_, out, _) = cli.run(&["status"], None).await;
    assert!(out.contains("Not connected"), "after disconnect Credential Manager must hold no token: {out}");
}

/// The tray's log so far (it logs into `--data-dir`'s `logs` folder).
fn tray_log(data: &Path) -> String {
    let Ok(entries) = std::fs::read_dir(data.join("logs")) else { return String::new() };
    entries.flatten().filter_map(|e| std::fs::read_to_string(e.path()).ok()).collect()
}

async fn wait_for_log(data: &Path, line: &str, what: &str) {
    let start = std::time::Instant::now();
    while !tray_log(data).contains(line) {
        assert!(start.elapsed().as_secs() < 90, "timed out waiting for {what}; the tray logged:\n{}", tray_log(data));
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Windows build, Wine and a display: run by scripts/windows.sh"]
async fn the_windows_tray_starts_hands_over_to_itself_and_quits_under_wine() {
    let exe = std::env::var_os("HARDCOVER_SYNC_WINDOWS_TRAY")
        .map(PathBuf::from)
        .expect("HARDCOVER_SYNC_WINDOWS_TRAY is not set: run the Windows tests with scripts/windows.sh");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::write(dir.path().join("config.yaml"), "scrobbling:\n  hardcover:\n    token_store: file\n").unwrap();
    let _turn = ONE_TRAY_AT_A_TIME.lock().await;
    let tray = |args: &[&str]| {
        let mut cmd = wine(&exe);
        cmd.args(args);
        cmd
    };
    let paths = [
        "--config".to_owned(),
        windows_path(&dir.path().join("config.yaml")),
        "--data-dir".to_owned(),
        windows_path(&data),
    ];
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    let mut first = tray(&paths).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("wine must run");
    wait_for_log(&data, "tray icon shown", "the tray to show its notification-area icon").await;

    let second = tokio::time::timeout(std::time::Duration::from_secs(60), tray(&[]).output())
        .await
        .expect("a second launch must hand over and exit, not start a second tray")
        .unwrap();
    assert!(second.status.success(), "a second launch must exit cleanly: {second:?}");
    wait_for_log(&data, "a second launch: opening the window", "the first tray to take the second launch's request")
        .await;

    let quit = tokio::time::timeout(std::time::Duration::from_secs(60), tray(&["--quit"]).output())
        .await
        .expect("--quit must hand over and exit")
        .unwrap();
    assert!(quit.status.success(), "--quit must exit cleanly: {quit:?}");
    ends_when_asked(&mut first, &data, "a later launch's --quit").await;
}

/// The tray `child` (logging into `data`) ends, cleanly, and says it was asked to (by `whom`).
async fn ends_when_asked(child: &mut tokio::process::Child, data: &Path, whom: &str) {
    let ended = tokio::time::timeout(std::time::Duration::from_secs(60), child.wait())
        .await
        .unwrap_or_else(|_| panic!("the tray must end when {whom} asks it to quit"))
        .unwrap();
    assert!(ended.success(), "the tray must end cleanly when {whom} asks: {ended:?}");
    assert!(tray_log(data).contains("asked to quit by a later launch"), "the tray must say why it ended");
}

/// A Wine drive letter pointing at a folder, as Windows mounts a plugged-in e-reader; removed on drop.
struct DriveLetter {
    link: PathBuf,
}

impl DriveLetter {
    fn map(folder: &Path) -> Self {
        let prefix = std::env::var_os("WINEPREFIX")
            .map(PathBuf::from)
            .expect("WINEPREFIX is not set: run the Windows tests with scripts/windows.sh");
        let dosdevices = prefix.join("dosdevices");
        let link = ('k'..='y')
            .map(|l| dosdevices.join(format!("{l}:")))
            .find(|l| l.symlink_metadata().is_err())
            .expect("a free drive letter in the Wine prefix");
        std::os::unix::fs::symlink(folder, &link).expect("the Wine prefix must take a new drive letter");
        Self { link }
    }
}

impl Drop for DriveLetter {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.link);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Windows build and Wine: run by scripts/windows.sh"]
async fn a_kobo_on_a_drive_letter_is_found_without_a_path_under_wine() {
    use hardcover_sync_emulators::devices::{KoboBook, KoboDrive};

    let exe = windows_cli();
    let drive = tempfile::tempdir().unwrap();
    let kobo = KoboDrive::create(drive.path(), "N418210000001", "Kobo Libra 2").unwrap();
    kobo.add_book(&KoboBook {
        content_id: "0f5c7a52-2f1e-4c1b-9d1e-3a0d9f6b1c01".into(),
        title: "The Lantern Orchard".into(),
        author: "Mira Kestrel".into(),
        isbn: Some("978-0-306-40615-7".into()),
        percent_read: 42,
        read_status: 1,
        date_last_read: Some("2026-11-28T21:14:05.000Z".into()),
        ..KoboBook::default()
    })
    .unwrap();
    let _letter = DriveLetter::map(drive.path());

    let hc = crate::support::hardcover(1).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "scrobbling:\n  hardcover:\n    api_url: {}\n    token_store: file\nsources:\n  - kind: kobo\n    name: kobo\n",
            hc.graphql_url()
        ),
    )
    .unwrap();
    let cli = WindowsCli { exe, config: windows_path(&config), data: windows_path(&dir.path().join("data")) };
    let (ok, out, err) = cli.run(&["progress", "--json"], None).await;
    assert!(ok, "a Kobo on a drive letter must be found with no `path` set: {err}{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("progress --json must print JSON");
    let items = v["items"].as_array().expect("progress --json lists items");
    assert_eq!(items.len(), 1, "the Kobo's one book must be listed: {v:#}");
    assert_eq!(items[0]["title"], "The Lantern Orchard", "the book must be read from the Kobo's database");
    assert_eq!(items[0]["fraction"], 0.42, "the Kobo's percentage must be its progress");
}

/// A folder of the Wine prefix's user (`%LOCALAPPDATA%`, …) as a path of this machine.
async fn wine_folder(variable: &str) -> PathBuf {
    let out = wine("cmd").args(["/c", "echo", variable]).output().await.expect("wine must run");
    let windows = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(windows.starts_with("C:\\"), "Wine must name {variable} as a folder on drive C: {windows:?}");
    let out =
        tokio::process::Command::new("winepath").args(["-u", &windows]).output().await.expect("winepath must run");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// `wine reg query KEY [/v VALUE]`: the key's listing, or None when the key or value is missing.
async fn reg_query(key: &str, value: Option<&str>) -> Option<String> {
    let mut cmd = wine("reg");
    cmd.args(["query", key]);
    if let Some(v) = value {
        cmd.args(["/v", v]);
    }
    let out = cmd.output().await.expect("wine reg must run");
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Wait for a state the uninstaller reaches in the background (`/S` runs it from a copy in %TEMP%).
async fn wait_until(what: &str, done: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed().as_secs() < 90, "timed out waiting until {what}");
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

const UNINSTALL_KEY: &str = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Hardcover Sync";
const RUN_KEY: &str = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the Windows installer, Wine and a display: run by scripts/windows.sh"]
async fn the_installer_installs_for_one_user_and_the_uninstaller_leaves_only_the_data_under_wine() {
    let setup = std::env::var_os("HARDCOVER_SYNC_WINDOWS_INSTALLER")
        .map(PathBuf::from)
        .expect("HARDCOVER_SYNC_WINDOWS_INSTALLER is not set: run the Windows tests with scripts/windows.sh");
    assert!(setup.is_file(), "the installer {} does not exist: run scripts/windows.sh", setup.display());
    let _turn = ONE_TRAY_AT_A_TIME.lock().await;
    let local = wine_folder("%LOCALAPPDATA%").await;
    let roaming = wine_folder("%APPDATA%").await;
    let install = local.join("Programs").join("Hardcover Sync");
    let shortcut = roaming.join("Microsoft/Windows/Start Menu/Programs/Hardcover Sync.lnk");
    let (config_dir, data_dir) = (roaming.join("hardcover-sync"), local.join("hardcover-sync"));
    // A clean user, whatever an earlier run left behind.
    for dir in [&install, &config_dir, &data_dir] {
        let _ = std::fs::remove_dir_all(dir);
    }
    let _ = wine("reg").args(["delete", UNINSTALL_KEY, "/f"]).output().await;

    let out = wine(&setup).arg("/S").output().await.expect("wine must run the installer");
    assert!(out.status.success(), "a silent install must succeed without administrator rights: {out:?}");
    for file in [
        "hardcover-sync-app.exe",
        "hardcover-sync-window.exe",
        "WebView2Loader.dll",
        "hardcover-sync.exe",
        "README.txt",
        "LICENSE.txt",
        "uninstall.exe",
    ] {
        assert!(
            install.join(file).is_file(),
            "the installer must put {file} in %LOCALAPPDATA%\\Programs\\Hardcover Sync"
        );
    }
    assert!(
        !install.join("bcryptprimitives.dll").exists(),
        "the test-only bcryptprimitives.dll stand-in must never be installed: Windows has the real one"
    );
    assert!(shortcut.is_file(), "the installer must add a Start-menu shortcut: {}", shortcut.display());

    let version = env!("CARGO_PKG_VERSION");
    let entry =
        reg_query(UNINSTALL_KEY, None).await.expect("the installer must register its uninstaller for this user");
    for (name, want) in [
        ("DisplayName", "Hardcover Sync".to_owned()),
        ("DisplayVersion", version.to_owned()),
        ("Publisher", "The Hardcover Sync authors".to_owned()),
        ("InstallLocation", r"C:\users\".to_owned()),
        ("UninstallString", r#""C:\users\"#.to_owned()),
        ("EstimatedSize", "REG_DWORD".to_owned()),
    ] {
        let line = entry.lines().find(|l| l.trim_start().starts_with(&format!("{name} "))).unwrap_or_default();
        assert!(line.contains(&want), "Apps & features needs {name} ({want}…) in the uninstall entry:\n{entry}");
    }
    assert!(
        entry.contains(r"\Programs\Hardcover Sync\uninstall.exe"),
        "the uninstall entry must run the installed uninstaller:\n{entry}"
    );

    let out = wine(install.join("hardcover-sync.exe")).arg("--version").output().await.unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && printed.contains(version),
        "the installed CLI must run and print the workspace version {version}: {printed}"
    );

    // The user's data, the tray started at login and running: as an uninstall meets them.
    std::fs::create_dir_all(config_dir.join("config")).unwrap();
    std::fs::write(config_dir.join("config/config.yaml"), "scrobbling:\n  hardcover:\n    token_store: file\n")
        .unwrap();
    let tray_command = format!(r#""{}\hardcover-sync-app.exe" --autostart"#, windows_path(&install));
    let out = wine("reg")
        .args(["add", RUN_KEY, "/v", "Hardcover Sync", "/t", "REG_SZ", "/d", &tray_command, "/f"])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "the test must be able to turn on start at login: {out:?}");
    let mut tray =
        wine(install.join("hardcover-sync-app.exe")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let data = data_dir.join("data");
    wait_for_log(&data, "tray icon shown", "the installed tray to show its icon").await;

    let out = wine(install.join("uninstall.exe")).arg("/S").output().await.expect("wine must run the uninstaller");
    assert!(out.status.success(), "a silent uninstall must start: {out:?}");
    ends_when_asked(&mut tray, &data, "the uninstaller").await;
    wait_until("the uninstaller removed the install folder", || !install.exists()).await;
    assert!(!shortcut.exists(), "the uninstaller must remove the Start-menu shortcut");
    assert_eq!(reg_query(UNINSTALL_KEY, None).await, None, "the uninstaller must remove its Apps & features entry");
    assert_eq!(
        reg_query(RUN_KEY, Some("Hardcover Sync")).await,
        None,
        "the uninstaller must remove the start-at-login entry, or Windows would start a missing program"
    );
    assert!(
        config_dir.join("config/config.yaml").is_file() && data.join("logs").is_dir(),
        "a plain uninstall must keep the user's settings and data folder"
    );
    for dir in [&config_dir, &data_dir] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
