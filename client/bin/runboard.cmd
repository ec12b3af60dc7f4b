@echo off
rem The runboard CLI in VS Code's integrated terminals (the extension puts this folder on their
rem PATH). A node on PATH starts fastest; without one, the editor's own runtime runs the CLI as
rem Node: its path comes from the terminal's environment (RUNBOARD_NODE, set by the extension). A node
rem too old for the CLI runs it again on RUNBOARD_NODE (server/src/cli/nodeVersionGate.ts).
setlocal
set "RUNBOARD_CLI=%~dp0..\cli.js"
where node >nul 2>nul && goto :with_node
if defined RUNBOARD_NODE if exist "%RUNBOARD_NODE%" goto :with_editor
echo runboard: no node on PATH, and no editor runtime in RUNBOARD_NODE (open this terminal from VS Code with Runboard enabled, or install Node.js 20+) 1>&2
exit /b 127
:with_node
node "%RUNBOARD_CLI%" %*
exit /b %ERRORLEVEL%
:with_editor
set ELECTRON_RUN_AS_NODE=1
"%RUNBOARD_NODE%" "%RUNBOARD_CLI%" %*
exit /b %ERRORLEVEL%
