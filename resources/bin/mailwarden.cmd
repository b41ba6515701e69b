@echo off
rem `mailwarden` for IT on Windows: the IT command line through the app's own Electron in Node
rem mode. A .cmd (as VS Code's code.cmd) because cmd.exe waits for a batch file and keeps its
rem console, which it does not for the GUI executable started directly.
setlocal
set ELECTRON_RUN_AS_NODE=1
"%~dp0..\..\Mailwarden.exe" "%~dp0..\app.asar\out\main\cli.js" %*
set code=%ERRORLEVEL%
endlocal & exit /b %code%
