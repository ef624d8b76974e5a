; Leasehold: hooks in the NSIS installer Tauri builds
; (bundle.windows.nsis.installerHooks in src-tauri/tauri.conf.json).
; The installer is per-machine, so these run as Administrator.
; leasehold.exe (the command) is installed next to the app
; (bundle.resources in src-tauri/tauri.windows.conf.json).
;
; Install: ask whether this computer is the one that serves the LAN.
;   Yes (the default of a silent install, /S): `leasehold service install`
;   registers the service `Leasehold` (automatic start, LocalService,
;   %ProgramData%\Leasehold) and opens the firewall (TCP 7878, UDP 5353).
;   No: only the firewall rules, for the server the app runs while it is open.
;   Upgrade of a registered service: it is started again on the new binary.
; Uninstall: `leasehold service uninstall` (license data in
;   %ProgramData%\Leasehold stays) and the firewall rules go. An update
;   (/UPDATE) only stops the service; the new installer starts it again.

!macro LEASEHOLD_FIREWALL_ADD
  nsExec::ExecToLog 'netsh advfirewall firewall add rule "name=Leasehold (TCP 7878)" dir=in action=allow protocol=TCP localport=7878'
  nsExec::ExecToLog 'netsh advfirewall firewall add rule "name=Leasehold (UDP 5353)" dir=in action=allow protocol=UDP localport=5353'
!macroend

!macro LEASEHOLD_FIREWALL_DELETE
  nsExec::ExecToLog 'netsh advfirewall firewall delete rule "name=Leasehold (TCP 7878)"'
  nsExec::ExecToLog 'netsh advfirewall firewall delete rule "name=Leasehold (UDP 5353)"'
!macroend

!macro NSIS_HOOK_PREINSTALL
  ; An upgrade replaces leasehold.exe, which a running service holds open:
  ; stop it first (no lease ends; they come back when it starts again).
  ${If} ${FileExists} "$INSTDIR\leasehold.exe"
    nsExec::ExecToLog '"$INSTDIR\leasehold.exe" service stop'
  ${EndIf}
!macroend

!macro NSIS_HOOK_POSTINSTALL
  nsExec::ExecToStack '"$SYSDIR\sc.exe" query Leasehold'
  Pop $0
  Pop $1
  ${If} $0 == 0
    DetailPrint "Starting the Leasehold service again"
    nsExec::ExecToLog '"$INSTDIR\leasehold.exe" service start'
  ${Else}
    MessageBox MB_YESNO|MB_ICONQUESTION "Run the Leasehold license server as a Windows service on this computer?$\r$\n$\r$\nYes: it starts at boot with nobody logged in, and the app becomes its console. Choose this on the one computer that serves licenses to the network.$\r$\nNo: the app runs its own server while it is open. You can install the service later with: leasehold service install" /SD IDYES IDNO leasehold_no_service
      DetailPrint "Installing the Leasehold service"
      nsExec::ExecToLog '"$INSTDIR\leasehold.exe" service install'
      Goto leasehold_service_done
    leasehold_no_service:
      !insertmacro LEASEHOLD_FIREWALL_ADD
    leasehold_service_done:
  ${EndIf}
!macroend

!macro NSIS_HOOK_PREUNINSTALL
  ${If} $UpdateMode = 1
    nsExec::ExecToLog '"$INSTDIR\leasehold.exe" service stop'
  ${Else}
    nsExec::ExecToLog '"$INSTDIR\leasehold.exe" service uninstall'
    !insertmacro LEASEHOLD_FIREWALL_DELETE
  ${EndIf}
!macroend
