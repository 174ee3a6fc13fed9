"""What a page shows where there is nothing yet: one sentence and the button that gets something there.

:class:`EmptyStack` holds the real content and the empty state and shows one of them, so a page
never shows a blank table or a chart with meaningless axes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget


class EmptyState(QWidget):
    def __init__(self, text: str, button_text: str = "", on_click: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.label = QLabel(text)
        self.label.setObjectName("emptyStateText")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = QPushButton(button_text)
        self.button.setObjectName("emptyStateButton")
        self.button.setVisible(bool(button_text))
        if on_click is not None:
            self.button.clicked.connect(on_click)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)

    def set_text(self, text: str, button_text: str | None = None) -> None:
        self.label.setText(text)
        if button_text is not None:
            self.button.setText(button_text)
            self.button.setVisible(bool(button_text))


class EmptyStack(QStackedWidget):
    """``content`` when there is something to show, ``empty`` otherwise."""

    def __init__(self, content: QWidget, empty: EmptyState) -> None:
        super().__init__()
        self.content, self.empty = content, empty
        self.addWidget(content)
        self.addWidget(empty)

    def set_empty(self, empty: bool) -> None:
        self.setCurrentWidget(self.empty if empty else self.content)

    def is_empty(self) -> bool:
        return self.currentWidget() is self.empty
