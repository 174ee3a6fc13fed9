; Inno Setup 6 script: a per-user Windows installer (no administrator rights) for the PyInstaller
; one-folder build of packaging/deescal.spec. Built on a Windows runner by
; .github/workflows/windows-installer.yml, after PyInstaller has written dist\deescal-trainer:
;
;   iscc /DAppVersion=0.1.0 packaging\deescal.iss
;
; Inno Setup runs on Windows only, so this script cannot be built on the Linux build machine;
; tests/packaging/test_inno_script.py checks that the files it names are what the spec produces.
; Uninstalling removes the program, never the trainees' data (%LOCALAPPDATA%\DeEscalTrainer).

#ifndef AppVersion
  #error Pass the version from pyproject.toml: iscc /DAppVersion=X.Y.Z packaging\deescal.iss
#endif
#define AppName "DeEscal Trainer"
#define AppExe "DeEscal Trainer.exe"
#define BundleDir "..\dist\deescal-trainer"

[Setup]
AppId={{6A0F3E5C-2B7D-4C19-9E84-3D5B1F7A2C60}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=DeEscal Trainer team
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\DeEscal Trainer
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\dist
OutputBaseFilename=deescal-trainer-{#AppVersion}-windows-x64-setup
SetupIconFile=..\ui\resources\deescal.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/fast
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
