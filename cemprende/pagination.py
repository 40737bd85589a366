"""Pages of a list, the same for pages and API (?page=&per_page=, at most 200)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from .extensions import db
from .validation import Fields

MAX_PER_PAGE = 200


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def page_args(page, per_page, default_per_page: int = 25) -> tuple[int, int]:
    f = Fields({"page": page, "per_page": per_page})
    page_n = f.integer("page", required=False, minimum=1) or 1
    per = f.integer("per_page", required=False, minimum=1, maximum=MAX_PER_PAGE) or default_per_page
    f.raise_if_errors()
    return page_n, per


def paginate(statement, page: int, per_page: int, *, rows: bool = False) -> Page:
    """One page of the statement's entities, or of its rows when it selects several columns."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    window = statement.limit(per_page).offset((page - 1) * per_page)
    items = db.session.execute(window).all() if rows else db.session.scalars(window).all()
    return Page(list(items), page, per_page, total or 0)




def current_filters(args) -> dict:
    """The query's non-empty filters, without the page: what the page links must carry along."""
    return {key: value for key, value in args.items() if key != "page" and value}
