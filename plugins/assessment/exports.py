"""The statistics as files officials report upwards: an Excel workbook and CSV, Chinese headers.

``GET /assessment/stats.xlsx`` (or ``.csv``) ``?organisationId=<federation or alliance global
ID>&year=2025&groupBy=REGION`` with ``Authorization: Bearer <access token>``, like the GraphQL API.
The figures are ``stats.report_as`` (the same as ``federationStats`` / ``allianceStats``), for
admins of that federation or alliance. Errors answer JSON ``{"errors": [{code, message, field}]}``
with 401 (no or a bad token), 403 (not an admin), 404 (no such organisation) or 400.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import errors
from core.context import AuthenticationFailed, Context, authenticate
from core.errors import UserInputError
from core.relay import decode_id
from core.runtime import Runtime
from plugins.assessment.models import StatsGroupBy
from plugins.assessment.stats import COLUMNS, StatsReport, StatsRow, report_as

ROUTE_PATH = "/assessment/stats.{format:str}"
FORMATS = ("xlsx", "csv")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GROUP_HEADERS = {
    StatsGroupBy.REGION: "地区",
    StatsGroupBy.INDUSTRY_CHAIN: "产业链",
    StatsGroupBy.STUDIO_LEVEL: "工作室级别",
}
HEADERS_OF = dict(COLUMNS)
STATUS_OF_CODE = {
    errors.UNAUTHENTICATED: 401,
    errors.INVALID_TOKEN: 401,
    errors.PERMISSION_DENIED: 403,
    errors.NOT_FOUND: 404,
}


# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection):
# organisation names come from other organisations' admins, so names are always text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str | int) -> str | int:
    """A CSV cell that Excel shows as the text given, never evaluates."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def keep_as_text(cells: Iterable[Cell]) -> None:
    """openpyxl stores a string starting with "=" as a formula; store it as the string it is."""
    for cell in cells:
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"


def headers(group_by: StatsGroupBy) -> list[str]:
    return [GROUP_HEADERS[group_by], *(title for _, title in COLUMNS)]


def lines(found: StatsReport) -> list[list[str | int]]:
    """The report's lines, groups then the total (合计), in column order."""

    def line(row: StatsRow) -> list[str | int]:
        return [row.label, *(int(getattr(row, name)) for name, _ in COLUMNS)]

    return [line(row) for row in found.groups] + [line(found.totals)]


def title(found: StatsReport) -> str:
    return f"{found.organisation.name}{found.year}年度职工创新工作室统计"


def workbook(found: StatsReport) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "统计"
    sheet.append(headers(found.group_by))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in lines(found):
        sheet.append(values)
        keep_as_text(sheet[sheet.max_row])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    for index, header in enumerate(headers(found.group_by), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, 2 * len(header) + 2)
    about = book.create_sheet("说明")
    for key, value in (
        ("报表", title(found)),
        ("单位", found.organisation.name),
        ("年度", found.year),
        ("分组", GROUP_HEADERS[found.group_by]),
        ("工作室数", found.totals.studios),
    ):
        about.append([key, value])
        keep_as_text(about[about.max_row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_text(found: StatsReport) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese headers as they are."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers(found.group_by))
    writer.writerows([csv_safe(value) for value in line] for line in lines(found))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _error(code: str, message: str, field: str | None, status: int | None = None) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"code": code, "message": message, "field": field}]},
        status_code=status or STATUS_OF_CODE.get(code, 400),
    )


async def stats_file(request: Request) -> Response:
    rt: Runtime = request.app.state.rt
    fmt = request.path_params["format"]
    if fmt not in FORMATS:
        return _error(errors.NOT_FOUND, "Exports are .xlsx or .csv", "format", 404)
    try:
        viewer = await authenticate(rt, request.headers.get("authorization"))
    except AuthenticationFailed as exc:
        return _error(errors.INVALID_TOKEN, str(exc), None)
    ctx = Context(rt=rt, viewer=viewer, request=request)
    params = request.query_params
    try:
        if not viewer.is_authenticated:
            raise UserInputError(errors.UNAUTHENTICATED, "Sign in first", None)
        org_id = decode_id(params.get("organisationId", ""), "Organisation", "organisationId")
        try:
            year = int(params.get("year", ""))
        except ValueError:
            raise UserInputError(errors.BAD_USER_INPUT, "`year` must be a year such as 2025", "year") from None
        try:
            group_by = StatsGroupBy(params.get("groupBy", StatsGroupBy.REGION.value))
        except ValueError:
            raise UserInputError(
                errors.BAD_USER_INPUT, "`groupBy` is REGION, INDUSTRY_CHAIN or STUDIO_LEVEL", "groupBy"
            ) from None
        found = await report_as(ctx, org_id, year, group_by, "organisationId")
    except UserInputError as exc:
        problem = exc.errors[0]
        return _error(problem.code, problem.message, problem.field)
    name = f"{title(found)}.{fmt}"
    disposition = f"attachment; filename=\"stats-{found.year}.{fmt}\"; filename*=UTF-8''{quote(name)}"
    headers_out = {"Content-Disposition": disposition, "Cache-Control": "private, no-store"}
    if fmt == "xlsx":
        return Response(workbook(found), media_type=XLSX, headers=headers_out)
    return Response(csv_text(found), media_type="text/csv; charset=utf-8", headers=headers_out)


def routes() -> list[Route]:
    return [Route(ROUTE_PATH, stats_file, methods=["GET"], name="assessment_stats")]
