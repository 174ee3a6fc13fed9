"""The scenario detail pane: character card, objectives, triggers and levers, hidden facts, transcript.

Transcript turns are coloured by role. A turn's role can be corrected from its context menu or
with the role box under the list (for that turn or every turn by the same speaker); the view
saves the correction through the library service and reloads the pane.
"""

from __future__ import annotations

import html

from deescal.scenario_library.schema import ROLES, Scenario
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

ROLE_COLOURS = {
    "officer": "#dbeafe",
    "civilian": "#ffedd5",
    "bystander": "#dcfce7",
    "dispatcher": "#ede9fe",
    "other": "#e5e7eb",
}
CORRECTED_MARK = "\u270e"  # a pencil: an instructor set this role


def _list(items: list[str]) -> str:
    return (
        "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>" if items else "<p>—</p>"
    )


def card_html(scenario: Scenario) -> str:
    """The card as rich text for a QTextBrowser (everything escaped: imported text is untrusted)."""
    p = scenario.character_profile
    who = ", ".join(str(x) for x in (p.age, p.gender) if x)
    facts = [
        f"{fact.text} (revealed at tension \u2264 {fact.reveal_at_tension:g})"
        for fact in scenario.hidden_facts
    ]
    source = scenario.provenance.source + (
        f" from {scenario.provenance.file}" if scenario.provenance.file else ""
    )
    e = html.escape
    return (
        f"<h2>{e(scenario.title)}</h2>"
        f"<p><b>{e(scenario.category)}</b> \u00b7 difficulty {scenario.difficulty}/5 \u00b7 "
        f"starting tension {scenario.initial_tension:g}/10 \u00b7 {e(source)} \u00b7 <code>{e(scenario.case_id)}</code></p>"
        + (f"<p><i>{e(scenario.location)}</i></p>" if scenario.location else "")
        + f"<p>{e(scenario.scenario_context)}</p>"
        f"<h3>Character: {e(p.name)}{' (' + e(who) + ')' if who else ''}</h3>"
        f"<p><b>Emotional state:</b> {e(p.emotional_state or '—')}<br>"
        f"<b>Speaking style:</b> {e(p.speaking_style or '—')}</p>"
        f"<p>{e(p.background)}</p>"
        f"<h3>Learning objectives</h3>{_list(scenario.learning_objectives)}"
        f"<h3>Triggers (escalate)</h3>{_list(scenario.triggers)}"
        f"<h3>Levers (calm)</h3>{_list(scenario.levers)}"
        f"<h3>Hidden facts</h3>{_list(facts)}"
        + (f"<p><b>Tags:</b> {e(', '.join(scenario.tags))}</p>" if scenario.tags else "")
    )


class ScenarioDetail(QWidget):
    role_change_requested = Signal(int, int, str, bool)  # scenario id, turn index, role, whole speaker

    def __init__(self) -> None:
        super().__init__()
        self.scenario: Scenario | None = None
        self.card = QTextBrowser()
        self.card.setObjectName("scenarioCard")
        self.card.setOpenExternalLinks(False)

        self.transcript = QListWidget()
        self.transcript.setObjectName("referenceTranscript")
        self.transcript.setWordWrap(True)
        self.transcript.setAlternatingRowColors(False)
        self.transcript.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.transcript.customContextMenuRequested.connect(self._context_menu)
        self.transcript.currentRowChanged.connect(self._turn_selected)

        self.role_box = QComboBox()
        self.role_box.setObjectName("turnRole")
        self.role_box.addItems(ROLES)
        self.role_box.setToolTip("Role of the selected turn; changing it saves the correction")
        self.role_box.activated.connect(self._role_chosen)
        self.whole_speaker = QCheckBox("whole speaker")
        self.whole_speaker.setToolTip("Apply the role to every turn by the same speaker")
        self.whole_speaker.setChecked(True)
        legend = " ".join(
            f"<span style='background:{colour};padding:2px 6px'>{role}</span>"
            for role, colour in ROLE_COLOURS.items()
        )
        self.legend = QLabel(legend + f"  {CORRECTED_MARK} corrected")
        self.legend.setWordWrap(True)
        self.transcript_label = QLabel("<b>Reference transcript</b>")

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.transcript_label)
        lower_layout.addWidget(self.legend)
        lower_layout.addWidget(self.transcript, 1)
        correction = QHBoxLayout()
        correction.addWidget(QLabel("Turn role:"))
        correction.addWidget(self.role_box)
        correction.addWidget(self.whole_speaker)
        correction.addStretch(1)
        lower_layout.addLayout(correction)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.card)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.show_scenario(None)

    def show_scenario(self, scenario: Scenario | None, corrected: set[int] | frozenset = frozenset()) -> None:
        keep_row = (
            self.transcript.currentRow()
            if scenario and self.scenario and scenario.id == self.scenario.id
            else -1
        )
        self.scenario = scenario
        self.transcript.clear()
        enabled = scenario is not None
        self.role_box.setEnabled(enabled)
        self.whole_speaker.setEnabled(enabled)
        if scenario is None:
            self.card.setHtml("<p>Select a scenario to see its card and reference transcript.</p>")
            self.transcript_label.setText("<b>Reference transcript</b>")
            return
        self.card.setHtml(card_html(scenario))
        self.transcript_label.setText(
            f"<b>Reference transcript</b> ({len(scenario.reference_transcript)} turns)"
        )
        self.transcript.setUpdatesEnabled(False)
        for n, turn in enumerate(scenario.reference_transcript):
            mark = f" {CORRECTED_MARK}" if n in corrected else ""
            item = QListWidgetItem(f"{turn.speaker or turn.role.title()} [{turn.role}]{mark}: {turn.text}")
            item.setBackground(QBrush(QColor(ROLE_COLOURS[turn.role])))
            item.setForeground(QBrush(QColor("#111827")))
            item.setData(Qt.ItemDataRole.UserRole, turn.role)
            if turn.start_time:
                item.setToolTip(f"{turn.start_time} \u00b7 {turn.speaker}")
            self.transcript.addItem(item)
        self.transcript.setUpdatesEnabled(True)
        if 0 <= keep_row < self.transcript.count():
            self.transcript.setCurrentRow(keep_row)

    def _turn_selected(self, row: int) -> None:
        if self.scenario and 0 <= row < len(self.scenario.reference_transcript):
            self.role_box.setCurrentText(self.scenario.reference_transcript[row].role)

    def _role_chosen(self, _index: int) -> None:
        row = self.transcript.currentRow()
        if self.scenario is None or row < 0:
            return
        role = self.role_box.currentText()
        if role != self.scenario.reference_transcript[row].role or self.whole_speaker.isChecked():
            self.request_role(row, role, self.whole_speaker.isChecked())

    def request_role(self, row: int, role: str, whole_speaker: bool) -> None:
        if self.scenario is not None and self.scenario.id is not None:
            self.role_change_requested.emit(self.scenario.id, row, role, whole_speaker)

    def _context_menu(self, position) -> None:
        item = self.transcript.itemAt(position)
        if item is None or self.scenario is None:
            return
        row = self.transcript.row(item)
        turn = self.scenario.reference_transcript[row]
        menu = QMenu(self)
        for whole, label in ((False, "This turn is"), (True, f"Every turn by \u201c{turn.speaker}\u201d is")):
            if whole and not turn.speaker:
                continue
            submenu = menu.addMenu(label)
            for role in ROLES:
                action = submenu.addAction(role)
                action.setCheckable(True)
                action.setChecked(role == turn.role)
                action.triggered.connect(
                    lambda _=False, r=role, w=whole: self.request_role(row, r, w)  # noqa: B023 (bound per loop)
                )
        menu.exec(self.transcript.viewport().mapToGlobal(position))
