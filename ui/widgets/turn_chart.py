"""Score and tension over the turns of one session (QtCharts), two y axes, clickable points."""

from __future__ import annotations

import math

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen

SCORE_COLOUR, TENSION_COLOUR = QColor("#1f77b4"), QColor("#d62728")


class TurnChart(QChartView):
    """Score (0-100, left axis) per trainee turn and tension (0-10, right axis) per turn.

    ``turnClicked(turn_number)`` fires with the 1-based turn number of a clicked point.
    """

    turnClicked = Signal(int)  # noqa: N815 (Qt signal naming)

    def __init__(self, parent=None) -> None:
        chart = QChart()
        chart.setTitle("Score and tension over the session")
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(chart.margins() * 0)
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(200)
        self.score_series = self._line("Score (0-100)", SCORE_COLOUR)
        self.score_points = QScatterSeries()
        self.score_points.setColor(SCORE_COLOUR)
        self.score_points.setMarkerSize(8)
        self.tension_series = self._line("Tension (0-10)", TENSION_COLOUR)
        for series in (self.score_series, self.score_points, self.tension_series):
            chart.addSeries(series)
        chart.legend().markers(self.score_points)[0].setVisible(False)
        self.x_axis = QValueAxis()
        self.x_axis.setTitleText("turn")
        self.x_axis.setLabelFormat("%d")
        self.score_axis = QValueAxis()
        self.score_axis.setRange(0, 100)
        self.score_axis.setTitleText("score")
        self.score_axis.setLabelFormat("%d")
        self.tension_axis = QValueAxis()
        self.tension_axis.setRange(0, 10)
        self.tension_axis.setTitleText("tension")
        self.tension_axis.setLabelFormat("%d")
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.score_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(self.tension_axis, Qt.AlignmentFlag.AlignRight)
        for series, y_axis in (
            (self.score_series, self.score_axis),
            (self.score_points, self.score_axis),
            (self.tension_series, self.tension_axis),
        ):
            series.attachAxis(self.x_axis)
            series.attachAxis(y_axis)
        for series in (self.score_series, self.score_points):
            series.clicked.connect(lambda point: self.turnClicked.emit(round(point.x())))
        set_turn_ticks(self.x_axis, 1)  # whole turn numbers from the start, not 0, 0, 0, 0, 1

    @staticmethod
    def _line(name: str, colour: QColor) -> QLineSeries:
        series = QLineSeries()
        series.setName(name)
        series.setPen(QPen(colour, 2))
        return series

    def set_data(self, scores: list[tuple[int, float]], tension: list[tuple[int, float]]) -> None:
        """``scores``/``tension``: (1-based turn number, value) pairs."""
        score_points = [QPointF(x, y) for x, y in scores]
        self.score_series.replace(score_points)
        self.score_points.replace(score_points)
        self.tension_series.replace([QPointF(x, y) for x, y in tension])
        set_turn_ticks(self.x_axis, max([x for x, _ in scores + tension] or [1]))


def set_turn_ticks(axis: QValueAxis, last: int) -> None:
    """Whole-number ticks from 1, about ten of them, however long the session."""
    axis.setRange(1, max(2, last))
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(1)
    axis.setTickInterval(max(1, math.ceil(last / 10)))
