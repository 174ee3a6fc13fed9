"""Help menu content: a short guide to the app and the keyboard shortcuts, shown in the app itself."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

GUIDE_HTML = """
<h2>Getting started</h2>
<ol>
<li><b>Pick a scenario</b> in the <b>Library</b>: search or filter, read the character card and the
reference exchange, then press <b>Start role-play</b> (Ctrl+Return).</li>
<li><b>Practise</b> on the <b>Role-play</b> page: type what you would say as the officer and press
Enter, or hold Space and speak. The civilian answers; every line you say gets a score chip
(green 65+, amber 40-64, red below 40), the techniques found and one line of coaching. Watch the
tension gauge: it falls when you de-escalate. The session ends <i>resolved</i> when the civilian
stays calm, <i>escalated</i> after several lines at the top of the scale, or when you end it.</li>
<li><b>Review</b>: <b>Open review</b> on the end banner shows every line's score, the tension chart,
the strongest and weakest turns. Instructors add marks and comments, approve a transcript for
fine-tuning and export the review as PDF or HTML.</li>
</ol>
<p>The <b>Trainees</b> page follows each trainee's progress. <b>Fine-tune</b> teaches the civilian
model from approved sessions; <b>Models</b> adds other GGUF models. Everything stays on this computer.</p>
<p><b>On a projector:</b> Settings &gt; Appearance sets the theme (light or dark) and the text size
for the whole app; View &gt; Larger text (Ctrl++) does the same from the keyboard.</p>
"""

# (keys, what they do); the page shortcuts are those each page defines.
SHORTCUTS: list[tuple[str, str]] = [
    ("Ctrl+1 … Ctrl+7", "Go to a page (in the order of the navigation list)"),
    ("Ctrl+O", "Import scenarios (File menu)"),
    ("Ctrl+Q", "Quit"),
    ("Ctrl++ / Ctrl+-", "Larger / smaller text"),
    ("F1", "Getting started (the welcome page)"),
    ("Ctrl+F", "Library: search"),
    ("Ctrl+I", "Library: import files"),
    ("Ctrl+Return", "Library: start a role-play on the selected scenario; Fine-tune: start training"),
    ("Delete", "Library table: delete the selected scenario (asks first)"),
    ("Enter", "Role-play: send your line"),
    ("Space (hold)", "Role-play: speak your line (voice)"),
    ("Esc", "Role-play: stop the civilian's reply; Fine-tune: cancel after this step"),
    ("Ctrl+E", "Role-play: end the session (asks first); Review: export PDF"),
    ("Ctrl+Shift+E", "Review: export HTML"),
    ("Ctrl+S", "Review: save the turn's score, mark and comment"),
    ("F5", "Review and Trainees: refresh"),
    ("Ctrl+N / F2", "Trainees: new trainee / rename"),
]


def shortcuts_html() -> str:
    rows = "".join(f"<tr><td><b>{keys}</b>&nbsp;&nbsp;</td><td>{what}</td></tr>" for keys, what in SHORTCUTS)
    return f"<h2>Keyboard shortcuts</h2><table cellpadding='3'>{rows}</table>"


class HelpDialog(QDialog):
    """A scrollable page of help text with a Close button."""

    def __init__(self, title: str, text_html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(640, 520)
        layout = QVBoxLayout(self)
        self.text = QTextBrowser()
        self.text.setHtml(text_html)
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
