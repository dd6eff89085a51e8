"""Writes a report's content as CSV, XLSX or PDF (charts drawn with reportlab's graphics)."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    LongTable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from folio.pipeline.cells import inert_row
from folio.reports.content import Chart, Content, Table
from folio.reports.models import ReportFormat

MEDIA_TYPES = {
    ReportFormat.csv: "text/csv; charset=utf-8",
    ReportFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.pdf: "application/pdf",
}
PDF_TABLE_ROWS = 2_000  # the PDF is for reading; the CSV and XLSX carry every row
CELL_CHARS = 60
MAX_PLOT_HEIGHT = 300


def render(content: Content, report_format: ReportFormat) -> bytes:
    if report_format is ReportFormat.csv:
        return to_csv(content)
    if report_format is ReportFormat.xlsx:
        return to_xlsx(content)
    return to_pdf(content)


def render_in_worker(content: Content, report_format: ReportFormat) -> tuple[bytes, int]:
    """Runs in a renderer process; its pid goes to the builder's log."""
    return render(content, report_format), os.getpid()


def _heading(content: Content) -> str:
    return f"{content.title}, {content.period.start} to {content.period.end}"


def to_csv(content: Content) -> bytes:
    """Sections one after another: a ``# title`` line, the header, the rows, a blank line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"# {_heading(content)}"])
    writer.writerow(["# summary"])
    writer.writerows(inert_row([name, value]) for name, value in content.summary)
    for table in content.tables:
        writer.writerow([])
        writer.writerow([f"# {table.title}"])
        writer.writerow(table.columns)
        writer.writerows(inert_row(row) for row in table.rows)
    return buffer.getvalue().encode()


def to_xlsx(content: Content) -> bytes:
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet("Summary")
    summary.append([_heading(content)])
    for name, value in content.summary:
        summary.append(inert_row([name, value]))
    for index, table in enumerate(content.tables, 1):
        sheet = workbook.create_sheet(f"{index} {table.title}"[:31])
        sheet.append(table.columns)
        for row in table.rows:
            sheet.append(inert_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


def bar_chart(chart: Chart, width: float) -> Drawing:
    bars = max(len(chart.values), 1)
    height = 40.0 + min(14 * bars, MAX_PLOT_HEIGHT)  # a page holds it, whatever the bars
    drawing = Drawing(width, height + 20)
    drawing.add(String(0, height + 6, chart.title, fontName="Helvetica-Bold", fontSize=10))
    plot = HorizontalBarChart()
    plot.x, plot.y = 180, 20
    plot.width = int(width - 200)
    plot.height = int(height - 30)
    plot.data = [list(reversed(chart.values)) or [0]]
    plot.categoryAxis.categoryNames = [_cell(label)[:40] for label in reversed(chart.labels)]
    plot.categoryAxis.labels.fontSize = 7
    plot.valueAxis.valueMin = 0
    plot.valueAxis.labels.fontSize = 7
    plot.bars[0].fillColor = colors.HexColor("#3b6ea5")
    plot.barLabelFormat = "%.0f"
    plot.barLabels.fontSize = 7
    plot.barLabels.nudge = 8
    drawing.add(plot)
    return drawing


def _table(table: Table) -> list[Flowable]:
    styles = getSampleStyleSheet()
    flow: list[Flowable] = [Paragraph(table.title, styles["Heading2"])]
    if not table.rows:
        return [*flow, Paragraph("Nothing in this period.", styles["Normal"])]
    rows = [[_cell(v) for v in row] for row in table.rows[:PDF_TABLE_ROWS]]
    grid = LongTable([table.columns, *rows], repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 7),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6f0")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    flow.append(grid)
    if len(table.rows) > PDF_TABLE_ROWS:
        note = f"First {PDF_TABLE_ROWS} of {len(table.rows)} rows; the CSV and XLSX have all."
        flow.append(Paragraph(note, styles["Italic"]))
    return flow


def to_pdf(content: Content) -> bytes:
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    page = landscape(A4)
    document = SimpleDocTemplate(
        buffer, pagesize=page, leftMargin=15 * mm, rightMargin=15 * mm, title=content.title
    )
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    story: list[Flowable] = [
        Paragraph(content.title, styles["Title"]),
        Paragraph(f"Period {content.period.start} to {content.period.end}; made {made}",
                  styles["Normal"]),
        Spacer(1, 6 * mm),
    ]  # fmt: skip
    for name, value in content.summary:
        story.append(Paragraph(f"<b>{name}</b>: {_cell(value)}", styles["Normal"]))
    width = document.width - 12  # the frame's padding
    for chart in content.charts:
        story += [Spacer(1, 6 * mm), bar_chart(chart, width)]
    for table in content.tables:
        story += [PageBreak(), *_table(table)]
    document.build(story)
    return buffer.getvalue()
