"""Training and validation loss over the steps of a fine-tuning run (QtCharts), updated live."""

from __future__ import annotations

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen


class LossChart(QChartView):
    def __init__(self, parent=None) -> None:
        chart = QChart()
        chart.setTitle("Loss on the civilian replies")
        # Legend beside the plot and slim margins: at the page's smallest height a legend below left
        # the axis labels no room, and QtCharts drew every tick as "...".
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        chart.setMargins(QMargins(4, 4, 4, 4))
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(180)
        self.train_series = self._series("training", "#1f77b4")
        self.val_series = self._series("validation", "#ff7f0e")
        self.x_axis, self.y_axis = QValueAxis(), QValueAxis()
        self.x_axis.setTitleText("step")
        self.x_axis.setLabelFormat("%d")
        self.y_axis.setTitleText("loss")
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        for series in (self.train_series, self.val_series):
            chart.addSeries(series)
            series.attachAxis(self.x_axis)
            series.attachAxis(self.y_axis)
        self._steps: dict[int, tuple[float, float | None]] = {}
        self._total = 1

    @staticmethod
    def _series(name: str, colour: str) -> QLineSeries:
        series = QLineSeries()
        series.setName(name)
        series.setPen(QPen(QColor(colour), 2))
        return series

    def clear(self, total: int = 1) -> None:
        self._steps.clear()
        self._total = max(1, total)
        self._redraw()

    def add_step(
        self, step: int, loss: float, val_loss: float | None = None, total: int | None = None
    ) -> None:
        """One step's training loss, and the validation loss if measured at this step (a step seen
        again after a resume replaces the earlier values)."""
        self._steps[step] = (loss, val_loss)
        if total:
            self._total = max(1, total)
        self._redraw()

    def point_count(self) -> int:
        return self.train_series.count()

    def _redraw(self) -> None:
        steps = sorted(self._steps)
        self.train_series.replace([QPointF(s, self._steps[s][0]) for s in steps])
        val = [QPointF(s, v) for s in steps if (v := self._steps[s][1]) is not None]
        self.val_series.replace(val)
        values = [self._steps[s][0] for s in steps] + [p.y() for p in val]
        self.x_axis.setRange(0, max(self._total, steps[-1] if steps else 1))
        self.y_axis.setRange(0, max(values) * 1.1 if values else 5.0)
