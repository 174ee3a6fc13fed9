"""A trainee's mean score per session, oldest to newest (QtCharts)."""

from __future__ import annotations

from deescal.ui.widgets.turn_chart import set_turn_ticks
from PySide6.QtCharts import QChart, QChartView, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

TREND_COLOUR = QColor("#1f77b4")


class ScoreTrendChart(QChartView):
    def __init__(self, parent=None) -> None:
        chart = QChart()
        chart.setTitle("Mean score per session")
        chart.legend().hide()
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(180)
        self.series = QLineSeries()
        self.series.setPen(QPen(TREND_COLOUR, 2))
        self.points = QScatterSeries()
        self.points.setColor(TREND_COLOUR)
        self.points.setMarkerSize(8)
        self.x_axis = QValueAxis()
        self.x_axis.setTitleText("session (oldest first)")
        self.x_axis.setLabelFormat("%d")
        self.y_axis = QValueAxis()
        self.y_axis.setRange(0, 100)
        self.y_axis.setTitleText("score")
        self.y_axis.setLabelFormat("%d")
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        for series in (self.series, self.points):
            chart.addSeries(series)
            series.attachAxis(self.x_axis)
            series.attachAxis(self.y_axis)

    def set_scores(self, scores: list[float]) -> None:
        points = [QPointF(n + 1, value) for n, value in enumerate(scores)]
        self.series.replace(points)
        self.points.replace(points)
        set_turn_ticks(self.x_axis, len(points))
