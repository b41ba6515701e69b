@echo off
rem `mailwarden` for IT on Windows: the IT command line inside the app's own main process
rem (`--cli --`, electron/main/cli-mode.ts; release builds fuse ELECTRON_RUN_AS_NODE off). A .cmd
rem (as VS Code's code.cmd) because cmd.exe waits for a batch file and keeps its console, which
rem it does not for the GUI executable started directly.
setlocal
"%~dp0..\..\Mailwarden.exe" --cli -- %*
set code=%ERRORLEVEL%
endlocal & exit /b %code%
