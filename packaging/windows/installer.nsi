; The Windows installer of Hardcover Sync: per user, no administrator rights.
;
; Built by scripts/package-windows.sh (makensis from Debian's nsis package), which passes:
;   VERSION     the workspace version from Cargo.toml, shown in Apps & features
;   VI_VERSION  the same as four numbers, for the installer's file properties
;   STAGE       a folder holding exactly what is installed (the three executables, the WebView2
;               loader the window links, README.txt, LICENSE.txt)
;   ICON        the app's .ico
;   OUT_FILE    where the installer goes
;   UNCOMPRESSED  (optional) store the files as they are
;
; Installs into %LOCALAPPDATA%\Programs\Hardcover Sync (where per-user apps go), adds a Start-menu
; shortcut to the tray and registers an uninstaller in the current user's Apps & features. The
; uninstaller quits a running tray, removes the files, the shortcut, its registration and the
; tray's start-at-login entry, and keeps the user's settings and library database unless asked
; (its "Settings and local library" component, off by default).
;
; Silent: `setup.exe /S` installs, `uninstall.exe /S` uninstalls keeping the data.

Unicode true
Target amd64-unicode ; the executables are 64-bit
ManifestDPIAware true
RequestExecutionLevel user

!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh

!define PRODUCT "Hardcover Sync"
!define PUBLISHER "The Hardcover Sync authors"
!define TRAY "hardcover-sync-app.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${PRODUCT}"
; The tray's start-at-login entry: desktop/src/system/run_key.rs writes this value.
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define RUN_VALUE "Hardcover Sync"
; The Evergreen WebView2 Runtime's client id (Microsoft's documented way to detect it).
!define WEBVIEW2_CLIENT "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

Name "${PRODUCT}"
OutFile "${OUT_FILE}"
InstallDir "$LOCALAPPDATA\Programs\${PRODUCT}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
!ifdef UNCOMPRESSED ; the test build (scripts/package-windows.sh --debug): seconds, not minutes
  SetCompress off
!else
  SetCompressor /SOLID lzma
!endif
ShowInstDetails nevershow
ShowUninstDetails nevershow
BrandingText "${PRODUCT} ${VERSION}"

VIProductVersion "${VI_VERSION}"
VIAddVersionKey "ProductName" "${PRODUCT}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${PRODUCT} setup"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "LegalCopyright" "MIT licence"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${TRAY}"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${PRODUCT} now (it lives in the notification area)"
!define MUI_FINISHPAGE_SHOWREADME "$INSTDIR\README.txt"
!define MUI_FINISHPAGE_SHOWREADME_NOTCHECKED
!define MUI_UNCOMPONENTSPAGE_TEXT_TOP "${PRODUCT} will be removed. Your settings and local library stay, so a later install picks up where you left off, unless you tick them below."

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_LICENSE "${STAGE}\LICENSE.txt"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"

; Ask a running tray to end (`--quit` does nothing when none runs, and never starts one), then
; wait until Windows lets go of its executable: a running program's file can be neither replaced
; nor deleted. Ten seconds at most; the tray ends in well under one.
!macro QuitTray UN
Function ${UN}QuitTray
  ${IfNot} ${FileExists} "$INSTDIR\${TRAY}"
    Return
  ${EndIf}
  ExecWait '"$INSTDIR\${TRAY}" --quit'
  StrCpy $R0 0
  ${Do}
    ClearErrors
    FileOpen $R1 "$INSTDIR\${TRAY}" a
    ${IfNot} ${Errors}
      FileClose $R1
      ${Break}
    ${EndIf}
    IntOp $R0 $R0 + 1
    ${IfThen} $R0 >= 40 ${|} ${Break} ${|}
    Sleep 250
  ${Loop}
FunctionEnd
!macroend
!insertmacro QuitTray ""
!insertmacro QuitTray "un."

; The window needs Microsoft Edge WebView2 Runtime. Windows 10 and 11 ship it; where it is missing
; the install still succeeds (the tray, the sync and the CLI do not need it) and says so.
Function WarnWithoutWebView2
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_CLIENT}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_CLIENT}" "pv"
  ${EndIf}
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    DetailPrint "Microsoft Edge WebView2 Runtime was not found"
    MessageBox MB_OK|MB_ICONINFORMATION "The shelves window of ${PRODUCT} needs Microsoft Edge WebView2 Runtime, which this computer does not have.$\r$\n$\r$\nThe tray, syncing and the command line work without it. To open the shelves, install the Evergreen WebView2 Runtime from https://developer.microsoft.com/microsoft-edge/webview2/" /SD IDOK
  ${EndIf}
FunctionEnd

Section "${PRODUCT}" SecApp
  SectionIn RO
  SetShellVarContext current
  Call QuitTray
  SetOutPath "$INSTDIR"
  File "${STAGE}\${TRAY}"
  File "${STAGE}\hardcover-sync-window.exe"
  File "${STAGE}\WebView2Loader.dll"
  File "${STAGE}\hardcover-sync.exe"
  File "${STAGE}\README.txt"
  File "${STAGE}\LICENSE.txt"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\${TRAY}" "" "$INSTDIR\${TRAY}" 0 SW_SHOWNORMAL "" "Sync your reading progress to Hardcover"

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${TRAY},0"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0 ; in KiB, as Apps & features reads it

  Call WarnWithoutWebView2
SectionEnd

Section "un.${PRODUCT}" UnSecApp
  SectionIn RO
  SetShellVarContext current
  Call un.QuitTray
  Delete "$INSTDIR\${TRAY}"
  Delete "$INSTDIR\hardcover-sync-window.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\hardcover-sync.exe"
  Delete "$INSTDIR\README.txt"
  Delete "$INSTDIR\LICENSE.txt"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR" ; only when empty: never what the user put there
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  DeleteRegValue HKCU "${RUN_KEY}" "${RUN_VALUE}"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd

; Where the app keeps its data on Windows (src/paths.rs: the `directories` crate's folders for
; "hardcover-sync"): settings under %APPDATA%, the database, cover cache and logs under
; %LOCALAPPDATA%. The sign-in kept in Credential Manager is not touched: Disconnect in the app
; (or `hardcover-sync disconnect`) revokes and removes it.
Section /o "un.Settings and local library" UnSecData
  SetShellVarContext current
  RMDir /r "$APPDATA\hardcover-sync"
  RMDir /r "$LOCALAPPDATA\hardcover-sync"
SectionEnd

!insertmacro MUI_UNFUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${UnSecApp} "The program, its Start-menu shortcut and its start-at-login entry."
  !insertmacro MUI_DESCRIPTION_TEXT ${UnSecData} "Your settings, the local copy of your library, the sync history and the logs. Leave unticked to keep them for a later install."
!insertmacro MUI_UNFUNCTION_DESCRIPTION_END
