; Windows installer of Ekran Cluster Console (NSIS 3, 64-bit, Unicode).
;
; Built by packaging/build.py, which passes:
;   /DVERSION=<app.__version__>     shown to people and written to the registry
;   /DVERSION_QUAD=<a.b.c.d>        the installer's own version resource
;   /DPAYLOAD=<dist/ekran-console>  the frozen folder to install
;   /DAPP_ICON=<.ico>               the app icon rendered from resources/icons/app.svg
;   /DOUTFILE=<setup.exe>           where to write the installer
; and, for a payload built on another platform, /DGUI_EXE= and /DCLI_EXE=.
;
; Behaviour:
;   - Per-user by default, without administrator rights, into
;     $LOCALAPPDATA\Programs\Ekran Cluster Console, registered under HKCU.
;   - For all users into $PROGRAMFILES64\Ekran Cluster Console, registered under HKLM,
;     when run elevated: /ALLUSERS, or the choice offered on the first page.
;   - Start menu shortcut; optional desktop shortcut (component, or /DESKTOP).
;   - Upgrades in place: an existing installation's folder is reused and its program
;     files replaced; a running console is never closed, the installer asks instead.
;   - Silent: /S (with /ALLUSERS, /DESKTOP, /D=<folder> as the last option).
;   - The uninstaller keeps the user's saved connections and settings unless asked to
;     remove them (a component on its page, or /REMOVEUSERDATA with /S).
;
; Exit codes: 0 installed, 1 cancelled, 2 aborted (for example a file in use),
; 740 /ALLUSERS without elevation.

Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
ManifestDPIAware true
RequestExecutionLevel user

!macro RequireDefine NAME
  !ifndef ${NAME}
    !error "${NAME} is not defined: build the installer with packaging/build.py"
  !endif
!macroend
!insertmacro RequireDefine VERSION
!insertmacro RequireDefine VERSION_QUAD
!insertmacro RequireDefine PAYLOAD
!insertmacro RequireDefine APP_ICON
!insertmacro RequireDefine OUTFILE
!ifndef GUI_EXE
  !define GUI_EXE "ekran-console.exe"
!endif
!ifndef CLI_EXE
  !define CLI_EXE "ekran-console-cli.exe"
!endif

!define PRODUCT "Ekran Cluster Console"
!define COMPANY "Ekran System"
!define INSTALL_KEY "EkranClusterConsole"
!define CONTENTS_DIR "_internal"
!define UNINSTALLER "uninstall.exe"
!define UNINSTALL_REG "Software\Microsoft\Windows\CurrentVersion\Uninstall\${INSTALL_KEY}"
!define USER_DATA_SUBDIR "Ekran System\EkranClusterConsole" ; app/paths.py: APP_AUTHOR\APP_NAME
!define ERROR_ELEVATION_REQUIRED 740

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "Sections.nsh"
!include "nsDialogs.nsh"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
BrandingText "${PRODUCT} ${VERSION}"
ShowInstDetails hide
ShowUninstDetails hide

VIProductVersion "${VERSION_QUAD}"
VIFileVersion "${VERSION_QUAD}"
VIAddVersionKey "ProductName" "${PRODUCT}"
VIAddVersionKey "CompanyName" "${COMPANY}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${PRODUCT} Setup"
VIAddVersionKey "LegalCopyright" "Copyright © ${COMPANY}"

Var AllUsers            ; 1: install for all users (HKLM, Program Files)
Var ScopeFromCommandLine ; 1: /ALLUSERS given, the scope page is not shown
Var DirFromCommandLine   ; the folder given with /D=, or empty
Var ScopeOnlyMe
Var ScopeEveryone

; ---------------------------------------------------------------- pages
!define MUI_ICON "${APP_ICON}"
!define MUI_UNICON "${APP_ICON}"
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_NODESC

Page custom ScopePage ScopePageLeave
!insertmacro MUI_PAGE_COMPONENTS
!define MUI_PAGE_CUSTOMFUNCTION_PRE SkipDirectoryOnUpgrade
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${GUI_EXE}"
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!define MUI_COMPONENTSPAGE_TEXT_TOP "Your saved connections and settings are kept unless you tick them below."
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"

; ---------------------------------------------------------------- install

Section "${PRODUCT}" SecProgram
  SectionIn RO
  Call RefuseWhileRunning
  SetOutPath "$INSTDIR"
  ; Replace the program files of an earlier version; nothing else in the folder is touched.
  RMDir /r "$INSTDIR\${CONTENTS_DIR}"
  Delete "$INSTDIR\${GUI_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  File /r "${PAYLOAD}\*"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"
  CreateShortcut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\${GUI_EXE}" 0
  Call RegisterUninstaller
SectionEnd

Section /o "Desktop shortcut" SecDesktop
  CreateShortcut "$DESKTOP\${PRODUCT}.lnk" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\${GUI_EXE}" 0
SectionEnd

Function .onInit
  ${GetParameters} $R0
  StrCpy $AllUsers 0
  StrCpy $ScopeFromCommandLine 0
  StrCpy $DirFromCommandLine $INSTDIR
  ClearErrors
  ${GetOptions} $R0 "/ALLUSERS" $R1
  ${IfNot} ${Errors}
    Call IsElevatedAdmin
    Pop $R2
    ${If} $R2 != 1
      MessageBox MB_ICONSTOP "Installing for all users needs administrator rights: run the installer as administrator." /SD IDOK
      SetErrorLevel ${ERROR_ELEVATION_REQUIRED}
      Quit
    ${EndIf}
    StrCpy $AllUsers 1
    StrCpy $ScopeFromCommandLine 1
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/DESKTOP" $R1
  ${IfNot} ${Errors}
    !insertmacro SelectSection ${SecDesktop}
  ${EndIf}
  Call ApplyScope
FunctionEnd

; Offered only to an elevated administrator who did not pass /ALLUSERS.
Function ScopePage
  Call IsElevatedAdmin
  Pop $R0
  ${If} $R0 != 1
  ${OrIf} $ScopeFromCommandLine == 1
    Abort
  ${EndIf}
  !insertmacro MUI_HEADER_TEXT "Choose who can use ${PRODUCT}" "Install for your account only, or for everyone on this computer."
  nsDialogs::Create 1018
  Pop $R1
  ${NSD_CreateRadioButton} 0 0 100% 12u "Only for me (no administrator rights needed to update or remove it)"
  Pop $ScopeOnlyMe
  ${NSD_CreateRadioButton} 0 16u 100% 12u "For everyone who uses this computer (in Program Files)"
  Pop $ScopeEveryone
  ${If} $AllUsers == 1
    ${NSD_Check} $ScopeEveryone
  ${Else}
    ${NSD_Check} $ScopeOnlyMe
  ${EndIf}
  nsDialogs::Show
FunctionEnd

Function ScopePageLeave
  ${NSD_GetState} $ScopeEveryone $R0
  ${If} $R0 == ${BST_CHECKED}
    StrCpy $AllUsers 1
  ${Else}
    StrCpy $AllUsers 0
  ${EndIf}
  StrCpy $INSTDIR $DirFromCommandLine
  Call ApplyScope
FunctionEnd

; Sets the shell context (HKCU or HKLM, per-user or common shortcuts) and, unless
; /D= gave a folder, the installation folder: the existing installation's, or the default.
Function ApplyScope
  ${If} $AllUsers == 1
    SetShellVarContext all
  ${Else}
    SetShellVarContext current
  ${EndIf}
  ${If} $INSTDIR == ""
    ReadRegStr $R0 SHCTX "${UNINSTALL_REG}" "InstallLocation"
    ${If} $R0 != ""
      StrCpy $INSTDIR $R0
    ${ElseIf} $AllUsers == 1
      StrCpy $INSTDIR "$PROGRAMFILES64\${PRODUCT}"
    ${Else}
      StrCpy $INSTDIR "$LOCALAPPDATA\Programs\${PRODUCT}"
    ${EndIf}
  ${EndIf}
FunctionEnd

Function SkipDirectoryOnUpgrade
  ReadRegStr $R0 SHCTX "${UNINSTALL_REG}" "InstallLocation"
  ${If} $R0 != ""
    Abort ; upgrading: the existing folder is reused
  ${EndIf}
FunctionEnd

; Pushes 1 when this process runs with administrator rights (elevated), else 0.
Function IsElevatedAdmin
  UserInfo::GetAccountType
  Pop $0
  ${If} $0 == "Admin"
    Push 1
  ${Else}
    Push 0
  ${EndIf}
FunctionEnd

; A running console keeps its files locked: ask to close it instead of closing it.
Function RefuseWhileRunning
  Push "$INSTDIR\${GUI_EXE}"
  Call WaitUntilNotInUse
  Push "$INSTDIR\${CLI_EXE}"
  Call WaitUntilNotInUse
FunctionEnd

; Pops a file path; returns once the file is missing or can be opened for writing.
; Cancelling (the answer in silent mode) quits with exit code 2.
Function WaitUntilNotInUse
  Exch $R0
  Push $R1
  retry:
  ${If} ${FileExists} $R0
    ClearErrors
    FileOpen $R1 $R0 a
    ${If} ${Errors}
      MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "${PRODUCT} is running. Close it, then choose Retry." /SD IDCANCEL IDRETRY retry
      SetErrorLevel 2
      Quit
    ${EndIf}
    FileClose $R1
  ${EndIf}
  Pop $R1
  Pop $R0
FunctionEnd

Function RegisterUninstaller
  WriteRegStr SHCTX "${UNINSTALL_REG}" "DisplayName" "${PRODUCT}"
  WriteRegStr SHCTX "${UNINSTALL_REG}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINSTALL_REG}" "Publisher" "${COMPANY}"
  WriteRegStr SHCTX "${UNINSTALL_REG}" "DisplayIcon" "$INSTDIR\${GUI_EXE}"
  WriteRegStr SHCTX "${UNINSTALL_REG}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINSTALL_REG}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr SHCTX "${UNINSTALL_REG}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegDWORD SHCTX "${UNINSTALL_REG}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINSTALL_REG}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD SHCTX "${UNINSTALL_REG}" "EstimatedSize" "$0"
FunctionEnd

; ---------------------------------------------------------------- uninstall

Section "un.${PRODUCT}" UnSecProgram
  SectionIn RO
  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  Delete "$DESKTOP\${PRODUCT}.lnk"
  RMDir /r "$INSTDIR\${CONTENTS_DIR}"
  Delete "$INSTDIR\${GUI_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\${UNINSTALLER}"
  RMDir "$INSTDIR" ; only if nothing else is left in it
  DeleteRegKey SHCTX "${UNINSTALL_REG}"
SectionEnd

Section /o "un.Saved connections and settings" UnSecUserData
  ; Always the data of the user running the uninstaller, also after an all-users install.
  SetShellVarContext current
  RMDir /r "$APPDATA\${USER_DATA_SUBDIR}"
  RMDir /r "$LOCALAPPDATA\${USER_DATA_SUBDIR}"
  RMDir "$APPDATA\${COMPANY}"
  RMDir "$LOCALAPPDATA\${COMPANY}"
SectionEnd

Function un.onInit
  ; An all-users installation is the one HKLM points at; anything else is this user's.
  ReadRegStr $R0 HKLM "${UNINSTALL_REG}" "InstallLocation"
  ${If} $R0 == $INSTDIR
    Call un.IsElevatedAdmin
    Pop $R1
    ${If} $R1 != 1
      MessageBox MB_ICONSTOP "${PRODUCT} was installed for all users: remove it as administrator." /SD IDOK
      SetErrorLevel ${ERROR_ELEVATION_REQUIRED}
      Quit
    ${EndIf}
    SetShellVarContext all
  ${Else}
    SetShellVarContext current
  ${EndIf}
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/REMOVEUSERDATA" $R1
  ${IfNot} ${Errors}
    !insertmacro SelectSection ${UnSecUserData}
  ${EndIf}
FunctionEnd

Function un.IsElevatedAdmin
  UserInfo::GetAccountType
  Pop $0
  ${If} $0 == "Admin"
    Push 1
  ${Else}
    Push 0
  ${EndIf}
FunctionEnd
